/* SPDX-License-Identifier: GPL-2.0-or-later */
/* judge_stream: connections judged as a capture is read (judge_stream.h). */
#include "judge_stream.h"

#include "diagnose.h"

/* A connection waiting for its hold window to pass. Its facts are built
 * twice, to learn from and to judge, rather than held: they would double
 * what a waiting connection costs. */
typedef struct held {
    conn_rec *rec;
} held;

struct judge_stream {
    diag_know *k;
    diag_inputs in; /* the user's, with the Kerberos messages read so far */
    judged_fn fn;
    void *ctx;
    GQueue waiting;  /* held*, in the order they ended */
    int64_t hold_us; /* capture time a connection waits; INT64_MAX: none */
    judge_counts n;
};

judge_stream *judge_stream_new(const diag_inputs *in, judged_fn fn, void *ctx)
{
    judge_stream *js = g_new0(judge_stream, 1);
    if (in)
        js->in = *in;
    js->k = diag_know_new(&js->in);
    js->fn = fn;
    js->ctx = ctx;
    js->hold_us = JUDGE_HOLD_US;
    g_queue_init(&js->waiting);
    js->n.n_causes = DIAG_N_CAUSES;
    js->n.by_cause = g_new0(uint64_t, DIAG_N_CAUSES);
    js->n.first_conn = g_new(unsigned, DIAG_N_CAUSES);
    for (size_t i = 0; i < DIAG_N_CAUSES; i++)
        js->n.first_conn[i] = CONN_ID_NONE;
    return js;
}

static void count_findings(judge_counts *n, const GPtrArray *findings, unsigned conn)
{
    for (guint i = 0; i < findings->len; i++) {
        const diag_finding *f = g_ptr_array_index(findings, i);
        if ((size_t)f->cause->id >= n->n_causes)
            continue;
        n->by_cause[f->cause->id]++;
        n->first_conn[f->cause->id] = MIN(n->first_conn[f->cause->id], conn);
    }
}

void judge_stream_kdc(judge_stream *js, const diag_kdc_msg *kdc, size_t n)
{
    js->in.kdc = kdc;
    js->in.n_kdc = n;
}

/* Counts a result and hands it to the writer, stamped now_us. */
static void judged_at(judge_stream *js, const conn_rec *c, diag_result *r, int64_t now_us)
{
    judge_counts *n = &js->n;
    n->rejected += r->n_rejected;
    n->not_ok += r->n_not_ok;
    n->errors += r->n_errors;
    for (guint i = 0; i < r->conns->len; i++) {
        const diag_conn_result *cr = g_ptr_array_index(r->conns, i);
        if ((unsigned)cr->outcome < DIAG_N_OUTCOMES)
            n->outcome[cr->outcome]++;
        count_findings(n, cr->findings, cr->conn_id);
    }
    count_findings(n, r->global, CONN_ID_NONE);
    if (!n->clock.known && r->clock.known)
        n->clock = r->clock;
    js->fn(js->ctx, c, r, now_us);
    diag_result_free(r);
}

static void judged(judge_stream *js, const conn_rec *c, diag_result *r)
{
    judged_at(js, c, r, js->n.last_ts_us);
}

void judge_stream_result(judge_stream *js, const conn_rec *c, diag_result *r, int64_t now_us)
{
    js->n.conns++;
    judged_at(js, c, r, now_us);
}

void judge_stream_saw(judge_stream *js, int64_t ts_us)
{
    js->n.last_ts_us = MAX(js->n.last_ts_us, ts_us);
}

void judge_stream_time_held(judge_stream *js, int64_t now_us, int64_t oldest_first_us)
{
    js->n.last_ts_us = MAX(js->n.last_ts_us, now_us);
    diag_know_forget(js->k, MIN(now_us, oldest_first_us) - JUDGE_DNS_KEEP_US);
}

diag_know *judge_stream_know(judge_stream *js)
{
    return js->k;
}

static void judge_one(judge_stream *js, held *h)
{
    js->n.conns++;
    conn_facts_box *facts = conn_facts_box_new(h->rec);
    judged(js, h->rec, diag_judge(js->k, conn_facts_box_facts(facts), 1));
    conn_facts_box_free(facts);
    conn_rec_free(h->rec);
    g_free(h);
}

void judge_stream_conn(judge_stream *js, conn_rec *c)
{
    held *h = g_new0(held, 1);
    h->rec = c;
    js->n.last_ts_us = MAX(js->n.last_ts_us, c->last_ts_us);
    /* Learned now, used by every connection judged from here on. */
    conn_facts_box *facts = conn_facts_box_new(c);
    diag_know_conn(js->k, conn_facts_box_facts(facts));
    conn_facts_box_free(facts);
    g_queue_push_tail(&js->waiting, h);
    if (js->waiting.length > JUDGE_HOLD_MAX)
        judge_one(js, g_queue_pop_head(&js->waiting));
}

void judge_stream_dns_learn(judge_stream *js, const dns_rec *d)
{
    diag_dns_facts f;
    dns_facts_of(d, &f);
    diag_know_dns(js->k, &f);
    js->n.last_ts_us = MAX(js->n.last_ts_us, d->ts_us);
    js->n.dns++;
}

void judge_stream_dns(judge_stream *js, dns_rec *d)
{
    judge_stream_dns_learn(js, d);
    dns_rec_free(d);
}

void judge_stream_time(judge_stream *js, int64_t now_us)
{
    js->n.last_ts_us = MAX(js->n.last_ts_us, now_us);
    held *h;
    while ((h = g_queue_peek_head(&js->waiting)) && js->hold_us != INT64_MAX &&
           h->rec->last_ts_us + js->hold_us <= now_us)
        judge_one(js, g_queue_pop_head(&js->waiting));
    /* DNS answers stay while a connection that may need them waits */
    int64_t from = now_us;
    if ((h = g_queue_peek_head(&js->waiting)))
        from = MIN(from, h->rec->first_ts_us);
    diag_know_forget(js->k, from - JUDGE_DNS_KEEP_US);
}

void judge_stream_hold_by_count(judge_stream *js)
{
    js->hold_us = INT64_MAX;
}

void judge_stream_finish(judge_stream *js)
{
    held *h;
    while ((h = g_queue_pop_head(&js->waiting)))
        judge_one(js, h);
    /* what is about no connection (DNS answers) and not yet said */
    judged(js, NULL, diag_judge(js->k, NULL, 0));
}

const judge_counts *judge_stream_counts(const judge_stream *js)
{
    return &js->n;
}

size_t judge_stream_waiting(const judge_stream *js)
{
    return js->waiting.length;
}

void judge_stream_free(judge_stream *js)
{
    if (!js)
        return;
    held *h; /* not judged: the writer may be gone */
    while ((h = g_queue_pop_head(&js->waiting))) {
        conn_rec_free(h->rec);
        g_free(h);
    }
    diag_know_free(js->k);
    g_free(js->n.by_cause);
    g_free(js->n.first_conn);
    g_free(js);
}
