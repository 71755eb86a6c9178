/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PKCS#12 (.pfx, .p12), walked here rather than with PKCS12_parse: that
 * runs in OpenSSL's default library context, where RC2-40 and RC4 — what
 * Windows and older provisioning tools export with — are missing. Every
 * encrypted safe and shrouded key bag is decrypted in the key store's
 * context (default and legacy providers). The integrity MAC (SHA-1 or
 * SHA-2, in every provider set) tells a wrong password from a damaged
 * file: a MAC that does not match while a bag decrypts to valid DER means
 * the password is right and the file was altered. */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include "tls/tls_int.h"

#define MAX_NESTING 4

/* What walking the bags found. */
typedef struct p12_walk {
    OSSL_LIB_CTX *lib;
    const char *pass;
    EVP_PKEY *pkey;
    int decrypted;    /* encrypted parts that decrypted to valid DER */
    int bad_password; /* ... whose padding did not check */
    int damaged;      /* ... that decrypted but hold no valid DER, or broken plain parts */
    int unsupported;  /* ... whose algorithm this OpenSSL cannot run */
    tls_kf first;     /* the first failure's details */
} p12_walk;

static void failed(p12_walk *w, tls_kf_result r, const tls_kf *kf)
{
    if (!w->bad_password && !w->damaged && !w->unsupported)
        w->first = *kf;
    if (r == TLS_KF_BAD_PASSWORD)
        w->bad_password++;
    else if (r == TLS_KF_UNSUPPORTED)
        w->unsupported++;
    else
        w->damaged++;
}

static void walk_bags(p12_walk *w, const STACK_OF(PKCS12_SAFEBAG) * bags, int depth);

static void key_bag(p12_walk *w, const PKCS12_SAFEBAG *bag)
{
    tls_kf kf;
    memset(&kf, 0, sizeof(kf));
    if (PKCS12_SAFEBAG_get_nid(bag) == NID_keyBag) {
        const PKCS8_PRIV_KEY_INFO *inf = PKCS12_SAFEBAG_get0_p8inf(bag);
        EVP_PKEY *k = inf ? EVP_PKCS82PKEY_ex(inf, w->lib, NULL) : NULL;
        if (!k) {
            tls_kf_say(&kf, "its key bag holds no readable key");
            failed(w, TLS_KF_DAMAGED, &kf);
        } else if (w->pkey) {
            EVP_PKEY_free(k);
        } else {
            w->pkey = k;
        }
        return;
    }
    const X509_SIG *sig = PKCS12_SAFEBAG_get0_pkcs8(bag);
    tls_kf_result r = sig ? tls_pkcs8_decrypt(w->lib, sig, w->pass, &kf) : TLS_KF_DAMAGED;
    if (r == TLS_KF_NEED_PASSWORD)
        r = TLS_KF_BAD_PASSWORD; /* PKCS#12 has no "no password": the empty one is tried */
    if (r == TLS_KF_OK) {
        w->decrypted++;
        if (w->pkey)
            EVP_PKEY_free(kf.pkey);
        else
            w->pkey = kf.pkey;
        return;
    }
    if (!sig)
        tls_kf_say(&kf, "a shrouded key bag is empty");
    failed(w, r, &kf);
}

static void walk_bags(p12_walk *w, const STACK_OF(PKCS12_SAFEBAG) * bags, int depth)
{
    for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
        const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
        int nid = PKCS12_SAFEBAG_get_nid(bag);
        if (nid == NID_keyBag || nid == NID_pkcs8ShroudedKeyBag)
            key_bag(w, bag);
        else if (nid == NID_safeContentsBag && depth < MAX_NESTING)
            walk_bags(w, PKCS12_SAFEBAG_get0_safes(bag), depth + 1);
    }
}

/* An EncryptedData safe (the certificates, usually, under RC2-40 or
 * AES): decrypted, then its bags walked. */
