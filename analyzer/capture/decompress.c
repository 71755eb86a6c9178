/* SPDX-License-Identifier: GPL-2.0-or-later */
/* decompress: a byte source over another, inflating gzip (zlib), zstd
 * (libzstd) or lz4 frames (liblz4) as the bytes arrive. The libraries do
 * the formats (and their checksums) far better than code of our own would;
 * each is used through its streaming interface with fixed buffers, so a
 * capture of any size, or a decompression bomb, takes no more memory than
 * a plain one. Concatenated members and frames (pigz, zstd -c a b) are
 * read one after the other. */
#include "capture/decompress.h"

#include <stdlib.h>
#include <string.h>

#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>

#define IN_BUF (64u * 1024u)

typedef enum { Z_GZIP, Z_ZSTD, Z_LZ4 } zkind;

static const char *const zname[] = {"gzip", "zstd", "lz4"};

typedef struct zsrc {
    zkind kind;
    byte_src *inner;
    uint8_t in[IN_BUF];
    size_t in_pos, in_len;
    int in_eof;
    int failed;  /* corrupt data: reported once what came before is read */
    amt_err err; /* ... with this message */
    z_stream gz;
    ZSTD_DCtx *zstd;
    LZ4F_dctx *lz4;
} zsrc;

/* One step: decompresses from in[in_pos, in_len) into out; returns the
 * bytes produced; on corrupt data z->failed is set, with the message in e. */
static long step(zsrc *z, uint8_t *out, size_t cap, amt_err *e)
{
    const char *name = bsrc_name(z->inner);
    size_t avail = z->in_len - z->in_pos;
    switch (z->kind) {
    case Z_GZIP: {
        z->gz.next_in = z->in + z->in_pos;
        z->gz.avail_in = (uInt)avail;
        z->gz.next_out = out;
        z->gz.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
        int rc = inflate(&z->gz, Z_NO_FLUSH);
        z->in_pos = z->in_len - z->gz.avail_in;
        long produced = (long)(cap - z->gz.avail_out);
        if (rc == Z_STREAM_END) {
            inflateReset(&z->gz); /* another member may follow */
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            amt_fail(e, AMT_E_FORMAT, "%s: corrupt gzip data (%s)", name,
                     z->gz.msg ? z->gz.msg : "inflate failed");
            z->failed = 1;
        }
        return produced;
    }
    case Z_ZSTD: {
        ZSTD_inBuffer ib = {z->in + z->in_pos, avail, 0};
        ZSTD_outBuffer ob = {out, cap, 0};
        size_t rc = ZSTD_decompressStream(z->zstd, &ob, &ib);
        z->in_pos += ib.pos;
        if (ZSTD_isError(rc)) {
            amt_fail(e, AMT_E_FORMAT, "%s: corrupt zstd data (%s)", name, ZSTD_getErrorName(rc));
            z->failed = 1;
        }
        return (long)ob.pos;
    }
    default: {
        size_t out_len = cap, in_len = avail;
        size_t rc = LZ4F_decompress(z->lz4, out, &out_len, z->in + z->in_pos, &in_len, NULL);
        z->in_pos += in_len;
        if (LZ4F_isError(rc)) {
            amt_fail(e, AMT_E_FORMAT, "%s: corrupt lz4 data (%s)", name, LZ4F_getErrorName(rc));
            z->failed = 1;
        }
        return (long)out_len;
    }
    }
}

static long z_read(void *ctx, uint8_t *out, size_t cap, amt_err *e)
{
    zsrc *z = ctx;
    for (;;) {
        if (z->failed) {
            *e = z->err;
            return -1;
        }
        if (z->in_pos == z->in_len && !z->in_eof) {
            z->in_pos = 0;
            z->in_len = bsrc_read_some(z->inner, z->in, sizeof z->in);
            if (z->in_len == 0) {
                if (bsrc_failed(z->inner)) {
                    amt_fail(e, AMT_E_INPUT, "%s", bsrc_error(z->inner));
                    return -1;
                }
                z->in_eof = 1;
            }
        }
        long n = step(z, out, cap, &z->err);
        if (n != 0)
            return n; /* a failure is reported at the next read */
        if (z->in_pos == z->in_len && z->in_eof) {
            /* a cut-off stream ends here too: the capture reader then says
             * where its last record was cut */
            return 0;
        }
    }
}

static void z_close(void *ctx)
{
    zsrc *z = ctx;
    if (z->kind == Z_GZIP)
        inflateEnd(&z->gz);
    ZSTD_freeDCtx(z->zstd);
    if (z->lz4)
        LZ4F_freeDecompressionContext(z->lz4);
    bsrc_close(z->inner);
    free(z);
}

static const bsrc_ops z_ops = {z_read, z_close};

byte_src *bsrc_decompress(byte_src *src, amt_err *e)
{
    static const struct {
        uint8_t magic[4];
        size_t len;
        zkind kind;
    } formats[] = {{{0x1F, 0x8B}, 2, Z_GZIP},
                   {{0x28, 0xB5, 0x2F, 0xFD}, 4, Z_ZSTD},
                   {{0x04, 0x22, 0x4D, 0x18}, 4, Z_LZ4}};
    size_t got;
    const uint8_t *head = bsrc_peek(src, 4, &got);
    size_t f = 0;
    while (f < sizeof formats / sizeof formats[0] &&
           (got < formats[f].len || memcmp(head, formats[f].magic, formats[f].len) != 0))
        f++;
    if (f == sizeof formats / sizeof formats[0])
        return src;
    zsrc *z = calloc(1, sizeof *z);
    int ok = z != NULL;
    if (ok) {
        z->kind = formats[f].kind;
        z->inner = src;
        if (z->kind == Z_GZIP)
            ok = inflateInit2(&z->gz, 15 + 32) == Z_OK; /* gzip or zlib header */
        else if (z->kind == Z_ZSTD)
            ok = (z->zstd = ZSTD_createDCtx()) != NULL;
        else
            ok = !LZ4F_isError(LZ4F_createDecompressionContext(&z->lz4, LZ4F_VERSION));
    }
    byte_src *s = ok ? bsrc_new(bsrc_name(src), &z_ops, z) : NULL;
    if (s == NULL) {
        amt_fail(e, AMT_E_MEMORY, "%s: cannot start the %s decompressor", bsrc_name(src),
                 zname[formats[f].kind]);
        if (z) {
            z->inner = NULL;
            z_close(z);
        }
        bsrc_close(src);
        return NULL;
    }
    bsrc_set_regular(s, bsrc_is_regular(src)); /* a compressed file can be read again */
    return s;
}

byte_src *bsrc_open_capture(const char *path, amt_err *e)
{
    byte_src *s = bsrc_open(path, e);
    return s ? bsrc_decompress(s, e) : NULL;
}
