/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cira_wire: writing and framing APF in the simulator (see cira_wire.h). */
#include "cira_wire.h"

#include <poll.h>
#include <string.h>

void cw_u8(GByteArray *b, unsigned v)
{
    uint8_t c = (uint8_t)v;
    g_byte_array_append(b, &c, 1);
}

void cw_u32(GByteArray *b, uint32_t v)
{
    uint8_t c[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    g_byte_array_append(b, c, 4);
}

void cw_bytes(GByteArray *b, const void *p, size_t n)
{
    g_byte_array_append(b, p, (guint)n);
}

void cw_str(GByteArray *b, const char *s)
{
    size_t n = strlen(s);
    cw_u32(b, (uint32_t)n);
    cw_bytes(b, s, n);
}

GByteArray *cw_new(uint8_t t)
{
    GByteArray *b = g_byte_array_new();
    cw_u8(b, t);
    return b;
}

GByteArray *cw_channel_data(uint32_t chan, GString *s)
{
    GByteArray *m = cw_new(94);
    cw_u32(m, chan);
    cw_u32(m, (uint32_t)s->len);
    cw_bytes(m, s->str, s->len);
    g_string_free(s, TRUE);
    return m;
}

int cw_send(SSL *ssl, GByteArray *b)
{
    int r = SSL_write(ssl, b->data, (int)b->len) == (int)b->len ? 0 : -1;
    g_byte_array_free(b, TRUE);
    return r;
}

uint32_t cw_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

char *cw_get_str(const GByteArray *msg, size_t *off)
{
    if (*off + 4 > msg->len)
        return g_strdup("");
    uint32_t n = cw_get32(msg->data + *off);
    if (n > msg->len - *off - 4)
        n = (uint32_t)(msg->len - *off - 4);
    char *s = g_strndup((const char *)msg->data + *off + 4, n);
    *off += 4 + n;
    return s;
}

/* The length of the message at the start of b, 0 when incomplete, -1 bad.
 * Only what the simulator's two sides send each other. */
static long frame(const GByteArray *b, const cw_reader *r)
{
    const uint8_t *p = b->data;
    size_t n = b->len;
    if (n < 1)
        return 0;
#define NEED(k)                                                                                    \
    do {                                                                                           \
        if (n < (k))                                                                               \
            return 0;                                                                              \
    } while (0)
    switch (p[0]) {
    case 1:
        return 7;
    case 5:
    case 6:
    case 250:
        NEED(5);
        return 5 + (long)cw_get32(p + 1);
    case 50: {
        size_t off = 1;
        for (int i = 0; i < 3; i++) {
            NEED(off + 4);
            off += 4 + cw_get32(p + off);
        }
        /* the method is "password": a flag and the password */
        off += 1;
        NEED(off + 4);
        return (long)(off + 4 + cw_get32(p + off));
    }
    case 51:
        NEED(5);
        return 5 + (long)cw_get32(p + 1) + 2;
    case 52:
    case 82:
        return 1;
    case 80: {
        NEED(5);
        size_t off = 5 + cw_get32(p + 1) + 1;
        NEED(off + 4);
        return (long)(off + 4 + cw_get32(p + off) + 4);
    }
    case 81:
        return r->success_has_port ? 5 : 1;
    case 90: {
        size_t off = 1;
        NEED(off + 4);
        off += 4 + cw_get32(p + off) + 12;
        NEED(off + 4);
        off += 4 + cw_get32(p + off) + 4;
        NEED(off + 4);
        return (long)(off + 4 + cw_get32(p + off) + 4);
    }
    case 91:
    case 92:
        return 17;
    case 93:
        return 9;
    case 94:
        NEED(9);
        return 9 + (long)cw_get32(p + 5);
    case 97:
        return 5;
    case 192:
        return 93;
    case 208:
    case 209:
        return 5;
    case 210:
    case 211:
        return 9;
    default:
        return -1;
    }
#undef NEED
}

int cw_read(SSL *ssl, int fd, cw_reader *r, GByteArray **msg, int timeout_ms)
{
    if (!r->buf)
        r->buf = g_byte_array_new();
    for (;;) {
        long len = frame(r->buf, r);
        if (len < 0)
            return -1;
        if (len > 0 && r->buf->len >= (size_t)len) {
            *msg = g_byte_array_new();
            g_byte_array_append(*msg, r->buf->data, (guint)len);
            g_byte_array_remove_range(r->buf, 0, (guint)len);
            return (*msg)->data[0];
        }
        if (!SSL_pending(ssl) && timeout_ms >= 0) {
            struct pollfd pf = {.fd = fd, .events = POLLIN};
            if (poll(&pf, 1, timeout_ms) == 0)
                return -2;
        }
        uint8_t tmp[16384];
        int n = SSL_read(ssl, tmp, sizeof tmp);
        if (n <= 0)
            return -1;
        g_byte_array_append(r->buf, tmp, (guint)n);
    }
}
