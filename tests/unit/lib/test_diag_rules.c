/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The diagnosis rules on facts built by hand: the causes no sample
 * exercises (realm and uri mismatch, lock-out, no credentials, Kerberos,
 * DNS pointing elsewhere, HTTP and EOI errors, AMT's clock from a Date
 * header), the cause table against docs/causes.md, and the parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "../../../lib/diag_int.h"
#include "amtdiag/diag.h"
#include "amtdiag/http_auth.h"

#define REALM "Digest:A3829B3827DE4D33D4449B366831FD01"

static diag_conn_facts conn(unsigned id, uint16_t port)
{
    diag_conn_facts c = {0};
    c.id = id;
    c.client = "192.0.2.10:50000";
    c.server = "192.0.2.20:16992";
    c.family = 4;
    memcpy(c.client_addr, (uint8_t[]){192, 0, 2, 10}, 4);
    memcpy(c.server_addr, (uint8_t[]){192, 0, 2, 20}, 4);
    c.client_port = (uint16_t)(50000 + id);
    c.server_port = port;
    c.first_ts_us = 1772000000LL * 1000000 + id * 1000000LL;
    c.syns = 1;
    c.synack = 1;
    c.rst_from = -1;
    c.first_fin_from = DIAG_CONSOLE;
    c.bytes[0] = c.bytes[1] = 100;
    c.is_http = 1;
    return c;
}

/* The tokens of connection i's findings, "a,b" (info ones left out). */
static char *tokens(const diag_result *r, size_t i)
{
    GString *s = g_string_new(NULL);
    const diag_conn_result *cr = g_ptr_array_index(r->conns, i);
    for (guint k = 0; k < cr->findings->len; k++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, k);
        if (f->cause->severity != DIAG_INFO)
            g_string_append_printf(s, "%s%s", s->len ? "," : "", f->cause->token);
    }
    return g_string_free(s, FALSE);
}

static void assert_tokens(const diag_result *r, size_t i, const char *want)
{
    char *got = tokens(r, i);
    assert_string_equal(got, want);
    g_free(got);
}

/* Digest credentials answering a challenge, as a console computes them. */
static char *credentials(const char *user, const char *password, const char *realm,
                         const char *nonce, const char *uri)
{
    char resp[33];
    assert_int_equal(http_digest_response(user, realm, password, "POST", uri, nonce, "00000001",
                                          "0a4f113b", "auth", resp),
                     0);
    return g_strdup_printf("Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
                           "response=\"%s\", qop=auth, nc=00000001, cnonce=\"0a4f113b\"",
                           user, realm, nonce, uri, resp);
}

static char *challenge(const char *nonce, int stale)
{
    return g_strdup_printf("Digest realm=\"%s\", nonce=\"%s\", qop=\"auth\"%s", REALM, nonce,
                           stale ? ", stale=\"true\"" : "");
}

