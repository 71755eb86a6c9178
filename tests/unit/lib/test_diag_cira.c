/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib's CIRA facts and rules (diag_cira_build.c,
 * diag_cira.c) on the branches the recorded samples do not reach: a
 * keep-alive drop without the MPS's options or before its timeout is only
 * likely, one SYN without answer is only likely, a refused certificate
 * that TLS 1.3 hid names the key log, channel answers are matched to
 * their opener, the console rules leave 4433 alone, the facts keep no
 * password, and a console's TLS refused inside a channel is told apart
 * from one that worked or was only warned. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "amtdiag/diag.h"
#include "amtdiag/diag_cira.h"
#include "apf_build.h"

static void add(diag_cira_facts *f, uint64_t frame, int64_t ts, int from, const msg *m)
{
    diag_cira_message(f, frame, ts, from, m->b, m->n);
}

/* A tunnel on 4433 that TCP and TLS carried, ended by AMT's FIN at end_us. */
static diag_conn_facts tunnel(const diag_cira_facts *f, int64_t end_us)
{
    diag_conn_facts c;
    memset(&c, 0, sizeof c);
    c.client = "192.0.2.20:50000";
    c.server = "198.51.100.7:4433";
    c.family = 4;
    c.server_port = AMT_PORT_CIRA;
    c.syns = c.synack = 1;
    c.syn_frame = 1;
    c.synack_frame = 2;
    c.rst_from = -1;
    c.first_fin_from = DIAG_CIRA_AMT;
    c.first_fin_frame = 99;
    c.last_ts_us = end_us;
    c.bytes[0] = c.bytes[1] = 1000;
    c.is_tls = 1;
    c.tls.client_hello = c.tls.server_hello = c.tls.handshake_complete = 1;
    c.tls.decrypted = 1;
    c.cira = f;
    return c;
}

static const diag_finding *only(diag_result *r, const char *token)
{
    const diag_conn_result *cr = g_ptr_array_index(r->conns, 0);
    assert_int_equal(cr->findings->len, 1);
    const diag_finding *f = g_ptr_array_index(cr->findings, 0);
    assert_string_equal(f->cause->token, token);
    return f;
}

static void keepalive(diag_cira_facts *f, int options, int64_t first_us)
{
    diag_cira_init(f);
    msg m = start(APF_USERAUTH_SUCCESS);
    add(f, 10, 0, DIAG_CIRA_MPS, &m);
    if (options) {
        m = start(APF_KEEPALIVE_OPTIONS_REQUEST);
        u32(&m, 30);
        u32(&m, 90);
        add(f, 11, 0, DIAG_CIRA_MPS, &m);
    }
    m = start(APF_KEEPALIVE_REQUEST);
    u32(&m, 1);
    add(f, 20, first_us, DIAG_CIRA_AMT, &m);
    m = start(APF_KEEPALIVE_REPLY);
    u32(&m, 1);
    add(f, 21, first_us, DIAG_CIRA_MPS, &m);
    m = start(APF_KEEPALIVE_REQUEST);
    u32(&m, 2);
    add(f, 30, first_us + 30000000, DIAG_CIRA_AMT, &m);
}

static void keepalive_confidence(void **state)
{
    (void)state;
    diag_cira_facts f;
    /* unanswered for 100 s against a 90 s timeout the MPS asked: certain */
    keepalive(&f, 1, 0);
    assert_int_equal(f.ka_requests, 2);
    assert_int_equal(f.ka_replies, 1);
    assert_int_equal(f.ka_unanswered, 1);
    diag_conn_facts c = tunnel(&f, 130000000);
    diag_result *r = diag_run(&c, 1, NULL, 0, NULL);
    assert_int_equal(only(r, "cira-keepalive-timeout")->confidence, DIAG_CERTAIN);
    const diag_conn_result *cr = g_ptr_array_index(r->conns, 0);
    assert_int_equal(cr->stage, DIAG_STAGE_CIRA);
    assert_int_equal(cr->outcome, DIAG_OUTCOME_FAILED);
    diag_result_free(r);
    /* ended 10 s after the unanswered request: before the timeout */
    c = tunnel(&f, 40000000);
    r = diag_run(&c, 1, NULL, 0, NULL);
    assert_int_equal(only(r, "cira-keepalive-timeout")->confidence, DIAG_LIKELY);
    diag_result_free(r);
    /* no options seen: the timeout is unknown */
    keepalive(&f, 0, 0);
    c = tunnel(&f, 130000000);
    r = diag_run(&c, 1, NULL, 0, NULL);
    assert_int_equal(only(r, "cira-keepalive-timeout")->confidence, DIAG_LIKELY);
    diag_result_free(r);
    /* answered: nothing to say, and the tunnel that logged in is ok */
    msg m = start(APF_KEEPALIVE_REPLY);
    u32(&m, 2);
    add(&f, 31, 30000000, DIAG_CIRA_MPS, &m);
    c = tunnel(&f, 130000000);
    r = diag_run(&c, 1, NULL, 0, NULL);
    cr = g_ptr_array_index(r->conns, 0);
    assert_int_equal(cr->findings->len, 0);
    assert_int_equal(cr->outcome, DIAG_OUTCOME_OK);
    diag_result_free(r);
}

