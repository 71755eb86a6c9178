/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for tcp/flow: connection tracking (client/server roles,
 * handshake, SYN retransmissions, RST, FINs, port reuse, timeouts), the
 * limits (total held bytes, concurrent flows), the callback contract (on_open
 * first, on_close exactly once, then freed) and a randomized two-way
 * conversation through the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <arpa/inet.h>
#include <glib.h>
#include <sys/socket.h>

#include "tcp/flow.h"

/* ---- recording callbacks ---- */

/* What a test keeps per flow, hung on tcp_flow.app. */
typedef struct {
    uint64_t id;
    GByteArray *data[2];
    uint64_t pos[2]; /* stream offset reached: delivered + gaps */
    unsigned gaps, conflicts;
    uint64_t last_gap_off, last_gap_len, last_gap_before, last_gap_after;
    uint64_t last_conflict_frame, last_conflict_off, last_conflict_len;
} app_flow;

/* A closed flow's record, copied in on_close. */
typedef struct {
    tcp_flow flow;
    GByteArray *data[2];
    unsigned gaps, conflicts;
    uint64_t gap_before, gap_after; /* frames around the last gap */
} closed_flow;

typedef struct {
    unsigned opened, closed;
    GArray *done; /* closed_flow, in order of closing */
    GHashTable *ids_closed;
} recorder;

static void rec_open(void *ctx, tcp_flow *f)
{
    recorder *r = ctx;
    assert_null(f->app);
    assert_int_equal(f->id, r->opened); /* ids in order of creation */
    assert_int_equal(f->end, TCP_FLOW_OPEN);
    app_flow *a = g_new0(app_flow, 1);
    a->id = f->id;
    a->data[0] = g_byte_array_new();
    a->data[1] = g_byte_array_new();
    f->app = a;
    r->opened++;
}

static void rec_data(void *ctx, tcp_flow *f, int dir, const uint8_t *data, size_t len,
                     uint64_t first_frame, uint64_t last_frame)
{
    (void)ctx;
    app_flow *a = f->app;
    assert_non_null(a);
    assert_true(dir == 0 || dir == 1);
    assert_true(len > 0);
    assert_true(first_frame > 0 && last_frame > 0);
    g_byte_array_append(a->data[dir], data, (guint)len);
    a->pos[dir] += len;
}

static void rec_gap(void *ctx, tcp_flow *f, int dir, uint64_t off, uint64_t len,
                    uint64_t frame_before, uint64_t frame_after)
{
    (void)ctx;
    app_flow *a = f->app;
    assert_non_null(a);
    assert_int_equal(off, a->pos[dir]);
    a->pos[dir] += len;
    a->gaps++;
    a->last_gap_off = off;
    a->last_gap_len = len;
    a->last_gap_before = frame_before;
    a->last_gap_after = frame_after;
}

static void rec_conflict(void *ctx, tcp_flow *f, int dir, uint64_t frame, uint64_t off,
                         uint64_t len)
{
    (void)ctx;
    (void)dir;
    app_flow *a = f->app;
    assert_non_null(a);
    a->conflicts++;
    a->last_conflict_frame = frame;
    a->last_conflict_off = off;
    a->last_conflict_len = len;
}

static void rec_close(void *ctx, tcp_flow *f)
{
    recorder *r = ctx;
    app_flow *a = f->app;
    assert_non_null(a);
    assert_int_not_equal(f->end, TCP_FLOW_OPEN);
    /* exactly once per flow */
    assert_false(g_hash_table_contains(r->ids_closed, GSIZE_TO_POINTER(f->id + 1)));
    g_hash_table_add(r->ids_closed, GSIZE_TO_POINTER(f->id + 1));
    assert_int_equal(a->gaps, f->gaps[0].count + f->gaps[1].count);
    assert_int_equal(a->conflicts, f->conflicts[0] + f->conflicts[1]);
    assert_int_equal(a->data[0]->len, f->bytes[0]);
    assert_int_equal(a->data[1]->len, f->bytes[1]);
    closed_flow c = {.flow = *f, .gaps = a->gaps, .conflicts = a->conflicts};
    c.data[0] = a->data[0];
    c.data[1] = a->data[1];
    c.gap_before = a->last_gap_before;
    c.gap_after = a->last_gap_after;
    c.flow.app = NULL;
    g_array_append_val(r->done, c);
    g_free(a);
    f->app = NULL;
    r->closed++;
}

