/* SPDX-License-Identifier: GPL-2.0-or-later */
/* soap-exchange: pairs SOAP requests and responses within one TCP
 * conversation (AMT answers in order on a connection, and WS-Addressing
 * says which request a response relates to), and hands each response with
 * its request to lib's WS-Man rules (iamt-diag). */
#include "soap-exchange.h"

#include <epan/conversation.h>
#include <epan/proto_data.h>
#include <string.h>

#include "iamt-text.h"
#include "packet-iamt.h"

/* Per conversation: the requests by MessageID, and the last one. */
typedef struct soap_conv {
    wmem_map_t *by_id;
    soap_call *last;
} soap_conv;

static const char *file_copy(const char *s)
{
    return s ? iamt_text(wmem_file_scope(), s, IAMT_TEXT_MAX) : NULL;
}

static soap_conv *conv_of(packet_info *pinfo, int proto)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    soap_conv *c = conversation_get_proto_data(conv, proto);
    if (!c) {
        c = wmem_new0(wmem_file_scope(), soap_conv);
        c->by_id = wmem_map_new(wmem_file_scope(), g_str_hash, g_str_equal);
        conversation_add_proto_data(conv, proto, c);
    }
    return c;
}

const char *soap_call_name(wmem_allocator_t *scope, const soap_call *c)
{
    if (c->eoi_service)
        return wmem_strdup_printf(scope, "%s.%s", c->eoi_service,
                                  c->eoi_method ? c->eoi_method : "?");
    if (c->class_name)
        return wmem_strdup_printf(scope, "%s %s", c->action_name ? c->action_name : "?",
                                  c->class_name);
    return c->action_name ? c->action_name : "WS-Man";
}

static soap_call *track_request(packet_info *pinfo, soap_conv *conv, const soap_msg *m,
                                const soap_http *http)
{
    soap_call *c = wmem_new0(wmem_file_scope(), soap_call);
    c->frame = pinfo->num;
    c->ts = pinfo->abs_ts;
    c->action_name = file_copy(m->action_name);
    c->class_name = file_copy(m->resource_class);
    c->eoi_service = file_copy(m->eoi_service);
    c->eoi_method = file_copy(m->eoi_method);
    c->method = file_copy(http->method);
    c->uri = file_copy(http->uri);
    if (m->message_id)
        wmem_map_insert(conv->by_id, file_copy(m->message_id), c);
    conv->last = c;
    return c;
}

static soap_call *find_request(soap_conv *conv, const soap_msg *m)
{
    soap_call *c = m->relates_to ? wmem_map_lookup(conv->by_id, m->relates_to) : NULL;
    if (c && !c->response_frame)
        return c;
    /* No (known) RelatesTo: EOI, or a fault AMT sent before reading the
     * header. HTTP/1.1 without pipelining answers the last request. */
    if (conv->last && !conv->last->response_frame)
        return conv->last;
    return c;
}

/* lib's rules for one SOAP exchange, with the facts laid out as the
 * analyzer lays them out (analyzer/diagnose.c). */
static iamt_findings judge(packet_info *pinfo, const soap_call *c, const soap_msg *m, guint status)
{
    diag_exchange e;
    memset(&e, 0, sizeof e);
    e.req_frame = c ? c->frame : 0;
    e.resp_frame = pinfo->num;
    e.resp_ts_us = (gint64)pinfo->abs_ts.secs * G_USEC_PER_SEC + pinfo->abs_ts.nsecs / 1000;
    e.status = (int)status;
    e.method = c ? c->method : NULL;
    e.uri = c ? c->uri : NULL;
    e.action_name = c ? c->action_name : NULL;
    e.class_name = c && c->class_name ? c->class_name : m->resource_class;
    e.resp_action_name = m->action_name;
    e.is_fault = m->is_fault;
    e.fault_subcode = m->fault_subcode.local;
    e.fault_subcode_ns = m->fault_subcode.ns;
    e.fault_reason = m->fault_reason;
    e.has_return_value = m->has_return_value;
    e.return_value = m->return_value;
    e.return_value_name = m->return_value_name;
    e.eoi_service = c && c->eoi_service ? c->eoi_service : m->eoi_service;
    e.eoi_method = c ? c->eoi_method : NULL;
    e.has_status_code = m->has_status_code;
    e.status_code = m->status_code;
    e.status_name = m->status_name;
    return iamt_diag_judge(&e, 1, &pinfo->src, pinfo->srcport, "wsman", e.req_frame, e.resp_frame,
                           NULL, 0);
}

const soap_memo *soap_exchange_track(packet_info *pinfo, int proto, const soap_msg *m,
                                     const soap_http *http)
{
    /* One key per SOAP message: a frame may hold several. */
    guint key = iamt_frame_ordinal(pinfo, proto, 0);
    soap_memo *memo = p_get_proto_data(wmem_file_scope(), pinfo, proto, key);
    if (memo || PINFO_FD_VISITED(pinfo))
        return memo;
    memo = wmem_new0(wmem_file_scope(), soap_memo);
    soap_conv *conv = conv_of(pinfo, proto);
    memo->is_response = http->is_response;
    memo->status = http->status;
    if (!http->is_response) {
        memo->call = track_request(pinfo, conv, m, http);
    } else {
        memo->call = find_request(conv, m);
        if (memo->call)
            memo->call->response_frame = pinfo->num;
        memo->findings = judge(pinfo, memo->call, m, http->status);
    }
    p_add_proto_data(wmem_file_scope(), pinfo, proto, key, memo);
    return memo;
}

void soap_exchange_add_links(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                             const soap_memo *memo, int hf_response_in, int hf_request_in,
                             int hf_time)
{
    if (!memo || !memo->call)
        return;
    proto_item *it;
    if (!memo->is_response) {
        /* Known once the response was seen: on a later pass (tshark -2, the
         * GUI), as HTTP's own http.response_in. */
        if (memo->call->response_frame) {
            it = proto_tree_add_uint(tree, hf_response_in, tvb, 0, 0, memo->call->response_frame);
            proto_item_set_generated(it);
        }
        return;
    }
    it = proto_tree_add_uint(tree, hf_request_in, tvb, 0, 0, memo->call->frame);
    proto_item_set_generated(it);
    nstime_t delta;
    nstime_delta(&delta, &pinfo->abs_ts, &memo->call->ts);
    it = proto_tree_add_time(tree, hf_time, tvb, 0, 0, &delta);
    proto_item_set_generated(it);
}
