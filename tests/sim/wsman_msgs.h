/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wsman_msgs: WS-Management vocabulary (namespaces, actions, class resource
 * URIs) and the writer of response envelopes in AMT's own shape — its
 * namespace prefix layouts, uuid:00000000-8086-… MessageIDs and faults. */
#ifndef AMTSIM_WSMAN_MSGS_H
#define AMTSIM_WSMAN_MSGS_H

#include <stdint.h>
#include <glib.h>

#define NS_SOAP12 "http://www.w3.org/2003/05/soap-envelope"
#define NS_SOAP11 "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_SOAP11_ENC "http://schemas.xmlsoap.org/soap/encoding/"
#define NS_WSA "http://schemas.xmlsoap.org/ws/2004/08/addressing"
#define NS_WSMAN "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
#define NS_WSEN "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
#define NS_WXF "http://schemas.xmlsoap.org/ws/2004/09/transfer"
#define NS_WSE "http://schemas.xmlsoap.org/ws/2004/08/eventing"
#define NS_WSMB "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd"
#define NS_TRUST "http://schemas.xmlsoap.org/ws/2005/02/trust"
#define NS_WSSE "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define NS_WSMID "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define NS_XSD "http://www.w3.org/2001/XMLSchema"

#define WSA_ANONYMOUS NS_WSA "/role/anonymous"

#define WSM_ACTION_GET NS_WXF "/Get"
#define WSM_ACTION_PUT NS_WXF "/Put"
#define WSM_ACTION_ENUMERATE NS_WSEN "/Enumerate"
#define WSM_ACTION_PULL NS_WSEN "/Pull"
#define WSM_ACTION_RELEASE NS_WSEN "/Release"

#define WSM_URI_AMT "http://intel.com/wbem/wscim/1/amt-schema/1/"
#define WSM_URI_CIM "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"
#define WSM_URI_IPS "http://intel.com/wbem/wscim/1/ips-schema/1/"

/* The resource URI prefix for a class by its name prefix (AMT_, CIM_,
 * IPS_), or NULL. */
const char *wsm_class_uri_prefix(const char *cls);
/* g_malloc'd resource URI of cls, or NULL for an unknown class prefix. */
char *wsm_resource_uri(const char *cls);
/* The class name inside a resource URI whose prefix matches the class's
 * own (".../amt-schema/1/AMT_X"), or NULL. Points into uri. */
const char *wsm_class_from_uri(const char *uri);

/* The namespace layouts AMT uses; prefixes differ between them. */
typedef enum {
    WSM_ENV_RESOURCE,    /* Get/Put/methods: a b c=wsman d e f g=class xsi */
    WSM_ENV_ENUMERATION, /* Enumerate/Pull: a b c=wsman d e f g=wsen h=class xsi */
    WSM_ENV_FAULT,       /* g f e=wsman d=wxf c=wsen b a h i xsi, reverse order */
} wsm_env_kind;

/* The prefixes the writer declared, for the caller's body elements. */
typedef struct wsm_writer {
    GString *out;
    const char *soap, *wsa, *wsman, *wsen, *wxf, *cls;
} wsm_writer;

/* Writes the XML declaration, the Envelope with its declarations, the
 * Header (To, RelatesTo, Action, MessageID, ResourceURI when non-NULL) and
 * opens the Body. class_ns may be NULL. */
void wsm_begin(wsm_writer *w, GString *out, wsm_env_kind kind, const char *class_ns,
               const char *action, const char *relates_to, uint64_t message_id,
               const char *resource_uri);
/* Closes the Body and the Envelope. */
void wsm_end(wsm_writer *w);

typedef enum {
    WSM_FAULT_ACCESS_DENIED,
    WSM_FAULT_ACTION_NOT_SUPPORTED,
    WSM_FAULT_DESTINATION_UNREACHABLE,
    WSM_FAULT_INVALID_ENUMERATION_CONTEXT,
    WSM_FAULT_INVALID_REPRESENTATION,
    WSM_FAULT_INVALID_SELECTORS,
    WSM_FAULT_HEADER_REQUIRED,
    WSM_FAULT_SCHEMA_VALIDATION,
} wsm_fault;

/* A complete fault envelope (AMT sends it with HTTP 400). */
void wsm_write_fault(GString *out, wsm_fault f, const char *relates_to, uint64_t message_id);

/* <p:name>escaped text</p:name> */
void wsm_text_elem(GString *out, const char *prefix, const char *name, const char *text);

#endif
