/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_text: the -V transcript; the diagnosis in text is report_diag_text.c. */
#include "report.h"

#include <inttypes.h>
#include <string.h>

#include "http/http_conn.h"
#include "report_krb.h"

const char *report_tls_line(const tls_summary *s, char *buf, size_t len)
{
    if (!s->sh.seen) {
        snprintf(buf, len, "%s", s->ch.seen ? "ClientHello only" : "no hello seen");
        return buf;
    }
    snprintf(buf, len, "%s %s", tls_version_name(s->version),
             s->suite_name ? s->suite_name : "unknown suite");
    return buf;
}

static const char *cert_presence(tls_cert_presence p)
{
    switch (p) {
    case TLS_CERT_ABSENT:
        return "none";
    case TLS_CERT_EMPTY:
        return "empty";
    case TLS_CERT_SENT:
        return "sent";
    default:
        return "unknown (encrypted)";
    }
}

/* How the keys were agreed: the suite says it up to TLS 1.2; in TLS 1.3
 * a key share in the ServerHello means (EC)DHE, none a PSK alone. */
static const char *kx_text(const tls_summary *s)
{
    if (s->version == TLS_VERSION_1_3)
        return s->sh.key_share_group ? "(EC)DHE" : "PSK";
    const char *k = tls_suite_kx(s->suite);
    return k ? k : s->server_key_exchange ? "(EC)DHE" : "RSA";
}

static void print_tls(outw *w, const conn_rec *c)
{
    const tls_summary *s = tls_conn_summary(c->tls);
    char line[160];
    out_printf(w, "  TLS: %s", report_tls_line(s, line, sizeof line));
    if (s->ch.sni)
        out_printf(w, ", SNI %s", s->ch.sni);
    if (s->sh.seen)
        out_printf(w, ", %s key exchange", kx_text(s));
    out_printf(w, ", handshake %s%s\n", s->handshake_complete ? "complete" : "incomplete",
               s->resumed ? " (resumed)" : "");
    if (s->sh.seen && s->version <= TLS_VERSION_1_2)
        out_printf(w,
                   "    ServerHello frame %" PRIu64 ": renegotiation_info %s, "
                   "extended_master_secret %s\n",
                   s->sh.frame, s->sh.reneg_info ? "yes" : "no", s->sh.ems ? "yes" : "no");
    if (s->cert_request.seen)
        out_printf(w,
                   "    CertificateRequest frame %" PRIu64 ": %zu CA name(s); client "
                   "certificate %s (%zu in chain)\n",
                   s->cert_request.frame, s->cert_request.authorities.n,
                   cert_presence(s->client_cert), s->client_certs.n);
    out_printf(w, "    server certificate %s (%zu in chain)\n", cert_presence(s->server_cert),
               s->server_certs.n);
    if (s->psk_identity)
        out_printf(w, "    PSK identity \"%s\"\n", s->psk_identity);
    for (unsigned i = 0; i < s->renegotiations && i < TLS_MAX_RENEGS; i++) {
        const tls_reneg *r = &s->renegs[i];
        const char *suite = r->suite ? tls_suite_name(r->suite) : NULL;
        out_printf(w, "    renegotiation %u, ClientHello frame %" PRIu64 "%s: %s %s, %s%s%s%s\n",
                   i + 1, r->frame, r->encrypted ? " (encrypted)" : "",
                   r->version ? tls_version_name(r->version) : "no ServerHello", suite ? suite : "",
                   r->resumed ? "resumed" : "full handshake",
                   r->cert_request ? ", client certificate asked for: " : "",
                   r->cert_request ? cert_presence(r->client_cert) : "",
                   r->complete ? "" : ", incomplete");
    }
    for (size_t i = 0; i < s->n_alerts; i++) {
        const tls_alert_info *al = &s->alerts[i];
        out_printf(w, "    alert frame %" PRIu64 " from %s: ", al->frame,
                   al->dir ? "server" : "client");
        if (al->desc >= 0)
            out_printf(w, "%s %s (%d)", al->level == 2 ? "fatal" : "warning",
                       tls_alert_name(al->desc), al->desc);
        else
            out_printf(w, "encrypted, not readable");
        if (al->after_hs_type >= 0)
            out_printf(w, ", after %s %s", al->after_hs_dir ? "server" : "client",
                       tls_hs_name(al->after_hs_type));
        out_printf(w, "%s\n", al->encrypted ? " [encrypted]" : "");
    }
    out_printf(w, "    keys: %s\n", s->key_status_text);
    for (int d = 0; d < 2; d++)
        if (s->dir_error[d])
            out_printf(w, "    %s stopped: %s\n", d ? "server→client" : "client→server",
                       s->dir_error[d]);
    for (size_t i = 0; i < s->n_notes; i++)
        out_printf(w, "    TLS note: %s\n", s->notes[i]);
}

