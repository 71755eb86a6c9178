/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dns_msg: a bounds-checked DNS message parser (RFC 1035 §4). */
#include "dns/dns_msg.h"

#include "amtdiag/dns_names.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A read cursor: every access is checked against the message length. */
typedef struct {
    const uint8_t *p;
    size_t len, off;
} cursor;

static int get_u16(cursor *c, uint16_t *v)
{
    if (c->len - c->off < 2 || c->off > c->len)
        return -1;
    *v = (uint16_t)(c->p[c->off] << 8 | c->p[c->off + 1]);
    c->off += 2;
    return 0;
}

static int get_u32(cursor *c, uint32_t *v)
{
    uint16_t hi, lo;
    if (get_u16(c, &hi) || get_u16(c, &lo))
        return -1;
    *v = (uint32_t)hi << 16 | lo;
    return 0;
}

/* Reads a possibly compressed name at c->off into out (dotted, no trailing
 * dot, "" for the root) and moves the cursor past it. A pointer may only
 * point backwards, which rules out loops. */
static int get_name(cursor *c, char *out, const char **why)
{
    size_t pos = c->off, n = 0, end = 0;
    int jumped = 0;
    out[0] = '\0';
    for (;;) {
        if (pos >= c->len) {
            *why = "name runs past the end of the message";
            return -1;
        }
        uint8_t l = c->p[pos];
        if ((l & 0xc0) == 0xc0) {
            if (pos + 1 >= c->len) {
                *why = "truncated compression pointer";
                return -1;
            }
            size_t target = (size_t)(l & 0x3f) << 8 | c->p[pos + 1];
            if (target >= pos) {
                *why = "compression pointer does not point backwards";
                return -1;
            }
            if (!jumped)
                end = pos + 2;
            jumped = 1;
            pos = target;
            continue;
        }
        if (l & 0xc0) {
            *why = "unknown label type";
            return -1;
        }
        if (l == 0) {
            c->off = jumped ? end : pos + 1;
            out[n] = '\0';
            return 0;
        }
        if (pos + 1 + l > c->len) {
            *why = "label runs past the end of the message";
            return -1;
        }
        if (n + l + 2 > DNS_NAME_MAX) {
            *why = "name longer than 255 bytes";
            return -1;
        }
        if (n)
            out[n++] = '.';
        memcpy(out + n, c->p + pos + 1, l);
        n += l;
        pos += 1 + (size_t)l;
    }
}

int dns_msg_parse(const uint8_t *data, size_t len, dns_msg *out, const char **why)
{
    static const char *ignored;
    if (!why)
        why = &ignored;
    memset(out, 0, sizeof *out);
    cursor c = {data, len, 0};
    uint16_t flags, qd, an, ns, ar;
    if (get_u16(&c, &out->id) || get_u16(&c, &flags) || get_u16(&c, &qd) || get_u16(&c, &an) ||
        get_u16(&c, &ns) || get_u16(&c, &ar)) {
        *why = "shorter than a DNS header";
        return -1;
    }
    (void)ns;
    (void)ar;
    out->is_response = (flags & 0x8000) != 0;
    out->rcode = flags & 0x000f;
    for (unsigned i = 0; i < qd; i++) {
        char name[DNS_NAME_MAX];
        uint16_t type, cls;
        if (get_name(&c, name, why))
            return -1;
        if (get_u16(&c, &type) || get_u16(&c, &cls)) {
            *why = "truncated question";
            return -1;
        }
        if (i == 0) {
            memcpy(out->qname, name, sizeof name);
            out->qtype = type;
        }
    }
    for (unsigned i = 0; i < an; i++) {
        dns_answer a;
        memset(&a, 0, sizeof a);
        uint16_t cls, rdlen;
        if (get_name(&c, a.name, why))
            return -1;
        if (get_u16(&c, &a.type) || get_u16(&c, &cls) || get_u32(&c, &a.ttl) ||
            get_u16(&c, &rdlen) || c.len - c.off < rdlen) {
            *why = "truncated answer record";
            return -1;
        }
        size_t rdata = c.off;
        int keep = 1;
        if (a.type == DNS_T_A && rdlen == 4) {
            memcpy(a.addr, c.p + rdata, 4);
        } else if (a.type == DNS_T_AAAA && rdlen == 16) {
            memcpy(a.addr, c.p + rdata, 16);
        } else if (a.type == DNS_T_PTR || a.type == DNS_T_CNAME) {
            cursor r = {data, rdata + rdlen, rdata};
            if (get_name(&r, a.target, why))
                return -1;
        } else {
            keep = 0;
        }
        c.off = rdata + rdlen;
        if (keep && out->n_answers < DNS_MAX_ANSWERS)
            out->answers[out->n_answers++] = a;
    }
    return 0;
}

int dns_ptr_address(const char *name, uint8_t addr[16])
{
    return amt_dns_ptr_address(name, addr); /* lib/ holds it for the plugin too */
}
