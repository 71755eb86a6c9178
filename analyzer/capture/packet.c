/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packet: link-layer and network decode of captured frames (Ethernet with
 * VLAN tags, Linux cooked v1/v2, BSD loopback, raw IP; IPv4 with fragment
 * reassembly, IPv6 with extension headers; TCP and UDP headers).
 *
 * Capture files are untrusted input: every read goes through lib's cursor
 * (amtdiag/cursor.h), which refuses to move past the captured length, and every length
 * field is checked against both the captured bytes and the enclosing
 * header before it is used. */
#include "capture/packet.h"

#include "amtdiag/cursor.h"

#include <pcap/dlt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file-format value of raw IP; pcap_datalink() maps it to DLT_RAW, but
 * callers feeding frames from elsewhere may pass it as is. */
#define LINKTYPE_RAW 101

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88A8
#define ETHERTYPE_QINQ_OLD 0x9100 /* pre-802.1ad QinQ, still seen on old switches */
#define ETHERTYPE_MIN 0x0600      /* below this the field is an 802.3 length */
#define MAX_VLAN_TAGS 8
#define ARPHRD_NETLINK 824 /* SLL frames of netlink sockets: not IP */

/* BSD loopback address families: AF_INET is 2 everywhere, AF_INET6 is 24
 * on NetBSD/OpenBSD, 28 on FreeBSD, 30 on macOS. */
#define BSD_AF_INET 2
#define BSD_AF_INET6_BSD 24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_DSTOPTS_ 60
/* Each extension header takes at least 8 bytes, so a 64 KiB payload ends
 * the walk anyway; the cap only bounds time on a hostile chain. */
#define MAX_IPV6_EXT_HEADERS 32

#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1FFF
#define IPV4_MAX_LEN 65535u

/* A real datagram arrives in a few dozen fragments; more disjoint pieces
 * than this is an attack or garbage, and a fixed array keeps the table's
 * memory bounded without per-fragment allocation. */
#define FRAG_MAX_SPANS 128

/* ---- the fragment table ---- */

typedef struct {
    uint32_t start, end; /* [start, end) of the IP payload */
} frag_span;

typedef struct {
    int used;
    uint8_t src[4], dst[4];
    uint8_t proto;
    uint16_t id;
    int64_t first_ts;
    uint64_t order;                  /* creation order: the smallest is the oldest */
    int have_last;                   /* the fragment without MF was seen ... */
    uint32_t total;                  /* ... and gave the payload length */
    uint8_t *buf;                    /* payload bytes at their offsets */
    size_t cap;                      /* allocated size of buf, counted against the limit */
    frag_span spans[FRAG_MAX_SPANS]; /* what buf holds: sorted, disjoint, not adjacent */
    size_t nspans;
} frag_entry;

struct pkt_decoder {
    frag_entry frags[PKT_FRAG_MAX_DATAGRAMS];
    size_t nfrags;
    size_t frag_bytes;
    uint64_t next_order;
    /* The payload of the datagram reassembled by the last call: the
     * caller's pkt points into it until the next call. */
    uint8_t *done;
    char why[160];
};

static void frag_drop(pkt_decoder *d, frag_entry *e)
{
    if (!e->used)
        return;
    d->frag_bytes -= e->cap;
    d->nfrags--;
    free(e->buf);
    memset(e, 0, sizeof *e);
}

static frag_entry *frag_oldest(pkt_decoder *d, const frag_entry *except)
{
    frag_entry *old = NULL;
    for (size_t i = 0; i < PKT_FRAG_MAX_DATAGRAMS; i++) {
        frag_entry *e = &d->frags[i];
        if (e->used && e != except && (old == NULL || e->order < old->order))
            old = e;
    }
    return old;
}

/* Drops datagrams whose first fragment is more than the timeout older than
 * now in capture time (the clock that matters for a capture file). */
static void frag_expire(pkt_decoder *d, int64_t now)
{
    for (size_t i = 0; i < PKT_FRAG_MAX_DATAGRAMS; i++) {
        frag_entry *e = &d->frags[i];
        /* unsigned difference: no overflow on absurd timestamps; capture
         * time running backwards (merged files) expires nothing */
        if (e->used && now > e->first_ts &&
            (uint64_t)now - (uint64_t)e->first_ts > (uint64_t)PKT_FRAG_TIMEOUT_US)
            frag_drop(d, e);
    }
}

