/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SOAP envelope decoder for WS-Management (SOAP 1.2; DMTF DSP0226,
 * DSP0217 Identify, WS-Addressing 2004/08, WS-Transfer, WS-Enumeration) and
 * AMT's legacy EOI services (SOAP 1.1). Built on xml_scan.c, which knows
 * nothing of namespaces, so the xmlns declarations are tracked here per
 * element scope and every element is matched by (namespace URI, local
 * name). Only the five predefined entities and character references are
 * expanded, so entity expansion attacks cannot grow; a DOCTYPE is refused
 * outright (SOAP 1.2 part 1, 5: a SOAP message must not contain one).
 * Names stay in the document while it is decoded; only what the message
 * keeps is copied. */
#include "amtdiag/soap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include "amtdiag/amt_status.h"
#include "amtdiag/wsman_uri.h"
#include "xml_scan.h"

#define NS_XML "http://www.w3.org/XML/1998/namespace"
#define NS_EOI_PC "http://schemas.intel.com/2004/12/management/PC/"

/* What an element is, decided from its parent's role and its own name. */
typedef enum {
    R_OTHER,
    R_ENVELOPE,
    R_HEADER,
    R_BODY,
    R_HDR_FIELD,
    R_SELECTOR_SET,
    R_SELECTOR,
    R_BODY_ELEM,
    R_BODY_FIELD,
    R_ITEMS,
    R_ITEM,
    R_ITEM_FIELD,
    R_FAULT,
    R_F_CODE,
    R_F_CODE_VALUE,
    R_F_SUBCODE,
    R_F_SUBCODE_VALUE,
    R_F_REASON,
    R_F_REASON_TEXT,
    R_F_DETAIL,
    R_F_DETAIL_INNER,
    R_F11_CODE,
    R_F11_STRING
} role;

/* Whether an element's text is collected: its own direct text, or (inside
 * a fault Detail) into the nearest collecting ancestor. */
typedef enum { COLLECT_NONE, COLLECT_OWN, COLLECT_INHERIT } collect_mode;

typedef struct frame {
    const char *ns; /* kept with its declaration; "" for no namespace */
    xml_str local;  /* in the document */
    role role;
    collect_mode collect;
    int owner;       /* index of the frame whose text this one's goes to */
    size_t text_off; /* where the owner's text starts in parser.text */
    int cut;         /* the owner's text reached SOAP_MAX_TEXT */
    size_t ns_mark;  /* namespace declarations in force before this element */
    const char *sel_name;
} frame;

typedef struct ns_decl {
    xml_str prefix; /* in the document; empty for the default namespace */
    const char *uri;
} ns_decl;

/* The storage behind a soap_msg's strings and arrays. */
typedef struct store {
    GStringChunk *strings;
} store;

typedef struct parser {
    soap_msg *m;
    store *st;
    const char *doc;
    GArray *decls; /* of ns_decl */
    frame frames[SOAP_MAX_DEPTH];
    int depth;
    GString *text;
    size_t elements;
    int body_seen;
    int saw_body;
    const char *env_ns;
    soap_item *item; /* the item being read, NULL beyond SOAP_MAX_ITEMS */
    char err[256];
    int has_err;
} parser;

/* ---- helpers ---- */

static void G_GNUC_PRINTF(2, 3) note_error(parser *p, const char *fmt, ...)
{
    if (p->has_err)
        return; /* the first problem is the one worth reporting */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, sizeof p->err, fmt, ap);
    va_end(ap);
    p->has_err = 1;
}

/* A copy kept for the document's life. Not deduplicated: hashing every
 * element's name cost more than the copies, and a document is bounded. */
static const char *intern(parser *p, const char *s)
{
    return g_string_chunk_insert(p->st->strings, s);
}

static const char *keep_len(parser *p, const char *s, size_t n)
{
    return g_string_chunk_insert_len(p->st->strings, s, (gssize)n);
}

