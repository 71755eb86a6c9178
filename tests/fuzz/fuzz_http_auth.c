/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: WWW-Authenticate and Authorization parsing and Digest
 * verification (amtdiag/http_auth.h).
 *
 * Input: a header value; it is parsed both as challenges and as
 * credentials, and the credentials are checked against a password. */
#include "amtdiag/http_auth.h"
#include "fuzz_common.h"

#define MAX_CHALLENGES 4

/* Every field is NUL-terminated in its array, and the token is a view into
 * the input. */
static void check(const http_auth *a, const char *in, size_t len)
{
    fz_str(a->scheme_name, sizeof a->scheme_name);
    fz_str(a->realm, sizeof a->realm);
    fz_str(a->nonce, sizeof a->nonce);
    fz_str(a->uri, sizeof a->uri);
    fz_str(a->response, sizeof a->response);
    fz_str(a->username, sizeof a->username);
    fz_str(a->qop, sizeof a->qop);
    fz_str(a->nc, sizeof a->nc);
    fz_str(a->cnonce, sizeof a->cnonce);
    fz_str(a->algorithm, sizeof a->algorithm);
    fz_str(a->opaque, sizeof a->opaque);
    if (a->token) {
        FZ_CHECK(a->token >= in && a->token_len <= len &&
                 (size_t)(a->token - in) <= len - a->token_len);
    } else {
        FZ_CHECK(a->token_len == 0);
    }
    FZ_CHECK(http_auth_scheme_name(a->scheme));
    amt_realm_valid(a->realm);
    http_auth_qop_has(a, "auth");
    http_auth_qop_has(a, "auth-int");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly the value's size, so a read past it is caught. */
    char *value = malloc(size ? size : 1);
    FZ_CHECK(value);
    memcpy(value, data, size);

    http_auth *ch = calloc(MAX_CHALLENGES, sizeof *ch);
    FZ_CHECK(ch);
    size_t n = http_auth_parse_challenges(value, size, ch, MAX_CHALLENGES);
    for (size_t i = 0; i < n && i < MAX_CHALLENGES; i++)
        check(&ch[i], value, size);
    free(ch);

    http_auth *cr = calloc(1, sizeof *cr);
    FZ_CHECK(cr);
    if (http_auth_parse_credentials(value, size, cr) == 0) {
        check(cr, value, size);
        http_digest_result r = http_digest_check(cr, "POST", "Vpro!Admin-2026");
        FZ_CHECK(r == HTTP_DIGEST_MATCH || r == HTTP_DIGEST_MISMATCH ||
                 r == HTTP_DIGEST_INCOMPLETE);
        r = http_digest_check_body(cr, "POST", "admin", value, size);
        FZ_CHECK(r == HTTP_DIGEST_MATCH || r == HTTP_DIGEST_MISMATCH ||
                 r == HTTP_DIGEST_INCOMPLETE);
    } else {
        FZ_CHECK(cr->scheme == HTTP_AUTH_NONE);
    }
    free(cr);
    free(value);
    return 0;
}
