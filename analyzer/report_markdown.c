/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_markdown: the diagnosis as Markdown for pasting into a ticket —
 * summary, then per connection worst first its facts, findings and AMT's
 * certificate checklist as tables. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Where a piece of text goes: a table cell or a line (values never carry
 * line breaks: out_val shows them as \x0a). */
typedef enum { MD_INLINE, MD_CELL } md_mode;

/* Writes text taken from a capture or an input. Those are the customer's:
 * they may hold invalid UTF-8, control bytes, pipes that would split a
 * table cell, or "<tag>" and backticks a renderer would swallow; out_val
 * makes each literal (and redacts). */
static void md_text(outw *out, const char *s, md_mode mode)
{
    (void)mode;
    out_val(out, s);
}

static void md_upper(outw *out, const char *s)
{
    for (; s && *s; s++)
        fputc(g_ascii_toupper(*s), out->f);
}

static void md_frames(outw *out, const diag_finding *f)
{
    for (size_t k = 0; k < f->n_frames; k++)
        fprintf(out->f, "%s%" PRIu64, k ? ", " : "", f->frames[k]);
    if (!f->n_frames)
        fputs("–", out->f);
}

static void md_findings(outw *out, const GPtrArray *findings)
{
    fputs("| cause | severity | frames | evidence | fix |\n|---|---|---|---|---|\n", out->f);
    for (guint i = 0; i < findings->len; i++) {
        const diag_finding *f = g_ptr_array_index(findings, i);
        const diag_cause *c = f->cause;
        /* Tokens come from the static cause table, never from a capture. */
        fprintf(out->f, "| `%s`", c && c->token ? c->token : "unknown");
        if (c && c->explanation) {
            fputs(" — ", out->f);
            md_text(out, c->explanation, MD_CELL);
        }
        fprintf(out->f, " | %s%s%s | ", c ? diag_severity_name(c->severity) : "?",
                f->confidence != DIAG_CERTAIN ? ", " : "",
                f->confidence != DIAG_CERTAIN ? diag_confidence_name(f->confidence) : "");
        md_frames(out, f);
        fputs(" | ", out->f);
        md_text(out, f->evidence, MD_CELL);
        fputs(" | ", out->f);
        /* As in the text report: an informational finding needs no fix. */
        if (c && c->severity != DIAG_INFO)
            md_text(out, c->remedy, MD_CELL);
        else
            fputs("–", out->f);
        fputs(" |\n", out->f);
    }
    fputc('\n', out->f);
}

static void md_checklist(outw *out, const diag_conn_result *d)
{
    fputs("AMT's checks of the console certificate:\n\n"
          "| # | rule | status | evidence | to settle |\n|---|---|---|---|---|\n",
          out->f);
    for (int k = 0; k < DIAG_N_RULES; k++) {
        const diag_check *ck = &d->checklist[k];
        fprintf(out->f, "| %d | ", k + 1);
        md_text(out, ck->title, MD_CELL);
        if (ck->name)
            fprintf(out->f, " (`%s`)", ck->name);
        /* Bold FAIL so it stands out where the ticket shows no colour. */
        fputs(ck->status == DIAG_FAIL ? " | **" : " | ", out->f);
        md_upper(out, diag_status_name(ck->status));
        fputs(ck->status == DIAG_FAIL ? "** | " : " | ", out->f);
        md_text(out, ck->evidence, MD_CELL);
        fputs(" | ", out->f);
        if (ck->status == DIAG_UNKNOWN && ck->settle)
            md_text(out, ck->settle, MD_CELL);
        fputs(" |\n", out->f);
    }
    fputc('\n', out->f);
}

