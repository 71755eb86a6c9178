/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_know: what the diagnosis knows across connections — per AMT its
 * clock, whether its TLS service answered, the TrustedCN list it gave, the
 * logins to it; the DNS answers by name and by address. Learned from each
 * connection and DNS message once, kept in bounded tables, and read by the
 * rules when they judge a connection, so that no rule looks at every
 * connection for each one and a capture of any length can be judged as it
 * goes (diag_judge). */
#include "diag_int.h"

#include <string.h>

/* DNS messages kept for the rules that look back at them. */
#define DNS_KEEP_MAX 65536

/* Host names kept per AMT (a console uses one or two). */
#define NAMES_KEPT 16

static GBytes *addr_key(int family, const uint8_t *addr)
{
    uint8_t k[17];
    k[0] = (uint8_t)family;
    memcpy(k + 1, addr, family == 6 ? 16 : 4);
    return g_bytes_new(k, family == 6 ? 17 : 5);
}

static void server_free(gpointer p)
{
    know_server *s = p;
    if (s->trusted_cn)
        g_ptr_array_free(s->trusted_cn, TRUE);
    if (s->names)
        g_ptr_array_free(s->names, TRUE);
    diag_login_state_free(s->login);
    g_free(s);
}

static void queue_free(gpointer p)
{
    g_queue_free(p);
}

/* One DNS message, copied: the facts point into the copy. */
typedef struct know_dns {
    diag_dns_facts f;
    int fam[];
} know_dns;

static know_dns *dns_copy(const diag_dns_facts *d)
{
    size_t na = d->n_addrs, np = d->n_ptr_names;
    know_dns *k = g_malloc0(sizeof *k + na * sizeof(int));
    k->f = *d;
    k->f.qname = g_strdup(d->qname);
    k->f.addr_family = k->fam;
    uint8_t(*addrs)[16] = g_malloc0(na ? na * sizeof *addrs : 1);
    if (na) { /* memcpy's source must not be NULL even for 0 bytes */
        memcpy(k->fam, d->addr_family, na * sizeof(int));
        memcpy(addrs, d->addrs, na * sizeof *addrs);
    }
    k->f.addrs = (const uint8_t(*)[16])addrs;
    char **names = g_new0(char *, np + 1);
    for (size_t i = 0; i < np; i++)
        names[i] = g_strdup(d->ptr_names[i]);
    k->f.ptr_names = (const char *const *)names;
    return k;
}

static void dns_free(know_dns *k)
{
    g_free((char *)k->f.qname);
    g_free((void *)k->f.addrs);
    g_strfreev((char **)k->f.ptr_names);
    g_free(k);
}

diag_know *diag_know_new(const diag_inputs *in)
{
    static const diag_inputs none;
    diag_know *k = g_new0(diag_know, 1);
    k->in = in ? in : &none;
    k->servers = g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref,
                                       server_free);
    g_queue_init(&k->dns);
    k->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, queue_free);
    k->by_addr = g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref,
                                       queue_free);
    k->ptr_by_addr = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
                                           (GDestroyNotify)g_bytes_unref, queue_free);
    k->by_client = g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref,
                                         queue_free);
    k->unreported = g_ptr_array_new();
    return k;
}

void diag_know_free(diag_know *k)
{
    if (!k)
        return;
    diag_krb_free(k);
    g_hash_table_destroy(k->servers);
    g_hash_table_destroy(k->by_name);
    g_hash_table_destroy(k->by_addr);
    g_hash_table_destroy(k->ptr_by_addr);
    g_hash_table_destroy(k->by_client);
    g_ptr_array_free(k->unreported, TRUE);
    know_dns *d;
    while ((d = g_queue_pop_head(&k->dns)))
        dns_free(d);
    g_free(k);
}

know_server *diag_know_server(diag_know *k, int family, const uint8_t *addr)
{
    GBytes *key = addr_key(family, addr);
    know_server *s = g_hash_table_lookup(k->servers, key);
    if (!s) {
        s = g_new0(know_server, 1);
        g_hash_table_insert(k->servers, key, s);
    } else {
        g_bytes_unref(key);
    }
    return s;
}

int diag_know_connected(diag_know *k, int family, const uint8_t *addr)
{
    if (k->in && k->in->connected)
        return k->in->connected(k->in->connected_ctx, family, addr);
    GBytes *key = addr_key(family, addr);
    const know_server *s = g_hash_table_lookup(k->servers, key);
    g_bytes_unref(key);
    return s && s->connected;
}

/* A name as a lookup key: lower case, without a port or a final dot;
 * NULL for none. */
