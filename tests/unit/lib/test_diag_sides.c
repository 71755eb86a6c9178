/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who ended a connection, and the causes that follow from it: a refusal is
 * only ever blamed on the side that ended the connection; and the inputs
 * that settle a verdict worded for the tool that asks. Facts built by
 * hand around the certificates of samples/mtls-ok (AMT's names
 * amt-pc17.vpro.example.com; the console's console01.it.example.com, with
 * both EKUs; one root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "amtdiag/diag.h"

/* TLS handshake types */
enum { CH = 1, SH = 2, CERT = 11, SKE = 12, CR = 13, SHD = 14, CV = 15, CKE = 16, FIN = 20 };

/* Certificates of samples/mtls-ok, loaded once. */
static diag_blob *amt_cert, *console_cert, *root;

static diag_blob *load(const char *name)
{
    char *path = g_build_filename(AMTDIAG_SAMPLES_DIR, "mtls-ok", name, NULL);
    diag_blob *b = NULL;
    char err[256];
    assert_int_equal(diag_load_pem_certs(path, &b, err, sizeof err), 1);
    g_free(path);
    return b;
}

static int setup(void **state)
{
    (void)state;
    amt_cert = load("amt-cert.pem");
    console_cert = load("console-cert.pem");
    root = load("root-ca.pem");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    diag_blobs_free(amt_cert, 1);
    diag_blobs_free(console_cert, 1);
    diag_blobs_free(root, 1);
    return 0;
}

/* One TLS 1.2 connection to 16993 on 2026-03-01 (both certificates valid)
 * with AMT's flight in frame 6: ServerHello, Certificate, (CertificateRequest,)
 * ServerHelloDone. Further messages are added by the tests. */
typedef struct conn {
    diag_conn_facts f;
    diag_hs_msg hs[16];
    diag_alert alerts[2];
    diag_gap gaps[1];
} conn;

static void hs(conn *c, int from, int type, uint64_t frame)
{
    assert_true(c->f.tls.n_hs < G_N_ELEMENTS(c->hs));
    c->hs[c->f.tls.n_hs++] = (diag_hs_msg){from, type, frame};
}

static void alert(conn *c, int from, int desc, uint64_t frame)
{
    const diag_hs_msg *last = c->f.tls.n_hs ? &c->hs[c->f.tls.n_hs - 1] : NULL;
    c->alerts[c->f.tls.n_alerts++] =
        (diag_alert){from, 2, desc, frame, last ? last->from : -1, last ? last->type : -1, 0};
}

static void tls12(conn *c, int cert_request)
{
    memset(c, 0, sizeof *c);
    diag_conn_facts *f = &c->f;
    f->client = "192.0.2.10:50000";
    f->server = "192.0.2.20:16993";
    f->family = 4;
    memcpy(f->client_addr, (uint8_t[]){192, 0, 2, 10}, 4);
    memcpy(f->server_addr, (uint8_t[]){192, 0, 2, 20}, 4);
    f->client_port = 50000;
    f->server_port = 16993;
    f->first_ts_us = 1772323200LL * 1000000; /* 2026-03-01 */
    f->first_frame = 1;
    f->syns = 1;
    f->syn_frame = 1;
    f->synack = 1;
    f->synack_frame = 2;
    f->rst_from = f->first_fin_from = -1;
    f->bytes[0] = f->bytes[1] = 1000;
    f->is_tls = 1;
    diag_tls_facts *t = &f->tls;
    t->client_hello = 1;
    t->client_hello_frame = 4;
    t->offered_min = t->offered_max = 0x0303;
    t->server_hello = 1;
    t->server_hello_frame = 6;
    t->version = 0x0303;
    t->amt_reneg = 1;
    t->server_certs = amt_cert;
    t->n_server_certs = 1;
    t->server_cert = DIAG_CERT_SENT;
    t->server_cert_frame = 6;
    t->hs = c->hs;
    t->alerts = c->alerts;
    hs(c, DIAG_CONSOLE, CH, 4);
    hs(c, DIAG_AMT, SH, 6);
    hs(c, DIAG_AMT, CERT, 6);
    if (cert_request) {
        hs(c, DIAG_AMT, CR, 6);
        t->cert_request = 1;
        t->cert_request_frame = 6;
    }
    hs(c, DIAG_AMT, SHD, 6);
}

/* The console's certificate, key exchange and Finished in frame 8, AMT's
 * Finished in frame 10: the handshake completed. */
static void complete(conn *c)
{
    diag_tls_facts *t = &c->f.tls;
    if (t->cert_request) {
        hs(c, DIAG_CONSOLE, CERT, 8);
        t->client_cert = DIAG_CERT_SENT;
        t->client_certs = console_cert;
        t->n_client_certs = 1;
        t->client_cert_frame = 8;
    }
    hs(c, DIAG_CONSOLE, CKE, 8);
    if (t->cert_request)
        hs(c, DIAG_CONSOLE, CV, 8);
    hs(c, DIAG_CONSOLE, FIN, 8);
    hs(c, DIAG_AMT, FIN, 10);
    t->handshake_complete = 1;
    t->handshake_done_frame = 10;
}

static void fin(conn *c, int from, uint64_t frame)
{
    c->f.first_fin_from = from;
    c->f.first_fin_frame = frame;
    c->f.last_frame = frame + 1;
}

/* The tokens of connection 0's findings that are not info, "a,b". */
static char *tokens(const diag_result *r)
{
    GString *s = g_string_new(NULL);
    const diag_conn_result *cr = g_ptr_array_index(r->conns, 0);
    for (guint k = 0; k < cr->findings->len; k++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, k);
        if (f->cause->severity != DIAG_INFO)
            g_string_append_printf(s, "%s%s", s->len ? "," : "", f->cause->token);
    }
    return g_string_free(s, FALSE);
}

