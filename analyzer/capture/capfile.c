/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capfile: classic pcap records and pcapng blocks read from a byte source.
 * A block is read whole (it is bounded) and its body parsed through the
 * cursor; the pcap and pcapng headers give the byte order, the interface
 * descriptions the link type and time resolution of their packets. */
#include "capture/capfile.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "amtdiag/cursor.h"

#define PCAPNG_SHB 0x0A0D0D0Au /* the same in both byte orders */
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_PB 0x00000002u /* obsolete Packet Block */
#define PCAPNG_SPB 0x00000003u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_DSB 0x0000000Au
#define PCAPNG_BOM 0x1A2B3C4Du

#define BLOCK_MIN_LEN 12u /* type, length, trailing length */
#define SHB_MIN_LEN 28u   /* + byte-order magic, version, section length */
#define IDB_MIN_LEN 20u
#define EPB_MIN_LEN 32u
#define SPB_MIN_LEN 16u
#define PB_MIN_LEN 32u
#define DSB_MIN_LEN 20u

/* A file describing more interfaces than this is not a real capture. */
#define IFACES_MAX 4096u

/* The pcap link-type field carries FCS flags in its top bits. */
#define LINKTYPE_MASK 0x03FFFFFFu

/* Classic pcap magics, read big-endian: microseconds, nanoseconds, and
 * Alexey Kuznetzov's patched format (24-byte record headers). */
#define PCAP_MAGIC_US 0xA1B2C3D4u
#define PCAP_MAGIC_NS 0xA1B23C4Du
#define PCAP_MAGIC_KUZ 0xA1B2CD34u
#define PCAP_HEADER_LEN 24u

/* How an interface counts time: units of 10^-exp or 2^-exp seconds, and
 * an offset in seconds (if_tsresol, if_tsoffset). */
typedef struct iface {
    int linktype;
    uint32_t snaplen;
    int binary;
    unsigned exp;
    int64_t offset_s;
    /* prepared by iface_prepare for microseconds [0] and nanoseconds [1]:
     * for decimal units, a timestamp times mul (when up to lim) or divided
     * by div; the offset in those units */
    uint64_t mul[2], lim[2], div[2];
    int64_t off[2];
} iface;

struct capfile {
    byte_src *src;
    int pcapng;
    int big; /* byte order of the pcap file or the current pcapng section */
    /* classic pcap */
    int nsec, kuznetzov, linktype;
    uint32_t snaplen;
    iface pcap_iface; /* its time resolution */
    /* pcapng */
    iface *ifaces;
    size_t n_ifaces;
    int pending_shb; /* the first section header, read by open, not yet handed out */
    int all_blocks;
    /* the block or record being handed out: in buf (copied there), or in
     * the byte source's buffer (blk, see take_block) */
    uint8_t *buf;
    size_t cap, len;
    const uint8_t *blk;
    int wipe; /* buf holds secrets: wiped before it is reused */
    int done; /* the end, a truncation or an error was reported */
    uint64_t packets;
    char note[512];
};

/* ---- times ---- */

static int64_t sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static int64_t sat_mul(int64_t a, int64_t m)
{
    if (a > 0 && a > INT64_MAX / m)
        return INT64_MAX;
    if (a < 0 && a < INT64_MIN / m)
        return INT64_MIN;
    return a * m;
}

static uint64_t pow10u(unsigned n)
{
    uint64_t v = 1;
    while (n--)
        v *= 10;
    return v;
}

/* Prepares the scaling of an interface's timestamps to microseconds and
 * nanoseconds, so that a packet's costs no division or loop in the usual
 * decimal resolutions. */
static void iface_prepare(iface *i)
{
    static const unsigned target[2] = {6, 9};
    for (int k = 0; k < 2; k++) {
        unsigned t = target[k];
        i->mul[k] = i->div[k] = 1;
        if (!i->binary && i->exp <= t)
            i->mul[k] = pow10u(t - i->exp);
        else if (!i->binary)
            i->div[k] = pow10u(i->exp - t);
        i->lim[k] = (uint64_t)INT64_MAX / i->mul[k];
        i->off[k] = sat_mul(i->offset_s, (int64_t)pow10u(t));
    }
}

/* A timestamp in the interface's units as microseconds (k 0) or
 * nanoseconds (k 1), saturating instead of overflowing. */
