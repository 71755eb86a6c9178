/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The AMT side of CIRA: it calls the MPS, checks its certificate against
 * its one trusted root and the MPS name it was given (and, like AMT 12,
 * answers a certificate it refuses with certificate_unknown), logs in,
 * asks to forward 16993 and 16992, answers keep-alives, and serves WS-Man
 * over the channels the MPS opens: a Digest challenge, then the answer to
 * a Get of AMT_GeneralSettings. */
#include "cira.h"
#include "cira_tls.h"
#include "cira_wire.h"
#include "http_digest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *keylog_path;

static void keylog_cb(const SSL *ssl, const char *line)
{
    (void)ssl;
    FILE *f = fopen(keylog_path, "a");
    if (f) {
        fprintf(f, "%s\n", line);
        fclose(f);
    }
}

/* AMT answers every MPS certificate it refuses with certificate_unknown,
 * as AMT 12 was seen to: the error set here is one OpenSSL maps to that
 * alert and no other. */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
    if (!ok)
        X509_STORE_CTX_set_error(ctx, X509_V_ERR_SUBJECT_ISSUER_MISMATCH);
    return ok;
}

/* Connects to 127.0.0.1:CIRA_PORT, giving up after 3.5 s (the SYN and
 * two retransmissions). Returns the socket or -1. */
static int dial(cira_log *log)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(CIRA_PORT)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    int r = connect(fd, (struct sockaddr *)&a, sizeof a);
    struct sockaddr_in me;
    socklen_t ml = sizeof me;
    getsockname(fd, (struct sockaddr *)&me, &ml);
    g_snprintf(log->client, sizeof log->client, "127.0.0.1:%u", ntohs(me.sin_port));
    if (r < 0 && errno != EINPROGRESS)
        goto fail;
    struct pollfd pf = {.fd = fd, .events = POLLOUT};
    if (poll(&pf, 1, 3500) != 1)
        goto fail;
    int err = 0;
    socklen_t el = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
    if (err)
        goto fail;
    fcntl(fd, F_SETFL, 0);
    return fd;
fail:
    close(fd);
    return -1;
}

static void sent(cira_log *log, uint8_t t)
{
    g_ptr_array_add(log->amt_msgs, g_strdup(cira_type_name(t)));
}

static int send_msg(SSL *ssl, cira_log *log, GByteArray *b)
{
    sent(log, b->data[0]);
    return cw_send(ssl, b);
}

/* ChannelClose to the MPS's number for the channel. */
static void send_close(SSL *ssl, cira_log *log, uint32_t mps_num)
{
    GByteArray *m = cw_new(97);
    cw_u32(m, mps_num);
    send_msg(ssl, log, m);
}

/* One HTTP request taken from a channel's bytes, answered; its status goes
 * into statuses. */
static GString *answer_http(const char *req, GPtrArray *statuses)
{
    const char *auth = strstr(req, "\r\nAuthorization: ");
    GString *body = g_string_new(NULL), *out = g_string_new(NULL);
    int ok = 0;
    if (auth) {
        char *line = g_strndup(auth + 17, strcspn(auth + 17, "\r\n"));
        digest_params p;
        if (digest_params_parse(line, &p) == 0) {
            char want[33];
            const char *nonce = digest_param(&p, "nonce"), *nc = digest_param(&p, "nc"),
                       *cn = digest_param(&p, "cnonce"), *resp = digest_param(&p, "response");
            if (nonce && nc && cn && resp) {
                digest_response(CIRA_ADMIN, CIRA_REALM, CIRA_ADMIN_PASSWORD, "POST", "/wsman",
                                nonce, nc, cn, "auth", want);
                ok = strcmp(want, resp) == 0;
            }
            digest_params_clear(&p);
        }
        g_free(line);
    }
    if (ok) {
        g_string_append(body,
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a:Envelope "
                        "xmlns:a=\"http://www.w3.org/2003/05/soap-envelope\" "
                        "xmlns:g=\"http://intel.com/wbem/wscim/1/amt-schema/1/"
                        "AMT_GeneralSettings\"><a:Header/><a:Body><g:AMT_GeneralSettings>"
                        "<g:HostName>amt7</g:HostName><g:DomainName>example.com</g:DomainName>"
                        "</g:AMT_GeneralSettings></a:Body></a:Envelope>");
        g_string_append_printf(out,
                               "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; "
                               "charset=UTF-8\r\nServer: Intel(R) Active Management Technology "
                               "16.1.27\r\nContent-Length: %u\r\n\r\n%s",
                               (unsigned)body->len, body->str);
        g_ptr_array_add(statuses, g_strdup("200"));
    } else {
        g_string_append_printf(out,
                               "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest "
                               "realm=\"%s\", nonce=\"cira-n0nce-0001\", stale=\"false\", "
                               "qop=\"auth\"\r\nContent-Type: text/html\r\nServer: Intel(R) "
                               "Active Management Technology 16.1.27\r\nContent-Length: 0\r\n\r\n",
                               CIRA_REALM);
        g_ptr_array_add(statuses, g_strdup("401"));
    }
    g_string_free(body, TRUE);
    return out;
}

