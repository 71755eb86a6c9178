/* SPDX-License-Identifier: GPL-2.0-or-later */
/* redact: --redact. Every identifying value the analysis saw — addresses,
 * host names, user names, Digest nonces, cnonces, responses and opaque
 * values, certificate serials — is collected, and a finished report is
 * rewritten with addresses and names replaced by stable placeholders
 * (ip-1, host-2, user-1) and the rest removed ([nonce]). Working on the
 * finished text means no format and no code path can leak one. */
#ifndef AMTDIAG_REDACT_H
#define AMTDIAG_REDACT_H

#include "analysis.h"

typedef struct redactor redactor;

redactor *redactor_new(const analysis *a);
void redactor_free(redactor *r);

/* The text with every collected value replaced (whole words only: a user
 * "admin" leaves "administrator" alone). Returns a new string (g_free). */
char *redactor_apply(const redactor *r, const char *text);

#endif
