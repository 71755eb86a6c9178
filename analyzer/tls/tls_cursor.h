/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bounds-checked reading of TLS wire structures. Every read from packet
 * bytes in this layer goes through a cursor: a read past the end sets a
 * sticky error and yields zeros, so parsers can read a whole structure and
 * check the error once, and can never read out of bounds. */
#ifndef AMTDIAG_TLS_CURSOR_H
#define AMTDIAG_TLS_CURSOR_H

#include <stddef.h>
#include <stdint.h>

typedef struct tls_cur {
    const uint8_t *p;
    size_t len;
    size_t off;
    int err;
} tls_cur;

static inline tls_cur tls_cur_make(const uint8_t *p, size_t len)
{
    tls_cur c = {p, p ? len : 0, 0, 0};
    return c;
}

static inline size_t tls_cur_left(const tls_cur *c)
{
    return c->err ? 0 : c->len - c->off;
}

/* Reserves n bytes: returns a pointer to them, or NULL (and the error). */
static inline const uint8_t *tls_cur_take(tls_cur *c, size_t n)
{
    if (c->err || n > c->len - c->off) {
        c->err = 1;
        return NULL;
    }
    const uint8_t *r = c->p + c->off;
    c->off += n;
    return r;
}

static inline unsigned tls_cur_u8(tls_cur *c)
{
    const uint8_t *b = tls_cur_take(c, 1);
    return b ? b[0] : 0;
}

static inline unsigned tls_cur_u16(tls_cur *c)
{
    const uint8_t *b = tls_cur_take(c, 2);
    return b ? (unsigned)b[0] << 8 | b[1] : 0;
}

static inline uint32_t tls_cur_u24(tls_cur *c)
{
    const uint8_t *b = tls_cur_take(c, 3);
    return b ? (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2] : 0;
}

static inline uint32_t tls_cur_u32(tls_cur *c)
{
    const uint8_t *b = tls_cur_take(c, 4);
    return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : 0;
}

/* Copies n bytes out; on error the output is zeroed. */
static inline int tls_cur_copy(tls_cur *c, void *out, size_t n)
{
    const uint8_t *b = tls_cur_take(c, n);
    unsigned char *o = out;
    for (size_t i = 0; i < n; i++)
        o[i] = b ? b[i] : 0;
    return b ? 0 : -1;
}

/* A length-prefixed vector (prefix of lenbytes = 1, 2 or 3 bytes) as a
 * sub-cursor. On error the sub-cursor is empty and errored too. */
static inline tls_cur tls_cur_vec(tls_cur *c, int lenbytes)
{
    size_t n = lenbytes == 1 ? tls_cur_u8(c) : lenbytes == 2 ? tls_cur_u16(c) : tls_cur_u24(c);
    const uint8_t *b = tls_cur_take(c, n);
    tls_cur s = tls_cur_make(b, b ? n : 0);
    s.err = b ? 0 : 1;
    return s;
}

static inline void tls_put_u16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void tls_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

#endif
