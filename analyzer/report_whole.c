/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_whole: a report of an analysis that kept every record, through the
 * same pieces as a streamed one (report.h). */
#include "report_krb.h"

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
    report_totals t = {.conns = a->conns->len, .dns = a->dns->len};
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