static void print_soap(outw *w, const soap_rec *s)
{
    if (!s->present) {
        if (s->error)
            out_printf(w, "        SOAP not decoded: %s\n", s->error);
        return;
    }
    if (s->eoi_service || s->eoi_method) {
        out_printf(w, "        EOI %s %s", s->eoi_service ? s->eoi_service : "?",
                   s->eoi_method ? s->eoi_method : "?");
        if (s->has_status_code)
            out_printf(w, " StatusCode %u (%s)", s->status_code,
                       s->status_name ? s->status_name : "unknown");
        fputc('\n', w->f);
    } else {
        out_printf(w, "        WS-Man %s%s%s", s->action_name ? s->action_name : "?",
                   s->class_name ? " " : "", s->class_name ? s->class_name : "");
        if (s->message_id)
            out_printf(w, " MessageID %s", s->message_id);
        if (s->relates_to)
            out_printf(w, " RelatesTo %s", s->relates_to);
        fputc('\n', w->f);
    }
    if (s->has_return_value)
        out_printf(w, "        ReturnValue %u (%s)\n", s->return_value,
                   s->return_value_name ? s->return_value_name : "unknown");
    if (s->is_fault)
        out_printf(w, "        fault %s/%s: %s\n", s->fault_code ? s->fault_code : "?",
                   s->fault_subcode ? s->fault_subcode : "?",
                   s->fault_reason ? s->fault_reason : "");
    if (s->enumeration_context)
        out_printf(w, "        EnumerationContext %s\n", s->enumeration_context);
    if (s->fields)
        out_printf(w, "        %s\n", s->fields);
    if (s->error)
        out_printf(w, "        (partly malformed: %s)\n", s->error);
}

static void print_http(outw *w, const report_in *r, const conn_rec *c)
{
    for (guint i = 0; i < c->http->len; i++) {
        const http_rec *h = g_ptr_array_index(c->http, i);
        if (h->req.present) {
            out_printf(w, "    frame %u: %s %s", h->req.first_frame, h->req.method, h->req.target);
            if (h->req.content_type)
                out_printf(w, " (%s, %" PRIu64 " bytes)", h->req.content_type, h->req.body_len);
            fputc('\n', w->f);
            if (h->req.authorization)
                out_printf(w, "        Authorization: %s\n", h->req.authorization);
            print_soap(w, &h->req.soap);
        } else {
            out_printf(w, "    (request not in the capture)\n");
        }
        if (h->resp.present) {
            out_printf(w, "    frame %u: → %d %s", h->resp.first_frame, h->resp.status,
                       h->resp.reason ? h->resp.reason : "");
            if (h->resp.content_type)
                out_printf(w, " (%s, %" PRIu64 " bytes)", h->resp.content_type, h->resp.body_len);
            fputc('\n', w->f);
            if (h->resp.www_authenticate)
                out_printf(w, "        WWW-Authenticate: %s\n", h->resp.www_authenticate);
            if (h->resp.server)
                out_printf(w, "        Server: %s\n", h->resp.server);
            report_krb_exchange(w, r, h);
            print_soap(w, &h->resp.soap);
        } else {
            out_printf(w, "    → no response\n");
        }
    }
}

/* The redirection messages of a connection, one a line. */
static void print_redir(outw *w, const conn_rec *c)
{
    char line[1024];
    diag_redir_summary(c->redir, line, sizeof line);
    out_printf(w, "  Redirection: %s\n", line);
    for (guint i = 0; i < c->redir_lines->len; i++) {
        const redir_line *l = &g_array_index(c->redir_lines, redir_line, i);
        out_printf(w, "    frame %" PRIu64 " %s: %s\n", l->frame, l->dir ? "AMT" : "console",
                   l->text);
    }
    if (c->redir_more)
        out_printf(w, "    … and %" PRIu64 " more messages\n", c->redir_more);
}