/* Takes whole requests (headers and Content-Length body) from in; the
 * answers go through tls when the channel is TLS (16993). */
static void serve_channel(SSL *ssl, cira_log *log, GString *in, uint32_t mps_chan, cira_tls *tls)
{
    for (;;) {
        const char *end = strstr(in->str, "\r\n\r\n");
        if (!end)
            return;
        const char *cl = g_strstr_len(in->str, end - in->str, "Content-Length: ");
        size_t body = cl ? strtoul(cl + 16, NULL, 10) : 0;
        size_t total = (size_t)(end + 4 - in->str) + body;
        if (in->len < total)
            return;
        char *req = g_strndup(in->str, total);
        g_string_erase(in, 0, (gssize)total);
        GString *resp = answer_http(req, tls ? log->https : log->http);
        g_free(req);
        if (!tls) {
            send_msg(ssl, log, cw_channel_data(mps_chan, resp));
            continue;
        }
        cira_tls_write(tls, resp);
        GString *out = cira_tls_out(tls);
        if (out)
            send_msg(ssl, log, cw_channel_data(mps_chan, out));
    }
}

/* One channel the MPS opened to AMT. */
typedef struct amt_chan {
    uint32_t mps_num, port;
    GString *in;     /* the MPS's bytes (decrypted on 16993) not yet served */
    cira_tls tls;    /* 16993: AMT's TLS server inside the channel */
    char session[4]; /* 16994: the redirection session it holds ("SOL ", "IDER"), or none */
    int closed;      /* AMT sent ChannelClose (its TLS handshake failed) */
} amt_chan;

/* Whether another channel than c holds a redirection session of kind tag:
 * AMT runs one session of each kind at a time. */
static int session_held(const amt_chan *ch, const amt_chan *c, const uint8_t *tag)
{
    for (int i = 0; i < CIRA_CHANNELS_MAX; i++)
        if (&ch[i] != c && ch[i].in && !memcmp(ch[i].session, tag, 4))
            return 1;
    return 0;
}

/* The redirection service in channel c (of the tunnel's channels ch): the
 * start of a SOL or IDE-R session (BUSY when another channel holds one of
 * that kind), the methods (user/password, Digest), a user/password login;
 * an end frees the session and closes nothing here (the MPS closes the
 * channel). */
