/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for tcp/reasm: one direction's stream reassembly (order,
 * retransmissions, overlaps, holes, limits, wrap-around, snap length), and a
 * randomized check that any segmentation, order and duplication of a stream
 * gives back exactly that stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <glib.h>

#include "tcp/reasm.h"

typedef struct {
    uint64_t off, len, first_frame, last_frame;
    const uint8_t *ptr;
} delivery;

typedef struct {
    uint64_t off, len, frame_before, frame_after;
} gap_event;

typedef struct {
    uint64_t frame, off, len;
} conflict_event;

/* What the callbacks saw. pos is the stream offset reached (delivered plus
 * skipped), so each event can be checked to come in stream order. */
typedef struct {
    GByteArray *data;
    GArray *deliveries, *gaps, *conflicts;
    uint64_t pos;
    const uint8_t *expect; /* when set, every delivered byte is checked against it */
    size_t expect_len;
} sink;

static void on_deliver(void *ctx, const uint8_t *data, size_t len, uint64_t first_frame,
                       uint64_t last_frame)
{
    sink *k = ctx;
    assert_true(len > 0);
    delivery d = {k->pos, len, first_frame, last_frame, data};
    if (k->expect) {
        assert_true(k->pos + len <= k->expect_len);
        assert_memory_equal(data, k->expect + k->pos, len);
    }
    g_array_append_val(k->deliveries, d);
    g_byte_array_append(k->data, data, (guint)len);
    k->pos += len;
}

static void on_gap(void *ctx, uint64_t off, uint64_t len, uint64_t frame_before,
                   uint64_t frame_after)
{
    sink *k = ctx;
    assert_true(len > 0);
    assert_int_equal(off, k->pos); /* gaps come in stream order, before what follows */
    gap_event g = {off, len, frame_before, frame_after};
    g_array_append_val(k->gaps, g);
    k->pos += len;
}

static void on_conflict(void *ctx, uint64_t frame, uint64_t off, uint64_t len)
{
    sink *k = ctx;
    conflict_event c = {frame, off, len};
    g_array_append_val(k->conflicts, c);
}

static const tcp_reasm_ops ops = {on_deliver, on_gap, on_conflict};

static void sink_init(sink *k)
{
    memset(k, 0, sizeof *k);
    k->data = g_byte_array_new();
    k->deliveries = g_array_new(FALSE, TRUE, sizeof(delivery));
    k->gaps = g_array_new(FALSE, TRUE, sizeof(gap_event));
    k->conflicts = g_array_new(FALSE, TRUE, sizeof(conflict_event));
}

static void sink_free(sink *k)
{
    g_byte_array_unref(k->data);
    g_array_unref(k->deliveries);
    g_array_unref(k->gaps);
    g_array_unref(k->conflicts);
}

#define DELIVERY(k, i) g_array_index((k)->deliveries, delivery, i)
#define GAP(k, i) g_array_index((k)->gaps, gap_event, i)
#define CONFLICT(k, i) g_array_index((k)->conflicts, conflict_event, i)

/* A deterministic pattern: byte i of a test stream. */
static uint8_t pat(uint64_t i)
{
    return (uint8_t)(i * 7 + (i >> 8) * 13 + 1);
}

static uint8_t *pattern(size_t len)
{
    uint8_t *p = g_malloc(len ? len : 1);
    for (size_t i = 0; i < len; i++)
        p[i] = pat(i);
    return p;
}

/* Feeds bytes [off, off + len) of stream s, which starts at isn. */
static void feed(tcp_reasm *r, uint32_t isn, const uint8_t *s, uint64_t off, size_t len,
                 uint64_t frame)
{
    tcp_reasm_segment(r, isn + (uint32_t)off, s + off, len, frame, (int64_t)frame * 1000);
}

static void in_order(void **state)
{
    (void)state;
    sink k;
    sink_init(&k);
    tcp_reasm r;
    tcp_reasm_init(&r, NULL, &ops, &k);
    tcp_reasm_set_isn(&r, 1001, 1);
    uint8_t *s = pattern(300);
    for (int i = 0; i < 3; i++) {
        feed(&r, 1001, s, (uint64_t)i * 100, 100, (uint64_t)i + 2);
        /* delivered at once, straight from the segment's buffer */
        assert_int_equal(k.deliveries->len, i + 1);
        assert_ptr_equal(DELIVERY(&k, i).ptr, s + i * 100);
        assert_int_equal(DELIVERY(&k, i).first_frame, i + 2);
        assert_int_equal(tcp_reasm_buffered(&r), 0);
    }
    tcp_reasm_flush(&r);
    assert_int_equal(k.data->len, 300);
    assert_memory_equal(k.data->data, s, 300);
    assert_int_equal(k.gaps->len, 0);
    assert_int_equal(k.conflicts->len, 0);
    tcp_reasm_free(&r);
    g_free(s);
    sink_free(&k);
}

