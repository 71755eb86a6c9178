/* SPDX-License-Identifier: GPL-2.0-or-later */
/* krb_keys: AMT's service keys with MIT krb5. MIT does the cryptography
 * (RFC 3961/3962/8009 profiles, RC4 of RFC 4757): a library beats our own
 * code there, and its keytab reader is the format's reference. What the
 * decrypted bytes say is read by our DER reader (der.h), since MIT
 * exports no decoder for EncTicketPart or Authenticator. */
#include "amtdiag/krb_keys.h"

#include <glib.h>
#include <krb5/krb5.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "amtdiag/der.h"

/* Key usages (RFC 4120 7.5.1). */
enum { USAGE_TICKET = 2, USAGE_AP_REQ_AUTH = 11 };

#define SESSION_KEY_MAX 64

/* One key: the principal it belongs to ("HTTP/amt.example.com:16992@REALM"),
 * its version (0 with any_kvno: derived from a password, version unknown). */
typedef struct ring_key {
    char *principal;
    uint32_t kvno;
    int any_kvno;
    krb5_keyblock key;
} ring_key;

struct krb_keyring {
    krb5_context ctx;
    GArray *keys; /* ring_key */
};

static void set_err(char *err, size_t len, const char *fmt, const char *a, const char *b)
{
    if (err && len)
        snprintf(err, len, fmt, a, b);
}

/* MIT's message for rc, after "what: ". */
static void set_krb_err(krb5_context ctx, krb5_error_code rc, char *err, size_t len,
                        const char *fmt, const char *what)
{
    const char *msg = krb5_get_error_message(ctx, rc);
    set_err(err, len, fmt, what, msg);
    krb5_free_error_message(ctx, msg);
}

krb_keyring *krb_keyring_new(char *err, size_t errlen)
{
    krb5_context ctx;
    krb5_error_code rc = krb5_init_context(&ctx);
    if (rc) {
        set_err(err, errlen, "MIT krb5 did not start (%s)%s", error_message(rc), "");
        return NULL;
    }
    krb_keyring *k = g_new0(krb_keyring, 1);
    k->ctx = ctx;
    k->keys = g_array_new(FALSE, TRUE, sizeof(ring_key));
    return k;
}

void krb_keyring_free(krb_keyring *k)
{
    if (!k)
        return;
    for (guint i = 0; i < k->keys->len; i++) {
        ring_key *r = &g_array_index(k->keys, ring_key, i);
        /* krb5_free_keyblock_contents zeroes the key before freeing it */
        krb5_free_keyblock_contents(k->ctx, &r->key);
        g_free(r->principal);
    }
    g_array_free(k->keys, TRUE);
    krb5_free_context(k->ctx);
    g_free(k);
}

size_t krb_keyring_count(const krb_keyring *k)
{
    return k ? k->keys->len : 0;
}

static int add_key(krb_keyring *k, krb5_const_principal princ, uint32_t kvno, int any_kvno,
                   const krb5_keyblock *key)
{
    char *name = NULL;
    if (krb5_unparse_name(k->ctx, princ, &name) != 0)
        return -1;
    ring_key r = {g_strdup(name), kvno, any_kvno, {0}};
    krb5_free_unparsed_name(k->ctx, name);
    if (krb5_copy_keyblock_contents(k->ctx, key, &r.key) != 0) {
        g_free(r.principal);
        return -1;
    }
    g_array_append_val(k->keys, r);
    return 0;
}

int krb_keyring_add_keytab(krb_keyring *k, const char *path, char *err, size_t errlen)
{
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        set_err(err, errlen, "%s: %s", path, "no such file");
        return -1;
    }
    char *name = g_strdup_printf("FILE:%s", path);
    krb5_keytab kt;
    krb5_kt_cursor cur;
    krb5_keytab_entry e;
    int n = 0;
    krb5_error_code rc = krb5_kt_resolve(k->ctx, name, &kt);
    g_free(name);
    if (rc) {
        set_krb_err(k->ctx, rc, err, errlen, "%s: %s", path);
        return -1;
    }
    rc = krb5_kt_start_seq_get(k->ctx, kt, &cur);
    if (rc) {
        set_krb_err(k->ctx, rc, err, errlen, "%s: not a keytab (%s)", path);
        krb5_kt_close(k->ctx, kt);
        return -1;
    }
    while ((rc = krb5_kt_next_entry(k->ctx, kt, &e, &cur)) == 0) {
        if (add_key(k, e.principal, e.vno, 0, &e.key) == 0)
            n++;
        krb5_free_keytab_entry_contents(k->ctx, &e);
    }
    krb5_kt_end_seq_get(k->ctx, kt, &cur);
    krb5_kt_close(k->ctx, kt);
    if (rc != KRB5_KT_END) {
        set_krb_err(k->ctx, rc, err, errlen, "%s: the keytab is damaged (%s)", path);
        return -1;
    }
    if (n == 0) {
        set_err(err, errlen, "%s: %s", path, "the keytab holds no key");
        return -1;
    }
    return n;
}

