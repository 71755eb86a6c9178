/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TCP flow table (see flow.h).
 *
 * Flows live in a GLib hash table keyed on the direction-free 5-tuple, and
 * on intrusive lists giving the orders the limits need: creation (for the
 * end of input), last activity (idle timeout, max_flows), the moment a
 * direction started holding out-of-order data (max_buffered_total) and last
 * activity among flows holding a history (max_history_total). Finished
 * 5-tuples ("tombstones") have a hash table and an age list of their own. */
#include "tcp/flow.h"
#include "tcp/reasm.h"

#include <glib.h>
#include <string.h>
#include <sys/socket.h>

/* An endpoint in a key: the 16 address bytes, then the port big-endian. */
#define EP_LEN 18
/* A key: the family, then both endpoints, the lower one first, so that
 * both directions of a connection have the same key; zero-padded to whole
 * 64-bit words for the hash. */
#define KEY_USED (1 + 2 * EP_LEN)
#define KEY_LEN 40

/* Intrusive circular list; an unlinked node has NULL pointers. */
typedef struct dlink {
    struct dlink *prev, *next;
} dlink;

#define CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

typedef struct flow_rec flow_rec;

/* One direction of a flow. */
typedef struct flow_dir {
    flow_rec *rec;
    int dir;
    tcp_reasm rs;
    dlink pending;            /* in the table's pending list while rs holds data */
    size_t buffered, history; /* rs's usage as last added to the table's totals */
} flow_dir;

struct flow_rec {
    tcp_flow pub; /* first: callers get &pub */
    flow_table *t;
    uint8_t key[KEY_LEN];
    flow_dir d[2];
    dlink all, lru, hist;
    uint32_t isn[2]; /* sequence number of each side's SYN */
    bool isn_known[2];
    bool fin_seen[2], fin_acked[2];
    uint32_t fin_seq[2]; /* sequence number of each side's first FIN */
};

typedef struct tomb {
    uint8_t key[KEY_LEN];
    int64_t last_ts;
    dlink link;
} tomb;

struct flow_table {
    flow_table_limits limits;
    flow_table_callbacks cb;
    GHashTable *flows, *tombs; /* key -> flow_rec, key -> tomb */
    dlink all;                 /* flows by creation */
    dlink lru;                 /* flows by last activity, least recent first */
    dlink hist;                /* flows holding a history, least recently active first */
    dlink pending;             /* directions holding data, oldest first */
    dlink tomb_lru;            /* tombstones by last segment, oldest first */
    flow_rec *last;            /* the flow of the last segment (NULL once closed) */
    size_t nflows, ntombs;
    uint64_t next_id;
    size_t buffered, history;
    uint64_t evicted, forced_gaps, ignored;
};

/* ---- lists ---- */

static void dl_init(dlink *h)
{
    h->prev = h->next = h;
}

static bool dl_empty(const dlink *h)
{
    return h->next == h;
}

static bool dl_linked(const dlink *n)
{
    return n->next != NULL;
}

static void dl_append(dlink *h, dlink *n)
{
    n->prev = h->prev;
    n->next = h;
    h->prev->next = n;
    h->prev = n;
}

static void dl_remove(dlink *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = NULL;
}

static void dl_move_tail(dlink *h, dlink *n)
{
    dl_remove(n);
    dl_append(h, n);
}

/* ---- keys and endpoints ---- */

/* Word by word (multiply and fold): a byte-wise hash of the key cost
 * more than the rest of the lookup on every segment. */
static guint key_hash(gconstpointer k)
{
    const uint8_t *p = k;
    uint64_t h = 0;
    for (size_t i = 0; i < KEY_LEN; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * UINT64_C(0x9E3779B97F4A7C15);
        h ^= h >> 29;
    }
    return (guint)(h ^ (h >> 32));
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, KEY_LEN) == 0;
}

