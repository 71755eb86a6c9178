/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private key files as customers send them: PEM (PKCS#8, encrypted PKCS#8,
 * and the traditional "Proc-Type: 4,ENCRYPTED" form with DES, 3DES or AES),
 * DER (PKCS#1, PKCS#8, encrypted PKCS#8), and PKCS#12 (tls_pkcs12.c). Every
 * decryption runs in the key store's library context, which has OpenSSL's
 * legacy provider: RC2, RC4 and single DES, which older tools still use,
 * live only there. Each failure says which one it is: no password given,
 * a wrong password (the padding does not check), a damaged file (the
 * padding checks but what it holds is not a key), or an algorithm this
 * OpenSSL cannot run. */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include "tls/tls_int.h"

void tls_kf_say(tls_kf *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
    va_end(ap);
}

/* The name of a PBE algorithm for messages ("pbeWithSHA1And40BitRC2-CBC",
 * "PBES2 with AES-256-CBC"), and the cipher it needs, fetched in lib:
 * NULL when this OpenSSL does not have it. */
static EVP_CIPHER *pbe_cipher(OSSL_LIB_CTX *lib, const X509_ALGOR *alg, char *name, size_t len)
{
    const ASN1_OBJECT *oid = NULL;
    const void *param = NULL;
    int ptype = 0;
    X509_ALGOR_get0(&oid, &ptype, &param, alg);
    int nid = OBJ_obj2nid(oid);
    int cnid = NID_undef;
    if (nid == NID_pbes2) {
        PBE2PARAM *p2 = ptype == V_ASN1_SEQUENCE
                            ? ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)
                            : NULL;
        if (p2 && p2->encryption)
            cnid = OBJ_obj2nid(p2->encryption->algorithm);
        PBE2PARAM_free(p2);
        g_snprintf(name, len, "PBES2 with %s",
                   cnid != NID_undef ? OBJ_nid2sn(cnid) : "an unknown cipher");
    } else {
        char txt[80];
        OBJ_obj2txt(txt, sizeof(txt), oid, 0);
        g_strlcpy(name, txt, len);
        if (!EVP_PBE_find_ex(EVP_PBE_TYPE_OUTER, nid, &cnid, NULL, NULL, NULL))
            cnid = NID_undef;
    }
    EVP_CIPHER *c = cnid != NID_undef ? EVP_CIPHER_fetch(lib, OBJ_nid2sn(cnid), NULL) : NULL;
    ERR_clear_error();
    return c;
}

tls_kf_result tls_pbe_decrypt(OSSL_LIB_CTX *lib, const X509_ALGOR *alg, const char *pass,
                              const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen,
                              tls_kf *kf)
{
    char name[96];
    *out = NULL;
    *outlen = 0;
    EVP_CIPHER *c = pbe_cipher(lib, alg, name, sizeof(name));
    g_strlcpy(kf->algorithm, name, sizeof(kf->algorithm));
    if (!c) {
        tls_kf_say(kf,
                   "it is encrypted with %s, which this OpenSSL cannot decrypt (for RC2, "
                   "RC4 and DES its legacy provider must be installed)",
                   name);
        return TLS_KF_UNSUPPORTED;
    }
    EVP_CIPHER_free(c);
    if (inlen > INT_MAX)
        return TLS_KF_DAMAGED;
    unsigned char *plain = NULL;
    int plen = 0;
    if (!PKCS12_pbe_crypt_ex(alg, pass, pass ? -1 : 0, in, (int)inlen, &plain, &plen, 0, lib,
                             NULL)) {
        /* With a wrong password the last block's padding checks only once
         * in 256 tries: a failure here is the password. */
        ERR_clear_error();
        tls_kf_say(kf, "it does not decrypt with this password (%s; or its last bytes are damaged)",
                   name);
        return TLS_KF_BAD_PASSWORD;
    }
    *out = plain;
    *outlen = (size_t)plen;
    return TLS_KF_OK;
}