int krb_keyring_add_password(krb_keyring *k, const char *principal, const char *password, char *err,
                             size_t errlen)
{
    /* What AMT firmware and KDCs use: AES with SHA-1 (RFC 3962) and SHA-2
     * (RFC 8009), and RC4-HMAC (RFC 4757), which older AMT firmware needs. */
    static const krb5_enctype etypes[] = {ENCTYPE_AES256_CTS_HMAC_SHA1_96,
                                          ENCTYPE_AES128_CTS_HMAC_SHA1_96,
                                          ENCTYPE_AES256_CTS_HMAC_SHA384_192,
                                          ENCTYPE_AES128_CTS_HMAC_SHA256_128, ENCTYPE_ARCFOUR_HMAC};
    if (!principal || !*principal || *principal == '@' || !password) {
        set_err(err, errlen, "%s%s", "no principal given", "");
        return -1;
    }
    krb5_principal princ;
    krb5_error_code rc = krb5_parse_name(k->ctx, principal, &princ);
    if (rc) {
        set_krb_err(k->ctx, rc, err, errlen, "%s: %s", principal);
        return -1;
    }
    krb5_data salt = {0};
    rc = krb5_principal2salt(k->ctx, princ, &salt);
    if (rc) {
        krb5_free_principal(k->ctx, princ);
        set_err(err, errlen, "%s: %s", principal, "no salt");
        return -1;
    }
    krb5_data pw = {0, (unsigned)strlen(password), (char *)password};
    int n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(etypes); i++) {
        krb5_keyblock key;
        if (krb5_c_string_to_key(k->ctx, etypes[i], &pw, &salt, &key) != 0)
            continue;
        n += add_key(k, princ, 0, 1, &key) == 0;
        krb5_free_keyblock_contents(k->ctx, &key);
    }
    krb5_free_data_contents(k->ctx, &salt);
    krb5_free_principal(k->ctx, princ);
    if (n == 0) {
        set_err(err, errlen, "%s: %s", principal, "no key could be derived");
        return -1;
    }
    return n;
}

const char *krb_open_status_name(krb_open_status s)
{
    switch (s) {
    case KRB_OPEN_NO_PRINCIPAL:
        return "no key for the principal";
    case KRB_OPEN_NO_KVNO:
        return "no key of this version";
    case KRB_OPEN_NO_ETYPE:
        return "no key of this etype";
    case KRB_OPEN_BAD_INTEGRITY:
        return "integrity check failed";
    case KRB_OPEN_MALFORMED:
        return "malformed";
    case KRB_OPEN_OK:
        return "opened";
    default:
        return "no keys given";
    }
}

/* ---- decrypted parts ---------------------------------------------------------- */

static int read_principal_in(amt_cur *seq, uint32_t n, krb_principal *p)
{
    amt_cur in, s, names, v;
    memset(p, 0, sizeof *p);
    if (der_field(seq, n, &in) != 1 || der_expect(&in, DER_UNIVERSAL, DER_SEQUENCE, &s) != 0)
        return -1;
    int64_t type;
    if (der_field(&s, 0, &v) != 1 || der_int(&v, &type) != 0 || der_field(&s, 1, &v) != 1 ||
        der_expect(&v, DER_UNIVERSAL, DER_SEQUENCE, &names) != 0)
        return -1;
    p->type = (int32_t)type;
    GString *t = g_string_new(NULL);
    while (cur_left(&names)) {
        char part[KRB_STR_MAX];
        if (der_string(&names, part, sizeof part) < 0)
            break;
        g_string_append_printf(t, "%s%s", p->n_parts++ ? "/" : "", part);
    }
    g_strlcpy(p->text, t->str, sizeof p->text);
    g_string_free(t, TRUE);
    p->present = !names.err;
    return names.err ? -1 : 0;
}