static void out_of_order_reverse(void **state)
{
    (void)state;
    sink k;
    sink_init(&k);
    tcp_reasm r;
    tcp_reasm_init(&r, NULL, &ops, &k);
    tcp_reasm_set_isn(&r, 5000, 1);
    uint8_t *s = pattern(1000);
    for (int i = 9; i >= 1; i--) {
        feed(&r, 5000, s, (uint64_t)i * 100, 100, (uint64_t)(20 - i));
        assert_int_equal(k.deliveries->len, 0);
    }
    assert_true(tcp_reasm_buffered(&r) >= 900);
    feed(&r, 5000, s, 0, 100, 20);
    assert_int_equal(tcp_reasm_buffered(&r), 0);
    assert_int_equal(k.data->len, 1000);
    assert_memory_equal(k.data->data, s, 1000);
    /* each piece keeps the frame that carried it */
    assert_int_equal(k.deliveries->len, 10);
    assert_int_equal(DELIVERY(&k, 0).first_frame, 20);
    for (unsigned i = 1; i < 10; i++)
        assert_int_equal(DELIVERY(&k, i).first_frame, 20 - i);
    assert_int_equal(k.gaps->len, 0);
    assert_int_equal(k.conflicts->len, 0);
    tcp_reasm_free(&r);
    g_free(s);
    sink_free(&k);
}

static void retransmission(void **state)
{
    (void)state;
    sink k;
    sink_init(&k);
    tcp_reasm r;
    tcp_reasm_init(&r, NULL, &ops, &k);
    tcp_reasm_set_isn(&r, 77, 1);
    uint8_t *s = pattern(400);
    feed(&r, 77, s, 0, 100, 2);
    feed(&r, 77, s, 100, 100, 3);
    feed(&r, 77, s, 0, 100, 4);   /* retransmitted */
    feed(&r, 77, s, 300, 100, 5); /* held */
    feed(&r, 77, s, 300, 100, 6); /* held twice */
    feed(&r, 77, s, 100, 100, 7); /* retransmitted */
    feed(&r, 77, s, 200, 100, 8);
    assert_int_equal(k.data->len, 400);
    assert_memory_equal(k.data->data, s, 400);
    assert_int_equal(k.conflicts->len, 0);
    assert_int_equal(DELIVERY(&k, k.deliveries->len - 1).first_frame, 5);
    tcp_reasm_free(&r);
    g_free(s);
    sink_free(&k);
}

static void overlap_identical(void **state)
{
    (void)state;
    sink k;
    sink_init(&k);
    tcp_reasm r;
    tcp_reasm_init(&r, NULL, &ops, &k);
    tcp_reasm_set_isn(&r, 0, 1);
    uint8_t *s = pattern(600);
    feed(&r, 0, s, 0, 100, 2);
    feed(&r, 0, s, 50, 100, 3);  /* half old, half new */
    feed(&r, 0, s, 300, 200, 4); /* held */
    feed(&r, 0, s, 250, 100, 5); /* overlaps the held piece's start */
    feed(&r, 0, s, 450, 150, 6); /* overlaps the held piece's end */
    feed(&r, 0, s, 120, 200, 7); /* overlaps delivered and held bytes */
    assert_int_equal(k.data->len, 600);
    assert_memory_equal(k.data->data, s, 600);
    assert_int_equal(k.conflicts->len, 0);
    assert_int_equal(k.gaps->len, 0);
    assert_int_equal(tcp_reasm_buffered(&r), 0);
    tcp_reasm_free(&r);
    g_free(s);
    sink_free(&k);
}

