/* SPDX-License-Identifier: GPL-2.0-or-later */
/* http_io: HTTP/1.1 message framing over a simio byte stream — reading a
 * request or response head and its body (Content-Length, chunked, or until
 * close) within fixed bounds, and writing chunked bodies the way AMT does. */
#ifndef AMTSIM_HTTP_IO_H
#define AMTSIM_HTTP_IO_H

#include <stddef.h>
#include <stdint.h>
#include "simio.h"

#define HTTP_MAX_LINE 8192
#define HTTP_MAX_HEAD 32768
#define HTTP_MAX_HEADERS 64
#define HTTP_MAX_BODY (1024 * 1024)

/* Results of the readers. */
enum {
    HTTP_MSG_OK = 1,
    HTTP_MSG_EOF = 0,      /* orderly close before the first byte of a message */
    HTTP_MSG_EIO = -1,     /* read error, or the stream ended inside a message */
    HTTP_MSG_BAD = -2,     /* syntax error */
    HTTP_MSG_TOO_BIG = -3, /* a bound was exceeded */
};

/* Buffers reads of one connection; lives as long as the connection. */
typedef struct http_reader {
    simio *io;
    size_t max_head; /* bytes a head may have (0: HTTP_MAX_HEAD) */
    size_t pos, len;
    unsigned char buf[4096];
} http_reader;

void http_reader_init(http_reader *r, simio *io);

/* A parsed start line and header section; strings are owned. */
typedef struct http_head {
    char *method, *target; /* requests */
    int status;            /* responses */
    char *reason;          /* responses */
    int minor_version;     /* HTTP/1.x */
    unsigned n;
    char *name[HTTP_MAX_HEADERS];
    char *value[HTTP_MAX_HEADERS];
} http_head;

/* Reads a head. On HTTP_MSG_TOO_BIG a request's method and target are
 * kept (free them with http_head_clear); on other errors h is empty. */
int http_read_head(http_reader *r, int is_request, http_head *h);
void http_head_clear(http_head *h);
/* First value of a header (name case-insensitive), or NULL. */
const char *http_head_get(const http_head *h, const char *name);
/* Non-zero when a comma-separated header (Connection, Transfer-Encoding)
 * lists token, case-insensitively, in any of its occurrences. */
int http_head_has_token(const http_head *h, const char *name, const char *token);

typedef enum {
    HTTP_BODY_NONE,
    HTTP_BODY_LENGTH,
    HTTP_BODY_CHUNKED,
    HTTP_BODY_TO_CLOSE,
} http_body_kind;

/* How the body of h is delimited (RFC 7230 3.3.3). request_method is NULL
 * for a request head, or the method that a response head answers.
 * Returns HTTP_MSG_OK or HTTP_MSG_BAD (e.g. Content-Length together with
 * Transfer-Encoding in a request, or conflicting lengths). */
int http_body_framing(const http_head *h, const char *request_method, http_body_kind *kind,
                      uint64_t *length);

/* Reads the body into a malloc'd, NUL-terminated buffer of at most max
 * bytes (*body NULL when there is none). */
int http_read_body(http_reader *r, http_body_kind kind, uint64_t length, size_t max, char **body,
                   size_t *len);

/* Writes data chunked: the first chunk holds up to first bytes, the rest
 * up to chunk bytes each, sizes as four upper-case hex digits ("02FA");
 * each chunk is one write. Returns 0 or -1. */
int http_write_chunked(simio *io, const char *data, size_t len, size_t first, size_t chunk);

/* IMF-fixdate of RFC 7231 7.1.1.1: "Mon, 31 Jan 2022 10:23:04 GMT". */
void http_format_date(int64_t unix_s, char out[32]);

#endif
