/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amt_service: the fake AMT's SOAP services behind its HTTP server —
 * WS-Management at /wsman (amt_wsman.c) and the legacy EOI SOAP 1.1
 * services (amt_eoi.c). They turn a request body into a reply body and a
 * status; amt_http does the login, the framing and the headers. */
#ifndef AMTSIM_AMT_SERVICE_H
#define AMTSIM_AMT_SERVICE_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "amt_http.h"
#include "amt_model.h"

typedef struct amt_reply {
    int status;               /* 200, 400 (WS-Man fault), 500 (SOAP 1.1 fault) */
    const char *content_type; /* static string */
    GString *body;
    int close; /* answer with Connection: close and end the connection */
} amt_reply;

void amt_reply_clear(amt_reply *r);

/* Non-zero when body is a WS-Management Identify request, which AMT
 * answers without a login. */
int amt_wsman_is_identify(const char *body, size_t len);

/* Answers a POST to /wsman by user (NULL only for Identify). */
void amt_wsman_handle(amt_model *m, const amt_user *user, const char *body, size_t len,
                      int64_t capture_s, amt_reply *out);

/* Non-zero when path is one of the EOI service URLs this device serves. */
int amt_eoi_is_service(const char *path);

/* Answers a POST to an EOI service path. */
void amt_eoi_handle(amt_model *m, const char *path, const char *body, size_t len, amt_reply *out);

#endif
