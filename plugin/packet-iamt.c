/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt: hands AMT's ports to HTTP and TLS→HTTP, names the AMT firmware
 * from the HTTP Server banner, and follows the HTTP login (iamt-auth).
 * Runs as a postdissector on HTTP's header fields, because AMT's 401s carry
 * no body a media-type hook would see (the SOAP bodies are packet-wsman's). */
#include <epan/conversation.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/range.h>
#include <epan/dissectors/packet-http.h>
#include <epan/dissectors/packet-tls.h>
#include <string.h>

#include "iamt-auth.h"
#include "iamt-eoi.h"
#include "iamt-redir.h"
#include "iamt-text.h"
#include "iamt-tls.h"
#include "packet-iamt.h"

#define AMT_BANNER "Intel(R) Active Management Technology"
#define DEFAULT_HTTP_PORTS "16992"
#define DEFAULT_TLS_PORTS "16993"

static int proto_iamt = -1;
static int hf_iamt_server = -1;
static int hf_iamt_fw_version = -1;
static int hf_iamt_fw_major = -1;
static gint ett_iamt = -1;

/* HTTP fields the postdissector reads, per HTTP message. */
static int proto_http = -1;
static int hf_http_server = -1;
static int hf_http_method = -1;
static int hf_http_uri = -1;
static int hf_http_status = -1;
static int hf_http_request_in = -1;
static int hf_http_authorization = -1;
static int hf_http_www_authenticate = -1;
static dissector_handle_t iamt_post_handle;
static dissector_handle_t http_handle;
static dissector_handle_t http_tls_handle;

/* Conversations on other ports that the heuristic recognised as AMT:
 * conversation index → the AMT (server) port. File scope: a new capture
 * starts empty. */
static wmem_map_t *amt_convs;
static gboolean pref_detect = TRUE; /* recognise AMT by content on other ports */

static range_t *pref_http_ports;
static range_t *pref_tls_ports;
/* The ranges last applied, so that a changed preference can be undone. */
static range_t *applied_http_ports;
static range_t *applied_tls_ports;

/* The AMT firmware version follows the banner: "… Technology 11.8.50.3425". */
static const char *banner_version(const char *server)
{
    size_t n = strlen(AMT_BANNER);
    if (strncmp(server, AMT_BANNER, n) != 0)
        return NULL;
    server += n;
    while (*server == ' ')
        server++;
    return *server ? server : NULL;
}

/* The AMT port of a conversation the heuristic recognised, or 0. */
static guint32 heur_amt_port(const packet_info *pinfo)
{
    if (!amt_convs || pinfo->ptype != PT_TCP)
        return 0;
    conversation_t *conv = find_conversation_pinfo((packet_info *)pinfo, 0);
    return conv ? GPOINTER_TO_UINT(wmem_map_lookup(amt_convs, GUINT_TO_POINTER(conv->conv_index)))
                : 0;
}

gboolean iamt_on_amt_port(const packet_info *pinfo)
{
    if (heur_amt_port(pinfo))
        return TRUE;
    const range_t *r[] = {applied_http_ports, applied_tls_ports};
    for (size_t i = 0; i < G_N_ELEMENTS(r); i++)
        if (r[i] &&
            (value_is_in_range(r[i], pinfo->srcport) || value_is_in_range(r[i], pinfo->destport)))
            return TRUE;
    return FALSE;
}

int iamt_amt_direction(const packet_info *pinfo)
{
    if (pinfo->ptype != PT_TCP)
        return -1;
    guint32 heur = heur_amt_port(pinfo);
    if (heur)
        return pinfo->destport == heur ? 1 : 0;
    const range_t *r[] = {applied_http_ports, applied_tls_ports};
    for (size_t i = 0; i < G_N_ELEMENTS(r); i++)
        if (r[i] && value_is_in_range(r[i], pinfo->destport))
            return 1;
    for (size_t i = 0; i < G_N_ELEMENTS(r); i++)
        if (r[i] && value_is_in_range(r[i], pinfo->srcport))
            return 0;
    return -1;
}

int iamt_tls_direction(const packet_info *pinfo)
{
    if (!applied_tls_ports || pinfo->ptype != PT_TCP)
        return -1;
    if (value_is_in_range(applied_tls_ports, pinfo->destport))
        return 1;
    return value_is_in_range(applied_tls_ports, pinfo->srcport) ? 0 : -1;
}

/* The first value of field hf under node, bounded and valid UTF-8. */
static const char *field_str(packet_info *pinfo, proto_tree *node, int hf)
{
    if (hf < 0)
        return NULL;
    GPtrArray *a = proto_find_first_finfo(node, hf);
    const char *s = NULL;
    if (a->len)
        s = fvalue_get_string(&((field_info *)g_ptr_array_index(a, 0))->value);
    g_ptr_array_free(a, TRUE);
    return s ? iamt_text(pinfo->pool, s, IAMT_TEXT_MAX) : NULL;
}

static guint32 field_uint(proto_tree *node, int hf, gboolean *found)
{
    *found = FALSE;
    if (hf < 0)
        return 0;
    GPtrArray *a = proto_find_first_finfo(node, hf);
    guint32 v = 0;
    if (a->len) {
        v = fvalue_get_uinteger(&((field_info *)g_ptr_array_index(a, 0))->value);
        *found = TRUE;
    }
    g_ptr_array_free(a, TRUE);
    return v;
}

/* Every WWW-Authenticate of the message, joined as one header would list
 * them (AMT may send Negotiate and Digest in separate headers). */
static const char *www_authenticate(packet_info *pinfo, proto_tree *node)
{
    if (hf_http_www_authenticate < 0)
        return NULL;
    GPtrArray *a = proto_find_finfo(node, hf_http_www_authenticate);
    wmem_strbuf_t *b = NULL;
    for (guint i = 0; i < a->len && i < 8; i++) {
        const char *s = fvalue_get_string(&((field_info *)g_ptr_array_index(a, i))->value);
        if (!s)
            continue;
        if (!b)
            b = wmem_strbuf_new(pinfo->pool, NULL);
        else
            wmem_strbuf_append(b, ", ");
        wmem_strbuf_append(b, iamt_text(pinfo->pool, s, IAMT_TEXT_MAX));
    }
    g_ptr_array_free(a, TRUE);
    return b ? wmem_strbuf_get_str(b) : NULL;
}

typedef struct post_ctx {
    tvbuff_t *tvb;
    packet_info *pinfo;
    proto_tree *tree;
    unsigned n_messages;   /* HTTP messages seen so far in the frame */
    proto_tree *iamt_tree; /* of the current message, NULL until needed */
} post_ctx;

static proto_tree *iamt_tree_of(void *ctx)
{
    post_ctx *x = ctx;
    if (!x->iamt_tree) {
        proto_item *ti = proto_tree_add_item(x->tree, proto_iamt, x->tvb, 0, 0, ENC_NA);
        proto_item_set_generated(ti);
        x->iamt_tree = proto_item_add_subtree(ti, ett_iamt);
    }
    return x->iamt_tree;
}

/* The AMT firmware banner of one HTTP message, if it has one. */
static void add_banner(post_ctx *x, const char *server)
{
    tvbuff_t *tvb = x->tvb;
    const char *version = server ? banner_version(server) : NULL;
    if (!version)
        return;
    proto_tree *t = iamt_tree_of(x);
    proto_item *it = proto_tree_add_string(t, hf_iamt_server, tvb, 0, 0, server);
    proto_item_set_generated(it);
    it = proto_tree_add_string(t, hf_iamt_fw_version, tvb, 0, 0, version);
    proto_item_set_generated(it);
    it = proto_tree_add_uint(t, hf_iamt_fw_major, tvb, 0, 0,
                             (guint32)g_ascii_strtoull(version, NULL, 10));
    proto_item_set_generated(it);
    col_append_str(x->pinfo->cinfo, COL_PROTOCOL, "/iAMT");
}

/* One top-level HTTP item: one HTTP message. Its fields are searched
 * under it, so a frame with several messages keeps them apart. */
static void post_http_message(proto_node *node, gpointer data)
{
    post_ctx *x = data;
    field_info *fi = PNODE_FINFO(node);
    if (!fi || !fi->hfinfo || fi->hfinfo->id != proto_http)
        return;
    packet_info *pinfo = x->pinfo;
    iamt_http_msg msg = {.ordinal = x->n_messages++};
    x->iamt_tree = NULL;
    /* The banner names AMT on any port; the login is followed on AMT's,
     * and on a conversation the banner or an AMT request shows is AMT's
     * (another dissector, e.g. HTTP on 8080, may have taken it first). */
    const char *server = field_str(pinfo, node, hf_http_server);
    add_banner(x, server);
    if (!iamt_on_amt_port(pinfo)) {
        if (!pref_detect)
            return;
        /* (A request showing AMT was marked when its body was decoded.) */
        if (!server || !banner_version(server))
            return;
        iamt_mark_amt(pinfo, pinfo->srcport);
    }
    gboolean is_response = FALSE;
    msg.status = field_uint(node, hf_http_status, &is_response);
    msg.is_request = !is_response;
    if (msg.is_request) {
        msg.method = field_str(pinfo, node, hf_http_method);
        if (!msg.method)
            return; /* neither request nor response: a continuation */
        msg.uri = field_str(pinfo, node, hf_http_uri);
        msg.authorization = field_str(pinfo, node, hf_http_authorization);
    } else {
        gboolean paired;
        msg.request_in = field_uint(node, hf_http_request_in, &paired);
        msg.www_authenticate = www_authenticate(pinfo, node);
    }
    iamt_auth_dissect(x->tvb, pinfo, iamt_tree_of, x, &msg);
}

static int dissect_iamt_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    (void)data;
    if (!tree || proto_http < 0 || !proto_is_frame_protocol(pinfo->layers, "http"))
        return 0;
    post_ctx x = {tvb, pinfo, tree, 0, NULL};
    proto_tree_children_foreach(tree, post_http_message, &x);
    return tvb_captured_length(tvb);
}

