/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reverse DNS names (RFC 1035 3.5 in-addr.arpa, RFC 3596 ip6.arpa), shared
 * by the analyzer's DNS layer and the plugin for the reverse-DNS rule. */
#ifndef AMTDIAG_DNS_NAMES_H
#define AMTDIAG_DNS_NAMES_H

#include <stdint.h>

/* The address a PTR name stands for: "10.2.0.192.in-addr.arpa" gives
 * family 4 and 192.0.2.10; the ip6.arpa nibble form gives family 6.
 * Returns the family, or 0 when the name is not a reverse name. */
int amt_dns_ptr_address(const char *name, uint8_t addr[16]);

#endif
