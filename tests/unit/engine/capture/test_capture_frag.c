/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for IPv4 fragment reassembly in pkt_decode: in order, out of
 * order, overlapping (the first copy wins), duplicated, missing pieces,
 * the datagram and byte limits of the table, expiry in capture time, and
 * hostile fragments (past 65535, inconsistent lengths, too many pieces). */
#include "capture_test_util.h"

#include <pcap/dlt.h>

static fbuf dg, fr;

/* One fragment frame: Ethernet + IPv4 (fragfield from off/more) + the
 * bytes [off, off + len) of datagram payload data. */
static void frag_frame(const uint8_t *src, const uint8_t *dst, uint8_t proto, uint16_t id,
                       size_t off, int more, const uint8_t *data, size_t len)
{
    assert_true(off % 8 == 0);
    fb_reset(&fr);
    fb_eth(&fr, 0x0800);
    fb_ipv4(&fr, src, dst, proto, id, (uint16_t)((more ? 0x2000 : 0) | (off / 8)), 0, data + off,
            len);
}

/* A UDP datagram 192.0.2.10:5000 -> 192.0.2.20:53 with n payload bytes
 * derived from seed, into dg. */
static void make_udp(size_t n, unsigned seed)
{
    static uint8_t pl[65536];
    for (size_t i = 0; i < n; i++)
        pl[i] = (uint8_t)(i * 31 + seed);
    fb_reset(&dg);
    fb_udp(&dg, 5000, 53, pl, n);
}

typedef struct {
    size_t off, len;
    int more;
} piece;

/* The 3008-byte UDP datagram (3000 bytes of payload) in 1480-byte pieces. */
static const piece P3[3] = {{0, 1480, 1}, {1480, 1480, 1}, {2960, 48, 0}};

static pkt_status send_piece(pkt_decoder *d, const piece *pc, uint16_t id, uint64_t frame,
                             int64_t ts, pkt *p, const char **why)
{
    frag_frame(ADDR4_A, ADDR4_B, 17, id, pc->off, pc->more, dg.b, pc->len);
    return dec(d, DLT_EN10MB, fr.b, fr.n, frame, ts, p, why);
}

static void check_udp_result(const pkt *p, uint64_t frame, int64_t ts)
{
    assert_int_equal(p->frame, frame);
    assert_int_equal(p->ts_us, ts);
    assert_int_equal(p->family, 4);
    assert_memory_equal(p->src, ADDR4_A, 4);
    assert_memory_equal(p->dst, ADDR4_B, 4);
    assert_int_equal(p->proto, 17);
    assert_int_equal(p->sport, 5000);
    assert_int_equal(p->dport, 53);
    assert_int_equal(p->payload_len, dg.n - 8);
    assert_int_equal(p->wire_payload_len, dg.n - 8);
    assert_memory_equal(p->payload, dg.b + 8, dg.n - 8);
}

