/* SPDX-License-Identifier: GPL-2.0-or-later */
/* only: address (and port) filters over the connection records, applied
 * after the capture was read whole, so a resumed session still finds the
 * full handshake of another connection and the verdicts that compare
 * connections see them all. */
#include "only.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef struct only_spec {
    int family; /* AF_INET, AF_INET6 */
    uint8_t addr[16];
    unsigned port; /* 0: any */
} only_spec;

struct only_list {
    only_spec *v;
    size_t n;
};

static int parse_port(const char *s, unsigned *port)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 1 || v > 65535)
        return -1;
    *port = (unsigned)v;
    return 0;
}

static int parse_one(const char *spec, only_spec *o)
{
    char host[INET6_ADDRSTRLEN + 2];
    const char *port = NULL;
    memset(o, 0, sizeof *o);
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || (size_t)(close - spec - 1) >= sizeof host)
            return -1;
        g_strlcpy(host, spec + 1, (size_t)(close - spec));
        if (close[1] == ':')
            port = close + 2;
        else if (close[1])
            return -1;
    } else {
        const char *colon = strchr(spec, ':');
        /* one colon: IPv4:port; more: a bare IPv6 address */
        if (colon && !strchr(colon + 1, ':')) {
            if ((size_t)(colon - spec) >= sizeof host)
                return -1;
            g_strlcpy(host, spec, (size_t)(colon - spec) + 1);
            port = colon + 1;
        } else if (g_strlcpy(host, spec, sizeof host) >= sizeof host) {
            return -1;
        }
    }
    if (inet_pton(AF_INET, host, o->addr) == 1)
        o->family = AF_INET;
    else if (inet_pton(AF_INET6, host, o->addr) == 1)
        o->family = AF_INET6;
    else
        return -1;
    return port ? parse_port(port, &o->port) : 0;
}

only_list *only_parse(const GPtrArray *specs, amt_err *e)
{
    only_list *l = g_new0(only_list, 1);
    l->v = g_new0(only_spec, specs->len ? specs->len : 1);
    for (guint i = 0; i < specs->len; i++) {
        const char *s = g_ptr_array_index(specs, i);
        if (parse_one(s, &l->v[l->n]) != 0) {
            amt_fail(e, AMT_E_USAGE,
                     "--only %s: give an IP address, optionally with a port (192.0.2.20:16993, "
                     "[2001:db8::20]:16993)",
                     s);
            only_free(l);
            return NULL;
        }
        l->n++;
    }
    return l;
}

void only_free(only_list *l)
{
    if (!l)
        return;
    g_free(l->v);
    g_free(l);
}

static int endpoint_is(const only_spec *o, const tcp_endpoint *ep)
{
    size_t alen = o->family == AF_INET ? 4 : 16;
    return ep->family == o->family && memcmp(ep->addr, o->addr, alen) == 0 &&
           (!o->port || ep->port == o->port);
}

int only_match(const only_list *l, const conn_rec *c)
{
    if (!l || !l->n)
        return 1;
    for (size_t i = 0; i < l->n; i++)
        if (endpoint_is(&l->v[i], &c->client) || endpoint_is(&l->v[i], &c->server))
            return 1;
    return 0;
}

void only_apply(const only_list *l, GPtrArray *conns)
{
    if (!l || !l->n)
        return;
    for (guint i = conns->len; i-- > 0;)
        if (!only_match(l, g_ptr_array_index(conns, i)))
            g_ptr_array_remove_index(conns, i); /* frees it */
}
