/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_ndjson: the diagnosis as newline-delimited JSON — one object per
 * connection as it is judged, one per finding about no single connection,
 * then one summary object (docs/ndjson.md). Each line carries Elastic Common
 * Schema fields (@timestamp, event.*, source.*, destination.*, network.*)
 * beside amtdiag's own under "amtdiag", so Elastic, Splunk and Loki ingest it
 * as it is. */
#ifndef AMTDIAG_REPORT_NDJSON_H
#define AMTDIAG_REPORT_NDJSON_H

#include "judge_stream.h"
#include "report.h"

typedef struct ndjson_out ndjson_out;

/* A writer to f; r gives the analysis (for marks and inputs), the user's
 * given inputs and redaction; r->d is not used. */
ndjson_out *ndjson_open(FILE *f, const report_in *r);

/* The line of connection c (NULL: none), judged in d (a result for c
 * alone), and a line per finding of d about no single connection, stamped
 * now_us. */
void ndjson_conn(ndjson_out *o, const conn_rec *c, const diag_result *d, int64_t now_us);

/* The summary line, from the counters of the whole run. Returns 0, or -1
 * when any write of this writer failed. */
int ndjson_summary(ndjson_out *o, const judge_counts *n);

void ndjson_close(ndjson_out *o);

#endif
