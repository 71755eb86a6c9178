/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-tls-facts: reads, per frame, the TLS handshake messages, the
 * certificates, the CertificateRequest's CA names, the alerts and the TCP
 * flags Wireshark dissected on a connection to AMT's TLS port, and keeps
 * them as lib's diag_conn_facts. Only reads fields: TLS parsing stays
 * Wireshark's, the judgement stays lib's. */
#include "iamt-tls-facts.h"

#include <epan/to_str.h>
#include <epan/conversation.h>
#include <epan/proto.h>
#include <string.h>

#include "iamt-fields.h"
#include "iamt-text.h"
#include "ws-compat.h"

static int proto_owner = -1;
static wmem_array_t *registry; /* iamt_tls_conn*, file scope */
/* conversation_t* → iamt_tls_conn*: the iamt protocol's conversation data
 * slot is iamt-auth's, so the collector keeps its own map. */
static wmem_map_t *by_conv;
static unsigned facts_version;

/* Field ids, looked up in the handoff. */
enum {
    F_HS_TYPE,
    F_HS_VERSION,
    F_SUITE,
    F_SNI,
    F_EXT_TYPE,
    F_SUPPORTED_VERSION,
    F_RANDOM_TIME,
    F_CERT,
    F_CERTS_LEN,
    F_DNAME_LEN,
    F_ALERT_LEVEL,
    F_ALERT_DESC,
    F_CONTENT_TYPE,
    F_TCP_FLAGS,
    F_TCP_LEN,
    F_TCP_LOST,
    F_HTTP_STATUS,
    F_HTTP_METHOD,
    F_HTTP_URI,
    F_HTTP_HOST,
    F_HTTP_AUTHORIZATION,
    F_HTTP_WWW_AUTHENTICATE,
    F_HTTP_DATE,
    F_WSMAN_ACTION,
    F_WSMAN_CLASS,
    F_WSMAN_FAULT_CODE,
    F_WSMAN_FAULT_SUBCODE,
    F_WSMAN_FAULT_REASON,
    F_WSMAN_RETURN_VALUE,
    F_WSMAN_RETURN_VALUE_NAME,
    F_EOI_SERVICE,
    F_EOI_METHOD,
    F_EOI_STATUS,
    F_EOI_STATUS_NAME,
    F_HTTP,
    N_FIELDS
};
static const char *const field_names[N_FIELDS] = {
    "tls.handshake.type",
    "tls.handshake.version",
    "tls.handshake.ciphersuite",
    "tls.handshake.extensions_server_name",
    "tls.handshake.extension.type",
    "tls.handshake.extensions.supported_version",
    "tls.handshake.random_time",
    "tls.handshake.certificate",
    "tls.handshake.certificates_length",
    "tls.handshake.dname_len",
    "tls.alert_message.level",
    "tls.alert_message.desc",
    "tls.record.content_type",
    "tcp.flags",
    "tcp.len",
    "tcp.analysis.lost_segment",
    "http.response.code",
    "http.request.method",
    "http.request.uri",
    "http.host",
    "http.authorization",
    "http.www_authenticate",
    "http.date",
    "wsman.action_name",
    "wsman.class",
    "wsman.fault.code",
    "wsman.fault.subcode",
    "wsman.fault.reason",
    "wsman.return_value",
    "wsman.return_value_name",
    "iamt.eoi.service",
    "iamt.eoi.method",
    "iamt.eoi.status_code",
    "iamt.eoi.status_name",
    "http",
};
static int hf[N_FIELDS];
static int proto_wsman = -1;

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

static void reset_registry(void)
{
    registry = wmem_array_new(wmem_file_scope(), sizeof(iamt_tls_conn *));
    facts_version++;
}

void iamt_tls_facts_register(int proto)
{
    proto_owner = proto;
    register_init_routine(reset_registry);
    by_conv =
        wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash, g_direct_equal);
}

void iamt_tls_facts_handoff(GArray *wanted)
{
    proto_wsman = proto_get_id_by_filter_name("wsman");
    if (proto_wsman >= 0)
        g_array_append_val(wanted, proto_wsman);
    for (int i = 0; i < N_FIELDS; i++) {
        hf[i] = i == F_HTTP ? proto_get_id_by_filter_name(field_names[i])
                            : proto_registrar_get_id_byname(field_names[i]);
        if (hf[i] >= 0)
            g_array_append_val(wanted, hf[i]);
    }
}

