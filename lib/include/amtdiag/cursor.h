/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one bounds-checked reader of untrusted bytes: captures, frames, DNS
 * messages, TLS records, the redirection protocol. A cursor walks a byte
 * range; a read past its end sets a sticky error and yields zeros, so a
 * parser can read a whole structure and check the error once, and can
 * never read out of bounds. Sub-cursors (a length-prefixed vector, the
 * next n bytes) fail as a whole when the parent has fewer bytes. */
#ifndef AMTDIAG_CURSOR_H
#define AMTDIAG_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct amt_cur {
    const uint8_t *p;
    size_t len; /* bytes readable from p */
    size_t off; /* the next byte to read; never beyond len */
    int err;    /* a read went past the end (sticky) */
} amt_cur;

/* A cursor over len bytes at p (none when p is NULL). */
static inline amt_cur cur_make(const uint8_t *p, size_t len)
{
    amt_cur c = {p, p ? len : 0, 0, 0};
    return c;
}

/* Bytes left to read; 0 once the cursor has failed. */
static inline size_t cur_left(const amt_cur *c)
{
    return c->err ? 0 : c->len - c->off;
}

/* The next unread byte: reading cur_left() bytes from it is allowed. */
static inline const uint8_t *cur_ptr(const amt_cur *c)
{
    return c->p ? c->p + c->off : NULL;
}

/* Reserves n bytes: returns a pointer to them (never NULL for n == 0 on a
 * good cursor, even an empty one), or NULL and the error. */
static inline const uint8_t *cur_take(amt_cur *c, size_t n)
{
    static const uint8_t none[1];
    if (c->err || n > c->len - c->off) {
        c->err = 1;
        return NULL;
    }
    if (c->p == NULL)
        return none;
    const uint8_t *r = c->p + c->off;
    c->off += n;
    return r;
}

/* Skips n bytes. Returns 0, or -1 (and the error) when fewer are left. */
static inline int cur_skip(amt_cur *c, size_t n)
{
    return cur_take(c, n) ? 0 : -1;
}

static inline unsigned cur_u8(amt_cur *c)
{
    const uint8_t *b = cur_take(c, 1);
    return b ? b[0] : 0;
}

/* Big-endian (network order) integers. */
static inline unsigned cur_u16(amt_cur *c)
{
    const uint8_t *b = cur_take(c, 2);
    return b ? (unsigned)b[0] << 8 | b[1] : 0;
}

static inline uint32_t cur_u24(amt_cur *c)
{
    const uint8_t *b = cur_take(c, 3);
    return b ? (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2] : 0;
}

static inline uint32_t cur_u32(amt_cur *c)
{
    const uint8_t *b = cur_take(c, 4);
    return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : 0;
}

/* Little-endian integers (the redirection protocol, pcap files). */
static inline unsigned cur_le16(amt_cur *c)
{
    const uint8_t *b = cur_take(c, 2);
    return b ? (unsigned)b[1] << 8 | b[0] : 0;
}

static inline uint32_t cur_le32(amt_cur *c)
{
    const uint8_t *b = cur_take(c, 4);
    return b ? (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0] : 0;
}

/* A 16- or 32-bit integer in the byte order of the structure read (pcap
 * and pcapng files are written in the writer's order). */
static inline unsigned cur_u16o(amt_cur *c, int big)
{
    return big ? cur_u16(c) : cur_le16(c);
}

static inline uint32_t cur_u32o(amt_cur *c, int big)
{
    return big ? cur_u32(c) : cur_le32(c);
}

/* Copies n bytes out; on error the output is zeroed. */
static inline int cur_copy(amt_cur *c, void *out, size_t n)
{
    const uint8_t *b = cur_take(c, n);
    if (b)
        memcpy(out, b, n);
    else
        memset(out, 0, n);
    return b ? 0 : -1;
}

/* The next n bytes as a sub-cursor, the parent moved past them. When
 * fewer are left the sub-cursor is empty and failed, and so is the parent. */
static inline amt_cur cur_sub(amt_cur *c, size_t n)
{
    const uint8_t *b = cur_take(c, n);
    amt_cur s = cur_make(b, b ? n : 0);
    s.err = b ? 0 : 1;
    return s;
}

/* A length-prefixed vector (a big-endian prefix of lenbytes = 1, 2 or 3
 * bytes) as a sub-cursor. */
static inline amt_cur cur_vec(amt_cur *c, int lenbytes)
{
    size_t n = lenbytes == 1 ? cur_u8(c) : lenbytes == 2 ? cur_u16(c) : cur_u24(c);
    return cur_sub(c, n);
}

/* A vector with a big-endian 32-bit length prefix (SSH-style strings:
 * APF) as a sub-cursor. */
static inline amt_cur cur_vec4(amt_cur *c)
{
    uint32_t n = cur_u32(c);
    return cur_sub(c, n);
}

/* Ends the readable range n bytes after the current position, when that is
 * shorter (a length field inside the range: trailing padding is not data). */
static inline void cur_limit(amt_cur *c, size_t n)
{
    if (!c->err && n < c->len - c->off)
        c->len = c->off + n;
}

/* A cursor over the same bytes at absolute offset off (a DNS compression
 * pointer); failed when off is beyond the end. */
static inline amt_cur cur_at(const amt_cur *c, size_t off)
{
    amt_cur s = cur_make(c->p, c->len);
    if (off > c->len)
        s.err = 1;
    else
        s.off = off;
    return s;
}

#endif
