/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_wsman: what AMT refused after a successful login — WS-Man faults,
 * non-zero ReturnValues, EOI StatusCodes and other HTTP errors, per call. */
#include "diag_int.h"

#include <string.h>

static const char *call_name(const diag_exchange *e, char *buf, size_t len)
{
    if (e->eoi_service)
        g_snprintf(buf, len, "%s.%s", e->eoi_service, e->eoi_method ? e->eoi_method : "?");
    else if (e->action_name || e->class_name)
        g_snprintf(buf, len, "%s %s", e->action_name ? e->action_name : "?",
                   e->class_name ? e->class_name : "");
    else
        g_snprintf(buf, len, "%s %s", e->method ? e->method : "?", e->uri ? e->uri : "");
    return g_strstrip(buf);
}

static void wsman_exchange(diag_ctx *x, size_t i, const diag_exchange *e)
{
    char call[160];
    diag_finding *f = NULL;
    if (e->status <= 0 || e->status == 401)
        return;
    call_name(e, call, sizeof call);
    if (e->is_fault) {
        const char *sub = e->fault_subcode ? e->fault_subcode : "";
        diag_cause_id token = !strcmp(sub, "AccessDenied") ? DIAG_C_WSMAN_ACCESS_DENIED
                              : !strcmp(sub, "DestinationUnreachable")
                                  ? DIAG_C_WSMAN_DESTINATION_UNREACHABLE
                                  : DIAG_C_WSMAN_FAULT;
        f = diag_add(x, i, token, "%s → HTTP %d, fault %s%s%s", call, e->status,
                     *sub ? sub : "(no subcode)", e->fault_reason ? ": " : "",
                     e->fault_reason ? e->fault_reason : "");
    } else if (e->has_return_value && e->return_value != 0) {
        f = diag_add(x, i, DIAG_C_WSMAN_RETURN_VALUE_ERROR, "%s → ReturnValue %u (%s)", call,
                     e->return_value, e->return_value_name ? e->return_value_name : "unknown");
    } else if (e->has_status_code && e->status_code != 0) {
        f = diag_add(x, i, DIAG_C_EOI_STATUS_ERROR, "%s → StatusCode %u (%s)", call, e->status_code,
                     e->status_name ? e->status_name : "unknown");
    } else if (e->status >= 400 && !diag_has(diag_cr(x, i), DIAG_C_KERBEROS_TOKEN_TOO_LARGE)) {
        f = diag_add(x, i, DIAG_C_HTTP_ERROR, "%s → HTTP %d", call, e->status);
    }
    diag_frame(f, e->req_frame);
    diag_frame(f, e->resp_frame);
}

void diag_rules_wsman(diag_ctx *x)
{
    for (size_t i = 0; i < x->n_conns; i++)
        for (size_t k = 0; k < x->conns[i].n_ex; k++)
            wsman_exchange(x, i, &x->conns[i].ex[k]);
}