static void recorder_init(recorder *r)
{
    memset(r, 0, sizeof *r);
    r->done = g_array_new(FALSE, TRUE, sizeof(closed_flow));
    r->ids_closed = g_hash_table_new(g_direct_hash, g_direct_equal);
}

static void recorder_free(recorder *r)
{
    for (guint i = 0; i < r->done->len; i++) {
        closed_flow *c = &g_array_index(r->done, closed_flow, i);
        g_byte_array_unref(c->data[0]);
        g_byte_array_unref(c->data[1]);
    }
    g_array_unref(r->done);
    g_hash_table_destroy(r->ids_closed);
}

static flow_table *table_new(recorder *r, const flow_table_limits *lim)
{
    flow_table_callbacks cb = {rec_open, rec_data, rec_gap, rec_conflict, rec_close, r};
    recorder_init(r);
    return flow_table_new(lim, &cb);
}

/* Finishes and frees the table and checks the callback contract. */
static void table_done(flow_table *t, recorder *r)
{
    flow_table_finish(t);
    flow_table_stats st;
    flow_table_get_stats(t, &st);
    assert_int_equal(st.flows, 0);
    assert_int_equal(st.buffered, 0);
    assert_int_equal(st.history, 0);
    assert_int_equal(st.tombstones, 0);
    assert_int_equal(r->opened, r->closed);
    assert_int_equal(r->opened, st.flows_total);
    flow_table_free(t);
}

static const closed_flow *closed(const recorder *r, guint i)
{
    assert_true(i < r->done->len);
    return &g_array_index(r->done, closed_flow, i);
}

/* ---- building segments ---- */

/* One TCP conversation between a client and a server (IPv4). */
typedef struct {
    flow_table *t;
    uint8_t caddr[16], saddr[16];
    uint16_t cport, sport;
    uint32_t cseq, sseq; /* next sequence number of each side */
    uint64_t frame;      /* last frame number used, shared by every conversation */
    int64_t ts;
} conv;

static uint64_t g_frame;
static int64_t g_ts;

static void conv_init(conv *c, flow_table *t, const char *client, uint16_t cport,
                      const char *server, uint16_t sport)
{
    memset(c, 0, sizeof *c);
    c->t = t;
    assert_int_equal(inet_pton(AF_INET, client, c->caddr), 1);
    assert_int_equal(inet_pton(AF_INET, server, c->saddr), 1);
    c->cport = cport;
    c->sport = sport;
    c->cseq = 1000;
    c->sseq = 5000000;
}

/* Sends a segment from the client (from_server false) or the server;
 * payload may be NULL (zeros of wire length len). Returns its frame. */
static uint64_t send_seg(conv *c, bool from_server, uint8_t flags, uint32_t seq, uint32_t ack,
                         const uint8_t *payload, size_t cap, size_t wire)
{
    tcp_seg s;
    memset(&s, 0, sizeof s);
    s.frame = ++g_frame;
    g_ts += 1000;
    s.ts_us = g_ts;
    s.family = AF_INET;
    memcpy(s.src, from_server ? c->saddr : c->caddr, 4);
    memcpy(s.dst, from_server ? c->caddr : c->saddr, 4);
    s.sport = from_server ? c->sport : c->cport;
    s.dport = from_server ? c->cport : c->sport;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.payload = payload;
    s.payload_len = cap;
    s.wire_payload_len = wire;
    flow_table_segment(c->t, &s);
    return s.frame;
}

static uint64_t c_syn(conv *c)
{
    return send_seg(c, false, TCP_SYN, c->cseq - 1, 0, NULL, 0, 0);
}

static uint64_t s_synack(conv *c)
{
    return send_seg(c, true, TCP_SYN | TCP_ACK, c->sseq - 1, c->cseq, NULL, 0, 0);
}

