/* SPDX-License-Identifier: GPL-2.0-or-later */
/* http_digest: the HTTP Digest (RFC 2617, MD5, qop=auth) primitives shared
 * by the fake AMT and the console — auth-param parsing, the response
 * computation, and the reproducible nonce/cnonce generator. */
#ifndef AMTSIM_HTTP_DIGEST_H
#define AMTSIM_HTTP_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define DIGEST_MAX_PARAMS 16
#define DIGEST_MAX_VALUE 1024

/* The auth-params of the Digest challenge or credentials in one header
 * value. Names are stored lower-case; values are unquoted. */
typedef struct digest_params {
    unsigned n;
    char *name[DIGEST_MAX_PARAMS];
    char *value[DIGEST_MAX_PARAMS];
} digest_params;

/* Finds the Digest scheme in a WWW-Authenticate or Authorization value
 * (other schemes in the same value are skipped) and parses its params.
 * Returns 0, or -1 when there is no Digest scheme or the syntax is bad
 * (unterminated quoted-string, duplicate name, too many or too long). */
int digest_params_parse(const char *value, digest_params *out);
const char *digest_param(const digest_params *p, const char *name);
void digest_params_clear(digest_params *p);

/* out = lower-case hex MD5 of data. */
void digest_md5_hex(const void *data, size_t len, char out[33]);

/* The request-digest of RFC 2617 3.2.2.1: with qop,
 * MD5(HA1:nonce:nc:cnonce:qop:HA2); without (RFC 2069), MD5(HA1:nonce:HA2);
 * HA1 = MD5(user:realm:password), HA2 = MD5(method:uri). */
void digest_response(const char *user, const char *realm, const char *password, const char *method,
                     const char *uri, const char *nonce, const char *nc, const char *cnonce,
                     const char *qop, char out[33]);

/* A splitmix64 generator: reproducible from a 32-bit seed; salt keeps the
 * server's nonces and a console's cnonces apart when seeds coincide. */
typedef struct digest_prng {
    uint64_t state;
} digest_prng;

void digest_prng_seed(digest_prng *r, uint32_t seed, uint64_t salt);
void digest_prng_bytes(digest_prng *r, void *out, size_t n);

/* 24 random bytes in base64: the 32-character nonces AMT issues. */
void digest_make_nonce(digest_prng *r, char out[33]);
/* 8 random bytes in hex: the 16-character cnonces consoles send. */
void digest_make_cnonce(digest_prng *r, char out[17]);

#endif