/* A PKCS8_PRIV_KEY_INFO in DER to a key. */
static tls_kf_result p8_der_to_key(OSSL_LIB_CTX *lib, const uint8_t *der, size_t len, tls_kf *kf)
{
    const unsigned char *p = der;
    PKCS8_PRIV_KEY_INFO *inf = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
    EVP_PKEY *k = inf ? EVP_PKCS82PKEY_ex(inf, lib, NULL) : NULL;
    PKCS8_PRIV_KEY_INFO_free(inf);
    ERR_clear_error();
    if (!k && kf->algorithm[0]) {
        /* Decrypted, yet no key: the padding checked by chance (one try in
         * 256, or always for RC4), or the file is damaged. Without a MAC
         * the two look the same; a wrong password is the likelier. */
        tls_kf_say(kf,
                   "with this password it decrypts to no key (%s): a wrong password, or a "
                   "damaged file",
                   kf->algorithm);
        return TLS_KF_BAD_PASSWORD;
    }
    if (!k) {
        tls_kf_say(kf, "the key structure is there, but what it holds is not a readable key");
        return TLS_KF_DAMAGED;
    }
    kf->pkey = k;
    return TLS_KF_OK;
}

tls_kf_result tls_pkcs8_decrypt(OSSL_LIB_CTX *lib, const X509_SIG *sig, const char *pass,
                                tls_kf *kf)
{
    const X509_ALGOR *alg = NULL;
    const ASN1_OCTET_STRING *oct = NULL;
    X509_SIG_get0(sig, &alg, &oct);
    if (!alg || !oct) {
        tls_kf_say(kf, "the encrypted key structure is incomplete");
        return TLS_KF_DAMAGED;
    }
    if (!pass) {
        char name[96];
        EVP_CIPHER_free(pbe_cipher(lib, alg, name, sizeof(name)));
        g_strlcpy(kf->algorithm, name, sizeof(kf->algorithm));
        tls_kf_say(kf, "the key is encrypted (%s)", name);
        return TLS_KF_NEED_PASSWORD;
    }
    uint8_t *der = NULL;
    size_t n = 0;
    tls_kf_result r = tls_pbe_decrypt(lib, alg, pass, ASN1_STRING_get0_data(oct),
                                      (size_t)ASN1_STRING_length(oct), &der, &n, kf);
    if (r != TLS_KF_OK)
        return r;
    r = p8_der_to_key(lib, der, n, kf);
    OPENSSL_clear_free(der, n);
    return r;
}

/* ---- PEM ------------------------------------------------------------------ */

/* The key type of a traditional PEM block name. */
static int traditional_type(const char *name)
{
    if (!strcmp(name, "RSA PRIVATE KEY"))
        return EVP_PKEY_RSA;
    if (!strcmp(name, "EC PRIVATE KEY"))
        return EVP_PKEY_EC;
    if (!strcmp(name, "DSA PRIVATE KEY"))
        return EVP_PKEY_DSA;
    return EVP_PKEY_NONE;
}

/* "Proc-Type: 4,ENCRYPTED" with "DEK-Info: CIPHER,IV": the key is
 * EVP_BytesToKey(MD5, password, first 8 bytes of the IV), done here with
 * the cipher fetched in lib (single DES is a legacy algorithm). */
static tls_kf_result pem_traditional_decrypt(OSSL_LIB_CTX *lib, char *header, uint8_t *data,
                                             long *len, const char *pass, tls_kf *kf)
{
    EVP_CIPHER_INFO ci;
    memset(&ci, 0, sizeof(ci));
    if (!PEM_get_EVP_CIPHER_INFO(header, &ci) || !ci.cipher) {
        ERR_clear_error();
        tls_kf_say(kf, "its DEK-Info header names a cipher this OpenSSL does not know");
        return TLS_KF_UNSUPPORTED;
    }
    const char *cname = EVP_CIPHER_get0_name(ci.cipher);
    g_strlcpy(kf->algorithm, cname, sizeof(kf->algorithm));
    EVP_CIPHER *c = EVP_CIPHER_fetch(lib, cname, NULL);
    EVP_MD *md5 = EVP_MD_fetch(lib, "MD5", NULL);
    tls_kf_result r = TLS_KF_OK;
    unsigned char key[EVP_MAX_KEY_LENGTH];
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    if (!c || !md5 || !ctx) {
        tls_kf_say(kf,
                   "it is encrypted with %s, which this OpenSSL cannot decrypt (for DES its "
                   "legacy provider must be installed)",
                   cname);
        r = TLS_KF_UNSUPPORTED;
    } else if (!pass) {
        tls_kf_say(kf, "the key is encrypted (%s)", cname);
        r = TLS_KF_NEED_PASSWORD;
    } else if (!EVP_BytesToKey(c, md5, ci.iv, (const unsigned char *)pass, (int)strlen(pass), 1,
                               key, NULL) ||
               !EVP_DecryptInit_ex2(ctx, c, key, ci.iv, NULL) ||
               !EVP_DecryptUpdate(ctx, data, &n1, data, (int)*len) ||
               !EVP_DecryptFinal_ex(ctx, data + n1, &n2)) {
        tls_kf_say(kf, "it does not decrypt with this password (%s; or its last bytes are damaged)",
                   cname);
        r = TLS_KF_BAD_PASSWORD;
    } else {
        *len = n1 + n2;
    }
    OPENSSL_cleanse(key, sizeof(key));
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    EVP_MD_free(md5);
    ERR_clear_error();
    return r;
}

