/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdc: Kerberos on port 88. UDP carries a message a datagram; TCP a
 * stream of records (length, then message), each direction cut into
 * messages here after the flow table put the bytes in order. A hole in a
 * TCP stream loses the record boundaries: the rest of that direction is
 * skipped, with a warning naming the frame. */
#include "krb/kdc.h"

#include <glib.h>
#include <string.h>
#include <sys/socket.h>

#define KRB_PORT 88

struct kdc_tap {
    char *file;
    kdc_callbacks cb;
    flow_table *flows;
    unsigned warned;     /* warnings given */
    uint64_t held_back;  /* problems past KDC_WARN_MAX, counted */
    uint64_t held_frame; /* the frame of the first of them */
};

/* One direction of a TCP connection to a KDC. */
typedef struct kdc_dir {
    GByteArray *buf;
    int dead; /* a hole or an oversized record: boundaries are lost */
} kdc_dir;

typedef struct kdc_stream {
    kdc_dir dir[2];
} kdc_stream;

void krb_rec_free(krb_rec *r)
{
    if (!r)
        return;
    g_free(r->file);
    g_free(r->data);
    g_free(r);
}

int krb_rec_decode(const krb_rec *r, krb_msg *m)
{
    return krb_msg_parse(r->data, r->len, m);
}

int kdc_port(unsigned sport, unsigned dport)
{
    return sport == KRB_PORT || dport == KRB_PORT;
}

/* A problem with frame: a warning while fewer than KDC_WARN_MAX were
 * given, then only counted (a capture full of garbage on port 88 would
 * otherwise give one warning a datagram). */
static void warn(kdc_tap *t, uint64_t frame, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void warn(kdc_tap *t, uint64_t frame, const char *fmt, ...)
{
    if (!t->cb.on_warn)
        return;
    if (t->warned >= KDC_WARN_MAX) {
        if (t->held_back++ == 0)
            t->held_frame = frame;
        return;
    }
    t->warned++;
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    t->cb.on_warn(t->cb.ctx, msg);
    g_free(msg);
}

static void emit(kdc_tap *t, uint64_t frame, int64_t ts_us, const tcp_endpoint *client,
                 const tcp_endpoint *kdc, int from_kdc, int tcp, const uint8_t *data, size_t len)
{
    krb_rec *r = g_new0(krb_rec, 1);
    r->file = g_strdup(t->file);
    r->frame = frame;
    r->ts_us = ts_us;
    r->client = *client;
    r->kdc = *kdc;
    r->from_kdc = from_kdc;
    r->tcp = tcp;
    r->data = g_memdup2(data, len);
    r->len = len;
    krb_msg *m = g_new(krb_msg, 1);
    r->decoded = krb_msg_parse(r->data, r->len, m);
    r->type = m->type;
    if (r->decoded < 0)
        warn(t, frame,
             "%s: frame %" G_GUINT64_FORMAT ": %zu bytes on port 88 are not a Kerberos message",
             t->file, frame, len);
    else if (r->decoded > 0)
        warn(t, frame, "%s: frame %" G_GUINT64_FORMAT ": %s cut short or malformed at its %s",
             t->file, frame, krb_msg_type_name(m->type), m->why);
    g_free(m);
    if (t->cb.on_msg)
        t->cb.on_msg(t->cb.ctx, r);
    else
        krb_rec_free(r);
}

static void endpoint(tcp_endpoint *e, int family, const uint8_t *addr, uint16_t port)
{
    memset(e, 0, sizeof *e);
    e->family = family == 6 ? AF_INET6 : AF_INET;
    memcpy(e->addr, addr, family == 6 ? 16 : 4);
    e->port = port;
}

void kdc_tap_udp(kdc_tap *t, uint64_t frame, int64_t ts_us, int family, const uint8_t *src,
                 const uint8_t *dst, uint16_t sport, uint16_t dport, const uint8_t *payload,
                 size_t len)
{
    tcp_endpoint a, b;
    int from_kdc = sport == KRB_PORT && dport != KRB_PORT;
    endpoint(&a, family, from_kdc ? dst : src, from_kdc ? dport : sport);
    endpoint(&b, family, from_kdc ? src : dst, from_kdc ? sport : dport);
    if (len)
        emit(t, frame, ts_us, &a, &b, from_kdc, 0, payload, len);
}

/* ---- TCP ------------------------------------------------------------------- */

static void on_open(void *ctx, tcp_flow *f)
{
    (void)ctx;
    kdc_stream *s = g_new0(kdc_stream, 1);
    for (int d = 0; d < 2; d++)
        s->dir[d].buf = g_byte_array_new();
    f->app = s;
}

static void on_data(void *ctx, tcp_flow *f, int dir, const uint8_t *data, size_t len,
                    uint64_t first_frame, uint64_t last_frame)
{
    (void)first_frame;
    kdc_tap *t = ctx;
    kdc_stream *s = f->app;
    kdc_dir *d = &s->dir[dir];
    if (d->dead)
        return;
    g_byte_array_append(d->buf, data, (guint)len);
    /* the KDC is the server side of the connection, port 88 */
    int kdc_is_server = f->server.port == KRB_PORT || f->client.port != KRB_PORT;
    const tcp_endpoint *client = kdc_is_server ? &f->client : &f->server;
    const tcp_endpoint *kdc = kdc_is_server ? &f->server : &f->client;
    int from_kdc = (dir == 1) == kdc_is_server;
    /* every whole record, then one removal: a buffer of many small records
     * is cut in linear time */
    size_t at = 0;
    while (d->buf->len - at >= 4) {
        const uint8_t *p = d->buf->data + at;
        uint32_t n = ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]) &
                     0x7fffffffu;
        if (n > KDC_MSG_MAX) {
            warn(t, last_frame,
                 "%s: frame %" G_GUINT64_FORMAT ": a Kerberos record of %u bytes over TCP (more "
                 "than %u): the rest of this direction is not read",
                 t->file, last_frame, n, KDC_MSG_MAX);
            d->dead = 1;
            g_byte_array_set_size(d->buf, 0);
            return;
        }
        if (d->buf->len - at < 4 + (size_t)n)
            break;
        emit(t, last_frame, f->last_ts_us, client, kdc, from_kdc, 1, p + 4, n);
        at += 4 + (size_t)n;
    }
    if (at)
        g_byte_array_remove_range(d->buf, 0, (guint)at);
}

