/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The record and handshake layers on hand-made and recorded streams:
 * classification by content, frames of records and of messages spanning
 * records, malformed input (oversized records, non-TLS bytes, oversized
 * handshake messages, SSLv2), SSL 3.0 facts, gaps, truncation, a capture
 * starting mid-stream, HelloRetryRequest, TLS 1.3 encrypted alerts with and
 * without keys, KeyUpdate and renegotiation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "tls_harness.h"

static hx_pki pki;

/* ---- hand-made streams -------------------------------------------------- */

static void put_rec(GByteArray *out, uint8_t type, uint16_t ver, const uint8_t *p, size_t n)
{
    uint8_t h[5] = {type, (uint8_t)(ver >> 8), (uint8_t)ver, (uint8_t)(n >> 8), (uint8_t)n};
    g_byte_array_append(out, h, 5);
    g_byte_array_append(out, p, (guint)n);
}

static GByteArray *hs_msg(uint8_t type, const uint8_t *body, size_t n)
{
    GByteArray *m = g_byte_array_new();
    uint8_t h[4] = {type, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    g_byte_array_append(m, h, 4);
    g_byte_array_append(m, body, (guint)n);
    return m;
}

/* A minimal hello: version, random, empty session id, one suite, no
 * extensions (the server form has one suite and no compression list). */
static GByteArray *hello(int server, uint16_t ver, uint16_t suite)
{
    uint8_t b[64];
    size_t n = 0;
    b[n++] = (uint8_t)(ver >> 8);
    b[n++] = (uint8_t)ver;
    for (int i = 0; i < 32; i++)
        b[n++] = (uint8_t)(server ? 0x60 + i : i);
    b[n++] = 0; /* session id */
    if (!server) {
        b[n++] = 0;
        b[n++] = 2;
    }
    b[n++] = (uint8_t)(suite >> 8);
    b[n++] = (uint8_t)suite;
    if (!server)
        b[n++] = 1; /* one compression method */
    b[n++] = 0;
    return hs_msg(server ? TLS_HS_SERVER_HELLO : TLS_HS_CLIENT_HELLO, b, n);
}

typedef struct rec_log {
    int n;
    tls_record_info r[16];
    int nh;
    tls_hs_info h[16];
} rec_log;

static void log_rec(void *ctx, int dir, const tls_record_info *r)
{
    (void)dir;
    rec_log *l = ctx;
    if (l->n < 16)
        l->r[l->n++] = *r;
}

static void log_hs(void *ctx, int dir, const tls_hs_info *h)
{
    (void)dir;
    rec_log *l = ctx;
    if (l->nh < 16) {
        l->h[l->nh] = *h;
        l->h[l->nh++].body = NULL;
    }
}

static const tls_callbacks log_cb = {log_rec, log_hs, NULL, NULL};

static void t_looks_like(void **st)
{
    (void)st;
    GByteArray *ch = hello(0, 0x0303, 0x002f), *s = g_byte_array_new();
    put_rec(s, TLS_CT_HANDSHAKE, 0x0301, ch->data, ch->len);
    assert_int_equal(tls_looks_like(s->data, s->len), 1);
    assert_int_equal(tls_looks_like(s->data, 4), -1);
    assert_int_equal(tls_looks_like(s->data, 2), -1);
    assert_int_equal(tls_looks_like((const uint8_t *)"GET / HTTP/1.1\r\n", 16), 0);
    assert_int_equal(tls_looks_like((const uint8_t *)"POST /wsman HTTP/1.1\r\n", 22), 0);
    const uint8_t sslv2[] = {0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15};
    assert_int_equal(tls_looks_like(sslv2, sizeof(sslv2)), 1);
    const uint8_t huge[] = {0x17, 0x03, 0x03, 0xff, 0xff, 0};
    assert_int_equal(tls_looks_like(huge, sizeof(huge)), 0);
    const uint8_t app[] = {0x17, 0x03, 0x03, 0x00, 0x40, 0x12};
    assert_int_equal(tls_looks_like(app, sizeof(app)), 1); /* mid-stream */
    assert_int_equal(tls_looks_like(NULL, 0), -1);
    g_byte_array_free(ch, TRUE);
    g_byte_array_free(s, TRUE);
}

/* ClientHello split over two records and three feeds: frames follow. */
static void t_frames_and_fragments(void **st)
{
    (void)st;
    GByteArray *ch = hello(0, 0x0303, 0x002f), *s = g_byte_array_new();
    put_rec(s, TLS_CT_HANDSHAKE, 0x0301, ch->data, 10);
    put_rec(s, TLS_CT_HANDSHAKE, 0x0301, ch->data + 10, ch->len - 10);
    rec_log l = {0};
    tls_conn *c = tls_conn_new(NULL, &log_cb, &l);
    tls_conn_feed(c, 0, s->data, 3, 7, 7);
    tls_conn_feed(c, 0, s->data + 3, 12, 8, 9);
    tls_conn_feed(c, 0, s->data + 15, s->len - 15, 10, 12);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.r[0].first_frame, 7);
    assert_int_equal(l.r[0].last_frame, 9);
    assert_int_equal(l.r[0].length, 10);
    assert_false(l.r[0].encrypted);
    assert_int_equal(l.r[1].first_frame, 10);
    assert_int_equal(l.r[1].last_frame, 12);
    assert_int_equal(l.nh, 1);
    assert_int_equal(l.h[0].type, TLS_HS_CLIENT_HELLO);
    assert_int_equal(l.h[0].first_frame, 7);
    assert_int_equal(l.h[0].last_frame, 12);
    const tls_summary *sum = tls_conn_summary(c);
    assert_true(sum->ch.seen);
    assert_int_equal(sum->ch.legacy_version, 0x0303);
    assert_int_equal(sum->ch.suites.n, 1);
    assert_int_equal(sum->ch.frame, 7);
    /* two messages in one record */
    GByteArray *two = g_byte_array_new(), *sh = hello(1, 0x0303, 0x002f);
    uint8_t shd[4] = {TLS_HS_SERVER_HELLO_DONE, 0, 0, 0};
    GByteArray *body = g_byte_array_new();
    g_byte_array_append(body, sh->data, sh->len);
    g_byte_array_append(body, shd, 4);
    put_rec(two, TLS_CT_HANDSHAKE, 0x0303, body->data, body->len);
    tls_conn_feed(c, 1, two->data, two->len, 20, 20);
    assert_int_equal(l.nh, 3);
    assert_int_equal(l.h[2].type, TLS_HS_SERVER_HELLO_DONE);
    assert_int_equal(sum->version, TLS_VERSION_1_2);
    assert_string_equal(sum->suite_name, "TLS_RSA_WITH_AES_128_CBC_SHA");
    assert_int_equal(sum->sh.gmt_unix_time, 0x60616263u);
    tls_conn_end(c);
    tls_conn_free(c);
    g_byte_array_free(ch, TRUE);
    g_byte_array_free(sh, TRUE);
    g_byte_array_free(s, TRUE);
    g_byte_array_free(two, TRUE);
    g_byte_array_free(body, TRUE);
}

