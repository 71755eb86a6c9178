/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for analyzer/http: the head parser and the connection parser.
 * Each connection case is a script of feeds (direction, bytes; a NULL
 * entry is a gap) and the expected log of exchanges and errors. Every case
 * is also run with each feed split in two at every byte position and fed
 * byte by byte: the log must not change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "http/http_conn.h"
#include "http/http_parse.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the recorder ---- */

typedef struct rec {
    GString *log;
    unsigned exchanges;
    http_exchange last;  /* only the scalar parts are valid after the callback */
    char last_auth[512]; /* copies of some header values of the last exchange */
    char last_www[512];
    size_t n_www; /* WWW-Authenticate fields in the last response */
} rec;

static void put_flags(GString *s, const http_message *m)
{
    static const struct {
        unsigned bit;
        char letter;
    } letters[] = {{HTTP_MSG_CHUNKED, 'C'},        {HTTP_MSG_UNTIL_CLOSE, 'U'},
                   {HTTP_MSG_BODY_TRUNCATED, 'T'}, {HTTP_MSG_GAP, 'G'},
                   {HTTP_MSG_MALFORMED, 'M'},      {HTTP_MSG_CLOSED_EARLY, 'E'},
                   {HTTP_MSG_CONN_CLOSE, 'X'}};
    GString *f = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(letters); i++)
        if (m->flags & letters[i].bit)
            g_string_append_c(f, letters[i].letter);
    if (!m->complete)
        g_string_append_c(f, '!');
    if (f->len)
        g_string_append_printf(s, " {%s}", f->str);
    g_string_free(f, TRUE);
}

static void put_body(GString *s, const http_message *m)
{
    g_string_append_printf(s, " body=%zu", m->body_len);
    if (m->body_total != m->body_len)
        g_string_append_printf(s, "/%" G_GUINT64_FORMAT, m->body_total);
    if (m->body_len && m->body_len <= 40)
        g_string_append_printf(s, "'%.*s'", (int)m->body_len, (const char *)m->body);
    if (m->n_trailers)
        g_string_append_printf(s, " trailers=%zu", m->n_trailers);
}

static void on_exchange(void *ctx, const http_exchange *x)
{
    rec *r = ctx;
    GString *s = r->log;
    const http_message *q = &x->request, *a = &x->response;
    if (q->present) {
        g_string_append_printf(s, "%.*s %.*s", (int)q->method.len, q->method.ptr,
                               (int)q->target.len, q->target.ptr);
        put_body(s, q);
        put_flags(s, q);
        g_string_append_printf(s, " @%u-%u", q->first_frame, q->last_frame);
    } else {
        g_string_append(s, "-");
    }
    if (x->n_interim)
        g_string_append_printf(s, " ~%d@%u", x->interim_status, x->interim_frame);
    g_string_append(s, " => ");
    if (a->present) {
        g_string_append_printf(s, "%d %.*s", a->status, (int)a->reason.len, a->reason.ptr);
        put_body(s, a);
        put_flags(s, a);
        g_string_append_printf(s, " @%u-%u", a->first_frame, a->last_frame);
    } else {
        g_string_append(s, "-");
    }
    g_string_append_c(s, '\n');
    assert_int_equal(x->seq, r->exchanges);
    r->exchanges++;
    r->last = *x;
    snprintf(r->last_auth, sizeof r->last_auth, "%.*s", (int)q->authorization.len,
             q->authorization.ptr ? q->authorization.ptr : "");
    snprintf(r->last_www, sizeof r->last_www, "%.*s", (int)a->www_authenticate.len,
             a->www_authenticate.ptr ? a->www_authenticate.ptr : "");
    size_t iter = 0;
    r->n_www = 0;
    while (a->present && http_message_header(a, "www-authenticate", &iter))
        r->n_www++;
}

static void on_error(void *ctx, int dir, uint32_t frame, const char *reason)
{
    rec *r = ctx;
    g_string_append_printf(r->log, "error %d @%u: %s\n", dir, frame, reason);
}

static const http_callbacks callbacks = {on_exchange, on_error};

/* ---- scripts ---- */

#define GAP NULL
#define MAX_STEPS 10

typedef struct step {
    int dir;
    const char *data; /* GAP: a hole in the stream */
} step;

typedef struct http_case {
    const char *name;
    step steps[MAX_STEPS];
    const char *expect;
    size_t max_head, max_body; /* 0: defaults */
} http_case;

