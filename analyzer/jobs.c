/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jobs: -j N's worker threads (jobs.h). */
#include "jobs.h"

#include <pthread.h>
#include <string.h>
#include <sys/socket.h>

#include "diagnose.h"

/* A worker's queue holds at most this many bytes of copied payload (and
 * messages): the reader waits rather than fill memory when it runs ahead. */
#define QUEUE_BYTES ((size_t)256 << 10)
#define QUEUE_MSGS 1024
/* The reader hands messages over in batches of this many (or bytes). */
#define BATCH_MSGS 64
#define BATCH_BYTES ((size_t)64 << 10)
/* Results that came before the one next in order wait at most this many:
 * past it the reader waits for that one (a worker busy with a large
 * connection must not make the others' results pile up). */
#define RESULTS_WAITING 64
/* A connection dropped by --only: ended, never judged. */
#define SEQ_NONE UINT64_MAX

typedef enum {
    M_DATA,
    M_GAP,
    M_CONFLICT,
    M_CLOSE,
    M_JUDGE,
    M_DNS,
    M_KDC,
    M_FORGET,
    M_SYNC,
    M_END
} msg_kind;

/* A DNS message shared by the workers until the last has learned it. */
typedef struct dns_box {
    dns_rec *d;
    gint refs;
} dns_box;

typedef struct msg {
    struct msg *next;
    msg_kind kind;
    int64_t now_us;
    conn_state *cs;
    union {
        struct {
            uint16_t port;
            int dir;
            uint64_t first, last, len;
        } data; /* the bytes follow the message */
        struct {
            uint16_t port;
            int dir;
            uint64_t len, before, after;
        } gap;
        struct {
            int dir;
            uint64_t frame, offset, len;
        } conflict;
        struct {
            tcp_flow flow; /* its final state */
            uint64_t seq;  /* its place in the order of judgement, or SEQ_NONE */
        } close;
        struct {
            uint64_t seq;      /* the connection to judge: the oldest waiting */
            uint64_t upto;     /* connections up to this one have ended */
            size_t unresolved; /* NXDOMAIN answers this judgement reports */
        } judge;
        dns_box *dns;
        struct {
            diag_kdc_msg *v;
            size_t n;
        } kdc;
        int64_t before; /* M_FORGET: DNS answers older than this */
    } u;
    uint8_t bytes[];
} msg;

/* A connection judged, on its way back to the reader. */
typedef struct result {
    uint64_t seq;
    conn_rec *c;
    diag_result *r;
    conn_facts_box *facts;
    int64_t now_us;
} result;

/* A connection that ended and waits to be judged, as the reader sees it. */
typedef struct held_ref {
    uint64_t seq;
    int64_t first_ts_us;
    unsigned worker;
} held_ref;

/* In a worker: an ended connection, learned, waiting. */
typedef struct held_conn {
    uint64_t seq;
    conn_rec *c;
} held_conn;

typedef struct worker {
    jobs *j;
    unsigned index;
    pthread_t thread;
    int running;
    /* POSIX locks, not GLib's: ThreadSanitizer sees these */
    pthread_mutex_t lock;
    pthread_cond_t more, room;
    msg *head, *tail;
    size_t n_msgs, n_bytes;
    msg *out_head, *out_tail; /* the reader's batch, not yet queued */
    size_t out_msgs, out_bytes;
    /* the worker's own, used by its thread only */
    conn_run run;
    diag_inputs in; /* the user's, with its Kerberos facts and the reader's
                       table of connected addresses */
    GArray *kdc;    /* diag_kdc_msg */
    diag_know *k;
    GQueue waiting; /* held_conn*, oldest first */
    uint64_t upto;  /* the judgement in hand: connections up to it are known */
} worker;