iamt_tls_conn *const *iamt_tls_facts_conns(size_t *n)
{
    *n = registry ? wmem_array_get_count(registry) : 0;
    return *n ? (iamt_tls_conn *const *)wmem_array_get_raw(registry) : NULL;
}

unsigned iamt_tls_facts_version(void)
{
    return facts_version;
}

int iamt_tls_conn_has_event(const iamt_tls_conn *c, guint32 frame)
{
    for (size_t i = 0; i < c->n_events; i++)
        if (c->events[i] == frame)
            return 1;
    return 0;
}

/* All values of a field in the frame, in the order added: the tree keeps
 * them per field, since the postdissector's wanted fields are primed (a
 * lookup, where searching the tree would visit every item). Borrowed from
 * the tree; empty for an unknown or absent field. */
static const GPtrArray *all(proto_tree *tree, int f)
{
    static const GPtrArray none;
    const GPtrArray *a = hf[f] >= 0 ? proto_get_finfo_ptr_array(tree, hf[f]) : NULL;
    return a ? a : &none;
}

static guint32 uint_at(const GPtrArray *a, guint i)
{
    return iamt_fi_uint(g_ptr_array_index(a, i));
}

static void addr_port_text(const address *a, guint32 port, char *buf, size_t len)
{
    char *s = address_to_str(NULL, a);
    g_snprintf(buf, len, a->type == AT_IPv6 ? "[%s]:%u" : "%s:%u", s, port);
    wmem_free(NULL, s);
}

static void set_addr(const address *a, int *family, uint8_t out[16])
{
    if (a->type == AT_IPv4 && a->len == 4) {
        *family = 4;
        memcpy(out, a->data, 4);
    } else if (a->type == AT_IPv6 && a->len == 16) {
        *family = 6;
        memcpy(out, a->data, 16);
    }
}

static iamt_tls_conn *new_conn(packet_info *pinfo, int to_amt)
{
    if (!registry || wmem_array_get_count(registry) >= IAMT_TLS_CONNS_MAX)
        return NULL;
    iamt_tls_conn *c = wmem_new0(wmem_file_scope(), iamt_tls_conn);
    const address *cli = to_amt ? &pinfo->src : &pinfo->dst;
    const address *srv = to_amt ? &pinfo->dst : &pinfo->src;
    guint32 cport = to_amt ? pinfo->srcport : pinfo->destport;
    guint32 sport = to_amt ? pinfo->destport : pinfo->srcport;
    diag_conn_facts *f = &c->f;
    f->id = wmem_array_get_count(registry);
    addr_port_text(cli, cport, c->client, sizeof c->client);
    addr_port_text(srv, sport, c->server, sizeof c->server);
    f->client = c->client;
    f->server = c->server;
    set_addr(cli, &f->family, f->client_addr);
    set_addr(srv, &f->family, f->server_addr);
    f->client_port = (uint16_t)cport;
    f->server_port = (uint16_t)sport;
    f->first_ts_us = (int64_t)pinfo->abs_ts.secs * 1000000 + pinfo->abs_ts.nsecs / 1000;
    f->first_frame = pinfo->num;
    f->rst_from = f->first_fin_from = -1;
    /* The facts point into the connection's own storage. */
    f->tls.server_certs = c->server_certs;
    f->tls.client_certs = c->client_certs;
    f->tls.ca_names = c->ca_names;
    f->tls.alerts = c->alerts;
    c->last_hs_from = c->last_hs_type = -1;
    wmem_array_append_one(registry, c);
    return c;
}

static void add_event(iamt_tls_conn *c, guint32 frame)
{
    if (c->n_events && c->events[c->n_events - 1] == frame)
        return;
    if (c->n_events < IAMT_TLS_EVENTS_MAX)
        c->events[c->n_events++] = frame;
}

