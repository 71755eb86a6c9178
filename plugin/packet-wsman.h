/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wsman: the SOAP bodies of AMT's HTTP conversations (WS-Management, and
 * the EOI services under iamt). */
#ifndef PACKET_WSMAN_H
#define PACKET_WSMAN_H

void proto_register_wsman(void);
void proto_reg_handoff_wsman(void);

#endif
