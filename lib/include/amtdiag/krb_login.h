/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One Kerberos login to AMT as its HTTP headers carry it: the console's
 * Negotiate token (SPNEGO, the AP-REQ inside, its ticket opened with
 * AMT's keys when given) and AMT's answer token (the AP-REP of a
 * successful login, or a KRB-ERROR as IIS and MIT's acceptor send it).
 * Shared by the rules, the analyzer's reports and the plugin's fields. */
#ifndef AMTDIAG_KRB_LOGIN_H
#define AMTDIAG_KRB_LOGIN_H

#include <stddef.h>
#include <stdint.h>

#include "amtdiag/krb_keys.h"
#include "amtdiag/krb_msg.h"
#include "amtdiag/spnego.h"

typedef struct krb_login {
    /* the console's side (Authorization) */
    int has_token;     /* a Negotiate token was sent */
    size_t header_len; /* length of the Authorization value */
    size_t token_len;  /* of the token (decoded) */
    int token_rc;      /* gss_token_parse's result */
    gss_token tok;
    int has_ap_req; /* the token carries a decodable AP-REQ */
    krb_msg ap_req;
    krb_ticket_info ticket; /* the ticket and authenticator opened with AMT's keys */
    /* AMT's side (WWW-Authenticate of the answer) */
    int has_reply;
    gss_token reply;
    int reply_type; /* KRB_AP_REP, KRB_ERROR, 0 */
    krb_msg reply_msg;
    /* owned buffers the tokens point into */
    uint8_t *buf_req, *buf_resp;
} krb_login;

/* Decodes the tokens of one login: authorization (the request's header
 * value, NULL when absent), www_authenticate (the answer's, NULL when
 * none), opening the ticket with keys (NULL: not opened). Returns 1 when
 * the request carried a Negotiate token, else 0. Free with
 * krb_login_clear either way. */
int krb_login_read(const char *authorization, const char *www_authenticate, const krb_keyring *keys,
                   krb_login *out);

void krb_login_clear(krb_login *l);

/* The client principal of a login as far as it shows: the decrypted
 * ticket's ("alice@REALM"), else "" (a TGS-REP names it: see the rules). */
const char *krb_login_client(const krb_login *l, char *buf, size_t len);

/* Whether two tickets are the same ticket (their cipher texts are equal):
 * links an AP-REQ to the TGS-REP that issued its ticket. */
int krb_same_ticket(const krb_ticket *a, const krb_ticket *b);

/* "aes256-cts-hmac-sha1-96, rc4-hmac" for a list of etypes, into buf. */
const char *krb_etypes_text(const int32_t *etypes, size_t n, char *buf, size_t len);

/* An etype's name, or "etype N" (buf). */
const char *krb_etype_text(int32_t etype, char *buf, size_t len);

#endif
