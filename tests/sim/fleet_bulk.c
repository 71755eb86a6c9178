/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fleet_bulk: amtsim --bulk, the other benchmark shape — one TLS 1.2
 * connection carrying one huge chunked WS-Man response (after the 401 of
 * the Digest login on a first connection). The two TLS ends run in this
 * thread over memory BIOs and every flight goes straight to the capture,
 * so memory stays flat however large the response. */
#include "certgen.h"
#include "console_http.h"
#include "fleet.h"
#include "http_digest.h"
#include "http_io.h"

#include <errno.h>
#include <openssl/err.h>
#include <stdio.h>
#include <string.h>

#define USER "admin"
#define PASSWORD "Vpro!Admin-2026"
#define REALM "Digest:4E6F9C2A1B7D3E58A0C4F2B6D8E1A3C5"
#define HOST "amt-pc17.vpro.example.com:16993"
#define SERVER_HDR "Server: Intel(R) Active Management Technology 16.1.25.2124\r\n"
/* AMT's chunk sizes: 0x220 for the first chunk, 0x2FA after it, each
 * chunk written as a TLS record of its own. */
#define FIRST_CHUNK 0x220
#define CHUNK 0x2FA

typedef struct bulk {
    wire *w;
    FILE *keylog;
    int64_t now;
    SSL_CTX *cctx, *sctx;
    sim_endpoint cli, srv;
    uint16_t next_port;
    uint32_t isn;
} bulk;

typedef struct bulk_conn {
    bulk *b;
    wire_tcp *flow;
    SSL *ssl[2]; /* 0 console, 1 AMT */
    BIO *out[2]; /* what each side wrote, to be framed and passed on */
    BIO *in[2];  /* what each side reads */
} bulk_conn;

static void keylog_cb(const SSL *ssl, const char *line)
{
    bulk *b = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    fprintf(b->keylog, "%s\n", line);
}

/* Moves what side wrote onto the wire (one write, after its step) and
 * into the peer's input. */
static int pump(bulk_conn *c, int side)
{
    char buf[65536];
    int rc = 0;
    size_t pending = BIO_ctrl_pending(c->out[side]);
    if (!pending)
        return 0;
    c->b->now += side ? 120 : 400;
    while (rc == 0 && (pending = BIO_ctrl_pending(c->out[side])) > 0) {
        int n = BIO_read(c->out[side], buf, (int)(pending < sizeof buf ? pending : sizeof buf));
        if (n <= 0)
            return -1;
        rc = wire_tcp_send(c->flow, side, c->b->now, (const uint8_t *)buf, (size_t)n);
        if (rc == 0 && BIO_write(c->in[!side], buf, n) != n)
            rc = -1;
    }
    return rc;
}

static int conn_open(bulk *b, bulk_conn *c)
{
    memset(c, 0, sizeof *c);
    c->b = b;
    b->cli.port = b->next_port++;
    b->now += 2000;
    b->isn = b->isn * 2654435761u + 12345;
    c->flow = wire_tcp_connect(b->w, &b->cli, &b->srv, b->now, b->isn, b->isn ^ 0x5a5a5a5a);
    if (!c->flow)
        return -1;
    for (int s = 0; s < 2; s++) {
        c->ssl[s] = SSL_new(s ? b->sctx : b->cctx);
        c->in[s] = BIO_new(BIO_s_mem());
        c->out[s] = BIO_new(BIO_s_mem());
        SSL_set_bio(c->ssl[s], c->in[s], c->out[s]);
    }
    SSL_set_tlsext_host_name(c->ssl[0], "amt-pc17.vpro.example.com");
    SSL_set_connect_state(c->ssl[0]);
    SSL_set_accept_state(c->ssl[1]);
    for (int round = 0; round < 20; round++) {
        int done = 1;
        for (int s = 0; s < 2; s++) {
            if (!SSL_is_init_finished(c->ssl[s])) {
                int r = SSL_do_handshake(c->ssl[s]);
                if (r != 1 && SSL_get_error(c->ssl[s], r) != SSL_ERROR_WANT_READ)
                    return -1;
                done = 0;
            }
            if (pump(c, s) != 0)
                return -1;
        }
        if (done)
            return 0;
    }
    return -1;
}

/* Writes data as one TLS record per call from side; the peer reads it. */
static int send_rec(bulk_conn *c, int side, const void *data, size_t len)
{
    if (SSL_write(c->ssl[side], data, (int)len) != (int)len || pump(c, side) != 0)
        return -1;
    char sink[16384];
    while (SSL_read(c->ssl[!side], sink, sizeof sink) > 0)
        ;
    return 0;
}

