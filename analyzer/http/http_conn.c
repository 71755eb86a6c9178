/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The HTTP/1.1 connection parser: one state machine per direction over
 * the reassembled stream, a queue of requests awaiting their responses,
 * and delivery of paired exchanges. Message framing follows RFC 7230
 * 3.3.3; chunked coding RFC 7230 4.1; interim responses RFC 7231 6.2.
 * Memory per direction is one growing buffer for the head (or the line
 * being read) and one for the body; nothing is allocated per byte. */
#include "http/http_conn.h"

#include <string.h>
#include <glib.h>

#define MAX_HEADERS 256 /* fields per head */
#define MAX_QUEUE 64    /* pipelined requests awaiting a response */
#define MAX_LINE 8192   /* a chunk-size or trailer line, or a line read while resynchronising */

typedef enum {
    ST_IDLE,       /* between messages: skipping empty lines */
    ST_HEAD,       /* reading the head up to its empty line */
    ST_BODY_LEN,   /* Content-Length body */
    ST_CHUNK_SIZE, /* a chunk-size line */
    ST_CHUNK_DATA,
    ST_CHUNK_END,  /* the line break after chunk data */
    ST_TRAILER,    /* trailer lines up to the empty one */
    ST_BODY_CLOSE, /* a response body delimited by the close */
    ST_RESYNC,     /* after an error or gap: looking for a start line */
    ST_DEAD        /* nothing more to parse (after end, or a protocol switch) */
} dir_st;

typedef struct msg {
    http_message pub;
    char *head; /* owned: the head bytes the header views point into */
    http_header *hdrs;
    char *trail; /* trailer lines, one per line, as received */
    size_t trail_len;
    http_header *trail_hdrs;
    unsigned char *body;
    size_t body_cap;
    int done; /* requests: no more bytes will come for it */
    int is_head_method;
    int is_connect;
    struct msg *resp; /* requests: the response paired with it */
    struct msg *next; /* the request queue */
    unsigned n_interim;
    int interim_status;
    uint32_t interim_frame;
} msg;

typedef struct dir_state {
    dir_st st;
    msg *cur;  /* the message being read (its head is parsed) */
    char *buf; /* head bytes, or the line being read */
    size_t len, cap;
    int eoh;           /* ST_HEAD: 0 inside a line, 1 at a line start, 2 after CR there;
                        * ST_CHUNK_END: CR seen */
    int first_line_ok; /* ST_HEAD: the start line has been checked */
    int cut;           /* the head being closed was cut short by the end of the connection */
    int overflow;      /* the line being read is too long: skipping to its end */
    uint64_t remaining;
    uint32_t ff, lf;      /* frames of the current feed */
    uint32_t start_frame; /* where what is in buf began */
    uint32_t buf_frame;   /* the frame of the last bytes appended to buf */
    size_t frame_off;     /* where the bytes of that frame start in buf */
} dir_state;

struct http_conn {
    http_callbacks cb;
    void *ctx;
    size_t max_head, max_body;
    dir_state d[2];
    msg *q_head, *q_tail;
    size_t q_len;
    unsigned seq;
    int ended;
};

/* ---- messages and the queue ---- */

static void msg_free(msg *m)
{
    if (!m)
        return;
    msg_free(m->resp);
    g_free(m->head);
    g_free(m->hdrs);
    g_free(m->trail);
    g_free(m->trail_hdrs);
    g_free(m->body);
    g_free(m);
}

static void report(http_conn *c, int dir, const char *reason)
{
    if (c->cb.on_error)
        c->cb.on_error(c->ctx, dir, c->d[dir].ff, reason);
}

static void fill_pub(msg *m)
{
    m->pub.present = 1;
    m->pub.body = m->body;
}

static void emit(http_conn *c, msg *req, msg *resp)
{
    http_exchange x;
    memset(&x, 0, sizeof x);
    x.seq = c->seq++;
    if (req) {
        fill_pub(req);
        x.request = req->pub;
        x.n_interim = req->n_interim;
        x.interim_status = req->interim_status;
        x.interim_frame = req->interim_frame;
    }
    if (resp) {
        fill_pub(resp);
        x.response = resp->pub;
    }
    if (c->cb.on_exchange)
        c->cb.on_exchange(c->ctx, &x);
}

