/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MPS side of CIRA, as the open MPSs behave: it accepts the login it
 * knows and answers others with UserAuthFailure (the 2-byte flag they
 * write) and a close, accepts both services, answers each tcpip-forward
 * with the port, asks for keep-alives after the last one (interval 1 s,
 * timeout 3 s here, to keep recordings short), then, as a console behind
 * it would, opens a channel and runs a WS-Man Get through it with a Digest
 * login. */
#include "cira.h"
#include "cira_tls.h"
#include "cira_wire.h"
#include "http_digest.h"

#include <openssl/err.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define KEEPALIVE_INTERVAL 1
#define KEEPALIVE_TIMEOUT 3

static int send_msg(SSL *ssl, cira_log *log, GByteArray *b)
{
    g_ptr_array_add(log->mps_msgs, g_strdup(cira_type_name(b->data[0])));
    return cw_send(ssl, b);
}

static GString *wsman_get(const char *authorization)
{
    static const char env[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Envelope "
        "xmlns=\"http://www.w3.org/2003/05/soap-envelope\" "
        "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
        "xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\"><Header>"
        "<a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action>"
        "<a:To>/wsman</a:To><w:ResourceURI>http://intel.com/wbem/wscim/1/amt-schema/1/"
        "AMT_GeneralSettings</w:ResourceURI><a:MessageID>1</a:MessageID><a:ReplyTo>"
        "<a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
        "</a:Address></a:ReplyTo><w:OperationTimeout>PT60S</w:OperationTimeout></Header>"
        "<Body/></Envelope>";
    GString *s = g_string_new(NULL);
    g_string_append_printf(s,
                           "POST /wsman HTTP/1.1\r\nHost: %s:16992\r\n%s%s%sContent-Type: "
                           "application/soap+xml; charset=utf-8\r\nContent-Length: %u\r\n\r\n%s",
                           CIRA_AMT_NAME, authorization ? "Authorization: " : "",
                           authorization ? authorization : "", authorization ? "\r\n" : "",
                           (unsigned)strlen(env), env);
    return s;
}

static void channel_send(SSL *ssl, cira_log *log, uint32_t chan, GString *s)
{
    send_msg(ssl, log, cw_channel_data(chan, s));
}

/* One console behind the MPS and its channel to AMT. */
typedef struct console_chan {
    const char *kind;  /* "wsman", "wsman-wrong", "wsman-nocred", "wsman-tls",
                          "wsman-tls-nocert", "redir", "redir-ider-wrong", "redir-tls" */
    uint32_t mps_num;  /* the MPS's number for the channel */
    uint32_t amt_num;  /* AMT's, once confirmed */
    GString *in;       /* AMT's bytes (decrypted: wsman-tls, redir-tls) not yet read */
    int tries, closed; /* Digest answers sent; ChannelClose sent */
    cira_tls tls;      /* wsman-tls(-nocert), redir-tls: the console's TLS to AMT's 16993,
                          16995 */
    int asked;         /* ... the first request went out */
} console_chan;

/* The console's bytes to AMT: through its TLS when it has one. */
static void console_send(SSL *ssl, cira_log *log, console_chan *c, GString *s)
{
    if (!c->tls.ssl) {
        channel_send(ssl, log, c->amt_num, s);
        return;
    }
    cira_tls_write(&c->tls, s);
    GString *out = cira_tls_out(&c->tls);
    if (out)
        channel_send(ssl, log, c->amt_num, out);
}

/* The console closes its channel (ChannelClose), once. */
static void console_close(SSL *ssl, cira_log *log, console_chan *c)
{
    if (c->closed)
        return;
    GByteArray *m = cw_new(97);
    cw_u32(m, c->amt_num);
    send_msg(ssl, log, m);
    c->closed = 1;
}

/* The length of one whole HTTP response at the start of in, or 0. */
static size_t http_whole(const GString *in)
{
    const char *end = strstr(in->str, "\r\n\r\n");
    if (!end)
        return 0;
    const char *cl = g_strstr_len(in->str, end - in->str, "Content-Length: ");
    size_t total = (size_t)(end + 4 - in->str) + (cl ? strtoul(cl + 16, NULL, 10) : 0);
    return in->len < total ? 0 : total;
}

/* A WS-Man console: answers a 401 with Digest (once), and is done after
 * the 200 or a second 401. Returns 1 when the exchange is over. */
static int wsman_step(SSL *ssl, cira_log *log, console_chan *c)
{
    size_t total = http_whole(c->in);
    if (!total)
        return 0;
    int done = 1;
    /* wsman-nocred: a console that has no credentials and gives up */
    if (g_str_has_prefix(c->in->str, "HTTP/1.1 401") && strcmp(c->kind, "wsman-nocred") != 0 &&
        !c->tries++) {
        const char *nonce = strstr(c->in->str, "nonce=\"");
        char n[64] = "";
        if (nonce)
            g_strlcpy(n, nonce + 7, MIN(sizeof n, strcspn(nonce + 7, "\"") + 1));
        const char *pw =
            !strcmp(c->kind, "wsman-wrong") ? CIRA_WRONG_PASSWORD : CIRA_ADMIN_PASSWORD;
        char resp[33];
        digest_response(CIRA_ADMIN, CIRA_REALM, pw, "POST", "/wsman", n, "00000001", "0a4f113b",
                        "auth", resp);
        char *auth = g_strdup_printf("Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
                                     "uri=\"/wsman\", response=\"%s\", qop=auth, nc=00000001, "
                                     "cnonce=\"0a4f113b\"",
                                     CIRA_ADMIN, CIRA_REALM, n, resp);
        console_send(ssl, log, c, wsman_get(auth));
        g_free(auth);
        done = 0;
    }
    g_string_erase(c->in, 0, (gssize)total);
    return done;
}

/* A redirection message of AMT's at the start of in: its length, or 0. */
static size_t redir_whole(const GString *in)
{
    const uint8_t *p = (const uint8_t *)in->str;
    size_t n = 0;
    if (in->len >= 13 && p[0] == 0x11) /* StartRedirectionSessionReply */
        n = 13 + (size_t)p[12];
    else if (in->len >= 9 && p[0] == 0x14) /* AuthenticateSessionReply */
        n = 9 + ((size_t)p[5] | (size_t)p[6] << 8 | (size_t)p[7] << 16 | (size_t)p[8] << 24);
    return n && in->len >= n ? n : 0;
}

/* A SOL console ("redir-ider-wrong": IDE-R, with a wrong password): the
 * session's start, the methods, a user/password login (inside the
 * tunnel's TLS), then it ends the session; refused at the start (BUSY), it
 * ends it there. Returns 1 when over. */
static int redir_step(SSL *ssl, cira_log *log, console_chan *c)
{
    size_t n;
    int done = 0;
    while (!done && (n = redir_whole(c->in)) > 0) {
        const uint8_t *p = (const uint8_t *)c->in->str;
        GString *out = g_string_new(NULL);
        if (p[0] == 0x11 && p[1] == 0) {
            /* AuthenticateSession: the query of the methods */
            static const char query[9] = {0x13, 0, 0, 0, 0, 0, 0, 0, 0};
            g_string_append_len(out, query, 9);
        } else if (p[0] == 0x14 && p[4] == 0 && p[1] == 0) {
            const char *pw =
                !strcmp(c->kind, "redir-ider-wrong") ? CIRA_WRONG_PASSWORD : CIRA_REDIR_PASSWORD;
            size_t ul = strlen(CIRA_REDIR_USER), pl = strlen(pw);
            uint32_t len = (uint32_t)(2 + ul + pl);
            const char head[9] = {0x13, 0, 0, 0, 1, (char)len, 0, 0, 0};
            g_string_append_len(out, head, 9);
            g_string_append_c(out, (char)ul);
            g_string_append(out, CIRA_REDIR_USER);
            g_string_append_c(out, (char)pl);
            g_string_append(out, pw);
        } else {
            /* logged in (or refused): EndRedirectionSession */
            static const char end_msg[4] = {0x12, 0, 0, 0};
            g_string_append_len(out, end_msg, 4);
            done = 1;
        }
        g_string_erase(c->in, 0, (gssize)n);
        console_send(ssl, log, c, out);
    }
    return done;
}

static GString *redir_start(const char *kind)
{
    GString *s = g_string_new(NULL);
    g_string_append_len(s, "\x10\0\0\0", 4);
    g_string_append_len(s, strstr(kind, "ider") ? "IDER" : "SOL ", 4);
    return s;
}

static void serve(const mps_args *a, SSL *ssl, int fd)
{
    const cira_scen *sc = a->sc;
    cira_log *log = a->log;
    cw_reader rd = {0};
    const char *password = sc->password ? sc->password : CIRA_PASSWORD;
    /* the consoles: the scenario's channels, or one WS-Man console to
     * channel_port */
    console_chan cc[CIRA_CHANNELS_MAX] = {{0}};
    int n_cc = 0;
    for (; n_cc < CIRA_CHANNELS_MAX && sc->channels[n_cc]; n_cc++)
        cc[n_cc].kind = sc->channels[n_cc];
    if (!n_cc && sc->channel_port)
        cc[n_cc++].kind = "wsman";
    for (int i = 0; i < n_cc; i++) {
        cc[i].mps_num = 4 + (uint32_t)i;
        cc[i].in = g_string_new(NULL);
    }
    SSL_CTX *console_tls = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(console_tls, SSL_VERIFY_NONE, NULL);
    if (a->console_cert) { /* for an AMT that asks */
        SSL_CTX_use_certificate(console_tls, a->console_cert);
        SSL_CTX_use_PrivateKey(console_tls, a->console_key);
    }
    /* a console that has no certificate to show (wsman-tls-nocert) */
    SSL_CTX *console_tls_nocert = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(console_tls_nocert, SSL_VERIFY_NONE, NULL);
    int forwards = 0, open_chans = 0;
    int work_done = !n_cc; /* the consoles' exchanges are over */
    for (;;) {
        GByteArray *in = NULL;
        int t = cw_read(ssl, fd, &rd, &in, -1);
        if (t < 0)
            break;
        size_t off = 1;
        GByteArray *m = NULL;
        switch (t) {
        case 5: { /* ServiceRequest */
            char *svc = cw_get_str(in, &off);
            m = cw_new(6);
            cw_str(m, svc);
            send_msg(ssl, log, m);
            g_free(svc);
            break;
        }
        case 50: { /* UserAuthRequest */
            char *user = cw_get_str(in, &off), *svc = cw_get_str(in, &off),
                 *method = cw_get_str(in, &off);
            off++;
            char *pw = cw_get_str(in, &off);
            int ok = !strcmp(user, CIRA_USER) && !strcmp(pw, password);
            OPENSSL_cleanse(pw, strlen(pw));
            g_free(user);
            g_free(svc);
            g_free(method);
            g_free(pw);
            if (ok) {
                send_msg(ssl, log, cw_new(52));
            } else {
                m = cw_new(51);
                cw_str(m, "password");
                cw_u8(m, 0);
                cw_u8(m, 0);
                send_msg(ssl, log, m);
                g_byte_array_free(in, TRUE);
                goto out;
            }
            break;
        }
        case 80: { /* GlobalRequest tcpip-forward */
            char *name = cw_get_str(in, &off);
            off++;
            char *addr = cw_get_str(in, &off);
            uint32_t port = cw_get32(in->data + off);
            m = cw_new(81);
            cw_u32(m, port);
            send_msg(ssl, log, m);
            if (++forwards == 2) {
                m = cw_new(210);
                cw_u32(m, KEEPALIVE_INTERVAL);
                cw_u32(m, KEEPALIVE_TIMEOUT);
                send_msg(ssl, log, m);
            }
            g_free(name);
            g_free(addr);
            break;
        }
        case 211: /* KeepAliveOptionsReply: the tunnel is up, the consoles connect */
            for (int i = 0; i < n_cc; i++) {
                int redir = g_str_has_prefix(cc[i].kind, "redir");
                m = cw_new(90);
                cw_str(m, "forwarded-tcpip");
                cw_u32(m, cc[i].mps_num);
                cw_u32(m, 32768);
                cw_u32(m, 0xffffffffu);
                cw_str(m, CIRA_AMT_NAME);
                cw_u32(m, !strcmp(cc[i].kind, "redir-tls") ? 16995
                          : redir                          ? 16994
                          : cira_kind_tls(cc[i].kind)      ? 16993
                          : sc->channel_port               ? sc->channel_port
                                                           : 16992);
                cw_str(m, "192.0.2.50");
                cw_u32(m, 50213 + (uint32_t)i);
                send_msg(ssl, log, m);
                open_chans++;
            }
            break;
        case 91:   /* ChannelOpenConfirmation: the console's first request */
        case 92:   /* ChannelOpenFailure: the console is told; the tunnel stays */
        case 94:   /* ChannelData */
        case 97: { /* ChannelClose */
            uint32_t num = cw_get32(in->data + 1);
            console_chan *c = NULL;
            for (int i = 0; i < n_cc; i++)
                if (cc[i].mps_num == num)
                    c = &cc[i];
            if (!c)
                break;
            if (t == 91) {
                c->amt_num = cw_get32(in->data + 5);
                if (cira_kind_tls(c->kind)) {
                    /* a console that takes any certificate: its ClientHello */
                    cira_tls_start(
                        &c->tls,
                        g_str_has_suffix(c->kind, "-nocert") ? console_tls_nocert : console_tls, 0);
                    channel_send(ssl, log, c->amt_num, cira_tls_out(&c->tls));
                    break;
                }
                channel_send(ssl, log, c->amt_num,
                             g_str_has_prefix(c->kind, "redir") ? redir_start(c->kind)
                                                                : wsman_get(NULL));
                break;
            }
            if (t == 94) {
                uint32_t n = cw_get32(in->data + 5);
                if (c->tls.ssl) {
                    int up = cira_tls_feed(&c->tls, in->data + 9, n, c->in);
                    GString *out = cira_tls_out(&c->tls);
                    if (out)
                        channel_send(ssl, log, c->amt_num, out);
                    if (up < 0) {
                        /* AMT refused the handshake (its alert): the console
                         * gives up and closes the channel */
                        console_close(ssl, log, c);
                        break;
                    }
                    if (up == 1 && !c->asked++)
                        console_send(ssl, log, c,
                                     g_str_has_prefix(c->kind, "redir") ? redir_start(c->kind)
                                                                        : wsman_get(NULL));
                } else {
                    g_string_append_len(c->in, (const char *)in->data + 9, n);
                }
                int over = g_str_has_prefix(c->kind, "redir") ? redir_step(ssl, log, c)
                                                              : wsman_step(ssl, log, c);
                if (over && !c->closed) {
                    if (c->tls.ssl) { /* close_notify, then the channel */
                        SSL_shutdown(c->tls.ssl);
                        GString *out = cira_tls_out(&c->tls);
                        if (out)
                            channel_send(ssl, log, c->amt_num, out);
                    }
                    console_close(ssl, log, c);
                }
                break;
            }
            if (t == 97) /* closed back, when AMT closed first */
                console_close(ssl, log, c);
            /* refused, or the close answered: this console is done */
            if (--open_chans == 0)
                work_done = 1;
            break;
        }
        case 208: /* KeepAliveRequest */
            if (sc->no_keepalive_reply)
                break;
            m = cw_new(209);
            cw_bytes(m, in->data + 1, 4);
            send_msg(ssl, log, m);
            if (work_done) {
                /* one keep-alive answered after the work: the MPS ends */
                m = cw_new(1);
                cw_u32(m, 11); /* BY_APPLICATION */
                cw_u8(m, 0);
                cw_u8(m, 0);
                send_msg(ssl, log, m);
                g_byte_array_free(in, TRUE);
                goto out;
            }
            break;
        case 1:
            g_byte_array_free(in, TRUE);
            goto out;
        default:
            break;
        }
        g_byte_array_free(in, TRUE);
    }
out:
    for (int i = 0; i < n_cc; i++) {
        g_string_free(cc[i].in, TRUE);
        cira_tls_free(&cc[i].tls);
    }
    SSL_CTX_free(console_tls);
    SSL_CTX_free(console_tls_nocert);
    if (rd.buf)
        g_byte_array_free(rd.buf, TRUE);
}

gpointer cira_mps_run(gpointer p)
{
    mps_args *a = p;
    const cira_scen *sc = a->sc;
    int fd = accept(a->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(ctx, sc->tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION);
    cira_set_info_callback(ctx);
    if (sc->ciphers)
        SSL_CTX_set_cipher_list(ctx, sc->ciphers);
    SSL_CTX_use_certificate(ctx, a->chain[0]);
    if (a->chain[1])
        SSL_CTX_add1_chain_cert(ctx, a->chain[1]);
    SSL_CTX_use_PrivateKey(ctx, a->key);
    if (sc->wants_amt_cert) {
        /* AMT's certificate, required, from the root it was issued by */
        X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), a->amt_root);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    }
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
        serve(a, ssl, fd);
        SSL_shutdown(ssl);
    } else {
        ERR_clear_error();
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return NULL;
}
