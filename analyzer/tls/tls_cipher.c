/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Record protection, read side: one decryption state per direction, built
 * from key block material (TLS <= 1.2) or a traffic secret (TLS 1.3), that
 * opens records with OpenSSL's EVP ciphers and HMAC (EVP_MAC), or SSL
 * 3.0's digest MAC: MAC-then-encrypt CBC (implicit IV in SSL 3.0 and TLS
 * 1.0, explicit after; SSL 3.0 padding of any content), CBC with
 * encrypt_then_mac, RC4 and NULL stream ciphers, and the AEADs (GCM, CCM,
 * CCM_8, ChaCha20-Poly1305) with their TLS 1.2 and TLS 1.3 nonces. MAC
 * comparison need not be constant time here (we are not a server), but every
 * MAC, padding or tag failure is detected and returned. */
#include <limits.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include "tls/tls_int.h"

struct tls_cipher_state {
    const tls_suite *suite;
    const tls_cipher_info *ci;
    uint16_t version;
    int etm;
    int tls13;
    EVP_CIPHER *cipher;
    EVP_CIPHER_CTX *ctx;
    EVP_MAC_CTX *mctx;
    EVP_MD *ssl3_md; /* SSL 3.0's MAC is not HMAC: the digest alone */
    const char *mac_md;
    size_t mac_len;
    uint8_t key[32];
    uint8_t iv[16];
    uint8_t mac_key[48];
    uint64_t seq;
    /* GCM: the tag and the nonce's last 8 bytes of each record, set in one
     * call (see gcm_prepare) */
    int gcm_params_ok;
    OSSL_PARAM gcm_params[3];
};

void tls_cipher_free(tls_cipher_state *cs)
{
    if (!cs)
        return;
    EVP_CIPHER_CTX_free(cs->ctx); /* cleanses the expanded key */
    EVP_CIPHER_free(cs->cipher);
    EVP_MAC_CTX_free(cs->mctx);
    EVP_MD_free(cs->ssl3_md);
    OPENSSL_cleanse(cs, sizeof(*cs));
    g_free(cs);
}

/* GCM's nonce is 4 bytes fixed for the key (the TLS 1.2 salt; the first 4
 * bytes of the TLS 1.3 IV) and 8 that change per record (the explicit
 * nonce; the IV's last 8 XOR the sequence number). Setting the fixed part
 * once lets each record set the rest and its tag in a single parameter
 * call: a new IV through EVP_DecryptInit_ex2 and the tag through
 * EVP_CIPHER_CTX_ctrl each went through OpenSSL's parameter lookups
 * (string compares) several times per record, which cost about a fifth of
 * the AES itself on records of a TCP segment. A provider without these
 * parameters leaves the general path in use. */
static void gcm_prepare(tls_cipher_state *cs)
{
    OSSL_PARAM fixed[2] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_IV_FIXED, cs->iv, 4),
        OSSL_PARAM_construct_end(),
    };
    if (!EVP_CIPHER_CTX_set_params(cs->ctx, fixed))
        return;
    /* data pointers are set per record */
    cs->gcm_params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, NULL, 0);
    cs->gcm_params[1] =
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV, NULL, 0);
    cs->gcm_params[2] = OSSL_PARAM_construct_end();
    cs->gcm_params_ok = 1;
}

