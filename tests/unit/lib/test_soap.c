/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/soap: WS-Management and EOI envelopes in the shapes
 * AMT writes (one line, prefixes a:, b:, c:... assigned per message), the
 * same messages with other prefixes and default namespaces, faults,
 * malformed XML and hostile inputs (nesting bomb, entity expansion). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "amtdiag/soap.h"

#define S12 "http://www.w3.org/2003/05/soap-envelope"
#define S11 "http://schemas.xmlsoap.org/soap/envelope/"
#define WSA "http://schemas.xmlsoap.org/ws/2004/08/addressing"
#define WSMAN "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
#define WSEN "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
#define WXF "http://schemas.xmlsoap.org/ws/2004/09/transfer"
#define WSE "http://schemas.xmlsoap.org/ws/2004/08/eventing"
#define WSMB "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd"
#define TRUST "http://schemas.xmlsoap.org/ws/2005/02/trust"
#define WSSE "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define WSMID "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"
#define XSI "http://www.w3.org/2001/XMLSchema-instance"
#define AMT "http://intel.com/wbem/wscim/1/amt-schema/1/"
#define ANON WSA "/role/anonymous"
#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"

/* ---- messages ---- */

/* A Get response for AMT_GeneralSettings as AMT lays it out. */
static const char get_general_abc[] = XMLDECL
    "<a:Envelope xmlns:a=\"" S12 "\" xmlns:b=\"" WSA "\" xmlns:c=\"" WSMAN "\" xmlns:d=\"" TRUST
    "\" xmlns:e=\"" WSSE "\" xmlns:f=\"" WSMB "\" xmlns:g=\"" AMT
    "AMT_GeneralSettings\" xmlns:xsi=\"" XSI "\"><a:Header><b:To>" ANON "</b:To>"
    "<b:RelatesTo>4</b:RelatesTo><b:Action a:mustUnderstand=\"true\">" WXF
    "/GetResponse</b:Action><b:MessageID>uuid:00000000-8086-8086-8086-00000000A1B2</b:MessageID>"
    "<c:ResourceURI>" AMT "AMT_GeneralSettings</c:ResourceURI></a:Header><a:Body>"
    "<g:AMT_GeneralSettings><g:AMTNetworkEnabled>1</g:AMTNetworkEnabled>"
    "<g:DigestRealm>Digest:0A1B2C3D4E5F60718293A4B5C6D7E8F9</g:DigestRealm>"
    "<g:DomainName>corp.example.net</g:DomainName><g:HostName>pc-0042</g:HostName>"
    "<g:InstanceID>Intel(r) AMT: General Settings</g:InstanceID>"
    "<g:NetworkInterfaceEnabled>true</g:NetworkInterfaceEnabled>"
    "<g:WsmanOnlyMode>false</g:WsmanOnlyMode></g:AMT_GeneralSettings></a:Body></a:Envelope>";

/* The same message: other prefixes, declared in another order and on
 * inner elements, pretty-printed, with a comment and an entity. */
static const char get_general_renamed[] =
    "<?xml version= \"1.0\" encoding= \"UTF-8\"?>\n"
    "<!-- renamed -->\n"
    "<soap:Envelope xmlns:wsa= \"" WSA "\"\n    xmlns:soap= \"" S12 "\">\n"
    "  <soap:Header xmlns:wsman=\"" WSMAN "\">\n"
    "    <wsa:To>" ANON "</wsa:To>\n"
    "    <wsa:RelatesTo>4</wsa:RelatesTo>\n"
    "    <wsa:Action soap:mustUnderstand=\"true\">\n        " WXF "/GetResponse</wsa:Action>\n"
    "    <wsa:MessageID>uuid:00000000-8086-8086-8086-00000000A1B2</wsa:MessageID>\n"
    "    <wsman:ResourceURI>" AMT "AMT_GeneralSettings</wsman:ResourceURI>\n"
    "  </soap:Header>\n"
    "  <soap:Body>\n"
    "    <gs:AMT_GeneralSettings xmlns:gs=\"" AMT "AMT_GeneralSettings\">\n"
    "      <gs:AMTNetworkEnabled>1</gs:AMTNetworkEnabled>\n"
    "      <gs:DigestRealm>Digest:0A1B2C3D4E5F60718293A4B5C6D7E8F9</gs:DigestRealm>\n"
    "      <gs:DomainName>corp&#46;example.net</gs:DomainName>\n"
    "      <gs:HostName><![CDATA[pc-0042]]></gs:HostName>\n"
    "      <gs:InstanceID>Intel(r) AMT: General Settings</gs:InstanceID>\n"
    "      <gs:NetworkInterfaceEnabled>true</gs:NetworkInterfaceEnabled>\n"
    "      <gs:WsmanOnlyMode>false</gs:WsmanOnlyMode>\n"
    "    </gs:AMT_GeneralSettings>\n"
    "  </soap:Body>\n"
    "</soap:Envelope>\n";

/* The same message with default namespaces, redeclared per element, and a
 * prefix (a:) reused for another namespace in an inner scope. */
static const char get_general_default_ns[] =
    "<Envelope xmlns=\"" S12 "\" xmlns:a=\"" WSA "\"><Header>"
    "<To xmlns=\"" WSA "\">" ANON "</To>"
    "<a:RelatesTo>4</a:RelatesTo>"
    "<Action xmlns=\"" WSA "\">" WXF "/GetResponse</Action>"
    "<a:MessageID>uuid:00000000-8086-8086-8086-00000000A1B2</a:MessageID>"
    "<a:ResourceURI xmlns:a=\"" WSMAN "\">" AMT "AMT_GeneralSettings</a:ResourceURI>"
    "</Header><Body><AMT_GeneralSettings xmlns=\"" AMT "AMT_GeneralSettings\">"
    "<AMTNetworkEnabled>1</AMTNetworkEnabled>"
    "<DigestRealm>Digest:0A1B2C3D4E5F60718293A4B5C6D7E8F9</DigestRealm>"
    "<DomainName>corp.example.net</DomainName><HostName>pc-0042</HostName>"
    "<InstanceID>Intel(r) AMT: General Settings</InstanceID>"
    "<NetworkInterfaceEnabled>true</NetworkInterfaceEnabled>"
    "<WsmanOnlyMode>false</WsmanOnlyMode></AMT_GeneralSettings></Body></Envelope>";

/* Looks like the Get response but the prefixes point elsewhere: b: is not
 * WS-Addressing here, so no Action may be found. */
static const char wrong_namespaces[] =
    "<a:Envelope xmlns:a=\"" S12 "\" xmlns:b=\"urn:not-addressing\" xmlns:c=\"" WSMAN "\">"
    "<a:Header><b:Action>" WXF "/GetResponse</b:Action><c:ResourceURI>" AMT
    "AMT_GeneralSettings</c:ResourceURI></a:Header><a:Body/></a:Envelope>";