static frag_entry *frag_find(pkt_decoder *d, const uint8_t *src, const uint8_t *dst, uint8_t proto,
                             uint16_t id)
{
    for (size_t i = 0; i < PKT_FRAG_MAX_DATAGRAMS; i++) {
        frag_entry *e = &d->frags[i];
        if (e->used && e->id == id && e->proto == proto && memcmp(e->src, src, 4) == 0 &&
            memcmp(e->dst, dst, 4) == 0)
            return e;
    }
    return NULL;
}

static frag_entry *frag_create(pkt_decoder *d, const uint8_t *src, const uint8_t *dst,
                               uint8_t proto, uint16_t id, int64_t ts)
{
    if (d->nfrags == PKT_FRAG_MAX_DATAGRAMS)
        frag_drop(d, frag_oldest(d, NULL));
    for (size_t i = 0; i < PKT_FRAG_MAX_DATAGRAMS; i++) {
        frag_entry *e = &d->frags[i];
        if (e->used)
            continue;
        e->used = 1;
        memcpy(e->src, src, 4);
        memcpy(e->dst, dst, 4);
        e->proto = proto;
        e->id = id;
        e->first_ts = ts;
        e->order = d->next_order++;
        d->nfrags++;
        return e;
    }
    return NULL; /* unreachable: a slot was just freed */
}

/* Makes e->buf hold at least need bytes, evicting older datagrams while the
 * table would exceed its byte budget. Returns 0 or -1 (out of memory). */
static int frag_reserve(pkt_decoder *d, frag_entry *e, size_t need)
{
    if (need <= e->cap)
        return 0;
    /* grow in 2 KiB steps: a few reallocs per datagram, little slack */
    size_t ncap = (need + 2047u) & ~(size_t)2047u;
    if (ncap > IPV4_MAX_LEN)
        ncap = need;
    while (d->frag_bytes - e->cap + ncap > PKT_FRAG_MAX_BYTES) {
        frag_entry *old = frag_oldest(d, e);
        if (old == NULL)
            break; /* cannot happen: one datagram is far below the budget */
        frag_drop(d, old);
    }
    uint8_t *nb = realloc(e->buf, ncap);
    if (nb == NULL)
        return -1;
    d->frag_bytes += ncap - e->cap;
    e->buf = nb;
    e->cap = ncap;
    return 0;
}

/* Copies the parts of [start, end) that no earlier fragment supplied and
 * records the coverage. The first copy wins: a later overlapping piece,
 * retransmitted or forged, cannot rewrite bytes already in place. */
static int frag_insert(frag_entry *e, uint32_t start, uint32_t end, const uint8_t *data)
{
    /* count the spans the new piece touches to know the merged result fits */
    size_t first = 0;
    while (first < e->nspans && e->spans[first].end < start)
        first++;
    size_t last = first;
    while (last < e->nspans && e->spans[last].start <= end)
        last++;
    /* spans[first, last) overlap or touch [start, end) and merge with it */
    if (first == last && e->nspans == FRAG_MAX_SPANS)
        return -1;

    uint32_t pos = start;
    for (size_t i = first; i < last && pos < end; i++) {
        if (e->spans[i].start > pos)
            memcpy(e->buf + pos, data + (pos - start), e->spans[i].start - pos);
        if (e->spans[i].end > pos)
            pos = e->spans[i].end;
    }
    if (pos < end)
        memcpy(e->buf + pos, data + (pos - start), end - pos);

    frag_span merged = {start, end};
    if (first < last) {
        if (e->spans[first].start < merged.start)
            merged.start = e->spans[first].start;
        if (e->spans[last - 1].end > merged.end)
            merged.end = e->spans[last - 1].end;
    }
    size_t removed = last - first;
    if (removed == 0) {
        memmove(&e->spans[first + 1], &e->spans[first], (e->nspans - first) * sizeof e->spans[0]);
        e->nspans++;
    } else if (removed > 1) {
        memmove(&e->spans[first + 1], &e->spans[last], (e->nspans - last) * sizeof e->spans[0]);
        e->nspans -= removed - 1;
    }
    e->spans[first] = merged;
    return 0;
}

/* ---- decoding ---- */

