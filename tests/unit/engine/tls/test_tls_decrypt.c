/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decryption end to end: real OpenSSL handshakes over memory BIOs for each
 * version and cipher family, fed to tls_conn with the key log or the
 * server's RSA key; the decrypted application data must equal what was
 * written. Then the key-source variants: each way of not having the right
 * key must be reported with its own status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>
#include "tls_harness.h"

static hx_pki pki;
static EVP_PKEY *wrong_key;
static char *tmpdir, *key_path, *wrong_key_path;

static const char *C2S = "POST /wsman HTTP/1.1\r\nHost: amt.example.com:16993\r\n\r\n";
static const char *S2C =
    "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"x\"\r\n\r\n";

typedef struct result {
    tls_key_status status;
    char text[512];
    char source[160];
    int app_ok;
    int handshake_complete;
    uint16_t version, suite;
    int ems, etm;
    tls_cert_presence client_cert;
    size_t n_cas;
    size_t n_server_certs;
    int resumed;
} result;

enum { KEYS_LOG = 1, KEYS_RSA = 2, KEYS_WRONG_RSA = 4 };

/* Feeds a capture with the chosen keys; keylog may be NULL for the
 * capture's own. */
static void analyse(const hx_capture *cap, int keys, const char *keylog, result *r)
{
    tls_keys *k = tls_keys_new();
    if (keys & KEYS_LOG) {
        const char *kl = keylog ? keylog : cap->keylog->str;
        assert_true(tls_keys_add_keylog(k, kl, strlen(kl), "test.keylog", NULL, NULL) >= 0);
    }
    if (keys & KEYS_RSA)
        assert_int_equal(tls_keys_add_rsa_file(k, key_path, NULL, NULL), 0);
    if (keys & KEYS_WRONG_RSA)
        assert_int_equal(tls_keys_add_rsa_file(k, wrong_key_path, NULL, NULL), 0);
    hx_seen seen;
    hx_seen_init(&seen);
    tls_conn *c = tls_conn_new(k, hx_callbacks(), &seen);
    hx_feed(c, cap);
    const tls_summary *s = tls_conn_summary(c);
    memset(r, 0, sizeof(*r));
    r->status = s->key_status;
    g_strlcpy(r->text, s->key_status_text, sizeof(r->text));
    g_strlcpy(r->source, s->key_source, sizeof(r->source));
    r->app_ok = hx_app_matches(&seen, cap);
    r->handshake_complete = s->handshake_complete;
    r->version = s->version;
    r->suite = s->suite;
    r->ems = s->ch.ems && s->sh.ems;
    r->etm = s->ch.etm && s->sh.etm;
    r->client_cert = s->client_cert;
    r->n_cas = s->cert_request.authorities.n;
    r->n_server_certs = s->server_certs.n;
    r->resumed = s->resumed;
    tls_conn_free(c);
    hx_seen_free(&seen);
    tls_keys_free(k);
}

static void handshake(const hx_opts *o, hx_capture *cap)
{
    hx_env e;
    hx_env_init(&e, &pki, o);
    hx_capture_init(cap);
    assert_int_equal(hx_run(&e, cap, C2S, S2C, NULL, NULL), 0);
    hx_env_free(&e);
}

/* One connection decrypted with the given keys. */
static void expect_decrypts(const hx_opts *o, int keys, uint16_t version, const char *source)
{
    hx_capture cap;
    handshake(o, &cap);
    result r;
    analyse(&cap, keys, NULL, &r);
    if (r.status != TLS_KEY_DECRYPTED || !r.app_ok)
        print_message("status %s: %s\n", tls_key_status_name(r.status), r.text);
    assert_int_equal(r.status, TLS_KEY_DECRYPTED);
    assert_true(r.app_ok);
    assert_true(r.handshake_complete);
    assert_int_equal(r.version, version);
    assert_string_equal(r.source, source);
    hx_capture_free(&cap);
}

static void t_tls10_aes128_sha(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_VERSION, .max_version = TLS1_VERSION, .ciphers = "AES128-SHA"};
    expect_decrypts(&o, KEYS_LOG, TLS_VERSION_1_0, "test.keylog");
    expect_decrypts(&o, KEYS_RSA, TLS_VERSION_1_0, "RSA key key.pem");
}