static const char enumerate_response[] =
    XMLDECL "<a:Envelope xmlns:a=\"" S12 "\" xmlns:b=\"" WSA "\" xmlns:c=\"" WSMAN
            "\" xmlns:d=\"" TRUST "\" xmlns:e=\"" WSSE "\" xmlns:f=\"" WSMB "\" xmlns:g=\"" WSEN
            "\" xmlns:xsi=\"" XSI "\"><a:Header><b:To>" ANON "</b:To><b:RelatesTo>7</b:RelatesTo>"
            "<b:Action a:mustUnderstand=\"true\">" WSEN "/EnumerateResponse</b:Action>"
            "<b:MessageID>uuid:00000000-8086-8086-8086-00000000A1C0</b:MessageID>"
            "<c:ResourceURI>" AMT "AMT_TLSSettingData</c:ResourceURI></a:Header><a:Body>"
            "<g:EnumerateResponse><g:EnumerationContext>B5000000-0000-0000-0000-000000000000"
            "</g:EnumerationContext></g:EnumerateResponse></a:Body></a:Envelope>";

static const char pull_response[] = XMLDECL
    "<a:Envelope xmlns:a=\"" S12 "\" xmlns:b=\"" WSA "\" xmlns:c=\"" WSMAN "\" xmlns:d=\"" TRUST
    "\" xmlns:e=\"" WSSE "\" xmlns:f=\"" WSMB "\" xmlns:g=\"" WSEN "\" xmlns:h=\"" AMT
    "AMT_TLSSettingData\" xmlns:xsi=\"" XSI "\"><a:Header><b:To>" ANON
    "</b:To><b:RelatesTo>8</b:RelatesTo><b:Action a:mustUnderstand=\"true\">" WSEN
    "/PullResponse</b:Action><b:MessageID>uuid:00000000-8086-8086-8086-00000000A1C1"
    "</b:MessageID><c:ResourceURI>" AMT "AMT_TLSSettingData</c:ResourceURI></a:Header>"
    "<a:Body><g:PullResponse><g:Items><h:AMT_TLSSettingData>"
    "<h:AcceptNonSecureConnections>false</h:AcceptNonSecureConnections>"
    "<h:ElementName>Intel(r) AMT 802.3 TLS Settings</h:ElementName><h:Enabled>true</h:Enabled>"
    "<h:InstanceID>Intel(r) AMT 802.3 TLS Settings</h:InstanceID>"
    "<h:MutualAuthentication>true</h:MutualAuthentication>"
    "<h:TrustedCN>console.corp.example.net</h:TrustedCN></h:AMT_TLSSettingData>"
    "<h:AMT_TLSSettingData><h:AcceptNonSecureConnections>true</h:AcceptNonSecureConnections>"
    "<h:ElementName>Intel(r) AMT LMS TLS Settings</h:ElementName><h:Enabled>false</h:Enabled>"
    "<h:InstanceID>Intel(r) AMT LMS TLS Settings</h:InstanceID>"
    "<h:MutualAuthentication>false</h:MutualAuthentication></h:AMT_TLSSettingData>"
    "</g:Items><g:EndOfSequence></g:EndOfSequence></g:PullResponse></a:Body></a:Envelope>";

/* Faults: AMT declares the namespaces the other way round (e: = wsman). */
#define FAULT_ENVELOPE                                                                             \
    XMLDECL "<a:Envelope xmlns:g=\"" WSMB "\" xmlns:f=\"" WSE "\" xmlns:e=\"" WSMAN                \
            "\" xmlns:d=\"" WXF "\" xmlns:c=\"" WSEN "\" xmlns:b=\"" WSA "\" xmlns:a=\"" S12       \
            "\" xmlns:h=\"" TRUST "\" xmlns:i=\"" WSSE "\" xmlns:xsi=\"" XSI "\">"
#define FAULT_BODY(action, id, sub, reason, detail)                                                \
    "<a:Header><b:To>" ANON "</b:To><b:RelatesTo>" id "</b:RelatesTo>"                             \
    "<b:Action a:mustUnderstand=\"true\">" action "</b:Action><b:MessageID>uuid:00000000-8086-"    \
    "8086-8086-00000000B00" id "</b:MessageID></a:Header><a:Body><a:Fault><a:Code>"                \
    "<a:Value>a:Sender</a:Value><a:Subcode><a:Value>" sub "</a:Value></a:Subcode></a:Code>"        \
    "<a:Reason><a:Text xml:lang=\"en-US\">" reason "</a:Text></a:Reason><a:Detail>" detail         \
    "</a:Detail></a:Fault></a:Body></a:Envelope>"

static const char fault_access_denied[] = FAULT_ENVELOPE FAULT_BODY(
    "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault", "1", "e:AccessDenied",
    "The sender was not authorized to access the resource.", "");
static const char fault_destination_unreachable[] = FAULT_ENVELOPE FAULT_BODY(
    WSA "/fault", "2", "b:DestinationUnreachable",
    "No route can be determined to reach the destination role defined by the WSAddressing To.",
    "<e:FaultDetail>http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidResourceURI"
    "</e:FaultDetail>");
static const char fault_already_exists[] = FAULT_ENVELOPE FAULT_BODY(
    "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault", "3", "e:AlreadyExists",
    "The sender attempted to create a resource which already exists.", "");

static const char method_response_invalid_cert[] =
    XMLDECL "<a:Envelope xmlns:a=\"" S12 "\" xmlns:b=\"" WSA "\" xmlns:c=\"" WSMAN
            "\" xmlns:d=\"" TRUST "\" xmlns:e=\"" WSSE "\" xmlns:f=\"" WSMB "\" xmlns:g=\"" AMT
            "AMT_PublicKeyManagementService\" xmlns:xsi=\"" XSI "\"><a:Header><b:To>" ANON
            "</b:To><b:RelatesTo>12</b:RelatesTo><b:Action a:mustUnderstand=\"true\">" AMT
            "AMT_PublicKeyManagementService/AddTrustedRootCertificateResponse</b:Action>"
            "<b:MessageID>uuid:00000000-8086-8086-8086-00000000A1D0</b:MessageID>"
            "<c:ResourceURI>" AMT "AMT_PublicKeyManagementService</c:ResourceURI></a:Header>"
            "<a:Body><g:AddTrustedRootCertificate_OUTPUT><g:ReturnValue>2063</g:ReturnValue>"
            "</g:AddTrustedRootCertificate_OUTPUT></a:Body></a:Envelope>";

/* A class method's response without ResourceURI: the class comes from the
 * Action. */