static msg *queue_pop(http_conn *c)
{
    msg *m = c->q_head;
    if (m) {
        c->q_head = m->next;
        if (!c->q_head)
            c->q_tail = NULL;
        c->q_len--;
        m->next = NULL;
    }
    return m;
}

static void queue_push(http_conn *c, msg *m)
{
    if (c->q_len >= MAX_QUEUE) {
        /* a client pipelining without end: give up on the oldest answer */
        msg *old = queue_pop(c);
        emit(c, old, old->resp);
        msg_free(old);
    }
    if (c->q_tail)
        c->q_tail->next = m;
    else
        c->q_head = m;
    c->q_tail = m;
    c->q_len++;
}

/* The oldest request still without a response: the one the next response
 * answers (RFC 7230 6.3.2). */
static msg *first_unanswered(http_conn *c)
{
    for (msg *m = c->q_head; m; m = m->next)
        if (!m->resp)
            return m;
    return NULL;
}

/* Delivers the exchanges at the head of the queue that are finished. */
static void drain(http_conn *c)
{
    while (c->q_head && c->q_head->done && c->q_head->resp) {
        msg *m = queue_pop(c);
        emit(c, m, m->resp);
        msg_free(m);
    }
}

/* ---- buffers ---- */

/* Notes where the current frame's bytes will start in buf, so that a
 * start line found inside a buffered line gets the frame it began in. */
static void note_frame(dir_state *d)
{
    if (d->len == 0 || d->ff != d->buf_frame) {
        d->frame_off = d->len;
        d->buf_frame = d->ff;
    }
}

/* Appends n bytes to the direction's buffer; -1 (nothing appended) when
 * that would pass limit. */
static int buf_append(dir_state *d, const char *p, size_t n, size_t limit)
{
    if (d->len + n > limit)
        return -1;
    if (d->len + n > d->cap) {
        size_t cap = d->cap ? d->cap : 512;
        while (cap < d->len + n)
            cap *= 2;
        d->buf = g_realloc(d->buf, cap);
        d->cap = cap;
    }
    memcpy(d->buf + d->len, p, n);
    d->len += n;
    return 0;
}

static void body_add(http_conn *c, dir_state *d, const char *p, size_t n)
{
    msg *m = d->cur;
    m->pub.body_total += n;
    size_t room = m->pub.body_len < c->max_body ? c->max_body - m->pub.body_len : 0;
    size_t take = n < room ? n : room;
    if (take < n)
        m->pub.flags |= HTTP_MSG_BODY_TRUNCATED;
    if (!take)
        return;
    if (m->pub.body_len + take > m->body_cap) {
        size_t cap = m->body_cap ? m->body_cap : 4096;
        while (cap < m->pub.body_len + take)
            cap *= 2;
        if (cap > c->max_body)
            cap = c->max_body;
        m->body = g_realloc(m->body, cap);
        m->body_cap = cap;
    }
    memcpy(m->body + m->pub.body_len, p, take);
    m->pub.body_len += take;
}

/* ---- message ends ---- */

static void resync(dir_state *d)
{
    d->st = ST_RESYNC;
    d->len = 0;
    d->overflow = 0;
}

/* The current message of dir ends (flags say how, if not normally). */
static void finish(http_conn *c, int dir, unsigned flags)
{
    dir_state *d = &c->d[dir];
    msg *m = d->cur;
    d->cur = NULL;
    d->st = ST_IDLE;
    d->len = 0;
    m->pub.flags |= flags | (d->cut ? HTTP_MSG_CLOSED_EARLY : 0);
    m->pub.complete = !(m->pub.flags & (HTTP_MSG_GAP | HTTP_MSG_MALFORMED | HTTP_MSG_CLOSED_EARLY));
    m->pub.last_frame = d->lf;
    if (dir == HTTP_DIR_REQUEST) {
        m->done = 1; /* it is in the queue since its head was read */
    } else {
        msg *req = first_unanswered(c);
        if (req) {
            req->resp = m;
        } else {
            emit(c, NULL, m); /* no request seen: capture began mid-stream */
            msg_free(m);
        }
    }
    drain(c);
}