static const diag_finding *finding(const diag_result *r, diag_cause_id id)
{
    const diag_conn_result *cr = g_ptr_array_index(r->conns, 0);
    for (guint k = 0; k < cr->findings->len; k++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, k);
        if (f->cause->id == id)
            return f;
    }
    fail_msg("no %s finding", diag_cause_get(id)->token);
    return NULL;
}

static diag_result *judge(conn *c, const diag_inputs *in, const char *want)
{
    diag_result *r = diag_run(&c->f, 1, NULL, 0, in);
    char *got = tokens(r);
    if (strcmp(got, want) != 0)
        fail_msg("causes \"%s\", expected \"%s\"", got, want);
    g_free(got);
    return r;
}

static const diag_conn_result *result(const diag_result *r)
{
    return g_ptr_array_index(r->conns, 0);
}

/* Who ended it: the first alert, FIN or RST; at one frame the alert. */
static void test_who_ended(void **state)
{
    (void)state;
    conn c;
    tls12(&c, 0);
    alert(&c, DIAG_CONSOLE, 42, 7);
    fin(&c, DIAG_CONSOLE, 7);
    diag_result *r = diag_run(&c.f, 1, NULL, 0, NULL);
    const diag_end *e = &result(r)->end;
    assert_int_equal(e->by, DIAG_CONSOLE);
    assert_int_equal(e->how, DIAG_END_ALERT);
    assert_int_equal(e->frame, 7);
    assert_int_equal(e->after_from, DIAG_AMT);
    assert_int_equal(e->after_step, SHD);
    assert_string_equal(diag_step_name(e->after_step), "ServerHelloDone");
    diag_result_free(r);

    /* AMT's reset before any alert */
    tls12(&c, 0);
    c.f.rst_from = DIAG_AMT;
    c.f.rst_frame = 7;
    fin(&c, DIAG_CONSOLE, 9);
    r = diag_run(&c.f, 1, NULL, 0, NULL);
    assert_int_equal(result(r)->end.by, DIAG_AMT);
    assert_int_equal(result(r)->end.how, DIAG_END_RST);
    diag_result_free(r);

    /* a SYN answered by a reset; a SYN never answered */
    tls12(&c, 0);
    c.f.is_tls = 0;
    c.f.synack = 0;
    c.f.synack_frame = 0;
    c.f.tls.n_hs = 0;
    c.f.bytes[0] = c.f.bytes[1] = 0;
    c.f.rst_from = DIAG_AMT;
    c.f.rst_frame = 2;
    r = diag_run(&c.f, 1, NULL, 0, NULL);
    assert_int_equal(result(r)->end.by, DIAG_AMT);
    assert_int_equal(result(r)->end.after_step, DIAG_STEP_SYN);
    diag_result_free(r);
    c.f.rst_from = -1;
    c.f.rst_frame = 0;
    r = diag_run(&c.f, 1, NULL, 0, NULL);
    assert_int_equal(result(r)->end.by, -1);
    assert_int_equal(result(r)->end.how, DIAG_END_OPEN);
    diag_result_free(r);
}