static uint64_t c_ack(conv *c)
{
    return send_seg(c, false, TCP_ACK, c->cseq, c->sseq, NULL, 0, 0);
}

static uint64_t s_ack(conv *c)
{
    return send_seg(c, true, TCP_ACK, c->sseq, c->cseq, NULL, 0, 0);
}

static uint64_t c_send(conv *c, const char *text)
{
    size_t n = strlen(text);
    uint64_t f =
        send_seg(c, false, TCP_ACK | TCP_PSH, c->cseq, c->sseq, (const uint8_t *)text, n, n);
    c->cseq += (uint32_t)n;
    return f;
}

static uint64_t s_send(conv *c, const char *text)
{
    size_t n = strlen(text);
    uint64_t f =
        send_seg(c, true, TCP_ACK | TCP_PSH, c->sseq, c->cseq, (const uint8_t *)text, n, n);
    c->sseq += (uint32_t)n;
    return f;
}

static uint64_t c_fin(conv *c)
{
    uint64_t f = send_seg(c, false, TCP_FIN | TCP_ACK, c->cseq, c->sseq, NULL, 0, 0);
    c->cseq++;
    return f;
}

static uint64_t s_fin(conv *c)
{
    uint64_t f = send_seg(c, true, TCP_FIN | TCP_ACK, c->sseq, c->cseq, NULL, 0, 0);
    c->sseq++;
    return f;
}

static void handshake(conv *c)
{
    c_syn(c);
    s_synack(c);
    c_ack(c);
}

static void reset_frames(void)
{
    g_frame = 0;
    g_ts = 1000000000;
}

/* ---- tests ---- */

static void handshake_then_fins(void **state)
{
    (void)state;
    reset_frames();
    recorder r;
    flow_table *t = table_new(&r, NULL);
    conv c;
    conv_init(&c, t, "192.0.2.10", 50113, "192.0.2.20", 16993);
    uint64_t syn = c_syn(&c), synack = s_synack(&c), est = c_ack(&c);
    assert_int_equal(r.opened, 1);
    c_send(&c, "POST /wsman HTTP/1.1\r\n\r\n");
    s_send(&c, "HTTP/1.1 401 Unauthorized\r\n\r\n");
    uint64_t fin0 = c_fin(&c);
    s_ack(&c);
    assert_int_equal(r.closed, 0);
    uint64_t fin1 = s_fin(&c);
    assert_int_equal(r.closed, 0); /* the server's FIN is not acknowledged yet */
    c_ack(&c);
    assert_int_equal(r.closed, 1);
    const closed_flow *f = closed(&r, 0);
    assert_int_equal(f->flow.end, TCP_FLOW_END_FIN);
    assert_int_equal(f->flow.id, 0);
    assert_int_equal(f->flow.client.port, 50113);
    assert_int_equal(f->flow.server.port, 16993);
    assert_int_equal(f->flow.client.family, AF_INET);
    assert_memory_equal(f->flow.client.addr, c.caddr, 4);
    assert_int_equal(f->flow.syn.count, 1);
    assert_int_equal(f->flow.syn.frame[0], syn);
    assert_int_equal(f->flow.synack_frame, synack);
    assert_int_equal(f->flow.established_frame, est);
    assert_int_equal(f->flow.fin_frame[0], fin0);
    assert_int_equal(f->flow.fin_frame[1], fin1);
    assert_int_equal(f->flow.rst_from, -1);
    assert_int_equal(f->flow.rst_frame, 0);
    assert_false(f->flow.midstream);
    assert_int_equal(f->flow.first_frame, syn);
    assert_int_equal(f->flow.last_frame, g_frame);
    assert_int_equal(f->data[0]->len, 24);
    assert_memory_equal(f->data[0]->data, "POST /wsman", 11);
    assert_memory_equal(f->data[1]->data, "HTTP/1.1 401", 12);
    assert_int_equal(f->flow.gaps[0].count + f->flow.gaps[1].count, 0);

    /* stragglers of the finished connection open nothing */
    c_ack(&c);
    send_seg(&c, true, TCP_RST, c.sseq, 0, NULL, 0, 0);
    flow_table_stats st;
    flow_table_get_stats(t, &st);
    assert_int_equal(st.flows, 0);
    assert_int_equal(st.flows_total, 1);
    assert_int_equal(st.ignored_segs, 2);
    assert_int_equal(st.tombstones, 1);
    table_done(t, &r);
    recorder_free(&r);
}

