/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_json: the analysis as JSON, schema "amtdiag/1" (docs/json-schema.md). */
#include "report.h"

#include <json-glib/json-glib.h>

#include "http/http_conn.h"

/* A node as pretty-printed JSON text (g_free). */
static gchar *node_text(JsonNode *node, gsize *len)
{
    JsonGenerator *g = json_generator_new();
    json_generator_set_root(g, node);
    json_generator_set_pretty(g, TRUE);
    gchar *text = json_generator_to_data(g, len);
    g_object_unref(g);
    return text;
}

/* Builders carry the writer their strings go through (out.h). */
static JsonBuilder *new_builder(outw *w)
{
    JsonBuilder *b = json_builder_new();
    g_object_set_data(G_OBJECT(b), "amtdiag-out", w);
    return b;
}

/* A string value: through out_clean, so it is redacted, valid UTF-8 and
 * free of control characters whatever the capture held. */
static void add_str(JsonBuilder *b, const char *v)
{
    if (!v) {
        json_builder_add_null_value(b);
        return;
    }
    char *c = out_clean(g_object_get_data(G_OBJECT(b), "amtdiag-out"), v);
    json_builder_add_string_value(b, c);
    g_free(c);
}

static void member_str(JsonBuilder *b, const char *name, const char *v)
{
    json_builder_set_member_name(b, name);
    add_str(b, v);
}

static void member_int(JsonBuilder *b, const char *name, gint64 v)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, v);
}

/* A frame number, null for 0 (none). */
static void member_frame(JsonBuilder *b, const char *name, uint64_t frame)
{
    json_builder_set_member_name(b, name);
    if (frame)
        json_builder_add_int_value(b, (gint64)frame);
    else
        json_builder_add_null_value(b);
}

static void member_bool(JsonBuilder *b, const char *name, int v)
{
    json_builder_set_member_name(b, name);
    json_builder_add_boolean_value(b, v != 0);
}

static void hex_member(JsonBuilder *b, const char *name, const uint8_t *p, size_t n)
{
    char *h = g_malloc(2 * n + 1);
    hex_encode(p, n, h);
    member_str(b, name, h);
    g_free(h);
}

static void soap_json(JsonBuilder *b, const soap_rec *s)
{
    json_builder_set_member_name(b, "soap");
    if (!s->present && !s->error) {
        json_builder_add_null_value(b);
        return;
    }
    json_builder_begin_object(b);
    member_str(b, "kind", s->kind);
    member_str(b, "action", s->action);
    member_str(b, "action_name", s->action_name);
    member_str(b, "class", s->class_name);
    member_str(b, "message_id", s->message_id);
    member_str(b, "relates_to", s->relates_to);
    member_str(b, "body", s->body_name);
    member_str(b, "enumeration_context", s->enumeration_context);
    if (s->has_return_value) {
        member_int(b, "return_value", s->return_value);
        member_str(b, "return_value_name", s->return_value_name);
    }
    if (s->is_fault) {
        json_builder_set_member_name(b, "fault");
        json_builder_begin_object(b);
        member_str(b, "code", s->fault_code);
        member_str(b, "subcode", s->fault_subcode);
        member_str(b, "subcode_ns", s->fault_subcode_ns);
        member_str(b, "reason", s->fault_reason);
        json_builder_end_object(b);
    }
    if (s->eoi_service || s->eoi_method) {
        member_str(b, "eoi_service", s->eoi_service);
        member_str(b, "eoi_method", s->eoi_method);
    }
    if (s->has_status_code) {
        member_int(b, "status_code", s->status_code);
        member_str(b, "status_name", s->status_name);
    }
    member_str(b, "error", s->error);
    json_builder_end_object(b);
}

