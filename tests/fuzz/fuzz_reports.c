/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the report writers. A random report model — connections
 * with HTTP exchanges, headers, SOAP, notes, DNS records, warnings, inputs
 * — is built from the input, with random identifying values marked as the
 * analysis marks them and placed in random fields, alone or inside other
 * text; lib's diagnosis runs over it (its evidence quotes the values) and
 * every format is written, with the transcript, redacted and not. Checked:
 * every output is valid UTF-8 without control characters (colour off),
 * the JSON parses, the HTML is well-formed, and with --redact no marked
 * value appears in any output, raw or escaped as any format escapes it.
 *
 * Input: bytes read as choices front to back (see take_string). */
#include <json-glib/json-glib.h>
#include <sys/socket.h>

#include "diagnose.h"
#include "report_ndjson.h"
#include "fuzz_common.h"
#include "report.h"

#define MAX_VALUES 6

typedef struct model {
    fz_in in;
    char *values[MAX_VALUES]; /* the identifying values */
    size_t n_values;
} model;

static unsigned pick(model *m, unsigned n)
{
    uint8_t b = 0;
    fz_u8(&m->in, &b);
    return n ? b % n : 0;
}

/* An identifying value: a unique start, then characters every format has
 * to escape (quotes, ampersand, backslash, markup, pipes, backticks,
 * non-ASCII, control characters) and letters. */
static char *make_value(model *m)
{
    static const char *const hostile[] = {
        "'",        "\"",           "&",    "\\",   "<", ">", "|", "`", " ",
        "\xc3\xa9", "\xe2\x80\xae", "\x1b", "\x07", ";", "="};
    GString *v = g_string_new("Z");
    for (int i = 0; i < 7; i++)
        g_string_append_c(v, "abcdefghijkmnpqrstuvwxyz23456789"[pick(m, 32)]);
    unsigned n = pick(m, 24);
    for (unsigned i = 0; i < n; i++) {
        unsigned c = pick(m, 40);
        if (c < G_N_ELEMENTS(hostile))
            g_string_append(v, hostile[c]);
        else
            g_string_append_c(v, "abcdefghijklmnopqrstuvwxyz.-"[c % 28]);
    }
    return g_string_free(v, FALSE);
}

/* A string for a field: a word, a marked value alone or inside text, or
 * raw input bytes (control characters, invalid UTF-8). */
static char *take_string(model *m)
{
    static const char *const words[] = {"POST",
                                        "/wsman",
                                        "Digest realm=\"x\"",
                                        "Intel(R) AMT",
                                        "application/soap+xml",
                                        "AccessDenied",
                                        "Get",
                                        ""};
    unsigned kind = pick(m, 8);
    if (kind < 3 || m->n_values == 0)
        return g_strdup(words[pick(m, G_N_ELEMENTS(words))]);
    const char *v = m->values[pick(m, (unsigned)m->n_values)];
    switch (kind) {
    case 3:
    case 4:
        return g_strdup(v);
    case 5:
        return g_strdup_printf("frame 3: user \"%s\" (%s)", v, words[pick(m, 4)]);
    case 6:
        return g_strdup_printf("Digest username=\"%s\", realm=\"%s\"", v,
                               m->values[pick(m, (unsigned)m->n_values)]);
    default: {
        size_t got;
        const uint8_t *p = fz_take(&m->in, pick(m, 40), &got);
        return g_strndup((const char *)p, got);
    }
    }
}

static void fill_msg(model *m, http_msg_rec *r, int request)
{
    r->present = 1;
    r->complete = pick(m, 2);
    r->first_frame = pick(m, 50) + 1;
    r->last_frame = r->first_frame + pick(m, 3);
    if (request) {
        r->method = take_string(m);
        r->target = take_string(m);
        r->authorization = pick(m, 2) ? take_string(m) : NULL;
        r->host = pick(m, 2) ? take_string(m) : NULL;
    } else {
        r->status = 100 + (int)pick(m, 250) * 2;
        r->reason = take_string(m);
        r->www_authenticate = pick(m, 2) ? take_string(m) : NULL;
        r->server = pick(m, 2) ? take_string(m) : NULL;
    }
    r->content_type = pick(m, 2) ? take_string(m) : NULL;
    r->headers = g_ptr_array_new_with_free_func(g_free);
    for (unsigned i = pick(m, 4); i > 0; i--)
        g_ptr_array_add(r->headers, take_string(m));
    r->body_len = pick(m, 200);
    memcpy(r->body_sha256, "00", 3);
    soap_rec *s = &r->soap;
    if (pick(m, 2)) {
        s->present = 1;
        s->kind = g_strdup("wsman");
        s->action_name = take_string(m);
        s->class_name = take_string(m);
        s->fields = take_string(m);
        s->is_fault = pick(m, 2);
        s->fault_subcode = s->is_fault ? take_string(m) : NULL;
        s->fault_reason = s->is_fault ? take_string(m) : NULL;
        s->trusted_cn = pick(m, 2) ? take_string(m) : NULL;
    }
}

