/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 8879 compressed certificates: a TLS 1.3 Certificate message holding
 * a real certificate, compressed by zlib, brotli and zstd themselves, is
 * read as the Certificate it stands for, from either side. A wrong
 * announced length, data that is no such stream, an unknown algorithm, an
 * announced size beyond the handshake bound and a malformed message each
 * leave the certificate unread with a note saying why. (A whole session
 * with compressed certificates, OpenSSL 3.5 on both sides, is in
 * tests/analyzer/test_openssl_sessions.sh; OpenSSL there offers zlib only.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>
#include "tls_harness.h"
#include "tls/tls_int.h"

static hx_pki pki;

/* The TLS 1.3 Certificate message body: empty request context, one entry
 * (the certificate, no extensions). */
static GByteArray *certificate_body(X509 *x)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    assert_true(n > 0);
    GByteArray *b = g_byte_array_new();
    size_t list = 3 + (size_t)n + 2;
    uint8_t h[7] = {0,
                    (uint8_t)(list >> 16),
                    (uint8_t)(list >> 8),
                    (uint8_t)list,
                    (uint8_t)(n >> 16),
                    (uint8_t)(n >> 8),
                    (uint8_t)n};
    g_byte_array_append(b, h, 7);
    g_byte_array_append(b, der, (guint)n);
    uint8_t no_ext[2] = {0, 0};
    g_byte_array_append(b, no_ext, 2);
    OPENSSL_free(der);
    return b;
}

/* Compresses in with algorithm alg (1 zlib, 2 brotli, 3 zstd). */
static GByteArray *squeeze(unsigned alg, const GByteArray *in)
{
    size_t cap = in->len * 2 + 1024, n = cap;
    uint8_t *out = g_malloc(cap);
    if (alg == 1) {
        uLongf zn = (uLongf)cap;
        assert_int_equal(compress(out, &zn, in->data, in->len), Z_OK);
        n = zn;
    } else if (alg == 2) {
        assert_true(BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW,
                                          BROTLI_MODE_GENERIC, in->len, in->data, &n, out));
    } else {
        n = ZSTD_compress(out, cap, in->data, in->len, 3);
        assert_false(ZSTD_isError(n));
    }
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, out, (guint)n);
    g_free(out);
    return b;
}

/* The CompressedCertificate body: algorithm, uncompressed length, data. */
static GByteArray *compressed_message(unsigned alg, size_t ulen, const GByteArray *data)
{
    GByteArray *m = g_byte_array_new();
    uint8_t h[8] = {(uint8_t)(alg >> 8),       (uint8_t)alg,      (uint8_t)(ulen >> 16),
                    (uint8_t)(ulen >> 8),      (uint8_t)ulen,     (uint8_t)(data->len >> 16),
                    (uint8_t)(data->len >> 8), (uint8_t)data->len};
    g_byte_array_append(m, h, 8);
    g_byte_array_append(m, data->data, data->len);
    return m;
}

static tls_conn *tls13_conn(void)
{
    tls_conn *c = tls_conn_new(NULL, NULL, NULL);
    c->tls13 = 1; /* the Certificate inside is in TLS 1.3's form */
    return c;
}

static int noted(const tls_summary *s, const char *what)
{
    for (size_t i = 0; i < s->n_notes; i++)
        if (strstr(s->notes[i], what))
            return 1;
    return 0;
}

