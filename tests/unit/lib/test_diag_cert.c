/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/diag_cert: the sample certificates (EKUs, names,
 * dates), certificates generated here with OpenSSL for the edge cases
 * (wildcards, IP SANs, CN fallback, escaped names, chains, expired CAs),
 * PEM/DER loading, and truncated, bit-flipped and random DER. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "amtdiag/diag_cert.h"

#define SAMPLE(rel) AMTDIAG_SAMPLES_DIR "/" rel

/* 2025-06-01 and 2027-06-01, 00:00:00 UTC: the console certificates'
 * validity (date -ud 2025-06-01 +%s). */
#define CONSOLE_NOT_BEFORE INT64_C(1748736000)
#define CONSOLE_NOT_AFTER INT64_C(1811808000)
#define DAY INT64_C(86400)

/* ---- helpers ---- */

static diag_blob blob_of(X509 *x)
{
    int n = i2d_X509(x, NULL);
    assert_true(n > 0);
    uint8_t *der = g_malloc((gsize)n);
    unsigned char *p = der;
    assert_int_equal(i2d_X509(x, &p), n);
    return (diag_blob){der, (size_t)n};
}

static diag_blob name_blob(const X509_NAME *name)
{
    unsigned char *der = NULL;
    int n = i2d_X509_NAME(name, &der);
    assert_true(n > 0);
    uint8_t *copy = g_memdup2(der, (gsize)n);
    OPENSSL_free(der);
    return (diag_blob){copy, (size_t)n};
}

static void blob_free(diag_blob *b)
{
    g_free((void *)b->data);
    b->data = NULL;
    b->len = 0;
}

static X509 *x509_of(const diag_blob *b)
{
    const unsigned char *p = b->data;
    X509 *x = d2i_X509(NULL, &p, (long)b->len);
    assert_non_null(x);
    return x;
}

/* The only certificate of a sample file, as DER. */
static diag_blob load_one(const char *path)
{
    diag_blob *blobs = NULL;
    char err[512];
    int n = diag_load_pem_certs(path, &blobs, err, sizeof err);
    if (n != 1)
        print_message("%s: %s\n", path, err);
    assert_int_equal(n, 1);
    diag_blob b = {g_memdup2(blobs[0].data, blobs[0].len), blobs[0].len};
    diag_blobs_free(blobs, (size_t)n);
    return b;
}

static void read_sample(const char *path, diag_cert_info *info)
{
    diag_blob b = load_one(path);
    assert_int_equal(diag_cert_read(b.data, b.len, info), 0);
    assert_true(info->parsed);
    blob_free(&b);
}

static EVP_PKEY *new_key(void)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(k);
    return k;
}

typedef struct cert_spec {
    const char *o, *cn;
    long serial;
    int64_t not_before, not_after;
    const char *eku; /* extendedKeyUsage in openssl.cnf syntax, NULL none */
    const char *san; /* subjectAltName in openssl.cnf syntax, NULL none */
    int ca;
    X509 *issuer; /* NULL: self-signed */
    EVP_PKEY *issuer_key;
} cert_spec;

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509V3_set_ctx_nodb(&ctx);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert_non_null(e);
    assert_true(X509_add_ext(x, e, -1));
    X509_EXTENSION_free(e);
}

static X509 *make_cert(const cert_spec *s, EVP_PKEY *key)
{
    X509 *x = X509_new();
    assert_non_null(x);
    assert_true(X509_set_version(x, 2));
    assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), s->serial));
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)s->not_before));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)s->not_after));
    assert_true(X509_set_pubkey(x, key));
    X509_NAME *name = X509_get_subject_name(x);
    if (s->o != NULL)
        assert_true(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                               (const unsigned char *)s->o, -1, -1, 0));
    if (s->cn != NULL)
        assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                               (const unsigned char *)s->cn, -1, -1, 0));
    X509 *issuer = s->issuer != NULL ? s->issuer : x;
    assert_true(X509_set_issuer_name(x, X509_get_subject_name(issuer)));
    if (s->ca) {
        add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
    if (s->eku != NULL)
        add_ext(x, issuer, NID_ext_key_usage, s->eku);
    if (s->san != NULL)
        add_ext(x, issuer, NID_subject_alt_name, s->san);
    assert_true(X509_sign(x, s->issuer_key != NULL ? s->issuer_key : key, EVP_sha256()) > 0);
    return x;
}

/* Signs x (built by hand) with key and returns its DER. */
static diag_blob sign_blob(X509 *x, EVP_PKEY *key)
{
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    return blob_of(x);
}

static char *pem_of(X509 *x)
{
    BIO *bio = BIO_new(BIO_s_mem());
    assert_true(PEM_write_bio_X509(bio, x));
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *s = g_strndup(data, (gsize)n);
    BIO_free(bio);
    return s;
}

static char *key_pem_of(EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    assert_true(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL));
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *s = g_strndup(data, (gsize)n);
    BIO_free(bio);
    return s;
}