static void endpoint_set(tcp_endpoint *ep, int family, const uint8_t *addr, uint16_t port)
{
    memset(ep, 0, sizeof *ep);
    ep->family = family;
    /* Only the family's bytes count: the caller may leave the rest unset. */
    memcpy(ep->addr, addr, family == AF_INET6 ? 16 : 4);
    ep->port = port;
}

static void endpoint_bytes(const tcp_endpoint *ep, uint8_t out[EP_LEN])
{
    memcpy(out, ep->addr, 16);
    out[16] = (uint8_t)(ep->port >> 8);
    out[17] = (uint8_t)ep->port;
}

static void make_key(const tcp_seg *s, uint8_t key[KEY_LEN])
{
    tcp_endpoint a, b;
    uint8_t ea[EP_LEN], eb[EP_LEN];
    endpoint_set(&a, s->family, s->src, s->sport);
    endpoint_set(&b, s->family, s->dst, s->dport);
    endpoint_bytes(&a, ea);
    endpoint_bytes(&b, eb);
    bool a_first = memcmp(ea, eb, EP_LEN) <= 0;
    key[0] = (uint8_t)s->family;
    memcpy(key + 1, a_first ? ea : eb, EP_LEN);
    memcpy(key + 1 + EP_LEN, a_first ? eb : ea, EP_LEN);
    memset(key + KEY_USED, 0, KEY_LEN - KEY_USED);
}

/* Whether an endpoint is the segment's source (src) or destination: the
 * family's address bytes and the port, as endpoint_set would store them. */
static bool endpoint_is(const tcp_endpoint *ep, const tcp_seg *s, bool src)
{
    const uint8_t *addr = src ? s->src : s->dst;
    if (ep->family != s->family || ep->port != (src ? s->sport : s->dport))
        return false;
    /* constant sizes: compiled to plain compares */
    return s->family == AF_INET6 ? memcmp(ep->addr, addr, 16) == 0 : memcmp(ep->addr, addr, 4) == 0;
}

/* Whether the segment belongs to the flow's 5-tuple, either way. */
static bool same_tuple(const flow_rec *rec, const tcp_seg *s)
{
    const tcp_flow *f = &rec->pub;
    if (endpoint_is(&f->client, s, true))
        return endpoint_is(&f->server, s, false);
    return endpoint_is(&f->server, s, true) && endpoint_is(&f->client, s, false);
}

/* 0 when the segment goes client->server, 1 otherwise. */
static int seg_dir(const flow_rec *rec, const tcp_seg *s)
{
    return endpoint_is(&rec->pub.client, s, true) ? 0 : 1;
}

static bool is_amt_port(uint16_t port)
{
    return port >= FLOW_AMT_PORT_FIRST && port <= FLOW_AMT_PORT_LAST;
}

/* Whether the sender of the segment that opens a flow is its client. */
static bool sender_is_client(const tcp_seg *s)
{
    if (s->flags & TCP_SYN)
        return !(s->flags & TCP_ACK);
    if (is_amt_port(s->dport))
        return true;
    if (is_amt_port(s->sport))
        return false;
    /* Servers listen on the lower port; on a tie, call the destination the
     * server. */
    return s->sport >= s->dport;
}

/* a >= b in sequence space. */
static bool seq_ge(uint32_t a, uint32_t b)
{
    return a - b < 0x80000000u;
}

/* Time running backwards (out-of-order capture timestamps) is not idleness;
 * the difference is taken unsigned so that odd timestamps cannot overflow. */
static bool idle(const flow_table *t, int64_t last_ts, int64_t now)
{
    if (t->limits.idle_timeout_us <= 0 || now < last_ts)
        return false;
    return (uint64_t)now - (uint64_t)last_ts >= (uint64_t)t->limits.idle_timeout_us;
}

/* ---- reassembly callbacks: ctx is the flow_dir ---- */