/* The seed thread's second problem: mutual authentication completes (AMT
 * sent its Finished, so it accepted the console certificate), and the
 * console, which connected by IP address, closes without a request. */
static void test_console_closes_after_finished(void **state)
{
    (void)state;
    conn c;
    tls12(&c, 1);
    complete(&c);
    fin(&c, DIAG_CONSOLE, 11);
    diag_result *r = judge(&c, NULL, "server-name-mismatch");
    const diag_finding *f = finding(r, DIAG_C_SERVER_NAME_MISMATCH);
    assert_int_equal(f->confidence, DIAG_LIKELY); /* no SNI: by IP, most likely */
    assert_non_null(strstr(f->evidence, "192.0.2.20"));
    assert_non_null(strstr(f->evidence, "amt-pc17.vpro.example.com"));
    assert_int_equal(result(r)->end.by, DIAG_CONSOLE);
    assert_int_equal(result(r)->end.after_step, FIN);
    assert_int_equal(result(r)->end.after_from, DIAG_AMT);
    diag_result_free(r);

    /* By its name (SNI) the certificate fits: then the issuer is the
     * likely reason, settled by --ca either way. */
    c.f.tls.sni = "amt-pc17.vpro.example.com";
    r = judge(&c, NULL, "server-cert-untrusted");
    assert_int_equal(finding(r, DIAG_C_SERVER_CERT_UNTRUSTED)->confidence, DIAG_LIKELY);
    diag_result_free(r);
    diag_inputs in = {.console_roots = root, .n_console_roots = 1};
    r = judge(&c, &in, "undiagnosed");
    diag_result_free(r);
    diag_inputs other = {.console_roots = console_cert, .n_console_roots = 1};
    r = judge(&c, &other, "server-cert-untrusted");
    assert_int_equal(finding(r, DIAG_C_SERVER_CERT_UNTRUSTED)->confidence, DIAG_CERTAIN);
    diag_result_free(r);

    /* When the console sent its request and AMT closed unanswered, AMT
     * refused: never the console. */
    tls12(&c, 0);
    complete(&c);
    c.f.tls.app_records[DIAG_CONSOLE] = 1;
    c.f.tls.app_first_frame[DIAG_CONSOLE] = 12;
    fin(&c, DIAG_AMT, 13);
    r = judge(&c, NULL, "amt-closed-without-answer");
    diag_result_free(r);
}