static void body_error(http_conn *c, int dir, const char *why)
{
    report(c, dir, why);
    finish(c, dir, HTTP_MSG_MALFORMED);
    resync(&c->d[dir]);
}

/* ---- heads ---- */

static void find_known(msg *m)
{
    static const struct {
        const char *name;
        size_t offset;
    } known[] = {
        {"Authorization", offsetof(http_message, authorization)},
        {"WWW-Authenticate", offsetof(http_message, www_authenticate)},
        {"Content-Type", offsetof(http_message, content_type)},
        {"Server", offsetof(http_message, server)},
        {"Date", offsetof(http_message, date)},
        {"Connection", offsetof(http_message, connection)},
        {"Host", offsetof(http_message, host)},
        {"Content-Length", offsetof(http_message, content_length)},
        {"Transfer-Encoding", offsetof(http_message, transfer_encoding)},
    };
    for (size_t i = 0; i < m->pub.n_headers; i++) {
        /* folded values: the line breaks become spaces, in our own copy */
        http_str v = m->hdrs[i].value;
        char *w = m->head + (v.ptr - m->head);
        for (size_t k = 0; k < v.len; k++)
            if (w[k] == '\r' || w[k] == '\n')
                w[k] = ' ';
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
            http_str *slot = (http_str *)((char *)&m->pub + known[k].offset);
            if (!slot->ptr && http_str_ieq(m->hdrs[i].name, known[k].name))
                *slot = m->hdrs[i].value;
        }
    }
    if (m->pub.connection.ptr && http_list_has(m->pub.connection, "close"))
        m->pub.flags |= HTTP_MSG_CONN_CLOSE;
}

/* The Content-Length of m: 0 none, 1 found (*len), -1 invalid, including
 * several fields that disagree. */
static int content_length(const msg *m, uint64_t *len)
{
    size_t iter = 0;
    int found = 0;
    const http_header *h;
    while ((h = http_message_header(&m->pub, "Content-Length", &iter))) {
        uint64_t v;
        if (http_parse_content_length(h->value, &v) != 0 || (found && v != *len))
            return -1;
        *len = v;
        found = 1;
    }
    return found;
}

static size_t count_lines(const char *s, size_t n)
{
    size_t lines = 0;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + n - p))); p++)
        lines++;
    return lines;
}

/* Starts reading the body of d->cur; it may have none. */
static void start_body(http_conn *c, int dir, int chunked, int until_close, uint64_t len)
{
    dir_state *d = &c->d[dir];
    if (chunked) {
        d->cur->pub.flags |= HTTP_MSG_CHUNKED;
        d->st = ST_CHUNK_SIZE;
    } else if (until_close) {
        d->cur->pub.flags |= HTTP_MSG_UNTIL_CLOSE;
        d->st = ST_BODY_CLOSE;
    } else if (len > 0) {
        d->st = ST_BODY_LEN;
        d->remaining = len;
    } else {
        finish(c, dir, 0);
    }
}

static void request_head(http_conn *c, msg *m)
{
    dir_state *d = &c->d[HTTP_DIR_REQUEST];
    uint64_t len = 0;
    int chunked = 0;
    if (m->pub.transfer_encoding.ptr) {
        /* RFC 7230 3.3.3 item 3: a request must end in chunked to be framed */
        if (!http_list_last_is(m->pub.transfer_encoding, "chunked")) {
            report(c, HTTP_DIR_REQUEST, "request Transfer-Encoding does not end in chunked");
            msg_free(m);
            resync(d);
            return;
        }
        chunked = 1;
    } else if (content_length(m, &len) < 0) {
        report(c, HTTP_DIR_REQUEST, "invalid Content-Length");
        msg_free(m);
        resync(d);
        return;
    }
    m->is_head_method = http_str_ieq(m->pub.method, "HEAD");
    m->is_connect = http_str_ieq(m->pub.method, "CONNECT");
    queue_push(c, m);
    d->cur = m;
    start_body(c, HTTP_DIR_REQUEST, chunked, 0, len);
}