/* Records why the frame is malformed; returns PKT_MALFORMED. */
static pkt_status bad(pkt_decoder *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static pkt_status bad(pkt_decoder *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->why, sizeof d->why, fmt, ap);
    va_end(ap);
    return PKT_MALFORMED;
}

/* TCP or UDP over the IP payload: caplen bytes are present in p, wirelen
 * are on the wire according to the IP header. */
static pkt_status decode_l4(pkt_decoder *d, uint8_t proto, const uint8_t *p, size_t caplen,
                            size_t wirelen, pkt *out)
{
    amt_cur c = cur_make(p, caplen);
    out->proto = proto;

    if (proto == IPPROTO_TCP_) {
        if (wirelen < 20)
            return bad(d, "TCP segment length %zu < 20", wirelen);
        out->sport = (uint16_t)cur_u16(&c);
        out->dport = (uint16_t)cur_u16(&c);
        out->seq = cur_u32(&c);
        out->ack = cur_u32(&c);
        uint8_t doff = (uint8_t)cur_u8(&c), flags = (uint8_t)cur_u8(&c);
        out->window = (uint16_t)cur_u16(&c);
        if (cur_skip(&c, 4) != 0)
            return bad(d, "TCP header truncated (%zu of 20 bytes)", caplen);
        unsigned hl = (unsigned)(doff >> 4) * 4;
        if (hl < 20)
            return bad(d, "TCP data offset %u < 5", (unsigned)(doff >> 4));
        if (hl > wirelen)
            return bad(d, "TCP header length %u > segment length %zu", hl, wirelen);
        if (cur_skip(&c, hl - 20) != 0)
            return bad(d, "TCP header truncated (%zu of %u bytes)", caplen, hl);
        /* the low 6 bits; ECE/CWR/NS do not matter to the analysis */
        out->tcp_flags = flags & 0x3F;
        out->payload = cur_ptr(&c);
        out->payload_len = cur_left(&c);
        out->wire_payload_len = wirelen - hl;
        return PKT_OK;
    }

    if (proto == IPPROTO_UDP_) {
        if (wirelen < 8)
            return bad(d, "UDP datagram length %zu < 8", wirelen);
        out->sport = (uint16_t)cur_u16(&c);
        out->dport = (uint16_t)cur_u16(&c);
        uint16_t ulen = (uint16_t)cur_u16(&c);
        if (cur_skip(&c, 2) != 0)
            return bad(d, "UDP header truncated (%zu of 8 bytes)", caplen);
        size_t ul = ulen;
        if (ul == 0)
            ul = wirelen; /* jumbogram (RFC 2675): the IP layer has the length */
        if (ul < 8)
            return bad(d, "UDP length %zu < 8", ul);
        if (ul > wirelen)
            return bad(d, "UDP length %zu > IP payload length %zu", ul, wirelen);
        cur_limit(&c, ul - 8);
        out->payload = cur_ptr(&c);
        out->payload_len = cur_left(&c);
        out->wire_payload_len = ul - 8;
        return PKT_OK;
    }
    return PKT_SKIP;
}

/* One IPv4 fragment: stores it, and once the datagram is whole decodes its
 * payload into out (reported on this, the completing, frame). */