static void overlap_conflicting(void **state)
{
    (void)state;
    sink k;
    sink_init(&k);
    tcp_reasm r;
    tcp_reasm_init(&r, NULL, &ops, &k);
    tcp_reasm_set_isn(&r, 900, 1);
    uint8_t *s = pattern(400);
    uint8_t alt[200];

    /* against delivered bytes (the history) */
    feed(&r, 900, s, 0, 100, 2);
    memcpy(alt, s + 50, 100);
    memset(alt + 10, 'X', 10); /* offsets 60..69 differ */
    tcp_reasm_segment(&r, 900 + 50, alt, 100, 3, 0);
    assert_int_equal(k.conflicts->len, 1);
    assert_int_equal(CONFLICT(&k, 0).frame, 3);
    assert_int_equal(CONFLICT(&k, 0).off, 60);
    assert_int_equal(CONFLICT(&k, 0).len, 10);
    assert_int_equal(k.data->len, 150);
    assert_memory_equal(k.data->data, s, 150); /* the first copy won */

    /* against held bytes */
    feed(&r, 900, s, 250, 100, 4);
    memcpy(alt, s + 200, 100);
    alt[70] ^= 0xff; /* offset 270 */
    alt[85] ^= 0xff; /* offset 285 */
    tcp_reasm_segment(&r, 900 + 200, alt, 100, 5, 0);
    assert_int_equal(k.conflicts->len, 2);
    assert_int_equal(CONFLICT(&k, 1).frame, 5);
    assert_int_equal(CONFLICT(&k, 1).off, 270);
    assert_int_equal(CONFLICT(&k, 1).len, 16);

    /* against held bytes, by the segment that fills the hole */
    memcpy(alt, s + 150, 150);
    alt[120] ^= 1; /* offset 270 again */
    tcp_reasm_segment(&r, 900 + 150, alt, 150, 6, 0);
    assert_int_equal(k.conflicts->len, 3);
    assert_int_equal(CONFLICT(&k, 2).frame, 6);
    assert_int_equal(CONFLICT(&k, 2).off, 270);
    assert_int_equal(CONFLICT(&k, 2).len, 1);

    feed(&r, 900, s, 350, 50, 7);
    tcp_reasm_flush(&r);
    assert_int_equal(k.data->len, 400);
    assert_memory_equal(k.data->data, s, 400);
    assert_int_equal(k.gaps->len, 0);
    tcp_reasm_free(&r);
    g_free(s);
    sink_free(&k);
}

static void hole_then_fin(void **state)
{
    (void)state;
    sink k;
    sink_init(&k);
    tcp_reasm r;
    tcp_reasm_init(&r, NULL, &ops, &k);
    tcp_reasm_set_isn(&r, 10, 1);
    uint8_t *s = pattern(300);
    feed(&r, 10, s, 0, 100, 2);
    /* 100..199 never captured */
    feed(&r, 10, s, 200, 100, 4);
    tcp_reasm_fin(&r, 10 + 300, 5);
    assert_int_equal(k.data->len, 100); /* data after the hole waits for it */
    assert_int_equal(k.gaps->len, 0);
    tcp_reasm_flush(&r); /* the flow ended */
    assert_int_equal(k.gaps->len, 1);
    assert_int_equal(GAP(&k, 0).off, 100);
    assert_int_equal(GAP(&k, 0).len, 100);
    assert_int_equal(GAP(&k, 0).frame_before, 2);
    assert_int_equal(GAP(&k, 0).frame_after, 4);
    assert_int_equal(k.data->len, 200);
    assert_memory_equal(k.data->data + 100, s + 200, 100);
    assert_int_equal(tcp_reasm_offset(&r), 300);
    /* nothing goes in after the end */
    feed(&r, 10, s, 100, 100, 6);
    assert_int_equal(k.data->len, 200);
    tcp_reasm_free(&r);

    /* bytes missing right before the FIN, nothing held: still a gap */
    sink k2;
    sink_init(&k2);
    tcp_reasm_init(&r, NULL, &ops, &k2);
    tcp_reasm_set_isn(&r, 10, 1);
    feed(&r, 10, s, 0, 100, 2);
    tcp_reasm_fin(&r, 10 + 250, 3);
    tcp_reasm_flush(&r);
    assert_int_equal(k2.gaps->len, 1);
    assert_int_equal(GAP(&k2, 0).off, 100);
    assert_int_equal(GAP(&k2, 0).len, 150);
    assert_int_equal(GAP(&k2, 0).frame_before, 2);
    assert_int_equal(GAP(&k2, 0).frame_after, 3);
    tcp_reasm_free(&r);
    sink_free(&k2);
    g_free(s);
    sink_free(&k);
}

