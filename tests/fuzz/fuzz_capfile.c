/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: capfile, the one reader of pcap and pcapng files, over a
 * byte source stacked on a memory reader that hands out the input in
 * pieces of varying size (as a pipe does).
 *
 * Input: one control byte (the largest piece a read returns, times 7, plus
 * one), then a capture file. Every block is asked for, as --inject-secrets
 * copies them; the checks are that every record points inside the block it
 * came from, that the end comes with a message when it is not clean, and
 * that nothing is read after it. */
#include "capture/capfile.h"
#include "fuzz_common.h"

typedef struct mem_in {
    const uint8_t *p;
    size_t n, piece;
} mem_in;

static long mem_read(void *ctx, uint8_t *buf, size_t cap, amt_err *e)
{
    (void)e;
    mem_in *m = ctx;
    size_t k = m->n < cap ? m->n : cap;
    if (k > m->piece)
        k = m->piece;
    if (k)
        memcpy(buf, m->p, k);
    m->p += k;
    m->n -= k;
    return (long)k;
}

static void mem_close(void *ctx)
{
    (void)ctx;
}

static const bsrc_ops mem_ops = {mem_read, mem_close};

static int inside(const uint8_t *p, size_t n, const cap_record *r)
{
    return p >= r->block && n <= r->block_len && (size_t)(p - r->block) <= r->block_len - n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    mem_in m = {data + 1, size - 1, (size_t)data[0] * 7 + 1};
    byte_src *src = bsrc_new("fuzz.pcapng", &mem_ops, &m);
    FZ_CHECK(src);
    amt_err e = {AMT_OK, ""};
    capfile *f = capfile_open(src, &e);
    if (f == NULL) {
        FZ_CHECK(e.rc != AMT_OK && e.msg[0]);
        return 0;
    }
    capfile_all_blocks(f, 1);
    uint64_t packets = 0;
    for (size_t records = 0;; records++) {
        FZ_CHECK(records <= size); /* every record consumes bytes */
        cap_record r;
        caprec_kind k = capfile_next(f, &r, &e);
        if (k == CAPREC_END)
            break;
        if (k == CAPREC_TRUNCATED || k == CAPREC_ERROR) {
            FZ_CHECK(e.rc != AMT_OK && e.msg[0]);
            FZ_CHECK(capfile_next(f, &r, &e) == CAPREC_END);
            break;
        }
        if (k == CAPREC_PACKET) {
            packets++;
            FZ_CHECK(r.caplen <= CAPFILE_BLOCK_MAX);
            if (capfile_is_pcapng(f))
                FZ_CHECK(inside(r.data, r.caplen, &r));
        } else if (k == CAPREC_SECRETS) {
            FZ_CHECK(inside(r.secrets, r.secrets_len, &r));
        } else if (k == CAPREC_NOTE) {
            FZ_CHECK(r.note && r.note[0]);
        }
        if (capfile_is_pcapng(f) && k != CAPREC_NOTE)
            FZ_CHECK(r.block_len >= 12 && r.block_len % 4 == 0 && r.block_len <= size);
    }
    FZ_CHECK(capfile_packets(f) == packets);
    capfile_close(f);
    return 0;
}
