/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tokens of HTTP Negotiate (RFC 4559): SPNEGO (RFC 4178) NegTokenInit
 * and NegTokenResp, and inside them — or alone — the Kerberos GSS-API
 * tokens of RFC 4121 (the MIT and the Microsoft Kerberos OIDs) carrying an
 * AP-REQ, AP-REP or KRB-ERROR. NTLMSSP is recognised, not decoded. */
#ifndef AMTDIAG_SPNEGO_H
#define AMTDIAG_SPNEGO_H

#include <stddef.h>
#include <stdint.h>

#define GSS_MECHS_MAX 8
#define GSS_OID_MAX 64

#define GSS_OID_SPNEGO "1.3.6.1.5.5.2"
#define GSS_OID_KRB5 "1.2.840.113554.1.2.2"
#define GSS_OID_MS_KRB5 "1.2.840.48018.1.2.2"
#define GSS_OID_NTLMSSP "1.3.6.1.4.1.311.2.2.10"

typedef enum {
    GSS_TOKEN_UNKNOWN,     /* not a token this decoder knows */
    GSS_TOKEN_SPNEGO_INIT, /* NegTokenInit (the console's first token) */
    GSS_TOKEN_SPNEGO_RESP, /* NegTokenResp (AMT's answer, or a later console token) */
    GSS_TOKEN_KRB5,        /* a bare Kerberos GSS token, without SPNEGO */
    GSS_TOKEN_NTLM         /* a bare NTLMSSP message */
} gss_token_kind;

/* SPNEGO negState (RFC 4178 4.2.2); GSS_NEG_ABSENT when not sent. */
enum {
    GSS_NEG_ABSENT = -1,
    GSS_NEG_ACCEPT_COMPLETED = 0,
    GSS_NEG_ACCEPT_INCOMPLETE = 1,
    GSS_NEG_REJECT = 2,
    GSS_NEG_REQUEST_MIC = 3
};

/* Kerberos GSS token identifiers (RFC 4121 4.1, RFC 1964 1.1). */
enum { GSS_KRB_AP_REQ = 0x0100, GSS_KRB_AP_REP = 0x0200, GSS_KRB_ERROR = 0x0300 };

typedef struct gss_token {
    gss_token_kind kind;
    const char *why; /* the first part that did not decode; NULL: all of it did */
    /* NegTokenInit */
    char mechs[GSS_MECHS_MAX][GSS_OID_MAX]; /* mechTypes, in the console's order */
    size_t n_mechs;
    int has_req_flags;
    uint32_t req_flags;
    /* NegTokenResp */
    int neg_state;
    char supported_mech[GSS_OID_MAX];
    int has_mic; /* mechListMIC present */
    size_t mic_len;
    /* The mechanism token (mechToken, responseToken, or the token itself) */
    int has_mech_token;
    size_t mech_token_len;
    char inner_mech[GSS_OID_MAX]; /* the OID its GSS framing names ("" when unframed) */
    int ntlm;                     /* it is an NTLMSSP message */
    int krb_tok_id;               /* GSS_KRB_*; 0 when it is not a Kerberos token */
    const uint8_t *krb;           /* the Kerberos message it carries (into the input) */
    size_t krb_len;
} gss_token;

/* Decodes a Negotiate token (the bytes base64 stands for) of len bytes at
 * p into t; t->krb points into p. Returns 0 when the whole token decoded,
 * 1 when its kind is known but a part did not (t->why), -1 when it is no
 * token this decoder knows. */
int gss_token_parse(const uint8_t *p, size_t len, gss_token *t);

/* The bytes of a Negotiate header value ("Negotiate YIIC…", from an
 * Authorization or WWW-Authenticate header; in a WWW-Authenticate listing
 * several challenges, the Negotiate one with a token): base64-decoded into
 * a new buffer (g_free) of *len bytes. NULL when the value carries no
 * Negotiate token or its base64 is broken. */
uint8_t *gss_negotiate_token(const char *value, size_t *len);

/* "Kerberos 5", "Kerberos 5 (Microsoft)", "NTLMSSP", "SPNEGO", "NegoEx";
 * NULL for other OIDs. */
const char *gss_mech_name(const char *oid);

/* "accept-completed", "accept-incomplete", "reject", "request-mic", "absent". */
const char *gss_neg_state_name(int state);

#endif