/* A CIRA tunnel's APF messages, one a line. */
static void print_cira(outw *w, const conn_rec *c)
{
    char line[1024];
    diag_cira_summary(c->cira, line, sizeof line);
    out_printf(w, "  CIRA: %s\n", line);
    GPtrArray *chans = report_redir_chan_lines(c); /* the sessions in its channels */
    for (guint i = 0; chans && i < chans->len; i++)
        out_printf(w, "  %s\n", (const char *)g_ptr_array_index(chans, i));
    if (chans)
        g_ptr_array_unref(chans);
    for (guint i = 0; i < c->redir_lines->len; i++) {
        const redir_line *l = &g_array_index(c->redir_lines, redir_line, i);
        out_printf(w, "    frame %" PRIu64 " %s: %s\n", l->frame, l->dir ? "MPS" : "AMT", l->text);
    }
    if (c->redir_more)
        out_printf(w, "    … and %" PRIu64 " more messages\n", c->redir_more);
}

/* The TCP events of a connection, comma-separated, then the byte counts. */
static void print_tcp(outw *w, const conn_rec *c)
{
    GString *t = g_string_new(c->midstream ? "capture started mid-connection" : "");
#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (t->len)                                                                                \
            g_string_append(t, ", ");                                                              \
        g_string_append_printf(t, __VA_ARGS__);                                                    \
    } while (0)
    if (c->syn_count)
        ADD("SYN frame %" PRIu64 "%s", c->syn_frame, c->syn_count > 1 ? " (retransmitted)" : "");
    if (c->synack_frame)
        ADD("SYN-ACK frame %" PRIu64, c->synack_frame);
    if (c->rst_frame)
        ADD("RST from %s frame %" PRIu64, c->rst_from ? "server" : "client", c->rst_frame);
    for (int d = 0; d < 2; d++)
        if (c->fin_frame[d])
            ADD("FIN from %s frame %" PRIu64, d ? "server" : "client", c->fin_frame[d]);
#undef ADD
    out_printf(w, "  TCP: %s; %" PRIu64 "/%" PRIu64 " bytes\n", t->str, c->bytes[0], c->bytes[1]);
    g_string_free(t, TRUE);
}

static void print_conn_head(outw *w, const conn_rec *c)
{
    char cl[80], sv[80];
    out_printf(w, "#%u %s → %s  %s", c->id, endpoint_str(&c->client, cl, sizeof cl),
               endpoint_str(&c->server, sv, sizeof sv), conn_tcp_outcome(c));
    if (c->app == APP_TLS) {
        char line[160];
        const tls_summary *s = tls_conn_summary(c->tls);
        out_printf(w, ", %s, keys: %s", report_tls_line(s, line, sizeof line),
                   tls_key_status_name(s->key_status));
    }
    if (c->http->len) {
        out_printf(w, ", HTTP");
        for (guint i = 0; i < c->http->len; i++) {
            const http_rec *h = g_ptr_array_index(c->http, i);
            if (h->resp.present)
                out_printf(w, " %d", h->resp.status);
            else
                out_printf(w, " -");
        }
    }
    fputc('\n', w->f);
}

void report_transcript_dns_piece(spill *sp, const report_in *r, const dns_rec *d)
{
    if (!d->is_response)
        return;
    outw w = report_out(spill_file(sp), OUT_TEXT, r);
    out_printf(&w, "DNS frame %" PRIu64 ": %s %s → %s%s%s\n", d->frame, d->qname,
               d->qtype == 12   ? "PTR"
               : d->qtype == 28 ? "AAAA"
                                : "A",
               d->rcode == 3 ? "NXDOMAIN"
               : d->rcode    ? "error"
                             : "NOERROR",
               d->answers[0] ? " " : "", d->answers);
    spill_mark(sp, RS_TR_DNS, 0);
}

void report_transcript_conn_piece(spill *sp, const report_in *r, const conn_rec *c)
{
    outw wr = report_out(spill_file(sp), OUT_TEXT, r), *w = &wr;
    print_conn_head(w, c);
    out_printf(w, "  file %s, frames %" PRIu64 "–%" PRIu64 "\n", c->file, c->first_frame,
               c->last_frame);
    print_tcp(w, c);
    if (c->app == APP_TLS)
        print_tls(w, c);
    print_http(w, r, c);
    if (c->cira)
        print_cira(w, c);
    else if (c->redir)
        print_redir(w, c);
    for (guint k = 0; k < c->notes->len; k++)
        out_printf(w, "  note: %s\n", (const char *)g_ptr_array_index(c->notes, k));
    fputc('\n', w->f);
    spill_mark(sp, RS_TR_CONN, c->id);
}
