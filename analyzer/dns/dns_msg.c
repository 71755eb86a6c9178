/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dns_msg: a DNS message parser (RFC 1035 §4), reading through lib's
 * bounds-checked cursor. */
#include "dns/dns_msg.h"

#include "amtdiag/cursor.h"
#include "amtdiag/dns_names.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Reads a possibly compressed name at the cursor into out (dotted, no
 * trailing dot, "" for the root) and moves the cursor past it. A pointer
 * may only point backwards, which rules out loops. */
static int get_name(amt_cur *c, char *out, const char **why)
{
    amt_cur r = *c;
    size_t n = 0, end = 0;
    int jumped = 0;
    out[0] = '\0';
    for (;;) {
        size_t pos = r.off;
        unsigned l = cur_u8(&r);
        if (r.err) {
            *why = "name runs past the end of the message";
            return -1;
        }
        if ((l & 0xc0) == 0xc0) {
            unsigned lo = cur_u8(&r);
            if (r.err) {
                *why = "truncated compression pointer";
                return -1;
            }
            size_t target = (size_t)(l & 0x3f) << 8 | lo;
            if (target >= pos) {
                *why = "compression pointer does not point backwards";
                return -1;
            }
            if (!jumped)
                end = r.off;
            jumped = 1;
            r = cur_at(&r, target);
            continue;
        }
        if (l & 0xc0) {
            *why = "unknown label type";
            return -1;
        }
        if (l == 0) {
            c->off = jumped ? end : r.off;
            out[n] = '\0';
            return 0;
        }
        const uint8_t *label = cur_take(&r, l);
        if (!label) {
            *why = "label runs past the end of the message";
            return -1;
        }
        if (n + l + 2 > DNS_NAME_MAX) {
            *why = "name longer than 255 bytes";
            return -1;
        }
        if (n)
            out[n++] = '.';
        memcpy(out + n, label, l);
        n += l;
    }
}

int dns_msg_parse(const uint8_t *data, size_t len, dns_msg *out, const char **why)
{
    static const char *ignored;
    if (!why)
        why = &ignored;
    memset(out, 0, sizeof *out);
    amt_cur c = cur_make(data, len);
    out->id = (uint16_t)cur_u16(&c);
    unsigned flags = cur_u16(&c), qd = cur_u16(&c), an = cur_u16(&c);
    cur_skip(&c, 4); /* authority and additional counts */
    if (c.err) {
        *why = "shorter than a DNS header";
        return -1;
    }
    out->is_response = (flags & 0x8000) != 0;
    out->rcode = flags & 0x000f;
    for (unsigned i = 0; i < qd; i++) {
        char name[DNS_NAME_MAX];
        if (get_name(&c, name, why))
            return -1;
        uint16_t type = (uint16_t)cur_u16(&c);
        if (cur_skip(&c, 2) != 0) { /* class */
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
        if (get_name(&c, a.name, why))
            return -1;
        a.type = (uint16_t)cur_u16(&c);
        cur_skip(&c, 2); /* class */
        a.ttl = cur_u32(&c);
        size_t rdlen = cur_u16(&c), rdata = c.off;
        const uint8_t *rd = cur_take(&c, rdlen);
        if (!rd) {
            *why = "truncated answer record";
            return -1;
        }
        int keep = 1;
        if (a.type == DNS_T_A && rdlen == 4) {
            memcpy(a.addr, rd, 4);
        } else if (a.type == DNS_T_AAAA && rdlen == 16) {
            memcpy(a.addr, rd, 16);
        } else if (a.type == DNS_T_PTR || a.type == DNS_T_CNAME) {
            /* the name within the record data; pointers may reach back */
            amt_cur r = cur_at(&c, rdata);
            cur_limit(&r, rdlen);
            if (get_name(&r, a.target, why))
                return -1;
        } else {
            keep = 0;
        }
        if (keep && out->n_answers < DNS_MAX_ANSWERS)
            out->answers[out->n_answers++] = a;
    }
    return 0;
}

int dns_ptr_address(const char *name, uint8_t addr[16])
{
    return amt_dns_ptr_address(name, addr); /* lib/ holds it for the plugin too */
}
