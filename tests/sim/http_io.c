/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HTTP/1.1 framing. References: RFC 7230 sections 3 (message format),
 * 3.3.3 (message body length) and 4.1 (chunked coding); RFC 7231 7.1.1.1. */
#include "http_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib.h>

void http_reader_init(http_reader *r, simio *io)
{
    r->io = io;
    r->max_head = 0;
    r->pos = r->len = 0;
}

static int is_tchar(int c)
{
    return c != '\0' && (g_ascii_isalnum(c) || strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Refills the buffer: 1, 0 at end of stream, -1 on error. */
static int fill(http_reader *r)
{
    long n = simio_read(r->io, r->buf, sizeof r->buf);
    if (n < 0)
        return -1;
    if (n == 0)
        return 0;
    r->pos = 0;
    r->len = (size_t)n;
    return 1;
}

/* Reads one line without its line end (CRLF, or a bare LF as RFC 7230 3.5
 * lets a recipient accept) into line. *raw counts the bytes consumed.
 * Returns HTTP_MSG_OK, HTTP_MSG_EOF when the stream ended before any byte
 * of the line, HTTP_MSG_EIO when it ended inside the line,
 * HTTP_MSG_TOO_BIG, or HTTP_MSG_BAD for NUL or a bare CR. */
static int read_line(http_reader *r, GString *line, size_t max, size_t *raw)
{
    g_string_truncate(line, 0);
    size_t consumed = 0;
    for (;;) {
        if (r->pos == r->len) {
            int f = fill(r);
            if (f < 0)
                return HTTP_MSG_EIO;
            if (f == 0)
                return consumed == 0 ? HTTP_MSG_EOF : HTTP_MSG_EIO;
        }
        const unsigned char *start = r->buf + r->pos;
        const unsigned char *nl = memchr(start, '\n', r->len - r->pos);
        size_t take = nl ? (size_t)(nl - start) + 1 : r->len - r->pos;
        if (line->len + take > max + 2)
            return HTTP_MSG_TOO_BIG;
        g_string_append_len(line, (const char *)start, (gssize)take);
        r->pos += take;
        consumed += take;
        if (nl)
            break;
    }
    *raw += consumed;
    g_string_truncate(line, line->len - 1);
    if (line->len && line->str[line->len - 1] == '\r')
        g_string_truncate(line, line->len - 1);
    if (memchr(line->str, '\0', line->len) || memchr(line->str, '\r', line->len))
        return HTTP_MSG_BAD;
    return HTTP_MSG_OK;
}

static int parse_version(const char *v, size_t len, int *minor)
{
    if (len != 8 || memcmp(v, "HTTP/1.", 7) != 0 || !g_ascii_isdigit(v[7]))
        return -1;
    *minor = v[7] - '0';
    return 0;
}

static int parse_request_line(const char *s, http_head *h)
{
    const char *sp1 = strchr(s, ' ');
    if (!sp1 || sp1 == s)
        return -1;
    for (const char *p = s; p < sp1; p++)
        if (!is_tchar(*p))
            return -1;
    const char *t = sp1 + 1;
    const char *sp2 = strchr(t, ' ');
    if (!sp2 || sp2 == t)
        return -1;
    for (const char *p = t; p < sp2; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return -1;
    if (parse_version(sp2 + 1, strlen(sp2 + 1), &h->minor_version) != 0)
        return -1;
    h->method = g_strndup(s, (gsize)(sp1 - s));
    h->target = g_strndup(t, (gsize)(sp2 - t));
    return 0;
}

static int parse_status_line(const char *s, http_head *h)
{
    const char *sp = strchr(s, ' ');
    if (!sp || parse_version(s, (size_t)(sp - s), &h->minor_version) != 0)
        return -1;
    const char *c = sp + 1;
    if (!g_ascii_isdigit(c[0]) || !g_ascii_isdigit(c[1]) || !g_ascii_isdigit(c[2]))
        return -1;
    if (c[3] != '\0' && c[3] != ' ')
        return -1;
    h->status = (c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0');
    if (h->status < 100)
        return -1;
    h->reason = g_strdup(c[3] ? c + 4 : "");
    return 0;
}

static int parse_header_line(const char *s, http_head *h)
{
    /* a leading SP/HTAB would be obs-fold, which RFC 7230 3.2.4 lets a
     * server reject; the tchar check below does that */
    const char *colon = strchr(s, ':');
    if (!colon || colon == s)
        return HTTP_MSG_BAD;
    for (const char *p = s; p < colon; p++)
        if (!is_tchar(*p))
            return HTTP_MSG_BAD; /* includes whitespace before the colon */
    const char *v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t vlen = strlen(v);
    while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
        vlen--;
    for (size_t i = 0; i < vlen; i++) {
        unsigned char ch = (unsigned char)v[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return HTTP_MSG_BAD;
    }
    if (h->n >= HTTP_MAX_HEADERS)
        return HTTP_MSG_TOO_BIG;
    h->name[h->n] = g_strndup(s, (gsize)(colon - s));
    h->value[h->n] = g_strndup(v, vlen);
    h->n++;
    return HTTP_MSG_OK;
}

int http_read_head(http_reader *r, int is_request, http_head *h)
{
    memset(h, 0, sizeof *h);
    GString *line = g_string_sized_new(256);
    size_t total = 0;
    int rc;
    /* RFC 7230 3.5: a server should ignore empty lines before a request */
    for (int empties = 0;; empties++) {
        rc = read_line(r, line, HTTP_MAX_LINE, &total);
        if (rc == HTTP_MSG_EOF)
            rc = total == 0 ? HTTP_MSG_EOF : HTTP_MSG_EIO;
        if (rc != HTTP_MSG_OK)
            goto out;
        if (line->len || !is_request || empties >= 4)
            break;
    }
    if ((is_request ? parse_request_line(line->str, h) : parse_status_line(line->str, h)) != 0) {
        rc = HTTP_MSG_BAD;
        goto out;
    }
    for (;;) {
        rc = read_line(r, line, HTTP_MAX_LINE, &total);
        if (rc == HTTP_MSG_EOF)
            rc = HTTP_MSG_EIO;
        if (rc != HTTP_MSG_OK)
            goto out;
        if (total > (r->max_head ? r->max_head : HTTP_MAX_HEAD)) {
            rc = HTTP_MSG_TOO_BIG;
            goto out;
        }
        if (line->len == 0)
            break;
        rc = parse_header_line(line->str, h);
        if (rc != HTTP_MSG_OK)
            goto out;
    }
    rc = HTTP_MSG_OK;
out:
    g_string_free(line, TRUE);
    if (rc == HTTP_MSG_TOO_BIG && h->method) {
        /* the request line stays: a server answering 400 can say to what */
        char *method = h->method, *target = h->target;
        h->method = h->target = NULL;
        http_head_clear(h);
        h->method = method;
        h->target = target;
    } else if (rc != HTTP_MSG_OK) {
        http_head_clear(h);
    }
    return rc;
}

void http_head_clear(http_head *h)
{
    g_free(h->method);
    g_free(h->target);
    g_free(h->reason);
    for (unsigned i = 0; i < h->n; i++) {
        g_free(h->name[i]);
        g_free(h->value[i]);
    }
    memset(h, 0, sizeof *h);
}

const char *http_head_get(const http_head *h, const char *name)
{
    for (unsigned i = 0; i < h->n; i++)
        if (g_ascii_strcasecmp(h->name[i], name) == 0)
            return h->value[i];
    return NULL;
}

static unsigned head_count(const http_head *h, const char *name)
{
    unsigned n = 0;
    for (unsigned i = 0; i < h->n; i++)
        n += g_ascii_strcasecmp(h->name[i], name) == 0;
    return n;
}

int http_head_has_token(const http_head *h, const char *name, const char *token)
{
    for (unsigned i = 0; i < h->n; i++) {
        if (g_ascii_strcasecmp(h->name[i], name) != 0)
            continue;
        char **parts = g_strsplit(h->value[i], ",", -1);
        int found = 0;
        for (char **p = parts; *p && !found; p++)
            found = g_ascii_strcasecmp(g_strstrip(*p), token) == 0;
        g_strfreev(parts);
        if (found)
            return 1;
    }
    return 0;
}

/* Content-Length: all occurrences must be the same decimal number. */
static int content_length(const http_head *h, uint64_t *out)
{
    int seen = 0;
    for (unsigned i = 0; i < h->n; i++) {
        if (g_ascii_strcasecmp(h->name[i], "Content-Length") != 0)
            continue;
        const char *v = h->value[i];
        size_t len = strlen(v);
        if (len == 0 || len > 15 || strspn(v, "0123456789") != len)
            return -1;
        uint64_t n = g_ascii_strtoull(v, NULL, 10);
        if (seen && n != *out)
            return -1;
        *out = n;
        seen = 1;
    }
    return seen;
}

/* Non-zero when the last coding of the (joined) Transfer-Encoding is
 * chunked, as RFC 7230 3.3.3 requires for chunked framing. */
static int te_ends_chunked(const http_head *h)
{
    const char *last = NULL;
    for (unsigned i = 0; i < h->n; i++)
        if (g_ascii_strcasecmp(h->name[i], "Transfer-Encoding") == 0)
            last = h->value[i];
    if (!last)
        return 0;
    const char *comma = strrchr(last, ',');
    char *tail = g_strdup(comma ? comma + 1 : last);
    int yes = g_ascii_strcasecmp(g_strstrip(tail), "chunked") == 0;
    g_free(tail);
    return yes;
}

int http_body_framing(const http_head *h, const char *request_method, http_body_kind *kind,
                      uint64_t *length)
{
    *kind = HTTP_BODY_NONE;
    *length = 0;
    unsigned te = head_count(h, "Transfer-Encoding");
    uint64_t cl = 0;
    int has_cl = content_length(h, &cl);
    if (has_cl < 0)
        return HTTP_MSG_BAD;
    if (!request_method) {
        /* A request with both is the classic smuggling vector: refuse it.
         * The only coding a request may use here is plain "chunked". */
        if (te && has_cl)
            return HTTP_MSG_BAD;
        if (te) {
            const char *v = http_head_get(h, "Transfer-Encoding");
            if (te != 1 || g_ascii_strcasecmp(v, "chunked") != 0)
                return HTTP_MSG_BAD;
            *kind = HTTP_BODY_CHUNKED;
        } else if (has_cl) {
            *kind = HTTP_BODY_LENGTH;
            *length = cl;
        }
        return HTTP_MSG_OK;
    }
    if (g_ascii_strcasecmp(request_method, "HEAD") == 0 || h->status < 200 || h->status == 204 ||
        h->status == 304)
        return HTTP_MSG_OK;
    if (te) {
        *kind = te_ends_chunked(h) ? HTTP_BODY_CHUNKED : HTTP_BODY_TO_CLOSE;
    } else if (has_cl) {
        *kind = HTTP_BODY_LENGTH;
        *length = cl;
    } else {
        *kind = HTTP_BODY_TO_CLOSE;
    }
    return HTTP_MSG_OK;
}

/* Appends exactly n bytes to out. */
static int read_exact(http_reader *r, GString *out, uint64_t n)
{
    while (n) {
        if (r->pos == r->len) {
            int f = fill(r);
            if (f <= 0)
                return HTTP_MSG_EIO;
        }
        size_t take = r->len - r->pos;
        if (take > n)
            take = (size_t)n;
        g_string_append_len(out, (const char *)r->buf + r->pos, (gssize)take);
        r->pos += take;
        n -= take;
    }
    return HTTP_MSG_OK;
}

/* chunk-size [ chunk-ext ]: hex digits, then optionally ";..." */
static int parse_chunk_size(const char *s, uint64_t *size)
{
    uint64_t v = 0;
    const char *p = s;
    while (g_ascii_isxdigit(*p)) {
        if (v > (UINT64_C(1) << 40))
            return -1; /* far beyond any bound; stops overflow */
        v = v * 16 + (uint64_t)g_ascii_xdigit_value(*p);
        p++;
    }
    if (p == s)
        return -1;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '\0' && *p != ';')
        return -1;
    *size = v;
    return 0;
}

static int read_chunked(http_reader *r, GString *out, size_t max)
{
    GString *line = g_string_new(NULL);
    size_t raw = 0;
    int rc;
    for (;;) {
        uint64_t size;
        rc = read_line(r, line, 1024, &raw);
        if (rc == HTTP_MSG_EOF)
            rc = HTTP_MSG_EIO;
        if (rc != HTTP_MSG_OK)
            goto out;
        if (parse_chunk_size(line->str, &size) != 0) {
            rc = HTTP_MSG_BAD;
            goto out;
        }
        if (size == 0)
            break;
        if (size > max - out->len) {
            rc = HTTP_MSG_TOO_BIG;
            goto out;
        }
        rc = read_exact(r, out, size);
        if (rc != HTTP_MSG_OK)
            goto out;
        rc = read_line(r, line, 16, &raw);
        if (rc == HTTP_MSG_EOF)
            rc = HTTP_MSG_EIO;
        if (rc != HTTP_MSG_OK)
            goto out;
        if (line->len) {
            rc = HTTP_MSG_BAD; /* chunk data longer than its size line said */
            goto out;
        }
    }
    /* trailer section, ignored; bounded like a header section */
    for (unsigned n = 0;; n++) {
        rc = read_line(r, line, HTTP_MAX_LINE, &raw);
        if (rc == HTTP_MSG_EOF)
            rc = HTTP_MSG_EIO;
        if (rc != HTTP_MSG_OK)
            goto out;
        if (line->len == 0)
            break;
        if (n >= HTTP_MAX_HEADERS) {
            rc = HTTP_MSG_TOO_BIG;
            goto out;
        }
    }
    rc = HTTP_MSG_OK;
out:
    g_string_free(line, TRUE);
    return rc;
}

static int read_to_close(http_reader *r, GString *out, size_t max)
{
    for (;;) {
        if (r->pos == r->len) {
            int f = fill(r);
            if (f < 0)
                return HTTP_MSG_EIO;
            if (f == 0)
                return HTTP_MSG_OK;
        }
        size_t take = r->len - r->pos;
        if (take > max - out->len)
            return HTTP_MSG_TOO_BIG;
        g_string_append_len(out, (const char *)r->buf + r->pos, (gssize)take);
        r->pos += take;
    }
}

int http_read_body(http_reader *r, http_body_kind kind, uint64_t length, size_t max, char **body,
                   size_t *len)
{
    *body = NULL;
    *len = 0;
    if (kind == HTTP_BODY_NONE)
        return HTTP_MSG_OK;
    if (kind == HTTP_BODY_LENGTH && length > max)
        return HTTP_MSG_TOO_BIG;
    GString *out = g_string_new(NULL);
    int rc;
    switch (kind) {
    case HTTP_BODY_LENGTH:
        rc = read_exact(r, out, length);
        break;
    case HTTP_BODY_CHUNKED:
        rc = read_chunked(r, out, max);
        break;
    default:
        rc = read_to_close(r, out, max);
        break;
    }
    if (rc == HTTP_MSG_OK) {
        /* callers free() it, so hand over a malloc'd copy */
        *body = malloc(out->len + 1);
        if (!*body) {
            rc = HTTP_MSG_TOO_BIG;
        } else {
            memcpy(*body, out->str, out->len + 1);
            *len = out->len;
        }
    }
    g_string_free(out, TRUE);
    return rc;
}

int http_write_chunked(simio *io, const char *data, size_t len, size_t first, size_t chunk)
{
    GString *buf = g_string_sized_new(chunk + 16);
    size_t off = 0, want = first ? first : chunk;
    int rc = 0;
    while (off < len && rc == 0) {
        size_t n = len - off < want ? len - off : want;
        g_string_printf(buf, "%04zX\r\n", n);
        g_string_append_len(buf, data + off, (gssize)n);
        g_string_append(buf, "\r\n");
        rc = simio_write(io, buf->str, buf->len);
        off += n;
        want = chunk;
    }
    if (rc == 0)
        rc = simio_write(io, "0\r\n\r\n", 5);
    g_string_free(buf, TRUE);
    return rc;
}

void http_format_date(int64_t unix_s, char out[32])
{
    static const char *const wday[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)unix_s;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
        g_strlcpy(out, "Thu, 01 Jan 1970 00:00:00 GMT", 32);
        return;
    }
    /* month and weekday names are fixed English, whatever the locale */
    snprintf(out, 32, "%s, %02d %s %04d %02d:%02d:%02d GMT", wday[tm.tm_wday], tm.tm_mday,
             mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