/* The console's alerts: its certificate checks, and its own policy. */
static void test_console_alerts(void **state)
{
    (void)state;
    conn c;
    /* unknown_ca names the issuer; by IP the name is wrong as well */
    tls12(&c, 0);
    alert(&c, DIAG_CONSOLE, 48, 7);
    fin(&c, DIAG_CONSOLE, 7);
    diag_result *r = judge(&c, NULL, "server-name-mismatch,server-cert-untrusted");
    assert_int_equal(finding(r, DIAG_C_SERVER_CERT_UNTRUSTED)->confidence, DIAG_CERTAIN);
    diag_result_free(r);

    /* certificate_expired at a time the certificate is expired */
    tls12(&c, 0);
    c.f.tls.sni = "amt-pc17.vpro.example.com";
    c.f.first_ts_us = 1835481600LL * 1000000; /* 2028-03-01 */
    alert(&c, DIAG_CONSOLE, 45, 7);
    fin(&c, DIAG_CONSOLE, 7);
    r = judge(&c, NULL, "server-cert-expired");
    assert_non_null(strstr(finding(r, DIAG_C_SERVER_CERT_EXPIRED)->evidence, "expired"));
    diag_result_free(r);

    /* TLS 1.3, decrypted: the console's bad_certificate comes after AMT's
     * Finished, before its own certificate */
    tls12(&c, 0);
    c.f.tls.version = 0x0304;
    c.f.tls.decrypted = 1;
    c.f.tls.sni = "amt-pc17";
    c.f.tls.n_hs = 2;
    hs(&c, DIAG_AMT, 8, 6);
    hs(&c, DIAG_AMT, CERT, 6);
    hs(&c, DIAG_AMT, CV, 6);
    hs(&c, DIAG_AMT, FIN, 6);
    alert(&c, DIAG_CONSOLE, 42, 8);
    fin(&c, DIAG_CONSOLE, 8);
    r = judge(&c, NULL, "server-name-mismatch");
    assert_int_equal(finding(r, DIAG_C_SERVER_NAME_MISMATCH)->confidence, DIAG_CERTAIN);
    diag_result_free(r);

    /* the console refuses the version AMT chose */
    tls12(&c, 0);
    c.f.tls.version = 0x0301;
    c.f.tls.suite_name = "TLS_RSA_WITH_AES_128_CBC_SHA";
    alert(&c, DIAG_CONSOLE, 70, 7);
    fin(&c, DIAG_CONSOLE, 7);
    r = judge(&c, NULL, "tls-version-mismatch");
    assert_non_null(strstr(finding(r, DIAG_C_TLS_VERSION_MISMATCH)->evidence, "console refused"));
    diag_result_free(r);
}

/* AMT rejects and five checks pass: the sixth is the cause by elimination;
 * for validity, AMT's clock is out in either direction. */
static void test_elimination(void **state)
{
    (void)state;
    conn c;
    tls12(&c, 1);
    complete(&c);
    c.f.tls.handshake_complete = 0;
    c.f.tls.n_hs--; /* no Finished from AMT: it refused */
    alert(&c, DIAG_AMT, 42, 9);
    fin(&c, DIAG_AMT, 9);
    const char *fqdn[] = {"it.example.com"};
    diag_host host = {4, {192, 0, 2, 10}, "console01.it.example.com"};
    diag_inputs in = {.trusted_fqdn = fqdn,
                      .n_trusted_fqdn = 1,
                      .hosts = &host,
                      .n_hosts = 1,
                      .trusted_roots = root,
                      .n_trusted_roots = 1};
    diag_result *r = judge(&c, &in, "amt-clock-wrong");
    const diag_finding *f = finding(r, DIAG_C_AMT_CLOCK_WRONG);
    assert_int_equal(f->confidence, DIAG_BY_ELIMINATION);
    /* valid 2025-06-01 to 2027-06-01, capture 2026-03-01: nearer notBefore */
    const char *before = strstr(f->evidence, "before 2025-06-01");
    const char *after = strstr(f->evidence, "after 2027-06-01");
    assert_non_null(before);
    assert_non_null(after);
    assert_true(before < after);
    assert_int_equal(result(r)->outcome, DIAG_OUTCOME_REJECTED);
    diag_result_free(r);

    /* without --trusted-fqdn two checks are open: ranked candidates */
    in.n_trusted_fqdn = 0;
    r = judge(&c, &in, "client-cert-rejected");
    assert_non_null(strstr(result(r)->candidates, "amt-clock-wrong"));
    assert_non_null(strstr(result(r)->candidates, "client-cert-fqdn-not-trusted"));
    assert_null(strstr(result(r)->candidates, "not-yet-valid"));
    diag_result_free(r);

    /* with the clock known and right, the FQDN list is the one left */
    in.n_trusted_fqdn = 0;
    in.has_clock_offset = 1;
    r = judge(&c, &in, "client-cert-fqdn-not-trusted");
    assert_int_equal(finding(r, DIAG_C_CLIENT_CERT_FQDN_NOT_TRUSTED)->confidence,
                     DIAG_BY_ELIMINATION);
    diag_result_free(r);
}