static int blob_eq(const diag_blob *a, const diag_blob *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static diag_cert_info *info_of(X509 *x)
{
    diag_blob b = blob_of(x);
    diag_cert_info *info = g_new0(diag_cert_info, 1);
    assert_int_equal(diag_cert_read(b.data, b.len, info), 0);
    blob_free(&b);
    return info;
}

/* A small deterministic PRNG (xorshift32), so a failure reproduces. */
static uint32_t rng_next(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* Every string field of an info is NUL-terminated inside its array. */
static void assert_terminated(const diag_cert_info *c)
{
    assert_true(strnlen(c->subject, sizeof c->subject) < sizeof c->subject);
    assert_true(strnlen(c->issuer, sizeof c->issuer) < sizeof c->issuer);
    assert_true(strnlen(c->cn, sizeof c->cn) < sizeof c->cn);
    assert_true(strnlen(c->serial, sizeof c->serial) < sizeof c->serial);
    assert_true(strnlen(c->eku_text, sizeof c->eku_text) < sizeof c->eku_text);
    assert_true(c->n_dns_names <= DIAG_CERT_NAMES_MAX);
    assert_true(c->n_ip_names <= DIAG_CERT_NAMES_MAX);
    for (size_t i = 0; i < c->n_dns_names; i++)
        assert_true(strnlen(c->dns_names[i], sizeof c->dns_names[i]) < sizeof c->dns_names[i]);
    for (size_t i = 0; i < c->n_ip_names; i++)
        assert_true(strnlen(c->ip_names[i], sizeof c->ip_names[i]) < sizeof c->ip_names[i]);
}

/* ---- the samples ---- */

static void sample_console_ekus(void **state)
{
    (void)state;
    static const struct {
        const char *path, *serial, *eku_text;
        int client_auth, amt_console;
    } cases[] = {
        {SAMPLE("mtls-ok/console-cert.pem"), "2001", "clientAuth, 2.16.840.1.113741.1.2.1", 1, 1},
        {SAMPLE("mtls-no-amt-console-eku/console-cert.pem"), "2002", "clientAuth", 1, 0},
        {SAMPLE("mtls-no-client-auth-eku/console-cert.pem"), "2003",
         "serverAuth, 2.16.840.1.113741.1.2.1", 0, 1},
        {SAMPLE("mtls-untrusted-root/console-cert.pem"), "2004",
         "clientAuth, 2.16.840.1.113741.1.2.1", 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        diag_cert_info c;
        read_sample(cases[i].path, &c);
        assert_true(c.has_eku);
        assert_int_equal(c.eku_client_auth, cases[i].client_auth);
        assert_int_equal(c.eku_amt_console, cases[i].amt_console);
        assert_false(c.eku_any);
        assert_string_equal(c.eku_text, cases[i].eku_text);
        assert_string_equal(c.serial, cases[i].serial);
        assert_string_equal(c.subject, "CN=console01.it.example.com,O=Example Corp");
        assert_string_equal(c.cn, "console01.it.example.com");
        assert_int_equal(c.not_before, CONSOLE_NOT_BEFORE);
        assert_int_equal(c.not_after, CONSOLE_NOT_AFTER);
        assert_int_equal(c.n_dns_names, 0);
        assert_int_equal(c.n_ip_names, 0);
        assert_false(c.self_issued);
    }
}

static void sample_root_and_amt(void **state)
{
    (void)state;
    diag_cert_info c;

    read_sample(SAMPLE("mtls-ok/root-ca.pem"), &c);
    assert_string_equal(c.subject, "CN=Example Corp AMT Root CA,O=Example Corp");
    assert_string_equal(c.issuer, c.subject);
    assert_true(c.self_issued);
    assert_false(c.has_eku);
    assert_false(c.eku_client_auth);
    assert_string_equal(c.eku_text, "");
    assert_string_equal(c.serial, "01");

    read_sample(SAMPLE("mtls-ok/amt-cert.pem"), &c);
    assert_string_equal(c.subject, "CN=amt-pc17.vpro.example.com,O=Example Corp");
    assert_string_equal(c.issuer, "CN=Example Corp AMT Root CA,O=Example Corp");
    assert_false(c.self_issued);
    assert_true(c.has_eku);
    assert_false(c.eku_client_auth);
    assert_false(c.eku_amt_console);
    assert_string_equal(c.eku_text, "serverAuth");
    assert_int_equal(c.n_dns_names, 1);
    assert_string_equal(c.dns_names[0], "amt-pc17.vpro.example.com");
    assert_true(diag_cert_name_matches(&c, "amt-pc17.vpro.example.com"));
    assert_true(diag_cert_name_matches(&c, "AMT-PC17.vpro.Example.com."));
    assert_false(diag_cert_name_matches(&c, "amt-pc17"));
    assert_false(diag_cert_name_matches(&c, "192.0.2.17"));
}

static void validity(void **state)
{
    (void)state;
    diag_cert_info c;
    read_sample(SAMPLE("mtls-ok/console-cert.pem"), &c);
    assert_int_equal(diag_cert_validity_at(&c, 0), -1);
    assert_int_equal(diag_cert_validity_at(&c, CONSOLE_NOT_BEFORE - 1), -1);
    /* both ends belong to the period (RFC 5280 4.1.2.5) */
    assert_int_equal(diag_cert_validity_at(&c, CONSOLE_NOT_BEFORE), 0);
    assert_int_equal(diag_cert_validity_at(&c, CONSOLE_NOT_BEFORE + 365 * DAY), 0);
    assert_int_equal(diag_cert_validity_at(&c, CONSOLE_NOT_AFTER), 0);
    assert_int_equal(diag_cert_validity_at(&c, CONSOLE_NOT_AFTER + 1), 1);
    assert_int_equal(diag_cert_validity_at(&c, INT64_MAX), 1);
    assert_int_equal(diag_cert_validity_at(&c, INT64_MIN), -1);
}

/* ---- generated certificates: fields and escaping ---- */

static void generated_fields(void **state)
{
    (void)state;
    EVP_PKEY *k = new_key();
    cert_spec s = {.o = "Example Corp",
                   .cn = "gen.example.com",
                   .serial = 0xABCDEF,
                   .not_before = 1700000000,
                   .not_after = 1800000000,
                   .eku = "serverAuth,clientAuth,2.16.840.1.113741.1.2.1,anyExtendedKeyUsage",
                   .san = "DNS:gen.example.com,IP:192.0.2.10,IP:2001:db8::1"};
    X509 *x = make_cert(&s, k);
    diag_cert_info *c = info_of(x);
    assert_string_equal(c->serial, "ABCDEF");
    assert_int_equal(c->not_before, 1700000000);
    assert_int_equal(c->not_after, 1800000000);
    assert_true(c->eku_client_auth && c->eku_amt_console && c->eku_any);
    assert_string_equal(c->eku_text,
                        "serverAuth, clientAuth, 2.16.840.1.113741.1.2.1, anyExtendedKeyUsage");
    assert_int_equal(c->n_dns_names, 1);
    assert_int_equal(c->n_ip_names, 2);
    assert_string_equal(c->ip_names[0], "192.0.2.10");
    assert_string_equal(c->ip_names[1], "2001:db8::1");
    assert_true(c->self_issued);
    g_free(c);
    X509_free(x);

    /* no extensions at all */
    s.eku = s.san = NULL;
    x = make_cert(&s, k);
    c = info_of(x);
    assert_false(c->has_eku || c->eku_client_auth || c->eku_amt_console || c->eku_any);
    assert_int_equal(c->n_dns_names + c->n_ip_names, 0);
    g_free(c);
    X509_free(x);
    EVP_PKEY_free(k);
}

static void escaping_and_limits(void **state)
{
    (void)state;
    EVP_PKEY *k = new_key();

    /* control characters in the subject never reach a report raw */
    cert_spec s = {.o = "Evil\r\nCorp", .cn = "bad\nname", .serial = 1, .not_after = 1};
    X509 *x = make_cert(&s, k);
    diag_cert_info *c = info_of(x);
    assert_string_equal(c->cn, "bad\\0Aname");
    assert_string_equal(c->subject, "CN=bad\\0Aname,O=Evil\\0D\\0ACorp");
    assert_null(strchr(c->subject, '\n'));
    g_free(c);
    X509_free(x);

    /* a dNSName with an embedded NUL: escaped, and the part before the NUL
     * does not match (the classic NUL-prefix attack) */
    x = X509_new();
    assert_true(X509_set_version(x, 2));
    assert_true(X509_set_pubkey(x, k));
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), 0));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), 1));
    GENERAL_NAMES *gens = GENERAL_NAMES_new();
    GENERAL_NAME *g = GENERAL_NAME_new();
    ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
    static const char nul_name[] = "host.example.com\0.evil.test";
    assert_true(ASN1_STRING_set(ia5, nul_name, (int)sizeof nul_name - 1));
    GENERAL_NAME_set0_value(g, GEN_DNS, ia5);
    assert_true(sk_GENERAL_NAME_push(gens, g));
    assert_true(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT));
    GENERAL_NAMES_free(gens);
    diag_blob b = sign_blob(x, k);
    diag_cert_info info;
    assert_int_equal(diag_cert_read(b.data, b.len, &info), 0);
    assert_string_equal(info.dns_names[0], "host.example.com\\00.evil.test");
    assert_false(diag_cert_name_matches(&info, "host.example.com"));
    assert_false(diag_cert_name_matches(&info, "host.example.com\\00.evil.test"));
    blob_free(&b);
    X509_free(x);

    /* more names than the table holds, and a name longer than its field */
    GString *san = g_string_new(NULL);
    for (int i = 0; i < DIAG_CERT_NAMES_MAX + 4; i++)
        g_string_append_printf(san, "%sDNS:h%d.example.com,IP:192.0.2.%d", i ? "," : "", i, i);
    g_string_append(san, ",DNS:");
    for (int i = 0; i < 300; i++)
        g_string_append_c(san, 'a');
    cert_spec many = {.cn = "many", .serial = 2, .not_after = 1, .san = san->str};
    x = make_cert(&many, k);
    c = info_of(x);
    assert_terminated(c);
    assert_int_equal(c->n_dns_names, DIAG_CERT_NAMES_MAX);
    assert_int_equal(c->n_ip_names, DIAG_CERT_NAMES_MAX);
    assert_string_equal(c->dns_names[15], "h15.example.com");
    assert_string_equal(c->ip_names[15], "192.0.2.15");
    g_free(c);
    X509_free(x);
    g_string_free(san, TRUE);

    /* the long name alone: cut to its field */
    char longsan[320] = "DNS:";
    memset(longsan + 4, 'a', 300);
    longsan[304] = '\0';
    cert_spec longone = {.cn = "long", .serial = 3, .not_after = 1, .san = longsan};
    x = make_cert(&longone, k);
    c = info_of(x);
    assert_int_equal(c->n_dns_names, 1);
    assert_int_equal(strlen(c->dns_names[0]), sizeof c->dns_names[0] - 1);
    g_free(c);
    X509_free(x);

    /* a subject longer than its field */
    x = X509_new();
    assert_true(X509_set_pubkey(x, k));
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), 0));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), 1));
    for (int i = 0; i < 20; i++)
        assert_true(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "OU", MBSTRING_UTF8,
                                               (const unsigned char *)"a long organisational unit",
                                               -1, -1, 0));
    b = sign_blob(x, k);
    assert_int_equal(diag_cert_read(b.data, b.len, &info), 0);
    assert_terminated(&info);
    assert_int_equal(strlen(info.subject), sizeof info.subject - 1);
    assert_string_equal(info.cn, "");
    blob_free(&b);
    X509_free(x);

    /* dates that do not read: not a certificate the rules can judge */
    x = X509_new();
    assert_true(X509_set_pubkey(x, k));
    assert_true(ASN1_STRING_set(X509_getm_notBefore(x), "99999999999999Z", 15));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), 1));
    b = sign_blob(x, k);
    assert_int_equal(diag_cert_read(b.data, b.len, &info), -1);
    assert_false(info.parsed);
    blob_free(&b);
    X509_free(x);

    EVP_PKEY_free(k);
}

