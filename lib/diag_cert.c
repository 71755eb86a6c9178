/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Certificate checks for AMT's mutual-authentication rules, on OpenSSL's X.509 API.
 * References: RFC 5280 (certificate, extendedKeyUsage, subjectAltName),
 * RFC 6125 6.4 (host name matching, wildcards, CN fallback), RFC 2253
 * (one-line names). Every input comes from a capture a customer sent, so
 * each decoder is told the exact length and every failure is a value. */
#include "amtdiag/diag_cert.h"
#include "diag_int.h"

#include <pthread.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <glib.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* A trusted-root file larger than this is not a certificate bundle; the cap
 * keeps a wrong path (a capture, /dev/zero) from filling memory. */
#define PEM_FILE_MAX (16u * 1024u * 1024u)

#define UNDECODABLE_NAME "(undecodable name)"

/* ---- small string helpers ---- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int span_ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}

/* Copies src into dst (size cap), cut to fit; always NUL-terminates. */
static void copy_cut(char *dst, size_t cap, const char *src, size_t n)
{
    if (cap == 0)
        return;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Copies n raw bytes into dst as text for reports and matching: bytes that
 * are not printable ASCII, and the backslash that introduces an escape,
 * become \XX (RFC 2253 style, as X509_NAME_print_ex writes them). A
 * dNSName with an embedded NUL thus can never equal a plain host name. An
 * escape is never split when the field is full. */
static void copy_escaped(char *dst, size_t cap, const unsigned char *src, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    if (cap == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = src[i];
        if (b >= 0x20 && b < 0x7f && b != '\\') {
            if (o + 1 >= cap)
                break;
            dst[o++] = (char)b;
        } else {
            if (o + 3 >= cap)
                break;
            dst[o++] = '\\';
            dst[o++] = hex[b >> 4];
            dst[o++] = hex[b & 15];
        }
    }
    dst[o] = '\0';
}

/* Appends text to the NUL-terminated dst, cut to fit. */
static void append_cut(char *dst, size_t cap, const char *text)
{
    size_t used = strnlen(dst, cap);
    if (used < cap)
        copy_cut(dst + used, cap - used, text, strlen(text));
}

/* ---- decoding with exact lengths ---- */

/* Decoded certificates by their DER bytes. The rules run many times over
 * the same certificates (the Wireshark plugin judges a connection on each
 * frame that shows a decision, and a fleet's consoles present one
 * certificate), and OpenSSL 3 decodes each certificate's public key
 * through its provider decoders, which on a capture of thousands of TLS
 * sessions cost more than all the rules together. Bounded: emptied when
 * full; only certificates that decoded are kept. */
#define CERT_CACHE_MAX 512
static GHashTable *cert_cache; /* GBytes → X509 *, one reference each */
static pthread_mutex_t cert_cache_lock =
    PTHREAD_MUTEX_INITIALIZER; /* POSIX: ThreadSanitizer sees it */

/* d2i_X509 over exactly len bytes: trailing bytes mean the blob is not one
 * certificate, and the cast to long must not wrap. The caller owns one
 * reference (X509_free), the cache may hold another. */
static X509 *cert_decode(const uint8_t *der, size_t len)
{
    if (der == NULL || len == 0 || len > LONG_MAX)
        return NULL;
    GBytes *key = g_bytes_new(der, len);
    pthread_mutex_lock(&cert_cache_lock);
    X509 *x = cert_cache ? g_hash_table_lookup(cert_cache, key) : NULL;
    if (x != NULL)
        X509_up_ref(x);
    pthread_mutex_unlock(&cert_cache_lock);
    if (x != NULL) {
        g_bytes_unref(key);
        return x;
    }
    const unsigned char *p = der;
    x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL || p != der + len) {
        X509_free(x);
        g_bytes_unref(key);
        return NULL;
    }
    pthread_mutex_lock(&cert_cache_lock);
    if (cert_cache == NULL)
        cert_cache = g_hash_table_new_full(
            g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, (GDestroyNotify)X509_free);
    if (g_hash_table_size(cert_cache) >= CERT_CACHE_MAX)
        g_hash_table_remove_all(cert_cache);
    X509_up_ref(x);
    g_hash_table_replace(cert_cache, key, x);
    pthread_mutex_unlock(&cert_cache_lock);
    return x;
}

