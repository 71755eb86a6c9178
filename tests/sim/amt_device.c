/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amt_device: the fake AMT's listeners, TLS policy and serving loop. */
#include "amt_device.h"
#include "certgen.h"
#include "dns.h"

#include <glib.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

/* The AMT's clock as the certificate checks see it. */
static int64_t amt_clock(const amt_device *d, simio *io)
{
    return simio_now_us(io) / G_USEC_PER_SEC + d->clock_offset_s;
}

static int has_amt_console_eku(X509 *leaf)
{
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(leaf, NID_ext_key_usage, NULL, NULL);
    if (!eku)
        return 0;
    ASN1_OBJECT *want = OBJ_txt2obj(OID_AMT_CONSOLE, 1);
    int found = 0;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
        if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want) == 0)
            found = 1;
    ASN1_OBJECT_free(want);
    EXTENDED_KEY_USAGE_free(eku);
    return found;
}

static int leaf_cn(X509 *leaf, char *buf, int len)
{
    return X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, buf, len);
}

/* A CN matches a trusted suffix when it equals it or ends with "." suffix. */
static int cn_matches_suffix(const char *cn, const char *suffix)
{
    size_t lc = strlen(cn), ls = strlen(suffix);
    if (lc == ls)
        return g_ascii_strcasecmp(cn, suffix) == 0;
    return lc > ls && cn[lc - ls - 1] == '.' && g_ascii_strcasecmp(cn + lc - ls, suffix) == 0;
}

/* The console certificate rules AMT applies, in the order listed by Intel's
 * forum answer. Sets d->verdict to the first that fails and returns the
 * X509 error to report, or X509_V_OK. */
static int check_console_cert(amt_device *d, simio *io, X509_STORE_CTX *xs)
{
    X509 *leaf = X509_STORE_CTX_get0_cert(xs);
    if (!(X509_get_extended_key_usage(leaf) & XKU_SSL_CLIENT)) {
        g_strlcpy(d->verdict, "client-cert-missing-client-auth-eku", sizeof d->verdict);
        return X509_V_ERR_INVALID_PURPOSE;
    }
    if (!has_amt_console_eku(leaf)) {
        g_strlcpy(d->verdict, "client-cert-missing-amt-console-oid", sizeof d->verdict);
        return X509_V_ERR_INVALID_PURPOSE;
    }
    /* Chain and validity, both judged at AMT's own clock. */
    X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(xs);
    X509_VERIFY_PARAM_set_time(vp, (time_t)amt_clock(d, io));
    if (X509_verify_cert(xs) != 1) {
        int err = X509_STORE_CTX_get_error(xs);
        if (err == X509_V_ERR_CERT_HAS_EXPIRED)
            g_strlcpy(d->verdict, "client-cert-expired-at-amt-clock", sizeof d->verdict);
        else if (err == X509_V_ERR_CERT_NOT_YET_VALID)
            g_strlcpy(d->verdict, "client-cert-not-yet-valid-at-amt-clock", sizeof d->verdict);
        else
            g_strlcpy(d->verdict, "client-cert-untrusted-root", sizeof d->verdict);
        return err;
    }
    char cn[256] = "";
    leaf_cn(leaf, cn, sizeof cn);
    if (d->tls.check_reverse_dns) {
        sim_conn_facts *f = netsim_facts(netsim_conn_of(io));
        char qname[128];
        dns_ptr_name(f->cli.family, f->cli.addr, qname, sizeof qname);
        sim_endpoint self;
        sim_endpoint_set(&self, d->addr, 0);
        netsim_dns(d->net, &self, &d->dns_server, qname, DNS_TYPE_PTR,
                   d->console_ptr ? DNS_RCODE_OK : DNS_RCODE_NXDOMAIN, d->console_ptr);
        if (!d->console_ptr || g_ascii_strcasecmp(d->console_ptr, cn) != 0) {
            g_strlcpy(d->verdict, "client-cert-name-not-reverse-dns", sizeof d->verdict);
            return X509_V_ERR_HOSTNAME_MISMATCH;
        }
    }
    if (d->tls.n_trusted_fqdn) {
        int ok = 0;
        for (unsigned i = 0; i < d->tls.n_trusted_fqdn; i++)
            ok |= cn_matches_suffix(cn, d->tls.trusted_fqdn[i]);
        if (!ok) {
            g_strlcpy(d->verdict, "client-cert-fqdn-not-trusted", sizeof d->verdict);
            return X509_V_ERR_HOSTNAME_MISMATCH;
        }
    }
    return X509_V_OK;
}

