/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonw: JSON written as it is produced, into a growing buffer the caller
 * drains — no document tree, so a report of any number of connections costs
 * the memory of one, and little time. Strings go through the report's
 * writer (out_clean: redacted, valid UTF-8, no control characters) unless
 * written raw. Pretty output indents by two spaces; compact output is one
 * line (NDJSON). */
#ifndef AMTDIAG_JSONW_H
#define AMTDIAG_JSONW_H

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

#include "out.h"

#define JSONW_DEPTH_MAX 32

typedef struct jsonw {
    GString *s;    /* what was written and not yet drained */
    const outw *w; /* strings are cleaned through it; NULL: written as given */
    int pretty;
    int depth;
    int after_name;                     /* a member name waits for its value */
    uint8_t has_items[JSONW_DEPTH_MAX]; /* per level: an element was written */
} jsonw;

/* Starts a writer; w (may be NULL) must outlive it. */
void jsonw_init(jsonw *j, const outw *w, int pretty);
void jsonw_free(jsonw *j);

void jsonw_begin_object(jsonw *j);
void jsonw_end_object(jsonw *j);
void jsonw_begin_array(jsonw *j);
void jsonw_end_array(jsonw *j);
/* The name of the next member of the current object. */
void jsonw_name(jsonw *j, const char *name);

/* A string value through the writer's cleaning (null for NULL). */
void jsonw_str(jsonw *j, const char *v);
/* A string value known to be clean ASCII text of the program's own. */
void jsonw_str_raw(jsonw *j, const char *v);
void jsonw_int(jsonw *j, int64_t v);
void jsonw_bool(jsonw *j, int v);
void jsonw_null(jsonw *j);

/* Writes what is buffered to f and empties the buffer. Returns 0, or -1
 * when writing failed. */
int jsonw_drain(jsonw *j, FILE *f);

#endif
