/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-late: verdicts a frame gets from frames after it. Whether a console
 * ever got a ticket for AMT is known only from the Kerberos traffic that
 * follows AMT's 401, and from the end of the capture (no token ever came);
 * the KDC's refusal may come after the 401 too; a plain HTTP port that
 * refuses is TLS-only once a TLS connection to the same AMT works, maybe
 * later in the capture. The first pass cannot go
 * back to the 401, so these verdicts are taken from lib's verdict on the
 * whole capture and shown from the second pass on (tshark -2, every
 * dissection in the GUI once the file is read), with the marker iamt.late,
 * as Wireshark's own http.response_in appears only once the response was
 * read. */
#ifndef IAMT_LATE_H
#define IAMT_LATE_H

#include <epan/packet.h>

#include "iamt-diag.h"

/* Registers the field iamt.late under proto (iamt). Call once. */
void iamt_late_register(int proto);

/* On a frame dissected before (a later pass): the findings of stage stage
 * in the whole capture's verdict that rest on later frames (the Kerberos
 * causes; plain-http-refused-tls-only, which needs a TLS connection to the
 * same AMT, maybe later) and name this frame, but those among shown (what
 * the first pass found on it); in pinfo->pool. NULL when there are none,
 * and always on the first pass. */
const iamt_findings *iamt_late_findings(packet_info *pinfo, diag_stage stage,
                                        const iamt_findings *shown);

/* Adds late (iamt_late_findings) to tree: the marker iamt.late, and each
 * finding as iamt_diag_show adds it, under the string field hf_cause, with
 * its expert info. tree may be NULL: the expert infos still go on. */
void iamt_late_show(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int hf_cause,
                    const iamt_findings *late);

#endif