static void serve_redir(SSL *ssl, cira_log *log, amt_chan *ch, amt_chan *c)
{
    cira_tls *tls = c->tls.ssl ? &c->tls : NULL; /* 16995 */
    GString *in = c->in;
    uint32_t mps_chan = c->mps_num;
    for (;;) {
        const uint8_t *p = (const uint8_t *)in->str;
        size_t n = 0;
        if (in->len >= 8 && p[0] == 0x10)
            n = 8;
        else if (in->len >= 4 && p[0] == 0x12)
            n = 4;
        else if (in->len >= 9 && p[0] == 0x13)
            n = 9 + ((size_t)p[5] | (size_t)p[6] << 8 | (size_t)p[7] << 16 | (size_t)p[8] << 24);
        if (!n || in->len < n)
            return;
        GString *out = g_string_new(NULL);
        if (p[0] == 0x10) {
            /* StartRedirectionSessionReply: SUCCESS or BUSY, no OEM data */
            int busy = session_held(ch, c, p + 4);
            const char r[13] = {0x11, busy ? 2 : 0};
            g_string_append_len(out, r, 13);
            if (!busy)
                memcpy(c->session, p + 4, 4);
        } else if (p[0] == 0x12) {
            memset(c->session, 0, sizeof c->session);
        } else if (p[0] == 0x13 && p[4] == 0) {
            static const char r[11] = {0x14, 0, 0, 0, 0, 2, 0, 0, 0, 1, 4};
            g_string_append_len(out, r, 11);
        } else if (p[0] == 0x13 && p[4] == 1) {
            /* the user and the password, each a length byte and the text */
            size_t ul = n > 9 ? p[9] : 0, pl = n > 10 + ul ? p[10 + ul] : 0;
            int ok = n >= 11 + ul + pl && ul == strlen(CIRA_REDIR_USER) &&
                     !memcmp(p + 10, CIRA_REDIR_USER, ul) && pl == strlen(CIRA_REDIR_PASSWORD) &&
                     !memcmp(p + 11 + ul, CIRA_REDIR_PASSWORD, pl);
            const char r[9] = {0x14, ok ? 0 : 1, 0, 0, 1, 0, 0, 0, 0};
            g_string_append_len(out, r, 9);
            g_ptr_array_add(log->redir, g_strdup(ok ? "accepted" : "rejected"));
        }
        OPENSSL_cleanse(in->str, n);
        g_string_erase(in, 0, (gssize)n);
        if (!out->len) {
            g_string_free(out, TRUE);
            continue;
        }
        if (tls) {
            cira_tls_write(tls, out);
            out = cira_tls_out(tls);
            if (!out)
                continue;
        }
        send_msg(ssl, log, cw_channel_data(mps_chan, out));
    }
}

static const uint32_t forward_ports[] = {16993, 16992, 16994, 16995};

/* The tunnel after TLS: the login, the forwards, then channels and
 * keep-alives until the MPS or the keep-alive timeout ends it. */
