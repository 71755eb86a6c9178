/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amt_device: the fake Intel AMT — which ports listen, its TLS stack on
 * OpenSSL with AMT's mutual-authentication rules, and its HTTP service. */
#ifndef AMTSIM_AMT_DEVICE_H
#define AMTSIM_AMT_DEVICE_H

#include <openssl/ssl.h>
#include "amt_http.h"
#include "amt_redir.h"
#include "netsim.h"

#define AMT_MAX_ROOTS 4

typedef enum {
    AMT_REJECT_WITH_ALERT, /* fail the handshake with an alert */
    AMT_ACCEPT_THEN_CLOSE, /* finish the handshake, read the request, close */
} amt_reject_style;

typedef struct amt_tls_cfg {
    int min_version, max_version; /* TLS1_VERSION … TLS1_3_VERSION */
    const char *ciphers;          /* TLS ≤ 1.2 cipher list */
    const char *ciphersuites;     /* TLS 1.3 suites, NULL: OpenSSL's */
    X509 *cert;
    EVP_PKEY *key;
    int mutual_auth;
    X509 *roots[AMT_MAX_ROOTS]; /* trusted root store, also the CA list sent */
    unsigned n_roots;
    const char *trusted_fqdn[AMT_MAX_TRUSTED_CN]; /* suffixes the leaf CN must match */
    unsigned n_trusted_fqdn;
    int check_reverse_dns; /* AMT 3.x: the CN must equal the PTR name of the console */
    amt_reject_style reject;
    int ignore_renegotiation_info; /* old firmware without RFC 5746 */
} amt_tls_cfg;

typedef struct amt_device {
    netsim *net;
    const char *addr;   /* the AMT's IP address */
    int plain_open;     /* 16992 listens */
    int tls_open;       /* 16993 listens */
    int redir_open;     /* 16994 listens (the redirection listener is enabled) */
    int redir_tls_open; /* 16995 listens */
    amt_redir_cfg redir_cfg;
    int unreachable; /* nothing answers at all */
    amt_tls_cfg tls;
    amt_device_cfg http_cfg;
    int64_t clock_offset_s;  /* AMT clock minus capture clock */
    sim_endpoint dns_server; /* where the AMT sends its PTR query */
    const char *console_ptr; /* PTR answer for the console's address; NULL: NXDOMAIN */
    /* built by amt_device_start */
    SSL_CTX *ctx;
    amt_http *http;
    amt_redir redir;
    char verdict[64];   /* the first rule the last client certificate failed, or "" */
    int cert_presented; /* the last handshake carried a console certificate */
} amt_device;

/* Builds the TLS context and HTTP state. Returns 0, or -1 with a message. */
int amt_device_start(amt_device *d);
void amt_device_stop(amt_device *d);

/* A console at cli opens a TCP connection to port: answered according to
 * which ports listen (16992 HTTP, 16993 TLS, 16994 redirection, 16995
 * redirection in TLS), and served on a thread when one does. */
sim_conn *amt_device_connect(amt_device *d, const sim_endpoint *cli, uint16_t port);

/* Serve mode: serves a connection a real client opened, accepted on fd,
 * as TLS when tls is set and as plain HTTP otherwise; facts receives what
 * it carried as the AMT saw it (d->verdict: its certificate verdict).
 * Returns fd for the caller to close after the client's FIN
 * (netsim_serve_accepted). */
int amt_device_serve_accepted(amt_device *d, int fd, int tls, sim_conn_facts *facts);

#endif
