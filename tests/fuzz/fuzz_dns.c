/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: DNS message parsing (dns/dns_msg.h), and the reverse-name
 * parser on every name it returns and on the input itself.
 *
 * Input: one DNS message as carried in a UDP datagram. */
#include "dns/dns_msg.h"
#include "fuzz_common.h"

/* The longest text given to dns_ptr_address as a name. */
#define MAX_NAME_INPUT 1024

static void check_name(const char *name)
{
    fz_str(name, DNS_NAME_MAX);
    uint8_t addr[16];
    int family = dns_ptr_address(name, addr);
    FZ_CHECK(family == 0 || family == 4 || family == 6);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly the message's size, so a read past it is caught. */
    uint8_t *copy = malloc(size ? size : 1);
    FZ_CHECK(copy);
    memcpy(copy, data, size);
    dns_msg m;
    const char *why = NULL;
    if (dns_msg_parse(copy, size, &m, &why) == 0) {
        check_name(m.qname);
        FZ_CHECK(m.n_answers <= DNS_MAX_ANSWERS);
        for (unsigned i = 0; i < m.n_answers; i++) {
            const dns_answer *a = &m.answers[i];
            FZ_CHECK(a->type == DNS_T_A || a->type == DNS_T_AAAA || a->type == DNS_T_PTR ||
                     a->type == DNS_T_CNAME);
            check_name(a->name);
            check_name(a->target);
        }
    } else {
        FZ_CHECK(why && strlen(why) > 0);
    }
    free(copy);

    /* The same bytes as a reverse name ("10.2.0.192.in-addr.arpa"). */
    size_t n = size < MAX_NAME_INPUT ? size : MAX_NAME_INPUT;
    char *name = g_strndup((const char *)data, n);
    uint8_t addr[16];
    int family = dns_ptr_address(name, addr);
    FZ_CHECK(family == 0 || family == 4 || family == 6);
    g_free(name);
    return 0;
}