tls_cipher_state *tls_cipher_new(OSSL_LIB_CTX *lib, const tls_suite *s, uint16_t version, int etm,
                                 const uint8_t *key, const uint8_t *iv, const uint8_t *mac_key,
                                 char *err, size_t errlen)
{
    const tls_cipher_info *ci = tls_cipher_info_get(s->cipher);
    if (s->cipher == TLS_CIPHER_UNSUPPORTED) {
        snprintf(err, errlen, "unsupported suite %s (amtdiag has no decryption for its cipher)",
                 s->iana);
        return NULL;
    }
    tls_cipher_state *cs = g_new0(tls_cipher_state, 1);
    cs->suite = s;
    cs->ci = ci;
    cs->version = version;
    cs->tls13 = version >= TLS_VERSION_1_3;
    cs->etm = etm && ci->mode == TLS_MODE_CBC && !cs->tls13;
    memcpy(cs->key, key, ci->key_len);
    memcpy(cs->iv, iv, cs->tls13 ? 12 : ci->fixed_iv_len);
    if (ci->evp_name) {
        cs->cipher = tls_fetch_cipher(lib, ci->evp_name);
        if (!cs->cipher) {
            snprintf(err, errlen, "unsupported suite %s (%s)", s->iana,
                     ci->legacy ? "OpenSSL legacy provider unavailable"
                                : "cipher not available in OpenSSL");
            tls_cipher_free(cs);
            return NULL;
        }
        cs->ctx = EVP_CIPHER_CTX_new();
        /* Keyed once: a stream cipher's state runs across records, and
         * CBC, GCM and ChaCha20-Poly1305 records then set only their IV
         * (the key schedule is not redone per record). CCM wants the tag
         * before the key, so its records are set up whole. */
        int keyed = ci->mode == TLS_MODE_STREAM || ci->mode == TLS_MODE_CBC;
        int aead = ci->mode == TLS_MODE_GCM || ci->mode == TLS_MODE_CHACHA;
        if (!cs->ctx || (keyed && !EVP_DecryptInit_ex2(cs->ctx, cs->cipher, cs->key, NULL, NULL)) ||
            (aead && (!EVP_DecryptInit_ex2(cs->ctx, cs->cipher, NULL, NULL, NULL) ||
                      !EVP_CIPHER_CTX_ctrl(cs->ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) ||
                      !EVP_DecryptInit_ex2(cs->ctx, NULL, cs->key, NULL, NULL)))) {
            snprintf(err, errlen, "cannot set up %s", ci->evp_name);
            tls_cipher_free(cs);
            return NULL;
        }
        if (ci->mode == TLS_MODE_GCM)
            gcm_prepare(cs);
    }
    if (!cs->tls13 && s->mac != TLS_MAC_AEAD) {
        cs->mac_md = tls_mac_digest(s->mac);
        cs->mac_len = tls_mac_len(s->mac);
        memcpy(cs->mac_key, mac_key, cs->mac_len);
        if (version == TLS_VERSION_SSL3) {
            cs->ssl3_md = tls_fetch_md(lib, cs->mac_md);
        } else {
            /* Keyed once; each record restarts it with the same key. A
             * copy of a pooled context: a new one would fetch the digest. */
            EVP_MAC_CTX *pooled = tls_hmac_take(lib, cs->mac_md);
            if (pooled && EVP_MAC_init(pooled, cs->mac_key, cs->mac_len, NULL))
                cs->mctx = EVP_MAC_CTX_dup(pooled);
            tls_hmac_give(lib, cs->mac_md, pooled);
        }
        if (!cs->mctx && !cs->ssl3_md) {
            snprintf(err, errlen, "HMAC not available in OpenSSL");
            tls_cipher_free(cs);
            return NULL;
        }
    }
    return cs;
}

size_t tls_cipher_tag_len(const tls_cipher_state *cs)
{
    return cs ? cs->ci->tag_len : 16;
}

/* SSL 3.0 (RFC 6101 5.2.3.1): hash(secret || pad_2 || hash(secret ||
 * pad_1 || seq || type || length || data)), the pads 48 bytes for MD5
 * and 40 for SHA-1. */
static int ssl3_mac(tls_cipher_state *cs, uint8_t type, const uint8_t *data, size_t len,
                    uint8_t *out)
{
    uint8_t pad1[48], pad2[48], hdr[11], inner[64];
    size_t pl = cs->mac_len == 16 ? 48 : 40;
    memset(pad1, 0x36, sizeof(pad1));
    memset(pad2, 0x5c, sizeof(pad2));
    tls_put_u64(hdr, cs->seq);
    hdr[8] = type;
    tls_put_u16(hdr + 9, (unsigned)len);
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    unsigned int il = 0, ol = 0;
    int ok = x && EVP_DigestInit_ex2(x, cs->ssl3_md, NULL) &&
             EVP_DigestUpdate(x, cs->mac_key, cs->mac_len) && EVP_DigestUpdate(x, pad1, pl) &&
             EVP_DigestUpdate(x, hdr, sizeof(hdr)) && EVP_DigestUpdate(x, data, len) &&
             EVP_DigestFinal_ex(x, inner, &il) && EVP_DigestInit_ex2(x, cs->ssl3_md, NULL) &&
             EVP_DigestUpdate(x, cs->mac_key, cs->mac_len) && EVP_DigestUpdate(x, pad2, pl) &&
             EVP_DigestUpdate(x, inner, il) && EVP_DigestFinal_ex(x, out, &ol) && ol == cs->mac_len;
    EVP_MD_CTX_free(x);
    OPENSSL_cleanse(inner, sizeof(inner));
    return ok ? 0 : -1;
}

