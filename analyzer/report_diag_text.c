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
    FILE *out;
    int color;
} pen;

static const char *c_(const pen *p, const char *code)
{
    return p->color ? code : "";
}

static const char *outcome_color(diag_outcome outcome)
{
    if (outcome == DIAG_OUTCOME_OK)
        return GREEN;
    if (diag_outcome_is_failure(outcome))
        return RED;
    return YELLOW;
}

static void frames(FILE *out, const diag_finding *f)
{
    if (!f->n_frames)
        return;
    fprintf(out, " [frame%s ", f->n_frames > 1 ? "s" : "");
    for (size_t k = 0; k < f->n_frames; k++)
        fprintf(out, "%s%" PRIu64, k ? ", " : "", f->frames[k]);
    fputc(']', out);
}

static void finding(const pen *p, const diag_finding *f)
{
    const char *sev = f->cause->severity == DIAG_ERROR     ? RED
                      : f->cause->severity == DIAG_WARNING ? YELLOW
                                                           : DIM;
    fprintf(p->out, "  %s%s%s %s(%s%s%s)%s", c_(p, sev), f->cause->token, c_(p, OFF), c_(p, DIM),
            diag_severity_name(f->cause->severity), f->confidence != DIAG_CERTAIN ? ", " : "",
            f->confidence != DIAG_CERTAIN ? diag_confidence_name(f->confidence) : "", c_(p, OFF));
    frames(p->out, f);
    fprintf(p->out, "\n      %s\n", f->cause->explanation);
    fprintf(p->out, "      Evidence: %s\n", f->evidence);
    if (f->cause->severity != DIAG_INFO)
        fprintf(p->out, "      Fix: %s\n", f->cause->remedy);
}

static void checklist(const pen *p, const diag_conn_result *d)
{
    fprintf(p->out, "  AMT's checks of the console certificate:\n");
    for (int k = 0; k < DIAG_N_RULES; k++) {
        const diag_check *ck = &d->checklist[k];
        const char *col = ck->status == DIAG_PASS ? GREEN : ck->status == DIAG_FAIL ? RED : YELLOW;
        char st[16];
        g_snprintf(st, sizeof st, "%s", diag_status_name(ck->status));
        for (char *s = st; *s; s++)
            *s = g_ascii_toupper(*s);
        fprintf(p->out, "    %s%-7s%s %d. %s\n", c_(p, col), st, c_(p, OFF), k + 1, ck->title);
        if (ck->evidence)
            fprintf(p->out, "            %s\n", ck->evidence);
        if (ck->status == DIAG_UNKNOWN && ck->settle)
            fprintf(p->out, "            %sto settle: %s%s\n", c_(p, DIM), ck->settle, c_(p, OFF));
    }
}

static void conn_block(const pen *p, const report_in *r, const conn_rec *c)
{
    const diag_conn_result *d = report_diag(r, c);
    char title[200], line[160];
    fprintf(p->out, "%s#%u %s%s  ", c_(p, BOLD), c->id, report_conn_title(c, title, sizeof title),
            c_(p, OFF));
    if (d) {
        char up[16];
        g_strlcpy(up, diag_outcome_name(d->outcome), sizeof up);
        for (char *s = up; *s; s++)
            *s = g_ascii_toupper(*s);
        fprintf(p->out, "%s%s%s (stage %s)", c_(p, outcome_color(d->outcome)), up, c_(p, OFF),
                diag_stage_name(d->stage));
    }
    fputc('\n', p->out);
    fprintf(p->out, "  frames %" PRIu64 "–%" PRIu64 " of %s; TCP %s", c->first_frame, c->last_frame,
            c->file, conn_tcp_outcome(c));
    if (c->app == APP_TLS) {
        const tls_summary *s = tls_conn_summary(c->tls);
        fprintf(p->out, "; %s", report_tls_line(s, line, sizeof line));
        if (s->cert_request.seen)
            fprintf(p->out, "; AMT asked for a console certificate");
        fprintf(p->out, "\n  keys: %s", s->key_status_text);
    }
    if (c->http->len) {
        fprintf(p->out, "\n  HTTP:");
        for (guint i = 0; i < c->http->len; i++) {
            const http_rec *h = g_ptr_array_index(c->http, i);
            fprintf(p->out, "%s %s %s → ", i ? ";" : "",
                    h->req.soap.action_name ? h->req.soap.action_name
                    : h->req.present        ? h->req.method
                                            : "?",
                    h->req.soap.class_name ? h->req.soap.class_name
                    : h->req.present       ? h->req.target
                                           : "?");
            if (h->resp.present)
                fprintf(p->out, "%d", h->resp.status);
            else
                fprintf(p->out, "no answer");
        }
    }
    fputc('\n', p->out);
    if (!d)
        return;
    if (d->outcome != DIAG_OUTCOME_OK) {
        char end[256];
        diag_end_text(&d->end, end, sizeof end);
        fprintf(p->out, "  %s\n", end);
    }
    for (guint i = 0; i < d->findings->len; i++)
        finding(p, g_ptr_array_index(d->findings, i));
    if (d->candidates)
        fprintf(p->out, "  Candidates, most likely first: %s\n", d->candidates);
    if (d->has_checklist)
        checklist(p, d);
}

void report_text_conn(FILE *out, const report_in *r, const conn_rec *c)
{
    pen p = {out, r->color};
    conn_block(&p, r, c);
    fputc('\n', out);
}

void report_text(FILE *out, const report_in *r)
{
    pen p = {out, r->color};
    const analysis *a = r->a;
    const diag_result *d = r->d;
    fprintf(out, "%samtdiag report%s: ", c_(&p, BOLD), c_(&p, OFF));
    for (guint i = 0; i < a->inputs->len; i++)
        fprintf(out, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index(a->inputs, i));
    fprintf(out, "\n%u connection%s, %u rejected or failed, %u error finding%s\n", a->conns->len,
            a->conns->len == 1 ? "" : "s", d ? d->n_rejected : 0, d ? d->n_errors : 0,
            d && d->n_errors == 1 ? "" : "s");
    if (r->given && r->given[0]) {
        fprintf(out, "inputs:");
        for (const char *const *g = r->given; *g; g++)
            fprintf(out, " %s", *g);
        fputc('\n', out);
    }
    if (d && d->clock.known)
        fprintf(out, "AMT's clock: %+.1f days from the capture's clock (%s)\n",
                (double)d->clock.offset_s / 86400.0, d->clock.source);
    for (guint i = 0; i < a->warnings->len; i++)
        fprintf(out, "%swarning:%s %s\n", c_(&p, YELLOW), c_(&p, OFF),
                (const char *)g_ptr_array_index(a->warnings, i));
    fputc('\n', out);
    if (d && d->global->len) {
        fprintf(out, "%sName resolution%s\n", c_(&p, BOLD), c_(&p, OFF));
        for (guint i = 0; i < d->global->len; i++)
            finding(&p, g_ptr_array_index(d->global, i));
        fputc('\n', out);
    }
    GArray *order = report_order(r);
    for (guint i = 0; i < order->len; i++) {
        conn_block(&p, r, g_ptr_array_index(a->conns, g_array_index(order, guint, i)));
        fputc('\n', out);
    }
    g_array_free(order, TRUE);
    if (a->conns->len == 0 && a->dns->len == 0)
        fprintf(out, "No TCP connections or DNS lookups in the input.\n");
    if (r->verbose) {
        fprintf(out, "%sTranscript%s\n\n", c_(&p, BOLD), c_(&p, OFF));
        report_transcript(out, a);
    }
}
