/* SPDX-License-Identifier: GPL-2.0-or-later */
/* certgen: the keys and X.509 certificates of a scenario — roots, the
 * AMT's server certificate and console certificates with chosen EKUs,
 * names and validity — made with OpenSSL at generation time. */
#ifndef AMTSIM_CERTGEN_H
#define AMTSIM_CERTGEN_H

#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#define OID_AMT_CONSOLE "2.16.840.1.113741.1.2.1"

typedef struct cert_spec {
    const char *cn;
    const char *org;
    const char *san_dns; /* NULL: no subjectAltName */
    int64_t not_before;  /* Unix seconds */
    int64_t not_after;
    long serial;
    int is_ca;
    int eku_server_auth;
    int eku_client_auth;
    int eku_amt_console;
    X509 *issuer; /* NULL: self-signed */
    EVP_PKEY *issuer_key;
} cert_spec;

/* A fresh RSA key of bits bits; NULL on failure. */
EVP_PKEY *certgen_rsa_key(int bits);

/* Issues the certificate for key; NULL on failure. */
X509 *certgen_issue(const cert_spec *s, EVP_PKEY *key);

/* PEM files; return 0 or -1 (message on stderr naming the file). */
int certgen_write_cert(const char *path, X509 *const *chain, int n);
int certgen_write_key(const char *path, EVP_PKEY *key);

/* Seconds since the epoch of a UTC date "YYYY-MM-DD[THH:MM:SS]". */
int64_t certgen_time(const char *iso);

#endif
