/* SPDX-License-Identifier: GPL-2.0-or-later */
/* krb_msg: the clear parts of Kerberos V5 messages (RFC 4120 5.4-5.9),
 * read with der.h. Every field is EXPLICIT context-tagged in order; an
 * OPTIONAL one is simply absent. A part that does not decode stops the
 * message there with m->why naming it: what came before stays usable. */
#include "amtdiag/krb_msg.h"

#include <stdio.h>
#include <string.h>

#include "amtdiag/der.h"

/* Stops decoding: the first problem is kept. */
#define FAIL(m, what)                                                                              \
    do {                                                                                           \
        if (!(m)->why)                                                                             \
            (m)->why = (what);                                                                     \
        return -1;                                                                                 \
    } while (0)

static int read_int32(amt_cur *c, int32_t *out)
{
    int64_t v;
    if (der_int(c, &v) != 0 || v < INT32_MIN || v > UINT32_MAX)
        return -1;
    *out = (int32_t)v;
    return 0;
}

/* A required [n] field holding an INTEGER. */
static int int_field(amt_cur *seq, uint32_t n, int64_t *out)
{
    amt_cur in;
    if (der_field(seq, n, &in) != 1)
        return -1;
    return der_int(&in, out);
}

static int string_field(amt_cur *seq, uint32_t n, char *buf, size_t len)
{
    amt_cur in;
    buf[0] = '\0';
    int r = der_field(seq, n, &in);
    if (r != 1)
        return r;
    return der_string(&in, buf, len) < 0 ? -1 : 1;
}

static int time_field(amt_cur *seq, uint32_t n, int64_t *out)
{
    amt_cur in;
    *out = 0;
    int r = der_field(seq, n, &in);
    if (r != 1)
        return r;
    return der_time(&in, out) == 0 ? 1 : -1;
}

/* PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF
 * KerberosString } */
static int read_principal(amt_cur *c, krb_principal *p)
{
    amt_cur seq, in, parts;
    memset(p, 0, sizeof *p);
    if (der_expect(c, DER_UNIVERSAL, DER_SEQUENCE, &seq) != 0)
        return -1;
    int64_t type;
    if (int_field(&seq, 0, &type) != 0 || der_field(&seq, 1, &in) != 1 ||
        der_expect(&in, DER_UNIVERSAL, DER_SEQUENCE, &parts) != 0)
        return -1;
    p->type = (int32_t)type;
    size_t at = 0;
    while (cur_left(&parts)) {
        char part[KRB_STR_MAX];
        if (der_string(&parts, part, sizeof part) < 0)
            return -1;
        int n = snprintf(p->text + at, sizeof p->text - at, "%s%s", p->n_parts ? "/" : "", part);
        at = n < 0 || (size_t)n >= sizeof p->text - at ? sizeof p->text - 1 : at + (size_t)n;
        p->n_parts++;
    }
    p->present = 1;
    return parts.err ? -1 : 0;
}

static int principal_field(amt_cur *seq, uint32_t n, krb_principal *p)
{
    amt_cur in;
    int r = der_field(seq, n, &in);
    if (r != 1)
        return r;
    return read_principal(&in, p) == 0 ? 1 : -1;
}

/* EncryptedData ::= SEQUENCE { etype [0] Int32, kvno [1] UInt32 OPTIONAL,
 * cipher [2] OCTET STRING } */
static int read_encdata(amt_cur *c, krb_encdata *e)
{
    amt_cur seq, in, cipher;
    memset(e, 0, sizeof *e);
    if (der_expect(c, DER_UNIVERSAL, DER_SEQUENCE, &seq) != 0)
        return -1;
    int64_t v;
    if (int_field(&seq, 0, &v) != 0)
        return -1;
    e->etype = (int32_t)v;
    if (der_field(&seq, 1, &in) == 1) {
        if (der_int(&in, &v) != 0)
            return -1;
        e->has_kvno = 1;
        e->kvno = (uint32_t)v;
    }
    if (der_field(&seq, 2, &in) != 1 || der_octets(&in, &cipher) != 0)
        return -1;
    e->cipher_len = cipher.len;
    e->cipher = cur_take(&cipher, cipher.len);
    e->present = 1;
    return 0;
}

static int encdata_field(amt_cur *seq, uint32_t n, krb_encdata *e)
{
    amt_cur in;
    if (der_field(seq, n, &in) != 1)
        return -1;
    return read_encdata(&in, e);
}

/* Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2],
 * enc-part [3] } */
