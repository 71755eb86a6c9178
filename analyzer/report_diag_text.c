/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_diag_text: the diagnosis as text for a terminal or a ticket — one
 * block per connection attempt, worst first, with findings, evidence,
 * fixes and AMT's certificate checklist. */
#include "report.h"

#include <inttypes.h>
#include <string.h>

#define RED "\033[1;31m"
#define YELLOW "\033[33m"
#define GREEN "\033[32m"
#define DIM "\033[2m"
#define BOLD "\033[1m"
#define OFF "\033[0m"

typedef struct pen {
    outw w;
    int color;
} pen;

/* Starts (or with OFF ends) a colour, when colours are on. */
static void c_(pen *p, const char *code)
{
    if (p->color)
        fputs(code, p->w.f);
}

static const char *outcome_color(diag_outcome outcome)
{
    if (outcome == DIAG_OUTCOME_OK)
        return GREEN;
    if (diag_outcome_is_failure(outcome))
        return RED;
    return YELLOW;
}

static void frames(outw *w, const diag_finding *f)
{
    if (!f->n_frames)
        return;
    out_printf(w, " [frame%s ", f->n_frames > 1 ? "s" : "");
    for (size_t k = 0; k < f->n_frames; k++)
        out_printf(w, "%s%" PRIu64, k ? ", " : "", f->frames[k]);
    fputc(']', w->f);
}

static void finding(pen *p, const diag_finding *f)
{
    const char *sev = f->cause->severity == DIAG_ERROR     ? RED
                      : f->cause->severity == DIAG_WARNING ? YELLOW
                                                           : DIM;
    fputs("  ", p->w.f);
    c_(p, sev);
    out_val(&p->w, f->cause->token);
    c_(p, OFF);
    fputc(' ', p->w.f);
    c_(p, DIM);
    out_printf(&p->w, "(%s%s%s)", diag_severity_name(f->cause->severity),
               f->confidence != DIAG_CERTAIN ? ", " : "",
               f->confidence != DIAG_CERTAIN ? diag_confidence_name(f->confidence) : "");
    c_(p, OFF);
    frames(&p->w, f);
    out_printf(&p->w, "\n      %s\n", f->cause->explanation);
    out_printf(&p->w, "      Evidence: %s\n", f->evidence);
    if (f->cause->severity != DIAG_INFO)
        out_printf(&p->w, "      Fix: %s\n", f->cause->remedy);
}

static void checklist(pen *p, const diag_conn_result *d)
{
    out_printf(&p->w, "  AMT's checks of the console certificate:\n");
    for (int k = 0; k < DIAG_N_RULES; k++) {
        const diag_check *ck = &d->checklist[k];
        const char *col = ck->status == DIAG_PASS ? GREEN : ck->status == DIAG_FAIL ? RED : YELLOW;
        char st[16];
        g_snprintf(st, sizeof st, "%s", diag_status_name(ck->status));
        for (char *s = st; *s; s++)
            *s = g_ascii_toupper(*s);
        fputs("    ", p->w.f);
        c_(p, col);
        out_printf(&p->w, "%-7s", st);
        c_(p, OFF);
        out_printf(&p->w, " %d. %s\n", k + 1, ck->title);
        if (ck->evidence)
            out_printf(&p->w, "            %s\n", ck->evidence);
        if (ck->status == DIAG_UNKNOWN && ck->settle) {
            fputs("            ", p->w.f);
            c_(p, DIM);
            out_printf(&p->w, "to settle: %s", ck->settle);
            c_(p, OFF);
            fputc('\n', p->w.f);
        }
    }
}

