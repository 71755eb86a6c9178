/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_common: what every report format needs — the order of the
 * connections, their titles and the events of the ladder diagram. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report_krb.h"

const diag_conn_result *report_diag(const report_in *r, const conn_rec *c)
{
    return r->d ? diag_result_conn(r->d, c->id) : NULL;
}

static int rank(const diag_conn_result *d)
{
    static const diag_outcome order[] = {DIAG_OUTCOME_REJECTED, DIAG_OUTCOME_FAILED,
                                         DIAG_OUTCOME_UNKNOWN, DIAG_OUTCOME_CHALLENGE,
                                         DIAG_OUTCOME_OK};
    for (int i = 0; d && i < 5; i++)
        if (d->outcome == order[i])
            return i;
    return 5;
}

uint64_t report_rank_key(const diag_conn_result *d, unsigned id)
{
    return (uint64_t)rank(d) << 32 | id;
}

GPtrArray *report_redir_chan_lines(const conn_rec *c)
{
    const diag_redir_chans *s = c->redir_chans;
    if (!s || (!s->n && !s->dropped))
        return NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    char line[1024];
    for (size_t k = 0; k < s->n; k++) {
        diag_redir_summary(s->chan[k], line, sizeof line);
        g_ptr_array_add(
            out, g_strdup_printf("Redirection session %u (channel %" PRIu64 " to port %u): %s",
                                 s->chan[k]->channel, s->key[k], s->chan[k]->channel_port, line));
    }
    if (s->dropped)
        g_ptr_array_add(out, g_strdup_printf("Redirection: %u more channel%s from frame %" PRIu64
                                             " not followed (%d are kept per tunnel)",
                                             s->dropped, s->dropped == 1 ? "" : "s",
                                             s->dropped_frame, DIAG_REDIR_CHANNELS_MAX));
    return out;
}

const char *report_conn_title(const conn_rec *c, char *buf, size_t len)
{
    char cl[80], sv[80];
    g_snprintf(buf, len, "%s → %s", endpoint_str(&c->client, cl, sizeof cl),
               endpoint_str(&c->server, sv, sizeof sv));
    return buf;
}

static void add(GArray *ev, uint64_t frame, int from, int bad, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);
static void add(GArray *ev, uint64_t frame, int from, int bad, const char *fmt, ...)
{
    if (!frame)
        return;
    report_event e = {.frame = frame, .from = from, .bad = bad};
    va_list ap;
    va_start(ap, fmt);
    g_vsnprintf(e.label, sizeof e.label, fmt, ap);
    va_end(ap);
    g_array_append_val(ev, e);
}

/* Whether frame is one of the finding frames of the connection. */
static int is_evidence(const diag_conn_result *d, uint64_t frame)
{
    for (guint i = 0; d && i < d->findings->len; i++) {
        const diag_finding *f = g_ptr_array_index(d->findings, i);
        if (f->cause->severity == DIAG_INFO)
            continue;
        for (size_t k = 0; k < f->n_frames; k++)
            if (f->frames[k] == frame)
                return 1;
    }
    return 0;
}

static gint by_frame(gconstpointer a, gconstpointer b)
{
    const report_event *x = a, *y = b;
    return (x->frame > y->frame) - (x->frame < y->frame);
}