static void on_gap(void *ctx, tcp_flow *f, int dir, uint64_t offset, uint64_t len,
                   uint64_t frame_before, uint64_t frame_after)
{
    (void)offset;
    (void)frame_before;
    kdc_tap *t = ctx;
    kdc_stream *s = f->app;
    if (s->dir[dir].dead)
        return;
    warn(t, frame_after,
         "%s: frame %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT " bytes of a TCP connection to a "
         "KDC are missing: the rest of this direction is not read",
         t->file, frame_after, len);
    s->dir[dir].dead = 1;
    g_byte_array_set_size(s->dir[dir].buf, 0);
}

/* A TCP connection to the KDC that carried nothing: refused (RST) or its
 * SYNs unanswered — a fact for the diagnosis (the KDC is unreachable). */
static void refused(kdc_tap *t, const tcp_flow *f)
{
    if (f->bytes[0] || f->bytes[1] || !f->syn.count || f->server.port != KRB_PORT ||
        (f->synack_frame && f->rst_from != 1))
        return;
    krb_rec *r = g_new0(krb_rec, 1);
    r->file = g_strdup(t->file);
    r->frame = f->rst_frame ? f->rst_frame : f->syn.frame[0];
    r->ts_us = f->last_ts_us;
    r->client = f->client;
    r->kdc = f->server;
    r->tcp = 1;
    r->refused = 1;
    r->decoded = -1;
    if (t->cb.on_msg)
        t->cb.on_msg(t->cb.ctx, r);
    else
        krb_rec_free(r);
}

static void on_close(void *ctx, tcp_flow *f)
{
    kdc_tap *t = ctx;
    kdc_stream *s = f->app;
    refused(t, f);
    for (int d = 0; d < 2; d++) {
        if (s->dir[d].buf->len && !s->dir[d].dead)
            warn(t, f->last_frame,
                 "%s: frame %" G_GUINT64_FORMAT ": a TCP connection to a KDC ended inside a "
                 "Kerberos message (%u bytes of it)",
                 t->file, f->last_frame, s->dir[d].buf->len);
        g_byte_array_free(s->dir[d].buf, TRUE);
    }
    g_free(s);
    f->app = NULL;
}

kdc_tap *kdc_tap_new(const char *file, const kdc_callbacks *cb)
{
    kdc_tap *t = g_new0(kdc_tap, 1);
    t->file = g_strdup(file);
    if (cb)
        t->cb = *cb;
    flow_table_callbacks fcb = {on_open, on_data, on_gap, NULL, on_close, t};
    t->flows = flow_table_new(NULL, &fcb);
    return t;
}

void kdc_tap_tcp(kdc_tap *t, const tcp_seg *s)
{
    flow_table_segment(t->flows, s);
}

void kdc_tap_finish(kdc_tap *t)
{
    flow_table_finish(t->flows);
    if (t->held_back && t->cb.on_warn) {
        char *msg = g_strdup_printf("%s: frame %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT
                                    " more problems on port 88 from here on, not each told "
                                    "(after %u)",
                                    t->file, t->held_frame, t->held_back, KDC_WARN_MAX);
        t->cb.on_warn(t->cb.ctx, msg);
        g_free(msg);
        t->held_back = 0;
    }
}

void kdc_tap_free(kdc_tap *t)
{
    if (!t)
        return;
    flow_table_free(t->flows);
    g_free(t->file);
    g_free(t);
}
