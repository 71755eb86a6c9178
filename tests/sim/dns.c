/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dns: DNS query and response messages (RFC 1035 wire format) for the
 * name lookups a simulated capture contains. */
#include "dns.h"

#include <stdio.h>
#include <string.h>

#define DNS_HEADER_LEN 12
#define DNS_CLASS_IN 1
#define DNS_FLAG_QR 0x8000u
#define DNS_FLAG_RD 0x0100u
#define DNS_FLAG_RA 0x0080u
#define DNS_MAX_NAME 255 /* encoded, including the root label */
#define DNS_MAX_LABEL 63
/* Offset 12 is where the question name starts, right after the header. */
#define DNS_PTR_TO_QNAME 0xC00Cu

/* A bounded output cursor: every put checks the remaining room, and one
 * failure makes the whole message fail. */
typedef struct {
    uint8_t *p;
    size_t cap;
    size_t len;
    int bad;
} dns_buf;

static void put(dns_buf *b, const void *src, size_t n)
{
    if (b->bad || n > b->cap - b->len) {
        b->bad = 1;
        return;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void put16(dns_buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(b, x, sizeof x);
}

static void put32(dns_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(b, x, sizeof x);
}

/* Encodes a dotted name as length-prefixed labels. "." is the root; one
 * trailing dot is accepted. Empty labels, labels over 63 bytes, names over
 * 255 bytes and bytes that are not printable ASCII are rejected, since
 * backslash escapes are not supported. Returns the encoded length or 0. */
static size_t encode_name(const char *name, uint8_t *out, size_t cap)
{
    if (name == NULL || name[0] == '\0')
        return 0;

    uint8_t tmp[DNS_MAX_NAME];
    size_t n = 0;
    if (strcmp(name, ".") != 0) {
        const char *s = name;
        while (*s != '\0') {
            const char *dot = strchr(s, '.');
            size_t lab = dot != NULL ? (size_t)(dot - s) : strlen(s);
            if (lab == 0 || lab > DNS_MAX_LABEL)
                return 0;
            /* room for this label plus at least the final root byte */
            if (n + 1 + lab + 1 > sizeof tmp)
                return 0;
            for (size_t i = 0; i < lab; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c <= 0x20 || c >= 0x7f)
                    return 0;
            }
            tmp[n++] = (uint8_t)lab;
            memcpy(tmp + n, s, lab);
            n += lab;
            if (dot == NULL)
                break;
            s = dot + 1; /* a trailing dot ends the loop on the NUL */
        }
    }
    tmp[n++] = 0;
    if (n > cap)
        return 0;
    memcpy(out, tmp, n);
    return n;
}

char *dns_ptr_name(int family, const uint8_t *addr, char *out, size_t outlen)
{
    if (out == NULL || outlen == 0)
        return out;
    out[0] = '\0';
    if (addr == NULL)
        return out;

    if (family == 4) {
        int r =
            snprintf(out, outlen, "%u.%u.%u.%u.in-addr.arpa", addr[3], addr[2], addr[1], addr[0]);
        if (r < 0 || (size_t)r >= outlen)
            out[0] = '\0'; /* never hand back a truncated name */
        return out;
    }
    if (family == 6) {
        static const char hex[] = "0123456789abcdef";
        static const char suffix[] = "ip6.arpa";
        /* 32 nibbles, each followed by a dot, then the suffix and NUL */
        if (outlen < 32 * 2 + sizeof suffix)
            return out;
        size_t n = 0;
        for (int i = 15; i >= 0; i--) {
            out[n++] = hex[addr[i] & 0x0f];
            out[n++] = '.';
            out[n++] = hex[addr[i] >> 4];
            out[n++] = '.';
        }
        memcpy(out + n, suffix, sizeof suffix);
    }
    return out;
}

static void put_header(dns_buf *b, uint16_t id, uint16_t flags, uint16_t an)
{
    put16(b, id);
    put16(b, flags);
    put16(b, 1); /* QDCOUNT */
    put16(b, an);
    put16(b, 0); /* NSCOUNT */
    put16(b, 0); /* ARCOUNT */
}

static void put_question(dns_buf *b, const uint8_t *qname, size_t qlen, uint16_t qtype)
{
    put(b, qname, qlen);
    put16(b, qtype);
    put16(b, DNS_CLASS_IN);
}

size_t dns_build_query(uint8_t *out, size_t cap, uint16_t id, const char *qname, uint16_t qtype)
{
    uint8_t name[DNS_MAX_NAME];
    size_t nlen = encode_name(qname, name, sizeof name);
    if (out == NULL || nlen == 0)
        return 0;

    dns_buf b = {out, cap, 0, 0};
    put_header(&b, id, DNS_FLAG_RD, 0);
    put_question(&b, name, nlen, qtype);
    return b.bad ? 0 : b.len;
}

size_t dns_build_response(uint8_t *out, size_t cap, uint16_t id, const char *qname, uint16_t qtype,
                          int rcode, const void *answer, uint32_t ttl)
{
    uint8_t name[DNS_MAX_NAME];
    size_t nlen = encode_name(qname, name, sizeof name);
    if (out == NULL || nlen == 0 || rcode < 0 || rcode > 15)
        return 0;

    /* Only a successful lookup carries an answer; without answer data an
     * OK rcode is a NODATA reply. */
    int with_answer = rcode == DNS_RCODE_OK && answer != NULL;
    uint8_t rdata[DNS_MAX_NAME];
    size_t rdlen = 0;
    if (with_answer) {
        switch (qtype) {
        case DNS_TYPE_A:
            rdlen = 4;
            memcpy(rdata, answer, rdlen);
            break;
        case DNS_TYPE_AAAA:
            rdlen = 16;
            memcpy(rdata, answer, rdlen);
            break;
        case DNS_TYPE_PTR:
            rdlen = encode_name(answer, rdata, sizeof rdata);
            if (rdlen == 0)
                return 0;
            break;
        default:
            return 0; /* no rdata format known for this type */
        }
    }

    dns_buf b = {out, cap, 0, 0};
    put_header(&b, id, (uint16_t)(DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA | (unsigned)rcode),
               with_answer ? 1 : 0);
    put_question(&b, name, nlen, qtype);
    if (with_answer) {
        put16(&b, DNS_PTR_TO_QNAME);
        put16(&b, qtype);
        put16(&b, DNS_CLASS_IN);
        put32(&b, ttl);
        put16(&b, (uint16_t)rdlen);
        put(&b, rdata, rdlen);
    }
    return b.bad ? 0 : b.len;
}

int dns_parse_query(const uint8_t *msg, size_t len, uint16_t *id, char *qname, size_t qcap,
                    uint16_t *qtype)
{
    /* A query (QR clear) with one question whose name is plain labels:
     * resolvers do not compress the one name a query holds. */
    if (len < DNS_HEADER_LEN || (msg[2] & 0x80) || msg[4] != 0 || msg[5] != 1 || qcap == 0)
        return -1;
    size_t p = DNS_HEADER_LEN, out = 0;
    while (p < len && msg[p] != 0) {
        size_t l = msg[p];
        if (l > DNS_MAX_LABEL || p + 1 + l >= len || out + l + 2 > qcap)
            return -1;
        for (size_t k = 0; k < l; k++) {
            uint8_t ch = msg[p + 1 + k];
            if (ch <= ' ' || ch > '~')
                return -1;
            qname[out++] = (char)ch;
        }
        qname[out++] = '.';
        p += 1 + l;
    }
    if (p + 5 > len)
        return -1;
    qname[out ? out - 1 : 0] = '\0';
    *id = (uint16_t)(msg[0] << 8 | msg[1]);
    *qtype = (uint16_t)(msg[p + 1] << 8 | msg[p + 2]);
    return 0;
}