static void data_after_fin(void **state)
{
    (void)state;
    sink k;
    sink_init(&k);
    tcp_reasm r;
    tcp_reasm_init(&r, NULL, &ops, &k);
    tcp_reasm_set_isn(&r, 0xfffffff0u, 1);
    uint8_t *s = pattern(300);
    feed(&r, 0xfffffff0u, s, 0, 100, 2);
    tcp_reasm_fin(&r, 0xfffffff0u + 100, 3);
    tcp_reasm_fin(&r, 0xfffffff0u + 100, 4); /* retransmitted FIN: fine */
    assert_int_equal(k.conflicts->len, 0);
    feed(&r, 0xfffffff0u, s, 50, 100, 5); /* 100..149 is past the FIN */
    assert_int_equal(k.conflicts->len, 1);
    assert_int_equal(CONFLICT(&k, 0).frame, 5);
    assert_int_equal(CONFLICT(&k, 0).off, 100);
    assert_int_equal(CONFLICT(&k, 0).len, 50);
    feed(&r, 0xfffffff0u, s, 200, 100, 6); /* wholly past it */
    assert_int_equal(k.conflicts->len, 2);
    tcp_reasm_fin(&r, 0xfffffff0u + 120, 7); /* a second FIN elsewhere */
    assert_int_equal(k.conflicts->len, 3);
    assert_int_equal(CONFLICT(&k, 2).off, 100);
    assert_int_equal(CONFLICT(&k, 2).len, 20);
    tcp_reasm_flush(&r);
    assert_int_equal(k.data->len, 100);
    assert_int_equal(k.gaps->len, 0);
    assert_int_equal(tcp_reasm_buffered(&r), 0);
    tcp_reasm_free(&r);

    /* a FIN that would cut bytes already received loses to them */
    sink k2;
    sink_init(&k2);
    tcp_reasm_init(&r, NULL, &ops, &k2);
    tcp_reasm_set_isn(&r, 0, 1);
    feed(&r, 0, s, 0, 100, 2);
    feed(&r, 0, s, 200, 50, 3);
    tcp_reasm_fin(&r, 220, 4);
    assert_int_equal(k2.conflicts->len, 1);
    assert_int_equal(CONFLICT(&k2, 0).off, 220);
    assert_int_equal(CONFLICT(&k2, 0).len, 30);
    tcp_reasm_flush(&r);
    assert_int_equal(k2.data->len, 150);
    tcp_reasm_free(&r);
    sink_free(&k2);
    g_free(s);
    sink_free(&k);
}

static void hole_over_limit(void **state)
{
    (void)state;
    sink k;
    sink_init(&k);
    tcp_reasm_limits lim;
    tcp_reasm_limits_init(&lim);
    lim.max_buffered = 8192;
    tcp_reasm r;
    tcp_reasm_init(&r, &lim, &ops, &k);
    tcp_reasm_set_isn(&r, 1, 1);
    uint8_t *s = pattern(40000);
    feed(&r, 1, s, 0, 1000, 2);
    /* 1000..1999 lost; then 1000-byte segments in order */
    uint64_t frame = 10, off = 2000;
    while (k.gaps->len == 0) {
        assert_true(off < 40000);
        feed(&r, 1, s, off, 1000, frame++);
        off += 1000;
        assert_true(tcp_reasm_buffered(&r) <= lim.max_buffered);
    }
    assert_int_equal(GAP(&k, 0).off, 1000);
    assert_int_equal(GAP(&k, 0).len, 1000);
    assert_int_equal(GAP(&k, 0).frame_before, 2);
    assert_int_equal(GAP(&k, 0).frame_after, 10);
    /* every byte held was delivered, in one piece (the data merged) */
    assert_int_equal(tcp_reasm_buffered(&r), 0);
    assert_int_equal(k.data->len, off - 1000);
    assert_memory_equal(k.data->data + 1000, s + 2000, off - 2000);
    assert_int_equal(DELIVERY(&k, 1).first_frame, 10);
    assert_int_equal(DELIVERY(&k, 1).last_frame, frame - 1);
    /* the stream goes on after the hole */
    feed(&r, 1, s, off, 1000, frame);
    assert_int_equal(k.data->len, off);
    /* the lost segment arriving late is old news */
    feed(&r, 1, s, 1000, 1000, frame + 1);
    assert_int_equal(k.data->len, off);
    assert_int_equal(k.conflicts->len, 0);
    tcp_reasm_free(&r);
    g_free(s);
    sink_free(&k);
}

