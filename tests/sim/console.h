/* SPDX-License-Identifier: GPL-2.0-or-later */
/* console: the management console's side of a scenario — its TLS
 * settings on OpenSSL, and the connection sequence consoles follow:
 * connect, TLS, request, 401 challenge, Digest retry on a new connection. */
#ifndef AMTSIM_CONSOLE_H
#define AMTSIM_CONSOLE_H

#include <openssl/ssl.h>
#include "amt_device.h"
#include "console_http.h"

typedef struct console_tls_cfg {
    int min_version, max_version;
    const char *ciphers;      /* NULL: OpenSSL's default at SECLEVEL 0 */
    const char *ciphersuites; /* NULL: OpenSSL's default */
    X509 *cert;               /* client certificate, or NULL */
    X509 *chain[2];           /* intermediates sent after it */
    EVP_PKEY *key;
    X509 *trust;         /* root the console trusts for AMT's certificate */
    int64_t verify_time; /* clock used to check AMT's certificate */
} console_tls_cfg;

typedef struct console {
    netsim *net;
    const char *addr;     /* console IP */
    const char *amt_name; /* the name (or IP) it connects to AMT by */
    const char *user, *password;
    console_tls_cfg tls;
    console_mode mode;
    uint32_t seed;
    uint16_t port;         /* for the Host header */
    int plain_on_tls_port; /* speaks plain HTTP to 16993 too (TLS off in its settings) */
    /* built by console_start */
    SSL_CTX *ctx;
    console_http *http;
    char enum_context[80];
} console;

int console_start(console *c);
void console_stop(console *c);

/* Opens one connection to AMT on port (TLS on 16993 and 16995). Returns
 * its io, or NULL when TCP or the handshake failed (the connection is then
 * already closed, its outcome "rejected"); *out receives the connection. */
simio *console_open(console *c, amt_device *d, uint16_t port, sim_conn **out);

/* One request in the console's sequence. */
typedef struct console_req {
    const char *method;
    const char *uri;
    const char *content_type;
    char *body;             /* malloc'd; freed by console_run */
    const char *pull_class; /* with body NULL: a Pull on the last enumeration context */
} console_req;

/* Sends reqs in order to AMT on port, over as many connections as the
 * login needs: a 401 without Authorization makes it reconnect and retry,
 * as AMT closes the connection with every 401; a 401 after credentials
 * stops the sequence (login rejected) unless it says stale="true".
 * Returns the number of requests answered with 2xx. */
int console_run(console *c, amt_device *d, uint16_t port, console_req *reqs, int nreqs);

#endif
