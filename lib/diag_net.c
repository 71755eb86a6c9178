/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_net: the rules about reaching AMT at all — name resolution and the
 * TCP connection. */
#include "diag_int.h"

#include <string.h>

/* A DNS answer is linked to the connections opened this soon after it
 * when neither Host nor SNI names the server. */
#define DNS_LINK_US (5 * G_USEC_PER_SEC)

static size_t addr_len(int family)
{
    return family == 6 ? 16 : 4;
}

/* Whether a connection to the same address reached AMT's TLS service. */
static int tls_port_works(diag_ctx *x, const diag_conn_facts *c)
{
    if (!x->tls_ok) {
        x->tls_ok =
            g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, NULL);
        for (size_t i = 0; i < x->n_conns; i++)
            if (diag_service(&x->conns[i]) == AMT_SERVICE_TLS && x->conns[i].synack)
                g_hash_table_add(x->tls_ok, diag_server_key(&x->conns[i]));
    }
    GBytes *key = diag_server_key(c);
    int ok = g_hash_table_contains(x->tls_ok, key);
    g_bytes_unref(key);
    return ok;
}

/* A TLS-only AMT accepts plain HTTP on its HTTP port and closes without
 * an answer (or resets) once the request is in. */
static void http_refused_after_request(diag_ctx *x, size_t i, const char *addr)
{
    const diag_conn_facts *c = &x->conns[i];
    const diag_end *e = &diag_cr(x, i)->end;
    if (c->midstream || c->is_tls || diag_service(c) != AMT_SERVICE_HTTP ||
        !c->bytes[DIAG_CONSOLE] || c->bytes[DIAG_AMT] || e->by != DIAG_AMT)
        return;
    int sure = tls_port_works(x, c);
    diag_finding *f =
        diag_add(x, i, DIAG_C_PLAIN_HTTP_REFUSED_TLS_ONLY,
                 "%s accepted the connection to port %u, took the console's %s and %s without a "
                 "word%s",
                 addr, c->server_port, c->n_ex ? "request" : "bytes",
                 e->how == DIAG_END_RST ? "reset it" : "closed it",
                 sure ? ", and accepted TLS on its TLS port in this capture"
                      : "; no TLS connection to it in the capture confirms that it is TLS-only");
    f->confidence = sure ? DIAG_CERTAIN : DIAG_LIKELY;
    diag_frame(f, c->n_ex ? c->ex[0].req_frame : c->console_head_frame);
    diag_frame(f, e->frame);
}

static void tcp_rules(diag_ctx *x, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    char addr[64];
    diag_addr_text(c->family, c->server_addr, addr, sizeof addr);
    http_refused_after_request(x, i, addr);
    if (c->midstream || c->bytes[0] || c->bytes[1])
        return;
    if (c->syns && !c->synack && c->rst_from != DIAG_AMT) {
        diag_finding *f = diag_add(
            x, i, DIAG_C_NO_ANSWER, "%u SYN(s) to %s port %u over %.1f s, no SYN-ACK and no reset",
            c->syns, addr, c->server_port, (double)(c->last_ts_us - c->first_ts_us) / 1e6);
        diag_frame(f, c->syn_frame);
        diag_frame(f, c->last_frame);
        return;
    }
    if (c->rst_from == DIAG_AMT && !c->synack && diag_redir_refused(x, i, addr))
        return;
    if (c->rst_from == DIAG_AMT && !c->synack) {
        diag_finding *f;
        if (diag_service(c) == AMT_SERVICE_HTTP && tls_port_works(x, c))
            f = diag_add(x, i, DIAG_C_PLAIN_HTTP_REFUSED_TLS_ONLY,
                         "%s refused port %u with a reset, and accepted TLS on its TLS port in "
                         "this capture",
                         addr, c->server_port);
        else
            f = diag_add(x, i, DIAG_C_PORT_CLOSED, "%s answered the SYN to port %u with a reset%s",
                         addr, c->server_port,
                         diag_service(c) == AMT_SERVICE_HTTP
                             ? "; if AMT is TLS-only, the console must use TLS (16993)"
                             : "");
        diag_frame(f, c->syn_frame);
        diag_frame(f, c->rst_frame);
    }
}

static int answer_has(const diag_dns_facts *d, const diag_conn_facts *c)
{
    for (size_t k = 0; k < d->n_addrs; k++)
        if (d->addr_family[k] == c->family &&
            memcmp(d->addrs[k], c->server_addr, addr_len(c->family)) == 0)
            return 1;
    return 0;
}

/* The name the console asked for on connection c: Host, else SNI. */
static const char *conn_name(const diag_conn_facts *c)
{
    for (size_t k = 0; k < c->n_ex; k++)
        if (c->ex[k].host && *c->ex[k].host)
            return c->ex[k].host;
    return c->tls.sni;
}

