/* SPDX-License-Identifier: GPL-2.0-or-later */
/* WS-Management (DMTF DSP0226) response envelopes as AMT writes them: one
 * line, no whitespace, namespace prefixes assigned per message layout. */
#include "wsman_msgs.h"

#include <inttypes.h>
#include <string.h>

#define WSMAN_FAULT_ACTION "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
#define WSA_FAULT_ACTION NS_WSA "/fault"

static const struct {
    const char *cls_prefix, *uri;
} class_prefixes[] = {
    {"AMT_", WSM_URI_AMT},
    {"CIM_", WSM_URI_CIM},
    {"IPS_", WSM_URI_IPS},
};

const char *wsm_class_uri_prefix(const char *cls)
{
    for (size_t i = 0; cls && i < G_N_ELEMENTS(class_prefixes); i++)
        if (g_str_has_prefix(cls, class_prefixes[i].cls_prefix))
            return class_prefixes[i].uri;
    return NULL;
}

char *wsm_resource_uri(const char *cls)
{
    const char *prefix = wsm_class_uri_prefix(cls);
    return prefix ? g_strconcat(prefix, cls, NULL) : NULL;
}

const char *wsm_class_from_uri(const char *uri)
{
    for (size_t i = 0; uri && i < G_N_ELEMENTS(class_prefixes); i++) {
        if (!g_str_has_prefix(uri, class_prefixes[i].uri))
            continue;
        const char *cls = uri + strlen(class_prefixes[i].uri);
        if (!g_str_has_prefix(cls, class_prefixes[i].cls_prefix) || strchr(cls, '/'))
            return NULL;
        return cls;
    }
    return NULL;
}

void wsm_text_elem(GString *out, const char *prefix, const char *name, const char *text)
{
    char *esc = g_markup_escape_text(text ? text : "", -1);
    g_string_append_printf(out, "<%s:%s>%s</%s:%s>", prefix, name, esc, prefix, name);
    g_free(esc);
}

static void decl(GString *out, const char *prefix, const char *uri)
{
    g_string_append_printf(out, " xmlns:%s=\"%s\"", prefix, uri);
}

void wsm_begin(wsm_writer *w, GString *out, wsm_env_kind kind, const char *class_ns,
               const char *action, const char *relates_to, uint64_t message_id,
               const char *resource_uri)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->soap = "a";
    w->wsa = "b";
    g_string_append(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a:Envelope");
    switch (kind) {
    case WSM_ENV_FAULT:
        /* AMT declares these in reverse order in its faults */
        w->wsman = "e";
        w->wxf = "d";
        w->wsen = "c";
        decl(out, "g", NS_WSMB);
        decl(out, "f", NS_WSE);
        decl(out, "e", NS_WSMAN);
        decl(out, "d", NS_WXF);
        decl(out, "c", NS_WSEN);
        decl(out, "b", NS_WSA);
        decl(out, "a", NS_SOAP12);
        decl(out, "h", NS_TRUST);
        decl(out, "i", NS_WSSE);
        break;
    case WSM_ENV_RESOURCE:
    case WSM_ENV_ENUMERATION:
        w->wsman = "c";
        decl(out, "a", NS_SOAP12);
        decl(out, "b", NS_WSA);
        decl(out, "c", NS_WSMAN);
        decl(out, "d", NS_TRUST);
        decl(out, "e", NS_WSSE);
        decl(out, "f", NS_WSMB);
        if (kind == WSM_ENV_ENUMERATION) {
            w->wsen = "g";
            decl(out, "g", NS_WSEN);
            if (class_ns) {
                w->cls = "h";
                decl(out, "h", class_ns);
            }
        } else if (class_ns) {
            w->cls = "g";
            decl(out, "g", class_ns);
        }
        break;
    }
    decl(out, "xsi", NS_XSI);
    g_string_append(out, "><a:Header>");
    wsm_text_elem(out, "b", "To", WSA_ANONYMOUS);
    wsm_text_elem(out, "b", "RelatesTo", relates_to);
    char *act = g_markup_escape_text(action, -1);
    g_string_append_printf(out, "<b:Action a:mustUnderstand=\"true\">%s</b:Action>", act);
    g_free(act);
    /* AMT's MessageIDs: a fixed uuid prefix and a 48-bit hex counter */
    g_string_append_printf(out,
                           "<b:MessageID>uuid:00000000-8086-8086-8086-%012" PRIX64 "</b:MessageID>",
                           message_id & UINT64_C(0xFFFFFFFFFFFF));
    if (resource_uri)
        wsm_text_elem(out, w->wsman, "ResourceURI", resource_uri);
    g_string_append(out, "</a:Header><a:Body>");
}

