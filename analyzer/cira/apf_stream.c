/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apf_stream: framing a CIRA tunnel's two directions (see apf_stream.h). */
#include "cira/apf_stream.h"

#include <glib.h>
#include <string.h>

#include "amtdiag/apf.h"

struct apf_stream {
    const apf_callbacks *cb;
    void *ctx;
    GByteArray *buf[2];
    int dead[2];
    apf_frame_ctx fctx[2];
};

apf_stream *apf_stream_new(const apf_callbacks *cb, void *ctx)
{
    apf_stream *s = g_new0(apf_stream, 1);
    s->cb = cb;
    s->ctx = ctx;
    for (int d = 0; d < 2; d++) {
        s->buf[d] = g_byte_array_new();
        s->fctx[d] = APF_FRAME_CTX_UNKNOWN;
    }
    return s;
}

void apf_stream_free(apf_stream *s)
{
    if (!s)
        return;
    for (int d = 0; d < 2; d++)
        g_byte_array_free(s->buf[d], TRUE);
    g_free(s);
}

/* What a message tells the framing of either direction. */
static void learn(apf_stream *s, int dir, const uint8_t *m, size_t len)
{
    s->fctx[dir].after_auth_failure = m[0] == APF_USERAUTH_FAILURE;
    if (m[0] == APF_GLOBAL_REQUEST && len >= 5) {
        /* the other side's RequestSuccess answers this request */
        apf_msg p;
        if (apf_parse(m, len, &p) == 0)
            s->fctx[!dir].success_has_port = !strcmp(p.name, "tcpip-forward");
        apf_msg_clear(&p);
    }
}

void apf_stream_feed(apf_stream *s, int dir, const uint8_t *p, size_t len, uint64_t frame)
{
    if (dir < 0 || dir > 1 || s->dead[dir] || !len)
        return;
    GByteArray *b = s->buf[dir];
    g_byte_array_append(b, p, (guint)len);
    size_t off = 0;
    for (;;) {
        size_t need = 0;
        long n = apf_frame(b->data + off, b->len - off, &s->fctx[dir], &need);
        if (n < 0) {
            s->dead[dir] = 1;
            if (s->cb->bad)
                s->cb->bad(s->ctx, dir, b->len - off, frame);
            g_byte_array_set_size(b, 0);
            return;
        }
        if (n == 0)
            break;
        if (b->data[off] != 0) /* the trailer of a UserAuthFailure is no message */
            s->cb->message(s->ctx, dir, b->data + off, (size_t)n, frame);
        learn(s, dir, b->data + off, (size_t)n);
        off += (size_t)n;
    }
    g_byte_array_remove_range(b, 0, (guint)off);
}

void apf_stream_gap(apf_stream *s, int dir)
{
    if (dir < 0 || dir > 1)
        return;
    s->dead[dir] = 1;
    g_byte_array_set_size(s->buf[dir], 0);
}
