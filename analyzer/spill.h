/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spill: the pieces of a report, written as connections are judged and put
 * in the report's order at the end. A piece is text of one section (a
 * connection's block, a finding, a DNS answer) with a key to sort by; the
 * text goes to an unlinked temporary file, so memory holds 32 bytes per
 * piece, whatever the size of the capture. Without a usable temporary
 * directory the pieces stay in memory. */
#ifndef AMTDIAG_SPILL_H
#define AMTDIAG_SPILL_H

#include <stdint.h>
#include <stdio.h>

typedef struct spill spill;

/* A new store: a temporary file in $TMPDIR, or /var/tmp when it is not set
 * (/tmp may be a tmpfs, in memory), or /tmp; removed at once so that
 * nothing is left behind; memory when none can be made. */
spill *spill_new(void);

/* Where the next piece is written. */
FILE *spill_file(spill *s);

/* What was written since the last mark is one piece of section (< 16),
 * ordered by key; pieces with equal keys keep the order they were made in. */
void spill_mark(spill *s, unsigned section, uint64_t key);

/* Pieces marked in section so far. */
uint64_t spill_count(const spill *s, unsigned section);

/* Calls fn with each piece of section in key order (the text is valid for
 * the call only), sep written to out between pieces when out is given.
 * Returns 0, or -1 when reading the store or writing failed. */
typedef void (*spill_fn)(void *ctx, const char *text, size_t len);
int spill_each(spill *s, unsigned section, spill_fn fn, void *ctx, FILE *out, const char *sep);

/* The section's pieces copied to out in key order, sep between them.
 * Returns 0 or -1. */
int spill_copy(spill *s, unsigned section, FILE *out, const char *sep);

/* Whether writing a piece failed (a full disk): the report is incomplete. */
int spill_failed(const spill *s);

void spill_free(spill *s);

#endif