static const char commit_changes_response[] =
    "<a:Envelope xmlns:a=\"" S12 "\" xmlns:b=\"" WSA "\" xmlns:g=\"" AMT
    "AMT_SetupAndConfigurationService\"><a:Header><b:Action>" AMT
    "AMT_SetupAndConfigurationService/CommitChangesResponse</b:Action></a:Header><a:Body>"
    "<g:CommitChanges_OUTPUT><g:ReturnValue>0</g:ReturnValue></g:CommitChanges_OUTPUT>"
    "</a:Body></a:Envelope>";

static const char eoi_core_version[] =
    XMLDECL "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"" S11 "\" xmlns:SOAP-ENC=\""
            "http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsi=\"" XSI
            "\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:sai=\""
            "http://schemas.intel.com/platform/client/SecurityAdministration/2004/01\">"
            "<SOAP-ENV:Body><sai:GetCoreVersionResponse><sai:StatusCode>0</sai:StatusCode>"
            "<sai:Version>3.2.1</sai:Version></sai:GetCoreVersionResponse></SOAP-ENV:Body>"
            "</SOAP-ENV:Envelope>";

static const char eoi_request[] =
    "<soap:Envelope xmlns:soap=\"" S11 "\"><soap:Body><GetSystemPowerState xmlns=\""
    "http://schemas.intel.com/platform/client/RemoteControl/2004/01\"/></soap:Body>"
    "</soap:Envelope>";

static const char eoi_fault[] =
    "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"" S11 "\"><SOAP-ENV:Body><SOAP-ENV:Fault>"
    "<faultcode>SOAP-ENV:Client</faultcode><faultstring>Method 'Reboot' not implemented"
    "</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>";

static const char identify_response[] =
    XMLDECL "<a:Envelope xmlns:a=\"" S12 "\" xmlns:b=\"" WSMID "\"><a:Header></a:Header><a:Body>"
            "<b:IdentifyResponse><b:ProtocolVersion>" WSMAN "</b:ProtocolVersion>"
            "<b:ProductVendor>Intel Corporation</b:ProductVendor>"
            "<b:ProductVersion>AMT 15.0</b:ProductVersion><b:SecurityProfiles>"
            "<b:SecurityProfileName>http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/"
            "digest</b:SecurityProfileName></b:SecurityProfiles></b:IdentifyResponse></a:Body>"
            "</a:Envelope>";

/* Requests as consoles write them: SOAP namespace as the default. */
#define REQ_HEAD(action, res, id, extra)                                                           \
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><Envelope xmlns:xsi=\"" XSI "\" xmlns:a=\"" WSA     \
    "\" xmlns:w=\"" WSMAN "\" xmlns=\"" S12 "\"><Header><a:Action>" action "</a:Action>"           \
    "<a:To>/wsman</a:To><w:ResourceURI>" res "</w:ResourceURI><a:MessageID>" id                    \
    "</a:MessageID><a:ReplyTo><a:Address>" ANON "</a:Address></a:ReplyTo>"                         \
    "<w:OperationTimeout>PT60S</w:OperationTimeout>" extra "</Header>"

static const char get_request_selectors[] =
    REQ_HEAD(WXF "/Get", AMT "AMT_PublicKeyCertificate", "21",
             "<w:SelectorSet><w:Selector Name=\"InstanceID\">Intel(r) AMT Certificate: Handle: 3"
             "</w:Selector><w:Selector Name=\"CreationClassName\">AMT_PublicKeyCertificate"
             "</w:Selector></w:SelectorSet>") "<Body></Body></Envelope>";

static const char pull_request[] = REQ_HEAD(
    WSEN "/Pull", AMT "AMT_TLSSettingData", "8",
    "") "<Body><Pull xmlns=\"" WSEN "\"><EnumerationContext>B5000000-0000-0000-0000-000000000000"
        "</EnumerationContext><MaxElements>999</MaxElements><MaxCharacters>99999</MaxCharacters>"
        "</Pull></Body></Envelope>";

static const char commit_request[] =
    REQ_HEAD(AMT "AMT_SetupAndConfigurationService/CommitChanges",
             AMT "AMT_SetupAndConfigurationService", "13",
             "") "<Body><h:CommitChanges_INPUT xmlns:h=\"" AMT
                 "AMT_SetupAndConfigurationService\"></h:CommitChanges_INPUT></Body></Envelope>";

/* ---- helpers ---- */

static soap_msg decode_ok(const char *xml)
{
    soap_msg m;
    char err[256];
    int rc = soap_decode(xml, strlen(xml), &m, err, sizeof err);
    if (rc != 0)
        print_message("unexpected error: %s\n", err);
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    return m;
}

static void add(GString *s, const char *label, const char *v)
{
    g_string_append_printf(s, "%s=%s\n", label, v ? v : "(null)");
}

/* Everything decoded, as text: equal dumps mean equal decodes. */
static char *dump(const soap_msg *m)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "version=%d kind=%d fault=%d eos=%d truncated=%d\n", m->version,
                           m->kind, m->is_fault, m->end_of_sequence, m->truncated);
    add(s, "action", m->action);
    add(s, "action_name", m->action_name);
    add(s, "to", m->to);
    add(s, "resource_uri", m->resource_uri);
    add(s, "resource_class", m->resource_class);
    add(s, "message_id", m->message_id);
    add(s, "relates_to", m->relates_to);
    add(s, "timeout", m->operation_timeout);
    for (size_t i = 0; i < m->n_selectors; i++)
        g_string_append_printf(s, "selector %s=%s\n", m->selectors[i].name, m->selectors[i].value);
    add(s, "enum_ctx", m->enumeration_context);
    add(s, "body_ns", m->body_ns);
    add(s, "body_name", m->body_name);
    for (size_t i = 0; i < m->n_fields; i++)
        g_string_append_printf(s, "field %s=%s\n", m->fields[i].name, m->fields[i].value);
    g_string_append_printf(s, "fields_total=%zu rv=%d/%u\n", m->n_fields_total, m->has_return_value,
                           m->return_value);
    add(s, "rv_name", m->return_value_name);
    add(s, "code_ns", m->fault_code.ns);
    add(s, "code", m->fault_code.local);
    add(s, "sub_ns", m->fault_subcode.ns);
    add(s, "sub", m->fault_subcode.local);
    add(s, "reason", m->fault_reason);
    add(s, "detail", m->fault_detail);
    add(s, "proto", m->protocol_version);
    add(s, "vendor", m->product_vendor);
    add(s, "product", m->product_version);
    for (size_t i = 0; i < m->n_items; i++) {
        g_string_append_printf(s, "item %zu %s {%s}\n", i, m->items[i].class_name, m->items[i].ns);
        for (size_t k = 0; k < m->items[i].n_fields; k++)
            g_string_append_printf(s, "  %s=%s\n", m->items[i].fields[k].name,
                                   m->items[i].fields[k].value);
    }
    add(s, "eoi_service", m->eoi_service);
    add(s, "eoi_method", m->eoi_method);
    g_string_append_printf(s, "status=%d/%u\n", m->has_status_code, m->status_code);
    return g_string_free(s, FALSE);
}