static void test_login_rules(void **state)
{
    (void)state;
    char *ch1 = challenge("nonce-one", 0), *ch2 = challenge("nonce-two", 0);
    char *good = credentials("admin", "Right-Pass-1", REALM, "nonce-one", "/wsman");
    char *wrong_realm = credentials(
        "admin", "Right-Pass-1", "Digest:00000000000000000000000000000000", "nonce-one", "/wsman");
    char *wrong_uri = credentials("admin", "Right-Pass-1", REALM, "nonce-one", "/other");
    char *bob = credentials("bob", "whatever", REALM, "nonce-two", "/wsman");
    diag_exchange ex[6] = {
        {.req_frame = 4,
         .resp_frame = 6,
         .method = "POST",
         .uri = "/wsman",
         .status = 401,
         .www_authenticate = ch1},
        {.req_frame = 14,
         .resp_frame = 16,
         .method = "POST",
         .uri = "/wsman",
         .status = 401,
         .authorization = wrong_realm,
         .www_authenticate = ch2},
        {.req_frame = 24,
         .resp_frame = 26,
         .method = "POST",
         .uri = "/wsman",
         .status = 401,
         .authorization = wrong_uri,
         .www_authenticate = ch2},
        {.req_frame = 34,
         .resp_frame = 36,
         .method = "POST",
         .uri = "/wsman",
         .status = 401,
         .authorization = good,
         .www_authenticate = ch2},
        {.req_frame = 44,
         .resp_frame = 46,
         .method = "POST",
         .uri = "/wsman",
         .status = 401,
         .authorization = bob,
         .www_authenticate = ch2},
    };
    diag_conn_facts c[5];
    for (size_t i = 0; i < 5; i++) {
        c[i] = conn((unsigned)i, 16992);
        c[i].ex = &ex[i];
        c[i].n_ex = 1;
    }
    diag_account acc[] = {{"admin", "Right-Pass-1"}};
    diag_inputs in = {.accounts = acc, .n_accounts = 1};
    diag_result *r = diag_run(c, 5, NULL, 0, &in);
    assert_tokens(r, 0, "");
    assert_int_equal(((diag_conn_result *)g_ptr_array_index(r->conns, 0))->outcome,
                     DIAG_OUTCOME_CHALLENGE);
    assert_tokens(r, 1, "digest-realm-mismatch");
    assert_tokens(r, 2, "digest-uri-mismatch");
    /* the password reproduces the response, yet 401; the third failure
     * for admin in minutes also suggests a lock-out */
    assert_tokens(r, 3, "digest-correct-password-rejected,possible-lockout");
    assert_tokens(r, 4, "digest-unknown-user");
    for (size_t i = 1; i < 5; i++)
        assert_int_equal(((diag_conn_result *)g_ptr_array_index(r->conns, i))->outcome,
                         DIAG_OUTCOME_REJECTED);
    diag_result_free(r);

    /* without the password: rejected, the option that would tell named */
    r = diag_run(c + 3, 1, NULL, 0, NULL);
    assert_tokens(r, 0, "digest-login-rejected");
    const diag_finding *f =
        g_ptr_array_index(((diag_conn_result *)g_ptr_array_index(r->conns, 0))->findings, 0);
    assert_non_null(strstr(f->evidence, "--password admin:"));
    assert_null(strstr(f->evidence, "Right-Pass-1"));
    diag_result_free(r);

    /* challenged, and no credentials ever sent */
    r = diag_run(c, 1, NULL, 0, NULL);
    assert_tokens(r, 0, "no-credentials-sent");
    diag_result_free(r);
    g_free(ch1), g_free(ch2), g_free(good), g_free(wrong_realm), g_free(wrong_uri), g_free(bob);
}

static void test_negotiate(void **state)
{
    (void)state;
    diag_exchange ex[2] = {
        {.req_frame = 4,
         .resp_frame = 6,
         .method = "POST",
         .uri = "/wsman",
         .status = 401,
         .www_authenticate = "Digest realm=\"" REALM "\", nonce=\"n1\", qop=\"auth\""},
        {.req_frame = 8,
         .resp_frame = 9,
         .method = "POST",
         .uri = "/wsman",
         .status = 401,
         .authorization = "Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1MIIGcaADAgEFoQMCAQ6i",
         .www_authenticate = "Digest realm=\"" REALM "\", nonce=\"n2\", qop=\"auth\""},
    };
    diag_conn_facts c = conn(0, 16992);
    c.ex = ex;
    c.n_ex = 2;
    diag_result *r = diag_run(&c, 1, NULL, 0, NULL);
    assert_tokens(r, 0, "negotiate-not-offered");
    diag_result_free(r);
    ex[0].www_authenticate = "Negotiate, Digest realm=\"" REALM "\", nonce=\"n1\", qop=\"auth\"";
    r = diag_run(&c, 1, NULL, 0, NULL);
    assert_tokens(r, 0, "negotiate-rejected");
    diag_result_free(r);
}