/* A name as a lookup key: lower case, without a port or a final dot;
 * NULL for none. */
static char *name_key(const char *name)
{
    if (!name || !*name)
        return NULL;
    size_t n = *name == '[' ? strcspn(name, "]") + 1 : strcspn(name, ":");
    if (n && name[n - 1] == '.')
        n--;
    return n ? g_ascii_strdown(name, (gssize)n) : NULL;
}

/* Connections by the name they asked for (Host, else SNI), and the
 * unnamed ones to AMT's services by start time: built once, so each DNS
 * answer finds its connections without looking at all of them. */
typedef struct conn_index {
    GHashTable *by_name; /* name key → GArray of size_t, in order */
    GArray *unnamed;     /* size_t, by first_ts_us */
} conn_index;

static gint by_start(gconstpointer a, gconstpointer b, gpointer data)
{
    const diag_conn_facts *conns = data;
    int64_t x = conns[*(const size_t *)a].first_ts_us, y = conns[*(const size_t *)b].first_ts_us;
    return (x > y) - (x < y);
}

static void index_conns(diag_ctx *x, conn_index *ix)
{
    ix->by_name =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
    ix->unnamed = g_array_new(FALSE, FALSE, sizeof(size_t));
    for (size_t i = 0; i < x->n_conns; i++) {
        const diag_conn_facts *c = &x->conns[i];
        if (c->midstream)
            continue;
        char *key = name_key(conn_name(c));
        if (!key) {
            if (diag_service(c) != AMT_SERVICE_OTHER)
                g_array_append_val(ix->unnamed, i);
            continue;
        }
        GArray *list = g_hash_table_lookup(ix->by_name, key);
        if (!list) {
            list = g_array_new(FALSE, FALSE, sizeof(size_t));
            g_hash_table_insert(ix->by_name, key, list);
        } else {
            g_free(key);
        }
        g_array_append_val(list, i);
    }
    g_array_sort_with_data(ix->unnamed, by_start, (gpointer)x->conns);
}

/* The first unnamed connection starting at or after t, or (size_t)-1. */
static size_t first_unnamed_after(const diag_ctx *x, const conn_index *ix, int64_t t)
{
    guint lo = 0, hi = ix->unnamed->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (x->conns[g_array_index(ix->unnamed, size_t, mid)].first_ts_us < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ix->unnamed->len ? g_array_index(ix->unnamed, size_t, lo) : (size_t)-1;
}

static void points_elsewhere(diag_ctx *x, const diag_dns_facts *d, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    if (c->first_ts_us < d->ts_us || answer_has(d, c))
        return;
    char got[64], ans[64];
    diag_addr_text(c->family, c->server_addr, got, sizeof got);
    diag_addr_text(d->addr_family[0], d->addrs[0], ans, sizeof ans);
    diag_finding *f = diag_add(x, i, DIAG_C_DNS_POINTS_ELSEWHERE,
                               "%s resolved to %s%s, but the console connected to %s", d->qname,
                               ans, d->n_addrs > 1 ? " (and others)" : "", got);
    diag_frame(f, d->frame);
    diag_frame(f, c->first_frame);
}

static void dns_rules(diag_ctx *x)
{
    conn_index ix = {NULL, NULL};
    for (size_t k = 0; k < x->n_dns; k++) {
        const diag_dns_facts *d = &x->dns[k];
        if (!d->is_response || (d->qtype != 1 && d->qtype != 28))
            continue;
        if (d->rcode == 3) {
            diag_finding *f =
                diag_add(x, (size_t)-1, DIAG_C_DNS_NAME_UNRESOLVED, "%s (%s) answered NXDOMAIN",
                         d->qname, d->qtype == 1 ? "A" : "AAAA");
            diag_frame(f, d->frame);
            continue;
        }
        if (!d->n_addrs)
            continue;
        if (!ix.by_name)
            index_conns(x, &ix);
        /* The connections that used the answer: those naming it (Host or
         * SNI), else the first connection to an AMT port right after it. */
        char *key = name_key(d->qname);
        GArray *named = key ? g_hash_table_lookup(ix.by_name, key) : NULL;
        g_free(key);
        for (guint k2 = 0; named && k2 < named->len; k2++)
            points_elsewhere(x, d, g_array_index(named, size_t, k2));
        size_t u = first_unnamed_after(x, &ix, d->ts_us);
        if (u != (size_t)-1 && x->conns[u].first_ts_us - d->ts_us <= DNS_LINK_US)
            points_elsewhere(x, d, u);
    }
    if (ix.by_name) {
        g_hash_table_destroy(ix.by_name);
        g_array_free(ix.unnamed, TRUE);
    }
}

void diag_rules_net(diag_ctx *x)
{
    for (size_t i = 0; i < x->n_conns; i++)
        tcp_rules(x, i);
    dns_rules(x);
}
