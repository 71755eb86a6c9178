/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the capture layer's tests: a byte builder for hand-made
 * frames (written independently of the decoder, field by field from the
 * RFCs), a temp directory, and a collector for cap_run's callbacks. All
 * static inline so each test program uses what it needs without warnings. */
#ifndef CAPTURE_TEST_UTIL_H
#define CAPTURE_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/packet.h"

#define T0 INT64_C(1700000000000000) /* 2023-11-14, in microseconds */

/* not every test program uses every shared object */
#define TEST_SHARED __attribute__((unused))

/* ---- byte builder ---- */

typedef struct {
    uint8_t b[70000];
    size_t n;
} fbuf;

static inline void fb_reset(fbuf *f)
{
    f->n = 0;
}

static inline void fb_bytes(fbuf *f, const void *p, size_t n)
{
    assert_true(f->n + n <= sizeof f->b);
    if (n > 0)
        memcpy(f->b + f->n, p, n);
    f->n += n;
}

static inline void fb_u8(fbuf *f, unsigned v)
{
    uint8_t b = (uint8_t)v;
    fb_bytes(f, &b, 1);
}

static inline void fb_be16(fbuf *f, unsigned v)
{
    fb_u8(f, v >> 8);
    fb_u8(f, v);
}

static inline void fb_be32(fbuf *f, uint32_t v)
{
    fb_be16(f, v >> 16);
    fb_be16(f, v & 0xFFFF);
}

static inline void fb_le32(fbuf *f, uint32_t v)
{
    fb_u8(f, v);
    fb_u8(f, v >> 8);
    fb_u8(f, v >> 16);
    fb_u8(f, v >> 24);
}

static inline void fb_fill(fbuf *f, unsigned v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fb_u8(f, v);
}

/* A TCP header (optlen bytes of NOP options) and payload. */
static inline void fb_tcp(fbuf *f, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                          uint8_t flags, uint16_t win, size_t optlen, const void *pl, size_t plen)
{
    assert_true(optlen % 4 == 0 && optlen <= 40);
    fb_be16(f, sport);
    fb_be16(f, dport);
    fb_be32(f, seq);
    fb_be32(f, ack);
    fb_u8(f, (unsigned)((20 + optlen) / 4) << 4);
    fb_u8(f, flags);
    fb_be16(f, win);
    fb_be16(f, 0); /* checksum: the decoder does not check it */
    fb_be16(f, 0);
    fb_fill(f, 1, optlen);
    fb_bytes(f, pl, plen);
}

static inline void fb_udp(fbuf *f, uint16_t sport, uint16_t dport, const void *pl, size_t plen)
{
    fb_be16(f, sport);
    fb_be16(f, dport);
    fb_be16(f, (unsigned)(8 + plen));
    fb_be16(f, 0);
    fb_bytes(f, pl, plen);
}

/* An IPv4 header (optlen bytes of NOP options) followed by l4. fragfield
 * is the flags/offset word as on the wire. */
static inline void fb_ipv4(fbuf *f, const uint8_t *src, const uint8_t *dst, uint8_t proto,
                           uint16_t id, uint16_t fragfield, size_t optlen, const void *l4,
                           size_t l4len)
{
    assert_true(optlen % 4 == 0 && optlen <= 40);
    fb_u8(f, 0x40 | (unsigned)((20 + optlen) / 4));
    fb_u8(f, 0);
    fb_be16(f, (unsigned)(20 + optlen + l4len));
    fb_be16(f, id);
    fb_be16(f, fragfield);
    fb_u8(f, 64);
    fb_u8(f, proto);
    fb_be16(f, 0);
    fb_bytes(f, src, 4);
    fb_bytes(f, dst, 4);
    fb_fill(f, 1, optlen);
    fb_bytes(f, l4, l4len);
}

/* An IPv6 header; payload holds any extension headers and the L4. */
static inline void fb_ipv6(fbuf *f, const uint8_t *src, const uint8_t *dst, uint8_t nh,
                           const void *payload, size_t len)
{
    fb_be32(f, 0x60000000u);
    fb_be16(f, (unsigned)len);
    fb_u8(f, nh);
    fb_u8(f, 64);
    fb_bytes(f, src, 16);
    fb_bytes(f, dst, 16);
    fb_bytes(f, payload, len);
}

static inline void fb_eth(fbuf *f, unsigned ethertype)
{
    static const uint8_t macs[12] = {2, 0, 0xc0, 0, 2, 0x10, 2, 0, 0xc0, 0, 2, 0x14};
    fb_bytes(f, macs, sizeof macs);
    fb_be16(f, ethertype);
}

