/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Key derivation through OpenSSL's KDFs: the TLS PRF (EVP_KDF "TLS1-PRF")
 * for TLS 1.0-1.2 master secrets and key blocks, SSL 3.0's MD5/SHA-1
 * construction (built on OpenSSL's digests), HKDF (EVP_KDF "HKDF") for
 * TLS 1.3 with the HkdfLabel built here, and the session hash used by
 * extended_master_secret. No primitive is implemented by hand. */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include "tls/tls_int.h"

/* Derives with KDF name over digest; params hold the other parameters,
 * with room for the digest at the end. */
static int kdf_run(OSSL_LIB_CTX *lib, const char *name, const char *digest, OSSL_PARAM *params,
                   uint8_t *out, size_t outlen)
{
    EVP_KDF *kdf = tls_fetch_kdf(lib, name);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    EVP_KDF_free(kdf);
    if (!kctx)
        return -1;
    size_t n = 0;
    while (params[n].key)
        n++;
    params[n] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    params[n + 1] = OSSL_PARAM_construct_end();
    int ok = EVP_KDF_derive(kctx, out, outlen, params) > 0;
    EVP_KDF_CTX_free(kctx);
    return ok ? 0 : -1;
}

int tls_prf(OSSL_LIB_CTX *lib, uint16_t version, const char *digest, const uint8_t *secret,
            size_t secret_len, const char *label, const uint8_t *s1, size_t n1, const uint8_t *s2,
            size_t n2, uint8_t *out, size_t outlen)
{
    /* TLS 1.0 and 1.1 split the secret between P_MD5 and P_SHA1; OpenSSL's
     * TLS1-PRF does exactly that for the "MD5-SHA1" digest. */
    const char *md = version >= TLS_VERSION_1_2 ? digest : "MD5-SHA1";
    OSSL_PARAM params[8]; /* and the digest, added by kdf_run */
    size_t i = 0;
    params[i++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len);
    /* Several seed parameters are concatenated: label || s1 || s2. */
    params[i++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)label, strlen(label));
    if (n1)
        params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)s1, n1);
    if (s2 && n2)
        params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)s2, n2);
    params[i] = OSSL_PARAM_construct_end();
    return kdf_run(lib, "TLS1-PRF", md, params, out, outlen);
}

int tls_ssl3_prf(OSSL_LIB_CTX *lib, const uint8_t *secret, size_t secret_len, const uint8_t s1[32],
                 const uint8_t s2[32], uint8_t *out, size_t outlen)
{
    /* SSL 3.0 (RFC 6101 6.1, 6.2.2): block i is
     * MD5(secret || SHA1(label_i || secret || s1 || s2)), label_i being
     * 'A', 'BB', 'CCC', ... OpenSSL has no KDF for it; the digests are
     * its own. */
    EVP_MD *md5 = tls_fetch_md(lib, "MD5");
    EVP_MD *sha1 = tls_fetch_md(lib, "SHA1");
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    int ok = md5 && sha1 && x && outlen <= 26 * 16;
    uint8_t label[26], sha[20], block[16];
    for (size_t i = 0, done = 0; ok && done < outlen; i++) {
        memset(label, 'A' + (int)i, i + 1);
        ok = EVP_DigestInit_ex2(x, sha1, NULL) && EVP_DigestUpdate(x, label, i + 1) &&
             EVP_DigestUpdate(x, secret, secret_len) && EVP_DigestUpdate(x, s1, 32) &&
             EVP_DigestUpdate(x, s2, 32) && EVP_DigestFinal_ex(x, sha, NULL) &&
             EVP_DigestInit_ex2(x, md5, NULL) && EVP_DigestUpdate(x, secret, secret_len) &&
             EVP_DigestUpdate(x, sha, sizeof(sha)) && EVP_DigestFinal_ex(x, block, NULL);
        size_t n = outlen - done < 16 ? outlen - done : 16;
        memcpy(out + done, block, n);
        done += n;
    }
    OPENSSL_cleanse(sha, sizeof(sha));
    OPENSSL_cleanse(block, sizeof(block));
    EVP_MD_CTX_free(x);
    EVP_MD_free(md5);
    EVP_MD_free(sha1);
    return ok ? 0 : -1;
}