/* ---- tests ---- */

static void get_response(void **state)
{
    (void)state;
    soap_msg m = decode_ok(get_general_abc);
    assert_int_equal(m.version, SOAP_VERSION_12);
    assert_int_equal(m.kind, SOAP_KIND_WSMAN);
    assert_string_equal(m.action, WXF "/GetResponse");
    assert_string_equal(m.action_name, "GetResponse");
    assert_string_equal(m.to, ANON);
    assert_string_equal(m.relates_to, "4");
    assert_string_equal(m.message_id, "uuid:00000000-8086-8086-8086-00000000A1B2");
    assert_string_equal(m.resource_uri, AMT "AMT_GeneralSettings");
    assert_string_equal(m.resource_class, "AMT_GeneralSettings");
    assert_string_equal(m.body_ns, AMT "AMT_GeneralSettings");
    assert_string_equal(m.body_name, "AMT_GeneralSettings");
    assert_int_equal(m.n_fields, 7);
    assert_string_equal(m.fields[0].name, "AMTNetworkEnabled");
    assert_string_equal(soap_field(&m, "DigestRealm"), "Digest:0A1B2C3D4E5F60718293A4B5C6D7E8F9");
    assert_string_equal(soap_field(&m, "InstanceID"), "Intel(r) AMT: General Settings");
    assert_null(soap_field(&m, "NoSuchField"));
    assert_false(m.has_return_value);
    assert_false(m.is_fault);
    assert_false(m.truncated);
    assert_null(m.enumeration_context);
    soap_msg_clear(&m);
}

static void prefixes_do_not_matter(void **state)
{
    (void)state;
    soap_msg a = decode_ok(get_general_abc);
    soap_msg b = decode_ok(get_general_renamed);
    soap_msg c = decode_ok(get_general_default_ns);
    char *da = dump(&a), *db = dump(&b), *dc = dump(&c);
    assert_string_equal(da, db);
    assert_string_equal(da, dc);
    g_free(da);
    g_free(db);
    g_free(dc);
    soap_msg_clear(&a);
    soap_msg_clear(&b);
    soap_msg_clear(&c);

    /* the letters alone mean nothing: b: bound elsewhere gives no Action */
    soap_msg w = decode_ok(wrong_namespaces);
    assert_null(w.action);
    assert_string_equal(w.resource_class, "AMT_GeneralSettings");
    soap_msg_clear(&w);
}

static void enumerate_and_pull(void **state)
{
    (void)state;
    soap_msg m = decode_ok(enumerate_response);
    assert_string_equal(m.action_name, "EnumerateResponse");
    assert_string_equal(m.enumeration_context, "B5000000-0000-0000-0000-000000000000");
    assert_string_equal(m.resource_class, "AMT_TLSSettingData");
    assert_string_equal(m.body_name, "EnumerateResponse");
    assert_false(m.end_of_sequence);
    soap_msg_clear(&m);

    m = decode_ok(pull_response);
    assert_string_equal(m.action_name, "PullResponse");
    assert_true(m.end_of_sequence);
    assert_int_equal(m.n_items, 2);
    assert_int_equal(m.n_items_total, 2);
    assert_string_equal(m.items[0].class_name, "AMT_TLSSettingData");
    assert_string_equal(m.items[0].ns, AMT "AMT_TLSSettingData");
    assert_int_equal(m.items[0].n_fields, 6);
    assert_string_equal(soap_item_field(&m, 0, "MutualAuthentication"), "true");
    assert_string_equal(soap_item_field(&m, 0, "TrustedCN"), "console.corp.example.net");
    assert_string_equal(soap_item_field(&m, 1, "ElementName"), "Intel(r) AMT LMS TLS Settings");
    assert_string_equal(soap_item_field(&m, 1, "AcceptNonSecureConnections"), "true");
    assert_null(soap_item_field(&m, 1, "TrustedCN"));
    assert_null(soap_item_field(&m, 2, "Enabled"));
    /* Items and EndOfSequence are the PullResponse's fields */
    assert_int_equal(m.n_fields, 2);
    assert_string_equal(m.fields[0].name, "Items");
    assert_string_equal(m.fields[1].name, "EndOfSequence");
    soap_msg_clear(&m);
}

typedef struct fault_case {
    const char *name;
    const char *xml;
    const char *action_ns_suffix;
    const char *sub_ns;
    const char *sub;
    const char *reason_start;
    const char *detail;
} fault_case;

static const fault_case fault_cases[] = {
    {"access_denied", fault_access_denied, "wsman/fault", WSMAN, "AccessDenied",
     "The sender was not authorized", ""},
    {"destination_unreachable", fault_destination_unreachable, "addressing/fault", WSA,
     "DestinationUnreachable", "No route can be determined",
     "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidResourceURI"},
    {"already_exists", fault_already_exists, "wsman/fault", WSMAN, "AlreadyExists",
     "The sender attempted to create", ""},
};

static void run_fault_case(void **state)
{
    const fault_case *tc = *state;
    soap_msg m = decode_ok(tc->xml);
    assert_true(m.is_fault);
    assert_string_equal(m.action_name, "fault");
    assert_true(g_str_has_suffix(m.action, tc->action_ns_suffix));
    assert_string_equal(m.body_name, "Fault");
    assert_string_equal(m.fault_code.ns, S12);
    assert_string_equal(m.fault_code.local, "Sender");
    assert_string_equal(m.fault_code.raw, "a:Sender");
    assert_string_equal(m.fault_subcode.ns, tc->sub_ns);
    assert_string_equal(m.fault_subcode.local, tc->sub);
    assert_true(g_str_has_prefix(m.fault_reason, tc->reason_start));
    assert_string_equal(m.fault_detail, tc->detail);
    assert_null(m.resource_class);
    soap_msg_clear(&m);
}

static void method_responses(void **state)
{
    (void)state;
    soap_msg m = decode_ok(method_response_invalid_cert);
    assert_string_equal(m.action_name, "AddTrustedRootCertificateResponse");
    assert_string_equal(m.resource_class, "AMT_PublicKeyManagementService");
    assert_string_equal(m.body_name, "AddTrustedRootCertificate_OUTPUT");
    assert_true(m.has_return_value);
    assert_int_equal(m.return_value, 2063);
    assert_string_equal(m.return_value_name, "INVALID_CERT");
    soap_msg_clear(&m);

    m = decode_ok(commit_changes_response);
    assert_string_equal(m.action_name, "CommitChangesResponse");
    assert_string_equal(m.resource_class, "AMT_SetupAndConfigurationService");
    assert_true(m.has_return_value);
    assert_int_equal(m.return_value, 0);
    assert_string_equal(m.return_value_name, "SUCCESS");
    soap_msg_clear(&m);
}