/* How the steps are fed: whole, step k split at position at, or all steps
 * byte by byte. Step i is frame i + 1 whatever the split. */
typedef enum { FEED_WHOLE, FEED_SPLIT, FEED_BYTES } feed_mode;

static char *run_script(const http_case *tc, feed_mode mode, size_t k, size_t at)
{
    rec r = {0};
    r.log = g_string_new(NULL);
    http_conn *c = http_conn_new(&callbacks, &r);
    http_conn_set_limits(c, tc->max_head, tc->max_body);
    for (size_t i = 0; i < MAX_STEPS && (tc->steps[i].data || tc->steps[i].dir); i++) {
        const step *s = &tc->steps[i];
        uint32_t frame = (uint32_t)i + 1;
        if (!s->data) {
            http_conn_gap(c, s->dir - 10);
            continue;
        }
        size_t len = strlen(s->data);
        if (mode == FEED_BYTES) {
            for (size_t b = 0; b < len; b++)
                http_conn_feed(c, s->dir, s->data + b, 1, frame, frame);
        } else if (mode == FEED_SPLIT && i == k) {
            http_conn_feed(c, s->dir, s->data, at, frame, frame);
            http_conn_feed(c, s->dir, s->data + at, len - at, frame, frame);
        } else {
            http_conn_feed(c, s->dir, s->data, len, frame, frame);
        }
    }
    http_conn_end(c);
    http_conn_free(c);
    return g_string_free(r.log, FALSE);
}

/* A gap is written {GAP_IN(dir)}: dir + 10 keeps the entry distinct from
 * the all-zero end marker. */
#define GAP_IN(dir)                                                                                \
    {                                                                                              \
        (dir) + 10, GAP                                                                            \
    }
#define REQ(s)                                                                                     \
    {                                                                                              \
        HTTP_DIR_REQUEST, s                                                                        \
    }
#define RESP(s)                                                                                    \
    {                                                                                              \
        HTTP_DIR_RESPONSE, s                                                                       \
    }

#define AMT_SERVER "Server: Intel(R) Active Management Technology 11.8.50.3425\r\n"
#define AMT_401                                                                                    \
    "HTTP/1.1 401 Unauthorized\r\n"                                                                \
    "WWW-Authenticate: Digest realm=\"Digest:A4070000000000000000000000000000\", "                 \
    "nonce=\"q0Zx1AAAAAAAAAAAc3RhbGVub25jZQ==\",stale=\"false\",qop=\"auth\"\r\n"                  \
    "Content-Type: text/html\r\n" AMT_SERVER "Content-Length: 13\r\nConnection: close\r\n\r\n"     \
    "Log on failed"
#define WSMAN_POST(len)                                                                            \
    "POST /wsman HTTP/1.1\r\nHost: 192.0.2.20:16992\r\nContent-Type: application/soap+xml; "       \
    "charset=UTF-8\r\nContent-Length: " len "\r\n\r\n"
#define SOAP_200_HEAD                                                                              \
    "HTTP/1.1 200 OK\r\nDate: Tue, 02 Dec 2025 10:00:00 GMT\r\n" AMT_SERVER                        \
    "X-Frame-Options: DENY\r\nContent-Type: application/soap+xml; charset=UTF-8\r\n"               \
    "Transfer-Encoding: chunked\r\n\r\n"

