/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The server's RSA private key: reading its file (tls_keyfile.c decodes
 * it) with a precise message about what is wrong with it, checking it
 * against the server certificate, and decrypting a static-RSA pre-master
 * secret with it. Messages name the file but never
 * hold key material or the password. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/bn.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/core_names.h>
#include "tls/tls_int.h"

#define MAX_KEY_FILE (1u << 20)

static int read_file(const char *path, uint8_t **data, size_t *len, amt_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        amt_fail(e, AMT_E_INPUT, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    uint8_t *buf = g_malloc(MAX_KEY_FILE + 1);
    size_t n = fread(buf, 1, MAX_KEY_FILE + 1, f);
    int rerr = ferror(f);
    fclose(f);
    if (rerr || n > MAX_KEY_FILE || n == 0) {
        amt_fail(e, AMT_E_INPUT, "%s: %s", path,
                 rerr ? "read error"
                 : n  ? "too large for a key file (over 1 MiB)"
                      : "empty file");
        OPENSSL_cleanse(buf, n);
        g_free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

/* The message for a key file that gave no usable key. */
static void explain(amt_err *e, const char *path, tls_kf_result r, const tls_kf *kf)
{
    const char *form = kf->form[0] ? kf->form : "key file";
    switch (r) {
    case TLS_KF_NEED_PASSWORD:
        amt_fail(e, AMT_E_FORMAT, "%s: the key is encrypted (%s%s%s): give its password", path,
                 form, kf->algorithm[0] ? ", " : "", kf->algorithm);
        break;
    case TLS_KF_BAD_PASSWORD:
        amt_fail(e, AMT_E_FORMAT, "%s: wrong password for this %s: %s", path, form, kf->detail);
        break;
    case TLS_KF_DAMAGED:
        amt_fail(e, AMT_E_FORMAT, "%s: damaged %s: %s", path, form, kf->detail);
        break;
    case TLS_KF_UNSUPPORTED:
        amt_fail(e, AMT_E_FORMAT, "%s: %s: %s", path, form, kf->detail);
        break;
    case TLS_KF_NO_KEY:
        amt_fail(e, AMT_E_FORMAT, "%s: %s file without a private key (%s)", path,
                 kf->form[0] ? kf->form : "PEM", kf->detail);
        break;
    default:
        amt_fail(e, AMT_E_FORMAT,
                 "%s: not a private key in PEM, DER (PKCS#1/PKCS#8) or PKCS#12 form", path);
    }
}

amt_rc tls_keys_add_rsa_file(tls_keys *k, const char *path, const char *password, amt_err *e)
{
    amt_err_clear(e);
    if (!k || !path)
        return amt_fail(e, AMT_E_USAGE, "no key file given");
    uint8_t *data = NULL;
    size_t len = 0;
    if (read_file(path, &data, &len, e) < 0)
        return AMT_E_INPUT;
    tls_kf kf;
    tls_kf_result r = tls_keyfile_decode(tls_keys_libctx(k), data, len, password, &kf);
    OPENSSL_cleanse(data, len);
    g_free(data);
    if (r != TLS_KF_OK) {
        explain(e, path, r, &kf);
        return AMT_E_FORMAT;
    }
    if (!EVP_PKEY_is_a(kf.pkey, "RSA")) {
        const char *t = EVP_PKEY_get0_type_name(kf.pkey);
        amt_fail(e, AMT_E_FORMAT,
                 "%s: holds a %s key, not RSA: only an RSA key decrypts a static-RSA key exchange",
                 path, t ? t : "non-RSA");
        EVP_PKEY_free(kf.pkey);
        return AMT_E_FORMAT;
    }
    char *base = g_path_get_basename(path);
    tls_keys_add_rsa_pkey(k, kf.pkey, base);
    g_free(base);
    return AMT_OK;
}

/* Verdicts remembered per key; past this many distinct certificates the
 * memory is cleared and starts again. */
#define MATCHES_KEPT 4096

static int matches_uncached(const tls_rsa_key *rk, OSSL_LIB_CTX *lib, const uint8_t *der,
                            size_t len)
{
    const unsigned char *p = der;
    X509 *x = X509_new_ex(lib, NULL);
    if (!x || !d2i_X509(&x, &p, (long)len)) {
        X509_free(x);
        ERR_clear_error();
        return -1;
    }
    EVP_PKEY *pub = X509_get0_pubkey(x);
    int r = pub && EVP_PKEY_eq(rk->pkey, pub) == 1;
    X509_free(x);
    ERR_clear_error();
    return r;
}

/* The keys' match caches are shared by -j's worker threads. */
static pthread_mutex_t matches_lock = PTHREAD_MUTEX_INITIALIZER;

int tls_rsa_matches_cert(const tls_rsa_key *rk, OSSL_LIB_CTX *lib, const uint8_t *der, size_t len)
{
    guint8 digest[32];
    gsize dlen = sizeof digest;
    GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(ck, der, (gssize)len);
    g_checksum_get_digest(ck, digest, &dlen);
    g_checksum_free(ck);
    GBytes *key = g_bytes_new(digest, dlen);
    pthread_mutex_lock(&matches_lock);
    gpointer v = rk->matches ? g_hash_table_lookup(rk->matches, key) : NULL;
    pthread_mutex_unlock(&matches_lock);
    if (v) {
        g_bytes_unref(key);
        return GPOINTER_TO_INT(v) - 2;
    }
    int r = matches_uncached(rk, lib, der, len);
    pthread_mutex_lock(&matches_lock);
    if (rk->matches) {
        if (g_hash_table_size(rk->matches) >= MATCHES_KEPT)
            g_hash_table_remove_all(rk->matches);
        g_hash_table_replace(rk->matches, key, GINT_TO_POINTER(r + 2));
    } else {
        g_bytes_unref(key);
    }
    pthread_mutex_unlock(&matches_lock);
    return r;
}

const char *tls_pkey_brief(const EVP_PKEY *k, char *buf, size_t len)
{
    BIGNUM *n = NULL;
    g_strlcpy(buf, "unreadable", len);
    if (!k)
        return buf;
    if (!EVP_PKEY_is_a(k, "RSA") || !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n)) {
        const char *t = EVP_PKEY_get0_type_name(k);
        g_snprintf(buf, len, "a %s key of %d bits", t ? t : "non-RSA", EVP_PKEY_get_bits(k));
        ERR_clear_error();
        return buf;
    }
    uint8_t top[4] = {0};
    int nb = BN_num_bytes(n);
    uint8_t *all = g_malloc((size_t)(nb > 0 ? nb : 1));
    BN_bn2bin(n, all);
    memcpy(top, all, nb < 4 ? (size_t)nb : 4);
    g_free(all);
    g_snprintf(buf, len, "%d bits, modulus %02x%02x%02x%02x…", BN_num_bits(n), top[0], top[1],
               top[2], top[3]);
    BN_free(n);
    return buf;
}

const char *tls_cert_brief(OSSL_LIB_CTX *lib, const uint8_t *der, size_t len, char *buf,
                           size_t buflen)
{
    const unsigned char *p = der;
    X509 *x = X509_new_ex(lib, NULL);
    if (!x || !d2i_X509(&x, &p, (long)len)) {
        X509_free(x);
        ERR_clear_error();
        g_strlcpy(buf, "unreadable", buflen);
        return buf;
    }
    char cn[128] = "";
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn)) < 0)
        g_strlcpy(cn, "?", sizeof(cn));
    char key[96];
    g_snprintf(buf, buflen, "CN=%s: %s", cn, tls_pkey_brief(X509_get0_pubkey(x), key, sizeof key));
    X509_free(x);
    ERR_clear_error();
    return buf;
}

