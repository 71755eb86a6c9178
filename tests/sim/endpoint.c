/* SPDX-License-Identifier: GPL-2.0-or-later */
/* endpoint: parses and prints simulated endpoint addresses and gives each
 * host a stable, locally administered MAC derived from its address. */
#include "endpoint.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

int sim_endpoint_set(sim_endpoint *ep, const char *addr, uint16_t port)
{
    if (ep == NULL || addr == NULL)
        return -1;

    sim_endpoint tmp;
    memset(&tmp, 0, sizeof tmp);
    if (inet_pton(AF_INET, addr, tmp.addr) == 1) {
        tmp.family = 4;
    } else if (inet_pton(AF_INET6, addr, tmp.addr) == 1) {
        tmp.family = 6;
    } else {
        return -1;
    }
    tmp.port = port;

    /* 02:00 marks a locally administered unicast MAC; the low four address
     * bytes make it unique per host within any realistic test network. */
    const uint8_t *low = tmp.family == 4 ? tmp.addr : tmp.addr + 12;
    tmp.mac[0] = 0x02;
    tmp.mac[1] = 0x00;
    memcpy(tmp.mac + 2, low, 4);

    *ep = tmp;
    return 0;
}

const char *sim_endpoint_addr_str(const sim_endpoint *ep, char *buf, unsigned buflen)
{
    if (buf == NULL || buflen == 0)
        return buf;
    buf[0] = '\0';
    if (ep == NULL)
        return buf;

    int af;
    if (ep->family == 4)
        af = AF_INET;
    else if (ep->family == 6)
        af = AF_INET6;
    else
        return buf;
    if (inet_ntop(af, ep->addr, buf, (socklen_t)buflen) == NULL)
        buf[0] = '\0';
    return buf;
}