/* TCP, TLS and key facts on one line, then the HTTP exchanges. */
static void md_facts(outw *out, const conn_rec *c)
{
    fprintf(out->f, "Frames %" PRIu64 "–%" PRIu64 " of ", c->first_frame, c->last_frame);
    md_text(out, c->file ? c->file : "?", MD_INLINE);
    fputs(" · TCP ", out->f);
    md_text(out, conn_tcp_outcome(c), MD_INLINE);
    if (c->midstream)
        fputs(" (capture started mid-stream)", out->f);
    if (c->app == APP_TLS && c->tls) {
        const tls_summary *s = tls_conn_summary(c->tls);
        char line[160];
        fputs(" · TLS: ", out->f);
        md_text(out, report_tls_line(s, line, sizeof line), MD_INLINE);
        if (s->ch.sni) {
            fputs(", SNI ", out->f);
            md_text(out, s->ch.sni, MD_INLINE);
        }
        if (s->cert_request.seen)
            fputs(c->cira_port ? " · the MPS asked for AMT's certificate"
                               : " · AMT asked for a console certificate",
                  out->f);
        fputs(" · keys: ", out->f);
        md_text(out, s->key_status_text[0] ? s->key_status_text : "unknown", MD_INLINE);
        for (size_t i = 0; i < s->n_notes; i++) {
            fputs(" · TLS note: ", out->f);
            md_text(out, s->notes[i], MD_INLINE);
        }
    } else {
        fputs(c->app == APP_HTTP    ? " · plain HTTP"
              : c->app == APP_REDIR ? " · redirection in clear"
                                    : " · no TLS or HTTP seen",
              out->f);
    }
    fputs("\n\n", out->f);
    if (c->redir) {
        char line[1024];
        diag_redir_summary(c->redir, line, sizeof line);
        fputs("Redirection: ", out->f);
        md_text(out, line, MD_INLINE);
        fputs("\n\n", out->f);
    }
    if (c->cira) {
        char line[1024];
        diag_cira_summary(c->cira, line, sizeof line);
        fputs("CIRA: ", out->f);
        md_text(out, line, MD_INLINE);
        fputs("\n\n", out->f);
    }
    GPtrArray *chans = report_redir_chan_lines(c);
    for (guint i = 0; chans && i < chans->len; i++) {
        md_text(out, g_ptr_array_index(chans, i), MD_INLINE);
        fputs("\n\n", out->f);
    }
    if (chans)
        g_ptr_array_unref(chans);
    if (c->http && c->http->len) {
        fputs("HTTP:", out->f);
        for (guint i = 0; i < c->http->len; i++) {
            const http_rec *h = g_ptr_array_index(c->http, i);
            fputs(i ? "; " : " ", out->f);
            md_text(out, h->req.present && h->req.method ? h->req.method : "?", MD_INLINE);
            fputc(' ', out->f);
            md_text(out,
                    h->req.soap.class_name            ? h->req.soap.class_name
                    : h->req.present && h->req.target ? h->req.target
                                                      : "?",
                    MD_INLINE);
            if (h->resp.present)
                fprintf(out->f, " → %d", h->resp.status);
            else
                fputs(" → no answer", out->f);
        }
        fputs("\n\n", out->f);
    }
}

/* The longest run of backticks in the transcript, so that its fence is
 * longer and a transcript holding "```" cannot close it early. */
typedef struct fence_scan {
    size_t run, longest;
    char last;
} fence_scan;

static void scan_part(void *ctx, const char *text, size_t len)
{
    fence_scan *f = ctx;
    for (size_t i = 0; i < len; i++) {
        f->run = text[i] == '`' ? f->run + 1 : 0;
        if (f->run > f->longest)
            f->longest = f->run;
    }
    if (len)
        f->last = text[len - 1];
}

static void md_fence(outw *out, const fence_scan *f)
{
    for (size_t i = 0; i < (f->longest < 3 ? 3 : f->longest + 1); i++)
        fputc('`', out->f);
}

static void block_part(void *ctx, const char *text, size_t len)
{
    out_block(ctx, text, len);
}

static int md_transcript(outw *out, const report_in *r, const report_totals *t, spill *sp)
{
    fence_scan f = {0};
    if (report_transcript_each(sp, r, t, scan_part, &f) != 0)
        return -1;
    fputs("## Transcript\n\n", out->f);
    md_fence(out, &f);
    fputs("text\n", out->f);
    if (report_transcript_each(sp, r, t, block_part, out) != 0)
        return -1;
    if (f.last && f.last != '\n')
        fputc('\n', out->f);
    md_fence(out, &f);
    fputs("\n", out->f);
    return 0;
}

static void md_conn(outw *out, const report_in *r, const conn_rec *c)
{
    const diag_conn_result *d = report_diag(r, c);
    char title[200];
    fprintf(out->f, "## #%u ", c->id);
    md_text(out, report_conn_title(c, title, sizeof title), MD_INLINE);
    fputs(" — ", out->f);
    if (d) {
        fputs("**", out->f);
        md_upper(out, diag_outcome_name(d->outcome));
        fputs("** (stage ", out->f);
        md_text(out, diag_stage_name(d->stage), MD_INLINE);
        fputs(")\n\n", out->f);
    } else {
        fputs("not diagnosed\n\n", out->f);
    }
    md_facts(out, c);
    if (!d)
        return;
    if (d->findings && d->findings->len)
        md_findings(out, d->findings);
    else
        fputs("No findings.\n\n", out->f);
    if (d->has_checklist)
        md_checklist(out, d);
    if (d->candidates) {
        fputs("**Candidates, most likely first:** ", out->f);
        md_text(out, d->candidates, MD_INLINE);
        fputs("\n\n", out->f);
    }
    if (d->visibility) {
        fputs("**Not visible in the capture:** ", out->f);
        md_text(out, d->visibility, MD_INLINE);
        fputs("\n\n", out->f);
    }
}