static const char *keep(parser *p, xml_str s)
{
    return keep_len(p, s.s, s.n);
}

/* Whether the run s is the string z. */
static int eq(xml_str s, const char *z)
{
    return strncmp(s.s, z, s.n) == 0 && z[s.n] == '\0';
}

static int same(const char *a, const char *b)
{
    return a == b || strcmp(a, b) == 0;
}

static int is(const frame *f, const char *ns, const char *local)
{
    return eq(f->local, local) && (!ns || same(f->ns, ns));
}

/* The URI bound to prefix (empty = default namespace) in the current scope. */
static const char *lookup_ns(const parser *p, xml_str prefix)
{
    if (eq(prefix, "xml"))
        return NS_XML;
    for (guint i = p->decls->len; i > 0; i--) {
        const ns_decl *d = &g_array_index(p->decls, ns_decl, i - 1);
        if (d->prefix.n == prefix.n && memcmp(d->prefix.s, prefix.s, prefix.n) == 0)
            return d->uri;
    }
    return prefix.n ? NULL : "";
}

/* Splits "p:local" and resolves p. Returns the local part; *ns is NULL for
 * an undeclared prefix. */
static xml_str resolve(parser *p, xml_str qname, const char **ns)
{
    const char *colon = memchr(qname.s, ':', qname.n);
    if (!colon) {
        *ns = lookup_ns(p, (xml_str){"", 0});
        return qname;
    }
    size_t n = (size_t)(colon - qname.s);
    *ns = lookup_ns(p, (xml_str){qname.s, n});
    return (xml_str){colon + 1, qname.n - n - 1};
}

static void add_pair(parser *p, soap_pair **arr, size_t *n, size_t *total, size_t cap,
                     const char *name, const char *value)
{
    if (total)
        (*total)++;
    if (*n >= cap) {
        p->m->truncated = 1;
        return;
    }
    if (!*arr)
        *arr = g_new0(soap_pair, cap);
    (*arr)[*n].name = name;
    (*arr)[*n].value = value;
    (*n)++;
}

