/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serve_dns: the small DNS server of amtsim --serve, so that a capture
 * holds the console's lookups as a real network would: A answers for the
 * names given, PTR answers for their addresses, an empty answer (NODATA)
 * for other types of a known name, NXDOMAIN for everything else. */
#ifndef AMTSIM_SERVE_DNS_H
#define AMTSIM_SERVE_DNS_H

#include <stddef.h>
#include <stdint.h>

#define SERVE_DNS_MAX 8

typedef struct serve_dns {
    char *name[SERVE_DNS_MAX];
    uint8_t addr[SERVE_DNS_MAX][4];
    unsigned n;
    int fd; /* UDP socket on port 53, -1 until opened */
} serve_dns;

/* What one query asked and how it was answered. */
typedef struct serve_dns_lookup {
    char qname[256];
    uint16_t qtype;
    int rcode;
    char answer[256]; /* "" for none */
} serve_dns_lookup;

void serve_dns_init(serve_dns *d);
/* Adds "NAME=IPV4". Returns 0, or -1 when it is not that or the table is full. */
int serve_dns_add(serve_dns *d, const char *spec);
/* Listens on UDP port 53 of addr. Returns 0, or -1 with a message. */
int serve_dns_open(serve_dns *d, const char *addr);
/* Reads one datagram from d->fd and answers it. Returns 0 with lu filled,
 * or -1 for a datagram that is not a query (ignored). */
int serve_dns_answer(serve_dns *d, serve_dns_lookup *lu);
void serve_dns_free(serve_dns *d);

#endif