static int conn_close(bulk_conn *c)
{
    int rc = 0;
    /* AMT closes first (close_notify, FIN); the console answers alike */
    for (int s = 1; s >= 0 && rc == 0; s--) {
        SSL_shutdown(c->ssl[s]);
        rc = pump(c, s);
        c->b->now += 200;
        if (rc == 0)
            rc = wire_tcp_fin(c->flow, s, c->b->now);
    }
    for (int s = 0; s < 2; s++)
        SSL_free(c->ssl[s]);
    wire_tcp_free(c->flow);
    return rc;
}

static char *request(console_http *h, const char *auth)
{
    char *body = wsman_pull(h, "CIM_LogRecord", "0A000000-0000-0000-0000-000000000001");
    char *r = g_strdup_printf("POST /wsman HTTP/1.1\r\nHost: " HOST "\r\n%s"
                              "Content-Type: application/soap+xml;charset=UTF-8\r\n"
                              "Content-Length: %zu\r\n\r\n%s",
                              auth ? auth : "", strlen(body), body);
    free(body);
    return r;
}

/* One CIM_LogRecord of the pull response: a few hundred bytes each. */
static void log_item(GString *g, uint64_t k)
{
    g_string_append_printf(
        g,
        "<h:CIM_LogRecord><h:CreationClassName>CIM_LogRecord</h:CreationClassName>"
        "<h:LogCreationClassName>AMT_AuditLog</h:LogCreationClassName>"
        "<h:LogName>Intel(r) AMT Audit Log</h:LogName>"
        "<h:RecordID>%" G_GUINT64_FORMAT "</h:RecordID>"
        "<h:RecordData>AAEC%08" G_GUINT64_FORMAT "Aw==</h:RecordData>"
        "<h:RecordFormat>Intel(r) AMT audit record v1</h:RecordFormat></h:CIM_LogRecord>",
        k, k % 100000000);
}

static int bulk_response(bulk_conn *c, uint64_t size)
{
    char date[32];
    http_format_date(c->b->now / G_USEC_PER_SEC, date);
    char *head =
        g_strdup_printf("HTTP/1.1 200 OK\r\nDate: %s\r\n" SERVER_HDR "X-Frame-Options: DENY\r\n"
                        "Content-Type: application/soap+xml; charset=UTF-8\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n",
                        date);
    int rc = send_rec(c, 1, head, strlen(head));
    g_free(head);
    GString *body = g_string_new(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a:Envelope "
        "xmlns:a=\"http://www.w3.org/2003/05/soap-envelope\" "
        "xmlns:g=\"http://schemas.xmlsoap.org/ws/2004/09/enumeration\" "
        "xmlns:h=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_LogRecord\"><a:Header/>"
        "<a:Body><g:PullResponse><g:Items>");
    GString *chunk = g_string_sized_new(CHUNK + 16);
    uint64_t sent = 0, item = 0;
    size_t want = FIRST_CHUNK;
    int ending = 0;
    while (rc == 0) {
        while (body->len < want && !ending) {
            if (sent + body->len >= size) {
                g_string_append(body, "</g:Items><g:EndOfSequence/></g:PullResponse></a:Body>"
                                      "</a:Envelope>");
                ending = 1;
            } else {
                log_item(body, ++item);
            }
        }
        size_t n = body->len < want ? body->len : want;
        if (n == 0)
            break;
        g_string_printf(chunk, "%04zX\r\n", n);
        g_string_append_len(chunk, body->str, (gssize)n);
        g_string_append(chunk, "\r\n");
        g_string_erase(body, 0, (gssize)n);
        rc = send_rec(c, 1, chunk->str, chunk->len);
        sent += n;
        want = CHUNK;
    }
    if (rc == 0)
        rc = send_rec(c, 1, "0\r\n\r\n", 5);
    g_string_free(body, TRUE);
    g_string_free(chunk, TRUE);
    return rc;
}

static int run_bulk(bulk *b, uint64_t size)
{
    console_http *h = console_http_new(USER, PASSWORD, HOST, 1);
    bulk_conn c;
    /* the first request: no credentials yet, AMT answers 401 and closes */
    digest_prng rng;
    digest_prng_seed(&rng, 7, 0x9e37);
    char nonce[33], cnonce[17], resp[33];
    digest_make_nonce(&rng, nonce);
    digest_make_cnonce(&rng, cnonce);
    int rc = conn_open(b, &c);
    char *req = rc == 0 ? request(h, NULL) : NULL;
    if (rc == 0)
        rc = send_rec(&c, 0, req, strlen(req));
    g_free(req);
    static const char body401[] = "<HTML><HEAD><TITLE>Intel</TITLE></HEAD><BODY>Logon failed"
                                  "</BODY></HTML>";
    char *r401 = g_strdup_printf("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest "
                                 "realm=\"" REALM "\", nonce=\"%s\",stale=\"false\",qop=\"auth\""
                                 "\r\nContent-Type: text/html\r\n" SERVER_HDR
                                 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                                 nonce, sizeof body401 - 1, body401);
    if (rc == 0)
        rc = send_rec(&c, 1, r401, strlen(r401));
    g_free(r401);
    if (rc == 0)
        rc = conn_close(&c);
    /* the second: the Digest answer, and the huge response */
    digest_response(USER, REALM, PASSWORD, "POST", "/wsman", nonce, "00000001", cnonce, "auth",
                    resp);
    char *auth = g_strdup_printf("Authorization: Digest username=\"" USER "\", realm=\"" REALM
                                 "\", nonce=\"%s\", uri=\"/wsman\", response=\"%s\", "
                                 "qop=auth, nc=00000001, cnonce=\"%s\"\r\n",
                                 nonce, resp, cnonce);
    if (rc == 0) {
        b->now += 12000;
        rc = conn_open(b, &c);
        req = rc == 0 ? request(h, auth) : NULL;
        if (rc == 0)
            rc = send_rec(&c, 0, req, strlen(req));
        g_free(req);
        if (rc == 0)
            rc = bulk_response(&c, size);
        if (rc == 0)
            rc = conn_close(&c);
    }
    g_free(auth);
    console_http_free(h);
    return rc;
}

