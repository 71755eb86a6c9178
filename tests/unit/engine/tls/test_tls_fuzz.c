/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Robustness: 2000 random mutations (byte flips, overwrites, insertions,
 * deletions, truncations, duplicated, dropped and swapped chunks, random
 * feed boundaries, gaps) of recorded handshakes, fed with their keys. The
 * layer must never crash or read out of bounds (run under ASan/UBSan in
 * the sanitizer build), and its summary must stay consistent. The seed is
 * fixed so a failure reproduces; AMTDIAG_FUZZ_SEED overrides it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>
#include "tls_harness.h"

#define ITERATIONS 2000

static hx_pki pki;
static char *tmpdir, *key_path;

typedef struct recording {
    hx_capture cap;
    int use_rsa;
} recording;

static recording recs[4];

static void make(recording *r, const hx_opts *o, int use_rsa)
{
    hx_env e;
    hx_env_init(&e, &pki, o);
    hx_capture_init(&r->cap);
    hx_run(&e, &r->cap, "POST /wsman HTTP/1.1\r\n\r\n", "HTTP/1.1 401 Unauthorized\r\n\r\n", NULL,
           NULL);
    r->use_rsa = use_rsa;
    hx_env_free(&e);
}

static void sum_sane(const tls_summary *s)
{
    assert_true(s->n_alerts <= 256);
    assert_true(s->ch.session_id_len <= 32 && s->sh.session_id_len <= 32);
    for (size_t i = 0; i < s->server_certs.n; i++)
        assert_non_null(s->server_certs.v[i].data);
    for (size_t i = 0; i < s->n_notes; i++)
        assert_non_null(s->notes[i]);
    assert_non_null(s->suite_name);
    assert_true(strlen(s->key_status_text) > 0);
    assert_non_null(tls_key_status_name(s->key_status));
}

static void one_round(GRand *rnd, tls_keys *keys[4])
{
    int which = g_rand_int_range(rnd, 0, 4);
    const hx_capture *cap = &recs[which].cap;
    /* copy the chunks */
    GPtrArray *chunks = g_ptr_array_new_with_free_func(hx_chunk_free);
    for (guint i = 0; i < cap->chunks->len; i++) {
        const hx_chunk *c = g_ptr_array_index(cap->chunks, i);
        hx_chunk *n = g_new0(hx_chunk, 1);
        n->dir = c->dir;
        n->bytes = g_byte_array_new();
        g_byte_array_append(n->bytes, c->bytes->data, c->bytes->len);
        g_ptr_array_add(chunks, n);
    }
    int muts = g_rand_int_range(rnd, 1, 6);
    for (int m = 0; m < muts && chunks->len; m++) {
        hx_chunk *c = g_ptr_array_index(chunks, g_rand_int_range(rnd, 0, (gint32)chunks->len));
        guint len = c->bytes->len;
        guint at = len ? (guint)g_rand_int_range(rnd, 0, (gint32)len) : 0;
        switch (g_rand_int_range(rnd, 0, 9)) {
        case 0: /* flip a bit, often in a header */
        case 1:
            if (len) {
                if (g_rand_boolean(rnd) && len > 5)
                    at = (guint)g_rand_int_range(rnd, 0, 5);
                c->bytes->data[at] ^= (uint8_t)(1u << g_rand_int_range(rnd, 0, 8));
            }
            break;
        case 2: /* overwrite with a random or boundary value */
            if (len) {
                static const uint8_t vals[] = {0x00, 0xff, 0x7f, 0x80, 0x01, 0x16, 0x17, 0x03};
                c->bytes->data[at] = g_rand_boolean(rnd) ? (uint8_t)g_rand_int(rnd)
                                                         : vals[g_rand_int_range(rnd, 0, 8)];
            }
            break;
        case 3: { /* insert random bytes */
            uint8_t junk[64];
            guint n = (guint)g_rand_int_range(rnd, 1, 64);
            for (guint i = 0; i < n; i++)
                junk[i] = (uint8_t)g_rand_int(rnd);
            g_byte_array_set_size(c->bytes, len + n);
            memmove(c->bytes->data + at + n, c->bytes->data + at, len - at);
            memcpy(c->bytes->data + at, junk, n);
            break;
        }
        case 4: /* delete a range */
            if (len) {
                guint n = (guint)g_rand_int_range(rnd, 1, 200);
                g_byte_array_remove_range(c->bytes, at, MIN(len - at, n));
            }
            break;
        case 5: /* truncate */
            g_byte_array_set_size(c->bytes, at);
            break;
        case 6: /* drop a chunk */
            g_ptr_array_remove(chunks, c);
            break;
        case 7: { /* duplicate a chunk */
            hx_chunk *d = g_new0(hx_chunk, 1);
            d->dir = c->dir;
            d->bytes = g_byte_array_new();
            g_byte_array_append(d->bytes, c->bytes->data, c->bytes->len);
            g_ptr_array_add(chunks, d);
            break;
        }
        case 8: { /* swap two chunks */
            guint a = (guint)g_rand_int_range(rnd, 0, (gint32)chunks->len);
            guint b = (guint)g_rand_int_range(rnd, 0, (gint32)chunks->len);
            gpointer t = chunks->pdata[a];
            chunks->pdata[a] = chunks->pdata[b];
            chunks->pdata[b] = t;
            break;
        }
        }
    }
    hx_seen seen;
    hx_seen_init(&seen);
    tls_conn *c = tls_conn_new(keys[which], hx_callbacks(), &seen);
    for (guint i = 0; i < chunks->len; i++) {
        const hx_chunk *ch = g_ptr_array_index(chunks, i);
        guint off = 0;
        while (off < ch->bytes->len) {
            guint n = g_rand_int_range(rnd, 0, 4) ? ch->bytes->len - off
                                                  : (guint)g_rand_int_range(rnd, 1, 300);
            n = MIN(n, ch->bytes->len - off);
            tls_conn_feed(c, ch->dir, ch->bytes->data + off, n, i + 1, i + 1);
            off += n;
        }
        if (g_rand_int_range(rnd, 0, 100) == 0)
            tls_conn_gap(c, ch->dir);
    }
    if (g_rand_int_range(rnd, 0, 10))
        tls_conn_end(c);
    sum_sane(tls_conn_summary(c));
    tls_conn_free(c);
    hx_seen_free(&seen);
    g_ptr_array_free(chunks, TRUE);
}