static void on_reasm_data(void *ctx, const uint8_t *data, size_t len, uint64_t first_frame,
                          uint64_t last_frame)
{
    flow_dir *d = ctx;
    flow_table *t = d->rec->t;
    d->rec->pub.bytes[d->dir] += len;
    if (t->cb.on_data)
        t->cb.on_data(t->cb.ctx, &d->rec->pub, d->dir, data, len, first_frame, last_frame);
}

static void on_reasm_gap(void *ctx, uint64_t off, uint64_t len, uint64_t frame_before,
                         uint64_t frame_after)
{
    flow_dir *d = ctx;
    flow_table *t = d->rec->t;
    d->rec->pub.gaps[d->dir].count++;
    d->rec->pub.gaps[d->dir].bytes += len;
    if (t->cb.on_gap)
        t->cb.on_gap(t->cb.ctx, &d->rec->pub, d->dir, off, len, frame_before, frame_after);
}

static void on_reasm_conflict(void *ctx, uint64_t frame, uint64_t off, uint64_t len)
{
    flow_dir *d = ctx;
    flow_table *t = d->rec->t;
    d->rec->pub.conflicts[d->dir]++;
    if (t->cb.on_conflict)
        t->cb.on_conflict(t->cb.ctx, &d->rec->pub, d->dir, frame, off, len);
}

static const tcp_reasm_ops reasm_ops = {
    .deliver = on_reasm_data,
    .gap = on_reasm_gap,
    .conflict = on_reasm_conflict,
};

/* ---- memory accounting ---- */

/* Brings the table's totals and lists up to date with one direction's
 * usage, after anything that may have changed it. */
static void account(flow_table *t, flow_rec *rec, int dir)
{
    flow_dir *d = &rec->d[dir];
    size_t b = tcp_reasm_buffered(&d->rs), h = tcp_reasm_history_size(&d->rs);
    t->buffered = t->buffered - d->buffered + b;
    d->buffered = b;
    t->history = t->history - d->history + h;
    d->history = h;
    if (b && !dl_linked(&d->pending))
        dl_append(&t->pending, &d->pending);
    else if (!b && dl_linked(&d->pending))
        dl_remove(&d->pending);
    bool has_hist = rec->d[0].history || rec->d[1].history;
    if (has_hist && !dl_linked(&rec->hist))
        dl_append(&t->hist, &rec->hist);
    else if (!has_hist && dl_linked(&rec->hist))
        dl_remove(&rec->hist);
}

/* Enforces the limits across flows. A direction keeps its place in the
 * pending list while it has holes left, so its next hole goes next: it is
 * still the one that has waited longest. */
static void enforce_totals(flow_table *t)
{
    while (t->buffered > t->limits.max_buffered_total && !dl_empty(&t->pending)) {
        flow_dir *d = CONTAINER(t->pending.next, flow_dir, pending);
        tcp_reasm_skip_hole(&d->rs);
        t->forced_gaps++;
        account(t, d->rec, d->dir);
    }
    while (t->history > t->limits.max_history_total && !dl_empty(&t->hist)) {
        flow_rec *rec = CONTAINER(t->hist.next, flow_rec, hist);
        for (int dir = 0; dir < 2; dir++) {
            tcp_reasm_drop_history(&rec->d[dir].rs);
            account(t, rec, dir);
        }
    }
}

/* ---- tombstones ---- */

static void tomb_remove(flow_table *t, tomb *tb)
{
    g_hash_table_remove(t->tombs, tb->key);
    dl_remove(&tb->link);
    t->ntombs--;
    g_free(tb);
}

static void tomb_add(flow_table *t, const uint8_t *key, int64_t ts)
{
    tomb *tb = g_hash_table_lookup(t->tombs, key);
    if (tb) {
        dl_move_tail(&t->tomb_lru, &tb->link);
    } else {
        if (t->ntombs >= t->limits.max_flows)
            tomb_remove(t, CONTAINER(t->tomb_lru.next, tomb, link));
        tb = g_new0(tomb, 1);
        memcpy(tb->key, key, KEY_LEN);
        g_hash_table_insert(t->tombs, tb->key, tb);
        dl_append(&t->tomb_lru, &tb->link);
        t->ntombs++;
    }
    tb->last_ts = ts;
}