/* A copy of a DER object in file scope, or 0 when empty or too long. */
static int keep_blob(diag_blob *b, tvbuff_t *tvb, gint off, guint32 len)
{
    if (!tvb || len == 0 || len > IAMT_TLS_BLOB_MAX || off < 0 ||
        !tvb_bytes_exist(tvb, off, (gint)len))
        return 0;
    b->data = tvb_memdup(wmem_file_scope(), tvb, off, len);
    b->len = len;
    return 1;
}

static void read_certs(proto_tree *tree, iamt_tls_conn *c, int to_amt, guint32 frame)
{
    diag_tls_facts *t = &c->f.tls;
    const GPtrArray *lens = all(tree, F_CERTS_LEN);
    const GPtrArray *certs = all(tree, F_CERT);
    if (lens->len) {
        diag_blob *out = to_amt ? c->client_certs : c->server_certs;
        size_t n = 0;
        for (guint i = 0; i < certs->len && n < IAMT_TLS_CERTS_MAX; i++) {
            field_info *fi = g_ptr_array_index(certs, i);
            n += keep_blob(&out[n], fi->ds_tvb, fi->start, (guint32)fi->length);
        }
        diag_cert_presence p = certs->len ? DIAG_CERT_SENT : DIAG_CERT_EMPTY;
        if (to_amt) {
            t->client_cert = p;
            t->n_client_certs = n;
            t->client_cert_frame = frame;
        } else {
            t->server_cert = p;
            t->n_server_certs = n;
            t->server_cert_frame = frame;
        }
    }
}

/* The CertificateRequest's DistinguishedNames: the DER follows each
 * dname_len (Wireshark's dname item itself skips the SEQUENCE header). */
static void read_ca_names(proto_tree *tree, iamt_tls_conn *c)
{
    const GPtrArray *a = all(tree, F_DNAME_LEN);
    size_t n = 0;
    for (guint i = 0; i < a->len && n < IAMT_TLS_NAMES_MAX; i++) {
        field_info *fi = g_ptr_array_index(a, i);
        n += keep_blob(&c->ca_names[n], fi->ds_tvb, fi->start + fi->length, uint_at(a, i));
    }
    c->f.tls.n_ca_names = n;
}

static void read_client_hello(proto_tree *tree, iamt_tls_conn *c, guint32 frame)
{
    diag_tls_facts *t = &c->f.tls;
    t->client_hello = 1;
    t->client_hello_frame = frame;
    const GPtrArray *a = all(tree, F_HS_VERSION);
    if (a->len)
        t->offered_min = t->offered_max = (uint16_t)uint_at(a, 0);
    a = all(tree, F_SUPPORTED_VERSION);
    for (guint i = 0; i < a->len; i++) {
        uint16_t v = (uint16_t)uint_at(a, i);
        if ((v & 0xff00) != 0x0300)
            continue; /* GREASE and drafts */
        if (i == 0 || v < t->offered_min)
            t->offered_min = v;
        if (i == 0 || v > t->offered_max)
            t->offered_max = v;
    }
    a = all(tree, F_SUITE);
    size_t n = MIN(a->len, IAMT_TLS_SUITES_MAX);
    c->suites = wmem_alloc_array(wmem_file_scope(), uint16_t, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        c->suites[i] = (uint16_t)uint_at(a, (guint)i);
        t->console_reneg |= c->suites[i] == 0x00ff;
    }
    t->offered_suites = c->suites;
    t->n_offered_suites = n;
    a = all(tree, F_EXT_TYPE);
    for (guint i = 0; i < a->len; i++)
        t->console_reneg |= uint_at(a, i) == 0xff01;
    a = all(tree, F_SNI);
    const char *sni = a->len ? iamt_fi_str(g_ptr_array_index(a, 0)) : NULL;
    if (sni && g_utf8_validate(sni, -1, NULL)) {
        g_strlcpy(c->sni, sni, sizeof c->sni);
        t->sni = c->sni;
    }
}