static void t_each_algorithm_each_side(void **st)
{
    (void)st;
    static const char *const names[] = {NULL, "zlib", "brotli", "zstd"};
    for (unsigned alg = 1; alg <= 3; alg++) {
        for (int di = 0; di < 2; di++) {
            X509 *x = di == TLS_DIR_SERVER ? pki.cert : pki.client_cert;
            GByteArray *body = certificate_body(x), *z = squeeze(alg, body);
            GByteArray *m = compressed_message(alg, body->len, z);
            tls_conn *c = tls13_conn();
            assert_int_equal(tls_parse_compressed_certificate(c, di, m->data, m->len, 7), 0);
            const tls_summary *s = tls_conn_summary(c);
            const tls_blob_list *certs = di == TLS_DIR_SERVER ? &s->server_certs : &s->client_certs;
            assert_int_equal(di == TLS_DIR_SERVER ? s->server_cert : s->client_cert, TLS_CERT_SENT);
            assert_int_equal(certs->n, 1);
            /* the very certificate */
            unsigned char *der = NULL;
            int n = i2d_X509(x, &der);
            assert_int_equal(certs->v[0].len, (size_t)n);
            assert_memory_equal(certs->v[0].data, der, (size_t)n);
            OPENSSL_free(der);
            assert_int_equal(di == TLS_DIR_SERVER ? s->server_cert_frame : s->client_cert_frame, 7);
            assert_int_equal(s->compressed_cert_alg, alg);
            char *want = g_strdup_printf("certificate is compressed with %s (RFC 8879, frame 7)",
                                         names[alg]);
            if (!noted(s, want))
                fail_msg("no note \"%s\"", want);
            g_free(want);
            tls_conn_free(c);
            g_byte_array_free(body, TRUE);
            g_byte_array_free(z, TRUE);
            g_byte_array_free(m, TRUE);
        }
    }
}

/* Each bad message: parsing fails, no certificate, the note says why. */
static void expect_refused(const GByteArray *m, const char *note)
{
    tls_conn *c = tls13_conn();
    assert_int_equal(tls_parse_compressed_certificate(c, TLS_DIR_SERVER, m->data, m->len, 9), -1);
    const tls_summary *s = tls_conn_summary(c);
    assert_int_equal(s->server_certs.n, 0);
    assert_int_equal(s->compressed_cert_alg, 0);
    if (!noted(s, note))
        fail_msg("no note \"%s\"", note);
    tls_conn_free(c);
}

static void t_refused(void **st)
{
    (void)st;
    GByteArray *body = certificate_body(pki.cert);
    for (unsigned alg = 1; alg <= 3; alg++) {
        GByteArray *z = squeeze(alg, body);
        /* announced one byte more, and one byte less, than it holds */
        GByteArray *m = compressed_message(alg, body->len + 1, z);
        expect_refused(m, "does not decompress to the");
        g_byte_array_free(m, TRUE);
        m = compressed_message(alg, body->len - 1, z);
        expect_refused(m, "does not decompress to the");
        g_byte_array_free(m, TRUE);
        /* another algorithm's stream */
        m = compressed_message(alg % 3 + 1, body->len, z);
        expect_refused(m, "does not decompress to the");
        g_byte_array_free(m, TRUE);
        g_byte_array_free(z, TRUE);
    }
    GByteArray *z = squeeze(1, body);
    GByteArray *m = compressed_message(4, body->len, z);
    expect_refused(m, "with unknown algorithm 4");
    g_byte_array_free(m, TRUE);
    /* a small stream announcing 16 MiB: not inflated at all */
    m = compressed_message(1, 0xFFFFFF, z);
    expect_refused(m, "announces 16777215 bytes uncompressed");
    g_byte_array_free(m, TRUE);
    m = compressed_message(1, 0, z);
    expect_refused(m, "announces 0 bytes");
    g_byte_array_free(m, TRUE);
    /* cut inside the data, and trailing bytes */
    m = compressed_message(1, body->len, z);
    g_byte_array_set_size(m, m->len - 5);
    expect_refused(m, "malformed CompressedCertificate from the server");
    g_byte_array_free(m, TRUE);
    m = compressed_message(1, body->len, z);
    uint8_t extra = 0;
    g_byte_array_append(m, &extra, 1);
    expect_refused(m, "malformed CompressedCertificate from the server");
    g_byte_array_free(m, TRUE);
    g_byte_array_free(z, TRUE);
    g_byte_array_free(body, TRUE);
}

static int setup(void **st)
{
    (void)st;
    hx_pki_init(&pki);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    hx_pki_free(&pki);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_each_algorithm_each_side),
        cmocka_unit_test(t_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