/* ---- flows ---- */

/* Ends a flow: delivers what it holds, reports it, frees it. remember
 * leaves a tombstone for its 5-tuple. */
static void close_flow(flow_table *t, flow_rec *rec, tcp_flow_end why, bool remember)
{
    rec->pub.end = why;
    for (int dir = 0; dir < 2; dir++)
        tcp_reasm_flush(&rec->d[dir].rs);
    if (t->cb.on_close)
        t->cb.on_close(t->cb.ctx, &rec->pub);
    for (int dir = 0; dir < 2; dir++) {
        tcp_reasm_free(&rec->d[dir].rs);
        account(t, rec, dir);
    }
    g_hash_table_remove(t->flows, rec->key);
    if (t->last == rec)
        t->last = NULL;
    dl_remove(&rec->all);
    dl_remove(&rec->lru);
    t->nflows--;
    if (remember)
        tomb_add(t, rec->key, rec->pub.last_ts_us);
    g_free(rec);
}

static flow_rec *flow_new(flow_table *t, const tcp_seg *s, const uint8_t *key)
{
    if (t->nflows >= t->limits.max_flows && !dl_empty(&t->lru)) {
        t->evicted++;
        close_flow(t, CONTAINER(t->lru.next, flow_rec, lru), TCP_FLOW_END_EVICTED, false);
    }
    flow_rec *rec = g_new0(flow_rec, 1);
    rec->t = t;
    memcpy(rec->key, key, KEY_LEN);
    tcp_flow *f = &rec->pub;
    f->id = t->next_id++;
    if (sender_is_client(s)) {
        endpoint_set(&f->client, s->family, s->src, s->sport);
        endpoint_set(&f->server, s->family, s->dst, s->dport);
    } else {
        endpoint_set(&f->client, s->family, s->dst, s->dport);
        endpoint_set(&f->server, s->family, s->src, s->sport);
    }
    f->first_frame = f->last_frame = s->frame;
    f->first_ts_us = f->last_ts_us = s->ts_us;
    f->rst_from = -1;
    f->midstream = !(s->flags & TCP_SYN);
    tcp_reasm_limits rl = {
        .max_buffered = t->limits.max_buffered_per_dir,
        .history = t->limits.history_per_dir,
    };
    for (int dir = 0; dir < 2; dir++) {
        rec->d[dir].rec = rec;
        rec->d[dir].dir = dir;
        tcp_reasm_init(&rec->d[dir].rs, &rl, &reasm_ops, &rec->d[dir]);
    }
    g_hash_table_insert(t->flows, rec->key, rec);
    dl_append(&t->all, &rec->all);
    dl_append(&t->lru, &rec->lru);
    t->nflows++;
    if (t->cb.on_open)
        t->cb.on_open(t->cb.ctx, f);
    return rec;
}

/* Whether a SYN without ACK on a live flow opens a new connection rather
 * than retransmitting the flow's own SYN. */
static bool syn_starts_new(const flow_rec *rec, const tcp_seg *s)
{
    if (rec->fin_seen[0] && rec->fin_seen[1])
        return true;
    if (seg_dir(rec, s) != 0 || rec->pub.midstream)
        return true;
    /* Another ISN once the first attempt was answered: a new connection. */
    return rec->isn_known[0] && s->seq != rec->isn[0] &&
           (rec->pub.synack_count || rec->pub.bytes[0] || rec->pub.bytes[1] ||
            rec->pub.established_frame);
}