static int read_ticket(amt_cur *c, krb_ticket *t)
{
    amt_cur app, seq;
    int64_t vno;
    memset(t, 0, sizeof *t);
    if (der_expect(c, DER_APPLICATION, 1, &app) != 0 ||
        der_expect(&app, DER_UNIVERSAL, DER_SEQUENCE, &seq) != 0 || int_field(&seq, 0, &vno) != 0 ||
        string_field(&seq, 1, t->realm, sizeof t->realm) != 1 ||
        principal_field(&seq, 2, &t->sname) != 1 || encdata_field(&seq, 3, &t->enc) != 0)
        return -1;
    t->present = 1;
    return 0;
}

/* SEQUENCE OF Int32 into list. */
static int read_int_list(amt_cur *c, int32_t *list, size_t *n)
{
    amt_cur seq;
    *n = 0;
    if (der_expect(c, DER_UNIVERSAL, DER_SEQUENCE, &seq) != 0)
        return -1;
    while (cur_left(&seq)) {
        int32_t v;
        if (read_int32(&seq, &v) != 0)
            return -1;
        if (*n < KRB_LIST_MAX)
            list[(*n)++] = v;
    }
    return seq.err ? -1 : 0;
}

/* ETYPE-INFO2 ::= SEQUENCE OF SEQUENCE { etype [0] Int32, salt [1]
 * KerberosString OPTIONAL, s2kparams [2] OCTET STRING OPTIONAL } */
static void read_etype_info2(amt_cur val, krb_msg *m)
{
    amt_cur seq;
    if (der_expect(&val, DER_UNIVERSAL, DER_SEQUENCE, &seq) != 0)
        return;
    while (cur_left(&seq)) {
        amt_cur entry;
        int64_t etype;
        char salt[KRB_STR_MAX];
        if (der_expect(&seq, DER_UNIVERSAL, DER_SEQUENCE, &entry) != 0 ||
            int_field(&entry, 0, &etype) != 0)
            return;
        if (m->n_info_etypes < KRB_LIST_MAX)
            m->info_etypes[m->n_info_etypes++] = (int32_t)etype;
        if (string_field(&entry, 1, salt, sizeof salt) == 1 && !m->salt[0])
            memcpy(m->salt, salt, sizeof salt);
    }
}

/* METHOD-DATA ::= SEQUENCE OF PA-DATA, PA-DATA ::= SEQUENCE { padata-type [1]
 * Int32, padata-value [2] OCTET STRING }: the types into m->pa_types, an
 * ETYPE-INFO2 read, the first PA-TGS-REQ's value into *tgs_req. */
static int read_padata(amt_cur *c, krb_msg *m, amt_cur *tgs_req)
{
    amt_cur seq;
    if (der_expect(c, DER_UNIVERSAL, DER_SEQUENCE, &seq) != 0)
        return -1;
    while (cur_left(&seq)) {
        amt_cur pa, in, value;
        int64_t type;
        if (der_expect(&seq, DER_UNIVERSAL, DER_SEQUENCE, &pa) != 0 ||
            der_field(&pa, 1, &in) != 1 || der_int(&in, &type) != 0 ||
            der_field(&pa, 2, &in) != 1 || der_octets(&in, &value) != 0)
            return -1;
        if (m->n_pa < KRB_LIST_MAX)
            m->pa_types[m->n_pa++] = (int32_t)type;
        if (type == KRB_PA_ETYPE_INFO2)
            read_etype_info2(value, m);
        if (type == KRB_PA_TGS_REQ && tgs_req && !tgs_req->p)
            *tgs_req = value;
    }
    return seq.err ? -1 : 0;
}

/* pvno [n] and msg-type [n+1], which must say type. */
static int read_header(amt_cur *seq, uint32_t n, int type, krb_msg *m)
{
    int64_t pvno, mt;
    if (int_field(seq, n, &pvno) != 0 || pvno != 5)
        FAIL(m, "pvno");
    if (int_field(seq, n + 1, &mt) != 0 || mt != type)
        FAIL(m, "msg-type");
    return 0;
}

/* AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0], msg-type [1], ap-options
 * [2] APOptions, ticket [3] Ticket, authenticator [4] EncryptedData } */
