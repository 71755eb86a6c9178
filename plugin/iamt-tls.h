/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt.tls: lib's verdicts on TLS connections to AMT's TLS port (why
 * the handshake failed, AMT's checks of the console certificate) as
 * expert infos and iamt.tls.* fields, from the certificates and alerts
 * Wireshark dissected. */
#ifndef IAMT_TLS_H
#define IAMT_TLS_H

#include <epan/packet.h>
#include <epan/prefs.h>

#include "amtdiag/diag.h"
#include "iamt-tls-facts.h"

/* Registers the iamt.tls fields, the TLS causes' expert items and the
 * preferences trusted_fqdn and amt_clock_offset (under m). */
void iamt_tls_register(int proto, module_t *m);

/* Looks up the fields the TLS part of the postdissector reads and adds
 * them to wanted; call from the handoff. */
void iamt_tls_handoff(GArray *wanted);

/* The TLS part of iamt's postdissector (packet-iamt), every frame: AMT's
 * TLS connections' facts, lib's verdicts on them, the DNS answers. */
void iamt_tls_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree);

/* lib's verdict over every TLS connection of the capture so far (cached
 * until a fact changes; owned by this module, valid until the next call
 * or the end of the capture file). */
const diag_result *iamt_tls_judge_all(void);

/* A number that changes whenever iamt_tls_judge_all's verdict may have
 * changed (a fact or a DNS answer was added). */
unsigned iamt_tls_judge_version(void);

/* A frame that changes the verdict without a connection's facts (a
 * Kerberos message): the "iamt_diag" tap is told, so that a statistic
 * rebuilt on it sees the change in tshark's single pass too. */
void iamt_tls_diag_frame(packet_info *pinfo);

/* The connections iamt_tls_judge_all judged, indexed by conn_id. */
iamt_tls_conn *const *iamt_tls_conns_for_stat(size_t *n);

#endif