static void sequence_wrap(void **state)
{
    (void)state;
    const uint32_t isn = 0xFFFFFF00u;
    uint8_t *s = pattern(1024);
    /* in order, then in a scrambled order; the wrap is at stream offset 256 */
    static const int order[2][8] = {{0, 1, 2, 3, 4, 5, 6, 7}, {3, 1, 7, 2, 6, 0, 5, 4}};
    for (int o = 0; o < 2; o++) {
        sink k;
        sink_init(&k);
        tcp_reasm r;
        tcp_reasm_init(&r, NULL, &ops, &k);
        tcp_reasm_set_isn(&r, isn, 1);
        for (int i = 0; i < 8; i++)
            feed(&r, isn, s, (uint64_t)order[o][i] * 128, 128, (uint64_t)i + 2);
        tcp_reasm_fin(&r, isn + 1024, 10);
        tcp_reasm_flush(&r);
        assert_int_equal(k.data->len, 1024);
        assert_memory_equal(k.data->data, s, 1024);
        assert_int_equal(k.gaps->len, 0);
        assert_int_equal(k.conflicts->len, 0);
        assert_int_equal(tcp_reasm_offset(&r), 1024);
        tcp_reasm_free(&r);
        sink_free(&k);
    }
    g_free(s);
}

static void midstream_start(void **state)
{
    (void)state;
    sink k;
    sink_init(&k);
    tcp_reasm r;
    tcp_reasm_init(&r, NULL, &ops, &k);
    uint8_t *s = pattern(500);
    /* no ISN: the first segment seen is offset 0 */
    tcp_reasm_segment(&r, 123456, s + 100, 100, 7, 0);
    assert_int_equal(k.data->len, 100);
    assert_int_equal(DELIVERY(&k, 0).off, 0);
    /* earlier bytes of the connection belong before the stream we know */
    tcp_reasm_segment(&r, 123456 - 100, s, 100, 8, 0);
    tcp_reasm_segment(&r, 123456 - 50, s + 50, 100, 9, 0); /* straddles the start */
    assert_int_equal(k.data->len, 100);
    tcp_reasm_segment(&r, 123456 + 100, s + 200, 300, 10, 0);
    /* the ISN cannot move once the stream started */
    tcp_reasm_set_isn(&r, 1, 11);
    tcp_reasm_flush(&r);
    assert_int_equal(k.data->len, 400);
    assert_memory_equal(k.data->data, s + 100, 400);
    assert_int_equal(k.conflicts->len, 0);
    assert_int_equal(k.gaps->len, 0);
    tcp_reasm_free(&r);
    g_free(s);
    sink_free(&k);
}

