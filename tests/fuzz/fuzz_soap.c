/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: SOAP envelope decoding (amtdiag/soap.h), WS-Management and
 * EOI, and the lookups the analyzer makes on the result.
 *
 * Input: an HTTP body, as AMT or a console sent it. */
#include "amtdiag/soap.h"
#include "fuzz_common.h"

/* Bound for the strings the decoder hands out: they come from the input,
 * so twice its size is generous; the point is that each is terminated. */
static size_t cap;

static void str(const char *s)
{
    fz_str(s, cap);
}

static void pairs(const soap_pair *p, size_t n, size_t max)
{
    FZ_CHECK(n <= max);
    FZ_CHECK(n == 0 || p);
    for (size_t i = 0; i < n; i++) {
        str(p[i].name);
        str(p[i].value);
    }
}

static void qname(const soap_qname *q)
{
    str(q->ns);
    str(q->local);
    str(q->raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly the body's size, so a read past it is caught. */
    char *xml = malloc(size ? size : 1);
    FZ_CHECK(xml);
    memcpy(xml, data, size);
    cap = 2 * size + 64;
    soap_msg m;
    char err[256];
    err[0] = '\0';
    if (soap_decode(xml, size, &m, err, sizeof err) != 0)
        FZ_CHECK(strnlen(err, sizeof err) > 0 && strnlen(err, sizeof err) < sizeof err);
    str(m.action);
    str(m.action_name);
    str(m.to);
    str(m.resource_uri);
    str(m.resource_class);
    str(m.message_id);
    str(m.relates_to);
    str(m.operation_timeout);
    pairs(m.selectors, m.n_selectors, SOAP_MAX_SELECTORS);
    str(m.enumeration_context);
    str(m.body_ns);
    str(m.body_name);
    pairs(m.fields, m.n_fields, SOAP_MAX_FIELDS);
    FZ_CHECK(m.n_fields <= m.n_fields_total);
    str(m.return_value_name);
    qname(&m.fault_code);
    qname(&m.fault_subcode);
    str(m.fault_reason);
    str(m.fault_detail);
    str(m.protocol_version);
    str(m.product_vendor);
    str(m.product_version);
    FZ_CHECK(m.n_items <= SOAP_MAX_ITEMS && m.n_items <= m.n_items_total);
    FZ_CHECK(m.n_items == 0 || m.items);
    for (size_t i = 0; i < m.n_items; i++) {
        str(m.items[i].class_name);
        str(m.items[i].ns);
        pairs(m.items[i].fields, m.items[i].n_fields, SOAP_MAX_FIELDS);
        FZ_CHECK(m.items[i].n_fields <= m.items[i].n_fields_total);
    }
    str(m.eoi_service);
    str(m.eoi_method);
    str(m.status_name);
    /* The lookups the analyzer makes. */
    str(soap_field(&m, "ReturnValue"));
    str(soap_item_field(&m, 0, "InstanceID"));
    str(soap_item_field(&m, SOAP_MAX_ITEMS, "InstanceID"));
    str(soap_selector(&m, "Name"));
    soap_msg_clear(&m);
    free(xml);
    return 0;
}