static int read_ap_req(amt_cur *seq, krb_msg *m)
{
    amt_cur in;
    if (read_header(seq, 0, KRB_AP_REQ, m) != 0)
        return -1;
    if (der_field(seq, 2, &in) != 1 || der_bits(&in, &m->ap_options) != 0)
        FAIL(m, "ap-options");
    if (der_field(seq, 3, &in) != 1 || read_ticket(&in, &m->ticket) != 0)
        FAIL(m, "ticket");
    if (encdata_field(seq, 4, &m->enc) != 0)
        FAIL(m, "authenticator");
    return 0;
}

/* The AP-REQ inside a TGS-REQ's PA-TGS-REQ: its ticket (the TGT) and
 * authenticator go to m. */
static void read_tgs_ap_req(amt_cur value, krb_msg *m)
{
    amt_cur seq;
    krb_msg ap;
    memset(&ap, 0, sizeof ap);
    if (der_expect(&value, DER_APPLICATION, KRB_AP_REQ, &seq) != 0 ||
        der_expect(&seq, DER_UNIVERSAL, DER_SEQUENCE, &seq) != 0)
        return;
    read_ap_req(&seq, &ap);
    m->ticket = ap.ticket;
    m->enc = ap.enc;
    m->ap_options = ap.ap_options;
}

/* KDC-REQ ::= SEQUENCE { pvno [1], msg-type [2], padata [3] OPTIONAL,
 * req-body [4] KDC-REQ-BODY } */
static int read_kdc_req(amt_cur *seq, int type, krb_msg *m)
{
    amt_cur in, body, tgs = cur_make(NULL, 0);
    if (read_header(seq, 1, type, m) != 0)
        return -1;
    int r = der_field(seq, 3, &in);
    if (r < 0 || (r == 1 && read_padata(&in, m, &tgs) != 0))
        FAIL(m, "padata");
    if (tgs.p)
        read_tgs_ap_req(tgs, m);
    if (der_field(seq, 4, &in) != 1 || der_expect(&in, DER_UNIVERSAL, DER_SEQUENCE, &body) != 0)
        FAIL(m, "req-body");
    /* KDC-REQ-BODY ::= SEQUENCE { kdc-options [0], cname [1] OPTIONAL, realm [2],
     * sname [3] OPTIONAL, from [4] OPTIONAL, till [5], rtime [6] OPTIONAL, nonce [7],
     * etype [8] SEQUENCE OF Int32, … } */
    if (der_field(&body, 0, &in) != 1 || der_bits(&in, &m->kdc_options) != 0)
        FAIL(m, "kdc-options");
    if (principal_field(&body, 1, &m->cname) < 0)
        FAIL(m, "cname");
    if (string_field(&body, 2, m->realm, sizeof m->realm) != 1)
        FAIL(m, "realm");
    if (type == KRB_AS_REQ)
        memcpy(m->crealm, m->realm, sizeof m->crealm);
    if (principal_field(&body, 3, &m->sname) < 0)
        FAIL(m, "sname");
    int64_t t;
    if (time_field(&body, 4, &t) < 0)
        FAIL(m, "from");
    if (time_field(&body, 5, &m->till) < 0)
        FAIL(m, "till");
    if (time_field(&body, 6, &t) < 0)
        FAIL(m, "rtime");
    int64_t nonce;
    if (int_field(&body, 7, &nonce) != 0)
        FAIL(m, "nonce");
    m->nonce = (uint32_t)nonce;
    if (der_field(&body, 8, &in) != 1 || read_int_list(&in, m->etypes, &m->n_etypes) != 0)
        FAIL(m, "etype");
    return 0;
}

/* KDC-REP ::= SEQUENCE { pvno [0], msg-type [1], padata [2] OPTIONAL, crealm
 * [3], cname [4], ticket [5], enc-part [6] } */
static int read_kdc_rep(amt_cur *seq, int type, krb_msg *m)
{
    amt_cur in;
    if (read_header(seq, 0, type, m) != 0)
        return -1;
    int r = der_field(seq, 2, &in);
    if (r < 0 || (r == 1 && read_padata(&in, m, NULL) != 0))
        FAIL(m, "padata");
    if (string_field(seq, 3, m->crealm, sizeof m->crealm) != 1)
        FAIL(m, "crealm");
    if (principal_field(seq, 4, &m->cname) != 1)
        FAIL(m, "cname");
    if (der_field(seq, 5, &in) != 1 || read_ticket(&in, &m->ticket) != 0)
        FAIL(m, "ticket");
    m->sname = m->ticket.sname;
    memcpy(m->realm, m->ticket.realm, sizeof m->realm);
    if (encdata_field(seq, 6, &m->enc) != 0)
        FAIL(m, "enc-part");
    return 0;
}

