/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Key derivation against published vectors: the TLS 1.2 PRF (SHA-256)
 * vector from the IETF TLS list, the TLS 1.0 PRF (MD5/SHA-1 split, the
 * value checked with Python's hmac module), RFC 5869 HKDF test case 1, and
 * RFC 8448 section 3 (simple 1-RTT handshake) for the TLS 1.3 schedule:
 * early secret, Derive-Secret "derived", and the handshake traffic
 * keys/IVs from the secrets given there. Then the TLS PRF and HKDF, built
 * here on HMAC, against OpenSSL's own KDFs (EVP_KDF "TLS1-PRF" and "HKDF",
 * used in this test only) over many random secrets, seeds and lengths.
 * Also the suite table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/provider.h>
#include "tls/tls_int.h"

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    while (h[0] && h[1]) {
        if (h[0] == ' ') {
            h++;
            continue;
        }
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

static void expect_hex(const uint8_t *got, const char *hex)
{
    uint8_t want[256];
    size_t n = unhex(hex, want);
    assert_memory_equal(got, want, n);
}

static void t_prf_tls12_sha256(void **st)
{
    (void)st;
    uint8_t secret[16], seed[16], out[100];
    unhex("9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35", secret);
    unhex("a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c", seed);
    assert_int_equal(tls_prf(NULL, TLS_VERSION_1_2, "SHA256", secret, 16, "test label", seed, 16,
                             NULL, 0, out, sizeof(out)),
                     0);
    expect_hex(out, "e3 f2 29 ba 72 7b e1 7b 8d 12 26 20 55 7c d4 53 c2 aa b2 1d 07 c3 d4 95 32 9b "
                    "52 d4 e6 1e db 5a 6b 30 17 91 e9 0d 35 c9 c9 a4 6b 4e 14 ba f9 af 0f a0 22 f7 "
                    "07 7d ef 17 ab fd 37 97 c0 56 4b ab 4f bc 91 66 6e 9d ef 9b 97 fc e3 4f 79 67 "
                    "89 ba a4 80 82 d1 22 ee 42 c5 a7 2e 5a 51 10 ff f7 01 87 34 7b 66");
    /* the seed split in two parts gives the same */
    uint8_t out2[100];
    assert_int_equal(tls_prf(NULL, TLS_VERSION_1_2, "SHA256", secret, 16, "test label", seed, 7,
                             seed + 7, 9, out2, sizeof(out2)),
                     0);
    assert_memory_equal(out, out2, sizeof(out));
}

static void t_prf_tls10(void **st)
{
    (void)st;
    /* P_MD5(S1) XOR P_SHA1(S2), computed independently with Python's hmac. */
    uint8_t secret[16], seed[16], out[48];
    unhex("9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35", secret);
    unhex("a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c", seed);
    assert_int_equal(tls_prf(NULL, TLS_VERSION_1_0, NULL, secret, 16, "test label", seed, 16, NULL,
                             0, out, sizeof(out)),
                     0);
    expect_hex(out, "661740e6f98bc901efd2738502a71c03f76dd2f86298549b1148eff06714cf0f"
                    "6b7c532cd8c69f1530e0bb680eec34c4");
}

static void t_hkdf_rfc5869_tc1(void **st)
{
    (void)st;
    uint8_t ikm[22], salt[13], info[10], prk[32], okm[42];
    memset(ikm, 0x0b, sizeof(ikm));
    for (int i = 0; i < 13; i++)
        salt[i] = (uint8_t)i;
    for (int i = 0; i < 10; i++)
        info[i] = (uint8_t)(0xf0 + i);
    assert_int_equal(tls_hkdf_extract(NULL, "SHA256", salt, 13, ikm, 22, prk, 32), 0);
    expect_hex(prk, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    assert_int_equal(tls_hkdf_expand(NULL, "SHA256", prk, 32, info, 10, okm, 42), 0);
    expect_hex(okm, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b8"
                    "87185865");
}

static void t_tls13_rfc8448(void **st)
{
    (void)st;
    uint8_t zero[32] = {0}, early[32], derived[32], empty_hash[32];
    /* early secret = HKDF-Extract(0, 0) */
    assert_int_equal(tls_hkdf_extract(NULL, "SHA256", zero, 32, zero, 32, early, 32), 0);
    expect_hex(early, "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a");
    /* Derive-Secret(early, "derived", "") */
    unsigned int hl = 0;
    EVP_Digest("", 0, empty_hash, &hl, EVP_sha256(), NULL);
    assert_int_equal(
        tls13_expand_label(NULL, "SHA256", early, 32, "derived", empty_hash, 32, derived, 32), 0);
    expect_hex(derived, "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba");
    /* handshake traffic keys from the given secrets */
    uint8_t chs[32], shs[32], key[16], iv[12];
    unhex("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21", chs);
    unhex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", shs);
    assert_int_equal(tls13_expand_label(NULL, "SHA256", chs, 32, "key", NULL, 0, key, 16), 0);
    assert_int_equal(tls13_expand_label(NULL, "SHA256", chs, 32, "iv", NULL, 0, iv, 12), 0);
    expect_hex(key, "dbfaa693d1762c5b666af5d950258d01");
    expect_hex(iv, "5bd3c71b836e0b76bb73265f");
    assert_int_equal(tls13_expand_label(NULL, "SHA256", shs, 32, "key", NULL, 0, key, 16), 0);
    assert_int_equal(tls13_expand_label(NULL, "SHA256", shs, 32, "iv", NULL, 0, iv, 12), 0);
    expect_hex(key, "3fce516009c21727d0f2e4e86ee403bc");
    expect_hex(iv, "5d313eb2671276ee13000b30");
    /* labels too long for HkdfLabel are refused */
    char longlabel[300];
    memset(longlabel, 'a', sizeof(longlabel) - 1);
    longlabel[sizeof(longlabel) - 1] = 0;
    assert_int_equal(tls13_expand_label(NULL, "SHA256", shs, 32, longlabel, NULL, 0, key, 16), -1);
}

static void t_session_hash(void **st)
{
    (void)st;
    uint8_t h[64];
    assert_int_equal(
        tls_session_hash(NULL, TLS_VERSION_1_2, "SHA384", (const uint8_t *)"abc", 3, h), 48);
    assert_int_equal(tls_session_hash(NULL, TLS_VERSION_1_0, NULL, (const uint8_t *)"abc", 3, h),
                     36);
    /* MD5("abc") then SHA1("abc") */
    expect_hex(h, "900150983cd24fb0d6963f7d28e17f72a9993e364706816aba3e25717850c26c9cd0d89d");
}

static void t_suite_table(void **st)
{
    (void)st;
    const tls_suite *s = tls_suite_find(0xC030);
    assert_non_null(s);
    assert_string_equal(s->iana, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    assert_string_equal(s->openssl, "ECDHE-RSA-AES256-GCM-SHA384");
    assert_true(s->sha384);
    assert_int_equal(s->kx, TLS_KX_ECDHE);
    assert_string_equal(tls_suite_openssl_name(0x002F), "AES128-SHA");
    assert_true(tls_kx_is_rsa(tls_suite_find(0x009C)->kx));
    assert_string_equal(tls_suite_name(0x00FF), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
    assert_null(tls_suite_name(0x1234));
    const tls_cipher_info *ci = tls_cipher_info_get(TLS_CIPHER_AES_128_CCM_8);
    assert_int_equal(ci->tag_len, 8);
    assert_int_equal(tls_cipher_info_get(TLS_CIPHER_CHACHA20_POLY1305)->fixed_iv_len, 12);
    assert_int_equal(tls_mac_len(TLS_MAC_SHA384), 48);
    assert_string_equal(tls_alert_name(43), "unsupported_certificate");
    assert_string_equal(tls_version_name(0x0301), "TLSv1");
    assert_string_equal(tls_hs_name(13), "CertificateRequest");
    assert_string_equal(tls_ext_name(0xff01), "renegotiation_info");
    assert_string_equal(tls_key_status_name(TLS_KEY_RSA_BUT_DHE), "rsa-key-but-dhe");
    /* every suite has a consistent cipher entry */
    for (unsigned id = 0; id < 0x10000; id++) {
        const tls_suite *x = tls_suite_find((uint16_t)id);
        if (!x)
            continue;
        const tls_cipher_info *xi = tls_cipher_info_get(x->cipher);
        assert_int_equal(xi->alg, x->cipher);
        if (x->cipher != TLS_CIPHER_UNSUPPORTED)
            assert_int_equal(x->mac == TLS_MAC_AEAD, xi->tag_len != 0);
    }
}

/* ---- against OpenSSL's KDFs ------------------------------------------------ */

/* xorshift64*: the same cases on every run, so a failure can be replayed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint32_t rnd(uint32_t below)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717u) >> 32) % below;
}

static void rnd_bytes(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)rnd(256);
}

/* OpenSSL's KDF name over digest with params (room left for the digest). */
static int oracle_kdf(const char *name, const char *digest, OSSL_PARAM *params, size_t n,
                      uint8_t *out, size_t outlen)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, name, NULL);
    EVP_KDF_CTX *k = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    params[n] = OSSL_PARAM_construct_end();
    int ok = k && EVP_KDF_derive(k, out, outlen, params) > 0;
    EVP_KDF_CTX_free(k);
    EVP_KDF_free(kdf);
    return ok ? 0 : -1;
}

static int oracle_prf(const char *digest, const uint8_t *secret, size_t secret_len,
                      const uint8_t *seed, size_t seed_len, uint8_t *out, size_t outlen)
{
    OSSL_PARAM p[4];
    p[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len);
    p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed, seed_len);
    return oracle_kdf("TLS1-PRF", digest, p, 2, out, outlen);
}

static int oracle_hkdf(const char *digest, const char *mode, const uint8_t *salt, size_t salt_len,
                       const uint8_t *key, size_t key_len, const uint8_t *info, size_t info_len,
                       uint8_t *out, size_t outlen)
{
    OSSL_PARAM p[6];
    size_t n = 0;
    p[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, (char *)mode, 0);
    p[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt_len)
        p[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (info_len)
        p[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    return oracle_kdf("HKDF", digest, p, n, out, outlen);
}

/* The library context the derivations run in: OpenSSL's default one, or
 * one of their own as amtdiag has (its HMAC pools then freed with it). */
static void prf_cases(OSSL_LIB_CTX *lib, uint16_t version, const char *digest, int rounds)
{
    uint8_t secret[301], s1[80], s2[80], seed[40 + 160], want[400], got[400];
    char label[41];
    int odd = 0, even = 0;
    for (int r = 0; r < rounds; r++) {
        /* pre-master (48), PSK and (EC)DH secrets of any size, master (48) */
        size_t secret_len = r < 4 ? (size_t)r : rnd(sizeof(secret));
        size_t ll = 1 + rnd(40), n1 = rnd(81), n2 = rnd(81), outlen = 1 + rnd(sizeof(want) - 1);
        int with_s2 = rnd(2);
        rnd_bytes(secret, secret_len);
        for (size_t i = 0; i < ll; i++)
            label[i] = (char)(' ' + rnd(95));
        label[ll] = 0;
        rnd_bytes(s1, n1);
        rnd_bytes(s2, n2);
        memcpy(seed, label, ll);
        memcpy(seed + ll, s1, n1);
        if (with_s2)
            memcpy(seed + ll + n1, s2, n2);
        size_t seed_len = ll + n1 + (with_s2 ? n2 : 0);
        assert_int_equal(oracle_prf(version >= TLS_VERSION_1_2 ? digest : "MD5-SHA1", secret,
                                    secret_len, seed, seed_len, want, outlen),
                         0);
        memset(got, 0xa5, sizeof(got));
        assert_int_equal(tls_prf(lib, version, digest, secret, secret_len, label, s1, n1,
                                 with_s2 ? s2 : NULL, n2, got, outlen),
                         0);
        if (memcmp(got, want, outlen) != 0)
            fail_msg("round %d: secret %zu, seed %zu, out %zu bytes differ", r, secret_len,
                     seed_len, outlen);
        /* nothing written past outlen */
        assert_int_equal(got[outlen], 0xa5);
        if (secret_len % 2)
            odd++;
        else
            even++;
    }
    assert_true(odd > 10 && even > 10);
}

static void hkdf_cases(OSSL_LIB_CTX *lib, const char *digest, size_t hl, int rounds)
{
    uint8_t salt[100], ikm[100], prk[64], want[255 * 64 + 1], got[255 * 64 + 1], info[300];
    for (int r = 0; r < rounds; r++) {
        /* Extract, with and without salt */
        size_t salt_len = r % 3 == 0 ? 0 : rnd(sizeof(salt)), ikm_len = rnd(sizeof(ikm));
        rnd_bytes(salt, salt_len);
        rnd_bytes(ikm, ikm_len);
        assert_int_equal(
            oracle_hkdf(digest, "EXTRACT_ONLY", salt, salt_len, ikm, ikm_len, NULL, 0, want, hl),
            0);
        assert_int_equal(
            tls_hkdf_extract(lib, digest, salt_len ? salt : NULL, salt_len, ikm, ikm_len, prk, hl),
            0);
        assert_memory_equal(prk, want, hl);
        /* Expand, with empty or any info, up to the longest output */
        size_t info_len = r % 4 == 0 ? 0 : rnd(sizeof(info));
        size_t outlen = r % 5 == 0 ? 255 * hl : 1 + rnd(r % 2 ? 255 * (uint32_t)hl : 100);
        rnd_bytes(info, info_len);
        assert_int_equal(
            oracle_hkdf(digest, "EXPAND_ONLY", NULL, 0, prk, hl, info, info_len, want, outlen), 0);
        memset(got, 0xa5, sizeof(got));
        assert_int_equal(
            tls_hkdf_expand(lib, digest, prk, hl, info_len ? info : NULL, info_len, got, outlen),
            0);
        if (memcmp(got, want, outlen) != 0)
            fail_msg("round %d: info %zu, out %zu bytes differ", r, info_len, outlen);
        assert_int_equal(got[outlen], 0xa5);
    }
    /* past 255 blocks both refuse; so does an Extract of another length */
    assert_int_not_equal(
        oracle_hkdf(digest, "EXPAND_ONLY", NULL, 0, prk, hl, info, 3, want, 255 * hl + 1), 0);
    assert_int_equal(tls_hkdf_expand(lib, digest, prk, hl, info, 3, got, 255 * hl + 1), -1);
    assert_int_equal(tls_hkdf_extract(lib, digest, salt, 5, ikm, 5, got, hl + 1), -1);
    assert_int_equal(tls_hkdf_extract(lib, digest, salt, 5, ikm, 5, got, hl - 1), -1);
}

static void t_prf_vs_openssl(void **st)
{
    (void)st;
    prf_cases(NULL, TLS_VERSION_1_0, NULL, 400);
    prf_cases(NULL, TLS_VERSION_1_1, NULL, 100);
    prf_cases(NULL, TLS_VERSION_1_2, "SHA256", 400);
    prf_cases(NULL, TLS_VERSION_1_2, "SHA384", 400);
    /* an unknown digest is an error, not a guess */
    uint8_t out[16];
    assert_int_equal(tls_prf(NULL, TLS_VERSION_1_2, "NO-SUCH-MD", out, 4, "x", out, 4, NULL, 0, out,
                             sizeof(out)),
                     -1);
}

static void t_hkdf_vs_openssl(void **st)
{
    (void)st;
    hkdf_cases(NULL, "SHA256", 32, 300);
    hkdf_cases(NULL, "SHA384", 48, 300);
}

static void t_kdf_own_libctx(void **st)
{
    (void)st;
    /* as amtdiag runs: its own library context, forgotten before freed */
    for (int i = 0; i < 2; i++) {
        OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();
        OSSL_PROVIDER *prov = OSSL_PROVIDER_load(lib, "default");
        assert_non_null(prov);
        prf_cases(lib, TLS_VERSION_1_0, NULL, 50);
        prf_cases(lib, TLS_VERSION_1_2, "SHA384", 50);
        hkdf_cases(lib, "SHA256", 32, 30);
        tls_fetch_forget(lib);
        OSSL_PROVIDER_unload(prov);
        OSSL_LIB_CTX_free(lib);
    }
}

static int forget_default(void **st)
{
    (void)st;
    tls_fetch_forget(NULL);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_prf_tls12_sha256), cmocka_unit_test(t_prf_tls10),
        cmocka_unit_test(t_hkdf_rfc5869_tc1), cmocka_unit_test(t_tls13_rfc8448),
        cmocka_unit_test(t_session_hash),     cmocka_unit_test(t_suite_table),
        cmocka_unit_test(t_prf_vs_openssl),   cmocka_unit_test(t_hkdf_vs_openssl),
        cmocka_unit_test(t_kdf_own_libctx),
    };
    return cmocka_run_group_tests(tests, NULL, forget_default);
}