static void t_tls11_cbc(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_1_VERSION,
                 .max_version = TLS1_1_VERSION,
                 .ciphers = "ECDHE-RSA-AES256-SHA"};
    expect_decrypts(&o, KEYS_LOG, TLS_VERSION_1_1, "test.keylog");
}

static void t_tls12_sha256_etm(void **st)
{
    (void)st;
    hx_opts o = {
        .min_version = TLS1_2_VERSION, .max_version = TLS1_2_VERSION, .ciphers = "AES256-SHA256"};
    hx_capture cap;
    handshake(&o, &cap);
    result r;
    analyse(&cap, KEYS_LOG, NULL, &r);
    assert_int_equal(r.status, TLS_KEY_DECRYPTED);
    assert_true(r.app_ok);
    assert_true(r.etm);
    assert_int_equal(r.suite, 0x003D);
    hx_capture_free(&cap);
    /* and without encrypt_then_mac */
    o.client_options = SSL_OP_NO_ENCRYPT_THEN_MAC;
    handshake(&o, &cap);
    analyse(&cap, KEYS_LOG, NULL, &r);
    assert_int_equal(r.status, TLS_KEY_DECRYPTED);
    assert_true(r.app_ok);
    assert_false(r.etm);
    hx_capture_free(&cap);
    /* SHA-384 MAC and PRF */
    o.ciphers = "ECDHE-RSA-AES256-SHA384";
    o.client_options = 0;
    expect_decrypts(&o, KEYS_LOG, TLS_VERSION_1_2, "test.keylog");
}

static void t_tls12_rsa_kx_ems(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_2_VERSION,
                 .max_version = TLS1_2_VERSION,
                 .ciphers = "AES128-GCM-SHA256"};
    hx_capture cap;
    handshake(&o, &cap);
    result r;
    analyse(&cap, KEYS_RSA, NULL, &r);
    assert_int_equal(r.status, TLS_KEY_DECRYPTED);
    assert_true(r.ems);
    assert_true(r.app_ok);
    assert_string_equal(r.source, "RSA key key.pem");
    /* two keys, the matching one second */
    analyse(&cap, KEYS_RSA | KEYS_WRONG_RSA, NULL, &r);
    assert_int_equal(r.status, TLS_KEY_DECRYPTED);
    assert_true(r.app_ok);
    hx_capture_free(&cap);
    /* without extended_master_secret */
    o.client_options = SSL_OP_NO_EXTENDED_MASTER_SECRET;
    handshake(&o, &cap);
    analyse(&cap, KEYS_RSA, NULL, &r);
    assert_int_equal(r.status, TLS_KEY_DECRYPTED);
    assert_false(r.ems);
    assert_true(r.app_ok);
    hx_capture_free(&cap);
}

static void t_tls12_gcm_chacha_ccm(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_2_VERSION, .max_version = TLS1_2_VERSION};
    o.ciphers = "ECDHE-RSA-AES128-GCM-SHA256";
    expect_decrypts(&o, KEYS_LOG, TLS_VERSION_1_2, "test.keylog");
    o.ciphers = "ECDHE-RSA-AES256-GCM-SHA384";
    expect_decrypts(&o, KEYS_LOG, TLS_VERSION_1_2, "test.keylog");
    o.ciphers = "ECDHE-RSA-CHACHA20-POLY1305";
    expect_decrypts(&o, KEYS_LOG, TLS_VERSION_1_2, "test.keylog");
    o.ciphers = "AES128-CCM";
    expect_decrypts(&o, KEYS_RSA, TLS_VERSION_1_2, "RSA key key.pem");
    o.ciphers = "AES256-CCM8";
    expect_decrypts(&o, KEYS_LOG, TLS_VERSION_1_2, "test.keylog");
    o.ciphers = "DHE-RSA-AES128-GCM-SHA256";
    expect_decrypts(&o, KEYS_LOG, TLS_VERSION_1_2, "test.keylog");
}

static void t_tls13_suites(void **st)
{
    (void)st;
    static const char *suites[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                   "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256",
                                   "TLS_AES_128_CCM_8_SHA256"};
    for (size_t i = 0; i < G_N_ELEMENTS(suites); i++) {
        hx_opts o = {.min_version = TLS1_3_VERSION,
                     .max_version = TLS1_3_VERSION,
                     .ciphersuites = suites[i]};
        expect_decrypts(&o, KEYS_LOG, TLS_VERSION_1_3, "test.keylog");
    }
}