static void t_malformed(void **st)
{
    (void)st;
    /* oversized record */
    const uint8_t huge[] = {0x17, 0x03, 0x03, 0x48, 0x01, 0, 0, 0};
    tls_conn *c = tls_conn_new(NULL, NULL, NULL);
    tls_conn_feed(c, 1, huge, sizeof(huge), 1, 1);
    const tls_summary *s = tls_conn_summary(c);
    assert_non_null(s->dir_error[1]);
    assert_non_null(strstr(s->dir_error[1], "exceeds 2^14+2048"));
    assert_int_equal(s->key_status, TLS_KEY_MALFORMED);
    tls_conn_feed(c, 1, huge, sizeof(huge), 2, 2); /* ignored */
    assert_int_equal(s->records[1], 0);
    tls_conn_free(c);
    /* plain HTTP fed as TLS */
    c = tls_conn_new(NULL, NULL, NULL);
    tls_conn_feed(c, 0, (const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18, 1, 1);
    s = tls_conn_summary(c);
    assert_non_null(strstr(s->dir_error[0], "not a TLS record"));
    assert_null(s->dir_error[1]);
    tls_conn_free(c);
    /* SSLv2 hellos: one cut short waits for its bytes, one whose challenge
     * is missing stops the direction */
    const uint8_t v2[] = {0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0, 0, 0, 0x10};
    c = tls_conn_new(NULL, NULL, NULL);
    tls_conn_feed(c, 0, v2, sizeof(v2), 1, 1);
    assert_null(tls_conn_summary(c)->dir_error[0]);
    tls_conn_end(c);
    assert_non_null(strstr(tls_conn_summary(c)->notes[0], "ends inside a record"));
    tls_conn_free(c);
    const uint8_t v2bad[] = {0x80, 0x0c, 0x01, 0x03, 0x01, 0x00, 0x03, 0, 0, 0, 0x10, 0, 0, 0x2f};
    c = tls_conn_new(NULL, NULL, NULL);
    tls_conn_feed(c, 0, v2bad, sizeof(v2bad), 1, 1);
    assert_non_null(strstr(tls_conn_summary(c)->dir_error[0], "malformed SSLv2-format"));
    tls_conn_free(c);
    /* a handshake message claiming 320 KiB */
    uint8_t big[9] = {0x16, 0x03, 0x03, 0x00, 0x04, TLS_HS_CERTIFICATE, 0x05, 0x00, 0x00};
    GByteArray *ch = hello(0, 0x0303, 0x002f), *r = g_byte_array_new();
    put_rec(r, TLS_CT_HANDSHAKE, 0x0301, ch->data, ch->len);
    c = tls_conn_new(NULL, NULL, NULL);
    tls_conn_feed(c, 0, r->data, r->len, 1, 1);
    tls_conn_feed(c, 1, big, sizeof(big), 2, 2);
    s = tls_conn_summary(c);
    assert_true(s->n_notes >= 1);
    assert_non_null(strstr(s->notes[0], "exceeds 256 KiB"));
    tls_conn_free(c);
    /* a truncated last record */
    c = tls_conn_new(NULL, NULL, NULL);
    tls_conn_feed(c, 0, r->data, r->len - 5, 1, 1);
    tls_conn_end(c);
    s = tls_conn_summary(c);
    assert_false(s->ch.seen);
    assert_non_null(strstr(s->notes[0], "ends inside a record"));
    tls_conn_free(c);
    /* garbage inside a well-framed ClientHello */
    memset(ch->data + 4 + 35, 0xff, 4); /* suites length absurd */
    g_byte_array_set_size(r, 0);
    put_rec(r, TLS_CT_HANDSHAKE, 0x0301, ch->data, ch->len);
    c = tls_conn_new(NULL, NULL, NULL);
    tls_conn_feed(c, 0, r->data, r->len, 1, 1);
    s = tls_conn_summary(c);
    assert_true(s->ch.seen);
    assert_non_null(strstr(s->notes[0], "malformed ClientHello"));
    tls_conn_free(c);
    g_byte_array_free(ch, TRUE);
    g_byte_array_free(r, TRUE);
}

static void t_ssl3_facts(void **st)
{
    (void)st;
    GByteArray *ch = hello(0, 0x0300, 0x002f), *sh = hello(1, 0x0300, 0x002f);
    GByteArray *cs = g_byte_array_new(), *ss = g_byte_array_new();
    put_rec(cs, TLS_CT_HANDSHAKE, 0x0300, ch->data, ch->len);
    put_rec(ss, TLS_CT_HANDSHAKE, 0x0300, sh->data, sh->len);
    uint8_t shd[4] = {TLS_HS_SERVER_HELLO_DONE, 0, 0, 0}, one = 1, junk[48] = {0};
    put_rec(ss, TLS_CT_HANDSHAKE, 0x0300, shd, 4);
    put_rec(cs, TLS_CT_CHANGE_CIPHER_SPEC, 0x0300, &one, 1);
    put_rec(cs, TLS_CT_HANDSHAKE, 0x0300, junk, sizeof(junk));
    tls_keys *k = tls_keys_new();
    tls_conn *c = tls_conn_new(k, NULL, NULL);
    tls_conn_feed(c, 0, cs->data, ch->len + 5, 1, 1);
    tls_conn_feed(c, 1, ss->data, ss->len, 2, 2);
    tls_conn_feed(c, 0, cs->data + ch->len + 5, cs->len - ch->len - 5, 3, 3);
    tls_conn_end(c);
    const tls_summary *s = tls_conn_summary(c);
    assert_int_equal(s->version, TLS_VERSION_SSL3);
    assert_string_equal(tls_version_name(s->version), "SSLv3");
    /* SSL 3.0 is decrypted like the rest: here no key was given */
    assert_int_equal(s->key_status, TLS_KEY_NO_KEYS);
    assert_true(s->ccs_seen[0]);
    assert_true(s->finished[0]); /* inferred: the encrypted record after CCS */
    tls_conn_free(c);
    tls_keys_free(k);
    g_byte_array_free(ch, TRUE);
    g_byte_array_free(sh, TRUE);
    g_byte_array_free(cs, TRUE);
    g_byte_array_free(ss, TRUE);
}

/* ---- recorded handshakes ----------------------------------------------- */

static void record(const hx_opts *o, hx_capture *cap)
{
    hx_env e;
    hx_env_init(&e, &pki, o);
    hx_capture_init(cap);
    hx_run(&e, cap, "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n", NULL, NULL);
    hx_env_free(&e);
}

static tls_conn *feed_capture(const hx_capture *cap, tls_keys *k, hx_seen *seen, int from, int end)
{
    tls_conn *c = tls_conn_new(k, hx_callbacks(), seen);
    for (guint i = (guint)from; i < cap->chunks->len; i++) {
        const hx_chunk *ch = g_ptr_array_index(cap->chunks, i);
        tls_conn_feed(c, ch->dir, ch->bytes->data, ch->bytes->len, i + 1, i + 1);
    }
    if (end)
        tls_conn_end(c);
    return c;
}

static void t_gap_and_midstream(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_2_VERSION,
                 .max_version = TLS1_2_VERSION,
                 .ciphers = "ECDHE-RSA-AES128-GCM-SHA256"};
    hx_capture cap;
    record(&o, &cap);
    tls_keys *k = tls_keys_new();
    tls_keys_add_keylog(k, cap.keylog->str, cap.keylog->len, "kl", NULL, NULL);
    hx_seen seen;
    hx_seen_init(&seen);
    /* a gap in the server direction after its handshake */
    tls_conn *c = tls_conn_new(k, hx_callbacks(), &seen);
    int server_chunks = 0;
    for (guint i = 0; i < cap.chunks->len; i++) {
        const hx_chunk *ch = g_ptr_array_index(cap.chunks, i);
        if (ch->dir == 1 && ++server_chunks == 3) {
            tls_conn_gap(c, 1);
            continue;
        }
        tls_conn_feed(c, ch->dir, ch->bytes->data, ch->bytes->len, i + 1, i + 1);
    }
    tls_conn_end(c);
    const tls_summary *s = tls_conn_summary(c);
    assert_int_equal(s->key_status, TLS_KEY_GAP);
    assert_non_null(strstr(s->key_status_text, "until a gap"));
    assert_non_null(s->dir_error[1]);
    assert_int_equal(seen.app[0]->len, cap.app[0]->len); /* the client side still decrypts */
    tls_conn_free(c);
    hx_seen_free(&seen);
    /* mid-stream: the capture starts after the handshake */
    int first_app = -1;
    for (guint i = 0, n = 0; i < cap.chunks->len; i++) {
        const hx_chunk *ch = g_ptr_array_index(cap.chunks, i);
        if (ch->dir == 0 && ++n == 3)
            first_app = (int)i; /* ClientHello, key exchange flight, then data */
    }
    assert_true(first_app > 0);
    hx_seen_init(&seen);
    c = feed_capture(&cap, k, &seen, first_app, 1);
    s = tls_conn_summary(c);
    assert_int_equal(s->key_status, TLS_KEY_NO_CLIENT_HELLO);
    assert_false(s->ch.seen);
    assert_true(s->n_alerts >= 1); /* the close_notify, encrypted */
    assert_false(s->alerts[0].decrypted);
    assert_int_equal(s->alerts[0].level, -1);
    assert_true(s->app_records_undecrypted[0] >= 1);
    tls_conn_free(c);
    hx_seen_free(&seen);
    tls_keys_free(k);
    hx_capture_free(&cap);
}

