/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TLS certificate compression (RFC 8879): a CompressedCertificate stands
 * for a TLS 1.3 Certificate message compressed with zlib, brotli or zstd
 * (OpenSSL 3.5 clients and servers use it). Decompressed with the
 * libraries' one-shot calls into a buffer of exactly the announced size,
 * which is bounded like any handshake message, then parsed as the
 * Certificate it stands for: otherwise the certificate would look absent. */
#include <string.h>
#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>
#include "tls/tls_int.h"

static const char *alg_name(unsigned alg)
{
    switch (alg) {
    case 1:
        return "zlib";
    case 2:
        return "brotli";
    case 3:
        return "zstd";
    default:
        return NULL;
    }
}

/* Decompresses in into out (exactly outlen bytes). 0 or -1. */
static int inflate_exact(unsigned alg, const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
    if (alg == 1) {
        uLongf n = (uLongf)outlen;
        return uncompress(out, &n, in, (uLong)inlen) == Z_OK && n == outlen ? 0 : -1;
    }
    if (alg == 2) {
        size_t n = outlen;
        return BrotliDecoderDecompress(inlen, in, &n, out) == BROTLI_DECODER_RESULT_SUCCESS &&
                       n == outlen
                   ? 0
                   : -1;
    }
    size_t n = ZSTD_decompress(out, outlen, in, inlen);
    return !ZSTD_isError(n) && n == outlen ? 0 : -1;
}

int tls_parse_compressed_certificate(tls_conn *c, int di, const uint8_t *p, size_t n,
                                     uint64_t frame)
{
    amt_cur cur = cur_make(p, n);
    unsigned alg = cur_u16(&cur);
    size_t ulen = cur_u24(&cur);
    amt_cur comp = cur_vec(&cur, 3);
    const char *name = alg_name(alg);
    const char *who = di == TLS_DIR_SERVER ? "server" : "client";
    if (cur.err || comp.err || cur_left(&cur) || !comp.len) {
        tls_note(c, "malformed CompressedCertificate from the %s (frame %llu)", who,
                 (unsigned long long)frame);
        return -1;
    }
    if (!name) {
        tls_note(c,
                 "CompressedCertificate from the %s (frame %llu) with unknown algorithm %u: "
                 "its certificate is not read",
                 who, (unsigned long long)frame, alg);
        return -1;
    }
    if (ulen == 0 || ulen > TLS_MAX_HS_MSG) {
        tls_note(c,
                 "CompressedCertificate from the %s (frame %llu) announces %zu bytes "
                 "uncompressed (limit %u): not decompressed",
                 who, (unsigned long long)frame, ulen, (unsigned)TLS_MAX_HS_MSG);
        return -1;
    }
    uint8_t *out = g_malloc(ulen);
    int r = inflate_exact(alg, comp.p, comp.len, out, ulen);
    if (r < 0) {
        tls_note(c,
                 "CompressedCertificate from the %s (frame %llu): the %s data does not "
                 "decompress to the %zu bytes it announces",
                 who, (unsigned long long)frame, name, ulen);
    } else {
        if (!c->sum.compressed_cert_alg)
            c->sum.compressed_cert_alg = (uint16_t)alg;
        tls_note(c,
                 "the %s's certificate is compressed with %s (RFC 8879, frame %llu): %zu bytes "
                 "for %zu",
                 who, name, (unsigned long long)frame, comp.len, ulen);
        r = tls_parse_certificate(c, di, out, ulen, frame);
    }
    g_free(out);
    return r;
}
