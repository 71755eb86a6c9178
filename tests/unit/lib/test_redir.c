/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/redir: framing of every message type (whole, short
 * by one byte, header incomplete), the session-dependent 0x40/0x41,
 * absurd lengths, and the login messages' decoding, including strings
 * running past the data and a Digest response checked against its
 * password. The Digest answer was computed with md5sum in a shell:
 *   HA1=$(printf %s 'admin:Digest:2B8B0000000000000000000000000000:P@ssw0rd' | md5sum)
 *   HA2=$(printf %s 'POST:/RedirectionService' | md5sum)
 *   printf %s "$HA1:n0nce:00000002:c0ffee:auth:$HA2" | md5sum */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "amtdiag/redir.h"

/* A message of type t, n bytes long, zero after the type. */
static size_t msg(uint8_t *buf, uint8_t t, size_t n)
{
    memset(buf, 0, n);
    buf[0] = t;
    return n;
}

static void frames_whole_and_asks_for_the_rest(void **state)
{
    (void)state;
    static const struct {
        uint8_t type;
        size_t len;
        redir_session s;
    } fixed[] = {
        {REDIR_START_SESSION, 8, REDIR_SESSION_UNKNOWN},
        {REDIR_START_SESSION_REPLY, 13, REDIR_SESSION_UNKNOWN},
        {REDIR_END_SESSION, 4, REDIR_SESSION_SOL},
        {REDIR_AUTHENTICATE, 9, REDIR_SESSION_SOL},
        {REDIR_AUTHENTICATE_REPLY, 9, REDIR_SESSION_SOL},
        {REDIR_START_SOL, 24, REDIR_SESSION_SOL},
        {REDIR_START_SOL_REPLY, 23, REDIR_SESSION_SOL},
        {REDIR_END_SOL, 8, REDIR_SESSION_SOL},
        {REDIR_SOL_SETTINGS, 14, REDIR_SESSION_SOL},
        {REDIR_SOL_DATA_TO_HOST, 10, REDIR_SESSION_SOL},
        {REDIR_SOL_CONTROLS_FROM_HOST, 10, REDIR_SESSION_SOL},
        {REDIR_SOL_HEARTBEAT, 8, REDIR_SESSION_SOL},
        {REDIR_START_IDER, 18, REDIR_SESSION_IDER},
        {REDIR_START_IDER, 8, REDIR_SESSION_KVM},
        {REDIR_START_IDER_REPLY, 30, REDIR_SESSION_IDER},
        {REDIR_START_IDER_REPLY, 8, REDIR_SESSION_KVM},
        {REDIR_IDER_RESET_OCCURRED, 9, REDIR_SESSION_IDER},
        {REDIR_IDER_DISABLE_ENABLE_FEATURES_REPLY, 13, REDIR_SESSION_IDER},
        {REDIR_IDER_ERROR_OCCURRED, 11, REDIR_SESSION_IDER},
        {REDIR_IDER_COMMAND_WRITTEN, 28, REDIR_SESSION_IDER},
        {REDIR_IDER_COMMAND_END_RESPONSE, 31, REDIR_SESSION_IDER},
        {REDIR_IDER_GET_DATA_FROM_HOST, 31, REDIR_SESSION_IDER},
        {REDIR_IDER_DATA_FROM_HOST, 14, REDIR_SESSION_IDER},
        {REDIR_IDER_DATA_TO_HOST, 34, REDIR_SESSION_IDER},
    };
    uint8_t buf[64];
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        size_t need = 99, n = msg(buf, fixed[i].type, fixed[i].len);
        assert_int_equal(redir_frame(buf, n + 5, fixed[i].s, &need), (long)n);
        assert_non_null(redir_msg_name(fixed[i].type));
        /* one byte short: more is needed, and how much once the header is whole */
        long r = redir_frame(buf, n - 1, fixed[i].s, &need);
        assert_int_equal(r, 0);
        assert_true(need == n || need == 0);
    }
    size_t need;
    assert_int_equal(redir_frame(buf, 0, REDIR_SESSION_SOL, &need), 0);
    assert_int_equal(need, 0);
}

