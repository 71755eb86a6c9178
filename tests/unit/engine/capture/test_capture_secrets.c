/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the key logs a pcapng embeds, as cap_run hands them out
 * while it reads the capture (once): key logs embedded by the simulator's
 * writer come back byte for byte; several DSBs, several sections in both
 * byte orders, other block and secret types; every kind of corrupt block
 * length fails with the file and offset, keeping the secrets read before
 * it; cut-off files, classic pcap, text, the 64 MiB cap (what fits is kept)
 * and the bundled sample. */
#include "capture_test_util.h"

#include <glib.h>

#include "endpoint.h"
#include "pcapw.h"
#include "wire.h"

static const char KEYLOG[] =
    "CLIENT_RANDOM 0102030405060708091011121314151617181920212223242526272829303132 "
    "aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566"
    "778899\n"
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET 01020304 0a0b0c0d\n";

/* A pcapng with one DSB before a short TCP conversation, written by wire. */
static void write_with_secrets(const char *path, const char *keylog)
{
    char err[256];
    wire *w = wire_open(path, PCAPW_PCAPNG, 1460, err, sizeof err);
    if (w == NULL)
        fail_msg("%s", err);
    if (keylog != NULL)
        assert_int_equal(wire_add_tls_secrets(w, keylog, strlen(keylog)), 0);
    sim_endpoint cli, srv;
    assert_int_equal(sim_endpoint_set(&cli, "192.0.2.10", 50000), 0);
    assert_int_equal(sim_endpoint_set(&srv, "192.0.2.20", 16993), 0);
    wire_tcp *t = wire_tcp_connect(w, &cli, &srv, T0, 1, 2);
    assert_non_null(t);
    assert_int_equal(wire_tcp_send(t, 0, T0 + 10, (const uint8_t *)"hello", 5), 0);
    assert_int_equal(wire_close(w), 0);
}

/* What cap_run hands out: the key logs, one line apart, and the warnings. */
typedef struct got_secrets {
    GString *text;
    int n;
    char warning[512];
} got_secrets;

static void on_keylog(void *ctx, const char *file, uint64_t frame, const char *keylog, size_t len)
{
    (void)file;
    (void)frame;
    got_secrets *g = ctx;
    if (g->text->len && g->text->str[g->text->len - 1] != '\n')
        g_string_append_c(g->text, '\n');
    g_string_append_len(g->text, keylog, (gssize)len);
    g->n++;
}

static void on_note(void *ctx, const char *file, uint64_t frame, const char *reason)
{
    (void)file;
    (void)frame;
    got_secrets *g = ctx;
    snprintf(g->warning, sizeof g->warning, "%s", reason);
}

/* Reads path to its end: the number of TLS key logs, or -1 when it cannot
 * be opened or a block is corrupt; err is the message ("" when none, the
 * truncation warning for a cut-off file). What was read stays in out. */
static int read_secrets(const char *path, GString *out, char *err, size_t errlen)
{
    snprintf(err, errlen, "unset");
    amt_err e;
    cap_source *s = cap_open_file(path, &e);
    if (s == NULL) {
        snprintf(err, errlen, "%s", e.msg);
        return -1;
    }
    got_secrets g = {out, 0, ""};
    cap_set_secrets(s, on_keylog);
    pkt_decoder *d = pkt_decoder_new();
    int rc = cap_run(s, d, NULL, on_note, &g, NULL);
    snprintf(err, errlen, "%s", rc < 0 ? cap_error(s) : g.warning);
    pkt_decoder_free(d);
    cap_close(s);
    return rc < 0 ? -1 : g.n;
}

static void test_one_dsb(void **state)
{
    (void)state;
    char path[256], err[AMT_ERR_MAX];
    tmp_path(path, sizeof path, "one.pcapng");
    write_with_secrets(path, KEYLOG);
    GString *out = g_string_new(NULL);
    assert_int_equal(read_secrets(path, out, err, sizeof err), 1);
    assert_string_equal(err, "");
    assert_int_equal(out->len, strlen(KEYLOG));
    assert_string_equal(out->str, KEYLOG);
    g_string_free(out, TRUE);

    /* the capture itself still reads normally */
    collect *c = collect_new();
    assert_int_equal(run_file(path, c, NULL), 0);
    assert_int_equal(c->n, 5);
    collect_free(c);
}