static X509_NAME *name_decode(const uint8_t *der, size_t len)
{
    if (der == NULL || len == 0 || len > LONG_MAX)
        return NULL;
    const unsigned char *p = der;
    X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)len);
    if (n != NULL && p != der + len) {
        X509_NAME_free(n);
        return NULL;
    }
    return n;
}

/* One-line RFC 2253 text of a name. ESC_CTRL and ESC_MSB in the flags keep
 * control characters and raw high bytes out of reports. Returns 0 when
 * printing failed (out is then ""). */
static int name_text(const X509_NAME *name, char *out, size_t cap)
{
    if (cap > 0)
        out[0] = '\0';
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return 0;
    int ok = X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0;
    if (ok) {
        char *data = NULL;
        long n = BIO_get_mem_data(bio, &data);
        if (n > 0 && data != NULL)
            copy_cut(out, cap, data, (size_t)n);
    }
    BIO_free(bio);
    return ok;
}

/* ASN1_TIME_to_tm validates the string (a NULL time would mean "now",
 * hence the check); the difference from the epoch's struct tm avoids
 * timegm, which is not standard C. */
static int time_to_unix(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm, epoch;
    int day = 0, sec = 0;

    if (t == NULL)
        return 0;
    memset(&tm, 0, sizeof tm);
    memset(&epoch, 0, sizeof epoch);
    epoch.tm_year = 70;
    epoch.tm_mday = 1;
    if (!ASN1_TIME_to_tm(t, &tm) || !OPENSSL_gmtime_diff(&day, &sec, &epoch, &tm))
        return 0;
    *out = (int64_t)day * 86400 + sec;
    return 1;
}

/* ---- diag_cert_read ---- */

static void read_serial(X509 *x, diag_cert_info *out)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
    if (hex != NULL)
        copy_cut(out->serial, sizeof out->serial, hex, strlen(hex));
    OPENSSL_free(hex);
    BN_free(bn);
}

/* The subject's last CN: with several, the most specific one is last in
 * DER order, and that is the one TLS clients fall back to. */
static void read_cn(X509 *x, diag_cert_info *out)
{
    const X509_NAME *subj = X509_get_subject_name(x);
    int idx = -1, last = -1;

    while ((idx = X509_NAME_get_index_by_NID(subj, NID_commonName, idx)) >= 0)
        last = idx;
    if (last < 0)
        return;
    const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, last));
    if (s == NULL)
        return;
    /* BMPString and UniversalString CNs exist; UTF-8 first, raw bytes when
     * the conversion fails, escaped either way. */
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, s);
    if (n >= 0 && utf8 != NULL)
        copy_escaped(out->cn, sizeof out->cn, utf8, (size_t)n);
    else
        copy_escaped(out->cn, sizeof out->cn, ASN1_STRING_get0_data(s),
                     (size_t)ASN1_STRING_length(s));
    OPENSSL_free(utf8);
}