static void tunnel(const cira_scen *sc, SSL *ssl, int fd, cira_log *log, SSL_CTX *inner)
{
    cw_reader rd = {0};
    GByteArray *m = cw_new(192);
    cw_u32(m, 1);
    cw_u32(m, 0);
    cw_u32(m, 4); /* periodic */
    static const uint8_t uuid[16] = {0x78, 0x56, 0x34, 0x12, 0xab, 0x90, 0xef, 0xcd,
                                     0x80, 0x01, 0x00, 0x0d, 0x0e, 0x0a, 0x0d, 0x07};
    cw_bytes(m, uuid, 16);
    for (int i = 0; i < 64; i++)
        cw_u8(m, 0);
    send_msg(ssl, log, m);
    m = cw_new(5);
    cw_str(m, "auth@amt.intel.com");
    send_msg(ssl, log, m);

    size_t next_port = 0, n_ports = sc->amt_redir_tls ? 4 : sc->amt_redir ? 3 : 2;
    uint32_t interval = 0, timeout = 0, cookie = 1;
    int waiting_reply = 0;
    gint64 last_ka = 0, first_unanswered = 0;
    amt_chan ch[CIRA_CHANNELS_MAX] = {{0}};
    for (;;) {
        int wait = -1;
        if (interval) {
            gint64 due = last_ka + (gint64)interval * 1000;
            gint64 now = g_get_monotonic_time() / 1000;
            wait = due > now ? (int)(due - now) : 0;
        }
        GByteArray *in = NULL;
        int t = cw_read(ssl, fd, &rd, &in, wait);
        if (t == -1)
            break;
        gint64 now = g_get_monotonic_time() / 1000;
        if (t == -2) {
            /* the keep-alive interval passed */
            if (waiting_reply && timeout && now - first_unanswered >= (gint64)timeout * 1000)
                break; /* the MPS stopped answering: AMT drops the tunnel */
            m = cw_new(208);
            cw_u32(m, cookie++);
            send_msg(ssl, log, m);
            if (!waiting_reply)
                first_unanswered = now;
            waiting_reply = 1;
            last_ka = now;
            continue;
        }
        size_t off = 1;
        switch (t) {
        case 6: { /* ServiceAccept */
            char *svc = cw_get_str(in, &off);
            if (!strcmp(svc, "auth@amt.intel.com")) {
                m = cw_new(50);
                cw_str(m, CIRA_USER);
                cw_str(m, "pfwd@amt.intel.com");
                cw_str(m, "password");
                cw_u8(m, 0);
                cw_str(m, CIRA_PASSWORD);
                send_msg(ssl, log, m);
            } else if (next_port < n_ports) {
                m = cw_new(80);
                cw_str(m, "tcpip-forward");
                cw_u8(m, 1);
                cw_str(m, CIRA_AMT_NAME);
                cw_u32(m, forward_ports[next_port++]);
                rd.success_has_port = 1;
                send_msg(ssl, log, m);
            }
            g_free(svc);
            break;
        }
        case 52: /* UserAuthSuccess */
            m = cw_new(5);
            cw_str(m, "pfwd@amt.intel.com");
            send_msg(ssl, log, m);
            break;
        case 51: /* UserAuthFailure: AMT gives up */
            g_byte_array_free(in, TRUE);
            goto out;
        case 81: /* RequestSuccess */
            if (next_port < n_ports) {
                m = cw_new(80);
                cw_str(m, "tcpip-forward");
                cw_u8(m, 1);
                cw_str(m, CIRA_AMT_NAME);
                cw_u32(m, forward_ports[next_port++]);
                send_msg(ssl, log, m);
            }
            break;
        case 210: /* KeepAliveOptionsRequest */
            interval = cw_get32(in->data + 1);
            timeout = cw_get32(in->data + 5);
            m = cw_new(211);
            cw_u32(m, interval);
            cw_u32(m, timeout);
            send_msg(ssl, log, m);
            last_ka = now;
            break;
        case 209: /* KeepAliveReply */
            waiting_reply = 0;
            break;
        case 208: /* KeepAliveRequest from the MPS */
            m = cw_new(209);
            cw_bytes(m, in->data + 1, 4);
            send_msg(ssl, log, m);
            break;
        case 90: { /* ChannelOpen: AMT's number for it is its slot + 1 */
            char *type = cw_get_str(in, &off);
            uint32_t sender = cw_get32(in->data + off);
            off += 12;
            char *target = cw_get_str(in, &off);
            uint32_t port = cw_get32(in->data + off);
            int slot = -1;
            for (int i = CIRA_CHANNELS_MAX - 1; i >= 0; i--)
                if (!ch[i].in)
                    slot = i;
            int served = port == 16992 || (port == 16994 && sc->amt_redir) ||
                         (port == 16993 && inner) || (port == 16995 && sc->amt_redir_tls && inner);
            if (served && slot >= 0) {
                ch[slot].mps_num = sender;
                ch[slot].port = port;
                ch[slot].in = g_string_new(NULL);
                if (port == 16993 || port == 16995)
                    cira_tls_start(&ch[slot].tls, inner, 1);
                m = cw_new(91);
                cw_u32(m, sender);
                cw_u32(m, (uint32_t)slot + 1);
                cw_u32(m, 4096);
                cw_u32(m, 0xffffffffu);
            } else {
                m = cw_new(92);
                cw_u32(m, sender);
                cw_u32(m, 2); /* CONNECT_FAILED: nothing listens there */
                cw_u32(m, 0);
                cw_u32(m, 0);
            }
            send_msg(ssl, log, m);
            g_free(type);
            g_free(target);
            break;
        }
        case 93: /* ChannelWindowAdjust */
            break;
        case 94:   /* ChannelData */
        case 97: { /* ChannelClose: closed back, unless AMT closed first */
            uint32_t num = cw_get32(in->data + 1);
            amt_chan *c = num >= 1 && num <= CIRA_CHANNELS_MAX ? &ch[num - 1] : NULL;
            if (!c || !c->in)
                break;
            if (t == 97) {
                if (!c->closed)
                    send_close(ssl, log, c->mps_num);
                g_string_free(c->in, TRUE);
                c->in = NULL;
                c->closed = 0;
                memset(c->session, 0, sizeof c->session);
                cira_tls_free(&c->tls);
                break;
            }
            if (c->closed)
                break; /* bytes sent before the MPS saw AMT's close */
            uint32_t n = cw_get32(in->data + 5);
            if (c->tls.ssl) {
                int up = cira_tls_feed(&c->tls, in->data + 9, n, c->in);
                GString *out = cira_tls_out(&c->tls); /* its handshake, or its alert */
                if (out)
                    send_msg(ssl, log, cw_channel_data(c->mps_num, out));
                if (up < 0) {
                    /* the handshake failed (a console without the certificate
                     * AMT asks for): AMT closes its end, as it closes the TCP
                     * connection of a console on its own 16993 */
                    send_close(ssl, log, c->mps_num);
                    c->closed = 1;
                    break;
                }
            } else {
                g_string_append_len(c->in, (const char *)in->data + 9, n);
            }
            if (c->port == 16994 || c->port == 16995)
                serve_redir(ssl, log, ch, c);
            else
                serve_channel(ssl, log, c->in, c->mps_num, c->tls.ssl ? &c->tls : NULL);
            /* the MPS consumed what AMT sent: AMT opens its window again */
            m = cw_new(93);
            cw_u32(m, c->mps_num);
            cw_u32(m, n);
            send_msg(ssl, log, m);
            break;
        }
        case 1: /* Disconnect */
            g_byte_array_free(in, TRUE);
            goto out;
        default:
            break;
        }
        g_byte_array_free(in, TRUE);
    }
out:
    for (int i = 0; i < CIRA_CHANNELS_MAX; i++) {
        if (ch[i].in)
            g_string_free(ch[i].in, TRUE);
        cira_tls_free(&ch[i].tls);
    }
    if (rd.buf)
        g_byte_array_free(rd.buf, TRUE);
}

