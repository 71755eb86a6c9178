/* SPDX-License-Identifier: GPL-2.0-or-later */
/* console_http: the management console's HTTP client — Digest login the
 * way AMT consoles do it, and the WS-Man / EOI request envelopes. */
#ifndef AMTSIM_CONSOLE_HTTP_H
#define AMTSIM_CONSOLE_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include "simio.h"

typedef struct console_http console_http;

typedef struct http_response {
    int status;             /* 0 when no response arrived */
    int conn_close;         /* the response said Connection: close */
    char *www_authenticate; /* malloc'd header value, or NULL */
    char *content_type;     /* malloc'd, or NULL */
    char *body;             /* malloc'd, de-chunked, NUL-terminated, or NULL */
    size_t body_len;
} http_response;

void http_response_clear(http_response *r);

/* host is the Host header value ("amt.example.com:16993"). seed makes the
 * cnonces reproducible. */
console_http *console_http_new(const char *user, const char *password, const char *host,
                               uint32_t seed);
void console_http_free(console_http *c);

/* Test behaviours of a console. */
typedef enum {
    CONSOLE_NORMAL,
    CONSOLE_EMPTY_RESPONSE, /* response="" (CVE-2017-5689 probe) */
    CONSOLE_REUSE_NONCE,    /* answers the next challenge with the previous, older nonce */
} console_mode;
void console_http_set_mode(console_http *c, console_mode m);

/* Sends one request (method, uri, content type, body; Content-Length
 * framing) with an Authorization: Digest header computed from the last
 * challenge seen (qop=auth, MD5, nc counting up per nonce), or none if no
 * challenge has been seen. Reads the response (Content-Length, chunked, or
 * until close). A 401's challenge is remembered for the next request, on
 * any connection. Returns 0 when a response was read, -1 otherwise. */
int console_http_exchange(console_http *c, simio *io, const char *method, const char *uri,
                          const char *content_type, const char *body, http_response *out);

/* WS-Man request envelopes (SOAP 1.2, To /wsman, MessageID counting up),
 * malloc'd. cls is a class name such as "AMT_GeneralSettings"; the
 * resource URI prefix (AMT, CIM or IPS) is chosen from it. */
char *wsman_identify(void);
char *wsman_get(console_http *c, const char *cls);
char *wsman_put(console_http *c, const char *cls, const char *instance_xml);
char *wsman_enumerate(console_http *c, const char *cls);
char *wsman_pull(console_http *c, const char *cls, const char *context);
char *wsman_invoke(console_http *c, const char *cls, const char *method, const char *input_xml);

/* EOI SOAP 1.1 request for service (e.g. "SecurityAdministrationService")
 * and method (e.g. "GetCoreVersion"), malloc'd; the URL path is "/" service. */
char *eoi_request(const char *service, const char *method, const char *args_xml);

#endif
