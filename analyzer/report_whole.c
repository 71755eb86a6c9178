/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_whole: a report of an analysis that kept every record, through the
 * same pieces as a streamed one (report.h). */
#include "report_krb.h"

/* Findings per cause and the lowest connection with each, as the
 * streamed run counts them. */
static void count_causes(const diag_result *d, uint64_t *by_cause, unsigned *first_conn)
{
    for (size_t i = 0; i < DIAG_N_CAUSES; i++)
        first_conn[i] = CONN_ID_NONE;
    for (guint i = 0; d && i < d->conns->len; i++) {
        const diag_conn_result *cr = g_ptr_array_index(d->conns, i);
        for (guint k = 0; k < cr->findings->len; k++) {
            const diag_finding *f = g_ptr_array_index(cr->findings, k);
            by_cause[f->cause->id]++;
            first_conn[f->cause->id] = MIN(first_conn[f->cause->id], cr->conn_id);
        }
    }
    for (guint k = 0; d && k < d->global->len; k++)
        by_cause[((const diag_finding *)g_ptr_array_index(d->global, k))->cause->id]++;
}

int report_write_whole(const report_format_ops *ops, FILE *out, const report_in *r)
{
    const analysis *a = r->a;
    spill *sp = spill_new();
    report_in rr = *r;
    rr.krb = report_krb_index_new();
    for (guint i = 0; i < a->dns->len; i++)
        ops->dns(sp, &rr, g_ptr_array_index(a->dns, i));
    for (guint i = 0; i < a->conns->len; i++)
        ops->conn(sp, &rr, g_ptr_array_index(a->conns, i));
    if (r->d && r->d->global)
        ops->global(sp, &rr, r->d->global);
    uint64_t by_cause[DIAG_N_CAUSES] = {0};
    unsigned first_conn[DIAG_N_CAUSES];
    report_totals t = {
        .conns = a->conns->len, .dns = a->dns->len, .by_cause = by_cause, .first_conn = first_conn};
    count_causes(r->d, by_cause, first_conn);
    if (r->d) {
        t.rejected = r->d->n_rejected;
        t.errors = r->d->n_errors;
        t.not_ok = r->d->n_not_ok;
        t.clock = r->d->clock;
    }
    int rc = spill_failed(sp) ? -1 : ops->finish(out, &rr, &t, sp);
    report_krb_index_free(rr.krb);
    spill_free(sp);
    return rc;
}
