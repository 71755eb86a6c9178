/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serve_dns: A and PTR answers for amtsim --serve (RFC 1035 over UDP). */
#include "serve_dns.h"
#include "dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void serve_dns_init(serve_dns *d)
{
    memset(d, 0, sizeof *d);
    d->fd = -1;
}

int serve_dns_add(serve_dns *d, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || d->n == SERVE_DNS_MAX ||
        inet_pton(AF_INET, eq + 1, d->addr[d->n]) != 1)
        return -1;
    d->name[d->n++] = g_strndup(spec, (gsize)(eq - spec));
    return 0;
}

int serve_dns_open(serve_dns *d, const char *addr)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53)};
    if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
        fprintf(stderr, "amtsim: --dns-listen %s: not an IPv4 address\n", addr);
        return -1;
    }
    d->fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (d->fd < 0 || bind(d->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        fprintf(stderr, "amtsim: cannot listen on %s:53/udp: %s\n", addr, strerror(errno));
        return -1;
    }
    return 0;
}

/* The answer for qname/qtype: rcode, and the data to answer with or NULL. */
static const void *look_up(const serve_dns *d, const serve_dns_lookup *lu, int *rcode)
{
    for (unsigned i = 0; i < d->n; i++) {
        char ptr[80];
        if (lu->qtype == DNS_TYPE_PTR &&
            g_ascii_strcasecmp(lu->qname, dns_ptr_name(4, d->addr[i], ptr, sizeof ptr)) == 0) {
            *rcode = DNS_RCODE_OK;
            return d->name[i];
        }
        if (g_ascii_strcasecmp(lu->qname, d->name[i]) == 0) {
            *rcode = DNS_RCODE_OK;
            return lu->qtype == DNS_TYPE_A ? d->addr[i] : NULL;
        }
    }
    *rcode = DNS_RCODE_NXDOMAIN;
    return NULL;
}

int serve_dns_answer(serve_dns *d, serve_dns_lookup *lu)
{
    uint8_t msg[512], out[512];
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(d->fd, msg, sizeof msg, 0, (struct sockaddr *)&from, &flen);
    uint16_t id;
    memset(lu, 0, sizeof *lu);
    if (n <= 0 || dns_parse_query(msg, (size_t)n, &id, lu->qname, sizeof lu->qname, &lu->qtype))
        return -1;
    const void *data = look_up(d, lu, &lu->rcode);
    if (data && lu->qtype == DNS_TYPE_A)
        inet_ntop(AF_INET, data, lu->answer, sizeof lu->answer);
    else if (data)
        g_strlcpy(lu->answer, data, sizeof lu->answer);
    size_t len = dns_build_response(out, sizeof out, id, lu->qname, lu->qtype, lu->rcode, data, 60);
    if (len)
        sendto(d->fd, out, len, 0, (struct sockaddr *)&from, flen);
    return 0;
}

void serve_dns_free(serve_dns *d)
{
    for (unsigned i = 0; i < d->n; i++)
        g_free(d->name[i]);
    if (d->fd >= 0)
        close(d->fd);
    serve_dns_init(d);
}
