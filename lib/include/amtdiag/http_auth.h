/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HTTP authentication headers as AMT and its consoles write them: parsing
 * of WWW-Authenticate challenges and Authorization credentials (RFC 7235
 * auth-params, RFC 7616 / RFC 2617 Digest, RFC 4559 Negotiate, RFC 7617
 * Basic), AMT's realm format, and Digest response verification (MD5). */
#ifndef AMTDIAG_HTTP_AUTH_H
#define AMTDIAG_HTTP_AUTH_H

#include <stddef.h>

typedef enum {
    HTTP_AUTH_NONE,   /* nothing parsed */
    HTTP_AUTH_DIGEST, /* RFC 7616 / 2617 */
    HTTP_AUTH_NEGOTIATE,
    HTTP_AUTH_BASIC,
    HTTP_AUTH_OTHER /* any other scheme; its name is in scheme_name */
} http_auth_scheme;

/* Digest's stale= parameter: absent, or what it said. */
typedef enum { HTTP_STALE_ABSENT, HTTP_STALE_FALSE, HTTP_STALE_TRUE } http_auth_stale;

/* Bits of http_auth.present: which Digest parameters were in the header. */
enum {
    HTTP_AUTH_P_REALM = 1u << 0,
    HTTP_AUTH_P_NONCE = 1u << 1,
    HTTP_AUTH_P_URI = 1u << 2,
    HTTP_AUTH_P_RESPONSE = 1u << 3,
    HTTP_AUTH_P_USERNAME = 1u << 4,
    HTTP_AUTH_P_QOP = 1u << 5,
    HTTP_AUTH_P_NC = 1u << 6,
    HTTP_AUTH_P_CNONCE = 1u << 7,
    HTTP_AUTH_P_STALE = 1u << 8,
    HTTP_AUTH_P_ALGORITHM = 1u << 9,
    HTTP_AUTH_P_OPAQUE = 1u << 10,
    HTTP_AUTH_P_TOKEN = 1u << 11 /* a token68 (Negotiate, Basic) */
};

/* Bits of http_auth.flags: what was odd about the header. */
enum {
    HTTP_AUTH_F_DUPLICATE = 1u << 0,    /* a parameter came twice; the first was kept */
    HTTP_AUTH_F_TRUNCATED = 1u << 1,    /* a value was longer than its field and was cut */
    HTTP_AUTH_F_MALFORMED = 1u << 2,    /* bad syntax (e.g. an unterminated quoted-string) */
    HTTP_AUTH_F_NO_SPACE = 1u << 3,     /* a comma not followed by a space, as AMT writes */
    HTTP_AUTH_F_BAD_STALE = 1u << 4,    /* stale= neither "true" nor "false" */
    HTTP_AUTH_F_UNKNOWN_PARAM = 1u << 5 /* a parameter this parser does not keep */
};

/* Longest values kept, terminator included; longer ones are cut and flagged. */
#define HTTP_AUTH_VALUE_MAX 256
#define HTTP_AUTH_URI_MAX 1024
#define HTTP_AUTH_SHORT_MAX 64

/* One challenge or one set of credentials. Strings are NUL-terminated
 * copies with quoted-string escapes resolved; an absent parameter is "".
 * token/token_len is a view into the parsed input (the base64 of Negotiate
 * or Basic), valid only while that input is: it is not copied because a
 * Kerberos ticket can be several kilobytes. */
typedef struct http_auth {
    http_auth_scheme scheme;
    char scheme_name[HTTP_AUTH_SHORT_MAX];
    unsigned present; /* HTTP_AUTH_P_* */
    unsigned flags;   /* HTTP_AUTH_F_* */
    char realm[HTTP_AUTH_VALUE_MAX];
    char nonce[HTTP_AUTH_VALUE_MAX];
    char uri[HTTP_AUTH_URI_MAX];
    char response[HTTP_AUTH_VALUE_MAX];
    char username[HTTP_AUTH_VALUE_MAX];
    char qop[HTTP_AUTH_SHORT_MAX]; /* a list ("auth-int, auth") in a challenge */
    char nc[HTTP_AUTH_SHORT_MAX];
    char cnonce[HTTP_AUTH_VALUE_MAX];
    char algorithm[HTTP_AUTH_SHORT_MAX];
    char opaque[HTTP_AUTH_VALUE_MAX];
    http_auth_stale stale;
    const char *token;
    size_t token_len;
} http_auth;

/* Parses a WWW-Authenticate value (len bytes, NUL not needed), which may
 * hold several challenges ("Digest realm=..., Negotiate"), into up to max
 * entries of out. Returns how many challenges the header held (more than
 * max when some did not fit), 0 for an empty or unparsable value. */
size_t http_auth_parse_challenges(const char *value, size_t len, http_auth *out, size_t max);

/* Parses an Authorization value into *out. Returns 0, or -1 when no
 * scheme could be read (out->scheme is then HTTP_AUTH_NONE). Syntax
 * problems after the scheme set HTTP_AUTH_F_MALFORMED and return 0 with
 * what was read. */
int http_auth_parse_credentials(const char *value, size_t len, http_auth *out);

/* Whether a qop value (a challenge's list, or a single token) contains the
 * token want, case-insensitively: http_auth_qop_has(a, "auth"). */
int http_auth_qop_has(const http_auth *a, const char *want);

/* Whether realm has AMT's form: "Digest:" and exactly 32 hex digits. */
int amt_realm_valid(const char *realm);

/* Computes a Digest response with MD5 into out_hex33 (32 lowercase hex
 * digits and a NUL). With qop "auth" it is RFC 2617's
 * MD5(HA1:nonce:nc:cnonce:qop:HA2), with qop NULL or "" RFC 2069's
 * MD5(HA1:nonce:HA2). Returns 0, or -1 for an unsupported qop (auth-int
 * needs the body: see http_digest_response_body) or a NULL argument. */
int http_digest_response(const char *user, const char *realm, const char *password,
                         const char *method, const char *uri, const char *nonce, const char *nc,
                         const char *cnonce, const char *qop, char out_hex33[33]);

/* http_digest_response with the entity body, so that qop "auth-int"
 * (HA2 = MD5(method:uri:MD5(body))) can be computed too. */
int http_digest_response_body(const char *user, const char *realm, const char *password,
                              const char *method, const char *uri, const char *nonce,
                              const char *nc, const char *cnonce, const char *qop, const void *body,
                              size_t body_len, char out_hex33[33]);

typedef enum {
    HTTP_DIGEST_MATCH,     /* the response is what the password gives */
    HTTP_DIGEST_MISMATCH,  /* it is not (an empty response="" is a mismatch) */
    HTTP_DIGEST_INCOMPLETE /* cannot tell: a parameter is missing, cut, or unsupported */
} http_digest_result;

/* Checks Digest credentials parsed by http_auth_parse_credentials against
 * a candidate password, for the request method (e.g. "POST"). Supports
 * algorithm MD5 (or absent) and MD5-sess, qop auth or none; auth-int gives
 * INCOMPLETE (use http_digest_check_body). */
http_digest_result http_digest_check(const http_auth *auth, const char *method,
                                     const char *password);

/* http_digest_check with the request body, for qop "auth-int". */
http_digest_result http_digest_check_body(const http_auth *auth, const char *method,
                                          const char *password, const void *body, size_t body_len);

/* A stable lower-case name of a scheme ("digest", "negotiate", ...). */
const char *http_auth_scheme_name(http_auth_scheme s);

#endif