static void variable_lengths(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t need;
    /* StartRedirectionSessionReply: OEM data length at [12] */
    msg(buf, REDIR_START_SESSION_REPLY, 13);
    buf[12] = 2;
    assert_int_equal(redir_frame(buf, 15, REDIR_SESSION_UNKNOWN, &need), 15);
    assert_int_equal(redir_frame(buf, 13, REDIR_SESSION_UNKNOWN, &need), 0);
    assert_int_equal(need, 15);
    assert_int_equal(redir_frame(buf, 12, REDIR_SESSION_UNKNOWN, &need), 0);
    assert_int_equal(need, 0); /* header incomplete: length unknown */
    /* AuthenticateSession: LE32 at [5] */
    msg(buf, REDIR_AUTHENTICATE, 9);
    buf[5] = 0x20;
    assert_int_equal(redir_frame(buf, 41, REDIR_SESSION_SOL, &need), 41);
    /* SOL data: LE16 at [8] */
    msg(buf, REDIR_SOL_DATA_FROM_HOST, 10);
    buf[8] = 0x01;
    buf[9] = 0x01; /* 257 */
    assert_int_equal(redir_frame(buf, 10, REDIR_SESSION_SOL, &need), 0);
    assert_int_equal(need, 267);
    /* IDE-R features: sub-command 1 has no value */
    msg(buf, REDIR_IDER_DISABLE_ENABLE_FEATURES, 9);
    buf[8] = 1;
    assert_int_equal(redir_frame(buf, 20, REDIR_SESSION_IDER, &need), 9);
    buf[8] = 3;
    assert_int_equal(redir_frame(buf, 20, REDIR_SESSION_IDER, &need), 13);
    /* IDE-R data: LE16 at [9] after a 14- or 34-byte header */
    msg(buf, REDIR_IDER_DATA_TO_HOST, 34);
    buf[9] = 6;
    assert_int_equal(redir_frame(buf, 64, REDIR_SESSION_IDER, &need), 40);
}

static void refuses_what_is_not_this_protocol(void **state)
{
    (void)state;
    /* a TLS record where clear redirection was expected */
    uint8_t buf[16] = {0x16, 0x03, 0x01, 0x00, 0x05};
    size_t need;
    assert_int_equal(redir_frame(buf, 12, REDIR_SESSION_UNKNOWN, &need), -1);
    assert_null(redir_msg_name(0x00));
    assert_null(redir_msg_name(0xFF));
    /* an AuthenticateSession of 4 GiB */
    msg(buf, REDIR_AUTHENTICATE, 9);
    memset(buf + 5, 0xFF, 4);
    assert_int_equal(redir_frame(buf, 9, REDIR_SESSION_SOL, &need), -1);
    /* just under the limit is framed (and waits for its bytes) */
    uint32_t ok = REDIR_MAX_MESSAGE - 9;
    memcpy(buf + 5, (uint8_t[]){ok & 0xFF, ok >> 8 & 0xFF, ok >> 16 & 0xFF, ok >> 24}, 4);
    assert_int_equal(redir_frame(buf, 9, REDIR_SESSION_SOL, &need), 0);
    assert_int_equal(need, REDIR_MAX_MESSAGE);
}

static void names(void **state)
{
    (void)state;
    assert_int_equal(redir_session_of_tag((const uint8_t *)"SOL "), REDIR_SESSION_SOL);
    assert_int_equal(redir_session_of_tag((const uint8_t *)"IDER"), REDIR_SESSION_IDER);
    assert_int_equal(redir_session_of_tag((const uint8_t *)"KVMR"), REDIR_SESSION_KVM);
    assert_int_equal(redir_session_of_tag((const uint8_t *)"XXXX"), REDIR_SESSION_UNKNOWN);
    assert_string_equal(redir_start_status_name(2), "BUSY");
    assert_string_equal(redir_start_status_name(0xFF), "ERROR");
    assert_null(redir_start_status_name(7));
    assert_string_equal(redir_auth_status_name(2), "NOT_SUPPORTED");
    assert_string_equal(redir_auth_type_name(REDIR_AUTH_KERBEROS), "Kerberos");
    assert_null(redir_auth_type_name(9));
}

/* Appends a length-prefixed string. */
static size_t lp(uint8_t *p, size_t off, const char *s)
{
    p[off] = (uint8_t)strlen(s);
    memcpy(p + off + 1, s, strlen(s));
    return off + 1 + strlen(s);
}

static size_t auth_msg(uint8_t *p, uint8_t t, uint8_t status, uint8_t type, size_t data_end)
{
    p[0] = t;
    p[1] = status;
    p[2] = p[3] = 0;
    p[4] = type;
    uint32_t n = (uint32_t)(data_end - 9);
    memcpy(p + 5, (uint8_t[]){n & 0xFF, n >> 8 & 0xFF, n >> 16 & 0xFF, n >> 24}, 4);
    return data_end;
}