static void syn_retransmissions(void **state)
{
    (void)state;
    reset_frames();
    recorder r;
    flow_table *t = table_new(&r, NULL);
    conv c;
    conv_init(&c, t, "192.0.2.10", 50200, "192.0.2.20", 16993);
    uint64_t f1 = c_syn(&c), f2 = c_syn(&c), f3 = c_syn(&c);
    /* unanswered: the capture ends */
    table_done(t, &r);
    assert_int_equal(r.done->len, 1);
    const closed_flow *f = closed(&r, 0);
    assert_int_equal(f->flow.end, TCP_FLOW_END_OF_INPUT);
    assert_int_equal(f->flow.syn.count, 3);
    assert_int_equal(f->flow.syn.frame[0], f1);
    assert_int_equal(f->flow.syn.frame[1], f2);
    assert_int_equal(f->flow.syn.frame[2], f3);
    assert_int_equal(f->flow.synack_frame, 0);
    assert_int_equal(f->flow.established_frame, 0);
    recorder_free(&r);

    /* more SYNs than frames recorded: the count goes on */
    reset_frames();
    t = table_new(&r, NULL);
    conv_init(&c, t, "192.0.2.10", 50201, "192.0.2.20", 16992);
    for (int i = 0; i < 12; i++)
        c_syn(&c);
    s_synack(&c);
    c_ack(&c);
    table_done(t, &r);
    f = closed(&r, 0);
    assert_int_equal(f->flow.syn.count, 12);
    assert_int_equal(f->flow.syn.frame[TCP_FLOW_MAX_SYN_FRAMES - 1], TCP_FLOW_MAX_SYN_FRAMES);
    assert_int_equal(f->flow.synack_frame, 13);
    assert_int_equal(f->flow.established_frame, 14);
    recorder_free(&r);
}

static void refused(void **state)
{
    (void)state;
    reset_frames();
    recorder r;
    flow_table *t = table_new(&r, NULL);
    conv c;
    conv_init(&c, t, "192.0.2.10", 50300, "192.0.2.20", 16993);
    uint64_t syn = c_syn(&c);
    uint64_t rst = send_seg(&c, true, TCP_RST | TCP_ACK, 0, c.cseq, NULL, 0, 0);
    assert_int_equal(r.closed, 1);
    const closed_flow *f = closed(&r, 0);
    assert_int_equal(f->flow.end, TCP_FLOW_END_RST);
    assert_int_equal(f->flow.rst_from, 1);
    assert_int_equal(f->flow.rst_frame, rst);
    assert_int_equal(f->flow.syn.frame[0], syn);
    assert_int_equal(f->flow.bytes[0] + f->flow.bytes[1], 0);
    /* the console tries again from the same port: a new flow */
    c.cseq += 777;
    c_syn(&c);
    send_seg(&c, true, TCP_RST | TCP_ACK, 0, c.cseq, NULL, 0, 0);
    assert_int_equal(r.closed, 2);
    assert_int_equal(closed(&r, 1)->flow.id, 1);
    table_done(t, &r);
    recorder_free(&r);
}

static void rst_with_held_data(void **state)
{
    (void)state;
    reset_frames();
    recorder r;
    flow_table *t = table_new(&r, NULL);
    conv c;
    conv_init(&c, t, "192.0.2.10", 50310, "192.0.2.20", 16992);
    handshake(&c);
    uint64_t first = c_send(&c, "GET ");
    c.cseq += 5; /* "/abc " lost */
    uint64_t after = c_send(&c, "HTTP/1.1\r\n");
    send_seg(&c, false, TCP_RST | TCP_ACK, c.cseq, c.sseq, NULL, 0, 0);
    const closed_flow *f = closed(&r, 0);
    assert_int_equal(f->flow.end, TCP_FLOW_END_RST);
    assert_int_equal(f->flow.rst_from, 0);
    /* the held data was delivered after the hole was reported */
    assert_int_equal(f->flow.gaps[0].count, 1);
    assert_int_equal(f->flow.gaps[0].bytes, 5);
    assert_int_equal(f->data[0]->len, 14);
    assert_memory_equal(f->data[0]->data, "GET HTTP/1.1\r\n", 14);
    assert_int_equal(f->gap_before, first);
    assert_int_equal(f->gap_after, after);
    table_done(t, &r);
    recorder_free(&r);
}

