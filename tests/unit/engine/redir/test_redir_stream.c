/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The redirection stream framer: the same messages whether the bytes come
 * whole, one at a time or cut anywhere; KVM's turn to RFB after its start
 * in each direction; bytes of another protocol and holes stop a direction,
 * never the other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "redir/redir_stream.h"

typedef struct seen {
    GString *log; /* "c10:8 a11:13 …": direction, type, length */
    size_t raw[2];
    int bad[2];
} seen;

static void on_message(void *ctx, int dir, const uint8_t *msg, size_t len, uint64_t frame)
{
    seen *s = ctx;
    (void)frame;
    g_string_append_printf(s->log, "%s%c%02x:%zu", s->log->len ? " " : "", dir ? 'a' : 'c', msg[0],
                           len);
}

static void on_raw(void *ctx, int dir, size_t len, uint64_t frame)
{
    seen *s = ctx;
    (void)frame;
    s->raw[dir] += len;
}

static void on_bad(void *ctx, int dir, uint8_t type, uint64_t frame)
{
    seen *s = ctx;
    (void)frame;
    s->bad[dir] = type;
}

static const redir_callbacks cb = {on_message, on_raw, on_bad};

/* A SOL session's first messages, as the console and AMT send them. */
static const uint8_t console_bytes[] = {
    0x10, 0, 0, 0, 'S', 'O', 'L', ' ',                                 /* start, 8 */
    0x13, 0, 0, 0, 0,   0,   0,   0,   0,                              /* query, 9 */
    0x13, 0, 0, 0, 1,   6,   0,   0,   0, 2, 'a', 'b', 2,    'p', 'w', /* user/password, 15 */
    0x28, 0, 0, 0, 1,   0,   0,   0,   3, 0, 'l', 's', '\n',           /* SOL data, 13 */
};
static const uint8_t amt_bytes[] = {
    0x11, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0xaa, 0xbb, /* start reply + 2 OEM bytes, 15 */
    0x14, 0, 0, 0, 0, 2, 0, 0, 0, 1, 4,                   /* methods, 11 */
    0x14, 0, 0, 0, 1, 0, 0, 0, 0,                         /* accepted, 9 */
};
static const char *const want = "c10:8 a11:15 c13:9 a14:11 c13:15 a14:9 c28:13";

/* Feeds both directions in pieces of at most step bytes, interleaved. */
static char *run(size_t step)
{
    seen s = {g_string_new(NULL), {0, 0}, {0, 0}};
    redir_stream *r = redir_stream_new(&cb, &s);
    size_t c = 0, a = 0;
    /* the console's start first, then alternate */
    redir_stream_feed(r, REDIR_DIR_CONSOLE, console_bytes, 8, 1);
    c = 8;
    while (c < sizeof console_bytes || a < sizeof amt_bytes) {
        size_t n = MIN(step, sizeof amt_bytes - a);
        redir_stream_feed(r, REDIR_DIR_AMT, amt_bytes + a, n, 2);
        a += n;
        n = MIN(step, sizeof console_bytes - c);
        redir_stream_feed(r, REDIR_DIR_CONSOLE, console_bytes + c, n, 3);
        c += n;
    }
    assert_int_equal(s.bad[0] | s.bad[1], 0);
    redir_stream_free(r);
    return g_string_free(s.log, FALSE);
}

/* Messages in order per direction; across directions the order depends
 * on how the bytes were interleaved, so each direction is compared. */
static char *side(const char *log, char dir)
{
    GString *out = g_string_new(NULL);
    char **parts = g_strsplit(log, " ", -1);
    for (char **p = parts; *p; p++)
        if (**p == dir)
            g_string_append_printf(out, "%s%s", out->len ? " " : "", *p);
    g_strfreev(parts);
    return g_string_free(out, FALSE);
}

static void any_cut(void **state)
{
    (void)state;
    char *wc = side(want, 'c'), *wa = side(want, 'a');
    for (size_t step = 1; step <= sizeof console_bytes; step++) {
        char *got = run(step);
        char *gc = side(got, 'c'), *ga = side(got, 'a');
        assert_string_equal(gc, wc);
        assert_string_equal(ga, wa);
        g_free(gc);
        g_free(ga);
        g_free(got);
    }
    g_free(wc);
    g_free(wa);
}

