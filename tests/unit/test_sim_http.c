/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fake AMT's HTTP server against the console's HTTP client, over a
 * socketpair: the server runs amt_http_serve on a thread per connection,
 * the test thread drives console_http_exchange or writes raw bytes. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "amt_http.h"
#include "console_http.h"
#include "http_digest.h"
#include "simxml.h"

#define NOW_S INT64_C(1709640000) /* Tue, 05 Mar 2024 12:00:00 GMT */
#define OFFSET_S (-(86400 * 3 + 3661))
#define NS_SOAP12 "http://www.w3.org/2003/05/soap-envelope"
#define NS_WSMAN "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
#define NS_WSA "http://schemas.xmlsoap.org/ws/2004/08/addressing"
#define NS_WSEN "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
#define CHALLENGE_RE                                                                               \
    "^Digest realm=\"Digest:[0-9A-F]{32}\", nonce=\"[A-Za-z0-9+/]{32}\",stale=\"(true|false)\","   \
    "qop=\"auth\"$"

/* ---- the test's simio: a socketpair end; the client side records what it
 * reads so raw framing can be checked ---- */

struct simio {
    int fd;
    GString *rx;
};

long simio_read(simio *io, void *buf, size_t len)
{
    ssize_t n;
    do
        n = read(io->fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n > 0 && io->rx)
        g_string_append_len(io->rx, buf, n);
    return n;
}