/* ---- name matching ---- */

static void name_matching(void **state)
{
    (void)state;
    EVP_PKEY *k = new_key();
    cert_spec s = {.cn = "cn-only.example.com",
                   .serial = 1,
                   .not_after = 1,
                   .san = "DNS:host.example.com,DNS:*.wild.example.com,IP:192.0.2.10,"
                          "IP:2001:db8::1"};
    X509 *x = make_cert(&s, k);
    diag_cert_info *c = info_of(x);

    assert_true(diag_cert_name_matches(c, "host.example.com"));
    assert_true(diag_cert_name_matches(c, "HOST.Example.COM"));
    assert_true(diag_cert_name_matches(c, "host.example.com."));
    assert_false(diag_cert_name_matches(c, "host.example.com.."));
    assert_false(diag_cert_name_matches(c, "xhost.example.com"));
    assert_false(diag_cert_name_matches(c, "host.example"));
    assert_true(diag_cert_name_matches(c, "a.wild.example.com"));
    assert_true(diag_cert_name_matches(c, "A.WILD.example.com."));
    assert_false(diag_cert_name_matches(c, "wild.example.com"));
    assert_false(diag_cert_name_matches(c, "a.b.wild.example.com"));
    assert_false(diag_cert_name_matches(c, ".wild.example.com"));
    assert_false(diag_cert_name_matches(c, "*.wild.example.com"));
    /* the CN is not consulted when there are dNSNames */
    assert_false(diag_cert_name_matches(c, "cn-only.example.com"));
    /* IP literals, in binary against iPAddress */
    assert_true(diag_cert_name_matches(c, "192.0.2.10"));
    assert_false(diag_cert_name_matches(c, "192.0.2.11"));
    assert_true(diag_cert_name_matches(c, "2001:db8::1"));
    assert_true(diag_cert_name_matches(c, "2001:0DB8:0:0:0:0:0:0001"));
    assert_false(diag_cert_name_matches(c, "2001:db8::2"));
    assert_false(diag_cert_name_matches(c, "::ffff:192.0.2.10"));
    assert_false(diag_cert_name_matches(c, ""));
    assert_false(diag_cert_name_matches(c, "."));
    assert_false(diag_cert_name_matches(c, NULL));
    assert_false(diag_cert_name_matches(NULL, "host.example.com"));
    g_free(c);
    X509_free(x);

    /* "*.example.com" covers exactly one label */
    cert_spec w = {.cn = "x", .serial = 2, .not_after = 1, .san = "DNS:*.example.com"};
    x = make_cert(&w, k);
    c = info_of(x);
    assert_true(diag_cert_name_matches(c, "a.example.com"));
    assert_false(diag_cert_name_matches(c, "a.b.example.com"));
    assert_false(diag_cert_name_matches(c, "example.com"));
    assert_false(diag_cert_name_matches(c, "a.example.org"));
    assert_false(diag_cert_name_matches(c, "x"));
    g_free(c);
    X509_free(x);

    /* wildcards RFC 6125 does not let a client honour */
    cert_spec bad = {.cn = "x",
                     .serial = 3,
                     .not_after = 1,
                     .san = "DNS:f*.example.com,DNS:a.*.example.org,DNS:*.com,DNS:*"};
    x = make_cert(&bad, k);
    c = info_of(x);
    assert_false(diag_cert_name_matches(c, "foo.example.com"));
    assert_false(diag_cert_name_matches(c, "f.example.com"));
    assert_false(diag_cert_name_matches(c, "a.b.example.org"));
    assert_false(diag_cert_name_matches(c, "example.com"));
    assert_false(diag_cert_name_matches(c, "localhost"));
    g_free(c);
    X509_free(x);

    /* CN fallback: without any dNSName (an iPAddress alone does not stop it) */
    cert_spec ipsan = {
        .cn = "ipsan.example.com", .serial = 4, .not_after = 1, .san = "IP:192.0.2.5"};
    x = make_cert(&ipsan, k);
    c = info_of(x);
    assert_true(diag_cert_name_matches(c, "ipsan.example.com"));
    assert_true(diag_cert_name_matches(c, "IPSAN.example.com."));
    assert_true(diag_cert_name_matches(c, "192.0.2.5"));
    g_free(c);
    X509_free(x);

    /* an IP literal never matches CN text */
    cert_spec ipcn = {.cn = "192.0.2.10", .serial = 5, .not_after = 1};
    x = make_cert(&ipcn, k);
    c = info_of(x);
    assert_false(diag_cert_name_matches(c, "192.0.2.10"));
    g_free(c);
    X509_free(x);

    /* a wildcard CN, without SAN */
    cert_spec wcn = {.cn = "*.cn.example.com", .serial = 6, .not_after = 1};
    x = make_cert(&wcn, k);
    c = info_of(x);
    assert_true(diag_cert_name_matches(c, "a.cn.example.com"));
    assert_false(diag_cert_name_matches(c, "cn.example.com"));
    g_free(c);
    X509_free(x);

    /* the sample console certificate has a CN and no SAN */
    diag_cert_info sc;
    read_sample(SAMPLE("mtls-ok/console-cert.pem"), &sc);
    assert_true(diag_cert_name_matches(&sc, "console01.it.example.com"));
    assert_true(diag_cert_name_matches(&sc, "CONSOLE01.IT.EXAMPLE.COM."));
    assert_false(diag_cert_name_matches(&sc, "console01"));
    assert_false(diag_cert_name_matches(&sc, "console02.it.example.com"));

    /* nothing matches an info that did not parse */
    diag_cert_info none;
    assert_int_equal(diag_cert_read((const uint8_t *)"x", 1, &none), -1);
    assert_false(diag_cert_name_matches(&none, ""));
    EVP_PKEY_free(k);
}