/* Follows the handshake and records a SYN or SYN-ACK from direction dir. */
static void handle_syn(flow_rec *rec, int dir, const tcp_seg *s)
{
    tcp_flow *f = &rec->pub;
    if (!(s->flags & TCP_ACK)) {
        if (dir != 0)
            return;
        if (f->syn.count < TCP_FLOW_MAX_SYN_FRAMES)
            f->syn.frame[f->syn.count] = s->frame;
        f->syn.count++;
        rec->isn[0] = s->seq;
        rec->isn_known[0] = true;
        tcp_reasm_set_isn(&rec->d[0].rs, s->seq + 1, s->frame);
        return;
    }
    if (!f->synack_frame)
        f->synack_frame = s->frame;
    f->synack_count++;
    rec->isn[dir] = s->seq;
    rec->isn_known[dir] = true;
    tcp_reasm_set_isn(&rec->d[dir].rs, s->seq + 1, s->frame);
    /* Without the SYN, the SYN-ACK's ACK tells where the other side's data
     * starts. */
    if (!rec->isn_known[1 - dir]) {
        rec->isn[1 - dir] = s->ack - 1;
        rec->isn_known[1 - dir] = true;
        tcp_reasm_set_isn(&rec->d[1 - dir].rs, s->ack, 0);
    }
}

/* Applies one segment to its flow; may close it. */
static void process(flow_table *t, flow_rec *rec, const tcp_seg *s)
{
    tcp_flow *f = &rec->pub;
    int dir = seg_dir(rec, s);
    uint8_t fl = s->flags;
    f->last_frame = s->frame;
    f->last_ts_us = s->ts_us;
    dl_move_tail(&t->lru, &rec->lru);

    if (fl & TCP_RST) {
        f->rst_frame = s->frame;
        f->rst_from = dir;
        close_flow(t, rec, TCP_FLOW_END_RST, true);
        return;
    }
    uint32_t data_seq = s->seq;
    if (fl & TCP_SYN) {
        handle_syn(rec, dir, s);
        data_seq++; /* the SYN takes one sequence number */
    }
    if ((fl & TCP_ACK) && !(fl & TCP_SYN)) {
        if (dir == 0 && !f->established_frame && f->synack_frame && rec->isn_known[1] &&
            seq_ge(s->ack, rec->isn[1] + 1))
            f->established_frame = s->frame;
        if (rec->fin_seen[1 - dir] && seq_ge(s->ack, rec->fin_seq[1 - dir] + 1))
            rec->fin_acked[1 - dir] = true;
    }
    size_t wire = MAX(s->wire_payload_len, s->payload_len);
    if (wire)
        tcp_reasm_segment_sliced(&rec->d[dir].rs, data_seq, s->payload, s->payload_len, wire,
                                 s->frame, s->ts_us);
    if (fl & TCP_FIN) {
        uint32_t fin_seq = data_seq + (uint32_t)wire;
        if (!rec->fin_seen[dir]) {
            rec->fin_seen[dir] = true;
            rec->fin_seq[dir] = fin_seq;
            f->fin_frame[dir] = s->frame;
        }
        tcp_reasm_fin(&rec->d[dir].rs, fin_seq, s->frame);
    }
    account(t, rec, dir);
    if (dl_linked(&rec->hist))
        dl_move_tail(&t->hist, &rec->hist);
    if (rec->fin_acked[0] && rec->fin_acked[1])
        close_flow(t, rec, TCP_FLOW_END_FIN, true);
}

/* ---- public ---- */

void flow_table_limits_init(flow_table_limits *limits)
{
    limits->max_buffered_per_dir = FLOW_DEFAULT_MAX_BUFFERED_PER_DIR;
    limits->history_per_dir = FLOW_DEFAULT_HISTORY_PER_DIR;
    limits->max_buffered_total = FLOW_DEFAULT_MAX_BUFFERED_TOTAL;
    limits->max_history_total = FLOW_DEFAULT_MAX_HISTORY_TOTAL;
    limits->max_flows = FLOW_DEFAULT_MAX_FLOWS;
    limits->idle_timeout_us = FLOW_DEFAULT_IDLE_TIMEOUT_US;
}