static void conn_block(pen *p, const report_in *r, const conn_rec *c)
{
    const diag_conn_result *d = report_diag(r, c);
    outw *w = &p->w;
    char title[200], line[160];
    c_(p, BOLD);
    out_printf(w, "#%u %s", c->id, report_conn_title(c, title, sizeof title));
    c_(p, OFF);
    fputs("  ", w->f);
    if (d) {
        char up[16];
        g_strlcpy(up, diag_outcome_name(d->outcome), sizeof up);
        for (char *s = up; *s; s++)
            *s = g_ascii_toupper(*s);
        c_(p, outcome_color(d->outcome));
        out_val(w, up);
        c_(p, OFF);
        out_printf(w, " (stage %s)", diag_stage_name(d->stage));
    }
    fputc('\n', w->f);
    out_printf(w, "  frames %" PRIu64 "–%" PRIu64 " of %s; TCP %s", c->first_frame, c->last_frame,
               c->file, conn_tcp_outcome(c));
    if (c->app == APP_TLS) {
        const tls_summary *s = tls_conn_summary(c->tls);
        out_printf(w, "; %s", report_tls_line(s, line, sizeof line));
        if (s->cert_request.seen)
            out_printf(w, "; %s",
                       c->cira_port ? "the MPS asked for AMT's certificate"
                                    : "AMT asked for a console certificate");
        out_printf(w, "\n  keys: %s", s->key_status_text);
    }
    if (c->http->len) {
        out_printf(w, "\n  HTTP:");
        for (guint i = 0; i < c->http->len; i++) {
            const http_rec *h = g_ptr_array_index(c->http, i);
            out_printf(w, "%s %s %s → ", i ? ";" : "",
                       h->req.soap.action_name ? h->req.soap.action_name
                       : h->req.present        ? h->req.method
                                               : "?",
                       h->req.soap.class_name ? h->req.soap.class_name
                       : h->req.present       ? h->req.target
                                              : "?");
            if (h->resp.present)
                out_printf(w, "%d", h->resp.status);
            else
                out_printf(w, "no answer");
        }
    }
    if (c->redir) {
        char redir[1024];
        diag_redir_summary(c->redir, redir, sizeof redir);
        out_printf(w, "\n  Redirection: %s", redir);
    }
    if (c->cira) {
        char cira[1024];
        diag_cira_summary(c->cira, cira, sizeof cira);
        out_printf(w, "\n  CIRA: %s", cira);
    }
    GPtrArray *chans = report_redir_chan_lines(c);
    for (guint i = 0; chans && i < chans->len; i++)
        out_printf(w, "\n  %s", (const char *)g_ptr_array_index(chans, i));
    if (chans)
        g_ptr_array_unref(chans);
    fputc('\n', w->f);
    if (!d)
        return;
    if (d->outcome != DIAG_OUTCOME_OK && d->outcome != DIAG_OUTCOME_CHALLENGE) {
        char end[256];
        diag_end_text(&d->end, end, sizeof end);
        out_printf(w, "  %s\n", end);
    }
    for (guint i = 0; i < d->findings->len; i++)
        finding(p, g_ptr_array_index(d->findings, i));
    if (d->candidates)
        out_printf(w, "  Candidates, most likely first: %s\n", d->candidates);
    if (d->has_checklist)
        checklist(p, d);
}

void report_text_conn(FILE *out, const report_in *r, const conn_rec *c)
{
    pen p = {report_out(out, OUT_TEXT, r), r->color};
    conn_block(&p, r, c);
    fputc('\n', out);
}

static void text_conn(spill *sp, const report_in *r, const conn_rec *c)
{
    pen p = {report_out(spill_file(sp), OUT_TEXT, r), r->color};
    conn_block(&p, r, c);
    fputc('\n', p.w.f);
    spill_mark(sp, RS_CONN, report_rank_key(report_diag(r, c), c->id));
    if (r->verbose)
        report_transcript_conn_piece(sp, r, c);
}

static void text_global(spill *sp, const report_in *r, const GPtrArray *findings)
{
    pen p = {report_out(spill_file(sp), OUT_TEXT, r), r->color};
    for (guint i = 0; i < findings->len; i++) {
        finding(&p, g_ptr_array_index(findings, i));
        spill_mark(sp, RS_GLOBAL, 0);
    }
}

