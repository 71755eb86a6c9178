/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wsman: WS-Management (DMTF DSP0226) as AMT speaks it, decoded from the
 * HTTP bodies of AMT conversations by lib's soap_decode; EOI bodies (SOAP
 * 1.1) go to the iamt.eoi fields.
 *
 * How the bodies reach this dissector, and why: HTTP hands a body to the
 * "media_type" table entry of its Content-Type and calls nothing else.
 * Wireshark's XML dissector owns application/soap+xml and text/xml there,
 * and a string table holds one handle per type, so there is no entry for
 * "soap+xml on AMT's ports only". The handoff therefore takes both types
 * (plugin handoffs run after the built-in ones, so the last insert wins)
 * and the dissector checks the conversation: on the iamt ports it decodes,
 * elsewhere it passes the body untouched to XML, so SOAP on other ports
 * dissects exactly as before. A postdissector reading http.file_data
 * would see the body only as a string field (no tvb under the HTTP tree,
 * no column order), so it is used only for the login (packet-iamt.c),
 * whose 401s have no SOAP body. */
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <wsutil/wmem/wmem_user_cb.h>
#include <string.h>

#include "amtdiag/soap.h"
#include "amtdiag/wsman_uri.h"
#include "iamt-diag.h"
#include "iamt-eoi.h"
#include "iamt-fields.h"
#include "iamt-text.h"
#include "packet-iamt.h"
#include "packet-wsman.h"
#include "soap-exchange.h"
#include "ws-compat.h"

static int proto_wsman = -1;
static int proto_http = -1;
static int proto_xml = -1;
static int hf_frame_protocols = -1;
static int hf_http_status = -1;
static int hf_http_method = -1;
static int hf_http_uri = -1;
static int hf_wsman_action = -1;
static int hf_wsman_action_name = -1;
static int hf_wsman_to = -1;
static int hf_wsman_resource_uri = -1;
static int hf_wsman_class = -1;
static int hf_wsman_message_id = -1;
static int hf_wsman_relates_to = -1;
static int hf_wsman_selector = -1;
static int hf_wsman_enumeration_context = -1;
static int hf_wsman_operation_timeout = -1;
static int hf_wsman_body = -1;
static int hf_wsman_field = -1;
static int hf_wsman_item = -1;
static int hf_wsman_return_value = -1;
static int hf_wsman_return_value_name = -1;
static int hf_wsman_fault_code = -1;
static int hf_wsman_fault_subcode = -1;
static int hf_wsman_fault_reason = -1;
static int hf_wsman_response_in = -1;
static int hf_wsman_request_in = -1;
static int hf_wsman_time = -1;
static int hf_wsman_cause = -1;
static gint ett_wsman = -1;
static gint ett_wsman_item = -1;
static expert_field ei_wsman_malformed = EI_INIT;
static expert_field ei_wsman_truncated = EI_INIT;

static dissector_handle_t wsman_handle;
static dissector_handle_t xml_handle;

/* (Items nobody shows or filters on are not built: the text is only
 * made when the tree is shown or the field referenced, as Wireshark itself
 * would fake the item anyway.) */
static void add_text(proto_tree *t, int hf, tvbuff_t *tvb, packet_info *pinfo, const char *s)
{
    if (s && proto_field_is_referenced(t, hf))
        proto_tree_add_string(t, hf, tvb, 0, 0, iamt_text_now(pinfo->pool, s, IAMT_TEXT_MAX));
}

/* "name=value" in the packet pool, as "%s=%s" would print it. */
static const char *pair_text(packet_info *pinfo, const soap_pair *p)
{
    if (!p->name || !p->value)
        return wmem_strdup_printf(pinfo->pool, "%s=%s", p->name, p->value);
    size_t a = strlen(p->name), b = strlen(p->value);
    char *s = wmem_alloc(pinfo->pool, a + b + 2);
    memcpy(s, p->name, a);
    s[a] = '=';
    memcpy(s + a + 1, p->value, b + 1);
    return s;
}

/* "Name=value": selectors and body fields, one item each, filterable as
 * wsman.field == "AMTNetworkEnabled=1". */