static void digest_login(void **state)
{
    (void)state;
    uint8_t p[512];
    redir_auth a;
    /* the console's response */
    size_t o = 9;
    const char *f[] = {
        "admin",    "Digest:2B8B0000000000000000000000000000", "n0nce", REDIR_DIGEST_URI, "c0ffee",
        "00000002", "6c89d8b5b6aeb0bfd1c1758a7222b002",        "auth"};
    for (size_t i = 0; i < 8; i++)
        o = lp(p, o, f[i]);
    size_t n = auth_msg(p, REDIR_AUTHENTICATE, 0, REDIR_AUTH_DIGEST, o);
    assert_int_equal(redir_auth_parse(p, n, &a), 0);
    assert_false(a.is_reply);
    assert_false(a.malformed);
    assert_string_equal(a.digest.username, "admin");
    assert_string_equal(a.digest.uri, REDIR_DIGEST_URI);
    assert_string_equal(a.digest.nc, "00000002");
    assert_true(a.digest.present & HTTP_AUTH_P_RESPONSE);
    /* the response is md5sum's answer (see the header) */
    assert_int_equal(http_digest_check(&a.digest, REDIR_DIGEST_METHOD, "P@ssw0rd"),
                     HTTP_DIGEST_MATCH);
    assert_int_equal(http_digest_check(&a.digest, REDIR_DIGEST_METHOD, "other"),
                     HTTP_DIGEST_MISMATCH);
    /* the first request: user and URI, the rest empty (absent) */
    o = 9;
    const char *g[] = {"admin", "", "", REDIR_DIGEST_URI, "", "", "", ""};
    for (size_t i = 0; i < 8; i++)
        o = lp(p, o, g[i]);
    n = auth_msg(p, REDIR_AUTHENTICATE, 0, REDIR_AUTH_DIGEST, o);
    assert_int_equal(redir_auth_parse(p, n, &a), 0);
    assert_false(a.digest.present & (HTTP_AUTH_P_RESPONSE | HTTP_AUTH_P_NONCE));
    assert_true(a.digest.present & HTTP_AUTH_P_USERNAME);
    /* AMT's challenge: realm, nonce, qop */
    o = lp(p, lp(p, lp(p, 9, f[1]), "n0nce"), "auth");
    n = auth_msg(p, REDIR_AUTHENTICATE_REPLY, 1, REDIR_AUTH_DIGEST, o);
    assert_int_equal(redir_auth_parse(p, n, &a), 0);
    assert_true(a.is_reply);
    assert_int_equal(a.status, 1);
    assert_string_equal(a.digest.nonce, "n0nce");
    assert_string_equal(a.digest.qop, "auth");
    /* a bare rejection has no strings, and is not malformed */
    n = auth_msg(p, REDIR_AUTHENTICATE_REPLY, 1, REDIR_AUTH_DIGEST, 9);
    assert_int_equal(redir_auth_parse(p, n, &a), 0);
    assert_false(a.malformed);
    assert_false(a.digest.present);
}

static void other_logins_and_bad_ones(void **state)
{
    (void)state;
    uint8_t p[512];
    redir_auth a;
    /* the query's answer: the methods offered */
    p[9] = 1, p[10] = 3, p[11] = 4;
    size_t n = auth_msg(p, REDIR_AUTHENTICATE_REPLY, 0, REDIR_AUTH_QUERY, 12);
    assert_int_equal(redir_auth_parse(p, n, &a), 0);
    assert_int_equal(a.n_methods, 3);
    assert_int_equal(a.methods[2], REDIR_AUTH_DIGEST);
    /* user/password: the user kept, the password not */
    n = auth_msg(p, REDIR_AUTHENTICATE, 0, REDIR_AUTH_USER_PASSWORD,
                 lp(p, lp(p, 9, "admin"), "secret"));
    assert_int_equal(redir_auth_parse(p, n, &a), 0);
    assert_string_equal(a.user, "admin");
    assert_null(memmem(&a, sizeof a, "secret", 6));
    /* Kerberos: the ticket's length */
    n = auth_msg(p, REDIR_AUTHENTICATE, 0, REDIR_AUTH_KERBEROS, 9 + 300);
    assert_int_equal(redir_auth_parse(p, n, &a), 0);
    assert_int_equal(a.ticket_len, 300);
    /* a string running past the data */
    n = auth_msg(p, REDIR_AUTHENTICATE, 0, REDIR_AUTH_DIGEST, lp(p, 9, "admin"));
    p[9] = 200;
    assert_int_equal(redir_auth_parse(p, n, &a), 0);
    assert_true(a.malformed);
    /* data shorter than its length field says */
    n = auth_msg(p, REDIR_AUTHENTICATE, 0, REDIR_AUTH_DIGEST, 40);
    assert_int_equal(redir_auth_parse(p, 20, &a), 0);
    assert_true(a.malformed);
    /* not a login message, or shorter than its header */
    assert_int_equal(redir_auth_parse(p, 8, &a), -1);
    p[0] = REDIR_START_SOL;
    assert_int_equal(redir_auth_parse(p, 24, &a), -1);
    (void)n;
}

/* Every prefix of every byte value as type: no read past avail (ASan). */
static void every_prefix(void **state)
{
    (void)state;
    uint8_t buf[40];
    for (unsigned t = 0; t < 256; t++) {
        memset(buf, 0xEE, sizeof buf);
        buf[0] = (uint8_t)t;
        for (size_t n = 0; n <= sizeof buf; n++) {
            uint8_t *copy = test_malloc(n ? n : 1);
            memcpy(copy, buf, n);
            size_t need;
            for (int s = REDIR_SESSION_UNKNOWN; s <= REDIR_SESSION_KVM; s++)
                (void)redir_frame(copy, n, (redir_session)s, &need);
            redir_auth a;
            (void)redir_auth_parse(copy, n, &a);
            test_free(copy);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frames_whole_and_asks_for_the_rest),
        cmocka_unit_test(variable_lengths),
        cmocka_unit_test(refuses_what_is_not_this_protocol),
        cmocka_unit_test(names),
        cmocka_unit_test(digest_login),
        cmocka_unit_test(other_logins_and_bad_ones),
        cmocka_unit_test(every_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
