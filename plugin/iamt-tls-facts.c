/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-tls-facts: reads, per frame, the TLS handshake messages, the
 * certificates, the CertificateRequest's CA names, the alerts and the TCP
 * flags Wireshark dissected on a connection to AMT's TLS port, and keeps
 * them as lib's diag_conn_facts. Only reads fields: TLS parsing stays
 * Wireshark's, the judgement stays lib's. */
#include "iamt-tls-facts.h"

#include <epan/to_str.h>
#include <epan/conversation.h>
#include <epan/prefs-int.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tcp.h>
#include <string.h>

#include "iamt-diag.h"
#include "iamt-fields.h"
#include "iamt-text.h"
#include "packet-iamt.h"
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
    F_TCP_LEN,
    F_TCP_LOST,
    F_TCP_RETRANSMISSION,
    F_TCP_OUT_OF_ORDER,
    F_TCP_STREAM,
    F_HTTP_STATUS,
    F_HTTP_METHOD,
    F_HTTP_URI,
    F_HTTP_HOST,
    F_HTTP_AUTHORIZATION,
    F_HTTP_WWW_AUTHENTICATE,
    F_HTTP_DATE,
    F_HTTP_REQUEST_IN,
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
    "tcp.len",
    "tcp.analysis.lost_segment",
    "tcp.analysis.retransmission",
    "tcp.analysis.out_of_order",
    "tcp.stream",
    "http.response.code",
    "http.request.method",
    "http.request.uri",
    "http.host",
    "http.authorization",
    "http.www_authenticate",
    "http.date",
    "http.request_in",
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
static int proto_tls = -1;
static int proto_tcp = -1;

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
    proto_tls = proto_get_id_by_filter_name("tls");
    proto_tcp = proto_get_id_by_filter_name("tcp");
    if (proto_wsman >= 0)
        g_array_append_val(wanted, proto_wsman);
    for (int i = 0; i < N_FIELDS; i++) {
        hf[i] = i == F_HTTP ? proto_get_id_by_filter_name(field_names[i])
                            : proto_registrar_get_id_byname(field_names[i]);
        /* tcp.stream is read once per connection, from TCP's own data
         * (tcp_stream): primed, it would cost a list on every frame */
        if (hf[i] >= 0 && i != F_TCP_STREAM)
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

/* The TLS fields: those a TLS session inside a CIRA channel adds too. */
#define F_TLS_FIRST F_HS_TYPE
#define F_TLS_LAST F_CONTENT_TYPE
#define N_TLS_FIELDS (F_TLS_LAST - F_TLS_FIRST + 1)
G_STATIC_ASSERT(N_TLS_FIELDS == IAMT_TLS_INNER_FIELDS);

/* While a frame is read: the field_infos of TLS sessions inside its CIRA
 * channels (a console's TLS to 16993 or 16995 carried in the tunnel's
 * TLS), which are those sessions' and not the tunnel's; NULL: none. */
static wmem_map_t *skip;

/* All values of a field in the frame, in the order added: the tree keeps
 * them per field, since the postdissector's wanted fields are primed (a
 * lookup, where searching the tree would visit every item). Borrowed from
 * the tree (or, leaving out the skipped ones, kept until the field is
 * asked for again); empty for an unknown or absent field. */
static const GPtrArray *all(proto_tree *tree, int f)
{
    static const GPtrArray none;
    static GPtrArray *kept[N_TLS_FIELDS];
    const GPtrArray *a = hf[f] >= 0 ? proto_get_finfo_ptr_array(tree, hf[f]) : NULL;
    if (!a)
        return &none;
    if (!skip || f < F_TLS_FIRST || f > F_TLS_LAST)
        return a;
    GPtrArray **k = &kept[f - F_TLS_FIRST];
    if (!*k)
        *k = g_ptr_array_new();
    g_ptr_array_set_size(*k, 0);
    for (guint i = 0; i < a->len; i++)
        if (!wmem_map_contains(skip, g_ptr_array_index(a, i)))
            g_ptr_array_add(*k, g_ptr_array_index(a, i));
    return *k;
}

void iamt_tls_facts_inner_begin(proto_tree *tree, iamt_tls_inner *m)
{
    for (int f = F_TLS_FIRST; f <= F_TLS_LAST; f++) {
        const GPtrArray *a = tree && hf[f] >= 0 ? proto_get_finfo_ptr_array(tree, hf[f]) : NULL;
        m->before[f - F_TLS_FIRST] = a ? a->len : 0;
    }
}

/* The values a field got since m, in the order added. */
static const GPtrArray *added(proto_tree *tree, const iamt_tls_inner *m, int f, guint *from)
{
    const GPtrArray *a = hf[f] >= 0 ? proto_get_finfo_ptr_array(tree, hf[f]) : NULL;
    *from = m->before[f - F_TLS_FIRST];
    return a && a->len > *from ? a : NULL;
}

static guint32 uint_at(const GPtrArray *a, guint i);

/* What a channel's TLS showed in this frame, in lib's terms: handshake
 * messages (a Certificate with how many it holds), then application data
 * records (content type 23 as Wireshark decoded it: the inner type of a
 * decrypted TLS 1.3 record, the header's before 1.3), then alerts. */
static void feed_channel(packet_info *pinfo, proto_tree *tree, const iamt_tls_inner *m,
                         diag_cira_facts *cira, unsigned ordinal, int from)
{
    guint i, k, c;
    const GPtrArray *types = added(tree, m, F_HS_TYPE, &i);
    const GPtrArray *lens = added(tree, m, F_CERTS_LEN, &c);
    for (; types && i < types->len; i++) {
        guint32 t = uint_at(types, i);
        unsigned certs = 0;
        if (t == 11 && lens && c < lens->len)
            certs = uint_at(lens, c++) ? 1 : 0;
        diag_cira_chan_handshake(cira, ordinal, from, pinfo->num, (int)t, certs);
    }
    const GPtrArray *ct = added(tree, m, F_CONTENT_TYPE, &k);
    for (; ct && k < ct->len; k++)
        if (uint_at(ct, k) == 23)
            diag_cira_chan_app_data(cira, ordinal, from, pinfo->num);
    const GPtrArray *alerts = added(tree, m, F_ALERT_DESC, &k);
    for (; alerts && k < alerts->len; k++)
        diag_cira_chan_alert(cira, ordinal, from, pinfo->num, (int)uint_at(alerts, k));
    /* (the facts' version moved when the caller took the tunnel's facts:
     * iamt_tls_facts_cira) */
}

void iamt_tls_facts_inner_end(packet_info *pinfo, proto_tree *tree, const iamt_tls_inner *m,
                              diag_cira_facts *cira, unsigned ordinal, int from)
{
    if (!tree || proto_owner < 0)
        return;
    if (cira)
        feed_channel(pinfo, tree, m, cira, ordinal, from);
    wmem_map_t *s = p_get_proto_data(pinfo->pool, pinfo, proto_owner, IAMT_KEY_TLS_INNER);
    for (int f = F_TLS_FIRST; f <= F_TLS_LAST; f++) {
        const GPtrArray *a = hf[f] >= 0 ? proto_get_finfo_ptr_array(tree, hf[f]) : NULL;
        for (guint i = m->before[f - F_TLS_FIRST]; a && i < a->len; i++) {
            if (!s) {
                s = wmem_map_new(pinfo->pool, g_direct_hash, g_direct_equal);
                p_add_proto_data(pinfo->pool, pinfo, proto_owner, IAMT_KEY_TLS_INNER, s);
            }
            wmem_map_insert(s, g_ptr_array_index(a, i), NULL);
        }
    }
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

static iamt_tls_conn *new_conn(packet_info *pinfo, int to_amt)
{
    if (!registry || wmem_array_get_count(registry) >= IAMT_TLS_CONNS_MAX)
        return NULL;
    iamt_tls_conn *c = wmem_new0(wmem_file_scope(), iamt_tls_conn);
    const address *cli = to_amt ? &pinfo->src : &pinfo->dst;
    const address *srv = to_amt ? &pinfo->dst : &pinfo->src;
    guint32 cport = to_amt ? pinfo->srcport : pinfo->destport;
    guint32 sport = to_amt ? pinfo->destport : pinfo->srcport;
    addr_port_text(cli, cport, c->client, sizeof c->client);
    addr_port_text(srv, sport, c->server, sizeof c->server);
    uint8_t ca[16], sa[16];
    int family = iamt_addr_bytes(cli, ca);
    iamt_addr_bytes(srv, sa);
    diag_build_init(&c->b, wmem_array_get_count(registry), family, ca, (uint16_t)cport, sa,
                    (uint16_t)sport, c->client, c->server, iamt_amt_service(pinfo));
    /* The facts point into the connection's own storage. */
    diag_conn_facts *f = &c->b.f;
    f->tls.server_certs = c->server_certs;
    f->tls.client_certs = c->client_certs;
    f->tls.ca_names = c->ca_names;
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
    diag_tls_facts *t = &c->b.f.tls;
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
    c->b.f.tls.n_ca_names = n;
}

/* Up to max values of an unsigned field, in tree order; returns the count. */
static size_t u16s(proto_tree *tree, int f, uint16_t *out, size_t max)
{
    const GPtrArray *a = all(tree, f);
    size_t n = 0;
    for (guint i = 0; i < a->len && n < max; i++)
        out[n++] = (uint16_t)uint_at(a, i);
    return n;
}

static uint16_t first_u16(proto_tree *tree, int f)
{
    uint16_t v = 0;
    return u16s(tree, f, &v, 1) ? v : 0;
}

static void read_client_hello(proto_tree *tree, iamt_tls_conn *c, guint32 frame)
{
    uint16_t versions[IAMT_TLS_VERSIONS_MAX], ext[IAMT_TLS_EXTENSIONS_MAX];
    size_t n_versions = u16s(tree, F_SUPPORTED_VERSION, versions, IAMT_TLS_VERSIONS_MAX);
    size_t n_ext = u16s(tree, F_EXT_TYPE, ext, IAMT_TLS_EXTENSIONS_MAX);
    size_t n_suites = u16s(tree, F_SUITE, c->suites, IAMT_TLS_SUITES_MAX);
    const GPtrArray *a = all(tree, F_SNI);
    const char *sni = a->len ? iamt_fi_str(g_ptr_array_index(a, 0)) : NULL;
    const char *kept = NULL;
    if (sni && g_utf8_validate(sni, -1, NULL)) {
        g_strlcpy(c->sni, sni, sizeof c->sni);
        kept = c->sni;
    }
    diag_build_client_hello(&c->b, frame, first_u16(tree, F_HS_VERSION), versions, n_versions,
                            c->suites, n_suites, ext, n_ext, kept);
}

static void read_server_hello(proto_tree *tree, iamt_tls_conn *c, guint32 frame)
{
    uint16_t ext[IAMT_TLS_EXTENSIONS_MAX];
    size_t n_ext = u16s(tree, F_EXT_TYPE, ext, IAMT_TLS_EXTENSIONS_MAX);
    const char *suite_name = NULL;
    const GPtrArray *a = all(tree, F_SUITE);
    if (a->len) {
        /* The suite's name as Wireshark's value string shows it. */
        field_info *fi = g_ptr_array_index(a, 0);
        if (fi->hfinfo->strings && (fi->hfinfo->display & BASE_EXT_STRING))
            suite_name = try_val_to_str_ext(uint_at(a, 0), (value_string_ext *)fi->hfinfo->strings);
    }
    uint32_t gmt = 0;
    a = all(tree, F_RANDOM_TIME);
    if (a->len && ((field_info *)g_ptr_array_index(a, 0))->hfinfo->type == FT_ABSOLUTE_TIME) {
        const nstime_t *ts = fvalue_get_time(IAMT_FVALUE((field_info *)g_ptr_array_index(a, 0)));
        if (ts)
            gmt = (uint32_t)ts->secs;
    }
    diag_build_server_hello(&c->b, frame, first_u16(tree, F_HS_VERSION),
                            first_u16(tree, F_SUPPORTED_VERSION), suite_name, ext, n_ext, gmt);
}

/* The handshake messages of the frame, in order. */
static void read_handshake(proto_tree *tree, iamt_tls_conn *c, int to_amt, guint32 frame)
{
    diag_tls_facts *t = &c->b.f.tls;
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
        else if (type == 13 && !to_amt && !t->cert_request)
            read_ca_names(tree, c);
        diag_build_handshake(&c->b, frame, from, type);
    }
}

/* The records of the frame: alerts (readable ones from alert_message,
 * encrypted ones as alert records without one), ChangeCipherSpec, an
 * encrypted handshake record after it (TLS <= 1.2: the Finished, whose
 * type Wireshark cannot show without keys) and application data. */
static void read_records(proto_tree *tree, iamt_tls_conn *c, int to_amt, guint32 frame)
{
    int from = to_amt ? DIAG_CONSOLE : DIAG_AMT;
    const GPtrArray *ct = all(tree, F_CONTENT_TYPE);
    const GPtrArray *lv = all(tree, F_ALERT_LEVEL);
    const GPtrArray *ds = all(tree, F_ALERT_DESC);
    const GPtrArray *hs = all(tree, F_HS_TYPE);
    guint alerts = 0, handshakes = 0;
    for (guint i = 0; i < ct->len; i++) {
        guint32 type = uint_at(ct, i);
        if (type == 20 && !c->ccs_frame[from])
            c->ccs_frame[from] = frame;
        else if (type == 21)
            alerts++;
        else if (type == 22)
            handshakes++;
        else if (type == 23)
            diag_build_app_record(&c->b, frame, from);
    }
    /* A handshake record after ChangeCipherSpec whose type is not readable */
    const diag_tls_facts *t = &c->b.f.tls;
    if (c->ccs_frame[from] && handshakes > hs->len && t->version && t->version < 0x0304) {
        diag_build_handshake(&c->b, frame, from, 20);
        add_event(c, frame);
    }
    guint n = MAX(alerts, ds->len);
    for (guint i = 0; i < n; i++) {
        diag_build_alert(&c->b, frame, from, i < lv->len ? (int)uint_at(lv, i) : -1,
                         i < ds->len ? (int)uint_at(ds, i) : -1);
        add_event(c, frame);
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
    diag_conn_facts *f = &c->b.f;
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
    diag_conn_facts *f = &c->b.f;
    uint32_t status = 0;
    diag_exchange *e = NULL;
    w->cur = NULL;
    if (uint_under(node, F_HTTP_STATUS, &status)) {
        /* the request HTTP paired it with (per channel in a CIRA tunnel,
         * where consoles interleave), else the oldest unanswered one */
        uint32_t req_in = 0;
        size_t k = f->n_ex;
        if (uint_under(node, F_HTTP_REQUEST_IN, &req_in))
            for (k = 0; k < f->n_ex && (c->ex[k].status || c->ex[k].req_frame != req_in); k++)
                ;
        if (k == f->n_ex)
            for (k = 0; k < f->n_ex && c->ex[k].status; k++)
                ;
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

/* Whether Wireshark's TCP reassembly puts out-of-order segments back. */
static int reassembles_out_of_order(void)
{
    module_t *tcp = prefs_find_module("tcp");
    pref_t *p = tcp ? prefs_find_preference(tcp, "reassemble_out_of_order") : NULL;
    return p && prefs_get_bool_value(p, pref_current);
}

static int has(proto_tree *tree, int f)
{
    const GPtrArray *a = all(tree, f);
    int found = a->len > 0;
    return found;
}

/* The frame's TCP header, as sent. */
typedef struct tcp_head {
    int ok; /* the header was read: the rest is known */
    guint32 seq, flags, len;
    tvbuff_t *tvb;   /* the payload's bytes ... */
    gint payload_at; /* ... from here, len of them as far as captured */
} tcp_head;

/* Reads the TCP header from the frame's bytes, found through tcp.len:
 * TCP adds that generated field at its header's first byte. Only tcp.len
 * is a wanted field: every wanted field costs Wireshark an item and a
 * list entry on each frame, tcp.payload also a copy of the payload, and
 * sequence number, flags and the payload's place are in the header. The
 * ports are checked against the frame's, so the header is never guessed. */
static tcp_head read_tcp_head(packet_info *pinfo, proto_tree *tree)
{
    tcp_head h = {0};
    const GPtrArray *a = all(tree, F_TCP_LEN);
    if (!a->len)
        return h;
    field_info *fi = g_ptr_array_index(a, 0);
    tvbuff_t *t = fi->ds_tvb;
    gint at = fi->start;
    if (!t || !tvb_bytes_exist(t, at, 20) || tvb_get_ntohs(t, at) != pinfo->srcport ||
        tvb_get_ntohs(t, at + 2) != pinfo->destport)
        return h;
    h.ok = 1;
    h.len = iamt_fi_uint(fi);
    h.seq = tvb_get_ntohl(t, at + 4);
    h.flags = tvb_get_ntohs(t, at + 12) & 0x0FFF; /* as tcp.flags */
    h.tvb = t;
    h.payload_at = at + (tvb_get_uint8(t, at + 12) >> 4) * 4;
    return h;
}

/* Holes in a side's bytes, from Wireshark's TCP analysis: a segment after
 * a missing one opens a hole; a later segment below its end (a
 * retransmission, or one out of order) fills it — in the reassembled
 * stream only when Wireshark reassembles out-of-order segments. */
static void read_holes(proto_tree *tree, const tcp_head *h, iamt_tls_conn *c, int from,
                       guint32 frame)
{
    int lost = has(tree, F_TCP_LOST);
    if (!lost && !c->hole_open[from])
        return;
    int have_seq = h->ok;
    guint32 seq = h->seq;
    if (lost) {
        diag_build_gap(&c->b, from, 0, frame);
        c->hole_seq[from] = seq;
        c->hole_open[from] = have_seq;
        return;
    }
    /* sequence numbers as sent: compared modulo 2^32 */
    if (c->hole_open[from] && have_seq && (gint32)(seq - c->hole_seq[from]) < 0 &&
        (has(tree, F_TCP_RETRANSMISSION) || has(tree, F_TCP_OUT_OF_ORDER))) {
        diag_build_gap_filled(&c->b, from, reassembles_out_of_order());
        c->hole_open[from] = 0;
    }
}

static void read_tcp_http(packet_info *pinfo, proto_tree *tree, iamt_tls_conn *c, int to_amt)
{
    diag_conn_facts *f = &c->b.f;
    int from = to_amt ? DIAG_CONSOLE : DIAG_AMT;
    tcp_head th = read_tcp_head(pinfo, tree);
    guint32 flags = th.flags, len = th.len;
    /* The console's first bytes: the TCP payload is what follows the
     * header in this frame's data. */
    const guint8 *payload = NULL;
    uint8_t head[DIAG_BUILD_HEAD_MAX] = {0}; /* zeros past a frame cut short */
    if (to_amt && len && f->n_console_head < DIAG_BUILD_HEAD_MAX) {
        gint n = (gint)MIN(len, (guint32)sizeof head);
        gint have = tvb_captured_length_remaining(th.tvb, th.payload_at);
        if (have > 0) {
            tvb_memcpy(th.tvb, head, th.payload_at, MIN(n, have));
            payload = head;
        }
    }
    /* The first FIN and the first RST are events of the connection. */
    if (((flags & DIAG_TCP_FIN) && f->first_fin_from < 0) ||
        ((flags & DIAG_TCP_RST) && f->rst_from < 0))
        add_event(c, pinfo->num);
    int64_t ts = (int64_t)pinfo->abs_ts.secs * 1000000 + pinfo->abs_ts.nsecs / 1000;
    diag_build_segment(&c->b, pinfo->num, ts, from, flags, payload, len);
    read_holes(tree, &th, c, from, pinfo->num);
    if (iamt_frame_has(pinfo, hf[F_HTTP])) {
        f->is_http = 1;
        f->tls.decrypted = 1;
        read_http(pinfo, tree, c);
    }
}

iamt_tls_conn *iamt_tls_facts_redir(packet_info *pinfo, int to_amt, conversation_t *conv)
{
    int tunnel = conv != NULL;
    if (!conv)
        conv = find_conversation_pinfo(pinfo, 0);
    if (!conv || proto_owner < 0)
        return NULL;
    iamt_tls_conn *c = wmem_map_lookup(by_conv, conv);
    if (!c && !PINFO_FD_VISITED(pinfo)) {
        c = new_conn(pinfo, to_amt);
        if (c)
            wmem_map_insert(by_conv, conv, c);
    }
    if (c && tunnel && !c->redir_chans && !PINFO_FD_VISITED(pinfo)) {
        c->redir_chans = wmem_new(wmem_file_scope(), diag_redir_chans);
        diag_redir_chans_init(c->redir_chans);
        c->b.f.redir_chans = c->redir_chans;
    }
    if (c && !tunnel && !c->redir && !PINFO_FD_VISITED(pinfo)) {
        c->redir = wmem_new(wmem_file_scope(), diag_redir_facts);
        diag_redir_init(c->redir);
        c->b.f.redir = c->redir;
    }
    if (c && !PINFO_FD_VISITED(pinfo)) {
        /* a redirection message read inside TLS was decrypted */
        if (iamt_frame_has(pinfo, proto_tls))
            c->b.f.tls.decrypted = 1;
        facts_version++;
    }
    return c;
}

iamt_tls_conn *iamt_tls_facts_cira(packet_info *pinfo, int to_mps)
{
    conversation_t *conv = find_conversation_pinfo(pinfo, 0);
    if (!conv || proto_owner < 0)
        return NULL;
    iamt_tls_conn *c = wmem_map_lookup(by_conv, conv);
    if (!c && !PINFO_FD_VISITED(pinfo)) {
        c = new_conn(pinfo, to_mps);
        if (c)
            wmem_map_insert(by_conv, conv, c);
    }
    if (c && !c->cira && !PINFO_FD_VISITED(pinfo)) {
        c->cira = wmem_new(wmem_file_scope(), diag_cira_facts);
        diag_cira_init(c->cira);
        c->b.f.cira = c->cira;
    }
    if (c && !PINFO_FD_VISITED(pinfo)) {
        c->b.f.tls.decrypted = 1; /* APF is only read out of decrypted TLS */
        facts_version++;
    }
    return c;
}

/* Wireshark's tcp.stream of the connection: TCP keeps it in its data of
 * the conversation (that TCP state is only read, never changed); else
 * the field, searched for in the tree. */
static gboolean tcp_stream(conversation_t *conv, proto_tree *tree, guint32 *stream)
{
    const struct tcp_analysis *tcpd =
        proto_tcp >= 0 ? conversation_get_proto_data(conv, proto_tcp) : NULL;
    if (tcpd) {
        *stream = tcpd->stream;
        return TRUE;
    }
    return iamt_first_uint(tree, hf[F_TCP_STREAM], stream);
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
        c->has_stream = tcp_stream(conv, tree, &c->stream);
        wmem_map_insert(by_conv, conv, c);
    }
    size_t before = c->n_events;
    skip = p_get_proto_data(pinfo->pool, pinfo, proto_owner, IAMT_KEY_TLS_INNER);
    read_tcp_http(pinfo, tree, c, to_amt);
    read_handshake(tree, c, to_amt, pinfo->num);
    read_records(tree, c, to_amt, pinfo->num);
    skip = NULL;
    out.conn = c;
    out.event = c->n_events != before || iamt_tls_conn_has_event(c, pinfo->num);
    facts_version++;
    return out;
}
