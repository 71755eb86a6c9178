/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A strict XML tokenizer for the SOAP bodies AMT and consoles exchange.
 * It replaces GLib's GMarkup in soap.c: GMarkup copies every name, value
 * and piece of text into GStrings and walks the input a character at a
 * time, which made it the largest cost of decoding a capture outside
 * cryptography. Here the input is held whole, so names and values are
 * handed over in place and runs of text are found with memchr.
 *
 * What it accepts is what soap.c accepted through GMarkup: elements with
 * attributes (XML names, ASCII or Unicode letters), text with the five
 * predefined entities and decimal or hexadecimal character references
 * (of characters XML 1.1 permits), CDATA sections, comments, processing
 * instructions (the XML declaration), white space around the root
 * element. Text has its line ends normalised to \n, attribute values
 * their \t, \n and \r to spaces (XML 1.0 sections 2.11 and 3.3.3).
 * Refused: a document type declaration (no entity can be defined, so
 * nothing can expand), any other <! declaration, unknown entities, a
 * malformed character reference, an end tag that does not match. */
#include "xml_scan.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

typedef struct scanner {
    const char *doc;
    const char *end;
    int is_prefix;
    const xml_scan_cb *cb;
    void *user;
    xml_scan_result result;
    char *err;
    size_t errlen;
    size_t *err_pos;
    int depth;
    int seen_markup; /* a '<' outside any element: the document is not empty */
    int seen_root;
    xml_str stack[XML_SCAN_MAX_DEPTH];
    xml_attr *attrs;
    size_t attrs_cap;
    xml_attr attrs_own[16];
    /* text and values whose entities were expanded: room for the whole
     * document (expansion only shrinks), so pointers into it stay put */
    char *buf;
    size_t buf_used;
} scanner;

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* How many bytes of s[0..n) to show in a message: up to the first control
 * character, at most 48, not cutting a UTF-8 sequence. */
static int shown(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && k < 48 && (unsigned char)s[k] >= 0x20 && s[k] != 0x7F)
        k++;
    if (k < n)
        while (k && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
    return (int)k;
}

#define SHOW(str) shown((str).s, (str).n), (str).s

static int G_GNUC_PRINTF(3, 4) fail(scanner *s, const char *at, const char *fmt, ...)
{
    s->result = XML_SCAN_SYNTAX;
    *s->err_pos = (size_t)(at - s->doc);
    if (s->err && s->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->err, s->errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The input ended inside a construct: an error, unless it was cut. */
static int cut(scanner *s, const char *what)
{
    if (s->is_prefix) {
        s->result = XML_SCAN_OK;
        return -1;
    }
    return fail(s, s->end, "the document ended inside %s", what);
}

/* The character at p, quoted for a message ("'x'", or the byte in hex). */
static const char *char_shown(const char *p, const char *end, char buf[16])
{
    unsigned char c = (unsigned char)*p;
    if (c >= 0x20 && c < 0x7F)
        snprintf(buf, 16, "'%c'", c);
    else if (c >= 0x80)
        snprintf(buf, 16, "'%.*s'", (int)MIN((size_t)(end - p), (size_t)g_utf8_skip[c]), p);
    else
        snprintf(buf, 16, "byte 0x%02X", c);
    return buf;
}

/* The end of the XML name starting at p (p itself when none starts
 * there): letters, '_' and ':', then also digits, '.' and '-'. */
static const char *scan_name(const char *p, const char *end)
{
    const char *q = p;
    while (q < end) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x80) {
            if ((unsigned)((c | 0x20) - 'a') < 26 || c == '_' || c == ':' ||
                (q > p && ((unsigned)(c - '0') < 10 || c == '.' || c == '-')))
                q++;
            else
                break;
        } else {
            gunichar u = g_utf8_get_char_validated(q, end - q);
            if (u == (gunichar)-1 || u == (gunichar)-2 || !g_unichar_isalpha(u))
                break;
            q = g_utf8_next_char(q);
        }
    }
    return q;
}

static const char *find(const char *p, const char *end, const char *what)
{
    size_t n = strlen(what);
    while ((size_t)(end - p) >= n) {
        const char *c = memchr(p, what[0], (size_t)(end - p) - n + 1);
        if (!c)
            return NULL;
        if (memcmp(c, what, n) == 0)
            return c;
        p = c + 1;
    }
    return NULL;
}

