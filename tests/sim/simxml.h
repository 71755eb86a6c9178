/* SPDX-License-Identifier: GPL-2.0-or-later */
/* simxml: a small namespace-aware element tree built with GLib's GMarkup,
 * so SOAP is read by namespace URI whatever prefixes the sender chose. */
#ifndef AMTSIM_SIMXML_H
#define AMTSIM_SIMXML_H

#include <stddef.h>
#include <glib.h>

#define SX_MAX_DEPTH 64
#define SX_MAX_NODES 20000

typedef struct sx_attr {
    char *ns; /* "" for an unprefixed attribute */
    char *name;
    char *value;
} sx_attr;

typedef struct sx_node {
    char *ns;            /* resolved namespace URI, "" for none */
    char *name;          /* local name */
    GPtrArray *attrs;    /* sx_attr*, without the xmlns declarations */
    GPtrArray *nsdecl;   /* prefix, URI, prefix, URI, ... declared here */
    GString *text;       /* character data directly inside, trimmed */
    GPtrArray *children; /* sx_node* */
    struct sx_node *parent;
} sx_node;

/* Parses a whole document. Returns the root element, or NULL with *err
 * (g_malloc'd, may be NULL) when it is not well-formed, uses an undeclared
 * prefix, or exceeds the depth or node bounds. */
sx_node *sx_parse(const char *buf, size_t len, char **err);
void sx_free(sx_node *root);

/* First child element with that namespace (NULL: any) and local name
 * (NULL: any). */
sx_node *sx_child(const sx_node *n, const char *ns, const char *name);
/* Follows a chain of children, each step a namespace and local name pair,
 * terminated by NULL: sx_path(env, NS_SOAP, "Header", NS_WSA, "Action", NULL). */
sx_node *sx_path(const sx_node *n, ...) G_GNUC_NULL_TERMINATED;
/* Trimmed text of a child, or NULL when the child is absent. */
const char *sx_child_text(const sx_node *n, const char *ns, const char *name);
const char *sx_attr_value(const sx_node *n, const char *ns, const char *name);
int sx_is(const sx_node *n, const char *ns, const char *name);

#endif
