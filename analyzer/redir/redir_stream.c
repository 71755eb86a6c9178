/* SPDX-License-Identifier: GPL-2.0-or-later */
/* redir_stream: whole redirection messages out of two byte streams. */
#include "redir/redir_stream.h"

#include <glib.h>
#include <string.h>

#include "amtdiag/redir.h"

typedef struct direction {
    GByteArray *buf; /* bytes of the message being completed */
    int raw;         /* KVM: RFB from here on */
    int stopped;     /* not framed any more */
} direction;

struct redir_stream {
    redir_callbacks cb;
    void *ctx;
    redir_session session;
    direction d[2];
};

redir_stream *redir_stream_new(const redir_callbacks *cb, void *ctx)
{
    redir_stream *s = g_new0(redir_stream, 1);
    s->cb = *cb;
    s->ctx = ctx;
    for (int i = 0; i < 2; i++)
        s->d[i].buf = g_byte_array_new();
    return s;
}

void redir_stream_free(redir_stream *s)
{
    if (!s)
        return;
    for (int i = 0; i < 2; i++)
        g_byte_array_free(s->d[i].buf, TRUE);
    g_free(s);
}

int redir_stream_looks_like(const uint8_t *p, size_t len)
{
    return len >= 8 && p[0] == REDIR_START_SESSION &&
           redir_session_of_tag(p + 4) != REDIR_SESSION_UNKNOWN;
}

/* One framed message: the session and KVM's turn to RFB are read off it. */
static void deliver(redir_stream *s, int dir, const uint8_t *msg, size_t len, uint64_t frame)
{
    if (dir == REDIR_DIR_CONSOLE && msg[0] == REDIR_START_SESSION && len >= 8 &&
        s->session == REDIR_SESSION_UNKNOWN)
        s->session = redir_session_of_tag(msg + 4);
    if (s->session == REDIR_SESSION_KVM &&
        msg[0] == (dir == REDIR_DIR_CONSOLE ? REDIR_START_IDER : REDIR_START_IDER_REPLY))
        s->d[dir].raw = 1;
    if (s->cb.message)
        s->cb.message(s->ctx, dir, msg, len, frame);
}

/* The message's bytes could not be framed: direction dir stops. */
static void stop(redir_stream *s, int dir, uint8_t type, uint64_t frame)
{
    s->d[dir].stopped = 1;
    g_byte_array_set_size(s->d[dir].buf, 0);
    if (s->cb.bad)
        s->cb.bad(s->ctx, dir, type, frame);
}

void redir_stream_feed(redir_stream *s, int dir, const uint8_t *p, size_t len, uint64_t frame)
{
    if ((dir != REDIR_DIR_CONSOLE && dir != REDIR_DIR_AMT) || !len)
        return;
    direction *d = &s->d[dir];
    while (len && !d->stopped) {
        if (d->raw) {
            if (s->cb.raw)
                s->cb.raw(s->ctx, dir, len, frame);
            return;
        }
        size_t need = 0;
        if (!d->buf->len) {
            long n = redir_frame(p, len, s->session, &need);
            if (n < 0) {
                stop(s, dir, p[0], frame);
            } else if (n > 0) {
                deliver(s, dir, p, (size_t)n, frame);
                p += n;
                len -= (size_t)n;
            } else { /* the start of a message: kept until it is whole */
                g_byte_array_append(d->buf, p, (guint)len);
                len = 0;
            }
            continue;
        }
        /* Complete the message in the buffer, and no more: the header
         * byte by byte until it says the length (headers are short). */
        redir_frame(d->buf->data, d->buf->len, s->session, &need);
        size_t take = need > d->buf->len ? need - d->buf->len : 1;
        take = MIN(take, len);
        g_byte_array_append(d->buf, p, (guint)take);
        p += take;
        len -= take;
        long n = redir_frame(d->buf->data, d->buf->len, s->session, &need);
        if (n < 0) {
            stop(s, dir, d->buf->data[0], frame);
        } else if (n > 0) {
            deliver(s, dir, d->buf->data, (size_t)n, frame);
            g_byte_array_set_size(d->buf, 0);
        }
    }
}

void redir_stream_gap(redir_stream *s, int dir)
{
    if (dir != REDIR_DIR_CONSOLE && dir != REDIR_DIR_AMT)
        return;
    /* RFB is passed on as bytes: a hole there costs nothing. */
    if (!s->d[dir].raw)
        s->d[dir].stopped = 1;
    g_byte_array_set_size(s->d[dir].buf, 0);
}