static int parse_u32(const char *s, uint32_t *out)
{
    guint64 v = 0;
    if (!s || !g_ascii_string_to_unsigned(s, 10, 0, UINT32_MAX, &v, NULL))
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* ---- element classification ---- */

static role classify_root(parser *p, const frame *f)
{
    if (is(f, SOAP_NS_SOAP12, "Envelope"))
        p->m->version = SOAP_VERSION_12;
    else if (is(f, SOAP_NS_SOAP11, "Envelope"))
        p->m->version = SOAP_VERSION_11;
    else {
        note_error(p, "root element {%s}%.*s is not a SOAP Envelope", f->ns, (int)f->local.n,
                   f->local.s);
        return R_OTHER;
    }
    p->env_ns = p->m->version == SOAP_VERSION_12 ? SOAP_NS_SOAP12 : SOAP_NS_SOAP11;
    return R_ENVELOPE;
}

static role classify_body_elem(parser *p, const frame *f)
{
    soap_msg *m = p->m;
    if (p->body_seen)
        return R_OTHER; /* WS-Man bodies carry one element; keep the first */
    p->body_seen = 1;
    m->body_ns = f->ns;
    m->body_name = keep(p, f->local);
    if (is(f, p->env_ns, "Fault")) {
        m->is_fault = 1;
        return R_FAULT;
    }
    return R_BODY_ELEM;
}

static role classify_item(parser *p, const frame *f)
{
    soap_msg *m = p->m;
    m->n_items_total++;
    p->item = NULL;
    if (m->n_items >= SOAP_MAX_ITEMS) {
        m->truncated = 1;
        return R_ITEM;
    }
    if (!m->items)
        m->items = g_new0(soap_item, SOAP_MAX_ITEMS);
    p->item = &m->items[m->n_items++];
    p->item->class_name = keep(p, f->local);
    p->item->ns = f->ns;
    return R_ITEM;
}

static role classify_fault_part(parser *p, const frame *f)
{
    if (p->m->version == SOAP_VERSION_12) {
        if (is(f, SOAP_NS_SOAP12, "Code"))
            return R_F_CODE;
        if (is(f, SOAP_NS_SOAP12, "Reason"))
            return R_F_REASON;
        if (is(f, SOAP_NS_SOAP12, "Detail"))
            return R_F_DETAIL;
        return R_OTHER;
    }
    /* SOAP 1.1 fault parts are unqualified (1.1 section 4.4) */
    if (eq(f->local, "faultcode"))
        return R_F11_CODE;
    if (eq(f->local, "faultstring"))
        return R_F11_STRING;
    if (eq(f->local, "detail"))
        return R_F_DETAIL;
    return R_OTHER;
}

static role classify(parser *p, const frame *parent, const frame *f)
{
    const soap_msg *m = p->m;
    if (!parent)
        return classify_root(p, f);
    switch (parent->role) {
    case R_ENVELOPE:
        if (is(f, p->env_ns, "Header"))
            return R_HEADER;
        if (is(f, p->env_ns, "Body")) {
            p->saw_body = 1;
            return R_BODY;
        }
        return R_OTHER;
    case R_HEADER:
        return is(f, SOAP_NS_WSMAN, "SelectorSet") ? R_SELECTOR_SET : R_HDR_FIELD;
    case R_SELECTOR_SET:
        return is(f, SOAP_NS_WSMAN, "Selector") ? R_SELECTOR : R_OTHER;
    case R_BODY:
        return classify_body_elem(p, f);
    case R_BODY_ELEM:
        if (same(m->body_ns, SOAP_NS_WSEN) && strcmp(m->body_name, "PullResponse") == 0 &&
            is(f, SOAP_NS_WSEN, "Items"))
            return R_ITEMS;
        return R_BODY_FIELD;
    case R_ITEMS:
        return classify_item(p, f);
    case R_ITEM:
        return R_ITEM_FIELD;
    case R_FAULT:
        return classify_fault_part(p, f);
    case R_F_CODE:
        if (is(f, SOAP_NS_SOAP12, "Value"))
            return R_F_CODE_VALUE;
        return is(f, SOAP_NS_SOAP12, "Subcode") ? R_F_SUBCODE : R_OTHER;
    case R_F_SUBCODE:
        return is(f, SOAP_NS_SOAP12, "Value") ? R_F_SUBCODE_VALUE : R_OTHER;
    case R_F_REASON:
        return is(f, SOAP_NS_SOAP12, "Text") ? R_F_REASON_TEXT : R_OTHER;
    case R_F_DETAIL:
    case R_F_DETAIL_INNER:
        return R_F_DETAIL_INNER;
    default:
        return R_OTHER;
    }
}

static collect_mode collect_for(role r)
{
    switch (r) {
    case R_HDR_FIELD:
    case R_SELECTOR:
    case R_BODY_FIELD:
    case R_ITEM_FIELD:
    case R_F_CODE_VALUE:
    case R_F_SUBCODE_VALUE:
    case R_F_REASON_TEXT:
    case R_F_DETAIL:
    case R_F11_CODE:
    case R_F11_STRING:
        return COLLECT_OWN;
    case R_F_DETAIL_INNER:
        return COLLECT_INHERIT;
    default:
        return COLLECT_NONE;
    }
}

/* ---- scanner callbacks ---- */

/* A problem that ends decoding; the scan stops on the nonzero return. */
static int fail(parser *p, const char *msg)
{
    note_error(p, "%s", msg);
    return 1;
}

static int on_start(void *user, xml_str qname, const xml_attr *attrs, size_t n_attrs, size_t pos)
{
    parser *p = user;
    char msg[128];
    if (++p->elements > SOAP_MAX_ELEMENTS) {
        snprintf(msg, sizeof msg, "more than %d elements at line %d", SOAP_MAX_ELEMENTS,
                 xml_line(p->doc, pos));
        return fail(p, msg);
    }
    if (p->depth >= SOAP_MAX_DEPTH) {
        snprintf(msg, sizeof msg, "element nesting deeper than %d at line %d", SOAP_MAX_DEPTH,
                 xml_line(p->doc, pos));
        return fail(p, msg);
    }
    /* declarations on an element apply to its own name and attributes */
    size_t mark = p->decls->len;
    for (size_t i = 0; i < n_attrs; i++) {
        xml_str name = attrs[i].name;
        ns_decl d;
        if (name.n < 5 || memcmp(name.s, "xmlns", 5) != 0)
            continue;
        if (name.n == 5)
            d.prefix = (xml_str){"", 0};
        else if (name.s[5] == ':')
            d.prefix = (xml_str){name.s + 6, name.n - 6};
        else
            continue;
        d.uri = keep(p, attrs[i].value);
        g_array_append_val(p->decls, d);
    }
    frame *parent = p->depth ? &p->frames[p->depth - 1] : NULL;
    frame *f = &p->frames[p->depth];
    memset(f, 0, sizeof *f);
    f->ns_mark = mark;
    const char *ns;
    f->local = resolve(p, qname, &ns);
    if (!ns) {
        note_error(p, "undeclared namespace prefix in <%.*s> at line %d", (int)MIN(qname.n, 64),
                   qname.s, xml_line(p->doc, pos));
        ns = "";
    }
    f->ns = ns;
    f->role = classify(p, parent, f);
    f->collect = collect_for(f->role);
    if (f->collect == COLLECT_INHERIT && parent && parent->collect != COLLECT_NONE) {
        f->owner = parent->owner;
    } else {
        if (f->collect == COLLECT_INHERIT)
            f->collect = COLLECT_OWN;
        f->owner = p->depth;
        f->text_off = p->text->len;
    }
    if (f->role == R_SELECTOR)
        for (size_t i = 0; i < n_attrs; i++)
            if (eq(attrs[i].name, "Name"))
                f->sel_name = keep(p, attrs[i].value);
    p->depth++;
    return 0;
}

static int on_text(void *user, const char *text, size_t len)
{
    parser *p = user;
    if (p->depth == 0)
        return 0;
    const frame *top = &p->frames[p->depth - 1];
    if (top->collect == COLLECT_NONE)
        return 0;
    frame *owner = &p->frames[top->owner];
    size_t used = p->text->len - owner->text_off;
    size_t room = used < SOAP_MAX_TEXT ? SOAP_MAX_TEXT - used : 0;
    if (len > room) {
        /* cut on a character boundary so the value stays UTF-8 */
        const char *end = text + room;
        while (end > text && ((unsigned char)*end & 0xC0) == 0x80)
            end--;
        len = (size_t)(end - text);
        owner->cut = 1;
    }
    g_string_append_len(p->text, text, (gssize)len);
    return 0;
}

/* The collected text of frame f, trimmed and stored; NULL if f collected
 * none. Notes a cut in m->truncated, since the value is used. */
static const char *frame_text(parser *p, const frame *f)
{
    if (f->collect != COLLECT_OWN)
        return NULL;
    const char *s = p->text->str + f->text_off;
    size_t n = p->text->len - f->text_off;
    while (n && g_ascii_isspace(*s))
        s++, n--;
    while (n && g_ascii_isspace(s[n - 1]))
        n--;
    if (f->cut)
        p->m->truncated = 1;
    return keep_len(p, s, n);
}

/* A QName in text ("b:DestinationUnreachable"), resolved in the scope of
 * the element holding it (its declarations are still in force). */
static void resolve_qname(parser *p, const char *text, soap_qname *q)
{
    if (q->raw || !text)
        return;
    const char *ns;
    xml_str local = resolve(p, (xml_str){text, strlen(text)}, &ns);
    q->raw = text;
    q->local = local.s; /* the end of text, so terminated */
    q->ns = ns;         /* kept with its declaration, or a constant */
}

static void set_once(const char **dst, const char *value)
{
    if (!*dst)
        *dst = value;
}

static void header_field(parser *p, const frame *f, const char *v)
{
    soap_msg *m = p->m;
    if (same(f->ns, SOAP_NS_WSA)) {
        if (eq(f->local, "Action"))
            set_once(&m->action, v);
        else if (eq(f->local, "To"))
            set_once(&m->to, v);
        else if (eq(f->local, "MessageID"))
            set_once(&m->message_id, v);
        else if (eq(f->local, "RelatesTo"))
            set_once(&m->relates_to, v);
    } else if (same(f->ns, SOAP_NS_WSMAN)) {
        if (eq(f->local, "ResourceURI"))
            set_once(&m->resource_uri, v);
        else if (eq(f->local, "OperationTimeout"))
            set_once(&m->operation_timeout, v);
    }
}

static void body_field(parser *p, const frame *f, const char *v)
{
    soap_msg *m = p->m;
    add_pair(p, &m->fields, &m->n_fields, &m->n_fields_total, SOAP_MAX_FIELDS, keep(p, f->local),
             v);
    if (same(f->ns, SOAP_NS_WSEN)) {
        if (eq(f->local, "EnumerationContext"))
            set_once(&m->enumeration_context, v);
        else if (eq(f->local, "EndOfSequence"))
            m->end_of_sequence = 1;
    }
    if (same(m->body_ns, SOAP_NS_WSMID) && strcmp(m->body_name, "IdentifyResponse") == 0 &&
        same(f->ns, SOAP_NS_WSMID)) {
        if (eq(f->local, "ProtocolVersion"))
            set_once(&m->protocol_version, v);
        else if (eq(f->local, "ProductVendor"))
            set_once(&m->product_vendor, v);
        else if (eq(f->local, "ProductVersion"))
            set_once(&m->product_version, v);
    }
    /* the method's output is in the class namespace, as is its ReturnValue */
    if (eq(f->local, "ReturnValue") && same(f->ns, m->body_ns) && !m->has_return_value &&
        parse_u32(v, &m->return_value) == 0)
        m->has_return_value = 1;
    if (eq(f->local, "StatusCode") && same(f->ns, m->body_ns) && !m->has_status_code &&
        parse_u32(v, &m->status_code) == 0)
        m->has_status_code = 1;
}

static int on_end(void *user)
{
    parser *p = user;
    if (p->depth == 0)
        return 0;
    frame *f = &p->frames[p->depth - 1];
    soap_msg *m = p->m;
    const char *v = frame_text(p, f);
    switch (f->role) {
    case R_HDR_FIELD:
        header_field(p, f, v);
        break;
    case R_SELECTOR:
        add_pair(p, &m->selectors, &m->n_selectors, NULL, SOAP_MAX_SELECTORS,
                 f->sel_name ? f->sel_name : "", v);
        break;
    case R_BODY_FIELD:
        body_field(p, f, v);
        break;
    case R_ITEMS:
        add_pair(p, &m->fields, &m->n_fields, &m->n_fields_total, SOAP_MAX_FIELDS,
                 keep(p, f->local), "");
        break;
    case R_ITEM:
        p->item = NULL;
        break;
    case R_ITEM_FIELD:
        if (p->item)
            add_pair(p, &p->item->fields, &p->item->n_fields, &p->item->n_fields_total,
                     SOAP_MAX_FIELDS, keep(p, f->local), v);
        break;
    case R_F_CODE_VALUE:
    case R_F11_CODE:
        resolve_qname(p, v, &m->fault_code);
        break;
    case R_F_SUBCODE_VALUE:
        resolve_qname(p, v, &m->fault_subcode);
        break;
    case R_F_REASON_TEXT:
    case R_F11_STRING:
        set_once(&m->fault_reason, v);
        break;
    case R_F_DETAIL:
        set_once(&m->fault_detail, v);
        break;
    default:
        break;
    }
    if (f->collect == COLLECT_OWN)
        g_string_truncate(p->text, f->text_off);
    g_array_set_size(p->decls, (guint)f->ns_mark);
    p->depth--;
    return 0;
}

/* The line of a DOCTYPE in the prolog (before the root element, the only
 * place XML allows one), or 0. Checked before anything else, so that such
 * a document is refused whole, whatever follows the declaration. */
static int prolog_doctype(const char *s, const char *end)
{
    int line = 1;
    while (s < end) {
        if (*s == '\n')
            line++;
        if (g_ascii_isspace(*s)) {
            s++;
            continue;
        }
        if (*s != '<' || s + 1 >= end)
            return 0;
        const char *close = NULL;
        if (s[1] == '?')
            close = "?>";
        else if (end - s >= 4 && memcmp(s, "<!--", 4) == 0)
            close = "-->";
        else if (end - s >= 9 && g_ascii_strncasecmp(s, "<!DOCTYPE", 9) == 0)
            return line;
        else
            return 0; /* the root element */
        const char *stop = g_strstr_len(s + 2, end - s - 2, close);
        if (!stop)
            return 0;
        for (const char *k = s; k < stop; k++)
            line += *k == '\n';
        s = stop + strlen(close);
    }
    return 0;
}

/* ---- after parsing ---- */

/* The last segment of an Action URI: the operation ("Get", "PullResponse"),
 * or a class method ("CommitChanges"); both fault actions give "fault". */
static const char *action_short_name(const char *action)
{
    const char *slash = strrchr(action, '/');
    const char *last = slash ? slash + 1 : action;
    return g_ascii_strcasecmp(last, "fault") == 0 ? "fault" : last;
}

static void finish(parser *p)
{
    soap_msg *m = p->m;
    char cls[256];
    if (m->action)
        m->action_name = action_short_name(m->action);
    else if (m->body_ns && strcmp(m->body_ns, SOAP_NS_WSMID) == 0)
        m->action_name = m->body_name; /* Identify has no Action header */
    if (wsman_uri_class(m->resource_uri, cls, sizeof cls) != WSMAN_SCHEMA_UNKNOWN ||
        wsman_uri_class(m->action, cls, sizeof cls) != WSMAN_SCHEMA_UNKNOWN)
        m->resource_class = intern(p, cls);
    if (m->has_return_value)
        m->return_value_name = amt_status_name(m->return_value);
    if (m->version == SOAP_VERSION_12) {
        m->kind = SOAP_KIND_WSMAN;
    } else if (m->version == SOAP_VERSION_11) {
        m->kind = SOAP_KIND_SOAP11;
        const char *ns = m->body_ns ? m->body_ns : "";
        const char *svc = NULL;
        if (g_str_has_prefix(ns, SOAP_NS_EOI_BASE))
            svc = ns + strlen(SOAP_NS_EOI_BASE);
        else if (g_str_has_prefix(ns, NS_EOI_PC))
            svc = ns + strlen(NS_EOI_PC);
        if (svc && *svc && *svc != '/') {
            m->kind = SOAP_KIND_EOI;
            m->eoi_service = keep_len(p, svc, strcspn(svc, "/"));
            m->eoi_method = m->body_name;
            m->eoi_is_response = g_str_has_suffix(m->body_name, "Response");
        }
    }
    if (m->has_status_code)
        m->status_name = amt_status_name(m->status_code);
    if (!m->has_status_code || m->kind != SOAP_KIND_EOI) {
        m->has_status_code = 0;
        m->status_name = NULL;
    }
    if (m->version != SOAP_VERSION_UNKNOWN && !p->saw_body)
        note_error(p, "the Envelope has no Body");
}

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

int soap_decode(const char *xml, size_t len, soap_msg *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    set_err(err, errlen, "");
    store *st = g_new0(store, 1);
    st->strings = g_string_chunk_new(4096);
    out->store_ = st;
    if (!xml || len == 0) {
        set_err(err, errlen, "empty document");
        return -1;
    }
    if (len > SOAP_MAX_INPUT) {
        char msg[128];
        snprintf(msg, sizeof msg, "document too large (%zu bytes, limit %u)", len, SOAP_MAX_INPUT);
        set_err(err, errlen, msg);
        return -1;
    }
    /* a UTF-8 byte order mark is allowed before the XML declaration */
    if (len >= 3 && memcmp(xml, "\xEF\xBB\xBF", 3) == 0) {
        xml += 3;
        len -= 3;
    }
    int doctype = prolog_doctype(xml, xml + len);
    if (doctype) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "document type declaration at line %d (not allowed in SOAP, refused against "
                 "entity expansion)",
                 doctype);
        set_err(err, errlen, msg);
        return -1;
    }
    static const xml_scan_cb callbacks = {on_start, on_end, on_text};
    parser p = {0};
    p.m = out;
    p.st = st;
    p.doc = xml;
    p.decls = g_array_sized_new(FALSE, FALSE, sizeof(ns_decl), 16);
    p.text = g_string_sized_new(256);
    /* Only the valid UTF-8 prefix is scanned (and decoded); the check up
     * front names the line of the bad byte. */
    size_t parse_len = xml_utf8_prefix(xml, len);
    char msg[200];
    size_t pos = 0;
    xml_scan_result r =
        xml_scan(xml, parse_len, parse_len < len, &callbacks, &p, msg, sizeof msg, &pos);
    if (r == XML_SCAN_DOCTYPE) {
        /* a backstop: prolog_doctype() finds the usual place first */
        note_error(&p,
                   "document type declaration at line %d (not allowed in SOAP, refused against "
                   "entity expansion)",
                   xml_line(xml, pos));
    } else if (r == XML_SCAN_SYNTAX) {
        p.has_err = 0; /* the syntax error explains more than a consequence of it */
        note_error(&p, "XML error at line %d: %s", xml_line(xml, pos), msg);
    } else if (r == XML_SCAN_OK && parse_len < len) {
        p.has_err = 0; /* as for syntax errors: this one explains most */
        note_error(&p, "XML error at line %d: invalid UTF-8 (byte 0x%02X at offset %zu)",
                   xml_line(xml, parse_len), (unsigned char)xml[parse_len], parse_len);
    }
    finish(&p);
    g_array_free(p.decls, TRUE);
    g_string_free(p.text, TRUE);
    if (p.has_err) {
        set_err(err, errlen, p.err);
        return -1;
    }
    return 0;
}

void soap_msg_clear(soap_msg *msg)
{
    if (!msg)
        return;
    store *st = msg->store_;
    if (st) {
        g_string_chunk_free(st->strings);
        g_free(st);
    }
    g_free(msg->selectors);
    g_free(msg->fields);
    for (size_t i = 0; msg->items && i < msg->n_items; i++)
        g_free(msg->items[i].fields);
    g_free(msg->items);
    memset(msg, 0, sizeof *msg);
}

static const char *pair_value(const soap_pair *pairs, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(pairs[i].name, name) == 0)
            return pairs[i].value;
    return NULL;
}

const char *soap_field(const soap_msg *msg, const char *name)
{
    return pair_value(msg->fields, msg->n_fields, name);
}

const char *soap_item_field(const soap_msg *msg, size_t i, const char *name)
{
    if (i >= msg->n_items)
        return NULL;
    return pair_value(msg->items[i].fields, msg->items[i].n_fields, name);
}

const char *soap_selector(const soap_msg *msg, const char *name)
{
    return pair_value(msg->selectors, msg->n_selectors, name);
}
