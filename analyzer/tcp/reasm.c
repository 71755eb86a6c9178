/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP stream reassembly for one direction (see reasm.h).
 *
 * Held data is a doubly linked list of pieces sorted by stream offset,
 * indexed by a balanced tree on the offset: a segment finds its place in
 * O(log pieces) however the pieces arrive. Data after a hole usually
 * arrives in order, and a piece that extends the last one is merged into
 * it: a hole typically costs one piece, whatever the number of segments
 * behind it. */
#include "tcp/reasm.h"

#include <glib.h>
#include <string.h>

/* Largest piece that adjacent data is merged into. Merging doubles the
 * allocation as it grows; the cap bounds the unused tail that leaves. */
#define PIECE_MERGE_MAX ((size_t)64 << 10)

/* Smallest history ring allocated: small streams stay cheap. */
#define HIST_MIN ((size_t)1 << 10)

struct tcp_reasm_piece {
    tcp_reasm_piece *prev, *next;
    uint64_t off;
    size_t len, cap;
    uint64_t first_frame, last_frame; /* frames of its first and last bytes */
    uint8_t *data;                    /* NULL: bytes known missing from the capture */
};

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

static uint64_t piece_end(const tcp_reasm_piece *p)
{
    return p->off + p->len;
}

void tcp_reasm_limits_init(tcp_reasm_limits *limits)
{
    limits->max_buffered = TCP_REASM_DEFAULT_MAX_BUFFERED;
    limits->history = TCP_REASM_DEFAULT_HISTORY;
}

void tcp_reasm_init(tcp_reasm *r, const tcp_reasm_limits *limits, const tcp_reasm_ops *ops,
                    void *ctx)
{
    memset(r, 0, sizeof *r);
    if (limits)
        r->limits = *limits;
    else
        tcp_reasm_limits_init(&r->limits);
    if (ops)
        r->ops = *ops;
    r->ctx = ctx;
}

void tcp_reasm_set_isn(tcp_reasm *r, uint32_t seq, uint64_t frame)
{
    if (r->touched || r->done)
        return;
    r->isn = seq;
    r->started = true;
    r->last_frame = frame;
}

/* Stream offset of sequence number seq. The distance from the next expected
 * byte is taken modulo 2^32 as a signed value, which is what makes
 * wrap-around transparent; the result is negative before the stream start. */
static int64_t seq_offset(const tcp_reasm *r, uint32_t seq)
{
    uint32_t d = seq - (r->isn + (uint32_t)r->next_off);
    int64_t delta = d < 0x80000000u ? (int64_t)d : (int64_t)d - ((int64_t)1 << 32);
    return (int64_t)r->next_off + delta;
}

static void report_conflict(tcp_reasm *r, uint64_t frame, uint64_t off, uint64_t len)
{
    if (r->ops.conflict)
        r->ops.conflict(r->ctx, frame, off, len);
}

/* Remembers that bytes [lo, hi) of the current segment differ from the copy
 * kept; the segment makes one report covering all of them. */
static void note_diff(tcp_reasm *r, uint64_t lo, uint64_t hi)
{
    if (!r->cf_any) {
        r->cf_any = true;
        r->cf_lo = lo;
        r->cf_hi = hi;
        return;
    }
    r->cf_lo = min_u64(r->cf_lo, lo);
    r->cf_hi = max_u64(r->cf_hi, hi);
}

/* Compares n bytes at stream offset off: have (kept) against got (new). */
static void compare_span(tcp_reasm *r, const uint8_t *have, const uint8_t *got, size_t n,
                         uint64_t off)
{
    if (n == 0 || memcmp(have, got, n) == 0)
        return;
    size_t i = 0, j = n;
    while (have[i] == got[i])
        i++;
    while (have[j - 1] == got[j - 1])
        j--;
    note_diff(r, off + i, off + j);
}

/* ---- delivered-data history (a ring ending at next_off) ---- */

