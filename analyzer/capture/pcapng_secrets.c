/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapng_secrets: a streaming pcapng block walker that collects the TLS key
 * log of every Decryption Secrets Block (draft-ietf-opsawg-pcapng, block
 * type 0x0000000A, secrets type 0x544c534b). Only block headers and the
 * secrets are read; every other block is skipped by its length, so the
 * packets of a large capture are never loaded. */
#include "capture/pcapng_secrets.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#define PCAPNG_SHB 0x0A0D0D0Au /* the same in both byte orders */
#define PCAPNG_DSB 0x0000000Au
#define PCAPNG_BOM 0x1A2B3C4Du
#define PCAPNG_BOM_SWAPPED 0x4D3C2B1Au
#define SECRETS_TLS_KEYLOG 0x544C534Bu

#define BLOCK_MIN_LEN 12u /* type, length, trailing length */
#define SHB_MIN_LEN 28u   /* + byte-order magic, version, section length */
#define DSB_MIN_LEN 20u   /* + secrets type, secrets length */

/* Classic pcap magics, as read big-endian: microsecond and nanosecond
 * resolution, each in both byte orders. */
static const uint32_t pcap_magics[] = {0xA1B2C3D4u, 0xD4C3B2A1u, 0xA1B23C4Du, 0x4D3CB2A1u};

typedef struct {
    FILE *f;
    const char *name;
    uint64_t off; /* file offset of the block being read */
    int big;      /* the current section is big-endian */
    char *err;
    size_t errlen;
} walker;