TEST_SHARED static const uint8_t ADDR4_A[4] = {192, 0, 2, 10};
TEST_SHARED static const uint8_t ADDR4_B[4] = {192, 0, 2, 20};
TEST_SHARED static const uint8_t ADDR6_A[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                                0,    0,    0,    0,    0, 0, 0, 0x10};
TEST_SHARED static const uint8_t ADDR6_B[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                                0,    0,    0,    0,    0, 0, 0, 0x20};

/* ---- decoding a copy of exactly the frame's size, so ASan sees any read
 * past caplen ---- */

TEST_SHARED static uint8_t *g_copy;

static inline void dec_release(void)
{
    free(g_copy);
    g_copy = NULL;
}

static inline pkt_status dec(pkt_decoder *d, int lt, const uint8_t *b, size_t n, uint64_t frame,
                             int64_t ts, pkt *p, const char **why)
{
    dec_release();
    g_copy = malloc(n > 0 ? n : 1);
    assert_non_null(g_copy);
    if (n > 0)
        memcpy(g_copy, b, n);
    return pkt_decode(d, lt, g_copy, n, frame, ts, p, why);
}

/* ---- temp directory ---- */

TEST_SHARED static char tmpdir[64];

static inline int tmpdir_setup(const char *prog)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/%s.XXXXXX", prog);
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static inline int tmpdir_teardown(void)
{
    DIR *dir = opendir(tmpdir);
    if (dir == NULL)
        return -1;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
        unlink(p);
    }
    closedir(dir);
    return rmdir(tmpdir);
}

static inline void tmp_path(char *out, size_t len, const char *name)
{
    int r = snprintf(out, len, "%s/%s", tmpdir, name);
    assert_true(r > 0 && (size_t)r < len);
}

static inline void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n > 0)
        assert_int_equal(fwrite(b, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static inline uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0 && n < 64 * 1024 * 1024);
    rewind(f);
    uint8_t *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* ---- collecting cap_run's output ---- */

#define MAX_RECS 512
#define MAX_WARNS 16

typedef struct {
    pkt p;         /* payload points into data */
    uint8_t *data; /* a copy: pkt.payload is valid only during the callback */
    char file[256];
} rec;

typedef struct {
    rec r[MAX_RECS];
    size_t n;
    char warn_file[MAX_WARNS][256];
    char warn[MAX_WARNS][1024];
    uint64_t warn_frame[MAX_WARNS];
    size_t nwarn;
    size_t stop_after; /* 0: never */
} collect;

static inline void on_pkt(void *ctx, const pkt *p)
{
    collect *c = ctx;
    assert_true(c->n < MAX_RECS);
    rec *r = &c->r[c->n++];
    r->p = *p;
    r->data = malloc(p->payload_len > 0 ? p->payload_len : 1);
    assert_non_null(r->data);
    if (p->payload_len > 0)
        memcpy(r->data, p->payload, p->payload_len);
    r->p.payload = r->data;
    snprintf(r->file, sizeof r->file, "%s", p->file != NULL ? p->file : "(null)");
    r->p.file = r->file;
}

static inline void on_warn(void *ctx, const char *file, uint64_t frame, const char *reason)
{
    collect *c = ctx;
    assert_true(c->nwarn < MAX_WARNS);
    snprintf(c->warn_file[c->nwarn], sizeof c->warn_file[0], "%s", file);
    snprintf(c->warn[c->nwarn], sizeof c->warn[0], "%s", reason);
    c->warn_frame[c->nwarn] = frame;
    c->nwarn++;
}

static inline int on_stop(void *ctx)
{
    collect *c = ctx;
    return c->stop_after != 0 && c->n >= c->stop_after;
}

static inline collect *collect_new(void)
{
    collect *c = calloc(1, sizeof *c);
    assert_non_null(c);
    return c;
}

static inline void collect_free(collect *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->r[i].data);
    free(c);
}

/* Opens path, runs it to the end with a fresh decoder; returns cap_run's
 * result. */
static inline int run_file(const char *path, collect *c, cap_stats *st)
{
    amt_err err;
    cap_source *s = cap_open_file(path, &err);
    if (s == NULL)
        fail_msg("cap_open_file(%s): %s", path, err.msg);
    pkt_decoder *d = pkt_decoder_new();
    assert_non_null(d);
    int rc = cap_run(s, d, on_pkt, on_warn, c, st);
    if (rc < 0)
        print_message("cap_run: %s\n", cap_error(s));
    pkt_decoder_free(d);
    cap_close(s);
    return rc;
}

#endif