static void hist_append(tcp_reasm *r, const uint8_t *data, size_t len)
{
    size_t max = r->limits.history;
    if (max == 0 || len == 0)
        return;
    if (r->hist_len + len > r->hist_cap && r->hist_cap < max) {
        /* Grow by doubling, unrolling the ring into the new buffer. */
        size_t want = r->hist_len + len;
        size_t ncap = r->hist_cap ? r->hist_cap : HIST_MIN;
        while (ncap < want && ncap < max)
            ncap *= 2;
        if (ncap > max)
            ncap = max;
        uint8_t *n = g_malloc(ncap);
        size_t first = MIN(r->hist_len, r->hist_cap - r->hist_start);
        if (r->hist_len) {
            memcpy(n, r->hist + r->hist_start, first);
            memcpy(n + first, r->hist, r->hist_len - first);
        }
        g_free(r->hist);
        r->hist = n;
        r->hist_cap = ncap;
        r->hist_start = 0;
    }
    size_t cap = r->hist_cap;
    if (len >= cap) {
        memcpy(r->hist, data + len - cap, cap);
        r->hist_start = 0;
        r->hist_len = cap;
        return;
    }
    /* Write after the newest byte; whatever that overwrites is the oldest. */
    size_t w = (r->hist_start + r->hist_len) % cap;
    size_t first = MIN(len, cap - w);
    memcpy(r->hist + w, data, first);
    memcpy(r->hist, data + first, len - first);
    if (r->hist_len + len > cap) {
        r->hist_start = (r->hist_start + r->hist_len + len - cap) % cap;
        r->hist_len = cap;
    } else {
        r->hist_len += len;
    }
}

/* Compares retransmitted bytes [s, e) (all before next_off) with the
 * history, for the part of them it still holds. */
static void hist_compare(tcp_reasm *r, uint64_t s, uint64_t e, const uint8_t *data)
{
    uint64_t hb = r->next_off - r->hist_len;
    uint64_t lo = max_u64(s, hb);
    if (lo >= e)
        return;
    size_t idx = (r->hist_start + (size_t)(lo - hb)) % r->hist_cap;
    size_t n = (size_t)(e - lo);
    size_t first = MIN(n, r->hist_cap - idx);
    const uint8_t *got = data + (lo - s);
    compare_span(r, r->hist + idx, got, first, lo);
    compare_span(r, r->hist, got + first, n - first, lo + first);
}

/* ---- delivery ---- */

/* Reports the hole skipped so far, now that the frame after it is known. */
static void flush_gap(tcp_reasm *r, uint64_t frame_after)
{
    if (r->gap_len == 0)
        return;
    uint64_t off = r->gap_off, len = r->gap_len;
    r->gap_len = 0;
    if (r->ops.gap)
        r->ops.gap(r->ctx, off, len, r->gap_frame_before, frame_after);
}

/* Skips len bytes at next_off; adjacent skips make one gap report. */
static void skip_bytes(tcp_reasm *r, uint64_t len)
{
    if (len == 0)
        return;
    if (r->gap_len == 0) {
        r->gap_off = r->next_off;
        r->gap_frame_before = r->last_frame;
    }
    r->gap_len += len;
    r->next_off += len;
    /* The history must end at next_off without holes in it. */
    r->hist_len = 0;
}

static void deliver(tcp_reasm *r, const uint8_t *data, size_t len, uint64_t first_frame,
                    uint64_t last_frame)
{
    if (len == 0)
        return;
    flush_gap(r, first_frame);
    hist_append(r, data, len);
    r->next_off += len;
    r->last_frame = last_frame;
    if (r->ops.deliver)
        r->ops.deliver(r->ctx, data, len, first_frame, last_frame);
}

/* ---- held pieces ---- */

static size_t piece_cost(const tcp_reasm_piece *p)
{
    return p->cap + sizeof *p;
}

