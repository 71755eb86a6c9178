/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HTTP/1.1 head parsing: request line, status line, header fields (RFC
 * 7230 3.1-3.2), chunk-size lines (RFC 7230 4.1). All reads go through a
 * bounded cursor; results are views into the caller's buffer. Bare LF line
 * ends are accepted as well as CRLF (RFC 7230 3.5). */
#include "http/http_parse.h"

#include <string.h>

typedef struct cursor {
    const char *p, *end;
} cursor;

static int is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(unsigned char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Finds the end of the line at c: sets *line_len to its length without the
 * line break and returns the start of the next line, or NULL when no LF
 * has arrived yet. */
static const char *next_line(const cursor *c, size_t *line_len)
{
    const char *lf = memchr(c->p, '\n', (size_t)(c->end - c->p));
    if (!lf)
        return NULL;
    const char *e = lf;
    if (e > c->p && e[-1] == '\r')
        e--;
    *line_len = (size_t)(e - c->p);
    return lf + 1;
}

/* "HTTP/1.x" at s: the minor version, or -1. Only major version 1 exists
 * in text form. */
static int parse_version(const char *s, size_t n)
{
    if (n != 8 || memcmp(s, "HTTP/1.", 7) != 0 || !is_digit((unsigned char)s[7]))
        return -1;
    return s[7] - '0';
}

static int request_line(const char *s, size_t n, http_str *method, http_str *target, int *minor)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    if (i == 0 || i >= n || s[i] != ' ')
        return -1;
    method->ptr = s;
    method->len = i;
    size_t t = ++i;
    while (i < n && (unsigned char)s[i] > ' ' && s[i] != 0x7f)
        i++;
    if (i == t || i >= n || s[i] != ' ')
        return -1;
    target->ptr = s + t;
    target->len = i - t;
    i++;
    int v = parse_version(s + i, n - i);
    if (v < 0)
        return -1;
    *minor = v;
    return 0;
}

/* "HTTP/1.x SP 3DIGIT [SP reason]"; a missing reason and its space are
 * accepted, as some embedded servers send "HTTP/1.1 200\r\n". */
static int status_line(const char *s, size_t n, int *minor, int *status, http_str *reason)
{
    if (n < 12 || s[8] != ' ')
        return -1;
    int v = parse_version(s, 8);
    if (v < 0)
        return -1;
    if (!is_digit((unsigned char)s[9]) || !is_digit((unsigned char)s[10]) ||
        !is_digit((unsigned char)s[11]))
        return -1;
    if (n > 12 && s[12] != ' ')
        return -1;
    for (size_t i = 13; i < n; i++)
        if ((unsigned char)s[i] < ' ' && s[i] != '\t')
            return -1;
    *minor = v;
    *status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    reason->ptr = n > 13 ? s + 13 : s + n;
    reason->len = n > 13 ? n - 13 : 0;
    return 0;
}

int http_is_request_line(const char *line, size_t len)
{
    http_str m, t;
    int v;
    return request_line(line, len, &m, &t, &v) == 0;
}

int http_is_status_line(const char *line, size_t len)
{
    http_str r;
    int v, st;
    return status_line(line, len, &v, &st, &r) == 0;
}

static void trim(http_str *s)
{
    while (s->len && (s->ptr[0] == ' ' || s->ptr[0] == '\t'))
        s->ptr++, s->len--;
    while (s->len && (s->ptr[s->len - 1] == ' ' || s->ptr[s->len - 1] == '\t' ||
                      s->ptr[s->len - 1] == '\r' || s->ptr[s->len - 1] == '\n'))
        s->len--;
}

/* Parses header fields from c up to and including the empty line. */
static long parse_fields(cursor *c, const char *buf, http_header *headers, size_t *num_headers,
                         const char **why)
{
    size_t cap = *num_headers, n = 0;
    *num_headers = 0;
    for (;;) {
        size_t len;
        const char *next = next_line(c, &len);
        if (!next)
            return HTTP_PARSE_PARTIAL;
        const char *s = c->p;
        c->p = next;
        if (len == 0) {
            *num_headers = n;
            return (long)(c->p - buf);
        }
        if (s[0] == ' ' || s[0] == '\t') {
            /* obs-fold: the previous value goes on (RFC 7230 3.2.4) */
            if (n == 0) {
                *why = "continuation line before any header field";
                return HTTP_PARSE_ERROR;
            }
            http_str *v = &headers[n - 1].value;
            if (!v->ptr || v->len == 0)
                v->ptr = s;
            v->len = (size_t)(s + len - v->ptr);
            trim(v);
            continue;
        }
        size_t i = 0;
        while (i < len && is_tchar((unsigned char)s[i]))
            i++;
        if (i == 0 || i >= len || s[i] != ':') {
            *why = "malformed header field";
            return HTTP_PARSE_ERROR;
        }
        if (n >= cap) {
            *why = "too many header fields";
            return HTTP_PARSE_ERROR;
        }
        headers[n].name.ptr = s;
        headers[n].name.len = i;
        headers[n].value.ptr = s + i + 1;
        headers[n].value.len = len - i - 1;
        trim(&headers[n].value);
        n++;
    }
}

