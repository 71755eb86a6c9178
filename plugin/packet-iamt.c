/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt: hands AMT's ports to HTTP and TLS→HTTP, names the AMT firmware
 * from the HTTP Server banner, and follows the HTTP login (iamt-auth).
 * Runs as a postdissector on HTTP's header fields, because AMT's 401s carry
 * no body a media-type hook would see (the SOAP bodies are packet-wsman's). */
#include <epan/conversation.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/proto_data.h>
#include <epan/range.h>
#include <epan/dissectors/packet-http.h>
#include <epan/dissectors/packet-tls.h>
#include <string.h>

#include "iamt-auth.h"
#include "iamt-diag.h"
#include "iamt-eoi.h"
#include "iamt-fields.h"
#include "iamt-krb.h"
#include "iamt-late.h"
#include "iamt-cira.h"
#include "iamt-redir.h"
#include "iamt-text.h"
#include "iamt-tls.h"
#include "packet-iamt.h"
#include "ws-compat.h"

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
static int proto_tls = -1;
static int hf_http_server = -1;
static int hf_http_method = -1;
static int hf_http_uri = -1;
static int hf_http_status = -1;
static int hf_http_request_in = -1;
static int hf_http_authorization = -1;
static int hf_http_www_authenticate = -1;
static int hf_http_date = -1;
static int hf_http_host = -1;
static dissector_handle_t iamt_post_handle;
static dissector_handle_t http_handle;
static dissector_handle_t http_tls_handle;

/* Conversations on other ports that content showed to be AMT's:
 * conversation index → amt_mark. File scope: a new capture starts empty. */
static wmem_map_t *amt_convs;

/* AMT's side of such a conversation, and the frame that showed it: the
 * conversation is AMT's from that frame on, on every pass alike (a later
 * pass must not treat the frames before it differently from the first). */
typedef struct amt_mark {
    guint32 server_port;
    guint32 from_frame;
} amt_mark;
static ws_bool pref_detect = TRUE; /* recognise AMT by content on other ports */

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

/* The AMT port of a conversation content showed to be AMT's, at or
 * after the frame that showed it; else 0. */
static guint32 heur_amt_port(const packet_info *pinfo)
{
    if (!amt_convs || pinfo->ptype != PT_TCP || !wmem_map_size(amt_convs))
        return 0;
    conversation_t *conv = find_conversation_pinfo((packet_info *)pinfo, 0);
    const amt_mark *m =
        conv ? wmem_map_lookup(amt_convs, GUINT_TO_POINTER(conv->conv_index)) : NULL;
    return m && pinfo->num >= m->from_frame ? m->server_port : 0;
}

gboolean iamt_on_amt_port(const packet_info *pinfo)
{
    if (heur_amt_port(pinfo) || iamt_cira_direction(pinfo) >= 0)
        return TRUE; /* a CIRA tunnel carries AMT's HTTP in its channels */
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
    int redir = iamt_redir_direction(pinfo, NULL);
    if (redir >= 0)
        return redir;
    int cira = iamt_cira_direction(pinfo); /* the server there is the MPS */
    if (cira >= 0)
        return cira;
    const range_t *r[] = {applied_http_ports, applied_tls_ports};
    for (size_t i = 0; i < G_N_ELEMENTS(r); i++)
        if (r[i] && value_is_in_range(r[i], pinfo->destport))
            return 1;
    for (size_t i = 0; i < G_N_ELEMENTS(r); i++)
        if (r[i] && value_is_in_range(r[i], pinfo->srcport))
            return 0;
    return -1;
}

amt_service iamt_amt_service(const packet_info *pinfo)
{
    int tls = 0;
    if (iamt_redir_direction(pinfo, &tls) >= 0)
        return tls ? AMT_SERVICE_REDIR_TLS : AMT_SERVICE_REDIR;
    if (iamt_cira_direction(pinfo) >= 0)
        return AMT_SERVICE_CIRA;
    if (iamt_tls_direction(pinfo) >= 0 || iamt_frame_has(pinfo, proto_tls))
        return AMT_SERVICE_TLS;
    return AMT_SERVICE_HTTP;
}

int iamt_tls_direction(const packet_info *pinfo)
{
    if (!applied_tls_ports || pinfo->ptype != PT_TCP)
        return -1;
    if (value_is_in_range(applied_tls_ports, pinfo->destport))
        return 1;
    return value_is_in_range(applied_tls_ports, pinfo->srcport) ? 0 : -1;
}

/* The first value of field hf under node, bounded and valid UTF-8, for
 * this frame (the tree's own text when it is both: the tree lives as
 * long as the packet pool). */
static const char *field_str(packet_info *pinfo, proto_tree *node, int hf)
{
    return iamt_text_now(pinfo->pool, iamt_first_str(node, hf), IAMT_TEXT_MAX);
}

/* What the first pass found in one HTTP message, shown on every pass
 * (file scope): a later pass may build no tree to read HTTP's fields
 * from (tshark -2 -z expert, a GUI retap), yet must show the same. */
typedef struct http_msg_memo {
    const char *server;         /* AMT's Server banner, NULL when none */
    const iamt_auth_view *auth; /* the login, NULL when nothing to show */
} http_msg_memo;

typedef struct post_ctx {
    tvbuff_t *tvb;
    packet_info *pinfo;
    proto_tree *tree;
    unsigned n_messages;   /* HTTP messages seen so far in the frame */
    wmem_array_t *memo;    /* http_msg_memo of the frame, NULL while empty */
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

/* The AMT firmware banner of one HTTP message. */
static void add_banner(post_ctx *x, const char *server)
{
    tvbuff_t *tvb = x->tvb;
    const char *version = banner_version(server);
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

/* One top-level HTTP item: one HTTP message (first pass). Its fields are
 * searched under it, so a frame with several messages keeps them apart. */
static void track_http_message(proto_node *node, gpointer data)
{
    post_ctx *x = data;
    field_info *fi = PNODE_FINFO(node);
    if (!fi || !fi->hfinfo || fi->hfinfo->id != proto_http)
        return;
    packet_info *pinfo = x->pinfo;
    iamt_http_msg msg = {.ordinal = x->n_messages++};
    http_msg_memo memo = {NULL, NULL};
    /* The banner names AMT on any port; the login is followed on AMT's,
     * and on a conversation the banner or an AMT request shows is AMT's
     * (another dissector, e.g. HTTP on 8080, may have taken it first). */
    const char *server = field_str(pinfo, node, hf_http_server);
    if (server && banner_version(server))
        memo.server = wmem_strdup(wmem_file_scope(), server);
    if (!iamt_on_amt_port(pinfo) && pref_detect && memo.server)
        iamt_mark_amt(pinfo, pinfo->srcport);
    /* (A request showing AMT was marked when its body was decoded.) */
    if (iamt_on_amt_port(pinfo)) {
        guint32 status;
        msg.is_request = !iamt_first_uint(node, hf_http_status, &status);
        msg.status = status;
        if (msg.is_request) {
            msg.method = field_str(pinfo, node, hf_http_method);
            msg.uri = field_str(pinfo, node, hf_http_uri);
            msg.authorization = field_str(pinfo, node, hf_http_authorization);
            iamt_krb_note_host(field_str(pinfo, node, hf_http_host));
        } else {
            iamt_first_uint(node, hf_http_request_in, &msg.request_in);
            /* AMT may send Negotiate and Digest in separate headers. */
            msg.www_authenticate =
                iamt_joined_str(pinfo->pool, node, hf_http_www_authenticate, IAMT_TEXT_MAX);
            msg.date = field_str(pinfo, node, hf_http_date);
        }
        /* Neither request nor response: a continuation. */
        if (!msg.is_request || msg.method)
            memo.auth = iamt_auth_track(pinfo, &msg);
    }
    if (!memo.server && !memo.auth)
        return;
    if (!x->memo)
        x->memo = wmem_array_new(wmem_file_scope(), sizeof(http_msg_memo));
    wmem_array_append_one(x->memo, memo);
}

/* The HTTP part of the postdissector: AMT's banner and the login. */
static int http_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (!iamt_frame_has(pinfo, proto_http))
        return 0;
    post_ctx x = {tvb, pinfo, tree, 0, NULL, NULL};
    if (!PINFO_FD_VISITED(pinfo)) {
        /* Wireshark builds the tree on the first pass: the postdissector
         * wants HTTP's fields. */
        if (!tree)
            return 0;
        proto_tree_children_foreach(tree, track_http_message, &x);
        if (x.memo)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_iamt, IAMT_KEY_HTTP, x.memo);
    } else {
        x.memo = p_get_proto_data(wmem_file_scope(), pinfo, proto_iamt, IAMT_KEY_HTTP);
    }
    guint n = x.memo ? wmem_array_get_count(x.memo) : 0;
    for (guint i = 0; i < n; i++) {
        const http_msg_memo *m = wmem_array_index(x.memo, i);
        x.iamt_tree = NULL;
        if (m->server)
            add_banner(&x, m->server);
        if (m->auth)
            iamt_auth_show(tvb, pinfo, iamt_tree_of, &x, m->auth);
    }
    return n ? (int)tvb_captured_length(tvb) : 0;
}

/* iamt's one postdissector: HTTP, then TLS, then Kerberos, on every frame.
 * One, not three: Wireshark's call of each postdissector on each frame,
 * and its priming of each one's wanted fields, cost measurably on a
 * capture of hundreds of thousands of frames. */
static int dissect_iamt_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    (void)data;
    int len = http_post(tvb, pinfo, tree);
    iamt_tls_post(tvb, pinfo, tree);
    iamt_krb_post(tvb, pinfo, tree);
    return len;
}