/* A hole in the capture under the console's Certificate: the check is
 * UNKNOWN, and nothing is derived from the missing message. */
static void test_gap_under_certificate(void **state)
{
    (void)state;
    conn c;
    tls12(&c, 1);
    c.gaps[0] = (diag_gap){DIAG_CONSOLE, 7, 9, 0};
    c.f.gaps = c.gaps;
    c.f.n_gaps = 1;
    c.f.gap = 1;
    alert(&c, DIAG_AMT, 116, 10);
    fin(&c, DIAG_AMT, 10);
    diag_result *r = judge(&c, NULL, "undiagnosed");
    const diag_check *ck = &result(r)->checklist[DIAG_RULE_PRESENTED];
    assert_int_equal(ck->status, DIAG_UNKNOWN);
    assert_non_null(strstr(ck->evidence, "capture gap at frames 7–9"));
    assert_non_null(strstr(finding(r, DIAG_C_UNDIAGNOSED)->evidence, "capture gap at frames 7–9"));
    diag_result_free(r);

    /* the same without the gap: the console sent no certificate */
    c.f.n_gaps = 0;
    c.f.gap = 0;
    r = judge(&c, NULL, "client-cert-missing");
    diag_result_free(r);
}

/* Plain HTTP where TLS was due, seen from both ports. */
static void test_protocol_confusion(void **state)
{
    (void)state;
    /* the console's first bytes to 16993 are an HTTP request */
    conn c;
    tls12(&c, 0);
    c.f.tls = (diag_tls_facts){0};
    static const uint8_t head[] = "POST /wsman HTTP/1.1";
    c.f.console_head = head;
    c.f.n_console_head = 16;
    c.f.console_head_frame = 4;
    fin(&c, DIAG_AMT, 5);
    diag_result *r = judge(&c, NULL, "plain-http-to-tls-port");
    assert_non_null(strstr(finding(r, DIAG_C_PLAIN_HTTP_TO_TLS_PORT)->evidence, "POST /wsman"));
    diag_result_free(r);

    /* a request to 16992 closed unanswered: TLS-only, likely alone ... */
    conn h;
    tls12(&h, 0);
    h.f.is_tls = 0;
    h.f.tls = (diag_tls_facts){0};
    h.f.server_port = 16992;
    h.f.server = "192.0.2.20:16992";
    h.f.console_head = head;
    h.f.n_console_head = 16;
    h.f.console_head_frame = 4;
    h.f.bytes[DIAG_AMT] = 0;
    fin(&h, DIAG_AMT, 5);
    r = judge(&h, NULL, "plain-http-refused-tls-only");
    assert_int_equal(finding(r, DIAG_C_PLAIN_HTTP_REFUSED_TLS_ONLY)->confidence, DIAG_LIKELY);
    diag_result_free(r);

    /* ... certain with a TLS connection to the same AMT beside it */
    diag_conn_facts both[2] = {h.f, c.f};
    both[1].id = 1;
    r = diag_run(both, 2, NULL, 0, NULL);
    const diag_conn_result *cr = g_ptr_array_index(r->conns, 0);
    assert_int_equal(cr->findings->len, 1);
    const diag_finding *f = g_ptr_array_index(cr->findings, 0);
    assert_int_equal(f->cause->id, DIAG_C_PLAIN_HTTP_REFUSED_TLS_ONLY);
    assert_int_equal(f->confidence, DIAG_CERTAIN);
    diag_result_free(r);
}

/* No silent failure: a connection that did not work gets a finding, and
 * the result counts it as not working. */