static void set_groups(hx_env *e, const char *cli, const char *srv)
{
    SSL_CTX_set1_groups_list(e->cctx, cli);
    SSL_CTX_set1_groups_list(e->sctx, srv);
}

/* A ServerHello choosing a draft of TLS 1.3 (before draft 22: its version
 * in the hello, no session id or compression; from 22: in
 * supported_versions) or a version this program does not know: the hello
 * is read, the version named, what follows left alone and said so. */
static const tls_summary *version_case(tls_conn *c, const uint8_t *sh, size_t n)
{
    GByteArray *ch = hello(0, 0x0303, 0x1301), *cs = g_byte_array_new(), *ss = g_byte_array_new();
    put_rec(cs, TLS_CT_HANDSHAKE, 0x0301, ch->data, ch->len);
    GByteArray *m = hs_msg(TLS_HS_SERVER_HELLO, sh, n);
    put_rec(ss, TLS_CT_HANDSHAKE, 0x0303, m->data, m->len);
    uint8_t junk[40] = {0};
    put_rec(ss, TLS_CT_APPLICATION_DATA, 0x0303, junk, sizeof(junk));
    tls_conn_feed(c, 0, cs->data, cs->len, 1, 1);
    tls_conn_feed(c, 1, ss->data, ss->len, 2, 2);
    tls_conn_end(c);
    g_byte_array_free(ch, TRUE);
    g_byte_array_free(m, TRUE);
    g_byte_array_free(cs, TRUE);
    g_byte_array_free(ss, TRUE);
    return tls_conn_summary(c);
}