static conn_rec *make_conn(model *m, unsigned id)
{
    conn_rec *c = g_new0(conn_rec, 1);
    c->id = id;
    c->file = take_string(m);
    c->client.family = c->server.family = AF_INET;
    c->client.addr[0] = 192;
    c->client.addr[3] = (uint8_t)pick(m, 256);
    c->server.addr[0] = 192;
    c->server.addr[3] = (uint8_t)pick(m, 256);
    c->client.port = 50000;
    c->server.port = pick(m, 2) ? 16992 : 16993;
    c->first_frame = 1;
    c->last_frame = 60;
    c->syn_count = pick(m, 3);
    c->syn_frame = c->syn_count ? 1 : 0;
    c->synack_frame = pick(m, 2) ? 2 : 0;
    c->rst_from = (int)pick(m, 3) - 1;
    c->rst_frame = c->rst_from >= 0 ? 9 : 0;
    c->app = APP_HTTP;
    c->http = g_ptr_array_new();
    c->notes = g_ptr_array_new_with_free_func(g_free);
    c->hs = g_array_new(FALSE, FALSE, sizeof(hs_event));
    for (unsigned i = pick(m, 4); i > 0; i--) {
        http_rec *h = g_new0(http_rec, 1);
        h->seq = c->http->len;
        fill_msg(m, &h->req, 1);
        if (pick(m, 4))
            fill_msg(m, &h->resp, 0);
        g_ptr_array_add(c->http, h);
    }
    for (unsigned i = pick(m, 3); i > 0; i--)
        g_ptr_array_add(c->notes, take_string(m));
    return c;
}

static dns_rec *make_dns(model *m)
{
    dns_rec *d = g_new0(dns_rec, 1);
    d->file = take_string(m);
    d->frame = pick(m, 50) + 1;
    d->is_response = 1;
    d->qname = take_string(m);
    d->qtype = pick(m, 2) ? 1 : 12;
    d->rcode = pick(m, 2) ? 0 : 3;
    d->answers = take_string(m);
    return d;
}

/* ---- checks ----------------------------------------------------------- */

static void check_safe(const char *what, const char *s, size_t n)
{
    if (!g_utf8_validate(s, (gssize)n, NULL)) {
        fprintf(stderr, "%s: not UTF-8\n", what);
        abort();
    }
    for (const char *p = s; p < s + n; p = g_utf8_next_char(p)) {
        gunichar u = g_utf8_get_char(p);
        if ((u < 0x20 && u != '\n') || (u >= 0x7f && u < 0xa0) || u == 0x202e) {
            fprintf(stderr, "%s: control character U+%04X at %zu\n", what, u, (size_t)(p - s));
            abort();
        }
    }
}

/* The elements of the HTML nest and close, text holds no raw markup, and
 * every reference is one the writer makes. */