static void tcp_and_tls(void **state)
{
    (void)state;
    diag_conn_facts c = tunnel(NULL, 0);
    c.synack = 0;
    c.synack_frame = 0;
    c.is_tls = 0;
    c.bytes[0] = c.bytes[1] = 0;
    c.first_fin_from = -1;
    c.tls = (diag_tls_facts){0};
    diag_result *r = diag_run(&c, 1, NULL, 0, NULL);
    assert_int_equal(only(r, "cira-tcp-unanswered")->confidence, DIAG_LIKELY);
    diag_result_free(r);
    c.syns = 3;
    r = diag_run(&c, 1, NULL, 0, NULL);
    assert_int_equal(only(r, "cira-tcp-unanswered")->confidence, DIAG_CERTAIN);
    diag_result_free(r);

    /* TLS 1.3: AMT refused a certificate the capture does not show */
    c = tunnel(NULL, 0);
    c.tls.handshake_complete = 0;
    c.tls.server_cert = DIAG_CERT_HIDDEN;
    diag_alert a = {.from = DIAG_CIRA_AMT, .level = 2, .desc = 46, .frame = 8};
    c.tls.alerts = &a;
    c.tls.n_alerts = 1;
    c.first_fin_from = -1;
    r = diag_run(&c, 1, NULL, 0, NULL);
    const diag_finding *f = only(r, "cira-mps-cert-rejected");
    assert_non_null(strstr(f->evidence, "key log"));
    const diag_conn_result *cr = g_ptr_array_index(r->conns, 0);
    assert_int_equal(cr->stage, DIAG_STAGE_TLS);
    assert_int_equal(cr->outcome, DIAG_OUTCOME_REJECTED);
    diag_result_free(r);

    /* TLS 1.3: the MPS asked for AMT's certificate (hidden) and refused
     * AMT's answer, which the capture does not show: likely, naming the
     * key log; with AMT's Certificate seen empty, certain */
    c = tunnel(NULL, 0);
    c.tls.handshake_complete = 0;
    c.tls.cert_request_hidden = 1;
    c.tls.client_cert = DIAG_CERT_HIDDEN;
    a = (diag_alert){.from = DIAG_CIRA_MPS, .level = 2, .desc = 116, .frame = 9};
    c.tls.alerts = &a;
    c.tls.n_alerts = 1;
    c.first_fin_from = -1;
    r = diag_run(&c, 1, NULL, 0, NULL);
    f = only(r, "cira-amt-cert-rejected");
    assert_int_equal(f->confidence, DIAG_LIKELY);
    assert_non_null(strstr(f->evidence, "key log"));
    assert_non_null(strstr(f->evidence, "certificate_required"));
    diag_result_free(r);
    c.tls.client_cert = DIAG_CERT_EMPTY;
    c.tls.client_cert_frame = 7;
    r = diag_run(&c, 1, NULL, 0, NULL);
    assert_int_equal(only(r, "cira-amt-cert-missing")->confidence, DIAG_CERTAIN);
    diag_result_free(r);

    /* the MPS's handshake_failure before a ServerHello: likely a cipher */
    c = tunnel(NULL, 0);
    c.tls.server_hello = c.tls.handshake_complete = 0;
    a = (diag_alert){.from = DIAG_CIRA_MPS, .level = 2, .desc = 40, .frame = 5};
    c.tls.alerts = &a;
    c.tls.n_alerts = 1;
    r = diag_run(&c, 1, NULL, 0, NULL);
    assert_int_equal(only(r, "cira-tls-cipher-refused")->confidence, DIAG_LIKELY);
    diag_result_free(r);
}

