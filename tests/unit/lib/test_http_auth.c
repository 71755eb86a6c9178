/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/http_auth: WWW-Authenticate and Authorization parsing
 * (AMT's own header shapes first), AMT realm validation, and Digest
 * known-answer tests. The expected digests were computed independently
 * with md5sum in a shell, e.g. for the AMT case:
 *   HA1=$(printf %s 'admin:Digest:7277...E462:P@ssw0rd1' | md5sum)
 *   HA2=$(printf %s 'POST:/wsman' | md5sum)
 *   printf %s "$HA1:B9AX...3uA:00000001:6e8da33dda6b05d8:auth:$HA2" | md5sum */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amtdiag/http_auth.h"

#define AMT_REALM "Digest:727734D63A1FC0423736E48DA554E462"
#define AMT_NONCE "B9AX94iAAAAAAAAAx6rrSfPHGUrx/3uA"

/* ---- challenges (WWW-Authenticate) ---- */

typedef struct want_challenge {
    http_auth_scheme scheme;
    const char *realm, *nonce, *qop, *algorithm, *opaque, *token;
    http_auth_stale stale;
    unsigned flags; /* these must be set */
} want_challenge;

typedef struct challenge_case {
    const char *name;
    const char *header;
    size_t count;
    want_challenge want[2];
} challenge_case;

static const challenge_case challenge_cases[] = {
    {"amt15_exact",
     "Digest realm=\"" AMT_REALM "\", nonce=\"" AMT_NONCE "\",stale=\"false\",qop=\"auth\"",
     1,
     {{HTTP_AUTH_DIGEST, AMT_REALM, AMT_NONCE, "auth", "", "", NULL, HTTP_STALE_FALSE,
       HTTP_AUTH_F_NO_SPACE}}},
    {"amt16_qop_list",
     "Digest realm=\"" AMT_REALM "\", nonce=\"" AMT_NONCE "\",stale=\"false\",qop=\"auth-int, "
     "auth\"",
     1,
     {{HTTP_AUTH_DIGEST, AMT_REALM, AMT_NONCE, "auth-int, auth", "", "", NULL, HTTP_STALE_FALSE,
       HTTP_AUTH_F_NO_SPACE}}},
    {"meshcentral_no_stale",
     "Digest realm=\"Digest:A4074B0B554DAA138882AB026F2C4F72\", "
     "nonce=\"AAAAAAmMFqQAAAAAgD7EW6zEnU56JBGRoQ==\", qop=\"auth\"",
     1,
     {{HTTP_AUTH_DIGEST, "Digest:A4074B0B554DAA138882AB026F2C4F72",
       "AAAAAAmMFqQAAAAAgD7EW6zEnU56JBGRoQ==", "auth", "", "", NULL, HTTP_STALE_ABSENT, 0}}},
    {"negotiate_then_digest",
     "Negotiate, Digest realm=\"" AMT_REALM "\", nonce=\"" AMT_NONCE
     "\",stale=\"true\",qop=\"auth\"",
     2,
     {{HTTP_AUTH_NEGOTIATE, "", "", "", "", "", NULL, HTTP_STALE_ABSENT, 0},
      {HTTP_AUTH_DIGEST, AMT_REALM, AMT_NONCE, "auth", "", "", NULL, HTTP_STALE_TRUE, 0}}},
    {"digest_then_negotiate",
     "Digest realm=\"r\", nonce=\"n\", qop=\"auth\", Negotiate",
     2,
     {{HTTP_AUTH_DIGEST, "r", "n", "auth", "", "", NULL, HTTP_STALE_ABSENT, 0},
      {HTTP_AUTH_NEGOTIATE, "", "", "", "", "", NULL, HTTP_STALE_ABSENT, 0}}},
    {"negotiate_token",
     "Negotiate oYGyMIGvoAMKAQA=",
     1,
     {{HTTP_AUTH_NEGOTIATE, "", "", "", "", "", "oYGyMIGvoAMKAQA=", HTTP_STALE_ABSENT, 0}}},
    {"escapes",
     "Digest realm=\"a\\\"b\\\\c\", nonce=\"n,1\"",
     1,
     {{HTTP_AUTH_DIGEST, "a\"b\\c", "n,1", "", "", "", NULL, HTTP_STALE_ABSENT, 0}}},
    {"case_insensitive",
     "digest REALM=\"r\", Nonce=\"n\", STALE=TRUE, Algorithm=MD5, Opaque=\"o\"",
     1,
     {{HTTP_AUTH_DIGEST, "r", "n", "", "MD5", "o", NULL, HTTP_STALE_TRUE, 0}}},
    {"duplicate_first_wins",
     "Digest realm=\"first\", realm=\"second\", nonce=\"n\"",
     1,
     {{HTTP_AUTH_DIGEST, "first", "n", "", "", "", NULL, HTTP_STALE_ABSENT,
       HTTP_AUTH_F_DUPLICATE}}},
    {"unterminated_quote",
     "Digest realm=\"abc",
     1,
     {{HTTP_AUTH_DIGEST, "abc", "", "", "", "", NULL, HTTP_STALE_ABSENT, HTTP_AUTH_F_MALFORMED}}},
    {"bad_stale",
     "Digest realm=\"r\", stale=maybe",
     1,
     {{HTTP_AUTH_DIGEST, "r", "", "", "", "", NULL, HTTP_STALE_ABSENT, HTTP_AUTH_F_BAD_STALE}}},
    {"basic",
     "Basic realm=\"Intel(R) AMT\"",
     1,
     {{HTTP_AUTH_BASIC, "Intel(R) AMT", "", "", "", "", NULL, HTTP_STALE_ABSENT, 0}}},
    {"extra_commas",
     " , Digest  realm=\"r\" ,, nonce=\"n\" ,",
     1,
     {{HTTP_AUTH_DIGEST, "r", "n", "", "", "", NULL, HTTP_STALE_ABSENT, 0}}},
    {"unknown_param_kept_out",
     "Digest realm=\"r\", domain=\"/wsman\", nonce=\"n\"",
     1,
     {{HTTP_AUTH_DIGEST, "r", "n", "", "", "", NULL, HTTP_STALE_ABSENT,
       HTTP_AUTH_F_UNKNOWN_PARAM}}},
    {"empty", "", 0, {{0}}},
    {"blank", "  ,  ", 0, {{0}}},
};

static void run_challenge_case(void **state)
{
    const challenge_case *tc = *state;
    http_auth out[2];
    size_t n = http_auth_parse_challenges(tc->header, strlen(tc->header), out, 2);
    assert_int_equal(n, tc->count);
    for (size_t i = 0; i < n; i++) {
        const want_challenge *w = &tc->want[i];
        assert_int_equal(out[i].scheme, w->scheme);
        assert_string_equal(out[i].realm, w->realm);
        assert_string_equal(out[i].nonce, w->nonce);
        assert_string_equal(out[i].qop, w->qop);
        assert_string_equal(out[i].algorithm, w->algorithm);
        assert_string_equal(out[i].opaque, w->opaque);
        assert_int_equal(out[i].stale, w->stale);
        assert_int_equal(out[i].flags & w->flags, w->flags);
        if (w->token) {
            assert_true(out[i].present & HTTP_AUTH_P_TOKEN);
            assert_int_equal(out[i].token_len, strlen(w->token));
            assert_memory_equal(out[i].token, w->token, out[i].token_len);
        } else {
            assert_null(out[i].token);
        }
    }
}

static void challenge_details(void **state)
{
    (void)state;
    http_auth a;
    const char *amt16 = "Digest realm=\"" AMT_REALM "\", nonce=\"" AMT_NONCE
                        "\",stale=\"false\",qop=\"auth-int, auth\"";
    assert_int_equal(http_auth_parse_challenges(amt16, strlen(amt16), &a, 1), 1);
    assert_true(http_auth_qop_has(&a, "auth"));
    assert_true(http_auth_qop_has(&a, "AUTH-INT"));
    assert_false(http_auth_qop_has(&a, "auth-conf"));
    assert_true(amt_realm_valid(a.realm));
    unsigned want = HTTP_AUTH_P_REALM | HTTP_AUTH_P_NONCE | HTTP_AUTH_P_STALE | HTTP_AUTH_P_QOP;
    assert_int_equal(a.present, want);
    /* the AMT 15 header has no algorithm and no opaque */
    assert_false(a.present & (HTTP_AUTH_P_ALGORITHM | HTTP_AUTH_P_OPAQUE));

    /* more challenges than room: all counted, the first ones kept */
    const char *three = "Negotiate, Digest realm=\"r\", Basic realm=\"b\"";
    assert_int_equal(http_auth_parse_challenges(three, strlen(three), &a, 1), 3);
    assert_int_equal(a.scheme, HTTP_AUTH_NEGOTIATE);

    /* a value longer than its field is cut and flagged */
    char big[600];
    int off = snprintf(big, sizeof big, "Digest realm=\"");
    memset(big + off, 'A', 400);
    snprintf(big + off + 400, sizeof big - (size_t)off - 400, "\", nonce=\"n\"");
    assert_int_equal(http_auth_parse_challenges(big, strlen(big), &a, 1), 1);
    assert_true(a.flags & HTTP_AUTH_F_TRUNCATED);
    assert_int_equal(strlen(a.realm), HTTP_AUTH_VALUE_MAX - 1);
    assert_string_equal(a.nonce, "n");

    /* only len bytes are read: no NUL needed */
    const char part[] = "Digest realm=\"r\", nonce=\"nnnn\"GARBAGE";
    assert_int_equal(http_auth_parse_challenges(part, sizeof part - 1 - 7, &a, 1), 1);
    assert_string_equal(a.nonce, "nnnn");
    assert_false(a.flags & HTTP_AUTH_F_MALFORMED);

    assert_string_equal(http_auth_scheme_name(HTTP_AUTH_DIGEST), "digest");
    assert_string_equal(http_auth_scheme_name(HTTP_AUTH_NEGOTIATE), "negotiate");
}

/* ---- credentials (Authorization) ---- */

static void credentials_amt9_browser(void **state)
{
    (void)state;
    const char *h = "Digest username=\"admin\", realm=\"Digest:C8090000000000000000000000000000\", "
                    "nonce=\"JOKoAAdFAAApQD4w/l+88v4fscE6y2Ke\", uri=\"/index.htm\", "
                    "response=\"7a8df4aa68a83ba59855d7a433522cf7\", qop=auth, nc=00000001, "
                    "cnonce=\"6e8da33dda6b05d8\"";
    http_auth a;
    assert_int_equal(http_auth_parse_credentials(h, strlen(h), &a), 0);
    assert_int_equal(a.scheme, HTTP_AUTH_DIGEST);
    assert_string_equal(a.username, "admin");
    assert_string_equal(a.realm, "Digest:C8090000000000000000000000000000");
    assert_string_equal(a.nonce, "JOKoAAdFAAApQD4w/l+88v4fscE6y2Ke");
    assert_string_equal(a.uri, "/index.htm");
    assert_string_equal(a.response, "7a8df4aa68a83ba59855d7a433522cf7");
    assert_string_equal(a.qop, "auth");
    assert_string_equal(a.nc, "00000001");
    assert_string_equal(a.cnonce, "6e8da33dda6b05d8");
    assert_int_equal(a.flags, 0);
    assert_true(amt_realm_valid(a.realm));
}

static void credentials_empty_response(void **state)
{
    (void)state;
    /* CVE-2017-5689: the response is present and empty */
    const char *h = "Digest username=\"admin\", realm=\"Digest:C8090000000000000000000000000000\", "
                    "nonce=\"cZwGAQdHAACp1IXkfN+PXVbcKduiJY6i\", uri=\"/index.htm\", "
                    "response=\"\", qop=auth, nc=00000001, cnonce=\"33366b65c3dc402b\"";
    http_auth a;
    assert_int_equal(http_auth_parse_credentials(h, strlen(h), &a), 0);
    assert_true(a.present & HTTP_AUTH_P_RESPONSE);
    assert_string_equal(a.response, "");
    assert_int_equal(http_digest_check(&a, "GET", "anything"), HTTP_DIGEST_MISMATCH);

    /* nmap's probe: uri without slash, quoted qop, nc=1 */
    const char *nmap = "Digest username=\"admin\", realm=\"Digest:C809\", nonce=\"x\", "
                       "uri=\"index.htm\", response=\"\", qop=\"auth\", nc=\"1\", cnonce=\"c\"";
    assert_int_equal(http_auth_parse_credentials(nmap, strlen(nmap), &a), 0);
    assert_string_equal(a.uri, "index.htm");
    assert_string_equal(a.nc, "1");
    assert_string_equal(a.response, "");
    assert_false(amt_realm_valid(a.realm));
}

static void credentials_other_schemes(void **state)
{
    (void)state;
    http_auth a;
    const char *neg = "Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnagMDAuBgkqhkiC9xIBAgIGCSqGSIb3EgECAg==";
    assert_int_equal(http_auth_parse_credentials(neg, strlen(neg), &a), 0);
    assert_int_equal(a.scheme, HTTP_AUTH_NEGOTIATE);
    assert_ptr_equal(a.token, neg + 10);
    assert_int_equal(a.token_len, strlen(neg) - 10);
    assert_int_equal(http_digest_check(&a, "POST", "x"), HTTP_DIGEST_INCOMPLETE);

    const char *basic = "Basic YWRtaW46UEBzc3cwcmQ=";
    assert_int_equal(http_auth_parse_credentials(basic, strlen(basic), &a), 0);
    assert_int_equal(a.scheme, HTTP_AUTH_BASIC);
    assert_int_equal(a.token_len, 20);

    const char *other = "Bearer abc.def";
    assert_int_equal(http_auth_parse_credentials(other, strlen(other), &a), 0);
    assert_int_equal(a.scheme, HTTP_AUTH_OTHER);
    assert_string_equal(a.scheme_name, "Bearer");

    /* one set of credentials only: a second scheme is junk */
    const char *two = "Digest username=\"a\", Basic x";
    assert_int_equal(http_auth_parse_credentials(two, strlen(two), &a), 0);
    assert_true(a.flags & HTTP_AUTH_F_MALFORMED);
    assert_string_equal(a.username, "a");

    assert_int_equal(http_auth_parse_credentials("", 0, &a), -1);
    assert_int_equal(a.scheme, HTTP_AUTH_NONE);
    assert_int_equal(http_auth_parse_credentials("  =x", 4, &a), -1);
}

/* ---- realms ---- */

static void realms(void **state)
{
    (void)state;
    assert_true(amt_realm_valid("Digest:727734D63A1FC0423736E48DA554E462"));
    assert_true(amt_realm_valid("Digest:C8090000000000000000000000000000"));
    assert_true(amt_realm_valid("Digest:727734d63a1fc0423736e48da554e462"));
    assert_false(amt_realm_valid("Digest:727734D63A1FC0423736E48DA554E46"));   /* 31 */
    assert_false(amt_realm_valid("Digest:727734D63A1FC0423736E48DA554E4620")); /* 33 */
    assert_false(amt_realm_valid("Digest:727734D63A1FC0423736E48DA554E46G"));
    assert_false(amt_realm_valid("digest:727734D63A1FC0423736E48DA554E462"));
    assert_false(amt_realm_valid("Digest: 727734D63A1FC0423736E48DA554E46"));
    assert_false(amt_realm_valid("testrealm@host.com"));
    assert_false(amt_realm_valid(""));
    assert_false(amt_realm_valid(NULL));
}

/* ---- Digest responses ---- */

typedef struct kat {
    const char *name;
    const char *user, *realm, *password, *method, *uri, *nonce, *nc, *cnonce, *qop;
    const char *body; /* non-NULL: computed with http_digest_response_body */
    const char *expect;
} kat;

static const kat kats[] = {
    {"rfc2617_3_5", "Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
     "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth", NULL,
     "6629fae49393a05397450978507c4ef1"},
    {"amt_wsman_auth", "admin", AMT_REALM, "P@ssw0rd1", "POST", "/wsman", AMT_NONCE, "00000001",
     "6e8da33dda6b05d8", "auth", NULL, "6d4b571d140f4793dd83d7eccbc67d2d"},
    {"amt_wsman_rfc2069", "admin", AMT_REALM, "P@ssw0rd1", "POST", "/wsman", AMT_NONCE, NULL, NULL,
     NULL, NULL, "21284ff367f70b11dfdfbef48b6d5e98"},
    {"amt_wsman_rfc2069_empty_qop", "admin", AMT_REALM, "P@ssw0rd1", "POST", "/wsman", AMT_NONCE,
     NULL, NULL, "", NULL, "21284ff367f70b11dfdfbef48b6d5e98"},
    {"amt_wsman_auth_int", "admin", AMT_REALM, "P@ssw0rd1", "POST", "/wsman", AMT_NONCE, "00000002",
     "0a4f113b", "auth-int", "<x/>", "c9bcf49d57530027a44cd9758c5fc2f6"},
    {"amt9_web_ui", "admin", "Digest:C8090000000000000000000000000000", "Admin!234", "GET",
     "/index.htm", "JOKoAAdFAAApQD4w/l+88v4fscE6y2Ke", "00000001", "6e8da33dda6b05d8", "auth", NULL,
     "3b6d1e5307fb3bdcef6493f6073a8108"},
};

static void run_kat(void **state)
{
    const kat *k = *state;
    char out[33];
    int rc = k->body ? http_digest_response_body(k->user, k->realm, k->password, k->method, k->uri,
                                                 k->nonce, k->nc, k->cnonce, k->qop, k->body,
                                                 strlen(k->body), out)
                     : http_digest_response(k->user, k->realm, k->password, k->method, k->uri,
                                            k->nonce, k->nc, k->cnonce, k->qop, out);
    assert_int_equal(rc, 0);
    assert_string_equal(out, k->expect);
}

static void digest_response_errors(void **state)
{
    (void)state;
    char out[33];
    /* auth-int without the body, an unknown qop, a missing argument */
    assert_int_equal(http_digest_response("u", "r", "p", "POST", "/wsman", "n", "00000001", "c",
                                          "auth-int", out),
                     -1);
    assert_int_equal(
        http_digest_response("u", "r", "p", "POST", "/wsman", "n", "00000001", "c", "auth-x", out),
        -1);
    assert_int_equal(
        http_digest_response("u", "r", "p", "POST", "/wsman", "n", NULL, NULL, "auth", out), -1);
    assert_int_equal(
        http_digest_response(NULL, "r", "p", "POST", "/wsman", "n", NULL, NULL, NULL, out), -1);
}

/* ---- verification ---- */

typedef struct check_case {
    const char *name;
    const char *header;
    const char *method;
    const char *password;
    const char *body; /* non-NULL: http_digest_check_body */
    http_digest_result expect;
} check_case;

#define AMT_CREDS(resp, extra)                                                                     \
    "Digest username=\"admin\", realm=\"" AMT_REALM "\", nonce=\"" AMT_NONCE                       \
    "\", uri=\"/wsman\", response=\"" resp "\"" extra

static const check_case check_cases[] = {
    {"match",
     AMT_CREDS("6d4b571d140f4793dd83d7eccbc67d2d",
               ", qop=auth, nc=00000001, cnonce=\"6e8da33dda6b05d8\""),
     "POST", "P@ssw0rd1", NULL, HTTP_DIGEST_MATCH},
    {"match_uppercase_hex",
     AMT_CREDS("6D4B571D140F4793DD83D7ECCBC67D2D",
               ", qop=\"auth\", nc=00000001, cnonce=\"6e8da33dda6b05d8\""),
     "POST", "P@ssw0rd1", NULL, HTTP_DIGEST_MATCH},
    {"wrong_password",
     AMT_CREDS("6d4b571d140f4793dd83d7eccbc67d2d",
               ", qop=auth, nc=00000001, cnonce=\"6e8da33dda6b05d8\""),
     "POST", "P@ssw0rd2", NULL, HTTP_DIGEST_MISMATCH},
    {"wrong_method",
     AMT_CREDS("6d4b571d140f4793dd83d7eccbc67d2d",
               ", qop=auth, nc=00000001, cnonce=\"6e8da33dda6b05d8\""),
     "GET", "P@ssw0rd1", NULL, HTTP_DIGEST_MISMATCH},
    {"empty_response", AMT_CREDS("", ", qop=auth, nc=00000001, cnonce=\"6e8da33dda6b05d8\""),
     "POST", "P@ssw0rd1", NULL, HTTP_DIGEST_MISMATCH},
    {"prefix_response",
     AMT_CREDS("6d4b571d", ", qop=auth, nc=00000001, cnonce=\"6e8da33dda6b05d8\""), "POST",
     "P@ssw0rd1", NULL, HTTP_DIGEST_MISMATCH},
    {"rfc2069", AMT_CREDS("21284ff367f70b11dfdfbef48b6d5e98", ""), "POST", "P@ssw0rd1", NULL,
     HTTP_DIGEST_MATCH},
    {"md5_sess",
     AMT_CREDS("c3adbfa7c321b89abecb52b43c753b44",
               ", algorithm=MD5-sess, qop=auth, nc=00000001, cnonce=\"6e8da33dda6b05d8\""),
     "POST", "P@ssw0rd1", NULL, HTTP_DIGEST_MATCH},
    {"auth_int_without_body",
     AMT_CREDS("c9bcf49d57530027a44cd9758c5fc2f6",
               ", qop=auth-int, nc=00000002, cnonce=\"0a4f113b\""),
     "POST", "P@ssw0rd1", NULL, HTTP_DIGEST_INCOMPLETE},
    {"auth_int_with_body",
     AMT_CREDS("c9bcf49d57530027a44cd9758c5fc2f6",
               ", qop=auth-int, nc=00000002, cnonce=\"0a4f113b\""),
     "POST", "P@ssw0rd1", "<x/>", HTTP_DIGEST_MATCH},
    {"missing_cnonce", AMT_CREDS("6d4b571d140f4793dd83d7eccbc67d2d", ", qop=auth, nc=00000001"),
     "POST", "P@ssw0rd1", NULL, HTTP_DIGEST_INCOMPLETE},
    {"sha256",
     AMT_CREDS("6d4b571d140f4793dd83d7eccbc67d2d",
               ", algorithm=SHA-256, qop=auth, nc=00000001, cnonce=\"x\""),
     "POST", "P@ssw0rd1", NULL, HTTP_DIGEST_INCOMPLETE},
    {"no_response", "Digest username=\"admin\", realm=\"r\", nonce=\"n\", uri=\"/wsman\"", "POST",
     "P@ssw0rd1", NULL, HTTP_DIGEST_INCOMPLETE},
    {"rfc2617_example",
     "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
     "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, "
     "nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", "
     "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
     "GET", "Circle Of Life", NULL, HTTP_DIGEST_MATCH},
};

static void run_check_case(void **state)
{
    const check_case *tc = *state;
    http_auth a;
    assert_int_equal(http_auth_parse_credentials(tc->header, strlen(tc->header), &a), 0);
    http_digest_result r =
        tc->body ? http_digest_check_body(&a, tc->method, tc->password, tc->body, strlen(tc->body))
                 : http_digest_check(&a, tc->method, tc->password);
    assert_int_equal(r, tc->expect);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Mutated headers, parsed without a terminating NUL (the bytes are copied
 * into an exact-size buffer, so ASan catches any read past len). */
static void mutations(void **state)
{
    (void)state;
    static const char pool[] = "\",=\\ \tDigest;\x80";
    unsigned seed = 12345;
    for (int round = 0; round < 300; round++) {
        for (size_t i = 0; i < N(check_cases) + N(challenge_cases); i++) {
            const char *src = i < N(check_cases) ? check_cases[i].header
                                                 : challenge_cases[i - N(check_cases)].header;
            size_t len = strlen(src);
            char *x = malloc(len ? len : 1);
            memcpy(x, src, len);
            for (int f = 0; f < 3 && len; f++) {
                seed = seed * 1103515245u + 12345u;
                x[(seed >> 8) % len] = pool[(seed >> 20) % (sizeof pool - 1)];
            }
            seed = seed * 1103515245u + 12345u;
            size_t cut = round % 3 == 0 ? (seed >> 8) % (len + 1) : len;
            http_auth a[3];
            size_t n = http_auth_parse_challenges(x, cut, a, 3);
            for (size_t k = 0; k < n && k < 3; k++) {
                assert_true(strlen(a[k].realm) < sizeof a[k].realm);
                assert_true(a[k].token == NULL ||
                            (a[k].token >= x && a[k].token + a[k].token_len <= x + cut));
            }
            if (http_auth_parse_credentials(x, cut, &a[0]) == 0)
                (void)http_digest_check(&a[0], "POST", "secret");
            free(x);
        }
    }
}

int main(void)
{
    static struct CMUnitTest tests[N(challenge_cases) + N(kats) + N(check_cases) + 8];
    size_t n = 0;
    for (size_t i = 0; i < N(challenge_cases); i++)
        tests[n++] = (struct CMUnitTest){challenge_cases[i].name, run_challenge_case, NULL, NULL,
                                         (void *)&challenge_cases[i]};
    for (size_t i = 0; i < N(kats); i++)
        tests[n++] = (struct CMUnitTest){kats[i].name, run_kat, NULL, NULL, (void *)&kats[i]};
    for (size_t i = 0; i < N(check_cases); i++)
        tests[n++] = (struct CMUnitTest){check_cases[i].name, run_check_case, NULL, NULL,
                                         (void *)&check_cases[i]};
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(challenge_details),
        cmocka_unit_test(credentials_amt9_browser),
        cmocka_unit_test(credentials_empty_response),
        cmocka_unit_test(credentials_other_schemes),
        cmocka_unit_test(realms),
        cmocka_unit_test(digest_response_errors),
        cmocka_unit_test(mutations),
    };
    for (size_t i = 0; i < N(fixed); i++)
        tests[n++] = fixed[i];
    return _cmocka_run_group_tests("http_auth", tests, n, NULL, NULL);
}