static void response_head(http_conn *c, msg *m)
{
    dir_state *d = &c->d[HTTP_DIR_RESPONSE];
    msg *req = first_unanswered(c);
    int status = m->pub.status;
    if (status >= 100 && status < 200 && status != 101) {
        /* interim (100 Continue, 102...): the final response follows */
        if (req) {
            req->n_interim++;
            req->interim_status = status;
            req->interim_frame = m->pub.first_frame;
        }
        msg_free(m);
        d->st = ST_IDLE;
        return;
    }
    int tunnel = status == 101 || (req && req->is_connect && status >= 200 && status < 300);
    int no_body = tunnel || status == 204 || status == 304 || (req && req->is_head_method);
    uint64_t len = 0;
    int chunked = 0, until_close = 0;
    if (no_body) {
        /* RFC 7230 3.3.3 items 1-2: no body whatever the headers say */
    } else if (m->pub.transfer_encoding.ptr) {
        chunked = http_list_last_is(m->pub.transfer_encoding, "chunked");
        until_close = !chunked;
    } else {
        int cl = content_length(m, &len);
        if (cl < 0) {
            report(c, HTTP_DIR_RESPONSE, "invalid Content-Length");
            msg_free(m);
            resync(d);
            return;
        }
        until_close = cl == 0;
    }
    d->cur = m;
    start_body(c, HTTP_DIR_RESPONSE, chunked, until_close, len);
    if (tunnel) {
        /* the connection now carries another protocol */
        c->d[0].st = ST_DEAD;
        c->d[1].st = ST_DEAD;
        c->d[0].cur = NULL; /* it is in the queue, which owns it */
        for (msg *q = c->q_head; q; q = q->next)
            q->done = 1;
        drain(c);
    }
}

/* The head in d->buf is complete: parse it and start the body. */
static void head_done(http_conn *c, int dir)
{
    dir_state *d = &c->d[dir];
    msg *m = g_new0(msg, 1);
    m->head = d->buf;
    size_t head_len = d->len;
    d->buf = NULL;
    d->len = d->cap = 0;
    size_t n = count_lines(m->head, head_len);
    if (n > MAX_HEADERS)
        n = MAX_HEADERS;
    m->hdrs = g_new(http_header, n ? n : 1);
    const char *why = "malformed message head";
    long r;
    if (dir == HTTP_DIR_REQUEST)
        r = http_parse_request(m->head, head_len, &m->pub.method, &m->pub.target,
                               &m->pub.minor_version, m->hdrs, &n, &why);
    else
        r = http_parse_response(m->head, head_len, &m->pub.minor_version, &m->pub.status,
                                &m->pub.reason, m->hdrs, &n, &why);
    if (r < 0) {
        report(c, dir, why);
        msg_free(m);
        resync(d);
        return;
    }
    m->pub.headers = m->hdrs;
    m->pub.n_headers = n;
    m->pub.first_frame = d->start_frame;
    m->pub.last_frame = d->lf;
    find_known(m);
    if (dir == HTTP_DIR_REQUEST)
        request_head(c, m);
    else
        response_head(c, m);
}

static int start_line_ok(int dir, const char *line, size_t len)
{
    return dir == HTTP_DIR_REQUEST ? http_is_request_line(line, len)
                                   : http_is_status_line(line, len);
}

/* Where a start line begins inside line[0..n), or -1. After a gap the
 * next message may follow the lost one's body on the same line (bodies
 * framed by Content-Length end without a line break). A status line is
 * found by its "HTTP/1."; a request line by its trailing " HTTP/1.x" and
 * a known method just before the target, since garbage may precede it. */
static long start_line_in(int dir, const char *line, size_t n)
{
    static const char *const methods[] = {"GET",     "POST",    "PUT",   "HEAD", "DELETE",
                                          "OPTIONS", "CONNECT", "TRACE", "PATCH"};
    if (n == 0)
        return -1;
    if (start_line_ok(dir, line, n))
        return 0;
    if (dir == HTTP_DIR_RESPONSE) {
        /* A status line is its first 13 bytes ("HTTP/1.1 200 ") and a
         * reason without control characters. The last control character
         * of the line rules out every candidate before it at once, so a
         * line full of "HTTP/1." is searched in linear time. */
        size_t last_ctl = 0;
        int has_ctl = 0;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)line[i] < ' ' && line[i] != '\t') {
                last_ctl = i;
                has_ctl = 1;
            }
        for (size_t i = 1; i + 8 <= n; i++) {
            if (memcmp(line + i, "HTTP/1.", 7) != 0)
                continue;
            size_t head = n - i < 13 ? n - i : 13;
            if ((!has_ctl || last_ctl < i + 13) && http_is_status_line(line + i, head))
                return (long)i;
        }
        return -1;
    }
    if (n < 10 || memcmp(line + n - 9, " HTTP/1.", 8) != 0)
        return -1;
    size_t sp = n - 9; /* the space before the version */
    while (sp > 0 && line[sp - 1] != ' ')
        sp--;
    if (sp < 2)
        return -1;
    size_t method_end = sp - 1;
    for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
        size_t m = strlen(methods[k]);
        if (m <= method_end && memcmp(line + method_end - m, methods[k], m) == 0 &&
            http_is_request_line(line + method_end - m, n - (method_end - m)))
            return (long)(method_end - m);
    }
    return -1;
}