static void add_pairs(proto_tree *t, int hf, tvbuff_t *tvb, packet_info *pinfo, const soap_pair *p,
                      size_t n)
{
    if (!proto_field_is_referenced(t, hf))
        return;
    for (size_t i = 0; i < n; i++) {
        add_text(t, hf, tvb, pinfo, pair_text(pinfo, &p[i]));
    }
}

static void add_fault(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, const soap_msg *m)
{
    /* Local names: the prefix is the sender's choice, the namespace rarely
     * matters to the reader and is in the XML tree below. */
    add_text(t, hf_wsman_fault_code, tvb, pinfo,
             m->fault_code.local ? m->fault_code.local : m->fault_code.raw);
    add_text(t, hf_wsman_fault_subcode, tvb, pinfo,
             m->fault_subcode.local ? m->fault_subcode.local : m->fault_subcode.raw);
    add_text(t, hf_wsman_fault_reason, tvb, pinfo, m->fault_reason);
}

static void add_wsman(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, const soap_msg *m)
{
    add_text(t, hf_wsman_action, tvb, pinfo, m->action);
    add_text(t, hf_wsman_action_name, tvb, pinfo, m->action_name);
    add_text(t, hf_wsman_to, tvb, pinfo, m->to);
    add_text(t, hf_wsman_resource_uri, tvb, pinfo, m->resource_uri);
    add_text(t, hf_wsman_class, tvb, pinfo, m->resource_class);
    add_text(t, hf_wsman_message_id, tvb, pinfo, m->message_id);
    add_text(t, hf_wsman_relates_to, tvb, pinfo, m->relates_to);
    add_pairs(t, hf_wsman_selector, tvb, pinfo, m->selectors, m->n_selectors);
    add_text(t, hf_wsman_enumeration_context, tvb, pinfo, m->enumeration_context);
    add_text(t, hf_wsman_operation_timeout, tvb, pinfo, m->operation_timeout);
    add_text(t, hf_wsman_body, tvb, pinfo, m->body_name);
    if (m->is_fault)
        add_fault(t, tvb, pinfo, m);
    add_pairs(t, hf_wsman_field, tvb, pinfo, m->fields, m->n_fields);
    for (size_t i = 0; i < m->n_items; i++) {
        const soap_item *item = &m->items[i];
        proto_item *ti = proto_tree_add_string(
            t, hf_wsman_item, tvb, 0, 0,
            iamt_text_now(pinfo->pool, item->class_name ? item->class_name : "?", IAMT_TEXT_MAX));
        proto_tree *it = proto_item_add_subtree(ti, ett_wsman_item);
        add_pairs(it, hf_wsman_field, tvb, pinfo, item->fields, item->n_fields);
    }
    if (m->has_return_value) {
        proto_tree_add_uint_format_value(t, hf_wsman_return_value, tvb, 0, 0, m->return_value,
                                         "%u (PT_STATUS_%s)", m->return_value,
                                         m->return_value_name ? m->return_value_name : "unknown");
        add_text(t, hf_wsman_return_value_name, tvb, pinfo, m->return_value_name);
    }
}

/* The Info sentence: "WS-Man Get AMT_GeneralSettings", "→ 200 GetResponse",
 * "Pull AMT_PublicKeyCertificate → fault AccessDenied". */
static const char *info_of(packet_info *pinfo, const soap_msg *m, const soap_memo *memo)
{
    wmem_allocator_t *p = pinfo->pool;
    if (!memo || !memo->is_response) {
        if (m->kind == SOAP_KIND_WSMAN)
            return memo && memo->call
                       ? wmem_strdup_printf(p, "WS-Man %s", soap_call_name(p, memo->call))
                       : "WS-Man";
        return wmem_strdup_printf(p, "EOI %s.%s", m->eoi_service ? m->eoi_service : "?",
                                  m->eoi_method ? m->eoi_method : "?");
    }
    const char *call = memo && memo->call ? soap_call_name(p, memo->call) : NULL;
    const char *lead = call ? call : wmem_strdup_printf(p, "%u", memo->status);
    const char *sub = m->fault_subcode.local ? m->fault_subcode.local : m->fault_code.local;
    if (m->is_fault)
        return wmem_strdup_printf(p, "%s%s → fault %s", call ? "" : "→ ", lead,
                                  sub ? sub : "(no code)");
    if (m->has_return_value && m->return_value)
        return wmem_strdup_printf(p, "%s%s → ReturnValue %u %s", call ? "" : "→ ", lead,
                                  m->return_value,
                                  m->return_value_name ? m->return_value_name : "");
    if (m->has_status_code && m->status_code)
        return wmem_strdup_printf(p, "%s%s → StatusCode %u %s", call ? "" : "→ ", lead,
                                  m->status_code, m->status_name ? m->status_name : "");
    const char *what = m->kind == SOAP_KIND_WSMAN ? m->action_name : m->eoi_method;
    return wmem_strdup_printf(p, "→ %u %s", memo->status, what ? what : "");
}

