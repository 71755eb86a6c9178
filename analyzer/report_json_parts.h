/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_json_parts: the JSON objects the JSON and NDJSON reports are made
 * of, written with jsonw; every string goes through the report's writer
 * (out.h), so it is redacted, valid UTF-8 and free of control characters. */
#ifndef AMTDIAG_REPORT_JSON_PARTS_H
#define AMTDIAG_REPORT_JSON_PARTS_H

#include "jsonw.h"

#include "report.h"

/* A string value or member (null for NULL). */
void rj_add_str(jsonw *b, const char *v);
void rj_member_str(jsonw *b, const char *name, const char *v);
void rj_member_int(jsonw *b, const char *name, gint64 v);
/* A frame number, null for 0 (none). */
void rj_member_frame(jsonw *b, const char *name, uint64_t frame);
void rj_member_bool(jsonw *b, const char *name, int v);

/* One finding as an object; a named array of them. */
void rj_finding_json(jsonw *b, const diag_finding *f);
void rj_findings_json(jsonw *b, const char *name, const GPtrArray *findings);

/* Connection c as an object of the "connections" array (docs/json-schema.md),
 * with its diagnosis from r->d. */
void rj_conn_json(jsonw *b, const report_in *r, const conn_rec *c);

/* A writer for one piece: an element of an array at depth, written
 * through w; drain it into the spill with rj_piece_end. */
void rj_piece_begin(jsonw *j, const outw *w, int depth);
void rj_piece_end(jsonw *j, spill *sp, unsigned section, uint64_t key);

/* The elements of an array from the pieces of section, copied to out
 * after what b holds (b has just begun the array; the caller ends it).
 * Returns 0 or -1. */
int report_json_array_copy(jsonw *b, FILE *out, spill *sp, unsigned section);

#endif