/* One private key PEM block: its DER (decrypted in place when needed) to
 * a key. */
static tls_kf_result pem_block(OSSL_LIB_CTX *lib, const char *name, char *header, uint8_t *data,
                               long len, const char *pass, tls_kf *kf)
{
    const unsigned char *p = data;
    if (!strcmp(name, "ENCRYPTED PRIVATE KEY")) {
        g_strlcpy(kf->form, "encrypted PKCS#8 (PEM)", sizeof(kf->form));
        X509_SIG *sig = d2i_X509_SIG(NULL, &p, len);
        if (!sig) {
            tls_kf_say(kf, "the ENCRYPTED PRIVATE KEY block is not a PKCS#8 structure");
            return TLS_KF_DAMAGED;
        }
        tls_kf_result r = tls_pkcs8_decrypt(lib, sig, pass, kf);
        X509_SIG_free(sig);
        return r;
    }
    if (!strcmp(name, "PRIVATE KEY")) {
        g_strlcpy(kf->form, "PKCS#8 (PEM)", sizeof(kf->form));
        return p8_der_to_key(lib, data, (size_t)len, kf);
    }
    int type = traditional_type(name);
    g_strlcpy(kf->form, "PEM", sizeof(kf->form));
    if (type == EVP_PKEY_NONE) {
        tls_kf_say(kf, "a %s block, a form OpenSSL does not read (convert it to PKCS#8)", name);
        return TLS_KF_UNSUPPORTED;
    }
    if (header && strstr(header, "ENCRYPTED")) {
        tls_kf_result r = pem_traditional_decrypt(lib, header, data, &len, pass, kf);
        if (r != TLS_KF_OK)
            return r;
    }
    EVP_PKEY *k = d2i_PrivateKey_ex(type, NULL, &p, len, lib, NULL);
    ERR_clear_error();
    if (!k && kf->algorithm[0]) {
        tls_kf_say(kf,
                   "with this password the %s block decrypts to no key (%s): a wrong "
                   "password, or a damaged file",
                   name, kf->algorithm);
        return TLS_KF_BAD_PASSWORD;
    }
    if (!k) {
        tls_kf_say(kf, "the PEM armour is intact, but the %s block is not a readable key", name);
        return TLS_KF_DAMAGED;
    }
    kf->pkey = k;
    return TLS_KF_OK;
}

static int is_key_block(const char *name)
{
    return g_str_has_suffix(name, "PRIVATE KEY");
}

/* The first private key block of a PEM file (certificates before it are
 * skipped). */
static tls_kf_result decode_pem(OSSL_LIB_CTX *lib, const uint8_t *text, size_t len,
                                const char *pass, tls_kf *kf)
{
    BIO *bio = BIO_new_mem_buf(text, (int)len);
    tls_kf_result r = TLS_KF_NO_KEY;
    int certs = 0;
    for (int blocks = 0; bio && blocks < 64; blocks++) {
        char *name = NULL, *header = NULL;
        unsigned char *data = NULL;
        long dlen = 0;
        if (!PEM_read_bio_ex(bio, &name, &header, &data, &dlen, PEM_FLAG_SECURE)) {
            unsigned long err = ERR_peek_last_error();
            int no_more = ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
            ERR_clear_error();
            if (!no_more) {
                g_strlcpy(kf->form, "PEM", sizeof(kf->form));
                tls_kf_say(kf, "a PEM block is broken (its base64 or its END line)");
                r = TLS_KF_DAMAGED;
            }
            break;
        }
        if (is_key_block(name))
            r = pem_block(lib, name, header, data, dlen, pass, kf);
        else if (!strcmp(name, "CERTIFICATE"))
            certs++;
        OPENSSL_secure_clear_free(data, (size_t)dlen);
        OPENSSL_free(name);
        OPENSSL_free(header);
        if (r != TLS_KF_NO_KEY)
            break;
    }
    BIO_free(bio);
    if (r == TLS_KF_NO_KEY)
        tls_kf_say(kf, "%s", certs ? "it holds a certificate" : "no PRIVATE KEY block");
    return r;
}