static void test_no_silent_failure(void **state)
{
    (void)state;
    conn c;
    tls12(&c, 0);
    c.f.tls = (diag_tls_facts){0};
    c.f.is_tls = 0;
    c.f.bytes[0] = c.f.bytes[1] = 0;
    fin(&c, DIAG_CONSOLE, 3); /* connected, then gave up without a byte */
    diag_result *r = judge(&c, NULL, "undiagnosed");
    assert_non_null(strstr(finding(r, DIAG_C_UNDIAGNOSED)->evidence, "the console ended it"));
    assert_int_equal(r->n_not_ok, 1);
    diag_result_free(r);

    /* while a capture goes on, an ended connection is concluded ... */
    diag_inputs live = {.in_progress = 1};
    r = judge(&c, &live, "undiagnosed");
    diag_result_free(r);
    /* ... one still open is not */
    c.f.first_fin_from = -1;
    c.f.first_fin_frame = 0;
    r = judge(&c, &live, "");
    diag_result_free(r);
}

/* Whether text names an amtdiag option ("--" then a letter). */
static int names_option(const char *text)
{
    for (const char *p = text ? strstr(text, "--") : NULL; p; p = strstr(p + 2, "--"))
        if (g_ascii_isalpha(p[2]))
            return 1;
    return 0;
}

/* Every text of connection 0's result that may ask for an input, joined. */
static char *hint_texts(const diag_result *r)
{
    const diag_conn_result *cr = result(r);
    GString *s = g_string_new(NULL);
    for (guint k = 0; k < cr->findings->len; k++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, k);
        g_string_append_printf(s, "%s\n", f->evidence);
    }
    for (int i = 0; cr->has_checklist && i < DIAG_N_RULES; i++)
        g_string_append_printf(s, "%s\n%s\n", cr->checklist[i].evidence,
                               cr->checklist[i].settle ? cr->checklist[i].settle : "");
    g_string_append_printf(s, "%s\n%s\n", cr->candidates ? cr->candidates : "",
                           cr->visibility ? cr->visibility : "");
    return g_string_free(s, FALSE);
}

/* The same rules word the settling inputs for the tool that asks:
 * amtdiag's options by default, the plugin's preferences with
 * diag_words_wireshark, and never the other tool's names. */