void wsm_end(wsm_writer *w)
{
    g_string_append(w->out, "</a:Body></a:Envelope>");
}

typedef enum { NS_KIND_WSA, NS_KIND_WSMAN, NS_KIND_WSEN, NS_KIND_WXF } ns_kind;

static const struct {
    ns_kind ns;
    const char *subcode;
    int receiver; /* Code is a:Receiver, else a:Sender */
    const char *reason;
} faults[] = {
    [WSM_FAULT_ACCESS_DENIED] = {NS_KIND_WSMAN, "AccessDenied", 0,
                                 "The sender was not authorized to access the resource."},
    [WSM_FAULT_ACTION_NOT_SUPPORTED] = {NS_KIND_WSA, "ActionNotSupported", 0,
                                        "The action is not supported by the service."},
    [WSM_FAULT_DESTINATION_UNREACHABLE] = {NS_KIND_WSA, "DestinationUnreachable", 0,
                                           "No route can be determined to reach the destination "
                                           "role defined by the WSAddressing To."},
    [WSM_FAULT_INVALID_ENUMERATION_CONTEXT] = {NS_KIND_WSEN, "InvalidEnumerationContext", 1,
                                               "The supplied enumeration context is invalid."},
    [WSM_FAULT_INVALID_REPRESENTATION] = {NS_KIND_WXF, "InvalidRepresentation", 0,
                                          "The XML content was invalid."},
    [WSM_FAULT_INVALID_SELECTORS] = {NS_KIND_WSMAN, "InvalidSelectors", 0,
                                     "The Selectors for the resource were not valid."},
    [WSM_FAULT_HEADER_REQUIRED] = {NS_KIND_WSA, "MessageInformationHeaderRequired", 0,
                                   "A required header representing a Message Addressing "
                                   "Property is not present."},
    [WSM_FAULT_SCHEMA_VALIDATION] = {NS_KIND_WSMAN, "SchemaValidationError", 0,
                                     "The supplied SOAP violates the corresponding XML Schema "
                                     "definition."},
};

void wsm_write_fault(GString *out, wsm_fault f, const char *relates_to, uint64_t message_id)
{
    wsm_writer w;
    /* faults whose subcode is a WS-Addressing one carry WS-Addressing's
     * fault action; the others carry WS-Management's */
    const char *action = faults[f].ns == NS_KIND_WSMAN ? WSMAN_FAULT_ACTION : WSA_FAULT_ACTION;
    wsm_begin(&w, out, WSM_ENV_FAULT, NULL, action, relates_to, message_id, NULL);
    const char *sub_prefix = faults[f].ns == NS_KIND_WSA     ? w.wsa
                             : faults[f].ns == NS_KIND_WSMAN ? w.wsman
                             : faults[f].ns == NS_KIND_WSEN  ? w.wsen
                                                             : w.wxf;
    g_string_append_printf(out,
                           "<a:Fault><a:Code><a:Value>a:%s</a:Value><a:Subcode><a:Value>%s:%s"
                           "</a:Value></a:Subcode></a:Code><a:Reason><a:Text xml:lang=\"en-US\">"
                           "%s</a:Text></a:Reason><a:Detail></a:Detail></a:Fault>",
                           faults[f].receiver ? "Receiver" : "Sender", sub_prefix,
                           faults[f].subcode, faults[f].reason);
    wsm_end(&w);
}
