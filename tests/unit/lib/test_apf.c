/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/apf: framing of every message (whole, short by one,
 * a length field still missing), the two forms of UserAuthFailure and of
 * RequestSuccess, absurd lengths and types, field decoding (the password
 * kept only as its hash and never shown), a whole CIRA conversation framed
 * back to back, and every prefix and truncation of it parsed without
 * reading out of bounds. Messages are built here byte by byte from the
 * layouts in docs/cira.md. The SHA-256 of "P@ssw0rd" was computed with
 * `printf %s 'P@ssw0rd' | sha256sum`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "amtdiag/apf.h"
#include "apf_build.h"

static msg protocol_version(void)
{
    msg m = start(APF_PROTOCOL_VERSION);
    u32(&m, 1);
    u32(&m, 0);
    u32(&m, 4); /* periodic */
    static const uint8_t uuid[16] = {0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66,
                                     0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    for (int i = 0; i < 16; i++)
        u8(&m, uuid[i]);
    for (int i = 0; i < 64; i++)
        u8(&m, 0);
    return m;
}

static msg service(uint8_t type, const char *name)
{
    msg m = start(type);
    str(&m, name);
    return m;
}

static msg userauth_password(const char *user, const char *pw)
{
    msg m = start(APF_USERAUTH_REQUEST);
    str(&m, user);
    str(&m, "pfwd@amt.intel.com");
    str(&m, "password");
    u8(&m, 0);
    str(&m, pw);
    return m;
}

static msg userauth_failure(int two_byte_flag)
{
    msg m = start(APF_USERAUTH_FAILURE);
    str(&m, "password");
    u8(&m, 0);
    if (two_byte_flag)
        u8(&m, 0);
    return m;
}

static msg tcpip_forward(const char *name, uint32_t port)
{
    msg m = start(APF_GLOBAL_REQUEST);
    str(&m, "tcpip-forward");
    u8(&m, 1);
    str(&m, name);
    u32(&m, port);
    return m;
}

static msg fixed(uint8_t type, size_t len)
{
    msg m = start(type);
    while (m.n < len)
        u8(&m, 0);
    return m;
}

/* Frames m whole, then asks for the rest when one byte short. */
static void frames(const msg *m, const apf_frame_ctx *ctx)
{
    size_t need = 99;
    assert_int_equal(apf_frame(m->b, m->n, ctx, &need), (long)m->n);
    if (m->n > 1) {
        need = 99;
        long r = apf_frame(m->b, m->n - 1, ctx, &need);
        assert_int_equal(r, 0);
        assert_true(need == m->n || need == 0);
    }
}

static void every_fixed_message(void **state)
{
    (void)state;
    static const struct {
        uint8_t type;
        size_t len;
    } t[] = {
        {APF_DISCONNECT, 7},
        {APF_USERAUTH_SUCCESS, 1},
        {APF_REQUEST_FAILURE, 1},
        {APF_CHANNEL_OPEN_CONFIRMATION, 17},
        {APF_CHANNEL_OPEN_FAILURE, 17},
        {APF_CHANNEL_WINDOW_ADJUST, 9},
        {APF_CHANNEL_CLOSE, 5},
        {APF_PROTOCOL_VERSION, 93},
        {APF_KEEPALIVE_REQUEST, 5},
        {APF_KEEPALIVE_REPLY, 5},
        {APF_KEEPALIVE_OPTIONS_REQUEST, 9},
        {APF_KEEPALIVE_OPTIONS_REPLY, 9},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        msg m = fixed(t[i].type, t[i].len);
        frames(&m, NULL);
        size_t need = 0;
        if (t[i].len > 1) {
            assert_int_equal(apf_frame(m.b, t[i].len - 1, NULL, &need), 0);
            assert_int_equal(need, t[i].len);
        }
        assert_non_null(apf_msg_name(t[i].type));
    }
}

static void variable_messages(void **state)
{
    (void)state;
    msg m = service(APF_SERVICE_REQUEST, "auth@amt.intel.com");
    frames(&m, NULL);
    assert_int_equal(m.n, 5 + 18);
    m = userauth_password("mpsuser", "P@ssw0rd");
    assert_int_equal(m.n, 18 + 7 + 18 + 8 + 8);
    frames(&m, NULL);
    m = tcpip_forward("amt.example.com", 16992);
    assert_int_equal(m.n, 14 + 13 + 15);
    frames(&m, NULL);
    m = channel_open(4, "amt.example.com", 16992);
    assert_int_equal(m.n, 33 + 15 + 15 + 10);
    frames(&m, NULL);
    m = channel_data(7, "GET / HTTP/1.1\r\n\r\n");
    frames(&m, NULL);

    /* A user/password login with the method "none" has no password. */
    m = start(APF_USERAUTH_REQUEST);
    str(&m, "u");
    str(&m, "pfwd@amt.intel.com");
    str(&m, "none");
    assert_int_equal(apf_frame(m.b, m.n, NULL, NULL), (long)m.n);

    /* A length field not all there: the whole length is not known. */
    size_t need = 99;
    m = channel_open(4, "amt.example.com", 16992);
    assert_int_equal(apf_frame(m.b, 3, NULL, &need), 0);
    assert_int_equal(need, 0);
    assert_int_equal(apf_frame(m.b, 30, NULL, &need), 0);
    assert_int_equal(need, 0);
    /* ... and once the last one is read, it is. */
    assert_int_equal(apf_frame(m.b, m.n - 2, NULL, &need), 0);
    assert_int_equal(need, m.n);

    /* udp-send-to carries two addresses and data. */
    m = start(APF_GLOBAL_REQUEST);
    str(&m, "udp-send-to@amt.intel.com");
    u8(&m, 0);
    str(&m, "192.0.2.1");
    u32(&m, 162);
    str(&m, "192.0.2.20");
    u32(&m, 16992);
    str(&m, "trap");
    frames(&m, NULL);
    apf_msg p;
    assert_int_equal(apf_parse(m.b, m.n, &p), 0);
    assert_string_equal(p.address, "192.0.2.1");
    assert_string_equal(p.origin, "192.0.2.20");
    assert_int_equal(p.data_len, 4);
    assert_false(p.malformed);

    /* Another global request: name and want-reply only. */
    m = start(APF_GLOBAL_REQUEST);
    str(&m, "keepalive@example.com");
    u8(&m, 0);
    assert_int_equal(apf_frame(m.b, m.n, NULL, NULL), (long)m.n);
}

/* UserAuthFailure: the 1-byte flag of SSH, or the 2 bytes the MPSs write. */
static void userauth_failure_forms(void **state)
{
    (void)state;
    msg one = userauth_failure(0), two = userauth_failure(1);
    assert_int_equal(one.n, 14);
    assert_int_equal(two.n, 15);
    assert_int_equal(apf_frame(one.b, one.n, NULL, NULL), 14);
    assert_int_equal(apf_frame(two.b, two.n, NULL, NULL), 15);
    /* Followed by another message, the 1-byte form stays 14. */
    msg both = one;
    both.b[both.n++] = APF_DISCONNECT;
    assert_int_equal(apf_frame(both.b, both.n, NULL, NULL), 14);
    /* The trailer arriving alone later is framed only after a failure. */
    const uint8_t zero = 0;
    apf_frame_ctx after = {-1, 1}, other = {-1, 0};
    assert_int_equal(apf_frame(&zero, 1, &after, NULL), 1);
    assert_int_equal(apf_frame(&zero, 1, &other, NULL), -1);
    assert_int_equal(apf_frame(&zero, 1, NULL, NULL), -1);
}

/* RequestSuccess: with the port bound after tcpip-forward, else alone. */
static void request_success_forms(void **state)
{
    (void)state;
    msg port = start(APF_REQUEST_SUCCESS);
    u32(&port, 16993);
    uint8_t bare[2] = {APF_REQUEST_SUCCESS, APF_CHANNEL_CLOSE};
    apf_frame_ctx fwd = {1, 0}, cancel = {0, 0}, unknown = APF_FRAME_CTX_UNKNOWN;
    assert_int_equal(apf_frame(port.b, port.n, &fwd, NULL), 5);
    assert_int_equal(apf_frame(bare, 2, &cancel, NULL), 1);
    /* Not known: byte 1 tells (0: a port's high byte; no type is 0). */
    assert_int_equal(apf_frame(port.b, port.n, &unknown, NULL), 5);
    assert_int_equal(apf_frame(bare, 2, &unknown, NULL), 1);
    size_t need = 9;
    assert_int_equal(apf_frame(bare, 1, &unknown, &need), 0);
    assert_int_equal(need, 0);
    assert_int_equal(apf_frame(bare, 1, &cancel, NULL), 1);
    apf_msg p;
    assert_int_equal(apf_parse(port.b, port.n, &p), 0);
    assert_true(p.has_port);
    assert_int_equal(p.port, 16993);
    char line[128];
    apf_msg_text(port.b, port.n, line, sizeof line);
    assert_string_equal(line, "RequestSuccess, port 16993");
}

static void refuses_what_is_not_apf(void **state)
{
    (void)state;
    /* TLS, HTTP and unknown types */
    const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00, 0x10};
    assert_int_equal(apf_frame(tls, sizeof tls, NULL, NULL), -1);
    assert_int_equal(apf_frame((const uint8_t *)"GET / HTTP/1.1", 14, NULL, NULL), -1);
    const uint8_t unknown[] = {0x60, 0, 0, 0, 0};
    assert_int_equal(apf_frame(unknown, sizeof unknown, NULL, NULL), -1);
    assert_null(apf_msg_name(0x60));
    apf_msg p;
    assert_int_equal(apf_parse(unknown, sizeof unknown, &p), -1);
    assert_int_equal(apf_parse(unknown, 0, &p), -1);
    /* Absurd lengths: a string past APF_MAX_STRING, data past APF_MAX_DATA */
    msg m = start(APF_SERVICE_REQUEST);
    u32(&m, APF_MAX_STRING + 1);
    assert_int_equal(apf_frame(m.b, m.n, NULL, NULL), -1);
    m = start(APF_CHANNEL_DATA);
    u32(&m, 4);
    u32(&m, APF_MAX_DATA + 1);
    assert_int_equal(apf_frame(m.b, m.n, NULL, NULL), -1);
    m = start(APF_CHANNEL_DATA);
    u32(&m, 4);
    u32(&m, 0xffffffffu);
    assert_int_equal(apf_frame(m.b, m.n, NULL, NULL), -1);
    /* Nothing at all: more is needed. */
    size_t need = 5;
    assert_int_equal(apf_frame(m.b, 0, NULL, &need), 0);
    assert_int_equal(need, 0);
}

