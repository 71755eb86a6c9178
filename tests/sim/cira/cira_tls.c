/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cira_tls: TLS inside a CIRA channel, on memory BIOs (see cira_tls.h). */
#include "cira_tls.h"

#include <openssl/err.h>

int cira_tls_start(cira_tls *t, SSL_CTX *ctx, int server)
{
    t->ssl = SSL_new(ctx);
    t->in = BIO_new(BIO_s_mem());
    t->out = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->in || !t->out)
        return -1;
    SSL_set_bio(t->ssl, t->in, t->out); /* the SSL owns both now */
    if (server) {
        SSL_set_accept_state(t->ssl);
        return 0;
    }
    SSL_set_connect_state(t->ssl);
    SSL_do_handshake(t->ssl); /* the ClientHello, into out */
    ERR_clear_error();
    return 0;
}

int cira_tls_feed(cira_tls *t, const void *p, size_t n, GString *plain)
{
    BIO_write(t->in, p, (int)n);
    if (!SSL_is_init_finished(t->ssl)) {
        int r = SSL_do_handshake(t->ssl);
        if (r != 1) {
            int e = SSL_get_error(t->ssl, r);
            ERR_clear_error();
            return e == SSL_ERROR_WANT_READ ? 0 : -1;
        }
    }
    char buf[4096];
    int got;
    while ((got = SSL_read(t->ssl, buf, sizeof buf)) > 0)
        g_string_append_len(plain, buf, got);
    ERR_clear_error();
    return 1;
}

void cira_tls_write(cira_tls *t, GString *s)
{
    SSL_write(t->ssl, s->str, (int)s->len);
    g_string_free(s, TRUE);
}

GString *cira_tls_out(cira_tls *t)
{
    GString *s = NULL;
    char buf[4096];
    int n;
    while ((n = BIO_read(t->out, buf, sizeof buf)) > 0) {
        if (!s)
            s = g_string_new(NULL);
        g_string_append_len(s, buf, n);
    }
    return s;
}

void cira_tls_free(cira_tls *t)
{
    if (t->ssl)
        SSL_free(t->ssl);
    t->ssl = NULL;
}