static void read_server_hello(proto_tree *tree, iamt_tls_conn *c, guint32 frame)
{
    diag_tls_facts *t = &c->f.tls;
    t->server_hello = 1;
    t->server_hello_frame = frame;
    const GPtrArray *a = all(tree, F_HS_VERSION);
    if (a->len)
        t->version = (uint16_t)uint_at(a, 0);
    a = all(tree, F_SUPPORTED_VERSION);
    if (a->len)
        t->version = (uint16_t)uint_at(a, 0);
    a = all(tree, F_SUITE);
    if (a->len) {
        /* The suite's name as Wireshark's value string shows it. */
        field_info *fi = g_ptr_array_index(a, 0);
        const char *name = NULL;
        if (fi->hfinfo->strings && (fi->hfinfo->display & BASE_EXT_STRING))
            name = try_val_to_str_ext(uint_at(a, 0), (value_string_ext *)fi->hfinfo->strings);
        t->suite_name = name;
    }
    a = all(tree, F_EXT_TYPE);
    for (guint i = 0; i < a->len; i++)
        t->amt_reneg |= uint_at(a, i) == 0xff01;
    a = all(tree, F_RANDOM_TIME);
    if (a->len && ((field_info *)g_ptr_array_index(a, 0))->hfinfo->type == FT_ABSOLUTE_TIME) {
        const nstime_t *ts = fvalue_get_time(IAMT_FVALUE((field_info *)g_ptr_array_index(a, 0)));
        if (ts)
            t->gmt_unix_time = (uint32_t)ts->secs;
    }
}

/* The handshake messages of the frame, in order. */
static void read_handshake(proto_tree *tree, iamt_tls_conn *c, int to_amt, guint32 frame)
{
    diag_tls_facts *t = &c->f.tls;
    int from = to_amt ? DIAG_CONSOLE : DIAG_AMT;
    const GPtrArray *types = all(tree, F_HS_TYPE);
    for (guint i = 0; i < types->len; i++) {
        int type = (int)uint_at(types, i);
        add_event(c, frame);
        if (type == 1 && to_amt && !t->client_hello)
            read_client_hello(tree, c, frame);
        else if (type == 2 && !to_amt && !t->server_hello)
            read_server_hello(tree, c, frame);
        else if (type == 11)
            read_certs(tree, c, to_amt, frame);
        else if (type == 13 && !to_amt && !t->cert_request) {
            t->cert_request = 1;
            t->cert_request_frame = frame;
            read_ca_names(tree, c);
        } else if (type == 20) {
            c->finished[from] = 1;
            if (c->finished[0] && c->finished[1] && !t->handshake_complete) {
                t->handshake_complete = 1;
                t->handshake_done_frame = frame;
            }
        }
        c->last_hs_from = from;
        c->last_hs_type = type;
    }
}

/* Alerts: readable ones from alert_message, encrypted ones as alert
 * records without a readable message. */
static void read_alerts(proto_tree *tree, iamt_tls_conn *c, int to_amt, guint32 frame)
{
    diag_tls_facts *t = &c->f.tls;
    const GPtrArray *ct = all(tree, F_CONTENT_TYPE);
    const GPtrArray *lv = all(tree, F_ALERT_LEVEL);
    const GPtrArray *ds = all(tree, F_ALERT_DESC);
    guint records = 0;
    for (guint i = 0; i < ct->len; i++)
        records += uint_at(ct, i) == 21;
    /* Any TLS record makes it a TLS connection (mid-stream captures). */
    if (ct->len)
        c->f.is_tls = 1;
    guint n = MAX(records, ds->len);
    for (guint i = 0; i < n && t->n_alerts < IAMT_TLS_ALERTS_MAX; i++) {
        diag_alert *a = &c->alerts[t->n_alerts++];
        a->from = to_amt ? DIAG_CONSOLE : DIAG_AMT;
        a->level = i < lv->len ? (int)uint_at(lv, i) : -1;
        a->desc = i < ds->len ? (int)uint_at(ds, i) : -1;
        a->frame = frame;
        a->after_from = c->last_hs_from;
        a->after_type = c->last_hs_type;
        a->after_handshake = t->handshake_complete;
        add_event(c, frame);
    }
    /* Application data: readable or not, it tells the handshake ended. */
    for (guint i = 0; i < ct->len; i++) {
        if (uint_at(ct, i) != 23)
            continue;
        t->app_records[to_amt ? DIAG_CONSOLE : DIAG_AMT]++;
        if (!t->handshake_complete && t->app_records[DIAG_AMT]) {
            t->handshake_complete = 1;
            t->handshake_done_frame = frame;
        }
    }
}

