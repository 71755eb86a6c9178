/* SPDX-License-Identifier: GPL-2.0-or-later */
/* certgen: certificates for the simulated AMT, its console and their CAs. */
#include "certgen.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

EVP_PKEY *certgen_rsa_key(int bits)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
    EVP_PKEY *key = NULL;
    if (ctx && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) == 1)
        EVP_PKEY_keygen(ctx, &key);
    EVP_PKEY_CTX_free(ctx);
    return key;
}

int64_t certgen_time(const char *iso)
{
    struct tm tm = {0};
    if (sscanf(iso, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) < 3)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer ? issuer : cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (!ext)
        return -1;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

X509 *certgen_issue(const cert_spec *s, EVP_PKEY *key)
{
    X509 *c = X509_new();
    X509_NAME *name = X509_NAME_new();
    int ok = c && name;
    ok = ok && X509_set_version(c, 2);
    ok = ok && ASN1_INTEGER_set(X509_get_serialNumber(c), s->serial);
    ok = ok && X509_time_adj_ex(X509_getm_notBefore(c), 0, 0, &(time_t){(time_t)s->not_before});
    ok = ok && X509_time_adj_ex(X509_getm_notAfter(c), 0, 0, &(time_t){(time_t)s->not_after});
    ok = ok && X509_set_pubkey(c, key);
    if (ok && s->org)
        ok = X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)s->org, -1,
                                        -1, 0);
    ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)s->cn,
                                          -1, -1, 0);
    ok = ok && X509_set_subject_name(c, name);
    ok = ok && X509_set_issuer_name(c, s->issuer ? X509_get_subject_name(s->issuer) : name);
    if (ok && s->is_ca) {
        ok = add_ext(c, s->issuer, NID_basic_constraints, "critical,CA:TRUE") == 0 &&
             add_ext(c, s->issuer, NID_key_usage, "critical,keyCertSign,cRLSign") == 0;
    } else if (ok) {
        ok = add_ext(c, s->issuer, NID_basic_constraints, "CA:FALSE") == 0 &&
             add_ext(c, s->issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment") == 0;
        char eku[160] = "";
        if (s->eku_server_auth)
            strcat(eku, "serverAuth,");
        if (s->eku_client_auth)
            strcat(eku, "clientAuth,");
        if (s->eku_amt_console)
            strcat(eku, OID_AMT_CONSOLE ",");
        if (ok && eku[0]) {
            eku[strlen(eku) - 1] = '\0';
            ok = add_ext(c, s->issuer, NID_ext_key_usage, eku) == 0;
        }
    }
    if (ok && s->san_dns) {
        char san[300];
        snprintf(san, sizeof san, "DNS:%s", s->san_dns);
        ok = add_ext(c, s->issuer, NID_subject_alt_name, san) == 0;
    }
    ok = ok && add_ext(c, s->issuer, NID_subject_key_identifier, "hash") == 0;
    if (ok && s->issuer)
        ok = add_ext(c, s->issuer, NID_authority_key_identifier, "keyid:always") == 0;
    ok = ok && X509_sign(c, s->issuer_key ? s->issuer_key : key, EVP_sha256()) > 0;
    X509_NAME_free(name);
    if (!ok) {
        X509_free(c);
        return NULL;
    }
    return c;
}

int certgen_write_cert(const char *path, X509 *const *chain, int n)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    int ok = 1;
    for (int i = 0; i < n; i++)
        ok = ok && PEM_write_X509(f, chain[i]);
    ok = (fclose(f) == 0) && ok;
    if (!ok)
        fprintf(stderr, "%s: cannot write certificate\n", path);
    return ok ? 0 : -1;
}

int certgen_write_key(const char *path, EVP_PKEY *key)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    int ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    ok = (fclose(f) == 0) && ok;
    if (!ok)
        fprintf(stderr, "%s: cannot write key\n", path);
    return ok ? 0 : -1;
}