static void test_several_dsbs(void **state)
{
    (void)state;
    char path[256], err[AMT_ERR_MAX];
    tmp_path(path, sizeof path, "two.pcapng");
    pcapw *w = pcapw_open(path, PCAPW_PCAPNG, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(pcapw_add_tls_secrets(w, "A 1 2", 5), 0); /* no newline */
    assert_int_equal(pcapw_add_tls_secrets(w, "", 0), 0);      /* empty */
    assert_int_equal(pcapw_add_tls_secrets(w, "B 3 4\n", 6), 0);
    assert_int_equal(pcapw_close(w), 0);
    GString *out = g_string_new(NULL);
    assert_int_equal(read_secrets(path, out, err, sizeof err), 3);
    assert_string_equal(out->str, "A 1 2\nB 3 4\n");
    g_string_free(out, TRUE);
}

static void test_no_secrets(void **state)
{
    (void)state;
    char path[256], err[AMT_ERR_MAX];
    GString *out = g_string_new("keep");

    tmp_path(path, sizeof path, "none.pcapng");
    write_with_secrets(path, NULL);
    assert_int_equal(read_secrets(path, out, err, sizeof err), 0);
    assert_string_equal(err, "");

    tmp_path(path, sizeof path, "classic.pcap");
    pcapw *w = pcapw_open(path, PCAPW_PCAP, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(pcapw_write_frame(w, T0, (const uint8_t *)"0123456789abcdef", 16), 0);
    assert_int_equal(pcapw_close(w), 0);
    assert_int_equal(read_secrets(path, out, err, sizeof err), 0);
    assert_string_equal(err, "");

    assert_int_equal(read_secrets(AMTDIAG_SAMPLES_DIR "/ok-ipv6-classic-pcap/capture.pcap", out,
                                  err, sizeof err),
                     0);
    assert_int_equal(
        read_secrets(AMTDIAG_SAMPLES_DIR "/ok-tls13/capture.pcapng", out, err, sizeof err), 0);
    assert_string_equal(out->str, "keep");
    g_string_free(out, TRUE);
}

static void test_not_a_capture(void **state)
{
    (void)state;
    char path[256], err[AMT_ERR_MAX], want[512];
    GString *out = g_string_new(NULL);

    tmp_path(path, sizeof path, "text.txt");
    write_bytes(path, "hello\n", 6);
    assert_int_equal(read_secrets(path, out, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: not a pcap or pcapng file", path);
    assert_string_equal(err, want);

    tmp_path(path, sizeof path, "empty.pcapng");
    write_bytes(path, "", 0);
    assert_int_equal(read_secrets(path, out, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: empty file, not a pcap or pcapng file", path);
    assert_string_equal(err, want);

    tmp_path(path, sizeof path, "missing.pcapng");
    assert_int_equal(read_secrets(path, out, err, sizeof err), -1);
    assert_true(g_str_has_prefix(err, path));
    assert_non_null(strstr(err, "cannot open"));
    assert_int_equal(out->len, 0);
    g_string_free(out, TRUE);
}

/* ---- hand-written pcapng, any byte order ---- */

static void put32(fbuf *f, int big, uint32_t v)
{
    if (big)
        fb_be32(f, v);
    else
        fb_le32(f, v);
}

static void block(fbuf *f, int big, uint32_t type, const void *body, size_t n)
{
    size_t padded = (n + 3) & ~(size_t)3;
    put32(f, big, type);
    put32(f, big, (uint32_t)(12 + padded));
    fb_bytes(f, body, n);
    fb_fill(f, 0, padded - n);
    put32(f, big, (uint32_t)(12 + padded));
}

static void shb(fbuf *f, int big)
{
    fbuf *b = malloc(sizeof *b);
    assert_non_null(b);
    fb_reset(b);
    put32(b, big, 0x1A2B3C4Du);
    if (big) {
        fb_be16(b, 1);
        fb_be16(b, 0);
    } else {
        fb_u8(b, 1);
        fb_u8(b, 0);
        fb_u8(b, 0);
        fb_u8(b, 0);
    }
    fb_fill(b, 0xFF, 8);
    block(f, big, 0x0A0D0D0Au, b->b, b->n);
    free(b);
}

static void dsb(fbuf *f, int big, uint32_t stype, const char *text)
{
    fbuf *b = malloc(sizeof *b);
    assert_non_null(b);
    fb_reset(b);
    put32(b, big, stype);
    put32(b, big, (uint32_t)strlen(text));
    size_t n = strlen(text);
    fb_bytes(b, text, n);
    fb_fill(b, 0, ((n + 3) & ~(size_t)3) - n);
    block(f, big, 0x0000000Au, b->b, b->n);
    free(b);
}

/* Two sections, little- then big-endian, with a DSB each, an IDB, an
 * unknown custom block and a WireGuard key log DSB that is not TLS. */
static void test_sections_and_byte_orders(void **state)
{
    (void)state;
    fbuf *f = malloc(sizeof *f);
    assert_non_null(f);
    fb_reset(f);
    static const uint8_t idb_le[8] = {1, 0, 0, 0, 0xff, 0xff, 0, 0};
    static const uint8_t idb_be[8] = {0, 1, 0, 0, 0, 0, 0xff, 0xff};
    shb(f, 0);
    block(f, 0, 1, idb_le, sizeof idb_le);
    dsb(f, 0, 0x544c534bu, "LE 1 2");
    block(f, 0, 0x00000BADu, "custom", 6);
    dsb(f, 0, 0x57474b4cu, "wireguard key");
    shb(f, 1);
    block(f, 1, 1, idb_be, sizeof idb_be);
    dsb(f, 1, 0x544c534bu, "BE 3 4\n");
    char path[256], err[AMT_ERR_MAX];
    tmp_path(path, sizeof path, "sections.pcapng");
    write_bytes(path, f->b, f->n);
    GString *out = g_string_new(NULL);
    assert_int_equal(read_secrets(path, out, err, sizeof err), 2);
    assert_string_equal(err, "");
    assert_string_equal(out->str, "LE 1 2\nBE 3 4\n");

    /* a big-endian-only file */
    fb_reset(f);
    shb(f, 1);
    dsb(f, 1, 0x544c534bu, "ONLY BE");
    write_bytes(path, f->b, f->n);
    g_string_truncate(out, 0);
    assert_int_equal(read_secrets(path, out, err, sizeof err), 1);
    assert_string_equal(out->str, "ONLY BE");
    g_string_free(out, TRUE);
    free(f);
}

/* The offsets of the blocks of a pcapw file (host byte order). */
static size_t block_offsets(const uint8_t *b, size_t len, size_t *offs, size_t max)
{
    size_t n = 0;
    for (size_t off = 0; off + 8 <= len && n < max;) {
        uint32_t blen;
        memcpy(&blen, b + off + 4, 4);
        offs[n++] = off;
        off += blen;
    }
    return n;
}

static uint32_t get32h(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void set32h(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* Reading b fails naming the file, the offset and what is wrong; returns
 * the key logs handed out before the corrupt block. */
static GString *expect_corrupt(const char *path, const uint8_t *b, size_t len, size_t off,
                               const char *what)
{
    write_bytes(path, b, len);
    char err[AMT_ERR_MAX], at[64];
    GString *out = g_string_new(NULL);
    assert_int_equal(read_secrets(path, out, err, sizeof err), -1);
    snprintf(at, sizeof at, "byte offset %zu", off);
    if (!g_str_has_prefix(err, path) || strstr(err, at) == NULL || strstr(err, what) == NULL)
        fail_msg("got \"%s\", want the file, \"%s\" and \"%s\"", err, at, what);
    return out;
}

static void test_corrupt_lengths(void **state)
{
    (void)state;
    char path[256], bad[256];
    tmp_path(path, sizeof path, "good.pcapng");
    tmp_path(bad, sizeof bad, "bad.pcapng");
    write_with_secrets(path, KEYLOG);
    size_t len;
    uint8_t *orig = read_all(path, &len);
    uint8_t *b = malloc(len);
    assert_non_null(b);
    size_t offs[32];
    size_t nb = block_offsets(orig, len, offs, 32);
    assert_true(nb >= 4);
    size_t dsb_off = offs[2]; /* SHB, IDB, DSB, EPBs */
    assert_int_equal(get32h(orig + dsb_off), 0x0000000Au);
    uint32_t dlen = get32h(orig + dsb_off + 4);

    static const struct {
        size_t at;   /* offset from the DSB of the 32-bit field changed */
        int64_t add; /* to the block length, or (INT64_MIN) set to 16 */
        const char *what;
    } cases[] = {
        {4, 4, "trailing length"},   {4, 2, "not a multiple of 4"},     {4, INT64_MIN, "too short"},
        {12, 0, "bytes of secrets"}, {SIZE_MAX, -4, "trailing length"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(b, orig, len);
        size_t at = cases[i].at == SIZE_MAX ? dlen - 4 : cases[i].at;
        uint32_t v = cases[i].add == INT64_MIN ? 16 : (uint32_t)(dlen + cases[i].add);
        set32h(b + dsb_off + at, v);
        GString *kept = expect_corrupt(bad, b, len, dsb_off, cases[i].what);
        assert_int_equal(kept->len, 0); /* no half key log */
        g_string_free(kept, TRUE);
    }

    /* a packet block after the DSB: the secrets before it stay */
    memcpy(b, orig, len);
    set32h(b + offs[3] + 4, get32h(orig + offs[3] + 4) + 8);
    GString *kept = expect_corrupt(bad, b, len, offs[3], "trailing length");
    assert_string_equal(kept->str, KEYLOG);
    g_string_free(kept, TRUE);

    /* the section header's byte-order magic */
    memcpy(b, orig, len);
    set32h(b + 8, 0x11223344u);
    g_string_free(expect_corrupt(bad, b, len, 0, "byte-order magic"), TRUE);

    free(b);
    free(orig);
}

/* A file that ends inside a block keeps what came before, with a note. */
static void test_truncated_file(void **state)
{
    (void)state;
    char path[256], cut[256], err[AMT_ERR_MAX];
    tmp_path(path, sizeof path, "full.pcapng");
    tmp_path(cut, sizeof cut, "cut.pcapng");
    write_with_secrets(path, KEYLOG);
    size_t len;
    uint8_t *b = read_all(path, &len);
    size_t offs[32];
    size_t nb = block_offsets(b, len, offs, 32);
    GString *out = g_string_new(NULL);

    /* inside the last packet block: the secrets are all there */
    write_bytes(cut, b, len - 6);
    assert_int_equal(read_secrets(cut, out, err, sizeof err), 1);
    assert_string_equal(out->str, KEYLOG);
    assert_true(g_str_has_prefix(err, cut));
    assert_non_null(strstr(err, "truncated"));
    char at[64];
    snprintf(at, sizeof at, "byte offset %zu", offs[nb - 1]);
    assert_non_null(strstr(err, at));

    /* inside the DSB's text: no half key log */
    g_string_truncate(out, 0);
    write_bytes(cut, b, offs[2] + 40);
    assert_int_equal(read_secrets(cut, out, err, sizeof err), 0);
    assert_int_equal(out->len, 0);
    assert_non_null(strstr(err, "truncated"));

    /* inside a block header */
    write_bytes(cut, b, offs[3] + 5);
    assert_int_equal(read_secrets(cut, out, err, sizeof err), 1);
    assert_non_null(strstr(err, "truncated"));
    g_string_free(out, TRUE);
    free(b);
}

/* Key logs past CAP_SECRETS_MAX in all are ignored with a warning; those
 * that fit are used, and so are the packets after them. */
static void test_secrets_cap(void **state)
{
    (void)state;
    char path[256], err[AMT_ERR_MAX];
    tmp_path(path, sizeof path, "huge.pcapng");
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fbuf *f = malloc(sizeof *f);
    assert_non_null(f);
    fb_reset(f);
    shb(f, 0);
    dsb(f, 0, 0x544c534bu, KEYLOG);
    assert_int_equal(fwrite(f->b, 1, f->n, fp), f->n);
    /* two blocks of 40 MiB: together past the limit */
    uint32_t slen = 40u << 20;
    char *filler = malloc(slen);
    assert_non_null(filler);
    memset(filler, 'A', slen);
    for (int i = 0; i < 2; i++) {
        fb_reset(f);
        fb_le32(f, 0x0000000Au);
        fb_le32(f, 20 + slen);
        fb_le32(f, 0x544c534bu);
        fb_le32(f, slen);
        assert_int_equal(fwrite(f->b, 1, f->n, fp), f->n);
        assert_int_equal(fwrite(filler, 1, slen, fp), slen);
        fb_reset(f);
        fb_le32(f, 20 + slen);
        assert_int_equal(fwrite(f->b, 1, f->n, fp), f->n);
    }
    free(filler);
    /* then an interface and a packet */
    fb_reset(f);
    static const uint8_t idb[8] = {1, 0, 0, 0, 0xff, 0xff, 0, 0};
    block(f, 0, 1, idb, sizeof idb);
    fbuf *epb = malloc(sizeof *epb);
    assert_non_null(epb);
    fb_reset(epb);
    fb_le32(epb, 0);
    fb_le32(epb, 0);
    fb_le32(epb, 0);
    fb_le32(epb, 14);
    fb_le32(epb, 14);
    fb_fill(epb, 0, 14);
    block(f, 0, 6, epb->b, epb->n);
    free(epb);
    assert_int_equal(fwrite(f->b, 1, f->n, fp), f->n);
    assert_int_equal(fclose(fp), 0);
    free(f);

    GString *out = g_string_new(NULL);
    assert_int_equal(read_secrets(path, out, err, sizeof err), 2);
    assert_int_equal(out->len, strlen(KEYLOG) + (40u << 20));
    assert_true(g_str_has_prefix(out->str, KEYLOG));
    if (strstr(err, "more than 64 MiB") == NULL || strstr(err, "ignored") == NULL)
        fail_msg("got \"%s\"", err);
    g_string_free(out, TRUE);
    collect *c = collect_new();
    cap_stats st;
    assert_int_equal(run_file(path, c, &st), 0);
    assert_int_equal(st.frames, 1);
    collect_free(c);
    unlink(path);
}

static void test_sample(void **state)
{
    (void)state;
    const char *dir = AMTDIAG_SAMPLES_DIR "/secrets-in-pcapng";
    char path[512], err[AMT_ERR_MAX];
    snprintf(path, sizeof path, "%s/keylog.txt", dir);
    size_t klen;
    uint8_t *keylog = read_all(path, &klen);
    snprintf(path, sizeof path, "%s/capture.pcapng", dir);
    GString *out = g_string_new(NULL);
    assert_int_equal(read_secrets(path, out, err, sizeof err), 1);
    assert_string_equal(err, "");
    assert_int_equal(out->len, klen);
    assert_memory_equal(out->str, keylog, klen);
    g_string_free(out, TRUE);
    free(keylog);
}

static int setup(void **state)
{
    (void)state;
    return tmpdir_setup("test_capture_secrets");
}

static int teardown(void **state)
{
    (void)state;
    return tmpdir_teardown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_dsb),
        cmocka_unit_test(test_several_dsbs),
        cmocka_unit_test(test_no_secrets),
        cmocka_unit_test(test_not_a_capture),
        cmocka_unit_test(test_sections_and_byte_orders),
        cmocka_unit_test(test_corrupt_lengths),
        cmocka_unit_test(test_truncated_file),
        cmocka_unit_test(test_secrets_cap),
        cmocka_unit_test(test_sample),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
