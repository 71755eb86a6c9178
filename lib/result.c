/* SPDX-License-Identifier: GPL-2.0-or-later */
/* result: filling the caller's amt_err. */
#include "amtdiag/result.h"

#include <stdarg.h>
#include <stdio.h>

amt_rc amt_fail(amt_err *e, amt_rc rc, const char *fmt, ...)
{
    if (e == NULL)
        return rc;
    e->rc = rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return rc;
}

void amt_err_clear(amt_err *e)
{
    if (e == NULL)
        return;
    e->rc = AMT_OK;
    e->msg[0] = '\0';
}