struct jobs {
    analysis *a;
    unsigned n;
    worker *w;
    const only_list *only;
    judge_stream *js;
    void (*sync_kdc)(void *ctx);
    void *ctx;
    GQueue held;       /* held_ref*: the connections waiting, oldest first */
    uint64_t next_seq; /* of the next connection to be judged */
    uint64_t judging;  /* judgements handed out so far (in the order of seq) */
    /* results, handed back in the order of judgement */
    pthread_mutex_t results_lock;
    pthread_cond_t results_came;
    GQueue results;      /* result*, as the workers finished them */
    GHashTable *pending; /* seq → result* come early */
    uint64_t next_out;
    /* address (family, bytes) → the first connection to it (uint64_t*):
     * what "a connection to this AMT was learned" means at a judgement */
    pthread_rwlock_t connected_lock;
    GHashTable *connected;
    pthread_mutex_t sync_lock;
    pthread_cond_t sync_cond;
    unsigned synced;
};

/* ---- queues -------------------------------------------------------------- */

static msg *msg_new(msg_kind kind, conn_state *cs, int64_t now_us, size_t extra)
{
    msg *m = g_malloc(sizeof *m + extra);
    m->next = NULL;
    m->kind = kind;
    m->cs = cs;
    m->now_us = now_us;
    return m;
}

/* The reader's batch for worker w goes into its queue (waiting for room):
 * one lock and at most one wake-up per batch, not per message. */
static void flush(worker *w)
{
    if (!w->out_head)
        return;
    pthread_mutex_lock(&w->lock);
    while (w->n_msgs &&
           (w->n_msgs + w->out_msgs > QUEUE_MSGS || w->n_bytes + w->out_bytes > QUEUE_BYTES))
        pthread_cond_wait(&w->room, &w->lock);
    if (w->tail)
        w->tail->next = w->out_head;
    else
        w->head = w->out_head;
    w->tail = w->out_tail;
    int was_empty = w->n_msgs == 0;
    w->n_msgs += w->out_msgs;
    w->n_bytes += w->out_bytes;
    if (was_empty)
        pthread_cond_signal(&w->more);
    pthread_mutex_unlock(&w->lock);
    w->out_head = w->out_tail = NULL;
    w->out_msgs = w->out_bytes = 0;
}

static void flush_all(jobs *j)
{
    for (unsigned i = 0; i < j->n; i++)
        flush(&j->w[i]);
}

/* Adds m (carrying bytes of payload) to the reader's batch for w. */
static void post(worker *w, msg *m, size_t bytes)
{
    if (w->out_tail)
        w->out_tail->next = m;
    else
        w->out_head = m;
    w->out_tail = m;
    w->out_msgs++;
    w->out_bytes += bytes;
    if (w->out_msgs >= BATCH_MSGS || w->out_bytes >= BATCH_BYTES)
        flush(w);
}

/* Everything queued for w, oldest first. */
static msg *take_all(worker *w)
{
    pthread_mutex_lock(&w->lock);
    while (!w->head)
        pthread_cond_wait(&w->more, &w->lock);
    msg *m = w->head;
    w->head = w->tail = NULL;
    w->n_msgs = w->n_bytes = 0;
    pthread_cond_signal(&w->room);
    pthread_mutex_unlock(&w->lock);
    return m;
}

static void post_all(jobs *j, msg *m)
{
    for (unsigned i = 0; i < j->n; i++) {
        msg *c = msg_new(m->kind, NULL, m->now_us, 0);
        c->u = m->u;
        post(&j->w[i], c, 0);
    }
    g_free(m);
}

/* ---- the table of connected addresses ------------------------------------ */

static GBytes *addr_key(int family, const uint8_t *addr)
{
    uint8_t k[17];
    k[0] = (uint8_t)family;
    size_t n = family == 6 ? 16 : 4;
    memcpy(k + 1, addr, n);
    return g_bytes_new(k, n + 1);
}

static void connected_mark(jobs *j, const tcp_endpoint *server, uint64_t seq)
{
    GBytes *key = addr_key(server->family == AF_INET6 ? 6 : 4, server->addr);
    pthread_rwlock_wrlock(&j->connected_lock);
    if (!g_hash_table_contains(j->connected, key)) {
        uint64_t *v = g_new(uint64_t, 1);
        *v = seq;
        g_hash_table_insert(j->connected, g_bytes_ref(key), v);
    }
    pthread_rwlock_unlock(&j->connected_lock);
    g_bytes_unref(key);
}