static gint compare_ints(gconstpointer a, gconstpointer b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
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
    iamt_cira_apply_ports();
}

guint iamt_frame_ordinal(packet_info *pinfo, int proto, guint key)
{
    /* Packet scope: the count starts again with every dissection. */
    guint *n = p_get_proto_data(pinfo->pool, pinfo, proto, key);
    if (!n) {
        n = wmem_new0(pinfo->pool, guint);
        p_add_proto_data(pinfo->pool, pinfo, proto, key, n);
    }
    return (*n)++;
}

gboolean iamt_detect_by_content(void)
{
    return pref_detect;
}

void iamt_mark_amt(packet_info *pinfo, guint32 server_port)
{
    if (pinfo->ptype != PT_TCP || PINFO_FD_VISITED(pinfo))
        return;
    conversation_t *conv = find_or_create_conversation(pinfo);
    if (wmem_map_lookup(amt_convs, GUINT_TO_POINTER(conv->conv_index)))
        return;
    amt_mark *m = wmem_new(wmem_file_scope(), amt_mark);
    m->server_port = server_port;
    m->from_frame = pinfo->num;
    wmem_map_insert(amt_convs, GUINT_TO_POINTER(conv->conv_index), m);
}

/* AMT on a port that is not one of AMT's (port forwarding, a proxy): a
 * plain-HTTP request to AMT's WS-Man or EOI endpoints, or a response with
 * AMT's Server banner. The conversation is then HTTP and AMT's from here on. */
