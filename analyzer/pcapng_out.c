/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapng_out: the pcapng blocks the exports write. */
#include "pcapng_out.h"

#include <string.h>

static const uint8_t zeros[4];

static int put32(FILE *f, uint32_t v)
{
    return fwrite(&v, 4, 1, f) == 1 ? 0 : -1;
}

static int put16(FILE *f, uint16_t v)
{
    return fwrite(&v, 2, 1, f) == 1 ? 0 : -1;
}

static size_t pad4(size_t n)
{
    return (4 - (n & 3)) & 3;
}

static int put_padded(FILE *f, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, f) != n)
        return -1;
    size_t pad = pad4(n);
    return pad && fwrite(zeros, 1, pad, f) != pad ? -1 : 0;
}

/* An option: code, length, value padded. */
static int put_option(FILE *f, uint16_t code, const void *v, uint16_t len)
{
    return put16(f, code) || put16(f, len) || put_padded(f, v, len) ? -1 : 0;
}

static size_t option_size(size_t len)
{
    return 4 + len + pad4(len);
}

int pcapng_write_shb(FILE *f, const char *application)
{
    size_t app = strlen(application);
    uint32_t total = (uint32_t)(28 + option_size(app) + 4);
    int rc = put32(f, PCAPNG_BT_SHB) || put32(f, total) || put32(f, 0x1A2B3C4Du) || put16(f, 1) ||
             put16(f, 0);
    /* section length unknown (-1) */
    rc = rc || put32(f, 0xFFFFFFFFu) || put32(f, 0xFFFFFFFFu);
    rc = rc || put_option(f, 4 /* shb_userappl */, application, (uint16_t)app);
    rc = rc || put32(f, 0) /* opt_endofopt */ || put32(f, total);
    return rc ? -1 : 0;
}

int pcapng_write_idb(FILE *f, uint16_t linktype, uint32_t snaplen, int tsresol)
{
    uint8_t res = (uint8_t)tsresol;
    uint32_t total = (uint32_t)(20 + option_size(1) + 4);
    int rc = put32(f, PCAPNG_BT_IDB) || put32(f, total) || put16(f, linktype) || put16(f, 0) ||
             put32(f, snaplen);
    rc = rc || put_option(f, 9 /* if_tsresol */, &res, 1);
    rc = rc || put32(f, 0) || put32(f, total);
    return rc ? -1 : 0;
}

/* A 32-bit value in the given byte order. */
static int put32o(FILE *f, uint32_t v, int big)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[big ? i : 3 - i] = (uint8_t)(v >> (24 - 8 * i));
    return fwrite(b, 4, 1, f) == 1 ? 0 : -1;
}

int pcapng_write_dsb(FILE *f, const char *keylog, size_t len, int big)
{
    uint32_t total = (uint32_t)(20 + len + pad4(len));
    int rc = put32o(f, PCAPNG_BT_DSB, big) || put32o(f, total, big) ||
             put32o(f, PCAPNG_SECRETS_TLS, big) || put32o(f, (uint32_t)len, big) ||
             put_padded(f, keylog, len) || put32o(f, total, big);
    return rc ? -1 : 0;
}

int pcapng_write_epb(FILE *f, uint32_t iface, uint64_t ts, const uint8_t *data, uint32_t caplen,
                     uint32_t origlen)
{
    uint32_t total = (uint32_t)(32 + caplen + pad4(caplen));
    int rc = put32(f, PCAPNG_BT_EPB) || put32(f, total) || put32(f, iface) ||
             put32(f, (uint32_t)(ts >> 32)) || put32(f, (uint32_t)ts) || put32(f, caplen) ||
             put32(f, origlen) || put_padded(f, data, caplen) || put32(f, total);
    return rc ? -1 : 0;
}
