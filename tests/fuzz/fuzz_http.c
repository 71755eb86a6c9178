/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the streaming HTTP/1.1 parser (http/http_conn.h, http_parse.h).
 *
 * Input: an options byte (bit 0: tight head and body limits, so the
 * truncation paths run on small inputs; bit 1: no http_conn_end), then
 * chunks, each a control byte (bit 0: direction, 0 request; bit 1: a gap in
 * that direction after the chunk), a 16-bit big-endian length and the
 * bytes: the two directions of one connection in the order they arrived. */
#include "fuzz_common.h"
#include "http/http_conn.h"

#define MAX_CHUNKS 1024

static void touch(http_str s)
{
    FZ_CHECK(s.ptr || s.len == 0);
    if (s.ptr)
        fz_touch(s.ptr, s.len);
}

static void touch_headers(const http_header *h, size_t n)
{
    FZ_CHECK(n == 0 || h);
    for (size_t i = 0; i < n; i++) {
        touch(h[i].name);
        touch(h[i].value);
    }
}

static void check_message(const http_message *m, int response)
{
    if (!m->present)
        return;
    touch(m->method);
    touch(m->target);
    touch(m->reason);
    FZ_CHECK(!response || (m->status >= 0 && m->status <= 999));
    touch_headers(m->headers, m->n_headers);
    touch_headers(m->trailers, m->n_trailers);
    touch(m->authorization);
    touch(m->www_authenticate);
    touch(m->content_type);
    touch(m->server);
    touch(m->date);
    touch(m->connection);
    touch(m->host);
    touch(m->content_length);
    touch(m->transfer_encoding);
    FZ_CHECK(m->body || m->body_len == 0);
    fz_touch(m->body, m->body_len);
    FZ_CHECK(m->body_len <= m->body_total);
    FZ_CHECK(m->first_frame <= m->last_frame);
    size_t iter = 0, seen = 0;
    while (http_message_header(m, "content-type", &iter))
        FZ_CHECK(++seen <= m->n_headers);
}

static void on_exchange(void *ctx, const http_exchange *x)
{
    unsigned *next = ctx;
    FZ_CHECK(x->seq == (*next)++);
    FZ_CHECK(x->request.present || x->response.present);
    check_message(&x->request, 0);
    check_message(&x->response, 1);
}

static void on_error(void *ctx, int dir, uint32_t frame, const char *reason)
{
    (void)ctx;
    (void)frame;
    FZ_CHECK(dir == HTTP_DIR_REQUEST || dir == HTTP_DIR_RESPONSE);
    FZ_CHECK(reason && strlen(reason) > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    uint8_t options;
    if (!fz_u8(&in, &options))
        return 0;
    unsigned next = 0;
    http_callbacks cb = {on_exchange, on_error};
    http_conn *c = http_conn_new(&cb, &next);
    FZ_CHECK(c);
    if (options & 1)
        http_conn_set_limits(c, 256, 1024);
    for (uint32_t frame = 1; frame <= MAX_CHUNKS && in.n >= 3; frame++) {
        uint8_t ctl;
        uint16_t want;
        fz_u8(&in, &ctl);
        fz_u16(&in, &want);
        size_t len;
        const uint8_t *chunk = fz_take(&in, want, &len);
        /* A buffer of the chunk's exact size, so a read past it is caught. */
        uint8_t *copy = malloc(len ? len : 1);
        FZ_CHECK(copy);
        memcpy(copy, chunk, len);
        int dir = (ctl & 1) ? HTTP_DIR_RESPONSE : HTTP_DIR_REQUEST;
        http_conn_feed(c, dir, copy, len, frame, frame);
        free(copy);
        if (ctl & 2)
            http_conn_gap(c, dir);
    }
    if (!(options & 2))
        http_conn_end(c);
    http_conn_free(c);
    return 0;
}