static void md_conn_piece(spill *sp, const report_in *r, const conn_rec *c)
{
    outw w = report_out(spill_file(sp), OUT_MARKDOWN, r);
    md_conn(&w, r, c);
    spill_mark(sp, RS_CONN, report_rank_key(report_diag(r, c), c->id));
    if (r->verbose)
        report_transcript_conn_piece(sp, r, c);
}

static void md_global_piece(spill *sp, const report_in *r, const GPtrArray *findings)
{
    if (!findings->len)
        return;
    outw w = report_out(spill_file(sp), OUT_MARKDOWN, r);
    md_findings(&w, findings);
    spill_mark(sp, RS_GLOBAL, 0);
}

static void md_dns_piece(spill *sp, const report_in *r, const dns_rec *d)
{
    if (r->verbose)
        report_transcript_dns_piece(sp, r, d);
}

/* For a capture of many connections, what went wrong how often. */
static void md_causes(outw *out, const report_totals *t)
{
    report_cause_row rows[DIAG_N_CAUSES];
    size_t n = t->conns > REPORT_SUMMARY_CONNS ? report_cause_rows(t, rows) : 0;
    if (!n)
        return;
    fputs("## Causes\n\n| cause | severity | findings | first connection |\n|---|---|---|---|\n",
          out->f);
    for (size_t i = 0; i < n; i++) {
        /* Tokens come from the static cause table, never from a capture. */
        fprintf(out->f, "| `%s` | %s | %" PRIu64 " | ", rows[i].cause->token,
                diag_severity_name(rows[i].cause->severity), rows[i].count);
        if (rows[i].first_conn != CONN_ID_NONE)
            fprintf(out->f, "#%u |\n", rows[i].first_conn);
        else
            fputs("– |\n", out->f);
    }
    fputc('\n', out->f);
}

static int md_finish(FILE *f, const report_in *r, const report_totals *t, spill *sp)
{
    outw w = report_out(f, OUT_MARKDOWN, r);
    outw *out = &w;
    const analysis *a = r->a;
    fputs("# amtdiag report\n\n", out->f);
    fputs("- **Read:** ", out->f);
    for (guint i = 0; i < a->inputs->len; i++) {
        fputs(i ? ", " : "", out->f);
        md_text(out, g_ptr_array_index(a->inputs, i), MD_INLINE);
    }
    if (!a->inputs->len)
        fputs("nothing", out->f);
    fputs("\n", out->f);
    if (r->given && r->given[0]) {
        fputs("- **Given:**", out->f);
        for (const char *const *g = r->given; *g; g++) {
            fputc(' ', out->f);
            md_text(out, *g, MD_INLINE);
        }
        fputs("\n", out->f);
    }
    fprintf(out->f,
            "- **%" PRIu64 " connection%s**, %" PRIu64 " rejected or failed, %" PRIu64
            " error finding%s; %" PRIu64 " DNS message%s, %" PRIu64 " frames\n",
            t->conns, t->conns == 1 ? "" : "s", t->rejected, t->errors, t->errors == 1 ? "" : "s",
            t->dns, t->dns == 1 ? "" : "s", a->frames);
    if (t->clock.known) {
        fprintf(out->f, "- **AMT's clock:** %+.1f days from the capture's clock (",
                (double)t->clock.offset_s / 86400.0);
        md_text(out, t->clock.source, MD_INLINE);
        fputs(")\n", out->f);
    }
    for (guint i = 0; i < a->warnings->len; i++) {
        fputs("- **Warning:** ", out->f);
        md_text(out, g_ptr_array_index(a->warnings, i), MD_INLINE);
        fputc('\n', out->f);
    }
    if (a->n_warnings > a->warnings->len)
        fprintf(out->f, "- **Warning:** %" G_GUINT64_FORMAT " more warnings not shown\n",
                a->n_warnings - a->warnings->len);
    fputc('\n', out->f);
    md_causes(out, t);
    int rc = 0;
    if (spill_count(sp, RS_GLOBAL)) {
        fputs("## Name resolution\n\n", out->f);
        rc |= spill_copy(sp, RS_GLOBAL, out->f, NULL);
    }
    rc |= spill_copy(sp, RS_CONN, out->f, NULL);
    if (t->conns == 0 && t->dns == 0)
        fputs("No TCP connections or DNS lookups in the input.\n\n", out->f);
    if (r->verbose && md_transcript(out, r, t, sp) != 0)
        return -1;
    return rc || ferror(out->f) ? -1 : 0;
}

const report_format_ops report_markdown_ops = {md_conn_piece, md_global_piece, md_dns_piece,
                                               md_finish};