static pkt_status ipv4_fragment(pkt_decoder *d, const uint8_t *src, const uint8_t *dst,
                                uint8_t proto, uint16_t id, uint32_t off, int more,
                                const uint8_t *data, size_t caplen, size_t wirelen, int64_t ts,
                                size_t ihl, pkt *out)
{
    frag_expire(d, ts);

    /* the reassembled datagram, header included, must fit IPv4's 16 bits */
    if (ihl + off + wirelen > IPV4_MAX_LEN)
        return bad(d, "IPv4 fragment ends at %zu > 65535", ihl + off + wirelen);
    if (wirelen == 0 && more)
        return PKT_SKIP; /* an empty middle piece adds nothing */

    frag_entry *e = frag_find(d, src, dst, proto, id);
    if (e == NULL) {
        e = frag_create(d, src, dst, proto, id, ts);
        if (e == NULL)
            return PKT_SKIP;
    }

    uint32_t end = off + (uint32_t)wirelen;
    if (!more) {
        if (e->have_last && e->total != end) {
            uint32_t total = e->total;
            frag_drop(d, e);
            return bad(d, "IPv4 fragments disagree on the datagram length (%u vs %u)",
                       (unsigned)total, (unsigned)end);
        }
        e->have_last = 1;
        e->total = end;
    }
    if (e->have_last &&
        (end > e->total || (e->nspans > 0 && e->spans[e->nspans - 1].end > e->total))) {
        uint32_t total = e->total;
        frag_drop(d, e);
        return bad(d, "IPv4 fragment data beyond the datagram length %u", (unsigned)total);
    }

    /* Only captured bytes are stored: a fragment cut by the snapshot
     * length leaves a hole, and the datagram never completes (it expires)
     * rather than being completed with bytes that were never seen. */
    uint32_t cend = off + (uint32_t)caplen;
    if (caplen > 0) {
        if (frag_reserve(d, e, cend) != 0) {
            frag_drop(d, e);
            return PKT_SKIP;
        }
        if (frag_insert(e, off, cend, data) != 0) {
            frag_drop(d, e);
            return bad(d, "IPv4 datagram in more than %d disjoint fragments", FRAG_MAX_SPANS);
        }
    }

    if (!e->have_last || e->nspans != 1 || e->spans[0].start != 0 || e->spans[0].end != e->total)
        return PKT_SKIP;

    /* complete: hand the buffer over to d->done so out can point into it */
    free(d->done);
    d->done = e->buf;
    size_t total = e->total;
    d->frag_bytes -= e->cap;
    e->buf = NULL;
    e->cap = 0;
    frag_drop(d, e);
    return decode_l4(d, proto, d->done, total, total, out);
}

static pkt_status decode_ipv4(pkt_decoder *d, amt_cur *c, int64_t ts, pkt *out)
{
    size_t avail = cur_left(c);
    uint8_t vihl = (uint8_t)cur_u8(c);
    cur_skip(c, 1); /* type of service */
    uint16_t total = (uint16_t)cur_u16(c), id = (uint16_t)cur_u16(c), frag = (uint16_t)cur_u16(c);
    cur_skip(c, 1); /* TTL */
    uint8_t proto = (uint8_t)cur_u8(c);
    cur_skip(c, 2); /* checksum */
    uint8_t src[4], dst[4];
    cur_copy(c, src, 4);
    if (cur_copy(c, dst, 4) != 0)
        return bad(d, "IPv4 header truncated (%zu of 20 bytes)", avail);
    if (vihl >> 4 != 4)
        return bad(d, "IP version %u in an IPv4 packet", (unsigned)(vihl >> 4));
    size_t ihl = (size_t)(vihl & 0x0F) * 4;
    if (ihl < 20)
        return bad(d, "IPv4 header length %u < 5", (unsigned)(vihl & 0x0F));
    if (cur_skip(c, ihl - 20) != 0) /* options: nothing here needs them */
        return bad(d, "IPv4 header truncated (%zu of %zu bytes)", avail, ihl);

    size_t tot = total;
    if (tot == 0) {
        /* Linux captures of TCP segmentation offload show total length 0
         * for the oversized segment handed to the NIC: the frame is the
         * datagram. */
        tot = avail;
    }
    if (tot < ihl)
        return bad(d, "IPv4 total length %zu < header length %zu", tot, ihl);
    size_t wirelen = tot - ihl;
    cur_limit(c, wirelen); /* drop Ethernet padding */

    out->family = 4;
    memcpy(out->src, src, 4);
    memcpy(out->dst, dst, 4);
    out->proto = proto;

    uint32_t off = (uint32_t)(frag & IPV4_OFFSET_MASK) * 8;
    int more = (frag & IPV4_MF) != 0;
    if (off != 0 || more) {
        if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)
            return PKT_SKIP; /* not worth table space */
        return ipv4_fragment(d, src, dst, proto, id, off, more, cur_ptr(c), cur_left(c), wirelen,
                             ts, ihl, out);
    }
    return decode_l4(d, proto, cur_ptr(c), cur_left(c), wirelen, out);
}

