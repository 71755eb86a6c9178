/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How lib's diagnosis scales with the connections of a capture: N
 * synthetic connections of a fleet — mutual TLS with a refused console
 * certificate and no --trusted-fqdn (the TrustedCN lookup), a PTR and an
 * A answer per console (the DNS lookups), Digest logins to a few AMTs (the
 * nonce and lock-out lookups) — judged by diag_run, for N doubling. The
 * time per connection stays flat when nothing looks at every connection
 * for each one.
 * usage: bench_diag_scale SAMPLES_DIR [MAX_N]   (default 160000) */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amtdiag/diag.h"

typedef struct fleet {
    diag_conn_facts *conns;
    diag_dns_facts *dns;
    diag_exchange *ex;
    diag_alert *alerts;
    char **text;
    int *fam;
    uint8_t (*addrs)[16];
    const char **ptr;
} fleet;

static void make(fleet *fl, size_t n, const diag_blob *cert)
{
    fl->conns = g_new0(diag_conn_facts, n);
    fl->dns = g_new0(diag_dns_facts, 2 * n);
    fl->ex = g_new0(diag_exchange, n);
    fl->alerts = g_new0(diag_alert, n);
    fl->text = g_new0(char *, 2 * n);
    fl->fam = g_new0(int, n);
    fl->addrs = g_malloc0(n * sizeof *fl->addrs);
    fl->ptr = g_new0(const char *, n);
    int64_t t0 = 1772323200LL * 1000000;
    for (size_t i = 0; i < n; i++) {
        diag_conn_facts *c = &fl->conns[i];
        uint8_t cli[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        uint8_t srv[4] = {172, 16, (uint8_t)(i % 2000 >> 8), (uint8_t)(i % 2000)};
        c->id = (unsigned)i;
        c->client = fl->text[2 * i] = g_strdup_printf("10.%u.%u.%u:50000", cli[1], cli[2], cli[3]);
        c->server = fl->text[2 * i + 1] = g_strdup("172.16.0.0:16993");
        c->family = 4;
        memcpy(c->client_addr, cli, 4);
        memcpy(c->server_addr, srv, 4);
        c->client_port = 50000;
        c->server_port = (i % 3) ? 16993 : 16992;
        c->first_ts_us = t0 + (int64_t)i * 1000;
        c->last_ts_us = c->first_ts_us + 500;
        c->syns = 1;
        c->synack = 1;
        c->bytes[0] = c->bytes[1] = 1000;
        c->rst_from = -1;
        c->first_fin_from = DIAG_AMT;
        c->first_fin_frame = (uint64_t)i * 10 + 9;
        if (c->server_port == 16993) {
            /* mutual TLS, refused: the checklist runs, TrustedCN is looked up */
            c->is_tls = 1;
            diag_tls_facts *t = &c->tls;
            t->client_hello = t->server_hello = 1;
            t->version = 0x0303;
            t->amt_reneg = 1;
            t->cert_request = 1;
            t->cert_request_frame = (uint64_t)i * 10 + 4;
            t->client_cert = DIAG_CERT_SENT;
            t->client_certs = cert;
            t->n_client_certs = 1;
            fl->alerts[i] =
                (diag_alert){DIAG_AMT, 2, 42, (uint64_t)i * 10 + 8, DIAG_CONSOLE, 20, 0};
            t->alerts = &fl->alerts[i];
            t->n_alerts = 1;
        } else {
            /* a Digest login answered 401 */
            c->is_http = 1;
            diag_exchange *e = &fl->ex[i];
            e->req_frame = (uint64_t)i * 10 + 4;
            e->resp_frame = e->req_frame + 1;
            e->resp_ts_us = c->first_ts_us + 100;
            e->method = "POST";
            e->uri = "/wsman";
            e->status = 401;
            e->www_authenticate = "Digest realm=\"Digest:0\", nonce=\"n\", qop=\"auth\"";
            e->authorization = "Digest username=\"admin\", realm=\"Digest:0\", nonce=\"n\", "
                               "uri=\"/wsman\", response=\"00\", qop=auth, nc=1, cnonce=\"c\"";
            c->ex = e;
            c->n_ex = 1;
        }
        /* the console's PTR answer and an A answer for the AMT */
        fl->fam[i] = 4;
        memcpy(fl->addrs[i], srv, 4);
        fl->ptr[i] = "console.it.example.com";
        diag_dns_facts *p = &fl->dns[2 * i], *a = &fl->dns[2 * i + 1];
        p->is_response = a->is_response = 1;
        p->ts_us = a->ts_us = c->first_ts_us - 10;
        p->qtype = 12;
        p->qname = "x.in-addr.arpa";
        p->ptr_family = 4;
        memcpy(p->ptr_addr, cli, 4);
        p->ptr_names = &fl->ptr[i];
        p->n_ptr_names = 1;
        a->qtype = 1;
        a->qname = "amt.example.com";
        a->n_addrs = 1;
        a->addr_family = &fl->fam[i];
        a->addrs = (const uint8_t(*)[16]) & fl->addrs[i];
    }
}

static void unmake(fleet *fl, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++)
        g_free(fl->text[i]);
    g_free(fl->conns);
    g_free(fl->dns);
    g_free(fl->ex);
    g_free(fl->alerts);
    g_free(fl->text);
    g_free(fl->fam);
    g_free(fl->addrs);
    g_free(fl->ptr);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_diag_scale SAMPLES_DIR [MAX_N]\n");
        return 2;
    }
    size_t max = argc > 2 ? strtoul(argv[2], NULL, 10) : 160000;
    char *path = g_build_filename(argv[1], "mtls-no-amt-console-eku", "console-cert.pem", NULL);
    diag_blob *cert = NULL;
    char err[256];
    if (diag_load_pem_certs(path, &cert, err, sizeof err) < 1) {
        fprintf(stderr, "bench_diag_scale: %s\n", err);
        return 2;
    }
    /* AMT's trusted root, so the chain check of the checklist runs */
    char *root_path = g_build_filename(argv[1], "mtls-no-amt-console-eku", "root-ca.pem", NULL);
    diag_blob *root = NULL;
    int n_roots = diag_load_pem_certs(root_path, &root, err, sizeof err);
    if (n_roots < 1) {
        fprintf(stderr, "bench_diag_scale: %s\n", err);
        return 2;
    }
    diag_account acc = {"admin", "secret"};
    diag_inputs in = {.accounts = &acc,
                      .n_accounts = 1,
                      .trusted_roots = root,
                      .n_trusted_roots = (size_t)n_roots};
    for (size_t n = 10000; n <= max; n *= 2) {
        fleet fl;
        make(&fl, n, cert);
        gint64 t = g_get_monotonic_time();
        diag_result *r = diag_run(fl.conns, n, fl.dns, 2 * n, &in);
        double s = (double)(g_get_monotonic_time() - t) / 1e6;
        printf("%7zu connections: %.3f s, %.2f us per connection, %u rejected\n", n, s,
               s * 1e6 / (double)n, r->n_rejected);
        diag_result_free(r);
        unmake(&fl, n);
    }
    diag_blobs_free(cert, 1);
    diag_blobs_free(root, (size_t)n_roots);
    g_free(path);
    g_free(root_path);
    return 0;
}
