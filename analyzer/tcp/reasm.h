/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One direction of a TCP connection reassembled into a byte stream.
 *
 * Segments go in as captured, in any order; the stream comes out through
 * callbacks, in order, as soon as it is contiguous:
 *
 *  - in-order bytes are delivered straight from the caller's segment buffer
 *    (no copy, no allocation); only out-of-order bytes are copied and held;
 *  - retransmitted bytes are dropped; where two copies of the same stream
 *    bytes differ, the first one seen wins and the later one is reported as
 *    a conflict (checked against held data and against a short history of
 *    delivered data, see tcp_reasm_limits.history);
 *  - a hole (bytes the capture never saw) is skipped, reported as a gap, when
 *    the held data exceeds its limit or when the stream ends with data held
 *    past it; the bytes after it are then delivered: the stream continues;
 *  - a segment cut short by the capture's snap length (captured length below
 *    the wire length) has its missing tail reported as a gap right away;
 *  - sequence numbers are compared modulo 2^32 and positions are kept as
 *    64-bit stream offsets, so streams longer than 4 GiB and sequence
 *    wrap-around need nothing special;
 *  - the FIN takes one sequence number and ends the stream; bytes after it
 *    are reported as a conflict and dropped.
 *
 * Stream offsets count from the first byte after the SYN or, when no SYN was
 * seen (a capture starting mid-connection), from the first segment seen. Frame
 * numbers are the capture's 1-based frame numbers; 0 means "none". */
#ifndef AMTDIAG_TCP_REASM_H
#define AMTDIAG_TCP_REASM_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Default for tcp_reasm_limits.max_buffered: 4 MiB held per direction. */
#define TCP_REASM_DEFAULT_MAX_BUFFERED ((size_t)4 << 20)
/* Default for tcp_reasm_limits.history: 64 KiB, the largest TCP window
 * without window scaling, so a retransmission of anything still in flight
 * can be compared with what was delivered. */
#define TCP_REASM_DEFAULT_HISTORY ((size_t)64 << 10)
/* A segment starting more than this far past the next expected byte is
 * not part of the stream (1 GiB, the largest window TCP can advertise):
 * it is reported as a conflict and dropped rather than opening a hole that
 * size. */
#define TCP_REASM_MAX_AHEAD ((uint64_t)1 << 30)

typedef struct tcp_reasm_limits {
    /* Out-of-order bytes held for this direction, counting the allocation of
     * each held piece plus its bookkeeping (about 64 bytes a piece). Past it,
     * the first hole is skipped and reported as a gap until the held data
     * fits again. Default TCP_REASM_DEFAULT_MAX_BUFFERED. */
    size_t max_buffered;
    /* Most recently delivered bytes kept to compare retransmissions with;
     * the ring grows with the stream up to this size, so short streams cost
     * little. Retransmitted bytes older than that are dropped unchecked.
     * 0 turns the check off. Default TCP_REASM_DEFAULT_HISTORY. */
    size_t history;
} tcp_reasm_limits;

/* Where the stream goes. Every callback may be NULL. They are called from
 * inside the tcp_reasm_* functions and must not call back into the same
 * tcp_reasm. */
typedef struct tcp_reasm_ops {
    /* len in-order bytes (len > 0); first_frame carried the first of them,
     * last_frame the last. data is valid only during the call. */
    void (*deliver)(void *ctx, const uint8_t *data, size_t len, uint64_t first_frame,
                    uint64_t last_frame);
    /* missing_len bytes from stream_offset were never captured and are
     * skipped. frame_before carried the byte before the hole (or the SYN, or
     * 0), frame_after the byte after it (or the FIN, or 0 when the stream
     * ends in the hole). Always reported before the bytes that follow it. */
    void (*gap)(void *ctx, uint64_t stream_offset, uint64_t missing_len, uint64_t frame_before,
                uint64_t frame_after);
    /* Frame frame carried bytes that disagree with the copy of them that came
     * first (from stream_offset, len bytes: first to last differing byte), or
     * bytes past the FIN, or a FIN that contradicts the stream (len is then
     * the length in dispute). The first copy was kept. */
    void (*conflict)(void *ctx, uint64_t frame, uint64_t stream_offset, uint64_t len);
} tcp_reasm_ops;

typedef struct tcp_reasm_piece tcp_reasm_piece;

/* One direction's state. Embeddable; all fields are private: use the
 * functions below. */
