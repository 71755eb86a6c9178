/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The certificate checks behind AMT's mutual-authentication rules and the
 * console's view of the AMT certificate, done with OpenSSL's X.509 API on
 * certificates as they appeared on the wire (DER). Shared by the analyzer
 * and the Wireshark plugin, so nothing here depends on either. */
#ifndef AMTDIAG_DIAG_CERT_H
#define AMTDIAG_DIAG_CERT_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* Object identifiers AMT's rules name. */
#define DIAG_OID_CLIENT_AUTH "1.3.6.1.5.5.7.3.2"
#define DIAG_OID_AMT_CONSOLE "2.16.840.1.113741.1.2.1"

/* A DER object seen on the wire (certificate, DistinguishedName). */
typedef struct diag_blob {
    const uint8_t *data;
    size_t len;
} diag_blob;

#define DIAG_CERT_NAMES_MAX 16

/* What the rules read from one certificate. Strings are NUL-terminated and
 * cut to their field when longer (names with control characters are
 * escaped, never copied raw: they end up in reports). */
typedef struct diag_cert_info {
    int parsed;        /* the DER decoded as an X.509 certificate */
    char subject[512]; /* one line, RFC 2253 order ("CN=console,O=Example") */
    char issuer[512];
    char cn[256];                  /* the subject's last CN, "" when none */
    char serial[80];               /* hex, upper case, no separators */
    int64_t not_before, not_after; /* Unix seconds (UTC) */
    int has_eku;                   /* an extendedKeyUsage extension is present */
    int eku_client_auth;           /* it lists 1.3.6.1.5.5.7.3.2 */
    int eku_amt_console;           /* it lists 2.16.840.1.113741.1.2.1 */
    int eku_any;                   /* it lists anyExtendedKeyUsage */
    char eku_text[256];            /* "serverAuth, clientAuth, 2.16.840.1.113741.1.2.1" */
    char dns_names[DIAG_CERT_NAMES_MAX][256]; /* subjectAltName dNSName */
    size_t n_dns_names;
    char ip_names[DIAG_CERT_NAMES_MAX][48]; /* subjectAltName iPAddress, as text */
    size_t n_ip_names;
    int self_issued; /* subject equals issuer */
} diag_cert_info;

/* Reads one DER certificate. Returns 0, or -1 (out->parsed 0) when it
 * does not decode; never reads past len. The last certificates read are
 * kept, by their DER: reading one of them again is a copy. Thread-safe. */
int diag_cert_read(const uint8_t *der, size_t len, diag_cert_info *out);

/* Where time t (Unix seconds) falls in the validity period:
 * 0 inside it, -1 before notBefore, 1 after notAfter. */
int diag_cert_validity_at(const diag_cert_info *c, int64_t t);

/* Whether name — a host name or an IPv4/IPv6 literal — is one the
 * certificate is issued to, as a TLS client checks it (RFC 6125): IP
 * literals against iPAddress entries; host names against dNSName entries
 * (a wildcard only as the whole left-most label), or against the CN when
 * there is no dNSName. Case-insensitive; a trailing dot is ignored.
 * Returns 1 or 0. */
int diag_cert_name_matches(const diag_cert_info *c, const char *name);

/* Whether name equals suffix or ends with "." suffix, case-insensitively
 * (AMT's trusted-FQDN rule). A leading "." or "*." on suffix is ignored. */
int diag_name_suffix_match(const char *name, const char *suffix);

/* Splits a list of trusted FQDN suffixes — separated by commas or white
 * space, as amtdiag's --trusted-fqdn and the plugin's preference take
 * them — into out (g_strdup'ed strings). Returns 0, or -1 when the list is
 * empty or a value cannot be a DNS suffix (that value in bad, "" for an
 * empty list); out then holds the values before it. */
int diag_parse_fqdn_list(const char *text, GPtrArray *out, char *bad, size_t bad_len);

/* Whether the chain (leaf first, as sent) leads to one of the CA names
 * of a CertificateRequest: the issuer of some certificate of the chain, or
 * the subject of one, equals a listed DistinguishedName (DER, compared as
 * X509_NAME_cmp does). Returns the index of the matching name, -1 when
 * none matches, -2 when the chain or a name does not decode. */
int diag_chain_matches_ca_names(const diag_blob *chain, size_t n_chain, const diag_blob *names,
                                size_t n_names);

/* The subject of a DER DistinguishedName as one line ("CN=Root,O=…"), in
 * buf. Returns buf, or "(undecodable name)". */
const char *diag_dn_text(const diag_blob *name, char *buf, size_t len);

/* Verifies the chain (leaf first) against trusted roots (DER blobs, as
 * loaded by diag_load_pem_certs), signatures and chain structure only —
 * validity dates are checked by diag_cert_validity_at at AMT's clock, not
 * here. Returns 1 verified, 0 not verified (the reason, from OpenSSL's
 * verify error, in why), -1 when the chain does not decode. */
int diag_chain_verify(const diag_blob *chain, size_t n_chain, const diag_blob *roots,
                      size_t n_roots, char *why, size_t why_len);

/* Loads every certificate of a PEM file (or one DER certificate) as DER
 * blobs into *out (allocated; free with diag_blobs_free). Returns the
 * number loaded (at least 1), or -1 with a message in err naming the file
 * and what is wrong (missing, unreadable, no certificate in it). */
int diag_load_pem_certs(const char *path, diag_blob **out, char *err, size_t err_len);

/* Frees what diag_load_pem_certs allocated. */
void diag_blobs_free(diag_blob *blobs, size_t n);

/* Formats Unix seconds as "2027-06-01 00:00:00 UTC" into buf. */
const char *diag_time_text(int64_t t, char *buf, size_t len);

#endif