static int has_note(const tls_summary *s, const char *what)
{
    for (size_t i = 0; i < s->n_notes; i++)
        if (strstr(s->notes[i], what))
            return 1;
    return 0;
}

static void t_draft_and_unknown_versions(void **st)
{
    (void)st;
    uint8_t sh[64];
    size_t n = 0;
    /* draft 18: version 0x7f12, random, suite, extensions */
    sh[n++] = 0x7f;
    sh[n++] = 0x12;
    memset(sh + n, 0x42, 32);
    n += 32;
    sh[n++] = 0x13;
    sh[n++] = 0x01;
    sh[n++] = 0;
    sh[n++] = 0;
    tls_keys *k = tls_keys_new();
    tls_conn *c = tls_conn_new(k, NULL, NULL);
    const tls_summary *s = version_case(c, sh, n);
    assert_int_equal(s->sh.suite, 0x1301);
    assert_int_equal(s->version, 0x7f12);
    assert_string_equal(tls_version_name(s->version), "TLSv1.3 draft 18");
    assert_true(has_note(s, "a draft of TLS 1.3: records and hellos only"));
    assert_int_equal(s->key_status, TLS_KEY_UNSUPPORTED);
    assert_non_null(strstr(s->key_status_text, "draft of TLS 1.3"));
    assert_null(s->dir_error[1]);
    tls_conn_free(c);
    /* draft 28 and an unknown 0x0305, in supported_versions */
    static const struct {
        uint16_t v;
        const char *name, *note;
    } later[] = {{0x7f1c, "TLSv1.3 draft 28", "a draft of TLS 1.3"},
                 {0x0305, NULL, "protocol version 0x0305, which this program does not know"}};
    for (size_t i = 0; i < G_N_ELEMENTS(later); i++) {
        n = 0;
        sh[n++] = 0x03;
        sh[n++] = 0x03;
        memset(sh + n, 0x43, 32);
        n += 32;
        sh[n++] = 0; /* session id */
        sh[n++] = 0x13;
        sh[n++] = 0x01;
        sh[n++] = 0; /* compression */
        const uint8_t ext[] = {
            0, 6, 0, 0x2b, 0, 2, (uint8_t)(later[i].v >> 8), (uint8_t)later[i].v};
        memcpy(sh + n, ext, sizeof(ext));
        n += sizeof(ext);
        c = tls_conn_new(k, NULL, NULL);
        s = version_case(c, sh, n);
        assert_int_equal(s->version, later[i].v);
        if (later[i].name)
            assert_string_equal(tls_version_name(s->version), later[i].name);
        assert_true(has_note(s, later[i].note));
        assert_int_equal(s->key_status, TLS_KEY_UNSUPPORTED);
        assert_null(s->dir_error[1]);
        tls_conn_free(c);
    }
    tls_keys_free(k);
}

