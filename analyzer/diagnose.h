/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose: runs lib/diag's rules over an analysis. */
#ifndef AMTDIAG_DIAGNOSE_H
#define AMTDIAG_DIAGNOSE_H

#include "amtdiag/diag.h"
#include "analysis.h"

/* The diagnosis of every connection and DNS message of a, with the
 * user's inputs in (may be NULL). Free with diag_result_free. */
diag_result *diagnose(const analysis *a, const diag_inputs *in);

/* The facts of one connection record, with the storage they point into;
 * they also borrow from c, which must outlive the box. */
typedef struct conn_facts_box conn_facts_box;
conn_facts_box *conn_facts_box_new(const conn_rec *c);
const diag_conn_facts *conn_facts_box_facts(const conn_facts_box *x);
void conn_facts_box_free(conn_facts_box *x);

/* The facts of one DNS record (borrowing from d). */
void dns_facts_of(const dns_rec *d, diag_dns_facts *f);

#endif
