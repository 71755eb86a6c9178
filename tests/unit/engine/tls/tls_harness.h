/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test harness for the TLS layer: real OpenSSL handshakes between an SSL
 * client and server over memory BIOs. Every chunk of bytes each side
 * writes is recorded in order (one "frame" per chunk), with the NSS key log
 * from SSL_CTX_set_keylog_callback and the application data written, so a
 * test can feed the streams to tls_conn and compare what it decrypts.
 * Header-only (static inline) because each test_*.c is its own program. */
#ifndef TLS_HARNESS_H
#define TLS_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "tls/tls.h"

/* ---- a certificate and key ---------------------------------------------- */

typedef struct hx_pki {
    EVP_PKEY *key;
    X509 *cert;        /* server: CN=amt.example.com */
    X509 *client_cert; /* client: CN=console.example.com, same key, issuer = server cert */
} hx_pki;

static inline X509 *hx_make_cert(EVP_PKEY *key, const char *cn, const char *issuer_cn, long serial)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
    X509_set_pubkey(x, key);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"amtdiag test", -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_NAME *in = X509_get_issuer_name(x);
    X509_NAME_add_entry_by_txt(in, "O", MBSTRING_ASC, (const unsigned char *)"amtdiag test", -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(in, "CN", MBSTRING_ASC, (const unsigned char *)issuer_cn, -1, -1, 0);
    X509_sign(x, key, EVP_sha256());
    return x;
}

static inline void hx_pki_init(hx_pki *p)
{
    p->key = EVP_RSA_gen(2048);
    p->cert = hx_make_cert(p->key, "amt.example.com", "amt.example.com", 1);
    p->client_cert = hx_make_cert(p->key, "console.example.com", "amt.example.com", 2);
}

static inline void hx_pki_free(hx_pki *p)
{
    EVP_PKEY_free(p->key);
    X509_free(p->cert);
    X509_free(p->client_cert);
}

static inline int hx_write_key_pem(EVP_PKEY *key, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    return ok ? 0 : -1;
}

/* ---- the capture --------------------------------------------------------- */

typedef struct hx_chunk {
    int dir;
    GByteArray *bytes;
} hx_chunk;

typedef struct hx_capture {
    GPtrArray *chunks; /* hx_chunk */
    GString *keylog;
    GByteArray *app[2]; /* application data written, client→server and back */
    int handshake_ok;
} hx_capture;

static inline void hx_chunk_free(gpointer p)
{
    hx_chunk *c = p;
    g_byte_array_free(c->bytes, TRUE);
    g_free(c);
}

static inline void hx_capture_init(hx_capture *cap)
{
    cap->chunks = g_ptr_array_new_with_free_func(hx_chunk_free);
    cap->keylog = g_string_new(NULL);
    cap->app[0] = g_byte_array_new();
    cap->app[1] = g_byte_array_new();
    cap->handshake_ok = 0;
}

static inline void hx_capture_free(hx_capture *cap)
{
    g_ptr_array_free(cap->chunks, TRUE);
    g_string_free(cap->keylog, TRUE);
    g_byte_array_free(cap->app[0], TRUE);
    g_byte_array_free(cap->app[1], TRUE);
}

static inline void hx_keylog_cb(const SSL *ssl, const char *line)
{
    hx_capture *cap = SSL_get_app_data(ssl);
    if (cap) {
        g_string_append(cap->keylog, line);
        g_string_append_c(cap->keylog, '\n');
    }
}

/* ---- the two endpoints --------------------------------------------------- */

typedef struct hx_opts {
    int min_version, max_version; /* TLS1_VERSION ... TLS1_3_VERSION */
    const char *ciphers;          /* TLS <= 1.2 cipher list */
    const char *ciphersuites;     /* TLS 1.3 suites */
    uint64_t client_options, server_options;
    int request_client_cert;  /* server sends CertificateRequest */
    int send_client_cert;     /* client answers with its certificate */
    int server_session_cache; /* keep SSL_SESS_CACHE_SERVER (default on) */
} hx_opts;

typedef struct hx_env {
    SSL_CTX *cctx, *sctx;
    hx_pki *pki;
} hx_env;

static inline int hx_verify_any(int ok, X509_STORE_CTX *x)
{
    (void)ok;
    (void)x;
    return 1;
}