/* diag_inputs.connected for a worker: connected to by a connection that
 * ended before the judgement in hand (as one thread would have learned). */
static int connected(void *ctx, int family, const uint8_t *addr)
{
    worker *w = ctx;
    GBytes *key = addr_key(family, addr);
    pthread_rwlock_rdlock(&w->j->connected_lock);
    const uint64_t *v = g_hash_table_lookup(w->j->connected, key);
    int yes = v && *v <= w->upto;
    pthread_rwlock_unlock(&w->j->connected_lock);
    g_bytes_unref(key);
    return yes;
}

/* ---- a worker ------------------------------------------------------------ */

static void dns_box_unref(dns_box *b)
{
    if (g_atomic_int_dec_and_test(&b->refs)) {
        dns_rec_free(b->d);
        g_free(b);
    }
}

static void ended(worker *w, msg *m)
{
    conn_rec *c = analysis_conn_close(m->cs, &m->u.close.flow);
    if (m->u.close.seq == SEQ_NONE) {
        conn_rec_free(c); /* --only: as if it were not in the capture */
        return;
    }
    /* learned now, used by every connection judged from here on */
    conn_facts_box *facts = conn_facts_box_new(c);
    diag_know_conn(w->k, conn_facts_box_facts(facts));
    conn_facts_box_free(facts);
    held_conn *h = g_new(held_conn, 1);
    h->seq = m->u.close.seq;
    h->c = c;
    g_queue_push_tail(&w->waiting, h);
}

static void judge(worker *w, msg *m)
{
    held_conn *h = g_queue_pop_head(&w->waiting);
    g_assert(h && h->seq == m->u.judge.seq); /* each worker's own, in order */
    w->upto = m->u.judge.upto;
    diag_know_unresolved_keep(w->k, m->u.judge.unresolved);
    result *x = g_new(result, 1);
    x->seq = h->seq;
    x->c = h->c;
    x->facts = conn_facts_box_new(h->c);
    x->r = diag_judge(w->k, conn_facts_box_facts(x->facts), 1);
    x->now_us = m->now_us;
    g_free(h);
    jobs *j = w->j;
    pthread_mutex_lock(&j->results_lock);
    g_queue_push_tail(&j->results, x);
    pthread_cond_signal(&j->results_came);
    pthread_mutex_unlock(&j->results_lock);
}

/* Handles one message; returns 0 at the end. */
static int handle(worker *w, msg *m)
{
    w->run.now_us = m->now_us;
    switch (m->kind) {
    case M_DATA:
        analysis_conn_data(m->cs, m->u.data.port, m->u.data.dir, m->bytes, m->u.data.len,
                           m->u.data.first, m->u.data.last);
        break;
    case M_GAP:
        analysis_conn_gap(m->cs, m->u.gap.port, m->u.gap.dir, m->u.gap.len, m->u.gap.before,
                          m->u.gap.after);
        break;
    case M_CONFLICT:
        analysis_conn_conflict(m->cs, m->u.conflict.dir, m->u.conflict.frame, m->u.conflict.offset,
                               m->u.conflict.len);
        break;
    case M_CLOSE:
        ended(w, m);
        break;
    case M_JUDGE:
        judge(w, m);
        break;
    case M_DNS: {
        diag_dns_facts f;
        dns_facts_of(m->u.dns->d, &f);
        diag_know_dns(w->k, &f);
        dns_box_unref(m->u.dns);
        break;
    }
    case M_KDC:
        g_array_append_vals(w->kdc, m->u.kdc.v, (guint)m->u.kdc.n);
        g_free(m->u.kdc.v);
        w->in.kdc = (const diag_kdc_msg *)(void *)w->kdc->data;
        w->in.n_kdc = w->kdc->len;
        break;
    case M_FORGET:
        diag_know_forget(w->k, m->u.before);
        break;
    case M_SYNC:
        pthread_mutex_lock(&w->j->sync_lock);
        w->j->synced++;
        pthread_cond_signal(&w->j->sync_cond);
        pthread_mutex_unlock(&w->j->sync_lock);
        break;
    case M_END:
        return 0;
    }
    return 1;
}