/* AP-REP ::= [APPLICATION 15] SEQUENCE { pvno [0], msg-type [1], enc-part [2] } */
static int read_ap_rep(amt_cur *seq, krb_msg *m)
{
    if (read_header(seq, 0, KRB_AP_REP, m) != 0)
        return -1;
    if (encdata_field(seq, 2, &m->enc) != 0)
        FAIL(m, "enc-part");
    return 0;
}

/* KRB-ERROR ::= [APPLICATION 30] SEQUENCE { pvno [0], msg-type [1], ctime [2]
 * OPTIONAL, cusec [3] OPTIONAL, stime [4], susec [5], error-code [6], crealm [7]
 * OPTIONAL, cname [8] OPTIONAL, realm [9], sname [10], e-text [11] OPTIONAL,
 * e-data [12] OPTIONAL } */
static int read_error(amt_cur *seq, krb_msg *m)
{
    amt_cur in;
    int64_t v;
    if (read_header(seq, 0, KRB_ERROR, m) != 0)
        return -1;
    if (time_field(seq, 2, &m->ctime) < 0)
        FAIL(m, "ctime");
    if (der_field(seq, 3, &in) == 1) {
        if (der_int(&in, &v) != 0)
            FAIL(m, "cusec");
        m->cusec = (uint32_t)v;
    }
    if (time_field(seq, 4, &m->stime) != 1)
        FAIL(m, "stime");
    if (int_field(seq, 5, &v) != 0)
        FAIL(m, "susec");
    m->susec = (uint32_t)v;
    if (int_field(seq, 6, &v) != 0)
        FAIL(m, "error-code");
    m->error_code = (int32_t)v;
    if (string_field(seq, 7, m->crealm, sizeof m->crealm) < 0)
        FAIL(m, "crealm");
    if (principal_field(seq, 8, &m->cname) < 0)
        FAIL(m, "cname");
    if (string_field(seq, 9, m->realm, sizeof m->realm) != 1)
        FAIL(m, "realm");
    if (principal_field(seq, 10, &m->sname) != 1)
        FAIL(m, "sname");
    int r = string_field(seq, 11, m->e_text, sizeof m->e_text);
    if (r < 0)
        FAIL(m, "e-text");
    m->has_e_text = r == 1;
    amt_cur data;
    if (der_field(seq, 12, &in) == 1) {
        if (der_octets(&in, &data) != 0)
            FAIL(m, "e-data");
        m->e_data_len = data.len;
        /* METHOD-DATA with the pre-authentication the KDC wants (and its
         * ETYPE-INFO2) for KDC_ERR_PREAUTH_REQUIRED; other e-data (a
         * TYPED-DATA, Microsoft's KERB-ERROR-DATA) is left undecoded */
        amt_cur copy = data;
        if (read_padata(&copy, m, NULL) != 0)
            m->n_pa = 0;
    }
    return 0;
}

int krb_msg_starts(uint8_t b)
{
    /* [APPLICATION n] constructed, n = 10 … 30 */
    return (b & 0xe0) == 0x60 && (b & 0x1f) >= 10 && (b & 0x1f) <= 30;
}

int krb_msg_parse(const uint8_t *p, size_t len, krb_msg *m)
{
    memset(m, 0, sizeof *m);
    /* RFC 4120 7.2.2: over TCP, four bytes of length (high bit reserved) */
    if (len >= 5 && !krb_msg_starts(p[0]) &&
        ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]) == len - 4) {
        p += 4;
        len -= 4;
    }
    if (!len || !krb_msg_starts(p[0]))
        return -1;
    amt_cur c = cur_make(p, len);
    der_tlv t;
    if (der_next(&c, &t) != 0 || t.cls != DER_APPLICATION)
        return -1;
    amt_cur seq;
    if (der_expect(&t.val, DER_UNIVERSAL, DER_SEQUENCE, &seq) != 0)
        return -1;
    int rc;
    switch (t.tag) {
    case KRB_AS_REQ:
    case KRB_TGS_REQ:
        rc = read_kdc_req(&seq, (int)t.tag, m);
        break;
    case KRB_AS_REP:
    case KRB_TGS_REP:
        rc = read_kdc_rep(&seq, (int)t.tag, m);
        break;
    case KRB_AP_REQ:
        rc = read_ap_req(&seq, m);
        break;
    case KRB_AP_REP:
        rc = read_ap_rep(&seq, m);
        break;
    case KRB_ERROR:
        rc = read_error(&seq, m);
        break;
    default:
        return -1;
    }
    /* Not even the header: these bytes only looked like Kerberos. */
    if (rc != 0 && m->why && (!strcmp(m->why, "pvno") || !strcmp(m->why, "msg-type"))) {
        memset(m, 0, sizeof *m);
        return -1;
    }
    m->type = (int)t.tag;
    return rc == 0 ? 0 : 1;
}

