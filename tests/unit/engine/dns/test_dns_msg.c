/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the analyzer's DNS parser, on messages built by the
 * simulator's independent DNS writer, and on malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dns/dns_msg.h"

static void a_answer(void **state)
{
    (void)state;
    uint8_t buf[512], addr[4] = {192, 0, 2, 20};
    size_t n = dns_build_response(buf, sizeof buf, 0x1234, "amt-pc17.vpro.example.com", DNS_TYPE_A,
                                  DNS_RCODE_OK, addr, 3600);
    assert_true(n > 0);
    dns_msg m;
    assert_int_equal(dns_msg_parse(buf, n, &m, NULL), 0);
    assert_int_equal(m.id, 0x1234);
    assert_true(m.is_response);
    assert_int_equal(m.rcode, 0);
    assert_int_equal(m.qtype, DNS_T_A);
    assert_string_equal(m.qname, "amt-pc17.vpro.example.com");
    assert_int_equal(m.n_answers, 1);
    assert_int_equal(m.answers[0].type, DNS_T_A);
    assert_int_equal(m.answers[0].ttl, 3600);
    assert_memory_equal(m.answers[0].addr, addr, 4);
    assert_string_equal(m.answers[0].name, "amt-pc17.vpro.example.com");
}

static void query_and_nxdomain(void **state)
{
    (void)state;
    uint8_t buf[512];
    dns_msg m;
    size_t n = dns_build_query(buf, sizeof buf, 7, "amt.example.com", DNS_TYPE_A);
    assert_int_equal(dns_msg_parse(buf, n, &m, NULL), 0);
    assert_false(m.is_response);
    assert_string_equal(m.qname, "amt.example.com");
    n = dns_build_response(buf, sizeof buf, 7, "amt.example.com", DNS_TYPE_A, DNS_RCODE_NXDOMAIN,
                           NULL, 0);
    assert_int_equal(dns_msg_parse(buf, n, &m, NULL), 0);
    assert_int_equal(m.rcode, 3);
    assert_int_equal(m.n_answers, 0);
}

static void ptr_v4_and_v6(void **state)
{
    (void)state;
    uint8_t buf[512], a4[4] = {192, 0, 2, 10}, a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x10};
    a6[15] = 0x10;
    char qname[128];
    dns_ptr_name(4, a4, qname, sizeof qname);
    size_t n = dns_build_response(buf, sizeof buf, 9, qname, DNS_TYPE_PTR, DNS_RCODE_OK,
                                  "ws-0417.dhcp.example.com", 600);
    dns_msg m;
    assert_int_equal(dns_msg_parse(buf, n, &m, NULL), 0);
    assert_int_equal(m.answers[0].type, DNS_T_PTR);
    assert_string_equal(m.answers[0].target, "ws-0417.dhcp.example.com");
    uint8_t got[16];
    assert_int_equal(dns_ptr_address(m.qname, got), 4);
    assert_memory_equal(got, a4, 4);

    dns_ptr_name(6, a6, qname, sizeof qname);
    assert_int_equal(dns_ptr_address(qname, got), 6);
    assert_memory_equal(got, a6, 16);
    assert_int_equal(dns_ptr_address("amt.example.com", got), 0);
    assert_int_equal(dns_ptr_address("300.2.0.192.in-addr.arpa", got), 0);
}

static void malformed(void **state)
{
    (void)state;
    uint8_t buf[512], addr[4] = {192, 0, 2, 20};
    size_t n =
        dns_build_response(buf, sizeof buf, 1, "a.example.com", DNS_TYPE_A, DNS_RCODE_OK, addr, 60);
    dns_msg m;
    const char *why = NULL;
    /* every truncation is refused with a reason, never read past the end */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, buf, cut);
        why = NULL;
        assert_int_equal(dns_msg_parse(copy, cut, &m, &why), -1);
        assert_non_null(why);
        free(copy);
    }
    /* a compression pointer to itself (a loop) */
    uint8_t loop[] = {0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
    assert_int_equal(dns_msg_parse(loop, sizeof loop, &m, &why), -1);
    assert_string_equal(why, "compression pointer does not point backwards");
    /* random bytes never crash */
    srand(42);
    for (int i = 0; i < 20000; i++) {
        uint8_t junk[64];
        size_t len = (size_t)(rand() % (int)sizeof junk);
        for (size_t k = 0; k < len; k++)
            junk[k] = (uint8_t)rand();
        dns_msg_parse(junk, len, &m, &why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_answer),
        cmocka_unit_test(query_and_nxdomain),
        cmocka_unit_test(ptr_v4_and_v6),
        cmocka_unit_test(malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
