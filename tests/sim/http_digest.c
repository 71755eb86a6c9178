/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HTTP Digest primitives. References: RFC 2617 (Digest, qop=auth),
 * RFC 7235 section 2.1 (challenge and auth-param grammar). */
#include "http_digest.h"

#include <string.h>
#include <glib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

static int is_tchar(int c)
{
    return c != '\0' && (g_ascii_isalnum(c) || strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int is_ows(int c)
{
    return c == ' ' || c == '\t';
}

/* Reads a quoted-string starting at the opening quote; *pp ends past the
 * closing quote. Returns the unescaped value, or NULL when unterminated,
 * too long, or holding control characters. */
static char *read_quoted(const char **pp)
{
    const char *q = *pp + 1;
    GString *s = g_string_new(NULL);
    for (;;) {
        unsigned char ch = (unsigned char)*q;
        if (ch == '\0' || (ch < 0x20 && ch != '\t') || ch == 0x7f || s->len >= DIGEST_MAX_VALUE)
            goto bad;
        if (ch == '"') {
            q++;
            break;
        }
        if (ch == '\\') {
            q++;
            if (*q == '\0')
                goto bad;
        }
        g_string_append_c(s, *q++);
    }
    *pp = q;
    return g_string_free(s, FALSE);
bad:
    g_string_free(s, TRUE);
    return NULL;
}

static int store_param(digest_params *out, const char *name, size_t name_len, char *value)
{
    if (out->n >= DIGEST_MAX_PARAMS || name_len >= 64)
        return -1;
    char *lname = g_ascii_strdown(name, (gssize)name_len);
    if (digest_param(out, lname)) {
        g_free(lname);
        return -1; /* a repeated name makes the credentials ambiguous */
    }
    out->name[out->n] = lname;
    out->value[out->n] = value;
    out->n++;
    return 0;
}

int digest_params_parse(const char *value, digest_params *out)
{
    memset(out, 0, sizeof *out);
    if (!value)
        return -1;
    const char *p = value;
    int in_digest = 0, found = 0;
    while (*p) {
        while (is_ows(*p) || *p == ',')
            p++;
        if (!*p)
            break;
        const char *tok = p;
        while (is_tchar(*p))
            p++;
        size_t tok_len = (size_t)(p - tok);
        if (tok_len == 0) {
            /* A token68 of another scheme (e.g. Negotiate's base64) may hold
             * '/' or '='; skip it. Inside Digest this is a syntax error. */
            if (in_digest)
                goto bad;
            p += strcspn(p, ",");
            continue;
        }
        const char *q = p;
        while (is_ows(*q))
            q++;
        if (*q != '=') {
            /* A bare token starts the next challenge (or is another
             * scheme's token68): Digest's params end here. */
            if (found)
                break;
            in_digest = tok_len == 6 && g_ascii_strncasecmp(tok, "Digest", 6) == 0;
            found = in_digest;
            p = q;
            continue;
        }
        q++;
        while (is_ows(*q))
            q++;
        if (*q == '\0' || *q == ',' || *q == '=') {
            /* "token68==" of another scheme, not an auth-param */
            if (in_digest)
                goto bad;
            while (*q == '=')
                q++;
            p = q;
            continue;
        }
        char *val;
        if (*q == '"') {
            val = read_quoted(&q);
            if (!val)
                goto bad;
        } else {
            const char *v = q;
            while (is_tchar(*q))
                q++;
            if (q == v || (size_t)(q - v) > DIGEST_MAX_VALUE)
                goto bad;
            val = g_strndup(v, (gsize)(q - v));
        }
        if (!in_digest) {
            g_free(val);
        } else if (store_param(out, tok, tok_len, val) != 0) {
            g_free(val);
            goto bad;
        }
        p = q;
    }
    if (found)
        return 0;
bad:
    digest_params_clear(out);
    return -1;
}

const char *digest_param(const digest_params *p, const char *name)
{
    for (unsigned i = 0; i < p->n; i++)
        if (g_ascii_strcasecmp(p->name[i], name) == 0)
            return p->value[i];
    return NULL;
}

void digest_params_clear(digest_params *p)
{
    for (unsigned i = 0; i < p->n; i++) {
        g_free(p->name[i]);
        g_free(p->value[i]);
    }
    memset(p, 0, sizeof *p);
}

void digest_md5_hex(const void *data, size_t len, char out[33])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    static const char hex[] = "0123456789abcdef";
    if (!EVP_Digest(data, len, md, &md_len, EVP_md5(), NULL) || md_len != 16) {
        /* MD5 unavailable (e.g. a FIPS-only provider): an all-zero digest
         * never matches a real one, so logins fail visibly. */
        memset(out, '0', 32);
        out[32] = '\0';
        return;
    }
    for (unsigned i = 0; i < 16; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[32] = '\0';
}

/* MD5 of the concatenation of parts joined by ':'; the joined text may hold
 * the password, so it is wiped after hashing. */
static void md5_joined(const char *const *parts, unsigned n, char out[33])
{
    GString *s = g_string_new(NULL);
    for (unsigned i = 0; i < n; i++) {
        if (i)
            g_string_append_c(s, ':');
        g_string_append(s, parts[i] ? parts[i] : "");
    }
    digest_md5_hex(s->str, s->len, out);
    OPENSSL_cleanse(s->str, s->len);
    g_string_free(s, TRUE);
}

void digest_response(const char *user, const char *realm, const char *password, const char *method,
                     const char *uri, const char *nonce, const char *nc, const char *cnonce,
                     const char *qop, char out[33])
{
    char ha1[33], ha2[33];
    const char *a1[] = {user, realm, password};
    const char *a2[] = {method, uri};
    md5_joined(a1, 3, ha1);
    md5_joined(a2, 2, ha2);
    if (qop) {
        const char *kd[] = {ha1, nonce, nc, cnonce, qop, ha2};
        md5_joined(kd, 6, out);
    } else {
        const char *kd[] = {ha1, nonce, ha2};
        md5_joined(kd, 3, out);
    }
    OPENSSL_cleanse(ha1, sizeof ha1); /* HA1 is as good as the password */
}

void digest_prng_seed(digest_prng *r, uint32_t seed, uint64_t salt)
{
    r->state = ((uint64_t)seed << 32 | seed) ^ salt;
}

static uint64_t prng_next(digest_prng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void digest_prng_bytes(digest_prng *r, void *out, size_t n)
{
    unsigned char *o = out;
    while (n) {
        uint64_t v = prng_next(r);
        for (int i = 0; i < 8 && n; i++, n--) {
            *o++ = (unsigned char)v;
            v >>= 8;
        }
    }
}

void digest_make_nonce(digest_prng *r, char out[33])
{
    unsigned char raw[24];
    unsigned char b64[33];
    digest_prng_bytes(r, raw, sizeof raw);
    EVP_EncodeBlock(b64, raw, (int)sizeof raw); /* 24 bytes -> 32 chars, no padding */
    memcpy(out, b64, 33);
}

void digest_make_cnonce(digest_prng *r, char out[17])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[8];
    digest_prng_bytes(r, raw, sizeof raw);
    for (unsigned i = 0; i < 8; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[16] = '\0';
}
