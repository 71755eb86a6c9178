/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Kerberos rules one KDC exchange settles alone, for a tool that
 * shows verdicts frame by frame (the plugin's expert info on a KDC's
 * KRB-ERROR): the same words diag_run gives a login that never got its
 * ticket. */
#ifndef AMTDIAG_DIAG_KRB_H
#define AMTDIAG_DIAG_KRB_H

#include <glib.h>

#include "amtdiag/diag.h"

/* The cause a KDC's KRB-ERROR rep stands for when it refused the ticket
 * request req for AMT — an HTTP or HTTPS principal whose host is one of
 * amt_names (n_names; none known: one of AMT's ports in the SPN) —
 * kerberos-spn-unknown, kerberos-etype-mismatch or kerberos-no-ticket,
 * with the evidence appended to why. DIAG_N_CAUSES when it stands for
 * none: not a TGS-REQ and KRB-ERROR, or a service that is not AMT's. */
diag_cause_id diag_kdc_refusal(const diag_kdc_msg *req, const diag_kdc_msg *rep,
                               const char *const *amt_names, size_t n_names, GString *why);

#endif
