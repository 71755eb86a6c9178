/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spnego: Negotiate tokens. The first token of a context has the GSS-API
 * framing of RFC 2743 3.1 ([APPLICATION 0] { thisMech OID, inner }); SPNEGO's
 * later tokens are a bare NegotiationToken ([1] NegTokenResp). A Kerberos
 * mechanism token has the framing too, then a two-byte TOK_ID and the
 * Kerberos message (RFC 4121 4.1). */
#include "amtdiag/spnego.h"

#include <glib.h>
#include <string.h>

#include "amtdiag/der.h"
#include "amtdiag/http_auth.h"
#include "amtdiag/krb_msg.h"

#define FAIL(t, what)                                                                              \
    do {                                                                                           \
        if (!(t)->why)                                                                             \
            (t)->why = (what);                                                                     \
        return 1;                                                                                  \
    } while (0)

static int is_krb5_oid(const char *oid)
{
    return !strcmp(oid, GSS_OID_KRB5) || !strcmp(oid, GSS_OID_MS_KRB5);
}

/* A mechanism token: framed Kerberos (OID, TOK_ID, message), framed or bare
 * NTLMSSP, or a bare Kerberos message (no framing: some clients). */
static void mech_token(amt_cur tok, gss_token *t)
{
    t->has_mech_token = 1;
    t->mech_token_len = tok.len;
    const uint8_t *p = cur_ptr(&tok);
    size_t len = cur_left(&tok);
    if (len >= 8 && memcmp(p, "NTLMSSP", 8) == 0) {
        t->ntlm = 1;
        return;
    }
    if (len && krb_msg_starts(p[0])) {
        t->krb = p;
        t->krb_len = len;
        return;
    }
    amt_cur inner;
    if (der_expect(&tok, DER_APPLICATION, 0, &inner) != 0 ||
        der_oid(&inner, t->inner_mech, sizeof t->inner_mech) != 0) {
        t->why = t->why ? t->why : "mechanism token";
        return;
    }
    if (!strcmp(t->inner_mech, GSS_OID_NTLMSSP)) {
        t->ntlm = 1;
        return;
    }
    if (!is_krb5_oid(t->inner_mech))
        return;
    unsigned id = cur_u16(&inner);
    if (inner.err || (id != GSS_KRB_AP_REQ && id != GSS_KRB_AP_REP && id != GSS_KRB_ERROR)) {
        t->why = t->why ? t->why : "Kerberos TOK_ID";
        return;
    }
    t->krb_tok_id = (int)id;
    t->krb = cur_ptr(&inner);
    t->krb_len = cur_left(&inner);
}

/* An OCTET STRING field holding a mechanism token. */
static int token_field(amt_cur *seq, uint32_t n, gss_token *t)
{
    amt_cur in, tok;
    int r = der_field(seq, n, &in);
    if (r != 1)
        return r;
    if (der_octets(&in, &tok) != 0)
        return -1;
    mech_token(tok, t);
    return 1;
}

/* mechListMIC: an OCTET STRING. */
static int mic_field(amt_cur *seq, uint32_t n, gss_token *t)
{
    amt_cur in, mic;
    int r = der_field(seq, n, &in);
    if (r != 1)
        return r;
    if (der_octets(&in, &mic) != 0)
        return -1;
    t->has_mic = 1;
    t->mic_len = mic.len;
    return 1;
}

/* NegTokenInit ::= SEQUENCE { mechTypes [0] SEQUENCE OF OID, reqFlags [1] BIT
 * STRING OPTIONAL, mechToken [2] OCTET STRING OPTIONAL, mechListMIC [3] OCTET
 * STRING OPTIONAL }; Microsoft's NegTokenInit2 has negHints [3] and
 * mechListMIC [4]. */
static int neg_token_init(amt_cur *c, gss_token *t)
{
    amt_cur seq, in, list;
    t->kind = GSS_TOKEN_SPNEGO_INIT;
    if (der_expect(c, DER_UNIVERSAL, DER_SEQUENCE, &seq) != 0)
        FAIL(t, "NegTokenInit");
    if (der_field(&seq, 0, &in) != 1 || der_expect(&in, DER_UNIVERSAL, DER_SEQUENCE, &list) != 0)
        FAIL(t, "mechTypes");
    while (cur_left(&list)) {
        char oid[GSS_OID_MAX];
        if (der_oid(&list, oid, sizeof oid) != 0)
            FAIL(t, "mechTypes");
        if (t->n_mechs < GSS_MECHS_MAX)
            memcpy(t->mechs[t->n_mechs++], oid, sizeof oid);
    }
    if (der_field(&seq, 1, &in) == 1) {
        if (der_bits(&in, &t->req_flags) != 0)
            FAIL(t, "reqFlags");
        t->has_req_flags = 1;
    }
    if (token_field(&seq, 2, t) < 0)
        FAIL(t, "mechToken");
    der_tlv next;
    if (cur_left(&seq) && der_peek(&seq, &next) == 0 && next.cls == DER_CONTEXT && next.tag == 3) {
        /* [3] is mechListMIC (an OCTET STRING) or NegTokenInit2's negHints */
        der_tlv inner;
        if (der_peek(&next.val, &inner) == 0 && inner.tag == DER_OCTET_STRING) {
            if (mic_field(&seq, 3, t) < 0)
                FAIL(t, "mechListMIC");
        } else {
            der_next(&seq, &next);
            if (mic_field(&seq, 4, t) < 0)
                FAIL(t, "mechListMIC");
        }
    }
    return seq.err ? 1 : 0;
}

