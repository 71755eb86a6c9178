/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_krb: what the capture's Kerberos says, for the reports — every
 * KDC message decoded (each TGS-REP linked to the HTTP login that used
 * its ticket), and every Negotiate login's tokens (the AP-REQ, the ticket
 * and authenticator opened with AMT's keys, AMT's AP-REP or KRB-ERROR). */
#ifndef AMTDIAG_REPORT_KRB_H
#define AMTDIAG_REPORT_KRB_H

#include "jsonw.h"
#include "model.h"
#include "report.h"

/* The value of the "kerberos" member of the JSON report
 * (docs/json-schema.md), written with b and drained to out one message at a
 * time, the logins from the pieces of section logins. Returns 0, or -1
 * when writing failed. */
int report_krb_json(jsonw *b, FILE *out, const report_in *r, spill *sp, unsigned logins);

/* Connection c's Negotiate logins as JSON pieces of section (array elements
 * at depth), linked through r->krb to the TGS-REPs read so far. */
void report_krb_login_pieces(spill *sp, const report_in *r, const conn_rec *c, unsigned section,
                             int depth);

/* What links Kerberos messages and logins across a report. */
report_krb_index *report_krb_index_new(void);
void report_krb_index_free(report_krb_index *x);

/* The transcript's lines of the KDC messages. */
void report_krb_transcript(outw *w, const analysis *a);

/* The transcript's lines of one HTTP exchange's Negotiate tokens (none
 * when it carries none). */
void report_krb_exchange(outw *w, const report_in *r, const http_rec *h);

#endif