static void port_reuse(void **state)
{
    (void)state;
    reset_frames();
    recorder r;
    flow_table *t = table_new(&r, NULL);
    conv c;
    conv_init(&c, t, "192.0.2.10", 50400, "192.0.2.20", 16993);
    handshake(&c);
    c_send(&c, "one");
    c_fin(&c);
    s_fin(&c);
    c_ack(&c);
    assert_int_equal(r.closed, 1);
    /* same 5-tuple, new SYN: a new flow */
    c.cseq += 100000;
    c.sseq += 100000;
    handshake(&c);
    c_send(&c, "two");
    assert_int_equal(r.opened, 2);
    /* both FINs seen, the last ACK missing: a new SYN still starts anew */
    c_fin(&c);
    s_fin(&c);
    c.cseq += 100000;
    handshake(&c);
    assert_int_equal(r.opened, 3);
    assert_int_equal(r.closed, 2);
    assert_int_equal(closed(&r, 1)->flow.end, TCP_FLOW_END_FIN);
    assert_memory_equal(closed(&r, 1)->data[0]->data, "two", 3);
    /* a SYN with another ISN on an established flow: reused */
    c_send(&c, "three");
    c.cseq += 100000;
    c_syn(&c);
    assert_int_equal(r.opened, 4);
    assert_int_equal(closed(&r, 2)->flow.end, TCP_FLOW_END_REUSED);
    assert_memory_equal(closed(&r, 2)->data[0]->data, "three", 5);
    /* while a retransmitted SYN is just counted */
    c_syn(&c);
    assert_int_equal(r.opened, 4);
    table_done(t, &r);
    assert_int_equal(closed(&r, 3)->flow.syn.count, 2);
    recorder_free(&r);
}

static void timeout_expiry(void **state)
{
    (void)state;
    reset_frames();
    recorder r;
    flow_table_limits lim;
    flow_table_limits_init(&lim);
    assert_int_equal(lim.idle_timeout_us, 120 * 1000000LL);
    flow_table *t = table_new(&r, &lim);
    conv a, b;
    conv_init(&a, t, "192.0.2.10", 50500, "192.0.2.20", 16993);
    conv_init(&b, t, "192.0.2.11", 50501, "192.0.2.20", 16993);
    handshake(&a);
    c_send(&a, "hello");
    int64_t a_last = g_ts;
    g_ts += 60 * 1000000LL;
    handshake(&b);
    int64_t b_last = g_ts;
    flow_table_expire(t, a_last + 120 * 1000000LL - 1);
    assert_int_equal(r.closed, 0);
    flow_table_expire(t, a_last + 120 * 1000000LL);
    assert_int_equal(r.closed, 1);
    assert_int_equal(closed(&r, 0)->flow.end, TCP_FLOW_END_TIMEOUT);
    assert_int_equal(closed(&r, 0)->flow.client.port, 50500);
    flow_table_expire(t, b_last + 120 * 1000000LL);
    assert_int_equal(r.closed, 2);
    /* a segment long after the last one, expire never called: the old flow
     * times out and the segment opens a mid-stream flow */
    conv c;
    conv_init(&c, t, "192.0.2.12", 50502, "192.0.2.20", 16993);
    handshake(&c);
    g_ts += 300 * 1000000LL;
    s_send(&c, "late");
    assert_int_equal(r.closed, 3);
    assert_int_equal(closed(&r, 2)->flow.end, TCP_FLOW_END_TIMEOUT);
    assert_int_equal(r.opened, 4);
    table_done(t, &r);
    const closed_flow *f = closed(&r, 3);
    assert_true(f->flow.midstream);
    assert_int_equal(f->flow.server.port, 16993);
    assert_memory_equal(f->data[1]->data, "late", 4);
    recorder_free(&r);
}