static void eoi(void **state)
{
    (void)state;
    soap_msg m = decode_ok(eoi_core_version);
    assert_int_equal(m.version, SOAP_VERSION_11);
    assert_int_equal(m.kind, SOAP_KIND_EOI);
    assert_string_equal(m.eoi_service, "SecurityAdministration");
    assert_string_equal(m.eoi_method, "GetCoreVersionResponse");
    assert_true(m.eoi_is_response);
    assert_true(m.has_status_code);
    assert_int_equal(m.status_code, 0);
    assert_string_equal(m.status_name, "SUCCESS");
    assert_string_equal(soap_field(&m, "Version"), "3.2.1");
    assert_null(m.action);
    soap_msg_clear(&m);

    m = decode_ok(eoi_request);
    assert_int_equal(m.kind, SOAP_KIND_EOI);
    assert_string_equal(m.eoi_service, "RemoteControl");
    assert_string_equal(m.eoi_method, "GetSystemPowerState");
    assert_false(m.eoi_is_response);
    assert_false(m.has_status_code);
    soap_msg_clear(&m);

    m = decode_ok(eoi_fault);
    assert_int_equal(m.kind, SOAP_KIND_SOAP11);
    assert_true(m.is_fault);
    assert_string_equal(m.fault_code.ns, S11);
    assert_string_equal(m.fault_code.local, "Client");
    assert_string_equal(m.fault_reason, "Method 'Reboot' not implemented");
    soap_msg_clear(&m);
}

static void identify(void **state)
{
    (void)state;
    soap_msg m = decode_ok(identify_response);
    assert_string_equal(m.action_name, "IdentifyResponse");
    assert_string_equal(m.protocol_version, WSMAN);
    assert_string_equal(m.product_vendor, "Intel Corporation");
    assert_string_equal(m.product_version, "AMT 15.0");
    soap_msg_clear(&m);
}

static void requests(void **state)
{
    (void)state;
    soap_msg m = decode_ok(get_request_selectors);
    assert_string_equal(m.action_name, "Get");
    assert_string_equal(m.to, "/wsman");
    assert_string_equal(m.message_id, "21");
    assert_string_equal(m.operation_timeout, "PT60S");
    assert_string_equal(m.resource_class, "AMT_PublicKeyCertificate");
    assert_int_equal(m.n_selectors, 2);
    assert_string_equal(soap_selector(&m, "InstanceID"), "Intel(r) AMT Certificate: Handle: 3");
    assert_string_equal(soap_selector(&m, "CreationClassName"), "AMT_PublicKeyCertificate");
    assert_null(m.body_name); /* empty Body */
    soap_msg_clear(&m);

    m = decode_ok(pull_request);
    assert_string_equal(m.action_name, "Pull");
    assert_string_equal(m.enumeration_context, "B5000000-0000-0000-0000-000000000000");
    assert_string_equal(soap_field(&m, "MaxElements"), "999");
    soap_msg_clear(&m);

    m = decode_ok(commit_request);
    assert_string_equal(m.action_name, "CommitChanges");
    assert_string_equal(m.body_name, "CommitChanges_INPUT");
    assert_int_equal(m.n_fields, 0);
    soap_msg_clear(&m);
}

static void limits_in_content(void **state)
{
    (void)state;
    /* a value longer than SOAP_MAX_TEXT is cut (on a UTF-8 boundary) */
    GString *x = g_string_new("<s:Envelope xmlns:s=\"" S12 "\"><s:Body><m:X xmlns:m=\"urn:m\">"
                              "<m:Long>");
    for (int i = 0; i < 1500; i++)
        g_string_append(x, "\xC3\xA9"); /* é */
    g_string_append(x, "</m:Long>");
    for (int i = 0; i < 70; i++)
        g_string_append_printf(x, "<m:F%d>%d</m:F%d>", i, i, i);
    g_string_append(x, "</m:X></s:Body></s:Envelope>");
    soap_msg m = decode_ok(x->str);
    const char *v = soap_field(&m, "Long");
    assert_non_null(v);
    assert_true(strlen(v) <= SOAP_MAX_TEXT);
    assert_true(g_utf8_validate(v, -1, NULL));
    assert_true(m.truncated);
    assert_int_equal(m.n_fields, SOAP_MAX_FIELDS);
    assert_int_equal(m.n_fields_total, 71);
    soap_msg_clear(&m);
    g_string_free(x, TRUE);

    /* more items than SOAP_MAX_ITEMS: counted, the first ones kept */
    x = g_string_new("<s:Envelope xmlns:s=\"" S12 "\" xmlns:n=\"" WSEN "\"><s:Body>"
                     "<n:PullResponse><n:Items>");
    for (int i = 0; i < 20; i++)
        g_string_append_printf(x, "<c:AMT_X xmlns:c=\"" AMT "AMT_X\"><c:I>%d</c:I></c:AMT_X>", i);
    g_string_append(x, "</n:Items></n:PullResponse></s:Body></s:Envelope>");
    m = decode_ok(x->str);
    assert_int_equal(m.n_items, SOAP_MAX_ITEMS);
    assert_int_equal(m.n_items_total, 20);
    assert_string_equal(soap_item_field(&m, 15, "I"), "15");
    assert_true(m.truncated);
    soap_msg_clear(&m);
    g_string_free(x, TRUE);
}

typedef struct bad_case {
    const char *name;
    const char *xml;
    const char *err_has; /* the message must contain this */
    const char *action;  /* what must still be decoded, or NULL */
} bad_case;

#define GOOD_HEAD                                                                                  \
    "<a:Envelope xmlns:a=\"" S12 "\" xmlns:b=\"" WSA "\"><a:Header><b:Action>" WXF                 \
    "/GetResponse</b:Action></a:Header>\n"