static void read_eku(X509 *x, diag_cert_info *out)
{
    int crit = -1;

    out->has_eku = X509_get_ext_by_NID(x, NID_ext_key_usage, -1) >= 0;
    if (!out->has_eku)
        return;
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
    if (eku == NULL) {
        /* present but undecodable, or repeated (crit -2): no purpose is
         * granted, and the report should say why */
        append_cut(out->eku_text, sizeof out->eku_text, "(undecodable)");
        return;
    }
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
        const ASN1_OBJECT *obj = sk_ASN1_OBJECT_value(eku, i);
        char oid[128];
        int n = OBJ_obj2txt(oid, sizeof oid, obj, 1);
        /* a numeric OID longer than the buffer matches nothing we know */
        int whole = n > 0 && (size_t)n < sizeof oid;
        int nid = OBJ_obj2nid(obj);

        if (whole && strcmp(oid, DIAG_OID_CLIENT_AUTH) == 0)
            out->eku_client_auth = 1;
        if (whole && strcmp(oid, DIAG_OID_AMT_CONSOLE) == 0)
            out->eku_amt_console = 1;
        if (nid == NID_anyExtendedKeyUsage)
            out->eku_any = 1;

        if (i > 0)
            append_cut(out->eku_text, sizeof out->eku_text, ", ");
        const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
        append_cut(out->eku_text, sizeof out->eku_text,
                   sn != NULL ? sn : (n > 0 ? oid : "(invalid OID)"));
    }
    EXTENDED_KEY_USAGE_free(eku);
}

static void read_san(X509 *x, diag_cert_info *out)
{
    int crit = -1;
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);

    if (gens == NULL)
        return;
    for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        if (g->type == GEN_DNS && out->n_dns_names < DIAG_CERT_NAMES_MAX) {
            const ASN1_IA5STRING *s = g->d.dNSName;
            copy_escaped(out->dns_names[out->n_dns_names], sizeof out->dns_names[0],
                         ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
            out->n_dns_names++;
        } else if (g->type == GEN_IPADD && out->n_ip_names < DIAG_CERT_NAMES_MAX) {
            const ASN1_OCTET_STRING *s = g->d.iPAddress;
            int n = ASN1_STRING_length(s);
            int af = n == 4 ? AF_INET : n == 16 ? AF_INET6 : -1;
            /* other lengths are not addresses (name constraints use 8/32
             * bytes): nothing a client could match, so not listed */
            if (af < 0)
                continue;
            char *dst = out->ip_names[out->n_ip_names];
            if (inet_ntop(af, ASN1_STRING_get0_data(s), dst, sizeof out->ip_names[0]) != NULL)
                out->n_ip_names++;
            else
                dst[0] = '\0';
        }
    }
    GENERAL_NAMES_free(gens);
}

int diag_cert_parse(const uint8_t *der, size_t len, diag_cert_info *out)
{
    if (out == NULL)
        return -1;
    memset(out, 0, sizeof *out);

    ERR_set_mark();
    X509 *x = cert_decode(der, len);
    int64_t nb = 0, na = 0;
    /* a certificate without readable dates cannot be judged by the rules,
     * so it does not count as decoded */
    if (x == NULL || !time_to_unix(X509_get0_notBefore(x), &nb) ||
        !time_to_unix(X509_get0_notAfter(x), &na)) {
        X509_free(x);
        ERR_pop_to_mark();
        return -1;
    }

    out->parsed = 1;
    out->not_before = nb;
    out->not_after = na;
    name_text(X509_get_subject_name(x), out->subject, sizeof out->subject);
    name_text(X509_get_issuer_name(x), out->issuer, sizeof out->issuer);
    read_cn(x, out);
    read_serial(x, out);
    read_eku(x, out);
    read_san(x, out);
    out->self_issued = X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;

    X509_free(x);
    /* errors from optional parts (a bad extension) are ours to drop, not
     * to leave in the thread's queue for the caller's next TLS call */
    ERR_pop_to_mark();
    return 0;
}

int diag_cert_validity_at(const diag_cert_info *c, int64_t t)
{
    if (c == NULL)
        return -1;
    if (t < c->not_before)
        return -1;
    if (t > c->not_after)
        return 1;
    return 0;
}

/* ---- name matching (RFC 6125 6.4) ---- */

/* Length without one trailing dot: "host." and "host" are the same name.
 * Bounded by cap, for infos a caller filled in by hand. */
static size_t name_len(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n > 0 && s[n - 1] == '.')
        n--;
    return n;
}