static void t_fuzz(void **st)
{
    (void)st;
    tls_keys *keys[4];
    for (int i = 0; i < 4; i++) {
        keys[i] = tls_keys_new();
        tls_keys_add_keylog(keys[i], recs[i].cap.keylog->str, recs[i].cap.keylog->len, "kl", NULL,
                            NULL);
        if (recs[i].use_rsa) {
            /* the RSA key only: the pre-master secret is decrypted each time */
            tls_keys_free(keys[i]);
            keys[i] = tls_keys_new();
            assert_int_equal(tls_keys_add_rsa_file(keys[i], key_path, NULL, NULL), 0);
        }
    }
    const char *env = getenv("AMTDIAG_FUZZ_SEED");
    guint32 seed = env ? (guint32)strtoul(env, NULL, 0) : 0x7e57a11u;
    GRand *rnd = g_rand_new_with_seed(seed);
    for (int i = 0; i < ITERATIONS; i++)
        one_round(rnd, keys);
    g_rand_free(rnd);
    for (int i = 0; i < 4; i++)
        tls_keys_free(keys[i]);
}

/* Arbitrary bytes as either direction, and a keylog made of noise. */
static void t_noise(void **st)
{
    (void)st;
    GRand *rnd = g_rand_new_with_seed(12345);
    tls_keys *k = tls_keys_new();
    for (int i = 0; i < 200; i++) {
        uint8_t buf[512];
        guint n = (guint)g_rand_int_range(rnd, 0, sizeof(buf));
        for (guint j = 0; j < n; j++)
            buf[j] = (uint8_t)g_rand_int(rnd);
        if (n > 3 && g_rand_boolean(rnd)) {
            buf[0] = (uint8_t)g_rand_int_range(rnd, 20, 25);
            buf[1] = 3;
            buf[2] = (uint8_t)g_rand_int_range(rnd, 0, 5);
        }
        unsigned bad, first;
        tls_keys_add_keylog(k, (const char *)buf, n, "noise", &bad, &first);
        tls_conn *c = tls_conn_new(k, NULL, NULL);
        tls_conn_feed(c, g_rand_int_range(rnd, 0, 2), buf, n, 1, 1);
        tls_conn_feed(c, g_rand_int_range(rnd, 0, 2), buf, n, 2, 2);
        tls_looks_like(buf, n);
        tls_conn_end(c);
        sum_sane(tls_conn_summary(c));
        tls_conn_free(c);
    }
    /* misuse of the API */
    tls_conn_feed(NULL, 0, (const uint8_t *)"x", 1, 0, 0);
    tls_conn *c = tls_conn_new(k, NULL, NULL);
    tls_conn_feed(c, 2, (const uint8_t *)"x", 1, 0, 0);
    tls_conn_feed(c, 0, NULL, 5, 0, 0);
    tls_conn_gap(c, 5);
    tls_conn_end(c);
    tls_conn_end(c);
    tls_conn_gap(c, 0);
    tls_conn_free(c);
    tls_conn_free(NULL);
    g_rand_free(rnd);
    tls_keys_free(k);
}

static int setup(void **st)
{
    (void)st;
    hx_pki_init(&pki);
    tmpdir = g_dir_make_tmp("tlsfuzz-XXXXXX", NULL);
    key_path = g_build_filename(tmpdir, "key.pem", NULL);
    if (hx_write_key_pem(pki.key, key_path))
        return -1;
    hx_opts a = {.min_version = TLS1_2_VERSION,
                 .max_version = TLS1_2_VERSION,
                 .ciphers = "ECDHE-RSA-AES128-GCM-SHA256",
                 .request_client_cert = 1,
                 .send_client_cert = 1};
    hx_opts b = {.min_version = TLS1_3_VERSION,
                 .max_version = TLS1_3_VERSION,
                 .request_client_cert = 1,
                 .send_client_cert = 1};
    hx_opts c = {
        .min_version = TLS1_2_VERSION, .max_version = TLS1_2_VERSION, .ciphers = "AES256-SHA256"};
    hx_opts d = {.min_version = TLS1_VERSION,
                 .max_version = TLS1_VERSION,
                 .ciphers = "AES128-SHA",
                 .client_options = SSL_OP_NO_EXTENDED_MASTER_SECRET};
    make(&recs[0], &a, 0);
    make(&recs[1], &b, 0);
    make(&recs[2], &c, 1);
    make(&recs[3], &d, 0);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    for (int i = 0; i < 4; i++)
        hx_capture_free(&recs[i].cap);
    unlink(key_path);
    rmdir(tmpdir);
    g_free(key_path);
    g_free(tmpdir);
    hx_pki_free(&pki);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_fuzz),
        cmocka_unit_test(t_noise),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