static void test_in_order(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    make_udp(3000, 1);
    pkt p;
    assert_int_equal(send_piece(d, &P3[0], 7, 1, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(pkt_frag_pending(d, NULL), 1);
    assert_int_equal(send_piece(d, &P3[1], 7, 2, T0 + 10, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[2], 7, 3, T0 + 20, &p, NULL), PKT_OK);
    check_udp_result(&p, 3, T0 + 20);
    size_t bytes;
    assert_int_equal(pkt_frag_pending(d, &bytes), 0);
    assert_int_equal(bytes, 0);
    dec_release();
    pkt_decoder_free(d);
}

static void test_out_of_order(void **state)
{
    (void)state;
    static const int orders[4][3] = {{2, 0, 1}, {1, 2, 0}, {2, 1, 0}, {0, 2, 1}};
    pkt_decoder *d = pkt_decoder_new();
    make_udp(3000, 2);
    for (int o = 0; o < 4; o++) {
        pkt p;
        for (int i = 0; i < 3; i++) {
            uint64_t frame = (uint64_t)(o * 3 + i + 1);
            pkt_status st = send_piece(d, &P3[orders[o][i]], (uint16_t)(100 + o), frame,
                                       T0 + (int64_t)frame, &p, NULL);
            assert_int_equal(st, i == 2 ? PKT_OK : PKT_SKIP);
        }
        check_udp_result(&p, (uint64_t)(o * 3 + 3), T0 + o * 3 + 3);
    }
    assert_int_equal(pkt_frag_pending(d, NULL), 0);
    dec_release();
    pkt_decoder_free(d);
}

/* Overlapping pieces carrying different bytes: whichever arrived first
 * keeps its bytes. */
static void test_overlap_first_copy_wins(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    static uint8_t x[3008], y[3008], want[3008];
    make_udp(3000, 3);
    memcpy(x, dg.b, dg.n);
    make_udp(3000, 99);
    memcpy(y, dg.b, dg.n);
    pkt p;

    /* A = x[0, 1488) first, then B = y[1480, 3008) */
    frag_frame(ADDR4_A, ADDR4_B, 17, 1, 0, 1, x, 1488);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 1, T0, &p, NULL), PKT_SKIP);
    frag_frame(ADDR4_A, ADDR4_B, 17, 1, 1480, 0, y, 1528);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 2, T0, &p, NULL), PKT_OK);
    memcpy(want, x, 1488);
    memcpy(want + 1488, y + 1488, 3008 - 1488);
    assert_int_equal(p.payload_len, 3000);
    assert_memory_equal(p.payload, want + 8, 3000);

    /* B first, then A: the overlap comes from y */
    frag_frame(ADDR4_A, ADDR4_B, 17, 2, 1480, 0, y, 1528);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 3, T0, &p, NULL), PKT_SKIP);
    frag_frame(ADDR4_A, ADDR4_B, 17, 2, 0, 1, x, 1488);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 4, T0, &p, NULL), PKT_OK);
    memcpy(want, x, 1480);
    memcpy(want + 1480, y + 1480, 3008 - 1480);
    assert_memory_equal(p.payload, want + 8, 3000);

    /* a piece inside held data changes nothing; one spanning two held
     * pieces fills only the hole between them */
    frag_frame(ADDR4_A, ADDR4_B, 17, 3, 0, 1, x, 800);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 5, T0, &p, NULL), PKT_SKIP);
    frag_frame(ADDR4_A, ADDR4_B, 17, 3, 1600, 0, x, 1408);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 6, T0, &p, NULL), PKT_SKIP);
    frag_frame(ADDR4_A, ADDR4_B, 17, 3, 80, 1, y, 400);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 7, T0, &p, NULL), PKT_SKIP);
    frag_frame(ADDR4_A, ADDR4_B, 17, 3, 400, 1, y, 2000);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 8, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.frame, 8);
    memcpy(want, x, 3008);
    memcpy(want + 800, y + 800, 800);
    assert_memory_equal(p.payload, want + 8, 3000);
    assert_int_equal(pkt_frag_pending(d, NULL), 0);
    dec_release();
    pkt_decoder_free(d);
}

static void test_duplicates(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    make_udp(3000, 4);
    pkt p;
    assert_int_equal(send_piece(d, &P3[0], 9, 1, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[0], 9, 2, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[1], 9, 3, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[1], 9, 4, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[2], 9, 5, T0 + 1, &p, NULL), PKT_OK);
    check_udp_result(&p, 5, T0 + 1);
    /* a retransmitted last piece after completion starts a new datagram
     * that never completes: nothing is delivered twice */
    assert_int_equal(send_piece(d, &P3[2], 9, 6, T0 + 2, &p, NULL), PKT_SKIP);
    assert_int_equal(pkt_frag_pending(d, NULL), 1);
    dec_release();
    pkt_decoder_free(d);
}

