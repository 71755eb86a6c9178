/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serve_net: listeners, refusal and lingering closes for amtsim --serve. */
#include "serve_net.h"

#include <errno.h>
#include <glib.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int serve_listen(const char *addr, uint16_t port)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    if (getaddrinfo(addr, service, &hints, &ai) != 0) {
        fprintf(stderr, "amtsim: --listen %s: not an IP address\n", addr);
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM, 0), one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 16) != 0) {
        fprintf(stderr, "amtsim: cannot listen on %s:%u: %s\n", addr, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

void serve_set_timeouts(int fd, int seconds)
{
    struct timeval tv = {.tv_sec = seconds};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

int serve_refuse_plain(int fd, int reset, char *line, size_t len)
{
    char buf[4096];
    size_t got = 0;
    line[0] = '\0';
    /* The first read waits up to the socket's timeout; then until a pause. */
    for (int wait_ms = -1;; wait_ms = 300) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (wait_ms >= 0 && poll(&p, 1, wait_ms) <= 0)
            break;
        ssize_t r = read(fd, buf, sizeof buf - 1);
        if (r <= 0)
            break;
        if (got == 0) {
            buf[r] = '\0';
            g_strlcpy(line, buf, MIN(len, strcspn(buf, "\r\n") + 1));
        }
        got += (size_t)r;
    }
    if (reset) {
        /* SO_LINGER 0: close() sends RST instead of FIN */
        struct linger l = {.l_onoff = 1, .l_linger = 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        close(fd);
        return -1;
    }
    shutdown(fd, SHUT_WR);
    return fd;
}

static void drop(serve_linger *l, unsigned i)
{
    close(l->fd[i]);
    l->n--;
    l->fd[i] = l->fd[l->n];
    l->until_us[i] = l->until_us[l->n];
}

void serve_linger_add(serve_linger *l, int fd, int seconds)
{
    if (fd < 0)
        return;
    if (l->n == SERVE_MAX_LINGER) {
        unsigned oldest = 0;
        for (unsigned i = 1; i < l->n; i++)
            if (l->until_us[i] < l->until_us[oldest])
                oldest = i;
        drop(l, oldest);
    }
    l->fd[l->n] = fd;
    l->until_us[l->n++] = g_get_monotonic_time() + (int64_t)seconds * G_USEC_PER_SEC;
}

unsigned serve_linger_poll(const serve_linger *l, struct pollfd *p, int *timeout_ms)
{
    int64_t now = g_get_monotonic_time();
    *timeout_ms = -1;
    for (unsigned i = 0; i < l->n; i++) {
        p[i] = (struct pollfd){.fd = l->fd[i], .events = POLLIN};
        int64_t left = (l->until_us[i] - now) / 1000 + 1;
        int ms = left < 0 ? 0 : left > 600000 ? 600000 : (int)left;
        if (*timeout_ms < 0 || ms < *timeout_ms)
            *timeout_ms = ms;
    }
    return l->n;
}

void serve_linger_handle(serve_linger *l, const struct pollfd *p, unsigned n)
{
    int64_t now = g_get_monotonic_time();
    /* From the end: drop() moves the last entry into the freed slot. */
    for (unsigned i = n; i-- > 0;) {
        unsigned k = 0;
        while (k < l->n && l->fd[k] != p[i].fd)
            k++;
        if (k == l->n)
            continue;
        int done = now >= l->until_us[k];
        if (p[i].revents) {
            char buf[4096];
            ssize_t r = read(p[i].fd, buf, sizeof buf);
            done |= r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN);
        }
        if (done)
            drop(l, k);
    }
}

void serve_linger_close_all(serve_linger *l)
{
    while (l->n)
        drop(l, 0);
}