static gint off_cmp(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The index is keyed by a pointer to the piece's own offset. */
static void index_add(tcp_reasm *r, tcp_reasm_piece *p)
{
    if (!r->index)
        r->index = g_tree_new(off_cmp);
    g_tree_insert(r->index, &p->off, p);
}

static void piece_link_before(tcp_reasm *r, tcp_reasm_piece *p, tcp_reasm_piece *before)
{
    index_add(r, p);
    p->next = before;
    p->prev = before ? before->prev : r->tail;
    if (p->prev)
        p->prev->next = p;
    else
        r->head = p;
    if (before)
        before->prev = p;
    else
        r->tail = p;
    r->buffered += piece_cost(p);
}

static void piece_unlink_free(tcp_reasm *r, tcp_reasm_piece *p)
{
    g_tree_remove(r->index, &p->off);
    if (p->prev)
        p->prev->next = p->next;
    else
        r->head = p->next;
    if (p->next)
        p->next->prev = p->prev;
    else
        r->tail = p->prev;
    r->buffered -= piece_cost(p);
    g_free(p->data);
    g_free(p);
}

/* Removes n bytes from the front of a missing-range piece. */
static void trim_front(tcp_reasm *r, tcp_reasm_piece *p, uint64_t n)
{
    if (p->len == n) {
        piece_unlink_free(r, p);
        return;
    }
    /* its key moves: out of the index and back in */
    g_tree_remove(r->index, &p->off);
    p->off += n;
    p->len -= (size_t)n;
    index_add(r, p);
}

/* Delivers (or skips, for a missing range) the first piece, which starts at
 * next_off. */
static void pop_head(tcp_reasm *r)
{
    tcp_reasm_piece *p = r->head;
    if (p->data)
        deliver(r, p->data, p->len, p->first_frame, p->last_frame);
    else
        skip_bytes(r, p->len);
    piece_unlink_free(r, p);
}

static void drain(tcp_reasm *r)
{
    while (r->head && r->head->off == r->next_off)
        pop_head(r);
}

/* First piece ending after off: the last piece starting at or before off
 * if it reaches past it, else the first one starting after it (the pieces
 * are sorted and do not overlap). The ends are checked first: new data
 * usually extends the tail. */
static tcp_reasm_piece *piece_after(const tcp_reasm *r, uint64_t off)
{
    if (!r->head || piece_end(r->tail) <= off)
        return NULL;
    if (piece_end(r->head) > off)
        return r->head;
    GTreeNode *after = g_tree_upper_bound(r->index, &off);
    GTreeNode *at = after ? g_tree_node_previous(after) : g_tree_node_last(r->index);
    tcp_reasm_piece *p = at ? g_tree_node_value(at) : NULL;
    if (p && piece_end(p) > off)
        return p;
    return after ? g_tree_node_value(after) : NULL;
}

/* Holds [off, off + len) (data, or a missing range when data is NULL) in
 * the uncovered space just before piece before (NULL: at the end). */
static void add_piece(tcp_reasm *r, tcp_reasm_piece *before, uint64_t off, size_t len,
                      const uint8_t *data, uint64_t frame)
{
    tcp_reasm_piece *prev = before ? before->prev : r->tail;
    if (prev && piece_end(prev) == off && (data != NULL) == (prev->data != NULL) &&
        (!data || prev->len + len <= PIECE_MERGE_MAX)) {
        if (data) {
            if (prev->len + len > prev->cap) {
                size_t ncap = MAX(prev->len + len, MIN(prev->cap * 2, PIECE_MERGE_MAX));
                prev->data = g_realloc(prev->data, ncap);
                r->buffered += ncap - prev->cap;
                prev->cap = ncap;
            }
            memcpy(prev->data + prev->len, data, len);
        }
        prev->len += len;
        prev->last_frame = frame;
        return;
    }
    tcp_reasm_piece *p = g_new0(tcp_reasm_piece, 1);
    p->off = off;
    p->len = len;
    p->first_frame = p->last_frame = frame;
    if (data) {
        p->data = g_malloc(len);
        memcpy(p->data, data, len);
        p->cap = len;
    }
    piece_link_before(r, p, before);
}

/* Real data for [s, e) arrived: missing-range pieces there give way to it. */
static void remove_missing(tcp_reasm *r, uint64_t s, uint64_t e)
{
    tcp_reasm_piece *next;
    for (tcp_reasm_piece *p = piece_after(r, s); p && p->off < e; p = next) {
        next = p->next;
        if (p->data)
            continue;
        uint64_t pe = piece_end(p);
        if (p->off >= s && pe <= e) {
            piece_unlink_free(r, p);
        } else if (p->off >= s) {
            trim_front(r, p, e - p->off);
        } else if (pe <= e) {
            p->len = (size_t)(s - p->off);
        } else {
            tcp_reasm_piece *q = g_new0(tcp_reasm_piece, 1);
            q->off = e;
            q->len = (size_t)(pe - e);
            q->first_frame = q->last_frame = p->last_frame;
            p->len = (size_t)(s - p->off);
            piece_link_before(r, q, p->next);
        }
    }
}

/* Holds [s, e), which starts past next_off, around what is already held:
 * the bytes held first win and differing new ones are noted. */
static void insert(tcp_reasm *r, uint64_t s, uint64_t e, const uint8_t *data, uint64_t frame)
{
    if (data)
        remove_missing(r, s, e);
    tcp_reasm_piece *p = piece_after(r, s);
    uint64_t pos = s;
    while (pos < e) {
        if (p && p->off <= pos) {
            uint64_t stop = min_u64(e, piece_end(p));
            if (data && p->data)
                compare_span(r, p->data + (pos - p->off), data + (pos - s), (size_t)(stop - pos),
                             pos);
            pos = stop;
            p = p->next;
        } else {
            uint64_t stop = p ? min_u64(e, p->off) : e;
            add_piece(r, p, pos, (size_t)(stop - pos), data ? data + (pos - s) : NULL, frame);
            pos = stop;
        }
    }
}

/* Takes [next_off, end) from a segment (data, or a missing range when data
 * is NULL): delivered straight from data except where a held piece came
 * first, then whatever held data became contiguous. */
static void consume(tcp_reasm *r, const uint8_t *data, uint64_t end, uint64_t frame)
{
    while (r->next_off < end) {
        tcp_reasm_piece *h = r->head;
        uint64_t pos = r->next_off;
        if (h && h->off == pos) {
            uint64_t stop = min_u64(end, piece_end(h));
            size_t n = (size_t)(stop - pos);
            if (h->data) {
                if (data) {
                    compare_span(r, h->data, data, n, pos);
                    data += n;
                }
                pop_head(r);
            } else {
                /* Captured bytes beat a known-missing range. */
                trim_front(r, h, n);
                if (data) {
                    deliver(r, data, n, frame, frame);
                    data += n;
                } else {
                    skip_bytes(r, n);
                }
            }
        } else {
            uint64_t stop = h ? min_u64(end, h->off) : end;
            size_t n = (size_t)(stop - pos);
            if (data) {
                deliver(r, data, n, frame, frame);
                data += n;
            } else {
                skip_bytes(r, n);
            }
        }
    }
    drain(r);
}

/* Places stream bytes [s, e) (data, or missing when NULL): the part before
 * next_off is a retransmission, checked against the history; the rest is
 * consumed when it is next, held otherwise. */
static void feed(tcp_reasm *r, int64_t s, int64_t e, const uint8_t *data, uint64_t frame)
{
    if (e <= 0 || s >= e)
        return;
    if (s < 0) {
        /* Bytes before the stream start belong to no stream we know. */
        if (data)
            data += (size_t)-s;
        s = 0;
    }
    uint64_t us = (uint64_t)s, ue = (uint64_t)e;
    if (us < r->next_off) {
        uint64_t old_end = min_u64(ue, r->next_off);
        if (data) {
            hist_compare(r, us, old_end, data);
            data += old_end - us;
        }
        us = old_end;
        if (us == ue)
            return;
    }
    if (us == r->next_off)
        consume(r, data, ue, frame);
    else
        insert(r, us, ue, data, frame);
}

void tcp_reasm_segment_sliced(tcp_reasm *r, uint32_t seq, const uint8_t *data, size_t cap_len,
                              size_t wire_len, uint64_t frame, int64_t ts_us)
{
    if (r->done)
        return;
    if (!data)
        cap_len = 0;
    if (wire_len < cap_len)
        wire_len = cap_len;
    if (wire_len == 0)
        return;
    if (!r->started) {
        r->isn = seq;
        r->started = true;
    }
    r->touched = true;
    r->cf_any = false;

    int64_t s = seq_offset(r, seq);
    if (s > (int64_t)(r->next_off + TCP_REASM_MAX_AHEAD)) {
        report_conflict(r, frame, (uint64_t)s, wire_len);
        return;
    }
    int64_t ce = s + (int64_t)cap_len, e = s + (int64_t)wire_len;
    if (r->fin_set && e > (int64_t)r->fin_off) {
        int64_t from = MAX(s, (int64_t)r->fin_off);
        report_conflict(r, frame, (uint64_t)from, (uint64_t)(e - from));
        e = from;
        ce = MIN(ce, e);
    }

    bool was_empty = r->buffered == 0;
    feed(r, s, ce, data, frame);
    feed(r, ce, e, NULL, frame);
    if (r->cf_any) {
        r->cf_any = false;
        report_conflict(r, frame, r->cf_lo, r->cf_hi - r->cf_lo);
    }
    if (was_empty && r->buffered > 0)
        r->pending_since = ts_us;
    while (r->buffered > r->limits.max_buffered && tcp_reasm_skip_hole(r))
        ;
}

void tcp_reasm_segment(tcp_reasm *r, uint32_t seq, const uint8_t *data, size_t len, uint64_t frame,
                       int64_t ts_us)
{
    tcp_reasm_segment_sliced(r, seq, data, len, len, frame, ts_us);
}

void tcp_reasm_fin(tcp_reasm *r, uint32_t seq, uint64_t frame)
{
    if (r->done)
        return;
    if (!r->started) {
        r->isn = seq;
        r->started = true;
    }
    r->touched = true;
    int64_t f = seq_offset(r, seq);
    if (f < 0)
        return;
    uint64_t uf = (uint64_t)f;
    if (r->fin_set) {
        if (uf != r->fin_off)
            report_conflict(r, frame, min_u64(uf, r->fin_off),
                            max_u64(uf, r->fin_off) - min_u64(uf, r->fin_off));
        return;
    }
    uint64_t high = r->tail ? max_u64(r->next_off, piece_end(r->tail)) : r->next_off;
    if (uf < high) {
        /* The bytes came first: they win over a FIN that would cut them. */
        report_conflict(r, frame, uf, high - uf);
        return;
    }
    if (uf > r->next_off + TCP_REASM_MAX_AHEAD) {
        report_conflict(r, frame, uf, 0);
        return;
    }
    r->fin_set = true;
    r->fin_off = uf;
    r->fin_frame = frame;
}

bool tcp_reasm_skip_hole(tcp_reasm *r)
{
    if (!r->head)
        return false;
    skip_bytes(r, r->head->off - r->next_off);
    drain(r);
    return true;
}

void tcp_reasm_flush(tcp_reasm *r)
{
    if (r->done)
        return;
    while (tcp_reasm_skip_hole(r))
        ;
    uint64_t after = 0;
    if (r->fin_set) {
        if (r->next_off < r->fin_off)
            skip_bytes(r, r->fin_off - r->next_off);
        after = r->fin_frame;
    }
    flush_gap(r, after);
    r->done = true;
}

void tcp_reasm_drop_history(tcp_reasm *r)
{
    g_free(r->hist);
    r->hist = NULL;
    r->hist_cap = r->hist_start = r->hist_len = 0;
}

size_t tcp_reasm_buffered(const tcp_reasm *r)
{
    return r->buffered;
}

size_t tcp_reasm_history_size(const tcp_reasm *r)
{
    return r->hist_cap;
}

int64_t tcp_reasm_pending_since(const tcp_reasm *r)
{
    return r->pending_since;
}

uint64_t tcp_reasm_offset(const tcp_reasm *r)
{
    return r->next_off;
}

void tcp_reasm_free(tcp_reasm *r)
{
    while (r->head)
        piece_unlink_free(r, r->head);
    if (r->index)
        g_tree_destroy(r->index);
    r->index = NULL;
    tcp_reasm_drop_history(r);
}
