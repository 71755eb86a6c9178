/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The facts builder both tools feed: what it derives from their events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "amtdiag/diag_build.h"

static const uint8_t cli[4] = {192, 0, 2, 10}, srv[4] = {192, 0, 2, 20};

static void start(diag_builder *b)
{
    diag_build_init(b, 7, 4, cli, 50000, srv, 16993, "192.0.2.10:50000", "192.0.2.20:16993",
                    AMT_SERVICE_UNKNOWN);
}

static void test_offered_versions(void **state)
{
    (void)state;
    uint16_t lo, hi;
    /* GREASE first, as Chrome and OpenSSL-based consoles send it */
    const uint16_t grease[] = {0x3a3a, 0x0304, 0x0303};
    diag_offered_versions(0x0303, grease, 3, &lo, &hi);
    assert_int_equal(lo, 0x0303);
    assert_int_equal(hi, 0x0304);
    /* a draft version is no version */
    const uint16_t draft[] = {0x7f1c, 0x0304};
    diag_offered_versions(0x0303, draft, 2, &lo, &hi);
    assert_int_equal(lo, 0x0304);
    assert_int_equal(hi, 0x0304);
    /* nothing usable: the legacy field stands */
    const uint16_t only_grease[] = {0xfafa};
    diag_offered_versions(0x0301, only_grease, 1, &lo, &hi);
    assert_int_equal(lo, 0x0301);
    assert_int_equal(hi, 0x0301);
    diag_offered_versions(0x0302, NULL, 0, &lo, &hi);
    assert_int_equal(lo, 0x0302);
}

static void test_tls_events(void **state)
{
    (void)state;
    diag_builder b;
    start(&b);
    const uint16_t suites[] = {0xc02f, 0x00ff};
    const uint16_t ext[] = {0x0000};
    diag_build_client_hello(&b, 4, 0x0303, NULL, 0, suites, 2, ext, 1, "amt.example.com");
    assert_true(b.f.tls.console_reneg); /* the SCSV */
    const uint16_t sh_ext[] = {0xff01};
    diag_build_server_hello(&b, 6, 0x0303, 0, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", sh_ext, 1,
                            1772323200);
    assert_true(b.f.tls.amt_reneg);
    assert_int_equal(b.f.tls.version, 0x0303);
    diag_build_handshake(&b, 6, DIAG_AMT, 2);
    diag_build_handshake(&b, 6, DIAG_AMT, 11);
    diag_build_handshake(&b, 6, DIAG_AMT, 13);
    diag_build_handshake(&b, 6, DIAG_AMT, 14);
    assert_int_equal(b.f.tls.cert_request_frame, 6);
    diag_build_alert(&b, 8, DIAG_CONSOLE, 2, 42);
    const diag_alert *a = &b.f.tls.alerts[0];
    assert_int_equal(a->after_from, DIAG_AMT);
    assert_int_equal(a->after_type, 14);
    assert_false(a->after_handshake);
    assert_false(b.f.tls.handshake_complete);
    assert_int_equal(b.f.tls.n_hs, 4);
    assert_ptr_equal(b.f.tls.hs, b.hs);

    /* both Finished complete the handshake; so does AMT's application
     * data before TLS 1.3, never in TLS 1.3 (its handshake is encrypted) */
    start(&b);
    diag_build_server_hello(&b, 6, 0x0303, 0, NULL, NULL, 0, 0);
    diag_build_handshake(&b, 8, DIAG_CONSOLE, 20);
    assert_false(b.f.tls.handshake_complete);
    diag_build_handshake(&b, 10, DIAG_AMT, 20);
    assert_true(b.f.tls.handshake_complete);
    assert_int_equal(b.f.tls.handshake_done_frame, 10);
    start(&b);
    diag_build_server_hello(&b, 6, 0x0303, 0, NULL, NULL, 0, 0);
    diag_build_app_record(&b, 12, DIAG_AMT);
    assert_true(b.f.tls.handshake_complete);
    assert_int_equal(b.f.tls.app_first_frame[DIAG_AMT], 12);
    start(&b);
    diag_build_server_hello(&b, 6, 0x0303, 0x0304, NULL, NULL, 0, 0);
    assert_int_equal(b.f.tls.version, 0x0304);
    diag_build_app_record(&b, 6, DIAG_AMT);
    assert_false(b.f.tls.handshake_complete);
}

static void test_tcp_segments(void **state)
{
    (void)state;
    diag_builder b;
    start(&b);
    static const uint8_t req[] = "POST /wsman HTTP/1.1\r\n";
    diag_build_segment(&b, 1, 100, DIAG_CONSOLE, DIAG_TCP_SYN, NULL, 0);
    diag_build_segment(&b, 2, 200, DIAG_CONSOLE, DIAG_TCP_SYN, NULL, 0);
    diag_build_segment(&b, 3, 300, DIAG_AMT, DIAG_TCP_SYN | DIAG_TCP_ACK, NULL, 0);
    diag_build_segment(&b, 5, 500, DIAG_CONSOLE, DIAG_TCP_ACK, req, sizeof req - 1);
    /* fed out of order: the earlier FIN is the first */
    diag_build_segment(&b, 9, 900, DIAG_CONSOLE, DIAG_TCP_FIN | DIAG_TCP_ACK, NULL, 0);
    diag_build_segment(&b, 7, 700, DIAG_AMT, DIAG_TCP_FIN | DIAG_TCP_ACK, NULL, 0);
    const diag_conn_facts *f = &b.f;
    assert_false(f->midstream);
    assert_int_equal(f->syns, 2);
    assert_int_equal(f->syn_frame, 1);
    assert_int_equal(f->synack_frame, 3);
    assert_int_equal(f->first_fin_from, DIAG_AMT);
    assert_int_equal(f->first_fin_frame, 7);
    assert_int_equal(f->bytes[DIAG_CONSOLE], sizeof req - 1);
    assert_int_equal(f->n_console_head, DIAG_BUILD_HEAD_MAX);
    assert_memory_equal(f->console_head, "POST /wsman HTTP", DIAG_BUILD_HEAD_MAX);
    assert_int_equal(f->console_head_frame, 5);
    assert_int_equal(f->first_ts_us, 100);
    assert_int_equal(f->last_frame, 7);

    /* a first segment without SYN: the capture began inside it */
    start(&b);
    diag_build_segment(&b, 1, 100, DIAG_AMT, DIAG_TCP_ACK, NULL, 10);
    assert_true(b.f.midstream);
    /* gaps past the bound are counted, not kept; a bad side is ignored */
    for (int k = 0; k < DIAG_BUILD_GAPS_MAX + 3; k++)
        diag_build_gap(&b, DIAG_CONSOLE, (uint64_t)k, (uint64_t)k + 2);
    diag_build_gap(&b, 5, 1, 2);
    assert_int_equal(b.f.n_gaps, DIAG_BUILD_GAPS_MAX);
    assert_int_equal(b.dropped, 3);
    assert_true(b.f.gap);
    for (int k = 0; k < DIAG_BUILD_HS_MAX + 1; k++)
        diag_build_handshake(&b, 10, DIAG_AMT, 11);
    assert_int_equal(b.f.tls.n_hs, DIAG_BUILD_HS_MAX);
    assert_int_equal(b.dropped, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offered_versions),
        cmocka_unit_test(test_tls_events),
        cmocka_unit_test(test_tcp_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
