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

/* On a TCP port of iamt.tls_ports: 1 when the packet goes to that port
 * (console → AMT), 0 when it comes from it, -1 when neither. */
int iamt_tls_direction(const packet_info *pinfo);

/* The same for every AMT port (iamt.http_ports and iamt.tls_ports). */
int iamt_amt_direction(const packet_info *pinfo);

#endif