static void t_hello_retry_request(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_3_VERSION, .max_version = TLS1_3_VERSION};
    hx_env e;
    hx_env_init(&e, &pki, &o);
    set_groups(&e, "X25519:P-256", "P-256");
    hx_capture cap;
    hx_capture_init(&cap);
    assert_int_equal(hx_run(&e, &cap, "ping", "pong", NULL, NULL), 0);
    tls_keys *k = tls_keys_new();
    tls_keys_add_keylog(k, cap.keylog->str, cap.keylog->len, "kl", NULL, NULL);
    hx_seen seen;
    hx_seen_init(&seen);
    tls_conn *c = feed_capture(&cap, k, &seen, 0, 1);
    const tls_summary *s = tls_conn_summary(c);
    assert_true(s->hello_retry_request);
    assert_int_equal(s->ch.count, 2);
    assert_int_equal(s->sh.key_share_group, 23);
    assert_int_equal(s->ch.key_share_groups.n, 1);
    assert_int_equal(s->ch.key_share_groups.v[0], 23); /* the second hello's */
    assert_int_equal(s->key_status, TLS_KEY_DECRYPTED);
    assert_true(hx_app_matches(&seen, &cap));
    tls_conn_free(c);
    hx_seen_free(&seen);
    tls_keys_free(k);
    hx_capture_free(&cap);
    hx_env_free(&e);
}