static void test_vocabulary(void **state)
{
    (void)state;
    conn c;
    tls12(&c, 1);
    complete(&c);
    c.f.tls.handshake_complete = 0;
    c.f.tls.n_hs--; /* AMT refused the console's certificate */
    alert(&c, DIAG_AMT, 42, 9);
    fin(&c, DIAG_AMT, 9);
    diag_inputs in = {0};
    diag_result *r = judge(&c, &in, "client-cert-rejected");
    char *t = hint_texts(r);
    assert_non_null(strstr(t, "--amt-clock-offset"));
    assert_non_null(strstr(t, "--hosts FILE"));
    assert_non_null(strstr(t, "--trusted-fqdn SUFFIX"));
    assert_null(strstr(t, "iamt."));
    g_free(t);
    diag_result_free(r);

    in.words = &diag_words_wireshark;
    r = judge(&c, &in, "client-cert-rejected");
    t = hint_texts(r);
    assert_non_null(strstr(t, "iamt.amt_clock_offset"));
    assert_non_null(strstr(t, "iamt.hosts_file (/etc/hosts syntax)"));
    assert_non_null(strstr(t, "iamt.trusted_fqdn"));
    if (names_option(t))
        fail_msg("an amtdiag option in Wireshark's words: %s", t);
    g_free(t);
    diag_result_free(r);

    /* encrypted and not decrypted: the key log and the RSA key */
    conn e;
    tls12(&e, 0);
    complete(&e);
    e.f.tls.app_records[DIAG_CONSOLE] = e.f.tls.app_records[DIAG_AMT] = 3;
    fin(&e, DIAG_AMT, 20);
    r = diag_run(&e.f, 1, NULL, 0, &in);
    assert_non_null(result(r)->visibility);
    assert_non_null(strstr(result(r)->visibility, "tls.keylog_file"));
    assert_non_null(strstr(result(r)->visibility, "uat:rsa_keys"));
    assert_false(names_option(result(r)->visibility));
    diag_result_free(r);
    in.words = NULL;
    r = diag_run(&e.f, 1, NULL, 0, &in);
    assert_non_null(strstr(result(r)->visibility, "(--keylog)"));
    diag_result_free(r);

    /* the login: the user's password, and the remedy */
    http_auth cr;
    const char *hdr = "Digest username=\"admin\", realm=\"Digest:A\", nonce=\"n\", "
                      "uri=\"/wsman\", response=\"00000000000000000000000000000000\"";
    assert_int_equal(http_auth_parse_credentials(hdr, strlen(hdr), &cr), 0);
    GString *why = g_string_new(NULL);
    in.words = &diag_words_wireshark;
    assert_int_equal(diag_digest_verdict_in(&cr, NULL, "POST", NULL, &in, why),
                     DIAG_C_DIGEST_LOGIN_REJECTED);
    assert_non_null(strstr(why->str, "an entry for admin in the iamt.passwords table"));
    assert_false(names_option(why->str));
    const diag_cause *rej = diag_cause_get(DIAG_C_DIGEST_LOGIN_REJECTED);
    assert_non_null(strstr(diag_cause_remedy(rej, &in), "iamt.passwords"));
    assert_false(names_option(diag_cause_remedy(rej, &in)));
    assert_string_equal(diag_cause_remedy(rej, NULL), rej->remedy);
    g_string_truncate(why, 0);
    in.words = NULL;
    diag_digest_verdict_in(&cr, NULL, "POST", NULL, &in, why);
    assert_non_null(strstr(why->str, "--password admin:PASSWORD"));
    g_string_free(why, TRUE);

    /* every cause's explanation and remedy in Wireshark's words name no
     * option (the phrases of the table that do are reworded), and in
     * amtdiag's they are the table's own */
    in.words = &diag_words_wireshark;
    for (int i = 0; i < DIAG_N_CAUSES; i++) {
        const diag_cause *dc = diag_cause_get((diag_cause_id)i);
        const char *ex = diag_cause_explanation(dc, &in), *m = diag_cause_remedy(dc, &in);
        if (names_option(ex) || names_option(m))
            fail_msg("%s names an amtdiag option in Wireshark's words: %s / %s", dc->token, ex, m);
        assert_ptr_equal(diag_cause_explanation(dc, &in), ex); /* made once */
        assert_string_equal(diag_cause_explanation(dc, NULL), dc->explanation);
        assert_string_equal(diag_cause_remedy(dc, NULL), dc->remedy);
    }
    assert_non_null(
        strstr(diag_cause_explanation(diag_cause_get(DIAG_C_CIRA_AMT_CERT_UNTRUSTED), &in),
               "iamt.console_ca"));
    assert_non_null(
        strstr(diag_cause_remedy(diag_cause_get(DIAG_C_NEGOTIATE_REJECTED), &in), "iamt.keytab"));

    /* every input has a name and a usage in both vocabularies */
    for (int i = 0; i < DIAG_N_INPUTS; i++) {
        assert_non_null(diag_words_amtdiag.input[i].name);
        assert_non_null(diag_words_amtdiag.input[i].usage);
        assert_non_null(diag_words_wireshark.input[i].name);
        assert_non_null(diag_words_wireshark.input[i].usage);
        assert_false(names_option(diag_words_wireshark.input[i].usage));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_who_ended),
        cmocka_unit_test(test_console_closes_after_finished),
        cmocka_unit_test(test_console_alerts),
        cmocka_unit_test(test_elimination),
        cmocka_unit_test(test_gap_under_certificate),
        cmocka_unit_test(test_protocol_confusion),
        cmocka_unit_test(test_no_silent_failure),
        cmocka_unit_test(test_vocabulary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