/* HMAC(mac_key, seq || type || version || length || data). */
static int record_mac(tls_cipher_state *cs, uint8_t type, uint16_t version, const uint8_t *data,
                      size_t len, uint8_t *out)
{
    if (cs->ssl3_md)
        return ssl3_mac(cs, type, data, len, out);
    uint8_t hdr[13];
    tls_put_u64(hdr, cs->seq);
    hdr[8] = type;
    tls_put_u16(hdr + 9, version);
    tls_put_u16(hdr + 11, (unsigned)len);
    size_t outl = 0;
    if (!EVP_MAC_init(cs->mctx, NULL, 0, NULL) || !EVP_MAC_update(cs->mctx, hdr, sizeof(hdr)) ||
        !EVP_MAC_update(cs->mctx, data, len) || !EVP_MAC_final(cs->mctx, out, &outl, 64) ||
        outl != cs->mac_len)
        return -1;
    return 0;
}

static int mac_ok(tls_cipher_state *cs, uint8_t type, uint16_t version, const uint8_t *data,
                  size_t len, const uint8_t *expect)
{
    uint8_t m[64];
    if (record_mac(cs, type, version, data, len, m) < 0)
        return 0;
    int ok = CRYPTO_memcmp(m, expect, cs->mac_len) == 0;
    OPENSSL_cleanse(m, sizeof(m));
    return ok;
}

static int cbc_run(tls_cipher_state *cs, const uint8_t *iv, const uint8_t *in, size_t len,
                   uint8_t *out)
{
    int outl = 0, fin = 0;
    if (!EVP_DecryptInit_ex2(cs->ctx, NULL, NULL, iv, NULL) ||
        !EVP_CIPHER_CTX_set_padding(cs->ctx, 0) ||
        !EVP_DecryptUpdate(cs->ctx, out, &outl, in, (int)len) ||
        !EVP_DecryptFinal_ex(cs->ctx, out + outl, &fin))
        return -1;
    return (size_t)(outl + fin) == len ? 0 : -1;
}

/* CBC: explicit IV from TLS 1.1, chained IV in TLS 1.0; then the TLS
 * padding (every padding byte holds the padding length). Returns the
 * length before padding, or a TLS_DEC_* error. */
static long cbc_open(tls_cipher_state *cs, const uint8_t *in, size_t len, uint8_t *out,
                     size_t min_plain)
{
    size_t bl = cs->ci->block_len;
    const uint8_t *iv = cs->iv;
    if (cs->version >= TLS_VERSION_1_1) {
        if (len < bl)
            return TLS_DEC_MALFORMED;
        iv = in;
        in += bl;
        len -= bl;
    }
    if (len == 0 || len % bl || len < min_plain + 1)
        return TLS_DEC_MALFORMED;
    if (cbc_run(cs, iv, in, len, out) < 0)
        return TLS_DEC_BAD_MAC;
    if (cs->version < TLS_VERSION_1_1)
        memcpy(cs->iv, in + len - bl, bl); /* the next record's IV */
    size_t pad = out[len - 1];
    if (pad + 1 > len - min_plain)
        return TLS_DEC_BAD_MAC;
    if (cs->version == TLS_VERSION_SSL3)
        /* SSL 3.0: the padding bytes are arbitrary; only its length,
         * shorter than a block, is checked (the MAC does the rest). */
        return pad < bl ? (long)(len - pad - 1) : TLS_DEC_BAD_MAC;
    for (size_t i = 0; i <= pad; i++)
        if (out[len - 1 - i] != pad)
            return TLS_DEC_BAD_MAC;
    return (long)(len - pad - 1);
}

static int open_block_or_stream(tls_cipher_state *cs, uint8_t type, uint16_t version,
                                const uint8_t *in, size_t len, uint8_t *out, size_t *out_len)
{
    size_t ml = cs->mac_len;
    if (cs->etm) {
        /* encrypt_then_mac (RFC 7366): the MAC covers IV and ciphertext. */
        if (len < ml)
            return TLS_DEC_MALFORMED;
        size_t body = len - ml;
        if (!mac_ok(cs, type, version, in, body, in + body))
            return TLS_DEC_BAD_MAC;
        long n = cbc_open(cs, in, body, out, 0);
        if (n < 0)
            return (int)n;
        *out_len = (size_t)n;
        return TLS_DEC_OK;
    }
    size_t n;
    if (cs->ci->mode == TLS_MODE_CBC) {
        long r = cbc_open(cs, in, len, out, ml);
        if (r < 0)
            return (int)r;
        n = (size_t)r;
    } else {
        if (len < ml)
            return TLS_DEC_MALFORMED;
        int outl = 0;
        if (!cs->cipher)
            memcpy(out, in, len);
        else if (!EVP_DecryptUpdate(cs->ctx, out, &outl, in, (int)len) || (size_t)outl != len)
            return TLS_DEC_BAD_MAC;
        n = len;
    }
    if (n < ml)
        return TLS_DEC_BAD_MAC;
    n -= ml;
    if (!mac_ok(cs, type, version, out, n, out + n))
        return TLS_DEC_BAD_MAC;
    *out_len = n;
    return TLS_DEC_OK;
}

