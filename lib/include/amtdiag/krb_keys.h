/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The keys of AMT's Kerberos account, and what they open: the service
 * ticket of an AP-REQ (or of the TGS-REP that issued it) and, with the
 * session key inside, the authenticator. Keys come from MIT keytab files
 * (amtdiag --keytab, the plugin's iamt.keytab) or from an account's
 * password (--krb-password, string-to-key with the principal's default
 * salt). The cryptography is MIT krb5's (krb5_c_decrypt, krb5_c_string_
 * to_key, the keytab API); the decrypted parts are decoded by
 * krb_msg.h's reader. Keys are wiped when the keyring is freed; the
 * session keys found inside tickets are wiped after use. */
#ifndef AMTDIAG_KRB_KEYS_H
#define AMTDIAG_KRB_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "amtdiag/krb_msg.h"

typedef struct krb_keyring krb_keyring;

/* An empty keyring; NULL when MIT krb5 cannot start (its message in err). */
krb_keyring *krb_keyring_new(char *err, size_t errlen);

/* Wipes and frees every key. NULL is allowed. */
void krb_keyring_free(krb_keyring *k);

/* Adds every key of the MIT keytab at path. Returns how many, or -1 with
 * the reason (unreadable, not a keytab) in err. */
int krb_keyring_add_keytab(krb_keyring *k, const char *path, char *err, size_t errlen);

/* Adds the keys an account's password gives ("HTTP/amt.example.com@REALM"
 * or without a realm: the default one of krb5.conf, else none): one per
 * etype AMT and the KDCs use (AES with SHA-1 and SHA-2, RC4), salted with
 * the principal's default salt, of any key version. The password is not
 * kept. Returns the number of keys, or -1 with the reason in err. */
int krb_keyring_add_password(krb_keyring *k, const char *principal, const char *password, char *err,
                             size_t errlen);

/* Number of keys held. */
size_t krb_keyring_count(const krb_keyring *k);

/* What opening a ticket told about the keys. */
typedef enum {
    KRB_OPEN_NONE,          /* not tried: no keys, or no ticket */
    KRB_OPEN_NO_PRINCIPAL,  /* no key for the ticket's service principal */
    KRB_OPEN_NO_KVNO,       /* keys for it, none of the ticket's key version */
    KRB_OPEN_NO_ETYPE,      /* keys of that version, none of the ticket's etype */
    KRB_OPEN_BAD_INTEGRITY, /* the key that should open it does not: another key */
    KRB_OPEN_MALFORMED,     /* it decrypted, but its contents did not decode */
    KRB_OPEN_OK             /* decrypted and decoded */
} krb_open_status;

/* The decrypted ticket (EncTicketPart) and authenticator. */
typedef struct krb_ticket_info {
    krb_open_status status;
    char keys_held[256];   /* the keyring's key versions and etypes for the principal,
                              "kvno 2: aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96" */
    int key_from_password; /* the key that opened it came from --krb-password */
    uint32_t flags;        /* TicketFlags, bit 0 the most significant */
    char crealm[KRB_STR_MAX];
    krb_principal cname;
    int32_t session_etype;
    int64_t authtime, starttime, endtime; /* starttime 0: absent (= authtime) */
    /* the authenticator (AP-REQ only) */
    krb_open_status auth_status;
    int64_t ctime;
    uint32_t cusec;
    krb_principal auth_cname;
    int auth_subkey; /* it named a subkey */
} krb_ticket_info;

/* Opens the ticket of msg (an AP-REQ, a TGS-REP or an AS-REP) with the
 * keyring's keys and, for an AP-REQ, its authenticator with the session
 * key. k may be NULL (status KRB_OPEN_NONE). Never fails otherwise: the
 * status says what happened. */
void krb_open_ticket(const krb_keyring *k, const krb_msg *msg, krb_ticket_info *out);

/* "no keys given", "no key for the principal", "no key of this version",
 * "no key of this etype", "integrity check failed", "malformed", "opened". */
const char *krb_open_status_name(krb_open_status s);

/* Decoders of decrypted parts (exported for the fuzz targets): the
 * EncTicketPart, whose session key goes to key (up to *key_len bytes;
 * *key_len receives its length), and the Authenticator. Return 0 or -1. */
int krb_enc_ticket_parse(const uint8_t *p, size_t len, krb_ticket_info *out, uint8_t *key,
                         size_t *key_len);
int krb_authenticator_parse(const uint8_t *p, size_t len, krb_ticket_info *out);

#endif
