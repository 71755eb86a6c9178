/* SPDX-License-Identifier: GPL-2.0-or-later */
/* redact: collects identifying values from the analysis and rewrites a
 * report without them. */
#include "redact.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "amtdiag/diag_cert.h"
#include "amtdiag/http_auth.h"

typedef struct entry {
    char *value;
    char *replacement;
} entry;

struct redactor {
    GHashTable *seen; /* value → entry index + 1 */
    GArray *entries;  /* entry */
    unsigned n_ip, n_host, n_user;
};

static void add(redactor *r, const char *value, const char *kind)
{
    if (!value || strlen(value) < 2 || g_hash_table_contains(r->seen, value))
        return;
    entry e = {g_strdup(value), NULL};
    if (!strcmp(kind, "ip"))
        e.replacement = g_strdup_printf("ip-%u", ++r->n_ip);
    else if (!strcmp(kind, "host"))
        e.replacement = g_strdup_printf("host-%u", ++r->n_host);
    else if (!strcmp(kind, "user"))
        e.replacement = g_strdup_printf("user-%u", ++r->n_user);
    else
        e.replacement = g_strdup_printf("[%s]", kind);
    g_array_append_val(r->entries, e);
    g_hash_table_insert(r->seen, e.value, GUINT_TO_POINTER(r->entries->len));
}

static void add_addr(redactor *r, int family, const uint8_t *addr)
{
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(family, addr, buf, sizeof buf))
        add(r, buf, "ip");
}

static void add_host(redactor *r, const char *name)
{
    if (!name || !*name)
        return;
    /* Host headers carry a port; an IP literal is an address. */
    char *h = g_strdup(name);
    char *colon = strrchr(h, ':');
    if (colon && !strchr(h, ']') && strchr(h, ':') == colon)
        *colon = '\0';
    if (h[0] == '[') {
        memmove(h, h + 1, strlen(h));
        char *end = strchr(h, ']');
        if (end)
            *end = '\0';
    }
    uint8_t a[16];
    if (inet_pton(AF_INET, h, a) == 1 || inet_pton(AF_INET6, h, a) == 1)
        add(r, h, "ip");
    else
        add(r, h, "host");
    g_free(h);
}

static void add_auth(redactor *r, const char *header, int challenge)
{
    if (!header)
        return;
    http_auth au[4];
    size_t n = 1;
    if (challenge)
        n = http_auth_parse_challenges(header, strlen(header), au, 4);
    else if (http_auth_parse_credentials(header, strlen(header), au) != 0)
        n = 0;
    for (size_t k = 0; k < n && k < 4; k++) {
        add(r, au[k].username, "user");
        add(r, au[k].nonce, "nonce");
        add(r, au[k].cnonce, "cnonce");
        add(r, au[k].response, "response");
        add(r, au[k].opaque, "opaque");
        if (au[k].token && au[k].token_len > 8) {
            char *t = g_strndup(au[k].token, au[k].token_len);
            add(r, t, "token");
            g_free(t);
        }
    }
}

static void add_certs(redactor *r, const tls_blob_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        diag_cert_info ci;
        if (diag_cert_read(l->v[i].data, l->v[i].len, &ci) != 0)
            continue;
        add(r, ci.serial, "serial");
        /* A CN that is a host name names a machine; "Example Root CA" does not. */
        if (strchr(ci.cn, '.') && !strchr(ci.cn, ' '))
            add_host(r, ci.cn);
        for (size_t k = 0; k < ci.n_dns_names; k++)
            add_host(r, ci.dns_names[k]);
        for (size_t k = 0; k < ci.n_ip_names; k++)
            add(r, ci.ip_names[k], "ip");
    }
}

static void add_conn(redactor *r, const conn_rec *c)
{
    add_addr(r, c->client.family, c->client.addr);
    add_addr(r, c->server.family, c->server.addr);
    if (c->tls) {
        const tls_summary *s = tls_conn_summary(c->tls);
        add_host(r, s->ch.sni);
        add_certs(r, &s->server_certs);
        add_certs(r, &s->client_certs);
    }
    for (guint i = 0; i < c->http->len; i++) {
        const http_rec *h = g_ptr_array_index(c->http, i);
        add_host(r, h->req.host);
        add_auth(r, h->req.authorization, 0);
        add_auth(r, h->resp.www_authenticate, 1);
    }
}

static gint longest_first(gconstpointer a, gconstpointer b)
{
    size_t la = strlen(((const entry *)a)->value), lb = strlen(((const entry *)b)->value);
    return (lb > la) - (lb < la);
}

redactor *redactor_new(const analysis *a)
{
    redactor *r = g_new0(redactor, 1);
    r->seen = g_hash_table_new(g_str_hash, g_str_equal);
    r->entries = g_array_new(FALSE, FALSE, sizeof(entry));
    for (guint i = 0; i < a->conns->len; i++)
        add_conn(r, g_ptr_array_index(a->conns, i));
    for (guint i = 0; i < a->dns->len; i++) {
        const dns_rec *d = g_ptr_array_index(a->dns, i);
        if (d->ptr_family)
            add_addr(r, d->ptr_family == 6 ? AF_INET6 : AF_INET, d->ptr_addr);
        /* A reverse query name spells the address out. */
        add(r, d->qname, "host");
        for (unsigned k = 0; k < d->n_addrs; k++)
            add_addr(r, d->addr_family[k] == 6 ? AF_INET6 : AF_INET, d->addrs[k]);
        for (unsigned k = 0; k < d->n_ptr; k++)
            add_host(r, d->ptr_names[k]);
    }
    /* Longer values first, so a name is replaced before a part of it. */
    g_array_sort(r->entries, longest_first);
    return r;
}

void redactor_free(redactor *r)
{
    if (!r)
        return;
    for (guint i = 0; i < r->entries->len; i++) {
        entry *e = &g_array_index(r->entries, entry, i);
        g_free(e->value);
        g_free(e->replacement);
    }
    g_array_free(r->entries, TRUE);
    g_hash_table_destroy(r->seen);
    g_free(r);
}

static int word_char(char c)
{
    return g_ascii_isalnum(c) || c == '_' || c == '-';
}

/* Whether text[at..at+n) stands alone: not inside a longer word, address
 * or name. */
static int standalone(const char *text, size_t at, size_t n)
{
    if (at > 0 && (word_char(text[at - 1]) || text[at - 1] == '.'))
        return 0;
    char next = text[at + n];
    if (word_char(next))
        return 0;
    if (next == '.' && g_ascii_isalnum(text[at + n + 1]))
        return 0;
    return 1;
}

static char *replace_all(const char *text, const entry *e)
{
    size_t n = strlen(e->value);
    GString *out = g_string_sized_new(strlen(text));
    const char *p = text;
    const char *hit;
    while ((hit = strstr(p, e->value))) {
        size_t at = (size_t)(hit - text);
        g_string_append_len(out, p, hit - p);
        if (standalone(text, at, n))
            g_string_append(out, e->replacement);
        else
            g_string_append_len(out, hit, (gssize)n);
        p = hit + n;
    }
    g_string_append(out, p);
    return g_string_free(out, FALSE);
}

char *redactor_apply(const redactor *r, const char *text)
{
    char *cur = g_strdup(text);
    for (guint i = 0; i < r->entries->len; i++) {
        char *next = replace_all(cur, &g_array_index(r->entries, entry, i));
        g_free(cur);
        cur = next;
    }
    return cur;
}