static void sliced_segment(void **state)
{
    (void)state;
    uint8_t *s = pattern(1300);
    /* in order: the missing tail is a gap at once */
    sink k;
    sink_init(&k);
    tcp_reasm r;
    tcp_reasm_init(&r, NULL, &ops, &k);
    tcp_reasm_set_isn(&r, 0, 1);
    feed(&r, 0, s, 0, 100, 2);
    tcp_reasm_segment_sliced(&r, 100, s + 100, 60, 1000, 3, 0);
    assert_int_equal(k.data->len, 160);
    assert_int_equal(tcp_reasm_offset(&r), 1100);
    feed(&r, 0, s, 1100, 100, 4);
    assert_int_equal(k.gaps->len, 1);
    assert_int_equal(GAP(&k, 0).off, 160);
    assert_int_equal(GAP(&k, 0).len, 940);
    assert_int_equal(GAP(&k, 0).frame_before, 3);
    assert_int_equal(GAP(&k, 0).frame_after, 4);
    /* several sliced segments in a row make one gap */
    tcp_reasm_segment_sliced(&r, 1200, s + 1200, 0, 50, 5, 0);
    tcp_reasm_segment_sliced(&r, 1250, s + 1250, 0, 50, 6, 0);
    tcp_reasm_flush(&r);
    assert_int_equal(k.gaps->len, 2);
    assert_int_equal(GAP(&k, 1).off, 1200);
    assert_int_equal(GAP(&k, 1).len, 100);
    assert_int_equal(GAP(&k, 1).frame_after, 0);
    assert_int_equal(k.data->len, 260);
    assert_memory_equal(k.data->data + 160, s + 1100, 100);
    tcp_reasm_free(&r);
    sink_free(&k);

    /* out of order: the tail is held as missing; a full copy seen first
     * of part of it still counts */
    sink_init(&k);
    tcp_reasm_init(&r, NULL, &ops, &k);
    tcp_reasm_set_isn(&r, 0, 1);
    feed(&r, 0, s, 1100, 100, 2);
    feed(&r, 0, s, 1000, 50, 3); /* a full copy of part of the sliced tail */
    tcp_reasm_segment_sliced(&r, 100, s + 100, 60, 1000, 4, 0);
    tcp_reasm_segment_sliced(&r, 100, s + 100, 80, 1000, 5, 0); /* retransmission, sliced too */
    assert_int_equal(k.data->len, 0);
    assert_int_equal(k.gaps->len, 0);
    feed(&r, 0, s, 0, 100, 6);
    assert_int_equal(tcp_reasm_buffered(&r), 0);
    /* 0..179 delivered, 180..999 missing, 1000..1049 delivered, 1050..1099
     * missing, 1100..1199 delivered */
    assert_int_equal(k.gaps->len, 2);
    assert_int_equal(GAP(&k, 0).off, 180);
    assert_int_equal(GAP(&k, 0).len, 820);
    assert_int_equal(GAP(&k, 0).frame_after, 3);
    assert_int_equal(GAP(&k, 1).off, 1050);
    assert_int_equal(GAP(&k, 1).len, 50);
    assert_int_equal(k.data->len, 330);
    assert_memory_equal(k.data->data, s, 180);
    assert_memory_equal(k.data->data + 180, s + 1000, 50);
    assert_memory_equal(k.data->data + 230, s + 1100, 100);
    assert_int_equal(k.conflicts->len, 0);
    tcp_reasm_free(&r);
    sink_free(&k);
    g_free(s);
}

static void history_bounded(void **state)
{
    (void)state;
    sink k;
    sink_init(&k);
    tcp_reasm_limits lim;
    tcp_reasm_limits_init(&lim);
    lim.history = 4096;
    tcp_reasm r;
    tcp_reasm_init(&r, &lim, &ops, &k);
    tcp_reasm_set_isn(&r, 0, 1);
    uint8_t *s = pattern(20000);
    for (uint64_t off = 0; off < 20000; off += 1000)
        feed(&r, 0, s, off, 1000, off / 1000 + 2);
    assert_int_equal(tcp_reasm_history_size(&r), 4096);
    uint8_t bad[1000];
    memset(bad, 'X', sizeof bad);
    /* too old to check: dropped quietly */
    tcp_reasm_segment(&r, 10000, bad, 1000, 40, 0);
    assert_int_equal(k.conflicts->len, 0);
    /* the last 4096 bytes are checked, even across the ring's end */
    tcp_reasm_segment(&r, 16500, bad, 1000, 41, 0);
    assert_int_equal(k.conflicts->len, 1);
    assert_int_equal(CONFLICT(&k, 0).off, 16500);
    assert_int_equal(CONFLICT(&k, 0).len, 1000);
    tcp_reasm_segment(&r, 15000, bad, 1000, 42, 0); /* straddles the history start */
    assert_int_equal(k.conflicts->len, 2);
    assert_int_equal(CONFLICT(&k, 1).off, 20000 - 4096);
    assert_int_equal(CONFLICT(&k, 1).len, 1000 - (20000 - 4096 - 15000));
    tcp_reasm_drop_history(&r);
    assert_int_equal(tcp_reasm_history_size(&r), 0);
    tcp_reasm_segment(&r, 19000, bad, 1000, 43, 0);
    assert_int_equal(k.conflicts->len, 2);
    tcp_reasm_free(&r);
    g_free(s);
    sink_free(&k);
}

/* ---- randomized ---- */

static uint64_t rng_next(uint64_t *st)
{
    /* xorshift64*: deterministic across platforms */
    uint64_t x = *st;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *st = x;
    return x * 2685821657736338717ull;
}

static size_t rng_below(uint64_t *st, size_t n)
{
    return (size_t)(rng_next(st) % n);
}

typedef struct {
    uint64_t off;
    size_t len;
} span;

/* Cuts a stream of len bytes into random segments, adds duplicates and
 * re-cut retransmissions, drops whole segments (keep_ppm: chance out of a
 * million to keep a segment and its copies), and shuffles the lot within
 * windows of window segments. */
