/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The value sets of the plugin's enumerated fields, named by lib (so a
 * filter such as iamt.tls.outcome == "rejected" uses amtdiag's words):
 * the stages, outcomes and check statuses of lib/diag. */
#ifndef IAMT_VALS_H
#define IAMT_VALS_H

#include <epan/proto.h> /* value_string (epan/ to 4.4, wsutil/ from 4.6) */

/* dns 0, tcp 1, tls 2, http-auth 3, wsman 4 (diag_stage). */
const value_string *iamt_vals_stage(void);

/* ok 0, challenge 1, rejected 2, failed 3, unknown 4 (diag_outcome). */
const value_string *iamt_vals_outcome(void);

/* pass 0, fail 1, unknown 2 (diag_status). */
const value_string *iamt_vals_status(void);

#endif