/* TLS 1.3: the server wants a certificate, the client has none; the
 * server's alert is encrypted with its application key. */
static void t_tls13_encrypted_alert(void **st)
{
    (void)st;
    hx_opts o = {
        .min_version = TLS1_3_VERSION, .max_version = TLS1_3_VERSION, .request_client_cert = 1};
    hx_env e;
    hx_env_init(&e, &pki, &o);
    SSL_CTX_set_verify(e.sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, hx_verify_any);
    hx_capture cap;
    hx_capture_init(&cap);
    hx_run(&e, &cap, NULL, NULL, NULL, NULL);
    tls_keys *k = tls_keys_new();
    tls_keys_add_keylog(k, cap.keylog->str, cap.keylog->len, "kl", NULL, NULL);
    hx_seen seen;
    hx_seen_init(&seen);
    tls_conn *c = feed_capture(&cap, k, &seen, 0, 1);
    const tls_summary *s = tls_conn_summary(c);
    assert_true(s->cert_request.seen);
    assert_int_equal(s->client_cert, TLS_CERT_EMPTY);
    assert_int_equal(s->n_alerts, 1);
    assert_int_equal(s->alerts[0].dir, TLS_DIR_SERVER);
    assert_int_equal(s->alerts[0].desc, 116); /* certificate_required */
    assert_true(s->alerts[0].encrypted);
    assert_true(s->alerts[0].decrypted);
    assert_int_equal(s->alerts[0].after_hs_dir, TLS_DIR_CLIENT);
    assert_int_equal(s->alerts[0].after_hs_type, TLS_HS_FINISHED);
    tls_conn_free(c);
    hx_seen_free(&seen);
    /* without keys: an alert-sized encrypted record */
    hx_seen_init(&seen);
    c = feed_capture(&cap, NULL, &seen, 0, 1);
    s = tls_conn_summary(c);
    assert_int_equal(s->key_status, TLS_KEY_NO_KEYS);
    assert_int_equal(s->client_cert, TLS_CERT_UNKNOWN);
    assert_true(s->handshake_hidden[0]);
    assert_int_equal(s->n_alerts, 1);
    assert_true(s->alerts[0].guessed);
    assert_int_equal(s->alerts[0].dir, TLS_DIR_SERVER);
    tls_conn_free(c);
    hx_seen_free(&seen);
    tls_keys_free(k);
    hx_capture_free(&cap);
    hx_env_free(&e);
}

/* Handshake, then a custom exchange between both endpoints. */
typedef void (*exchange_fn)(hx_conn *h, hx_capture *cap);

static void run_exchange(hx_env *e, hx_capture *cap, exchange_fn fn)
{
    hx_conn h;
    h.cli = SSL_new(e->cctx);
    h.srv = SSL_new(e->sctx);
    h.c_in = BIO_new(BIO_s_mem());
    h.c_out = BIO_new(BIO_s_mem());
    h.s_in = BIO_new(BIO_s_mem());
    h.s_out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(h.c_in, -1);
    BIO_set_mem_eof_return(h.s_in, -1);
    SSL_set_bio(h.cli, h.c_in, h.c_out);
    SSL_set_bio(h.srv, h.s_in, h.s_out);
    SSL_set_app_data(h.cli, cap);
    SSL_set_connect_state(h.cli);
    SSL_set_accept_state(h.srv);
    int rc = 0, rs = 0;
    for (int i = 0; i < 40 && (rc != 1 || rs != 1); i++) {
        if (rc != 1)
            rc = SSL_do_handshake(h.cli);
        if (rs != 1)
            rs = SSL_do_handshake(h.srv);
        hx_shuttle(&h, cap);
    }
    assert_int_equal(rc, 1);
    assert_int_equal(rs, 1);
    hx_read_all(h.cli, &h, cap);
    fn(&h, cap);
    SSL_free(h.cli);
    SSL_free(h.srv);
}

