/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt.apf: CIRA, an AMT's tunnel to its Management Presence Server (TCP
 * 4433, AMT the TLS client): each APF message inside the decrypted TLS,
 * framed and described by lib's apf.c, goes on the first pass into lib's
 * CIRA facts of its connection, whose rules give the verdicts
 * (iamt.cira.cause.*, and the rows of -z iamt,diag). */
#ifndef IAMT_CIRA_H
#define IAMT_CIRA_H

#include <epan/packet.h>
#include <epan/prefs.h>

/* Registers the iamt.apf fields, the CIRA causes' expert items and the
 * port preference cira_ports (under m). */
void iamt_cira_register(int proto, module_t *m);

/* On a CIRA port: 1 when the packet goes to it (AMT → MPS), 0 when it
 * comes from it, -1 when neither. */
int iamt_cira_direction(const packet_info *pinfo);

/* (Re)applies the port preference; call from the module's apply callback
 * and once from the handoff. */
void iamt_cira_apply_ports(void);

#endif
