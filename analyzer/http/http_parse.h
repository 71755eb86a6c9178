/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HTTP/1.1 message-head parsing without copies (RFC 7230 section 3): the
 * request line, the status line, header fields and chunk-size lines. The
 * results are views into the caller's buffer; nothing is allocated. */
#ifndef AMTDIAG_HTTP_PARSE_H
#define AMTDIAG_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* A view of len bytes at ptr (not NUL-terminated); ptr NULL = absent. */
typedef struct http_str {
    const char *ptr;
    size_t len;
} http_str;

/* One header field. value is trimmed of surrounding whitespace; a value
 * continued on folded lines (obs-fold) spans them, line breaks included. */
typedef struct http_header {
    http_str name;
    http_str value;
} http_header;

/* Results of the head parsers: bytes consumed (> 0), or one of these. */
#define HTTP_PARSE_ERROR (-1)
#define HTTP_PARSE_PARTIAL (-2)

/* Parses a request head (request line, fields, empty line) at buf[0..len).
 * headers has room for *num_headers entries; on return *num_headers is how
 * many were filled. Returns the head's length, HTTP_PARSE_PARTIAL when the
 * empty line has not arrived, or HTTP_PARSE_ERROR with *why saying what is
 * wrong ("malformed request line", "too many header fields", ...). */
long http_parse_request(const char *buf, size_t len, http_str *method, http_str *target,
                        int *minor_version, http_header *headers, size_t *num_headers,
                        const char **why);

/* Parses a response head; as http_parse_request. */
long http_parse_response(const char *buf, size_t len, int *minor_version, int *status,
                         http_str *reason, http_header *headers, size_t *num_headers,
                         const char **why);

/* Parses header fields up to and including the empty line (for chunked
 * trailers); as http_parse_request without the first line. */
long http_parse_fields(const char *buf, size_t len, http_header *headers, size_t *num_headers,
                       const char **why);

/* Whether line[0..len) (without its line break) is a well-formed request
 * line / status line: used to find the next message after a gap. */
int http_is_request_line(const char *line, size_t len);
int http_is_status_line(const char *line, size_t len);

/* Parses a chunk-size line (without its line break): hex digits, optional
 * whitespace and ";extension"s. Returns 0, or -1 with *why set. */
int http_parse_chunk_size(const char *line, size_t len, uint64_t *size, const char **why);

/* Parses a Content-Length value; a list of equal values ("5, 5") is taken
 * as one (RFC 7230 3.3.2). Returns 0 or -1. */
int http_parse_content_length(http_str value, uint64_t *out);

/* Whether s equals lit, ignoring ASCII case. */
int http_str_ieq(http_str s, const char *lit);

/* Whether the comma-separated list s contains token (ignoring case). */
int http_list_has(http_str s, const char *token);

/* Whether the last element of the comma-separated list s is token. */
int http_list_last_is(http_str s, const char *token);

#endif