/* Whether the reference host name h (n bytes, no trailing dot) is one the
 * presented identifier p names. */
static int host_matches(const char *p, size_t cap, const char *h, size_t hn)
{
    size_t pn = name_len(p, cap);

    if (pn == 0)
        return 0;
    if (pn >= 2 && p[0] == '*' && p[1] == '.') {
        const char *rest = p + 2;
        size_t rn = pn - 2;
        /* "*.com" would cover a whole top-level domain; like OpenSSL,
         * accept a wildcard only above at least two labels */
        if (rn == 0 || memchr(rest, '.', rn) == NULL || memchr(rest, '*', rn) != NULL)
            return 0;
        const char *dot = memchr(h, '.', hn);
        /* the wildcard stands for exactly one non-empty label */
        if (dot == NULL || dot == h)
            return 0;
        size_t tail = hn - (size_t)(dot + 1 - h);
        return tail == rn && span_ieq(dot + 1, rest, rn);
    }
    /* a '*' anywhere else ("f*.example.com", "a.*.example.com") is not a
     * wildcard RFC 6125 lets a client honour, and matches nothing */
    if (memchr(p, '*', pn) != NULL)
        return 0;
    return pn == hn && span_ieq(p, h, hn);
}

/* An IP literal as bytes: 4 for IPv4, 16 for IPv6, 0 when not one. */
static int ip_parse(const char *s, unsigned char addr[16])
{
    if (inet_pton(AF_INET, s, addr) == 1)
        return 4;
    if (inet_pton(AF_INET6, s, addr) == 1)
        return 16;
    return 0;
}

int diag_cert_name_matches(const diag_cert_info *c, const char *name)
{
    unsigned char want[16], have[16];

    if (c == NULL || name == NULL || !c->parsed)
        return 0;
    int alen = ip_parse(name, want);
    if (alen > 0) {
        /* IP literals only ever match iPAddress entries, never dNSName or
         * CN text, and compare as addresses ("::1" is "0:0::1") */
        for (size_t i = 0; i < c->n_ip_names && i < DIAG_CERT_NAMES_MAX; i++) {
            char ip[sizeof c->ip_names[0] + 1];
            copy_cut(ip, sizeof ip, c->ip_names[i], strnlen(c->ip_names[i], sizeof c->ip_names[i]));
            if (ip_parse(ip, have) == alen && memcmp(want, have, (size_t)alen) == 0)
                return 1;
        }
        return 0;
    }

    size_t hn = name_len(name, SIZE_MAX);
    /* a reference name is a host name: no wildcard, no empty label, and no
     * backslash that could line up with an escape in the stored names */
    if (hn == 0 || name[0] == '.' || memchr(name, '*', hn) != NULL ||
        memchr(name, '\\', hn) != NULL)
        return 0;
    for (size_t i = 0; i + 1 < hn; i++)
        if (name[i] == '.' && name[i + 1] == '.')
            return 0;

    if (c->n_dns_names > 0) {
        for (size_t i = 0; i < c->n_dns_names && i < DIAG_CERT_NAMES_MAX; i++)
            if (host_matches(c->dns_names[i], sizeof c->dns_names[i], name, hn))
                return 1;
        return 0;
    }
    /* RFC 6125 6.4.4: the CN only when there is no DNS-ID at all */
    return c->cn[0] != '\0' && host_matches(c->cn, sizeof c->cn, name, hn);
}

int diag_name_suffix_match(const char *name, const char *suffix)
{
    if (name == NULL || suffix == NULL)
        return 0;
    if (suffix[0] == '*' && suffix[1] == '.')
        suffix += 2;
    else if (suffix[0] == '.')
        suffix++;
    size_t nn = name_len(name, SIZE_MAX), sn = name_len(suffix, SIZE_MAX);
    /* an empty suffix would trust every name */
    if (nn == 0 || sn == 0)
        return 0;
    if (nn == sn)
        return span_ieq(name, suffix, sn);
    /* a label boundary, so "evil-example.com" is not under "example.com" */
    return nn > sn && name[nn - sn - 1] == '.' && span_ieq(name + nn - sn, suffix, sn);
}