static const http_case cases[] = {
    {.name = "get_401_content_length",
     .steps = {REQ("GET /index.htm HTTP/1.1\r\nHost: 192.0.2.20:16992\r\n\r\n"), RESP(AMT_401)},
     .expect = "GET /index.htm body=0 @1-1 => 401 Unauthorized body=13'Log on failed' {X} @2-2\n"},
    {.name = "wsman_post_chunked_response",
     .steps = {REQ(WSMAN_POST("11") "<Envelope/>"),
               RESP(SOAP_200_HEAD "000A\r\n<a:Envelop\r\n0005\r\ne/>\r\n\r\n0\r\n\r\n")},
     .expect =
         "POST /wsman body=11'<Envelope/>' @1-1 => 200 OK body=15'<a:Envelope/>\r\n' {C} @2-2\n"},
    {.name = "keep_alive",
     .steps = {REQ("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"),
               RESP("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"),
               REQ("GET /b HTTP/1.1\r\nHost: h\r\n\r\n"),
               RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n")},
     .expect = "GET /a body=0 @1-1 => 200 OK body=3'one' @2-2\n"
               "GET /b body=0 @3-3 => 200 OK body=3'two' {C} @4-4\n"},
    {.name = "pipelined",
     .steps = {REQ("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: h\r\n\r\n"
                   "POST /3 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd"
                   "DELETE /4 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
                   "chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"),
               RESP("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nr1"
                    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                    "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nr3"
                    "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n")},
     .expect = "GET /1 body=0 @1-1 => 200 OK body=2'r1' @2-2\n"
               "HEAD /2 body=0 @1-1 => 200 OK body=0 @2-2\n"
               "POST /3 body=4'abcd' @1-1 => 201 Created body=2'r3' @2-2\n"
               "DELETE /4 body=2'xy' {C} @1-1 => 204 No Content body=0 @2-2\n"},
    {.name = "response_without_request",
     .steps = {RESP("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")},
     .expect = "- => 200 OK body=2'hi' @1-1\n- => 404 Not Found body=0 @1-1\n"},
    {.name = "request_without_response",
     .steps = {REQ("GET /x HTTP/1.1\r\nHost: h\r\n\r\nGET /y HTTP/1.1\r\nHost: h\r\n\r\n"),
               RESP("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")},
     .expect = "GET /x body=0 @1-1 => 200 OK body=0 @2-2\nGET /y body=0 @1-1 => -\n"},
    {.name = "continue_100",
     .steps = {REQ(WSMAN_POST("5") ""), RESP("HTTP/1.1 100 Continue\r\n\r\n"), REQ("<a/>\n"),
               RESP("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")},
     .expect = "POST /wsman body=5'<a/>\n' @1-3 ~100@2 => 200 OK body=2'ok' @4-4\n"},
    {.name = "body_until_close",
     .steps = {REQ("GET /index.htm HTTP/1.0\r\n\r\n"),
               RESP("HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n<html>until"),
               RESP(" close</html>")},
     .expect =
         "GET /index.htm body=0 @1-1 => 200 OK body=24'<html>until close</html>' {UX} @2-3\n"},
    {.name = "te_not_chunked_until_close",
     .steps = {RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzzz")},
     .expect = "- => 200 OK body=3'zzz' {U} @1-1\n"},
    {.name = "bad_chunk_size_then_good",
     .steps =
         {REQ("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"),
          RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\nzz\r\nrest\r\n"
               "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood")},
     .expect = "error 1 @2: chunk size not hex\n"
               "GET /1 body=0 @1-1 => 200 OK body=4'abcd' {CM!} @2-2\n"
               "GET /2 body=0 @1-1 => 200 OK body=4'good' @2-2\n"},
    {.name = "chunk_missing_crlf",
     .steps = {RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n0\r\n\r\n")},
     .expect = "error 1 @1: no line break after chunk data\n- => 200 OK body=2'ab' {CM!} @1-1\n"},
    {.name = "chunk_extensions_and_trailers",
     .steps = {RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Check\r\n\r\n"
                    "5;name=\"v;1\"\r\nhello\r\n6 ; ext\r\n world\r\n0;last\r\nX-Check: 1\r\n"
                    "X-More: 2\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n")},
     .expect = "- => 200 OK body=11'hello world' trailers=2 {C} @1-1\n- => 304 Not Modified body=0 "
               "@1-1\n"},
    {.name = "gap_in_body_then_good_message",
     .steps = {REQ(WSMAN_POST("12") "<Envelope/>\n" WSMAN_POST("3") "<b>"),
               RESP("HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n<a:Envel"), GAP_IN(1),
               RESP(
                   "ope></a:Body></a:Envelope>HTTP/1.1 400 Bad Request\r\nContent-Length: 5\r\n\r\n"
                   "fault")},
     .expect = "POST /wsman body=12'<Envelope/>\n' @1-1 => 200 OK body=8'<a:Envel' {G!} @2-2\n"
               "POST /wsman body=3'<b>' @1-1 => 400 Bad Request body=5'fault' @4-4\n"},
    {.name = "gap_in_request_body",
     .steps = {REQ(WSMAN_POST("20") "<Envelope"), GAP_IN(0),
               REQ("x/></Envelope>GET /next HTTP/1.1\r\nHost: h\r\n\r\n"),
               RESP("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"
                    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")},
     .expect = "POST /wsman body=9'<Envelope' {G!} @1-1 => 401 Unauthorized body=0 @4-4\n"
               "GET /next body=0 @3-3 => 200 OK body=0 @4-4\n"},
    {.name = "gap_in_head_drops_it",
     .steps = {RESP("HTTP/1.1 200 OK\r\nContent-Le"), GAP_IN(1), RESP("ngth: 5\r\n\r\nabcde\r\n"),
               RESP("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")},
     .expect = "- => 202 Accepted body=0 @4-4\n"},
    {.name = "gap_in_response_head_keeps_pairing",
     .steps = {REQ("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"),
               RESP("HTTP/1.1 200 OK\r\nCont"), GAP_IN(1), RESP("ent-Length: 3\r\n\r\nabc"),
               RESP("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")},
     .expect = "GET /1 body=0 @1-1 => 0  body=0 {G!} @2-2\n"
               "GET /2 body=0 @1-1 => 404 Not Found body=0 @5-5\n"},
    {.name = "gap_in_request_head_keeps_pairing",
     .steps = {REQ("GET /1 HTTP/1.1\r\nHo"), GAP_IN(0), REQ("st: h\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"),
               RESP("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"
                    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")},
     .expect = "  body=0 {G!} @1-1 => 401 Unauthorized body=0 @4-4\n"
               "GET /2 body=0 @3-3 => 200 OK body=0 @4-4\n"},
    {.name = "capture_starts_mid_stream",
     .steps =
         {REQ("ope></s:Body></s:Envelope>POST /wsman HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
              "\r\nab"),
          RESP("ntent-Length: 4\r\n\r\nwxyz\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz")},
     .expect = "error 0 @1: malformed request line\nerror 1 @2: malformed status line\n"
               "POST /wsman body=2'ab' @1-1 => 200 OK body=1'z' @2-2\n"},
    {.name = "malformed_status_line",
     .steps = {RESP(
         "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
         "\r\n")},
     .expect = "error 1 @1: malformed status line\n- => 200 OK body=0 @1-1\n"},
    {.name = "malformed_header_field",
     .steps = {REQ("GET / HTTP/1.1\r\nHost h\r\n\r\nGET /ok HTTP/1.1\r\nHost: h\r\n\r\n")},
     .expect = "error 0 @1: malformed header field\nGET /ok body=0 @1-1 => -\n"},
    {.name = "invalid_content_length",
     .steps = {RESP("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n12345"
                    "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok")},
     .expect = "error 1 @1: invalid Content-Length\n- => 200 OK body=2'ok' @1-1\n"},
    {.name = "request_te_without_chunked",
     .steps = {REQ("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nzz\r\n"
                   "GET /y HTTP/1.1\r\n\r\n")},
     .expect = "error 0 @1: request Transfer-Encoding does not end in chunked\nGET /y body=0 @1-1 "
               "=> -\n"},
    {.name = "header_too_large",
     .steps = {REQ("GET /big HTTP/1.1\r\nX-Pad: 0123456789012345678901234567890123456789\r\n\r\n"
                   "GET /small HTTP/1.1\r\nHost: h\r\n\r\n")},
     .expect = "error 0 @1: header section too large\nGET /small body=0 @1-1 => -\n",
     .max_head = 48},
    {.name = "body_too_large",
     .steps = {RESP(
         "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij"
         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nABCDEF\r\n6\r\nGHIJKL\r\n"
         "0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nend")},
     .expect = "- => 200 OK body=8/20'01234567' {T} @1-1\n"
               "- => 200 OK body=8/12'ABCDEFGH' {CT} @1-1\n"
               "- => 200 OK body=3'end' @1-1\n",
     .max_body = 8},
    {.name = "chunk_size_too_large",
     .steps = {RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nx")},
     .expect = "error 1 @1: chunk size too large\n- => 200 OK body=0 {CM!} @1-1\n"},
    {.name = "closed_inside_body",
     .steps = {REQ("GET / HTTP/1.1\r\n\r\n"),
               RESP("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")},
     .expect = "error 1 @2: connection closed inside a message body\n"
               "GET / body=0 @1-1 => 200 OK body=3'abc' {E!} @2-2\n"},
    /* a head cut by the close: kept (flagged) once its start line is in,
     * as tshark shows it */
    {.name = "closed_inside_head",
     .steps = {REQ("GET / HTTP/1.1\r\nHost: h\r\n")},
     .expect = "error 0 @1: connection closed inside a message head\n"
               "GET / body=0 {E!} @1-1 => -\n"},
    {.name = "closed_inside_start_line",
     .steps = {REQ("GET / HTT")},
     .expect = "error 0 @1: connection closed inside a message head\n"},
    {.name = "bare_lf_and_folding",
     .steps = {REQ("GET /lf HTTP/1.1\nHost: h\nX-Long: part one\n  part two\n\n"),
               RESP("HTTP/1.1 200\nContent-Length: 1\n\n!")},
     .expect = "GET /lf body=0 @1-1 => 200  body=1'!' @2-2\n"},
    {.name = "empty_lines_between_messages",
     .steps = {REQ("\r\n\r\nGET /a HTTP/1.1\r\n\r\n\r\nGET /b HTTP/1.1\r\n\r\n")},
     .expect = "GET /a body=0 @1-1 => -\nGET /b body=0 @1-1 => -\n"},
    {.name = "switching_protocols",
     .steps =
         {REQ("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello"),
          RESP("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x82\x03"
               "abc")},
     .expect = "GET /ws body=0 @1-1 => 101 Switching Protocols body=0 @2-2\n"},
    {.name = "response_before_request_body_ends",
     .steps = {REQ(WSMAN_POST("8") "1234"),
               RESP("HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n"), REQ("5678")},
     .expect = "POST /wsman body=8'12345678' @1-3 => 413 Too Large body=0 @2-2\n"},
};

static void run_case(void **state)
{
    const http_case *tc = *state;
    char *whole = run_script(tc, FEED_WHOLE, 0, 0);
    if (strcmp(whole, tc->expect) != 0)
        print_message("got:\n%s", whole);
    assert_string_equal(whole, tc->expect);
    for (size_t i = 0; i < MAX_STEPS && (tc->steps[i].data || tc->steps[i].dir); i++) {
        if (!tc->steps[i].data)
            continue;
        size_t len = strlen(tc->steps[i].data);
        for (size_t at = 0; at <= len; at++) {
            char *split = run_script(tc, FEED_SPLIT, i, at);
            if (strcmp(split, whole) != 0)
                print_message("step %zu split at %zu:\n%s", i, at, split);
            assert_string_equal(split, whole);
            g_free(split);
        }
    }
    char *bytes = run_script(tc, FEED_BYTES, 0, 0);
    assert_string_equal(bytes, whole);
    g_free(bytes);
    g_free(whole);
}

/* ---- exchange details ---- */

static void header_access(void **state)
{
    (void)state;
    rec r = {0};
    r.log = g_string_new(NULL);
    http_conn *c = http_conn_new(&callbacks, &r);
    const char req[] =
        "POST /wsman HTTP/1.1\r\nHost: 192.0.2.20:16993\r\n"
        "Authorization: Digest username=\"admin\", "
        "realm=\"Digest:A4070000000000000000000000000000\""
        ", nonce=\"n\", uri=\"/wsman\", response=\"\", qop=auth, nc=00000001, cnonce=\"c\"\r\n"
        "Content-Length: 0\r\n\r\n";
    const char resp[] =
        "HTTP/1.1 401 Unauthorized\r\n"
        "WWW-Authenticate: Negotiate\r\n"
        "WWW-Authenticate: Digest realm=\"Digest:A4070000000000000000000000000000\""
        ", nonce=\"m\",stale=\"false\",qop=\"auth\"\r\n"
        "Content-Type: text/html\r\n" AMT_SERVER "Content-Length: 0\r\nConnection: close\r\n\r\n";
    http_conn_feed(c, HTTP_DIR_REQUEST, req, sizeof req - 1, 5, 5);
    http_conn_feed(c, HTTP_DIR_RESPONSE, resp, sizeof resp - 1, 6, 7);
    assert_int_equal(r.exchanges, 1);
    assert_true(g_str_has_prefix(r.last_auth, "Digest username=\"admin\""));
    assert_string_equal(r.last_www, "Negotiate");
    assert_int_equal(r.n_www, 2);
    assert_int_equal(r.last.response.status, 401);
    assert_int_equal(r.last.response.first_frame, 6);
    assert_int_equal(r.last.response.last_frame, 7);
    assert_true(r.last.response.flags & HTTP_MSG_CONN_CLOSE);
    assert_int_equal(r.last.request.minor_version, 1);
    http_conn_end(c);
    http_conn_end(c); /* twice is harmless */
    assert_int_equal(r.exchanges, 1);
    http_conn_free(c);
    g_string_free(r.log, TRUE);
}

/* The common headers as views, checked inside the callback. */
static void check_known(void *ctx, const http_exchange *x)
{
    int *calls = ctx;
    const http_message *m = &x->response;
    (*calls)++;
    assert_true(http_str_ieq(m->content_type, "application/soap+xml; charset=UTF-8"));
    assert_true(http_str_ieq(m->server, "Intel(R) Active Management Technology 11.8.50.3425"));
    assert_true(http_str_ieq(m->date, "Tue, 02 Dec 2025 10:00:00 GMT"));
    assert_true(http_str_ieq(m->transfer_encoding, "chunked"));
    assert_null(m->content_length.ptr);
    assert_null(m->connection.ptr);
    assert_true(http_str_ieq(x->request.host, "192.0.2.20:16992"));
    assert_true(http_str_ieq(x->request.content_length, "2"));
    assert_int_equal(x->request.n_headers, 3);
    assert_int_equal(m->n_headers, 5);
    assert_memory_equal(m->body, "<x/>", 4);
}

static void known_headers(void **state)
{
    (void)state;
    int calls = 0;
    const http_callbacks cb = {check_known, NULL};
    http_conn *c = http_conn_new(&cb, &calls);
    const char req[] = WSMAN_POST("2") "ab";
    const char resp[] = SOAP_200_HEAD "4\r\n<x/>\r\n0\r\n\r\n";
    http_conn_feed(c, HTTP_DIR_REQUEST, req, sizeof req - 1, 1, 1);
    http_conn_feed(c, HTTP_DIR_RESPONSE, resp, sizeof resp - 1, 2, 2);
    http_conn_end(c);
    http_conn_free(c);
    assert_int_equal(calls, 1);
}

/* Free without end: nothing delivered, nothing leaked (checked by ASan). */
static void free_with_pending(void **state)
{
    (void)state;
    rec r = {0};
    r.log = g_string_new(NULL);
    http_conn *c = http_conn_new(&callbacks, &r);
    const char req[] = WSMAN_POST("10") "12345";
    const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc";
    http_conn_feed(c, HTTP_DIR_REQUEST, req, sizeof req - 1, 1, 1);
    http_conn_feed(c, HTTP_DIR_RESPONSE, resp, sizeof resp - 1, 2, 2);
    http_conn_free(c);
    assert_int_equal(r.exchanges, 0);
    /* NULL and bad directions are ignored */
    http_conn_free(NULL);
    c = http_conn_new(NULL, NULL);
    http_conn_feed(c, 2, "x", 1, 1, 1);
    http_conn_gap(c, -1);
    http_conn_feed(c, 0, "GET / HTTP/1.1\r\n\r\n", 18, 1, 1);
    http_conn_end(c);
    http_conn_free(c);
    g_string_free(r.log, TRUE);
}

/* The default body limit, 4 MiB: a bigger body is cut, counted, skipped. */
static void default_body_limit(void **state)
{
    (void)state;
    rec r = {0};
    r.log = g_string_new(NULL);
    http_conn *c = http_conn_new(&callbacks, &r);
    size_t total = HTTP_DEFAULT_MAX_BODY + 1000;
    char head[128];
    int n = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", total);
    http_conn_feed(c, HTTP_DIR_RESPONSE, head, (size_t)n, 1, 1);
    char *chunk = g_malloc(1 << 20);
    memset(chunk, 'z', 1 << 20);
    size_t left = total;
    while (left) {
        size_t k = left < (1u << 20) ? left : (1u << 20);
        http_conn_feed(c, HTTP_DIR_RESPONSE, chunk, k, 2, 2);
        left -= k;
    }
    const char next[] = "HTTP/1.1 204 No Content\r\n\r\n";
    http_conn_feed(c, HTTP_DIR_RESPONSE, next, sizeof next - 1, 3, 3);
    http_conn_end(c);
    http_conn_free(c);
    g_free(chunk);
    char want[200];
    snprintf(want, sizeof want,
             "- => 200 OK body=%u/%zu {T} @1-2\n- => 204 No Content body=0 @3-3\n",
             HTTP_DEFAULT_MAX_BODY, total);
    assert_string_equal(r.log->str, want);
    g_string_free(r.log, TRUE);
}

/* Mutated versions of every case, fed in random pieces with random gaps:
 * the parser must neither crash (ASan builds check memory) nor deliver
 * inconsistent messages. Seeded, so a failure reproduces. */
static void check_sane(void *ctx, const http_exchange *x)
{
    size_t *count = ctx;
    const http_message *m[2] = {&x->request, &x->response};
    for (int i = 0; i < 2; i++) {
        if (!m[i]->present)
            continue;
        assert_true(m[i]->body_len <= 64);
        assert_true(m[i]->body_total >= m[i]->body_len);
        assert_true(m[i]->body_len == 0 || m[i]->body != NULL);
        for (size_t k = 0; k < m[i]->n_headers; k++)
            assert_true(m[i]->headers[k].name.len > 0);
        assert_true(m[i]->first_frame <= m[i]->last_frame);
    }
    assert_true(x->request.present || x->response.present);
    (*count)++;
}

static void mutations(void **state)
{
    (void)state;
    GRand *rng = g_rand_new_with_seed(20251202);
    size_t delivered = 0;
    const http_callbacks cb = {check_sane, NULL};
    for (int round = 0; round < 40; round++) {
        for (size_t i = 0; i < N(cases); i++) {
            http_conn *c = http_conn_new(&cb, &delivered);
            http_conn_set_limits(c, 256, 64);
            uint32_t frame = 1;
            for (size_t k = 0; k < MAX_STEPS && (cases[i].steps[k].data || cases[i].steps[k].dir);
                 k++) {
                const step *s = &cases[i].steps[k];
                if (!s->data || g_rand_int_range(rng, 0, 20) == 0) {
                    http_conn_gap(c, s->data ? s->dir : s->dir - 10);
                    if (!s->data)
                        continue;
                }
                char *buf = g_strdup(s->data);
                size_t len = strlen(buf);
                for (int f = g_rand_int_range(rng, 0, 4); f > 0 && len; f--) {
                    static const char pool[] = "\r\n:; 0aZ\x80\xff\t,\"";
                    buf[g_rand_int_range(rng, 0, (gint32)len)] =
                        pool[g_rand_int_range(rng, 0, (gint32)sizeof pool - 1)];
                }
                size_t off = 0;
                while (off < len) {
                    size_t piece = (size_t)g_rand_int_range(rng, 1, 24);
                    if (piece > len - off)
                        piece = len - off;
                    http_conn_feed(c, s->dir, buf + off, piece, frame, frame);
                    off += piece;
                    frame++;
                }
                g_free(buf);
            }
            if (g_rand_boolean(rng))
                http_conn_end(c);
            http_conn_free(c);
        }
    }
    g_rand_free(rng);
    assert_true(delivered > 0);
}

/* ---- the head parser alone ---- */

typedef struct parse_case {
    const char *name;
    int response;
    const char *input;
    long result; /* bytes, or HTTP_PARSE_PARTIAL / HTTP_PARSE_ERROR */
    size_t headers;
    const char *why;
} parse_case;

static const parse_case parse_cases[] = {
    {"request", 0, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27, 1, NULL},
    {"request_partial", 0, "GET / HTTP/1.1\r\nHost: a\r\n", HTTP_PARSE_PARTIAL, 0, NULL},
    {"request_partial_line", 0, "GET / HTT", HTTP_PARSE_PARTIAL, 0, NULL},
    {"request_no_version", 0, "GET /\r\n\r\n", HTTP_PARSE_ERROR, 0, "malformed request line"},
    {"request_http2_text", 0, "GET / HTTP/2.0\r\n\r\n", HTTP_PARSE_ERROR, 0,
     "malformed request line"},
    {"request_space_in_target", 0, "GET /a b HTTP/1.1\r\n\r\n", HTTP_PARSE_ERROR, 0,
     "malformed request line"},
    {"request_trailing_bytes", 0, "GET / HTTP/1.1\r\n\r\nBODY", 18, 0, NULL},
    {"space_before_colon", 0, "GET / HTTP/1.1\r\nHost : a\r\n\r\n", HTTP_PARSE_ERROR, 0,
     "malformed header field"},
    {"fold_first", 0, "GET / HTTP/1.1\r\n x\r\n\r\n", HTTP_PARSE_ERROR, 0,
     "continuation line before any header field"},
    {"response", 1, "HTTP/1.1 401 Unauthorized\r\nA: 1\r\nB:2\r\n\r\n", 40, 2, NULL},
    {"response_no_reason", 1, "HTTP/1.0 200\r\n\r\n", 16, 0, NULL},
    {"response_bad_code", 1, "HTTP/1.1 20 OK\r\n\r\n", HTTP_PARSE_ERROR, 0,
     "malformed status line"},
    {"response_not_http", 1, "ICY 200 OK\r\n\r\n", HTTP_PARSE_ERROR, 0, "malformed status line"},
};

static void run_parse_case(void **state)
{
    const parse_case *tc = *state;
    http_header h[4];
    size_t n = 4;
    const char *why = NULL;
    int minor = -1, status = 0;
    http_str m, t, reason;
    size_t len = strlen(tc->input);
    long r = tc->response
                 ? http_parse_response(tc->input, len, &minor, &status, &reason, h, &n, &why)
                 : http_parse_request(tc->input, len, &m, &t, &minor, h, &n, &why);
    assert_int_equal(r, tc->result);
    if (r > 0)
        assert_int_equal(n, tc->headers);
    if (tc->why)
        assert_string_equal(why, tc->why);
}

static void parser_details(void **state)
{
    (void)state;
    http_header h[2];
    size_t n = 2;
    const char *why = NULL;
    int minor, status;
    http_str reason;
    const char *in = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    assert_int_equal(http_parse_response(in, strlen(in), &minor, &status, &reason, h, &n, &why),
                     HTTP_PARSE_ERROR);
    assert_string_equal(why, "too many header fields");

    n = 2;
    in = "HTTP/1.1 200 OK\r\nX-Folded: one\r\n\ttwo\r\nY:   spaced   \r\n\r\n";
    assert_true(http_parse_response(in, strlen(in), &minor, &status, &reason, h, &n, &why) > 0);
    assert_int_equal(n, 2);
    assert_int_equal(h[0].value.len, strlen("one\r\n\ttwo"));
    assert_true(http_str_ieq(h[1].value, "spaced"));
    assert_true(http_str_ieq(reason, "ok"));

    uint64_t v;
    const char *w = NULL;
    assert_int_equal(http_parse_chunk_size("1a2B", 4, &v, &w), 0);
    assert_int_equal(v, 0x1a2b);
    assert_int_equal(http_parse_chunk_size("0220 ;x=\"y\"", 11, &v, &w), 0);
    assert_int_equal(v, 0x220);
    assert_int_equal(http_parse_chunk_size("", 0, &v, &w), -1);
    assert_string_equal(w, "chunk size not hex");
    assert_int_equal(http_parse_chunk_size("12g", 3, &v, &w), -1);
    assert_int_equal(http_parse_chunk_size("-1", 2, &v, &w), -1);

    http_str cl = {"  42 ", 5};
    assert_int_equal(http_parse_content_length(cl, &v), 0);
    assert_int_equal(v, 42);
    http_str cl2 = {"7,7 , 7", 7};
    assert_int_equal(http_parse_content_length(cl2, &v), 0);
    http_str bad[] = {{"7,8", 3}, {"", 0}, {"-1", 2}, {"1e3", 3}, {"99999999999999999999", 20}};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        assert_int_equal(http_parse_content_length(bad[i], &v), -1);

    http_str te = {"gzip, Chunked", 13};
    assert_true(http_list_last_is(te, "chunked"));
    assert_true(http_list_has(te, "GZIP"));
    http_str te2 = {"chunked, gzip", 13};
    assert_false(http_list_last_is(te2, "chunked"));
    http_str conn = {"keep-alive, close", 17};
    assert_true(http_list_has(conn, "close"));
    assert_true(http_is_request_line("POST /wsman HTTP/1.1", 20));
    assert_false(http_is_request_line("POST /wsman HTTP/1.1 ", 21));
    assert_true(http_is_status_line("HTTP/1.1 200 OK", 15));
}

int main(void)
{
    static struct CMUnitTest tests[N(cases) + N(parse_cases) + 8];
    size_t n = 0;
    for (size_t i = 0; i < N(parse_cases); i++)
        tests[n++] = (struct CMUnitTest){parse_cases[i].name, run_parse_case, NULL, NULL,
                                         (void *)&parse_cases[i]};
    for (size_t i = 0; i < N(cases); i++)
        tests[n++] = (struct CMUnitTest){cases[i].name, run_case, NULL, NULL, (void *)&cases[i]};
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(parser_details),     cmocka_unit_test(header_access),
        cmocka_unit_test(known_headers),      cmocka_unit_test(free_with_pending),
        cmocka_unit_test(default_body_limit), cmocka_unit_test(mutations),
    };
    for (size_t i = 0; i < N(fixed); i++)
        tests[n++] = fixed[i];
    return _cmocka_run_group_tests("http", tests, n, NULL, NULL);
}