int tls_rsa_decrypt_pms(const tls_rsa_key *rk, OSSL_LIB_CTX *lib, const uint8_t *enc, size_t len,
                        uint16_t client_version, uint16_t alt_version, uint8_t pms[48])
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(lib, rk->pkey, NULL);
    size_t cap = (size_t)EVP_PKEY_get_size(rk->pkey);
    uint8_t *out = g_malloc0(cap ? cap : 1);
    size_t outlen = cap;
    int ok = ctx && EVP_PKEY_decrypt_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0;
#ifdef OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION
    if (ok) {
        /* With implicit rejection a wrong key "succeeds" with random
         * bytes; we want the failure, to say the key does not match. */
        unsigned int zero = 0;
        OSSL_PARAM params[2] = {
            OSSL_PARAM_construct_uint(OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION, &zero),
            OSSL_PARAM_construct_end(),
        };
        EVP_PKEY_CTX_set_params(ctx, params);
    }
#endif
    ok = ok && EVP_PKEY_decrypt(ctx, out, &outlen, enc, len) > 0 && outlen == 48;
    if (ok) {
        uint16_t v = (uint16_t)(out[0] << 8 | out[1]);
        ok = v == client_version || v == alt_version;
        if (ok)
            memcpy(pms, out, 48);
    }
    OPENSSL_cleanse(out, cap);
    g_free(out);
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok ? 0 : -1;
}
