/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt: Intel Active Management Technology (the filter name "amt" is
 * Wireshark's Automatic Multicast Tunneling). */
#ifndef PACKET_IAMT_H
#define PACKET_IAMT_H

void proto_register_iamt(void);
void proto_reg_handoff_iamt(void);

#endif
