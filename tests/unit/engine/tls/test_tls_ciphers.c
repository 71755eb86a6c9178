/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The record ciphers this OpenSSL's libssl no longer negotiates (RC4,
 * 3DES, NULL), on synthetic TLS 1.0/1.2 conversations: hellos, a key log
 * line with a chosen master secret, and records protected here with EVP
 * (HMAC then encrypt, or encrypt_then_mac), which tls_conn must open. Also
 * suites that are named but not decryptable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include "tls_harness.h"
#include "tls/tls_int.h"

static OSSL_LIB_CTX *lib;
static OSSL_PROVIDER *prov[2];

typedef struct sealer {
    const tls_suite *su;
    const tls_cipher_info *ci;
    uint16_t version;
    int etm;
    uint8_t key[32], iv[16], mac_key[48];
    size_t mac_len;
    uint64_t seq;
    EVP_CIPHER *cipher;
    EVP_CIPHER_CTX *rc4;
} sealer;

static void hmac(sealer *s, uint8_t type, const uint8_t *p, size_t n, uint8_t *out)
{
    uint8_t h[13];
    tls_put_u64(h, s->seq);
    h[8] = type;
    tls_put_u16(h + 9, s->version);
    tls_put_u16(h + 11, (unsigned)n);
    EVP_MAC *m = EVP_MAC_fetch(lib, "HMAC", NULL);
    EVP_MAC_CTX *x = EVP_MAC_CTX_new(m);
    OSSL_PARAM pr[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                         (char *)tls_mac_digest(s->su->mac), 0),
                        OSSL_PARAM_construct_end()};
    size_t ol;
    EVP_MAC_init(x, s->mac_key, s->mac_len, pr);
    EVP_MAC_update(x, h, 13);
    EVP_MAC_update(x, p, n);
    EVP_MAC_final(x, out, &ol, 64);
    EVP_MAC_CTX_free(x);
    EVP_MAC_free(m);
}

static void cbc(sealer *s, const uint8_t *iv, const uint8_t *in, size_t n, uint8_t *out)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0;
    EVP_EncryptInit_ex2(x, s->cipher, s->key, iv, NULL);
    EVP_CIPHER_CTX_set_padding(x, 0);
    EVP_EncryptUpdate(x, out, &l1, in, (int)n);
    EVP_EncryptFinal_ex(x, out + l1, &l2);
    EVP_CIPHER_CTX_free(x);
}

/* Protects one record and appends it to the stream. */
static void seal(sealer *s, GByteArray *stream, uint8_t type, const uint8_t *p, size_t n)
{
    uint8_t buf[4096], out[4096];
    size_t len = 0;
    memcpy(buf, p, n);
    if (s->ci->mode == TLS_MODE_CBC) {
        size_t bl = s->ci->block_len;
        size_t body = n + (s->etm ? 0 : s->mac_len);
        if (!s->etm)
            hmac(s, type, p, n, buf + n);
        size_t pad = bl - (body + 1) % bl;
        if (pad == bl)
            pad = 0;
        memset(buf + body, (int)pad, pad + 1);
        body += pad + 1;
        uint8_t iv[16];
        size_t off = 0;
        if (s->version >= TLS_VERSION_1_1) {
            RAND_bytes(iv, (int)bl);
            memcpy(out, iv, bl);
            off = bl;
        } else {
            memcpy(iv, s->iv, bl);
        }
        cbc(s, iv, buf, body, out + off);
        if (s->version < TLS_VERSION_1_1)
            memcpy(s->iv, out + off + body - bl, bl);
        len = off + body;
        if (s->etm) {
            hmac(s, type, out, len, out + len);
            len += s->mac_len;
        }
    } else {
        hmac(s, type, p, n, buf + n);
        len = n + s->mac_len;
        int ol = 0;
        if (s->rc4)
            EVP_EncryptUpdate(s->rc4, out, &ol, buf, (int)len);
        else
            memcpy(out, buf, len);
    }
    s->seq++;
    uint8_t h[5] = {type, (uint8_t)(s->version >> 8), (uint8_t)s->version, (uint8_t)(len >> 8),
                    (uint8_t)len};
    g_byte_array_append(stream, h, 5);
    g_byte_array_append(stream, out, (guint)len);
}

static void plain(GByteArray *stream, uint16_t ver, uint8_t type, const uint8_t *p, size_t n)
{
    uint8_t h[5] = {type, (uint8_t)(ver >> 8), (uint8_t)ver, (uint8_t)(n >> 8), (uint8_t)n};
    g_byte_array_append(stream, h, 5);
    g_byte_array_append(stream, p, (guint)n);
}

