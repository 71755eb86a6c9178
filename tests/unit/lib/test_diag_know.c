/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Judging a capture as it goes (diag_know, diag_judge): the verdicts of
 * connections judged one call at a time equal those of diag_run over the
 * whole capture; what is learned of an AMT serves the connections judged
 * later; NXDOMAIN answers are reported once; old DNS answers are
 * forgotten. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "amtdiag/diag.h"

#define T0 (1772323200LL * 1000000)

static diag_conn_facts conn(unsigned id, uint16_t port, int64_t at_s)
{
    diag_conn_facts c = {0};
    c.id = id;
    c.client = "192.0.2.10:50000";
    c.server = port == 16993 ? "192.0.2.20:16993" : "192.0.2.20:16992";
    c.family = 4;
    memcpy(c.client_addr, (uint8_t[]){192, 0, 2, 10}, 4);
    memcpy(c.server_addr, (uint8_t[]){192, 0, 2, 20}, 4);
    c.client_port = (uint16_t)(50000 + id);
    c.server_port = port;
    c.first_ts_us = T0 + at_s * 1000000;
    c.last_ts_us = c.first_ts_us + 1000;
    c.syns = 1;
    c.syn_frame = id * 10 + 1;
    c.rst_from = c.first_fin_from = -1;
    return c;
}

/* The tokens of a result's connection k, "a,b". */
static char *tokens(const diag_result *r, guint k)
{
    GString *s = g_string_new(NULL);
    const diag_conn_result *cr = g_ptr_array_index(r->conns, k);
    for (guint i = 0; i < cr->findings->len; i++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, i);
        g_string_append_printf(s, "%s%s", s->len ? "," : "", f->cause->token);
    }
    return g_string_free(s, FALSE);
}

/* A TLS-only AMT: 16992 refused, 16993 accepting later on — the refusal
 * reads as plain-http-refused-tls-only once the later connection is
 * learned, even when judged alone. */
static void test_learned_later_counts(void **state)
{
    (void)state;
    diag_conn_facts c[2] = {conn(0, 16992, 0), conn(1, 16993, 5)};
    c[0].rst_from = 1;
    c[0].rst_frame = 2;
    c[1].synack = 1;
    c[1].synack_frame = 12;
    c[1].first_fin_from = 0;
    c[1].first_fin_frame = 13;
    diag_result *whole = diag_run(c, 2, NULL, 0, NULL);
    char *w0 = tokens(whole, 0);
    assert_string_equal(w0, "plain-http-refused-tls-only");

    diag_know *k = diag_know_new(NULL);
    diag_know_conn(k, &c[0]);
    /* judged before the TLS connection is known: a closed port */
    diag_result *early = diag_judge(k, &c[0], 1);
    char *e0 = tokens(early, 0);
    assert_string_equal(e0, "port-closed");
    /* learned first, judged after: as in the whole capture */
    diag_know_conn(k, &c[1]);
    diag_result *r0 = diag_judge(k, &c[0], 1), *r1 = diag_judge(k, &c[1], 1);
    char *s0 = tokens(r0, 0), *s1 = tokens(r1, 0), *w1 = tokens(whole, 1);
    assert_string_equal(s0, w0);
    assert_string_equal(s1, w1);
    g_free(w0), g_free(w1), g_free(e0), g_free(s0), g_free(s1);
    diag_result_free(whole), diag_result_free(early), diag_result_free(r0), diag_result_free(r1);
    diag_know_free(k);
}

/* The Digest challenge of one connection and the credentials of the next
 * are linked across calls; a challenge nobody answered is named when its
 * connection is judged, once what came after it is known. */