static void add_http_port(guint32 port, gpointer ptr)
{
    (void)ptr;
    http_tcp_port_add(port);
}

static void del_http_port(guint32 port, gpointer ptr)
{
    (void)ptr;
    dissector_delete_uint("tcp.port", port, http_handle);
}

static void add_tls_port(guint32 port, gpointer ptr)
{
    (void)ptr;
    ssl_dissector_add(port, http_tls_handle);
}

static void del_tls_port(guint32 port, gpointer ptr)
{
    (void)ptr;
    ssl_dissector_delete(port, http_tls_handle);
}

/* Applies the port preferences: HTTP on the clear ports, TLS carrying
 * HTTP on the TLS ports, so AMT traffic decodes without "Decode As" even
 * when a capture starts mid-stream or the console sends no ALPN. */
static void apply_ports(void)
{
    if (applied_http_ports) {
        range_foreach(applied_http_ports, del_http_port, NULL);
        wmem_free(wmem_epan_scope(), applied_http_ports);
    }
    if (applied_tls_ports) {
        range_foreach(applied_tls_ports, del_tls_port, NULL);
        wmem_free(wmem_epan_scope(), applied_tls_ports);
    }
    applied_http_ports = range_copy(wmem_epan_scope(), pref_http_ports);
    applied_tls_ports = range_copy(wmem_epan_scope(), pref_tls_ports);
    range_foreach(applied_http_ports, add_http_port, NULL);
    if (http_tls_handle)
        range_foreach(applied_tls_ports, add_tls_port, NULL);
    iamt_redir_apply_ports();
}

