/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt.redir: AMT's redirection protocol (SOL, IDE-R, KVM) on 16994 and,
 * inside TLS, on 16995: each message with its fields, the session start
 * and the login with their outcome, expert info for a refused session, a
 * rejected login (told apart by the passwords table) and a password sent
 * in clear; KVM's RFB stream handed to Wireshark's VNC dissector. */
#ifndef IAMT_REDIR_H
#define IAMT_REDIR_H

#include <epan/conversation.h>
#include <epan/packet.h>
#include <epan/prefs.h>

/* Registers the iamt.redir fields, expert items and the port preferences
 * redir_ports and redir_tls_ports (under m). */
void iamt_redir_register(int proto, module_t *m);

/* On a redirection port (iamt.redir_ports or iamt.redir_tls_ports): 1
 * when the packet goes to it (console → AMT), 0 when it comes from it, -1
 * when neither; *tls (may be NULL) says whether it is a TLS port. */
int iamt_redir_direction(const packet_info *pinfo, int *tls);

/* A redirection session inside a CIRA channel (iamt-cira): the
 * direction (console → AMT: the MPS's side), the tunnel's conversation,
 * whose facts hold one session per channel, and the channel: its own
 * conversation id (the key of its session there; ids grow with the order
 * channels are opened) and the port it was opened to. */
typedef struct iamt_redir_channel {
    int to_amt;
    conversation_t *tunnel;
    guint32 conv_id;
    guint16 port;
} iamt_redir_channel;

/* Says that the next calls of the iamt_redir dissector carry a CIRA
 * channel's bytes (ch), or no longer (NULL). */
void iamt_redir_in_channel(const iamt_redir_channel *ch);

/* Finds the handles it calls; call from the handoff. */
void iamt_redir_handoff(void);

/* (Re)applies the port preferences; call from the module's apply
 * callback and once from the handoff, after iamt_redir_handoff. */
void iamt_redir_apply_ports(void);

#endif