/* A character reference's value (after "&#", up to semi), or -1. */
static long char_ref(const char *d, const char *semi)
{
    int base = 10;
    if (d < semi && *d == 'x') {
        base = 16;
        d++;
    }
    if (d == semi)
        return -1;
    long v = 0;
    for (; d < semi; d++) {
        int dv = g_ascii_xdigit_value(*d);
        if (dv < 0 || dv >= base)
            return -1;
        v = v * base + dv;
        if (v > 0x10FFFF)
            return -1;
    }
    /* the characters XML 1.1 permits (what GMarkup allowed) */
    if ((v > 0 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || v >= 0x10000)
        return v;
    return -1;
}

/* The entity reference at *pp ('&') written to *oo; *pp is left on its ';'. */
static int entity(scanner *s, const char **pp, const char *b, char **oo)
{
    const char *amp = *pp;
    const char *p = amp + 1;
    const char *semi = memchr(p, ';', (size_t)(b - p));
    if (!semi)
        return fail(s, amp, "'&' that starts no entity reference (a literal & is written &amp;)");
    size_t n = (size_t)(semi - p);
    char *o = *oo;
    if (n >= 1 && p[0] == '#') {
        long v = char_ref(p + 1, semi);
        if (v < 0)
            return fail(s, amp, "invalid character reference &%.*s%s", shown(p, n), p,
                        shown(p, n) == (int)n ? ";" : "...");
        o += g_unichar_to_utf8((gunichar)v, o);
    } else if (n == 2 && memcmp(p, "lt", 2) == 0) {
        *o++ = '<';
    } else if (n == 2 && memcmp(p, "gt", 2) == 0) {
        *o++ = '>';
    } else if (n == 3 && memcmp(p, "amp", 3) == 0) {
        *o++ = '&';
    } else if (n == 4 && memcmp(p, "quot", 4) == 0) {
        *o++ = '"';
    } else if (n == 4 && memcmp(p, "apos", 4) == 0) {
        *o++ = '\'';
    } else {
        return fail(s, amp,
                    "unknown entity &%.*s%s (only &lt; &gt; &amp; &quot; &apos; are defined)",
                    shown(p, n), p, shown(p, n) == (int)n ? ";" : "...");
    }
    *pp = semi;
    *oo = o;
    return 0;
}

/* a[0..b) with entities expanded and line ends normalised (in attribute
 * values also tabs and line feeds made spaces), into the buffer. */
static int unescape(scanner *s, const char *a, const char *b, int attr, xml_str *out)
{
    if (!s->buf)
        s->buf = g_malloc((size_t)(s->end - s->doc) + 1);
    char *start = s->buf + s->buf_used;
    char *o = start;
    for (const char *p = a; p < b; p++) {
        char c = *p;
        if (c == '&') {
            if (entity(s, &p, b, &o) < 0)
                return -1;
            continue;
        }
        if (c == '\r') {
            c = attr ? ' ' : '\n';
            if (p + 1 < b && p[1] == '\n')
                p++;
        } else if (attr && (c == '\t' || c == '\n')) {
            c = ' ';
        }
        *o++ = c;
    }
    out->s = start;
    out->n = (size_t)(o - start);
    s->buf_used += out->n;
    return 0;
}

/* Text a[0..b), as written in a CDATA section (raw) or not. */
static int emit_text(scanner *s, const char *a, const char *b, int raw)
{
    xml_str t = {a, (size_t)(b - a)};
    if (t.n == 0)
        return 0;
    if (!raw && (memchr(a, '&', t.n) || memchr(a, '\r', t.n))) {
        s->buf_used = 0;
        if (unescape(s, a, b, 0, &t) < 0)
            return -1;
    }
    if (s->cb->text && s->cb->text(s->user, t.s, t.n)) {
        s->result = XML_SCAN_STOPPED;
        return -1;
    }
    return 0;
}

static int add_attr(scanner *s, size_t n, xml_str name, xml_str value)
{
    if (n == s->attrs_cap) {
        size_t cap = s->attrs_cap * 4;
        if (s->attrs == s->attrs_own) {
            s->attrs = g_new(xml_attr, cap);
            memcpy(s->attrs, s->attrs_own, sizeof s->attrs_own);
        } else {
            s->attrs = g_renew(xml_attr, s->attrs, cap);
        }
        s->attrs_cap = cap;
    }
    s->attrs[n].name = name;
    s->attrs[n].value = value;
    return 0;
}

/* One attribute at *qq (its name's first byte); *qq is left after it. */
static int attribute(scanner *s, xml_str el, const char **qq, size_t n_attrs)
{
    const char *end = s->end;
    const char *an = *qq;
    const char *q = scan_name(an, end);
    char cb[16];
    if (q == an)
        return fail(s, an, "%s in the start tag of <%.*s>", char_shown(an, end, cb), SHOW(el));
    xml_str name = {an, (size_t)(q - an)};
    if (n_attrs >= XML_SCAN_MAX_ATTRS)
        return fail(s, an, "more than %d attributes in <%.*s>", XML_SCAN_MAX_ATTRS, SHOW(el));
    while (q < end && is_space(*q))
        q++;
    if (q == end)
        return cut(s, "a start tag");
    if (*q != '=')
        return fail(s, q, "%s after attribute %.*s of <%.*s>, where '=' belongs",
                    char_shown(q, end, cb), SHOW(name), SHOW(el));
    q++;
    while (q < end && is_space(*q))
        q++;
    if (q == end)
        return cut(s, "a start tag");
    char quote = *q;
    if (quote != '"' && quote != '\'')
        return fail(s, q, "the value of attribute %.*s of <%.*s> is not in quotes", SHOW(name),
                    SHOW(el));
    const char *v = q + 1;
    const char *vend = memchr(v, quote, (size_t)(end - v));
    if (!vend)
        return cut(s, "an attribute value");
    xml_str value = {v, (size_t)(vend - v)};
    for (const char *k = v; k < vend; k++) {
        if (*k == '&' || *k == '\t' || *k == '\n' || *k == '\r') {
            if (unescape(s, v, vend, 1, &value) < 0)
                return -1;
            break;
        }
    }
    add_attr(s, n_attrs, name, value);
    *qq = vend + 1;
    return 0;
}

/* A start tag at p ('<' followed by a name); returns where it ends. */
static const char *start_tag(scanner *s, const char *p)
{
    const char *end = s->end;
    const char *q = scan_name(p + 1, end);
    xml_str name = {p + 1, (size_t)(q - p - 1)};
    char cb[16];
    if (name.n == 0) {
        fail(s, p + 1, "%s cannot begin an element name", char_shown(p + 1, end, cb));
        return NULL;
    }
    if (q == end) {
        cut(s, "a start tag");
        return NULL;
    }
    if (!is_space(*q) && *q != '/' && *q != '>') {
        fail(s, q, "%s in the element name <%.*s>", char_shown(q, end, cb), SHOW(name));
        return NULL;
    }
    size_t n_attrs = 0;
    int empty = 0;
    s->buf_used = 0;
    for (;;) {
        while (q < end && is_space(*q))
            q++;
        if (q == end) {
            cut(s, "a start tag");
            return NULL;
        }
        if (*q == '>') {
            q++;
            break;
        }
        if (*q == '/') {
            q++;
            empty = 1;
            break;
        }
        if (attribute(s, name, &q, n_attrs) < 0)
            return NULL;
        n_attrs++;
    }
    if (s->depth >= XML_SCAN_MAX_DEPTH) {
        fail(s, p, "elements nested deeper than %d", XML_SCAN_MAX_DEPTH);
        return NULL;
    }
    if (s->cb->start && s->cb->start(s->user, name, s->attrs, n_attrs, (size_t)(p - s->doc))) {
        s->result = XML_SCAN_STOPPED;
        return NULL;
    }
    s->seen_root = 1;
    if (empty) {
        /* the element is started before its "/>" is checked, as GMarkup did */
        if (q == end) {
            cut(s, "a start tag");
            return NULL;
        }
        if (*q != '>') {
            fail(s, q, "%s after '/' in <%.*s/>, where '>' belongs", char_shown(q, end, cb),
                 SHOW(name));
            return NULL;
        }
        q++;
        if (s->cb->end && s->cb->end(s->user)) {
            s->result = XML_SCAN_STOPPED;
            return NULL;
        }
    } else {
        s->stack[s->depth++] = name;
    }
    return q;
}

/* An end tag at p ("</"); returns where it ends. */
static const char *end_tag(scanner *s, const char *p)
{
    const char *end = s->end;
    const char *q = p + 2;
    while (q < end && !is_space(*q) && *q != '>' && *q != '/' && *q != '=')
        q++;
    xml_str name = {p + 2, (size_t)(q - p - 2)};
    while (q < end && is_space(*q))
        q++;
    if (q == end) {
        cut(s, "an end tag");
        return NULL;
    }
    char cb[16];
    if (*q != '>') {
        fail(s, q, "%s in the end tag </%.*s>, where '>' belongs", char_shown(q, end, cb),
             SHOW(name));
        return NULL;
    }
    if (s->depth == 0) {
        fail(s, p, "end tag </%.*s> with no element open", SHOW(name));
        return NULL;
    }
    const xml_str *open = &s->stack[s->depth - 1];
    if (open->n != name.n || memcmp(open->s, name.s, name.n) != 0) {
        fail(s, p, "end tag </%.*s> where </%.*s> belongs", SHOW(name), SHOW(*open));
        return NULL;
    }
    if (s->cb->end && s->cb->end(s->user)) {
        s->result = XML_SCAN_STOPPED;
        return NULL;
    }
    s->depth--;
    return q + 1;
}

/* Whether s[0..n) starts with the first n bytes of what (n may be short). */
static int starts(const char *p, const char *end, const char *what)
{
    size_t n = MIN((size_t)(end - p), strlen(what));
    return memcmp(p, what, n) == 0;
}

/* "<!" or "<?" at p: a comment, CDATA section or processing instruction
 * (skipped, CDATA handed on as text); returns where it ends. */
static const char *special(scanner *s, const char *p)
{
    const char *end = s->end;
    /* A processing instruction ends at the first "?>" after its "<", a
     * comment at the first "-->" after its "<!": so "<?>" and "<!-->" are
     * whole (as GMarkup had them; nothing in them is read). */
    static const struct {
        const char *open;
        size_t search_from;
        const char *close;
        const char *what;
    } kinds[] = {
        {"<?", 1, "?>", "a processing instruction"},
        {"<!--", 2, "-->", "a comment"},
        {"<![CDATA[", 9, "]]>", "a CDATA section"},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
        if (!starts(p, end, kinds[k].open))
            continue;
        size_t n = strlen(kinds[k].open);
        const char *close =
            (size_t)(end - p) >= n ? find(p + kinds[k].search_from, end, kinds[k].close) : NULL;
        if (!close) {
            cut(s, kinds[k].what);
            return NULL;
        }
        if (n == 9 && s->depth > 0 && emit_text(s, p + n, close, 1) < 0)
            return NULL; /* CDATA: its text as written */
        return close + strlen(kinds[k].close);
    }
    if (end - p >= 9 && g_ascii_strncasecmp(p, "<!DOCTYPE", 9) == 0) {
        s->result = XML_SCAN_DOCTYPE;
        *s->err_pos = (size_t)(p - s->doc);
        return NULL;
    }
    if (end - p < 9 && g_ascii_strncasecmp(p, "<!DOCTYPE", (gsize)(end - p)) == 0) {
        cut(s, "a declaration");
        return NULL;
    }
    fail(s, p, "a <! declaration other than a comment or CDATA section");
    return NULL;
}

xml_scan_result xml_scan(const char *doc, size_t len, int is_prefix, const xml_scan_cb *cb,
                         void *user, char *err, size_t errlen, size_t *err_pos)
{
    size_t pos_unused;
    scanner s = {0};
    s.doc = doc;
    s.end = doc + len;
    s.is_prefix = is_prefix;
    s.cb = cb;
    s.user = user;
    s.err = err;
    s.errlen = errlen;
    s.err_pos = err_pos ? err_pos : &pos_unused;
    s.attrs = s.attrs_own;
    s.attrs_cap = G_N_ELEMENTS(s.attrs_own);
    if (err && errlen)
        err[0] = '\0';
    const char *p = doc;
    const char *end = s.end;
    while (p && p < end) {
        if (*p != '<') {
            const char *lt = memchr(p, '<', (size_t)(end - p));
            const char *stop = lt ? lt : end;
            if (s.depth == 0) {
                for (const char *q = p; q < stop; q++)
                    if (!is_space(*q)) {
                        fail(&s, q, "text %s the root element", s.seen_root ? "after" : "before");
                        p = NULL;
                        break;
                    }
            } else if (lt && emit_text(&s, p, lt, 0) < 0) {
                p = NULL;
            }
            if (p)
                p = stop;
            continue;
        }
        if (s.depth == 0)
            s.seen_markup = 1;
        if (p + 1 == end) {
            cut(&s, "a tag");
            p = NULL;
        } else if (p[1] == '/') {
            p = end_tag(&s, p);
        } else if (p[1] == '!' || p[1] == '?') {
            p = special(&s, p);
        } else {
            p = start_tag(&s, p);
        }
    }
    if (p && !is_prefix) {
        if (s.depth > 0)
            fail(&s, end, "the document ended with <%.*s> still open", SHOW(s.stack[s.depth - 1]));
        else if (!s.seen_markup)
            fail(&s, end, "the document is empty or only white space");
    }
    if (s.attrs != s.attrs_own)
        g_free(s.attrs);
    g_free(s.buf);
    return s.result;
}

int xml_line(const char *doc, size_t pos)
{
    int line = 1;
    const char *p = doc;
    const char *end = doc + pos;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        line++;
        p++;
    }
    return line;
}

size_t xml_utf8_prefix(const char *s, size_t len)
{
    const uint64_t ones = 0x0101010101010101ull;
    const uint64_t highs = 0x8080808080808080ull;
    size_t i = 0;
    while (i < len) {
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            /* no byte with its high bit set, and no zero byte */
            if (((w | ((w - ones) & ~w)) & highs) == 0) {
                i += 8;
                continue;
            }
        }
        unsigned char c = (unsigned char)s[i];
        if (c == 0)
            return i;
        if (c < 0x80) {
            i++;
            continue;
        }
        /* one multi-byte character, checked by GLib */
        size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (k > len - i)
            k = len - i;
        const char *bad = NULL;
        if (!g_utf8_validate(s + i, (gssize)k, &bad))
            return (size_t)(bad - s);
        i += k;
    }
    return len;
}
