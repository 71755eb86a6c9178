/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amt_negotiate: the fake AMT's Kerberos login (HTTP Negotiate, RFC 4559)
 * on MIT's GSS-API acceptor and a keytab, as an AMT joined to Active
 * Directory logs consoles in. */
#ifndef AMTSIM_AMT_NEGOTIATE_H
#define AMTSIM_AMT_NEGOTIATE_H

#include <stddef.h>

/* What became of one Negotiate token. */
typedef struct amt_negotiate_result {
    int accepted;  /* the GSS context was established */
    char *client;  /* accepted: the client principal ("alice@REALM"); g_free */
    char *reply;   /* the acceptor's output token in base64 (an AP-REP when
                      accepted, a KRB-ERROR when not), or NULL; g_free */
    char why[256]; /* refused: MIT's message */
} amt_negotiate_result;

/* Uses the keys of the MIT keytab at path for every later call. Returns 0,
 * or -1 with the reason in err. */
int amt_negotiate_init(const char *keytab, char *err, size_t len);

/* Accepts the token of an Authorization value "Negotiate <base64>". Fills
 * r (free it with amt_negotiate_result_clear). */
void amt_negotiate_accept(const char *authorization, amt_negotiate_result *r);

void amt_negotiate_result_clear(amt_negotiate_result *r);

#endif
