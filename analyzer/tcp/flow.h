/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TCP flow table: connection tracking for the analyzer.
 *
 * The caller decodes each captured TCP segment into a tcp_seg and feeds it
 * to flow_table_segment(). The table finds (or creates) the connection it
 * belongs to, follows its lifecycle (SYN, SYN-ACK, handshake, data, FIN from
 * each side, RST) and reassembles each direction with tcp/reasm.h, handing
 * the upper layer in-order bytes, gaps and conflicts through callbacks, and
 * closing every flow exactly once.
 *
 * Which side is the client: the sender of a SYN without ACK, else the
 * receiver of a SYN-ACK; with neither seen (a capture starting
 * mid-connection), the side on an AMT port (16992-16995) is the server,
 * else the side on the lower port (the destination on a tie).
 *
 * A flow ends when both FINs are acknowledged, on a RST, after an idle
 * timeout, when a limit evicts it, when a new SYN reuses its 5-tuple, or at
 * the end of input. After an end by FIN or RST the 5-tuple is remembered for
 * the idle timeout so that stray segments of the finished connection (last
 * ACKs, retransmitted FINs, a RST) do not open a new flow; a new SYN does.
 *
 * Limits (flow_table_limits; defaults in brackets):
 *  - out-of-order bytes held per direction [4 MiB]: past it the direction's
 *    first hole is skipped and reported as a gap;
 *  - out-of-order bytes held across all flows [256 MiB]: past it the oldest
 *    pending holes (of the directions that started holding data first) are
 *    skipped, reported as gaps;
 *  - delivered bytes remembered per direction to check retransmissions
 *    [64 KiB] and across all flows [64 MiB]: past the total, the histories
 *    of the least recently active flows are dropped;
 *  - concurrent flows [100000]: past it the least recently active flow is
 *    closed with TCP_FLOW_END_EVICTED; as many finished 5-tuples are
 *    remembered, the oldest forgotten first;
 *  - idle timeout [120 s of capture time]: applied by flow_table_expire(),
 *    and to a flow whenever its next segment arrives.
 *
 * In-order data is delivered straight from the segment's payload buffer; only
 * out-of-order data is copied. Frame numbers are the capture's 1-based frame
 * numbers; 0 means "none". Not thread-safe; callbacks must not call back into
 * the table. */
#ifndef AMTDIAG_TCP_FLOW_H
#define AMTDIAG_TCP_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TCP header flags as in tcp_seg.flags. */
enum {
    TCP_FIN = 1,
    TCP_SYN = 2,
    TCP_RST = 4,
    TCP_PSH = 8,
    TCP_ACK = 16,
};

/* One captured TCP segment, filled by the caller. */
typedef struct tcp_seg {
    uint64_t frame; /* 1-based frame number */
    int64_t ts_us;  /* capture time, microseconds */
    int family;     /* AF_INET (4-byte addresses) or AF_INET6 (16) */
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags; /* TCP_FIN ... TCP_ACK */
    const uint8_t *payload;
    size_t payload_len; /* bytes captured */
    /* bytes on the wire (>= payload_len; more when the capture was sliced) */
    size_t wire_payload_len;
} tcp_seg;

/* Defaults of flow_table_limits, see the file comment. */
#define FLOW_DEFAULT_MAX_BUFFERED_PER_DIR ((size_t)4 << 20)
#define FLOW_DEFAULT_HISTORY_PER_DIR ((size_t)64 << 10)
#define FLOW_DEFAULT_MAX_BUFFERED_TOTAL ((size_t)256 << 20)
#define FLOW_DEFAULT_MAX_HISTORY_TOTAL ((size_t)64 << 20)
#define FLOW_DEFAULT_MAX_FLOWS ((size_t)100000)
#define FLOW_DEFAULT_IDLE_TIMEOUT_US ((int64_t)120 * 1000000)

/* AMT's TCP ports: 16992 HTTP, 16993 HTTPS, 16994 redirection, 16995
 * redirection over TLS. */
#define FLOW_AMT_PORT_FIRST 16992
#define FLOW_AMT_PORT_LAST 16995

typedef struct flow_table_limits {
    size_t max_buffered_per_dir; /* out-of-order bytes held per direction */
    size_t history_per_dir;      /* delivered bytes kept per direction (0: no check) */
    size_t max_buffered_total;   /* out-of-order bytes held across flows */
    size_t max_history_total;    /* history bytes across flows */
    size_t max_flows;            /* concurrent flows (at least 1) */
    int64_t idle_timeout_us;     /* capture time without a segment that ends a flow (<= 0: never) */
} flow_table_limits;

/* Why a flow ended. */
typedef enum tcp_flow_end {
    TCP_FLOW_OPEN = 0,     /* not ended */
    TCP_FLOW_END_FIN,      /* both FINs acknowledged (or both seen, then a new SYN) */
    TCP_FLOW_END_RST,      /* a RST, see rst_from */
    TCP_FLOW_END_TIMEOUT,  /* idle for idle_timeout_us */
    TCP_FLOW_END_OF_INPUT, /* still open when the capture ended */
    TCP_FLOW_END_EVICTED,  /* closed to make room under max_flows */
    TCP_FLOW_END_REUSED,   /* a new connection's SYN took its 5-tuple */
} tcp_flow_end;

