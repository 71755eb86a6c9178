/* SPDX-License-Identifier: GPL-2.0-or-later */
/* console: the console's TLS context and its connect/login sequence. */
#include "console.h"

#include <glib.h>
#include <openssl/err.h>
#include <stdio.h>
#include <string.h>

int console_start(console *c)
{
    char host[256];
    c->ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX *x = c->ctx;
    int ok = x != NULL;
    ok = ok && SSL_CTX_set_min_proto_version(x, c->tls.min_version);
    ok = ok && SSL_CTX_set_max_proto_version(x, c->tls.max_version);
    ok = ok && SSL_CTX_set_cipher_list(x, c->tls.ciphers ? c->tls.ciphers : "DEFAULT:@SECLEVEL=0");
    if (ok && c->tls.ciphersuites)
        ok = SSL_CTX_set_ciphersuites(x, c->tls.ciphersuites);
    SSL_CTX_set_options(x, SSL_OP_NO_TICKET);
    if (ok && c->tls.cert) {
        ok = SSL_CTX_use_certificate(x, c->tls.cert) == 1 &&
             SSL_CTX_use_PrivateKey(x, c->tls.key) == 1;
        for (int i = 0; ok && i < 2 && c->tls.chain[i]; i++)
            ok = SSL_CTX_add1_chain_cert(x, c->tls.chain[i]) == 1;
    }
    if (ok && c->tls.trust) {
        X509_STORE_add_cert(SSL_CTX_get_cert_store(x), c->tls.trust);
        SSL_CTX_set_verify(x, SSL_VERIFY_PEER, NULL);
        X509_VERIFY_PARAM *vp = SSL_CTX_get0_param(x);
        X509_VERIFY_PARAM_set_time(vp, (time_t)c->tls.verify_time);
        /* Consoles check AMT's certificate against the name they used. */
        if (g_hostname_is_ip_address(c->amt_name))
            X509_VERIFY_PARAM_set1_ip_asc(vp, c->amt_name);
        else
            X509_VERIFY_PARAM_set1_host(vp, c->amt_name, 0);
    }
    netsim_track_keylog(c->net, x);
    netsim_track_alerts(c->net, x);
    snprintf(host, sizeof host, "%s:%u", c->amt_name, c->port ? c->port : 16993u);
    c->http = console_http_new(c->user, c->password, host, c->seed);
    if (ok && c->http)
        console_http_set_mode(c->http, c->mode);
    if (!ok || !c->http) {
        fprintf(stderr, "amtsim: cannot set up the console's TLS context\n");
        ERR_print_errors_fp(stderr);
        return -1;
    }
    return 0;
}

void console_stop(console *c)
{
    SSL_CTX_free(c->ctx);
    console_http_free(c->http);
    c->ctx = NULL;
    c->http = NULL;
}

simio *console_open(console *c, amt_device *d, uint16_t port, sim_conn **out)
{
    sim_endpoint cli;
    sim_endpoint_set(&cli, c->addr, 0);
    sim_conn *conn = amt_device_connect(d, &cli, port);
    *out = conn;
    sim_conn_facts *f = netsim_facts(conn);
    if (f->tcp != EV_TCP_OPEN)
        return NULL;
    simio *io = netsim_client_io(conn);
    if ((port == 16993 || port == 16995) && !c->plain_on_tls_port) {
        const char *sni = g_hostname_is_ip_address(c->amt_name) ? NULL : c->amt_name;
        if (!simio_start_tls(io, c->ctx, 0, sni)) {
            if (!f->outcome[0])
                g_strlcpy(f->outcome, "rejected", sizeof f->outcome);
            simio_close_after_failure(io);
            netsim_conn_join(conn);
            return NULL;
        }
    }
    return io;
}

static void close_conn(simio *io, sim_conn *conn, int wait_for_peer)
{
    if (wait_for_peer)
        simio_drain(io);
    simio_close(io, 1);
    netsim_conn_join(conn);
}

/* Keeps the EnumerationContext of an EnumerateResponse for the Pull that
 * follows it. */
static void remember_context(console *c, const http_response *r)
{
    const char *p = r->body ? strstr(r->body, "EnumerationContext>") : NULL;
    if (!p)
        return;
    p += strlen("EnumerationContext>");
    size_t n = strcspn(p, "<");
    if (n >= sizeof c->enum_context)
        return;
    memcpy(c->enum_context, p, n);
    c->enum_context[n] = '\0';
}

static int stale_challenge(const http_response *r)
{
    return r->www_authenticate && strstr(r->www_authenticate, "stale=\"true\"") != NULL;
}

int console_run(console *c, amt_device *d, uint16_t port, console_req *reqs, int nreqs)
{
    int answered = 0, retries = 0, sent_auth = 0;
    sim_conn *conn = NULL;
    simio *io = NULL;
    for (int i = 0; i < nreqs;) {
        if (!io) {
            io = console_open(c, d, port, &conn);
            if (!io)
                break;
        }
        sim_conn_facts *f = netsim_facts(conn);
        if (reqs[i].pull_class && !reqs[i].body)
            reqs[i].body = wsman_pull(c->http, reqs[i].pull_class, c->enum_context);
        http_response r = {0};
        int had_challenge = sent_auth;
        int rc = console_http_exchange(c->http, io, reqs[i].method, reqs[i].uri,
                                       reqs[i].content_type, reqs[i].body, &r);
        if (f->n_req < SIM_MAX_HTTP)
            snprintf(f->http_request[f->n_req++], sizeof f->http_request[0], "%s %s",
                     reqs[i].method, reqs[i].uri);
        if (rc != 0) {
            http_response_clear(&r);
            if (!f->outcome[0])
                g_strlcpy(f->outcome, "rejected", sizeof f->outcome);
            close_conn(io, conn, 1);
            io = NULL;
            break;
        }
        if (f->n_http < SIM_MAX_HTTP)
            f->http_status[f->n_http++] = r.status;
        if (r.status == 401) {
            int stale = stale_challenge(&r);
            f->stale_401 |= stale;
            if (!f->outcome[0])
                g_strlcpy(f->outcome, had_challenge && !stale ? "rejected" : "challenge",
                          sizeof f->outcome);
            close_conn(io, conn, 1);
            io = NULL;
            http_response_clear(&r);
            sent_auth = 1;
            /* Consoles retry a challenge at most twice before giving up. */
            if ((had_challenge && !stale) || ++retries > 2)
                break;
            netsim_advance(c->net, 12000);
            continue;
        }
        if (r.status >= 200 && r.status < 300)
            answered++;
        remember_context(c, &r);
        if (!f->outcome[0] || strcmp(f->outcome, "ok") == 0)
            g_strlcpy(f->outcome, r.status < 300 ? "ok" : "rejected", sizeof f->outcome);
        int closing = r.conn_close;
        http_response_clear(&r);
        i++;
        retries = 0;
        if (closing) {
            close_conn(io, conn, 1);
            io = NULL;
        }
    }
    if (io)
        close_conn(io, conn, 0);
    for (int i = 0; i < nreqs; i++)
        free(reqs[i].body);
    return answered;
}
