/* SPDX-License-Identifier: GPL-2.0-or-later */
/* krb_marks: the identifying values of Kerberos, marked for --redact where
 * the analysis records them (ident.h): realms and the hosts of service
 * principals as host names, client principals as users, salts and e-text
 * as tokens — from the KDC messages and from the Negotiate tokens of HTTP
 * logins (with AMT's keys, also the user inside the ticket). */
#ifndef AMTDIAG_KRB_MARKS_H
#define AMTDIAG_KRB_MARKS_H

#include "amtdiag/krb_keys.h"
#include "amtdiag/krb_msg.h"
#include "ident.h"
#include "krb/kdc.h"

/* A principal: a service's host as a host name, another principal's
 * components as user names; realm (may be NULL) as a host name. */
void mark_krb_principal(id_marks *m, const krb_principal *p, const char *realm);

/* Everything a KDC message names. */
void mark_krb_msg(id_marks *m, const krb_rec *r);

/* The names inside a login's Negotiate tokens: the ticket's service and
 * realm, AMT's KRB-ERROR, and with keys the client in the ticket. */
void mark_krb_login(id_marks *m, const char *authorization, const char *www_authenticate,
                    const krb_keyring *keys);

/* A PRINCIPAL given on the command line ("HTTP/amt.example.com:16992@REALM"). */
void mark_krb_principal_text(id_marks *m, const char *principal);

#endif