static void test_missing_piece(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    make_udp(3000, 5);
    pkt p;
    /* no last piece */
    assert_int_equal(send_piece(d, &P3[0], 1, 1, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[1], 1, 2, T0, &p, NULL), PKT_SKIP);
    /* no middle piece */
    assert_int_equal(send_piece(d, &P3[0], 2, 3, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[2], 2, 4, T0, &p, NULL), PKT_SKIP);
    /* no first piece */
    assert_int_equal(send_piece(d, &P3[1], 3, 5, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[2], 3, 6, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(pkt_frag_pending(d, NULL), 3);
    dec_release();
    pkt_decoder_free(d); /* the pending datagrams are freed (ASan: no leak) */
}

static void test_tcp_over_fragments(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    static uint8_t data[2000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i ^ 0x5A);
    fb_reset(&dg);
    fb_tcp(&dg, 16993, 51000, 1000, 2000, PKT_ACK | PKT_PSH, 512, 12, data, sizeof data);
    pkt p;
    frag_frame(ADDR4_B, ADDR4_A, 6, 77, 0, 1, dg.b, 16); /* splits the TCP header */
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 1, T0, &p, NULL), PKT_SKIP);
    frag_frame(ADDR4_B, ADDR4_A, 6, 77, 16, 0, dg.b, dg.n - 16);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 2, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.proto, 6);
    assert_memory_equal(p.src, ADDR4_B, 4);
    assert_int_equal(p.sport, 16993);
    assert_int_equal(p.dport, 51000);
    assert_int_equal(p.seq, 1000);
    assert_int_equal(p.ack, 2000);
    assert_int_equal(p.tcp_flags, PKT_ACK | PKT_PSH);
    assert_int_equal(p.window, 512);
    assert_int_equal(p.payload_len, sizeof data);
    assert_int_equal(p.wire_payload_len, sizeof data);
    assert_memory_equal(p.payload, data, sizeof data);

    /* the reassembled TCP header is checked like any other */
    dg.b[12] = 0x30;
    frag_frame(ADDR4_B, ADDR4_A, 6, 78, 0, 1, dg.b, 16);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 3, T0, &p, NULL), PKT_SKIP);
    frag_frame(ADDR4_B, ADDR4_A, 6, 78, 16, 0, dg.b, dg.n - 16);
    const char *why;
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 4, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "TCP data offset 3 < 5");
    dec_release();
    pkt_decoder_free(d);
}

/* The key is (src, dst, protocol, id): datagrams differing in one of them
 * are reassembled apart, even interleaved. */
static void test_keys(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    static uint8_t a[3008], b[3008], c[3008];
    make_udp(3000, 10);
    memcpy(a, dg.b, dg.n);
    make_udp(3000, 20);
    memcpy(b, dg.b, dg.n);
    make_udp(3000, 30);
    memcpy(c, dg.b, dg.n);
    /* TCP with the same id: a different protocol */
    c[12] = 0x50;
    pkt p;
    for (int i = 0; i < 2; i++) {
        frag_frame(ADDR4_A, ADDR4_B, 17, 5, P3[i].off, 1, a, P3[i].len);
        assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 1, T0, &p, NULL), PKT_SKIP);
        frag_frame(ADDR4_B, ADDR4_A, 17, 5, P3[i].off, 1, b, P3[i].len);
        assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 1, T0, &p, NULL), PKT_SKIP);
        frag_frame(ADDR4_A, ADDR4_B, 6, 5, P3[i].off, 1, c, P3[i].len);
        assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 1, T0, &p, NULL), PKT_SKIP);
    }
    assert_int_equal(pkt_frag_pending(d, NULL), 3);
    frag_frame(ADDR4_B, ADDR4_A, 17, 5, 2960, 0, b, 48);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 2, T0, &p, NULL), PKT_OK);
    assert_memory_equal(p.src, ADDR4_B, 4);
    assert_memory_equal(p.payload, b + 8, 3000);
    frag_frame(ADDR4_A, ADDR4_B, 17, 5, 2960, 0, a, 48);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 3, T0, &p, NULL), PKT_OK);
    assert_memory_equal(p.src, ADDR4_A, 4);
    assert_memory_equal(p.payload, a + 8, 3000);
    frag_frame(ADDR4_A, ADDR4_B, 6, 5, 2960, 0, c, 48);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 4, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.proto, 6);
    assert_int_equal(pkt_frag_pending(d, NULL), 0);
    dec_release();
    pkt_decoder_free(d);
}