/* Reads head bytes up to the empty line ending the head. */
static const char *read_head(http_conn *c, int dir, const char *p, const char *end)
{
    dir_state *d = &c->d[dir];
    const char *s = p;
    int done = 0, line_end = 0;
    while (p < end && !done && !line_end) {
        char ch = *p++;
        if (ch == '\n') {
            done = d->eoh != 0;
            line_end = !d->first_line_ok;
            d->eoh = 1;
        } else if (ch == '\r') {
            d->eoh = d->eoh == 1 ? 2 : 0;
        } else {
            d->eoh = 0;
        }
    }
    note_frame(d);
    if (buf_append(d, s, (size_t)(p - s), c->max_head) != 0) {
        report(c, dir, "header section too large");
        resync(d);
        return p;
    }
    if (line_end) {
        /* check the start line at once: after garbage (a capture begun
         * mid-stream) this resynchronises without buffering a whole head */
        size_t n = d->len - 1;
        if (n && d->buf[n - 1] == '\r')
            n--;
        if (!start_line_ok(dir, d->buf, n)) {
            report(c, dir,
                   dir == HTTP_DIR_REQUEST ? "malformed request line" : "malformed status line");
            /* the rest of a lost body may precede the start line */
            long at = start_line_in(dir, d->buf, n);
            if (at <= 0) {
                resync(d);
                return p;
            }
            memmove(d->buf, d->buf + at, d->len - (size_t)at);
            d->len -= (size_t)at;
            if ((size_t)at >= d->frame_off)
                d->start_frame = d->ff;
        }
        d->first_line_ok = 1;
    } else if (done) {
        head_done(c, dir);
    }
    return p;
}

static void begin_head(dir_state *d)
{
    d->st = ST_HEAD;
    d->len = 0;
    d->eoh = 0;
    d->first_line_ok = 0;
    d->start_frame = d->ff;
}

/* ---- lines: chunk sizes, trailers, resynchronisation ---- */

static void chunk_size_line(http_conn *c, int dir, const char *line, size_t n)
{
    dir_state *d = &c->d[dir];
    uint64_t size;
    const char *why = "chunk size not hex";
    if (http_parse_chunk_size(line, n, &size, &why) != 0) {
        body_error(c, dir, why);
        return;
    }
    d->len = 0;
    if (size == 0) {
        d->st = ST_TRAILER;
    } else {
        d->st = ST_CHUNK_DATA;
        d->remaining = size;
    }
}

static void trailer_line(http_conn *c, int dir, const char *line, size_t n)
{
    dir_state *d = &c->d[dir];
    msg *m = d->cur;
    d->len = 0;
    if (n) {
        size_t i = 0;
        while (i < n && line[i] != ':' && line[i] != ' ' && line[i] != '\t')
            i++;
        if (i == 0 || i >= n || line[i] != ':') {
            body_error(c, dir, "malformed trailer field");
            return;
        }
        if (m->trail_len + n + 2 > c->max_head) {
            body_error(c, dir, "trailer section too large");
            return;
        }
        m->trail = g_realloc(m->trail, m->trail_len + n + 2 + 2);
        memcpy(m->trail + m->trail_len, line, n);
        memcpy(m->trail + m->trail_len + n, "\r\n", 2);
        m->trail_len += n + 2;
        return;
    }
    if (m->trail_len) {
        memcpy(m->trail + m->trail_len, "\r\n", 2);
        size_t count = count_lines(m->trail, m->trail_len + 2);
        if (count > MAX_HEADERS)
            count = MAX_HEADERS;
        m->trail_hdrs = g_new(http_header, count);
        const char *why;
        if (http_parse_fields(m->trail, m->trail_len + 2, m->trail_hdrs, &count, &why) > 0) {
            m->pub.trailers = m->trail_hdrs;
            m->pub.n_trailers = count;
        }
    }
    finish(c, dir, 0);
}