static void t_mutual_auth(void **st)
{
    (void)st;
    for (int v = 0; v < 2; v++) {
        hx_opts o = {.min_version = v ? TLS1_3_VERSION : TLS1_2_VERSION,
                     .max_version = v ? TLS1_3_VERSION : TLS1_2_VERSION,
                     .ciphers = "ECDHE-RSA-AES128-GCM-SHA256",
                     .request_client_cert = 1,
                     .send_client_cert = 1};
        hx_capture cap;
        handshake(&o, &cap);
        result r;
        analyse(&cap, KEYS_LOG, NULL, &r);
        assert_int_equal(r.status, TLS_KEY_DECRYPTED);
        assert_true(r.app_ok);
        assert_int_equal(r.client_cert, TLS_CERT_SENT);
        assert_int_equal(r.n_cas, 1);
        assert_int_equal(r.n_server_certs, 1);
        /* TLS 1.3 without any key: the client certificate is invisible. */
        analyse(&cap, 0, NULL, &r);
        assert_int_equal(r.status, TLS_KEY_NO_KEYS);
        assert_int_equal(r.client_cert, v ? TLS_CERT_UNKNOWN : TLS_CERT_SENT);
        hx_capture_free(&cap);
    }
}

static void t_wrong_rsa_key(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_2_VERSION,
                 .max_version = TLS1_2_VERSION,
                 .ciphers = "AES128-GCM-SHA256"};
    hx_capture cap;
    handshake(&o, &cap);
    result r;
    analyse(&cap, KEYS_WRONG_RSA, NULL, &r);
    assert_int_equal(r.status, TLS_KEY_RSA_MISMATCH);
    assert_non_null(strstr(r.text, "wrong.pem"));
    /* per session: the certificate it was compared with, and where */
    assert_non_null(strstr(r.text, "is not that of the server certificate in frame 2"));
    assert_non_null(strstr(r.text, "CN=amt.example.com: 2048 bits, modulus "));
    assert_false(r.app_ok);
    /* the right key, but a damaged ClientKeyExchange */
    int done = 0;
    for (guint i = 0; i < cap.chunks->len && !done; i++) {
        hx_chunk *c = g_ptr_array_index(cap.chunks, i);
        for (guint j = 0; c->dir == 0 && j + 30 < c->bytes->len; j++) {
            const uint8_t *p = c->bytes->data + j;
            if (p[0] == 0x16 && p[1] == 3 && p[5] == TLS_HS_CLIENT_KEY_EXCHANGE) {
                c->bytes->data[j + 30] ^= 0x55;
                done = 1;
                break;
            }
        }
    }
    assert_true(done);
    analyse(&cap, KEYS_RSA, NULL, &r);
    assert_int_equal(r.status, TLS_KEY_MALFORMED);
    assert_non_null(strstr(r.text, "matches the server certificate"));
    hx_capture_free(&cap);
}

static void t_ecdhe_with_rsa_key(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_2_VERSION,
                 .max_version = TLS1_2_VERSION,
                 .ciphers = "ECDHE-RSA-AES256-GCM-SHA384"};
    hx_capture cap;
    handshake(&o, &cap);
    result r;
    analyse(&cap, KEYS_RSA, NULL, &r);
    assert_int_equal(r.status, TLS_KEY_RSA_BUT_DHE);
    assert_non_null(strstr(r.text, "ECDHE"));
    hx_capture_free(&cap);
}

static void t_tls13_without_handshake_secrets(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_3_VERSION,
                 .max_version = TLS1_3_VERSION,
                 .request_client_cert = 1,
                 .send_client_cert = 1};
    hx_capture cap;
    handshake(&o, &cap);
    char *kl = hx_keylog_without(cap.keylog->str, "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
    char *kl2 = hx_keylog_without(kl, "SERVER_HANDSHAKE_TRAFFIC_SECRET");
    result r;
    analyse(&cap, KEYS_LOG, kl2, &r);
    assert_int_equal(r.status, TLS_KEY_TLS13_NO_HS_SECRETS);
    assert_true(r.app_ok); /* application data still decrypts */
    assert_int_equal(r.client_cert, TLS_CERT_UNKNOWN);
    assert_non_null(strstr(r.text, "invisible"));
    g_free(kl);
    g_free(kl2);
    hx_capture_free(&cap);
}