static void test_wsman_and_http_errors(void **state)
{
    (void)state;
    diag_exchange ex[4] = {
        {.req_frame = 4,
         .resp_frame = 6,
         .method = "POST",
         .uri = "/wsman",
         .status = 200,
         .authorization = "Digest username=\"admin\""},
        {.req_frame = 8, .resp_frame = 9, .method = "POST", .uri = "/nope", .status = 404},
        {.req_frame = 10,
         .resp_frame = 11,
         .method = "POST",
         .uri = "/RemoteControlService",
         .status = 200,
         .eoi_service = "RemoteControl",
         .eoi_method = "RemoteControl",
         .has_status_code = 1,
         .status_code = 2054,
         .status_name = "PT_STATUS_INVALID_MODE"},
        {.req_frame = 12,
         .resp_frame = 13,
         .method = "POST",
         .uri = "/wsman",
         .status = 400,
         .action_name = "Put",
         .class_name = "AMT_GeneralSettings",
         .is_fault = 1,
         .fault_subcode = "SchemaValidationError",
         .fault_reason = "bad input"},
    };
    diag_conn_facts c = conn(0, 16992);
    c.ex = ex;
    c.n_ex = 4;
    diag_result *r = diag_run(&c, 1, NULL, 0, NULL);
    assert_tokens(r, 0, "http-error,eoi-status-error,wsman-fault");
    const diag_conn_result *cr = g_ptr_array_index(r->conns, 0);
    assert_int_equal(cr->stage, DIAG_STAGE_WSMAN);
    assert_int_equal(cr->outcome, DIAG_OUTCOME_REJECTED);
    assert_int_equal(r->n_errors, 3);
    diag_result_free(r);
}

static void test_tcp_and_dns(void **state)
{
    (void)state;
    diag_conn_facts c[2] = {conn(0, 16993), conn(1, 16993)};
    c[0].synack = 0, c[0].syns = 3, c[0].bytes[0] = c[0].bytes[1] = 0, c[0].is_http = 0;
    c[0].syn_frame = 2;
    c[0].server_addr[3] = 99; /* unanswered, at the address DNS gave */
    c[1].is_tls = 1, c[1].is_http = 0, c[1].tls.sni = "amt.example.com";
    c[1].first_ts_us = c[0].first_ts_us + 1;
    /* the DNS answer names 192.0.2.99, the console went to 192.0.2.20 */
    int fam[] = {4};
    const uint8_t addrs[1][16] = {{192, 0, 2, 99}};
    diag_dns_facts d[2] = {
        {.frame = 1,
         .ts_us = c[0].first_ts_us - 1000,
         .is_response = 1,
         .qname = "amt.example.com",
         .qtype = 1,
         .n_addrs = 1,
         .addr_family = fam,
         .addrs = addrs},
        {.frame = 30,
         .ts_us = c[0].first_ts_us,
         .is_response = 1,
         .qname = "gone.example.com",
         .qtype = 1,
         .rcode = 3},
    };
    diag_result *r = diag_run(c, 2, d, 2, NULL);
    assert_tokens(r, 0, "no-answer");
    assert_int_equal(((diag_conn_result *)g_ptr_array_index(r->conns, 0))->outcome,
                     DIAG_OUTCOME_FAILED);
    assert_tokens(r, 1, "dns-points-elsewhere");
    assert_int_equal(r->global->len, 1);
    assert_string_equal(((diag_finding *)g_ptr_array_index(r->global, 0))->cause->token,
                        "dns-name-unresolved");
    diag_result_free(r);

    /* A connection that names nothing is tied to the answer just before it
     * only when that answer went to the same console, and then only as
     * likely: another console's lookup says nothing of this one. */
    diag_conn_facts u = conn(0, 16993);
    u.is_http = 0, u.is_tls = 1;
    diag_dns_facts other = d[0];
    other.client_family = 4;
    memcpy(other.client_addr, (uint8_t[]){192, 0, 2, 77}, 4);
    r = diag_run(&u, 1, &other, 1, NULL);
    char *t = tokens(r, 0);
    assert_null(strstr(t, "dns-points-elsewhere"));
    g_free(t);
    diag_result_free(r);
    diag_dns_facts mine = other;
    memcpy(mine.client_addr, u.client_addr, 4);
    r = diag_run(&u, 1, &mine, 1, NULL);
    t = tokens(r, 0);
    assert_non_null(strstr(t, "dns-points-elsewhere"));
    g_free(t);
    const diag_conn_result *ur = g_ptr_array_index(r->conns, 0);
    assert_int_equal(((diag_finding *)g_ptr_array_index(ur->findings, 0))->confidence, DIAG_LIKELY);
    diag_result_free(r);

    /* the console also connected to the address the answer gave: the
     * answer was for that connection, not this one */
    diag_conn_facts both[2] = {u, conn(1, 16993)};
    memcpy(both[1].server_addr, (uint8_t[]){192, 0, 2, 99}, 4);
    r = diag_run(both, 2, &mine, 1, NULL);
    t = tokens(r, 0);
    assert_null(strstr(t, "dns-points-elsewhere"));
    g_free(t);
    diag_result_free(r);

    /* plain HTTP sent to the TLS port */
    diag_conn_facts p = conn(0, 16993);
    diag_exchange ex = {.req_frame = 4, .method = "POST", .uri = "/wsman"};
    p.ex = &ex, p.n_ex = 1;
    r = diag_run(&p, 1, NULL, 0, NULL);
    assert_tokens(r, 0, "plain-http-to-tls-port");
    diag_result_free(r);
}

