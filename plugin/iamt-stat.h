/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tshark -z iamt,diag: amtdiag's per-connection verdict (stage, outcome,
 * cause tokens) for the whole capture, printed at the end. */
#ifndef IAMT_STAT_H
#define IAMT_STAT_H

#include <glib.h>

/* Registers the "-z iamt,diag" statistic and its old name "-z iamt,conns"
 * (a tap_plugin callback). */
void iamt_stat_register(void);

/* Appends to s the distinct cause tokens of findings (diag_finding *), in
 * order, space-separated: errors and warnings when want_error_warning is
 * nonzero, else the notes. */
void iamt_stat_tokens(GString *s, const GPtrArray *findings, int want_error_warning);

/* Appends to s the distinct error and warning causes of findings in
 * words (each cause's one-sentence explanation), in order, space-separated. */
void iamt_stat_words(GString *s, const GPtrArray *findings);

#endif