static void *worker_main(void *p)
{
    worker *w = p;
    tls_keys_set_thread(w->index + 1);
    for (int go_on = 1; go_on;) {
        msg *m = take_all(w);
        while (m) {
            msg *next = m->next;
            if (go_on)
                go_on = handle(w, m);
            g_free(m);
            m = next;
        }
    }
    return NULL;
}

/* ---- the reader's side ---------------------------------------------------- */

/* Stops w if it runs (what waits for it dropped) and frees what it holds. */
static void worker_free(worker *w)
{
    if (w->running) {
        post(w, msg_new(M_END, NULL, 0, 0), 0);
        flush(w);
        pthread_join(w->thread, NULL);
    }
    msg *m;
    while ((m = w->head) || (m = w->out_head)) {
        if (m == w->head)
            w->head = m->next;
        else
            w->out_head = m->next;
        if (m->kind == M_DNS)
            dns_box_unref(m->u.dns);
        else if (m->kind == M_KDC)
            g_free(m->u.kdc.v);
        g_free(m);
    }
    held_conn *hc;
    while ((hc = g_queue_pop_head(&w->waiting))) {
        conn_rec_free(hc->c);
        g_free(hc);
    }
    diag_know_free(w->k);
    g_array_free(w->kdc, TRUE);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->more);
    pthread_cond_destroy(&w->room);
}

jobs *jobs_new(analysis *a, unsigned n, const diag_inputs *in, const only_list *only,
               judge_stream *js, void (*sync_kdc)(void *ctx), void *ctx)
{
    jobs *j = g_new0(jobs, 1);
    j->a = a;
    j->n = MIN(MAX(n, 1u), (unsigned)JOBS_MAX);
    j->only = only;
    j->js = js;
    j->sync_kdc = sync_kdc;
    j->ctx = ctx;
    g_queue_init(&j->held);
    pthread_mutex_init(&j->results_lock, NULL);
    pthread_cond_init(&j->results_came, NULL);
    g_queue_init(&j->results);
    j->pending = g_hash_table_new(g_int64_hash, g_int64_equal);
    pthread_rwlock_init(&j->connected_lock, NULL);
    j->connected =
        g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, g_free);
    pthread_mutex_init(&j->sync_lock, NULL);
    pthread_cond_init(&j->sync_cond, NULL);
    j->w = g_new0(worker, j->n);
    for (unsigned i = 0; i < j->n; i++) {
        worker *w = &j->w[i];
        w->j = j;
        w->index = i;
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->more, NULL);
        pthread_cond_init(&w->room, NULL);
        w->run.a = a;
        if (in)
            w->in = *in;
        w->in.kdc = NULL;
        w->in.n_kdc = 0;
        w->in.connected = connected;
        w->in.connected_ctx = w;
        w->kdc = g_array_new(FALSE, FALSE, sizeof(diag_kdc_msg));
        w->k = diag_know_new(&w->in);
        g_queue_init(&w->waiting);
    }
    for (unsigned i = 0; i < j->n; i++) {
        worker *w = &j->w[i];
        int rc = pthread_create(&w->thread, NULL, worker_main, w);
        if (rc == 0) {
            w->running = 1;
            continue;
        }
        /* (a limit on processes or memory) the threads started do the
         * work, or the reader alone: the report is the same with any number */
        g_printerr("amtdiag: -j %u: thread %u could not be started (%s): going on with %u\n", j->n,
                   i + 1, g_strerror(rc), i ? i : 1);
        for (unsigned k = i; k < j->n; k++)
            worker_free(&j->w[k]);
        j->n = i;
        if (!i) {
            jobs_free(j);
            return NULL; /* one thread, without workers */
        }
        break;
    }
    return j;
}

/* AMT's address picks the worker: the same AMT, the same worker. */
conn_run *jobs_route(jobs *j, const tcp_flow *f, int cira, unsigned *which)
{
    const tcp_endpoint *amt = cira ? &f->client : &f->server;
    size_t n = amt->family == AF_INET6 ? 16 : 4;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ amt->addr[i]) * 16777619u;
    *which = h % j->n;
    return &j->w[*which].run;
}