int simio_write(simio *io, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = send(io->fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int64_t simio_now_us(simio *io)
{
    (void)io;
    return NOW_S * 1000000;
}

void simio_hold_until_close(simio *io)
{
    (void)io; /* a socketpair has no segments to hold */
}

typedef struct conn {
    simio cli, srv;
    amt_http *s;
    pthread_t thread;
    int rc;
} conn;

static void *serve_thread(void *arg)
{
    conn *c = arg;
    c->rc = amt_http_serve(c->s, &c->srv);
    close(c->srv.fd); /* what the caller of amt_http_serve does */
    return NULL;
}

static conn *conn_open(amt_http *s)
{
    conn *c = g_new0(conn, 1);
    int fds[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    c->cli.fd = fds[0];
    c->cli.rx = g_string_new(NULL);
    c->srv.fd = fds[1];
    c->s = s;
    assert_int_equal(pthread_create(&c->thread, NULL, serve_thread, c), 0);
    return c;
}

/* Waits for the server to end the connection by itself; returns its rc. */
static int conn_join(conn *c)
{
    pthread_join(c->thread, NULL);
    return c->rc;
}

static void conn_free(conn *c)
{
    close(c->cli.fd);
    g_string_free(c->cli.rx, TRUE);
    g_free(c);
}

/* The client closes; returns the server's rc. */
static int conn_finish(conn *c)
{
    shutdown(c->cli.fd, SHUT_WR);
    int rc = conn_join(c);
    conn_free(c);
    return rc;
}

/* After conn_join: the server closed its end, so the client reads EOF. */
static void assert_peer_closed(conn *c)
{
    char b;
    assert_int_equal(read(c->cli.fd, &b, 1), 0);
}

/* ---- helpers ---- */

static amt_device_cfg base_cfg(void)
{
    amt_device_cfg c = {0};
    c.fw_version = "11.8.50.3425";
    c.realm = "Digest:A4074B0B554DAA138882AB026F2C4F72";
    c.users[0] = (amt_user){"admin", "P@ssw0rd!", 0};
    c.users[1] = (amt_user){"operator", "0perat0r!", 1};
    c.n_users = 2;
    c.clock_offset_s = OFFSET_S;
    c.trusted_cn[0] = "console.example.com";
    c.trusted_cn[1] = "mgmt.example.org";
    c.n_trusted_cn = 2;
    c.mutual_auth = 1;
    c.tls_enabled = 1;
    c.hostname = "amt-host";
    c.domain = "example.com";
    c.seed = 42;
    return c;
}

static int matches(const char *pattern, const char *s)
{
    return s && g_regex_match_simple(pattern, s, 0, 0);
}

static void assert_wellformed(const char *body, size_t len)
{
    static const GMarkupParser nothing = {0};
    GMarkupParseContext *ctx = g_markup_parse_context_new(&nothing, 0, NULL, NULL);
    GError *err = NULL;
    gboolean ok = g_markup_parse_context_parse(ctx, body, (gssize)len, &err) &&
                  g_markup_parse_context_end_parse(ctx, &err);
    if (!ok)
        fail_msg("not well-formed XML: %s", err ? err->message : "?");
    g_markup_parse_context_free(ctx);
}

static const sx_node *find(const sx_node *n, const char *ns, const char *name)
{
    if (sx_is(n, ns, name))
        return n;
    for (guint k = 0; n && k < n->children->len; k++) {
        const sx_node *hit = find(g_ptr_array_index(n->children, k), ns, name);
        if (hit)
            return hit;
    }
    return NULL;
}

static unsigned count(const sx_node *n, const char *name)
{
    unsigned c = sx_is(n, NULL, name);
    for (guint k = 0; n && k < n->children->len; k++)
        c += count(g_ptr_array_index(n->children, k), name);
    return c;
}

static sx_node *parse_body(const http_response *r)
{
    assert_non_null(r->body);
    assert_wellformed(r->body, r->body_len);
    sx_node *root = sx_parse(r->body, r->body_len, NULL);
    assert_non_null(root);
    return root;
}

/* Text of the first element with that local name anywhere in the body. */
static char *body_text(const http_response *r, const char *name)
{
    sx_node *root = parse_body(r);
    const sx_node *n = find(root, NULL, name);
    char *t = n ? g_strdup(n->text->str) : NULL;
    sx_free(root);
    return t;
}

static void assert_body_text(const http_response *r, const char *name, const char *want)
{
    char *got = body_text(r, name);
    if (!got || strcmp(got, want) != 0)
        fail_msg("<%s> is \"%s\", want \"%s\"", name, got ? got : "(absent)", want);
    g_free(got);
}

static const char *resolve_prefix(const sx_node *n, const char *prefix)
{
    for (; n; n = n->parent)
        for (guint i = 0; i + 1 < n->nsdecl->len; i += 2)
            if (strcmp(g_ptr_array_index(n->nsdecl, i), prefix) == 0)
                return g_ptr_array_index(n->nsdecl, i + 1);
    return NULL;
}

/* A 400 fault with that Code, a Subcode naming subcode in namespace ns, and
 * reason, in the shape of AMT's faults. */
static void assert_fault_code(const http_response *r, const char *code_value, const char *ns,
                              const char *subcode, const char *reason)
{
    assert_int_equal(r->status, 400);
    assert_true(r->conn_close);
    assert_string_equal(r->content_type, "application/soap+xml; charset=UTF-8");
    sx_node *root = parse_body(r);
    const sx_node *code = find(root, NS_SOAP12, "Code");
    assert_non_null(code);
    assert_string_equal(sx_child_text(code, NS_SOAP12, "Value"), code_value);
    const sx_node *sub = sx_path(code, NS_SOAP12, "Subcode", NS_SOAP12, "Value", NULL);
    assert_non_null(sub);
    const char *colon = strchr(sub->text->str, ':');
    assert_non_null(colon);
    char *prefix = g_strndup(sub->text->str, (gsize)(colon - sub->text->str));
    assert_string_equal(resolve_prefix(sub, prefix), ns);
    assert_string_equal(colon + 1, subcode);
    g_free(prefix);
    const sx_node *text = find(root, NS_SOAP12, "Text");
    assert_non_null(text);
    assert_string_equal(text->text->str, reason);
    assert_string_equal(sx_attr_value(text, "http://www.w3.org/XML/1998/namespace", "lang"),
                        "en-US");
    assert_non_null(find(root, NS_SOAP12, "Detail"));
    sx_free(root);
}

static void assert_fault(const http_response *r, const char *ns, const char *subcode,
                         const char *reason)
{
    assert_fault_code(r, "a:Sender", ns, subcode, reason);
}

static char *nonce_of(const http_response *r)
{
    digest_params p;
    assert_int_equal(digest_params_parse(r->www_authenticate, &p), 0);
    char *n = g_strdup(digest_param(&p, "nonce"));
    digest_params_clear(&p);
    return n;
}

static int exchange_wsman(console_http *c, conn *k, char *body, http_response *r)
{
    int rc = console_http_exchange(c, &k->cli, "POST", "/wsman",
                                   "application/soap+xml; charset=UTF-8", body, r);
    free(body);
    return rc;
}

/* A console's first request gets the challenge and the server ends that
 * connection; the login then happens on a new one, which is returned. */
static conn *login(amt_http *s, console_http *c)
{
    conn *k = conn_open(s);
    http_response r;
    assert_int_equal(console_http_exchange(c, &k->cli, "GET", "/index.htm", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 401);
    http_response_clear(&r);
    assert_int_equal(conn_join(k), 0);
    conn_free(k);
    return conn_open(s);
}

/* Writes raw bytes and reads until the server closes. */
static char *raw_exchange(amt_http *s, const char *request, size_t len, int *server_rc)
{
    conn *k = conn_open(s);
    assert_int_equal(simio_write(&k->cli, request, len), 0);
    char buf[4096];
    while (simio_read(&k->cli, buf, sizeof buf) > 0)
        ;
    *server_rc = conn_join(k);
    char *out = g_strdup(k->cli.rx->str);
    conn_free(k);
    return out;
}

/* Header lines of a raw response (without the status line). */
static char **raw_headers(const char *raw, const char **body)
{
    const char *end = strstr(raw, "\r\n\r\n");
    assert_non_null(end);
    *body = end + 4;
    const char *first = strstr(raw, "\r\n");
    char *block = g_strndup(first + 2, (gsize)(end - first - 2));
    char **lines = g_strsplit(block, "\r\n", -1);
    g_free(block);
    return lines;
}

/* A nonce from a fresh challenge. */
static char *fresh_nonce(amt_http *s)
{
    static const char req[] = "GET / HTTP/1.1\r\nHost: amt\r\n\r\n";
    int rc;
    char *raw = raw_exchange(s, req, sizeof req - 1, &rc);
    const char *n = strstr(raw, "nonce=\"");
    assert_non_null(n);
    char *nonce = g_strndup(n + 7, 32);
    g_free(raw);
    return nonce;
}

/* A hand-made Digest request for GET target; response NULL: computed. */
static char *digest_request(const char *pass, const char *realm, const char *nonce, const char *uri,
                            const char *target, const char *nc, const char *response)
{
    char computed[33];
    digest_response("admin", realm, pass, "GET", uri, nonce, nc, "0123456789abcdef", "auth",
                    computed);
    return g_strdup_printf("GET %s HTTP/1.1\r\nHost: amt\r\nAuthorization: Digest "
                           "username=\"admin\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
                           "response=\"%s\", qop=\"auth\", nc=%s, cnonce=\"0123456789abcdef\"\r\n"
                           "Connection: close\r\n\r\n",
                           target, realm, nonce, uri, response ? response : computed, nc);
}

static char *raw_digest_status(amt_http *s, char *req)
{
    int rc;
    char *raw = raw_exchange(s, req, strlen(req), &rc);
    assert_int_equal(rc, 0);
    g_free(req);
    return raw;
}

/* ---- tests ---- */

static void test_digest_primitives(void **state)
{
    (void)state;
    char out[33];
    /* RFC 2617 section 3.5 example */
    digest_response("Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
                    "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth", out);
    assert_string_equal(out, "6629fae49393a05397450978507c4ef1");

    digest_params p;
    assert_int_equal(digest_params_parse("Negotiate, DIGEST Realm=\"a, \\\"b\\\"\" ,nonce=xyz,,"
                                         "QOP=\"auth,auth-int\"",
                                         &p),
                     0);
    assert_string_equal(digest_param(&p, "realm"), "a, \"b\"");
    assert_string_equal(digest_param(&p, "nonce"), "xyz");
    assert_string_equal(digest_param(&p, "qop"), "auth,auth-int");
    digest_params_clear(&p);
    assert_int_equal(digest_params_parse("Basic realm=\"x\"", &p), -1);
    assert_int_equal(digest_params_parse("Digest realm=\"unterminated", &p), -1);
    assert_int_equal(digest_params_parse("Digest realm=\"a\", realm=\"b\"", &p), -1);
    assert_int_equal(digest_params_parse("Negotiate YIIabc/+==, Digest nonce=\"n\"", &p), 0);
    assert_string_equal(digest_param(&p, "nonce"), "n");
    digest_params_clear(&p);
}

static void test_digest_checks(void **state)
{
    (void)state;
    amt_device_cfg cfg = base_cfg();
    amt_http *s = amt_http_new(&cfg);
    const char *pw = "P@ssw0rd!";
    char *nonce = fresh_nonce(s);
    char *raw;

    /* a nonce this device never issued */
    raw = raw_digest_status(s, digest_request(pw, cfg.realm, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                              "/index.htm", "/index.htm", "00000001", NULL));
    assert_true(g_str_has_prefix(raw, "HTTP/1.1 401 "));
    assert_non_null(strstr(raw, ",stale=\"false\","));
    g_free(raw);
    g_free(nonce);
    nonce = fresh_nonce(s);
    /* uri other than the request-target */
    raw = raw_digest_status(
        s, digest_request(pw, cfg.realm, nonce, "/other.htm", "/index.htm", "00000001", NULL));
    assert_true(g_str_has_prefix(raw, "HTTP/1.1 401 "));
    g_free(raw);
    g_free(nonce);
    nonce = fresh_nonce(s);
    /* a realm that is not the device's */
    raw = raw_digest_status(s, digest_request(pw, "Digest:00000000000000000000000000000000", nonce,
                                              "/index.htm", "/index.htm", "00000001", NULL));
    assert_true(g_str_has_prefix(raw, "HTTP/1.1 401 "));
    g_free(raw);
    g_free(nonce);
    nonce = fresh_nonce(s);
    /* right, then the same nc again: a replay */
    raw = raw_digest_status(
        s, digest_request(pw, cfg.realm, nonce, "/index.htm", "/index.htm", "00000001", NULL));
    assert_true(g_str_has_prefix(raw, "HTTP/1.1 200 OK\r\n"));
    g_free(raw);
    raw = raw_digest_status(
        s, digest_request(pw, cfg.realm, nonce, "/index.htm", "/index.htm", "00000001", NULL));
    assert_true(g_str_has_prefix(raw, "HTTP/1.1 401 "));
    g_free(raw);
    g_free(nonce);
    amt_http_free(s);

    /* nmap's probe on vulnerable firmware: response="", uri without its
     * slash, nc=1 */
    cfg.vulnerable_cve_2017_5689 = 1;
    s = amt_http_new(&cfg);
    nonce = fresh_nonce(s);
    raw = raw_digest_status(
        s, digest_request("x", cfg.realm, nonce, "index.htm", "/index.htm", "1", ""));
    assert_true(g_str_has_prefix(raw, "HTTP/1.1 200 OK\r\n"));
    g_free(raw);
    g_free(nonce);
    amt_http_free(s);
}

static void test_no_auth_gets_exact_challenge(void **state)
{
    (void)state;
    amt_device_cfg cfg = base_cfg();
    amt_http *s = amt_http_new(&cfg);
    static const char req[] = "GET /index.htm HTTP/1.1\r\nHost: 192.168.1.1:16992\r\n\r\n";
    int rc;
    char *raw = raw_exchange(s, req, sizeof req - 1, &rc);
    assert_int_equal(rc, 0); /* the server ended the connection itself */
    assert_true(g_str_has_prefix(raw, "HTTP/1.1 401 Unauthorized\r\n"));
    const char *body;
    char **h = raw_headers(raw, &body);
    assert_int_equal(g_strv_length(h), 5);
    assert_true(g_str_has_prefix(h[0], "WWW-Authenticate: "));
    assert_true(matches(CHALLENGE_RE, h[0] + strlen("WWW-Authenticate: ")));
    assert_non_null(strstr(h[0], "realm=\"Digest:A4074B0B554DAA138882AB026F2C4F72\""));
    assert_non_null(strstr(h[0], ",stale=\"false\",qop=\"auth\""));
    assert_string_equal(h[1], "Content-Type: text/html");
    assert_string_equal(h[2], "Server: Intel(R) Active Management Technology 11.8.50.3425");
    char *cl = g_strdup_printf("Content-Length: %zu", strlen(body));
    assert_string_equal(h[3], cl);
    assert_string_equal(h[4], "Connection: close");
    assert_non_null(strstr(body, "Log on failed. Incorrect user name or password, or user "
                                 "account temporarily locked."));
    g_free(cl);
    g_strfreev(h);
    g_free(raw);

    /* the console sees the same, and every 401 carries a fresh nonce */
    console_http *c = console_http_new("admin", "P@ssw0rd!", "amt:16992", 7);
    conn *k = conn_open(s);
    http_response r;
    assert_int_equal(exchange_wsman(c, k, wsman_get(c, "AMT_GeneralSettings"), &r), 0);
    assert_int_equal(r.status, 401);
    assert_true(r.conn_close);
    assert_string_equal(r.content_type, "text/html");
    assert_true(matches(CHALLENGE_RE, r.www_authenticate));
    assert_int_equal(conn_join(k), 0);
    assert_peer_closed(k);
    conn_free(k);
    http_response_clear(&r);
    console_http_free(c);
    amt_http_free(s);
}

static void test_login_on_new_connection_and_keep_alive(void **state)
{
    (void)state;
    amt_device_cfg cfg = base_cfg();
    amt_http *s = amt_http_new(&cfg);
    console_http *c = console_http_new("admin", "P@ssw0rd!", "amt:16993", 7);
    conn *k = login(s, c);
    http_response r;

    assert_int_equal(exchange_wsman(c, k, wsman_get(c, "AMT_GeneralSettings"), &r), 0);
    assert_int_equal(r.status, 200);
    assert_false(r.conn_close);
    assert_string_equal(r.content_type, "application/soap+xml; charset=UTF-8");
    assert_body_text(&r, "DigestRealm", cfg.realm);
    assert_body_text(&r, "HostName", "amt-host");
    assert_body_text(&r, "DomainName", "example.com");
    assert_body_text(&r, "RelatesTo", "0");
    char *id = body_text(&r, "MessageID");
    assert_true(matches("^uuid:00000000-8086-8086-8086-[0-9A-F]{12}$", id));
    g_free(id);
    http_response_clear(&r);

    /* keep-alive: more requests on the same connection, nc counting up */
    assert_int_equal(exchange_wsman(c, k,
                                    wsman_invoke(c, "AMT_TimeSynchronizationService",
                                                 "GetLowAccuracyTimeSynch", NULL),
                                    &r),
                     0);
    assert_int_equal(r.status, 200);
    char *ta0 = g_strdup_printf("%" G_GINT64_FORMAT, NOW_S + OFFSET_S);
    assert_body_text(&r, "Ta0", ta0);
    assert_body_text(&r, "ReturnValue", "0");
    sx_node *root = parse_body(&r);
    assert_non_null(find(root, NULL, "GetLowAccuracyTimeSynch_OUTPUT"));
    assert_string_equal(sx_child_text(find(root, NS_SOAP12, "Header"), NS_WSA, "Action"),
                        "http://intel.com/wbem/wscim/1/amt-schema/1/AMT_TimeSynchronizationService/"
                        "GetLowAccuracyTimeSynchResponse");
    sx_free(root);
    g_free(ta0);
    http_response_clear(&r);

    assert_int_equal(
        exchange_wsman(
            c, k, wsman_invoke(c, "AMT_SetupAndConfigurationService", "CommitChanges", NULL), &r),
        0);
    assert_int_equal(r.status, 200);
    assert_body_text(&r, "ReturnValue", "0");
    http_response_clear(&r);

    /* the peer closes: serve returns 0 */
    assert_int_equal(conn_finish(k), 0);
    console_http_free(c);
    amt_http_free(s);
}

static void test_wrong_password_and_unknown_user(void **state)
{
    (void)state;
    amt_device_cfg cfg = base_cfg();
    amt_http *s = amt_http_new(&cfg);
    const char *creds[][2] = {{"admin", "wrong-password"}, {"nobody", "P@ssw0rd!"}};
    for (size_t i = 0; i < G_N_ELEMENTS(creds); i++) {
        console_http *c = console_http_new(creds[i][0], creds[i][1], "amt:16992", 9);
        conn *k = conn_open(s);
        http_response r;
        assert_int_equal(console_http_exchange(c, &k->cli, "GET", "/index.htm", NULL, NULL, &r), 0);
        char *first = nonce_of(&r);
        http_response_clear(&r);
        assert_int_equal(conn_join(k), 0);
        conn_free(k);

        k = conn_open(s);
        assert_int_equal(console_http_exchange(c, &k->cli, "GET", "/index.htm", NULL, NULL, &r), 0);
        assert_int_equal(r.status, 401);
        assert_true(r.conn_close);
        assert_true(matches(CHALLENGE_RE, r.www_authenticate));
        assert_non_null(strstr(r.www_authenticate, "stale=\"false\""));
        char *second = nonce_of(&r);
        assert_string_not_equal(first, second);
        assert_int_equal(conn_join(k), 0);
        assert_peer_closed(k);
        conn_free(k);
        g_free(first);
        g_free(second);
        http_response_clear(&r);
        console_http_free(c);
    }
    amt_http_free(s);
}

static void test_stale_nonce(void **state)
{
    (void)state;
    amt_device_cfg cfg = base_cfg();
    amt_http *s = amt_http_new(&cfg);
    console_http *a = console_http_new("admin", "P@ssw0rd!", "amt:16992", 1);
    console_http *b = console_http_new("admin", "P@ssw0rd!", "amt:16992", 2);
    http_response r;

    conn *k = login(s, a); /* a holds N1 */
    assert_int_equal(console_http_exchange(a, &k->cli, "GET", "/index.htm", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    http_response_clear(&r);
    assert_int_equal(conn_finish(k), 0);

    /* b's challenge supersedes N1: a's correct digest on N1 is stale */
    k = conn_open(s);
    assert_int_equal(console_http_exchange(b, &k->cli, "GET", "/index.htm", NULL, NULL, &r), 0);
    http_response_clear(&r);
    assert_int_equal(conn_join(k), 0);
    conn_free(k);
    k = conn_open(s);
    assert_int_equal(console_http_exchange(a, &k->cli, "GET", "/index.htm", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 401);
    assert_true(matches(CHALLENGE_RE, r.www_authenticate));
    assert_non_null(strstr(r.www_authenticate, "stale=\"true\""));
    http_response_clear(&r);
    assert_int_equal(conn_join(k), 0);
    conn_free(k);

    /* CONSOLE_REUSE_NONCE: after this second challenge a answers with the
     * older nonce once (stale again), then logs in with the fresh one */
    console_http_set_mode(a, CONSOLE_REUSE_NONCE);
    k = conn_open(s);
    assert_int_equal(console_http_exchange(a, &k->cli, "GET", "/index.htm", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(r.www_authenticate, "stale=\"true\""));
    http_response_clear(&r);
    assert_int_equal(conn_join(k), 0);
    conn_free(k);
    k = conn_open(s);
    assert_int_equal(console_http_exchange(a, &k->cli, "GET", "/index.htm", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/html");
    http_response_clear(&r);
    assert_int_equal(conn_finish(k), 0);

    /* a superseded nonce with a wrong password is not "stale" */
    console_http *w = console_http_new("admin", "wrong-password", "amt:16992", 3);
    console_http_set_mode(w, CONSOLE_REUSE_NONCE);
    for (int i = 0; i < 3; i++) {
        k = conn_open(s);
        assert_int_equal(console_http_exchange(w, &k->cli, "GET", "/", NULL, NULL, &r), 0);
        assert_int_equal(r.status, 401);
        assert_non_null(strstr(r.www_authenticate, "stale=\"false\""));
        http_response_clear(&r);
        assert_int_equal(conn_join(k), 0);
        conn_free(k);
    }
    console_http_free(w);
    console_http_free(a);
    console_http_free(b);
    amt_http_free(s);
}

static void test_empty_response_cve_2017_5689(void **state)
{
    (void)state;
    for (int vulnerable = 0; vulnerable <= 1; vulnerable++) {
        amt_device_cfg cfg = base_cfg();
        cfg.fw_version = "9.0.30";
        cfg.vulnerable_cve_2017_5689 = vulnerable;
        amt_http *s = amt_http_new(&cfg);
        console_http *c = console_http_new("admin", "not-the-password", "amt:16992", 5);
        console_http_set_mode(c, CONSOLE_EMPTY_RESPONSE);
        conn *k = login(s, c);
        http_response r;
        assert_int_equal(console_http_exchange(c, &k->cli, "GET", "/index.htm", NULL, NULL, &r), 0);
        if (vulnerable) {
            assert_int_equal(r.status, 200);
            assert_string_equal(r.content_type, "text/html");
            assert_non_null(strstr(k->cli.rx->str, "Server: Intel(R) Active Management "
                                                   "Technology 9.0.30\r\n"));
            assert_int_equal(conn_finish(k), 0);
        } else {
            assert_int_equal(r.status, 401);
            assert_int_equal(conn_join(k), 0);
            conn_free(k);
        }
        http_response_clear(&r);
        console_http_free(c);
        amt_http_free(s);
    }
}

static void test_access_denied(void **state)
{
    (void)state;
    amt_device_cfg cfg = base_cfg();
    amt_http *s = amt_http_new(&cfg);
    console_http *c = console_http_new("operator", "0perat0r!", "amt:16993", 11);
    conn *k = login(s, c);
    http_response r;
    assert_int_equal(exchange_wsman(c, k, wsman_get(c, "AMT_GeneralSettings"), &r), 0);
    assert_int_equal(r.status, 200);
    http_response_clear(&r);

    assert_int_equal(exchange_wsman(c, k, wsman_get(c, "AMT_TLSSettingData"), &r), 0);
    assert_fault(&r, NS_WSMAN, "AccessDenied",
                 "The sender was not authorized to access the resource.");
    assert_body_text(&r, "Action", "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault");
    assert_body_text(&r, "RelatesTo", "1");
    http_response_clear(&r);
    /* AMT closes after a 400 */
    assert_int_equal(conn_join(k), 0);
    conn_free(k);

    k = conn_open(s);
    assert_int_equal(exchange_wsman(c, k, wsman_enumerate(c, "CIM_SoftwareIdentity"), &r), 0);
    assert_fault(&r, NS_WSMAN, "AccessDenied",
                 "The sender was not authorized to access the resource.");
    http_response_clear(&r);
    assert_int_equal(conn_join(k), 0);
    conn_free(k);
    console_http_free(c);
    amt_http_free(s);
}

static void assert_tls_instance(const sx_node *inst, const char *id)
{
    assert_string_equal(sx_child_text(inst, NULL, "InstanceID"), id);
    assert_string_equal(sx_child_text(inst, NULL, "Enabled"), "true");
    assert_string_equal(sx_child_text(inst, NULL, "MutualAuthentication"), "true");
    const char *want[] = {"console.example.com", "mgmt.example.org"};
    unsigned n = 0;
    for (guint k = 0; k < inst->children->len; k++) {
        const sx_node *ch = g_ptr_array_index(inst->children, k);
        if (strcmp(ch->name, "TrustedCN") == 0) {
            assert_true(n < 2);
            assert_string_equal(ch->text->str, want[n++]);
        }
    }
    assert_int_equal(n, 2);
}

static void test_enumerate_pull_put(void **state)
{
    (void)state;
    amt_device_cfg cfg = base_cfg();
    amt_http *s = amt_http_new(&cfg);
    console_http *c = console_http_new("admin", "P@ssw0rd!", "amt:16993", 13);
    conn *k = login(s, c);
    http_response r;

    assert_int_equal(exchange_wsman(c, k, wsman_enumerate(c, "AMT_TLSSettingData"), &r), 0);
    assert_int_equal(r.status, 200);
    assert_body_text(&r, "EnumerationContext", "CA000000-0000-0000-0000-000000000000");
    char *ctx = body_text(&r, "EnumerationContext");
    http_response_clear(&r);

    assert_int_equal(exchange_wsman(c, k, wsman_pull(c, "AMT_TLSSettingData", ctx), &r), 0);
    assert_int_equal(r.status, 200);
    sx_node *root = parse_body(&r);
    const sx_node *pr = find(root, NS_WSEN, "PullResponse");
    assert_non_null(pr);
    assert_non_null(sx_child(pr, NS_WSEN, "EndOfSequence"));
    const sx_node *items = sx_child(pr, NS_WSEN, "Items");
    assert_non_null(items);
    assert_int_equal(items->children->len, 2);
    const char *cls_ns = "http://intel.com/wbem/wscim/1/amt-schema/1/AMT_TLSSettingData";
    assert_true(sx_is(g_ptr_array_index(items->children, 0), cls_ns, "AMT_TLSSettingData"));
    assert_tls_instance(g_ptr_array_index(items->children, 0), "Intel(r) AMT 802.3 TLS Settings");
    assert_tls_instance(g_ptr_array_index(items->children, 1), "Intel(r) AMT LMS TLS Settings");
    sx_free(root);
    http_response_clear(&r);

    /* the context counts up */
    assert_int_equal(exchange_wsman(c, k, wsman_enumerate(c, "CIM_SoftwareIdentity"), &r), 0);
    assert_body_text(&r, "EnumerationContext", "CB000000-0000-0000-0000-000000000000");
    http_response_clear(&r);

    /* Put echoes the resulting instance */
    assert_int_equal(exchange_wsman(c, k,
                                    wsman_put(c, "AMT_TLSSettingData",
                                              "<h:ElementName>Intel(r) AMT 802.3 TLS Settings"
                                              "</h:ElementName><h:InstanceID>Intel(r) AMT 802.3 "
                                              "TLS Settings</h:InstanceID><h:MutualAuthentication>"
                                              "false</h:MutualAuthentication><h:Enabled>true"
                                              "</h:Enabled><h:TrustedCN>new.example.com"
                                              "</h:TrustedCN><h:AcceptNonSecureConnections>false"
                                              "</h:AcceptNonSecureConnections>"),
                                    &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_body_text(&r, "Action", "http://schemas.xmlsoap.org/ws/2004/09/transfer/PutResponse");
    assert_body_text(&r, "TrustedCN", "new.example.com");
    assert_body_text(&r, "MutualAuthentication", "false");
    assert_body_text(&r, "InstanceID", "Intel(r) AMT 802.3 TLS Settings");
    http_response_clear(&r);

    /* a used-up context is gone */
    assert_int_equal(exchange_wsman(c, k, wsman_pull(c, "AMT_TLSSettingData", ctx), &r), 0);
    assert_fault_code(&r, "a:Receiver", NS_WSEN, "InvalidEnumerationContext",
                      "The supplied enumeration context is invalid.");
    http_response_clear(&r);
    assert_int_equal(conn_join(k), 0);
    conn_free(k);
    g_free(ctx);
    console_http_free(c);
    amt_http_free(s);
}

/* A self-signed CA certificate, base64 DER. */
static char *make_root_b64(void)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    assert_non_null(key);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"US", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"Sim", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"Sim Root", -1, -1, 0);
    X509_set_issuer_name(x, n);
    X509_set_pubkey(x, key);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    char *b64 = g_base64_encode(der, (gsize)len);
    OPENSSL_free(der);
    X509_free(x);
    EVP_PKEY_free(key);
    return b64;
}

static void test_methods_and_faults(void **state)
{
    (void)state;
    amt_device_cfg cfg = base_cfg();
    amt_http *s = amt_http_new(&cfg);
    console_http *c = console_http_new("admin", "P@ssw0rd!", "amt:16993", 17);
    conn *k = login(s, c);
    http_response r;

    /* an invalid certificate: PT_STATUS_INVALID_CERT */
    assert_int_equal(exchange_wsman(c, k,
                                    wsman_invoke(c, "AMT_PublicKeyManagementService",
                                                 "AddTrustedRootCertificate",
                                                 "<h:CertificateBlob></h:CertificateBlob>"),
                                    &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_body_text(&r, "ReturnValue", "2063");
    http_response_clear(&r);

    /* a real root: 0, a reference to the new certificate, and it is listed */
    char *b64 = make_root_b64();
    char *input = g_strdup_printf("<h:CertificateBlob>%s</h:CertificateBlob>", b64);
    assert_int_equal(exchange_wsman(c, k,
                                    wsman_invoke(c, "AMT_PublicKeyManagementService",
                                                 "AddTrustedRootCertificate", input),
                                    &r),
                     0);
    assert_body_text(&r, "ReturnValue", "0");
    assert_body_text(&r, "Selector", "Intel(r) AMT Certificate: Handle: 0");
    http_response_clear(&r);
    assert_int_equal(exchange_wsman(c, k,
                                    wsman_invoke(c, "AMT_PublicKeyManagementService",
                                                 "AddTrustedRootCertificate", input),
                                    &r),
                     0);
    assert_body_text(&r, "ReturnValue", "2058"); /* PT_STATUS_DUPLICATE */
    http_response_clear(&r);
    assert_int_equal(exchange_wsman(c, k, wsman_enumerate(c, "AMT_PublicKeyCertificate"), &r), 0);
    char *ctx = body_text(&r, "EnumerationContext");
    http_response_clear(&r);
    assert_int_equal(exchange_wsman(c, k, wsman_pull(c, "AMT_PublicKeyCertificate", ctx), &r), 0);
    assert_body_text(&r, "Subject", "C=US,O=Sim,CN=Sim Root");
    assert_body_text(&r, "X509Certificate", b64);
    http_response_clear(&r);
    g_free(ctx);
    g_free(input);
    g_free(b64);

    /* an unknown method */
    assert_int_equal(
        exchange_wsman(
            c, k, wsman_invoke(c, "AMT_SetupAndConfigurationService", "NoSuchMethod", NULL), &r),
        0);
    assert_fault(&r, NS_WSA, "ActionNotSupported", "The action is not supported by the service.");
    http_response_clear(&r);
    assert_int_equal(conn_join(k), 0);
    conn_free(k);

    /* an unknown class */
    k = conn_open(s);
    assert_int_equal(exchange_wsman(c, k, wsman_get(c, "AMT_NoSuchClass"), &r), 0);
    assert_fault(&r, NS_WSA, "DestinationUnreachable",
                 "No route can be determined to reach the destination role defined by the "
                 "WSAddressing To.");
    assert_body_text(&r, "Action", "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault");
    http_response_clear(&r);
    assert_int_equal(conn_join(k), 0);
    conn_free(k);
    console_http_free(c);
    amt_http_free(s);
}

static void test_eoi(void **state)
{
    (void)state;
    amt_device_cfg cfg = base_cfg();
    cfg.fw_version = "3.2.1";
    cfg.eoi = 1;
    amt_http *s = amt_http_new(&cfg);
    console_http *c = console_http_new("admin", "P@ssw0rd!", "amt:16992", 19);
    conn *k = login(s, c);
    http_response r;
    char *body = eoi_request("SecurityAdministrationService", "GetCoreVersion", NULL);
    assert_int_equal(console_http_exchange(c, &k->cli, "POST", "/SecurityAdministrationService",
                                           "text/xml; charset=utf-8", body, &r),
                     0);
    free(body);
    assert_int_equal(r.status, 200);
    assert_true(g_str_has_prefix(r.content_type, "text/xml"));
    sx_node *root = parse_body(&r);
    const char *ns = "http://schemas.intel.com/platform/client/SecurityAdministration/2004/01";
    const sx_node *resp = find(root, ns, "GetCoreVersionResponse");
    assert_non_null(resp);
    assert_true(sx_is(root, "http://schemas.xmlsoap.org/soap/envelope/", "Envelope"));
    assert_string_equal(sx_child_text(resp, ns, "StatusCode"), "0");
    assert_string_equal(sx_child_text(resp, ns, "Version"), "3.2.1");
    sx_free(root);
    http_response_clear(&r);

    body = eoi_request("RemoteControlService", "GetSystemPowerState", NULL);
    assert_int_equal(console_http_exchange(c, &k->cli, "POST", "/RemoteControlService",
                                           "text/xml; charset=utf-8", body, &r),
                     0);
    free(body);
    assert_int_equal(r.status, 200);
    assert_body_text(&r, "SystemPowerState", "0");
    http_response_clear(&r);

    body = eoi_request("SecurityAdministrationService", "NoSuchMethod", NULL);
    assert_int_equal(console_http_exchange(c, &k->cli, "POST", "/SecurityAdministrationService",
                                           "text/xml; charset=utf-8", body, &r),
                     0);
    free(body);
    assert_int_equal(r.status, 500);
    assert_body_text(&r, "faultcode", "SOAP-ENV:Client");
    http_response_clear(&r);
    assert_int_equal(conn_finish(k), 0);
    console_http_free(c);
    amt_http_free(s);

    /* a WS-Man only device has no EOI services */
    cfg.eoi = 0;
    s = amt_http_new(&cfg);
    c = console_http_new("admin", "P@ssw0rd!", "amt:16992", 19);
    k = login(s, c);
    body = eoi_request("SecurityAdministrationService", "GetCoreVersion", NULL);
    assert_int_equal(console_http_exchange(c, &k->cli, "POST", "/SecurityAdministrationService",
                                           "text/xml; charset=utf-8", body, &r),
                     0);
    free(body);
    assert_int_equal(r.status, 404);
    http_response_clear(&r);
    assert_int_equal(conn_finish(k), 0);
    console_http_free(c);
    amt_http_free(s);
}

static void test_identify_date_and_chunking(void **state)
{
    (void)state;
    amt_device_cfg cfg = base_cfg();
    amt_http *s = amt_http_new(&cfg);

    /* Identify needs no login; Date is AMT's clock */
    char *id = wsman_identify();
    char *req = g_strdup_printf("POST /wsman HTTP/1.1\r\nHost: amt:16992\r\nContent-Type: "
                                "application/soap+xml; charset=UTF-8\r\nContent-Length: %zu\r\n"
                                "Connection: close\r\n\r\n%s",
                                strlen(id), id);
    int rc;
    char *raw = raw_exchange(s, req, strlen(req), &rc);
    assert_int_equal(rc, 0);
    assert_true(g_str_has_prefix(raw, "HTTP/1.1 200 OK\r\n"));
    const char *rest;
    char **h = raw_headers(raw, &rest);
    assert_string_equal(h[0], "Date: Sat, 02 Mar 2024 10:58:59 GMT");
    assert_string_equal(h[1], "Server: Intel(R) Active Management Technology 11.8.50.3425");
    assert_string_equal(h[2], "X-Frame-Options: DENY");
    assert_string_equal(h[3], "Content-Type: application/soap+xml; charset=UTF-8");
    assert_string_equal(h[4], "Transfer-Encoding: chunked");
    assert_string_equal(h[5], "Connection: close");
    assert_non_null(strstr(rest, "<b:ProductVendor>Intel Corporation</b:ProductVendor>"));
    assert_non_null(strstr(rest, "<b:ProductVersion>AMT 11.8</b:ProductVersion>"));
    assert_non_null(
        strstr(rest, "ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd<"));
    assert_non_null(strstr(rest, "SecurityProfiles>"));
    g_strfreev(h);
    g_free(raw);
    g_free(req);
    free(id);

    /* a long body: AMT's chunk sizes, and the de-chunked XML is whole */
    console_http *c = console_http_new("admin", "P@ssw0rd!", "amt:16993", 23);
    conn *k = login(s, c);
    http_response r;
    assert_int_equal(exchange_wsman(c, k, wsman_enumerate(c, "CIM_SoftwareIdentity"), &r), 0);
    char *ctx = body_text(&r, "EnumerationContext");
    http_response_clear(&r);
    g_string_truncate(k->cli.rx, 0);
    assert_int_equal(exchange_wsman(c, k, wsman_pull(c, "CIM_SoftwareIdentity", ctx), &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 0x220 + 0x2FA);
    assert_wellformed(r.body, r.body_len);
    sx_node *root = parse_body(&r);
    assert_int_equal(count(root, "CIM_SoftwareIdentity"), 11);
    sx_free(root);
    const char *p = strstr(k->cli.rx->str, "\r\n\r\n") + 4;
    size_t total = 0;
    unsigned chunks = 0;
    for (;;) {
        const char *eol = strstr(p, "\r\n");
        assert_non_null(eol);
        char *size_line = g_strndup(p, (gsize)(eol - p));
        size_t n = strtoul(size_line, NULL, 16);
        if (n) {
            assert_true(matches("^[0-9A-F]{4}$", size_line));
            assert_true(n <= 0x2FA);
            if (chunks == 0)
                assert_int_equal(n, 0x220);
        } else {
            assert_string_equal(size_line, "0");
        }
        g_free(size_line);
        if (n == 0) {
            assert_string_equal(eol, "\r\n\r\n");
            break;
        }
        assert_memory_equal(eol + 2, r.body + total, n);
        assert_memory_equal(eol + 2 + n, "\r\n", 2);
        p = eol + 2 + n + 2;
        total += n;
        chunks++;
    }
    assert_int_equal(total, r.body_len);
    assert_true(chunks >= 3);
    http_response_clear(&r);
    g_free(ctx);
    assert_int_equal(conn_finish(k), 0);
    console_http_free(c);
    amt_http_free(s);
}

static void test_malformed_and_framing(void **state)
{
    (void)state;
    amt_device_cfg cfg = base_cfg();
    amt_http *s = amt_http_new(&cfg);
    const char *bad[] = {
        "GARBAGE\r\n\r\n",
        "GET /index.htm HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n",
        "GET /index.htm HTTP/1.1\r\n\r\n", /* no Host */
        ("POST /wsman HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
         "\r\n0\r\n\r\n"),
        "POST /wsman HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
        "POST /wsman HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        int rc;
        char *raw = raw_exchange(s, bad[i], strlen(bad[i]), &rc);
        assert_int_equal(rc, -1);
        if (!g_str_has_prefix(raw, "HTTP/1.1 400 Bad Request\r\n"))
            fail_msg("case %zu: %s", i, raw);
        assert_non_null(strstr(raw, "Connection: close\r\n"));
        g_free(raw);
    }
    /* larger than 1 MiB: refused before reading it */
    static const char big[] = "POST /wsman HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n";
    int rc;
    char *raw = raw_exchange(s, big, sizeof big - 1, &rc);
    assert_int_equal(rc, -1);
    assert_true(g_str_has_prefix(raw, "HTTP/1.1 413 "));
    g_free(raw);

    /* a chunked request body is read like any other */
    char *id = wsman_identify();
    size_t half = strlen(id) / 2;
    char *req = g_strdup_printf("POST /wsman HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                                "Connection: close\r\n\r\n%zx\r\n%.*s\r\n%zx;ext=1\r\n%s\r\n0\r\n"
                                "Trailer: x\r\n\r\n",
                                half, (int)half, id, strlen(id) - half, id + half);
    raw = raw_exchange(s, req, strlen(req), &rc);
    assert_int_equal(rc, 0);
    assert_true(g_str_has_prefix(raw, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(raw, "IdentifyResponse"));
    g_free(raw);
    g_free(req);
    free(id);
    amt_http_free(s);
}

int main(void)
{
    alarm(120); /* a server that never ends a connection fails, not hangs */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest_primitives),
        cmocka_unit_test(test_digest_checks),
        cmocka_unit_test(test_no_auth_gets_exact_challenge),
        cmocka_unit_test(test_login_on_new_connection_and_keep_alive),
        cmocka_unit_test(test_wrong_password_and_unknown_user),
        cmocka_unit_test(test_stale_nonce),
        cmocka_unit_test(test_empty_response_cve_2017_5689),
        cmocka_unit_test(test_access_denied),
        cmocka_unit_test(test_enumerate_pull_put),
        cmocka_unit_test(test_methods_and_faults),
        cmocka_unit_test(test_eoi),
        cmocka_unit_test(test_identify_date_and_chunking),
        cmocka_unit_test(test_malformed_and_framing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
