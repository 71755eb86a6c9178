/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The per-connection diagnosis as a table statistic (stat_tap_table_ui):
 * Wireshark lists it in its Statistics menu as "iAMT Diagnosis". Its
 * name is that of -z iamt,diag, which tshark registers first (iamt-stat),
 * so tshark prints amtdiag's table and Wireshark shows this one: one
 * statistic. */
#ifndef IAMT_STAT_TABLE_H
#define IAMT_STAT_TABLE_H

/* Registers the table statistic; call from a proto_register function. */
void iamt_stat_table_register(void);

#endif