static void channels_and_login(void **state)
{
    (void)state;
    diag_cira_facts f;
    diag_cira_init(&f);
    msg m = start(APF_USERAUTH_REQUEST);
    str(&m, "cira-amt7");
    str(&m, "pfwd@amt.intel.com");
    str(&m, "password");
    u8(&m, 0);
    str(&m, "Secr3t!");
    add(&f, 5, 0, DIAG_CIRA_AMT, &m);
    assert_string_equal(f.user, "cira-amt7");
    assert_null(memmem(&f, sizeof f, "Secr3t!", 7));
    m = start(APF_USERAUTH_SUCCESS);
    add(&f, 6, 0, DIAG_CIRA_MPS, &m);
    /* two channels from the MPS, numbers 4 and 5; AMT refuses 5 only */
    for (uint32_t ch = 4; ch <= 5; ch++) {
        m = channel_open(ch, "amt.example.com", ch == 4 ? 16992 : 5900);
        add(&f, 10 + ch, 0, DIAG_CIRA_MPS, &m);
    }
    m = channel_refuse(5, 1);
    add(&f, 20, 0, DIAG_CIRA_AMT, &m);
    m = channel_confirm(4, 1);
    add(&f, 21, 0, DIAG_CIRA_AMT, &m);
    assert_int_equal(f.n_channels, 2);
    assert_true(f.channels[0].confirmed);
    assert_false(f.channels[1].confirmed);
    assert_int_equal(f.channels[1].reason, 1);
    char line[512];
    diag_cira_summary(&f, line, sizeof line);
    assert_string_equal(line, "MPS user \"cira-amt7\" logged in; channel to 16992 confirmed; "
                              "channel to 5900 refused (ADMINISTRATIVELY_PROHIBITED)");
    diag_conn_facts c = tunnel(&f, 1000000);
    c.first_fin_from = DIAG_CIRA_MPS;
    diag_result *r = diag_run(&c, 1, NULL, 0, NULL);
    const diag_finding *d = only(r, "cira-channel-open-refused");
    assert_non_null(strstr(d->evidence, "port 5900"));
    diag_result_free(r);
    /* a login refused */
    m = start(APF_USERAUTH_FAILURE);
    str(&m, "password");
    u8(&m, 0);
    u8(&m, 0);
    diag_cira_init(&f);
    add(&f, 30, 0, DIAG_CIRA_MPS, &m);
    c = tunnel(&f, 1000000);
    r = diag_run(&c, 1, NULL, 0, NULL);
    only(r, "cira-login-rejected");
    diag_result_free(r);
}

/* The logins of the channels to AMT's 16992 are AMT's: judged by the
 * login rules with AMT (the tunnel's client) as the server; a Digest
 * answered 401 again is refused, a 401 then 200 is a login that worked. */
static void logins_in_channels(void **state)
{
    (void)state;
    diag_cira_facts f;
    diag_cira_init(&f);
    msg m = start(APF_USERAUTH_SUCCESS);
    add(&f, 6, 0, DIAG_CIRA_MPS, &m);
    static const char ch[] = "Digest realm=\"Digest:A\", nonce=\"n1\", qop=\"auth\"";
    static const char cr[] =
        "Digest username=\"admin\", realm=\"Digest:A\", nonce=\"n1\", uri=\"/wsman\", "
        "response=\"0123456789abcdef0123456789abcdef\", qop=auth, nc=00000001, cnonce=\"c\"";
    diag_exchange ex[4];
    memset(ex, 0, sizeof ex);
    for (int k = 0; k < 4; k++) {
        ex[k].req_frame = 40 + 2 * (uint64_t)k;
        ex[k].resp_frame = 41 + 2 * (uint64_t)k;
        ex[k].method = "POST";
        ex[k].uri = "/wsman";
        ex[k].status = k == 2 ? 200 : 401;
        ex[k].www_authenticate = k == 2 ? NULL : ch;
        ex[k].authorization = k >= 2 ? cr : NULL;
    }
    diag_conn_facts c = tunnel(&f, 1000000);
    c.is_http = 1;
    c.ex = ex;
    c.n_ex = 3; /* 401, 401, 200 */
    diag_result *r = diag_run(&c, 1, NULL, 0, NULL);
    const diag_conn_result *cr0 = g_ptr_array_index(r->conns, 0);
    assert_int_equal(cr0->stage, DIAG_STAGE_CIRA);
    assert_int_equal(cr0->outcome, DIAG_OUTCOME_OK);
    assert_int_equal(cr0->findings->len, 0);
    diag_result_free(r);
    c.n_ex = 4; /* and a Digest answered 401 */
    r = diag_run(&c, 1, NULL, 0, NULL);
    const diag_finding *d = only(r, "digest-login-rejected");
    assert_int_equal(d->frames[0], 46);
    cr0 = g_ptr_array_index(r->conns, 0);
    assert_int_equal(cr0->outcome, DIAG_OUTCOME_REJECTED);
    diag_result_free(r);
}

