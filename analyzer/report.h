/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report: the analysis and its diagnosis written out — text (default),
 * JSON (schema amtdiag/1, docs/json-schema.md), Markdown and HTML. */
#ifndef AMTDIAG_REPORT_H
#define AMTDIAG_REPORT_H

#include <stdio.h>

#include "amtdiag/diag.h"
#include "analysis.h"
#include "out.h"
#include "spill.h"

typedef struct report_krb_index report_krb_index;

/* Everything a report is made from. */
typedef struct report_in {
    const analysis *a;
    const diag_result *d;
    int verbose;              /* -V: add the transcript */
    int color;                /* text: ANSI colours */
    const char *const *given; /* what the user supplied besides the capture, as
                                 option names with non-secret values ("--keylog
                                 keylog.txt", "--password admin:…"), NULL-ended */
    int redact;               /* --redact: every value marked in a->marks is
                                 replaced by its placeholder (ident.h) */
    report_krb_index *krb;    /* JSON: Kerberos links across pieces (report_krb.h) */
} report_in;

/* ---- a report made piece by piece ---------------------------------------
 *
 * Every format is written the same way: each connection is rendered as soon
 * as its diagnosis is known, into a spill (spill.h) of pieces by section;
 * findings about no connection and DNS answers likewise; at the end the
 * header is written from the totals and the pieces follow in the report's
 * order. The whole-capture run and the streaming run (judge_stream.h) both
 * feed it, so a report costs the memory of a piece index, not of the
 * capture. */

/* The counts a report's header shows. */
typedef struct report_totals {
    uint64_t conns, dns;
    uint64_t rejected, errors, not_ok;
    diag_clock clock;
    const uint64_t *by_cause;   /* findings per cause (DIAG_N_CAUSES), or NULL */
    const unsigned *first_conn; /* per cause the lowest connection id with it */
} report_totals;

/* One line of the causes summary: a cause, how many findings, an example. */
typedef struct report_cause_row {
    const diag_cause *cause;
    uint64_t count;
    unsigned first_conn; /* CONN_ID_NONE: only about no connection */
} report_cause_row;

/* Past this many connections the reports open with the causes summary:
 * more blocks than a reader pages through. */
#define REPORT_SUMMARY_CONNS 20

/* The error and warning causes found, errors first, most frequent first;
 * returns how many rows (at most DIAG_N_CAUSES) were filled. */
size_t report_cause_rows(const report_totals *t, report_cause_row *rows);

/* Sections of the pieces. */
enum {
    RS_GLOBAL,      /* findings about no connection */
    RS_GLOBAL_ROWS, /* the same as rows of a table (HTML) */
    RS_CONN,        /* a connection's block, worst first */
    RS_ROWS,        /* a connection's findings as table rows, worst first (HTML) */
    RS_DNS,         /* a DNS message (JSON) */
    RS_KRB_LOGINS,  /* a connection's Negotiate logins (JSON) */
    RS_TR_DNS,      /* the transcript's DNS lines, in capture order */
    RS_TR_CONN,     /* a connection's transcript, by id */
};

/* What one format does with each piece and at the end. r->d is the result
 * holding c's diagnosis (the whole capture's or c's alone) or the global
 * findings; r->verbose asks for the transcript. */
typedef struct report_format_ops {
    void (*conn)(spill *sp, const report_in *r, const conn_rec *c);
    void (*global)(spill *sp, const report_in *r, const GPtrArray *findings);
    void (*dns)(spill *sp, const report_in *r, const dns_rec *d);
    int (*finish)(FILE *out, const report_in *r, const report_totals *t, spill *sp);
} report_format_ops;

/* The diagnosis, worst connection first, with the checklist; with verbose,
 * the transcript after it. */
extern const report_format_ops report_text_ops;
/* Facts and diagnosis as JSON (schema amtdiag/1, docs/json-schema.md). */
extern const report_format_ops report_json_ops;
/* For pasting into a ticket. */
extern const report_format_ops report_markdown_ops;
/* One self-contained HTML file: summary, findings, checklist, and an inline
 * SVG ladder diagram of each failing connection. */
extern const report_format_ops report_html_ops;

/* The report of an analysis that kept every record (a->conns, a->dns) with
 * r->d their diagnosis, written to out. Returns 0, or -1 when writing
 * failed. */
int report_write_whole(const report_format_ops *ops, FILE *out, const report_in *r);

/* The key of a piece shown worst connection first: rejected, failed,
 * unknown, challenge, ok; by id within each. */
uint64_t report_rank_key(const diag_conn_result *d, unsigned id);

/* The diagnosis block of one connection, as the text report prints it. */
void report_text_conn(FILE *out, const report_in *r, const conn_rec *c);

/* The transcript pieces a connection and a DNS message add (text, written
 * through r's writer), shared by the text, Markdown and HTML reports. */
void report_transcript_conn_piece(spill *sp, const report_in *r, const conn_rec *c);
void report_transcript_dns_piece(spill *sp, const report_in *r, const dns_rec *d);

/* The transcript in order — DNS lines, the Kerberos messages, each
 * connection — handed to fn a part at a time. Returns 0 or -1. */
int report_transcript_each(spill *sp, const report_in *r, const report_totals *t, spill_fn fn,
                           void *ctx);

/* ---- shared by the formats ---------------------------------------------- */

/* The writer every format prints values through: to f, in format, with the
 * run's marks when r asks for redaction. */
outw report_out(FILE *f, outw_format format, const report_in *r);

/* The TLS version and suite of a connection, "" when unknown. */
const char *report_tls_line(const tls_summary *s, char *buf, size_t len);

/* The diagnosis of connection c, or NULL. */
const diag_conn_result *report_diag(const report_in *r, const conn_rec *c);

/* Lines on the redirection sessions in a CIRA tunnel's channels, one per
 * channel ("Redirection session 1 (channel 3 to port 16994): SOL session;
 * …", the channel numbered as in the transcript) and
 * one on the channels not followed; NULL when none. Free with
 * g_ptr_array_unref. */
GPtrArray *report_redir_chan_lines(const conn_rec *c);

/* One line saying what a connection was: "192.0.2.10:50113 → 192.0.2.20:16993". */
const char *report_conn_title(const conn_rec *c, char *buf, size_t len);

/* The transcript lines of one connection's events in time order, for the
 * ladder diagram: each with the frame, the sender (0 console, 1 AMT) and a
 * short label ("SYN", "ClientHello", "Alert unsupported_certificate",
 * "POST /wsman", "401"). Returns a new array of report_event. */
typedef struct report_event {
    uint64_t frame;
    int from; /* 0 console, 1 AMT */
    char label[96];
    int bad; /* the message that shows the failure */
} report_event;
GArray *report_events(const report_in *r, const conn_rec *c);

#endif