/* More than 64 pending datagrams: the oldest are dropped. */
static void test_limit_datagrams(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    make_udp(3000, 6);
    pkt p;
    for (uint16_t id = 0; id < 70; id++)
        assert_int_equal(send_piece(d, &P3[0], id, id + 1, T0 + id, &p, NULL), PKT_SKIP);
    assert_int_equal(pkt_frag_pending(d, NULL), PKT_FRAG_MAX_DATAGRAMS);
    /* 0..5 are gone: their remaining pieces cannot complete them (and
     * start a new entry, which pushes out 6) */
    assert_int_equal(send_piece(d, &P3[1], 0, 100, T0 + 100, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[2], 0, 101, T0 + 101, &p, NULL), PKT_SKIP);
    /* the newest still complete */
    for (uint16_t id = 69; id >= 68; id--) {
        assert_int_equal(send_piece(d, &P3[1], id, 102, T0 + 102, &p, NULL), PKT_SKIP);
        assert_int_equal(send_piece(d, &P3[2], id, 103, T0 + 103, &p, NULL), PKT_OK);
        check_udp_result(&p, 103, T0 + 103);
    }
    assert_int_equal(pkt_frag_pending(d, NULL), PKT_FRAG_MAX_DATAGRAMS - 2);
    dec_release();
    pkt_decoder_free(d);
}

