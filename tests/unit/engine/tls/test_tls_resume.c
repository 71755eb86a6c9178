/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Session resumption within a run: a second connection resuming the
 * first's session (TLS 1.2 by session id, and by ticket) decrypts from the
 * key store's session cache even though no key for its own client random
 * was given; without the first connection it says why not. TLS 1.3 PSK
 * resumption and 0-RTT early data decrypt from the key log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>
#include "tls_harness.h"

static hx_pki pki;
static char *tmpdir, *key_path;

typedef struct two {
    hx_capture cap[2];
    int resumed_by_openssl;
} two;

static void two_connections(const hx_opts *o, two *t)
{
    hx_env e;
    hx_env_init(&e, &pki, o);
    SSL_SESSION *sess = NULL;
    hx_capture_init(&t->cap[0]);
    hx_capture_init(&t->cap[1]);
    assert_int_equal(hx_run(&e, &t->cap[0], "first", "one", NULL, &sess), 0);
    assert_non_null(sess);
    assert_int_equal(hx_run(&e, &t->cap[1], "second", "two", sess, NULL), 0);
    SSL_SESSION_free(sess);
    hx_env_free(&e);
}

static void two_free(two *t)
{
    hx_capture_free(&t->cap[0]);
    hx_capture_free(&t->cap[1]);
}

typedef struct out {
    tls_key_status status[2];
    char source[2][160];
    char text[2][256];
    int resumed[2];
    int app_ok[2];
} out;

/* Both connections with one key store, in order. */
static void analyse(two *t, tls_keys *k, out *o, int only_second)
{
    for (int i = only_second; i < 2; i++) {
        hx_seen seen;
        hx_seen_init(&seen);
        tls_conn *c = tls_conn_new(k, hx_callbacks(), &seen);
        hx_feed(c, &t->cap[i]);
        const tls_summary *s = tls_conn_summary(c);
        o->status[i] = s->key_status;
        g_strlcpy(o->source[i], s->key_source, sizeof(o->source[i]));
        g_strlcpy(o->text[i], s->key_status_text, sizeof(o->text[i]));
        o->resumed[i] = s->resumed;
        o->app_ok[i] = hx_app_matches(&seen, &t->cap[i]);
        tls_conn_free(c);
        hx_seen_free(&seen);
    }
}

static void t_resume_by_session_id(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_2_VERSION,
                 .max_version = TLS1_2_VERSION,
                 .ciphers = "AES128-GCM-SHA256",
                 .server_options = SSL_OP_NO_TICKET};
    two t;
    two_connections(&o, &t);
    tls_keys *k = tls_keys_new();
    assert_int_equal(tls_keys_add_rsa_file(k, key_path, NULL, NULL), 0);
    out r;
    analyse(&t, k, &r, 0);
    assert_int_equal(r.status[0], TLS_KEY_DECRYPTED);
    assert_string_equal(r.source[0], "RSA key key.pem");
    assert_false(r.resumed[0]);
    assert_int_equal(r.status[1], TLS_KEY_DECRYPTED);
    assert_true(r.resumed[1]);
    assert_string_equal(r.source[1], "resumed from connection 0");
    assert_true(r.app_ok[1]);
    tls_keys_free(k);
    /* the resumed connection alone: its full handshake is not there */
    k = tls_keys_new();
    assert_int_equal(tls_keys_add_rsa_file(k, key_path, NULL, NULL), 0);
    analyse(&t, k, &r, 1);
    assert_int_equal(r.status[1], TLS_KEY_RESUMED_UNKNOWN);
    assert_non_null(strstr(r.text[1], "session id"));
    assert_true(r.resumed[1]);
    tls_keys_free(k);
    two_free(&t);
}

static void t_resume_by_ticket(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_2_VERSION,
                 .max_version = TLS1_2_VERSION,
                 .ciphers = "ECDHE-RSA-AES256-SHA384"};
    two t;
    two_connections(&o, &t);
    /* only the first connection's key log line */
    tls_keys *k = tls_keys_new();
    tls_keys_add_keylog(k, t.cap[0].keylog->str, t.cap[0].keylog->len, "first.keylog", NULL, NULL);
    out r;
    analyse(&t, k, &r, 0);
    assert_int_equal(r.status[0], TLS_KEY_DECRYPTED);
    assert_int_equal(r.status[1], TLS_KEY_DECRYPTED);
    assert_true(r.resumed[1]);
    assert_string_equal(r.source[1], "resumed from connection 0");
    assert_true(r.app_ok[1]);
    tls_keys_free(k);
    k = tls_keys_new();
    tls_keys_add_keylog(k, t.cap[0].keylog->str, t.cap[0].keylog->len, "first.keylog", NULL, NULL);
    analyse(&t, k, &r, 1);
    assert_int_equal(r.status[1], TLS_KEY_RESUMED_UNKNOWN);
    assert_non_null(strstr(r.text[1], "ticket"));
    tls_keys_free(k);
    two_free(&t);
}

static void t_tls13_psk(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_3_VERSION, .max_version = TLS1_3_VERSION};
    two t;
    two_connections(&o, &t);
    tls_keys *k = tls_keys_new();
    for (int i = 0; i < 2; i++)
        tls_keys_add_keylog(k, t.cap[i].keylog->str, t.cap[i].keylog->len, "kl", NULL, NULL);
    out r;
    analyse(&t, k, &r, 0);
    assert_int_equal(r.status[1], TLS_KEY_DECRYPTED);
    assert_true(r.resumed[1]);
    assert_false(r.resumed[0]);
    assert_true(r.app_ok[1]);
    tls_keys_free(k);
    two_free(&t);
}