long http_parse_fields(const char *buf, size_t len, http_header *headers, size_t *num_headers,
                       const char **why)
{
    cursor c = {buf, buf + len};
    return parse_fields(&c, buf, headers, num_headers, why);
}

long http_parse_request(const char *buf, size_t len, http_str *method, http_str *target,
                        int *minor_version, http_header *headers, size_t *num_headers,
                        const char **why)
{
    cursor c = {buf, buf + len};
    size_t n;
    const char *next = next_line(&c, &n);
    if (!next) {
        *num_headers = 0;
        return HTTP_PARSE_PARTIAL;
    }
    if (request_line(buf, n, method, target, minor_version) != 0) {
        *why = "malformed request line";
        *num_headers = 0;
        return HTTP_PARSE_ERROR;
    }
    c.p = next;
    return parse_fields(&c, buf, headers, num_headers, why);
}

long http_parse_response(const char *buf, size_t len, int *minor_version, int *status,
                         http_str *reason, http_header *headers, size_t *num_headers,
                         const char **why)
{
    cursor c = {buf, buf + len};
    size_t n;
    const char *next = next_line(&c, &n);
    if (!next) {
        *num_headers = 0;
        return HTTP_PARSE_PARTIAL;
    }
    if (status_line(buf, n, minor_version, status, reason) != 0) {
        *why = "malformed status line";
        *num_headers = 0;
        return HTTP_PARSE_ERROR;
    }
    c.p = next;
    return parse_fields(&c, buf, headers, num_headers, why);
}

int http_parse_chunk_size(const char *line, size_t len, uint64_t *size, const char **why)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < len; i++) {
        int h = hex_value((unsigned char)line[i]);
        if (h < 0)
            break;
        if (v >> 59) {
            *why = "chunk size too large";
            return -1;
        }
        v = v << 4 | (uint64_t)h;
    }
    if (i == 0) {
        *why = "chunk size not hex";
        return -1;
    }
    /* BWS before a chunk extension is tolerated (RFC 7230 erratum 4667) */
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i < len && line[i] != ';') {
        *why = "chunk size not hex";
        return -1;
    }
    *size = v;
    return 0;
}

int http_parse_content_length(http_str value, uint64_t *out)
{
    int have = 0;
    uint64_t first = 0;
    size_t i = 0;
    while (i <= value.len) {
        while (i < value.len && (value.ptr[i] == ' ' || value.ptr[i] == '\t'))
            i++;
        size_t start = i;
        uint64_t v = 0;
        while (i < value.len && is_digit((unsigned char)value.ptr[i])) {
            if (v > (UINT64_MAX - 9) / 10)
                return -1;
            v = v * 10 + (uint64_t)(value.ptr[i] - '0');
            i++;
        }
        if (i == start)
            return -1;
        while (i < value.len && (value.ptr[i] == ' ' || value.ptr[i] == '\t'))
            i++;
        if (have && v != first)
            return -1;
        first = v;
        have = 1;
        if (i == value.len)
            break;
        if (value.ptr[i] != ',')
            return -1;
        i++;
    }
    *out = first;
    return have ? 0 : -1;
}

int http_str_ieq(http_str s, const char *lit)
{
    size_t n = strlen(lit);
    if (!s.ptr || s.len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s.ptr[i]) != lower((unsigned char)lit[i]))
            return 0;
    return 1;
}

/* The next non-empty element of a comma-separated list, from *i; a
 * transfer coding's parameters (";q=...") are left out of it. */
static int list_next(http_str s, size_t *i, http_str *e)
{
    while (s.ptr && *i < s.len) {
        size_t start = *i;
        while (*i < s.len && s.ptr[*i] != ',')
            (*i)++;
        e->ptr = s.ptr + start;
        e->len = *i - start;
        (*i)++;
        for (size_t k = 0; k < e->len; k++)
            if (e->ptr[k] == ';') {
                e->len = k;
                break;
            }
        trim(e);
        if (e->len)
            return 1;
    }
    return 0;
}

int http_list_has(http_str s, const char *token)
{
    size_t i = 0;
    http_str e;
    while (list_next(s, &i, &e))
        if (http_str_ieq(e, token))
            return 1;
    return 0;
}

int http_list_last_is(http_str s, const char *token)
{
    size_t i = 0;
    http_str e, last = {NULL, 0};
    while (list_next(s, &i, &e))
        last = e;
    return http_str_ieq(last, token);
}
