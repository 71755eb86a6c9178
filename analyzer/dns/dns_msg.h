/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dns_msg: the parts of a DNS message the diagnosis needs — the question,
 * the response code and A/AAAA/PTR/CNAME answers (RFC 1035). */
#ifndef AMTDIAG_DNS_MSG_H
#define AMTDIAG_DNS_MSG_H

#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX 256
#define DNS_MAX_ANSWERS 8

enum { DNS_T_A = 1, DNS_T_CNAME = 5, DNS_T_PTR = 12, DNS_T_AAAA = 28 };

typedef struct dns_answer {
    uint16_t type;
    uint32_t ttl;
    char name[DNS_NAME_MAX];
    uint8_t addr[16];          /* A: 4 bytes, AAAA: 16 */
    char target[DNS_NAME_MAX]; /* PTR or CNAME name */
} dns_answer;

typedef struct dns_msg {
    uint16_t id;
    int is_response;
    int rcode; /* 0 NOERROR, 3 NXDOMAIN, … */
    uint16_t qtype;
    char qname[DNS_NAME_MAX];
    dns_answer answers[DNS_MAX_ANSWERS]; /* the first DNS_MAX_ANSWERS of them */
    unsigned n_answers;
} dns_msg;

/* Parses a DNS message carried in UDP. Returns 0, or -1 with why set to a
 * short reason when the message is malformed (truncated, a compression
 * loop, a name over 255 bytes). Answers of other types are skipped. */
int dns_msg_parse(const uint8_t *data, size_t len, dns_msg *out, const char **why);

/* The address a PTR name stands for: "10.2.0.192.in-addr.arpa" gives
 * family 4 and 192.0.2.10; the ip6.arpa nibble form gives family 6.
 * Returns the family, or 0 when the name is not a reverse name. */
int dns_ptr_address(const char *name, uint8_t addr[16]);

#endif
