/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TLS alert and handshake message names (RFC 8446 6 and 4, RFC 5246 7.2
 * and 7.4), shared by the analyzer's TLS layer and the diagnosis. */
#ifndef AMTDIAG_TLS_ALERTS_H
#define AMTDIAG_TLS_ALERTS_H

/* The IANA name of an AlertDescription ("handshake_failure"), or "unknown". */
const char *amt_tls_alert_name(int desc);

/* The name of a HandshakeType ("ServerHelloDone"), or "unknown". */
const char *amt_tls_hs_name(int type);

#endif