static void fields_and_text(void **state)
{
    (void)state;
    char line[512];
    apf_msg p;

    msg m = protocol_version();
    assert_int_equal(apf_parse(m.b, m.n, &p), 0);
    assert_int_equal(p.major, 1);
    assert_int_equal(p.trigger, 4);
    apf_msg_text(m.b, m.n, line, sizeof line);
    assert_string_equal(line, "ProtocolVersion 1.0, UUID 00112233-4455-6677-8899-aabbccddeeff, "
                              "trigger periodic");

    m = userauth_password("mpsuser", "P@ssw0rd");
    assert_int_equal(apf_parse(m.b, m.n, &p), 0);
    assert_string_equal(p.user, "mpsuser");
    assert_string_equal(p.service, "pfwd@amt.intel.com");
    assert_string_equal(p.method, "password");
    assert_true(p.has_password);
    assert_int_equal(p.password_len, 8);
    static const uint8_t sha[32] = {0xb0, 0x3d, 0xdf, 0x3c, 0xa2, 0xe7, 0x14, 0xa6,
                                    0x54, 0x8e, 0x74, 0x95, 0xe2, 0xa0, 0x3f, 0x5e,
                                    0x82, 0x4e, 0xaa, 0xc9, 0x83, 0x7c, 0xd7, 0xf1,
                                    0x59, 0xc6, 0x7b, 0x90, 0xfb, 0x4b, 0x73, 0x42};
    assert_memory_equal(p.password_sha256, sha, 32);
    apf_msg_clear(&p);
    assert_int_equal(p.password_sha256[0], 0);
    apf_msg_text(m.b, m.n, line, sizeof line);
    assert_null(strstr(line, "P@ssw0rd"));
    assert_string_equal(line, "UserAuthRequest user \"mpsuser\", service \"pfwd@amt.intel.com\", "
                              "method \"password\" (a 8-byte password)");

    m = userauth_failure(1);
    apf_msg_text(m.b, m.n, line, sizeof line);
    assert_string_equal(line, "UserAuthFailure, methods left \"password\"");

    m = tcpip_forward("amt.example.com", 16993);
    apf_msg_text(m.b, m.n, line, sizeof line);
    assert_string_equal(line, "GlobalRequest \"tcpip-forward\" \"amt.example.com\" port 16993, "
                              "reply wanted");

    m = channel_open(4, "amt.example.com", 16992);
    assert_int_equal(apf_parse(m.b, m.n, &p), 0);
    assert_int_equal(p.sender, 4);
    assert_int_equal(p.window, 32768);
    assert_int_equal(p.port, 16992);
    assert_int_equal(p.origin_port, 51000);
    apf_msg_text(m.b, m.n, line, sizeof line);
    assert_string_equal(line,
                        "ChannelOpen \"forwarded-tcpip\" #4 to \"amt.example.com\" port 16992 "
                        "from \"192.0.2.99\" port 51000, window 32768");

    m = fixed(APF_CHANNEL_OPEN_FAILURE, 17);
    m.b[4] = 9;
    m.b[8] = 2;
    apf_msg_text(m.b, m.n, line, sizeof line);
    assert_string_equal(line, "ChannelOpenFailure #9, CONNECT_FAILED (2)");

    m = fixed(APF_DISCONNECT, 7);
    m.b[4] = 15;
    apf_msg_text(m.b, m.n, line, sizeof line);
    assert_string_equal(line, "Disconnect INVALID_CREDENTIALS (15)");
    m.b[4] = 99;
    apf_msg_text(m.b, m.n, line, sizeof line);
    assert_string_equal(line, "Disconnect reason 99");

    m = channel_data(7, "<Envelope/>");
    assert_int_equal(apf_parse(m.b, m.n, &p), 0);
    assert_int_equal(p.recipient, 7);
    assert_int_equal(p.data_len, 11);
    assert_memory_equal(p.data, "<Envelope/>", 11);

    /* Strings are shown escaped, and cut when too long. */
    m = service(APF_SERVICE_REQUEST, "a\x1b[2Jb\"");
    apf_msg_text(m.b, m.n, line, sizeof line);
    assert_string_equal(line, "ServiceRequest \"a\\x1B[2Jb\\x22\"");
    char longname[600];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    m = service(APF_SERVICE_ACCEPT, longname);
    assert_int_equal(apf_parse(m.b, m.n, &p), 0);
    assert_true(p.truncated);
    assert_int_equal(strlen(p.name), APF_STR_MAX - 1);

    /* A field running past the message is marked, not read. */
    m = channel_open(4, "amt.example.com", 16992);
    assert_int_equal(apf_parse(m.b, m.n - 3, &p), 0);
    assert_true(p.malformed);
    int r = apf_msg_text(m.b, 20, line, 8);
    assert_true(r > 8);
    assert_int_equal(strlen(line), 7);
}