static void hs(GByteArray *stream, uint16_t ver, uint8_t type, const uint8_t *b, size_t n)
{
    uint8_t m[512] = {type, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    memcpy(m + 4, b, n);
    plain(stream, ver, TLS_CT_HANDSHAKE, m, n + 4);
}

typedef struct convo {
    GByteArray *c, *s;
    GString *keylog;
    int legacy_missing;
} convo;

static const char *C_MSG = "POST /wsman HTTP/1.1\r\n\r\n<Envelope/>";
static const char *S_MSG = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

/* A whole conversation with the given suite; tamper flips a byte of the
 * server's application data. */
static void build(convo *cv, uint16_t suite, uint16_t ver, int etm, int tamper)
{
    uint8_t cr[32], sr[32], ms[48];
    for (int i = 0; i < 32; i++) {
        cr[i] = (uint8_t)(i * 7 + 1);
        sr[i] = (uint8_t)(i * 13 + 5);
    }
    RAND_bytes(ms, sizeof(ms));
    cv->c = g_byte_array_new();
    cv->s = g_byte_array_new();
    cv->keylog = g_string_new("CLIENT_RANDOM ");
    for (int i = 0; i < 32; i++)
        g_string_append_printf(cv->keylog, "%02x", cr[i]);
    g_string_append_c(cv->keylog, ' ');
    for (int i = 0; i < 48; i++)
        g_string_append_printf(cv->keylog, "%02x", ms[i]);
    g_string_append_c(cv->keylog, '\n');
    /* hellos */
    uint8_t b[128];
    size_t n = 0;
    b[n++] = (uint8_t)(ver >> 8);
    b[n++] = (uint8_t)ver;
    memcpy(b + n, cr, 32);
    n += 32;
    b[n++] = 0;
    b[n++] = 0;
    b[n++] = 2;
    b[n++] = (uint8_t)(suite >> 8);
    b[n++] = (uint8_t)suite;
    b[n++] = 1;
    b[n++] = 0;
    const uint8_t etm_ext[] = {0, 4, 0, 22, 0, 0};
    if (etm) {
        memcpy(b + n, etm_ext, 6);
        n += 6;
    }
    hs(cv->c, ver, TLS_HS_CLIENT_HELLO, b, n);
    n = 0;
    b[n++] = (uint8_t)(ver >> 8);
    b[n++] = (uint8_t)ver;
    memcpy(b + n, sr, 32);
    n += 32;
    b[n++] = 0;
    b[n++] = (uint8_t)(suite >> 8);
    b[n++] = (uint8_t)suite;
    b[n++] = 0;
    if (etm) {
        memcpy(b + n, etm_ext, 6);
        n += 6;
    }
    hs(cv->s, ver, TLS_HS_SERVER_HELLO, b, n);
    hs(cv->s, ver, TLS_HS_SERVER_HELLO_DONE, b, 0);
    uint8_t cke[66] = {0, 64};
    hs(cv->c, ver, TLS_HS_CLIENT_KEY_EXCHANGE, cke, sizeof(cke));
    /* keys */
    sealer sl[2];
    const tls_suite *su = tls_suite_find(suite);
    const tls_cipher_info *ci = tls_cipher_info_get(su->cipher);
    size_t ml = tls_mac_len(su->mac), kl = ci->key_len, il = ci->fixed_iv_len;
    uint8_t kb[256];
    assert_int_equal(tls_prf(lib, ver, su->sha384 ? "SHA384" : "SHA256", ms, 48, "key expansion",
                             sr, 32, cr, 32, kb, 2 * (ml + kl + il)),
                     0);
    for (int d = 0; d < 2; d++) {
        sealer *s = &sl[d];
        memset(s, 0, sizeof(*s));
        s->su = su;
        s->ci = ci;
        s->version = ver;
        s->etm = etm;
        s->mac_len = ml;
        memcpy(s->mac_key, kb + d * ml, ml);
        memcpy(s->key, kb + 2 * ml + d * kl, kl);
        memcpy(s->iv, kb + 2 * ml + 2 * kl + d * il, il);
        if (ci->evp_name) {
            s->cipher = EVP_CIPHER_fetch(lib, ci->evp_name, NULL);
            if (!s->cipher) {
                cv->legacy_missing = 1;
                if (d)
                    EVP_CIPHER_free(sl[0].cipher);
                EVP_CIPHER_CTX_free(sl[0].rc4);
                return;
            }
        }
        if (ci->mode == TLS_MODE_STREAM && s->cipher) {
            s->rc4 = EVP_CIPHER_CTX_new();
            EVP_EncryptInit_ex2(s->rc4, s->cipher, s->key, NULL, NULL);
        }
    }
    uint8_t one = 1, fin[16] = {TLS_HS_FINISHED, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    plain(cv->c, ver, TLS_CT_CHANGE_CIPHER_SPEC, &one, 1);
    seal(&sl[0], cv->c, TLS_CT_HANDSHAKE, fin, sizeof(fin));
    plain(cv->s, ver, TLS_CT_CHANGE_CIPHER_SPEC, &one, 1);
    seal(&sl[1], cv->s, TLS_CT_HANDSHAKE, fin, sizeof(fin));
    seal(&sl[0], cv->c, TLS_CT_APPLICATION_DATA, (const uint8_t *)C_MSG, strlen(C_MSG));
    size_t at = cv->s->len;
    seal(&sl[1], cv->s, TLS_CT_APPLICATION_DATA, (const uint8_t *)S_MSG, strlen(S_MSG));
    if (tamper)
        cv->s->data[at + 5 + (etm ? 20 : 3)] ^= 1;
    const uint8_t close[2] = {1, 0};
    seal(&sl[0], cv->c, TLS_CT_ALERT, close, 2);
    for (int d = 0; d < 2; d++) {
        EVP_CIPHER_free(sl[d].cipher);
        EVP_CIPHER_CTX_free(sl[d].rc4);
    }
}

static void convo_free(convo *cv)
{
    g_byte_array_free(cv->c, TRUE);
    g_byte_array_free(cv->s, TRUE);
    g_string_free(cv->keylog, TRUE);
}

/* Feeds it in protocol order: client hello, server flight, client flight,
 * server's CCS+Finished+data. */
static const tls_summary *run(convo *cv, tls_conn **out, hx_seen *seen, tls_keys *k)
{
    tls_keys_add_keylog(k, cv->keylog->str, cv->keylog->len, "synthetic.keylog", NULL, NULL);
    tls_conn *c = tls_conn_new(k, hx_callbacks(), seen);
    tls_conn_feed(c, 0, cv->c->data, cv->c->len, 1, 1);
    tls_conn_feed(c, 1, cv->s->data, cv->s->len, 2, 2);
    tls_conn_end(c);
    *out = c;
    return tls_conn_summary(c);
}

static void expect_ok(uint16_t suite, uint16_t ver, int etm)
{
    convo cv = {0};
    build(&cv, suite, ver, etm, 0);
    tls_keys *k = tls_keys_new();
    hx_seen seen;
    hx_seen_init(&seen);
    tls_conn *c;
    const tls_summary *s = run(&cv, &c, &seen, k);
    if (cv.legacy_missing) {
        /* this OpenSSL has no legacy provider: say so */
        assert_int_equal(s->key_status, TLS_KEY_UNSUPPORTED);
        assert_non_null(strstr(s->key_status_text, "legacy provider"));
    } else {
        if (s->key_status != TLS_KEY_DECRYPTED || !seen.app[0]->len)
            print_message("suite %04x: %s; records decrypted %d/%d and %d/%d\n", suite,
                          s->key_status_text, seen.decrypted[0], seen.records[0], seen.decrypted[1],
                          seen.records[1]);
        assert_int_equal(s->key_status, TLS_KEY_DECRYPTED);
        assert_int_equal(seen.app[0]->len, strlen(C_MSG));
        assert_memory_equal(seen.app[0]->data, C_MSG, strlen(C_MSG));
        assert_int_equal(seen.app[1]->len, strlen(S_MSG));
        assert_memory_equal(seen.app[1]->data, S_MSG, strlen(S_MSG));
        assert_true(s->handshake_complete);
        assert_int_equal(s->n_alerts, 1);
        assert_true(s->alerts[0].decrypted);
        assert_int_equal(s->alerts[0].desc, 0);
    }
    tls_conn_free(c);
    hx_seen_free(&seen);
    tls_keys_free(k);
    convo_free(&cv);
}

static void t_rc4(void **st)
{
    (void)st;
    expect_ok(0x0005, TLS_VERSION_1_2, 0); /* RC4-SHA */
    expect_ok(0x0004, TLS_VERSION_1_0, 0); /* RC4-MD5 */
    expect_ok(0xC011, TLS_VERSION_1_1, 0); /* ECDHE-RSA-RC4-SHA */
}

static void t_3des(void **st)
{
    (void)st;
    expect_ok(0x000A, TLS_VERSION_1_0, 0); /* chained IV */
    expect_ok(0x000A, TLS_VERSION_1_2, 0); /* explicit IV */
    expect_ok(0x000A, TLS_VERSION_1_2, 1); /* encrypt_then_mac */
    expect_ok(0xC012, TLS_VERSION_1_1, 0);
}

static void t_null_and_cbc(void **st)
{
    (void)st;
    expect_ok(0x0002, TLS_VERSION_1_2, 0); /* NULL-SHA */
    expect_ok(0x003B, TLS_VERSION_1_2, 0); /* NULL-SHA256 */
    expect_ok(0x0001, TLS_VERSION_1_0, 0); /* NULL-MD5 */
    expect_ok(0x002F, TLS_VERSION_1_0, 1); /* AES128-SHA with ETM in TLS 1.0 */
    expect_ok(0xC028, TLS_VERSION_1_2, 1); /* ECDHE-RSA-AES256-SHA384, ETM */
}

static void t_tampered(void **st)
{
    (void)st;
    static const struct {
        uint16_t suite, ver;
        int etm;
    } cases[] = {{0x0005, TLS_VERSION_1_2, 0},
                 {0x000A, TLS_VERSION_1_0, 0},
                 {0x000A, TLS_VERSION_1_2, 1},
                 {0x0002, TLS_VERSION_1_2, 0}};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        convo cv = {0};
        build(&cv, cases[i].suite, cases[i].ver, cases[i].etm, 1);
        if (cv.legacy_missing) {
            convo_free(&cv);
            continue;
        }
        tls_keys *k = tls_keys_new();
        hx_seen seen;
        hx_seen_init(&seen);
        tls_conn *c;
        const tls_summary *s = run(&cv, &c, &seen, k);
        assert_int_equal(s->key_status, TLS_KEY_MAC_FAILURE);
        assert_non_null(strstr(s->key_status_text, "server→client"));
        assert_int_equal(seen.app[1]->len, 0);
        assert_int_equal(seen.app[0]->len, strlen(C_MSG)); /* the other way is fine */
        tls_conn_free(c);
        hx_seen_free(&seen);
        tls_keys_free(k);
        convo_free(&cv);
    }
}

static void t_unsupported_suites(void **st)
{
    (void)st;
    static const uint16_t ids[] = {0x0041, 0x1234};
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        /* the AES128-SHA conversation with another suite number in the hellos */
        convo cv = {0};
        build(&cv, 0x002F, TLS_VERSION_1_2, 0, 0);
        for (int d = 0; d < 2; d++) {
            GByteArray *st2 = d ? cv.s : cv.c;
            size_t off = 5 + 4 + 2 + 32 + 1 + (d ? 0 : 2); /* the suite */
            st2->data[off] = (uint8_t)(ids[i] >> 8);
            st2->data[off + 1] = (uint8_t)ids[i];
        }
        tls_keys *k = tls_keys_new();
        hx_seen seen;
        hx_seen_init(&seen);
        tls_conn *c;
        const tls_summary *s = run(&cv, &c, &seen, k);
        assert_int_equal(s->suite, ids[i]);
        assert_int_equal(s->key_status, TLS_KEY_UNSUPPORTED);
        assert_non_null(strstr(s->key_status_text, "unsupported suite"));
        if (ids[i] == 0x0041)
            assert_non_null(strstr(s->key_status_text, "CAMELLIA"));
        else
            assert_string_equal(s->suite_name, "unknown");
        tls_conn_free(c);
        hx_seen_free(&seen);
        tls_keys_free(k);
        convo_free(&cv);
    }
}