static void kvm_turns_to_rfb(void **state)
{
    (void)state;
    seen s = {g_string_new(NULL), {0, 0}, {0, 0}};
    redir_stream *r = redir_stream_new(&cb, &s);
    const uint8_t start[] = {0x10, 1, 0, 0, 'K', 'V', 'M', 'R'};
    const uint8_t kvm[] = {0x40, 0, 0, 0, 0, 0, 0, 0, 'R', 'F', 'B', ' '};
    const uint8_t reply[] = {0x41, 0, 0, 0, 0, 0, 0, 0, 'R', 'F', 'B', ' ', '0', '0', '3'};
    redir_stream_feed(r, REDIR_DIR_CONSOLE, start, sizeof start, 1);
    redir_stream_feed(r, REDIR_DIR_CONSOLE, kvm, sizeof kvm, 2);
    redir_stream_feed(r, REDIR_DIR_AMT, reply, sizeof reply, 3);
    /* KVM's 0x40 and 0x41 are 8 bytes (IDE-R's are 18 and 30) */
    assert_string_equal(s.log->str, "c10:8 c40:8 a41:8");
    assert_int_equal(s.raw[REDIR_DIR_CONSOLE], 4);
    assert_int_equal(s.raw[REDIR_DIR_AMT], 7);
    /* a hole in RFB costs nothing */
    redir_stream_gap(r, REDIR_DIR_AMT);
    redir_stream_feed(r, REDIR_DIR_AMT, reply + 8, 3, 4);
    assert_int_equal(s.raw[REDIR_DIR_AMT], 10);
    redir_stream_free(r);
    g_string_free(s.log, TRUE);
}

static void bad_bytes_and_holes(void **state)
{
    (void)state;
    seen s = {g_string_new(NULL), {0, 0}, {0, 0}};
    redir_stream *r = redir_stream_new(&cb, &s);
    /* a TLS record where the protocol was expected */
    const uint8_t tls[] = {0x16, 3, 1, 0, 0x40};
    redir_stream_feed(r, REDIR_DIR_CONSOLE, tls, sizeof tls, 1);
    assert_int_equal(s.bad[REDIR_DIR_CONSOLE], 0x16);
    redir_stream_feed(r, REDIR_DIR_CONSOLE, console_bytes, 8, 2); /* stopped: ignored */
    assert_string_equal(s.log->str, "");
    /* the other direction goes on */
    redir_stream_feed(r, REDIR_DIR_AMT, amt_bytes, 15, 3);
    assert_string_equal(s.log->str, "a11:15");
    /* an absurd length: not the protocol (or no longer) */
    const uint8_t huge[] = {0x14, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0x7f};
    redir_stream_feed(r, REDIR_DIR_AMT, huge, sizeof huge, 4);
    assert_int_equal(s.bad[REDIR_DIR_AMT], 0x14);
    redir_stream_free(r);
    /* a hole inside a message: that direction stops, without a message */
    s.bad[0] = s.bad[1] = 0;
    g_string_truncate(s.log, 0);
    r = redir_stream_new(&cb, &s);
    redir_stream_feed(r, REDIR_DIR_CONSOLE, console_bytes, 12, 1);
    redir_stream_gap(r, REDIR_DIR_CONSOLE);
    redir_stream_feed(r, REDIR_DIR_CONSOLE, console_bytes + 17, 15, 2);
    assert_string_equal(s.log->str, "c10:8");
    redir_stream_feed(r, 5, console_bytes, 8, 3); /* no such direction */
    redir_stream_free(r);
    g_string_free(s.log, TRUE);
    assert_true(redir_stream_looks_like(console_bytes, 8));
    assert_false(redir_stream_looks_like(console_bytes, 7));
    assert_false(redir_stream_looks_like(tls, sizeof tls));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(any_cut),
        cmocka_unit_test(kvm_turns_to_rfb),
        cmocka_unit_test(bad_bytes_and_holes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