static const bad_case bad_cases[] = {
    {"unclosed", GOOD_HEAD "<a:Body><x:Y xmlns:x=\"urn:x\">", "XML error at line 2",
     WXF "/GetResponse"},
    {"wrong_nesting", GOOD_HEAD "<a:Body>\n<b:X></a:Body></b:X></a:Envelope>",
     "XML error at line 3", WXF "/GetResponse"},
    {"bad_entity", GOOD_HEAD "<a:Body><b:X>&nbsp;</b:X></a:Body></a:Envelope>",
     "XML error at line 2", WXF "/GetResponse"},
    {"undeclared_prefix", GOOD_HEAD "<a:Body><z:X/></a:Body></a:Envelope>",
     "undeclared namespace prefix in <z:X> at line 2", WXF "/GetResponse"},
    {"not_an_envelope", "<Envelope><Body/></Envelope>", "not a SOAP Envelope", NULL},
    {"no_body", GOOD_HEAD "</a:Envelope>", "no Body", WXF "/GetResponse"},
    {"empty", "", "empty", NULL},
    {"only_space", "   \n ", "XML error at line", NULL},
    {"not_xml", "HTTP/1.1 200 OK\r\n", "XML error at line 1", NULL},
    {"bad_utf8_in_pi", "<?xml\x80version=\"1.0\"?><a:Envelope xmlns:a=\"" S12 "\"/>",
     "XML error at line 1: invalid UTF-8 (byte 0x80 at offset 5)", NULL},
    {"bad_utf8_late", GOOD_HEAD "<a:Body><b:X>\xC3\x28</b:X></a:Body></a:Envelope>",
     "XML error at line 2: invalid UTF-8", WXF "/GetResponse"},
    {"doctype", "<?xml version=\"1.0\"?>\n<!DOCTYPE a:Envelope>\n<a:Envelope xmlns:a=\"" S12 "\"/>",
     "document type declaration at line 2", NULL},
};

static void run_bad_case(void **state)
{
    const bad_case *tc = *state;
    soap_msg m;
    char err[256];
    assert_int_equal(soap_decode(tc->xml, strlen(tc->xml), &m, err, sizeof err), -1);
    if (!strstr(err, tc->err_has))
        print_message("error was: %s\n", err);
    assert_non_null(strstr(err, tc->err_has));
    if (tc->action)
        assert_string_equal(m.action, tc->action);
    soap_msg_clear(&m);
}

static gint64 elapsed_ms(gint64 since)
{
    return (g_get_monotonic_time() - since) / 1000;
}

static void hostile_inputs(void **state)
{
    (void)state;
    soap_msg m;
    char err[256];

    /* 10000 nested elements inside a valid envelope start */
    GString *x = g_string_new("<a:Envelope xmlns:a=\"" S12 "\"><a:Body>");
    for (int i = 0; i < 10000; i++)
        g_string_append(x, "<d>");
    for (int i = 0; i < 10000; i++)
        g_string_append(x, "</d>");
    g_string_append(x, "</a:Body></a:Envelope>");
    gint64 t0 = g_get_monotonic_time();
    assert_int_equal(soap_decode(x->str, x->len, &m, err, sizeof err), -1);
    assert_true(elapsed_ms(t0) < 200);
    assert_non_null(strstr(err, "nesting deeper than 64"));
    soap_msg_clear(&m);
    g_string_free(x, TRUE);

    /* billion laughs: entity definitions in a DOCTYPE */
    x = g_string_new("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for (int i = 1; i <= 9; i++) {
        char prev[8] = "";
        if (i > 1)
            snprintf(prev, sizeof prev, "%d", i - 1);
        g_string_append_printf(x, " <!ENTITY lol%d \"", i);
        for (int k = 0; k < 10; k++)
            g_string_append_printf(x, "&lol%s;", prev);
        g_string_append(x, "\">\n");
    }
    g_string_append(x, "]>\n<a:Envelope xmlns:a=\"" S12 "\"><a:Body><x>&lol9;</x></a:Body>"
                       "</a:Envelope>");
    t0 = g_get_monotonic_time();
    assert_int_equal(soap_decode(x->str, x->len, &m, err, sizeof err), -1);
    assert_true(elapsed_ms(t0) < 200);
    assert_non_null(strstr(err, "document type declaration"));
    soap_msg_clear(&m);
    g_string_free(x, TRUE);

    /* the entity reference alone (no DOCTYPE): unknown, rejected */
    const char *ref = "<a:Envelope xmlns:a=\"" S12 "\"><a:Body><x>&lol9;</x></a:Body></a:Envelope>";
    assert_int_equal(soap_decode(ref, strlen(ref), &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "XML error at line 1"));
    soap_msg_clear(&m);

    /* too many elements (flat, so depth is no help) */
    x = g_string_new("<a:Envelope xmlns:a=\"" S12 "\"><a:Body><m>");
    for (int i = 0; i < SOAP_MAX_ELEMENTS; i++)
        g_string_append(x, "<e/>");
    g_string_append(x, "</m></a:Body></a:Envelope>");
    t0 = g_get_monotonic_time();
    assert_int_equal(soap_decode(x->str, x->len, &m, err, sizeof err), -1);
    assert_true(elapsed_ms(t0) < 1000);
    assert_non_null(strstr(err, "more than 100000 elements"));
    soap_msg_clear(&m);
    g_string_free(x, TRUE);

    /* larger than the input limit: refused before parsing */
    size_t big = SOAP_MAX_INPUT + 1;
    char *huge = g_malloc(big);
    memset(huge, ' ', big);
    assert_int_equal(soap_decode(huge, big, &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "too large"));
    soap_msg_clear(&m);
    g_free(huge);

    /* err may be NULL, and clearing twice is harmless */
    assert_int_equal(soap_decode("<x", 2, &m, NULL, 0), -1);
    soap_msg_clear(&m);
    soap_msg_clear(&m);
}

/* ---- the XML layer (xml_scan.c): what SOAP bodies may hold ---- */

#define BODY_OPEN "<a:Envelope xmlns:a=\"" S12 "\" xmlns:b=\"" WSA "\"><a:Body>"
#define BODY_CLOSE "</a:Body></a:Envelope>"

/* A prefix bound again in a child means the new URI there, and the old one
 * again after the child; xmlns="" takes the default namespace away. */
static void namespace_scopes(void **state)
{
    (void)state;
    soap_msg m = decode_ok(BODY_OPEN "<x:R xmlns:x=\"urn:one\" xmlns=\"urn:dflt\">"
                                     "<x:A xmlns:x=\"urn:two\">1</x:A><x:B>2</x:B>"
                                     "<C>3</C><D xmlns=\"\">4</D></x:R>" BODY_CLOSE);
    assert_string_equal(m.body_ns, "urn:one");
    assert_string_equal(m.body_name, "R");
    assert_int_equal(m.n_fields, 4);
    assert_string_equal(soap_field(&m, "A"), "1");
    assert_string_equal(soap_field(&m, "D"), "4");
    soap_msg_clear(&m);

    /* the prefix of the Body element itself, declared on it */
    m = decode_ok("<e:Envelope xmlns:e=\"" S12 "\"><e:Body><e:Fault xmlns:e=\"urn:not-soap\"/>"
                  "</e:Body></e:Envelope>");
    assert_string_equal(m.body_ns, "urn:not-soap");
    assert_false(m.is_fault);
    soap_msg_clear(&m);

    /* a fault code's QName is resolved where it is written */
    m = decode_ok("<a:Envelope xmlns:a=\"" S12 "\"><a:Body><a:Fault><a:Code><a:Value>a:Sender"
                  "</a:Value><a:Subcode><a:Value xmlns:q=\"urn:x\">q:Odd</a:Value></a:Subcode>"
                  "</a:Code></a:Fault></a:Body></a:Envelope>");
    assert_string_equal(m.fault_code.ns, S12);
    assert_string_equal(m.fault_subcode.ns, "urn:x");
    assert_string_equal(m.fault_subcode.local, "Odd");
    soap_msg_clear(&m);
}

