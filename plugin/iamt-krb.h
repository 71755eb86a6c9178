/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt.krb: Kerberos logins to AMT. The KDC messages Wireshark's Kerberos
 * dissector found on port 88 (over UDP, or reassembled from TCP) are kept
 * as lib's facts for the login rules (the verdict on AMT's 401) and
 * -z iamt,diag; the keys of AMT's account come from the preference
 * iamt.keytab; and a KDC's refusal of a ticket request for AMT gets lib's
 * verdict as expert info on its frame. */
#ifndef IAMT_KRB_H
#define IAMT_KRB_H

#include <epan/packet.h>
#include <epan/prefs.h>

#include "amtdiag/diag.h"

/* Registers the iamt.krb fields and the preference iamt.keytab (under m). */
void iamt_krb_register(int proto, module_t *m);

/* Looks up the protocols the Kerberos part of the postdissector reads
 * and adds those it wants to wanted; call from the handoff. */
void iamt_krb_handoff(GArray *wanted);

/* The Kerberos part of iamt's postdissector (packet-iamt), every frame. */
void iamt_krb_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree);

/* The capture's KDC messages so far (file scope), in frame order. */
const diag_kdc_msg *iamt_krb_kdc(size_t *n);

/* AMT's keys from iamt.keytab (loaded again when the preference changes),
 * or NULL. */
const struct krb_keyring *iamt_krb_keys(void);

/* A name the console used for AMT (an HTTP Host header on AMT's ports):
 * a ticket request for it is a request for AMT. */
void iamt_krb_note_host(const char *host);

#endif
