/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_html: one self-contained HTML file — summary, every finding, per
 * connection its facts, findings, checklist and an inline SVG ladder
 * diagram of each failing connection. No scripts, no external resources. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- escaping ------------------------------------------------------------ */

/* Writes text as HTML character data or an attribute value. Anything from
 * a capture is the customer's and may be hostile: out_val redacts it,
 * shows control characters and invalid bytes as \xNN (the file declares
 * UTF-8) and turns the five markup characters into references. */
static void h_text(outw *out, const char *s)
{
    out_val(out, s);
}

/* At most max characters of s, with an ellipsis when cut: SVG text does
 * not wrap, so long labels would run across the other lifeline. */
static void h_text_cut(outw *out, const char *s, long max)
{
    out_val_cut(out, s, max);
}

static void h_upper(outw *out, const char *s)
{
    for (; s && *s; s++)
        fputc(g_ascii_toupper(*s), out->f);
}

/* A CSS class name from a fixed vocabulary (outcome, severity, status),
 * so that nothing from the capture ever lands in a class attribute. */
static const char *h_class(const char *word)
{
    static const char *known[] = {"ok",    "challenge", "rejected", "failed", "unknown",
                                  "error", "warning",   "info",     "pass",   "fail"};
    for (size_t i = 0; word && i < G_N_ELEMENTS(known); i++)
        if (!strcmp(word, known[i]))
            return known[i];
    return "unknown";
}

static const char *outcome_of(const diag_conn_result *d)
{
    return diag_outcome_name(d ? d->outcome : DIAG_OUTCOME_UNKNOWN);
}

/* ---- style ------------------------------------------------------------- */

/* Status is always spelled out as well as coloured (and FAIL is bold, the
 * bad arrows dashed), so a grey-scale print still tells them apart. */