/* Pending bytes over 256 KiB: the oldest datagrams are dropped. */
static void test_limit_bytes(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    make_udp(16000 - 8, 7); /* 16000 bytes of UDP */
    pkt p;
    piece first = {0, 15992, 1}, last = {15992, 8, 0};
    for (uint16_t id = 0; id < 40; id++) {
        assert_int_equal(send_piece(d, &first, id, id + 1, T0, &p, NULL), PKT_SKIP);
        size_t bytes;
        assert_true(pkt_frag_pending(d, &bytes) <= 40);
        assert_true(bytes <= PKT_FRAG_MAX_BYTES);
    }
    size_t bytes;
    size_t n = pkt_frag_pending(d, &bytes);
    assert_true(n < 20 && n >= 10);
    assert_true(bytes <= PKT_FRAG_MAX_BYTES);
    /* the newest completes, the oldest was dropped */
    assert_int_equal(send_piece(d, &last, 39, 50, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.payload_len, 16000 - 8);
    assert_memory_equal(p.payload, dg.b + 8, 16000 - 8);
    assert_int_equal(send_piece(d, &last, 0, 51, T0, &p, NULL), PKT_SKIP);
    dec_release();
    pkt_decoder_free(d);
}

/* A datagram not complete 30 s (capture time) after its first fragment is
 * dropped. */
static void test_expiry(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    make_udp(3000, 8);
    pkt p;
    const int64_t s = 1000000;

    assert_int_equal(send_piece(d, &P3[0], 1, 1, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[1], 1, 2, T0 + 29 * s, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[2], 1, 3, T0 + 30 * s, &p, NULL), PKT_OK);
    check_udp_result(&p, 3, T0 + 30 * s);

    assert_int_equal(send_piece(d, &P3[0], 2, 4, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[1], 2, 5, T0 + 10 * s, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[2], 2, 6, T0 + 31 * s, &p, NULL), PKT_SKIP);
    /* the expired entry went; the last piece waits in a new one */
    assert_int_equal(pkt_frag_pending(d, NULL), 1);

    /* expiry also clears unrelated datagrams as time goes on */
    assert_int_equal(send_piece(d, &P3[0], 3, 7, T0 + 40 * s, &p, NULL), PKT_SKIP);
    assert_int_equal(pkt_frag_pending(d, NULL), 2);
    assert_int_equal(send_piece(d, &P3[0], 4, 8, T0 + 62 * s, &p, NULL), PKT_SKIP);
    assert_int_equal(pkt_frag_pending(d, NULL), 2); /* ids 3 and 4 */
    dec_release();
    pkt_decoder_free(d);
}

static void test_hostile_fragments(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    static uint8_t junk[70000];
    memset(junk, 0xA5, sizeof junk);
    pkt p;
    const char *why;

    /* ping of death: past 65535 bytes */
    frag_frame(ADDR4_A, ADDR4_B, 17, 1, 65528, 0, junk, 100);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IPv4 fragment ends at 65648 > 65535");
    frag_frame(ADDR4_A, ADDR4_B, 17, 1, 65512, 1, junk, 8); /* ends at 65540 */
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_int_equal(pkt_frag_pending(d, NULL), 0);

    /* two last pieces that disagree */
    make_udp(3000, 9);
    assert_int_equal(send_piece(d, &P3[2], 2, 2, T0, &p, NULL), PKT_SKIP);
    piece other_last = {1480, 520, 0};
    assert_int_equal(send_piece(d, &other_last, 2, 3, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IPv4 fragments disagree on the datagram length (3008 vs 2000)");
    assert_int_equal(pkt_frag_pending(d, NULL), 0);

    /* data past the end the last piece set */
    assert_int_equal(send_piece(d, &P3[2], 3, 4, T0, &p, NULL), PKT_SKIP);
    piece past = {2960, 1480, 1};
    assert_int_equal(send_piece(d, &past, 3, 5, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IPv4 fragment data beyond the datagram length 3008");
    /* and a last piece below data already held */
    assert_int_equal(send_piece(d, &P3[1], 4, 6, T0, &p, NULL), PKT_SKIP);
    piece short_last = {8, 992, 0}; /* offset 0 without MF would be no fragment */
    assert_int_equal(send_piece(d, &short_last, 4, 7, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IPv4 fragment data beyond the datagram length 1000");
    assert_int_equal(pkt_frag_pending(d, NULL), 0);

    /* 8-byte pieces with gaps between them: at most 128 disjoint ones */
    for (unsigned i = 0; i < 128; i++) {
        frag_frame(ADDR4_A, ADDR4_B, 17, 5, i * 16, 1, junk, 8);
        assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, i + 1, T0, &p, NULL), PKT_SKIP);
    }
    frag_frame(ADDR4_A, ADDR4_B, 17, 5, 128 * 16, 1, junk, 8);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 200, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IPv4 datagram in more than 128 disjoint fragments");
    assert_int_equal(pkt_frag_pending(d, NULL), 0);
    /* filling the gaps instead merges the pieces and stays in bounds */
    for (unsigned i = 0; i < 128; i++) {
        frag_frame(ADDR4_A, ADDR4_B, 17, 6, i * 16, 1, junk, 8);
        assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, i + 1, T0, &p, NULL), PKT_SKIP);
    }
    for (unsigned i = 0; i < 128; i++) {
        frag_frame(ADDR4_A, ADDR4_B, 17, 6, i * 16 + 8, i < 127, junk, 8);
        pkt_status st = dec(d, DLT_EN10MB, fr.b, fr.n, i + 1, T0, &p, &why);
        assert_int_equal(st, i < 127 ? PKT_SKIP : PKT_MALFORMED);
    }
    /* the junk's UDP length (0xA5A5) exceeds the 2048 bytes reassembled */
    assert_string_equal(why, "UDP length 42405 > IP payload length 2048");

    /* fragments of other protocols are not kept */
    frag_frame(ADDR4_A, ADDR4_B, 1, 7, 0, 1, junk, 64);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 1, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(pkt_frag_pending(d, NULL), 0);
    dec_release();
    pkt_decoder_free(d);
}

/* A fragment cut by the snapshot length leaves a hole: the datagram is not
 * completed with bytes that were never captured. */
static void test_truncated_fragment(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    make_udp(3000, 11);
    pkt p;
    frag_frame(ADDR4_A, ADDR4_B, 17, 1, 0, 1, dg.b, 1480);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n - 100, 1, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[1], 1, 2, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(send_piece(d, &P3[2], 1, 3, T0, &p, NULL), PKT_SKIP);
    assert_int_equal(pkt_frag_pending(d, NULL), 1);
    /* a retransmission of the whole piece fills the hole */
    assert_int_equal(send_piece(d, &P3[0], 1, 4, T0, &p, NULL), PKT_OK);
    check_udp_result(&p, 4, T0);
    dec_release();
    pkt_decoder_free(d);
}

static uint32_t rng_state = 0x2545F491u;

static uint32_t rnd(void)
{
    /* xorshift32: reproducible without libc state */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

/* Random pieces (overlapping, duplicated, any order) against a byte-level
 * model of "the first copy wins": the decoder must complete exactly when
 * the model has every byte, with the model's bytes. */
static void test_random_against_model(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    static uint8_t model[1024], have[1024], piece_data[1024];
    unsigned completed = 0;
    for (unsigned round = 0; round < 400; round++) {
        /* at most 1024 bytes in pieces of >= 8: fewer than 128 disjoint */
        size_t total = 16 + rnd() % (sizeof model - 16);
        memset(have, 0, sizeof have);
        int have_last = 0;
        unsigned npieces = 1 + rnd() % 40;
        for (unsigned k = 0; k < npieces; k++) {
            size_t off = 8 * (rnd() % ((total + 7) / 8));
            if (rnd() % 3 == 0) {
                /* often start at the first hole, so rounds do complete */
                size_t hole = 0;
                while (hole < total && have[hole])
                    hole++;
                off = hole & ~(size_t)7;
            }
            if (off >= total)
                off -= 8;
            size_t room = total - off;
            size_t len = room <= 8 ? room : 8 + rnd() % (room - 7);
            if (len > 600)
                len = 600;
            int more = off + len < total ? 1 : (int)(rnd() % 2);
            if (off == 0 && !more)
                more = 1; /* that would be a whole datagram, not a fragment */
            for (size_t i = 0; i < len; i++)
                piece_data[off + i] = (uint8_t)rnd();
            /* the UDP length is 0 in every copy: "the IP length rules" */
            for (size_t i = 4; i < 6; i++)
                if (i >= off && i < off + len)
                    piece_data[i] = 0;
            for (size_t i = off; i < off + len; i++) {
                if (!have[i]) {
                    have[i] = 1;
                    model[i] = piece_data[i];
                }
            }
            if (!more)
                have_last = 1;
            int whole = have_last;
            for (size_t i = 0; i < total && whole; i++)
                whole = have[i];

            frag_frame(ADDR4_A, ADDR4_B, 17, (uint16_t)round, off, more, piece_data, len);
            pkt p;
            const char *why = NULL;
            pkt_status st = dec(d, DLT_EN10MB, fr.b, fr.n, k + 1, T0, &p, &why);
            if (whole) {
                if (st != PKT_OK)
                    fail_msg("round %u piece %u: status %d (%s)", round, k, (int)st,
                             why != NULL ? why : "");
                assert_int_equal(p.payload_len, total - 8);
                assert_memory_equal(p.payload, model + 8, total - 8);
                completed++;
                break;
            }
            assert_int_equal(st, PKT_SKIP);
        }
    }
    print_message("model: %u of 400 datagrams completed\n", completed);
    assert_true(completed > 50);
    dec_release();
    pkt_decoder_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_overlap_first_copy_wins),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_missing_piece),
        cmocka_unit_test(test_tcp_over_fragments),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_limit_datagrams),
        cmocka_unit_test(test_limit_bytes),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_hostile_fragments),
        cmocka_unit_test(test_truncated_fragment),
        cmocka_unit_test(test_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