static void midstream_roles(void **state)
{
    (void)state;
    reset_frames();
    recorder r;
    flow_table *t = table_new(&r, NULL);
    /* first segment from the AMT port */
    conv c;
    conv_init(&c, t, "192.0.2.10", 1000, "192.0.2.20", 16994);
    s_send(&c, "server first");
    c_send(&c, "client");
    /* no AMT port: the lower port is the server, whoever speaks first */
    conv d;
    conv_init(&d, t, "198.51.100.1", 40000, "198.51.100.2", 8080);
    s_send(&d, "x");
    /* a SYN-ACK first: its receiver is the client */
    conv e;
    conv_init(&e, t, "198.51.100.3", 30000, "198.51.100.4", 50000);
    s_synack(&e);
    c_ack(&e);
    c_send(&e, "after synack");
    table_done(t, &r);
    const closed_flow *f = closed(&r, 0);
    assert_true(f->flow.midstream);
    assert_int_equal(f->flow.client.port, 1000);
    assert_int_equal(f->flow.server.port, 16994);
    assert_int_equal(f->flow.end, TCP_FLOW_END_OF_INPUT);
    assert_memory_equal(f->data[1]->data, "server first", 12);
    assert_memory_equal(f->data[0]->data, "client", 6);
    f = closed(&r, 1);
    assert_int_equal(f->flow.server.port, 8080);
    assert_int_equal(f->flow.bytes[1], 1);
    f = closed(&r, 2);
    assert_false(f->flow.midstream);
    assert_int_equal(f->flow.client.port, 30000);
    assert_int_equal(f->flow.syn.count, 0);
    assert_int_not_equal(f->flow.established_frame, 0);
    assert_memory_equal(f->data[0]->data, "after synack", 12);
    recorder_free(&r);
}

static void sliced_payload(void **state)
{
    (void)state;
    reset_frames();
    recorder r;
    flow_table *t = table_new(&r, NULL);
    conv c;
    conv_init(&c, t, "192.0.2.10", 50600, "192.0.2.20", 16993);
    handshake(&c);
    uint8_t buf[1400];
    memset(buf, 'A', sizeof buf);
    /* snaplen: 1400 bytes sent, 200 captured */
    uint64_t sliced = send_seg(&c, true, TCP_ACK, c.sseq, c.cseq, buf, 200, 1400);
    c.sseq += 1400;
    uint64_t next = s_send(&c, "tail");
    table_done(t, &r);
    const closed_flow *f = closed(&r, 0);
    assert_int_equal(f->flow.bytes[1], 204);
    assert_int_equal(f->flow.gaps[1].count, 1);
    assert_int_equal(f->flow.gaps[1].bytes, 1200);
    assert_memory_equal(f->data[1]->data + 200, "tail", 4);
    assert_int_equal(f->gap_before, sliced);
    assert_int_equal(f->gap_after, next);
    recorder_free(&r);
}