static void msg_json(JsonBuilder *b, const char *name, const http_msg_rec *m, int request)
{
    json_builder_set_member_name(b, name);
    if (!m->present) {
        json_builder_add_null_value(b);
        return;
    }
    json_builder_begin_object(b);
    member_int(b, "first_frame", m->first_frame);
    member_int(b, "last_frame", m->last_frame);
    if (request) {
        member_str(b, "method", m->method);
        member_str(b, "uri", m->target);
    } else {
        member_int(b, "status", m->status);
        member_str(b, "reason", m->reason);
    }
    member_bool(b, "complete", m->complete);
    member_bool(b, "gap", m->flags & HTTP_MSG_GAP);
    json_builder_set_member_name(b, "headers");
    json_builder_begin_array(b);
    for (guint i = 0; m->headers && i < m->headers->len; i++)
        add_str(b, g_ptr_array_index(m->headers, i));
    json_builder_end_array(b);
    member_str(b, "authorization", m->authorization);
    member_str(b, "www_authenticate", m->www_authenticate);
    member_str(b, "server", m->server);
    member_str(b, "content_type", m->content_type);
    member_int(b, "body_length", (gint64)m->body_len);
    member_str(b, "body_sha256", m->body_sha256);
    soap_json(b, &m->soap);
    json_builder_end_object(b);
}

