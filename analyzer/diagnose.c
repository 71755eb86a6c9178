/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose: the analysis's records turned into the facts lib/diag reasons
 * about, and the rules run over them. The facts only borrow from the
 * records; what this file allocates for them is freed before returning. */
#include "diagnose.h"

#include "amtdiag/diag_build.h"
#include "krb/kdc.h"

#include <string.h>
#include <sys/socket.h>

/* Allocations that live while the rules run. */
typedef struct arena {
    GPtrArray *blocks;
} arena;

static void *arena_alloc(arena *ar, size_t n)
{
    void *p = g_malloc0(n ? n : 1);
    g_ptr_array_add(ar->blocks, p);
    return p;
}

static const diag_blob *blobs(arena *ar, const tls_blob_list *l)
{
    diag_blob *v = arena_alloc(ar, l->n * sizeof *v);
    for (size_t i = 0; i < l->n; i++)
        v[i] = (diag_blob){l->v[i].data, l->v[i].len};
    return v;
}

static diag_cert_presence presence(tls_cert_presence p)
{
    switch (p) {
    case TLS_CERT_EMPTY:
        return DIAG_CERT_EMPTY;
    case TLS_CERT_SENT:
        return DIAG_CERT_SENT;
    case TLS_CERT_UNKNOWN:
        return DIAG_CERT_HIDDEN;
    default:
        return DIAG_CERT_ABSENT;
    }
}

static int side(int tls_dir)
{
    return tls_dir == TLS_DIR_SERVER ? DIAG_AMT : DIAG_CONSOLE;
}

/* The handshake messages and alerts, merged in capture order so that each
 * alert follows the messages before it (at one frame, messages first:
 * records are read in order). */
static void tls_events(diag_builder *b, const conn_rec *c, const tls_summary *s)
{
    guint h = 0;
    size_t a = 0;
    while (h < c->hs->len || a < s->n_alerts) {
        const hs_event *e = h < c->hs->len ? &g_array_index(c->hs, hs_event, h) : NULL;
        const tls_alert_info *al = a < s->n_alerts ? &s->alerts[a] : NULL;
        if (e && (!al || e->frame <= al->frame)) {
            diag_build_handshake(b, e->frame, side(e->dir), e->type);
            h++;
            continue;
        }
        int readable = !al->encrypted || al->decrypted;
        diag_build_alert(b, al->frame, side(al->dir), readable ? al->level : -1,
                         readable ? al->desc : -1);
        a++;
    }
}

static void tls_facts(arena *ar, const conn_rec *c, diag_builder *b)
{
    const tls_summary *s = tls_conn_summary(c->tls);
    diag_tls_facts *t = &b->f.tls;
    if (s->ch.seen)
        diag_build_client_hello(b, s->ch.frame, s->ch.legacy_version, s->ch.versions.v,
                                s->ch.versions.n, s->ch.suites.v, s->ch.suites.n,
                                s->ch.extensions.v, s->ch.extensions.n, s->ch.sni);
    if (s->sh.seen)
        diag_build_server_hello(b, s->sh.frame, s->sh.legacy_version, s->sh.selected_version,
                                s->suite_name, s->sh.extensions.v, s->sh.extensions.n,
                                s->sh.gmt_unix_time);
    tls_events(b, c, s);
    for (int d = 0; d < 2; d++)
        if (c->app_first_frame[d])
            diag_build_app_record(b, c->app_first_frame[d], side(d));
    /* The layer counts the records; the builder saw the first of each side. */
    for (int d = 0; d < 2; d++)
        t->app_records[side(d)] = s->app_records_undecrypted[d] + (s->app_bytes[d] ? 1 : 0);
    t->resumed = s->resumed;
    t->server_certs = blobs(ar, &s->server_certs);
    t->n_server_certs = s->server_certs.n;
    t->server_cert = presence(s->server_cert);
    /* TLS 1.3 hides AMT's CertificateRequest when its handshake records
     * could not be decrypted. */
    t->cert_request_hidden = !s->cert_request.seen && s->version == TLS_VERSION_1_3 &&
                             s->handshake_hidden[TLS_DIR_SERVER];
    t->ca_names = blobs(ar, &s->cert_request.authorities);
    t->n_ca_names = s->cert_request.authorities.n;
    t->client_cert = presence(s->client_cert);
    t->client_certs = blobs(ar, &s->client_certs);
    t->n_client_certs = s->client_certs.n;
    /* the frames of the Certificate messages recorded, compressed ones
     * (RFC 8879) included */
    t->server_cert_frame = s->server_cert_frame;
    t->client_cert_frame = s->client_cert_frame;
    t->decrypted = s->key_status == TLS_KEY_DECRYPTED;
    t->key_status = s->key_status_text;
    t->key_status_name = tls_key_status_name(s->key_status);
}