gboolean iamt_detect_by_content(void)
{
    return pref_detect;
}

void iamt_mark_amt(packet_info *pinfo, guint32 server_port)
{
    if (pinfo->ptype != PT_TCP)
        return;
    conversation_t *conv = find_or_create_conversation(pinfo);
    wmem_map_insert(amt_convs, GUINT_TO_POINTER(conv->conv_index), GUINT_TO_POINTER(server_port));
}

/* AMT on a port that is not one of AMT's (port forwarding, a proxy): a
 * plain-HTTP request to AMT's WS-Man or EOI endpoints, or a response with
 * AMT's Server banner. The conversation is then HTTP and AMT's from here on. */
static gboolean dissect_iamt_heur_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                      void *data)
{
    (void)data;
    guint len = tvb_captured_length(tvb);
    if (!pref_detect || len < 16 || iamt_on_amt_port(pinfo))
        return FALSE;
    guint n = len < 1024 ? len : 1024;
    const char *p = (const char *)tvb_get_ptr(tvb, 0, (gint)n);
    gboolean request =
        n >= 18 &&
        (strncmp(p, "POST /wsman HTTP/1.", 18) == 0 ||
         (strncmp(p, "POST /", 6) == 0 && g_strstr_len(p, (gssize)MIN(n, 96), "Service HTTP/1.")));
    gboolean response = !request && strncmp(p, "HTTP/1.", 7) == 0 &&
                        g_strstr_len(p, (gssize)n, "Server: " AMT_BANNER);
    if (!request && !response)
        return FALSE;
    conversation_set_dissector(find_or_create_conversation(pinfo), http_handle);
    iamt_mark_amt(pinfo, request ? pinfo->destport : pinfo->srcport);
    call_dissector(http_handle, tvb, pinfo, tree);
    return TRUE;
}