/* ---- DER ------------------------------------------------------------------ */

/* The length a DER SEQUENCE at the start says it has, header included;
 * 0 when the bytes do not start with one. */
static size_t der_length(const uint8_t *d, size_t n)
{
    amt_cur c = cur_make(d, n);
    if (cur_u8(&c) != 0x30)
        return 0;
    unsigned l = cur_u8(&c);
    size_t body = l, hdr = 2;
    if (l & 0x80) {
        unsigned k = l & 0x7f;
        if (k < 1 || k > 3)
            return 0;
        body = 0;
        for (unsigned i = 0; i < k; i++)
            body = body << 8 | cur_u8(&c);
        hdr += k;
    }
    return c.err ? 0 : hdr + body;
}

static tls_kf_result decode_der(OSSL_LIB_CTX *lib, const uint8_t *data, size_t len,
                                const char *pass, tls_kf *kf)
{
    tls_kf_result r = tls_pkcs12_decode(lib, data, len, pass, kf);
    if (r != TLS_KF_NOT_A_KEY)
        return r;
    const unsigned char *p = data;
    EVP_PKEY *k = d2i_AutoPrivateKey_ex(NULL, &p, (long)len, lib, NULL);
    ERR_clear_error();
    if (k) {
        g_strlcpy(kf->form, "DER", sizeof(kf->form));
        kf->pkey = k;
        return TLS_KF_OK;
    }
    p = data;
    X509_SIG *sig = d2i_X509_SIG(NULL, &p, (long)len);
    ERR_clear_error();
    if (!sig) {
        size_t want = der_length(data, len);
        if (want <= len)
            return TLS_KF_NOT_A_KEY;
        g_strlcpy(kf->form, "DER", sizeof(kf->form));
        tls_kf_say(kf, "it is cut short: its DER structure is %zu bytes long, the file %zu", want,
                   len);
        return TLS_KF_DAMAGED;
    }
    g_strlcpy(kf->form, "encrypted PKCS#8 (DER)", sizeof(kf->form));
    r = tls_pkcs8_decrypt(lib, sig, pass, kf);
    X509_SIG_free(sig);
    return r;
}

static int contains(const uint8_t *data, size_t len, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(data + i, s, n) == 0)
            return 1;
    return 0;
}

/* A key whose file was damaged inside the encrypted part (CBC garbles a
 * block or two) may still parse: its private parts no longer fit. */
static int key_consistent(OSSL_LIB_CTX *lib, EVP_PKEY *k)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(lib, k, NULL);
    int r = ctx ? EVP_PKEY_pairwise_check(ctx) : 1;
    EVP_PKEY_CTX_free(ctx);
    return r != 0; /* 1 fits, -2 cannot be checked for this key type */
}

tls_kf_result tls_keyfile_decode(OSSL_LIB_CTX *lib, const uint8_t *data, size_t len,
                                 const char *password, tls_kf *kf)
{
    memset(kf, 0, sizeof(*kf));
    tls_kf_result r = contains(data, len, "-----BEGIN ") ? decode_pem(lib, data, len, password, kf)
                                                         : decode_der(lib, data, len, password, kf);
    if (r == TLS_KF_OK && !key_consistent(lib, kf->pkey)) {
        tls_kf_say(kf,
                   "%s, but the key's parts do not fit together (for RSA: p*q is not the "
                   "modulus, or d does not invert e)",
                   kf->algorithm[0] ? "the password decrypts it" : "it reads as a key");
        r = TLS_KF_DAMAGED;
    }
    ERR_clear_error();
    if (r != TLS_KF_OK && kf->pkey) {
        EVP_PKEY_free(kf->pkey);
        kf->pkey = NULL;
    }
    return r;
}