static void suffix_match(void **state)
{
    (void)state;
    assert_true(diag_name_suffix_match("example.com", "example.com"));
    assert_true(diag_name_suffix_match("EXAMPLE.com", "example.COM"));
    assert_true(diag_name_suffix_match("a.example.com", "example.com"));
    assert_true(diag_name_suffix_match("a.b.Example.com", "example.com"));
    assert_true(diag_name_suffix_match("a.example.com.", "example.com"));
    assert_true(diag_name_suffix_match("a.example.com", "example.com."));
    assert_false(diag_name_suffix_match("evil-example.com", "example.com"));
    assert_false(diag_name_suffix_match("example.com.evil.test", "example.com"));
    assert_false(diag_name_suffix_match("com", "example.com"));
    assert_false(diag_name_suffix_match("example.com", "a.example.com"));
    /* a leading "." or "*." on the suffix is ignored */
    assert_true(diag_name_suffix_match("example.com", ".example.com"));
    assert_true(diag_name_suffix_match("a.example.com", ".example.com"));
    assert_true(diag_name_suffix_match("example.com", "*.example.com"));
    assert_true(diag_name_suffix_match("a.b.example.com", "*.example.com"));
    assert_false(diag_name_suffix_match("evil-example.com", "*.example.com"));
    /* nothing is under an empty suffix */
    assert_false(diag_name_suffix_match("example.com", ""));
    assert_false(diag_name_suffix_match("example.com", "."));
    assert_false(diag_name_suffix_match("example.com", "*."));
    assert_false(diag_name_suffix_match("", "example.com"));
    assert_false(diag_name_suffix_match(NULL, "example.com"));
    assert_false(diag_name_suffix_match("example.com", NULL));
}

/* ---- chains ---- */

typedef struct pki {
    EVP_PKEY *ca_key, *inter_key, *leaf_key, *other_key;
    X509 *ca, *inter, *leaf, *other_ca, *impostor_ca;
    diag_blob ca_der, inter_der, leaf_der, other_der, impostor_der;
} pki;