static int aead_run(tls_cipher_state *cs, const uint8_t nonce[12], const uint8_t *aad,
                    size_t aadlen, const uint8_t *ct, size_t ctlen, const uint8_t *tag,
                    uint8_t *out)
{
    size_t tl = cs->ci->tag_len;
    int outl = 0, fin = 0;
    EVP_CIPHER_CTX *x = cs->ctx;
    if (cs->ci->mode == TLS_MODE_CCM) {
        if (!EVP_DecryptInit_ex2(x, cs->cipher, NULL, NULL, NULL) ||
            !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL))
            return -1;
        /* CCM wants the tag and the total length before any data. */
        if (!EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, (int)tl, (void *)tag) ||
            !EVP_DecryptInit_ex2(x, NULL, cs->key, nonce, NULL) ||
            !EVP_DecryptUpdate(x, NULL, &outl, NULL, (int)ctlen) ||
            !EVP_DecryptUpdate(x, NULL, &outl, aad, (int)aadlen))
            return -1;
        /* The tag is verified by this last update. */
        return EVP_DecryptUpdate(x, out, &outl, ct, (int)ctlen) > 0 ? 0 : -1;
    }
    if (cs->gcm_params_ok) {
        /* the fixed part of the nonce is set (gcm_prepare) */
        cs->gcm_params[0].data = (void *)tag;
        cs->gcm_params[0].data_size = tl;
        cs->gcm_params[1].data = (void *)(nonce + 4);
        cs->gcm_params[1].data_size = 8;
        if (!EVP_CIPHER_CTX_set_params(x, cs->gcm_params) ||
            !EVP_DecryptUpdate(x, NULL, &outl, aad, (int)aadlen) ||
            (ctlen && !EVP_DecryptUpdate(x, out, &outl, ct, (int)ctlen)))
            return -1;
        return EVP_DecryptFinal_ex(x, out + outl, &fin) > 0 ? 0 : -1;
    }
    /* keyed in tls_cipher_new: only the nonce changes */
    if (!EVP_DecryptInit_ex2(x, NULL, NULL, nonce, NULL) ||
        !EVP_DecryptUpdate(x, NULL, &outl, aad, (int)aadlen) ||
        (ctlen && !EVP_DecryptUpdate(x, out, &outl, ct, (int)ctlen)) ||
        !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, (int)tl, (void *)tag))
        return -1;
    return EVP_DecryptFinal_ex(x, out + outl, &fin) > 0 ? 0 : -1;
}

/* A TLS 1.2 AES-GCM record (explicit nonce || ciphertext || tag) through
 * OpenSSL's TLS record mode: the 13 bytes of additional data in one
 * parameter, then one EVP_Cipher call sets the nonce from the record,
 * decrypts and checks the tag — instead of a parameter call, two updates
 * and a final, each through the provider's dispatch. The mode works in
 * place, so the record is copied to out first; the plaintext is then moved
 * to out's start. */
static int gcm12_open(tls_cipher_state *cs, uint8_t type, uint16_t version, const uint8_t *in,
                      size_t len, uint8_t *out, size_t *out_len)
{
    uint8_t aad[13];
    tls_put_u64(aad, cs->seq);
    aad[8] = type;
    tls_put_u16(aad + 9, version);
    tls_put_u16(aad + 11, (unsigned)len); /* OpenSSL takes the nonce and tag off */
    OSSL_PARAM p[2] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_AAD, aad, sizeof aad),
        OSSL_PARAM_construct_end(),
    };
    if (len > INT_MAX || !EVP_CIPHER_CTX_set_params(cs->ctx, p))
        return TLS_DEC_BAD_MAC;
    memcpy(out, in, len);
    if (EVP_Cipher(cs->ctx, out, out, (unsigned)len) <= 0)
        return TLS_DEC_BAD_MAC;
    size_t n = len - 8 - 16;
    memmove(out, out + 8, n);
    OPENSSL_cleanse(out + n, len - n); /* plaintext's tail left behind */
    *out_len = n;
    return TLS_DEC_OK;
}

