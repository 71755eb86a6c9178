/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose: runs lib/diag's rules over an analysis. */
#ifndef AMTDIAG_DIAGNOSE_H
#define AMTDIAG_DIAGNOSE_H

#include "amtdiag/diag.h"
#include "analysis.h"

/* The diagnosis of every connection and DNS message of a, with the
 * user's inputs in (may be NULL). Free with diag_result_free. */
diag_result *diagnose(const analysis *a, const diag_inputs *in);

#endif