flow_table *flow_table_new(const flow_table_limits *limits, const flow_table_callbacks *cb)
{
    flow_table *t = g_new0(flow_table, 1);
    if (limits)
        t->limits = *limits;
    else
        flow_table_limits_init(&t->limits);
    if (t->limits.max_flows == 0)
        t->limits.max_flows = 1;
    if (cb)
        t->cb = *cb;
    t->flows = g_hash_table_new(key_hash, key_equal);
    t->tombs = g_hash_table_new(key_hash, key_equal);
    dl_init(&t->all);
    dl_init(&t->lru);
    dl_init(&t->hist);
    dl_init(&t->pending);
    dl_init(&t->tomb_lru);
    return t;
}

void flow_table_segment(flow_table *t, const tcp_seg *s)
{
    uint8_t key[KEY_LEN];
    bool have_key = false;
    bool new_syn = (s->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN;

    /* Consecutive segments mostly belong to one flow: the last one is
     * checked before the key is made and looked up. */
    flow_rec *rec = t->last && same_tuple(t->last, s) ? t->last : NULL;
    if (!rec) {
        make_key(s, key);
        have_key = true;
        rec = g_hash_table_lookup(t->flows, key);
    }
    if (rec && idle(t, rec->pub.last_ts_us, s->ts_us)) {
        close_flow(t, rec, TCP_FLOW_END_TIMEOUT, false);
        rec = NULL;
    }
    if (rec && new_syn && syn_starts_new(rec, s)) {
        bool fins = rec->fin_seen[0] && rec->fin_seen[1];
        close_flow(t, rec, fins ? TCP_FLOW_END_FIN : TCP_FLOW_END_REUSED, false);
        rec = NULL;
    }
    if (!rec) {
        if (!have_key)
            make_key(s, key);
        tomb *tb = g_hash_table_lookup(t->tombs, key);
        if (tb) {
            if (!new_syn && !idle(t, tb->last_ts, s->ts_us)) {
                /* A straggler of the finished connection. */
                tb->last_ts = s->ts_us;
                dl_move_tail(&t->tomb_lru, &tb->link);
                t->ignored++;
                return;
            }
            tomb_remove(t, tb);
        }
        rec = flow_new(t, s, key);
    }
    t->last = rec; /* cleared if process closes it */
    process(t, rec, s);
    enforce_totals(t);
}

void flow_table_expire(flow_table *t, int64_t now_us)
{
    while (!dl_empty(&t->lru)) {
        flow_rec *rec = CONTAINER(t->lru.next, flow_rec, lru);
        if (!idle(t, rec->pub.last_ts_us, now_us))
            break;
        close_flow(t, rec, TCP_FLOW_END_TIMEOUT, false);
    }
    while (!dl_empty(&t->tomb_lru)) {
        tomb *tb = CONTAINER(t->tomb_lru.next, tomb, link);
        if (!idle(t, tb->last_ts, now_us))
            break;
        tomb_remove(t, tb);
    }
}

void flow_table_finish(flow_table *t)
{
    while (!dl_empty(&t->all))
        close_flow(t, CONTAINER(t->all.next, flow_rec, all), TCP_FLOW_END_OF_INPUT, false);
    while (!dl_empty(&t->tomb_lru))
        tomb_remove(t, CONTAINER(t->tomb_lru.next, tomb, link));
}

void flow_table_get_stats(const flow_table *t, flow_table_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    stats->flows = t->nflows;
    stats->flows_total = t->next_id;
    stats->evicted = t->evicted;
    stats->tombstones = t->ntombs;
    stats->buffered = t->buffered;
    stats->history = t->history;
    stats->forced_gaps = t->forced_gaps;
    stats->ignored_segs = t->ignored;
}

void flow_table_free(flow_table *t)
{
    if (!t)
        return;
    flow_table_finish(t);
    g_hash_table_destroy(t->flows);
    g_hash_table_destroy(t->tombs);
    g_free(t);
}
