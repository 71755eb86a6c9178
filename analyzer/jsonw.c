/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonw: JSON written as it is produced (jsonw.h). */
#include "jsonw.h"

void jsonw_init(jsonw *j, const outw *w, int pretty)
{
    *j = (jsonw){.s = g_string_sized_new(4096), .w = w, .pretty = pretty};
}

void jsonw_free(jsonw *j)
{
    if (j->s)
        g_string_free(j->s, TRUE);
    j->s = NULL;
}

static void newline(jsonw *j)
{
    if (!j->pretty)
        return;
    /* a line break and two spaces per level, in one append */
    static const char spaces[] =
        "\n                                                                ";
    int n = 1 + 2 * MIN(j->depth, JSONW_DEPTH_MAX);
    g_string_append_len(j->s, spaces, n);
    for (int i = JSONW_DEPTH_MAX; i < j->depth; i++)
        g_string_append(j->s, "  ");
}

/* What goes before an element: the comma after the previous one, and its
 * line; nothing after a member name. */
static void element(jsonw *j)
{
    if (j->after_name) {
        j->after_name = 0;
        return;
    }
    int d = MIN(j->depth, JSONW_DEPTH_MAX - 1);
    if (j->has_items[d])
        g_string_append_c(j->s, ',');
    j->has_items[d] = 1;
    if (j->depth)
        newline(j);
}

static void open_level(jsonw *j, char c)
{
    element(j);
    g_string_append_c(j->s, c);
    j->depth++;
    j->has_items[MIN(j->depth, JSONW_DEPTH_MAX - 1)] = 0;
}

static void close_level(jsonw *j, char c)
{
    int had = j->has_items[MIN(j->depth, JSONW_DEPTH_MAX - 1)];
    j->depth--;
    if (had)
        newline(j);
    g_string_append_c(j->s, c);
}

void jsonw_begin_object(jsonw *j)
{
    open_level(j, '{');
}

void jsonw_end_object(jsonw *j)
{
    close_level(j, '}');
}

void jsonw_begin_array(jsonw *j)
{
    open_level(j, '[');
}

void jsonw_end_array(jsonw *j)
{
    close_level(j, ']');
}

/* Whether c goes into a JSON string as it is. */
static int plain_char(unsigned char c)
{
    return c >= 0x20 && c != 0x7f && c != '"' && c != '\\';
}

/* v as a JSON string: quotes, backslashes and control characters escaped;
 * runs of other bytes copied at once. */
static void quoted(GString *s, const char *v)
{
    g_string_append_c(s, '"');
    const unsigned char *p = (const unsigned char *)v;
    while (*p) {
        const unsigned char *run = p;
        while (*p && plain_char(*p))
            p++;
        if (p > run)
            g_string_append_len(s, (const char *)run, p - run);
        if (!*p)
            break;
        switch (*p) {
        case '"':
            g_string_append(s, "\\\"");
            break;
        case '\\':
            g_string_append(s, "\\\\");
            break;
        case '\n':
            g_string_append(s, "\\n");
            break;
        case '\r':
            g_string_append(s, "\\r");
            break;
        case '\t':
            g_string_append(s, "\\t");
            break;
        default:
            g_string_append_printf(s, "\\u%04x", *p);
        }
        p++;
    }
    g_string_append_c(s, '"');
}

/* Printable ASCII only: what the writer's cleaning leaves as it is. */
static int printable_ascii(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p >= 0x7f)
            return 0;
    return 1;
}

void jsonw_name(jsonw *j, const char *name)
{
    element(j);
    quoted(j->s, name);
    g_string_append(j->s, j->pretty ? " : " : ":");
    j->after_name = 1;
}

void jsonw_str_raw(jsonw *j, const char *v)
{
    element(j);
    if (v)
        quoted(j->s, v);
    else
        g_string_append(j->s, "null");
}

void jsonw_str(jsonw *j, const char *v)
{
    /* Cleaning changes nothing in printable ASCII when nothing is to be
     * redacted: most values (numbers as text, tokens, names) are. */
    if (!v || !j->w || (!j->w->redact && printable_ascii(v))) {
        jsonw_str_raw(j, v);
        return;
    }
    char *c = out_clean(j->w, v);
    jsonw_str_raw(j, c);
    g_free(c);
}

void jsonw_int(jsonw *j, int64_t v)
{
    element(j);
    char buf[24], *e = buf + sizeof buf, *p = e;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    g_string_append_len(j->s, p, e - p);
}

void jsonw_bool(jsonw *j, int v)
{
    element(j);
    g_string_append(j->s, v ? "true" : "false");
}

void jsonw_null(jsonw *j)
{
    element(j);
    g_string_append(j->s, "null");
}

int jsonw_drain(jsonw *j, FILE *f)
{
    int rc = fwrite(j->s->str, 1, j->s->len, f) == j->s->len ? 0 : -1;
    g_string_truncate(j->s, 0);
    return rc;
}