static void t_missing_keylog_line(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_2_VERSION,
                 .max_version = TLS1_2_VERSION,
                 .ciphers = "ECDHE-RSA-AES128-GCM-SHA256"};
    hx_capture cap;
    handshake(&o, &cap);
    result r;
    char *kl = hx_keylog_without(cap.keylog->str, "CLIENT_RANDOM");
    /* another session's line only */
    char *other = g_strdup_printf("%sCLIENT_RANDOM %s %s\n", kl,
                                  "00112233445566778899aabbccddeeff"
                                  "00112233445566778899aabbccddeeff",
                                  "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
                                  "000102030405060708090a0b0c0d0e0f");
    analyse(&cap, KEYS_LOG, other, &r);
    assert_int_equal(r.status, TLS_KEY_NO_KEYLOG_ENTRY);
    assert_non_null(strstr(r.text, "client random"));
    analyse(&cap, 0, NULL, &r);
    assert_int_equal(r.status, TLS_KEY_NO_KEYS);
    g_free(kl);
    g_free(other);
    hx_capture_free(&cap);
}

static void t_keylog_with_garbage(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_3_VERSION, .max_version = TLS1_3_VERSION};
    hx_capture cap;
    handshake(&o, &cap);
    char *kl = g_strdup_printf("# comment\n\ngarbage line\r\nCLIENT_RANDOM zz 00\n%s"
                               "SERVER_TRAFFIC_SECRET_0 0011 2233\n",
                               cap.keylog->str);
    tls_keys *k = tls_keys_new();
    unsigned bad = 0, first = 0;
    int added = tls_keys_add_keylog(k, kl, strlen(kl), "k.txt", &bad, &first);
    assert_int_equal(bad, 3);
    assert_int_equal(first, 3);
    assert_true(added >= 5);
    tls_keys_free(k);
    result r;
    analyse(&cap, KEYS_LOG, kl, &r);
    assert_int_equal(r.status, TLS_KEY_DECRYPTED);
    assert_true(r.app_ok);
    g_free(kl);
    hx_capture_free(&cap);
}

/* Flips one byte of the n-th chunk of a direction, from its end. */
static void corrupt(hx_capture *cap, int dir, int nth_from_end, size_t back)
{
    int seen = 0;
    for (guint i = cap->chunks->len; i-- > 0;) {
        hx_chunk *c = g_ptr_array_index(cap->chunks, i);
        if (c->dir != dir)
            continue;
        if (seen++ == nth_from_end) {
            c->bytes->data[c->bytes->len - back] ^= 0x40;
            return;
        }
    }
}

static void t_corrupted_ciphertext(void **st)
{
    (void)st;
    static const struct {
        int v;
        const char *ciphers;
    } cases[] = {{TLS1_2_VERSION, "ECDHE-RSA-AES128-GCM-SHA256"},
                 {TLS1_2_VERSION, "ECDHE-RSA-AES128-SHA"},
                 {TLS1_3_VERSION, NULL}};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        hx_opts o = {
            .min_version = cases[i].v, .max_version = cases[i].v, .ciphers = cases[i].ciphers};
        if (cases[i].v == TLS1_2_VERSION)
            o.client_options = SSL_OP_NO_ENCRYPT_THEN_MAC;
        hx_capture cap;
        handshake(&o, &cap);
        /* the server's application data: the chunk before its close_notify
         * and the client's close_notify answer */
        corrupt(&cap, TLS_DIR_SERVER, 1, 3);
        result r;
        analyse(&cap, KEYS_LOG, NULL, &r);
        assert_int_equal(r.status, TLS_KEY_MAC_FAILURE);
        assert_non_null(strstr(r.text, "MAC/tag"));
        hx_capture_free(&cap);
    }
}

/* The whole client stream first, then the server's: records needing the
 * other direction wait for it. */