static void resync_line(http_conn *c, int dir, size_t n)
{
    dir_state *d = &c->d[dir];
    long at = d->overflow ? -1 : start_line_in(dir, d->buf, n);
    if (at >= 0) {
        memmove(d->buf, d->buf + at, d->len - (size_t)at);
        d->len -= (size_t)at;
        if ((size_t)at >= d->frame_off)
            d->start_frame = d->ff;
        /* keep the line (with its line break) as the start of a head */
        d->st = ST_HEAD;
        d->eoh = 1;
        d->first_line_ok = 1;
        return;
    }
    d->len = 0;
    d->overflow = 0;
}

/* Accumulates a line (bounded) and hands it on at its LF. */
static const char *read_line(http_conn *c, int dir, const char *p, const char *end)
{
    dir_state *d = &c->d[dir];
    const char *lf = memchr(p, '\n', (size_t)(end - p));
    const char *stop = lf ? lf + 1 : end;
    if (d->len == 0 && !d->overflow)
        d->start_frame = d->ff;
    note_frame(d);
    if (!d->overflow && buf_append(d, p, (size_t)(stop - p), MAX_LINE) != 0) {
        d->overflow = 1;
        d->len = 0;
    }
    if (!lf)
        return end;
    if (d->overflow && d->st != ST_RESYNC) {
        body_error(c, dir,
                   d->st == ST_CHUNK_SIZE ? "chunk size line too long" : "trailer line too long");
        return stop;
    }
    size_t n = d->overflow ? 0 : d->len - 1;
    if (n && d->buf[n - 1] == '\r')
        n--;
    switch (d->st) {
    case ST_CHUNK_SIZE:
        chunk_size_line(c, dir, d->buf, n);
        break;
    case ST_TRAILER:
        trailer_line(c, dir, d->buf, n);
        break;
    default:
        resync_line(c, dir, n);
        break;
    }
    return stop;
}

/* ---- the public interface ---- */

http_conn *http_conn_new(const http_callbacks *cb, void *ctx)
{
    http_conn *c = g_new0(http_conn, 1);
    if (cb)
        c->cb = *cb;
    c->ctx = ctx;
    c->max_head = HTTP_DEFAULT_MAX_HEAD;
    c->max_body = HTTP_DEFAULT_MAX_BODY;
    return c;
}

void http_conn_set_limits(http_conn *c, size_t max_head, size_t max_body)
{
    if (max_head)
        c->max_head = max_head;
    if (max_body)
        c->max_body = max_body;
}

void http_conn_feed(http_conn *c, int dir, const void *data, size_t len, uint32_t first_frame,
                    uint32_t last_frame)
{
    if (!c || (dir != HTTP_DIR_REQUEST && dir != HTTP_DIR_RESPONSE) || !data)
        return;
    dir_state *d = &c->d[dir];
    d->ff = first_frame;
    d->lf = last_frame;
    const char *p = data, *end = p + len;
    while (p < end) {
        switch (d->st) {
        case ST_DEAD:
            return;
        case ST_IDLE:
            /* RFC 7230 3.5: empty lines before a start line are ignored */
            while (p < end && (*p == '\r' || *p == '\n'))
                p++;
            if (p < end)
                begin_head(d);
            break;
        case ST_HEAD:
            p = read_head(c, dir, p, end);
            break;
        case ST_BODY_LEN:
        case ST_CHUNK_DATA: {
            size_t avail = (size_t)(end - p);
            size_t n = d->remaining < avail ? (size_t)d->remaining : avail;
            body_add(c, d, p, n);
            p += n;
            d->remaining -= n;
            if (d->remaining == 0) {
                if (d->st == ST_BODY_LEN) {
                    finish(c, dir, 0);
                } else {
                    d->st = ST_CHUNK_END;
                    d->eoh = 0;
                }
            }
            break;
        }
        case ST_CHUNK_END:
            if (*p == '\r' && !d->eoh) {
                d->eoh = 1;
                p++;
            } else if (*p == '\n') {
                p++;
                d->st = ST_CHUNK_SIZE;
                d->len = 0;
            } else {
                body_error(c, dir, "no line break after chunk data");
            }
            break;
        case ST_CHUNK_SIZE:
        case ST_TRAILER:
        case ST_RESYNC:
            p = read_line(c, dir, p, end);
            break;
        case ST_BODY_CLOSE:
            body_add(c, d, p, (size_t)(end - p));
            p = end;
            break;
        }
    }
}