GArray *report_events(const report_in *r, const conn_rec *c)
{
    const diag_conn_result *d = report_diag(r, c);
    GArray *ev = g_array_new(FALSE, TRUE, sizeof(report_event));
    if (c->syn_frame)
        add(ev, c->syn_frame, 0, is_evidence(d, c->syn_frame), "SYN%s",
            c->syn_count > 1 ? " (retransmitted)" : "");
    add(ev, c->synack_frame, 1, 0, "SYN-ACK");
    if (c->tls) {
        const tls_summary *s = tls_conn_summary(c->tls);
        for (guint i = 0; i < c->hs->len; i++) {
            const hs_event *h = &g_array_index(c->hs, hs_event, i);
            add(ev, h->frame, h->dir == TLS_DIR_SERVER, is_evidence(d, h->frame), "%s%s",
                tls_hs_name(h->type), h->encrypted ? " (encrypted)" : "");
        }
        for (int dir = 0; dir < 2; dir++)
            if (s->ccs_seen[dir])
                add(ev, s->ccs_frame[dir], dir, 0, "ChangeCipherSpec");
        for (size_t i = 0; i < s->n_alerts; i++) {
            const tls_alert_info *al = &s->alerts[i];
            add(ev, al->frame, al->dir == TLS_DIR_SERVER, al->desc != 0, "Alert %s",
                al->desc >= 0 ? tls_alert_name(al->desc) : "(encrypted)");
        }
    }
    for (guint i = 0; i < c->http->len; i++) {
        const http_rec *h = g_ptr_array_index(c->http, i);
        if (h->req.present)
            add(ev, h->req.first_frame, 0, is_evidence(d, h->req.first_frame), "%s %s%s%s",
                h->req.method, h->req.target, h->req.soap.action_name ? " " : "",
                h->req.soap.action_name ? h->req.soap.action_name : "");
        if (h->resp.present)
            add(ev, h->resp.first_frame, 1,
                is_evidence(d, h->resp.first_frame) || h->resp.status >= 400, "%d%s%s",
                h->resp.status, h->resp.soap.is_fault ? " fault " : "",
                h->resp.soap.is_fault && h->resp.soap.fault_subcode ? h->resp.soap.fault_subcode
                                                                    : "");
    }
    for (guint i = 0; c->redir_lines && i < c->redir_lines->len; i++) {
        const redir_line *l = &g_array_index(c->redir_lines, redir_line, i);
        /* the message's name, and the status of a reply */
        char label[96];
        g_strlcpy(label, l->text, sizeof label);
        label[strcspn(label, ",")] = '\0';
        add(ev, l->frame, l->dir, is_evidence(d, l->frame), "%s", label);
    }
    if (c->rst_frame)
        add(ev, c->rst_frame, c->rst_from == 1, is_evidence(d, c->rst_frame) || !c->synack_frame,
            "RST");
    for (int dir = 0; dir < 2; dir++)
        add(ev, c->fin_frame[dir], dir, 0, "FIN");
    g_array_sort(ev, by_frame);
    return ev;
}

outw report_out(FILE *f, outw_format format, const report_in *r)
{
    return out_make(f, format, r->redact ? r->a->marks : NULL);
}

int report_transcript_each(spill *sp, const report_in *r, const report_totals *t, spill_fn fn,
                           void *ctx)
{
    if (spill_each(sp, RS_TR_DNS, fn, ctx, NULL, NULL) != 0)
        return -1;
    /* the Kerberos messages: bounded in number, kept by the analysis */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return -1;
    outw w = report_out(mem, OUT_TEXT, r);
    report_krb_transcript(&w, r->a);
    int rc = fclose(mem) != 0 ? -1 : 0;
    if (rc == 0 && len)
        fn(ctx, buf, len);
    free(buf);
    if (rc == 0)
        rc = spill_each(sp, RS_TR_CONN, fn, ctx, NULL, NULL);
    if (rc == 0 && t->conns == 0 && t->dns == 0) {
        static const char none[] = "No TCP connections or DNS lookups in the input.\n";
        fn(ctx, none, sizeof none - 1);
    }
    return rc;
}

static gint by_weight(gconstpointer a, gconstpointer b)
{
    const report_cause_row *x = a, *y = b;
    if (x->cause->severity != y->cause->severity)
        return x->cause->severity == DIAG_ERROR ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->cause->id - y->cause->id;
}

size_t report_cause_rows(const report_totals *t, report_cause_row *rows)
{
    size_t n = 0;
    for (size_t id = 0; t->by_cause && id < DIAG_N_CAUSES; id++) {
        const diag_cause *c = diag_cause_get((diag_cause_id)id);
        if (!t->by_cause[id] || !c || c->severity == DIAG_INFO)
            continue;
        rows[n++] = (report_cause_row){c, t->by_cause[id], t->first_conn[id]};
    }
    qsort(rows, n, sizeof *rows, (int (*)(const void *, const void *))by_weight);
    return n;
}