static void pki_make(pki *p, int64_t nb, int64_t na)
{
    p->ca_key = new_key();
    p->inter_key = new_key();
    p->leaf_key = new_key();
    p->other_key = new_key();
    cert_spec ca = {
        .o = "Gen", .cn = "Gen Root", .serial = 1, .not_before = nb, .not_after = na, .ca = 1};
    p->ca = make_cert(&ca, p->ca_key);
    cert_spec inter = {.o = "Gen",
                       .cn = "Gen Issuing",
                       .serial = 2,
                       .not_before = nb,
                       .not_after = na,
                       .ca = 1,
                       .issuer = p->ca,
                       .issuer_key = p->ca_key};
    p->inter = make_cert(&inter, p->inter_key);
    cert_spec leaf = {.o = "Gen",
                      .cn = "console.gen.example.com",
                      .serial = 3,
                      .not_before = nb,
                      .not_after = na,
                      .eku = "clientAuth",
                      .issuer = p->inter,
                      .issuer_key = p->inter_key};
    p->leaf = make_cert(&leaf, p->leaf_key);
    cert_spec other = {
        .o = "Other", .cn = "Other Root", .serial = 4, .not_before = nb, .not_after = na, .ca = 1};
    p->other_ca = make_cert(&other, p->other_key);
    /* the root's name on another key */
    p->impostor_ca = make_cert(&ca, p->other_key);
    p->ca_der = blob_of(p->ca);
    p->inter_der = blob_of(p->inter);
    p->leaf_der = blob_of(p->leaf);
    p->other_der = blob_of(p->other_ca);
    p->impostor_der = blob_of(p->impostor_ca);
}

static void pki_free(pki *p)
{
    X509_free(p->ca);
    X509_free(p->inter);
    X509_free(p->leaf);
    X509_free(p->other_ca);
    X509_free(p->impostor_ca);
    EVP_PKEY_free(p->ca_key);
    EVP_PKEY_free(p->inter_key);
    EVP_PKEY_free(p->leaf_key);
    EVP_PKEY_free(p->other_key);
    blob_free(&p->ca_der);
    blob_free(&p->inter_der);
    blob_free(&p->leaf_der);
    blob_free(&p->other_der);
    blob_free(&p->impostor_der);
}

static void chain_ca_names(void **state)
{
    (void)state;
    diag_blob ok_root = load_one(SAMPLE("mtls-ok/root-ca.pem"));
    diag_blob ok_console = load_one(SAMPLE("mtls-ok/console-cert.pem"));
    diag_blob untrusted_root = load_one(SAMPLE("mtls-untrusted-root/root-ca.pem"));
    diag_blob untrusted_console = load_one(SAMPLE("mtls-untrusted-root/console-cert.pem"));
    X509 *root = x509_of(&ok_root);
    diag_blob names[3];
    names[1] = name_blob(X509_get_subject_name(root));

    pki p;
    pki_make(&p, 1700000000, 1800000000);
    names[0] = name_blob(X509_get_subject_name(p.other_ca));
    names[2] = name_blob(X509_get_subject_name(p.ca));

    /* the sample root's name leads to the mtls-ok console certificate */
    assert_int_equal(diag_chain_matches_ca_names(&ok_console, 1, &names[1], 1), 0);
    assert_int_equal(diag_chain_matches_ca_names(&ok_console, 1, names, 3), 1);
    /* the root itself, by its subject */
    assert_int_equal(diag_chain_matches_ca_names(&ok_root, 1, names, 2), 1);

    /* mtls-untrusted-root: its console certificate comes from another CA */
    diag_cert_info uc, rc;
    assert_int_equal(diag_cert_read(untrusted_console.data, untrusted_console.len, &uc), 0);
    assert_int_equal(diag_cert_read(ok_root.data, ok_root.len, &rc), 0);
    assert_string_not_equal(uc.issuer, rc.subject);
    assert_int_equal(diag_chain_matches_ca_names(&untrusted_console, 1, &names[1], 1), -1);
    /* its root-ca.pem is AMT's trust list, the same as mtls-ok's; so the
     * negative case also comes from a generated CA */
    if (blob_eq(&ok_root, &untrusted_root))
        print_message("mtls-untrusted-root/root-ca.pem is mtls-ok's root\n");
    diag_blob gen_chain[2] = {p.leaf_der, p.inter_der};
    assert_int_equal(diag_chain_matches_ca_names(gen_chain, 2, &names[1], 1), -1);
    assert_int_equal(diag_chain_matches_ca_names(&ok_console, 1, &names[2], 1), -1);
    assert_int_equal(diag_chain_matches_ca_names(&ok_console, 1, names, 1), -1);
    /* a generated chain reaches its root's name through the intermediate */
    assert_int_equal(diag_chain_matches_ca_names(gen_chain, 2, names, 3), 2);
    assert_int_equal(diag_chain_matches_ca_names(gen_chain, 1, names, 3), -1);
    /* no names, no chain */
    assert_int_equal(diag_chain_matches_ca_names(&ok_console, 1, names, 0), -1);
    assert_int_equal(diag_chain_matches_ca_names(NULL, 0, names, 3), -1);

    /* garbage: -2, wherever it sits */
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    diag_blob g = {junk, sizeof junk};
    assert_int_equal(diag_chain_matches_ca_names(&g, 1, names, 3), -2);
    assert_int_equal(diag_chain_matches_ca_names(&ok_console, 1, &g, 1), -2);
    diag_blob mixed[2] = {names[1], g};
    assert_int_equal(diag_chain_matches_ca_names(&ok_console, 1, mixed, 2), -2);
    diag_blob cut = {names[1].data, names[1].len - 1};
    assert_int_equal(diag_chain_matches_ca_names(&ok_console, 1, &cut, 1), -2);
    diag_blob empty = {NULL, 0};
    assert_int_equal(diag_chain_matches_ca_names(&ok_console, 1, &empty, 1), -2);
    assert_int_equal(diag_chain_matches_ca_names(&empty, 1, names, 1), -2);
    assert_int_equal(diag_chain_matches_ca_names(&ok_console, 1, NULL, 1), -2);

    for (int i = 0; i < 3; i++)
        blob_free(&names[i]);
    X509_free(root);
    pki_free(&p);
    blob_free(&ok_root);
    blob_free(&ok_console);
    blob_free(&untrusted_root);
    blob_free(&untrusted_console);
}