static void wmsg(walker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void wmsg(walker *w, const char *fmt, ...)
{
    if (w->err == NULL || w->errlen == 0)
        return;
    int n = snprintf(w->err, w->errlen, "%s: ", w->name);
    if (n < 0 || (size_t)n >= w->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err + n, w->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint32_t get32(const walker *w, const uint8_t *b)
{
    if (w->big)
        return be32(b);
    return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

enum { RD_OK, RD_EOF, RD_SHORT, RD_ERROR };

/* Reads exactly n bytes: RD_EOF when none were left, RD_SHORT when the file
 * ended part way, RD_ERROR on an I/O error. */
static int read_exact(walker *w, void *buf, size_t n)
{
    size_t got = fread(buf, 1, n, w->f);
    if (got == n)
        return RD_OK;
    if (ferror(w->f))
        return RD_ERROR;
    return got == 0 ? RD_EOF : RD_SHORT;
}

/* Skips n bytes: a seek where possible, reading otherwise (a pipe). A seek
 * past the end is not noticed here but by the next read. */
static int skip(walker *w, uint64_t n)
{
    if (n <= (uint64_t)INT64_MAX && fseeko(w->f, (off_t)n, SEEK_CUR) == 0)
        return RD_OK;
    uint8_t buf[4096];
    while (n > 0) {
        size_t k = n < sizeof buf ? (size_t)n : sizeof buf;
        int rc = read_exact(w, buf, k);
        if (rc != RD_OK)
            return rc == RD_EOF ? RD_SHORT : rc;
        n -= k;
    }
    return RD_OK;
}

/* Reads len bytes of key log text onto out. */
static int read_text(walker *w, GString *out, uint32_t len)
{
    char buf[16384];
    while (len > 0) {
        size_t k = len < sizeof buf ? len : sizeof buf;
        int rc = read_exact(w, buf, k);
        if (rc != RD_OK)
            return rc == RD_EOF ? RD_SHORT : rc;
        g_string_append_len(out, buf, (gssize)k);
        len -= (uint32_t)k;
    }
    return RD_OK;
}

/* Maps a failed read inside a block to the result: a cut-off file keeps
 * what was found (cap_run reports the truncation as well), an I/O error
 * fails. */
static int ended(walker *w, int rc, int found)
{
    if (rc == RD_ERROR) {
        wmsg(w, "read error at byte offset %" PRIu64 ": %s", w->off, strerror(errno));
        return -1;
    }
    wmsg(w, "the file ends inside the block at byte offset %" PRIu64 " (truncated capture)",
         w->off);
    return found;
}

static int walk(walker *w, GString *out)
{
    int found = 0;
    uint64_t added = 0; /* key log bytes appended by this call */
    uint8_t hdr[12];

    /* the file's first four bytes say what it is */
    int rc = read_exact(w, hdr, 4);
    if (rc == RD_ERROR)
        return ended(w, rc, -1);
    if (rc != RD_OK) {
        wmsg(w, "%s",
             rc == RD_EOF ? "empty file, not a pcap or pcapng file" : "not a pcap or pcapng file");
        return -1;
    }
    uint32_t magic = be32(hdr);
    if (magic != PCAPNG_SHB) {
        for (size_t i = 0; i < sizeof pcap_magics / sizeof pcap_magics[0]; i++) {
            if (magic == pcap_magics[i])
                return 0; /* classic pcap: no place for secrets */
        }
        wmsg(w, "not a pcap or pcapng file");
        return -1;
    }

    for (int first = 1;; first = 0) {
        if (!first) {
            rc = read_exact(w, hdr, 4);
            if (rc == RD_EOF)
                return found; /* a clean end between blocks */
            if (rc != RD_OK)
                return ended(w, rc, found);
        }
        rc = read_exact(w, hdr + 4, 4);
        if (rc != RD_OK)
            return ended(w, rc, found);
        uint32_t consumed = 8;

        uint32_t type;
        if (be32(hdr) == PCAPNG_SHB) {
            /* a new section: its byte-order magic sets the order of every
             * block up to the next SHB, its own length included */
            rc = read_exact(w, hdr + 8, 4);
            if (rc != RD_OK)
                return ended(w, rc, found);
            consumed += 4;
            uint32_t bom = be32(hdr + 8);
            if (bom == PCAPNG_BOM) {
                w->big = 1;
            } else if (bom == PCAPNG_BOM_SWAPPED) {
                w->big = 0;
            } else {
                wmsg(w,
                     "bad byte-order magic 0x%08" PRIx32
                     " in the section header at byte offset %" PRIu64,
                     bom, w->off);
                return -1;
            }
            type = PCAPNG_SHB;
        } else {
            type = get32(w, hdr);
        }

        uint32_t len = get32(w, hdr + 4);
        uint32_t min = type == PCAPNG_SHB   ? SHB_MIN_LEN
                       : type == PCAPNG_DSB ? DSB_MIN_LEN
                                            : BLOCK_MIN_LEN;
        if (len % 4 != 0 || len < min) {
            wmsg(w,
                 "corrupt block at byte offset %" PRIu64 ": type 0x%08" PRIx32 " length %" PRIu32
                 " (%s)",
                 w->off, type, len, len % 4 != 0 ? "not a multiple of 4" : "too short");
            return -1;
        }

        if (type == PCAPNG_DSB) {
            uint8_t sh[8]; /* secrets type, secrets length */
            rc = read_exact(w, sh, sizeof sh);
            if (rc != RD_OK)
                return ended(w, rc, found);
            consumed += 8;
            uint32_t stype = get32(w, sh);
            uint32_t slen = get32(w, sh + 4);
            if (slen > len - DSB_MIN_LEN) {
                wmsg(w,
                     "corrupt decryption secrets block at byte offset %" PRIu64 ": %" PRIu32
                     " bytes of secrets in a %" PRIu32 "-byte block",
                     w->off, slen, len);
                return -1;
            }
            if (stype == SECRETS_TLS_KEYLOG) {
                if (added + slen > PCAPNG_SECRETS_MAX) {
                    wmsg(w,
                         "more than %u MiB of TLS secrets (decryption secrets block at byte offset "
                         "%" PRIu64 ")",
                         PCAPNG_SECRETS_MAX / (1024u * 1024u), w->off);
                    return -1;
                }
                gsize before = out->len;
                /* one DSB's last line must not run into the next one's first */
                if (out->len > 0 && out->str[out->len - 1] != '\n')
                    g_string_append_c(out, '\n');
                rc = read_text(w, out, slen);
                if (rc != RD_OK) {
                    g_string_truncate(out, before); /* no half key log */
                    return ended(w, rc, found);
                }
                added += slen;
                found++;
                consumed += slen;
            }
        }

        /* the rest of the block up to its trailing length */
        rc = skip(w, (uint64_t)len - consumed - 4);
        if (rc == RD_OK)
            rc = read_exact(w, hdr, 4);
        if (rc != RD_OK)
            return ended(w, rc, found);
        uint32_t trail = get32(w, hdr);
        if (trail != len) {
            wmsg(w,
                 "corrupt block at byte offset %" PRIu64 ": trailing length %" PRIu32
                 " differs from the leading %" PRIu32,
                 w->off, trail, len);
            return -1;
        }
        w->off += len;
    }
}

int pcapng_read_tls_secrets(const char *path, GString *out, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (path == NULL || out == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "no capture file given");
        return -1;
    }
    if (strcmp(path, "-") == 0)
        return 0;

    walker w = {.name = path, .err = err, .errlen = errlen};
    w.f = fopen(path, "rb");
    if (w.f == NULL) {
        wmsg(&w, "cannot open: %s", strerror(errno));
        return -1;
    }
    int rc = walk(&w, out);
    fclose(w.f);
    return rc;
}
