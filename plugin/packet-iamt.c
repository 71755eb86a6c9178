/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt: hands AMT's ports to HTTP and TLS→HTTP, and names the AMT firmware
 * from the HTTP Server banner. Runs as a postdissector on the http.server
 * field, because AMT's 401s carry no body a media-type hook would see. */
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/range.h>
#include <epan/dissectors/packet-http.h>
#include <epan/dissectors/packet-tls.h>
#include <string.h>

#include "packet-iamt.h"

#define AMT_BANNER "Intel(R) Active Management Technology"
#define DEFAULT_HTTP_PORTS "16992"
#define DEFAULT_TLS_PORTS "16993"

static int proto_iamt = -1;
static int hf_iamt_server = -1;
static int hf_iamt_fw_version = -1;
static int hf_iamt_fw_major = -1;
static gint ett_iamt = -1;

static int hf_http_server = -1;
static dissector_handle_t iamt_post_handle;
static dissector_handle_t http_handle;
static dissector_handle_t http_tls_handle;

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

static int dissect_iamt_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    (void)data;
    if (!tree || hf_http_server < 0)
        return 0;
    GPtrArray *servers = proto_get_finfo_ptr_array(tree, hf_http_server);
    if (!servers)
        return 0;
    for (guint i = 0; i < servers->len; i++) {
        field_info *fi = g_ptr_array_index(servers, i);
        const char *server = fvalue_get_string(&fi->value);
        const char *version = server ? banner_version(server) : NULL;
        if (!version)
            continue;
        proto_item *ti = proto_tree_add_item(tree, proto_iamt, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(ti);
        proto_tree *t = proto_item_add_subtree(ti, ett_iamt);
        proto_item *it = proto_tree_add_string(t, hf_iamt_server, tvb, 0, 0, server);
        proto_item_set_generated(it);
        it = proto_tree_add_string(t, hf_iamt_fw_version, tvb, 0, 0, version);
        proto_item_set_generated(it);
        it = proto_tree_add_uint(t, hf_iamt_fw_major, tvb, 0, 0,
                                 (guint32)g_ascii_strtoull(version, NULL, 10));
        proto_item_set_generated(it);
        col_append_fstr(pinfo->cinfo, COL_PROTOCOL, "/iAMT");
    }
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
    iamt_post_handle = register_dissector("iamt_post", dissect_iamt_post, proto_iamt);
}

void proto_reg_handoff_iamt(void)
{
    http_handle = find_dissector_add_dependency("http", proto_iamt);
    http_tls_handle = find_dissector("http-over-tls");
    register_postdissector(iamt_post_handle);
    hf_http_server = proto_registrar_get_id_byname("http.server");
    if (hf_http_server >= 0) {
        GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
        g_array_append_val(wanted, hf_http_server);
        set_postdissector_wanted_hfids(iamt_post_handle, wanted);
    }
    apply_ports();
}
