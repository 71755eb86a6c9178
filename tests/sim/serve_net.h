/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serve_net: the sockets of amtsim --serve — listeners, a TLS-only AMT's
 * refusal on 16992, and closing served connections only after the client
 * closed, without holding up the connections and lookups that follow. */
#ifndef AMTSIM_SERVE_NET_H
#define AMTSIM_SERVE_NET_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

/* A listening TCP socket on addr:port, or -1 with a message. */
int serve_listen(const char *addr, uint16_t port);

/* Receive and send timeouts of an accepted socket, in seconds. */
void serve_set_timeouts(int fd, int seconds);

/* A TLS-only AMT's 16992: reads the request until the client pauses, then
 * resets the connection (reset set; returns -1) or shuts it down without
 * an answer (returns fd, for serve_linger_add). line gets the request line. */
int serve_refuse_plain(int fd, int reset, char *line, size_t len);

#define SERVE_MAX_LINGER 16

/* Connections this side has shut down, open until the client's FIN or a
 * deadline, so that the client's last bytes are not answered by RST. */
typedef struct serve_linger {
    int fd[SERVE_MAX_LINGER];
    int64_t until_us[SERVE_MAX_LINGER];
    unsigned n;
} serve_linger;

/* Adds fd (>= 0) for at most seconds; with the table full, the oldest is closed. */
void serve_linger_add(serve_linger *l, int fd, int seconds);
/* Appends a pollfd per lingering socket to p (room for SERVE_MAX_LINGER) and
 * returns how many; *timeout_ms becomes the time to the nearest deadline. */
unsigned serve_linger_poll(const serve_linger *l, struct pollfd *p, int *timeout_ms);
/* After poll: reads what the pollfds p (as filled above) report, closes the
 * sockets whose client closed or whose deadline passed. */
void serve_linger_handle(serve_linger *l, const struct pollfd *p, unsigned n);
void serve_linger_close_all(serve_linger *l);

#endif
