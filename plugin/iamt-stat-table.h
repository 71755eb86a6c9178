/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The per-connection diagnosis as a table statistic (stat_tap_table_ui):
 * tshark runs it as -z iamt,conns; Wireshark lists it in its Statistics
 * menu as "iAMT Diagnosis". */
#ifndef IAMT_STAT_TABLE_H
#define IAMT_STAT_TABLE_H

/* Registers the table statistic; call from a proto_register function. */
void iamt_stat_table_register(void);

#endif