static void tls_json(JsonBuilder *b, const tls_summary *s)
{
    json_builder_set_member_name(b, "tls");
    json_builder_begin_object(b);
    member_str(b, "version", s->version ? tls_version_name(s->version) : NULL);
    member_str(b, "suite", s->sh.seen ? s->suite_name : NULL);
    member_int(b, "suite_id", s->sh.seen ? s->suite : 0);
    member_str(b, "sni", s->ch.sni);
    member_bool(b, "client_hello", s->ch.seen);
    member_bool(b, "server_hello", s->sh.seen);
    if (s->ch.seen)
        hex_member(b, "client_random", s->ch.random, 32);
    member_bool(b, "client_renegotiation_info", s->ch.reneg_info || s->ch.reneg_scsv);
    member_bool(b, "server_renegotiation_info", s->sh.reneg_info);
    member_bool(b, "extended_master_secret", s->sh.ems);
    member_bool(b, "key_exchange_ephemeral", s->server_key_exchange);
    member_bool(b, "handshake_complete", s->handshake_complete);
    member_bool(b, "resumed", s->resumed);
    member_bool(b, "certificate_request", s->cert_request.seen);
    member_int(b, "certificate_request_cas", (gint64)s->cert_request.authorities.n);
    static const char *presence[] = {"none", "empty", "sent", "unknown"};
    member_str(b, "server_certificate", presence[s->server_cert]);
    member_str(b, "client_certificate", presence[s->client_cert]);
    json_builder_set_member_name(b, "alerts");
    json_builder_begin_array(b);
    for (size_t i = 0; i < s->n_alerts; i++) {
        const tls_alert_info *a = &s->alerts[i];
        json_builder_begin_object(b);
        member_str(b, "from", a->dir ? "server" : "client");
        member_int(b, "frame", (gint64)a->frame);
        member_int(b, "level", a->level);
        member_int(b, "desc", a->desc);
        member_str(b, "name", a->desc >= 0 ? tls_alert_name(a->desc) : NULL);
        member_bool(b, "encrypted", a->encrypted);
        member_str(b, "after", a->after_hs_type >= 0 ? tls_hs_name(a->after_hs_type) : NULL);
        member_str(b, "after_from",
                   a->after_hs_type >= 0 ? (a->after_hs_dir ? "server" : "client") : NULL);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    member_str(b, "key_status", tls_key_status_name(s->key_status));
    member_str(b, "key_status_text", s->key_status_text);
    member_str(b, "key_source", s->key_source[0] ? s->key_source : NULL);
    json_builder_end_object(b);
}

static const char *start_status(int status)
{
    if (status < 0)
        return NULL;
    const char *n = redir_start_status_name((uint8_t)status);
    return n ? n : "unknown";
}

/* The redirection session: lib's facts, and the messages kept. */
static void redir_json(JsonBuilder *b, const conn_rec *c)
{
    json_builder_set_member_name(b, "redirection");
    const diag_redir_facts *r = c->redir;
    if (!r) {
        json_builder_add_null_value(b);
        return;
    }
    json_builder_begin_object(b);
    member_str(b, "session", redir_session_name(r->session));
    member_frame(b, "start_frame", r->start_frame);
    member_str(b, "start_status", start_status(r->start_status));
    json_builder_set_member_name(b, "methods");
    if (r->methods_known) {
        json_builder_begin_array(b);
        for (size_t k = 0; k < r->n_methods; k++) {
            const char *m = redir_auth_type_name(r->methods[k]);
            add_str(b, m ? m : "unknown");
        }
        json_builder_end_array(b);
    } else {
        json_builder_add_null_value(b);
    }
    json_builder_set_member_name(b, "logins");
    json_builder_begin_array(b);
    for (size_t k = 0; k < r->n_logins; k++) {
        const diag_redir_login *l = &r->logins[k];
        const char *m = redir_auth_type_name(l->auth_type);
        json_builder_begin_object(b);
        member_int(b, "frame", (gint64)l->frame);
        member_str(b, "method", m ? m : "unknown");
        member_str(b, "user", l->user[0] ? l->user : NULL);
        member_bool(b, "digest_start", l->digest_start);
        member_str(b, "outcome", diag_redir_outcome_name(l->outcome));
        member_frame(b, "reply_frame", l->reply_frame);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    member_frame(b, "feature_frame", r->feature_frame);
    member_str(b, "feature_status", start_status(r->feature_status));
    member_int(b, "console_session_bytes", (gint64)r->session_bytes[DIAG_CONSOLE]);
    member_int(b, "amt_session_bytes", (gint64)r->session_bytes[DIAG_AMT]);
    char line[1024];
    diag_redir_summary(r, line, sizeof line);
    member_str(b, "summary", line);
    json_builder_set_member_name(b, "messages");
    json_builder_begin_array(b);
    for (guint i = 0; c->redir_lines && i < c->redir_lines->len; i++) {
        const redir_line *l = &g_array_index(c->redir_lines, redir_line, i);
        json_builder_begin_object(b);
        member_int(b, "frame", (gint64)l->frame);
        member_str(b, "from", l->dir ? "amt" : "console");
        member_str(b, "text", l->text);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    member_int(b, "messages_not_listed", (gint64)c->redir_more);
    json_builder_end_object(b);
}

static void finding_json(JsonBuilder *b, const diag_finding *f)
{
    json_builder_begin_object(b);
    member_str(b, "cause", f->cause->token);
    member_str(b, "severity", diag_severity_name(f->cause->severity));
    member_str(b, "stage", diag_stage_name(f->cause->stage));
    member_str(b, "confidence", diag_confidence_name(f->confidence));
    json_builder_set_member_name(b, "frames");
    json_builder_begin_array(b);
    for (size_t k = 0; k < f->n_frames; k++)
        json_builder_add_int_value(b, (gint64)f->frames[k]);
    json_builder_end_array(b);
    member_str(b, "evidence", f->evidence);
    member_str(b, "explanation", f->cause->explanation);
    member_str(b, "remedy", f->cause->remedy);
    json_builder_end_object(b);
}

static void findings_json(JsonBuilder *b, const char *name, const GPtrArray *findings)
{
    json_builder_set_member_name(b, name);
    json_builder_begin_array(b);
    for (guint i = 0; findings && i < findings->len; i++)
        finding_json(b, g_ptr_array_index(findings, i));
    json_builder_end_array(b);
}

/* A side's name; in a CIRA tunnel AMT is the client and its MPS the server. */
static const char *side_name(int side, int cira)
{
    if (cira)
        return side == DIAG_CONSOLE ? "amt" : side == DIAG_AMT ? "mps" : NULL;
    return side == DIAG_CONSOLE ? "console" : side == DIAG_AMT ? "amt" : NULL;
}

/* Who ended the connection, how, and after which step. */
static void end_json(JsonBuilder *b, const diag_conn_result *d)
{
    json_builder_set_member_name(b, "ended");
    if (!d) {
        json_builder_add_null_value(b);
        return;
    }
    const diag_end *e = &d->end;
    json_builder_begin_object(b);
    member_str(b, "by", side_name(e->by, e->cira));
    member_str(b, "how", diag_end_how_name(e->how));
    member_frame(b, "frame", e->frame);
    member_str(b, "after", e->after_step == DIAG_STEP_NONE ? NULL : diag_step_name(e->after_step));
    member_str(b, "after_from", side_name(e->after_from, e->cira));
    member_frame(b, "after_frame", e->after_frame);
    json_builder_end_object(b);
}

static void diag_json(JsonBuilder *b, const diag_conn_result *d)
{
    member_str(b, "stage", d ? diag_stage_name(d->stage) : NULL);
    member_str(b, "outcome", d ? diag_outcome_name(d->outcome) : NULL);
    end_json(b, d);
    findings_json(b, "findings", d ? d->findings : NULL);
    json_builder_set_member_name(b, "checklist");
    if (!d || !d->has_checklist) {
        json_builder_add_null_value(b);
    } else {
        json_builder_begin_array(b);
        for (int k = 0; k < DIAG_N_RULES; k++) {
            const diag_check *ck = &d->checklist[k];
            json_builder_begin_object(b);
            member_str(b, "rule", ck->name);
            member_str(b, "title", ck->title);
            member_str(b, "status", diag_status_name(ck->status));
            member_str(b, "evidence", ck->evidence);
            member_str(b, "settle", ck->status == DIAG_UNKNOWN ? ck->settle : NULL);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
    }
    member_str(b, "candidates", d ? d->candidates : NULL);
    member_str(b, "not_visible", d ? d->visibility : NULL);
}

static void conn_json(JsonBuilder *b, const report_in *r, const conn_rec *c)
{
    char buf[80];
    json_builder_begin_object(b);
    member_int(b, "id", c->id);
    member_str(b, "file", c->file);
    member_str(b, "client", endpoint_str(&c->client, buf, sizeof buf));
    member_str(b, "server", endpoint_str(&c->server, buf, sizeof buf));
    json_builder_set_member_name(b, "frames");
    json_builder_begin_array(b);
    json_builder_add_int_value(b, (gint64)c->first_frame);
    json_builder_add_int_value(b, (gint64)c->last_frame);
    json_builder_end_array(b);
    member_int(b, "first_ts_us", c->first_ts_us);
    member_int(b, "last_ts_us", c->last_ts_us);
    diag_json(b, report_diag(r, c));
    json_builder_set_member_name(b, "tcp");
    json_builder_begin_object(b);
    member_str(b, "outcome", conn_tcp_outcome(c));
    member_int(b, "syn_count", c->syn_count);
    member_int(b, "syn_frame", (gint64)c->syn_frame);
    member_int(b, "synack_frame", (gint64)c->synack_frame);
    member_int(b, "client_fin_frame", (gint64)c->fin_frame[0]);
    member_int(b, "server_fin_frame", (gint64)c->fin_frame[1]);
    member_int(b, "rst_frame", (gint64)c->rst_frame);
    member_str(b, "rst_from", c->rst_from < 0 ? NULL : c->rst_from ? "server" : "client");
    member_bool(b, "midstream", c->midstream);
    member_int(b, "client_bytes", (gint64)c->bytes[0]);
    member_int(b, "server_bytes", (gint64)c->bytes[1]);
    member_int(b, "gaps", c->gaps[0] + c->gaps[1]);
    member_int(b, "gap_bytes", (gint64)(c->gap_bytes[0] + c->gap_bytes[1]));
    member_int(b, "conflicts", c->conflicts[0] + c->conflicts[1]);
    json_builder_end_object(b);
    member_str(b, "protocol",
               c->app == APP_TLS     ? "tls"
               : c->app == APP_HTTP  ? "http"
               : c->app == APP_REDIR ? "redirection"
                                     : NULL);
    if (c->app == APP_TLS)
        tls_json(b, tls_conn_summary(c->tls));
    redir_json(b, c);
    json_builder_set_member_name(b, "http");
    json_builder_begin_array(b);
    for (guint i = 0; i < c->http->len; i++) {
        const http_rec *h = g_ptr_array_index(c->http, i);
        json_builder_begin_object(b);
        msg_json(b, "request", &h->req, 1);
        msg_json(b, "response", &h->resp, 0);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "notes");
    json_builder_begin_array(b);
    for (guint i = 0; i < c->notes->len; i++)
        add_str(b, g_ptr_array_index(c->notes, i));
    json_builder_end_array(b);
    json_builder_end_object(b);
}

int report_json(FILE *out, const report_in *r)
{
    const analysis *a = r->a;
    outw w = report_out(out, OUT_JSON, r);
    JsonBuilder *b = new_builder(&w);
    json_builder_begin_object(b);
    member_str(b, "schema", "amtdiag/1");
    json_builder_set_member_name(b, "inputs");
    json_builder_begin_array(b);
    for (guint i = 0; i < a->inputs->len; i++)
        add_str(b, g_ptr_array_index(a->inputs, i));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "summary");
    json_builder_begin_object(b);
    member_int(b, "frames", (gint64)a->frames);
    member_int(b, "connections", a->conns->len);
    member_int(b, "dns_messages", a->dns->len);
    member_int(b, "rejected", r->d ? r->d->n_rejected : 0);
    member_int(b, "errors", r->d ? r->d->n_errors : 0);
    member_int(b, "not_ok", r->d ? r->d->n_not_ok : 0);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "given");
    json_builder_begin_array(b);
    for (const char *const *g = r->given; g && *g; g++)
        add_str(b, *g);
    json_builder_end_array(b);
    json_builder_set_member_name(b, "amt_clock");
    if (r->d && r->d->clock.known) {
        json_builder_begin_object(b);
        member_int(b, "offset_s", r->d->clock.offset_s);
        member_str(b, "source", r->d->clock.source);
        json_builder_end_object(b);
    } else {
        json_builder_add_null_value(b);
    }
    findings_json(b, "findings", r->d ? r->d->global : NULL);
    json_builder_set_member_name(b, "warnings");
    json_builder_begin_array(b);
    for (guint i = 0; i < a->warnings->len; i++)
        add_str(b, g_ptr_array_index(a->warnings, i));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "dns");
    json_builder_begin_array(b);
    for (guint i = 0; i < a->dns->len; i++) {
        const dns_rec *d = g_ptr_array_index(a->dns, i);
        json_builder_begin_object(b);
        member_str(b, "file", d->file);
        member_int(b, "frame", (gint64)d->frame);
        member_bool(b, "response", d->is_response);
        member_str(b, "name", d->qname);
        member_int(b, "type", d->qtype);
        member_int(b, "rcode", d->rcode);
        member_str(b, "answers", d->answers);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    /* The connections are generated and written one at a time, so the
     * memory needed is that of one connection, not of the whole report. */
    JsonNode *root = json_builder_get_root(b);
    gsize len = 0;
    gchar *head = node_text(root, &len);
    int rc = 0;
    /* head ends with "}": the connections go in before it */
    while (len && head[len - 1] != '}')
        len--;
    rc |= len ? (fwrite(head, 1, len - 1, out) != len - 1) : 1;
    rc |= fputs(",\n  \"connections\" : [", out) < 0;
    for (guint i = 0; i < a->conns->len && !rc; i++) {
        JsonBuilder *cb = new_builder(&w);
        conn_json(cb, r, g_ptr_array_index(a->conns, i));
        JsonNode *cn = json_builder_get_root(cb);
        gsize clen = 0;
        gchar *text = node_text(cn, &clen);
        rc |= fputs(i ? ",\n" : "\n", out) < 0;
        rc |= fwrite(text, 1, clen, out) != clen;
        g_free(text);
        json_node_unref(cn);
        g_object_unref(cb);
    }
    rc |= fputs(a->conns->len ? "\n  ]\n}\n" : "]\n}\n", out) < 0;
    g_free(head);
    json_node_unref(root);
    g_object_unref(b);
    return rc ? -1 : 0;
}