void jobs_data(jobs *j, unsigned w, conn_state *cs, uint16_t port, int dir, const uint8_t *data,
               size_t len, uint64_t first_frame, uint64_t last_frame, int64_t now_us)
{
    msg *m = msg_new(M_DATA, cs, now_us, len);
    m->u.data.port = port;
    m->u.data.dir = dir;
    m->u.data.first = first_frame;
    m->u.data.last = last_frame;
    m->u.data.len = len;
    memcpy(m->bytes, data, len);
    post(&j->w[w], m, len);
}

void jobs_gap(jobs *j, unsigned w, conn_state *cs, uint16_t port, int dir, uint64_t len,
              uint64_t frame_before, uint64_t frame_after, int64_t now_us)
{
    msg *m = msg_new(M_GAP, cs, now_us, 0);
    m->u.gap.port = port;
    m->u.gap.dir = dir;
    m->u.gap.len = len;
    m->u.gap.before = frame_before;
    m->u.gap.after = frame_after;
    post(&j->w[w], m, 0);
}

void jobs_conflict(jobs *j, unsigned w, conn_state *cs, int dir, uint64_t frame, uint64_t offset,
                   uint64_t len, int64_t now_us)
{
    msg *m = msg_new(M_CONFLICT, cs, now_us, 0);
    m->u.conflict.dir = dir;
    m->u.conflict.frame = frame;
    m->u.conflict.offset = offset;
    m->u.conflict.len = len;
    post(&j->w[w], m, 0);
}

/* Hands results that are next in the order of judgement to js. */
static void emit_ready(jobs *j)
{
    result *x;
    while ((x = g_hash_table_lookup(j->pending, &j->next_out))) {
        g_hash_table_remove(j->pending, &j->next_out);
        judge_stream_result(j->js, x->c, x->r, x->now_us);
        conn_facts_box_free(x->facts);
        conn_rec_free(x->c);
        g_free(x);
        j->next_out++;
    }
}

/* Moves the results the workers have sent to pending; with wait, waits
 * for one first. */
static void receive(jobs *j, int wait)
{
    pthread_mutex_lock(&j->results_lock);
    while (wait && g_queue_is_empty(&j->results))
        pthread_cond_wait(&j->results_came, &j->results_lock);
    result *x;
    while ((x = g_queue_pop_head(&j->results)))
        g_hash_table_insert(j->pending, &x->seq, x);
    pthread_mutex_unlock(&j->results_lock);
}

/* Takes the results the workers have sent, waiting only when too many
 * wait for the one next in order (its judgement was handed out before
 * theirs: it comes). */
static void collect(jobs *j)
{
    receive(j, 0);
    emit_ready(j);
    while (g_hash_table_size(j->pending) > RESULTS_WAITING) {
        flush_all(j); /* the judgement awaited may still be in a batch */
        receive(j, 1);
        emit_ready(j);
    }
}

/* The oldest waiting connection is judged by its worker, with the NXDOMAIN
 * answers one thread would report with it (js's knowledge counts them). */
static void post_judge(jobs *j, held_ref *h, uint64_t upto)
{
    diag_know *k = judge_stream_know(j->js);
    msg *m = msg_new(M_JUDGE, NULL, judge_stream_counts(j->js)->last_ts_us, 0);
    m->u.judge.seq = h->seq;
    m->u.judge.upto = upto;
    m->u.judge.unresolved = diag_know_unresolved(k);
    diag_know_unresolved_keep(k, 0);
    post(&j->w[h->worker], m, 0);
    j->judging++;
    g_free(h);
}

void jobs_close(jobs *j, unsigned w, conn_state *cs, const tcp_flow *f, int64_t now_us)
{
    j->sync_kdc(j->ctx);
    msg *m = msg_new(M_CLOSE, cs, now_us, 0);
    m->u.close.flow = *f;
    m->u.close.flow.app = NULL;
    conn_rec ends = {.client = f->client, .server = f->server};
    if (!only_match(j->only, &ends)) {
        m->u.close.seq = SEQ_NONE;
        post(&j->w[w], m, 0);
        return;
    }
    uint64_t seq = m->u.close.seq = j->next_seq++;
    if (!analysis_is_cira_port(j->a, f->server.port))
        connected_mark(j, &f->server, seq);
    judge_stream_saw(j->js, f->last_ts_us);
    held_ref *h = g_new(held_ref, 1);
    h->seq = seq;
    h->first_ts_us = f->first_ts_us;
    h->worker = w;
    g_queue_push_tail(&j->held, h);
    post(&j->w[w], m, 0);
    if (j->held.length > JUDGE_HOLD_MAX)
        post_judge(j, g_queue_pop_head(&j->held), seq);
    collect(j);
}

