/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt: Intel Active Management Technology (the filter name "amt" is
 * Wireshark's Automatic Multicast Tunneling). */
#ifndef PACKET_IAMT_H
#define PACKET_IAMT_H

#include <epan/packet.h>

#include "amtdiag/amt_ports.h"

/* Keys of the iamt protocol's per-frame data (p_add_proto_data): what the
 * first pass decided, shown again on every later pass. */
enum {
    IAMT_KEY_HTTP = 1,        /* packet-iamt: the HTTP messages' banner and login */
    IAMT_KEY_TLS = 2,         /* iamt-tls: the frame's TLS verdicts */
    IAMT_KEY_KRB = 3,         /* iamt-krb: the frame's Kerberos verdicts */
    IAMT_KEY_TLS_INNER = 4,   /* iamt-tls-facts (packet scope): TLS fields of CIRA channels */
    IAMT_KEY_REDIR = 0x10000, /* iamt-redir: + the login reply's ordinal */
    IAMT_KEY_APF = 0x20000,   /* iamt-cira: + the APF message's ordinal in the frame */
    IAMT_KEY_CHAN = 0x30000   /* iamt-cira: + the APF message's ordinal: its channel bytes */
};

/* The ordinal of this call among this dissection's calls with the same
 * proto and key (0, 1...): with several messages in a frame, a key for
 * per-frame data that is the same on every pass, which
 * pinfo->curr_layer_num is not (the first pass runs the layers again as
 * TCP and TLS reassemble). */
guint iamt_frame_ordinal(packet_info *pinfo, int proto, guint key);

void proto_register_iamt(void);
void proto_reg_handoff_iamt(void);

/* Whether the packet belongs to a conversation on one of AMT's ports (the
 * iamt.http_ports and iamt.tls_ports preferences), either direction. */
gboolean iamt_on_amt_port(const packet_info *pinfo);

/* Whether AMT is to be recognised by content on other ports (preference
 * iamt.detect_by_content). */
gboolean iamt_detect_by_content(void);

/* Treats the packet's TCP conversation as AMT's from now on, server_port
 * being AMT's side (content showed AMT on a port not its own). */
void iamt_mark_amt(packet_info *pinfo, guint32 server_port);

/* On a TCP port of iamt.tls_ports: 1 when the packet goes to that port
 * (console → AMT), 0 when it comes from it, -1 when neither. */
int iamt_tls_direction(const packet_info *pinfo);

/* The same for every AMT port (iamt.http_ports, iamt.tls_ports and the
 * redirection ports). */
int iamt_amt_direction(const packet_info *pinfo);

/* The AMT service of the packet's connection, as the preferences (or the
 * content, for AMT found on another port) say: AMT_SERVICE_REDIR(_TLS) on
 * a redirection port, AMT_SERVICE_TLS on a port of iamt.tls_ports or
 * inside TLS, AMT_SERVICE_HTTP otherwise. */
amt_service iamt_amt_service(const packet_info *pinfo);

#endif