static void exchanges(arena *ar, const conn_rec *c, diag_conn_facts *f)
{
    diag_exchange *ex = arena_alloc(ar, c->http->len * sizeof *ex);
    size_t n = 0;
    for (guint i = 0; i < c->http->len; i++) {
        const http_rec *h = g_ptr_array_index(c->http, i);
        diag_exchange *e = &ex[n++];
        const http_msg_rec *q = &h->req, *r = &h->resp;
        e->req_frame = q->present ? q->first_frame : 0;
        e->resp_frame = r->present ? r->first_frame : 0;
        e->resp_ts_us = h->resp_ts_us;
        e->method = q->method;
        e->uri = q->target;
        e->host = q->host;
        e->authorization = q->authorization;
        e->status = r->present ? r->status : 0;
        e->www_authenticate = r->www_authenticate;
        e->date = r->date;
        e->action_name = q->soap.action_name;
        e->class_name = q->soap.class_name ? q->soap.class_name : r->soap.class_name;
        e->resp_action_name = r->soap.action_name;
        e->is_fault = r->soap.is_fault;
        e->fault_subcode = r->soap.fault_subcode;
        e->fault_subcode_ns = r->soap.fault_subcode_ns;
        e->fault_reason = r->soap.fault_reason;
        e->has_return_value = r->soap.has_return_value;
        e->return_value = r->soap.return_value;
        e->return_value_name = r->soap.return_value_name;
        e->eoi_service = q->soap.eoi_service ? q->soap.eoi_service : r->soap.eoi_service;
        e->eoi_method = q->soap.eoi_method;
        e->has_status_code = r->soap.has_status_code;
        e->status_code = r->soap.status_code;
        e->status_name = r->soap.status_name;
        e->has_amt_time = r->soap.has_amt_time;
        e->amt_time = r->soap.amt_time;
        e->trusted_cn = r->soap.trusted_cn;
    }
    f->ex = ex;
    f->n_ex = n;
}

/* The TCP segments that matter, in capture order. */
static void tcp_events(diag_builder *b, const conn_rec *c)
{
    /* The flow layer decided whether the capture began inside it. */
    uint64_t first = c->midstream ? c->first_frame : c->syn_frame ? c->syn_frame : c->first_frame;
    unsigned first_flags = c->midstream ? DIAG_TCP_ACK : DIAG_TCP_SYN;
    diag_build_segment(b, first, c->first_ts_us, DIAG_CONSOLE, first_flags, NULL, 0);
    for (uint32_t k = 1; !c->midstream && k < c->syn_count; k++)
        diag_build_segment(b, c->syn_frame, c->first_ts_us, DIAG_CONSOLE, DIAG_TCP_SYN, NULL, 0);
    if (c->synack_frame)
        diag_build_segment(b, c->synack_frame, c->first_ts_us, DIAG_AMT,
                           DIAG_TCP_SYN | DIAG_TCP_ACK, NULL, 0);
    diag_build_segment(b, c->client_head_frame ? c->client_head_frame : c->first_frame,
                       c->first_ts_us, DIAG_CONSOLE, DIAG_TCP_ACK, c->client_head,
                       c->n_client_head);
    for (int d = 0; d < 2; d++)
        if (c->fin_frame[d])
            diag_build_segment(b, c->fin_frame[d], c->last_ts_us, d ? DIAG_AMT : DIAG_CONSOLE,
                               DIAG_TCP_FIN | DIAG_TCP_ACK, NULL, 0);
    if (c->rst_frame)
        diag_build_segment(b, c->rst_frame, c->last_ts_us,
                           c->rst_from == 1 ? DIAG_AMT : DIAG_CONSOLE, DIAG_TCP_RST, NULL, 0);
    /* The record holds totals, not every segment. */
    diag_conn_facts *f = &b->f;
    f->bytes[DIAG_CONSOLE] = c->bytes[0];
    f->bytes[DIAG_AMT] = c->bytes[1];
    f->first_frame = c->first_frame;
    f->last_frame = c->last_frame;
    f->first_ts_us = c->first_ts_us;
    f->last_ts_us = c->last_ts_us;
    f->midstream = c->midstream;
    for (unsigned k = 0; k < c->n_gap_at; k++)
        diag_build_gap(b, c->gap_at[k].dir ? DIAG_AMT : DIAG_CONSOLE, c->gap_at[k].frame_before,
                       c->gap_at[k].frame_after);
    f->gap |= c->gaps[0] || c->gaps[1];
}

static void conn_facts(arena *ar, const conn_rec *c, diag_builder *b)
{
    char *cl = arena_alloc(ar, 80), *sv = arena_alloc(ar, 80);
    /* AMT on its own ports; elsewhere what the bytes were */
    amt_service service = amt_service_of_port(c->server.port);
    if (c->cira_port || c->cira)
        service = AMT_SERVICE_CIRA;
    else if (service == AMT_SERVICE_CIRA) /* 4433, not a CIRA port of this run */
        service = AMT_SERVICE_OTHER;
    if (service == AMT_SERVICE_OTHER && c->redir)
        service = c->app == APP_TLS ? AMT_SERVICE_REDIR_TLS : AMT_SERVICE_REDIR;
    else if (service == AMT_SERVICE_OTHER)
        service = c->app == APP_TLS    ? AMT_SERVICE_TLS
                  : c->app == APP_HTTP ? AMT_SERVICE_HTTP
                                       : AMT_SERVICE_OTHER;
    diag_build_init(b, c->id, c->client.family == AF_INET6 ? 6 : 4, c->client.addr, c->client.port,
                    c->server.addr, c->server.port, endpoint_str(&c->client, cl, 80),
                    endpoint_str(&c->server, sv, 80), service);
    tcp_events(b, c);
    if (c->app == APP_TLS && c->tls)
        tls_facts(ar, c, b);
    b->f.is_tls = c->app == APP_TLS && c->tls;
    b->f.is_http = c->http->len > 0;
    b->f.redir = c->redir;
    b->f.redir_chans = c->redir_chans;
    b->f.cira = c->cira;
    exchanges(ar, c, &b->f);
}