void jobs_sync(jobs *j)
{
    pthread_mutex_lock(&j->sync_lock);
    j->synced = 0;
    pthread_mutex_unlock(&j->sync_lock);
    post_all(j, msg_new(M_SYNC, NULL, 0, 0));
    flush_all(j);
    pthread_mutex_lock(&j->sync_lock);
    while (j->synced < j->n)
        pthread_cond_wait(&j->sync_cond, &j->sync_lock);
    pthread_mutex_unlock(&j->sync_lock);
}

void jobs_kdc(jobs *j, const diag_kdc_msg *v, size_t n)
{
    if (!n)
        return;
    for (unsigned i = 0; i < j->n; i++) {
        msg *m = msg_new(M_KDC, NULL, 0, 0);
        m->u.kdc.v = g_memdup2(v, n * sizeof *v);
        m->u.kdc.n = n;
        post(&j->w[i], m, 0);
    }
}

void jobs_dns(jobs *j, dns_rec *d)
{
    judge_stream_dns_learn(j->js, d);
    dns_box *b = g_new(dns_box, 1);
    b->d = d;
    b->refs = (gint)j->n;
    msg *m = msg_new(M_DNS, NULL, 0, 0);
    m->u.dns = b;
    post_all(j, m);
}

void jobs_time(jobs *j, int64_t now_us)
{
    const held_ref *h = g_queue_peek_head(&j->held);
    int64_t oldest = h ? h->first_ts_us : INT64_MAX;
    judge_stream_time_held(j->js, now_us, oldest);
    msg *m = msg_new(M_FORGET, NULL, 0, 0);
    m->u.before = MIN(now_us, oldest) - JUDGE_DNS_KEEP_US;
    post_all(j, m);
}

void jobs_finish(jobs *j)
{
    uint64_t upto = j->next_seq ? j->next_seq - 1 : 0;
    held_ref *h;
    while ((h = g_queue_pop_head(&j->held))) {
        /* the connections still held (up to JUDGE_HOLD_MAX) are judged
         * RESULTS_WAITING at a time: a result holds the connection's facts
         * and verdict until it is written, and all of them at once would
         * be the run's peak of memory */
        while (j->judging - j->next_out >= RESULTS_WAITING) {
            flush_all(j);
            receive(j, 1);
            emit_ready(j);
        }
        post_judge(j, h, upto);
    }
    post_all(j, msg_new(M_END, NULL, 0, 0));
    flush_all(j);
    for (unsigned i = 0; i < j->n; i++) {
        pthread_join(j->w[i].thread, NULL);
        j->w[i].running = 0;
    }
    receive(j, 0);
    emit_ready(j);
    g_assert(g_hash_table_size(j->pending) == 0);
}

void jobs_free(jobs *j)
{
    if (!j)
        return;
    for (unsigned i = 0; i < j->n; i++)
        worker_free(&j->w[i]);
    receive(j, 0);
    result *x;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, j->pending);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        x = v;
        diag_result_free(x->r);
        conn_facts_box_free(x->facts);
        conn_rec_free(x->c);
        g_free(x);
    }
    g_hash_table_destroy(j->pending);
    pthread_mutex_destroy(&j->results_lock);
    pthread_cond_destroy(&j->results_came);
    g_queue_clear_full(&j->held, g_free);
    g_hash_table_destroy(j->connected);
    pthread_rwlock_destroy(&j->connected_lock);
    pthread_mutex_destroy(&j->sync_lock);
    pthread_cond_destroy(&j->sync_cond);
    g_free(j->w);
    g_free(j);
}
