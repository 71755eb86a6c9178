/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SOAP calls on an AMT conversation: each request paired with its response
 * (WS-Addressing MessageID/RelatesTo, else HTTP order for EOI), and each
 * response judged by lib's WS-Man rules. Shared by WS-Man and EOI. */
#ifndef SOAP_EXCHANGE_H
#define SOAP_EXCHANGE_H

#include <epan/packet.h>

#include "amtdiag/soap.h"
#include "iamt-diag.h"

/* A SOAP request (file scope). */
typedef struct soap_call {
    guint32 frame;
    nstime_t ts;
    const char *action_name, *class_name; /* WS-Man: "Get", "AMT_GeneralSettings" */
    const char *eoi_service, *eoi_method; /* EOI: "SecurityAdministration", "GetCoreVersion" */
    const char *method, *uri;             /* its HTTP request line */
    guint32 response_frame;               /* 0: not answered (yet) */
} soap_call;

/* What the first pass decided about one SOAP message (file scope). */
typedef struct soap_memo {
    soap_call *call; /* a request: itself; a response: its request, NULL unknown */
    int is_response;
    guint status;           /* a response's HTTP status code */
    iamt_findings findings; /* a response: lib's verdict (stage "wsman") */
} soap_memo;

/* The HTTP facts around a SOAP body. */
typedef struct soap_http {
    int is_response;
    guint status;             /* a response's status code */
    const char *method, *uri; /* a request's line */
} soap_http;

/* Pairs m with its request or response in this conversation on the first
 * pass, judges a response, and returns the memo (read back on later
 * passes, which do not read http). proto keys the conversation and
 * per-packet data. */
const soap_memo *soap_exchange_track(packet_info *pinfo, int proto, const soap_msg *m,
                                     const soap_http *http);

/* "Get AMT_GeneralSettings", "SecurityAdministration.GetCoreVersion". */
const char *soap_call_name(wmem_allocator_t *scope, const soap_call *c);

/* Adds the request/response links of memo to tree: the response frame on
 * a request (known once the response was seen: on a later pass), the
 * request frame and the response time on a response. */
void soap_exchange_add_links(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                             const soap_memo *memo, int hf_response_in, int hf_request_in,
                             int hf_time);

#endif
