/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One side of a simulated conversation: link and network address, port. */
#ifndef AMTSIM_ENDPOINT_H
#define AMTSIM_ENDPOINT_H

#include <stdint.h>

typedef struct sim_endpoint {
    int family;       /* 4 or 6 */
    uint8_t addr[16]; /* network byte order; IPv4 uses addr[0..3] */
    uint16_t port;    /* host byte order; 0 where not relevant */
    uint8_t mac[6];
} sim_endpoint;

/* Fills ep from a textual address ("192.0.2.10" or "2001:db8::10") and port;
 * the MAC is derived from the address so each host keeps one MAC.
 * Returns 0, or -1 when the text is not an address. */
int sim_endpoint_set(sim_endpoint *ep, const char *addr, uint16_t port);

/* Writes the textual address into buf (at least 46 bytes). */
const char *sim_endpoint_addr_str(const sim_endpoint *ep, char *buf, unsigned buflen);

#endif
