/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Element tree over GMarkup with XML Namespaces 1.0 resolution: GMarkup
 * reports qualified names and xmlns attributes verbatim, so prefixes are
 * resolved here against the declarations in scope. */
#include "simxml.h"

#include <stdarg.h>
#include <string.h>

#define XML_NS "http://www.w3.org/XML/1998/namespace"

typedef struct sx_builder {
    sx_node *root;
    sx_node *cur;
    unsigned depth, nodes;
} sx_builder;

static void attr_free(gpointer p)
{
    sx_attr *a = p;
    g_free(a->ns);
    g_free(a->name);
    g_free(a->value);
    g_free(a);
}

static sx_node *node_new(sx_node *parent)
{
    sx_node *n = g_new0(sx_node, 1);
    n->attrs = g_ptr_array_new_with_free_func(attr_free);
    n->nsdecl = g_ptr_array_new_with_free_func(g_free);
    n->text = g_string_new(NULL);
    n->children = g_ptr_array_new();
    n->parent = parent;
    return n;
}

void sx_free(sx_node *n)
{
    if (!n)
        return;
    for (guint i = 0; i < n->children->len; i++)
        sx_free(g_ptr_array_index(n->children, i));
    g_ptr_array_free(n->children, TRUE);
    g_ptr_array_free(n->attrs, TRUE);
    g_ptr_array_free(n->nsdecl, TRUE);
    g_string_free(n->text, TRUE);
    g_free(n->ns);
    g_free(n->name);
    g_free(n);
}

/* The URI bound to prefix at n ("" is the default namespace), or NULL. */
static const char *lookup(const sx_node *n, const char *prefix)
{
    for (; n; n = n->parent)
        for (guint i = 0; i + 1 < n->nsdecl->len; i += 2)
            if (strcmp(g_ptr_array_index(n->nsdecl, i), prefix) == 0)
                return g_ptr_array_index(n->nsdecl, i + 1);
    if (strcmp(prefix, "xml") == 0)
        return XML_NS;
    if (*prefix == '\0')
        return ""; /* no default namespace declared */
    return NULL;
}

/* Splits "p:local" into a prefix and a local name; NULL when malformed. */
static char *split_qname(const char *qname, char **local)
{
    const char *colon = strchr(qname, ':');
    if (!colon) {
        *local = g_strdup(qname);
        return g_strdup("");
    }
    if (colon == qname || colon[1] == '\0' || strchr(colon + 1, ':'))
        return NULL;
    *local = g_strdup(colon + 1);
    return g_strndup(qname, (gsize)(colon - qname));
}

static void set_error(GError **error, const char *msg, const char *what)
{
    g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "%s: %s", msg, what);
}

static void on_start(GMarkupParseContext *ctx, const gchar *element, const gchar **names,
                     const gchar **values, gpointer user_data, GError **error)
{
    (void)ctx;
    sx_builder *b = user_data;
    if (!b->cur && b->root) {
        set_error(error, "second root element", element);
        return;
    }
    if (b->depth >= SX_MAX_DEPTH || b->nodes >= SX_MAX_NODES) {
        set_error(error, "document too deep or too large at", element);
        return;
    }
    sx_node *n = node_new(b->cur);
    if (b->cur)
        g_ptr_array_add(b->cur->children, n);
    else
        b->root = n;
    b->cur = n;
    b->depth++;
    b->nodes++;
    /* declarations first: they apply to this element's own name */
    for (int i = 0; names[i]; i++) {
        if (strcmp(names[i], "xmlns") == 0) {
            g_ptr_array_add(n->nsdecl, g_strdup(""));
            g_ptr_array_add(n->nsdecl, g_strdup(values[i]));
        } else if (g_str_has_prefix(names[i], "xmlns:")) {
            if (values[i][0] == '\0') {
                set_error(error, "empty namespace for prefix", names[i] + 6);
                return;
            }
            g_ptr_array_add(n->nsdecl, g_strdup(names[i] + 6));
            g_ptr_array_add(n->nsdecl, g_strdup(values[i]));
        }
    }
    char *prefix = split_qname(element, &n->name);
    const char *uri = prefix ? lookup(n, prefix) : NULL;
    g_free(prefix);
    if (!uri) {
        set_error(error, "undeclared or malformed prefix in", element);
        return;
    }
    n->ns = g_strdup(uri);
    for (int i = 0; names[i]; i++) {
        if (strcmp(names[i], "xmlns") == 0 || g_str_has_prefix(names[i], "xmlns:"))
            continue;
        char *local = NULL;
        char *ap = split_qname(names[i], &local);
        /* unprefixed attributes are in no namespace (Namespaces 1.0, 6.2) */
        const char *auri = ap ? (*ap ? lookup(n, ap) : "") : NULL;
        g_free(ap);
        if (!auri) {
            g_free(local);
            set_error(error, "undeclared or malformed prefix in", names[i]);
            return;
        }
        for (guint k = 0; k < n->attrs->len; k++) {
            sx_attr *o = g_ptr_array_index(n->attrs, k);
            if (strcmp(o->ns, auri) == 0 && strcmp(o->name, local) == 0) {
                g_free(local);
                set_error(error, "duplicate attribute", names[i]);
                return;
            }
        }
        sx_attr *a = g_new0(sx_attr, 1);
        a->ns = g_strdup(auri);
        a->name = local;
        a->value = g_strdup(values[i]);
        g_ptr_array_add(n->attrs, a);
    }
}

