/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Key derivation against published vectors: the TLS 1.2 PRF (SHA-256)
 * vector from the IETF TLS list, the TLS 1.0 PRF (MD5/SHA-1 split, the
 * value checked with Python's hmac module), RFC 5869 HKDF test case 1, and
 * RFC 8448 section 3 (simple 1-RTT handshake) for the TLS 1.3 schedule:
 * early secret, Derive-Secret "derived", and the handshake traffic
 * keys/IVs from the secrets given there. Also the suite table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_prf_tls12_sha256), cmocka_unit_test(t_prf_tls10),
        cmocka_unit_test(t_hkdf_rfc5869_tc1), cmocka_unit_test(t_tls13_rfc8448),
        cmocka_unit_test(t_session_hash),     cmocka_unit_test(t_suite_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