static void say(hx_conn *h, hx_capture *cap, int from_server, const char *msg)
{
    SSL_write(from_server ? h->srv : h->cli, msg, (int)strlen(msg));
    g_byte_array_append(cap->app[from_server], (const guint8 *)msg, (guint)strlen(msg));
    hx_shuttle(h, cap);
    hx_read_all(from_server ? h->cli : h->srv, h, cap);
}

static void key_update_exchange(hx_conn *h, hx_capture *cap)
{
    say(h, cap, 0, "before");
    SSL_key_update(h->cli, SSL_KEY_UPDATE_REQUESTED);
    say(h, cap, 0, "after-1");
    say(h, cap, 1, "reply-after-update");
    SSL_key_update(h->srv, SSL_KEY_UPDATE_NOT_REQUESTED);
    say(h, cap, 1, "again");
    say(h, cap, 0, "end");
}

static void t_tls13_key_update(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_3_VERSION, .max_version = TLS1_3_VERSION};
    hx_env e;
    hx_env_init(&e, &pki, &o);
    hx_capture cap;
    hx_capture_init(&cap);
    run_exchange(&e, &cap, key_update_exchange);
    tls_keys *k = tls_keys_new();
    tls_keys_add_keylog(k, cap.keylog->str, cap.keylog->len, "kl", NULL, NULL);
    hx_seen seen;
    hx_seen_init(&seen);
    tls_conn *c = feed_capture(&cap, k, &seen, 0, 1);
    const tls_summary *s = tls_conn_summary(c);
    if (s->key_status != TLS_KEY_DECRYPTED)
        print_message("%s\n", s->key_status_text);
    assert_int_equal(s->key_status, TLS_KEY_DECRYPTED);
    assert_true(hx_app_matches(&seen, &cap));
    tls_conn_free(c);
    hx_seen_free(&seen);
    tls_keys_free(k);
    hx_capture_free(&cap);
    hx_env_free(&e);
}

static void renegotiate_exchange(hx_conn *h, hx_capture *cap)
{
    say(h, cap, 0, "before renegotiation");
    assert_int_equal(SSL_renegotiate(h->cli), 1);
    for (int i = 0; i < 10; i++) {
        SSL_do_handshake(h->cli);
        hx_shuttle(h, cap);
        char b[64];
        SSL_read(h->srv, b, sizeof(b));
        hx_shuttle(h, cap);
        SSL_read(h->cli, b, sizeof(b));
        hx_shuttle(h, cap);
    }
    /* under the renegotiated keys, both ways */
    say(h, cap, 0, "after, from the client");
    say(h, cap, 1, "after, from the server");
}

/* A renegotiation inside the encrypted session: its hellos are read with
 * the first keys, its keys come from its own key log line, and what
 * follows it is decrypted both ways. */
static void t_renegotiation(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_2_VERSION,
                 .max_version = TLS1_2_VERSION,
                 .ciphers = "ECDHE-RSA-AES128-GCM-SHA256",
                 .server_options = SSL_OP_ALLOW_CLIENT_RENEGOTIATION};
    hx_env e;
    hx_env_init(&e, &pki, &o);
    hx_capture cap;
    hx_capture_init(&cap);
    run_exchange(&e, &cap, renegotiate_exchange);
    tls_keys *k = tls_keys_new();
    tls_keys_add_keylog(k, cap.keylog->str, cap.keylog->len, "kl", NULL, NULL);
    hx_seen seen;
    hx_seen_init(&seen);
    tls_conn *c = feed_capture(&cap, k, &seen, 0, 1);
    const tls_summary *s = tls_conn_summary(c);
    if (s->key_status != TLS_KEY_DECRYPTED)
        print_message("%s\n", s->key_status_text);
    assert_int_equal(s->renegotiations, 1);
    assert_int_equal(s->key_status, TLS_KEY_DECRYPTED);
    assert_true(hx_app_matches(&seen, &cap));
    assert_true(s->renegs[0].encrypted);
    assert_true(s->renegs[0].complete);
    assert_int_equal(s->renegs[0].suite, 0xC02F);
    assert_memory_not_equal(s->renegs[0].client_random, s->ch.random, 32);
    assert_true(s->ch.reneg_info || s->ch.reneg_scsv);
    assert_true(s->sh.reneg_info);
    int noted = 0;
    for (size_t i = 0; i < s->n_notes; i++)
        noted |= strstr(s->notes[i], "renegotiation 1") != NULL;
    assert_true(noted);
    tls_conn_free(c);
    hx_seen_free(&seen);
    /* without the second handshake's key log line: decrypted until it */
    char *kl = g_strdup(cap.keylog->str);
    char *second = strstr(strstr(kl, "CLIENT_RANDOM") + 1, "CLIENT_RANDOM");
    assert_non_null(second);
    *second = 0;
    tls_keys *k1 = tls_keys_new();
    tls_keys_add_keylog(k1, kl, strlen(kl), "kl", NULL, NULL);
    hx_seen_init(&seen);
    c = feed_capture(&cap, k1, &seen, 0, 1);
    s = tls_conn_summary(c);
    assert_int_equal(s->key_status, TLS_KEY_NO_KEYLOG_ENTRY);
    assert_non_null(strstr(s->key_status_text, "until renegotiation 1; then not decrypted"));
    assert_int_equal(seen.app[0]->len, strlen("before renegotiation"));
    tls_conn_free(c);
    hx_seen_free(&seen);
    tls_keys_free(k1);
    g_free(kl);
    tls_keys_free(k);
    hx_capture_free(&cap);
    hx_env_free(&e);
}