static int64_t ts_scale(uint64_t ts, const iface *i, int k)
{
    int64_t v;
    if (!i->binary) {
        if (i->div[k] == 1) {
            v = ts > i->lim[k] ? INT64_MAX : (int64_t)(ts * i->mul[k]);
        } else {
            uint64_t q = ts / i->div[k];
            v = q > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)q;
        }
    } else {
        int64_t unit = k ? 1000000000 : 1000000;
        uint64_t sec = ts >> i->exp, frac = ts & ((UINT64_C(1) << i->exp) - 1);
        unsigned e = i->exp;
        if (e > 32) {
            frac >>= e - 32;
            e = 32;
        }
        int64_t s = sec > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)sec;
        v = sat_add(sat_mul(s, unit), (int64_t)((frac * (uint64_t)unit) >> e));
    }
    return i->off[k] ? sat_add(v, i->off[k]) : v;
}

/* ---- messages ---- */

static const char *name_of(const capfile *f)
{
    return bsrc_name(f->src);
}

/* The input stopped inside a record or block at offset off: a read error,
 * or the end of a cut-off capture. */
static caprec_kind ended(capfile *f, amt_err *e, uint64_t off)
{
    f->done = 1;
    if (bsrc_failed(f->src)) {
        amt_fail(e, AMT_E_INPUT, "%s (byte offset %" PRIu64 ", after frame %" PRIu64 ")",
                 bsrc_error(f->src), off, f->packets);
        return CAPREC_ERROR;
    }
    amt_fail(e, AMT_E_FORMAT,
             "%s: the file ends in the middle of the record after frame %" PRIu64
             " (truncated capture, byte offset %" PRIu64 ")",
             name_of(f), f->packets, off);
    return CAPREC_TRUNCATED;
}

