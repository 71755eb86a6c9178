/* SPDX-License-Identifier: GPL-2.0-or-later */
/* der: DER elements read through amt_cur (X.690 8.1: identifier, length,
 * contents). See der.h for why this is ours and not MIT's. */
#include "amtdiag/der.h"

#include <stdio.h>
#include <string.h>

/* The identifier and length octets at c; fills t (cls, constructed, tag,
 * val) and moves c past the whole element. */
static int read_tlv(amt_cur *c, der_tlv *t)
{
    memset(t, 0, sizeof *t);
    t->start = c->off;
    unsigned b = cur_u8(c);
    t->cls = b >> 6;
    t->constructed = (b & 0x20) != 0;
    uint32_t tag = b & 0x1f;
    if (tag == 0x1f) {
        /* high tag number: base 128, at most four octets (28 bits) */
        tag = 0;
        for (int i = 0;; i++) {
            unsigned x = cur_u8(c);
            if (c->err || i == 4 || (i == 0 && x == 0x80)) {
                c->err = 1;
                return -1;
            }
            tag = tag << 7 | (x & 0x7f);
            if (!(x & 0x80))
                break;
        }
    }
    t->tag = tag;
    size_t len = cur_u8(c);
    if (len & 0x80) {
        unsigned n = len & 0x7f;
        /* 0x80 is the indefinite form, which DER forbids; more than four
         * length octets cannot fit any capture */
        if (n == 0 || n > 4) {
            c->err = 1;
            return -1;
        }
        len = 0;
        for (unsigned i = 0; i < n; i++)
            len = len << 8 | cur_u8(c);
    }
    if (c->err)
        return -1;
    t->val = cur_sub(c, len);
    t->end = c->off;
    return c->err ? -1 : 0;
}

int der_next(amt_cur *c, der_tlv *t)
{
    if (c->err) {
        memset(t, 0, sizeof *t);
        t->val.err = 1;
        return -1;
    }
    return read_tlv(c, t);
}

int der_peek(const amt_cur *c, der_tlv *t)
{
    amt_cur copy = *c;
    return der_next(&copy, t);
}

int der_expect(amt_cur *c, unsigned cls, uint32_t tag, amt_cur *val)
{
    der_tlv t;
    if (der_next(c, &t) != 0 || t.cls != cls || t.tag != tag) {
        c->err = 1;
        *val = cur_make(NULL, 0);
        val->err = 1;
        return -1;
    }
    *val = t.val;
    return 0;
}

int der_field(amt_cur *seq, uint32_t n, amt_cur *inner)
{
    der_tlv t;
    if (!cur_left(seq))
        return 0;
    if (der_peek(seq, &t) != 0) {
        seq->err = 1;
        return -1;
    }
    if (t.cls != DER_CONTEXT || t.tag != n)
        return 0;
    der_next(seq, &t);
    *inner = t.val;
    return 1;
}

int der_int(amt_cur *c, int64_t *out)
{
    der_tlv t;
    *out = 0;
    if (der_next(c, &t) != 0 || t.cls != DER_UNIVERSAL ||
        (t.tag != DER_INTEGER && t.tag != DER_ENUMERATED) || t.val.len == 0 || t.val.len > 8)
        return -1;
    const uint8_t *p = cur_take(&t.val, t.val.len);
    uint64_t v = (p[0] & 0x80) ? UINT64_MAX : 0;
    for (size_t i = 0; i < t.val.len; i++)
        v = v << 8 | p[i];
    *out = (int64_t)v;
    return 0;
}

int der_octets(amt_cur *c, amt_cur *out)
{
    return der_expect(c, DER_UNIVERSAL, DER_OCTET_STRING, out);
}

static int is_string_tag(uint32_t tag)
{
    /* UTF8String, NumericString … BMPString: the string types of X.680 */
    return tag == DER_UTF8_STRING || (tag >= 18 && tag <= 22) || (tag >= 25 && tag <= 30);
}

int der_string(amt_cur *c, char *buf, size_t len)
{
    der_tlv t;
    buf[0] = '\0';
    if (der_next(c, &t) != 0 || t.cls != DER_UNIVERSAL || !is_string_tag(t.tag))
        return -1;
    size_t n = t.val.len;
    int cut = n >= len;
    if (cut)
        n = len - 1;
    const uint8_t *p = cur_take(&t.val, n);
    size_t k = 0;
    while (k < n && p[k])
        k++;
    memcpy(buf, p, k);
    buf[k] = '\0';
    return cut || k < n;
}

/* Days from 1970-01-01 to year-month-day (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const uint8_t *p, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 0;
}

int der_time(amt_cur *c, int64_t *unix_s)
{
    der_tlv t;
    *unix_s = 0;
    if (der_next(c, &t) != 0 || t.cls != DER_UNIVERSAL || t.tag != DER_GENERALIZED_TIME ||
        t.val.len < 15 || t.val.len > 32)
        return -1;
    const uint8_t *p = cur_take(&t.val, t.val.len);
    unsigned y, mo, d, h, mi, s;
    if (digits(p, 4, &y) || digits(p + 4, 2, &mo) || digits(p + 6, 2, &d) || digits(p + 8, 2, &h) ||
        digits(p + 10, 2, &mi) || digits(p + 12, 2, &s) || p[t.val.len - 1] != 'Z' || mo < 1 ||
        mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return -1;
    /* fractions of a second (".123") between the seconds and the Z */
    for (size_t i = 14; i + 1 < t.val.len; i++)
        if (!(i == 14 && p[i] == '.') && (p[i] < '0' || p[i] > '9'))
            return -1;
    *unix_s = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return 0;
}

int der_bits(amt_cur *c, uint32_t *out)
{
    der_tlv t;
    *out = 0;
    if (der_next(c, &t) != 0 || t.cls != DER_UNIVERSAL || t.tag != DER_BIT_STRING || t.val.len == 0)
        return -1;
    unsigned unused = cur_u8(&t.val);
    if (unused > 7)
        return -1;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | (cur_left(&t.val) ? cur_u8(&t.val) : 0);
    *out = v;
    return 0;
}

int der_oid_text(amt_cur val, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    if (!cur_left(&val))
        return -1;
    int first = 1;
    while (cur_left(&val)) {
        uint64_t v = 0;
        for (int i = 0;; i++) {
            unsigned x = cur_u8(&val);
            if (val.err || i == 9 || (i == 0 && x == 0x80))
                return -1;
            v = v << 7 | (x & 0x7f);
            if (!(x & 0x80))
                break;
        }
        int n;
        if (first) {
            unsigned arc = v < 40 ? 0 : v < 80 ? 1 : 2;
            n = snprintf(buf + at, len - at, "%u.%llu", arc, (unsigned long long)(v - 40ull * arc));
            first = 0;
        } else {
            n = snprintf(buf + at, len - at, ".%llu", (unsigned long long)v);
        }
        if (n < 0 || (size_t)n >= len - at) {
            buf[at] = '\0';
            return -1;
        }
        at += (size_t)n;
    }
    return 0;
}

int der_oid(amt_cur *c, char *buf, size_t len)
{
    amt_cur val;
    buf[0] = '\0';
    if (der_expect(c, DER_UNIVERSAL, DER_OID, &val) != 0)
        return -1;
    return der_oid_text(val, buf, len);
}