static ws_bool dissect_iamt_heur_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
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
    conversation_set_dissector_from_frame_number(find_or_create_conversation(pinfo), pinfo->num,
                                                 http_handle);
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
    iamt_diag_register(proto_iamt);
    iamt_eoi_register(proto_iamt);
    iamt_auth_register(proto_iamt, m);
    iamt_tls_register(proto_iamt, m);
    iamt_redir_register(proto_iamt, m);
    iamt_krb_register(proto_iamt, m);
    iamt_late_register(proto_iamt);
    iamt_cira_register(proto_iamt, m);
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
     * message's item is in the tree to search under. Then those of the
     * TLS and Kerberos parts, each field once. */
    proto_http = proto_get_id_by_filter_name("http");
    proto_tls = proto_get_id_by_filter_name("tls");
    hf_http_server = proto_registrar_get_id_byname("http.server");
    hf_http_method = proto_registrar_get_id_byname("http.request.method");
    hf_http_uri = proto_registrar_get_id_byname("http.request.uri");
    hf_http_status = proto_registrar_get_id_byname("http.response.code");
    hf_http_request_in = proto_registrar_get_id_byname("http.request_in");
    hf_http_authorization = proto_registrar_get_id_byname("http.authorization");
    hf_http_www_authenticate = proto_registrar_get_id_byname("http.www_authenticate");
    hf_http_date = proto_registrar_get_id_byname("http.date");
    hf_http_host = proto_registrar_get_id_byname("http.host");
    const int wanted_ids[] = {
        proto_http,     hf_http_server,     hf_http_method,        hf_http_uri,
        hf_http_status, hf_http_request_in, hf_http_authorization, hf_http_www_authenticate,
        hf_http_date,   hf_http_host};
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    for (size_t i = 0; i < G_N_ELEMENTS(wanted_ids); i++)
        if (wanted_ids[i] >= 0)
            g_array_append_val(wanted, wanted_ids[i]);
    iamt_tls_handoff(wanted);
    iamt_krb_handoff(wanted);
    g_array_sort(wanted, compare_ints);
    for (guint i = 1; i < wanted->len;)
        if (g_array_index(wanted, int, i) == g_array_index(wanted, int, i - 1))
            g_array_remove_index(wanted, i);
        else
            i++;
    set_postdissector_wanted_hfids(iamt_post_handle, wanted);
    iamt_redir_handoff();
    heur_dissector_add("tcp", dissect_iamt_heur_tcp, "Intel AMT over HTTP on other ports",
                       "iamt_tcp", proto_iamt, HEURISTIC_ENABLE);
    apply_ports();
}