static GArray *random_plan(uint64_t *st, size_t len, unsigned keep_ppm, size_t window)
{
    GArray *plan = g_array_new(FALSE, FALSE, sizeof(span));
    for (uint64_t off = 0; off < len;) {
        size_t n = 1 + rng_below(st, 1460);
        if (n > len - off)
            n = (size_t)(len - off);
        bool keep = rng_below(st, 1000000) < keep_ppm;
        span sp = {off, n};
        if (keep)
            g_array_append_val(plan, sp);
        if (keep && rng_below(st, 5) == 0)
            g_array_append_val(plan, sp);
        if (keep && rng_below(st, 8) == 0) {
            /* a retransmission cut differently */
            uint64_t a = off > 500 ? off - rng_below(st, 500) : 0;
            uint64_t b = off + n + rng_below(st, 700);
            span re = {a, (size_t)(MIN(b, len) - a)};
            g_array_append_val(plan, re);
        }
        off += n;
    }
    for (size_t base = 0; base < plan->len; base += window) {
        size_t n = MIN(window, plan->len - base);
        for (size_t i = n; i > 1; i--) {
            size_t j = rng_below(st, i);
            span tmp = g_array_index(plan, span, base + i - 1);
            g_array_index(plan, span, base + i - 1) = g_array_index(plan, span, base + j);
            g_array_index(plan, span, base + j) = tmp;
        }
    }
    return plan;
}

static void run_random(uint64_t seed, unsigned keep_ppm, size_t window, size_t max_buffered)
{
    uint64_t st = seed * 0x9E3779B97F4A7C15ull + 1;
    const size_t len = 100 * 1000;
    uint8_t *s = g_malloc(len);
    for (size_t i = 0; i < len; i++)
        s[i] = (uint8_t)rng_next(&st);
    uint32_t isn = (uint32_t)rng_next(&st);
    if (seed % 3 == 0)
        isn = 0xFFFFFFFFu - (uint32_t)rng_below(&st, 60000); /* wraps inside the stream */

    sink k;
    sink_init(&k);
    k.expect = s;
    k.expect_len = len;
    tcp_reasm_limits lim;
    tcp_reasm_limits_init(&lim);
    lim.max_buffered = max_buffered;
    tcp_reasm r;
    tcp_reasm_init(&r, &lim, &ops, &k);
    tcp_reasm_set_isn(&r, isn, 1);
    GArray *plan = random_plan(&st, len, keep_ppm, window);
    for (guint i = 0; i < plan->len; i++) {
        span sp = g_array_index(plan, span, i);
        feed(&r, isn, s, sp.off, sp.len, i + 2);
        assert_true(tcp_reasm_buffered(&r) <= max_buffered);
    }
    tcp_reasm_fin(&r, isn + (uint32_t)len, plan->len + 2);
    tcp_reasm_flush(&r);

    assert_int_equal(k.conflicts->len, 0);
    assert_int_equal(k.pos, len); /* every byte delivered or reported missing */
    assert_int_equal(tcp_reasm_buffered(&r), 0);
    if (keep_ppm == 1000000 && max_buffered >= len * 2) {
        assert_int_equal(k.gaps->len, 0);
        assert_int_equal(k.data->len, len);
        assert_memory_equal(k.data->data, s, len);
    }
    g_array_unref(plan);
    tcp_reasm_free(&r);
    sink_free(&k);
    g_free(s);
}

static void random_streams(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 24; seed++) {
        /* complete streams, any order: exactly the original */
        run_random(seed, 1000000, seed % 2 ? 1000000 : 16, TCP_REASM_DEFAULT_MAX_BUFFERED);
        /* lost segments, a tight buffer: every delivered byte in its place */
        run_random(seed, 950000, 32, TCP_REASM_DEFAULT_MAX_BUFFERED);
        run_random(seed, 990000, 64, 8192);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(in_order),
        cmocka_unit_test(out_of_order_reverse),
        cmocka_unit_test(retransmission),
        cmocka_unit_test(overlap_identical),
        cmocka_unit_test(overlap_conflicting),
        cmocka_unit_test(hole_then_fin),
        cmocka_unit_test(data_after_fin),
        cmocka_unit_test(hole_over_limit),
        cmocka_unit_test(sequence_wrap),
        cmocka_unit_test(midstream_start),
        cmocka_unit_test(sliced_segment),
        cmocka_unit_test(history_bounded),
        cmocka_unit_test(random_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