void proto_register_iamt(void)
{
    static hf_register_info hf[] = {
        {&hf_iamt_server,
         {"AMT server banner", "iamt.server", FT_STRING, BASE_NONE, NULL, 0x0,
          "HTTP Server header of an Intel AMT device", HFILL}},
        {&hf_iamt_fw_version,
         {"Firmware version", "iamt.fw_version", FT_STRING, BASE_NONE, NULL, 0x0,
          "AMT firmware version from the Server banner", HFILL}},
        {&hf_iamt_fw_major,
         {"Firmware major version", "iamt.fw_major", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL}},
    };
    static gint *ett[] = {&ett_iamt};

    proto_iamt = proto_register_protocol("Intel Active Management Technology", "iAMT", "iamt");
    proto_register_field_array(proto_iamt, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));

    module_t *m = prefs_register_protocol(proto_iamt, apply_ports);
    range_convert_str(wmem_epan_scope(), &pref_http_ports, DEFAULT_HTTP_PORTS, 65535);
    range_convert_str(wmem_epan_scope(), &pref_tls_ports, DEFAULT_TLS_PORTS, 65535);
    prefs_register_range_preference(m, "http_ports", "AMT HTTP ports",
                                    "TCP ports where AMT speaks HTTP in clear (16992)",
                                    &pref_http_ports, 65535);
    prefs_register_range_preference(m, "tls_ports", "AMT TLS ports",
                                    "TCP ports where AMT speaks HTTP over TLS (16993)",
                                    &pref_tls_ports, 65535);
    prefs_register_bool_preference(m, "detect_by_content", "Find AMT on other ports",
                                   "Treat a conversation as AMT's when its HTTP shows AMT's "
                                   "Server banner or a WS-Man request, whatever its port",
                                   &pref_detect);
    iamt_eoi_register(proto_iamt);
    iamt_auth_register(proto_iamt, m);
    iamt_tls_register(proto_iamt, m);
    iamt_redir_register(proto_iamt, m);
    iamt_post_handle = register_dissector("iamt_post", dissect_iamt_post, proto_iamt);
    amt_convs =
        wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash, g_direct_equal);
}

void proto_reg_handoff_iamt(void)
{
    http_handle = find_dissector_add_dependency("http", proto_iamt);
    http_tls_handle = find_dissector("http-over-tls");
    register_postdissector(iamt_post_handle);
    /* The fields read per HTTP message; "http" itself so that each
     * message's item is in the tree to search under. */
    proto_http = proto_get_id_by_filter_name("http");
    hf_http_server = proto_registrar_get_id_byname("http.server");
    hf_http_method = proto_registrar_get_id_byname("http.request.method");
    hf_http_uri = proto_registrar_get_id_byname("http.request.uri");
    hf_http_status = proto_registrar_get_id_byname("http.response.code");
    hf_http_request_in = proto_registrar_get_id_byname("http.request_in");
    hf_http_authorization = proto_registrar_get_id_byname("http.authorization");
    hf_http_www_authenticate = proto_registrar_get_id_byname("http.www_authenticate");
    const int wanted_ids[] = {
        proto_http,     hf_http_server,     hf_http_method,        hf_http_uri,
        hf_http_status, hf_http_request_in, hf_http_authorization, hf_http_www_authenticate};
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    for (size_t i = 0; i < G_N_ELEMENTS(wanted_ids); i++)
        if (wanted_ids[i] >= 0)
            g_array_append_val(wanted, wanted_ids[i]);
    set_postdissector_wanted_hfids(iamt_post_handle, wanted);
    iamt_tls_handoff();
    iamt_redir_handoff();
    heur_dissector_add("tcp", dissect_iamt_heur_tcp, "Intel AMT over HTTP on other ports",
                       "iamt_tcp", proto_iamt, HEURISTIC_ENABLE);
    apply_ports();
}