static int verify_cb(X509_STORE_CTX *xs, void *arg)
{
    amt_device *d = arg;
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    simio *io = simio_from_ssl(ssl);
    d->verdict[0] = '\0';
    /* OpenSSL drops the peer's certificate when verification fails, so
     * remember here that the console did send one. */
    d->cert_presented = X509_STORE_CTX_get0_cert(xs) != NULL;
    int err = check_console_cert(d, io, xs);
    if (err == X509_V_OK)
        return 1;
    X509_STORE_CTX_set_error(xs, err);
    /* The lenient firmware lets the handshake finish and drops the
     * connection afterwards (amt_serve_tls). */
    return d->tls.reject == AMT_ACCEPT_THEN_CLOSE ? 1 : 0;
}

int amt_device_start(amt_device *d)
{
    d->ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX *c = d->ctx;
    int ok = c != NULL;
    ok = ok && SSL_CTX_set_min_proto_version(c, d->tls.min_version);
    ok = ok && SSL_CTX_set_max_proto_version(c, d->tls.max_version);
    /* AMT firmware has no session tickets to offer. */
    SSL_CTX_set_num_tickets(c, 0);
    SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    /* SECLEVEL 0: old AMT signs with SHA-1 and MD5+SHA-1 (TLS 1.0/1.1). */
    ok = ok && SSL_CTX_set_cipher_list(c, d->tls.ciphers ? d->tls.ciphers : "DEFAULT:@SECLEVEL=0");
    if (ok && d->tls.ciphersuites)
        ok = SSL_CTX_set_ciphersuites(c, d->tls.ciphersuites);
    ok = ok && d->tls.cert && SSL_CTX_use_certificate(c, d->tls.cert) == 1;
    ok = ok && SSL_CTX_use_PrivateKey(c, d->tls.key) == 1;
    if (ok && d->tls.mutual_auth) {
        X509_STORE *store = SSL_CTX_get_cert_store(c);
        STACK_OF(X509_NAME) *cas = sk_X509_NAME_new_null();
        for (unsigned i = 0; i < d->tls.n_roots; i++) {
            X509_STORE_add_cert(store, d->tls.roots[i]);
            sk_X509_NAME_push(cas, X509_NAME_dup(X509_get_subject_name(d->tls.roots[i])));
        }
        SSL_CTX_set_client_CA_list(c, cas);
        int mode = SSL_VERIFY_PEER;
        if (d->tls.reject == AMT_REJECT_WITH_ALERT)
            mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        SSL_CTX_set_verify(c, mode, NULL);
        SSL_CTX_set_cert_verify_callback(c, verify_cb, d);
    }
    netsim_track_alerts(d->net, c);
    d->http_cfg.clock_offset_s = d->clock_offset_s;
    d->http = amt_http_new(&d->http_cfg);
    amt_redir_init(&d->redir, &d->redir_cfg, &d->http_cfg);
    if (!ok || !d->http) {
        fprintf(stderr, "amtsim: cannot set up the AMT's TLS context\n");
        ERR_print_errors_fp(stderr);
        return -1;
    }
    return 0;
}

void amt_device_stop(amt_device *d)
{
    SSL_CTX_free(d->ctx);
    amt_http_free(d->http);
    d->ctx = NULL;
    d->http = NULL;
}

/* Removes TLS_EMPTY_RENEGOTIATION_INFO_SCSV and the renegotiation_info
 * extension from a ClientHello record, so OpenSSL answers like firmware
 * that predates RFC 5746. Returns the new length (unchanged on any doubt). */