/* The five entities, character references (decimal, hexadecimal, beyond
 * ASCII), CDATA taken as written, comments and PIs skipped between pieces
 * of one value, line ends normalised in text and white space in
 * attribute values. */
static void text_and_values(void **state)
{
    (void)state;
    soap_msg m = decode_ok(
        "<a:Envelope xmlns:a=\"" S12 "\" xmlns:c=\"" WSMAN "\"><a:Header><c:SelectorSet>"
        "<c:Selector Name=\"N&amp;&#65;&#x42;\tx\r\ny\">v&lt;&gt;&quot;&apos;</c:Selector>"
        "</c:SelectorSet></a:Header><a:Body><x:R xmlns:x=\"urn:x\">"
        "<x:A>&#233;&#x20AC;&#x1F600;</x:A>"
        "<x:B><![CDATA[a&amp;<b>]]>c<!-- not text -->d<?pi x?>e</x:B>"
        "<x:C>one\r\ntwo\rthree</x:C><x:D><![CDATA[]]></x:D></x:R></a:Body></a:Envelope>");
    assert_int_equal(m.n_selectors, 1);
    assert_string_equal(m.selectors[0].name, "N&AB x y");
    assert_string_equal(m.selectors[0].value, "v<>\"'");
    assert_string_equal(soap_field(&m, "A"), "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    assert_string_equal(soap_field(&m, "B"), "a&amp;<b>cde");
    assert_string_equal(soap_field(&m, "C"), "one\ntwo\nthree");
    assert_string_equal(soap_field(&m, "D"), "");
    soap_msg_clear(&m);
}

typedef struct xml_case {
    const char *name;
    const char *body; /* inside BODY_OPEN ... BODY_CLOSE unless whole */
    int whole;
    const char *err_has;
} xml_case;

static const xml_case xml_cases[] = {
    {"entity_unknown", "<b:X>&nbsp;</b:X>", 0, "unknown entity &nbsp;"},
    {"entity_no_semicolon", "<b:X>a & b</b:X>", 0, "'&' that starts no entity reference"},
    {"charref_zero", "<b:X>&#0;</b:X>", 0, "invalid character reference &#0;"},
    {"charref_surrogate", "<b:X>&#xD800;</b:X>", 0, "invalid character reference &#xD800;"},
    {"charref_too_big", "<b:X>&#x110000;</b:X>", 0, "invalid character reference"},
    {"charref_sign", "<b:X>&#+65;</b:X>", 0, "invalid character reference &#+65;"},
    {"charref_space", "<b:X>&#x 41;</b:X>", 0, "invalid character reference"},
    {"charref_upper_x", "<b:X>&#X41;</b:X>", 0, "invalid character reference"},
    {"entity_in_attribute", "<b:X y=\"&bogus;\"/>", 0, "unknown entity &bogus;"},
    {"end_tag_mismatch", "<b:X></b:Y>", 0, "end tag </b:Y> where </b:X> belongs"},
    {"end_tag_none_open", "</b:X>", 1, "end tag </b:X> with no element open"},
    {"unquoted_attribute", "<b:X y=1/>", 0, "the value of attribute y of <b:X> is not in quotes"},
    {"attribute_without_value", "<b:X y/>", 0, "after attribute y of <b:X>, where '=' belongs"},
    {"bad_name_start", "<1X/>", 0, "'1' cannot begin an element name"},
    {"bad_name_char", "<b:X\"/>", 0, "'\"' in the element name <b:X>"},
    {"slash_without_angle", "<b:X/ >", 0, "after '/' in <b:X/>, where '>' belongs"},
    {"text_before_root", "hello <a:Envelope xmlns:a=\"" S12 "\"/>", 1,
     "XML error at line 1: text before the root element"},
    {"text_after_root", "<a:Envelope xmlns:a=\"" S12 "\"><a:Body/></a:Envelope>\n\nx", 1,
     "XML error at line 3: text after the root element"},
    {"other_declaration", "<!ELEMENT x ANY>", 0, "a <! declaration other than"},
    {"doctype_after_root",
     "<a:Envelope xmlns:a=\"" S12 "\"><a:Body/></a:Envelope>\n<!DOCTYPE x [<!ENTITY e \"e\">]>", 1,
     "document type declaration at line 2"},
    {"cut_in_tag", "<b:X y=\"1\"", 1, "XML error at line 1: the document ended inside a start tag"},
    {"cut_in_value", "<a:Envelope xmlns:a=\"" S12, 1,
     "the document ended inside an attribute value"},
    {"cut_in_comment", "<a:Envelope xmlns:a=\"" S12 "\"><!-- x", 1,
     "the document ended inside a comment"},
    {"cut_in_cdata", "<a:Envelope xmlns:a=\"" S12 "\"><![CDATA[x", 1,
     "the document ended inside a CDATA section"},
    {"cut_in_pi", "<?xml version=\"1.0\"", 1, "the document ended inside a processing instruction"},
    {"cut_in_end_tag", "<a:Envelope xmlns:a=\"" S12 "\"></a:Envelope", 1,
     "the document ended inside an end tag"},
    {"still_open", "<a:Envelope xmlns:a=\"" S12 "\">\n<a:Body>\n", 1,
     "XML error at line 3: the document ended with <a:Body> still open"},
    {"overlong_utf8", "<b:X>\xC0\xAF</b:X>", 0, "invalid UTF-8 (byte 0xC0"},
    {"surrogate_utf8", "<b:X>\xED\xA0\x80</b:X>", 0, "invalid UTF-8 (byte 0xED"},
    {"nul_byte", NULL, 0, "invalid UTF-8 (byte 0x00"},
    {"cut_utf8", "<a:Envelope xmlns:a=\"" S12 "\"><a:Body>\xE2\x82", 1, "invalid UTF-8 (byte 0xE2"},
};

static void run_xml_case(void **state)
{
    const xml_case *tc = *state;
    char x[1024];
    size_t len;
    if (!tc->body) { /* a NUL inside a value */
        len = (size_t)snprintf(x, sizeof x, BODY_OPEN "<b:X>a_b</b:X>" BODY_CLOSE);
        *strchr(x, '_') = '\0';
    } else if (tc->whole) {
        len = (size_t)snprintf(x, sizeof x, "%s", tc->body);
    } else {
        len = (size_t)snprintf(x, sizeof x, BODY_OPEN "%s" BODY_CLOSE, tc->body);
    }
    soap_msg m;
    char err[256];
    assert_int_equal(soap_decode(x, len, &m, err, sizeof err), -1);
    if (!strstr(err, tc->err_has))
        print_message("error was: %s\n", err);
    assert_non_null(strstr(err, tc->err_has));
    assert_true(g_utf8_validate(err, -1, NULL));
    soap_msg_clear(&m);
}

/* Every prefix of a message fails cleanly (and keeps what came before the
 * cut); 64 levels of elements are allowed, 65 are not; 1000 attributes
 * are, 1001 are not; a long name is cut in messages on a character. */
static void scan_limits(void **state)
{
    (void)state;
    static const char msg[] = BODY_OPEN "<x:R xmlns:x=\"urn:x\"><x:A>1</x:A></x:R>" BODY_CLOSE;
    for (size_t n = 1; n < sizeof msg - 1; n++) {
        soap_msg m;
        char err[256];
        assert_int_equal(soap_decode(msg, n, &m, err, sizeof err), -1);
        assert_true(err[0] != '\0');
        soap_msg_clear(&m);
    }

    for (int depth = 64; depth <= 65; depth++) {
        GString *x = g_string_new(BODY_OPEN);
        for (int i = 2; i < depth; i++)
            g_string_append(x, "<d>");
        for (int i = 2; i < depth; i++)
            g_string_append(x, "</d>");
        g_string_append(x, BODY_CLOSE);
        soap_msg m;
        char err[256];
        int rc = soap_decode(x->str, x->len, &m, err, sizeof err);
        if (depth == 64)
            assert_int_equal(rc, 0);
        else
            assert_non_null(strstr(err, "element nesting deeper than 64 at line 1"));
        soap_msg_clear(&m);
        g_string_free(x, TRUE);
    }

    for (int n = 1000; n <= 1001; n++) {
        GString *x = g_string_new(BODY_OPEN "<b:R><b:X");
        for (int i = 0; i < n; i++)
            g_string_append_printf(x, " a%d='%d'", i, i);
        g_string_append(x, ">v</b:X></b:R>" BODY_CLOSE);
        soap_msg m;
        char err[256];
        int rc = soap_decode(x->str, x->len, &m, err, sizeof err);
        if (n == 1000) {
            assert_int_equal(rc, 0);
            assert_string_equal(soap_field(&m, "X"), "v");
        } else {
            assert_non_null(strstr(err, "more than 1000 attributes in <b:X>"));
        }
        soap_msg_clear(&m);
        g_string_free(x, TRUE);
    }

    GString *x = g_string_new(BODY_OPEN "<b:");
    for (int i = 0; i < 40; i++)
        g_string_append(x, "\xC3\xA9"); /* é */
    g_string_append(x, "></b:X>" BODY_CLOSE);
    soap_msg m;
    char err[256];
    assert_int_equal(soap_decode(x->str, x->len, &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "end tag </b:X> where </b:"));
    assert_true(g_utf8_validate(err, -1, NULL));
    soap_msg_clear(&m);
    g_string_free(x, TRUE);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Mutated messages (bytes replaced, cut short): decoding must fail or
 * succeed cleanly, never crash or leak (ASan builds check). Seeded. */
static void mutations(void **state)
{
    (void)state;
    static const char *const msgs[] = {
        get_general_abc,        get_general_renamed,
        get_general_default_ns, enumerate_response,
        pull_response,          fault_destination_unreachable,
        fault_access_denied,    method_response_invalid_cert,
        eoi_core_version,       eoi_fault,
        identify_response,      get_request_selectors,
    };
    static const char pool[] = "<>/:=\"'& \nax\x80;#";
    GRand *rng = g_rand_new_with_seed(4242);
    int failed = 0, passed = 0;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < N(msgs); i++) {
            char *x = g_strdup(msgs[i]);
            size_t len = strlen(x);
            for (int f = g_rand_int_range(rng, 1, 4); f > 0; f--)
                x[g_rand_int_range(rng, 0, (gint32)len)] =
                    pool[g_rand_int_range(rng, 0, (gint32)sizeof pool - 1)];
            if (g_rand_int_range(rng, 0, 4) == 0)
                len = (size_t)g_rand_int_range(rng, 0, (gint32)len);
            soap_msg m;
            char err[256];
            int rc = soap_decode(x, len, &m, err, sizeof err);
            if (rc == 0) {
                assert_string_equal(err, "");
                passed++;
            } else {
                assert_int_equal(rc, -1);
                assert_true(err[0] != '\0');
                failed++;
            }
            soap_msg_clear(&m);
            g_free(x);
        }
    }
    g_rand_free(rng);
    assert_true(failed > 0 && passed > 0);
}

