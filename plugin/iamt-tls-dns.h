/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DNS answers of the capture (A, AAAA, PTR), as lib's diag_dns_facts:
 * AMT looks up the console's name by its address (the rule
 * client-cert-name-not-reverse-dns), and the console AMT's address. */
#ifndef IAMT_TLS_DNS_H
#define IAMT_TLS_DNS_H

#include <epan/packet.h>

#include "amtdiag/diag.h"

#define IAMT_DNS_MAX 1024    /* answers kept per capture */
#define IAMT_DNS_NAMES_MAX 8 /* names kept per answer */

/* Resets the store per capture file; call from a proto_register function. */
void iamt_tls_dns_register(void);

/* Looks up the dns.* field ids; appends them to wanted. */
void iamt_tls_dns_handoff(GArray *wanted);

/* Reads the A, AAAA or PTR answer of a DNS frame (first pass only). Returns 1 when
 * it added one. */
int iamt_tls_dns_frame(packet_info *pinfo, proto_tree *tree);

/* The answers so far; *n gets their count. */
const diag_dns_facts *iamt_tls_dns_facts(size_t *n);

#endif