char *diag_name_key(const char *name)
{
    if (!name || !*name)
        return NULL;
    size_t n = *name == '[' ? strcspn(name, "]") + 1 : strcspn(name, ":");
    if (n && name[n - 1] == '.')
        n--;
    return n ? g_ascii_strdown(name, (gssize)n) : NULL;
}

static void index_under(GHashTable *t, gpointer key, know_dns *d, int key_is_string)
{
    GQueue *q = g_hash_table_lookup(t, key);
    if (!q) {
        q = g_queue_new();
        g_hash_table_insert(t, key, q);
    } else if (key_is_string) {
        g_free(key);
    } else {
        g_bytes_unref(key);
    }
    g_queue_push_tail(q, d);
}

static void unindex(GHashTable *t, gconstpointer key, know_dns *d)
{
    GQueue *q = g_hash_table_lookup(t, key);
    if (!q)
        return;
    g_queue_remove(q, d); /* the oldest: found at the head */
    if (g_queue_is_empty(q))
        g_hash_table_remove(t, key);
}

static void forget_oldest(diag_know *k)
{
    know_dns *d = g_queue_pop_head(&k->dns);
    char *name = diag_name_key(d->f.qname);
    if (name)
        unindex(k->by_name, name, d);
    g_free(name);
    for (size_t a = 0; a < d->f.n_addrs; a++) {
        GBytes *key = addr_key(d->f.addr_family[a], d->f.addrs[a]);
        unindex(k->by_addr, key, d);
        g_bytes_unref(key);
    }
    if (d->f.qtype == 12 && (d->f.ptr_family == 4 || d->f.ptr_family == 6)) {
        GBytes *key = addr_key(d->f.ptr_family, d->f.ptr_addr);
        unindex(k->ptr_by_addr, key, d);
        g_bytes_unref(key);
    }
    if (d->f.n_addrs && (d->f.client_family == 4 || d->f.client_family == 6)) {
        GBytes *key = addr_key(d->f.client_family, d->f.client_addr);
        unindex(k->by_client, key, d);
        g_bytes_unref(key);
    }
    g_ptr_array_remove(k->unreported, d);
    dns_free(d);
}

void diag_know_dns(diag_know *k, const diag_dns_facts *d)
{
    if (!d->is_response)
        return;
    if (g_queue_get_length(&k->dns) >= DNS_KEEP_MAX)
        forget_oldest(k);
    know_dns *c = dns_copy(d);
    g_queue_push_tail(&k->dns, c);
    const diag_dns_facts *f = &c->f;
    if (f->qtype == 12 && (f->ptr_family == 4 || f->ptr_family == 6))
        index_under(k->ptr_by_addr, addr_key(f->ptr_family, f->ptr_addr), c, 0);
    if (f->qtype != 1 && f->qtype != 28)
        return;
    if (f->rcode == 3)
        g_ptr_array_add(k->unreported, c);
    if (!f->n_addrs)
        return;
    char *name = diag_name_key(f->qname);
    if (name)
        index_under(k->by_name, name, c, 1);
    for (size_t a = 0; a < f->n_addrs; a++) {
        /* an address listed twice in one answer counts once */
        int seen = 0;
        for (size_t b = 0; b < a && !seen; b++)
            seen = f->addr_family[b] == f->addr_family[a] &&
                   memcmp(f->addrs[b], f->addrs[a], f->addr_family[a] == 6 ? 16 : 4) == 0;
        if (!seen && (f->addr_family[a] == 4 || f->addr_family[a] == 6))
            index_under(k->by_addr, addr_key(f->addr_family[a], f->addrs[a]), c, 0);
    }
    if (f->client_family == 4 || f->client_family == 6)
        index_under(k->by_client, addr_key(f->client_family, f->client_addr), c, 0);
}

void diag_know_forget(diag_know *k, int64_t before_us)
{
    know_dns *d;
    while ((d = g_queue_peek_head(&k->dns)) && d->f.ts_us < before_us)
        forget_oldest(k);
}

/* The newest of a queue's messages at or before t, NULL when none. */
static const diag_dns_facts *newest_before(const GQueue *q, int64_t t)
{
    for (GList *l = q ? q->tail : NULL; l; l = l->prev) {
        const know_dns *d = l->data;
        if (d->f.ts_us <= t)
            return &d->f;
    }
    return NULL;
}

const diag_dns_facts *diag_know_answer_for_name(diag_know *k, const char *name, int64_t t)
{
    char *key = diag_name_key(name);
    const GQueue *q = key ? g_hash_table_lookup(k->by_name, key) : NULL;
    g_free(key);
    return newest_before(q, t);
}