/* A message whose head was lost in a gap: it stands in the pairing so
 * that the responses after it still meet their own requests. */
static msg *gap_stand_in(const dir_state *d)
{
    msg *m = g_new0(msg, 1);
    m->pub.flags = HTTP_MSG_GAP;
    m->pub.method.ptr = m->pub.target.ptr = m->pub.reason.ptr = "";
    m->pub.minor_version = 1;
    m->pub.first_frame = d->start_frame;
    m->pub.last_frame = d->lf;
    m->done = 1;
    return m;
}

void http_conn_gap(http_conn *c, int dir)
{
    if (!c || (dir != HTTP_DIR_REQUEST && dir != HTTP_DIR_RESPONSE))
        return;
    dir_state *d = &c->d[dir];
    if (d->st == ST_DEAD)
        return;
    if (d->cur) {
        finish(c, dir, HTTP_MSG_GAP);
    } else if (d->st == ST_HEAD && d->len) {
        msg *req = dir == HTTP_DIR_RESPONSE ? first_unanswered(c) : NULL;
        if (dir == HTTP_DIR_REQUEST) {
            queue_push(c, gap_stand_in(d));
        } else if (req) {
            req->resp = gap_stand_in(d);
            drain(c);
        }
    }
    resync(d);
}

/* The connection ended inside a head whose start line had arrived
 * ("GET /test HTTP/1.0" and no empty line): the message is kept with the
 * lines it has, flagged as closed early, as tshark shows it. */
static void head_cut(http_conn *c, int dir)
{
    dir_state *d = &c->d[dir];
    size_t end = d->len;
    while (end && d->buf[end - 1] != '\n')
        end--;
    if (!d->first_line_ok || !end)
        return;
    d->len = end;
    if (buf_append(d, "\r\n", 2, d->len + 2) < 0)
        return;
    d->cut = 1;
    head_done(c, dir);
    if (d->cur)
        finish(c, dir, HTTP_MSG_CLOSED_EARLY);
    d->cut = 0;
}

void http_conn_end(http_conn *c)
{
    if (!c || c->ended)
        return;
    c->ended = 1;
    for (int dir = 0; dir < 2; dir++) {
        dir_state *d = &c->d[dir];
        if (d->st == ST_BODY_CLOSE) {
            finish(c, dir, 0);
        } else if (d->cur) {
            report(c, dir, "connection closed inside a message body");
            finish(c, dir, HTTP_MSG_CLOSED_EARLY);
        } else if (d->st == ST_HEAD && d->len) {
            report(c, dir, "connection closed inside a message head");
            head_cut(c, dir);
        }
        d->st = ST_DEAD;
    }
    /* what is left never got (all of) its response */
    msg *m;
    while ((m = queue_pop(c))) {
        emit(c, m, m->resp);
        msg_free(m);
    }
}

void http_conn_free(http_conn *c)
{
    if (!c)
        return;
    msg *m;
    while ((m = queue_pop(c)))
        msg_free(m);
    for (int dir = 0; dir < 2; dir++) {
        /* a request being read is in the queue already */
        if (dir == HTTP_DIR_RESPONSE)
            msg_free(c->d[dir].cur);
        g_free(c->d[dir].buf);
    }
    g_free(c);
}

const http_header *http_message_header(const http_message *m, const char *name, size_t *iter)
{
    while (*iter < m->n_headers) {
        const http_header *h = &m->headers[(*iter)++];
        if (http_str_ieq(h->name, name))
            return h;
    }
    return NULL;
}