static void on_end(GMarkupParseContext *ctx, const gchar *element, gpointer user_data,
                   GError **error)
{
    (void)ctx;
    (void)element;
    (void)error;
    sx_builder *b = user_data;
    sx_node *n = b->cur;
    /* SOAP values here never carry meaningful edge whitespace, and real
     * AMT output pretty-prints some of them across lines */
    char *t = g_strstrip(n->text->str);
    size_t tlen = strlen(t);
    memmove(n->text->str, t, tlen);
    g_string_truncate(n->text, tlen);
    b->cur = n->parent;
    b->depth--;
}

static void on_text(GMarkupParseContext *ctx, const gchar *text, gsize len, gpointer user_data,
                    GError **error)
{
    (void)ctx;
    (void)error;
    sx_builder *b = user_data;
    if (b->cur)
        g_string_append_len(b->cur->text, text, (gssize)len);
}

sx_node *sx_parse(const char *buf, size_t len, char **err)
{
    static const GMarkupParser parser = {on_start, on_end, on_text, NULL, NULL};
    sx_builder b = {0};
    GError *error = NULL;
    if (err)
        *err = NULL;
    if (len > G_MAXSSIZE)
        return NULL;
    GMarkupParseContext *ctx =
        g_markup_parse_context_new(&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &b, NULL);
    gboolean ok = g_markup_parse_context_parse(ctx, buf, (gssize)len, &error) &&
                  g_markup_parse_context_end_parse(ctx, &error);
    g_markup_parse_context_free(ctx);
    if (ok && !b.root)
        g_set_error(&error, G_MARKUP_ERROR, G_MARKUP_ERROR_EMPTY, "no root element");
    if (!ok || !b.root) {
        if (err && error)
            *err = g_strdup(error->message);
        g_clear_error(&error);
        sx_free(b.root);
        return NULL;
    }
    return b.root;
}

int sx_is(const sx_node *n, const char *ns, const char *name)
{
    return n && (!ns || strcmp(n->ns, ns) == 0) && (!name || strcmp(n->name, name) == 0);
}

sx_node *sx_child(const sx_node *n, const char *ns, const char *name)
{
    if (!n)
        return NULL;
    for (guint i = 0; i < n->children->len; i++) {
        sx_node *c = g_ptr_array_index(n->children, i);
        if (sx_is(c, ns, name))
            return c;
    }
    return NULL;
}

sx_node *sx_path(const sx_node *n, ...)
{
    va_list ap;
    va_start(ap, n);
    const sx_node *cur = n;
    for (;;) {
        const char *ns = va_arg(ap, const char *);
        if (!ns || !cur)
            break;
        const char *name = va_arg(ap, const char *);
        cur = sx_child(cur, ns, name);
    }
    va_end(ap);
    return (sx_node *)cur;
}

const char *sx_child_text(const sx_node *n, const char *ns, const char *name)
{
    const sx_node *c = sx_child(n, ns, name);
    return c ? c->text->str : NULL;
}

const char *sx_attr_value(const sx_node *n, const char *ns, const char *name)
{
    if (!n)
        return NULL;
    for (guint i = 0; i < n->attrs->len; i++) {
        const sx_attr *a = g_ptr_array_index(n->attrs, i);
        if (strcmp(a->ns, ns ? ns : "") == 0 && strcmp(a->name, name) == 0)
            return a->value;
    }
    return NULL;
}
