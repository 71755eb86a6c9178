/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-vals: value_string tables filled from lib's name functions, once,
 * before the fields that use them are registered. */
#include "iamt-vals.h"

#include "amtdiag/diag.h"

const value_string *iamt_vals_stage(void)
{
    static value_string v[DIAG_N_STAGES + 1];
    for (int i = 0; i < DIAG_N_STAGES; i++)
        v[i] = (value_string){(guint32)i, diag_stage_name((diag_stage)i)};
    return v;
}

const value_string *iamt_vals_outcome(void)
{
    static value_string v[DIAG_N_OUTCOMES + 1];
    for (int i = 0; i < DIAG_N_OUTCOMES; i++)
        v[i] = (value_string){(guint32)i, diag_outcome_name((diag_outcome)i)};
    return v;
}

const value_string *iamt_vals_status(void)
{
    static value_string v[DIAG_UNKNOWN + 2];
    for (int i = 0; i <= DIAG_UNKNOWN; i++)
        v[i] = (value_string){(guint32)i, diag_status_name((diag_status)i)};
    return v;
}