/* The HTTP message whose body this is: the last top-level HTTP item of
 * the tree so far (HTTP adds a message's headers before handing its body
 * on, and a later message of the frame is not in the tree yet). */
static void last_http_item(proto_node *node, gpointer data)
{
    field_info *fi = PNODE_FINFO(node);
    if (fi && fi->hfinfo && fi->hfinfo->id == proto_http)
        *(proto_node **)data = node;
}

/* The HTTP facts around this body (first pass): request or response from
 * HTTP's hand-off, the status or request line from HTTP's fields of the
 * message (public fields, in the tree because iamt's postdissector wants
 * them). Packet scope. */
static void http_facts(packet_info *pinfo, proto_tree *tree, const void *data, soap_http *out)
{
    const iamt_media_info *mi = data;
    memset(out, 0, sizeof *out);
    out->is_response = mi && mi->type != IAMT_MEDIA_HTTP_REQUEST;
    proto_node *msg = NULL;
    if (tree)
        proto_tree_children_foreach(tree, last_http_item, &msg);
    if (!msg)
        return;
    if (out->is_response) {
        guint32 status;
        iamt_first_uint(msg, hf_http_status, &status);
        out->status = status;
    } else {
        out->method = iamt_text(pinfo->pool, iamt_first_str(msg, hf_http_method), IAMT_TEXT_MAX);
        out->uri = iamt_text(pinfo->pool, iamt_first_str(msg, hf_http_uri), IAMT_TEXT_MAX);
    }
}

/* lib's storage behind a decoded message goes with the packet scope, even
 * when adding items throws half-way. */
static ws_bool clear_msg(wmem_allocator_t *scope, wmem_cb_event_t event, void *m)
{
    (void)scope;
    (void)event;
    soap_msg_clear(m);
    return FALSE; /* once */
}

/* A request body that may show AMT: both AMT's schemas and EOI's
 * namespaces are under intel.com. A cheap look before decoding, since
 * every SOAP body on every other port comes here. */
static gboolean may_show_amt(const char *buf, guint n, const void *data)
{
    const iamt_media_info *mi = data;
    return mi && mi->type == IAMT_MEDIA_HTTP_REQUEST && g_strstr_len(buf, n, "intel.com/");
}

/* A decoded request that shows AMT: a WS-Man call on an AMT_ or IPS_ class
 * (Intel's schemas; CIM_ classes and WS-Man as such are not AMT's alone),
 * or an EOI call. */
static gboolean shows_amt(const soap_msg *m)
{
    if (m->kind == SOAP_KIND_EOI)
        return TRUE;
    char cls[128];
    wsman_schema s = m->kind == SOAP_KIND_WSMAN && m->resource_uri
                         ? wsman_uri_class(m->resource_uri, cls, sizeof cls)
                         : WSMAN_SCHEMA_UNKNOWN;
    return s == WSMAN_SCHEMA_AMT || s == WSMAN_SCHEMA_IPS;
}