static int time_in(amt_cur *seq, uint32_t n, int64_t *out, int optional)
{
    amt_cur in;
    *out = 0;
    int r = der_field(seq, n, &in);
    if (r != 1)
        return optional && r == 0 ? 0 : -1;
    return der_time(&in, out);
}

int krb_enc_ticket_parse(const uint8_t *p, size_t len, krb_ticket_info *out, uint8_t *key,
                         size_t *key_len)
{
    /* EncTicketPart ::= [APPLICATION 3] SEQUENCE { flags [0], key [1] EncryptionKey,
     * crealm [2], cname [3], transited [4], authtime [5], starttime [6] OPTIONAL,
     * endtime [7], renew-till [8] OPTIONAL, … } */
    amt_cur c = cur_make(p, len), app, seq, in, ek, v, kv;
    int64_t etype;
    size_t max = *key_len;
    *key_len = 0;
    if (der_expect(&c, DER_APPLICATION, 3, &app) != 0 ||
        der_expect(&app, DER_UNIVERSAL, DER_SEQUENCE, &seq) != 0 || der_field(&seq, 0, &in) != 1 ||
        der_bits(&in, &out->flags) != 0 || der_field(&seq, 1, &in) != 1 ||
        der_expect(&in, DER_UNIVERSAL, DER_SEQUENCE, &ek) != 0 || der_field(&ek, 0, &v) != 1 ||
        der_int(&v, &etype) != 0 || der_field(&ek, 1, &v) != 1 || der_octets(&v, &kv) != 0 ||
        kv.len > max)
        return -1;
    out->session_etype = (int32_t)etype;
    *key_len = kv.len;
    cur_copy(&kv, key, kv.len);
    if (der_field(&seq, 2, &in) != 1 || der_string(&in, out->crealm, sizeof out->crealm) < 0 ||
        read_principal_in(&seq, 3, &out->cname) != 0 || der_field(&seq, 4, &in) != 1 ||
        time_in(&seq, 5, &out->authtime, 0) != 0 || time_in(&seq, 6, &out->starttime, 1) != 0 ||
        time_in(&seq, 7, &out->endtime, 0) != 0)
        return -1;
    return 0;
}

int krb_authenticator_parse(const uint8_t *p, size_t len, krb_ticket_info *out)
{
    /* Authenticator ::= [APPLICATION 2] SEQUENCE { authenticator-vno [0], crealm [1],
     * cname [2], cksum [3] OPTIONAL, cusec [4], ctime [5], subkey [6] OPTIONAL, … } */
    amt_cur c = cur_make(p, len), app, seq, in;
    int64_t v;
    char realm[KRB_STR_MAX];
    if (der_expect(&c, DER_APPLICATION, 2, &app) != 0 ||
        der_expect(&app, DER_UNIVERSAL, DER_SEQUENCE, &seq) != 0 || der_field(&seq, 0, &in) != 1 ||
        der_int(&in, &v) != 0 || v != 5 || der_field(&seq, 1, &in) != 1 ||
        der_string(&in, realm, sizeof realm) < 0 ||
        read_principal_in(&seq, 2, &out->auth_cname) != 0)
        return -1;
    if (der_field(&seq, 3, &in) < 0 || der_field(&seq, 4, &in) != 1 || der_int(&in, &v) != 0)
        return -1;
    out->cusec = (uint32_t)v;
    if (time_in(&seq, 5, &out->ctime, 0) != 0)
        return -1;
    out->auth_subkey = der_field(&seq, 6, &in) == 1;
    return 0;
}

/* ---- opening ------------------------------------------------------------------ */

/* Decrypts enc with key (usage) into a new buffer (g_free after wiping),
 * or NULL when the integrity check fails. */
static uint8_t *decrypt(krb5_context ctx, const krb5_keyblock *key, int usage,
                        const krb_encdata *enc, size_t *len)
{
    krb5_enc_data in = {0};
    in.enctype = enc->etype;
    in.kvno = enc->kvno;
    in.ciphertext.length = (unsigned)enc->cipher_len;
    in.ciphertext.data = (char *)enc->cipher;
    krb5_data out = {0};
    out.length = (unsigned)enc->cipher_len;
    out.data = g_malloc(enc->cipher_len ? enc->cipher_len : 1);
    if (krb5_c_decrypt(ctx, key, usage, NULL, &in, &out) != 0) {
        g_free(out.data);
        return NULL;
    }
    *len = out.length;
    return (uint8_t *)out.data;
}

