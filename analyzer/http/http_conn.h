/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A streaming HTTP/1.1 parser for one TCP connection, both directions:
 * the reassembled byte streams go in as they arrive, paired request /
 * response exchanges come out through a callback. Framing per RFC 7230
 * 3.3.3: Content-Length, chunked (extensions, trailers), body until close,
 * 1xx interim responses, HEAD / 204 / 304 without body, keep-alive and
 * pipelining (responses are paired with requests in order). Bounded: heads
 * up to 64 KiB, bodies up to 4 MiB kept (the rest is counted and skipped). */
#ifndef AMTDIAG_HTTP_CONN_H
#define AMTDIAG_HTTP_CONN_H

#include <stddef.h>
#include <stdint.h>
#include "http/http_parse.h"

#define HTTP_DIR_REQUEST 0  /* client to server */
#define HTTP_DIR_RESPONSE 1 /* server to client */

#define HTTP_DEFAULT_MAX_HEAD (64u * 1024)
/* As much as the SOAP decoder reads (lib's SOAP_MAX_INPUT): a body kept
 * beyond it would only be copied, never read. */
#define HTTP_DEFAULT_MAX_BODY (4u * 1024 * 1024)

/* Bits of http_message.flags. */
enum {
    HTTP_MSG_CHUNKED = 1u << 0,        /* Transfer-Encoding: chunked */
    HTTP_MSG_UNTIL_CLOSE = 1u << 1,    /* a response body delimited by the close */
    HTTP_MSG_BODY_TRUNCATED = 1u << 2, /* the body exceeded the limit: only a prefix is kept */
    HTTP_MSG_GAP = 1u << 3,            /* the stream had a hole inside this message */
    HTTP_MSG_MALFORMED = 1u << 4,      /* the body framing was broken (see on_error) */
    HTTP_MSG_CLOSED_EARLY = 1u << 5,   /* the connection ended inside the message */
    HTTP_MSG_CONN_CLOSE = 1u << 6      /* "Connection: close" was present */
};

/* One request or response. Every pointer in it points into storage of the
 * parser and is valid only during the on_exchange call. */
typedef struct http_message {
    int present;  /* 0: there is no such message in this exchange */
    int complete; /* 1: it ended where its framing said */
    unsigned flags;
    /* request line (requests) */
    http_str method;
    http_str target;
    /* status line (responses) */
    int status;
    http_str reason;
    int minor_version; /* HTTP/1.x */
    const http_header *headers;
    size_t n_headers;
    const http_header *trailers; /* after a chunked body */
    size_t n_trailers;
    /* the first occurrence of the headers every layer above asks for;
     * ptr NULL when absent */
    http_str authorization;
    http_str www_authenticate;
    http_str content_type;
    http_str server;
    http_str date;
    http_str connection;
    http_str host;
    http_str content_length;
    http_str transfer_encoding;
    /* the body, de-chunked */
    const unsigned char *body;
    size_t body_len;
    uint64_t body_total; /* bytes of body seen, including any not kept */
    /* frames: first_frame of the feed holding the message's first byte,
     * last_frame of the feed holding its last byte */
    uint32_t first_frame;
    uint32_t last_frame;
} http_message;

typedef struct http_exchange {
    unsigned seq;         /* 0, 1, ... in the order they are delivered */
    http_message request; /* request.present 0: a response without a request seen */
    http_message response;
    unsigned n_interim; /* 1xx responses before the final one */
    int interim_status; /* the last of them (e.g. 100) */
    uint32_t interim_frame;
} http_exchange;

typedef struct http_callbacks {
    /* A request with its response, a request that got none (at the end or
     * the close), or a response to a request not seen. */
    void (*on_exchange)(void *ctx, const http_exchange *x);
    /* A malformed message in direction dir, seen in the feed starting at
     * frame; the parser resynchronises after it. */
    void (*on_error)(void *ctx, int dir, uint32_t frame, const char *reason);
} http_callbacks;

typedef struct http_conn http_conn;

/* A parser for one connection. The callbacks are copied; ctx is passed
 * to them. Either callback may be NULL. */
http_conn *http_conn_new(const http_callbacks *cb, void *ctx);

/* Changes the head and body limits (0 keeps the current one). For tests
 * and callers with tighter memory budgets. */
void http_conn_set_limits(http_conn *c, size_t max_head, size_t max_body);

/* Feeds the next len bytes of direction dir (HTTP_DIR_REQUEST or
 * HTTP_DIR_RESPONSE), which came in frames first_frame..last_frame. The
 * caller keeps its buffer: what is needed is copied. */
void http_conn_feed(http_conn *c, int dir, const void *data, size_t len, uint32_t first_frame,
                    uint32_t last_frame);

/* A hole in direction dir: the message under way is delivered as far as
 * it got (flag HTTP_MSG_GAP), and the parser skips to the next line that
 * looks like a request / status line. A message whose head was cut is
 * delivered as a stand-in with HTTP_MSG_GAP, an empty method and target
 * or status 0, so that later responses still pair with their requests (a
 * stand-in response with no request to answer is dropped). */
void http_conn_gap(http_conn *c, int dir);

/* The connection ended: a body until close ends here, unfinished messages
 * are delivered as they are, then requests still waiting for a response.
 * Later feeds are ignored. */
void http_conn_end(http_conn *c);

/* Frees the parser (without delivering anything still pending). */
void http_conn_free(http_conn *c);

/* Iterates over the fields called name (case-insensitive): start with
 * *iter = 0; returns NULL when there are no more. */
const http_header *http_message_header(const http_message *m, const char *name, size_t *iter);

#endif