/* NegTokenResp ::= SEQUENCE { negState [0] ENUMERATED OPTIONAL, supportedMech
 * [1] OID OPTIONAL, responseToken [2] OCTET STRING OPTIONAL, mechListMIC [3]
 * OCTET STRING OPTIONAL } */
static int neg_token_resp(amt_cur *c, gss_token *t)
{
    amt_cur seq, in;
    t->kind = GSS_TOKEN_SPNEGO_RESP;
    if (der_expect(c, DER_UNIVERSAL, DER_SEQUENCE, &seq) != 0)
        FAIL(t, "NegTokenResp");
    if (der_field(&seq, 0, &in) == 1) {
        int64_t v;
        if (der_int(&in, &v) != 0 || v < 0 || v > 3)
            FAIL(t, "negState");
        t->neg_state = (int)v;
    }
    if (der_field(&seq, 1, &in) == 1 &&
        der_oid(&in, t->supported_mech, sizeof t->supported_mech) != 0)
        FAIL(t, "supportedMech");
    if (token_field(&seq, 2, t) < 0)
        FAIL(t, "responseToken");
    if (mic_field(&seq, 3, t) < 0)
        FAIL(t, "mechListMIC");
    return seq.err ? 1 : 0;
}

/* NegotiationToken ::= CHOICE { negTokenInit [0], negTokenResp [1] } */
static int negotiation_token(amt_cur *c, gss_token *t)
{
    der_tlv choice;
    if (der_next(c, &choice) != 0 || choice.cls != DER_CONTEXT)
        return -1;
    if (choice.tag == 0)
        return neg_token_init(&choice.val, t);
    if (choice.tag == 1)
        return neg_token_resp(&choice.val, t);
    return -1;
}

int gss_token_parse(const uint8_t *p, size_t len, gss_token *t)
{
    memset(t, 0, sizeof *t);
    t->neg_state = GSS_NEG_ABSENT;
    if (!p || !len)
        return -1;
    amt_cur c = cur_make(p, len);
    if (len >= 8 && memcmp(p, "NTLMSSP", 8) == 0) {
        t->kind = GSS_TOKEN_NTLM;
        mech_token(c, t);
        return 0;
    }
    if (p[0] == 0xa1 || p[0] == 0xa0) {
        int rc = negotiation_token(&c, t);
        if (rc < 0)
            t->kind = GSS_TOKEN_UNKNOWN;
        return rc < 0 ? -1 : t->why ? 1 : 0;
    }
    amt_cur framed;
    char oid[GSS_OID_MAX];
    if (der_expect(&c, DER_APPLICATION, 0, &framed) != 0 || der_oid(&framed, oid, sizeof oid) != 0)
        return -1;
    if (!strcmp(oid, GSS_OID_SPNEGO)) {
        int rc = negotiation_token(&framed, t);
        if (rc < 0) {
            t->kind = GSS_TOKEN_SPNEGO_INIT;
            t->why = "NegotiationToken";
            return 1;
        }
        return t->why ? 1 : 0;
    }
    if (is_krb5_oid(oid) || !strcmp(oid, GSS_OID_NTLMSSP)) {
        t->kind = is_krb5_oid(oid) ? GSS_TOKEN_KRB5 : GSS_TOKEN_NTLM;
        mech_token(cur_make(p, len), t);
        return t->why ? 1 : 0;
    }
    return -1;
}

uint8_t *gss_negotiate_token(const char *value, size_t *len)
{
    *len = 0;
    if (!value)
        return NULL;
    http_auth a[4];
    const char *b64 = NULL;
    size_t b64_len = 0;
    /* credentials are one scheme; a challenge header may list several */
    http_auth cr;
    if (http_auth_parse_credentials(value, strlen(value), &cr) == 0 &&
        cr.scheme == HTTP_AUTH_NEGOTIATE && cr.token_len) {
        b64 = cr.token;
        b64_len = cr.token_len;
    } else {
        size_t n = http_auth_parse_challenges(value, strlen(value), a, 4);
        for (size_t i = 0; i < n && i < 4 && !b64; i++)
            if (a[i].scheme == HTTP_AUTH_NEGOTIATE && a[i].token_len) {
                b64 = a[i].token;
                b64_len = a[i].token_len;
            }
    }
    if (!b64)
        return NULL;
    gint state = 0;
    guint save = 0;
    uint8_t *out = g_malloc(b64_len * 3 / 4 + 3);
    size_t n = g_base64_decode_step(b64, b64_len, out, &state, &save);
    if (n == 0) {
        g_free(out);
        return NULL;
    }
    *len = n;
    return out;
}

const char *gss_mech_name(const char *oid)
{
    static const struct {
        const char *oid, *name;
    } t[] = {
        {GSS_OID_KRB5, "Kerberos 5"},
        {GSS_OID_MS_KRB5, "Kerberos 5 (Microsoft)"},
        {"1.2.840.113554.1.2.2.3", "Kerberos 5 user-to-user"},
        {GSS_OID_NTLMSSP, "NTLMSSP"},
        {GSS_OID_SPNEGO, "SPNEGO"},
        {"1.3.6.1.4.1.311.2.2.30", "NegoEx"},
    };
    for (size_t i = 0; oid && i < G_N_ELEMENTS(t); i++)
        if (!strcmp(oid, t[i].oid))
            return t[i].name;
    return NULL;
}

const char *gss_neg_state_name(int state)
{
    switch (state) {
    case GSS_NEG_ACCEPT_COMPLETED:
        return "accept-completed";
    case GSS_NEG_ACCEPT_INCOMPLETE:
        return "accept-incomplete";
    case GSS_NEG_REJECT:
        return "reject";
    case GSS_NEG_REQUEST_MIC:
        return "request-mic";
    default:
        return "absent";
    }
}
