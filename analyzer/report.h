/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report: the analysis written out — a summary or a transcript in text,
 * or JSON (schema amtdiag/1, docs/json-schema.md). */
#ifndef AMTDIAG_REPORT_H
#define AMTDIAG_REPORT_H

#include <stdio.h>

#include "analysis.h"

/* One line per connection and DNS lookup; with verbose, the transcript:
 * TCP, TLS and key status, every HTTP exchange with its login and SOAP. */
void report_text(FILE *out, const analysis *a, int verbose);

/* The same facts as JSON. Returns 0, or -1 when writing failed. */
int report_json(FILE *out, const analysis *a);

/* The TLS version and suite of a connection, "" when unknown. */
const char *report_tls_line(const tls_summary *s, char *buf, size_t len);

#endif
