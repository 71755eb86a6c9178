/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The server's RSA private key: loading it from PEM, DER (PKCS#1, PKCS#8,
 * encrypted PKCS#8) or PKCS#12 with precise messages about what is wrong
 * with a file, checking it against the server certificate, and decrypting
 * a static-RSA pre-master secret with it. Messages name the file but never
 * hold key material or the password. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/core_names.h>
#include "tls/tls_int.h"

#define MAX_KEY_FILE (1u << 20)

typedef struct {
    const char *password;
    int asked;
} pw_ctx;

static int pem_pw_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    pw_ctx *pw = u;
    pw->asked = 1;
    if (!pw->password)
        return -1; /* no password: stop instead of prompting */
    size_t n = strlen(pw->password);
    if (n > (size_t)size)
        return -1;
    memcpy(buf, pw->password, n);
    return (int)n;
}

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

static EVP_PKEY *load_pem(OSSL_LIB_CTX *lib, const uint8_t *data, size_t len, pw_ctx *pw)
{
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    /* Skips PEM blocks that are not private keys (a certificate first). */
    EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey_ex(bio, NULL, pem_pw_cb, pw, lib, NULL) : NULL;
    BIO_free(bio);
    return pkey;
}

static EVP_PKEY *load_pkcs12(const uint8_t *data, size_t len, pw_ctx *pw, int *is_p12, int *bad_pw)
{
    const unsigned char *p = data;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
    if (!p12)
        return NULL;
    *is_p12 = 1;
    EVP_PKEY *pkey = NULL;
    X509 *cert = NULL;
    STACK_OF(X509) *ca = NULL;
    const char *pass = pw->password;
    if (PKCS12_mac_present(p12)) {
        /* No password given: files exported "without password" use an
         * empty one or none at all. */
        if (pass)
            *bad_pw = !PKCS12_verify_mac(p12, pass, -1);
        else if (PKCS12_verify_mac(p12, "", 0))
            pass = "";
        else if (!PKCS12_verify_mac(p12, NULL, 0))
            *bad_pw = 1;
        pw->asked = 1;
    }
    if (!*bad_pw && !PKCS12_parse(p12, pass, &pkey, &cert, &ca))
        pkey = NULL;
    X509_free(cert);
    sk_X509_pop_free(ca, X509_free);
    PKCS12_free(p12);
    return pkey;
}

static EVP_PKEY *load_der(OSSL_LIB_CTX *lib, const uint8_t *data, size_t len, pw_ctx *pw)
{
    const unsigned char *p = data;
    EVP_PKEY *pkey = d2i_AutoPrivateKey_ex(NULL, &p, (long)len, lib, NULL);
    if (pkey)
        return pkey;
    /* Encrypted PKCS#8 (EncryptedPrivateKeyInfo). */
    p = data;
    X509_SIG *sig = d2i_X509_SIG(NULL, &p, (long)len);
    if (!sig)
        return NULL;
    pw->asked = 1;
    if (pw->password) {
        PKCS8_PRIV_KEY_INFO *inf =
            PKCS8_decrypt_ex(sig, pw->password, (int)strlen(pw->password), lib, NULL);
        if (inf) {
            pkey = EVP_PKCS82PKEY_ex(inf, lib, NULL);
            PKCS8_PRIV_KEY_INFO_free(inf);
        }
    }
    X509_SIG_free(sig);
    return pkey;
}

static int contains(const uint8_t *data, size_t len, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(data + i, s, n) == 0)
            return 1;
    return 0;
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
    OSSL_LIB_CTX *lib = tls_keys_libctx(k);
    pw_ctx pw = {password, 0};
    int is_pem = contains(data, len, "-----BEGIN ");
    int is_p12 = 0, bad_pw = 0;
    EVP_PKEY *pkey = NULL;
    if (is_pem)
        pkey = load_pem(lib, data, len, &pw);
    else {
        pkey = load_pkcs12(data, len, &pw, &is_p12, &bad_pw);
        if (!pkey && !is_p12)
            pkey = load_der(lib, data, len, &pw);
    }
    amt_rc rc = AMT_E_FORMAT;
    if (!pkey) {
        if (pw.asked && !password)
            amt_fail(e, AMT_E_FORMAT, "%s: the key is encrypted: give its password", path);
        else if (bad_pw || pw.asked)
            amt_fail(e, AMT_E_FORMAT, "%s: wrong password (or a damaged file)", path);
        else if (is_p12)
            amt_fail(e, AMT_E_FORMAT, "%s: PKCS#12 file without a private key", path);
        else if (is_pem && !contains(data, len, "PRIVATE KEY-----"))
            amt_fail(e, AMT_E_FORMAT, "%s: PEM file without a private key (%s)", path,
                     contains(data, len, "BEGIN CERTIFICATE") ? "it holds a certificate"
                                                              : "no PRIVATE KEY block");
        else if (is_pem)
            amt_fail(e, AMT_E_FORMAT, "%s: the PEM private key block cannot be read (damaged?)",
                     path);
        else
            amt_fail(e, AMT_E_FORMAT,
                     "%s: not a private key in PEM, DER (PKCS#1/PKCS#8) or PKCS#12 form", path);
    } else if (!EVP_PKEY_is_a(pkey, "RSA")) {
        amt_fail(e, AMT_E_FORMAT,
                 "%s: holds a %s key, not RSA: only an RSA key decrypts a static-RSA key exchange",
                 path, EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey) : "non-RSA");
        EVP_PKEY_free(pkey);
    } else {
        char *base = g_path_get_basename(path);
        tls_keys_add_rsa_pkey(k, pkey, base);
        g_free(base);
        rc = AMT_OK;
    }
    ERR_clear_error(); /* failed decoder attempts leave errors behind */
    OPENSSL_cleanse(data, len);
    g_free(data);
    return rc;
}

int tls_rsa_matches_cert(const tls_rsa_key *rk, OSSL_LIB_CTX *lib, const uint8_t *der, size_t len)
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