/* A tunnel's start, back to back in each direction, framed with the
 * context a reader keeps. */
static void a_whole_conversation(void **state)
{
    (void)state;
    msg amt = {.n = 0}, mps = {.n = 0};
    const msg amt_msgs[] = {
        protocol_version(),
        service(APF_SERVICE_REQUEST, "auth@amt.intel.com"),
        userauth_password("mpsuser", "P@ssw0rd"),
        service(APF_SERVICE_REQUEST, "pfwd@amt.intel.com"),
        tcpip_forward("amt.example.com", 16993),
        tcpip_forward("amt.example.com", 16992),
        fixed(APF_KEEPALIVE_OPTIONS_REPLY, 9),
        fixed(APF_CHANNEL_OPEN_CONFIRMATION, 17),
        channel_data(1, "HTTP/1.1 401 Unauthorized\r\n\r\n"),
        fixed(APF_CHANNEL_CLOSE, 5),
        fixed(APF_KEEPALIVE_REQUEST, 5),
    };
    msg ok = start(APF_REQUEST_SUCCESS);
    u32(&ok, 16993);
    msg ok2 = start(APF_REQUEST_SUCCESS);
    u32(&ok2, 16992);
    const msg mps_msgs[] = {
        service(APF_SERVICE_ACCEPT, "auth@amt.intel.com"),
        fixed(APF_USERAUTH_SUCCESS, 1),
        service(APF_SERVICE_ACCEPT, "pfwd@amt.intel.com"),
        ok,
        ok2,
        fixed(APF_KEEPALIVE_OPTIONS_REQUEST, 9),
        channel_open(1, "amt.example.com", 16992),
        channel_data(1, "POST /wsman HTTP/1.1\r\n\r\n"),
        fixed(APF_CHANNEL_CLOSE, 5),
        fixed(APF_KEEPALIVE_REPLY, 5),
    };
    for (size_t i = 0; i < sizeof amt_msgs / sizeof amt_msgs[0]; i++) {
        memcpy(amt.b + amt.n, amt_msgs[i].b, amt_msgs[i].n);
        amt.n += amt_msgs[i].n;
    }
    for (size_t i = 0; i < sizeof mps_msgs / sizeof mps_msgs[0]; i++) {
        memcpy(mps.b + mps.n, mps_msgs[i].b, mps_msgs[i].n);
        mps.n += mps_msgs[i].n;
    }
    apf_frame_ctx ctx = {1, 0}; /* AMT asked tcpip-forward */
    size_t off = 0, k = 0;
    while (off < mps.n) {
        long r = apf_frame(mps.b + off, mps.n - off, &ctx, NULL);
        assert_int_equal(r, (long)mps_msgs[k].n);
        off += (size_t)r;
        k++;
    }
    assert_int_equal(k, sizeof mps_msgs / sizeof mps_msgs[0]);
    off = k = 0;
    while (off < amt.n) {
        long r = apf_frame(amt.b + off, amt.n - off, NULL, NULL);
        assert_int_equal(r, (long)amt_msgs[k].n);
        off += (size_t)r;
        k++;
    }
    assert_int_equal(k, sizeof amt_msgs / sizeof amt_msgs[0]);

    /* Every prefix frames to a length within it, or asks for more; every
     * truncation parses without reading past it (ASan checks). */
    for (size_t n = 0; n <= amt.n; n++) {
        size_t need = 0;
        long r = apf_frame(amt.b, n, NULL, &need);
        assert_true(r == 0 || (r > 0 && (size_t)r <= n));
        if (r == 0 && need)
            assert_true(need > n);
        uint8_t *copy = test_malloc(n ? n : 1);
        memcpy(copy, amt.b, n);
        apf_msg p;
        (void)apf_parse(copy, n, &p);
        char line[256];
        (void)apf_msg_text(copy, n, line, sizeof line);
        test_free(copy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_fixed_message),     cmocka_unit_test(variable_messages),
        cmocka_unit_test(userauth_failure_forms),  cmocka_unit_test(request_success_forms),
        cmocka_unit_test(refuses_what_is_not_apf), cmocka_unit_test(fields_and_text),
        cmocka_unit_test(a_whole_conversation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