static void dns_facts(arena *ar, const dns_rec *d, diag_dns_facts *f)
{
    f->frame = d->frame;
    f->ts_us = d->ts_us;
    f->is_response = d->is_response;
    f->qname = d->qname;
    f->qtype = d->qtype;
    f->rcode = d->rcode;
    f->ptr_family = d->ptr_family;
    memcpy(f->ptr_addr, d->ptr_addr, 16);
    f->n_addrs = d->n_addrs;
    f->addr_family = d->addr_family;
    f->addrs = (const uint8_t(*)[16])d->addrs;
    f->ptr_names = (const char *const *)d->ptr_names;
    f->n_ptr_names = d->n_ptr;
    f->client_family = d->client_family;
    memcpy(f->client_addr, d->client_addr, 16);
    (void)ar;
}

/* One Kerberos message on port 88 as lib's facts (borrowing its bytes). */
static void kdc_fact(const krb_rec *r, diag_kdc_msg *f)
{
    f->frame = r->frame;
    f->ts_us = r->ts_us;
    f->family = r->client.family == AF_INET6 ? 6 : 4;
    memcpy(f->client_addr, r->client.addr, 16);
    memcpy(f->kdc_addr, r->kdc.addr, 16);
    f->client_port = r->client.port;
    f->kdc_port = r->kdc.port;
    f->from_kdc = r->from_kdc;
    f->tcp = r->tcp;
    f->data = r->data;
    f->len = r->len;
    f->refused = r->refused;
}

/* The Kerberos messages on port 88, as lib's facts. */
static const diag_kdc_msg *kdc_facts(arena *ar, const analysis *a)
{
    diag_kdc_msg *v = arena_alloc(ar, a->krb->len * sizeof *v);
    for (guint i = 0; i < a->krb->len; i++)
        kdc_fact(g_ptr_array_index(a->krb, i), &v[i]);
    return v;
}

void kdc_facts_append(GArray *v, const analysis *a)
{
    for (guint i = v->len; i < a->krb->len; i++) {
        diag_kdc_msg f;
        kdc_fact(g_ptr_array_index(a->krb, i), &f);
        g_array_append_val(v, f);
    }
}

/* The facts of one connection with the storage they point into. */
struct conn_facts_box {
    arena ar;
    diag_builder b;
};

conn_facts_box *conn_facts_box_new(const conn_rec *c)
{
    conn_facts_box *x = g_new0(conn_facts_box, 1);
    x->ar.blocks = g_ptr_array_new_with_free_func(g_free);
    conn_facts(&x->ar, c, &x->b);
    return x;
}

const diag_conn_facts *conn_facts_box_facts(const conn_facts_box *x)
{
    return &x->b.f;
}

void conn_facts_box_free(conn_facts_box *x)
{
    if (!x)
        return;
    g_ptr_array_free(x->ar.blocks, TRUE);
    g_free(x);
}

void dns_facts_of(const dns_rec *d, diag_dns_facts *f)
{
    dns_facts(NULL, d, f);
}

diag_result *diagnose(const analysis *a, const diag_inputs *in_user)
{
    arena ar = {g_ptr_array_new_with_free_func(g_free)};
    diag_inputs inputs = {0}, *in = &inputs;
    if (in_user)
        inputs = *in_user;
    inputs.kdc = kdc_facts(&ar, a);
    inputs.n_kdc = a->krb->len;
    /* Builders one after the other, their facts copied out: each holds
     * inline storage the facts point into, so builders are kept too. */
    diag_builder *builders = arena_alloc(&ar, a->conns->len * sizeof *builders);
    diag_conn_facts *conns = arena_alloc(&ar, a->conns->len * sizeof *conns);
    for (guint i = 0; i < a->conns->len; i++) {
        conn_facts(&ar, g_ptr_array_index(a->conns, i), &builders[i]);
        conns[i] = builders[i].f;
    }
    diag_dns_facts *dns = arena_alloc(&ar, a->dns->len * sizeof *dns);
    for (guint i = 0; i < a->dns->len; i++)
        dns_facts(&ar, g_ptr_array_index(a->dns, i), &dns[i]);
    diag_result *r = diag_run(conns, a->conns->len, dns, a->dns->len, in);
    g_ptr_array_free(ar.blocks, TRUE);
    return r;
}