/* A TLS connection with a ClientHello from the console. */
static diag_conn_facts tls_conn(void)
{
    diag_conn_facts c = conn(0, 16993);
    c.is_http = 0;
    c.is_tls = 1;
    c.tls.client_hello = 1;
    c.tls.client_hello_frame = 4;
    c.tls.offered_min = 0x0303;
    c.tls.offered_max = 0x0304;
    return c;
}

static void test_tls_rules(void **state)
{
    (void)state;
    /* AMT closes after the ClientHello: no alert says why */
    diag_conn_facts c = tls_conn();
    c.first_fin_from = DIAG_AMT;
    c.first_fin_frame = 6;
    diag_result *r = diag_run(&c, 1, NULL, 0, NULL);
    assert_tokens(r, 0, "tls-handshake-failed");
    diag_result_free(r);

    /* the console refuses AMT's certificate although the name matches */
    char *path = g_build_filename(AMTDIAG_SAMPLES_DIR, "mtls-ok", "amt-cert.pem", NULL);
    diag_blob *cert = NULL;
    char err[256];
    assert_int_equal(diag_load_pem_certs(path, &cert, err, sizeof err), 1);
    c = tls_conn();
    c.tls.sni = "amt-pc17.vpro.example.com";
    c.tls.server_hello = 1;
    c.tls.version = 0x0303;
    c.tls.amt_reneg = 1;
    c.tls.server_certs = cert;
    c.tls.n_server_certs = 1;
    c.tls.server_cert = DIAG_CERT_SENT;
    c.tls.server_cert_frame = 6;
    diag_alert unknown_ca = {DIAG_CONSOLE, 2, 48, 8, DIAG_AMT, 14, 0};
    c.tls.alerts = &unknown_ca;
    c.tls.n_alerts = 1;
    r = diag_run(&c, 1, NULL, 0, NULL);
    assert_tokens(r, 0, "server-cert-untrusted");
    diag_result_free(r);
    /* ... and by IP the name is wrong too (unknown_ca still names the issuer) */
    c.tls.sni = NULL;
    r = diag_run(&c, 1, NULL, 0, NULL);
    assert_tokens(r, 0, "server-name-mismatch,server-cert-untrusted");
    diag_result_free(r);

    /* the handshake completes, the console asks, AMT closes unanswered */
    c = tls_conn();
    c.tls.server_hello = 1;
    c.tls.version = 0x0303;
    c.tls.amt_reneg = 1;
    c.tls.handshake_complete = 1;
    c.tls.handshake_done_frame = 10;
    c.tls.app_records[DIAG_CONSOLE] = 1;
    c.first_fin_from = DIAG_AMT;
    c.first_fin_frame = 12;
    r = diag_run(&c, 1, NULL, 0, NULL);
    assert_tokens(r, 0, "amt-closed-without-answer");
    diag_result_free(r);
    diag_blobs_free(cert, 1);
    g_free(path);
}

static void test_digest_parameters(void **state)
{
    (void)state;
    char *ch = challenge("nonce-p", 0);
    /* qop was asked for; the console sent neither qop nor nc nor cnonce */
    diag_exchange ex[2] = {
        {.req_frame = 4,
         .resp_frame = 6,
         .method = "POST",
         .uri = "/wsman",
         .status = 401,
         .www_authenticate = ch},
        {.req_frame = 8,
         .resp_frame = 9,
         .method = "POST",
         .uri = "/wsman",
         .status = 401,
         .authorization = "Digest username=\"admin\", realm=\"" REALM "\", nonce=\"nonce-p\", "
                          "uri=\"/wsman\", response=\"0123456789abcdef0123456789abcdef\"",
         .www_authenticate = ch},
    };
    diag_conn_facts c = conn(0, 16992);
    c.ex = ex;
    c.n_ex = 2;
    diag_result *r = diag_run(&c, 1, NULL, 0, NULL);
    assert_tokens(r, 0, "digest-parameter-error");
    diag_result_free(r);
    g_free(ch);
}