static int dissect_wsman(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    /* AMT's by port, or by content as the first pass found it (a later
     * pass decides nothing anew, so it shows what the first showed). */
    gboolean on_amt = iamt_on_amt_port(pinfo);
    if (!on_amt && (PINFO_FD_VISITED(pinfo) || !iamt_detect_by_content() || pinfo->ptype != PT_TCP))
        return call_dissector_with_data(xml_handle, tvb, pinfo, tree, data);

    guint len = tvb_captured_length(tvb);
    /* lib refuses more than SOAP_MAX_INPUT: decode a bounded part, in
     * place (lib copies what it keeps). */
    guint n = MIN(len, SOAP_MAX_INPUT);
    const char *buf = (const char *)tvb_get_ptr(tvb, 0, (gint)n);
    if (!on_amt && !may_show_amt(buf, n, data))
        return call_dissector_with_data(xml_handle, tvb, pinfo, tree, data);
    soap_msg *m = wmem_new0(pinfo->pool, soap_msg);
    wmem_register_callback(pinfo->pool, clear_msg, m);
    char err[256] = "";
    int rc = soap_decode(buf, n, m, err, sizeof err);
    if (!on_amt) {
        /* AMT behind port forwarding or a proxy, on a port HTTP took:
         * the first request shows it, before any banner does. */
        if (!shows_amt(m))
            return call_dissector_with_data(xml_handle, tvb, pinfo, tree, data);
        iamt_mark_amt(pinfo, pinfo->destport);
    }
    soap_http http;
    if (!PINFO_FD_VISITED(pinfo))
        http_facts(pinfo, tree, data, &http);
    const soap_memo *memo = NULL;
    proto_item *ti;
    if (m->kind == SOAP_KIND_EOI || m->kind == SOAP_KIND_SOAP11) {
        memo = soap_exchange_track(pinfo, proto_wsman, m, &http);
        ti = iamt_eoi_add(tvb, pinfo, tree, m, memo);
    } else {
        if (m->kind == SOAP_KIND_WSMAN)
            memo = soap_exchange_track(pinfo, proto_wsman, m, &http);
        ti = proto_tree_add_item(tree, proto_wsman, tvb, 0, -1, ENC_NA);
        proto_tree *t = proto_item_add_subtree(ti, ett_wsman);
        add_wsman(t, tvb, pinfo, m);
        soap_exchange_add_links(t, tvb, pinfo, memo, hf_wsman_response_in, hf_wsman_request_in,
                                hf_wsman_time);
    }
    if (rc != 0)
        expert_add_info_format(pinfo, ti, &ei_wsman_malformed, "SOAP body not decoded: %s",
                               iamt_text(pinfo->pool, err, sizeof err));
    if (m->truncated)
        expert_add_info(pinfo, ti, &ei_wsman_truncated);
    if (memo)
        iamt_diag_show(tvb, pinfo, proto_item_get_subtree(ti), hf_wsman_cause, &memo->findings);

    /* XML's tree of the same body, for what the fields leave out: when
     * someone looks at it (a shown tree, a filter or field of xml, the
     * protocol hierarchy, frame.protocols), or when it says more than the
     * fields (a body not decoded). Parsing it for a tree nobody sees cost
     * as much again as the WS-Man decoding of every AMT body. */
    if (m->kind == SOAP_KIND_UNKNOWN || proto_field_is_referenced(tree, proto_xml) ||
        proto_field_is_referenced(tree, hf_frame_protocols))
        call_dissector_only(xml_handle, tvb, pinfo, tree, data);
    if (m->kind != SOAP_KIND_UNKNOWN) {
        col_set_str(pinfo->cinfo, COL_PROTOCOL, m->kind == SOAP_KIND_WSMAN ? "WS-Man" : "EOI");
        col_add_str(pinfo->cinfo, COL_INFO, info_of(pinfo, m, memo));
    }
    return (int)len;
}