/* The first value of a string field under node, copied to file scope
 * (bounded, valid UTF-8); NULL when absent. */
static const char *str_under(proto_tree *node, int f)
{
    return iamt_text(wmem_file_scope(), iamt_first_str(node, hf[f]), IAMT_TLS_STR_MAX);
}

static int uint_under(proto_tree *node, int f, uint32_t *v)
{
    return iamt_first_uint(node, hf[f], v);
}

/* A new exchange at the end of c's, or NULL when there are
 * IAMT_TLS_EXCHANGES_MAX already. */
static diag_exchange *new_exchange(iamt_tls_conn *c)
{
    diag_conn_facts *f = &c->f;
    if (f->n_ex >= IAMT_TLS_EXCHANGES_MAX)
        return NULL;
    if (f->n_ex == c->ex_cap) {
        c->ex_cap = c->ex_cap ? c->ex_cap * 2 : 4;
        c->ex = wmem_realloc(wmem_file_scope(), c->ex, c->ex_cap * sizeof *c->ex);
        f->ex = c->ex;
    }
    diag_exchange *e = &c->ex[f->n_ex++];
    memset(e, 0, sizeof *e);
    return e;
}

typedef struct http_walk {
    packet_info *pinfo;
    iamt_tls_conn *c;
    diag_exchange *cur; /* the exchange of the last HTTP message */
    int cur_is_response;
} http_walk;

/* The SOAP facts of a message: packet-wsman puts its item next to the
 * HTTP item of the message whose body it decoded. */
static void soap_facts(proto_tree *node, diag_exchange *e, int is_response)
{
    if (is_response) {
        if (!e->resp_action_name)
            e->resp_action_name = str_under(node, F_WSMAN_ACTION);
        if (!e->fault_subcode)
            e->fault_subcode = str_under(node, F_WSMAN_FAULT_SUBCODE);
        if (!e->fault_reason)
            e->fault_reason = str_under(node, F_WSMAN_FAULT_REASON);
        e->is_fault |= str_under(node, F_WSMAN_FAULT_CODE) || e->fault_subcode;
        if (!e->has_return_value)
            e->has_return_value = uint_under(node, F_WSMAN_RETURN_VALUE, &e->return_value);
        if (!e->return_value_name)
            e->return_value_name = str_under(node, F_WSMAN_RETURN_VALUE_NAME);
        if (!e->has_status_code)
            e->has_status_code = uint_under(node, F_EOI_STATUS, &e->status_code);
        if (!e->status_name)
            e->status_name = str_under(node, F_EOI_STATUS_NAME);
        return;
    }
    if (!e->action_name)
        e->action_name = str_under(node, F_WSMAN_ACTION);
    if (!e->class_name)
        e->class_name = str_under(node, F_WSMAN_CLASS);
    if (!e->eoi_service)
        e->eoi_service = str_under(node, F_EOI_SERVICE);
    if (!e->eoi_method)
        e->eoi_method = str_under(node, F_EOI_METHOD);
}

/* One top-level item: an HTTP message (a request opens an exchange, a
 * response answers the oldest unanswered one), or the SOAP item after it. */
static void http_message(proto_node *node, gpointer data)
{
    http_walk *w = data;
    field_info *fi = PNODE_FINFO(node);
    if (!fi || !fi->hfinfo)
        return;
    if (fi->hfinfo->id != hf[F_HTTP]) {
        if (w->cur && (fi->hfinfo->id == proto_wsman || fi->hfinfo->id == proto_owner))
            soap_facts(node, w->cur, w->cur_is_response);
        return;
    }
    iamt_tls_conn *c = w->c;
    diag_conn_facts *f = &c->f;
    uint32_t status = 0;
    diag_exchange *e = NULL;
    w->cur = NULL;
    if (uint_under(node, F_HTTP_STATUS, &status)) {
        size_t k = 0;
        while (k < f->n_ex && c->ex[k].status)
            k++;
        e = k < f->n_ex ? &c->ex[k] : new_exchange(c);
        if (!e)
            return;
        e->status = (int)status;
        e->resp_frame = w->pinfo->num;
        e->resp_ts_us = (int64_t)w->pinfo->abs_ts.secs * 1000000 + w->pinfo->abs_ts.nsecs / 1000;
        e->www_authenticate =
            iamt_joined_str(wmem_file_scope(), node, hf[F_HTTP_WWW_AUTHENTICATE], IAMT_TLS_STR_MAX);
        e->date = str_under(node, F_HTTP_DATE);
        w->cur = e;
        w->cur_is_response = 1;
        return;
    }
    const char *method = str_under(node, F_HTTP_METHOD);
    if (!method || !(e = new_exchange(c)))
        return;
    e->req_frame = w->pinfo->num;
    e->method = method;
    e->uri = str_under(node, F_HTTP_URI);
    e->host = str_under(node, F_HTTP_HOST);
    e->authorization = str_under(node, F_HTTP_AUTHORIZATION);
    w->cur = e;
    w->cur_is_response = 0;
}

