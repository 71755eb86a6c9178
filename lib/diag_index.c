/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_index: what the rules look up across a capture — the TrustedCN
 * answers per AMT, the DNS answers per address — indexed once per run, so
 * that no rule looks at every connection or every DNS message for each
 * connection. */
#include "diag_int.h"

#include <string.h>

static GBytes *addr_key(int family, const uint8_t *addr)
{
    uint8_t k[17];
    k[0] = (uint8_t)family;
    memcpy(k + 1, addr, family == 6 ? 16 : 4);
    return g_bytes_new(k, family == 6 ? 17 : 5);
}

static GHashTable *new_table(GDestroyNotify value_free)
{
    return g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref,
                                 value_free);
}

static void ptr_array_free(gpointer p)
{
    g_ptr_array_free(p, TRUE);
}

static void array_free(gpointer p)
{
    g_array_free(p, TRUE);
}

/* Appends v to the array under key, creating it. */
static void append(GHashTable *t, GBytes *key, size_t v)
{
    GArray *a = g_hash_table_lookup(t, key);
    if (a) {
        g_bytes_unref(key);
    } else {
        a = g_array_new(FALSE, FALSE, sizeof(size_t));
        g_hash_table_insert(t, key, a);
    }
    g_array_append_val(a, v);
}

const GPtrArray *diag_trusted_cn_of(diag_ctx *x, const diag_conn_facts *c)
{
    if (!x->trusted_cn) {
        x->trusted_cn = new_table(ptr_array_free);
        for (size_t i = 0; i < x->n_conns; i++) {
            const diag_conn_facts *o = &x->conns[i];
            for (size_t k = 0; k < o->n_ex; k++) {
                if (!o->ex[k].trusted_cn)
                    continue;
                GBytes *key = diag_server_key(o);
                GPtrArray *list = g_hash_table_lookup(x->trusted_cn, key);
                if (list) {
                    g_bytes_unref(key);
                } else {
                    list = g_ptr_array_new_with_free_func(g_free);
                    g_hash_table_insert(x->trusted_cn, key, list);
                }
                char **v = g_strsplit(o->ex[k].trusted_cn, ", ", -1);
                for (char **p = v; *p; p++)
                    if (**p)
                        g_ptr_array_add(list, g_strdup(*p));
                g_strfreev(v);
            }
        }
    }
    GBytes *key = diag_server_key(c);
    const GPtrArray *list = g_hash_table_lookup(x->trusted_cn, key);
    g_bytes_unref(key);
    return list;
}

static void build_dns(diag_ctx *x)
{
    x->ptr_answers = new_table(array_free);
    x->addr_answers = new_table(array_free);
    for (size_t k = 0; k < x->n_dns; k++) {
        const diag_dns_facts *d = &x->dns[k];
        if (!d->is_response)
            continue;
        if (d->qtype == 12 && (d->ptr_family == 4 || d->ptr_family == 6))
            append(x->ptr_answers, addr_key(d->ptr_family, d->ptr_addr), k);
        for (size_t a = 0; a < d->n_addrs; a++) {
            /* an address listed twice in one answer counts once */
            int seen = 0;
            for (size_t b = 0; b < a && !seen; b++)
                seen = d->addr_family[b] == d->addr_family[a] &&
                       memcmp(d->addrs[b], d->addrs[a], 16) == 0;
            if (!seen && (d->addr_family[a] == 4 || d->addr_family[a] == 6))
                append(x->addr_answers, addr_key(d->addr_family[a], d->addrs[a]), k);
        }
    }
}

/* The indices of the DNS messages under an address in table t. */
static const GArray *dns_lookup(diag_ctx *x, GHashTable **t, int family, const uint8_t *addr)
{
    if (!*t)
        build_dns(x);
    GBytes *key = addr_key(family, addr);
    const GArray *a = g_hash_table_lookup(*t, key);
    g_bytes_unref(key);
    return a;
}

const GArray *diag_ptr_answers(diag_ctx *x, int family, const uint8_t *addr)
{
    return dns_lookup(x, &x->ptr_answers, family, addr);
}

const GArray *diag_addr_answers(diag_ctx *x, int family, const uint8_t *addr)
{
    return dns_lookup(x, &x->addr_answers, family, addr);
}

void diag_index_free(diag_ctx *x)
{
    if (x->trusted_cn)
        g_hash_table_destroy(x->trusted_cn);
    if (x->ptr_answers)
        g_hash_table_destroy(x->ptr_answers);
    if (x->addr_answers)
        g_hash_table_destroy(x->addr_answers);
    if (x->redir_tls_ok)
        g_hash_table_destroy(x->redir_tls_ok);
    x->redir_tls_ok = NULL;
    x->trusted_cn = x->ptr_answers = x->addr_answers = NULL;
}
