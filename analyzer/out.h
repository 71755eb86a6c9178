/* SPDX-License-Identifier: GPL-2.0-or-later */
/* out: how the report writers print anything that did not come from the
 * writer itself — values from the capture, the options, lib's evidence.
 * One function, out_val, does it for every format: with --redact it
 * replaces the marked identifying values (ident.h), then it shows control
 * characters and bytes that are not UTF-8 as \xNN (so nothing reaches a
 * terminal raw and JSON is always valid UTF-8), then it escapes the text
 * for the format (HTML references, Markdown's table and code characters).
 * Markup and fixed words are written to w->f directly. */
#ifndef AMTDIAG_OUT_H
#define AMTDIAG_OUT_H

#include <glib.h>
#include <stdio.h>

#include "ident.h"

typedef enum { OUT_TEXT, OUT_MARKDOWN, OUT_HTML, OUT_JSON } outw_format;

typedef struct outw {
    FILE *f;
    outw_format format;
    const id_marks *redact; /* the marks to replace; NULL: no redaction */
} outw;

/* A writer for f. */
outw out_make(FILE *f, outw_format format, const id_marks *redact);

/* Writes a value: redacted, made safe, escaped for w's format. NULL
 * writes nothing. */
void out_val(outw *w, const char *s);

/* out_val of n bytes. */
void out_valn(outw *w, const char *s, size_t n);

/* out_val of at most max characters (after redaction, so a cut never
 * leaves part of a marked value), with an ellipsis when cut. */
void out_val_cut(outw *w, const char *s, long max);

/* printf with a format string the writer wrote: its own text is written
 * as it is, every %s argument as out_val writes it. */
void out_printf(outw *w, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* A value as out_val makes it, before the format's escaping: redacted, with
 * control and invalid bytes as \xNN (valid UTF-8 always). For writers that
 * escape themselves (JSON). g_free the result; NULL for NULL. */
char *out_clean(const outw *w, const char *s);

/* Text a writer already made safe (the transcript, written by the text
 * writer through out_val), escaped for the format with its line breaks. */
void out_block(outw *w, const char *text, size_t len);

#endif
