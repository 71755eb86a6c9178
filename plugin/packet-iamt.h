/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt: Intel Active Management Technology (the filter name "amt" is
 * Wireshark's Automatic Multicast Tunneling). */
#ifndef PACKET_IAMT_H
#define PACKET_IAMT_H

#include <epan/packet.h>

void proto_register_iamt(void);
void proto_reg_handoff_iamt(void);

/* Whether the packet belongs to a conversation on one of AMT's ports (the
 * iamt.http_ports and iamt.tls_ports preferences), either direction. */
gboolean iamt_on_amt_port(const packet_info *pinfo);

#endif