static int ctx_setup(bulk *b, world *w)
{
    b->cctx = SSL_CTX_new(TLS_client_method());
    b->sctx = SSL_CTX_new(TLS_server_method());
    if (!b->cctx || !b->sctx)
        return -1;
    SSL_CTX_set_max_proto_version(b->cctx, TLS1_2_VERSION);
    SSL_CTX_set_options(b->cctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_options(b->sctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_app_data(b->cctx, b);
    SSL_CTX_set_keylog_callback(b->cctx, keylog_cb);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(b->cctx), w->root);
    SSL_CTX_set_verify(b->cctx, SSL_VERIFY_PEER, NULL);
    X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(b->cctx), (time_t)(b->now / G_USEC_PER_SEC));
    X509_VERIFY_PARAM_set1_host(SSL_CTX_get0_param(b->cctx), "amt-pc17.vpro.example.com", 0);
    return SSL_CTX_set_cipher_list(b->cctx, "ECDHE-RSA-AES128-GCM-SHA256") == 1 &&
                   SSL_CTX_use_certificate(b->sctx, w->amt_cert) == 1 &&
                   SSL_CTX_use_PrivateKey(b->sctx, w->amt_key) == 1
               ? 0
               : -1;
}

int fleet_bulk_main(int argc, char **argv)
{
    const char *dir = NULL;
    uint64_t size = 100ull << 20;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bulk") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
            if (fleet_parse_size(argv[++i], &size) != 0) {
                fprintf(stderr, "amtsim: --bulk: bad size %s\n", argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "usage: amtsim --bulk DIR [--size N[K|M|G]]\n"
                            "Writes DIR/capture.pcapng: a Digest login, then one TLS 1.2\n"
                            "connection whose chunked WS-Man response is N bytes (default\n"
                            "100M); DIR/keylog.txt decrypts it.\n");
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "usage: amtsim --bulk DIR [--size N[K|M|G]]\n");
        return 2;
    }
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        fprintf(stderr, "amtsim: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    if (fleet_rand_install() != 0)
        return 1;
    fleet_rand_seed(1, 0);
    world w;
    bulk b = {.now = certgen_time("2026-03-02T09:14:07") * G_USEC_PER_SEC,
              .next_port = 50113,
              .isn = 0x1a2b3c4d};
    sim_endpoint_set(&b.cli, "192.0.2.10", 0);
    sim_endpoint_set(&b.srv, "192.0.2.20", 16993);
    char err[512];
    char *cap = g_build_filename(dir, "capture.pcapng", NULL);
    char *kl = g_build_filename(dir, "keylog.txt", NULL);
    int rc = world_init(&w) == 0 && ctx_setup(&b, &w) == 0 ? 0 : -1;
    if (rc == 0 && !(b.w = wire_open(cap, PCAPW_PCAPNG, 1460, err, sizeof err))) {
        fprintf(stderr, "amtsim: %s\n", err);
        rc = -1;
    }
    if (rc == 0 && !(b.keylog = fopen(kl, "w"))) {
        fprintf(stderr, "amtsim: %s: %s\n", kl, strerror(errno));
        rc = -1;
    }
    if (rc == 0)
        rc = run_bulk(&b, size);
    if (rc != 0)
        ERR_print_errors_fp(stderr);
    if (b.keylog && fclose(b.keylog) != 0)
        rc = -1;
    if (b.w && wire_close(b.w) != 0)
        rc = -1;
    SSL_CTX_free(b.cctx);
    SSL_CTX_free(b.sctx);
    world_free(&w);
    g_free(cap);
    g_free(kl);
    if (rc != 0)
        fprintf(stderr, "amtsim: --bulk failed\n");
    return rc ? 1 : 0;
}