static void wipe_free(uint8_t *p, size_t len)
{
    if (p)
        OPENSSL_cleanse(p, len);
    g_free(p);
}

/* The keyring's key versions and etypes for principal, as text: "kvno 1:
 * aes256-cts-hmac-sha1-96, rc4-hmac; password: …". */
static void describe_keys(const krb_keyring *k, const char *principal, char *buf, size_t len)
{
    GString *s = g_string_new(NULL);
    long last = -2; /* the group being written: a kvno, -1 for password keys */
    for (guint i = 0; i < k->keys->len; i++) {
        const ring_key *r = &g_array_index(k->keys, ring_key, i);
        if (g_ascii_strcasecmp(r->principal, principal) != 0)
            continue;
        long group = r->any_kvno ? -1 : (long)r->kvno;
        if (group != last) {
            if (group < 0)
                g_string_append_printf(s, "%spassword: ", s->len ? "; " : "");
            else
                g_string_append_printf(s, "%skvno %ld: ", s->len ? "; " : "", group);
            last = group;
        } else {
            g_string_append(s, ", ");
        }
        const char *name = krb_etype_name(r->key.enctype);
        if (name)
            g_string_append(s, name);
        else
            g_string_append_printf(s, "etype %d", r->key.enctype);
    }
    g_strlcpy(buf, s->str, len);
    g_string_free(s, TRUE);
}

/* The authenticator of an AP-REQ, with the session key. */
static void open_authenticator(krb5_context ctx, const krb_msg *msg, const uint8_t *skey,
                               size_t skey_len, krb_ticket_info *out)
{
    krb5_keyblock session = {0};
    session.enctype = out->session_etype;
    session.length = (unsigned)skey_len;
    session.contents = (krb5_octet *)skey;
    size_t len = 0;
    uint8_t *plain = decrypt(ctx, &session, USAGE_AP_REQ_AUTH, &msg->enc, &len);
    if (!plain) {
        out->auth_status = KRB_OPEN_BAD_INTEGRITY;
        return;
    }
    out->auth_status =
        krb_authenticator_parse(plain, len, out) == 0 ? KRB_OPEN_OK : KRB_OPEN_MALFORMED;
    wipe_free(plain, len);
}

void krb_open_ticket(const krb_keyring *k, const krb_msg *msg, krb_ticket_info *out)
{
    memset(out, 0, sizeof *out);
    const krb_ticket *t = &msg->ticket;
    if (!k || !k->keys->len || !t->present || !t->enc.present)
        return;
    char *principal = g_strdup_printf("%s@%s", t->sname.text, t->realm);
    describe_keys(k, principal, out->keys_held, sizeof out->keys_held);
    int named = 0, versioned = 0;
    out->status = KRB_OPEN_NO_PRINCIPAL;
    for (guint i = 0; i < k->keys->len && out->status != KRB_OPEN_OK; i++) {
        const ring_key *r = &g_array_index(k->keys, ring_key, i);
        if (g_ascii_strcasecmp(r->principal, principal) != 0)
            continue;
        named = 1;
        if (!r->any_kvno && t->enc.has_kvno && r->kvno != t->enc.kvno)
            continue;
        versioned = 1;
        if (r->key.enctype != t->enc.etype)
            continue;
        size_t len = 0;
        uint8_t *plain = decrypt(k->ctx, &r->key, USAGE_TICKET, &t->enc, &len);
        if (!plain) {
            out->status = KRB_OPEN_BAD_INTEGRITY;
            continue;
        }
        uint8_t skey[SESSION_KEY_MAX];
        size_t skey_len = sizeof skey;
        int ok = krb_enc_ticket_parse(plain, len, out, skey, &skey_len) == 0;
        wipe_free(plain, len);
        out->status = ok ? KRB_OPEN_OK : KRB_OPEN_MALFORMED;
        out->key_from_password = r->any_kvno;
        if (ok && msg->type == KRB_AP_REQ && msg->enc.present)
            open_authenticator(k->ctx, msg, skey, skey_len, out);
        OPENSSL_cleanse(skey, sizeof skey);
        if (!ok)
            break;
    }
    if (out->status == KRB_OPEN_NO_PRINCIPAL && named)
        out->status = versioned ? KRB_OPEN_NO_ETYPE : KRB_OPEN_NO_KVNO;
    g_free(principal);
}