static inline void hx_env_init(hx_env *e, hx_pki *pki, const hx_opts *o)
{
    e->pki = pki;
    e->cctx = SSL_CTX_new(TLS_client_method());
    e->sctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX *both[2] = {e->cctx, e->sctx};
    for (int i = 0; i < 2; i++) {
        SSL_CTX *x = both[i];
        SSL_CTX_set_security_level(x, 0);
        SSL_CTX_set_min_proto_version(x, o->min_version ? o->min_version : TLS1_VERSION);
        SSL_CTX_set_max_proto_version(x, o->max_version ? o->max_version : TLS1_3_VERSION);
        if (o->ciphers)
            SSL_CTX_set_cipher_list(x, o->ciphers);
        if (o->ciphersuites)
            SSL_CTX_set_ciphersuites(x, o->ciphersuites);
        SSL_CTX_set_keylog_callback(x, hx_keylog_cb);
    }
    SSL_CTX_set_options(e->cctx, o->client_options);
    SSL_CTX_set_options(e->sctx, o->server_options);
    SSL_CTX_use_certificate(e->sctx, pki->cert);
    SSL_CTX_use_PrivateKey(e->sctx, pki->key);
    SSL_CTX_set_session_id_context(e->sctx, (const unsigned char *)"hx", 2);
    SSL_CTX_set_dh_auto(e->sctx, 1);
    SSL_CTX_set_session_cache_mode(e->cctx, SSL_SESS_CACHE_CLIENT);
    if (o->request_client_cert) {
        SSL_CTX_set_verify(e->sctx, SSL_VERIFY_PEER, hx_verify_any);
        STACK_OF(X509_NAME) *cas = sk_X509_NAME_new_null();
        sk_X509_NAME_push(cas, X509_NAME_dup(X509_get_subject_name(pki->cert)));
        SSL_CTX_set_client_CA_list(e->sctx, cas);
    }
    if (o->send_client_cert) {
        SSL_CTX_use_certificate(e->cctx, pki->client_cert);
        SSL_CTX_use_PrivateKey(e->cctx, pki->key);
    }
}

static inline void hx_env_free(hx_env *e)
{
    SSL_CTX_free(e->cctx);
    SSL_CTX_free(e->sctx);
}

/* Moves what each side wrote to the other, recording it. */
static inline int hx_move(BIO *from, BIO *to, int dir, hx_capture *cap)
{
    char buf[65536];
    int moved = 0, n;
    while ((n = BIO_read(from, buf, sizeof(buf))) > 0) {
        hx_chunk *c = g_new0(hx_chunk, 1);
        c->dir = dir;
        c->bytes = g_byte_array_new();
        g_byte_array_append(c->bytes, (const guint8 *)buf, (guint)n);
        g_ptr_array_add(cap->chunks, c);
        BIO_write(to, buf, n);
        moved = 1;
    }
    return moved;
}

typedef struct hx_conn {
    SSL *cli, *srv;
    BIO *c_in, *c_out, *s_in, *s_out;
} hx_conn;

static inline int hx_shuttle(hx_conn *h, hx_capture *cap)
{
    int m = hx_move(h->c_out, h->s_in, TLS_DIR_CLIENT, cap);
    m |= hx_move(h->s_out, h->c_in, TLS_DIR_SERVER, cap);
    return m;
}

static inline void hx_read_all(SSL *s, hx_conn *h, hx_capture *cap)
{
    char buf[16384];
    for (int i = 0; i < 50; i++) {
        int n = SSL_read(s, buf, sizeof(buf));
        if (n <= 0 && !hx_shuttle(h, cap))
            break;
    }
}

/* A connection: handshake, each side writes its messages, close_notify
 * both ways. resume: a client session to offer; out_session: receives the
 * client's session afterwards (SSL_SESSION_free it). Returns 0 when the
 * handshake completed. */