/* ---- names ------------------------------------------------------------------ */

const char *krb_msg_type_name(int type)
{
    switch (type) {
    case KRB_AS_REQ:
        return "AS-REQ";
    case KRB_AS_REP:
        return "AS-REP";
    case KRB_TGS_REQ:
        return "TGS-REQ";
    case KRB_TGS_REP:
        return "TGS-REP";
    case KRB_AP_REQ:
        return "AP-REQ";
    case KRB_AP_REP:
        return "AP-REP";
    case KRB_ERROR:
        return "KRB-ERROR";
    default:
        return "Kerberos message";
    }
}

typedef struct code_name {
    int32_t code;
    const char *name;
} code_name;

static const char *find_name(const code_name *t, size_t n, int32_t code)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].code == code)
            return t[i].name;
    return NULL;
}

const char *krb_error_name(int32_t code)
{
    static const code_name t[] = {
        {0, "KDC_ERR_NONE"},
        {1, "KDC_ERR_NAME_EXP"},
        {2, "KDC_ERR_SERVICE_EXP"},
        {3, "KDC_ERR_BAD_PVNO"},
        {4, "KDC_ERR_C_OLD_MAST_KVNO"},
        {5, "KDC_ERR_S_OLD_MAST_KVNO"},
        {6, "KDC_ERR_C_PRINCIPAL_UNKNOWN"},
        {7, "KDC_ERR_S_PRINCIPAL_UNKNOWN"},
        {8, "KDC_ERR_PRINCIPAL_NOT_UNIQUE"},
        {9, "KDC_ERR_NULL_KEY"},
        {10, "KDC_ERR_CANNOT_POSTDATE"},
        {11, "KDC_ERR_NEVER_VALID"},
        {12, "KDC_ERR_POLICY"},
        {13, "KDC_ERR_BADOPTION"},
        {14, "KDC_ERR_ETYPE_NOSUPP"},
        {15, "KDC_ERR_SUMTYPE_NOSUPP"},
        {16, "KDC_ERR_PADATA_TYPE_NOSUPP"},
        {17, "KDC_ERR_TRTYPE_NOSUPP"},
        {18, "KDC_ERR_CLIENT_REVOKED"},
        {19, "KDC_ERR_SERVICE_REVOKED"},
        {20, "KDC_ERR_TGT_REVOKED"},
        {21, "KDC_ERR_CLIENT_NOTYET"},
        {22, "KDC_ERR_SERVICE_NOTYET"},
        {23, "KDC_ERR_KEY_EXPIRED"},
        {24, "KDC_ERR_PREAUTH_FAILED"},
        {25, "KDC_ERR_PREAUTH_REQUIRED"},
        {26, "KDC_ERR_SERVER_NOMATCH"},
        {27, "KDC_ERR_MUST_USE_USER2USER"},
        {28, "KDC_ERR_PATH_NOT_ACCEPTED"},
        {29, "KDC_ERR_SVC_UNAVAILABLE"},
        {31, "KRB_AP_ERR_BAD_INTEGRITY"},
        {32, "KRB_AP_ERR_TKT_EXPIRED"},
        {33, "KRB_AP_ERR_TKT_NYV"},
        {34, "KRB_AP_ERR_REPEAT"},
        {35, "KRB_AP_ERR_NOT_US"},
        {36, "KRB_AP_ERR_BADMATCH"},
        {37, "KRB_AP_ERR_SKEW"},
        {38, "KRB_AP_ERR_BADADDR"},
        {39, "KRB_AP_ERR_BADVERSION"},
        {40, "KRB_AP_ERR_MSG_TYPE"},
        {41, "KRB_AP_ERR_MODIFIED"},
        {42, "KRB_AP_ERR_BADORDER"},
        {44, "KRB_AP_ERR_BADKEYVER"},
        {45, "KRB_AP_ERR_NOKEY"},
        {46, "KRB_AP_ERR_MUT_FAIL"},
        {47, "KRB_AP_ERR_BADDIRECTION"},
        {48, "KRB_AP_ERR_METHOD"},
        {49, "KRB_AP_ERR_BADSEQ"},
        {50, "KRB_AP_ERR_INAPP_CKSUM"},
        {51, "KRB_AP_PATH_NOT_ACCEPTED"},
        {52, "KRB_ERR_RESPONSE_TOO_BIG"},
        {60, "KRB_ERR_GENERIC"},
        {61, "KRB_ERR_FIELD_TOOLONG"},
        {62, "KDC_ERR_CLIENT_NOT_TRUSTED"},
        {63, "KDC_ERR_KDC_NOT_TRUSTED"},
        {64, "KDC_ERR_INVALID_SIG"},
        {65, "KDC_ERR_DH_KEY_PARAMETERS_NOT_ACCEPTED"},
        {68, "KDC_ERR_WRONG_REALM"},
        {69, "KRB_AP_ERR_USER_TO_USER_REQUIRED"},
        {70, "KDC_ERR_CANT_VERIFY_CERTIFICATE"},
        {71, "KDC_ERR_INVALID_CERTIFICATE"},
        {72, "KDC_ERR_REVOKED_CERTIFICATE"},
        {76, "KDC_ERR_CLIENT_NAME_MISMATCH"},
        {90, "KDC_ERR_PREAUTH_EXPIRED"},
        {91, "KDC_ERR_MORE_PREAUTH_DATA_REQUIRED"},
        {93, "KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS"},
    };
    return find_name(t, sizeof t / sizeof t[0], code);
}