static void check_html(const char *s, size_t n)
{
    static const char *const voids[] = {"meta", "br", "line", "polygon", "rect", "circle"};
    GPtrArray *open = g_ptr_array_new_with_free_func(g_free);
    const char *p = s, *end = s + n;
    while (p < end) {
        if (*p == '&') {
            static const char *const refs[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
            int ok = 0;
            for (size_t i = 0; i < G_N_ELEMENTS(refs); i++)
                ok |= !strncmp(p, refs[i], strlen(refs[i]));
            FZ_CHECK(ok);
            p++;
            continue;
        }
        FZ_CHECK(*p != '>');
        if (*p != '<') {
            p++;
            continue;
        }
        const char *close = memchr(p, '>', (size_t)(end - p));
        FZ_CHECK(close);
        if (!strncmp(p, "<!DOCTYPE", 9)) {
            p = close + 1;
            continue;
        }
        /* a tag: quoted attribute values cannot hold '>' (it is escaped) */
        int closing = p[1] == '/';
        const char *name = p + 1 + closing;
        size_t len = strcspn(name, " >/");
        char *tag = g_strndup(name, len);
        FZ_CHECK(len > 0);
        for (const char *q = name; q < close; q++)
            FZ_CHECK(*q != '<');
        int is_void = close[-1] == '/';
        for (size_t i = 0; i < G_N_ELEMENTS(voids); i++)
            is_void |= !strcmp(tag, voids[i]);
        if (closing) {
            FZ_CHECK(open->len > 0);
            FZ_CHECK(!strcmp(g_ptr_array_index(open, open->len - 1), tag));
            g_ptr_array_remove_index(open, open->len - 1);
            g_free(tag);
        } else if (!is_void) {
            g_ptr_array_add(open, tag);
        } else {
            g_free(tag);
        }
        p = close + 1;
        /* style holds CSS, with '>' selectors of its own: skipped whole */
        if (!closing && open->len && !strcmp(g_ptr_array_index(open, open->len - 1), "style")) {
            const char *st = strstr(p, "</style>");
            FZ_CHECK(st);
            p = st;
        }
    }
    FZ_CHECK(open->len == 0);
    g_ptr_array_free(open, TRUE);
}

/* value as the writers would show it unredacted: raw, with its control
 * characters as \xNN, and that escaped as HTML, Markdown and JSON do. */
static void forms(const char *v, GPtrArray *out)
{
    GString *clean = g_string_new(NULL);
    for (const char *p = v; *p; p++) {
        if ((unsigned char)*p < 0x20)
            g_string_append_printf(clean, "\\x%02x", (unsigned char)*p);
        else if (!strncmp(p, "\xe2\x80\xae", 3)) {
            g_string_append(clean, "\\xe2\\x80\\xae");
            p += 2;
        } else
            g_string_append_c(clean, *p);
    }
    GString *html = g_string_new(NULL), *md = g_string_new(NULL), *json = g_string_new(NULL);
    for (const char *p = clean->str; *p; p++) {
        switch (*p) {
        case '&':
            g_string_append(html, "&amp;");
            break;
        case '<':
            g_string_append(html, "&lt;");
            break;
        case '>':
            g_string_append(html, "&gt;");
            break;
        case '"':
            g_string_append(html, "&quot;");
            break;
        case '\'':
            g_string_append(html, "&#39;");
            break;
        default:
            g_string_append_c(html, *p);
        }
        if (strchr("|\\<`", *p))
            g_string_append_c(md, '\\');
        g_string_append_c(md, *p);
        if (*p == '"' || *p == '\\')
            g_string_append_c(json, '\\');
        g_string_append_c(json, *p);
    }
    g_ptr_array_add(out, g_strdup(v));
    g_ptr_array_add(out, g_string_free(clean, FALSE));
    g_ptr_array_add(out, g_string_free(html, FALSE));
    g_ptr_array_add(out, g_string_free(md, FALSE));
    g_ptr_array_add(out, g_string_free(json, FALSE));
}

static void check_redacted(const char *what, const char *s, const model *m)
{
    GPtrArray *f = g_ptr_array_new_with_free_func(g_free);
    for (size_t i = 0; i < m->n_values; i++)
        forms(m->values[i], f);
    for (guint i = 0; i < f->len; i++) {
        const char *form = g_ptr_array_index(f, i);
        const char *hit = strstr(s, form);
        if (hit) {
            fprintf(stderr, "%s: marked value \"%s\" left in at %zu\n", what, form,
                    (size_t)(hit - s));
            abort();
        }
    }
    g_ptr_array_free(f, TRUE);
}

typedef int (*writer)(FILE *out, const report_in *r);

static int text_writer(FILE *out, const report_in *r)
{
    return report_write_whole(&report_text_ops, out, r);
}

static int json_writer(FILE *out, const report_in *r)
{
    return report_write_whole(&report_json_ops, out, r);
}

static int markdown_writer(FILE *out, const report_in *r)
{
    return report_write_whole(&report_markdown_ops, out, r);
}

static int html_writer(FILE *out, const report_in *r)
{
    return report_write_whole(&report_html_ops, out, r);
}

/* NDJSON: each connection's line, then the summary, as the streamed run
 * writes them (the whole-capture result stands in for each judgement). */
static int ndjson_writer(FILE *out, const report_in *r)
{
    ndjson_out *o = ndjson_open(out, r);
    judge_counts n = {.n_causes = 0};
    for (guint i = 0; i < r->a->conns->len; i++)
        ndjson_conn(o, g_ptr_array_index(r->a->conns, i), r->d, 0);
    ndjson_conn(o, NULL, r->d, 0);
    n.conns = r->a->conns->len;
    int rc = ndjson_summary(o, &n);
    ndjson_close(o);
    return rc;
}

/* Every line of an NDJSON report is one JSON object. */
static void check_ndjson_lines(const char *buf, size_t len)
{
    FZ_CHECK(len && buf[len - 1] == '\n');
    for (const char *p = buf; p < buf + len;) {
        const char *nl = memchr(p, '\n', (size_t)(buf + len - p));
        JsonParser *jp = json_parser_new();
        GError *err = NULL;
        if (!json_parser_load_from_data(jp, p, nl - p, &err)) {
            fprintf(stderr, "ndjson: %s\n", err->message);
            abort();
        }
        FZ_CHECK(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(jp)));
        g_object_unref(jp);
        p = nl + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    model m = {.in = {data, size}};
    analysis a;
    analysis_init(&a);
    a.marks = idm_new();
    m.n_values = 1 + pick(&m, MAX_VALUES);
    for (size_t i = 0; i < m.n_values; i++) {
        m.values[i] = make_value(&m);
        idm_mark_str(a.marks, (id_kind)pick(&m, ID_N_KINDS), m.values[i]);
    }
    for (unsigned i = pick(&m, 4); i > 0; i--) {
        conn_rec *c = make_conn(&m, a.conns->len);
        idm_mark_addr(a.marks, 4, c->client.addr);
        idm_mark_addr(a.marks, 4, c->server.addr);
        g_ptr_array_add(a.conns, c);
    }
    for (unsigned i = pick(&m, 3); i > 0; i--)
        g_ptr_array_add(a.dns, make_dns(&m));
    for (unsigned i = pick(&m, 3); i > 0; i--)
        g_ptr_array_add(a.warnings, take_string(&m));
    g_ptr_array_add(a.inputs, take_string(&m));
    a.frames = 60;

    diag_account account = {m.values[0], "pw"};
    const char *fqdn[] = {m.values[m.n_values - 1]};
    diag_inputs in = {
        .accounts = &account, .n_accounts = 1, .trusted_fqdn = fqdn, .n_trusted_fqdn = 1};
    diag_result *d = diagnose(&a, &in);
    char *given0 = take_string(&m);
    const char *given[] = {given0, NULL};

    static const struct {
        const char *name;
        writer write;
    } writers[] = {{"text", text_writer},
                   {"json", json_writer},
                   {"markdown", markdown_writer},
                   {"html", html_writer},
                   {"ndjson", ndjson_writer}};
    for (int redact = 0; redact < 2; redact++)
        for (size_t k = 0; k < G_N_ELEMENTS(writers); k++) {
            report_in r = {&a, d, 1, 0, given, redact, NULL};
            char *buf = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&buf, &len);
            FZ_CHECK(f);
            FZ_CHECK(writers[k].write(f, &r) == 0);
            FZ_CHECK(fclose(f) == 0);
            check_safe(writers[k].name, buf, len);
            if (!strcmp(writers[k].name, "json")) {
                JsonParser *p = json_parser_new();
                GError *err = NULL;
                if (!json_parser_load_from_data(p, buf, (gssize)len, &err)) {
                    fprintf(stderr, "json: %s\n", err->message);
                    abort();
                }
                g_object_unref(p);
            }
            if (!strcmp(writers[k].name, "html"))
                check_html(buf, len);
            if (!strcmp(writers[k].name, "ndjson"))
                check_ndjson_lines(buf, len);
            if (redact)
                check_redacted(writers[k].name, buf, &m);
            free(buf);
        }
    g_free(given0);
    diag_result_free(d);
    analysis_free(&a);
    for (size_t i = 0; i < m.n_values; i++)
        g_free(m.values[i]);
    return 0;
}
