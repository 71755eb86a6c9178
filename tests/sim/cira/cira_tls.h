/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cira_tls: a TLS session carried as a CIRA channel's bytes (what a
 * console and AMT run on 16993 through the tunnel): OpenSSL on memory
 * BIOs, the caller moving the bytes in and out as ChannelData. */
#ifndef CIRASIM_TLS_H
#define CIRASIM_TLS_H

#include <glib.h>
#include <openssl/ssl.h>

typedef struct cira_tls {
    SSL *ssl;
    BIO *in, *out; /* the peer's bytes in; this side's to send out */
} cira_tls;

/* Starts a session on ctx, as the server or the client (which begins its
 * handshake: cira_tls_out has its ClientHello). Returns 0 or -1. */
int cira_tls_start(cira_tls *t, SSL_CTX *ctx, int server);

/* Takes n bytes from the peer; appends what they decrypt to into plain.
 * Returns 1 once the handshake is complete, 0 before, -1 on an error. */
int cira_tls_feed(cira_tls *t, const void *p, size_t n, GString *plain);

/* Encrypts s (freed) for the peer. */
void cira_tls_write(cira_tls *t, GString *s);

/* The bytes this side has to send, or NULL when none. */
GString *cira_tls_out(cira_tls *t);

void cira_tls_free(cira_tls *t);

#endif