const char *krb_etype_name(int32_t etype)
{
    static const code_name t[] = {
        {1, "des-cbc-crc"},
        {3, "des-cbc-md5"},
        {16, "des3-cbc-sha1"},
        {17, "aes128-cts-hmac-sha1-96"},
        {18, "aes256-cts-hmac-sha1-96"},
        {19, "aes128-cts-hmac-sha256-128"},
        {20, "aes256-cts-hmac-sha384-192"},
        {23, "rc4-hmac"},
        {24, "rc4-hmac-exp"},
        {25, "camellia128-cts-cmac"},
        {26, "camellia256-cts-cmac"},
    };
    return find_name(t, sizeof t / sizeof t[0], etype);
}

int krb_etype_is_legacy(int32_t etype)
{
    return (etype >= 1 && etype <= 16) || etype == 23 || etype == 24;
}

const char *krb_pa_name(int32_t type)
{
    static const code_name t[] = {
        {1, "PA-TGS-REQ"},
        {2, "PA-ENC-TIMESTAMP"},
        {3, "PA-PW-SALT"},
        {11, "PA-ETYPE-INFO"},
        {16, "PA-PK-AS-REQ"},
        {17, "PA-PK-AS-REP"},
        {19, "PA-ETYPE-INFO2"},
        {128, "PA-PAC-REQUEST"},
        {133, "PA-FX-COOKIE"},
        {136, "PA-FX-FAST"},
        {138, "PA-ENCRYPTED-CHALLENGE"},
        {149, "PA-REQ-ENC-PA-REP"},
        {150, "PA-AS-FRESHNESS"},
        {151, "PA-SPAKE"},
        {165, "PA-SUPPORTED-ETYPES"},
    };
    return find_name(t, sizeof t / sizeof t[0], type);
}

const char *krb_principal_service(const krb_principal *p, char *buf, size_t len)
{
    size_t n = strcspn(p->text, "/");
    if (n >= len)
        n = len - 1;
    memcpy(buf, p->text, n);
    buf[n] = '\0';
    return buf;
}

const char *krb_principal_host(const krb_principal *p, char *buf, size_t len, unsigned *port)
{
    *port = 0;
    buf[0] = '\0';
    const char *slash = strchr(p->text, '/');
    if (!slash || p->n_parts < 2)
        return buf;
    const char *host = slash + 1;
    size_t n = strcspn(host, "/:");
    if (host[n] == ':') {
        unsigned v = 0;
        const char *d = host + n + 1;
        while (*d >= '0' && *d <= '9' && v < 65536)
            v = v * 10 + (unsigned)(*d++ - '0');
        if (v < 65536 && (*d == '\0' || *d == '/'))
            *port = v;
    }
    if (n >= len)
        n = len - 1;
    memcpy(buf, host, n);
    buf[n] = '\0';
    return buf;
}

int krb_principal_is_tgs(const krb_principal *p)
{
    return p->present && strncmp(p->text, "krbtgt/", 7) == 0;
}