static const char STYLE[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#111;"
    "background:#fff;margin:1.5em auto;max-width:78em;padding:0 1em}\n"
    "h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .4em;"
    "border-bottom:1px solid #bbb}h3{font-size:1.05em;margin:1em 0 .3em}\n"
    "code,pre{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;"
    "font-size:.92em}\n"
    "pre{background:#f6f6f6;border:1px solid #ddd;padding:.6em;overflow-x:auto;"
    "white-space:pre-wrap;word-break:break-word}\n"
    "table{border-collapse:collapse;width:100%;margin:.4em 0 1em}\n"
    "th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}\n"
    "th{background:#eee}td.num,code.cause{white-space:nowrap}\n"
    "dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}\n"
    "dl.summary dt{font-weight:600}dl.summary dd{margin:0}\n"
    ".explain{display:block;color:#444;font-size:.92em}\n"
    ".warn{border-left:4px solid #b36b00;padding:.2em .6em;margin:.3em 0;"
    "background:#fff8e6}\n"
    ".badge{display:inline-block;padding:0 .45em;border:1px solid;border-radius:3px;"
    "font-weight:700;font-size:.9em}\n"
    ".o-rejected,.o-failed,.s-error,.st-fail{color:#b00000}\n"
    ".o-unknown,.s-warning,.st-unknown{color:#8a5300}\n"
    ".o-ok,.o-challenge,.st-pass{color:#106b21}\n"
    ".s-info{color:#444}\n"
    "td.st-fail{background:#fde8e8;font-weight:700}td.st-pass{background:#e8f6ea}\n"
    "td.st-unknown{background:#fff4dc;font-style:italic}\n"
    "section.conn{margin-bottom:2em}\n"
    "ul.facts{margin:.3em 0;padding-left:1.3em}\n"
    "figure{margin:.6em 0}figcaption{font-size:.9em;color:#444}\n"
    "svg.ladder{max-width:100%;height:auto;border:1px solid #ddd;background:#fff}\n"
    "svg.ladder text{font:12px system-ui,sans-serif;fill:#111}\n"
    "svg.ladder .life{stroke:#555;stroke-width:1.5}\n"
    "svg.ladder .who{font-weight:700;font-size:13px}\n"
    "svg.ladder .addr,svg.ladder .fr{fill:#444;font-size:11px}\n"
    "svg.ladder .ev line{stroke:#222;stroke-width:1.4}\n"
    "svg.ladder .ev polygon{fill:#222}\n"
    "svg.ladder .bad line{stroke:#c00000;stroke-width:2.4;stroke-dasharray:7 3}\n"
    "svg.ladder .bad polygon{fill:#c00000}svg.ladder .bad text{fill:#c00000;font-weight:700}\n"
    "svg.ladder .broke circle{fill:none;stroke:#c00000;stroke-width:2.5}\n"
    "svg.ladder .broke text{fill:#c00000;font-weight:700}\n"
    "svg.ladder .gap{fill:#444;font-style:italic}\n"
    "@media print{body{max-width:none;margin:0;font-size:11pt}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "section.conn,table,figure{break-inside:avoid-page}h2{break-after:avoid}"
    "pre{white-space:pre-wrap}}\n";

/* ---- findings, checklist, facts ---------------------------------------- */

static void h_frames(outw *out, const diag_finding *f)
{
    for (size_t k = 0; k < f->n_frames; k++)
        fprintf(out->f, "%s%" PRIu64, k ? ", " : "", f->frames[k]);
}

static const char *sev_name(const diag_finding *f)
{
    return f->cause ? diag_severity_name(f->cause->severity) : "unknown";
}

static void h_fix(outw *out, const diag_finding *f)
{
    /* As in the text report: an informational finding needs no fix. */
    if (f->cause && f->cause->severity != DIAG_INFO)
        h_text(out, f->cause->remedy);
}

static void h_cause_token(outw *out, const diag_finding *f)
{
    fputs("<code class=\"cause\">", out->f);
    h_text(out, f->cause && f->cause->token ? f->cause->token : "unknown");
    fputs("</code>", out->f);
    if (f->confidence != DIAG_CERTAIN)
        fprintf(out->f, " <span class=\"confidence\">(%s)</span>",
                diag_confidence_name(f->confidence));
}

/* One row of the table across all connections. conn NULL: a global
 * finding (name resolution). */
static void h_all_row(outw *out, const conn_rec *c, const diag_finding *f)
{
    if (c)
        fprintf(out->f, "<tr><td class=\"num\"><a href=\"#conn-%u\">#%u</a></td><td>", c->id,
                c->id);
    else
        fputs("<tr><td>DNS</td><td>", out->f);
    h_cause_token(out, f);
    fprintf(out->f, "</td><td class=\"s-%s\">%s</td><td class=\"num\">", h_class(sev_name(f)),
            sev_name(f));
    h_frames(out, f);
    fputs("</td><td>", out->f);
    h_text(out, f->evidence);
    fputs("</td><td>", out->f);
    h_fix(out, f);
    fputs("</td></tr>\n", out->f);
}

static void h_findings(outw *out, const GPtrArray *findings)
{
    fputs("<table class=\"findings\"><thead><tr><th>cause</th><th>severity</th><th>frames</th>"
          "<th>evidence</th><th>fix</th></tr></thead><tbody>\n",
          out->f);
    for (guint i = 0; i < findings->len; i++) {
        const diag_finding *f = g_ptr_array_index(findings, i);
        fputs("<tr><td>", out->f);
        h_cause_token(out, f);
        if (f->cause && f->cause->explanation) {
            fputs("<span class=\"explain\">", out->f);
            h_text(out, f->cause->explanation);
            fputs("</span>", out->f);
        }
        fprintf(out->f, "</td><td class=\"s-%s\">%s</td><td class=\"num\">", h_class(sev_name(f)),
                sev_name(f));
        h_frames(out, f);
        fputs("</td><td>", out->f);
        h_text(out, f->evidence);
        fputs("</td><td>", out->f);
        h_fix(out, f);
        fputs("</td></tr>\n", out->f);
    }
    fputs("</tbody></table>\n", out->f);
}

static void h_checklist(outw *out, const diag_conn_result *d)
{
    fputs("<h3>AMT's checks of the console certificate</h3>\n"
          "<table class=\"checklist\"><thead><tr><th>#</th><th>rule</th><th>status</th>"
          "<th>evidence</th><th>to settle</th></tr></thead><tbody>\n",
          out->f);
    for (int k = 0; k < DIAG_N_RULES; k++) {
        const diag_check *ck = &d->checklist[k];
        const char *st = diag_status_name(ck->status);
        fprintf(out->f, "<tr><td class=\"num\">%d</td><td>", k + 1);
        h_text(out, ck->title);
        if (ck->name) {
            fputs(" <code>", out->f);
            h_text(out, ck->name);
            fputs("</code>", out->f);
        }
        fprintf(out->f, "</td><td class=\"st-%s\">", h_class(st));
        h_upper(out, st);
        fputs("</td><td>", out->f);
        h_text(out, ck->evidence);
        fputs("</td><td>", out->f);
        if (ck->status == DIAG_UNKNOWN)
            h_text(out, ck->settle);
        fputs("</td></tr>\n", out->f);
    }
    fputs("</tbody></table>\n", out->f);
}

static void h_facts(outw *out, const conn_rec *c)
{
    fputs("<ul class=\"facts\">\n", out->f);
    fprintf(out->f, "<li>frames %" PRIu64 "–%" PRIu64 " of <code>", c->first_frame, c->last_frame);
    h_text(out, c->file ? c->file : "?");
    fputs("</code></li>\n<li>TCP: ", out->f);
    h_text(out, conn_tcp_outcome(c));
    if (c->midstream)
        fputs(" (the capture started mid-stream)", out->f);
    fputs("</li>\n", out->f);
    if (c->app == APP_TLS && c->tls) {
        const tls_summary *s = tls_conn_summary(c->tls);
        char line[160];
        fputs("<li>TLS: ", out->f);
        h_text(out, report_tls_line(s, line, sizeof line));
        if (s->ch.sni) {
            fputs(", SNI <code>", out->f);
            h_text(out, s->ch.sni);
            fputs("</code>", out->f);
        }
        if (s->cert_request.seen)
            fputs(c->cira_port ? "; the MPS asked for AMT's certificate"
                               : "; AMT asked for a console certificate",
                  out->f);
        fputs("</li>\n<li>keys: ", out->f);
        h_text(out, s->key_status_text[0] ? s->key_status_text : "unknown");
        fputs("</li>\n", out->f);
        for (size_t i = 0; i < s->n_notes; i++) {
            fputs("<li>TLS note: ", out->f);
            h_text(out, s->notes[i]);
            fputs("</li>\n", out->f);
        }
    } else {
        fprintf(out->f, "<li>%s</li>\n",
                c->app == APP_HTTP    ? "plain HTTP"
                : c->app == APP_REDIR ? "redirection in clear"
                                      : "no TLS or HTTP seen");
    }
    if (c->redir) {
        char line[1024];
        diag_redir_summary(c->redir, line, sizeof line);
        fputs("<li>Redirection: ", out->f);
        h_text(out, line);
        fputs("</li>\n", out->f);
    }
    if (c->cira) {
        char line[1024];
        diag_cira_summary(c->cira, line, sizeof line);
        fputs("<li>CIRA: ", out->f);
        h_text(out, line);
        fputs("</li>\n", out->f);
    }
    GPtrArray *chans = report_redir_chan_lines(c);
    for (guint i = 0; chans && i < chans->len; i++) {
        fputs("<li>", out->f);
        h_text(out, g_ptr_array_index(chans, i));
        fputs("</li>\n", out->f);
    }
    if (chans)
        g_ptr_array_unref(chans);
    if (c->http && c->http->len) {
        fputs("<li>HTTP:", out->f);
        for (guint i = 0; i < c->http->len; i++) {
            const http_rec *h = g_ptr_array_index(c->http, i);
            fputs(i ? "; " : " ", out->f);
            h_text(out, h->req.present && h->req.method ? h->req.method : "?");
            fputc(' ', out->f);
            h_text(out, h->req.soap.class_name            ? h->req.soap.class_name
                        : h->req.present && h->req.target ? h->req.target
                                                          : "?");
            if (h->resp.present)
                fprintf(out->f, " → %d", h->resp.status);
            else
                fputs(" → no answer", out->f);
        }
        fputs("</li>\n", out->f);
    }
    fputs("</ul>\n", out->f);
}

/* ---- the ladder diagram ------------------------------------------------ */

#define LADDER_MAX 200      /* events drawn at most */
#define LADDER_W 820        /* SVG width */
#define LADDER_X0 220       /* the console's lifeline */
#define LADDER_X1 620       /* AMT's lifeline */
#define LADDER_TOP 70       /* below the lifeline heads */
#define LADDER_ROW 30       /* per event */
#define LADDER_LABEL_MAX 58 /* characters of a label between the lifelines */

static void ladder_arrow(outw *out, const report_event *e, int y, int broke)
{
    int x_from = e->from ? LADDER_X1 : LADDER_X0, x_to = e->from ? LADDER_X0 : LADDER_X1;
    int dir = x_to > x_from ? 1 : -1;
    fprintf(out->f, "<g class=\"ev%s\"><title>frame %" PRIu64 ": ", e->bad ? " bad" : "", e->frame);
    h_text(out, e->label);
    fputs("</title>", out->f);
    fprintf(out->f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", x_from, y, x_to - dir * 9,
            y);
    fprintf(out->f, "<polygon points=\"%d,%d %d,%d %d,%d\"/>", x_to, y, x_to - dir * 10, y - 5,
            x_to - dir * 10, y + 5);
    fprintf(out->f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (LADDER_X0 + LADDER_X1) / 2,
            y - 6);
    h_text_cut(out, e->label, LADDER_LABEL_MAX);
    fprintf(out->f, "</text><text class=\"fr\" x=\"8\" y=\"%d\">frame %" PRIu64 "</text></g>\n",
            y + 4, e->frame);
    if (broke) {
        /* Where it broke: a ring where the message arrives, words beside
         * it outside the lifelines. */
        int right = x_to == LADDER_X1;
        fprintf(out->f,
                "<g class=\"broke\"><circle cx=\"%d\" cy=\"%d\" r=\"9\"/>"
                "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">%sbroke here%s</text></g>\n",
                x_to, y, right ? x_to + 16 : x_to - 16, y + 4, right ? "start" : "end",
                right ? "◀ " : "", right ? "" : " ▶");
    }
}

static void ladder_gap(outw *out, int y, guint n)
{
    fprintf(out->f,
            "<text class=\"gap\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">… %u event%s left "
            "out …</text>\n",
            (LADDER_X0 + LADDER_X1) / 2, y + 4, n, n == 1 ? "" : "s");
}

static void h_ladder(outw *out, const report_in *r, const conn_rec *c)
{
    GArray *ev = report_events(r, c);
    guint n = ev->len;
    /* The break: the last bad event, else the last event. */
    guint brk = n ? n - 1 : 0;
    for (guint i = n; i-- > 0;)
        if (g_array_index(ev, report_event, i).bad) {
            brk = i;
            break;
        }
    /* Too many to draw: the start of the connection, and a window around
     * the break with a few events after it, the rest left out. */
    guint head = n, tail_start = n, tail_end = n;
    if (n > LADDER_MAX) {
        head = LADDER_MAX / 2;
        tail_end = MIN(n, MAX(brk + 21, head + LADDER_MAX / 2));
        tail_start = MAX(head, tail_end - LADDER_MAX / 2);
    }
    guint shown = head + (tail_end - tail_start);
    guint rows = shown + (tail_start > head) + (tail_end < n) + (n == 0);
    int height = LADDER_TOP + (int)rows * LADDER_ROW + 20;
    char cl[80], sv[80];
    endpoint_str(&c->client, cl, sizeof cl);
    endpoint_str(&c->server, sv, sizeof sv);

    fputs("<h3>Ladder diagram</h3>\n<figure>\n", out->f);
    fprintf(out->f,
            "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Messages between "
            "the console and AMT, connection %u\">\n",
            LADDER_W, height, LADDER_W, height, c->id);
    const int xs[2] = {LADDER_X0, LADDER_X1};
    const char *who[2] = {"Console", "AMT"}, *addr[2] = {cl, sv};
    for (int s = 0; s < 2; s++) {
        fprintf(out->f,
                "<rect x=\"%d\" y=\"8\" width=\"180\" height=\"44\" rx=\"4\" fill=\"#f2f2f2\" "
                "stroke=\"#555\"/><text class=\"who\" x=\"%d\" y=\"26\" "
                "text-anchor=\"middle\">%s</text><text class=\"addr\" x=\"%d\" y=\"43\" "
                "text-anchor=\"middle\">",
                xs[s] - 90, xs[s], who[s], xs[s]);
        h_text(out, addr[s]);
        fprintf(out->f, "</text><line class=\"life\" x1=\"%d\" y1=\"52\" x2=\"%d\" y2=\"%d\"/>\n",
                xs[s], xs[s], height - 10);
    }
    int row = 0;
    for (guint i = 0; i < n; i++) {
        if (i == head && tail_start > head)
            ladder_gap(out, LADDER_TOP + LADDER_ROW * row++, tail_start - head);
        if (i >= head && (i < tail_start || i >= tail_end))
            continue;
        ladder_arrow(out, &g_array_index(ev, report_event, i), LADDER_TOP + LADDER_ROW * row++,
                     i == brk);
    }
    if (tail_end < n)
        ladder_gap(out, LADDER_TOP + LADDER_ROW * row++, n - tail_end);
    if (n == 0)
        fprintf(out->f,
                "<text class=\"gap\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">no messages "
                "seen</text>\n",
                (LADDER_X0 + LADDER_X1) / 2, LADDER_TOP + 4);
    fputs("</svg>\n<figcaption>", out->f);
    if (n == 0)
        fputs("No messages of this connection were seen.", out->f);
    else
        fprintf(out->f,
                "%u message%s; red dashed arrows show the failure; the ring marks where it "
                "broke (frame %" PRIu64 ").",
                n, n == 1 ? "" : "s", g_array_index(ev, report_event, brk).frame);
    if (shown < n)
        fprintf(out->f, " %u of %u messages are left out of the diagram.", n - shown, n);
    fputs("</figcaption>\n</figure>\n", out->f);
    g_array_free(ev, TRUE);
}

/* ---- the page ---------------------------------------------------------- */

static void block_part(void *ctx, const char *text, size_t len)
{
    out_block(ctx, text, len);
}

static int h_transcript(outw *out, const report_in *r, const report_totals *t, spill *sp)
{
    fputs("<section id=\"transcript\"><h2>Transcript</h2>\n<pre>", out->f);
    if (report_transcript_each(sp, r, t, block_part, out) != 0)
        return -1;
    fputs("</pre></section>\n", out->f);
    return 0;
}

static void h_conn(outw *out, const report_in *r, const conn_rec *c)
{
    const diag_conn_result *d = report_diag(r, c);
    const char *oc = outcome_of(d);
    char title[200];
    fprintf(out->f, "<section class=\"conn\" id=\"conn-%u\">\n<h2>#%u ", c->id, c->id);
    h_text(out, report_conn_title(c, title, sizeof title));
    fprintf(out->f, " <span class=\"badge o-%s\">", h_class(oc));
    h_upper(out, d ? oc : "not diagnosed");
    fputs("</span>", out->f);
    if (d) {
        fputs(" <small>stage ", out->f);
        h_text(out, diag_stage_name(d->stage));
        fputs("</small>", out->f);
    }
    fputs("</h2>\n", out->f);
    h_facts(out, c);
    if (d) {
        if (d->findings && d->findings->len) {
            fputs("<h3>Findings</h3>\n", out->f);
            h_findings(out, d->findings);
        } else {
            fputs("<p>No findings.</p>\n", out->f);
        }
        if (d->has_checklist)
            h_checklist(out, d);
        if (d->candidates) {
            fputs("<p class=\"candidates\"><strong>Candidates, most likely first:</strong> ",
                  out->f);
            h_text(out, d->candidates);
            fputs("</p>\n", out->f);
        }
        if (d->visibility) {
            fputs("<p class=\"visibility\"><strong>Not visible in the capture:</strong> ", out->f);
            h_text(out, d->visibility);
            fputs("</p>\n", out->f);
        }
    }
    if (strcmp(oc, "ok") != 0 && strcmp(oc, "challenge") != 0)
        h_ladder(out, r, c);
    fputs("</section>\n", out->f);
}

static void h_summary(outw *out, const report_in *r, const report_totals *t)
{
    const analysis *a = r->a;
    fputs("<section id=\"summary\"><h2>Summary</h2>\n<dl class=\"summary\">\n<dt>Read</dt><dd>",
          out->f);
    for (guint i = 0; i < a->inputs->len; i++) {
        fputs(i ? ", <code>" : "<code>", out->f);
        h_text(out, g_ptr_array_index(a->inputs, i));
        fputs("</code>", out->f);
    }
    if (!a->inputs->len)
        fputs("nothing", out->f);
    fputs("</dd>\n", out->f);
    if (r->given && r->given[0]) {
        fputs("<dt>Given</dt><dd>", out->f);
        for (const char *const *g = r->given; *g; g++) {
            fputs(g == r->given ? "<code>" : ", <code>", out->f);
            h_text(out, *g);
            fputs("</code>", out->f);
        }
        fputs("</dd>\n", out->f);
    }
    fprintf(out->f,
            "<dt>Connections</dt><dd>%" PRIu64 ", <strong>%" PRIu64
            " rejected or failed</strong></dd>\n"
            "<dt>Error findings</dt><dd>%" PRIu64 "</dd>\n<dt>DNS messages</dt><dd>%" PRIu64
            "</dd>\n"
            "<dt>Frames</dt><dd>%" PRIu64 "</dd>\n",
            t->conns, t->rejected, t->errors, t->dns, a->frames);
    if (t->clock.known) {
        fprintf(out->f, "<dt>AMT's clock</dt><dd>%+.1f days from the capture's clock (",
                (double)t->clock.offset_s / 86400.0);
        h_text(out, t->clock.source);
        fputs(")</dd>\n", out->f);
    }
    fputs("</dl>\n", out->f);
    for (guint i = 0; i < a->warnings->len; i++) {
        fputs("<p class=\"warn\"><strong>Warning:</strong> ", out->f);
        h_text(out, g_ptr_array_index(a->warnings, i));
        fputs("</p>\n", out->f);
    }
    if (a->n_warnings > a->warnings->len)
        fprintf(out->f, "<p class=\"warn\">%" G_GUINT64_FORMAT " more warnings not shown</p>\n",
                a->n_warnings - a->warnings->len);
    if (t->conns == 0 && t->dns == 0)
        fputs("<p>No TCP connections or DNS lookups in the input.</p>\n", out->f);
    fputs("</section>\n", out->f);
}

/* Every finding in one table, the name-resolution ones and then the
 * connections worst first, so the reader sees all causes at a glance. */
static int h_all_findings(outw *out, spill *sp)
{
    fputs("<section id=\"findings\"><h2>Findings</h2>\n", out->f);
    if (!spill_count(sp, RS_GLOBAL_ROWS) && !spill_count(sp, RS_ROWS)) {
        fputs("<p>No findings.</p></section>\n", out->f);
        return 0;
    }
    fputs("<table class=\"findings\"><thead><tr><th>connection</th><th>cause</th>"
          "<th>severity</th><th>frames</th><th>evidence</th><th>fix</th></tr></thead><tbody>\n",
          out->f);
    int rc = spill_copy(sp, RS_GLOBAL_ROWS, out->f, NULL);
    rc |= spill_copy(sp, RS_ROWS, out->f, NULL);
    fputs("</tbody></table>\n</section>\n", out->f);
    return rc;
}

static void h_conn_piece(spill *sp, const report_in *r, const conn_rec *c)
{
    outw w = report_out(spill_file(sp), OUT_HTML, r);
    const diag_conn_result *dc = report_diag(r, c);
    uint64_t key = report_rank_key(dc, c->id);
    for (guint k = 0; dc && dc->findings && k < dc->findings->len; k++)
        h_all_row(&w, c, g_ptr_array_index(dc->findings, k));
    spill_mark(sp, RS_ROWS, key);
    h_conn(&w, r, c);
    spill_mark(sp, RS_CONN, key);
    if (r->verbose)
        report_transcript_conn_piece(sp, r, c);
}

static void h_global_piece(spill *sp, const report_in *r, const GPtrArray *findings)
{
    if (!findings->len)
        return;
    outw w = report_out(spill_file(sp), OUT_HTML, r);
    for (guint i = 0; i < findings->len; i++)
        h_all_row(&w, NULL, g_ptr_array_index(findings, i));
    spill_mark(sp, RS_GLOBAL_ROWS, 0);
    h_findings(&w, findings);
    spill_mark(sp, RS_GLOBAL, 0);
}

static void h_dns_piece(spill *sp, const report_in *r, const dns_rec *d)
{
    if (r->verbose)
        report_transcript_dns_piece(sp, r, d);
}

/* For a capture of many connections, what went wrong how often, each
 * linked to its first connection. */
static void h_causes(outw *out, const report_totals *t)
{
    report_cause_row rows[DIAG_N_CAUSES];
    size_t n = t->conns > REPORT_SUMMARY_CONNS ? report_cause_rows(t, rows) : 0;
    if (!n)
        return;
    fputs("<section id=\"causes\"><h2>Causes</h2>\n<table class=\"findings\"><thead><tr>"
          "<th>cause</th><th>severity</th><th>findings</th><th>first connection</th></tr>"
          "</thead><tbody>\n",
          out->f);
    for (size_t i = 0; i < n; i++) {
        const char *sev = diag_severity_name(rows[i].cause->severity);
        fprintf(out->f,
                "<tr><td><code>%s</code></td><td class=\"s-%s\">%s</td><td class=\"num\">%" PRIu64
                "</td><td class=\"num\">",
                rows[i].cause->token, h_class(sev), sev, rows[i].count);
        if (rows[i].first_conn != CONN_ID_NONE)
            fprintf(out->f, "<a href=\"#conn-%u\">#%u</a>", rows[i].first_conn, rows[i].first_conn);
        else
            fputs("–", out->f);
        fputs("</td></tr>\n", out->f);
    }
    fputs("</tbody></table>\n</section>\n", out->f);
}

static int h_finish(FILE *f, const report_in *r, const report_totals *t, spill *sp)
{
    outw w = report_out(f, OUT_HTML, r);
    outw *out = &w;
    const analysis *a = r->a;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>amtdiag report",
          out->f);
    if (a->inputs->len) {
        fputs(": ", out->f);
        h_text(out, g_ptr_array_index(a->inputs, 0));
    }
    fprintf(out->f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>amtdiag report</h1>\n",
            STYLE);
    h_summary(out, r, t);
    h_causes(out, t);
    int rc = h_all_findings(out, sp);
    if (spill_count(sp, RS_GLOBAL)) {
        fputs("<section id=\"dns\"><h2>Name resolution</h2>\n", out->f);
        rc |= spill_copy(sp, RS_GLOBAL, out->f, NULL);
        fputs("</section>\n", out->f);
    }
    rc |= spill_copy(sp, RS_CONN, out->f, NULL);
    if (r->verbose && h_transcript(out, r, t, sp) != 0)
        return -1;
    fputs("</body>\n</html>\n", out->f);
    return rc || ferror(out->f) ? -1 : 0;
}

const report_format_ops report_html_ops = {h_conn_piece, h_global_piece, h_dns_piece, h_finish};
