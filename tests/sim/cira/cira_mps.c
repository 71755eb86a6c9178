/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MPS side of CIRA, as the open MPSs behave: it accepts the login it
 * knows and answers others with UserAuthFailure (the 2-byte flag they
 * write) and a close, accepts both services, answers each tcpip-forward
 * with the port, asks for keep-alives after the last one (interval 1 s,
 * timeout 3 s here, to keep recordings short), then, as a console behind
 * it would, opens a channel and runs a WS-Man Get through it with a Digest
 * login. */
#include "cira.h"
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
    GByteArray *m = cw_new(94);
    cw_u32(m, chan);
    cw_u32(m, (uint32_t)s->len);
    cw_bytes(m, s->str, s->len);
    send_msg(ssl, log, m);
    g_string_free(s, TRUE);
}

/* The console behind the MPS: answers a 401 with Digest, and closes the
 * channel after the 200. Returns 1 when the exchange is over. */
static int console_step(SSL *ssl, cira_log *log, uint32_t amt_chan, GString *in)
{
    const char *end = strstr(in->str, "\r\n\r\n");
    if (!end)
        return 0;
    const char *cl = g_strstr_len(in->str, end - in->str, "Content-Length: ");
    size_t total = (size_t)(end + 4 - in->str) + (cl ? strtoul(cl + 16, NULL, 10) : 0);
    if (in->len < total)
        return 0;
    int done = 1;
    if (g_str_has_prefix(in->str, "HTTP/1.1 401")) {
        const char *nonce = strstr(in->str, "nonce=\"");
        char n[64] = "";
        if (nonce)
            g_strlcpy(n, nonce + 7, MIN(sizeof n, strcspn(nonce + 7, "\"") + 1));
        char resp[33];
        digest_response(CIRA_ADMIN, CIRA_REALM, CIRA_ADMIN_PASSWORD, "POST", "/wsman", n,
                        "00000001", "0a4f113b", "auth", resp);
        char *auth = g_strdup_printf("Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
                                     "uri=\"/wsman\", response=\"%s\", qop=auth, nc=00000001, "
                                     "cnonce=\"0a4f113b\"",
                                     CIRA_ADMIN, CIRA_REALM, n, resp);
        channel_send(ssl, log, amt_chan, wsman_get(auth));
        g_free(auth);
        done = 0;
    }
    g_string_erase(in, 0, (gssize)total);
    return done;
}

static void serve(const cira_scen *sc, SSL *ssl, int fd, cira_log *log)
{
    cw_reader rd = {0};
    const char *password = sc->password ? sc->password : CIRA_PASSWORD;
    GString *chan_in = g_string_new(NULL);
    uint32_t amt_chan = 0;
    int forwards = 0;
    int work_done = !sc->channel_port; /* the console's exchange is over */
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
        case 211: /* KeepAliveOptionsReply: the tunnel is up */
            if (sc->channel_port) {
                m = cw_new(90);
                cw_str(m, "forwarded-tcpip");
                cw_u32(m, 4); /* the MPS's channel number */
                cw_u32(m, 32768);
                cw_u32(m, 0xffffffffu);
                cw_str(m, CIRA_AMT_NAME);
                cw_u32(m, sc->channel_port);
                cw_str(m, "192.0.2.50");
                cw_u32(m, 50213);
                send_msg(ssl, log, m);
            }
            break;
        case 91: /* ChannelOpenConfirmation */
            amt_chan = cw_get32(in->data + 5);
            channel_send(ssl, log, amt_chan, wsman_get(NULL));
            break;
        case 92: /* ChannelOpenFailure: the console is told; the tunnel stays */
            work_done = 1;
            break;
        case 94: { /* ChannelData */
            uint32_t n = cw_get32(in->data + 5);
            g_string_append_len(chan_in, (const char *)in->data + 9, n);
            if (console_step(ssl, log, amt_chan, chan_in)) {
                m = cw_new(97);
                cw_u32(m, amt_chan);
                send_msg(ssl, log, m);
            }
            break;
        }
        case 97: /* ChannelClose answered: the console is done */
            work_done = 1;
            break;
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
    g_string_free(chan_in, TRUE);
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
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
        serve(sc, ssl, fd, a->log);
        SSL_shutdown(ssl);
    } else {
        ERR_clear_error();
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return NULL;
}