static void test_clock_from_date(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_int_equal(diag_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
    assert_int_equal(t, 784111777);
    assert_int_equal(diag_parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
    assert_int_equal(t, 784111777);
    assert_int_equal(diag_parse_http_date("Sun Nov  6 08:49:37 1994", &t), 0);
    assert_int_equal(t, 784111777);
    assert_int_equal(diag_parse_http_date("Thu, 01 Mar 2028 00:00:00 GMT", &t), 0);
    assert_int_equal(t, 1835481600);
    assert_int_equal(diag_parse_http_date("yesterday", &t), -1);
    assert_int_equal(diag_parse_http_date("Sun, 32 Nov 1994 08:49:37 GMT", &t), -1);
    assert_int_equal(diag_parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT", &t), -1);
    assert_int_equal(diag_parse_http_date(NULL, &t), -1);

    /* an AMT whose Date says 100 days after the capture's clock */
    diag_conn_facts c = conn(0, 16992);
    char date[64];
    time_t amt = (time_t)(c.first_ts_us / 1000000 + 100 * 86400);
    struct tm tm;
    gmtime_r(&amt, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    diag_exchange ex = {
        .req_frame = 4, .resp_frame = 6, .status = 200, .date = date, .resp_ts_us = c.first_ts_us};
    c.ex = &ex, c.n_ex = 1;
    diag_result *r = diag_run(&c, 1, NULL, 0, NULL);
    assert_int_equal(r->clock.known, 1);
    assert_int_equal(r->clock.offset_s, 100 * 86400);
    assert_non_null(strstr(r->clock.source, "Date header"));
    diag_result_free(r);
    diag_inputs in = {.has_clock_offset = 1, .clock_offset_s = -5};
    r = diag_run(&c, 1, NULL, 0, &in);
    assert_int_equal(r->clock.offset_s, -5);
    diag_result_free(r);
}

static void test_parse_offset(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_int_equal(diag_parse_offset("+460d", &v), 0);
    assert_int_equal(v, 460LL * 86400);
    assert_int_equal(diag_parse_offset("-3600", &v), 0);
    assert_int_equal(v, -3600);
    assert_int_equal(diag_parse_offset("90m", &v), 0);
    assert_int_equal(v, 5400);
    assert_int_equal(diag_parse_offset("2h", &v), 0);
    assert_int_equal(v, 7200);
    assert_int_equal(diag_parse_offset("3x", &v), -1);
    assert_int_equal(diag_parse_offset("", &v), -1);
    assert_int_equal(diag_parse_offset("d", &v), -1);
    assert_int_equal(diag_parse_offset("99999999999999999999", &v), -1);
    assert_int_equal(diag_parse_offset("999999999d", &v), -1);
}

/* Every token in the table is documented in docs/causes.md and vice versa. */
static void test_causes_documented(void **state)
{
    (void)state;
    char *path = g_build_filename(AMTDIAG_SAMPLES_DIR, "..", "docs", "causes.md", NULL);
    gchar *doc = NULL;
    assert_true(g_file_get_contents(path, &doc, NULL, NULL));
    size_t n = 0;
    const diag_cause *c = diag_causes(&n);
    assert_true(n > 30);
    GHashTable *tokens = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < n; i++) {
        /* kebab-case, unique, with text */
        for (const char *p = c[i].token; *p; p++)
            assert_true(g_ascii_islower(*p) || g_ascii_isdigit(*p) || *p == '-');
        assert_false(g_hash_table_contains(tokens, c[i].token));
        g_hash_table_add(tokens, (gpointer)c[i].token);
        assert_true(strlen(c[i].explanation) > 20 && strlen(c[i].remedy) > 10);
        char *heading = g_strdup_printf("### `%s`\n", c[i].token);
        if (!strstr(doc, heading))
            fail_msg("%s is not documented in docs/causes.md", c[i].token);
        g_free(heading);
        assert_ptr_equal(diag_cause_find(c[i].token), &c[i]);
        /* the table is indexed by id */
        assert_int_equal(c[i].id, i);
        assert_ptr_equal(diag_cause_get(c[i].id), &c[i]);
        assert_true(c[i].stage < DIAG_N_STAGES);
    }
    assert_int_equal(n, DIAG_N_CAUSES);
    assert_null(diag_cause_get(DIAG_N_CAUSES));
    /* and nothing documented that the program lacks */
    for (const char *p = doc; (p = strstr(p, "### `"));) {
        p += 5;
        const char *end = strchr(p, '`');
        char *tok = g_strndup(p, (gsize)(end - p));
        if (!g_hash_table_contains(tokens, tok))
            fail_msg("docs/causes.md documents %s, which the program does not have", tok);
        g_free(tok);
    }
    assert_null(diag_cause_find("no-such-token"));
    g_hash_table_destroy(tokens);
    g_free(doc);
    g_free(path);
}

/* The Digest verdict both tools share, as the redirection login uses it:
 * no request line (uri NULL), the challenge it answered. */
static void test_digest_verdict(void **state)
{
    (void)state;
    char *good = credentials("admin", "Right-Pass-1", REALM, "n1", "/RedirectionService");
    http_auth cr;
    assert_int_equal(http_auth_parse_credentials(good, strlen(good), &cr), 0);
    diag_account acc[] = {{"admin", "Right-Pass-1"}, {"ops", "x"}};
    diag_digest_challenge ch = {.realm = REALM, .qop = "auth", .frame = 5};
    struct {
        const diag_digest_challenge *ch;
        const diag_account *acc;
        size_t n;
        diag_cause_id want;
        const char *says;
    } cases[] = {
        {&ch, acc, 2, DIAG_C_DIGEST_CORRECT_PASSWORD_REJECTED, "matches the supplied password"},
        {&ch, (diag_account[]){{"admin", "Wrong"}}, 1, DIAG_C_DIGEST_WRONG_PASSWORD, "admin"},
        {&ch, (diag_account[]){{"ops", "x"}}, 1, DIAG_C_DIGEST_UNKNOWN_USER, "\"ops\""},
        {&ch, NULL, 0, DIAG_C_DIGEST_LOGIN_REJECTED, "--password admin:PASSWORD"},
        {&(diag_digest_challenge){.realm = "Digest:0000", .frame = 5}, acc, 2,
         DIAG_C_DIGEST_REALM_MISMATCH, "Digest:0000"},
        {&(diag_digest_challenge){.stale = 1, .replaced = 1}, acc, 2, DIAG_C_DIGEST_STALE_NONCE,
         "since replaced"},
        {NULL, acc, 2, DIAG_C_DIGEST_CORRECT_PASSWORD_REJECTED, "yet AMT refused"},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
        GString *why = g_string_new(NULL);
        diag_cause_id id =
            diag_digest_verdict(&cr, cases[k].ch, "POST", NULL, cases[k].acc, cases[k].n, why);
        if (id != cases[k].want || !strstr(why->str, cases[k].says))
            fail_msg("case %zu: %s \"%s\"", k, diag_cause_get(id)->token, why->str);
        g_string_free(why, TRUE);
    }
    /* qop offered and the answer without nc and cnonce */
    const char *bare = "Digest username=\"admin\", realm=\"" REALM "\", nonce=\"n1\", "
                       "uri=\"/RedirectionService\", response=\"0123456789abcdef0123456789abcdef\"";
    assert_int_equal(http_auth_parse_credentials(bare, strlen(bare), &cr), 0);
    GString *why = g_string_new(NULL);
    assert_int_equal(diag_digest_verdict(&cr, &ch, "POST", NULL, acc, 2, why),
                     DIAG_C_DIGEST_PARAMETER_ERROR);
    assert_non_null(strstr(why->str, "cnonce missing"));
    g_string_free(why, TRUE);
    g_free(good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_rules),           cmocka_unit_test(test_negotiate),
        cmocka_unit_test(test_wsman_and_http_errors), cmocka_unit_test(test_tcp_and_dns),
        cmocka_unit_test(test_clock_from_date),       cmocka_unit_test(test_parse_offset),
        cmocka_unit_test(test_causes_documented),     cmocka_unit_test(test_tls_rules),
        cmocka_unit_test(test_digest_parameters),     cmocka_unit_test(test_digest_verdict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
