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
    return diag_know_server(x->k, c->family, c->server_addr)->tls_ok;
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

static void points_elsewhere(diag_ctx *x, const diag_dns_facts *d, size_t i, int named)
{
    const diag_conn_facts *c = &x->conns[i];
    if (answer_has(d, c))
        return;
    char got[64], ans[64];
    diag_addr_text(c->family, c->server_addr, got, sizeof got);
    diag_addr_text(d->addr_family[0], d->addrs[0], ans, sizeof ans);
    diag_finding *f = diag_add(x, i, DIAG_C_DNS_POINTS_ELSEWHERE,
                               "%s resolved to %s%s, but the console connected to %s", d->qname,
                               ans, d->n_addrs > 1 ? " (and others)" : "", got);
    /* a connection that names nothing is tied to the answer by time and
     * console alone: a console with several AMTs may have asked for another */
    if (!named)
        f->confidence = DIAG_LIKELY;
    diag_frame(f, d->frame);
    diag_frame(f, c->first_frame);
}

/* The DNS answer connection i used: the newest for the name it asked for
 * (Host or SNI), else — for a connection to one of AMT's services that
 * names nothing — the newest answer to the same console just before it,
 * when no connection went to the address it gave. */
static void dns_conn(diag_ctx *x, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    if (c->midstream)
        return;
    const char *name = conn_name(c);
    const diag_dns_facts *d;
    if (name)
        d = diag_know_answer_for_name(x->k, name, c->first_ts_us);
    else if (diag_service(c) != AMT_SERVICE_OTHER)
        d = diag_know_answer_to(x->k, c->family, c->client_addr, c->first_ts_us - DNS_LINK_US,
                                c->first_ts_us);
    else
        d = NULL;
    /* Without a name the link is by time alone: an answer whose address
     * the capture shows connected to belongs to that connection (a console
     * managing several AMTs looks them up one after the other). */
    if (d && !name)
        for (size_t k = 0; k < d->n_addrs; k++)
            if (diag_know_connected(x->k, d->addr_family[k], d->addrs[k]))
                return;
    if (d && d->n_addrs)
        points_elsewhere(x, d, i, name != NULL);
}

/* Names that did not resolve: reported once, with the connections judged
 * after them. */
static void dns_unresolved(diag_ctx *x)
{
    const diag_dns_facts *d;
    for (size_t k = 0; (d = diag_know_unreported(x->k, k)); k++) {
        diag_finding *f =
            diag_add(x, (size_t)-1, DIAG_C_DNS_NAME_UNRESOLVED, "%s (%s) answered NXDOMAIN",
                     d->qname, d->qtype == 1 ? "A" : "AAAA");
        diag_frame(f, d->frame);
    }
    diag_know_reported(x->k);
}

void diag_rules_net(diag_ctx *x)
{
    for (size_t i = 0; i < x->n_conns; i++) {
        if (diag_is_cira(&x->conns[i]))
            continue; /* diag_cira.c: AMT is the client there */
        tcp_rules(x, i);
        dns_conn(x, i);
    }
    dns_unresolved(x);
}