static void chain_verify(void **state)
{
    (void)state;
    char why[256];
    diag_blob ok_root = load_one(SAMPLE("mtls-ok/root-ca.pem"));
    diag_blob ok_console = load_one(SAMPLE("mtls-ok/console-cert.pem"));
    diag_blob ok_amt = load_one(SAMPLE("mtls-ok/amt-cert.pem"));
    diag_blob untrusted_console = load_one(SAMPLE("mtls-untrusted-root/console-cert.pem"));

    assert_int_equal(diag_chain_verify(&ok_console, 1, &ok_root, 1, why, sizeof why), 1);
    assert_string_equal(why, "");
    assert_int_equal(diag_chain_verify(&ok_amt, 1, &ok_root, 1, why, sizeof why), 1);
    assert_int_equal(diag_chain_verify(&untrusted_console, 1, &ok_root, 1, why, sizeof why), 0);
    assert_non_null(strstr(why, "unable to get local issuer certificate"));
    /* asked again (a remembered verdict): the same answer, the same words */
    char again[256];
    assert_int_equal(diag_chain_verify(&untrusted_console, 1, &ok_root, 1, again, sizeof again), 0);
    assert_string_equal(again, why);
    assert_int_equal(diag_chain_verify(&ok_console, 1, &ok_root, 1, again, sizeof again), 1);
    assert_string_equal(again, "");

    pki p;
    pki_make(&p, 1700000000, 1800000000);
    diag_blob chain[2] = {p.leaf_der, p.inter_der};
    assert_int_equal(diag_chain_verify(chain, 2, &p.ca_der, 1, why, sizeof why), 1);
    diag_blob roots[2] = {ok_root, p.ca_der};
    assert_int_equal(diag_chain_verify(chain, 2, roots, 2, why, sizeof why), 1);
    diag_blob twice[2] = {p.ca_der, p.ca_der};
    assert_int_equal(diag_chain_verify(chain, 2, twice, 2, why, sizeof why), 1);
    /* an unrelated root */
    assert_int_equal(diag_chain_verify(chain, 2, &p.other_der, 1, why, sizeof why), 0);
    assert_true(strlen(why) > 0);
    assert_int_equal(diag_chain_verify(&ok_console, 1, &p.ca_der, 1, why, sizeof why), 0);
    assert_true(strlen(why) > 0);
    /* the right name on the wrong key */
    assert_int_equal(diag_chain_verify(chain, 2, &p.impostor_der, 1, why, sizeof why), 0);
    assert_non_null(strstr(why, "signature"));
    /* the intermediate missing, or trusted in the root's place (no partial
     * chains), or no roots at all */
    assert_int_equal(diag_chain_verify(chain, 1, &p.ca_der, 1, why, sizeof why), 0);
    assert_int_equal(diag_chain_verify(chain, 2, &p.inter_der, 1, why, sizeof why), 0);
    assert_int_equal(diag_chain_verify(chain, 2, NULL, 0, why, sizeof why), 0);
    assert_true(strlen(why) > 0);
    /* a short why buffer is cut, and none at all is fine */
    char small[8];
    assert_int_equal(diag_chain_verify(chain, 2, &p.other_der, 1, small, sizeof small), 0);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(diag_chain_verify(chain, 2, &p.other_der, 1, NULL, 0), 0);

    /* garbage */
    static const uint8_t junk[] = {0x30, 0x82, 0xff, 0xff, 0x00};
    diag_blob g = {junk, sizeof junk};
    assert_int_equal(diag_chain_verify(&g, 1, &p.ca_der, 1, why, sizeof why), -1);
    assert_true(strlen(why) > 0);
    diag_blob bad_chain[2] = {p.leaf_der, g};
    assert_int_equal(diag_chain_verify(bad_chain, 2, &p.ca_der, 1, why, sizeof why), -1);
    assert_int_equal(diag_chain_verify(NULL, 0, &p.ca_der, 1, why, sizeof why), -1);
    pki_free(&p);

    /* a chain that expired long ago still verifies: dates are not checked */
    pki old;
    pki_make(&old, 946684800 /* 2000-01-01 */, 978307200 /* 2001-01-01 */);
    diag_blob old_chain[2] = {old.leaf_der, old.inter_der};
    assert_int_equal(diag_chain_verify(old_chain, 2, &old.ca_der, 1, why, sizeof why), 1);
    diag_cert_info oc;
    assert_int_equal(diag_cert_read(old.leaf_der.data, old.leaf_der.len, &oc), 0);
    assert_int_equal(diag_cert_validity_at(&oc, 1700000000), 1);
    pki_free(&old);

    blob_free(&ok_root);
    blob_free(&ok_console);
    blob_free(&ok_amt);
    blob_free(&untrusted_console);
}

/* ---- loading ---- */

static char *write_tmp(const char *dir, const char *name, const void *data, size_t len)
{
    char *path = g_build_filename(dir, name, NULL);
    assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
    return path;
}