static int open_aead(tls_cipher_state *cs, uint8_t type, uint16_t version, const uint8_t *in,
                     size_t len, uint8_t *out, size_t *out_len, uint8_t *inner_type)
{
    const tls_cipher_info *ci = cs->ci;
    size_t tl = ci->tag_len;
    size_t expl = cs->tls13 || ci->mode == TLS_MODE_CHACHA ? 0 : ci->explicit_len;
    if (len < expl + tl)
        return TLS_DEC_MALFORMED;
    size_t ctlen = len - expl - tl;
    if (expl == 8 && tl == 16 && ci->mode == TLS_MODE_GCM && cs->gcm_params_ok)
        return gcm12_open(cs, type, version, in, len, out, out_len);
    uint8_t nonce[12], aad[13];
    size_t aadlen;
    if (expl) {
        /* TLS 1.2 GCM/CCM (RFC 5288, 6655): salt from the key block and
         * the explicit part sent in the record. */
        memcpy(nonce, cs->iv, 4);
        memcpy(nonce + 4, in, 8);
    } else {
        /* TLS 1.3 and ChaCha20 in TLS 1.2 (RFC 7905): IV XOR sequence. */
        uint8_t s[8];
        tls_put_u64(s, cs->seq);
        memcpy(nonce, cs->iv, 12);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= s[i];
    }
    if (cs->tls13) {
        /* The additional data is the record header as sent. */
        aad[0] = type;
        tls_put_u16(aad + 1, version);
        tls_put_u16(aad + 3, (unsigned)len);
        aadlen = 5;
    } else {
        tls_put_u64(aad, cs->seq);
        aad[8] = type;
        tls_put_u16(aad + 9, version);
        tls_put_u16(aad + 11, (unsigned)ctlen);
        aadlen = 13;
    }
    if (aead_run(cs, nonce, aad, aadlen, in + expl, ctlen, in + expl + ctlen, out) < 0)
        return TLS_DEC_BAD_MAC;
    if (cs->tls13) {
        /* TLSInnerPlaintext: content || type || zeros. */
        size_t i = ctlen;
        while (i > 0 && out[i - 1] == 0)
            i--;
        if (i == 0)
            return TLS_DEC_MALFORMED;
        *inner_type = out[i - 1];
        *out_len = i - 1;
    } else {
        *out_len = ctlen;
    }
    return TLS_DEC_OK;
}

int tls_cipher_decrypt(tls_cipher_state *cs, uint8_t type, uint16_t version, const uint8_t *in,
                       size_t len, uint8_t *out, size_t *out_len, uint8_t *inner_type)
{
    *out_len = 0;
    *inner_type = type;
    int r;
    if (cs->ci->mode == TLS_MODE_GCM || cs->ci->mode == TLS_MODE_CCM ||
        cs->ci->mode == TLS_MODE_CHACHA)
        r = open_aead(cs, type, version, in, len, out, out_len, inner_type);
    else
        r = open_block_or_stream(cs, type, version, in, len, out, out_len);
    if (r == TLS_DEC_OK)
        cs->seq++;
    return r;
}

tls_cipher_state *tls13_cipher_from_secret(OSSL_LIB_CTX *lib, const tls_suite *s,
                                           const uint8_t *secret, size_t len, char *err,
                                           size_t errlen)
{
    const tls_cipher_info *ci = tls_cipher_info_get(s->cipher);
    const char *md = s->sha384 ? "SHA384" : "SHA256";
    uint8_t key[32], iv[12];
    if (tls13_expand_label(lib, md, secret, len, "key", NULL, 0, key, ci->key_len) < 0 ||
        tls13_expand_label(lib, md, secret, len, "iv", NULL, 0, iv, sizeof(iv)) < 0) {
        snprintf(err, errlen, "HKDF failed");
        return NULL;
    }
    tls_cipher_state *cs = tls_cipher_new(lib, s, TLS_VERSION_1_3, 0, key, iv, NULL, err, errlen);
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(iv, sizeof(iv));
    return cs;
}

int tls13_update_secret(OSSL_LIB_CTX *lib, const tls_suite *s, uint8_t *secret, size_t len)
{
    uint8_t next[64];
    const char *md = s->sha384 ? "SHA384" : "SHA256";
    if (len > sizeof(next) ||
        tls13_expand_label(lib, md, secret, len, "traffic upd", NULL, 0, next, len) < 0)
        return -1;
    memcpy(secret, next, len);
    OPENSSL_cleanse(next, sizeof(next));
    return 0;
}