/* A tunnel where AMT logged in and the MPS opened channel 4 to port
 * (AMT's number 1), and the console's ClientHello and AMT's ServerHello
 * through it. */
static void hello_channel(diag_cira_facts *f, uint32_t port)
{
    diag_cira_init(f);
    msg m = start(APF_USERAUTH_SUCCESS);
    add(f, 6, 0, DIAG_CIRA_MPS, &m);
    m = channel_open(4, "amt.example.com", port);
    add(f, 10, 0, DIAG_CIRA_MPS, &m);
    m = channel_confirm(4, 1);
    add(f, 11, 0, DIAG_CIRA_AMT, &m);
    diag_cira_chan_handshake(f, 1, DIAG_CIRA_MPS, 12, 1, 0);
    diag_cira_chan_handshake(f, 1, DIAG_CIRA_AMT, 13, 2, 0);
}

/* The same to 16993 with the MPS's data counted, then AMT's
 * CertificateRequest and the console's Certificate (certs of them). */
static void tls_channel(diag_cira_facts *f, unsigned certs)
{
    hello_channel(f, 16993);
    msg m = channel_data(1, "hello"); /* the MPS names AMT's number */
    add(f, 12, 0, DIAG_CIRA_MPS, &m);
    diag_cira_chan_handshake(f, 1, DIAG_CIRA_AMT, 13, 13, 0);
    diag_cira_chan_handshake(f, 1, DIAG_CIRA_MPS, 14, 11, certs);
}

static const diag_finding *judge(diag_cira_facts *f, int in_progress, diag_result **r)
{
    diag_conn_facts c = tunnel(f, 1000000);
    diag_inputs in = {.in_progress = in_progress};
    *r = diag_run(&c, 1, NULL, 0, &in);
    const diag_conn_result *cr = g_ptr_array_index((*r)->conns, 0);
    return cr->findings->len ? only(*r, "cira-channel-tls-refused") : NULL;
}