/* Whether s can be a DNS suffix: labels of letters, digits and inner
 * hyphens, 1 to 63 bytes each, 253 in all; a leading "." or "*." and a
 * trailing "." allowed. */
static int dns_suffix_valid(const char *s, size_t n)
{
    if (n >= 2 && s[0] == '*' && s[1] == '.')
        s += 2, n -= 2;
    else if (n && s[0] == '.')
        s++, n--;
    if (n && s[n - 1] == '.')
        n--;
    if (n == 0 || n > 253)
        return 0;
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
                return 0;
            label = 0;
            continue;
        }
        if (!g_ascii_isalnum(s[i]) && s[i] != '-')
            return 0;
        label++;
    }
    return 1;
}

int diag_parse_fqdn_list(const char *text, GPtrArray *out, char *bad, size_t bad_len)
{
    const char *p = text ? text : "";
    int any = 0;
    while (*p) {
        size_t skip = strspn(p, ", \t\r\n");
        p += skip;
        size_t n = strcspn(p, ", \t\r\n");
        if (!n)
            break;
        if (!dns_suffix_valid(p, n)) {
            g_snprintf(bad, bad_len, "%.*s", (int)MIN(n, 200), p);
            return -1;
        }
        g_ptr_array_add(out, g_strndup(p, n));
        any = 1;
        p += n;
    }
    if (!any) {
        g_strlcpy(bad, "", bad_len);
        return -1;
    }
    return 0;
}

/* ---- chains ---- */