/* Without the legacy provider RC4 is reported, not crashed on. */
static void t_legacy_provider_missing(void **st)
{
    (void)st;
    OSSL_LIB_CTX *bare = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *def = OSSL_PROVIDER_load(bare, "default");
    uint8_t key[32] = {0}, iv[16] = {0}, mac[48] = {0};
    char err[200] = "";
    tls_cipher_state *cs = tls_cipher_new(bare, tls_suite_find(0x0005), TLS_VERSION_1_2, 0, key, iv,
                                          mac, err, sizeof(err));
    assert_null(cs);
    assert_non_null(strstr(err, "TLS_RSA_WITH_RC4_128_SHA"));
    assert_non_null(strstr(err, "OpenSSL legacy provider unavailable"));
    /* AES needs no legacy provider */
    cs = tls_cipher_new(bare, tls_suite_find(0x002F), TLS_VERSION_1_2, 0, key, iv, mac, err,
                        sizeof(err));
    assert_non_null(cs);
    tls_cipher_free(cs);
    tls_fetch_forget(bare); /* as tls_keys_free does: nothing kept for a freed context */
    OSSL_PROVIDER_unload(def);
    OSSL_LIB_CTX_free(bare);
}

static int setup(void **st)
{
    (void)st;
    lib = OSSL_LIB_CTX_new();
    prov[0] = OSSL_PROVIDER_load(lib, "default");
    prov[1] = OSSL_PROVIDER_load(lib, "legacy");
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    tls_fetch_forget(lib);
    for (int i = 0; i < 2; i++)
        if (prov[i])
            OSSL_PROVIDER_unload(prov[i]);
    OSSL_LIB_CTX_free(lib);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_rc4),
        cmocka_unit_test(t_3des),
        cmocka_unit_test(t_null_and_cbc),
        cmocka_unit_test(t_tampered),
        cmocka_unit_test(t_unsupported_suites),
        cmocka_unit_test(t_legacy_provider_missing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