static caprec_kind corrupt(capfile *f, amt_err *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static caprec_kind corrupt(capfile *f, amt_err *e, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    f->done = 1;
    if (f->packets)
        amt_fail(e, AMT_E_FORMAT, "%s: %s (after frame %" PRIu64 "; the frames before it are used)",
                 name_of(f), what, f->packets);
    else
        amt_fail(e, AMT_E_FORMAT, "%s: %s", name_of(f), what);
    return CAPREC_ERROR;
}

/* ---- the block buffer ---- */

static int reserve(capfile *f, size_t n)
{
    if (n <= f->cap)
        return 0;
    size_t ncap = f->cap ? f->cap : 4096;
    while (ncap < n)
        ncap *= 2;
    uint8_t *nb = malloc(ncap);
    if (nb == NULL)
        return -1;
    if (f->buf) {
        OPENSSL_cleanse(f->buf, f->cap);
        free(f->buf);
    }
    f->buf = nb;
    f->cap = ncap;
    return 0;
}

static void wipe_buf(capfile *f)
{
    if (f->wipe && f->buf)
        OPENSSL_cleanse(f->buf, f->len);
    f->wipe = 0;
}

/* ---- classic pcap ---- */

static caprec_kind pcap_record(capfile *f, cap_record *r, amt_err *e)
{
    uint64_t off = bsrc_offset(f->src);
    uint8_t hdr[24];
    size_t hlen = f->kuznetzov ? 24 : 16;
    size_t got = bsrc_read(f->src, hdr, hlen);
    if (got == 0 && !bsrc_failed(f->src)) {
        f->done = 1;
        return CAPREC_END;
    }
    if (got < hlen)
        return ended(f, e, off);
    amt_cur c = cur_make(hdr, hlen);
    uint32_t sec = cur_u32o(&c, f->big), frac = cur_u32o(&c, f->big);
    uint32_t caplen = cur_u32o(&c, f->big), origlen = cur_u32o(&c, f->big);
    if (caplen > CAPFILE_BLOCK_MAX)
        return corrupt(f, e,
                       "the record at byte offset %" PRIu64 " claims %" PRIu32
                       " captured bytes, more than any frame",
                       off, caplen);
    const uint8_t *data;
    if (caplen <= BSRC_PEEK_MAX) {
        /* in the byte source's buffer, not copied (see take_block) */
        size_t have;
        data = bsrc_peek(f->src, caplen, &have);
        if (have < caplen)
            return ended(f, e, off);
        bsrc_skip(f->src, caplen);
    } else {
        if (reserve(f, caplen) != 0)
            return corrupt(f, e, "out of memory at byte offset %" PRIu64, off);
        if (bsrc_read(f->src, f->buf, caplen) < caplen)
            return ended(f, e, off);
        data = f->buf;
    }
    f->len = caplen;
    f->packets++;
    uint64_t ts = (uint64_t)sec * (f->nsec ? 1000000000u : 1000000u) + frac;
    r->kind = CAPREC_PACKET;
    r->offset = off;
    r->linktype = f->linktype;
    r->snaplen = f->snaplen;
    r->ts_us = ts_scale(ts, &f->pcap_iface, 0);
    r->ts_ns = ts_scale(ts, &f->pcap_iface, 1);
    r->data = data;
    r->caplen = caplen;
    r->origlen = origlen;
    return CAPREC_PACKET;
}

/* ---- pcapng ---- */

/* The usual block, a packet block of the current section that fits in the
 * byte source's look-ahead, is handed out where it lies in the source's
 * buffer (valid until the next read, as buf's content is) instead of
 * being copied: the copy cost as much as parsing the packet. Anything
 * else — a section header, secrets (wiped after use, so copied), a large
 * or malformed block, the end of the input — is left to read_block's
 * general path, which checks and reports it. Returns 1 with f->blk,
 * f->len and *type set, else 0 with nothing consumed. */
static int take_block(capfile *f, uint32_t *type)
{
    size_t got;
    const uint8_t *p = bsrc_peek(f->src, 8, &got);
    if (got < 8)
        return 0;
    amt_cur h = cur_make(p, 8);
    uint32_t t = cur_u32o(&h, f->big), len = cur_u32o(&h, f->big);
    if ((t != PCAPNG_EPB && t != PCAPNG_SPB) || len % 4 != 0 ||
        len < (t == PCAPNG_EPB ? EPB_MIN_LEN : SPB_MIN_LEN) || len > BSRC_PEEK_MAX)
        return 0;
    p = bsrc_peek(f->src, len, &got);
    if (got < len)
        return 0;
    amt_cur tr = cur_make(p + len - 4, 4);
    if (cur_u32o(&tr, f->big) != len)
        return 0;
    bsrc_skip(f->src, len);
    f->blk = p;
    f->len = len;
    *type = t;
    return 1;
}

/* Reads one whole block: its header, body and trailing length, into buf
 * unless take_block finds it in place; f->blk points to it. Returns
 * CAPREC_BLOCK with *type set, CAPREC_NOTE for a secrets block too large
 * to keep (skipped), or the end, a truncation or an error. */
static caprec_kind read_block(capfile *f, uint32_t *type, uint64_t *off_out, amt_err *e)
{
    uint64_t off = bsrc_offset(f->src);
    *off_out = off;
    f->blk = NULL;
    if (f->n_ifaces && take_block(f, type))
        return CAPREC_BLOCK;
    uint8_t hdr[12];
    size_t got = bsrc_read(f->src, hdr, 8);
    if (got == 0 && !bsrc_failed(f->src)) {
        f->done = 1;
        return CAPREC_END;
    }
    if (got < 8)
        return ended(f, e, off);
    size_t have = 8;
    int big = f->big;
    amt_cur h = cur_make(hdr, 8);
    if (cur_u32(&h) == PCAPNG_SHB) {
        /* a new section: its byte-order magic sets the order of every block
         * up to the next section header, its own length included */
        if (bsrc_read(f->src, hdr + 8, 4) < 4)
            return ended(f, e, off);
        have = 12;
        amt_cur b = cur_make(hdr + 8, 4);
        uint32_t bom = cur_u32(&b);
        if (bom == PCAPNG_BOM)
            big = 1;
        else if (bom == __builtin_bswap32(PCAPNG_BOM))
            big = 0;
        else
            return corrupt(f, e,
                           "bad byte-order magic 0x%08" PRIx32
                           " in the section header at byte offset %" PRIu64,
                           bom, off);
    }
    h = cur_make(hdr, 8);
    uint32_t t = cur_u32o(&h, big), len = cur_u32o(&h, big);
    uint32_t min = t == PCAPNG_SHB   ? SHB_MIN_LEN
                   : t == PCAPNG_DSB ? DSB_MIN_LEN
                   : t == PCAPNG_IDB ? IDB_MIN_LEN
                   : t == PCAPNG_EPB ? EPB_MIN_LEN
                   : t == PCAPNG_SPB ? SPB_MIN_LEN
                   : t == PCAPNG_PB  ? PB_MIN_LEN
                                     : BLOCK_MIN_LEN;
    if (len % 4 != 0 || len < min)
        return corrupt(f, e,
                       "corrupt block at byte offset %" PRIu64 ": type 0x%08" PRIx32
                       " length %" PRIu32 " (%s)",
                       off, t, len, len % 4 != 0 ? "not a multiple of 4" : "too short");
    uint32_t max = t == PCAPNG_DSB ? CAPFILE_SECRETS_BLOCK_MAX + DSB_MIN_LEN : CAPFILE_BLOCK_MAX;
    if (len > max) {
        if (t != PCAPNG_DSB)
            return corrupt(f, e,
                           "corrupt block at byte offset %" PRIu64 ": type 0x%08" PRIx32
                           " length %" PRIu32 " (more than any real block)",
                           off, t, len);
        if (bsrc_skip(f->src, len - have) < len - have)
            return ended(f, e, off);
        snprintf(f->note, sizeof f->note,
                 "the decryption secrets block at byte offset %" PRIu64
                 " holds more than %u MiB: skipped",
                 off, CAPFILE_SECRETS_BLOCK_MAX >> 20);
        *type = t;
        return CAPREC_NOTE;
    }
    if (reserve(f, len) != 0)
        return corrupt(f, e, "out of memory at byte offset %" PRIu64, off);
    memcpy(f->buf, hdr, have);
    f->len = len;
    if (bsrc_read(f->src, f->buf + have, len - have) < len - have)
        return ended(f, e, off);
    amt_cur tr = cur_make(f->buf + len - 4, 4);
    uint32_t trail = cur_u32o(&tr, big);
    if (trail != len)
        return corrupt(f, e,
                       "corrupt block at byte offset %" PRIu64 ": trailing length %" PRIu32
                       " differs from the leading %" PRIu32,
                       off, trail, len);
    if (t == PCAPNG_SHB) {
        amt_cur v = cur_make(f->buf + 12, len - 16);
        unsigned major = cur_u16o(&v, big), minor = cur_u16o(&v, big);
        if (major != 1)
            return corrupt(f, e,
                           "the section at byte offset %" PRIu64
                           " is pcapng version %u.%u; only 1.x can be read",
                           off, major, minor);
        f->big = big;
        f->n_ifaces = 0; /* interfaces are per section */
    }
    f->blk = f->buf;
    *type = t;
    return CAPREC_BLOCK;
}

/* The options of an interface description: time resolution and offset. */
static void idb_options(amt_cur c, int big, iface *i)
{
    while (cur_left(&c) >= 4) {
        unsigned code = cur_u16o(&c, big), olen = cur_u16o(&c, big);
        amt_cur v = cur_sub(&c, olen);
        cur_skip(&c, (4 - olen % 4) % 4);
        if (code == 0 || v.err)
            return;
        if (code == 9 && olen == 1) { /* if_tsresol */
            unsigned r = cur_u8(&v);
            unsigned exp = r & 0x7F;
            /* beyond these the units are finer than any clock: ignored */
            if ((r & 0x80) ? exp <= 63 : exp <= 19) {
                i->binary = (r & 0x80) != 0;
                i->exp = exp;
            }
        } else if (code == 14 && olen == 8) { /* if_tsoffset, signed seconds */
            uint32_t a = cur_u32o(&v, big), b = cur_u32o(&v, big);
            uint64_t u = big ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
            i->offset_s = (int64_t)u;
        }
    }
}

static caprec_kind idb(capfile *f, cap_record *r, amt_cur c, amt_err *e)
{
    if (f->n_ifaces == IFACES_MAX)
        return corrupt(f, e, "more than %u interfaces at byte offset %" PRIu64, IFACES_MAX,
                       r->offset);
    iface i = {0, 0, 0, 6, 0, {0}, {0}, {0}, {0}};
    i.linktype = (int)cur_u16o(&c, f->big);
    cur_skip(&c, 2);
    i.snaplen = cur_u32o(&c, f->big);
    idb_options(c, f->big, &i);
    iface_prepare(&i);
    iface *n = realloc(f->ifaces, (f->n_ifaces + 1) * sizeof *n);
    if (n == NULL)
        return corrupt(f, e, "out of memory at byte offset %" PRIu64, r->offset);
    f->ifaces = n;
    f->ifaces[f->n_ifaces] = i;
    r->iface = (uint32_t)f->n_ifaces++;
    r->linktype = i.linktype;
    r->snaplen = i.snaplen;
    r->kind = CAPREC_INTERFACE;
    return CAPREC_INTERFACE;
}

static caprec_kind packet_of(capfile *f, cap_record *r, uint32_t id, uint64_t ts,
                             const uint8_t *data, uint32_t caplen, uint32_t origlen, amt_err *e)
{
    if (id >= f->n_ifaces)
        return corrupt(f, e,
                       "the packet block at byte offset %" PRIu64 " names interface %" PRIu32
                       ", which no interface block describes",
                       r->offset, id);
    const iface *i = &f->ifaces[id];
    f->packets++;
    r->kind = CAPREC_PACKET;
    r->iface = id;
    r->linktype = i->linktype;
    r->snaplen = i->snaplen;
    r->ts_us = ts_scale(ts, i, 0);
    r->ts_ns = ts_scale(ts, i, 1);
    r->data = data;
    r->caplen = caplen;
    r->origlen = origlen;
    return CAPREC_PACKET;
}

static caprec_kind pcapng_record(capfile *f, cap_record *r, amt_err *e)
{
    for (;;) {
        uint32_t type;
        caprec_kind k;
        if (f->pending_shb) {
            f->pending_shb = 0;
            type = PCAPNG_SHB;
            r->offset = 0;
            k = CAPREC_BLOCK;
        } else {
            k = read_block(f, &type, &r->offset, e);
        }
        if (k == CAPREC_NOTE) {
            r->kind = k;
            r->note = f->note;
            return k;
        }
        if (k != CAPREC_BLOCK)
            return k;
        r->block = f->blk;
        r->block_len = f->len;
        r->block_type = type;
        r->big_endian = f->big;
        amt_cur c = cur_make(f->blk + 8, f->len - 12);
        int big = f->big;
        switch (type) {
        case PCAPNG_IDB:
            return idb(f, r, c, e);
        case PCAPNG_EPB:
        case PCAPNG_PB: {
            /* the obsolete Packet Block has a 16-bit interface and a drop count */
            uint32_t id = type == PCAPNG_EPB ? cur_u32o(&c, big) : cur_u16o(&c, big);
            if (type == PCAPNG_PB)
                cur_skip(&c, 2);
            uint32_t hi = cur_u32o(&c, big), lo = cur_u32o(&c, big);
            uint32_t caplen = cur_u32o(&c, big), origlen = cur_u32o(&c, big);
            const uint8_t *data = cur_take(&c, caplen);
            if (data == NULL)
                return corrupt(f, e,
                               "the packet block at byte offset %" PRIu64 " claims %" PRIu32
                               " captured bytes in a %zu-byte block",
                               r->offset, caplen, f->len);
            return packet_of(f, r, id, (uint64_t)hi << 32 | lo, data, caplen, origlen, e);
        }
        case PCAPNG_SPB: {
            /* no time, always interface 0; the captured length is what the
             * block holds, at most the interface's snapshot length */
            uint32_t origlen = cur_u32o(&c, big);
            size_t caplen = cur_left(&c) < origlen ? cur_left(&c) : origlen;
            if (f->n_ifaces > 0 && f->ifaces[0].snaplen && caplen > f->ifaces[0].snaplen)
                caplen = f->ifaces[0].snaplen;
            return packet_of(f, r, 0, 0, cur_ptr(&c), (uint32_t)caplen, origlen, e);
        }
        case PCAPNG_DSB: {
            uint32_t stype = cur_u32o(&c, big), slen = cur_u32o(&c, big);
            const uint8_t *s = cur_take(&c, slen);
            if (s == NULL)
                return corrupt(f, e,
                               "corrupt decryption secrets block at byte offset %" PRIu64
                               ": %" PRIu32 " bytes of secrets in a %zu-byte block",
                               r->offset, slen, f->len);
            f->wipe = 1;
            r->kind = CAPREC_SECRETS;
            r->secrets_type = stype;
            r->secrets = s;
            r->secrets_len = slen;
            return CAPREC_SECRETS;
        }
        default:
            if (f->all_blocks) {
                r->kind = CAPREC_BLOCK;
                return CAPREC_BLOCK;
            }
            break; /* name resolution, statistics, custom blocks: not needed */
        }
    }
}

/* ---- opening ---- */

static capfile *open_fail(capfile *f, byte_src *src)
{
    if (f) {
        free(f->buf);
        free(f);
    }
    bsrc_close(src);
    return NULL;
}

capfile *capfile_open(byte_src *src, amt_err *e)
{
    capfile *f = calloc(1, sizeof *f);
    if (f == NULL) {
        amt_fail(e, AMT_E_MEMORY, "%s: out of memory", bsrc_name(src));
        return open_fail(f, src);
    }
    f->src = src;
    const char *name = bsrc_name(src);
    size_t got;
    const uint8_t *head = bsrc_peek(src, 4, &got);
    if (bsrc_failed(src)) {
        amt_fail(e, AMT_E_INPUT, "%s", bsrc_error(src));
        return open_fail(f, src);
    }
    if (got == 0) {
        amt_fail(e, AMT_E_FORMAT, "%s: %s", name,
                 bsrc_is_regular(src) ? "empty file, not a pcap or pcapng file"
                                      : "empty input, not a pcap or pcapng file");
        return open_fail(f, src);
    }
    amt_cur c = cur_make(head, got);
    uint32_t magic = cur_u32(&c);
    if (!c.err && magic == PCAPNG_SHB) {
        f->pcapng = 1;
        uint32_t type;
        uint64_t off;
        amt_err why;
        caprec_kind k = read_block(f, &type, &off, &why);
        if (k == CAPREC_BLOCK) {
            f->pending_shb = 1;
            return f;
        }
        if (k == CAPREC_TRUNCATED)
            amt_fail(e, AMT_E_FORMAT, "%s: the file ends inside its header", name);
        else
            *e = why;
        return open_fail(f, src);
    }
    uint32_t swapped = __builtin_bswap32(magic);
    int known = 0;
    for (int order = 0; order < 2 && !c.err; order++) {
        uint32_t m = order ? swapped : magic;
        if (m == PCAP_MAGIC_US || m == PCAP_MAGIC_NS || m == PCAP_MAGIC_KUZ) {
            known = 1;
            f->big = !order;
            f->nsec = m == PCAP_MAGIC_NS;
            f->kuznetzov = m == PCAP_MAGIC_KUZ;
        }
    }
    if (!known) {
        amt_fail(e, AMT_E_FORMAT, "%s: not a pcap or pcapng file", name);
        return open_fail(f, src);
    }
    uint8_t hdr[PCAP_HEADER_LEN];
    if (bsrc_read(src, hdr, sizeof hdr) < sizeof hdr) {
        if (bsrc_failed(src))
            amt_fail(e, AMT_E_INPUT, "%s", bsrc_error(src));
        else
            amt_fail(e, AMT_E_FORMAT, "%s: the file ends inside its header", name);
        return open_fail(f, src);
    }
    amt_cur h = cur_make(hdr, sizeof hdr);
    cur_skip(&h, 16); /* magic, version, time zone, accuracy */
    f->snaplen = cur_u32o(&h, f->big);
    f->linktype = (int)(cur_u32o(&h, f->big) & LINKTYPE_MASK);
    f->pcap_iface.exp = f->nsec ? 9 : 6;
    iface_prepare(&f->pcap_iface);
    return f;
}

caprec_kind capfile_next(capfile *f, cap_record *r, amt_err *e)
{
    /* Cleared by copying a zero record: a memset of this size compiles to
     * rep stos, whose start-up cost showed once per packet. */
    static const cap_record cleared;
    *r = cleared;
    wipe_buf(f);
    if (f->done)
        return CAPREC_END;
    return f->pcapng ? pcapng_record(f, r, e) : pcap_record(f, r, e);
}

void capfile_all_blocks(capfile *f, int on)
{
    f->all_blocks = on;
}

int capfile_is_pcapng(const capfile *f)
{
    return f->pcapng;
}

int capfile_linktype(const capfile *f)
{
    return f->pcapng ? (f->n_ifaces ? f->ifaces[0].linktype : -1) : f->linktype;
}

uint32_t capfile_snaplen(const capfile *f)
{
    return f->snaplen;
}

int capfile_nanoseconds(const capfile *f)
{
    return f->nsec;
}

uint64_t capfile_packets(const capfile *f)
{
    return f->packets;
}

const char *capfile_name(const capfile *f)
{
    return bsrc_name(f->src);
}

int capfile_is_regular(const capfile *f)
{
    return bsrc_is_regular(f->src);
}

void capfile_close(capfile *f)
{
    if (f == NULL)
        return;
    if (f->buf) {
        OPENSSL_cleanse(f->buf, f->cap);
        free(f->buf);
    }
    free(f->ifaces);
    bsrc_close(f->src);
    free(f);
}
