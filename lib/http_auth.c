/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HTTP authentication header parsing and Digest verification.
 * References: RFC 7235 (challenge and credentials grammar, token68),
 * RFC 7230 3.2.6 (token, quoted-string, quoted-pair), RFC 7616 and RFC 2617
 * (Digest parameters and the MD5 response), RFC 2069 (Digest without qop),
 * RFC 4559 (Negotiate). AMT's own quirks: no space after some commas, and
 * realms of the form "Digest:" + 32 hex digits. */
#include "amtdiag/http_auth.h"
#include "amtdiag/digests.h"

#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

/* ---- character classes (RFC 7230 3.2.6, RFC 7235 2.1) ---- */

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_tchar(char c)
{
    return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int is_token68_char(char c)
{
    return is_alnum(c) || (c != '\0' && strchr("-._~+/", c) != NULL);
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive comparison of the n bytes at s with the string lit. */
static int span_ieq(const char *s, size_t n, const char *lit)
{
    if (strlen(lit) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != lower(lit[i]))
            return 0;
    return 1;
}

static int str_ieq(const char *a, const char *b)
{
    return span_ieq(a, strlen(a), b);
}

/* ---- a bounded cursor over the header value ---- */

typedef struct cursor {
    const char *p, *end;
} cursor;

static int at_end(const cursor *c)
{
    return c->p >= c->end;
}

static char peek(const cursor *c)
{
    return at_end(c) ? '\0' : *c->p;
}

static size_t skip_ows(cursor *c)
{
    const char *start = c->p;
    while (!at_end(c) && is_ows(*c->p))
        c->p++;
    return (size_t)(c->p - start);
}

static size_t read_token(cursor *c)
{
    const char *start = c->p;
    while (!at_end(c) && is_tchar(*c->p))
        c->p++;
    return (size_t)(c->p - start);
}

/* Moves past the next comma outside a quoted-string (or to the end): how
 * the parser gets back in step after a syntax error. */
static void skip_to_comma(cursor *c)
{
    int quoted = 0;
    while (!at_end(c)) {
        char ch = *c->p++;
        if (quoted && ch == '\\' && !at_end(c))
            c->p++;
        else if (ch == '"')
            quoted = !quoted;
        else if (ch == ',' && !quoted)
            return;
    }
}

/* Appends a byte to dst (capacity cap, kept NUL-terminated); sets
 * *truncated instead when it is full. */
static void put(char *dst, size_t cap, size_t *n, char ch, int *truncated)
{
    if (*n + 1 < cap) {
        dst[(*n)++] = ch;
        dst[*n] = '\0';
    } else {
        *truncated = 1;
    }
}

/* Reads an auth-param value: a quoted-string with its quoted-pairs resolved,
 * or an unquoted run up to a comma or whitespace. The run is wider than a
 * token because clients send uri=/wsman and nc=00000001 unquoted. dst may be
 * NULL to skip the value. Returns -1 for an unterminated quoted-string. */
static int read_value(cursor *c, char *dst, size_t cap, int *truncated)
{
    size_t n = 0;
    if (dst && cap)
        dst[0] = '\0';
    if (peek(c) == '"') {
        c->p++;
        while (!at_end(c)) {
            char ch = *c->p++;
            if (ch == '"')
                return 0;
            if (ch == '\\' && !at_end(c))
                ch = *c->p++;
            if (dst)
                put(dst, cap, &n, ch, truncated);
        }
        return -1;
    }
    while (!at_end(c) && *c->p != ',' && !is_ows(*c->p)) {
        if (dst)
            put(dst, cap, &n, *c->p, truncated);
        c->p++;
    }
    return 0;
}

/* ---- parameters ---- */

typedef struct param_slot {
    const char *name;
    unsigned bit;
    size_t offset; /* of the char array in http_auth */
    size_t size;
} param_slot;

#define SLOT(n, bit, field)                                                                        \
    {                                                                                              \
        n, bit, offsetof(http_auth, field), sizeof(((http_auth *)0)->field)                        \
    }

static const param_slot slots[] = {
    SLOT("realm", HTTP_AUTH_P_REALM, realm),
    SLOT("nonce", HTTP_AUTH_P_NONCE, nonce),
    SLOT("uri", HTTP_AUTH_P_URI, uri),
    SLOT("response", HTTP_AUTH_P_RESPONSE, response),
    SLOT("username", HTTP_AUTH_P_USERNAME, username),
    SLOT("qop", HTTP_AUTH_P_QOP, qop),
    SLOT("nc", HTTP_AUTH_P_NC, nc),
    SLOT("cnonce", HTTP_AUTH_P_CNONCE, cnonce),
    SLOT("algorithm", HTTP_AUTH_P_ALGORITHM, algorithm),
    SLOT("opaque", HTTP_AUTH_P_OPAQUE, opaque),
};

/* Reads "= value" after a parameter name and stores it in a (when a is
 * not NULL: challenges beyond the caller's array are parsed but dropped). */
static void read_param(cursor *c, http_auth *a, const char *name, size_t name_len)
{
    c->p++; /* '=' */
    skip_ows(c);
    const param_slot *slot = NULL;
    int is_stale = span_ieq(name, name_len, "stale");
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        if (span_ieq(name, name_len, slots[i].name))
            slot = &slots[i];
    unsigned bit = slot ? slot->bit : is_stale ? HTTP_AUTH_P_STALE : 0;
    int truncated = 0;
    char stale[8];
    char *dst = NULL;
    size_t cap = 0;
    if (a && bit && (a->present & bit)) {
        a->flags |= HTTP_AUTH_F_DUPLICATE; /* RFC 7616 3.3: the first one counts */
    } else if (a && slot) {
        dst = (char *)a + slot->offset;
        cap = slot->size;
    } else if (a && is_stale) {
        dst = stale;
        cap = sizeof stale;
    } else if (a) {
        a->flags |= HTTP_AUTH_F_UNKNOWN_PARAM;
    }
    if (read_value(c, dst, cap, &truncated) != 0 && a)
        a->flags |= HTTP_AUTH_F_MALFORMED;
    if (!a || !dst)
        return;
    a->present |= bit;
    if (is_stale) {
        if (!truncated && str_ieq(stale, "true"))
            a->stale = HTTP_STALE_TRUE;
        else if (!truncated && str_ieq(stale, "false"))
            a->stale = HTTP_STALE_FALSE;
        else
            a->flags |= HTTP_AUTH_F_BAD_STALE;
    } else if (truncated) {
        a->flags |= HTTP_AUTH_F_TRUNCATED;
    }
}

static void auth_init(http_auth *a, const char *scheme, size_t n)
{
    memset(a, 0, sizeof *a);
    if (span_ieq(scheme, n, "Digest"))
        a->scheme = HTTP_AUTH_DIGEST;
    else if (span_ieq(scheme, n, "Negotiate"))
        a->scheme = HTTP_AUTH_NEGOTIATE;
    else if (span_ieq(scheme, n, "Basic"))
        a->scheme = HTTP_AUTH_BASIC;
    else
        a->scheme = HTTP_AUTH_OTHER;
    if (n >= sizeof a->scheme_name) {
        n = sizeof a->scheme_name - 1;
        a->flags |= HTTP_AUTH_F_TRUNCATED;
    }
    memcpy(a->scheme_name, scheme, n);
    a->scheme_name[n] = '\0';
}

/* Whether a token68 starts at c: its characters, '=' padding, then only
 * whitespace up to a comma or the end. An auth-param "name=value" fails
 * this because a value follows the '='. */
static size_t token68_len(const cursor *c)
{
    const char *p = c->p;
    while (p < c->end && is_token68_char(*p))
        p++;
    if (p == c->p)
        return 0;
    while (p < c->end && *p == '=')
        p++;
    size_t len = (size_t)(p - c->p);
    while (p < c->end && is_ows(*p))
        p++;
    return p == c->end || *p == ',' ? len : 0;
}

/* Parses what follows a scheme name: a token68 or a list of auth-params,
 * up to the end or to the start of the next challenge (a token not
 * followed by '='), where c is left. a may be NULL (parse and drop). */
static void parse_after_scheme(cursor *c, http_auth *a)
{
    if (skip_ows(c) > 0) {
        size_t t68 = token68_len(c);
        if (t68) {
            if (a) {
                a->token = c->p;
                a->token_len = t68;
                a->present |= HTTP_AUTH_P_TOKEN;
            }
            c->p += t68;
            skip_ows(c);
        }
    }
    for (;;) {
        /* list elements may be empty (RFC 7230 7: "#rule") */
        while (!at_end(c) && (peek(c) == ',' || is_ows(peek(c)))) {
            if (peek(c) == ',' && c->p + 1 < c->end && !is_ows(c->p[1]) && c->p[1] != ',' && a)
                a->flags |= HTTP_AUTH_F_NO_SPACE;
            c->p++;
        }
        if (at_end(c))
            return;
        const char *name = c->p;
        size_t name_len = read_token(c);
        if (name_len == 0) {
            if (a)
                a->flags |= HTTP_AUTH_F_MALFORMED;
            skip_to_comma(c);
            continue;
        }
        skip_ows(c);
        if (peek(c) != '=') {
            c->p = name; /* the next challenge's scheme */
            return;
        }
        read_param(c, a, name, name_len);
        skip_ows(c);
        if (!at_end(c) && peek(c) != ',') {
            if (a)
                a->flags |= HTTP_AUTH_F_MALFORMED;
            skip_to_comma(c);
        }
    }
}

size_t http_auth_parse_challenges(const char *value, size_t len, http_auth *out, size_t max)
{
    cursor c = {value, value ? value + len : value};
    size_t count = 0;
    while (value) {
        while (!at_end(&c) && (peek(&c) == ',' || is_ows(peek(&c))))
            c.p++;
        if (at_end(&c))
            break;
        const char *scheme = c.p;
        size_t n = read_token(&c);
        if (n == 0) {
            /* not a scheme: drop this element and look for the next one */
            skip_to_comma(&c);
            continue;
        }
        http_auth *a = count < max ? &out[count] : NULL;
        if (a)
            auth_init(a, scheme, n);
        count++;
        parse_after_scheme(&c, a);
    }
    return count;
}

int http_auth_parse_credentials(const char *value, size_t len, http_auth *out)
{
    memset(out, 0, sizeof *out);
    cursor c = {value, value ? value + len : value};
    skip_ows(&c);
    const char *scheme = c.p;
    size_t n = value ? read_token(&c) : 0;
    if (n == 0)
        return -1;
    auth_init(out, scheme, n);
    parse_after_scheme(&c, out);
    /* Authorization holds one set of credentials: anything after is junk */
    if (!at_end(&c))
        out->flags |= HTTP_AUTH_F_MALFORMED;
    return 0;
}

int http_auth_qop_has(const http_auth *a, const char *want)
{
    cursor c = {a->qop, a->qop + strlen(a->qop)};
    while (!at_end(&c)) {
        while (!at_end(&c) && (peek(&c) == ',' || is_ows(peek(&c))))
            c.p++;
        const char *tok = c.p;
        size_t n = read_token(&c);
        if (n && span_ieq(tok, n, want))
            return 1;
        if (n == 0 && !at_end(&c))
            c.p++;
    }
    return 0;
}

int amt_realm_valid(const char *realm)
{
    static const char prefix[] = "Digest:";
    if (!realm || strncmp(realm, prefix, sizeof prefix - 1) != 0)
        return 0;
    const char *hex = realm + sizeof prefix - 1;
    size_t n = strspn(hex, "0123456789abcdefABCDEF");
    return n == 32 && hex[n] == '\0';
}

const char *http_auth_scheme_name(http_auth_scheme s)
{
    switch (s) {
    case HTTP_AUTH_DIGEST:
        return "digest";
    case HTTP_AUTH_NEGOTIATE:
        return "negotiate";
    case HTTP_AUTH_BASIC:
        return "basic";
    case HTTP_AUTH_OTHER:
        return "other";
    case HTTP_AUTH_NONE:
        break;
    }
    return "none";
}

/* ---- Digest computation ---- */

static void to_hex(const unsigned char *raw, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[raw[i] >> 4];
        out[2 * i + 1] = digits[raw[i] & 15];
    }
    out[2 * n] = '\0';
}

/* MD5 of the n strings joined by ':' as 32 hex digits. The pieces go to
 * the digest one by one, so the password is never copied into a joined
 * buffer; EVP_MD_CTX_free clears the context's state. */
static int md5_join(char out[33], const char *const *parts, size_t n)
{
    unsigned char raw[EVP_MAX_MD_SIZE];
    unsigned int raw_len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, amt_digest_md5(), NULL) == 1;
    for (size_t i = 0; ok && i < n; i++) {
        if (i)
            ok = EVP_DigestUpdate(ctx, ":", 1) == 1;
        if (ok)
            ok = EVP_DigestUpdate(ctx, parts[i], strlen(parts[i])) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(ctx, raw, &raw_len) == 1 && raw_len == 16;
    EVP_MD_CTX_free(ctx);
    if (ok)
        to_hex(raw, 16, out);
    OPENSSL_cleanse(raw, sizeof raw);
    return ok ? 0 : -1;
}

static int md5_bytes(char out[33], const void *data, size_t len)
{
    unsigned char raw[EVP_MAX_MD_SIZE];
    unsigned int raw_len = 0;
    int ok =
        EVP_Digest(data ? data : "", data ? len : 0, raw, &raw_len, amt_digest_md5(), NULL) == 1 &&
        raw_len == 16;
    if (ok)
        to_hex(raw, 16, out);
    return ok ? 0 : -1;
}

/* The response for any supported combination; body is only read for
 * auth-int, sess selects MD5-sess's HA1. */
static int digest_compute(const char *user, const char *realm, const char *password,
                          const char *method, const char *uri, const char *nonce, const char *nc,
                          const char *cnonce, const char *qop, int sess, const void *body,
                          size_t body_len, int have_body, char out[33])
{
    if (!user || !realm || !password || !method || !uri || !nonce)
        return -1;
    int with_qop = qop && *qop;
    int auth_int = with_qop && str_ieq(qop, "auth-int");
    if (with_qop && !auth_int && !str_ieq(qop, "auth"))
        return -1;
    if ((auth_int && !have_body) || ((with_qop || sess) && (!nc || !cnonce)))
        return -1;
    char ha1[33], ha2[33], body_hash[33];
    const char *a1[] = {user, realm, password};
    int rc = md5_join(ha1, a1, 3);
    if (rc == 0 && sess) {
        /* RFC 2617 3.2.2.2: MD5-sess hashes the nonces into HA1 */
        char base[33];
        memcpy(base, ha1, sizeof base);
        const char *s1[] = {base, nonce, cnonce};
        rc = md5_join(ha1, s1, 3);
        OPENSSL_cleanse(base, sizeof base);
    }
    if (rc == 0 && auth_int) {
        rc = md5_bytes(body_hash, body, body_len);
        const char *a2[] = {method, uri, body_hash};
        rc = rc == 0 ? md5_join(ha2, a2, 3) : rc;
    } else if (rc == 0) {
        const char *a2[] = {method, uri};
        rc = md5_join(ha2, a2, 2);
    }
    if (rc == 0 && with_qop) {
        const char *r[] = {ha1, nonce, nc, cnonce, qop, ha2};
        rc = md5_join(out, r, 6);
    } else if (rc == 0) {
        const char *r[] = {ha1, nonce, ha2};
        rc = md5_join(out, r, 3);
    }
    /* HA1 stands in for the password: wipe it */
    OPENSSL_cleanse(ha1, sizeof ha1);
    return rc;
}

int http_digest_response(const char *user, const char *realm, const char *password,
                         const char *method, const char *uri, const char *nonce, const char *nc,
                         const char *cnonce, const char *qop, char out_hex33[33])
{
    return digest_compute(user, realm, password, method, uri, nonce, nc, cnonce, qop, 0, NULL, 0, 0,
                          out_hex33);
}

int http_digest_response_body(const char *user, const char *realm, const char *password,
                              const char *method, const char *uri, const char *nonce,
                              const char *nc, const char *cnonce, const char *qop, const void *body,
                              size_t body_len, char out_hex33[33])
{
    return digest_compute(user, realm, password, method, uri, nonce, nc, cnonce, qop, 0, body,
                          body_len, 1, out_hex33);
}

static http_digest_result check(const http_auth *a, const char *method, const char *password,
                                const void *body, size_t body_len, int have_body)
{
    const unsigned need = HTTP_AUTH_P_USERNAME | HTTP_AUTH_P_REALM | HTTP_AUTH_P_NONCE |
                          HTTP_AUTH_P_URI | HTTP_AUTH_P_RESPONSE;
    if (!a || !method || !password || a->scheme != HTTP_AUTH_DIGEST ||
        (a->present & need) != need || (a->flags & HTTP_AUTH_F_TRUNCATED))
        return HTTP_DIGEST_INCOMPLETE;
    int sess = 0;
    if (a->present & HTTP_AUTH_P_ALGORITHM) {
        if (str_ieq(a->algorithm, "MD5-sess"))
            sess = 1;
        else if (!str_ieq(a->algorithm, "MD5"))
            return HTTP_DIGEST_INCOMPLETE; /* SHA-256 and others: not computed here */
    }
    if (a->response[0] == '\0')
        return HTTP_DIGEST_MISMATCH; /* no password gives an empty digest */
    const char *qop = (a->present & HTTP_AUTH_P_QOP) ? a->qop : NULL;
    const char *nc = (a->present & HTTP_AUTH_P_NC) ? a->nc : NULL;
    const char *cnonce = (a->present & HTTP_AUTH_P_CNONCE) ? a->cnonce : NULL;
    char expected[33];
    if (digest_compute(a->username, a->realm, password, method, a->uri, a->nonce, nc, cnonce, qop,
                       sess, body, body_len, have_body, expected) != 0)
        return HTTP_DIGEST_INCOMPLETE;
    int match = strlen(a->response) == 32;
    for (size_t i = 0; match && i < 32; i++)
        match = lower(a->response[i]) == expected[i];
    OPENSSL_cleanse(expected, sizeof expected);
    return match ? HTTP_DIGEST_MATCH : HTTP_DIGEST_MISMATCH;
}

http_digest_result http_digest_check(const http_auth *auth, const char *method,
                                     const char *password)
{
    return check(auth, method, password, NULL, 0, 0);
}

http_digest_result http_digest_check_body(const http_auth *auth, const char *method,
                                          const char *password, const void *body, size_t body_len)
{
    return check(auth, method, password, body, body_len, 1);
}