static void read_http(packet_info *pinfo, proto_tree *tree, iamt_tls_conn *c)
{
    http_walk w = {pinfo, c, NULL, 0};
    proto_tree_children_foreach(tree, http_message, &w);
}

static void read_tcp_http(packet_info *pinfo, proto_tree *tree, iamt_tls_conn *c, int to_amt)
{
    diag_conn_facts *f = &c->f;
    int from = to_amt ? DIAG_CONSOLE : DIAG_AMT;
    const GPtrArray *a = all(tree, F_TCP_FLAGS);
    guint32 flags = a->len ? uint_at(a, 0) : 0;
    if ((flags & TCP_SYN) && !(flags & TCP_ACK) && to_amt) {
        f->syns++;
        if (!f->syn_frame)
            f->syn_frame = pinfo->num;
    }
    if ((flags & TCP_SYN) && (flags & TCP_ACK) && !to_amt && !f->synack) {
        f->synack = 1;
        f->synack_frame = pinfo->num;
    }
    if ((flags & TCP_FIN) && f->first_fin_from < 0) {
        f->first_fin_from = from;
        f->first_fin_frame = pinfo->num;
        add_event(c, pinfo->num);
    }
    if ((flags & TCP_RST) && f->rst_from < 0) {
        f->rst_from = from;
        f->rst_frame = pinfo->num;
        add_event(c, pinfo->num);
    }
    /* A connection whose first frame is no SYN began before the capture. */
    if (pinfo->num == f->first_frame && !(flags & TCP_SYN) && !(flags & TCP_RST))
        f->midstream = 1;
    a = all(tree, F_TCP_LOST);
    if (a->len)
        f->gap = 1;
    a = all(tree, F_TCP_LEN);
    if (a->len)
        f->bytes[from] += uint_at(a, 0);
    if (hf[F_HTTP] >= 0 && proto_is_frame_protocol(pinfo->layers, "http")) {
        f->is_http = 1;
        f->tls.decrypted = 1;
        read_http(pinfo, tree, c);
    }
    f->last_ts_us = (int64_t)pinfo->abs_ts.secs * 1000000 + pinfo->abs_ts.nsecs / 1000;
    f->last_frame = pinfo->num;
}

iamt_tls_frame iamt_tls_facts_frame(packet_info *pinfo, proto_tree *tree, int to_amt)
{
    iamt_tls_frame out = {NULL, to_amt, 0};
    conversation_t *conv = find_conversation_pinfo(pinfo, 0);
    if (!conv || proto_owner < 0)
        return out;
    iamt_tls_conn *c = wmem_map_lookup(by_conv, conv);
    if (PINFO_FD_VISITED(pinfo)) {
        out.conn = c;
        out.event = c && iamt_tls_conn_has_event(c, pinfo->num);
        return out;
    }
    if (!c) {
        c = new_conn(pinfo, to_amt);
        if (!c)
            return out;
        wmem_map_insert(by_conv, conv, c);
    }
    size_t before = c->n_events;
    read_tcp_http(pinfo, tree, c, to_amt);
    read_handshake(tree, c, to_amt, pinfo->num);
    read_alerts(tree, c, to_amt, pinfo->num);
    c->f.is_tls |= c->f.tls.client_hello || c->f.tls.server_hello;
    out.conn = c;
    out.event = c->n_events != before || iamt_tls_conn_has_event(c, pinfo->num);
    facts_version++;
    return out;
}
