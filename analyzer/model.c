/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model: freeing the records and naming their facts. */
#include "model.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

static void soap_rec_clear(soap_rec *s)
{
    char **strs[] = {&s->error,
                     &s->kind,
                     &s->action,
                     &s->action_name,
                     &s->class_name,
                     &s->message_id,
                     &s->relates_to,
                     &s->body_name,
                     &s->fields,
                     &s->return_value_name,
                     &s->fault_code,
                     &s->fault_subcode,
                     &s->fault_subcode_ns,
                     &s->fault_reason,
                     &s->eoi_service,
                     &s->eoi_method,
                     &s->status_name,
                     &s->enumeration_context,
                     &s->trusted_cn};
    for (size_t i = 0; i < G_N_ELEMENTS(strs); i++)
        g_free(*strs[i]);
}

static void msg_rec_clear(http_msg_rec *m)
{
    char **strs[] = {&m->method,           &m->target,       &m->reason, &m->authorization,
                     &m->www_authenticate, &m->content_type, &m->server, &m->date,
                     &m->connection,       &m->host};
    for (size_t i = 0; i < G_N_ELEMENTS(strs); i++)
        g_free(*strs[i]);
    if (m->headers)
        g_ptr_array_free(m->headers, TRUE);
    soap_rec_clear(&m->soap);
}

static void http_rec_free(gpointer p)
{
    http_rec *h = p;
    msg_rec_clear(&h->req);
    msg_rec_clear(&h->resp);
    g_free(h);
}

void conn_rec_free(conn_rec *c)
{
    if (!c)
        return;
    g_free(c->file);
    if (c->tls)
        tls_conn_free(c->tls);
    if (c->http) {
        g_ptr_array_set_free_func(c->http, http_rec_free);
        g_ptr_array_free(c->http, TRUE);
    }
    if (c->notes)
        g_ptr_array_free(c->notes, TRUE);
    if (c->hs)
        g_array_free(c->hs, TRUE);
    if (c->redir) {
        diag_redir_clear(c->redir); /* it holds password hashes */
        g_free(c->redir);
    }
    g_free(c->cira);
    for (size_t k = 0; c->redir_chans && k < c->redir_chans->n; k++) {
        diag_redir_clear(c->redir_chans->chan[k]);
        g_free(c->redir_chans->chan[k]);
    }
    g_free(c->redir_chans);
    if (c->redir_lines)
        g_array_free(c->redir_lines, TRUE);
    g_free(c);
}

void dns_rec_free(dns_rec *d)
{
    if (!d)
        return;
    g_free(d->file);
    g_free(d->qname);
    g_free(d->answers);
    for (unsigned i = 0; i < d->n_ptr; i++)
        g_free(d->ptr_names[i]);
    g_free(d);
}

void hex_encode(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

const char *endpoint_str(const tcp_endpoint *ep, char *buf, size_t len)
{
    char a[INET6_ADDRSTRLEN] = "?";
    int v6 = ep->family == AF_INET6;
    inet_ntop(v6 ? AF_INET6 : AF_INET, ep->addr, a, sizeof a);
    snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", a, ep->port);
    return buf;
}

const char *conn_tcp_outcome(const conn_rec *c)
{
    if (c->syn_count && !c->synack_frame) {
        if (c->rst_from == 1)
            return "refused";
        return "no-answer";
    }
    if (c->rst_from == 1)
        return "reset-by-server";
    if (c->rst_from == 0)
        return "reset-by-client";
    if (c->fin_frame[0] || c->fin_frame[1])
        return "closed";
    if (c->end == TCP_FLOW_END_TIMEOUT)
        return "idle-timeout";
    return "open-at-end";
}