static int hkdf(OSSL_LIB_CTX *lib, const char *digest, const char *mode, const uint8_t *salt,
                size_t salt_len, const uint8_t *key, size_t key_len, const uint8_t *info,
                size_t info_len, uint8_t *out, size_t outlen)
{
    OSSL_PARAM params[8]; /* and the digest, added by kdf_run */
    size_t i = 0;
    params[i++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, (char *)mode, 0);
    params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt)
        params[i++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (info)
        params[i++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    params[i] = OSSL_PARAM_construct_end();
    return kdf_run(lib, "HKDF", digest, params, out, outlen);
}

int tls_hkdf_extract(OSSL_LIB_CTX *lib, const char *digest, const uint8_t *salt, size_t salt_len,
                     const uint8_t *ikm, size_t ikm_len, uint8_t *out, size_t outlen)
{
    /* An absent salt is HashLen zeros (RFC 5869); OpenSSL does the same
     * when the parameter is left out. */
    return hkdf(lib, digest, "EXTRACT_ONLY", salt_len ? salt : NULL, salt_len, ikm, ikm_len, NULL,
                0, out, outlen);
}

int tls_hkdf_expand(OSSL_LIB_CTX *lib, const char *digest, const uint8_t *prk, size_t prk_len,
                    const uint8_t *info, size_t info_len, uint8_t *out, size_t outlen)
{
    static const uint8_t none[1];
    return hkdf(lib, digest, "EXPAND_ONLY", NULL, 0, prk, prk_len, info ? info : none, info_len,
                out, outlen);
}

int tls13_expand_label(OSSL_LIB_CTX *lib, const char *digest, const uint8_t *secret,
                       size_t secret_len, const char *label, const uint8_t *context,
                       size_t context_len, uint8_t *out, size_t outlen)
{
    /* struct { uint16 length; opaque label<7..255> = "tls13 " + Label;
     *          opaque context<0..255>; } HkdfLabel; */
    static const char prefix[] = "tls13 ";
    size_t llen = strlen(label);
    if (outlen > 0xffff || llen + 6 > 255 || context_len > 255)
        return -1;
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t n = 0;
    tls_put_u16(info, (unsigned)outlen);
    n = 2;
    info[n++] = (uint8_t)(6 + llen);
    memcpy(info + n, prefix, 6);
    n += 6;
    memcpy(info + n, label, llen);
    n += llen;
    info[n++] = (uint8_t)context_len;
    if (context_len)
        memcpy(info + n, context, context_len);
    n += context_len;
    return tls_hkdf_expand(lib, digest, secret, secret_len, info, n, out, outlen);
}

size_t tls_session_hash(OSSL_LIB_CTX *lib, uint16_t version, const char *digest,
                        const uint8_t *data, size_t len, uint8_t out[64])
{
    unsigned int n = 0;
    if (version >= TLS_VERSION_1_2) {
        EVP_MD *md = tls_fetch_md(lib, digest);
        int ok = md && EVP_Digest(data, len, out, &n, md, NULL);
        EVP_MD_free(md);
        return ok ? n : 0;
    }
    /* TLS 1.0/1.1: MD5(handshake) || SHA1(handshake), RFC 7627 section 3. */
    EVP_MD *md5 = tls_fetch_md(lib, "MD5");
    EVP_MD *sha1 = tls_fetch_md(lib, "SHA1");
    unsigned int n2 = 0;
    int ok = md5 && sha1 && EVP_Digest(data, len, out, &n, md5, NULL) &&
             EVP_Digest(data, len, out + n, &n2, sha1, NULL);
    EVP_MD_free(md5);
    EVP_MD_free(sha1);
    return ok ? n + n2 : 0;
}