int main(void)
{
    static struct CMUnitTest tests[N(fault_cases) + N(bad_cases) + N(xml_cases) + 20];
    size_t n = 0;
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(get_response),
        cmocka_unit_test(prefixes_do_not_matter),
        cmocka_unit_test(enumerate_and_pull),
        cmocka_unit_test(method_responses),
        cmocka_unit_test(eoi),
        cmocka_unit_test(identify),
        cmocka_unit_test(requests),
        cmocka_unit_test(limits_in_content),
        cmocka_unit_test(hostile_inputs),
        cmocka_unit_test(mutations),
        cmocka_unit_test(namespace_scopes),
        cmocka_unit_test(text_and_values),
        cmocka_unit_test(scan_limits),
    };
    for (size_t i = 0; i < N(fixed); i++)
        tests[n++] = fixed[i];
    for (size_t i = 0; i < N(fault_cases); i++)
        tests[n++] = (struct CMUnitTest){fault_cases[i].name, run_fault_case, NULL, NULL,
                                         (void *)&fault_cases[i]};
    for (size_t i = 0; i < N(bad_cases); i++)
        tests[n++] =
            (struct CMUnitTest){bad_cases[i].name, run_bad_case, NULL, NULL, (void *)&bad_cases[i]};
    for (size_t i = 0; i < N(xml_cases); i++)
        tests[n++] =
            (struct CMUnitTest){xml_cases[i].name, run_xml_case, NULL, NULL, (void *)&xml_cases[i]};
    return _cmocka_run_group_tests("soap", tests, n, NULL, NULL);
}
