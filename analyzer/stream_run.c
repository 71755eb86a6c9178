/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stream_run: a streamed run (stream_run.h). */
#include "stream_run.h"

#include "diagnose.h"
#include "jobs.h"
#include "judge_stream.h"
#include "report_krb.h"
#include "report_ndjson.h"

struct stream_run {
    judge_stream *js;
    ndjson_out *nd;               /* --format ndjson */
    const report_format_ops *ops; /* the other formats */
    spill *sp;
    report_in r;    /* the base every piece is rendered with */
    out_file *file; /* -o, or NULL for standard output */
    const only_list *only;
    analysis *a;
    GArray *kdc; /* diag_kdc_msg: the facts of a->krb, grown as it grows */
    jobs *jobs;  /* -j: the workers, or NULL */
};

/* The Kerberos messages read so far reach the judgements: a login's
 * KDC exchange comes before its connection ends, or within the hold
 * window after it. */
static void stream_kdc(stream_run *sr)
{
    if (sr->kdc->len == sr->a->krb->len)
        return;
    guint had = sr->kdc->len;
    kdc_facts_append(sr->kdc, sr->a);
    judge_stream_kdc(sr->js, (const diag_kdc_msg *)(void *)sr->kdc->data, sr->kdc->len);
    if (sr->jobs)
        jobs_kdc(sr->jobs, &g_array_index(sr->kdc, diag_kdc_msg, had), sr->kdc->len - had);
}

static void kdc_now(void *ctx)
{
    stream_kdc(ctx);
}

static void take_conn(void *ctx, conn_rec *c)
{
    stream_run *sr = ctx;
    stream_kdc(sr);
    if (only_match(sr->only, c))
        judge_stream_conn(sr->js, c);
    else
        conn_rec_free(c); /* --only: as if it were not in the capture */
}

static void take_dns(void *ctx, dns_rec *d)
{
    stream_run *sr = ctx;
    if (sr->ops)
        sr->ops->dns(sr->sp, &sr->r, d);
    if (sr->jobs)
        jobs_dns(sr->jobs, d);
    else
        judge_stream_dns(sr->js, d);
}

static void on_time(void *ctx, int64_t now_us)
{
    stream_run *sr = ctx;
    stream_kdc(sr);
    if (sr->jobs)
        jobs_time(sr->jobs, now_us);
    else
        judge_stream_time(sr->js, now_us);
}

static void judged(void *ctx, const conn_rec *c, const diag_result *d, int64_t now_us)
{
    stream_run *sr = ctx;
    if (sr->nd) {
        ndjson_conn(sr->nd, c, d, now_us);
        return;
    }
    report_in r = sr->r;
    r.d = d;
    if (c)
        sr->ops->conn(sr->sp, &r, c);
    if (d->global->len)
        sr->ops->global(sr->sp, &r, d->global);
}

stream_run *stream_run_start(analysis *a, const diag_inputs *in, const only_list *only,
                             const report_format_ops *ops, const report_in *base, out_file *file,
                             int by_count, unsigned n_jobs)
{
    stream_run *sr = g_new0(stream_run, 1);
    sr->file = file;
    sr->only = only;
    sr->a = a;
    sr->kdc = g_array_new(FALSE, FALSE, sizeof(diag_kdc_msg));
    sr->r = *base;
    FILE *out = file ? outfile_stream(file) : stdout;
    if (!ops) {
        sr->nd = ndjson_open(out, &sr->r);
    } else {
        sr->ops = ops;
        sr->sp = spill_new();
        sr->r.krb = report_krb_index_new();
    }
    sr->js = judge_stream_new(in, judged, sr);
    if (by_count)
        judge_stream_hold_by_count(sr->js);
    if (by_count && n_jobs > 1) {
        sr->jobs = jobs_new(a, n_jobs, in, only, sr->js, kdc_now, sr);
        a->jobs = sr->jobs;
    }
    a->take_conn = take_conn;
    a->take_dns = take_dns;
    a->on_time = on_time;
    a->take_ctx = sr;
    return sr;
}

/* The report's end: the NDJSON summary line, or the pieces in order. */
static int stream_write_end(stream_run *sr, const judge_counts *n)
{
    if (sr->nd)
        return ndjson_summary(sr->nd, n);
    report_totals t = {n->conns,  n->dns,   n->rejected, n->errors,
                       n->not_ok, n->clock, n->by_cause, n->first_conn};
    FILE *out = sr->file ? outfile_stream(sr->file) : stdout;
    if (spill_failed(sr->sp))
        return -1;
    return sr->ops->finish(out, &sr->r, &t, sr->sp);
}

int stream_run_finish(stream_run *sr, const char *output, int status)
{
    analysis *a = sr->a;
    stream_kdc(sr);
    if (sr->jobs)
        jobs_finish(sr->jobs);
    judge_stream_finish(sr->js);
    const judge_counts *n = judge_stream_counts(sr->js);
    if (status == 2 && !sr->nd) {
        /* nothing could be read: no report (NDJSON still ends with its
         * summary line, which says so) */
    } else if (stream_write_end(sr, n) != 0) {
        amt_fail(&a->err, AMT_E_OUTPUT, "%s: writing the report failed",
                 output ? output : "standard output");
        status = 2;
    } else if (status == 0 && (n->errors || n->not_ok)) {
        status = 1;
    }
    if (sr->file && status == 2)
        outfile_abort(sr->file);
    else if (sr->file && outfile_commit(sr->file, &a->err) != AMT_OK)
        status = 2;
    a->take_conn = NULL;
    a->take_dns = NULL;
    a->on_time = NULL;
    a->jobs = NULL;
    jobs_free(sr->jobs);
    judge_stream_free(sr->js);
    g_array_free(sr->kdc, TRUE);
    if (sr->nd)
        ndjson_close(sr->nd);
    spill_free(sr->sp);
    report_krb_index_free(sr->r.krb);
    g_free(sr);
    return status;
}
