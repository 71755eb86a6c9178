/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kerberos V5 messages (RFC 4120 section 5) as a capture shows them: the
 * KDC exchanges on port 88 (AS-REQ/REP, TGS-REQ/REP, KRB-ERROR) and the
 * AP-REQ/AP-REP/KRB-ERROR a console and AMT trade inside Negotiate. The
 * clear parts are decoded (names, realms, times, etypes, key versions,
 * error codes, e-text, e-data's pre-authentication hints); encrypted parts
 * are located for krb_keys.h to open. Bounded: names and lists are cut at
 * fixed sizes, and the decoder never allocates. */
#ifndef AMTDIAG_KRB_MSG_H
#define AMTDIAG_KRB_MSG_H

#include <stddef.h>
#include <stdint.h>

#define KRB_STR_MAX 256    /* realms, names, e-text (terminator included) */
#define KRB_LIST_MAX 16    /* etypes and pre-authentication types kept */
#define KRB_MAX_SKEW_S 300 /* the default clock skew Kerberos tolerates (RFC 4120 1.7) */

/* msg-type values (RFC 4120 7.5.7). */
enum {
    KRB_AS_REQ = 10,
    KRB_AS_REP = 11,
    KRB_TGS_REQ = 12,
    KRB_TGS_REP = 13,
    KRB_AP_REQ = 14,
    KRB_AP_REP = 15,
    KRB_ERROR = 30
};

/* Error codes the diagnosis reads (RFC 4120 7.5.9). */
enum {
    KDC_ERR_C_PRINCIPAL_UNKNOWN = 6,
    KDC_ERR_S_PRINCIPAL_UNKNOWN = 7,
    KDC_ERR_ETYPE_NOSUPP = 14,
    KDC_ERR_CLIENT_REVOKED = 18,
    KDC_ERR_KEY_EXPIRED = 23,
    KDC_ERR_PREAUTH_FAILED = 24,
    KDC_ERR_PREAUTH_REQUIRED = 25,
    KRB_AP_ERR_BAD_INTEGRITY = 31,
    KRB_AP_ERR_TKT_EXPIRED = 32,
    KRB_AP_ERR_TKT_NYV = 33,
    KRB_AP_ERR_REPEAT = 34,
    KRB_AP_ERR_NOT_US = 35,
    KRB_AP_ERR_SKEW = 37,
    KRB_AP_ERR_MODIFIED = 41,
    KRB_AP_ERR_BADKEYVER = 44,
    KRB_AP_ERR_NOKEY = 45,
    KRB_ERR_RESPONSE_TOO_BIG = 52,
    KRB_ERR_GENERIC = 60
};

/* Pre-authentication data types (padata-type) the diagnosis names. */
enum { KRB_PA_TGS_REQ = 1, KRB_PA_ENC_TIMESTAMP = 2, KRB_PA_ETYPE_INFO2 = 19 };

/* A PrincipalName: its components joined with '/' ("HTTP/amt.example.com:16992"). */
typedef struct krb_principal {
    int present;
    int32_t type;
    unsigned n_parts;
    char text[KRB_STR_MAX];
} krb_principal;

/* An EncryptedData: the cipher text points into the message's bytes. */
typedef struct krb_encdata {
    int present;
    int32_t etype;
    int has_kvno;
    uint32_t kvno;
    const uint8_t *cipher;
    size_t cipher_len;
} krb_encdata;

/* A Ticket's clear part. */
typedef struct krb_ticket {
    int present;
    char realm[KRB_STR_MAX];
    krb_principal sname;
    krb_encdata enc;
} krb_ticket;

typedef struct krb_msg {
    int type;        /* KRB_AS_REQ … KRB_ERROR; 0: not a Kerberos message */
    const char *why; /* the first part that did not decode; NULL: all of it did */
    /* KDC-REQ body; KDC-REP's crealm and cname; KRB-ERROR's (cname optional) */
    uint32_t kdc_options;
    krb_principal cname;
    char crealm[KRB_STR_MAX];     /* the client's realm (KDC-REQ: its body's realm) */
    krb_principal sname;          /* KDC-REQ body, KRB-ERROR; KDC-REP: the ticket's */
    char realm[KRB_STR_MAX];      /* the realm of sname */
    int64_t till;                 /* KDC-REQ body; 0 absent */
    uint32_t nonce;               /* KDC-REQ body */
    int32_t etypes[KRB_LIST_MAX]; /* KDC-REQ: the etypes the client accepts, its order */
    size_t n_etypes;
    /* padata types (KDC-REQ, KDC-REP), or the METHOD-DATA of a KRB-ERROR's e-data */
    int32_t pa_types[KRB_LIST_MAX];
    size_t n_pa;
    /* AP-REQ and KDC-REP: the ticket; TGS-REQ: the ticket of its PA-TGS-REQ (the TGT) */
    krb_ticket ticket;
    /* AP-REQ: the authenticator; KDC-REP and AP-REP: enc-part; TGS-REQ: its PA-TGS-REQ's
     * authenticator */
    krb_encdata enc;
    uint32_t ap_options;
    /* KRB-ERROR */
    int32_t error_code;
    int64_t stime, ctime; /* ctime 0: absent */
    uint32_t susec, cusec;
    int has_e_text;
    char e_text[KRB_STR_MAX];
    size_t e_data_len; /* 0: none */
    /* ETYPE-INFO2 in a KRB-ERROR's e-data or a KDC-REP's padata: the etypes the
     * KDC holds keys of for the client, and the first salt */
    int32_t info_etypes[KRB_LIST_MAX];
    size_t n_info_etypes;
    char salt[KRB_STR_MAX];
} krb_msg;

/* Decodes one Kerberos message of len bytes at p. A leading TCP record
 * mark (RFC 4120 7.2.2, four bytes giving the length of the rest) is
 * recognised and skipped. Returns 0 when the whole message decoded, 1
 * when its type is known but a part did not (m->why says which; what came
 * before it is filled), -1 when the bytes are not a Kerberos message. */
int krb_msg_parse(const uint8_t *p, size_t len, krb_msg *m);

/* The Kerberos message an AP-REQ, AP-REP or KRB-ERROR GSS token carries
 * starts at an APPLICATION tag: whether byte b can begin one (10-30). */
int krb_msg_starts(uint8_t b);

/* "AS-REQ", "TGS-REP", "KRB-ERROR", …; "msg-type N" otherwise (static or
 * in buf when buf is non-NULL). */
const char *krb_msg_type_name(int type);

/* "KDC_ERR_S_PRINCIPAL_UNKNOWN", "KRB_AP_ERR_SKEW", …; NULL when unknown. */
const char *krb_error_name(int32_t code);

/* "aes256-cts-hmac-sha1-96", "rc4-hmac", …; NULL when unknown. */
const char *krb_etype_name(int32_t etype);

/* Whether an etype is one of the weak ones newer KDCs and AMT firmware
 * refuse (DES, RC4): for the etype evidence. */
int krb_etype_is_legacy(int32_t etype);

/* "PA-ENC-TIMESTAMP", "PA-ETYPE-INFO2", …; NULL when unknown. */
const char *krb_pa_name(int32_t type);

/* The host part of a service principal's second component without a
 * ":port" ("HTTP/amt.example.com:16992" → "amt.example.com"), into buf;
 * port receives the port (0 none). Returns buf, "" when there is none. */
const char *krb_principal_host(const krb_principal *p, char *buf, size_t len, unsigned *port);

/* The service class: the first component ("HTTP"), into buf. */
const char *krb_principal_service(const krb_principal *p, char *buf, size_t len);

/* Whether the principal is a ticket-granting service (krbtgt/REALM). */
int krb_principal_is_tgs(const krb_principal *p);

#endif
