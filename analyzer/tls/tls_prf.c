/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Key derivation on OpenSSL's HMAC: the TLS PRF (RFC 5246 5; RFC 2246 5
 * for TLS 1.0/1.1) for master secrets and key blocks, SSL 3.0's MD5/SHA-1
 * construction (on OpenSSL's digests), HKDF (RFC 5869) for TLS 1.3 with
 * the HkdfLabel built here, and the session hash used by
 * extended_master_secret. Only the constructions over HMAC are written
 * here: OpenSSL's KDFs fetch their digest and HMAC on every derivation
 * (see tls_fetch.c), the HMAC contexts of tls_hmac.c have theirs set once.
 * Intermediate blocks are wiped. */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "tls/tls_int.h"

static const uint8_t no_bytes[1]; /* the key or data of length 0 */

/* Up to three pieces of a message, one after the other. */
typedef struct pieces {
    const uint8_t *p[3];
    size_t n[3];
} pieces;

/* Keys ctx (may be NULL) with key; returns the MAC's size, known once
 * keyed, or 0 on failure. */
static size_t hmac_key(EVP_MAC_CTX *ctx, const uint8_t *key, size_t len)
{
    if (!ctx || !EVP_MAC_init(ctx, len ? key : no_bytes, len, NULL))
        return 0;
    size_t hl = EVP_MAC_CTX_get_mac_size(ctx);
    return hl <= EVP_MAX_MD_SIZE ? hl : 0;
}

/* One HMAC under the key ctx holds: restarts it with that key, hashes a
 * (alen bytes, may be 0) then the pieces, into out (the digest's size). */
static int hmac_once(EVP_MAC_CTX *ctx, const uint8_t *a, size_t alen, const pieces *m, uint8_t *out)
{
    size_t len = 0;
    if (!EVP_MAC_init(ctx, NULL, 0, NULL) || (alen && !EVP_MAC_update(ctx, a, alen)))
        return 0;
    for (int i = 0; i < 3; i++)
        if (m->n[i] && !EVP_MAC_update(ctx, m->p[i], m->n[i]))
            return 0;
    return EVP_MAC_final(ctx, out, &len, EVP_MAX_MD_SIZE);
}

/* P_hash(secret, seed) XORed into out (RFC 5246 5):
 * A(0) = seed, A(i) = HMAC(secret, A(i-1)),
 * P_hash = HMAC(secret, A(1) || seed) || HMAC(secret, A(2) || seed) || ... */
static int p_hash_xor(OSSL_LIB_CTX *lib, const char *digest, const uint8_t *secret,
                      size_t secret_len, const pieces *seed, uint8_t *out, size_t outlen)
{
    EVP_MAC_CTX *ctx = tls_hmac_take(lib, digest);
    size_t hl = hmac_key(ctx, secret, secret_len);
    uint8_t a[EVP_MAX_MD_SIZE], block[EVP_MAX_MD_SIZE];
    int ok = hl && hmac_once(ctx, NULL, 0, seed, a);
    static const pieces nothing;
    for (size_t done = 0; ok && done < outlen;) {
        ok = hmac_once(ctx, a, hl, seed, block);
        size_t n = outlen - done < hl ? outlen - done : hl;
        for (size_t i = 0; ok && i < n; i++)
            out[done + i] ^= block[i];
        done += n;
        if (ok && done < outlen)
            ok = hmac_once(ctx, a, hl, &nothing, a);
    }
    OPENSSL_cleanse(a, sizeof(a));
    OPENSSL_cleanse(block, sizeof(block));
    tls_hmac_give(lib, digest, ctx);
    return ok;
}

int tls_prf(OSSL_LIB_CTX *lib, uint16_t version, const char *digest, const uint8_t *secret,
            size_t secret_len, const char *label, const uint8_t *s1, size_t n1, const uint8_t *s2,
            size_t n2, uint8_t *out, size_t outlen)
{
    if (!outlen)
        return -1;
    pieces seed = {{(const uint8_t *)label, s1, s2}, {strlen(label), n1, s2 ? n2 : 0}};
    memset(out, 0, outlen);
    int ok;
    if (version >= TLS_VERSION_1_2) {
        ok = p_hash_xor(lib, digest, secret, secret_len, &seed, out, outlen);
    } else {
        /* TLS 1.0/1.1: P_MD5 on the secret's first half XOR P_SHA1 on its
         * second half; with an odd length the halves share the middle byte. */
        size_t half = (secret_len + 1) / 2;
        const uint8_t *second = half ? secret + (secret_len - half) : secret;
        ok = p_hash_xor(lib, "MD5", secret, half, &seed, out, outlen) &&
             p_hash_xor(lib, "SHA1", second, half, &seed, out, outlen);
    }
    if (!ok)
        OPENSSL_cleanse(out, outlen);
    return ok ? 0 : -1;
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

int tls_hkdf_extract(OSSL_LIB_CTX *lib, const char *digest, const uint8_t *salt, size_t salt_len,
                     const uint8_t *ikm, size_t ikm_len, uint8_t *out, size_t outlen)
{
    /* PRK = HMAC(salt, IKM). An absent salt is HashLen zeros (RFC 5869
     * 2.2): as an HMAC key, padded with zeros to the block, the same as an
     * empty one. */
    EVP_MAC_CTX *ctx = tls_hmac_take(lib, digest);
    size_t hl = hmac_key(ctx, salt, salt_len);
    pieces m = {{ikm}, {ikm_len}};
    int ok = hl && outlen == hl && hmac_once(ctx, NULL, 0, &m, out);
    tls_hmac_give(lib, digest, ctx);
    if (!ok && outlen == hl)
        OPENSSL_cleanse(out, outlen);
    return ok ? 0 : -1;
}

int tls_hkdf_expand(OSSL_LIB_CTX *lib, const char *digest, const uint8_t *prk, size_t prk_len,
                    const uint8_t *info, size_t info_len, uint8_t *out, size_t outlen)
{
    /* T(0) = empty, T(i) = HMAC(PRK, T(i-1) || info || i), for at most
     * 255 blocks (RFC 5869 2.3). */
    EVP_MAC_CTX *ctx = tls_hmac_take(lib, digest);
    size_t hl = hmac_key(ctx, prk, prk_len);
    uint8_t t[EVP_MAX_MD_SIZE], i = 0;
    pieces m = {{info, &i}, {info ? info_len : 0, 1}};
    int ok = hl && outlen > 0 && outlen <= 255 * hl;
    for (size_t done = 0; ok && done < outlen;) {
        i++;
        ok = hmac_once(ctx, t, i > 1 ? hl : 0, &m, t);
        size_t n = outlen - done < hl ? outlen - done : hl;
        memcpy(out + done, t, n);
        done += n;
    }
    OPENSSL_cleanse(t, sizeof(t));
    tls_hmac_give(lib, digest, ctx);
    if (!ok)
        OPENSSL_cleanse(out, outlen);
    return ok ? 0 : -1;
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