typedef struct tcp_reasm {
    tcp_reasm_limits limits;
    tcp_reasm_ops ops;
    void *ctx;
    bool started;        /* isn is known */
    bool touched;        /* a segment or FIN was seen: the ISN can no longer move */
    bool done;           /* flushed: the stream is over */
    uint32_t isn;        /* sequence number of stream offset 0 */
    uint64_t next_off;   /* next stream offset to deliver */
    uint64_t last_frame; /* frame of the last byte delivered (or the SYN) */
    /* Held out-of-order data (data != NULL) and known-missing ranges
     * (data == NULL), sorted by offset, not overlapping, all >= next_off;
     * indexed by offset, so finding a segment's place is O(log pieces). */
    tcp_reasm_piece *head, *tail;
    GTree *index;
    size_t buffered;       /* bytes held, see tcp_reasm_limits */
    int64_t pending_since; /* capture time the held data started */
    /* A hole already skipped but not reported yet, so that the frame after
     * it is known and adjacent missing ranges make one report. */
    uint64_t gap_off, gap_len, gap_frame_before;
    /* The FIN, once seen. */
    bool fin_set;
    uint64_t fin_off, fin_frame;
    /* Ring of the last hist_len delivered bytes, which end at next_off. */
    uint8_t *hist;
    size_t hist_cap, hist_start, hist_len;
    /* Differing bytes found while handling the current segment. */
    bool cf_any;
    uint64_t cf_lo, cf_hi;
} tcp_reasm;

/* Fills limits with the defaults above. */
void tcp_reasm_limits_init(tcp_reasm_limits *limits);

/* Prepares r with limits (NULL: defaults) and the callbacks in ops (copied;
 * NULL: none), which receive ctx. */
void tcp_reasm_init(tcp_reasm *r, const tcp_reasm_limits *limits, const tcp_reasm_ops *ops,
                    void *ctx);

/* Sets the sequence number of the stream's first byte (the SYN's sequence
 * number + 1) and the frame that told it. Has no effect once a segment or FIN
 * went in, so a late or repeated SYN cannot move a running stream. Without
 * it the first segment seen starts the stream. */
void tcp_reasm_set_isn(tcp_reasm *r, uint32_t seq, uint64_t frame);

/* Feeds one segment's payload: len bytes starting at sequence number seq,
 * from frame frame captured at ts_us. data may be reused by the caller once
 * this returns. */
void tcp_reasm_segment(tcp_reasm *r, uint32_t seq, const uint8_t *data, size_t len, uint64_t frame,
                       int64_t ts_us);

/* As tcp_reasm_segment for a segment the capture cut short: wire_len bytes
 * were sent, only the first cap_len are in data. The rest is a gap, except
 * for bytes of it that another copy brings before the stream reaches them. */
void tcp_reasm_segment_sliced(tcp_reasm *r, uint32_t seq, const uint8_t *data, size_t cap_len,
                              size_t wire_len, uint64_t frame, int64_t ts_us);

/* Records the FIN at sequence number seq (the sequence number after the
 * FIN segment's payload) seen in frame frame. A FIN before bytes already
 * received, or a second FIN elsewhere, is reported as a conflict and
 * ignored. */
void tcp_reasm_fin(tcp_reasm *r, uint32_t seq, uint64_t frame);

/* Skips the first hole: reports it as a gap and delivers the held data after
 * it up to the next hole. Returns false when nothing was held. Used to free
 * memory when a limit across streams is reached. */
bool tcp_reasm_skip_hole(tcp_reasm *r);

/* Ends the stream: skips every hole (reporting each) so all held data is
 * delivered, reports the bytes missing before a FIN as a gap, and ignores
 * anything fed afterwards. */
void tcp_reasm_flush(tcp_reasm *r);

/* Forgets the delivered-data history (to free memory); retransmissions of
 * older bytes then go unchecked. The history regrows with new data. */
void tcp_reasm_drop_history(tcp_reasm *r);

/* Bytes currently held for out-of-order data, as counted against
 * max_buffered. */
size_t tcp_reasm_buffered(const tcp_reasm *r);

/* Bytes allocated for the delivered-data history. */
size_t tcp_reasm_history_size(const tcp_reasm *r);

/* Capture time at which the data currently held started to be held (the
 * arrival of the first segment held since nothing was); meaningful only
 * while tcp_reasm_buffered() > 0. */
int64_t tcp_reasm_pending_since(const tcp_reasm *r);

/* Stream offset of the next byte to deliver: bytes delivered plus bytes
 * skipped as gaps (reported or about to be). */
uint64_t tcp_reasm_offset(const tcp_reasm *r);

/* Frees what r holds without delivering it (tcp_reasm_flush first to have
 * it delivered). r may be initialised again afterwards. */
void tcp_reasm_free(tcp_reasm *r);

#endif
