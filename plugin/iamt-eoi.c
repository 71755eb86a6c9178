/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-eoi: the EOI (External Operations Interface) calls of AMT 1-5:
 * SOAP 1.1 services such as SecurityAdministration, whose responses carry
 * a PT_STATUS StatusCode. lib's soap_decode has already named service,
 * method and status; this file only shows them. */
#include "iamt-eoi.h"

#include "iamt-text.h"

static int proto_iamt = -1;
static int hf_eoi_service = -1;
static int hf_eoi_method = -1;
static int hf_eoi_status_code = -1;
static int hf_eoi_status_name = -1;
static int hf_eoi_response_in = -1;
static int hf_eoi_request_in = -1;
static int hf_eoi_time = -1;
static gint ett_eoi = -1;

proto_item *iamt_eoi_add(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const soap_msg *m,
                         const soap_memo *memo)
{
    proto_item *ti = proto_tree_add_item(tree, proto_iamt, tvb, 0, -1, ENC_NA);
    proto_item_append_text(ti, ", EOI");
    proto_tree *t = proto_item_add_subtree(ti, ett_eoi);
    if (m->eoi_service)
        proto_tree_add_string(t, hf_eoi_service, tvb, 0, 0,
                              iamt_text(pinfo->pool, m->eoi_service, IAMT_TEXT_MAX));
    if (m->eoi_method)
        proto_tree_add_string(t, hf_eoi_method, tvb, 0, 0,
                              iamt_text(pinfo->pool, m->eoi_method, IAMT_TEXT_MAX));
    if (m->has_status_code) {
        proto_tree_add_uint(t, hf_eoi_status_code, tvb, 0, 0, m->status_code);
        if (m->status_name)
            proto_tree_add_string(t, hf_eoi_status_name, tvb, 0, 0, m->status_name);
    }
    soap_exchange_add_links(t, tvb, pinfo, memo, hf_eoi_response_in, hf_eoi_request_in,
                            hf_eoi_time);
    return ti;
}

void iamt_eoi_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_eoi_service,
         {"EOI service", "iamt.eoi.service", FT_STRING, BASE_NONE, NULL, 0x0,
          "EOI service of the body's namespace (SecurityAdministration, GeneralInfo...)", HFILL}},
        {&hf_eoi_method,
         {"EOI method", "iamt.eoi.method", FT_STRING, BASE_NONE, NULL, 0x0,
          "Body element: the call (GetCoreVersion) or its answer (GetCoreVersionResponse)", HFILL}},
        {&hf_eoi_status_code,
         {"StatusCode", "iamt.eoi.status_code", FT_UINT32, BASE_DEC, NULL, 0x0,
          "PT_STATUS of an EOI response", HFILL}},
        {&hf_eoi_status_name,
         {"Status name", "iamt.eoi.status_name", FT_STRING, BASE_NONE, NULL, 0x0,
          "PT_STATUS name, without its PT_STATUS_ prefix", HFILL}},
        {&hf_eoi_response_in,
         {"Response in", "iamt.eoi.response_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, NULL, HFILL}},
        {&hf_eoi_request_in,
         {"Request in", "iamt.eoi.request_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, NULL, HFILL}},
        {&hf_eoi_time,
         {"Response time", "iamt.eoi.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
          "Time between the EOI request and its response", HFILL}},
    };
    static gint *ett[] = {&ett_eoi};
    proto_iamt = proto;
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
}