static void load_files(void **state)
{
    (void)state;
    char err[512];
    diag_blob *out = NULL;
    char *dir = g_dir_make_tmp("test_diag_cert-XXXXXX", NULL);
    assert_non_null(dir);

    pki p;
    pki_make(&p, 1700000000, 1800000000);
    char *pem_ca = pem_of(p.ca), *pem_inter = pem_of(p.inter), *pem_leaf = pem_of(p.leaf);
    char *pem_key = key_pem_of(p.leaf_key);

    /* several certificates, with a key and text between them */
    char *multi =
        g_strconcat("root:\n", pem_ca, "some text\n", pem_key, pem_inter, "\r\n", pem_leaf, NULL);
    char *path = write_tmp(dir, "multi.pem", multi, strlen(multi));
    assert_int_equal(diag_load_pem_certs(path, &out, err, sizeof err), 3);
    assert_string_equal(err, "");
    assert_true(blob_eq(&out[0], &p.ca_der));
    assert_true(blob_eq(&out[1], &p.inter_der));
    assert_true(blob_eq(&out[2], &p.leaf_der));
    diag_blobs_free(out, 3);
    g_remove(path);
    g_free(path);

    /* one DER certificate */
    path = write_tmp(dir, "leaf.der", p.leaf_der.data, p.leaf_der.len);
    assert_int_equal(diag_load_pem_certs(path, &out, err, sizeof err), 1);
    assert_true(blob_eq(&out[0], &p.leaf_der));
    diag_blobs_free(out, 1);
    g_remove(path);
    g_free(path);

    /* missing */
    path = g_build_filename(dir, "missing.pem", NULL);
    out = (diag_blob *)1;
    assert_int_equal(diag_load_pem_certs(path, &out, err, sizeof err), -1);
    assert_null(out);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(diag_load_pem_certs(path, &out, NULL, 0), -1);
    g_free(path);

    /* a key and no certificate: named, and no key material in the message */
    path = write_tmp(dir, "key.pem", pem_key, strlen(pem_key));
    assert_int_equal(diag_load_pem_certs(path, &out, err, sizeof err), -1);
    assert_null(out);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "no certificate found"));
    char *b64 = g_strndup(strchr(pem_key, '\n') + 1, 16);
    assert_null(strstr(err, b64));
    g_free(b64);
    g_remove(path);
    g_free(path);

    /* text only */
    static const char text[] = "not a certificate\n";
    path = write_tmp(dir, "text.pem", text, sizeof text - 1);
    assert_int_equal(diag_load_pem_certs(path, &out, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "no certificate found (expected PEM 'BEGIN CERTIFICATE' or DER)"));
    g_remove(path);
    g_free(path);

    /* empty */
    path = write_tmp(dir, "empty.pem", "", 0);
    assert_int_equal(diag_load_pem_certs(path, &out, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "empty"));
    g_remove(path);
    g_free(path);

    /* a damaged second certificate fails the whole file */
    char *damaged = g_strconcat(pem_ca,
                                "-----BEGIN CERTIFICATE-----\nMIIB!!!!\n"
                                "-----END CERTIFICATE-----\n",
                                NULL);
    path = write_tmp(dir, "damaged.pem", damaged, strlen(damaged));
    assert_int_equal(diag_load_pem_certs(path, &out, err, sizeof err), -1);
    assert_null(out);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "certificate 2"));
    g_remove(path);
    g_free(path);
    g_free(damaged);

    /* valid base64 of something that is not a certificate */
    damaged =
        g_strconcat("-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END CERTIFICATE-----\n", NULL);
    path = write_tmp(dir, "notcert.pem", damaged, strlen(damaged));
    assert_int_equal(diag_load_pem_certs(path, &out, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
    g_remove(path);
    g_free(path);
    g_free(damaged);

    /* truncated DER */
    path = write_tmp(dir, "cut.der", p.leaf_der.data, p.leaf_der.len - 1);
    assert_int_equal(diag_load_pem_certs(path, &out, err, sizeof err), -1);
    assert_non_null(strstr(err, "no certificate found"));
    g_remove(path);
    g_free(path);

    /* a directory */
    assert_int_equal(diag_load_pem_certs(dir, &out, err, sizeof err), -1);
    assert_non_null(strstr(err, dir));
    assert_int_equal(diag_load_pem_certs(NULL, &out, err, sizeof err), -1);

    /* the samples' roots */
    assert_int_equal(diag_load_pem_certs(SAMPLE("mtls-ok/root-ca.pem"), &out, err, sizeof err), 1);
    diag_blobs_free(out, 1);
    diag_blobs_free(NULL, 0);

    assert_int_equal(g_rmdir(dir), 0);
    g_free(dir);
    g_free(multi);
    g_free(pem_ca);
    g_free(pem_inter);
    g_free(pem_leaf);
    g_free(pem_key);
    pki_free(&p);
}

/* ---- hostile DER ---- */

/* Certificates read before are kept by their DER: reading one again, after
 * many others pushed it out or beside one that differs in a single byte
 * (same length, same signature), gives what the first read gave. */
static void reads_kept(void **state)
{
    (void)state;
    diag_blob a = load_one(SAMPLE("mtls-ok/console-cert.pem"));
    diag_cert_info first, again;
    assert_int_equal(diag_cert_read(a.data, a.len, &first), 0);
    assert_true(first.parsed);
    assert_string_not_equal(first.cn, "");

    /* the same length and the same last bytes, one letter of the CN changed */
    uint8_t *b = g_memdup2(a.data, a.len);
    size_t cn_len = strlen(first.cn), k = 0;
    while (k + cn_len <= a.len && memcmp(b + k, first.cn, cn_len) != 0)
        k++;
    assert_true(k + cn_len <= a.len);
    uint8_t *at = b + k;
    at[0] ^= 0x20; /* its case */
    diag_cert_info other;
    assert_int_equal(diag_cert_read(b, a.len, &other), 0);
    assert_int_not_equal(strcmp(other.cn, first.cn), 0);
    assert_int_equal(g_ascii_strcasecmp(other.cn, first.cn), 0);
    assert_int_equal(diag_cert_read(a.data, a.len, &again), 0);
    assert_memory_equal(&again, &first, sizeof first);
    assert_int_equal(diag_cert_read(b, a.len, &again), 0);
    assert_memory_equal(&again, &other, sizeof other);

    /* 100 distinct certificates in between */
    EVP_PKEY *key = new_key();
    for (long i = 0; i < 100; i++) {
        char cn[32];
        snprintf(cn, sizeof cn, "host-%ld", i);
        cert_spec spec = {.o = "Example",
                          .cn = cn,
                          .serial = 1000 + i,
                          .not_before = CONSOLE_NOT_BEFORE,
                          .not_after = CONSOLE_NOT_AFTER};
        X509 *x = make_cert(&spec, key);
        diag_blob d = blob_of(x);
        diag_cert_info c;
        assert_int_equal(diag_cert_read(d.data, d.len, &c), 0);
        assert_string_equal(c.cn, cn);
        /* and at once again: kept */
        assert_int_equal(diag_cert_read(d.data, d.len, &c), 0);
        assert_string_equal(c.cn, cn);
        blob_free(&d);
        X509_free(x);
    }
    EVP_PKEY_free(key);
    assert_int_equal(diag_cert_read(a.data, a.len, &again), 0);
    assert_memory_equal(&again, &first, sizeof first);

    /* what does not decode is kept as such */
    b[0] = 0x05;
    assert_int_equal(diag_cert_read(b, a.len, &again), -1);
    assert_false(again.parsed);
    assert_int_equal(diag_cert_read(b, a.len, &again), -1);
    assert_false(again.parsed);
    g_free(b);
    blob_free(&a);
}

static void truncated_and_random(void **state)
{
    (void)state;
    diag_blob cert = load_one(SAMPLE("mtls-ok/console-cert.pem"));
    diag_blob root = load_one(SAMPLE("mtls-ok/root-ca.pem"));
    diag_cert_info c;
    char why[128], buf[128];

    /* every prefix, each in an allocation of exactly its length so the
     * sanitizer sees any read past it */
    for (size_t n = 0; n <= cert.len; n++) {
        uint8_t *p = g_malloc(n ? n : 1);
        memcpy(p, cert.data, n);
        int rc = diag_cert_read(p, n, &c);
        assert_true(rc == 0 || rc == -1);
        assert_int_equal(c.parsed, rc == 0);
        if (n < cert.len)
            assert_int_equal(rc, -1);
        else
            assert_int_equal(rc, 0);
        diag_blob b = {p, n};
        int v = diag_chain_verify(&b, 1, &root, 1, why, sizeof why);
        assert_int_equal(v, n == cert.len ? 1 : -1);
        assert_int_equal(diag_chain_matches_ca_names(&b, 1, &b, 1), -2);
        diag_dn_text(&b, buf, sizeof buf);
        g_free(p);
    }
    /* one byte too many is not one certificate */
    uint8_t *longer = g_malloc(cert.len + 1);
    memcpy(longer, cert.data, cert.len);
    longer[cert.len] = 0;
    assert_int_equal(diag_cert_read(longer, cert.len + 1, &c), -1);
    g_free(longer);
    assert_int_equal(diag_cert_read(NULL, 10, &c), -1);
    assert_int_equal(diag_cert_read(cert.data, cert.len, NULL), -1);

    /* every byte flipped: decodes or not, never more */
    uint8_t *flip = g_memdup2(cert.data, cert.len);
    for (size_t i = 0; i < cert.len; i++) {
        flip[i] ^= 0xff;
        int rc = diag_cert_read(flip, cert.len, &c);
        assert_true(rc == 0 || rc == -1);
        if (rc == 0)
            assert_terminated(&c);
        diag_blob b = {flip, cert.len};
        int v = diag_chain_verify(&b, 1, &root, 1, why, sizeof why);
        assert_true(v >= -1 && v <= 1);
        flip[i] ^= 0xff;
    }
    g_free(flip);

    /* random bytes, some behind a plausible SEQUENCE header */
    uint32_t seed = 0x2545F491u;
    for (int i = 0; i < 3000; i++) {
        size_t n = rng_next(&seed) % 700;
        uint8_t *p = g_malloc(n + 1);
        for (size_t j = 0; j < n; j++)
            p[j] = (uint8_t)rng_next(&seed);
        if (n >= 4 && (i & 1)) {
            p[0] = 0x30;
            p[1] = 0x82;
            p[2] = (uint8_t)((n - 4) >> 8);
            p[3] = (uint8_t)(n - 4);
        }
        int rc = diag_cert_read(p, n, &c);
        assert_true(rc == 0 || rc == -1);
        diag_blob b = {p, n};
        assert_true(diag_chain_matches_ca_names(&b, 1, &b, 1) >= -2);
        assert_non_null(diag_dn_text(&b, buf, sizeof buf));
        g_free(p);
    }
    blob_free(&cert);
    blob_free(&root);
}

/* ---- text ---- */

static void dn_text(void **state)
{
    (void)state;
    char buf[256], small[8];
    diag_blob root = load_one(SAMPLE("mtls-ok/root-ca.pem"));
    X509 *x = x509_of(&root);
    diag_blob name = name_blob(X509_get_subject_name(x));

    assert_ptr_equal(diag_dn_text(&name, buf, sizeof buf), buf);
    assert_string_equal(buf, "CN=Example Corp AMT Root CA,O=Example Corp");
    assert_ptr_equal(diag_dn_text(&name, small, sizeof small), small);
    assert_string_equal(small, "CN=Exam");

    static const uint8_t junk[] = {0x31, 0x02, 0x05, 0x00};
    diag_blob g = {junk, sizeof junk};
    assert_string_equal(diag_dn_text(&g, buf, sizeof buf), "(undecodable name)");
    assert_string_equal(buf, "(undecodable name)");
    assert_string_equal(diag_dn_text(NULL, buf, sizeof buf), "(undecodable name)");
    assert_string_equal(diag_dn_text(&name, NULL, 0), "(undecodable name)");
    diag_blob cut = {name.data, name.len - 1};
    assert_string_equal(diag_dn_text(&cut, buf, sizeof buf), "(undecodable name)");

    /* control characters are escaped */
    X509_NAME *n = X509_NAME_new();
    assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
                                           (const unsigned char *)"Root\x1b[31m", -1, -1, 0));
    diag_blob esc = name_blob(n);
    assert_string_equal(diag_dn_text(&esc, buf, sizeof buf), "CN=Root\\1B[31m");
    X509_NAME_free(n);

    blob_free(&esc);
    blob_free(&name);
    blob_free(&root);
    X509_free(x);
}

