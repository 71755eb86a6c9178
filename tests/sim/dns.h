/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dns: builds the DNS messages a capture of name lookups contains. */
#ifndef AMTSIM_DNS_H
#define AMTSIM_DNS_H

#include <stddef.h>
#include <stdint.h>

enum { DNS_TYPE_A = 1, DNS_TYPE_PTR = 12, DNS_TYPE_AAAA = 28 };
enum { DNS_RCODE_OK = 0, DNS_RCODE_NXDOMAIN = 3 };

/* Writes "10.2.0.192.in-addr.arpa" (or the ip6.arpa form for family 6)
 * into out. Returns out. */
char *dns_ptr_name(int family, const uint8_t *addr, char *out, size_t outlen);

/* A standard recursive query for qname/qtype. Returns its length, 0 when
 * out is too small or qname is not a valid name. */
size_t dns_build_query(uint8_t *out, size_t cap, uint16_t id, const char *qname, uint16_t qtype);

/* The response to that query. rcode NXDOMAIN gives no answer and an
 * authority-less reply; rcode OK with answer data gives one answer record:
 * for A/AAAA, answer is the 4/16 address bytes; for PTR, a NUL-terminated
 * host name. ttl in seconds. Returns the length, or 0 on error. */
size_t dns_build_response(uint8_t *out, size_t cap, uint16_t id, const char *qname, uint16_t qtype,
                          int rcode, const void *answer, uint32_t ttl);

/* Reads the id, name and type of a query's one question; qname receives
 * the dotted name without the trailing dot. Returns 0, or -1 for anything
 * else (a response, several questions, compression, bytes out of bounds). */
int dns_parse_query(const uint8_t *msg, size_t len, uint16_t *id, char *qname, size_t qcap,
                    uint16_t *qtype);

#endif