static void free_certs(X509 **certs, size_t n)
{
    if (certs == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        X509_free(certs[i]);
    g_free(certs);
}

/* Decodes n blobs; NULL when any does not decode (*bad is its index). */
static X509 **decode_certs(const diag_blob *blobs, size_t n, size_t *bad)
{
    if (n > 0 && blobs == NULL) {
        *bad = 0;
        return NULL;
    }
    X509 **certs = g_new0(X509 *, n + 1);
    for (size_t i = 0; i < n; i++) {
        certs[i] = cert_decode(blobs[i].data, blobs[i].len);
        if (certs[i] == NULL) {
            *bad = i;
            free_certs(certs, i);
            return NULL;
        }
    }
    return certs;
}

int diag_chain_matches_ca_names(const diag_blob *chain, size_t n_chain, const diag_blob *names,
                                size_t n_names)
{
    size_t bad = 0;
    int result = -1;

    if (n_names > 0 && names == NULL)
        return -2;
    ERR_set_mark();
    X509 **certs = decode_certs(chain, n_chain, &bad);
    X509_NAME **dn = g_new0(X509_NAME *, n_names + 1);
    if (certs == NULL)
        result = -2;
    /* every name decodes first, so garbage gives -2 wherever it sits and
     * whatever matched before it */
    for (size_t j = 0; j < n_names && result != -2; j++)
        if ((dn[j] = name_decode(names[j].data, names[j].len)) == NULL)
            result = -2;
    for (size_t j = 0; j < n_names && result == -1 && j <= INT_MAX; j++)
        for (size_t i = 0; i < n_chain && result == -1; i++)
            if (X509_NAME_cmp(X509_get_issuer_name(certs[i]), dn[j]) == 0 ||
                X509_NAME_cmp(X509_get_subject_name(certs[i]), dn[j]) == 0)
                result = (int)j;

    for (size_t j = 0; j < n_names; j++)
        X509_NAME_free(dn[j]);
    g_free(dn);
    free_certs(certs, n_chain);
    ERR_pop_to_mark();
    return result;
}

const char *diag_dn_text(const diag_blob *name, char *buf, size_t len)
{
    if (buf == NULL || len == 0)
        return UNDECODABLE_NAME;
    ERR_set_mark();
    X509_NAME *n = name != NULL ? name_decode(name->data, name->len) : NULL;
    int ok = n != NULL && name_text(n, buf, len);
    X509_NAME_free(n);
    ERR_pop_to_mark();
    if (ok)
        return buf;
    copy_cut(buf, len, UNDECODABLE_NAME, strlen(UNDECODABLE_NAME));
    return UNDECODABLE_NAME;
}

static void set_why(char *why, size_t why_len, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void set_why(char *why, size_t why_len, const char *fmt, ...)
{
    if (why == NULL || why_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
}

static int chain_verify(const diag_blob *chain, size_t n_chain, const diag_blob *roots,
                        size_t n_roots, char *why, size_t why_len)
{
    size_t bad = 0;
    int result = -1;
    X509 **certs = NULL, **anchors = NULL;
    X509_STORE *store = NULL;
    X509_STORE_CTX *ctx = NULL;
    STACK_OF(X509) *untrusted = NULL;

    set_why(why, why_len, "%s", "");
    if (n_chain == 0) {
        set_why(why, why_len, "no certificate in the chain");
        return -1;
    }
    ERR_set_mark();
    if ((certs = decode_certs(chain, n_chain, &bad)) == NULL) {
        set_why(why, why_len, "certificate %zu of the chain does not decode", bad);
        goto out;
    }
    /* the roots came from diag_load_pem_certs and so decode; one that does
     * not is a caller's bug, reported like a bad chain */
    if ((anchors = decode_certs(roots, n_roots, &bad)) == NULL) {
        set_why(why, why_len, "trusted root %zu does not decode", bad);
        goto out;
    }

    result = 0;
    store = X509_STORE_new();
    ctx = X509_STORE_CTX_new();
    untrusted = sk_X509_new_null();
    if (store == NULL || ctx == NULL || untrusted == NULL) {
        set_why(why, why_len, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_roots; i++)
        if (!X509_STORE_add_cert(store, anchors[i])) {
            set_why(why, why_len, "trusted root %zu could not be added", i);
            goto out;
        }
    for (size_t i = 1; i < n_chain; i++)
        if (!sk_X509_push(untrusted, certs[i])) {
            set_why(why, why_len, "out of memory");
            goto out;
        }
    /* dates are judged at AMT's clock by diag_cert_validity_at, not at
     * this machine's; and only a self-signed root the user trusts may end
     * the chain, as on AMT (no partial chains) */
    X509_STORE_set_flags(store, X509_V_FLAG_NO_CHECK_TIME);
    if (!X509_STORE_CTX_init(ctx, store, certs[0], untrusted)) {
        set_why(why, why_len, "verification could not start");
        goto out;
    }
    int rc = X509_verify_cert(ctx);
    if (rc == 1) {
        result = 1;
        goto out;
    }
    int err = X509_STORE_CTX_get_error(ctx);
    int depth = X509_STORE_CTX_get_error_depth(ctx);
    X509 *at = X509_STORE_CTX_get_current_cert(ctx);
    char subject[256] = "";
    if (at != NULL)
        name_text(X509_get_subject_name(at), subject, sizeof subject);
    if (rc < 0 || err == X509_V_OK)
        set_why(why, why_len, "verification failed inside OpenSSL");
    else if (subject[0] != '\0')
        set_why(why, why_len, "%s (depth %d: %s)", X509_verify_cert_error_string(err), depth,
                subject);
    else
        set_why(why, why_len, "%s (depth %d)", X509_verify_cert_error_string(err), depth);

out:
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    sk_X509_free(untrusted); /* the certificates are owned by certs */
    free_certs(anchors, n_roots);
    free_certs(certs, n_chain);
    ERR_pop_to_mark();
    return result;
}

/* Verdicts by chain and roots. A fleet's consoles present a handful of
 * certificate chains over thousands of connections, and each verification
 * builds a store and walks the chain in OpenSSL; the answer only depends on
 * the certificates (dates are not checked here). Keyed by a SHA-256 over the
 * DER of the chain and of the roots, in order; bounded, emptied when full. */
#define VERDICT_CACHE_MAX 256
#define VERDICT_WHY_MAX 320

typedef struct verdict {
    int result;
    char why[VERDICT_WHY_MAX];
} verdict;

static GHashTable *verdict_cache; /* GBytes (32) → verdict */
static pthread_mutex_t verdict_cache_lock =
    PTHREAD_MUTEX_INITIALIZER; /* POSIX: ThreadSanitizer sees it */

static void digest_blobs(GChecksum *h, const diag_blob *v, size_t n)
{
    uint64_t count = n;
    g_checksum_update(h, (const guchar *)&count, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint64_t len = v[i].len;
        g_checksum_update(h, (const guchar *)&len, sizeof len);
        if (v[i].len)
            g_checksum_update(h, v[i].data, (gssize)v[i].len);
    }
}

static GBytes *verdict_key(const diag_blob *chain, size_t n_chain, const diag_blob *roots,
                           size_t n_roots)
{
    GChecksum *h = g_checksum_new(G_CHECKSUM_SHA256);
    digest_blobs(h, chain, n_chain);
    digest_blobs(h, roots, n_roots);
    guint8 d[32];
    gsize len = sizeof d;
    g_checksum_get_digest(h, d, &len);
    g_checksum_free(h);
    return g_bytes_new(d, len);
}

int diag_chain_verify(const diag_blob *chain, size_t n_chain, const diag_blob *roots,
                      size_t n_roots, char *why, size_t why_len)
{
    GBytes *key = verdict_key(chain, n_chain, roots, n_roots);
    pthread_mutex_lock(&verdict_cache_lock);
    const verdict *known = verdict_cache ? g_hash_table_lookup(verdict_cache, key) : NULL;
    verdict v = known ? *known : (verdict){0};
    pthread_mutex_unlock(&verdict_cache_lock);
    if (known) {
        g_bytes_unref(key);
        set_why(why, why_len, "%s", v.why);
        return v.result;
    }
    v.result = chain_verify(chain, n_chain, roots, n_roots, v.why, sizeof v.why);
    set_why(why, why_len, "%s", v.why);
    pthread_mutex_lock(&verdict_cache_lock);
    if (verdict_cache == NULL)
        verdict_cache = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
                                              (GDestroyNotify)g_bytes_unref, g_free);
    if (g_hash_table_size(verdict_cache) >= VERDICT_CACHE_MAX)
        g_hash_table_remove_all(verdict_cache);
    g_hash_table_replace(verdict_cache, key, g_memdup2(&v, sizeof v));
    pthread_mutex_unlock(&verdict_cache_lock);
    return v.result;
}

/* ---- loading trusted roots ---- */

static void set_err(char *err, size_t err_len, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void set_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (err == NULL || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

/* Certificates are never encrypted; refusing a passphrase keeps OpenSSL
 * from prompting on the terminal when it meets an encrypted key block. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/* Reads the whole file; NULL with err set when it cannot. */
static unsigned char *read_file(const char *path, size_t *len, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        set_err(err, err_len, "%s: cannot open (%s)", path, g_strerror(errno));
        return NULL;
    }
    GByteArray *buf = g_byte_array_new();
    unsigned char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf->len + n > PEM_FILE_MAX) {
            set_err(err, err_len, "%s: larger than %u bytes, not a certificate file", path,
                    PEM_FILE_MAX);
            fclose(f);
            g_byte_array_free(buf, TRUE);
            return NULL;
        }
        g_byte_array_append(buf, chunk, (guint)n);
    }
    if (ferror(f)) {
        set_err(err, err_len, "%s: cannot read (%s)", path, g_strerror(errno));
        fclose(f);
        g_byte_array_free(buf, TRUE);
        return NULL;
    }
    fclose(f);
    /* a trailing NUL, not counted, so that an empty file is a non-NULL
     * buffer of length 0 rather than a NULL that reads as an error */
    *len = buf->len;
    g_byte_array_append(buf, (const guint8 *)"", 1);
    return g_byte_array_free(buf, FALSE);
}

/* Appends x's DER to blobs as a g_malloc'd copy. */
static int push_der(GArray *blobs, X509 *x)
{
    int n = i2d_X509(x, NULL);
    if (n <= 0)
        return 0;
    uint8_t *der = g_malloc((gsize)n);
    unsigned char *p = der;
    if (i2d_X509(x, &p) != n) {
        g_free(der);
        return 0;
    }
    diag_blob b = {der, (size_t)n};
    g_array_append_val(blobs, b);
    return 1;
}

int diag_load_pem_certs(const char *path, diag_blob **out, char *err, size_t err_len)
{
    size_t len = 0;
    int result = -1;

    set_err(err, err_len, "%s", "");
    if (out == NULL)
        return -1;
    *out = NULL;
    if (path == NULL) {
        set_err(err, err_len, "(no path): no file given");
        return -1;
    }
    unsigned char *data = read_file(path, &len, err, err_len);
    if (data == NULL)
        return -1;
    if (len == 0) {
        set_err(err, err_len, "%s: empty file (expected PEM 'BEGIN CERTIFICATE' or DER)", path);
        g_free(data);
        return -1;
    }

    ERR_set_mark();
    GArray *blobs = g_array_new(FALSE, FALSE, sizeof(diag_blob));
    BIO *bio = BIO_new_mem_buf(data, (int)len); /* len <= PEM_FILE_MAX */
    X509 *x;
    while (bio != NULL && (x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) != NULL) {
        int ok = push_der(blobs, x);
        X509_free(x);
        if (!ok) {
            set_err(err, err_len, "%s: certificate %u could not be re-encoded", path,
                    blobs->len + 1);
            goto out;
        }
    }
    /* PEM reading ends on "no start line" when the input is used up; any
     * other error is a damaged block, and silently loading only the
     * certificates before it would hide a missing root */
    unsigned long e = ERR_peek_last_error();
    int clean_end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
    if (bio == NULL) {
        set_err(err, err_len, "%s: out of memory", path);
    } else if (!clean_end) {
        set_err(err, err_len, "%s: PEM certificate %u does not decode (damaged base64 or DER)",
                path, blobs->len + 1);
    } else if (blobs->len > 0) {
        result = (int)blobs->len;
    } else {
        /* no PEM certificate: the file may be one DER certificate */
        x = cert_decode(data, len);
        if (x != NULL && push_der(blobs, x))
            result = 1;
        else
            set_err(err, err_len,
                    "%s: no certificate found (expected PEM 'BEGIN CERTIFICATE' or DER)", path);
        X509_free(x);
    }

out:
    BIO_free(bio);
    g_free(data);
    ERR_pop_to_mark();
    if (result > 0) {
        *out = (diag_blob *)(void *)g_array_free(blobs, FALSE);
    } else {
        for (guint i = 0; i < blobs->len; i++)
            g_free((void *)g_array_index(blobs, diag_blob, i).data);
        g_array_free(blobs, TRUE);
        result = -1;
    }
    return result;
}

void diag_blobs_free(diag_blob *blobs, size_t n)
{
    if (blobs == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        g_free((void *)blobs[i].data); /* owned: allocated by push_der */
    g_free(blobs);
}

const char *diag_time_text(int64_t t, char *buf, size_t len)
{
    struct tm tm;

    if (buf == NULL || len == 0)
        return "";
    time_t tt = (time_t)t;
    if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL) {
        snprintf(buf, len, "(time out of range: %" PRId64 ")", t);
        return buf;
    }
    snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}