static void time_text(void **state)
{
    (void)state;
    char buf[64], small[11];
    assert_ptr_equal(diag_time_text(CONSOLE_NOT_AFTER, buf, sizeof buf), buf);
    assert_string_equal(buf, "2027-06-01 00:00:00 UTC");
    assert_string_equal(diag_time_text(0, buf, sizeof buf), "1970-01-01 00:00:00 UTC");
    assert_string_equal(diag_time_text(-1, buf, sizeof buf), "1969-12-31 23:59:59 UTC");
    assert_string_equal(diag_time_text(1700000000, buf, sizeof buf), "2023-11-14 22:13:20 UTC");
    assert_string_equal(diag_time_text(CONSOLE_NOT_AFTER, small, sizeof small), "2027-06-01");
    diag_time_text(INT64_MAX, buf, sizeof buf);
    assert_true(strlen(buf) < sizeof buf);
    diag_time_text(INT64_MIN, buf, sizeof buf);
    assert_true(strlen(buf) < sizeof buf);
    assert_non_null(diag_time_text(0, NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_console_ekus),
        cmocka_unit_test(sample_root_and_amt),
        cmocka_unit_test(validity),
        cmocka_unit_test(generated_fields),
        cmocka_unit_test(escaping_and_limits),
        cmocka_unit_test(name_matching),
        cmocka_unit_test(suffix_match),
        cmocka_unit_test(chain_ca_names),
        cmocka_unit_test(chain_verify),
        cmocka_unit_test(load_files),
        cmocka_unit_test(truncated_and_random),
        cmocka_unit_test(reads_kept),
        cmocka_unit_test(dn_text),
        cmocka_unit_test(time_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
