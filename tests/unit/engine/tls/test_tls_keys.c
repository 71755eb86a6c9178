/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The key store: NSS key log parsing (every label, damaged lines counted
 * with the first one's number, never fatal) and loading the server's RSA
 * key from every supported form, with a precise message for each way a
 * key file can be wrong, none of which may show the password. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/pkcs12.h>
#include "tls_harness.h"
#include "tls/tls_int.h"

static hx_pki pki;
static char *dir;

#define HEX32 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define HEX48 HEX32 "0123456789abcdef0123456789abcdef"

static void t_keylog_labels(void **st)
{
    (void)st;
    const char *text = "CLIENT_RANDOM " HEX32 " " HEX48 "\n"
                       "RSA 0011223344556677 " HEX48 "\n"
                       "PMS_CLIENT_RANDOM " HEX32 " " HEX48 "\n"
                       "CLIENT_HANDSHAKE_TRAFFIC_SECRET " HEX32 " " HEX32 "\n"
                       "SERVER_HANDSHAKE_TRAFFIC_SECRET " HEX32 " " HEX48 "\n"
                       "CLIENT_TRAFFIC_SECRET_0 " HEX32 " " HEX32 "\r\n"
                       "SERVER_TRAFFIC_SECRET_0\t" HEX32 "  " HEX32 "\n"
                       "EXPORTER_SECRET " HEX32 " " HEX32 "\n"
                       "EARLY_EXPORTER_SECRET " HEX32 " " HEX32 "\n"
                       "CLIENT_EARLY_TRAFFIC_SECRET " HEX32 " " HEX32; /* no final newline */
    tls_keys *k = tls_keys_new();
    unsigned bad = 9, first = 9;
    assert_int_equal(tls_keys_add_keylog(k, text, strlen(text), "a.txt", &bad, &first), 10);
    assert_int_equal(bad, 0);
    assert_int_equal(first, 0);
    assert_int_equal(tls_keys_keylog_count(k), 10);
    uint8_t cr[32];
    for (int i = 0; i < 32; i++)
        cr[i] = (uint8_t)((i % 16) * 0x11);
    const tls_secret *s = tls_keys_find(k, TLS_SECRET_MASTER, cr, 32);
    assert_non_null(s);
    assert_int_equal(s->len, 48);
    assert_string_equal(s->source, "a.txt");
    assert_int_equal(tls_keys_find(k, TLS_SECRET_SERVER_HS, cr, 32)->len, 48);
    const uint8_t pfx[8] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
    assert_non_null(tls_keys_find(k, TLS_SECRET_RSA_PMS, pfx, 8));
    /* the same lines again: nothing new, nothing bad */
    assert_int_equal(tls_keys_add_keylog(k, text, strlen(text), "b.txt", &bad, &first), 0);
    assert_int_equal(bad, 0);
    assert_string_equal(tls_keys_find(k, TLS_SECRET_MASTER, cr, 32)->source, "b.txt");
    tls_keys_free(k);
}

static void t_keylog_garbage(void **st)
{
    (void)st;
    const char *text = "# a comment\n"
                       "\n"
                       "   \n"
                       "CLIENT_RANDOM " HEX32 "\n"             /* 4: two fields */
                       "CLIENT_RANDOM " HEX32 " " HEX32 "\n"   /* 5: 32-byte master secret */
                       "CLIENT_RANDOM 0011 " HEX48 "\n"        /* 6: short random */
                       "CLIENT_RANDOM " HEX32 " " HEX48 "0\n"  /* 7: odd hex */
                       "CLIENT_RANDOM " HEX32 " " HEX48 " x\n" /* 8: four fields */
                       "client_random " HEX32 " " HEX48 "\n"   /* 9: lowercase label */
                       "CLIENT_RANDOM " HEX32 " zz" HEX48 "\n" /* 10: not hex */
                       "SERVER_TRAFFIC_SECRET_1 " HEX32 " " HEX32 "\n" /* newer label: fine */
                       "CLIENT_RANDOM " HEX32 " " HEX48 "\n";          /* good */
    tls_keys *k = tls_keys_new();
    unsigned bad = 0, first = 0;
    assert_int_equal(tls_keys_add_keylog(k, text, strlen(text), "k", &bad, &first), 1);
    assert_int_equal(bad, 7);
    assert_int_equal(first, 4);
    /* binary junk */
    const char junk[] = "\x00\xff\x01\nCLIENT_RANDOM\x00\n\n";
    assert_int_equal(tls_keys_add_keylog(k, junk, sizeof(junk) - 1, "k", &bad, &first), 0);
    assert_int_equal(bad, 2);
    assert_int_equal(first, 1);
    assert_int_equal(tls_keys_add_keylog(k, NULL, 3, "k", &bad, &first), -1);
    assert_int_equal(tls_keys_add_keylog(NULL, "x", 1, "k", NULL, NULL), -1);
    assert_int_equal(tls_keys_add_keylog(k, "", 0, NULL, NULL, NULL), 0);
    tls_keys_free(k);
}

/* ---- RSA key files ------------------------------------------------------ */

static char *path_of(const char *name)
{
    return g_build_filename(dir, name, NULL);
}

/* The file reader goes a block at a time: lines across block boundaries,
 * an overlong line (bad, counted once), line numbers from the file's start,
 * a last line without its newline; every secret equal to the in-memory
 * parse's, a 64-byte pre-master secret (past the inline slot) included. */
static void t_keylog_file_blocks(void **st)
{
    (void)st;
    GString *t = g_string_new(NULL);
    unsigned lines = 0;
    /* enough lines to span several 64 KiB blocks, random ids by line */
    for (unsigned i = 0; i < 2000; i++, lines++)
        g_string_append_printf(t, "CLIENT_RANDOM %08x%056x " HEX48 "\n", i, 0);
    unsigned long_line = ++lines;
    g_string_append(t, "CLIENT_RANDOM ");
    for (int i = 0; i < 70000; i++)
        g_string_append_c(t, 'a');
    g_string_append_c(t, '\n');
    lines++;
    g_string_append(t, "CLIENT_RANDOM 00\n");
    g_string_append(t, "PMS_CLIENT_RANDOM " HEX32 " " HEX32 HEX32 "\n");
    g_string_append(t, "CLIENT_RANDOM ffffffff" HEX32 " " HEX48); /* 36-byte id: bad, no newline */
    lines += 2;
    char *p = path_of("blocks.keylog");
    assert_true(g_file_set_contents(p, t->str, (gssize)t->len, NULL));
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    tls_keys *k = tls_keys_new(), *m = tls_keys_new();
    unsigned bad = 0, first = 0, mbad = 0, mfirst = 0;
    assert_int_equal(tls_keys_add_keylog_file(k, f, "blocks", &bad, &first), 2001);
    fclose(f);
    assert_int_equal(tls_keys_add_keylog(m, t->str, t->len, "m", &mbad, &mfirst), 2001);
    assert_int_equal(first, long_line);
    assert_int_equal(mfirst, long_line);
    assert_int_equal(bad, 3);
    assert_int_equal(mbad, 3);
    assert_int_equal(tls_keys_keylog_count(k), 2001);
    for (unsigned i = 0; i < 2000; i += 199) {
        uint8_t cr[32] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        const tls_secret *a = tls_keys_find(k, TLS_SECRET_MASTER, cr, 32);
        const tls_secret *b = tls_keys_find(m, TLS_SECRET_MASTER, cr, 32);
        assert_non_null(a);
        assert_non_null(b);
        assert_int_equal(a->len, 48);
        assert_memory_equal(a->v, b->v, 48);
    }
    uint8_t cr[32];
    for (int i = 0; i < 32; i++)
        cr[i] = (uint8_t)((i % 16) * 0x11);
    const tls_secret *pms = tls_keys_find(k, TLS_SECRET_PMS, cr, 32);
    assert_non_null(pms);
    assert_int_equal(pms->len, 64);
    assert_int_equal(pms->v[32], 0x00);
    assert_int_equal(pms->v[33], 0x11);
    assert_string_equal(pms->source, "blocks");
    /* read back from the file each time: many lookups later, still right */
    for (unsigned i = 0; i < 2000; i++) {
        uint8_t id[32] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        assert_non_null(tls_keys_find(k, TLS_SECRET_MASTER, id, 32));
    }
    pms = tls_keys_find(k, TLS_SECRET_PMS, cr, 32);
    assert_non_null(pms);
    assert_int_equal(pms->len, 64);
    assert_int_equal(pms->v[33], 0x11);
    assert_null(tls_keys_find(k, TLS_SECRET_CLIENT_HS, cr, 32));
    /* a secret put in memory later wins over the file's */
    uint8_t v2[64];
    memset(v2, 7, sizeof v2);
    assert_int_equal(tls_keys_put(k, TLS_SECRET_PMS, cr, 32, v2, 20, "again"), 1);
    assert_int_equal(tls_keys_find(k, TLS_SECRET_PMS, cr, 32)->len, 20);
    /* in memory, a replaced secret keeps its slot and takes the new value */
    const tls_secret *mp = tls_keys_find(m, TLS_SECRET_PMS, cr, 32);
    assert_int_equal(tls_keys_put(m, TLS_SECRET_PMS, cr, 32, v2, 20, "again"), 0);
    assert_true(tls_keys_find(m, TLS_SECRET_PMS, cr, 32) == mp);
    assert_int_equal(mp->len, 20);
    assert_int_equal(mp->v[19], 7);
    assert_int_equal(tls_keys_put(m, TLS_SECRET_PMS, cr, 33, v2, 20, "long id"), -1);
    /* a pipe cannot be read again: its secrets are stored */
    char *cmd = g_strdup_printf("cat '%s'", p);
    FILE *pf = popen(cmd, "r");
    assert_non_null(pf);
    tls_keys *q = tls_keys_new();
    assert_int_equal(tls_keys_add_keylog_file(q, pf, "pipe", &bad, &first), 2001);
    assert_int_equal(pclose(pf), 0);
    assert_int_equal(first, long_line);
    const tls_secret *qp = tls_keys_find(q, TLS_SECRET_PMS, cr, 32);
    assert_non_null(qp);
    assert_true(qp == tls_keys_find(q, TLS_SECRET_PMS, cr, 32)); /* a stored slot */
    tls_keys_free(q);
    g_free(cmd);
    tls_keys_free(k);
    tls_keys_free(m);
    unlink(p);
    g_free(p);
    g_string_free(t, TRUE);
}

typedef int (*writer)(FILE *f);

static char *write_file(const char *name, writer w)
{
    char *p = path_of(name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_true(w(f));
    fclose(f);
    return p;
}

static int w_pkcs8_pem(FILE *f)
{
    return PEM_write_PrivateKey(f, pki.key, NULL, NULL, 0, NULL, NULL);
}
static int pem_traditional(FILE *f, const EVP_CIPHER *enc, const char *pw)
{
    BIO *b = BIO_new_fp(f, BIO_NOCLOSE);
    int ok = PEM_write_bio_PrivateKey_traditional(b, pki.key, enc, (unsigned char *)pw,
                                                  pw ? (int)strlen(pw) : 0, NULL, NULL);
    BIO_free(b);
    return ok;
}
static int w_pkcs1_pem(FILE *f)
{
    return pem_traditional(f, NULL, NULL);
}
static int w_pkcs1_der(FILE *f)
{
    unsigned char *der = NULL;
    int n = i2d_PrivateKey(pki.key, &der);
    int ok = n > 0 && fwrite(der, 1, (size_t)n, f) == (size_t)n;
    OPENSSL_free(der);
    return ok;
}
static int w_pkcs8_der(FILE *f)
{
    return i2d_PKCS8PrivateKey_fp(f, pki.key, NULL, NULL, 0, NULL, NULL);
}
static int w_pkcs8_pem_enc(FILE *f)
{
    return PEM_write_PKCS8PrivateKey(f, pki.key, EVP_aes_256_cbc(), NULL, 0, NULL,
                                     (void *)"s3cret-pw");
}
static int w_pkcs8_der_enc(FILE *f)
{
    return i2d_PKCS8PrivateKey_fp(f, pki.key, EVP_aes_256_cbc(), NULL, 0, NULL,
                                  (void *)"s3cret-pw");
}
static int w_legacy_pem_enc(FILE *f)
{
    return pem_traditional(f, EVP_aes_128_cbc(), "s3cret-pw");
}
static int w_p12(FILE *f, const char *pw)
{
    PKCS12 *p12 = PKCS12_create(pw, "amt", pki.key, pki.cert, NULL, 0, 0, 0, 0, 0);
    int ok = p12 && i2d_PKCS12_fp(f, p12);
    PKCS12_free(p12);
    return ok;
}
static int w_p12_pw(FILE *f)
{
    return w_p12(f, "s3cret-pw");
}
static int w_p12_nopw(FILE *f)
{
    return w_p12(f, "");
}
static int w_cert_then_key(FILE *f)
{
    return PEM_write_X509(f, pki.cert) && w_pkcs8_pem(f);
}
static int w_cert_only(FILE *f)
{
    return PEM_write_X509(f, pki.cert);
}
static int w_ec_key(FILE *f)
{
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    int ok = PEM_write_PrivateKey(f, ec, NULL, NULL, 0, NULL, NULL);
    EVP_PKEY_free(ec);
    return ok;
}
static int w_garbage(FILE *f)
{
    return fputs("this is not a key\n\x01\x02\x03", f) >= 0;
}
static int w_empty(FILE *f)
{
    (void)f;
    return 1;
}
static int w_damaged_pem(FILE *f)
{
    return fputs("-----BEGIN PRIVATE KEY-----\nAAAA!!!!\n-----END PRIVATE KEY-----\n", f) >= 0;
}

/* Loads a file: returns the result, err holds the message. */
static int load(const char *name, writer w, const char *pw, char *err, size_t errlen)
{
    char *p = write_file(name, w);
    tls_keys *k = tls_keys_new();
    amt_err e;
    int r = tls_keys_add_rsa_file(k, p, pw, &e) == AMT_OK ? 0 : -1;
    snprintf(err, errlen, "%s", e.msg);
    assert_int_equal(tls_keys_rsa_count(k), r == 0 ? 1 : 0);
    if (r == 0) {
        /* the loaded key is the certificate's */
        unsigned char *der = NULL;
        int n = i2d_X509(pki.cert, &der);
        assert_int_equal(
            tls_rsa_matches_cert(tls_keys_rsa_at(k, 0), tls_keys_libctx(k), der, (size_t)n), 1);
        OPENSSL_free(der);
    } else {
        assert_non_null(strstr(err, p)); /* names the file */
        assert_null(strstr(err, "s3cret"));
        assert_null(strstr(err, "wrong-pw"));
    }
    tls_keys_free(k);
    unlink(p);
    g_free(p);
    return r;
}

static void t_rsa_forms(void **st)
{
    (void)st;
    char err[AMT_ERR_MAX];
    assert_int_equal(load("pkcs8.pem", w_pkcs8_pem, NULL, err, sizeof(err)), 0);
    assert_int_equal(load("pkcs1.pem", w_pkcs1_pem, NULL, err, sizeof(err)), 0);
    assert_int_equal(load("pkcs1.der", w_pkcs1_der, NULL, err, sizeof(err)), 0);
    assert_int_equal(load("pkcs8.der", w_pkcs8_der, NULL, err, sizeof(err)), 0);
    assert_int_equal(load("enc8.pem", w_pkcs8_pem_enc, "s3cret-pw", err, sizeof(err)), 0);
    assert_int_equal(load("enc8.der", w_pkcs8_der_enc, "s3cret-pw", err, sizeof(err)), 0);
    assert_int_equal(load("legacy.pem", w_legacy_pem_enc, "s3cret-pw", err, sizeof(err)), 0);
    assert_int_equal(load("amt.p12", w_p12_pw, "s3cret-pw", err, sizeof(err)), 0);
    assert_int_equal(load("nopw.p12", w_p12_nopw, NULL, err, sizeof(err)), 0);
    assert_int_equal(load("both.pem", w_cert_then_key, NULL, err, sizeof(err)), 0);
}

static void t_rsa_errors(void **st)
{
    (void)st;
    char err[AMT_ERR_MAX];
    assert_int_equal(load("enc8.pem", w_pkcs8_pem_enc, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "give its password"));
    assert_int_equal(load("enc8.pem", w_pkcs8_pem_enc, "wrong-pw", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "wrong password"));
    assert_int_equal(load("enc8.der", w_pkcs8_der_enc, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "give its password"));
    assert_int_equal(load("amt.p12", w_p12_pw, "wrong-pw", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "wrong password"));
    assert_int_equal(load("amt.p12", w_p12_pw, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "give its password"));
    assert_int_equal(load("cert.pem", w_cert_only, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "holds a certificate"));
    assert_int_equal(load("ec.pem", w_ec_key, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not RSA"));
    assert_int_equal(load("junk.bin", w_garbage, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not a private key"));
    assert_int_equal(load("empty.pem", w_empty, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "empty"));
    assert_int_equal(load("damaged.pem", w_damaged_pem, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "damaged PEM"));
    tls_keys *k = tls_keys_new();
    amt_err e;
    assert_int_equal(tls_keys_add_rsa_file(k, "/nonexistent/amt-key.pem", NULL, &e), AMT_E_INPUT);
    assert_non_null(strstr(e.msg, "/nonexistent/amt-key.pem: cannot open"));
    assert_int_not_equal(tls_keys_add_rsa_file(k, NULL, NULL, &e), AMT_OK);
    assert_int_not_equal(tls_keys_add_rsa_file(k, "/nonexistent", NULL, NULL), AMT_OK);
    tls_keys_free(k);
}

/* -j's workers look secrets up at once: what one reads back from the key
 * log index stays intact while another reads back many more (each thread
 * has a ring of its own). */
typedef struct lookup_thread {
    tls_keys *k;
    unsigned index;
    int bad;
} lookup_thread;

static void *lookups(void *p)
{
    lookup_thread *t = p;
    tls_keys_set_thread(t->index);
    for (unsigned n = 0; n < 3000; n++) {
        unsigned i = (n * 7919u + t->index * 131u) % 500;
        uint8_t cr[32] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        const tls_secret *s = tls_keys_find(t->k, TLS_SECRET_MASTER, cr, 32);
        for (int spin = 0; spin < 50 && s; spin++) /* in use while the other thread looks */
            for (int b = 0; b < 48; b++)
                t->bad |= s->v[b] != (uint8_t)(b % 4 == 3 ? i : i >> (8 * (3 - b % 4)));
        t->bad |= !s;
    }
    return NULL;
}

static void t_threads(void **st)
{
    (void)st;
    GString *t = g_string_new(NULL);
    for (unsigned i = 0; i < 500; i++) {
        g_string_append_printf(t, "CLIENT_RANDOM %08x%056x ", i, 0);
        for (int r = 0; r < 12; r++)
            g_string_append_printf(t, "%08x", i);
        g_string_append_c(t, '\n');
    }
    char *p = path_of("threads.keylog");
    assert_true(g_file_set_contents(p, t->str, (gssize)t->len, NULL));
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    tls_keys *k = tls_keys_new();
    unsigned bad = 0, first = 0;
    assert_int_equal(tls_keys_add_keylog_file(k, f, "threads", &bad, &first), 500);
    fclose(f);
    lookup_thread th[2] = {{k, 1, 0}, {k, 2, 0}};
    pthread_t id[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&id[i], NULL, lookups, &th[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(id[i], NULL);
    assert_int_equal(th[0].bad, 0);
    assert_int_equal(th[1].bad, 0);
    tls_keys_free(k);
    unlink(p);
    g_free(p);
    g_string_free(t, TRUE);
}

static void t_session_cache(void **st)
{
    (void)st;
    tls_keys *k = tls_keys_new();
    uint8_t ms[48], id[32];
    memset(ms, 7, sizeof(ms));
    memset(id, 1, sizeof(id));
    tls_keys_cache_put(k, 0, id, 32, ms, 4);
    tls_cached_session cs;
    assert_false(tls_keys_cache_get(k, 1, id, 32, &cs)); /* a ticket is not a session id */
    assert_true(tls_keys_cache_get(k, 0, id, 32, &cs));
    assert_int_equal(cs.conn_id, 4);
    assert_memory_equal(cs.ms, ms, 48);
    assert_false(tls_keys_cache_get(k, 0, id, 0, &cs));
    assert_int_equal(tls_keys_next_conn_id(k), 0);
    assert_int_equal(tls_keys_next_conn_id(k), 1);
    /* bounded: the oldest go first; putting a cached id again keeps its place */
    for (uint32_t i = 0; i < TLS_SESSION_CACHE_MAX; i++) {
        memcpy(id, &i, sizeof i);
        tls_keys_cache_put(k, 1, id, 32, ms, i);
    }
    memset(id, 1, sizeof(id));
    assert_false(tls_keys_cache_get(k, 0, id, 32, &cs)); /* the first session is gone */
    uint32_t first = 0, last = TLS_SESSION_CACHE_MAX - 1;
    memcpy(id, &first, sizeof first);
    assert_true(tls_keys_cache_get(k, 1, id, 32, &cs));
    tls_keys_cache_put(k, 1, id, 32, ms, 99); /* replaced, still the oldest */
    assert_true(tls_keys_cache_get(k, 1, id, 32, &cs));
    assert_int_equal(cs.conn_id, 99);
    uint32_t next = TLS_SESSION_CACHE_MAX;
    memcpy(id, &next, sizeof next);
    tls_keys_cache_put(k, 1, id, 32, ms, next);
    memcpy(id, &first, sizeof first);
    assert_false(tls_keys_cache_get(k, 1, id, 32, &cs));
    memcpy(id, &last, sizeof last);
    assert_true(tls_keys_cache_get(k, 1, id, 32, &cs));
    tls_keys_free(k);
    tls_keys_free(NULL);
}

static int setup(void **st)
{
    (void)st;
    hx_pki_init(&pki);
    dir = g_dir_make_tmp("tlskeys-XXXXXX", NULL);
    return dir ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    rmdir(dir);
    g_free(dir);
    hx_pki_free(&pki);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_keylog_labels), cmocka_unit_test(t_keylog_garbage),
        cmocka_unit_test(t_rsa_forms),     cmocka_unit_test(t_rsa_errors),
        cmocka_unit_test(t_session_cache), cmocka_unit_test(t_keylog_file_blocks),
        cmocka_unit_test(t_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