static void encrypted_safe(p12_walk *w, PKCS7 *p7)
{
    tls_kf kf;
    memset(&kf, 0, sizeof(kf));
    const PKCS7_ENC_CONTENT *ec = p7->d.encrypted ? p7->d.encrypted->enc_data : NULL;
    if (!ec || !ec->algorithm || !ec->enc_data) {
        tls_kf_say(&kf, "an encrypted safe is incomplete");
        failed(w, TLS_KF_DAMAGED, &kf);
        return;
    }
    uint8_t *der = NULL;
    size_t n = 0;
    tls_kf_result r =
        tls_pbe_decrypt(w->lib, ec->algorithm, w->pass, ASN1_STRING_get0_data(ec->enc_data),
                        (size_t)ASN1_STRING_length(ec->enc_data), &der, &n, &kf);
    if (r != TLS_KF_OK) {
        failed(w, r, &kf);
        return;
    }
    const unsigned char *p = der;
    STACK_OF(PKCS12_SAFEBAG) *bags = (STACK_OF(PKCS12_SAFEBAG) *)ASN1_item_d2i(
        NULL, &p, (long)n, ASN1_ITEM_rptr(PKCS12_SAFEBAGS));
    if (bags) {
        w->decrypted++;
        walk_bags(w, bags, 0);
        sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
    } else {
        /* the padding checked (by chance, or always for RC4): no proof */
        tls_kf_say(&kf, "an encrypted safe decrypts to no valid bags with this password (%s)",
                   kf.algorithm);
        failed(w, TLS_KF_BAD_PASSWORD, &kf);
    }
    OPENSSL_clear_free(der, n);
}

static void walk(p12_walk *w, PKCS12 *p12)
{
    STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
    ERR_clear_error();
    if (!safes) {
        tls_kf kf;
        memset(&kf, 0, sizeof(kf));
        tls_kf_say(&kf, "its contents are not readable");
        failed(w, TLS_KF_DAMAGED, &kf);
        return;
    }
    for (int i = 0; i < sk_PKCS7_num(safes); i++) {
        PKCS7 *p7 = sk_PKCS7_value(safes, i);
        int nid = OBJ_obj2nid(p7->type);
        if (nid == NID_pkcs7_data) {
            STACK_OF(PKCS12_SAFEBAG) *bags = PKCS12_unpack_p7data(p7);
            if (bags) {
                walk_bags(w, bags, 0);
                sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
            } else {
                tls_kf kf;
                memset(&kf, 0, sizeof(kf));
                tls_kf_say(&kf, "a plain safe is not readable");
                failed(w, TLS_KF_DAMAGED, &kf);
            }
        } else if (nid == NID_pkcs7_encrypted) {
            encrypted_safe(w, p7);
        }
        ERR_clear_error();
    }
    sk_PKCS7_pop_free(safes, PKCS7_free);
}

static void walk_clear(p12_walk *w)
{
    EVP_PKEY_free(w->pkey);
    memset(w, 0, sizeof(*w));
}

/* DER that starts as a PKCS#12 does: SEQUENCE { INTEGER 3, SEQUENCE {
 * OID pkcs7-data ... } }, to call a file that does not parse damaged
 * rather than "not a key". */
static int skip_header(amt_cur *c, unsigned tag)
{
    if (cur_u8(c) != tag)
        return -1;
    unsigned l = cur_u8(c);
    if (l & 0x80) {
        unsigned n = l & 0x7f;
        if (n < 1 || n > 3)
            return -1;
        cur_skip(c, n);
    }
    return c->err ? -1 : 0;
}

static int looks_like_pkcs12(const uint8_t *d, size_t n)
{
    static const uint8_t data_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                       0xf7, 0x0d, 0x01, 0x07, 0x01};
    amt_cur c = cur_make(d, n);
    if (skip_header(&c, 0x30) < 0 || cur_u8(&c) != 0x02 || cur_u8(&c) != 0x01 ||
        cur_u8(&c) != 0x03 || skip_header(&c, 0x30) < 0)
        return 0;
    const uint8_t *oid = cur_take(&c, sizeof(data_oid));
    return oid && memcmp(oid, data_oid, sizeof(data_oid)) == 0;
}