void proto_register_wsman(void)
{
    static hf_register_info hf[] = {
        {&hf_wsman_action,
         {"Action", "wsman.action", FT_STRING, BASE_NONE, NULL, 0x0, "WS-Addressing Action URI",
          HFILL}},
        {&hf_wsman_action_name,
         {"Action name", "wsman.action_name", FT_STRING, BASE_NONE, NULL, 0x0,
          "Last part of the Action (Get, PullResponse, CommitChanges), or Identify", HFILL}},
        {&hf_wsman_to, {"To", "wsman.to", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_wsman_resource_uri,
         {"ResourceURI", "wsman.resource_uri", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_wsman_class,
         {"Class", "wsman.class", FT_STRING, BASE_NONE, NULL, 0x0,
          "AMT, CIM or IPS class named by the ResourceURI (else the Action)", HFILL}},
        {&hf_wsman_message_id,
         {"MessageID", "wsman.message_id", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_wsman_relates_to,
         {"RelatesTo", "wsman.relates_to", FT_STRING, BASE_NONE, NULL, 0x0,
          "MessageID of the request this message answers", HFILL}},
        {&hf_wsman_selector,
         {"Selector", "wsman.selector", FT_STRING, BASE_NONE, NULL, 0x0, "Name=value", HFILL}},
        {&hf_wsman_enumeration_context,
         {"EnumerationContext", "wsman.enumeration_context", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_wsman_operation_timeout,
         {"OperationTimeout", "wsman.operation_timeout", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_wsman_body,
         {"Body element", "wsman.body", FT_STRING, BASE_NONE, NULL, 0x0,
          "Local name of the Body's first element", HFILL}},
        {&hf_wsman_field,
         {"Field", "wsman.field", FT_STRING, BASE_NONE, NULL, 0x0,
          "Name=value of a body (or PullResponse item) property", HFILL}},
        {&hf_wsman_item,
         {"Item", "wsman.item", FT_STRING, BASE_NONE, NULL, 0x0,
          "Class of an instance in a PullResponse", HFILL}},
        {&hf_wsman_return_value,
         {"ReturnValue", "wsman.return_value", FT_UINT32, BASE_DEC, NULL, 0x0,
          "PT_STATUS a method returned", HFILL}},
        {&hf_wsman_return_value_name,
         {"ReturnValue name", "wsman.return_value_name", FT_STRING, BASE_NONE, NULL, 0x0,
          "PT_STATUS name, without its PT_STATUS_ prefix", HFILL}},
        {&hf_wsman_fault_code,
         {"Fault code", "wsman.fault.code", FT_STRING, BASE_NONE, NULL, 0x0,
          "Local name of the SOAP fault Code (Sender, Receiver)", HFILL}},
        {&hf_wsman_fault_subcode,
         {"Fault subcode", "wsman.fault.subcode", FT_STRING, BASE_NONE, NULL, 0x0,
          "Local name of the Subcode (AccessDenied, DestinationUnreachable)", HFILL}},
        {&hf_wsman_fault_reason,
         {"Fault reason", "wsman.fault.reason", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_wsman_response_in,
         {"Response in", "wsman.response_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, "The response to this request", HFILL}},
        {&hf_wsman_request_in,
         {"Request in", "wsman.request_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, "The request this response answers", HFILL}},
        {&hf_wsman_time,
         {"Response time", "wsman.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
          "Time between the request and its response", HFILL}},
        {&hf_wsman_cause,
         {"Cause", "wsman.cause", FT_STRING, BASE_NONE, NULL, 0x0,
          "amtdiag cause token of a failed call (lib's rules), with its evidence under it", HFILL}},
    };
    static gint *ett[] = {&ett_wsman, &ett_wsman_item};
    static ei_register_info ei[] = {
        {&ei_wsman_malformed,
         {"wsman.malformed", PI_MALFORMED, PI_WARN, "SOAP body not decoded", EXPFILL}},
        {&ei_wsman_truncated,
         {"wsman.truncated", PI_UNDECODED, PI_NOTE,
          "Some values were cut or left out (too long or too many)", EXPFILL}},
    };

    proto_wsman = proto_register_protocol("WS-Management (Intel AMT)", "WS-Man", "wsman");
    proto_register_field_array(proto_wsman, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_wsman);
    expert_register_field_array(em, ei, array_length(ei));
    iamt_diag_register_causes(proto_wsman, "wsman", "wsman", PI_RESPONSE_CODE);
    wsman_handle = register_dissector("wsman", dissect_wsman, proto_wsman);
}

void proto_reg_handoff_wsman(void)
{
    xml_handle = find_dissector_add_dependency("xml", proto_wsman);
    proto_xml = proto_get_id_by_filter_name("xml");
    hf_frame_protocols = proto_registrar_get_id_byname("frame.protocols");
    proto_http = proto_get_id_by_filter_name("http");
    hf_http_status = proto_registrar_get_id_byname("http.response.code");
    hf_http_method = proto_registrar_get_id_byname("http.request.method");
    hf_http_uri = proto_registrar_get_id_byname("http.request.uri");
    /* AMT: WS-Man in application/soap+xml, EOI in text/xml. See the top. */
    dissector_add_string("media_type", "application/soap+xml", wsman_handle);
    dissector_add_string("media_type", "text/xml", wsman_handle);
}