static pkt_status decode_ipv6(pkt_decoder *d, amt_cur *c, pkt *out)
{
    size_t avail = cur_left(c);
    uint32_t vtcfl = cur_u32(c);
    uint16_t plen = (uint16_t)cur_u16(c);
    uint8_t nh = (uint8_t)cur_u8(c);
    cur_skip(c, 1); /* hop limit */
    cur_copy(c, out->src, 16);
    if (cur_copy(c, out->dst, 16) != 0)
        return bad(d, "IPv6 header truncated (%zu of 40 bytes)", avail);
    if (vtcfl >> 28 != 6)
        return bad(d, "IP version %u in an IPv6 packet", (unsigned)(vtcfl >> 28));
    out->family = 6;

    size_t wirelen = plen;
    if (wirelen == 0) {
        /* a jumbogram or a segmentation-offload capture: the frame is the
         * datagram */
        wirelen = cur_left(c);
    }
    cur_limit(c, wirelen);
    size_t start = c->off;

    for (int n = 0; n < MAX_IPV6_EXT_HEADERS; n++) {
        if (nh == IPPROTO_TCP_ || nh == IPPROTO_UDP_) {
            size_t used = c->off - start;
            return decode_l4(d, nh, cur_ptr(c), cur_left(c), wirelen - used, out);
        }
        size_t hl;
        uint8_t next, len;
        size_t at = c->off - start;
        if (nh == IPPROTO_HOPOPTS_ || nh == IPPROTO_ROUTING_ || nh == IPPROTO_DSTOPTS_ ||
            nh == IPPROTO_AH_) {
            next = (uint8_t)cur_u8(c);
            len = (uint8_t)cur_u8(c);
            if (c->err)
                return bad(d, "IPv6 extension header %u truncated", (unsigned)nh);
            /* AH counts 4-byte units minus 2 (RFC 4302), the others 8-byte
             * units minus 1 (RFC 8200) */
            hl = nh == IPPROTO_AH_ ? ((size_t)len + 2) * 4 : ((size_t)len + 1) * 8;
        } else if (nh == IPPROTO_FRAGMENT_) {
            next = (uint8_t)cur_u8(c);
            cur_skip(c, 1); /* reserved */
            uint16_t offflags = (uint16_t)cur_u16(c);
            if (c->err)
                return bad(d, "IPv6 fragment header truncated");
            /* an atomic fragment (offset 0, no M flag) is a whole packet;
             * real IPv6 fragments are not reassembled */
            if ((offflags & 0xFFF9) != 0)
                return PKT_SKIP;
            hl = 8;
        } else {
            return PKT_SKIP; /* ESP, ICMPv6, no next header, ... */
        }
        if (at + hl > wirelen)
            return bad(d, "IPv6 extension header %u runs past the payload length %zu", (unsigned)nh,
                       wirelen);
        /* the bytes of this header not read yet */
        if (cur_skip(c, hl - (c->off - start - at)) != 0)
            return bad(d, "IPv6 extension header %u truncated", (unsigned)nh);
        nh = next;
    }
    return bad(d, "more than %d IPv6 extension headers", MAX_IPV6_EXT_HEADERS);
}

/* Follows VLAN tags to the payload's ethertype. Returns PKT_OK with *ipver
 * set to 4 or 6, PKT_SKIP for other protocols, or PKT_MALFORMED. */
static pkt_status ethertype_walk(pkt_decoder *d, amt_cur *c, uint16_t type, pkt *out, int *ipver)
{
    for (int tags = 0;; tags++) {
        if (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
            if (tags == MAX_VLAN_TAGS)
                return PKT_SKIP;
            uint16_t tci = (uint16_t)cur_u16(c);
            type = (uint16_t)cur_u16(c);
            if (c->err)
                return bad(d, "802.1Q tag truncated");
            if (tags == 0)
                out->vlan = tci & 0x0FFF;
            continue;
        }
        if (type == ETHERTYPE_IPV4)
            *ipver = 4;
        else if (type == ETHERTYPE_IPV6)
            *ipver = 6;
        else
            return PKT_SKIP; /* ARP, LLDP, 802.3 length frames, ... */
        return PKT_OK;
    }
}

static int bsd_family(uint32_t v)
{
    if (v == BSD_AF_INET)
        return 4;
    if (v == BSD_AF_INET6_BSD || v == BSD_AF_INET6_FREEBSD || v == BSD_AF_INET6_DARWIN)
        return 6;
    return 0;
}

/* Consumes the link header. *ipver becomes 4 or 6, or 0 when the IP
 * version nibble decides (raw IP). */