/* Runs the walk with password pass and decides. mac: 1 it verified, 0 it
 * did not, -1 there is none. */
static tls_kf_result judge(p12_walk *w, int mac, const char *given, tls_kf *kf)
{
    *kf = w->first;
    if (w->unsupported)
        return TLS_KF_UNSUPPORTED; /* whatever the password: say what is missing */
    if (mac == 1) {
        if (w->bad_password || w->damaged) {
            tls_kf_say(kf,
                       "the password is right (its integrity MAC verifies), but a part of it "
                       "does not decrypt to what it should (%s)",
                       w->first.algorithm[0] ? w->first.algorithm : w->first.detail);
            return TLS_KF_DAMAGED;
        }
    } else if (mac == 0) {
        if (w->decrypted) {
            tls_kf_say(kf,
                       "the password decrypts it but its integrity MAC does not match: the file "
                       "was altered or cut");
            return TLS_KF_DAMAGED;
        }
        tls_kf_say(kf, "its integrity MAC does not match this password%s",
                   w->bad_password ? ""
                                   : " (nothing in it is encrypted: a damaged file would look "
                                     "the same)");
        return given ? TLS_KF_BAD_PASSWORD : TLS_KF_NEED_PASSWORD;
    } else {
        if (w->bad_password)
            return given ? TLS_KF_BAD_PASSWORD : TLS_KF_NEED_PASSWORD;
        if (w->damaged)
            return TLS_KF_DAMAGED;
    }
    if (!w->pkey) {
        tls_kf_say(kf, "it holds no private key (certificates only?)");
        return TLS_KF_NO_KEY;
    }
    kf->pkey = w->pkey;
    w->pkey = NULL;
    return TLS_KF_OK;
}

tls_kf_result tls_pkcs12_decode(OSSL_LIB_CTX *lib, const uint8_t *data, size_t len,
                                const char *password, tls_kf *kf)
{
    const unsigned char *p = data;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
    ERR_clear_error();
    if (!p12) {
        if (!looks_like_pkcs12(data, len))
            return TLS_KF_NOT_A_KEY;
        g_strlcpy(kf->form, "PKCS#12", sizeof(kf->form));
        tls_kf_say(kf, "it starts as a PKCS#12 file but is cut short or corrupt");
        return TLS_KF_DAMAGED;
    }
    g_strlcpy(kf->form, "PKCS#12", sizeof(kf->form));
    /* A file exported "without password" uses an empty one, as a
     * BMPString ("") or none at all (NULL): both are tried. */
    const char *tries[2] = {password, NULL};
    int ntries = 1;
    if (!password) {
        tries[0] = "";
        ntries = 2;
    }
    int has_mac = PKCS12_mac_present(p12);
    tls_kf_result r = TLS_KF_NOT_A_KEY;
    for (int i = 0; i < ntries; i++) {
        int mac = -1;
        if (has_mac)
            mac = PKCS12_verify_mac(p12, tries[i], tries[i] ? -1 : 0) ? 1 : 0;
        ERR_clear_error();
        if (mac == 0 && i + 1 < ntries)
            continue; /* the other form of the empty password */
        p12_walk w = {.lib = lib, .pass = tries[i]};
        walk(&w, p12);
        tls_kf keep = *kf;
        r = judge(&w, mac, password, kf);
        g_strlcpy(kf->form, keep.form, sizeof(kf->form));
        walk_clear(&w);
        if (r != TLS_KF_NEED_PASSWORD && r != TLS_KF_BAD_PASSWORD)
            break;
    }
    PKCS12_free(p12);
    ERR_clear_error();
    return r;
}