static inline int hx_run(hx_env *e, hx_capture *cap, const char *c2s, const char *s2c,
                         SSL_SESSION *resume, SSL_SESSION **out_session)
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
    SSL_set_app_data(h.srv, NULL); /* one side logs: no duplicate lines */
    SSL_set_connect_state(h.cli);
    SSL_set_accept_state(h.srv);
    if (resume)
        SSL_set_session(h.cli, resume);
    int rc = 0, rs = 0;
    for (int i = 0; i < 40; i++) {
        if (rc != 1)
            rc = SSL_do_handshake(h.cli);
        if (rs != 1)
            rs = SSL_do_handshake(h.srv);
        int moved = hx_shuttle(&h, cap);
        if (rc == 1 && rs == 1 && !moved)
            break;
    }
    cap->handshake_ok = rc == 1 && rs == 1;
    if (cap->handshake_ok) {
        if (c2s && *c2s) {
            SSL_write(h.cli, c2s, (int)strlen(c2s));
            g_byte_array_append(cap->app[0], (const guint8 *)c2s, (guint)strlen(c2s));
            hx_shuttle(&h, cap);
            hx_read_all(h.srv, &h, cap);
        }
        if (s2c && *s2c) {
            SSL_write(h.srv, s2c, (int)strlen(s2c));
            g_byte_array_append(cap->app[1], (const guint8 *)s2c, (guint)strlen(s2c));
            hx_shuttle(&h, cap);
            hx_read_all(h.cli, &h, cap);
        }
        SSL_shutdown(h.cli);
        hx_shuttle(&h, cap);
        SSL_shutdown(h.srv);
        hx_shuttle(&h, cap);
        SSL_shutdown(h.cli);
        hx_shuttle(&h, cap);
    } else {
        hx_shuttle(&h, cap);
    }
    if (out_session)
        *out_session = SSL_get1_session(h.cli);
    SSL_free(h.cli);
    SSL_free(h.srv);
    ERR_clear_error();
    return cap->handshake_ok ? 0 : -1;
}

/* ---- feeding the analyzer ------------------------------------------------ */

typedef struct hx_seen {
    GByteArray *app[2];
    int records[2];
    int decrypted[2];
    int hs_types[2][32]; /* handshake types in order, per direction */
    int n_hs[2];
    int alerts;
} hx_seen;

static inline void hx_on_record(void *ctx, int dir, const tls_record_info *r)
{
    hx_seen *s = ctx;
    s->records[dir]++;
    s->decrypted[dir] += r->decrypted;
}

static inline void hx_on_hs(void *ctx, int dir, const tls_hs_info *h)
{
    hx_seen *s = ctx;
    if (s->n_hs[dir] < 32)
        s->hs_types[dir][s->n_hs[dir]++] = h->type;
}

static inline void hx_on_alert(void *ctx, int dir, const tls_alert_info *a)
{
    (void)dir;
    (void)a;
    ((hx_seen *)ctx)->alerts++;
}

static inline void hx_on_app(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t ff,
                             uint64_t lf)
{
    (void)ff;
    (void)lf;
    hx_seen *s = ctx;
    g_byte_array_append(s->app[dir], p, (guint)n);
}

static inline void hx_seen_init(hx_seen *s)
{
    memset(s, 0, sizeof(*s));
    s->app[0] = g_byte_array_new();
    s->app[1] = g_byte_array_new();
}

static inline void hx_seen_free(hx_seen *s)
{
    g_byte_array_free(s->app[0], TRUE);
    g_byte_array_free(s->app[1], TRUE);
}

static inline const tls_callbacks *hx_callbacks(void)
{
    static const tls_callbacks cb = {hx_on_record, hx_on_hs, hx_on_alert, hx_on_app};
    return &cb;
}

/* Feeds the capture in order, frame numbers from 1. */
static inline void hx_feed(tls_conn *c, const hx_capture *cap)
{
    for (guint i = 0; i < cap->chunks->len; i++) {
        const hx_chunk *ch = g_ptr_array_index(cap->chunks, i);
        tls_conn_feed(c, ch->dir, ch->bytes->data, ch->bytes->len, i + 1, i + 1);
    }
    tls_conn_end(c);
}

/* Whether what was decrypted equals what was written, both ways. */
static inline int hx_app_matches(const hx_seen *s, const hx_capture *cap)
{
    for (int d = 0; d < 2; d++)
        if (s->app[d]->len != cap->app[d]->len ||
            (cap->app[d]->len && memcmp(s->app[d]->data, cap->app[d]->data, cap->app[d]->len) != 0))
            return 0;
    return cap->app[0]->len + cap->app[1]->len > 0;
}

/* Keeps only the key log lines whose label is not drop_label. */
static inline char *hx_keylog_without(const char *keylog, const char *drop_label)
{
    GString *out = g_string_new(NULL);
    gchar **lines = g_strsplit(keylog, "\n", -1);
    size_t dl = strlen(drop_label);
    for (gchar **l = lines; *l; l++) {
        if (!**l)
            continue;
        if (strncmp(*l, drop_label, dl) == 0 && (*l)[dl] == ' ')
            continue;
        g_string_append(out, *l);
        g_string_append_c(out, '\n');
    }
    g_strfreev(lines);
    return g_string_free(out, FALSE);
}

#endif
