/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the TCP flow table and stream reassembly (tcp/flow.h, reasm.h).
 *
 * Input: an options byte (bit 0: tight limits, so eviction, forced gaps and
 * history drops happen on small inputs), then segment descriptors:
 *
 *   byte 0      TCP flags (FIN 1, SYN 2, RST 4, PSH 8, ACK 16)
 *               | 0x20 server to client | 0x40 IPv6 | 0x80 sliced
 *   byte 1      flow index (low 3 bits) | 0x40 time step in seconds
 *               | 0x80 expire idle flows after this segment
 *   bytes 2-5   sequence number (big-endian)
 *   bytes 6-9   acknowledgement number
 *   bytes 10-11 time since the previous segment (ms, or s with 0x40)
 *   bytes 12-13 payload length
 *   [byte 14]   when sliced: bytes missing from the capture / 16
 *   payload     (cut short when the input ends)
 *
 * The flow index picks fixed endpoints: a console address and port and an
 * AMT address and port (AMT ports, and pairs without one so the "lower
 * port" rule for mid-stream captures runs too). */
#include <sys/socket.h>

#include "fuzz_common.h"
#include "tcp/flow.h"

#define MAX_SEGMENTS 4096

static const uint16_t server_ports[8] = {16993, 16992, 16994, 16995, 16993, 16993, 443, 60000};

typedef struct tally {
    uint64_t opened, closed;
    int marker; /* flow->app points here while a flow is open */
} tally;

static void on_open(void *ctx, tcp_flow *f)
{
    tally *t = ctx;
    FZ_CHECK(f->app == NULL);
    f->app = &t->marker;
    t->opened++;
}

static void on_data(void *ctx, tcp_flow *f, int dir, const uint8_t *data, size_t len,
                    uint64_t first_frame, uint64_t last_frame)
{
    tally *t = ctx;
    FZ_CHECK(f->app == &t->marker);
    FZ_CHECK(dir == 0 || dir == 1);
    FZ_CHECK(len > 0 && data);
    FZ_CHECK(first_frame <= last_frame);
    fz_touch(data, len);
}

static void on_gap(void *ctx, tcp_flow *f, int dir, uint64_t offset, uint64_t len,
                   uint64_t frame_before, uint64_t frame_after)
{
    tally *t = ctx;
    (void)offset;
    (void)frame_before;
    (void)frame_after;
    FZ_CHECK(f->app == &t->marker);
    FZ_CHECK(dir == 0 || dir == 1);
    FZ_CHECK(len > 0);
}

static void on_conflict(void *ctx, tcp_flow *f, int dir, uint64_t frame, uint64_t offset,
                        uint64_t len)
{
    tally *t = ctx;
    (void)frame;
    (void)offset;
    (void)len;
    FZ_CHECK(f->app == &t->marker);
    FZ_CHECK(dir == 0 || dir == 1);
}

static void on_close(void *ctx, tcp_flow *f)
{
    tally *t = ctx;
    FZ_CHECK(f->app == &t->marker);
    FZ_CHECK(f->end != TCP_FLOW_OPEN);
    f->app = NULL;
    t->closed++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    uint8_t options;
    if (!fz_u8(&in, &options))
        return 0;
    flow_table_limits lim;
    flow_table_limits_init(&lim);
    if (options & 1) {
        lim.max_buffered_per_dir = 4096;
        lim.history_per_dir = 1024;
        lim.max_buffered_total = 16384;
        lim.max_history_total = 4096;
        lim.max_flows = 3;
        lim.idle_timeout_us = 5 * 1000000;
    }
    tally t = {0};
    flow_table_callbacks cb = {on_open, on_data, on_gap, on_conflict, on_close, &t};
    flow_table *ft = flow_table_new(&lim, &cb);
    FZ_CHECK(ft);

    int64_t now = INT64_C(1700000000) * 1000000;
    for (uint64_t frame = 1; frame <= MAX_SEGMENTS && in.n >= 14; frame++) {
        uint8_t flags, sel;
        uint16_t step, plen;
        tcp_seg s = {.frame = frame};
        fz_u8(&in, &flags);
        fz_u8(&in, &sel);
        fz_u32(&in, &s.seq);
        fz_u32(&in, &s.ack);
        fz_u16(&in, &step);
        fz_u16(&in, &plen);
        uint8_t missing = 0;
        if (flags & 0x80)
            fz_u8(&in, &missing);

        now += (int64_t)step * ((sel & 0x40) ? 1000000 : 1000);
        s.ts_us = now;
        int v6 = (flags & 0x40) != 0;
        s.family = v6 ? AF_INET6 : AF_INET;
        uint8_t console[16] = {0}, amt[16] = {0};
        if (v6) {
            static const uint8_t pfx[6] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x10};
            memcpy(console, pfx, 6);
            memcpy(amt, pfx, 6);
            console[15] = 0x10;
            amt[15] = 0x20;
        } else {
            memcpy(console, (const uint8_t[]){192, 0, 2, 10}, 4);
            memcpy(amt, (const uint8_t[]){192, 0, 2, 20}, 4);
        }
        uint16_t cport = (uint16_t)(50113 + (sel & 7)), sport = server_ports[sel & 7];
        int to_console = (flags & 0x20) != 0;
        memcpy(s.src, to_console ? amt : console, 16);
        memcpy(s.dst, to_console ? console : amt, 16);
        s.sport = to_console ? sport : cport;
        s.dport = to_console ? cport : sport;
        s.flags = flags & 0x1f;
        s.payload = fz_take(&in, plen, &s.payload_len);
        s.wire_payload_len = s.payload_len + (size_t)missing * 16;
        /* The payload is copied to a buffer of its exact size so that a read
         * past it is caught even when more input follows. */
        uint8_t *copy = malloc(s.payload_len ? s.payload_len : 1);
        FZ_CHECK(copy);
        memcpy(copy, s.payload, s.payload_len);
        s.payload = copy;
        flow_table_segment(ft, &s);
        free(copy);
        if (sel & 0x80)
            flow_table_expire(ft, now);

        flow_table_stats st;
        flow_table_get_stats(ft, &st);
        FZ_CHECK(st.flows <= lim.max_flows);
        FZ_CHECK(st.flows == t.opened - t.closed);
    }
    flow_table_finish(ft);
    flow_table_stats st;
    flow_table_get_stats(ft, &st);
    FZ_CHECK(st.flows == 0 && st.buffered == 0);
    flow_table_free(ft);
    FZ_CHECK(t.opened == t.closed);
    return 0;
}
