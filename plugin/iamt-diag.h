/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amtdiag's diagnosis inside Wireshark: the cause tokens of lib/diag become
 * expert items, and lib's rules judge each HTTP exchange, so the plugin and
 * the analyzer reach the same verdict with the same words. A finding shows
 * as its cause token with an expert info whose summary is the cause in
 * words (lib's explanation), and under it the evidence, how sure it is,
 * the fix and the frames it names (iamt.finding.*). */
#ifndef IAMT_DIAG_H
#define IAMT_DIAG_H

#include <epan/packet.h>
#include <epan/expert.h>

#include "amtdiag/diag.h"

/* One finding about a frame, kept in file scope for every pass. */
typedef struct iamt_finding {
    const diag_cause *cause; /* static, in lib's table */
    diag_confidence confidence;
    const char *evidence; /* whole, valid UTF-8 */
    guint32 frames[DIAG_FRAMES_MAX];
    size_t n_frames;
} iamt_finding;

/* The findings a message carries, in file scope. */
typedef struct iamt_findings {
    iamt_finding *f;
    size_t n;
} iamt_findings;

/* Registers the iamt.finding.* fields under proto (iamt). Call once. */
void iamt_diag_register(int proto);

/* Registers one expert item under proto for every cause of lib's table
 * whose stage is stage ("http-auth", "wsman"), named
 * "<filter>.cause.<token>", in expert group group, with the cause's
 * severity and its explanation as summary. Call once per stage from a
 * proto_register function. */
void iamt_diag_register_causes(int proto, const char *filter, const char *stage, int group);

/* Runs lib's rules over the exchanges ex[0..n) of one AMT (server), oldest
 * first, and keeps the findings of stage that name frame req_frame or
 * resp_frame: those about the last exchange. accounts are the passwords
 * the user supplied. The result lives in file scope. */
iamt_findings iamt_diag_judge(const diag_exchange *ex, size_t n, const address *server,
                              guint16 server_port, const char *stage, guint32 req_frame,
                              guint32 resp_frame, const diag_account *accounts, size_t n_accounts);

/* An IPv4 or IPv6 address in lib's form: its bytes in out (zero-padded),
 * and the family, 6 or 4 (4 also for an address of another type, whose
 * bytes are left zero). */
int iamt_addr_bytes(const address *a, uint8_t out[16]);

/* Appends a file-scope copy of lib's finding f to *out. */
void iamt_diag_keep(iamt_findings *out, const diag_finding *f);

/* The expert item registered for a cause token, or NULL. */
expert_field *iamt_diag_expert_field(const char *token);

/* Adds each finding to tree: field hf_cause (a string field, the token;
 * its label also gives the cause in words), its expert info, and the
 * iamt.finding subtree. The expert infos go on without a tree too
 * (tshark -z expert, the GUI's Expert Information dialog). */
void iamt_diag_show(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int hf_cause,
                    const iamt_findings *findings);

/* Adds the field hf with s to tree as iamt_add_long_string does (whole,
 * lines broken between words), under the plugin's subtree type for long
 * text. */
proto_item *iamt_diag_add_text(proto_tree *tree, int hf, tvbuff_t *tvb, const char *s);

#endif