static void t_facts_tls12(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_2_VERSION,
                 .max_version = TLS1_3_VERSION,
                 .ciphers = "ECDHE-RSA-AES128-SHA256:AES128-SHA"};
    hx_env e;
    hx_env_init(&e, &pki, &o);
    SSL_CTX_set_max_proto_version(e.sctx, TLS1_2_VERSION);
    SSL_CTX_set_alpn_protos(e.cctx, (const unsigned char *)"\x08http/1.1", 9);
    hx_capture cap;
    hx_capture_init(&cap);
    hx_run(&e, &cap, "x", "y", NULL, NULL);
    hx_seen seen;
    hx_seen_init(&seen);
    tls_conn *c = feed_capture(&cap, NULL, &seen, 0, 1);
    const tls_summary *s = tls_conn_summary(c);
    assert_int_equal(s->version, TLS_VERSION_1_2);
    assert_int_equal(s->ch.legacy_version, TLS_VERSION_1_2);
    assert_true(s->ch.versions.n >= 2); /* the client offered 1.3 and 1.2 */
    assert_true(s->ch.key_share_groups.n >= 1);
    assert_true(s->ch.groups.n >= 1);
    assert_true(s->ch.sig_algs.n >= 1);
    assert_true(s->ch.ems && s->ch.etm && s->ch.session_ticket);
    assert_true(s->ch.reneg_scsv || s->ch.reneg_info);
    assert_non_null(s->ch.alpn);
    assert_string_equal(s->ch.alpn[0], "http/1.1");
    assert_true(s->sh.reneg_info && s->sh.ems && s->sh.etm);
    assert_true(s->server_key_exchange);
    assert_int_equal(s->ske_group != 0, 1);
    assert_int_equal(s->server_cert, TLS_CERT_SENT);
    assert_int_equal(s->server_certs.n, 1);
    assert_int_equal(s->client_cert, TLS_CERT_ABSENT);
    assert_true(s->finished[0] && s->finished[1]);
    assert_true(s->handshake_complete);
    assert_int_equal(s->new_session_tickets, 1);
    assert_int_equal(s->n_alerts, 2); /* close_notify both ways, encrypted */
    assert_int_equal(s->key_status, TLS_KEY_NO_KEYS);
    assert_int_equal(s->sh.session_id_len, 0); /* ticket-based server */
    tls_conn_free(c);
    hx_seen_free(&seen);
    hx_capture_free(&cap);
    hx_env_free(&e);
}

static int setup(void **st)
{
    (void)st;
    hx_pki_init(&pki);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    hx_pki_free(&pki);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_looks_like),
        cmocka_unit_test(t_frames_and_fragments),
        cmocka_unit_test(t_malformed),
        cmocka_unit_test(t_ssl3_facts),
        cmocka_unit_test(t_gap_and_midstream),
        cmocka_unit_test(t_hello_retry_request),
        cmocka_unit_test(t_draft_and_unknown_versions),
        cmocka_unit_test(t_tls13_encrypted_alert),
        cmocka_unit_test(t_tls13_key_update),
        cmocka_unit_test(t_renegotiation),
        cmocka_unit_test(t_facts_tls12),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