static pkt_status decode_link(pkt_decoder *d, int linktype, amt_cur *c, pkt *out, int *ipver)
{
    size_t avail = cur_left(c);
    uint16_t type;
    *ipver = 0;
    switch (linktype) {
    case DLT_EN10MB:
        cur_skip(c, 12);
        type = (uint16_t)cur_u16(c);
        if (c->err)
            return bad(d, "Ethernet header truncated (%zu of 14 bytes)", avail);
        if (type < ETHERTYPE_MIN)
            return PKT_SKIP; /* 802.3 with LLC: not how IP travels here */
        return ethertype_walk(d, c, type, out, ipver);

    case DLT_LINUX_SLL: {
        cur_skip(c, 2); /* packet type */
        uint16_t hatype = (uint16_t)cur_u16(c);
        cur_skip(c, 10); /* address length and address */
        type = (uint16_t)cur_u16(c);
        if (c->err)
            return bad(d, "Linux cooked header truncated (%zu of 16 bytes)", avail);
        if (hatype == ARPHRD_NETLINK)
            return PKT_SKIP;
        return ethertype_walk(d, c, type, out, ipver);
    }

    case DLT_LINUX_SLL2: {
        type = (uint16_t)cur_u16(c);
        cur_skip(c, 6); /* reserved, interface index */
        uint16_t hatype = (uint16_t)cur_u16(c);
        if (cur_skip(c, 10) != 0)
            return bad(d, "Linux cooked v2 header truncated (%zu of 20 bytes)", avail);
        if (hatype == ARPHRD_NETLINK)
            return PKT_SKIP;
        return ethertype_walk(d, c, type, out, ipver);
    }

    case DLT_NULL:
    case DLT_LOOP: {
        /* DLT_NULL is in the capturing host's byte order and DLT_LOOP in
         * network order, but writers get this wrong often enough that
         * both orders are accepted for both. */
        uint8_t b[4];
        if (cur_copy(c, b, 4) != 0)
            return bad(d, "loopback header truncated (%zu of 4 bytes)", avail);
        uint32_t be = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        uint32_t le = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
        *ipver = bsd_family(le);
        if (*ipver == 0)
            *ipver = bsd_family(be);
        return *ipver != 0 ? PKT_OK : PKT_SKIP;
    }

    case DLT_RAW:
    case LINKTYPE_RAW:
        return PKT_OK;
    case DLT_IPV4:
        *ipver = 4;
        return PKT_OK;
    case DLT_IPV6:
        *ipver = 6;
        return PKT_OK;
    default:
        return PKT_SKIP;
    }
}

int pkt_linktype_supported(int linktype)
{
    switch (linktype) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_RAW:
    case LINKTYPE_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        return 1;
    default:
        return 0;
    }
}

pkt_status pkt_decode(pkt_decoder *d, int linktype, const uint8_t *data, size_t caplen,
                      uint64_t frame, int64_t ts_us, pkt *out, const char **why)
{
    /* Cleared by copying a zero packet: a memset of this size compiles to
     * rep stos, whose start-up cost showed once per packet. */
    static const pkt cleared;
    *out = cleared;
    out->frame = frame;
    out->ts_us = ts_us;
    d->why[0] = '\0';
    if (why != NULL)
        *why = NULL;

    amt_cur c = cur_make(data, caplen);
    int ipver;
    pkt_status st = decode_link(d, linktype, &c, out, &ipver);
    if (st == PKT_OK) {
        if (ipver == 0) {
            /* raw IP: the version nibble decides */
            if (cur_left(&c) < 1)
                st = bad(d, "raw IP packet empty");
            else
                ipver = cur_ptr(&c)[0] >> 4;
        }
        if (st == PKT_OK) {
            if (ipver == 4)
                st = decode_ipv4(d, &c, ts_us, out);
            else if (ipver == 6)
                st = decode_ipv6(d, &c, out);
            else
                st = bad(d, "IP version %d unknown", ipver);
        }
    }
    if (st == PKT_MALFORMED && why != NULL)
        *why = d->why;
    return st;
}

pkt_decoder *pkt_decoder_new(void)
{
    return calloc(1, sizeof(pkt_decoder));
}

void pkt_decoder_free(pkt_decoder *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < PKT_FRAG_MAX_DATAGRAMS; i++)
        free(d->frags[i].buf);
    free(d->done);
    free(d);
}

size_t pkt_frag_pending(const pkt_decoder *d, size_t *bytes)
{
    if (bytes != NULL)
        *bytes = d->frag_bytes;
    return d->nfrags;
}