/* 0-RTT: the client sends data with its ClientHello under the early key. */
static void early_data_connection(hx_env *e, hx_capture *cap, SSL_SESSION *sess)
{
    hx_conn h;
    h.cli = SSL_new(e->cctx);
    h.srv = SSL_new(e->sctx);
    h.c_in = BIO_new(BIO_s_mem());
    h.c_out = BIO_new(BIO_s_mem());
    h.s_in = BIO_new(BIO_s_mem());
    h.s_out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(h.c_in, -1);
    BIO_set_mem_eof_return(h.s_in, -1);
    SSL_set_bio(h.cli, h.c_in, h.c_out);
    SSL_set_bio(h.srv, h.s_in, h.s_out);
    SSL_set_app_data(h.cli, cap);
    SSL_set_connect_state(h.cli);
    SSL_set_accept_state(h.srv);
    SSL_set_session(h.cli, sess);
    const char *early = "GET /early HTTP/1.1\r\n\r\n";
    size_t w = 0;
    assert_int_equal(SSL_write_early_data(h.cli, early, strlen(early), &w), 1);
    g_byte_array_append(cap->app[0], (const guint8 *)early, (guint)strlen(early));
    hx_shuttle(&h, cap);
    char buf[256];
    size_t rd = 0;
    int got = 0;
    for (int i = 0; i < 10; i++) {
        int r = SSL_read_early_data(h.srv, buf, sizeof(buf), &rd);
        got += r == SSL_READ_EARLY_DATA_SUCCESS ? (int)rd : 0;
        hx_shuttle(&h, cap);
        if (r == SSL_READ_EARLY_DATA_FINISH)
            break;
    }
    assert_int_equal(got, (int)strlen(early));
    int rc = 0, rs = 0;
    for (int i = 0; i < 20 && (rc != 1 || rs != 1); i++) {
        if (rc != 1)
            rc = SSL_do_handshake(h.cli);
        if (rs != 1)
            rs = SSL_do_handshake(h.srv);
        hx_shuttle(&h, cap);
    }
    assert_int_equal(rc, 1);
    assert_int_equal(SSL_get_early_data_status(h.cli), SSL_EARLY_DATA_ACCEPTED);
    const char *more = "after the handshake";
    SSL_write(h.cli, more, (int)strlen(more));
    g_byte_array_append(cap->app[0], (const guint8 *)more, (guint)strlen(more));
    hx_shuttle(&h, cap);
    hx_read_all(h.srv, &h, cap);
    SSL_free(h.cli);
    SSL_free(h.srv);
}

static void t_tls13_early_data(void **st)
{
    (void)st;
    hx_opts o = {.min_version = TLS1_3_VERSION, .max_version = TLS1_3_VERSION};
    hx_env e;
    hx_env_init(&e, &pki, &o);
    SSL_CTX_set_max_early_data(e.sctx, 16384);
    SSL_CTX_set_recv_max_early_data(e.sctx, 16384);
    hx_capture first, cap;
    hx_capture_init(&first);
    hx_capture_init(&cap);
    SSL_SESSION *sess = NULL;
    assert_int_equal(hx_run(&e, &first, "a", "b", NULL, &sess), 0);
    assert_true(SSL_SESSION_get_max_early_data(sess) > 0);
    early_data_connection(&e, &cap, sess);
    SSL_SESSION_free(sess);
    for (int variant = 0; variant < 2; variant++) {
        /* variant 1: the key log lacks the early traffic secret */
        char *kl = variant ? hx_keylog_without(cap.keylog->str, "CLIENT_EARLY_TRAFFIC_SECRET")
                           : g_strdup(cap.keylog->str);
        tls_keys *k = tls_keys_new();
        tls_keys_add_keylog(k, kl, strlen(kl), "kl", NULL, NULL);
        hx_seen seen;
        hx_seen_init(&seen);
        tls_conn *c = tls_conn_new(k, hx_callbacks(), &seen);
        hx_feed(c, &cap);
        const tls_summary *s = tls_conn_summary(c);
        assert_true(s->ch.early_data);
        assert_true(s->resumed);
        assert_int_equal(s->key_status, TLS_KEY_DECRYPTED);
        if (variant == 0) {
            assert_true(hx_app_matches(&seen, &cap));
        } else {
            const char *more = "after the handshake";
            assert_int_equal(seen.app[0]->len, strlen(more));
            assert_memory_equal(seen.app[0]->data, more, strlen(more));
            int noted = 0;
            for (size_t i = 0; i < s->n_notes; i++)
                noted |= strstr(s->notes[i], "early data") != NULL;
            assert_true(noted);
        }
        tls_conn_free(c);
        hx_seen_free(&seen);
        tls_keys_free(k);
        g_free(kl);
    }
    hx_capture_free(&first);
    hx_capture_free(&cap);
    hx_env_free(&e);
}

static int setup(void **st)
{
    (void)st;
    hx_pki_init(&pki);
    tmpdir = g_dir_make_tmp("tlsres-XXXXXX", NULL);
    key_path = g_build_filename(tmpdir, "key.pem", NULL);
    return hx_write_key_pem(pki.key, key_path);
}

static int teardown(void **st)
{
    (void)st;
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
        cmocka_unit_test(t_resume_by_session_id),
        cmocka_unit_test(t_resume_by_ticket),
        cmocka_unit_test(t_tls13_psk),
        cmocka_unit_test(t_tls13_early_data),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
