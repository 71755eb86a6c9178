/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose: the analysis's records turned into the facts lib/diag reasons
 * about, and the rules run over them. The facts only borrow from the
 * records; what this file allocates for them is freed before returning. */
#include "diagnose.h"

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

/* GREASE values (RFC 8701) are not versions. */
static int is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static void offered_versions(const tls_client_hello *ch, uint16_t *lo, uint16_t *hi)
{
    *lo = *hi = 0;
    for (size_t i = 0; i < ch->versions.n; i++) {
        uint16_t v = ch->versions.v[i];
        if (is_grease(v))
            continue;
        if (!*lo || v < *lo)
            *lo = v;
        if (v > *hi)
            *hi = v;
    }
    if (!*hi) /* no supported_versions: the legacy field is the maximum */
        *lo = *hi = ch->legacy_version;
}

static void tls_facts(arena *ar, const conn_rec *c, diag_tls_facts *t)
{
    const tls_summary *s = tls_conn_summary(c->tls);
    t->client_hello = s->ch.seen;
    t->client_hello_frame = s->ch.frame;
    offered_versions(&s->ch, &t->offered_min, &t->offered_max);
    t->offered_suites = s->ch.suites.v;
    t->n_offered_suites = s->ch.suites.n;
    t->sni = s->ch.sni;
    t->console_reneg = s->ch.reneg_info || s->ch.reneg_scsv;
    t->server_hello = s->sh.seen;
    t->server_hello_frame = s->sh.frame;
    t->version = s->version;
    t->suite_name = s->sh.seen ? s->suite_name : NULL;
    t->amt_reneg = s->sh.reneg_info;
    t->gmt_unix_time = s->sh.gmt_unix_time;
    t->resumed = s->resumed;
    t->server_certs = blobs(ar, &s->server_certs);
    t->n_server_certs = s->server_certs.n;
    t->server_cert = presence(s->server_cert);
    t->cert_request = s->cert_request.seen;
    t->cert_request_frame = s->cert_request.frame;
    /* TLS 1.3 hides AMT's CertificateRequest when its handshake records
     * could not be decrypted. */
    t->cert_request_hidden = !s->cert_request.seen && s->version == TLS_VERSION_1_3 &&
                             s->handshake_hidden[TLS_DIR_SERVER];
    t->ca_names = blobs(ar, &s->cert_request.authorities);
    t->n_ca_names = s->cert_request.authorities.n;
    t->client_cert = presence(s->client_cert);
    t->client_certs = blobs(ar, &s->client_certs);
    t->n_client_certs = s->client_certs.n;
    t->handshake_complete = s->handshake_complete;
    diag_hs_msg *hs = arena_alloc(ar, c->hs->len * sizeof *hs);
    for (guint i = 0; i < c->hs->len; i++) {
        const hs_event *e = &g_array_index(c->hs, hs_event, i);
        hs[i] =
            (diag_hs_msg){e->dir == TLS_DIR_SERVER ? DIAG_AMT : DIAG_CONSOLE, e->type, e->frame};
        if (e->type == TLS_HS_CERTIFICATE && e->dir == TLS_DIR_SERVER && !t->server_cert_frame)
            t->server_cert_frame = e->frame;
        if (e->type == TLS_HS_CERTIFICATE && e->dir == TLS_DIR_CLIENT && !t->client_cert_frame)
            t->client_cert_frame = e->frame;
        if (e->type == TLS_HS_FINISHED && s->handshake_complete)
            t->handshake_done_frame = e->frame;
    }
    diag_alert *al = arena_alloc(ar, s->n_alerts * sizeof *al);
    for (size_t i = 0; i < s->n_alerts; i++) {
        const tls_alert_info *a = &s->alerts[i];
        int readable = !a->encrypted || a->decrypted;
        al[i] = (diag_alert){.from = a->dir == TLS_DIR_SERVER ? DIAG_AMT : DIAG_CONSOLE,
                             .level = readable ? a->level : -1,
                             .desc = readable ? a->desc : -1,
                             .frame = a->frame,
                             .after_from = a->after_hs_dir < 0                 ? -1
                                           : a->after_hs_dir == TLS_DIR_SERVER ? DIAG_AMT
                                                                               : DIAG_CONSOLE,
                             .after_type = a->after_hs_type,
                             .after_handshake = s->handshake_complete && a->encrypted};
    }
    t->alerts = al;
    t->n_alerts = s->n_alerts;
    t->hs = hs;
    t->n_hs = c->hs->len;
    t->app_first_frame[DIAG_CONSOLE] = c->app_first_frame[0];
    t->app_first_frame[DIAG_AMT] = c->app_first_frame[1];
    t->decrypted = s->key_status == TLS_KEY_DECRYPTED;
    t->key_status = s->key_status_text;
    t->key_status_name = tls_key_status_name(s->key_status);
    for (int d = 0; d < 2; d++)
        t->app_records[d] = s->app_records_undecrypted[d] + (s->app_bytes[d] ? 1 : 0);
    /* (The layer's tls_conn_id equals the connection id: no mapping needed.) */
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

static void conn_facts(arena *ar, const conn_rec *c, diag_conn_facts *f)
{
    f->id = c->id;
    char *cl = arena_alloc(ar, 80), *sv = arena_alloc(ar, 80);
    f->client = endpoint_str(&c->client, cl, 80);
    f->server = endpoint_str(&c->server, sv, 80);
    f->family = c->client.family == AF_INET6 ? 6 : 4;
    memcpy(f->client_addr, c->client.addr, 16);
    memcpy(f->server_addr, c->server.addr, 16);
    f->client_port = c->client.port;
    f->server_port = c->server.port;
    f->first_ts_us = c->first_ts_us;
    f->last_ts_us = c->last_ts_us;
    f->first_frame = c->first_frame;
    f->last_frame = c->last_frame;
    f->syns = c->syn_count;
    f->syn_frame = c->syn_frame;
    f->synack = c->synack_frame != 0;
    f->synack_frame = c->synack_frame;
    f->rst_from = c->rst_frame ? (c->rst_from == 1 ? DIAG_AMT : DIAG_CONSOLE) : -1;
    f->rst_frame = c->rst_frame;
    const uint64_t *fin = c->fin_frame;
    if (fin[0] && (!fin[1] || fin[0] < fin[1]))
        f->first_fin_from = DIAG_CONSOLE, f->first_fin_frame = fin[0];
    else if (fin[1])
        f->first_fin_from = DIAG_AMT, f->first_fin_frame = fin[1];
    else
        f->first_fin_from = -1;
    f->midstream = c->midstream;
    f->gap = c->gaps[0] || c->gaps[1];
    diag_gap *gaps = arena_alloc(ar, c->n_gap_at * sizeof *gaps);
    for (unsigned k = 0; k < c->n_gap_at; k++)
        gaps[k] = (diag_gap){c->gap_at[k].dir ? DIAG_AMT : DIAG_CONSOLE, c->gap_at[k].frame_before,
                             c->gap_at[k].frame_after};
    f->gaps = gaps;
    f->n_gaps = c->n_gap_at;
    f->console_head = c->client_head;
    f->n_console_head = c->n_client_head;
    f->console_head_frame = c->client_head_frame;
    /* AMT on its own ports; elsewhere what the bytes were */
    f->service = amt_service_of_port(c->server.port);
    if (f->service == AMT_SERVICE_OTHER)
        f->service = c->app == APP_TLS    ? AMT_SERVICE_TLS
                     : c->app == APP_HTTP ? AMT_SERVICE_HTTP
                                          : AMT_SERVICE_OTHER;
    f->bytes[0] = c->bytes[0];
    f->bytes[1] = c->bytes[1];
    f->is_tls = c->app == APP_TLS && c->tls;
    if (f->is_tls)
        tls_facts(ar, c, &f->tls);
    f->is_http = c->http->len > 0;
    exchanges(ar, c, f);
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
    (void)ar;
}

diag_result *diagnose(const analysis *a, const diag_inputs *in)
{
    arena ar = {g_ptr_array_new_with_free_func(g_free)};
    diag_conn_facts *conns = arena_alloc(&ar, a->conns->len * sizeof *conns);
    for (guint i = 0; i < a->conns->len; i++)
        conn_facts(&ar, g_ptr_array_index(a->conns, i), &conns[i]);
    diag_dns_facts *dns = arena_alloc(&ar, a->dns->len * sizeof *dns);
    for (guint i = 0; i < a->dns->len; i++)
        dns_facts(&ar, g_ptr_array_index(a->dns, i), &dns[i]);
    diag_result *r = diag_run(conns, a->conns->len, dns, a->dns->len, in);
    g_ptr_array_free(ar.blocks, TRUE);
    return r;
}