static void tls_in_channels(void **state)
{
    (void)state;
    diag_cira_facts f;
    diag_result *r;
    /* AMT asks for a certificate, the console has none, AMT alerts */
    tls_channel(&f, 0);
    assert_int_equal(f.channels[0].data[DIAG_CIRA_MPS], 5);
    diag_cira_chan_alert(&f, 1, DIAG_CIRA_AMT, 15, 0); /* close_notify: not a refusal */
    assert_int_equal(f.channels[0].tls.alert_from, -1);
    diag_cira_chan_alert(&f, 1, DIAG_CIRA_AMT, 15, 40);
    /* while the capture goes on, only once the channel closed */
    assert_null(judge(&f, 1, &r));
    diag_result_free(r);
    char line[512];
    diag_cira_summary(&f, line, sizeof line);
    assert_non_null(
        strstr(line, "channel to 16993 confirmed, its TLS ended by AMT's handshake_failure alert"));
    msg m = channel_close(1); /* from the MPS, to AMT's number */
    add(&f, 16, 0, DIAG_CIRA_MPS, &m);
    assert_int_equal(f.channels[0].close_frame, 16);
    const diag_finding *d = judge(&f, 1, &r);
    assert_non_null(d);
    assert_int_equal(d->confidence, DIAG_CERTAIN);
    assert_non_null(strstr(d->evidence, "channel 1 of the tunnel (to AMT's port 16993)"));
    assert_non_null(strstr(d->evidence, "Certificate held none"));
    assert_non_null(strstr(d->evidence, "AMT sent handshake_failure"));
    assert_int_equal(d->n_frames, 5);
    assert_int_equal(d->frames[4], 16);
    const diag_conn_result *cr = g_ptr_array_index(r->conns, 0);
    assert_int_equal(cr->outcome, DIAG_OUTCOME_REJECTED);
    diag_result_free(r);
    /* at the end of a capture, an alert settles it without the close */
    tls_channel(&f, 1);
    diag_cira_chan_alert(&f, 1, DIAG_CIRA_AMT, 15, 42);
    d = judge(&f, 0, &r);
    assert_non_null(strstr(d->evidence, "refused the one it showed"));
    diag_result_free(r);
    /* AMT's application data before the alert: the handshake worked */
    tls_channel(&f, 1);
    diag_cira_chan_app_data(&f, 1, DIAG_CIRA_MPS, 15);
    diag_cira_chan_app_data(&f, 1, DIAG_CIRA_AMT, 16);
    diag_cira_chan_alert(&f, 1, DIAG_CIRA_AMT, 17, 20);
    assert_null(judge(&f, 0, &r));
    diag_result_free(r);
    /* the console refuses AMT's certificate */
    hello_channel(&f, 16995);
    diag_cira_chan_alert(&f, 1, DIAG_CIRA_MPS, 14, 48);
    m = channel_close(4); /* from AMT, to the MPS's number */
    add(&f, 15, 0, DIAG_CIRA_AMT, &m);
    d = judge(&f, 1, &r);
    assert_int_equal(d->confidence, DIAG_CERTAIN);
    assert_non_null(strstr(d->evidence, "the console refused AMT's certificate"));
    assert_non_null(strstr(d->evidence, "port 16995"));
    diag_result_free(r);
    /* TLS 1.3 without the session's keys: nothing after AMT's ServerHello;
     * no refusal is claimed, and what is missing is said */
    hello_channel(&f, 16993);
    diag_conn_facts c = tunnel(&f, 1000000);
    diag_inputs in = {.in_progress = 0};
    r = diag_run(&c, 1, NULL, 0, &in);
    d = only(r, "tls-not-decrypted");
    assert_non_null(strstr(d->evidence, "not followed past AMT's ServerHello"));
    assert_int_equal(((const diag_conn_result *)g_ptr_array_index(r->conns, 0))->outcome,
                     DIAG_OUTCOME_OK);
    diag_result_free(r);
    /* in TLS 1.2 (or decrypted) AMT's Certificate follows: nothing to say */
    diag_cira_chan_handshake(&f, 1, DIAG_CIRA_AMT, 13, 11, 1);
    r = diag_run(&c, 1, NULL, 0, &in);
    assert_int_equal(((const diag_conn_result *)g_ptr_array_index(r->conns, 0))->findings->len, 0);
    diag_result_free(r);
    /* a channel the facts do not keep is ignored */
    diag_cira_chan_alert(&f, 7, DIAG_CIRA_AMT, 20, 40);
    diag_cira_chan_alert(NULL, 1, DIAG_CIRA_AMT, 20, 40);
}

/* The console rules do not judge a tunnel: a reset to AMT's SYN on 4433
 * is the MPS refusing AMT, not a closed AMT port. */
static void console_rules_keep_out(void **state)
{
    (void)state;
    diag_conn_facts c = tunnel(NULL, 0);
    c.synack = 0;
    c.is_tls = 0;
    c.tls = (diag_tls_facts){0};
    c.bytes[0] = c.bytes[1] = 0;
    c.first_fin_from = -1;
    c.rst_from = DIAG_CIRA_MPS;
    c.rst_frame = 2;
    diag_result *r = diag_run(&c, 1, NULL, 0, NULL);
    only(r, "cira-tcp-refused");
    diag_result_free(r);
    /* the same on 16993 is the console rules' port-closed */
    c.server_port = AMT_PORT_TLS;
    c.server = "198.51.100.7:16993";
    r = diag_run(&c, 1, NULL, 0, NULL);
    only(r, "port-closed");
    diag_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keepalive_confidence),   cmocka_unit_test(tcp_and_tls),
        cmocka_unit_test(channels_and_login),     cmocka_unit_test(logins_in_channels),
        cmocka_unit_test(console_rules_keep_out), cmocka_unit_test(tls_in_channels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
