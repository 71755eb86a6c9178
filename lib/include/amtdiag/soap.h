/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decoding of the SOAP envelopes AMT exchanges: WS-Management (SOAP 1.2,
 * DMTF DSP0226) and the legacy EOI services (SOAP 1.1). Elements are
 * matched by namespace URI, never by prefix: AMT assigns prefixes per
 * message layout. */
#ifndef AMTDIAG_SOAP_H
#define AMTDIAG_SOAP_H

#include <stddef.h>
#include <stdint.h>

/* Namespaces the decoder recognises. */
#define SOAP_NS_SOAP12 "http://www.w3.org/2003/05/soap-envelope"
#define SOAP_NS_SOAP11 "http://schemas.xmlsoap.org/soap/envelope/"
#define SOAP_NS_WSA "http://schemas.xmlsoap.org/ws/2004/08/addressing"
#define SOAP_NS_WSMAN "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
#define SOAP_NS_WSEN "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
#define SOAP_NS_WXF "http://schemas.xmlsoap.org/ws/2004/09/transfer"
#define SOAP_NS_WSE "http://schemas.xmlsoap.org/ws/2004/08/eventing"
#define SOAP_NS_WSMID "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"
#define SOAP_NS_EOI_BASE "http://schemas.intel.com/platform/client/"

/* Limits applied while decoding. */
#define SOAP_MAX_INPUT (4u * 1024 * 1024)
#define SOAP_MAX_DEPTH 64
#define SOAP_MAX_ELEMENTS 100000
#define SOAP_MAX_TEXT 1024 /* longer text values are cut (truncated is set) */
#define SOAP_MAX_FIELDS 64 /* body fields, and fields per item */
#define SOAP_MAX_ITEMS 16  /* PullResponse items kept */
#define SOAP_MAX_SELECTORS 32

typedef enum { SOAP_VERSION_UNKNOWN, SOAP_VERSION_11, SOAP_VERSION_12 } soap_version;

typedef enum {
    SOAP_KIND_UNKNOWN, /* not (yet) recognised */
    SOAP_KIND_WSMAN,   /* SOAP 1.2 envelope (WS-Man, Identify) */
    SOAP_KIND_EOI,     /* SOAP 1.1 with a body in an EOI service namespace */
    SOAP_KIND_SOAP11   /* another SOAP 1.1 message (e.g. an EOI fault) */
} soap_kind;

/* A name/value pair (selector, field). */
typedef struct soap_pair {
    const char *name;
    const char *value;
} soap_pair;

/* A QName written as element text ("b:DestinationUnreachable"), resolved
 * against the namespace declarations in scope there. ns is NULL when the
 * prefix is not declared; raw is the text as written. */
typedef struct soap_qname {
    const char *ns;
    const char *local;
    const char *raw;
} soap_qname;

/* One instance of a PullResponse: its element (class) name and fields. */
typedef struct soap_item {
    const char *class_name; /* local name, e.g. "AMT_TLSSettingData" */
    const char *ns;
    soap_pair *fields;
    size_t n_fields;
    size_t n_fields_total; /* including those beyond SOAP_MAX_FIELDS */
} soap_item;

/* A decoded message. Every string lives in storage owned by the struct
 * (freed by soap_msg_clear); absent strings are NULL. */
typedef struct soap_msg {
    soap_version version;
    soap_kind kind;

    /* WS-Addressing and WS-Management headers */
    const char *action;
    const char *action_name; /* "Get", "PullResponse", "CommitChanges", "fault", "Identify"... */
    const char *to;
    const char *resource_uri;
    const char *resource_class; /* "AMT_GeneralSettings" (from ResourceURI, else Action) */
    const char *message_id;
    const char *relates_to;
    const char *operation_timeout;
    soap_pair *selectors;
    size_t n_selectors;

    /* WS-Enumeration */
    const char *enumeration_context; /* EnumerateResponse, Pull, PullResponse */
    int end_of_sequence;

    /* the body's first element and its child elements' direct text */
    const char *body_ns;
    const char *body_name; /* local name: "AMT_GeneralSettings", "CommitChanges_OUTPUT" */
    soap_pair *fields;
    size_t n_fields;
    size_t n_fields_total;

    /* a class method's ReturnValue (PT_STATUS for AMT_ classes) */
    int has_return_value;
    uint32_t return_value;
    const char *return_value_name; /* amt_status_name(), NULL if unknown */

    /* a SOAP Fault (1.2: Code/Subcode/Reason/Detail; 1.1: faultcode/faultstring/detail) */
    int is_fault;
    soap_qname fault_code;
    soap_qname fault_subcode;
    const char *fault_reason;
    const char *fault_detail; /* all text inside Detail */

    /* DSP0217 IdentifyResponse */
    const char *protocol_version;
    const char *product_vendor;
    const char *product_version;

    /* PullResponse items */
    soap_item *items;
    size_t n_items;
    size_t n_items_total;

    /* EOI (SOAP 1.1) */
    const char *eoi_service; /* "SecurityAdministration" */
    const char *eoi_method;  /* body element: "GetCoreVersion", "GetCoreVersionResponse" */
    int eoi_is_response;
    int has_status_code;
    uint32_t status_code;
    const char *status_name; /* amt_status_name(), NULL if unknown */

    int truncated; /* some text, field, item or selector was cut or left out */

    void *store_; /* private: the storage behind the strings */
} soap_msg;

/* Decodes the SOAP envelope in xml[0..len) into *out (which it
 * initialises; release it with soap_msg_clear even on failure). Returns 0,
 * or -1 with a description of what is malformed in err (e.g. "XML error at
 * line 3: ...", "element nesting deeper than 64 at line 70"); what was
 * decoded before the problem is kept in *out. err may be NULL. */
int soap_decode(const char *xml, size_t len, soap_msg *out, char *err, size_t errlen);

/* Frees what soap_decode allocated and zeroes *msg. */
void soap_msg_clear(soap_msg *msg);

/* The value of the body field called name (local name), or NULL. */
const char *soap_field(const soap_msg *msg, const char *name);

/* The value of field name in item i of a PullResponse, or NULL. */
const char *soap_item_field(const soap_msg *msg, size_t i, const char *name);

/* The value of the selector called name, or NULL. */
const char *soap_selector(const soap_msg *msg, const char *name);

#endif