const diag_dns_facts *diag_know_answer_holding(diag_know *k, int family, const uint8_t *addr,
                                               int64_t t)
{
    GBytes *key = addr_key(family, addr);
    const GQueue *q = g_hash_table_lookup(k->by_addr, key);
    g_bytes_unref(key);
    return newest_before(q, t);
}

const GQueue *diag_know_answers_holding(diag_know *k, int family, const uint8_t *addr)
{
    GBytes *key = addr_key(family, addr);
    const GQueue *q = g_hash_table_lookup(k->by_addr, key);
    g_bytes_unref(key);
    return q;
}

const GQueue *diag_know_ptr_answers(diag_know *k, int family, const uint8_t *addr)
{
    GBytes *key = addr_key(family, addr);
    const GQueue *q = g_hash_table_lookup(k->ptr_by_addr, key);
    g_bytes_unref(key);
    return q;
}

const diag_dns_facts *diag_know_answer_to(diag_know *k, int family, const uint8_t *addr,
                                          int64_t from, int64_t to)
{
    GBytes *key = addr_key(family, addr);
    const GQueue *q = g_hash_table_lookup(k->by_client, key);
    g_bytes_unref(key);
    const diag_dns_facts *d = newest_before(q, to);
    return d && d->ts_us >= from ? d : NULL;
}

const diag_dns_facts *diag_know_unreported(diag_know *k, size_t i)
{
    return i < k->unreported->len ? &((know_dns *)g_ptr_array_index(k->unreported, i))->f : NULL;
}

size_t diag_know_unresolved(const diag_know *k)
{
    return k->unreported->len;
}

void diag_know_unresolved_keep(diag_know *k, size_t n)
{
    if (n < k->unreported->len)
        g_ptr_array_remove_range(k->unreported, 0, k->unreported->len - (guint)n);
}

void diag_know_reported(diag_know *k)
{
    g_ptr_array_set_size(k->unreported, 0);
}

/* The login's last word across connections: a challenge nobody answered
 * with credentials names its connection. */
static void learn_login(know_server *s, const diag_conn_facts *c, const diag_exchange *x)
{
    if (x->authorization) {
        s->credentials_sent = 1;
    } else if (x->status == 401) {
        s->last_challenge_id = c->id;
        s->last_challenge_frame = x->resp_frame;
        s->has_last_challenge = 1;
    }
}

void diag_know_conn(diag_know *k, const diag_conn_facts *c)
{
    if (diag_is_cira(c)) {
        /* a tunnel's server is the MPS; the AMT is its client, and what the
         * consoles behind the MPS asked it in the channels is its logins */
        know_server *s = diag_know_server(k, c->family, c->client_addr);
        for (size_t e = 0; e < c->n_ex; e++)
            learn_login(s, c, &c->ex[e]);
        return;
    }
    know_server *s = diag_know_server(k, c->family, c->server_addr);
    s->connected = 1;
    diag_clock_learn(&s->clock, c);
    if (diag_service(c) == AMT_SERVICE_TLS && c->synack)
        s->tls_ok = 1;
    if (diag_service(c) == AMT_SERVICE_REDIR_TLS && c->synack)
        s->redir_tls_ok = 1;
    for (size_t e = 0; e < c->n_ex; e++) {
        const diag_exchange *x = &c->ex[e];
        if (x->trusted_cn) {
            if (!s->trusted_cn)
                s->trusted_cn = g_ptr_array_new_with_free_func(g_free);
            char **v = g_strsplit(x->trusted_cn, ", ", -1);
            for (char **p = v; *p; p++) {
                int dup = 0;
                for (guint q = 0; q < s->trusted_cn->len && !dup; q++)
                    dup = strcmp(g_ptr_array_index(s->trusted_cn, q), *p) == 0;
                if (**p && !dup)
                    g_ptr_array_add(s->trusted_cn, g_strdup(*p));
            }
            g_strfreev(v);
        }
        /* the names the console knows it by (a Kerberos SPN holds one) */
        char *name = x->host && x->host[0] != '[' ? diag_name_key(x->host) : NULL;
        if (name && (!s->names || s->names->len < NAMES_KEPT)) {
            if (!s->names)
                s->names = g_ptr_array_new_with_free_func(g_free);
            int dup = 0;
            for (guint q = 0; q < s->names->len && !dup; q++)
                dup = strcmp(g_ptr_array_index(s->names, q), name) == 0;
            if (!dup) {
                g_ptr_array_add(s->names, name);
                name = NULL;
            }
        }
        g_free(name);
        learn_login(s, c, x);
    }
}
