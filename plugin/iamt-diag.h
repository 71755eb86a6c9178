/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amtdiag's diagnosis inside Wireshark: the cause tokens of lib/diag become
 * expert items, and lib's rules judge each HTTP exchange, so the plugin and
 * the analyzer reach the same verdict with the same words. */
#ifndef IAMT_DIAG_H
#define IAMT_DIAG_H

#include <epan/packet.h>
#include <epan/expert.h>

#include "amtdiag/diag.h"

/* One finding about a frame: the cause token and "token: evidence". */
typedef struct iamt_finding {
    const char *token;
    const char *text;
} iamt_finding;

/* The findings a message carries, in file scope. */
typedef struct iamt_findings {
    iamt_finding *f;
    size_t n;
} iamt_findings;

/* Registers one expert item under proto for every cause of lib's table
 * whose stage is stage ("http-auth", "wsman"), named
 * "<filter>.cause.<token>", in expert group group, with the cause's
 * severity. Call once per stage from a proto_register function. */
void iamt_diag_register_causes(int proto, const char *filter, const char *stage, int group);

/* Runs lib's rules over the exchanges ex[0..n) of one AMT (server), oldest
 * first, and keeps the findings of stage that name frame req_frame or
 * resp_frame: those about the last exchange. accounts are the passwords
 * the user supplied. The result lives in file scope. */
iamt_findings iamt_diag_judge(const diag_exchange *ex, size_t n, const address *server,
                              guint16 server_port, const char *stage, guint32 req_frame,
                              guint32 resp_frame, const diag_account *accounts, size_t n_accounts);

/* Appends lib's finding f to out, as "token: evidence" in file scope. */
void iamt_findings_add(iamt_findings *out, const diag_finding *f);

/* The expert item registered for a cause token, or NULL. */
expert_field *iamt_diag_expert_field(const char *token);

/* Adds the expert infos of findings to item. */
void iamt_diag_expert_add(packet_info *pinfo, proto_item *item, const iamt_findings *findings);

#endif