static void total_memory_limit(void **state)
{
    (void)state;
    reset_frames();
    recorder r;
    flow_table_limits lim;
    flow_table_limits_init(&lim);
    lim.max_buffered_total = 8000;
    flow_table *t = table_new(&r, &lim);
    conv a, b;
    conv_init(&a, t, "192.0.2.10", 50700, "192.0.2.20", 16993);
    conv_init(&b, t, "192.0.2.11", 50701, "192.0.2.20", 16993);
    handshake(&a);
    handshake(&b);
    static uint8_t buf[3000];
    memset(buf, 'a', sizeof buf);
    /* A: 100 bytes lost, 3000 held */
    uint64_t a_after = send_seg(&a, false, TCP_ACK, a.cseq + 100, a.sseq, buf, 3000, 3000);
    /* B: 100 bytes lost, 3000 held, then more past another hole */
    send_seg(&b, false, TCP_ACK, b.cseq + 100, b.sseq, buf, 3000, 3000);
    flow_table_stats st;
    flow_table_get_stats(t, &st);
    assert_true(st.buffered > 6000 && st.buffered <= 8000);
    assert_int_equal(st.forced_gaps, 0);
    send_seg(&b, false, TCP_ACK, b.cseq + 4000, b.sseq, buf, 3000, 3000);
    /* over 8000: A's hole, the oldest, was skipped */
    flow_table_get_stats(t, &st);
    assert_int_equal(st.forced_gaps, 1);
    assert_true(st.buffered <= 8000);
    assert_int_equal(r.closed, 0);
    table_done(t, &r);
    const closed_flow *fa = closed(&r, 0), *fb = closed(&r, 1);
    assert_int_equal(fa->flow.gaps[0].count, 1);
    assert_int_equal(fa->flow.gaps[0].bytes, 100);
    assert_int_equal(fa->flow.bytes[0], 3000);
    assert_int_equal(fa->gap_after, a_after);
    /* B's holes were skipped only at its end */
    assert_int_equal(fb->flow.gaps[0].count, 2);
    assert_int_equal(fb->flow.gaps[0].bytes, 100 + 900);
    assert_int_equal(fb->flow.bytes[0], 6000);
    recorder_free(&r);
}

static void max_flows_eviction(void **state)
{
    (void)state;
    reset_frames();
    recorder r;
    flow_table_limits lim;
    flow_table_limits_init(&lim);
    lim.max_flows = 2;
    flow_table *t = table_new(&r, &lim);
    conv a, b, c;
    conv_init(&a, t, "192.0.2.10", 50800, "192.0.2.20", 16993);
    conv_init(&b, t, "192.0.2.11", 50801, "192.0.2.20", 16993);
    conv_init(&c, t, "192.0.2.12", 50802, "192.0.2.20", 16993);
    handshake(&a);
    handshake(&b);
    c_send(&b, "held?");
    c_send(&a, "a is active"); /* b is now the least recently active */
    c_syn(&c);
    assert_int_equal(r.closed, 1);
    const closed_flow *f = closed(&r, 0);
    assert_int_equal(f->flow.end, TCP_FLOW_END_EVICTED);
    assert_int_equal(f->flow.client.port, 50801);
    assert_memory_equal(f->data[0]->data, "held?", 5);
    flow_table_stats st;
    flow_table_get_stats(t, &st);
    assert_int_equal(st.evicted, 1);
    assert_int_equal(st.flows, 2);
    table_done(t, &r);
    assert_int_equal(closed(&r, 1)->flow.client.port, 50800);
    assert_int_equal(closed(&r, 2)->flow.client.port, 50802);
    assert_int_equal(closed(&r, 1)->flow.end, TCP_FLOW_END_OF_INPUT);
    recorder_free(&r);
}

static void close_once_and_freed(void **state)
{
    (void)state;
    reset_frames();
    recorder r;
    flow_table_limits lim;
    flow_table_limits_init(&lim);
    lim.max_flows = 40;
    flow_table *t = table_new(&r, &lim);
    static uint8_t buf[500];
    for (int i = 0; i < 100; i++) {
        conv c;
        char ip[32];
        g_snprintf(ip, sizeof ip, "10.0.%d.%d", i / 200, i % 200 + 1);
        conv_init(&c, t, ip, (uint16_t)(40000 + i), "10.1.0.1", 16993);
        handshake(&c);
        /* held data past a hole in both directions */
        send_seg(&c, false, TCP_ACK, c.cseq + 10, c.sseq, buf, sizeof buf, sizeof buf);
        send_seg(&c, true, TCP_ACK, c.sseq + 10, c.cseq, buf, sizeof buf, sizeof buf);
        c.cseq += 10 + sizeof buf;
        c.sseq += 10 + sizeof buf;
        switch (i % 4) {
        case 0:
            c_fin(&c);
            s_fin(&c);
            c_ack(&c);
            break;
        case 1:
            send_seg(&c, true, TCP_RST, c.sseq, 0, NULL, 0, 0);
            break;
        case 2:
            g_ts += 200 * 1000000LL;
            flow_table_expire(t, g_ts);
            break;
        default:
            break; /* left open: evicted or closed at the end */
        }
    }
    flow_table_free(t); /* closes what is left, as flow_table_finish */
    assert_int_equal(r.opened, 100);
    assert_int_equal(r.closed, 100);
    for (guint i = 0; i < r.done->len; i++) {
        const closed_flow *f = closed(&r, i);
        assert_int_equal(f->flow.bytes[0], 500);
        assert_int_equal(f->flow.bytes[1], 500);
    }
    recorder_free(&r);
}