static void t_out_of_order_feeding(void **st)
{
    (void)st;
    hx_opts o = {
        .min_version = TLS1_2_VERSION, .max_version = TLS1_2_VERSION, .ciphers = "AES128-SHA256"};
    for (int v = 0; v < 2; v++) {
        if (v) {
            o.min_version = o.max_version = TLS1_3_VERSION;
            o.ciphers = NULL;
        }
        hx_capture cap;
        handshake(&o, &cap);
        tls_keys *k = tls_keys_new();
        tls_keys_add_keylog(k, cap.keylog->str, cap.keylog->len, "kl", NULL, NULL);
        assert_int_equal(tls_keys_add_rsa_file(k, key_path, NULL, NULL), 0);
        hx_seen seen;
        hx_seen_init(&seen);
        tls_conn *c = tls_conn_new(k, hx_callbacks(), &seen);
        for (int d = 0; d < 2; d++)
            for (guint i = 0; i < cap.chunks->len; i++) {
                const hx_chunk *ch = g_ptr_array_index(cap.chunks, i);
                if (ch->dir == d)
                    tls_conn_feed(c, d, ch->bytes->data, ch->bytes->len, i + 1, i + 1);
            }
        tls_conn_end(c);
        assert_int_equal(tls_conn_summary(c)->key_status, TLS_KEY_DECRYPTED);
        assert_true(hx_app_matches(&seen, &cap));
        tls_conn_free(c);
        hx_seen_free(&seen);
        tls_keys_free(k);
        hx_capture_free(&cap);
    }
}

/* One byte at a time: records and handshake messages reassemble. */
static void t_byte_by_byte(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_3_VERSION,
                 .max_version = TLS1_3_VERSION,
                 .request_client_cert = 1,
                 .send_client_cert = 1};
    hx_capture cap;
    handshake(&o, &cap);
    tls_keys *k = tls_keys_new();
    tls_keys_add_keylog(k, cap.keylog->str, cap.keylog->len, "kl", NULL, NULL);
    hx_seen seen;
    hx_seen_init(&seen);
    tls_conn *c = tls_conn_new(k, hx_callbacks(), &seen);
    for (guint i = 0; i < cap.chunks->len; i++) {
        const hx_chunk *ch = g_ptr_array_index(cap.chunks, i);
        for (guint j = 0; j < ch->bytes->len; j++)
            tls_conn_feed(c, ch->dir, ch->bytes->data + j, 1, i + 1, i + 1);
    }
    tls_conn_end(c);
    const tls_summary *s = tls_conn_summary(c);
    assert_int_equal(s->key_status, TLS_KEY_DECRYPTED);
    assert_int_equal(s->client_cert, TLS_CERT_SENT);
    assert_true(s->handshake_complete);
    assert_true(hx_app_matches(&seen, &cap));
    tls_conn_free(c);
    hx_seen_free(&seen);
    tls_keys_free(k);
    hx_capture_free(&cap);
}

static int setup(void **st)
{
    (void)st;
    hx_pki_init(&pki);
    wrong_key = EVP_RSA_gen(2048);
    tmpdir = g_dir_make_tmp("tlsdec-XXXXXX", NULL);
    key_path = g_build_filename(tmpdir, "key.pem", NULL);
    wrong_key_path = g_build_filename(tmpdir, "wrong.pem", NULL);
    return hx_write_key_pem(pki.key, key_path) || hx_write_key_pem(wrong_key, wrong_key_path);
}

static int teardown(void **st)
{
    (void)st;
    unlink(key_path);
    unlink(wrong_key_path);
    rmdir(tmpdir);
    g_free(key_path);
    g_free(wrong_key_path);
    g_free(tmpdir);
    EVP_PKEY_free(wrong_key);
    hx_pki_free(&pki);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_tls10_aes128_sha),
        cmocka_unit_test(t_tls11_cbc),
        cmocka_unit_test(t_tls12_sha256_etm),
        cmocka_unit_test(t_tls12_rsa_kx_ems),
        cmocka_unit_test(t_tls12_gcm_chacha_ccm),
        cmocka_unit_test(t_tls13_suites),
        cmocka_unit_test(t_mutual_auth),
        cmocka_unit_test(t_wrong_rsa_key),
        cmocka_unit_test(t_ecdhe_with_rsa_key),
        cmocka_unit_test(t_tls13_without_handshake_secrets),
        cmocka_unit_test(t_missing_keylog_line),
        cmocka_unit_test(t_keylog_with_garbage),
        cmocka_unit_test(t_corrupted_ciphertext),
        cmocka_unit_test(t_out_of_order_feeding),
        cmocka_unit_test(t_byte_by_byte),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