/* One side of a connection. */
typedef struct tcp_endpoint {
    int family;
    uint8_t addr[16]; /* 4 bytes used for AF_INET, the rest zero */
    uint16_t port;
} tcp_endpoint;

/* Most SYN frame numbers a flow records (the count goes on). */
#define TCP_FLOW_MAX_SYN_FRAMES 8

/* A connection. Read-only to callers, except app. Direction 0 is
 * client->server, 1 server->client. */
typedef struct tcp_flow {
    uint64_t id; /* 0-based, in order of creation */
    tcp_endpoint client, server;
    uint64_t first_frame, last_frame;
    int64_t first_ts_us, last_ts_us;
    struct {
        uint32_t count;                          /* SYNs without ACK from the client */
        uint64_t frame[TCP_FLOW_MAX_SYN_FRAMES]; /* the first ones; frame[0] first */
    } syn;
    uint64_t synack_frame; /* first SYN-ACK */
    uint32_t synack_count;
    uint64_t established_frame; /* client's ACK of the SYN-ACK (0: handshake not seen) */
    uint64_t fin_frame[2];      /* first FIN from each direction */
    uint64_t rst_frame;         /* first RST */
    int rst_from;               /* -1 none, 0 client, 1 server */
    uint64_t bytes[2];          /* bytes delivered */
    struct {
        uint32_t count;
        uint64_t bytes;
    } gaps[2];             /* holes skipped */
    uint32_t conflicts[2]; /* conflict reports */
    bool midstream;        /* no SYN or SYN-ACK seen: the capture started mid-connection */
    tcp_flow_end end;      /* set before on_close */
    void *app;             /* the upper layer's, untouched by the table */
} tcp_flow;

/* What the table reports. Every pointer may be NULL; each gets ctx. For a
 * flow, on_open comes first and on_close last; in between on_data, on_gap and
 * on_conflict follow stream order for each direction. */
typedef struct flow_table_callbacks {
    /* A new flow. */
    void (*on_open)(void *ctx, tcp_flow *flow);
    /* len in-order bytes of direction dir; data is valid only during the
     * call. first_frame carried the first byte, last_frame the last. */
    void (*on_data)(void *ctx, tcp_flow *flow, int dir, const uint8_t *data, size_t len,
                    uint64_t first_frame, uint64_t last_frame);
    /* len bytes at stream offset offset of direction dir were not captured
     * and are skipped; reported before the data that follows them. */
    void (*on_gap)(void *ctx, tcp_flow *flow, int dir, uint64_t offset, uint64_t len,
                   uint64_t frame_before, uint64_t frame_after);
    /* Frame frame disagreed with earlier bytes of direction dir (or sent
     * bytes past the FIN); the earlier ones were kept. */
    void (*on_conflict)(void *ctx, tcp_flow *flow, int dir, uint64_t frame, uint64_t offset,
                        uint64_t len);
    /* The flow ended (flow->end says why) and all its data was delivered.
     * Called exactly once; the flow is freed when it returns. */
    void (*on_close)(void *ctx, tcp_flow *flow);
    void *ctx;
} flow_table_callbacks;

/* Counters, for reports and tests. */
typedef struct flow_table_stats {
    size_t flows;          /* open now */
    uint64_t flows_total;  /* created so far */
    uint64_t evicted;      /* closed by max_flows */
    size_t tombstones;     /* finished 5-tuples remembered */
    size_t buffered;       /* out-of-order bytes held */
    size_t history;        /* history bytes allocated */
    uint64_t forced_gaps;  /* holes skipped because of max_buffered_total */
    uint64_t ignored_segs; /* stray segments of finished connections */
} flow_table_stats;

typedef struct flow_table flow_table;

/* Fills limits with the defaults. */
void flow_table_limits_init(flow_table_limits *limits);

/* A new, empty table with limits (NULL: defaults) reporting through cb
 * (copied; NULL: nothing). */
flow_table *flow_table_new(const flow_table_limits *limits, const flow_table_callbacks *cb);

/* Feeds one captured TCP segment. Segments are expected in capture order. */
void flow_table_segment(flow_table *t, const tcp_seg *seg);

/* Closes with TCP_FLOW_END_TIMEOUT the flows idle since before
 * now_us - idle_timeout_us and forgets finished 5-tuples as old. Call it
 * periodically with the capture time; it stops at the first flow still
 * active, in order of last activity. */
void flow_table_expire(flow_table *t, int64_t now_us);

/* End of input: closes every open flow, in order of creation, with
 * TCP_FLOW_END_OF_INPUT, delivering what they hold. */
void flow_table_finish(flow_table *t);

/* Fills *stats. */
void flow_table_get_stats(const flow_table *t, flow_table_stats *stats);

/* Frees the table, first closing what is still open as flow_table_finish()
 * does, so on_close is still called once per flow. */
void flow_table_free(flow_table *t);

#endif