/* ---- randomized two-way conversation ---- */

static uint64_t rng_next(uint64_t *st)
{
    uint64_t x = *st;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *st = x;
    return x * 2685821657736338717ull;
}

typedef struct {
    bool from_server;
    uint64_t off;
    size_t len;
} piece;

static void random_conversation(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        reset_frames();
        uint64_t st = seed * 0x9E3779B97F4A7C15ull;
        const size_t len = 100 * 1000;
        uint8_t *stream[2];
        for (int d = 0; d < 2; d++) {
            stream[d] = g_malloc(len);
            for (size_t i = 0; i < len; i++)
                stream[d][i] = (uint8_t)rng_next(&st);
        }
        recorder r;
        flow_table *t = table_new(&r, NULL);
        conv c;
        conv_init(&c, t, "192.0.2.10", 51000, "192.0.2.20", 16993);
        c.cseq = 0xFFFFFFFFu - (uint32_t)(rng_next(&st) % 50000);
        c.sseq = (uint32_t)rng_next(&st);
        const uint32_t cisn = c.cseq, sisn = c.sseq;
        handshake(&c);

        GArray *plan = g_array_new(FALSE, FALSE, sizeof(piece));
        for (int d = 0; d < 2; d++) {
            for (uint64_t off = 0; off < len;) {
                size_t n = 1 + (size_t)(rng_next(&st) % 1460);
                n = MIN(n, len - off);
                piece p = {d == 1, off, n};
                g_array_append_val(plan, p);
                if (rng_next(&st) % 6 == 0)
                    g_array_append_val(plan, p);
                off += n;
            }
        }
        for (guint i = plan->len; i > 1; i--) {
            guint j = (guint)(rng_next(&st) % i);
            piece tmp = g_array_index(plan, piece, i - 1);
            g_array_index(plan, piece, i - 1) = g_array_index(plan, piece, j);
            g_array_index(plan, piece, j) = tmp;
        }
        for (guint i = 0; i < plan->len; i++) {
            piece p = g_array_index(plan, piece, i);
            uint32_t seq = (p.from_server ? sisn : cisn) + (uint32_t)p.off;
            uint32_t ack = p.from_server ? cisn : sisn;
            send_seg(&c, p.from_server, TCP_ACK, seq, ack, stream[p.from_server] + p.off, p.len,
                     p.len);
        }
        c.cseq = cisn + (uint32_t)len;
        c.sseq = sisn + (uint32_t)len;
        c_fin(&c);
        s_fin(&c);
        c_ack(&c);
        assert_int_equal(r.closed, 1);
        const closed_flow *f = closed(&r, 0);
        assert_int_equal(f->flow.end, TCP_FLOW_END_FIN);
        for (int d = 0; d < 2; d++) {
            assert_int_equal(f->data[d]->len, len);
            assert_memory_equal(f->data[d]->data, stream[d], len);
            assert_int_equal(f->flow.gaps[d].count, 0);
            assert_int_equal(f->flow.conflicts[d], 0);
        }
        g_array_unref(plan);
        table_done(t, &r);
        recorder_free(&r);
        g_free(stream[0]);
        g_free(stream[1]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(handshake_then_fins),
        cmocka_unit_test(syn_retransmissions),
        cmocka_unit_test(refused),
        cmocka_unit_test(rst_with_held_data),
        cmocka_unit_test(port_reuse),
        cmocka_unit_test(timeout_expiry),
        cmocka_unit_test(midstream_roles),
        cmocka_unit_test(sliced_payload),
        cmocka_unit_test(total_memory_limit),
        cmocka_unit_test(max_flows_eviction),
        cmocka_unit_test(close_once_and_freed),
        cmocka_unit_test(random_conversation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