static void test_login_across_calls(void **state)
{
    (void)state;
    const char *ch = "Digest realm=\"Digest:0\", nonce=\"n1\", qop=\"auth\"";
    diag_exchange ex[2] = {
        {.req_frame = 4,
         .resp_frame = 6,
         .method = "POST",
         .uri = "/wsman",
         .status = 401,
         .www_authenticate = ch},
        {.req_frame = 14,
         .resp_frame = 16,
         .method = "POST",
         .uri = "/wsman",
         .status = 401,
         .www_authenticate = ch,
         .authorization = "Digest username=\"admin\", realm=\"Digest:1\", nonce=\"n1\", "
                          "uri=\"/wsman\", response=\"00\", qop=auth, nc=1, cnonce=\"c\""},
    };
    diag_conn_facts c[2] = {conn(0, 16992, 0), conn(1, 16992, 1)};
    for (int i = 0; i < 2; i++) {
        c[i].synack = 1;
        c[i].bytes[0] = c[i].bytes[1] = 100;
        c[i].is_http = 1;
        c[i].ex = &ex[i];
        c[i].n_ex = 1;
        c[i].first_fin_from = DIAG_AMT;
        c[i].first_fin_frame = ex[i].resp_frame + 1;
    }
    diag_know *k = diag_know_new(NULL);
    diag_know_conn(k, &c[0]);
    diag_know_conn(k, &c[1]);
    diag_result *r0 = diag_judge(k, &c[0], 1), *r1 = diag_judge(k, &c[1], 1);
    char *s0 = tokens(r0, 0), *s1 = tokens(r1, 0);
    assert_string_equal(s0, "");
    assert_string_equal(s1, "digest-realm-mismatch"); /* the challenge of the call before */
    g_free(s0), g_free(s1);
    diag_result_free(r0), diag_result_free(r1);
    diag_know_free(k);

    /* only the challenge: no credentials ever */
    k = diag_know_new(NULL);
    diag_know_conn(k, &c[0]);
    r0 = diag_judge(k, &c[0], 1);
    s0 = tokens(r0, 0);
    assert_string_equal(s0, "no-credentials-sent");
    g_free(s0);
    diag_result_free(r0);
    diag_know_free(k);
}

static diag_dns_facts nxdomain(int64_t at_s, uint64_t frame)
{
    diag_dns_facts d = {0};
    d.frame = frame;
    d.ts_us = T0 + at_s * 1000000;
    d.is_response = 1;
    d.qname = "amt-pc17.vpro.example.com";
    d.qtype = 1;
    d.rcode = 3;
    return d;
}

/* NXDOMAIN is reported once, by the first judgement after it is learned;
 * forgotten answers are no longer used. */
static void test_dns_once_and_forgotten(void **state)
{
    (void)state;
    diag_know *k = diag_know_new(NULL);
    diag_dns_facts nx = nxdomain(0, 1);
    diag_know_dns(k, &nx);
    diag_conn_facts c = conn(0, 16993, 1);
    diag_know_conn(k, &c);
    diag_result *r = diag_judge(k, &c, 1);
    assert_int_equal(r->global->len, 1);
    diag_result_free(r);
    r = diag_judge(k, &c, 1);
    assert_int_equal(r->global->len, 0);
    diag_result_free(r);

    /* an A answer pointing elsewhere: used, then forgotten */
    int fam = 4;
    uint8_t other[1][16] = {{192, 0, 2, 99}};
    diag_dns_facts a = {.frame = 3,
                        .ts_us = T0 + 2 * 1000000LL,
                        .is_response = 1,
                        .qname = "amt-pc17.vpro.example.com",
                        .qtype = 1,
                        .n_addrs = 1,
                        .addr_family = &fam,
                        .addrs = (const uint8_t(*)[16])other};
    diag_know_dns(k, &a);
    diag_conn_facts d = conn(1, 16993, 3);
    diag_exchange host = {.req_frame = 40, .method = "POST", .host = "amt-pc17.vpro.example.com"};
    d.ex = &host;
    d.n_ex = 1;
    d.is_http = 1;
    r = diag_judge(k, &d, 1);
    char *s = tokens(r, 0);
    assert_non_null(strstr(s, "dns-points-elsewhere"));
    g_free(s);
    diag_result_free(r);
    diag_know_forget(k, T0 + 3 * 1000000LL);
    r = diag_judge(k, &d, 1);
    s = tokens(r, 0);
    assert_null(strstr(s, "dns-points-elsewhere"));
    g_free(s);
    diag_result_free(r);
    diag_know_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learned_later_counts),
        cmocka_unit_test(test_login_across_calls),
        cmocka_unit_test(test_dns_once_and_forgotten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
