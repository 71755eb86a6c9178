/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tshark -z iamt,diag: amtdiag's per-connection verdict (stage, outcome,
 * cause tokens) for the whole capture, printed at the end. */
#ifndef IAMT_STAT_H
#define IAMT_STAT_H

/* Registers the "-z iamt,diag" statistic (a tap_plugin callback). */
void iamt_stat_register(void);

#endif