static size_t strip_reneg_info(uint8_t *b, size_t len, size_t cap)
{
    (void)cap;
    if (len < 5 + 4 + 34 + 1 || b[0] != 22 || b[5] != 1)
        return len;
    size_t p = 5 + 4 + 2 + 32;
    p += 1 + b[p]; /* session id */
    if (p + 2 > len)
        return len;
    size_t cs_len_pos = p, cs_len = ((size_t)b[p] << 8) | b[p + 1];
    size_t removed = 0;
    for (size_t i = p + 2; i + 2 <= p + 2 + cs_len - removed && i + 2 <= len;) {
        if (b[i] == 0x00 && b[i + 1] == 0xff) {
            memmove(b + i, b + i + 2, len - i - 2);
            len -= 2;
            removed += 2;
        } else {
            i += 2;
        }
    }
    cs_len -= removed;
    b[cs_len_pos] = (uint8_t)(cs_len >> 8);
    b[cs_len_pos + 1] = (uint8_t)cs_len;
    p = cs_len_pos + 2 + cs_len;
    if (p >= len)
        return len;
    p += 1 + b[p]; /* compression methods */
    if (p + 2 <= len) {
        size_t ext_len_pos = p, ext_len = ((size_t)b[p] << 8) | b[p + 1];
        size_t q = p + 2, end = p + 2 + ext_len;
        while (q + 4 <= end && end <= len) {
            size_t type = ((size_t)b[q] << 8) | b[q + 1];
            size_t elen = ((size_t)b[q + 2] << 8) | b[q + 3];
            if (type == 0xff01) {
                memmove(b + q, b + q + 4 + elen, len - q - 4 - elen);
                len -= 4 + elen;
                end -= 4 + elen;
                removed += 4 + elen;
                ext_len -= 4 + elen;
                continue;
            }
            q += 4 + elen;
        }
        b[ext_len_pos] = (uint8_t)(ext_len >> 8);
        b[ext_len_pos + 1] = (uint8_t)ext_len;
    }
    size_t hs_len = len - 9, rec_len = len - 5;
    b[3] = (uint8_t)(rec_len >> 8);
    b[4] = (uint8_t)rec_len;
    b[6] = (uint8_t)(hs_len >> 16);
    b[7] = (uint8_t)(hs_len >> 8);
    b[8] = (uint8_t)hs_len;
    return len;
}

static void serve_plain(simio *io, void *arg)
{
    amt_device *d = arg;
    amt_http_serve(d->http, io);
    simio_close(io, 0);
}

static void serve_tls(simio *io, void *arg)
{
    amt_device *d = arg;
    d->verdict[0] = '\0';
    d->cert_presented = 0;
    int ok = d->tls.ignore_renegotiation_info
                 ? simio_start_tls_filtered(io, d->ctx, strip_reneg_info)
                 : simio_start_tls(io, d->ctx, 1, NULL);
    sim_conn_facts *f = netsim_facts(netsim_conn_of(io));
    SSL *ssl = simio_ssl(io);
    if (d->tls.mutual_auth) {
        f->cert_request = 1;
        /* OpenSSL no longer holds a certificate that failed verification */
        int peer = SSL_get0_peer_certificate(ssl) != NULL || d->cert_presented;
        f->client_cert_sent = peer;
        if (ok && !peer && d->tls.reject == AMT_ACCEPT_THEN_CLOSE)
            g_strlcpy(d->verdict, "client-cert-missing", sizeof d->verdict);
        if (!ok && !peer && SSL_get_verify_result(ssl) == X509_V_OK && !d->verdict[0])
            g_strlcpy(d->verdict, "client-cert-missing", sizeof d->verdict);
    }
    if (!ok) {
        simio_close_after_failure(io);
        return;
    }
    if (d->tls.mutual_auth && d->verdict[0]) {
        /* Lenient firmware: the console's first request is read, never
         * answered, and the connection is closed without close_notify. */
        char buf[4096];
        simio_read(io, buf, sizeof buf);
        simio_close(io, 0);
        return;
    }
    amt_http_serve(d->http, io);
    simio_close(io, 1);
}

static void serve_redir(simio *io, void *arg)
{
    amt_device *d = arg;
    amt_redir_serve(&d->redir, io);
    simio_close(io, 0);
}

/* The redirection service inside TLS: AMT's TLS settings are those of
 * 16993 (no console certificate is asked for here). */
static void serve_redir_tls(simio *io, void *arg)
{
    amt_device *d = arg;
    if (!simio_start_tls(io, d->ctx, 1, NULL)) {
        simio_close_after_failure(io);
        return;
    }
    amt_redir_serve(&d->redir, io);
    simio_close(io, 1);
}

sim_conn *amt_device_connect(amt_device *d, const sim_endpoint *cli, uint16_t port)
{
    sim_endpoint srv;
    sim_endpoint_set(&srv, d->addr, port);
    if (d->unreachable)
        return netsim_connect_unanswered(d->net, cli, &srv);
    if (port == 16992 && d->plain_open)
        return netsim_connect(d->net, cli, &srv, serve_plain, d);
    if (port == 16993 && d->tls_open)
        return netsim_connect(d->net, cli, &srv, serve_tls, d);
    if (port == 16994 && d->redir_open)
        return netsim_connect(d->net, cli, &srv, serve_redir, d);
    if (port == 16995 && d->redir_tls_open)
        return netsim_connect(d->net, cli, &srv, serve_redir_tls, d);
    return netsim_connect_refused(d->net, cli, &srv);
}

int amt_device_serve_accepted(amt_device *d, int fd, int tls, sim_conn_facts *facts)
{
    return netsim_serve_accepted(d->net, fd, tls ? serve_tls : serve_plain, d, facts);
}