static void text_dns(spill *sp, const report_in *r, const dns_rec *d)
{
    if (r->verbose)
        report_transcript_dns_piece(sp, r, d);
}

static void put_raw(void *ctx, const char *text, size_t len)
{
    fwrite(text, 1, len, ctx);
}

/* For a capture of many connections, what went wrong how often, before
 * the blocks. */
static void causes_summary(pen *p, const report_totals *t)
{
    report_cause_row rows[DIAG_N_CAUSES];
    size_t n = t->conns > REPORT_SUMMARY_CONNS ? report_cause_rows(t, rows) : 0;
    if (!n)
        return;
    c_(p, BOLD);
    fputs("Causes", p->w.f);
    c_(p, OFF);
    fputs(": errors, then warnings, most frequent first\n", p->w.f);
    for (size_t i = 0; i < n; i++) {
        fputs("  ", p->w.f);
        c_(p, rows[i].cause->severity == DIAG_ERROR ? RED : YELLOW);
        out_printf(&p->w, "%-40s", rows[i].cause->token);
        c_(p, OFF);
        out_printf(&p->w, " %8" PRIu64, rows[i].count);
        if (rows[i].first_conn != CONN_ID_NONE)
            out_printf(&p->w, "  first #%u", rows[i].first_conn);
        fputc('\n', p->w.f);
    }
    fputc('\n', p->w.f);
}

static int text_finish(FILE *out, const report_in *r, const report_totals *t, spill *sp)
{
    pen p = {report_out(out, OUT_TEXT, r), r->color};
    outw *w = &p.w;
    const analysis *a = r->a;
    c_(&p, BOLD);
    fputs("amtdiag report", out);
    c_(&p, OFF);
    fputs(": ", out);
    for (guint i = 0; i < a->inputs->len; i++)
        out_printf(w, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index(a->inputs, i));
    out_printf(
        w,
        "\n%" PRIu64 " connection%s, %" PRIu64 " rejected or failed, %" PRIu64 " error finding%s\n",
        t->conns, t->conns == 1 ? "" : "s", t->rejected, t->errors, t->errors == 1 ? "" : "s");
    if (r->given && r->given[0]) {
        out_printf(w, "inputs:");
        for (const char *const *g = r->given; *g; g++)
            out_printf(w, " %s", *g);
        fputc('\n', out);
    }
    if (t->clock.known)
        out_printf(w, "AMT's clock: %+.1f days from the capture's clock (%s)\n",
                   (double)t->clock.offset_s / 86400.0, t->clock.source);
    for (guint i = 0; i < a->warnings->len; i++) {
        c_(&p, YELLOW);
        fputs("warning:", out);
        c_(&p, OFF);
        out_printf(w, " %s\n", (const char *)g_ptr_array_index(a->warnings, i));
    }
    if (a->n_warnings > a->warnings->len)
        out_printf(w, "warning: %" G_GUINT64_FORMAT " more warnings not shown\n",
                   a->n_warnings - a->warnings->len);
    fputc('\n', out);
    causes_summary(&p, t);
    int rc = 0;
    if (spill_count(sp, RS_GLOBAL)) {
        c_(&p, BOLD);
        fputs("Name resolution", out);
        c_(&p, OFF);
        fputc('\n', out);
        rc |= spill_copy(sp, RS_GLOBAL, out, NULL);
        fputc('\n', out);
    }
    rc |= spill_copy(sp, RS_CONN, out, NULL);
    if (t->conns == 0 && t->dns == 0)
        fputs("No TCP connections or DNS lookups in the input.\n", out);
    if (r->verbose) {
        c_(&p, BOLD);
        fputs("Transcript", out);
        c_(&p, OFF);
        fputs("\n\n", out);
        rc |= report_transcript_each(sp, r, t, put_raw, out);
    }
    return rc || ferror(out) ? -1 : 0;
}

const report_format_ops report_text_ops = {text_conn, text_global, text_dns, text_finish};
