/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serve_certs: the keys and certificates of amtsim --serve — a root, a
 * second unrelated root, the AMT's server certificate naming only its FQDN,
 * and one console certificate per way AMT's rules can fail — made at start
 * with validity around the real clock and written to a folder, so that
 * third-party clients can trust the AMT and present console certificates. */
#ifndef AMTSIM_SERVE_CERTS_H
#define AMTSIM_SERVE_CERTS_H

#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* The console certificates, all for one key (console-key.pem). */
enum {
    CONSOLE_GOOD,           /* clientAuth + AMT console EKU, under the root */
    CONSOLE_NO_AMT_OID,     /* clientAuth only */
    CONSOLE_NO_CLIENT_AUTH, /* serverAuth + AMT console EKU */
    CONSOLE_OTHER_ROOT,     /* issued by the unrelated root */
    CONSOLE_OTHER_FQDN,     /* CN outside it.example.com */
    CONSOLE_NEW,            /* valid from two days ago: before that at a slow AMT clock */
    CONSOLE_N
};

typedef struct serve_certs {
    EVP_PKEY *root_key, *other_root_key, *amt_key, *console_key;
    X509 *root, *other_root, *amt_cert;
    X509 *console[CONSOLE_N];
} serve_certs;

/* Makes everything for an AMT named fqdn (CN and the only subjectAltName);
 * amt_expired: its certificate ended 30 days before now (Unix seconds).
 * Returns 0, or -1 with a message on stderr. */
int serve_certs_make(serve_certs *c, const char *fqdn, int amt_expired, int64_t now);

/* Writes root-ca.pem, other-root-ca.pem, amt-cert.pem, amt-key.pem,
 * console-key.pem and console-<kind>.pem into dir. Returns 0 or -1. */
int serve_certs_write(const serve_certs *c, const char *dir);

void serve_certs_free(serve_certs *c);

#endif
