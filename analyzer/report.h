/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report: the analysis and its diagnosis written out — text (default),
 * JSON (schema amtdiag/1, docs/json-schema.md), Markdown and HTML. */
#ifndef AMTDIAG_REPORT_H
#define AMTDIAG_REPORT_H

#include <stdio.h>

#include "amtdiag/diag.h"
#include "analysis.h"
#include "out.h"

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
} report_in;

/* The diagnosis, worst connection first, with the checklist; with verbose,
 * the transcript after it. */
void report_text(FILE *out, const report_in *r);

/* The diagnosis block of one connection, as report_text prints it. */
void report_text_conn(FILE *out, const report_in *r, const conn_rec *c);

/* The transcript alone: TCP, TLS and key status, every HTTP exchange with
 * its login and SOAP, per connection. */
void report_transcript(outw *w, const analysis *a);

/* The transcript as text (redacted as r says; free with free()), *len its
 * length; NULL when memory ran out. */
char *report_transcript_text(const report_in *r, size_t *len);

/* Facts and diagnosis as JSON. Returns 0, or -1 when writing failed. */
int report_json(FILE *out, const report_in *r);

/* For pasting into a ticket. Returns 0, or -1 when writing failed. */
int report_markdown(FILE *out, const report_in *r);

/* One self-contained HTML file: summary, findings, checklist, and an
 * inline SVG ladder diagram of each failing connection. Returns 0 or -1. */
int report_html(FILE *out, const report_in *r);

/* ---- shared by the formats ---------------------------------------------- */

/* The writer every format prints values through: to f, in format, with the
 * run's marks when r asks for redaction. */
outw report_out(FILE *f, outw_format format, const report_in *r);

/* The TLS version and suite of a connection, "" when unknown. */
const char *report_tls_line(const tls_summary *s, char *buf, size_t len);

/* Connection indexes (into a->conns) worst outcome first: rejected, failed,
 * unknown, challenge, ok; by id within each. Returns a new array of guint. */
GArray *report_order(const report_in *r);

/* The diagnosis of connection c, or NULL. */
const diag_conn_result *report_diag(const report_in *r, const conn_rec *c);

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