int cira_amt_run(const cira_scen *sc, X509 *root, X509 *cert, EVP_PKEY *key, const char *keylog,
                 cira_log *log)
{
    int fd = dial(log);
    if (fd < 0)
        return 0; /* refused or unanswered: what the scenario wanted */
    keylog_path = keylog;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    cira_set_info_callback(ctx);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION); /* AMT 16 */
    SSL_CTX_set_cipher_list(ctx, sc->amt_ciphers ? sc->amt_ciphers
                                                 : "ECDHE-RSA-AES256-GCM-SHA384:"
                                                   "ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256");
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), root);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
    if (!sc->amt_no_cert) { /* for an MPS that asks for it */
        SSL_CTX_use_certificate(ctx, cert);
        SSL_CTX_use_PrivateKey(ctx, key);
    }
    SSL *ssl = SSL_new(ctx);
    SSL_set_tlsext_host_name(ssl, CIRA_MPS_NAME);
    SSL_set1_host(ssl, CIRA_MPS_NAME);
    SSL_set_fd(ssl, fd);
    /* its TLS server for 16993 through the tunnel: AMT 16's TLS 1.2, or
     * TLS 1.3 where newer firmware allows it (the handshake after the
     * ServerHello and the alerts are then encrypted: the key log holds the
     * secrets that open them) */
    SSL_CTX *inner = NULL;
    if (sc->amt_tls) {
        inner = SSL_CTX_new(TLS_server_method());
        SSL_CTX_set_keylog_callback(inner, keylog_cb);
        SSL_CTX_set_min_proto_version(inner, TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(inner, sc->amt_tls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
        SSL_CTX_use_certificate(inner, cert);
        SSL_CTX_use_PrivateKey(inner, key);
        if (sc->amt_tls_mutual) { /* TLS mutual authentication: consoles from root */
            X509_STORE_add_cert(SSL_CTX_get_cert_store(inner), root);
            SSL_CTX_add_client_CA(inner, root);
            SSL_CTX_set_verify(inner, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        }
    }
    if (SSL_connect(ssl) == 1) {
        tunnel(sc, ssl, fd, log, inner);
        SSL_shutdown(ssl);
    } else {
        ERR_clear_error();
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    SSL_CTX_free(inner);
    close(fd);
    return 0;
}
