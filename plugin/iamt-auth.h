/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The HTTP login to AMT as iamt.auth.* fields: Digest challenges and
 * credentials, the outcome of each login, and lib's verdict on a refused
 * one as expert info. */
#ifndef IAMT_AUTH_H
#define IAMT_AUTH_H

#include <epan/packet.h>
#include <epan/prefs.h>

/* What the iamt postdissector read from one HTTP message's fields. Strings
 * are packet scope, bounded and valid UTF-8; NULL when absent. */
typedef struct iamt_http_msg {
    unsigned ordinal;   /* of the HTTP message in its frame: 0, 1... */
    int is_request;     /* else a response */
    const char *method; /* request line */
    const char *uri;    /* request line */
    guint status;       /* response status code */
    guint32 request_in; /* a response's request frame (http.request_in), 0 unknown */
    const char *authorization;
    const char *www_authenticate; /* several headers joined with ", " */
    const char *date;             /* a response's Date header: AMT's clock */
} iamt_http_msg;

/* Registers the iamt.auth fields, the login causes' expert items and the
 * passwords table (as a preference of m). */
void iamt_auth_register(int proto, module_t *m);

/* Gives the iamt subtree of the message, creating it on first use, so
 * that messages with nothing to show get no empty iamt item. */
typedef proto_tree *(*iamt_tree_fn)(void *ctx);

/* What the first pass decided about one message's login (file scope). */
typedef struct iamt_auth_view iamt_auth_view;

/* First pass only: follows the login through msg, a message of an AMT
 * conversation (the challenge, credentials and outcome are capture-wide
 * state), and returns what the message shows, or NULL when nothing. */
const iamt_auth_view *iamt_auth_track(packet_info *pinfo, const iamt_http_msg *msg);

/* Every pass: adds view's login items and expert infos to the tree
 * tree_of(ctx) gives, and its sentence to the Info column. Needs nothing
 * from the tree, which a later pass may not build. */
void iamt_auth_show(tvbuff_t *tvb, packet_info *pinfo, iamt_tree_fn tree_of, void *ctx,
                    const iamt_auth_view *view);

#endif
