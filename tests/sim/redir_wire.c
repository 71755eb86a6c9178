/* SPDX-License-Identifier: GPL-2.0-or-later */
/* redir_wire: the simulator's redirection messages and their reading. */
#include "redir_wire.h"

#include <string.h>

#include "netsim.h"

void rw_begin(rw_msg *m, uint8_t type)
{
    memset(m, 0, sizeof *m);
    m->b[0] = type;
    m->n = 1;
}

void rw_bytes(rw_msg *m, const void *p, size_t n)
{
    if (m->n + n > sizeof m->b)
        n = sizeof m->b - m->n;
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

void rw_u8(rw_msg *m, unsigned v)
{
    uint8_t b = (uint8_t)v;
    rw_bytes(m, &b, 1);
}

void rw_le16(rw_msg *m, unsigned v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    rw_bytes(m, b, 2);
}

void rw_le32(rw_msg *m, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    rw_bytes(m, b, 4);
}

void rw_str(rw_msg *m, const char *s)
{
    size_t n = strlen(s);
    if (n > 255)
        n = 255;
    rw_u8(m, (unsigned)n);
    rw_bytes(m, s, n);
}

void rw_pad(rw_msg *m, size_t n)
{
    while (m->n < n && m->n < sizeof m->b)
        m->b[m->n++] = 0;
}

void rw_auth_begin(rw_msg *m, int reply, unsigned status, unsigned type)
{
    rw_begin(m, reply ? RW_AUTH_REPLY : RW_AUTH);
    rw_u8(m, reply ? status : 0);
    rw_le16(m, 0);
    rw_u8(m, type);
    rw_le32(m, 0); /* the length, filled in by rw_auth_end */
}

void rw_auth_end(rw_msg *m)
{
    uint32_t len = (uint32_t)(m->n - 9);
    m->b[5] = (uint8_t)len;
    m->b[6] = (uint8_t)(len >> 8);
    m->b[7] = (uint8_t)(len >> 16);
    m->b[8] = (uint8_t)(len >> 24);
}

int rw_send(simio *io, const rw_msg *m)
{
    sim_conn *c = netsim_conn_of(io);
    if (c) {
        sim_conn_facts *f = netsim_facts(c);
        int side = simio_is_server(io);
        if (f->n_redir[side] < SIM_MAX_REDIR)
            f->redir_types[side][f->n_redir[side]++] = m->b[0];
    }
    return simio_write(io, m->b, m->n);
}

/* The whole length of a message whose first avail bytes are at p; 0 when
 * more are needed to tell; -1 for a type this simulator does not know. */
static long msg_len(const uint8_t *p, size_t avail, int kvm)
{
    if (!avail)
        return 0;
    size_t hdr = 0, at = 0, width = 0;
    switch (p[0]) {
    case RW_END:
        return 4;
    case RW_START:
    case RW_SOL_END:
    case RW_SOL_END_REPLY:
    case RW_SOL_HEARTBEAT:
    case RW_IDER_END:
    case RW_IDER_END_REPLY:
        return 8;
    case RW_SOL_CONTROLS:
        return 10;
    case RW_SOL_START:
        return 24;
    case RW_IDER_COMMAND:
        return 28;
    case RW_IDER_START:
        return kvm ? 8 : 18;
    case RW_START_REPLY:
        hdr = 13, at = 12, width = 1;
        break;
    case RW_SOL_START_REPLY:
        hdr = 23, at = 22, width = 1;
        break;
    case RW_IDER_START_REPLY:
        if (kvm)
            return 8;
        hdr = 30, at = 29, width = 1;
        break;
    case RW_AUTH:
    case RW_AUTH_REPLY:
        hdr = 9, at = 5, width = 4;
        break;
    case RW_SOL_TO_HOST:
    case RW_SOL_FROM_HOST:
        hdr = 10, at = 8, width = 2;
        break;
    case RW_IDER_TO_HOST:
        hdr = 34, at = 9, width = 2;
        break;
    default:
        return -1;
    }
    if (avail < hdr)
        return 0;
    uint32_t n = 0;
    for (size_t k = 0; k < width; k++)
        n |= (uint32_t)p[at + k] << (8 * k);
    return hdr + n <= RW_MAX ? (long)(hdr + n) : -1;
}

int rw_read(simio *io, rw_reader *r, rw_msg *m)
{
    for (;;) {
        long n = msg_len(r->b, r->n, r->kvm);
        if (n < 0)
            return -1;
        if (n > 0 && (size_t)n <= r->n) {
            memset(m, 0, sizeof *m);
            memcpy(m->b, r->b, (size_t)n);
            m->n = (size_t)n;
            memmove(r->b, r->b + n, r->n - (size_t)n);
            r->n -= (size_t)n;
            return 1;
        }
        if (r->n == sizeof r->b)
            return -1;
        long got = simio_read(io, r->b + r->n, sizeof r->b - r->n);
        if (got <= 0)
            return got == 0 ? 0 : -1;
        r->n += (size_t)got;
    }
}

int rw_read_raw(simio *io, rw_reader *r, void *out, size_t n)
{
    uint8_t *p = out;
    size_t have = r->n < n ? r->n : n;
    memcpy(p, r->b, have);
    memmove(r->b, r->b + have, r->n - have);
    r->n -= have;
    while (have < n) {
        long got = simio_read(io, p + have, n - have);
        if (got <= 0)
            return -1;
        have += (size_t)got;
    }
    return 0;
}

size_t rw_strings(const rw_msg *m, char out[][256], size_t max)
{
    size_t at = 9, k = 0;
    while (k < max && at < m->n) {
        size_t len = m->b[at++];
        if (at + len > m->n)
            break;
        memcpy(out[k], m->b + at, len);
        out[k][len] = '\0';
        at += len;
        k++;
    }
    return k;
}
