/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_json_parts: the JSON objects the JSON and NDJSON reports are made
 * of: one connection, one finding. */
#include "report_json_parts.h"

#include <string.h>

#include "http/http_conn.h"

/* A string value: through out_clean, so it is redacted, valid UTF-8 and
 * free of control characters whatever the capture held. */
void rj_add_str(jsonw *b, const char *v)
{
    jsonw_str(b, v);
}

void rj_member_str(jsonw *b, const char *name, const char *v)
{
    jsonw_name(b, name);
    rj_add_str(b, v);
}

void rj_member_int(jsonw *b, const char *name, gint64 v)
{
    jsonw_name(b, name);
    jsonw_int(b, v);
}

/* A frame number, null for 0 (none). */
void rj_member_frame(jsonw *b, const char *name, uint64_t frame)
{
    jsonw_name(b, name);
    if (frame)
        jsonw_int(b, (gint64)frame);
    else
        jsonw_null(b);
}

void rj_member_bool(jsonw *b, const char *name, int v)
{
    jsonw_name(b, name);
    jsonw_bool(b, v != 0);
}

static void hex_member(jsonw *b, const char *name, const uint8_t *p, size_t n)
{
    char *h = g_malloc(2 * n + 1);
    hex_encode(p, n, h);
    rj_member_str(b, name, h);
    g_free(h);
}

static void soap_json(jsonw *b, const soap_rec *s)
{
    jsonw_name(b, "soap");
    if (!s->present && !s->error) {
        jsonw_null(b);
        return;
    }
    jsonw_begin_object(b);
    rj_member_str(b, "kind", s->kind);
    rj_member_str(b, "action", s->action);
    rj_member_str(b, "action_name", s->action_name);
    rj_member_str(b, "class", s->class_name);
    rj_member_str(b, "message_id", s->message_id);
    rj_member_str(b, "relates_to", s->relates_to);
    rj_member_str(b, "body", s->body_name);
    rj_member_str(b, "enumeration_context", s->enumeration_context);
    if (s->has_return_value) {
        rj_member_int(b, "return_value", s->return_value);
        rj_member_str(b, "return_value_name", s->return_value_name);
    }
    if (s->is_fault) {
        jsonw_name(b, "fault");
        jsonw_begin_object(b);
        rj_member_str(b, "code", s->fault_code);
        rj_member_str(b, "subcode", s->fault_subcode);
        rj_member_str(b, "subcode_ns", s->fault_subcode_ns);
        rj_member_str(b, "reason", s->fault_reason);
        jsonw_end_object(b);
    }
    if (s->eoi_service || s->eoi_method) {
        rj_member_str(b, "eoi_service", s->eoi_service);
        rj_member_str(b, "eoi_method", s->eoi_method);
    }
    if (s->has_status_code) {
        rj_member_int(b, "status_code", s->status_code);
        rj_member_str(b, "status_name", s->status_name);
    }
    rj_member_str(b, "error", s->error);
    jsonw_end_object(b);
}

static void msg_json(jsonw *b, const char *name, const http_msg_rec *m, int request)
{
    jsonw_name(b, name);
    if (!m->present) {
        jsonw_null(b);
        return;
    }
    jsonw_begin_object(b);
    rj_member_int(b, "first_frame", m->first_frame);
    rj_member_int(b, "last_frame", m->last_frame);
    if (request) {
        rj_member_str(b, "method", m->method);
        rj_member_str(b, "uri", m->target);
    } else {
        rj_member_int(b, "status", m->status);
        rj_member_str(b, "reason", m->reason);
    }
    rj_member_bool(b, "complete", m->complete);
    rj_member_bool(b, "gap", m->flags & HTTP_MSG_GAP);
    jsonw_name(b, "headers");
    jsonw_begin_array(b);
    for (guint i = 0; m->headers && i < m->headers->len; i++)
        rj_add_str(b, g_ptr_array_index(m->headers, i));
    jsonw_end_array(b);
    rj_member_str(b, "authorization", m->authorization);
    rj_member_str(b, "www_authenticate", m->www_authenticate);
    rj_member_str(b, "server", m->server);
    rj_member_str(b, "content_type", m->content_type);
    rj_member_int(b, "body_length", (gint64)m->body_len);
    rj_member_str(b, "body_sha256", m->body_sha256[0] ? m->body_sha256 : NULL);
    soap_json(b, &m->soap);
    jsonw_end_object(b);
}

static void tls_json(jsonw *b, const tls_summary *s)
{
    jsonw_name(b, "tls");
    jsonw_begin_object(b);
    rj_member_str(b, "version", s->version ? tls_version_name(s->version) : NULL);
    rj_member_str(b, "suite", s->sh.seen ? s->suite_name : NULL);
    rj_member_int(b, "suite_id", s->sh.seen ? s->suite : 0);
    rj_member_str(b, "sni", s->ch.sni);
    rj_member_bool(b, "client_hello", s->ch.seen);
    rj_member_bool(b, "server_hello", s->sh.seen);
    if (s->ch.seen)
        hex_member(b, "client_random", s->ch.random, 32);
    rj_member_bool(b, "client_renegotiation_info", s->ch.reneg_info || s->ch.reneg_scsv);
    rj_member_bool(b, "server_renegotiation_info", s->sh.reneg_info);
    rj_member_bool(b, "extended_master_secret", s->sh.ems);
    rj_member_bool(b, "key_exchange_ephemeral", s->server_key_exchange);
    rj_member_bool(b, "handshake_complete", s->handshake_complete);
    rj_member_bool(b, "resumed", s->resumed);
    rj_member_bool(b, "certificate_request", s->cert_request.seen);
    rj_member_int(b, "certificate_request_cas", (gint64)s->cert_request.authorities.n);
    static const char *presence[] = {"none", "empty", "sent", "unknown"};
    rj_member_str(b, "server_certificate", presence[s->server_cert]);
    rj_member_str(b, "client_certificate", presence[s->client_cert]);
    jsonw_name(b, "alerts");
    jsonw_begin_array(b);
    for (size_t i = 0; i < s->n_alerts; i++) {
        const tls_alert_info *a = &s->alerts[i];
        jsonw_begin_object(b);
        rj_member_str(b, "from", a->dir ? "server" : "client");
        rj_member_int(b, "frame", (gint64)a->frame);
        rj_member_int(b, "level", a->level);
        rj_member_int(b, "desc", a->desc);
        rj_member_str(b, "name", a->desc >= 0 ? tls_alert_name(a->desc) : NULL);
        rj_member_bool(b, "encrypted", a->encrypted);
        rj_member_str(b, "after", a->after_hs_type >= 0 ? tls_hs_name(a->after_hs_type) : NULL);
        rj_member_str(b, "after_from",
                      a->after_hs_type >= 0 ? (a->after_hs_dir ? "server" : "client") : NULL);
        jsonw_end_object(b);
    }
    jsonw_end_array(b);
    rj_member_str(b, "key_status", tls_key_status_name(s->key_status));
    rj_member_str(b, "key_status_text", s->key_status_text);
    rj_member_str(b, "key_source", s->key_source[0] ? s->key_source : NULL);
    rj_member_str(b, "psk_identity", s->psk_identity);
    jsonw_name(b, "renegotiations");
    jsonw_begin_array(b);
    for (unsigned i = 0; i < s->renegotiations && i < TLS_MAX_RENEGS; i++) {
        const tls_reneg *r = &s->renegs[i];
        jsonw_begin_object(b);
        rj_member_int(b, "frame", (gint64)r->frame);
        rj_member_bool(b, "encrypted", r->encrypted);
        hex_member(b, "client_random", r->client_random, 32);
        rj_member_str(b, "version", r->version ? tls_version_name(r->version) : NULL);
        rj_member_str(b, "suite", r->suite ? tls_suite_name(r->suite) : NULL);
        rj_member_bool(b, "resumed", r->resumed);
        rj_member_bool(b, "certificate_request", r->cert_request);
        rj_member_str(b, "client_certificate", presence[r->client_cert]);
        rj_member_bool(b, "complete", r->complete);
        jsonw_end_object(b);
    }
    jsonw_end_array(b);
    jsonw_name(b, "stopped");
    jsonw_begin_object(b);
    rj_member_str(b, "client", s->dir_error[TLS_DIR_CLIENT]);
    rj_member_str(b, "server", s->dir_error[TLS_DIR_SERVER]);
    jsonw_end_object(b);
    jsonw_name(b, "notes");
    jsonw_begin_array(b);
    for (size_t i = 0; i < s->n_notes; i++)
        rj_add_str(b, s->notes[i]);
    jsonw_end_array(b);
    jsonw_end_object(b);
}

static const char *start_status(int status)
{
    if (status < 0)
        return NULL;
    const char *n = redir_start_status_name((uint8_t)status);
    return n ? n : "unknown";
}

/* The members of one redirection session: lib's facts, and the messages
 * kept. chan: the APF channel whose transcript lines are the session's
 * (those that begin "channel N: "), 0 for a direct connection. */
static void redir_session_json(jsonw *b, const conn_rec *c, const diag_redir_facts *r,
                               uint64_t chan)
{
    rj_member_str(b, "session", redir_session_name(r->session));
    rj_member_frame(b, "start_frame", r->start_frame);
    rj_member_str(b, "start_status", start_status(r->start_status));
    jsonw_name(b, "methods");
    if (r->methods_known) {
        jsonw_begin_array(b);
        for (size_t k = 0; k < r->n_methods; k++) {
            const char *m = redir_auth_type_name(r->methods[k]);
            rj_add_str(b, m ? m : "unknown");
        }
        jsonw_end_array(b);
    } else {
        jsonw_null(b);
    }
    jsonw_name(b, "logins");
    jsonw_begin_array(b);
    for (size_t k = 0; k < r->n_logins; k++) {
        const diag_redir_login *l = &r->logins[k];
        const char *m = redir_auth_type_name(l->auth_type);
        jsonw_begin_object(b);
        rj_member_int(b, "frame", (gint64)l->frame);
        rj_member_str(b, "method", m ? m : "unknown");
        rj_member_str(b, "user", l->user[0] ? l->user : NULL);
        rj_member_bool(b, "digest_start", l->digest_start);
        rj_member_str(b, "outcome", diag_redir_outcome_name(l->outcome));
        rj_member_frame(b, "reply_frame", l->reply_frame);
        jsonw_end_object(b);
    }
    jsonw_end_array(b);
    rj_member_frame(b, "feature_frame", r->feature_frame);
    rj_member_str(b, "feature_status", start_status(r->feature_status));
    rj_member_int(b, "console_session_bytes", (gint64)r->session_bytes[DIAG_CONSOLE]);
    rj_member_int(b, "amt_session_bytes", (gint64)r->session_bytes[DIAG_AMT]);
    char line[1024];
    diag_redir_summary(r, line, sizeof line);
    rj_member_str(b, "summary", line);
    char prefix[32];
    g_snprintf(prefix, sizeof prefix, "channel %" G_GUINT64_FORMAT ": ", chan);
    jsonw_name(b, "messages");
    jsonw_begin_array(b);
    for (guint i = 0; c->redir_lines && i < c->redir_lines->len; i++) {
        const redir_line *l = &g_array_index(c->redir_lines, redir_line, i);
        /* in a CIRA tunnel the lines are the tunnel's (sides AMT 0, the
         * MPS 1); a channel's session's are those that name it */
        int amt = chan ? !l->dir : l->dir;
        if (chan && !g_str_has_prefix(l->text, prefix))
            continue;
        jsonw_begin_object(b);
        rj_member_int(b, "frame", (gint64)l->frame);
        rj_member_str(b, "from", amt ? "amt" : "console");
        rj_member_str(b, "text", l->text);
        jsonw_end_object(b);
    }
    jsonw_end_array(b);
}

/* A CIRA tunnel's redirection sessions, one per channel. */
static void redir_chans_json(jsonw *b, const conn_rec *c)
{
    const diag_redir_chans *s = c->redir_chans;
    jsonw_begin_object(b);
    jsonw_name(b, "channels");
    jsonw_begin_array(b);
    for (size_t k = 0; k < s->n; k++) {
        const diag_redir_facts *r = s->chan[k];
        jsonw_begin_object(b);
        rj_member_int(b, "number", r->channel);
        rj_member_int(b, "channel", (gint64)s->key[k]);
        rj_member_int(b, "port", r->channel_port);
        rj_member_int(b, "first_frame", (gint64)r->channel_frame);
        redir_session_json(b, c, r, s->key[k]);
        jsonw_end_object(b);
    }
    jsonw_end_array(b);
    rj_member_int(b, "channels_not_followed", s->dropped);
    rj_member_frame(b, "not_followed_from_frame", s->dropped_frame);
    rj_member_int(b, "messages_not_listed", (gint64)c->redir_more);
    jsonw_end_object(b);
}

/* The redirection session of a connection, or those of a tunnel's
 * channels. */
static void redir_json(jsonw *b, const conn_rec *c)
{
    jsonw_name(b, "redirection");
    if (c->redir_chans) {
        redir_chans_json(b, c);
        return;
    }
    const diag_redir_facts *r = c->redir;
    if (!r) {
        jsonw_null(b);
        return;
    }
    jsonw_begin_object(b);
    redir_session_json(b, c, r, 0);
    rj_member_int(b, "messages_not_listed", (gint64)c->redir_more);
    jsonw_end_object(b);
}

void rj_finding_json(jsonw *b, const diag_finding *f)
{
    jsonw_begin_object(b);
    rj_member_str(b, "cause", f->cause->token);
    rj_member_str(b, "severity", diag_severity_name(f->cause->severity));
    rj_member_str(b, "stage", diag_stage_name(f->cause->stage));
    rj_member_str(b, "confidence", diag_confidence_name(f->confidence));
    jsonw_name(b, "frames");
    jsonw_begin_array(b);
    for (size_t k = 0; k < f->n_frames; k++)
        jsonw_int(b, (gint64)f->frames[k]);
    jsonw_end_array(b);
    rj_member_str(b, "evidence", f->evidence);
    rj_member_str(b, "explanation", f->cause->explanation);
    rj_member_str(b, "remedy", f->cause->remedy);
    jsonw_end_object(b);
}

void rj_findings_json(jsonw *b, const char *name, const GPtrArray *findings)
{
    jsonw_name(b, name);
    jsonw_begin_array(b);
    for (guint i = 0; findings && i < findings->len; i++)
        rj_finding_json(b, g_ptr_array_index(findings, i));
    jsonw_end_array(b);
}

/* A side's name; in a CIRA tunnel AMT is the client and its MPS the server. */
static const char *side_name(int side, int cira)
{
    if (cira)
        return side == DIAG_CONSOLE ? "amt" : side == DIAG_AMT ? "mps" : NULL;
    return side == DIAG_CONSOLE ? "console" : side == DIAG_AMT ? "amt" : NULL;
}

/* Who ended the connection, how, and after which step. */
static void end_json(jsonw *b, const diag_conn_result *d)
{
    jsonw_name(b, "ended");
    if (!d) {
        jsonw_null(b);
        return;
    }
    const diag_end *e = &d->end;
    jsonw_begin_object(b);
    rj_member_str(b, "by", side_name(e->by, e->cira));
    rj_member_str(b, "how", diag_end_how_name(e->how));
    rj_member_frame(b, "frame", e->frame);
    rj_member_str(b, "after",
                  e->after_step == DIAG_STEP_NONE ? NULL : diag_step_name(e->after_step));
    rj_member_str(b, "after_from", side_name(e->after_from, e->cira));
    rj_member_frame(b, "after_frame", e->after_frame);
    jsonw_end_object(b);
}

static void diag_json(jsonw *b, const diag_conn_result *d)
{
    rj_member_str(b, "stage", d ? diag_stage_name(d->stage) : NULL);
    rj_member_str(b, "outcome", d ? diag_outcome_name(d->outcome) : NULL);
    end_json(b, d);
    rj_findings_json(b, "findings", d ? d->findings : NULL);
    jsonw_name(b, "checklist");
    if (!d || !d->has_checklist) {
        jsonw_null(b);
    } else {
        jsonw_begin_array(b);
        for (int k = 0; k < DIAG_N_RULES; k++) {
            const diag_check *ck = &d->checklist[k];
            jsonw_begin_object(b);
            rj_member_str(b, "rule", ck->name);
            rj_member_str(b, "title", ck->title);
            rj_member_str(b, "status", diag_status_name(ck->status));
            rj_member_str(b, "evidence", ck->evidence);
            rj_member_str(b, "settle", ck->status == DIAG_UNKNOWN ? ck->settle : NULL);
            jsonw_end_object(b);
        }
        jsonw_end_array(b);
    }
    rj_member_str(b, "candidates", d ? d->candidates : NULL);
    rj_member_str(b, "not_visible", d ? d->visibility : NULL);
}

void rj_conn_json(jsonw *b, const report_in *r, const conn_rec *c)
{
    char buf[80];
    jsonw_begin_object(b);
    rj_member_int(b, "id", c->id);
    rj_member_str(b, "file", c->file);
    rj_member_str(b, "client", endpoint_str(&c->client, buf, sizeof buf));
    rj_member_str(b, "server", endpoint_str(&c->server, buf, sizeof buf));
    jsonw_name(b, "frames");
    jsonw_begin_array(b);
    jsonw_int(b, (gint64)c->first_frame);
    jsonw_int(b, (gint64)c->last_frame);
    jsonw_end_array(b);
    rj_member_int(b, "first_ts_us", c->first_ts_us);
    rj_member_int(b, "last_ts_us", c->last_ts_us);
    diag_json(b, report_diag(r, c));
    jsonw_name(b, "tcp");
    jsonw_begin_object(b);
    rj_member_str(b, "outcome", conn_tcp_outcome(c));
    rj_member_int(b, "syn_count", c->syn_count);
    rj_member_int(b, "syn_frame", (gint64)c->syn_frame);
    rj_member_int(b, "synack_frame", (gint64)c->synack_frame);
    rj_member_int(b, "client_fin_frame", (gint64)c->fin_frame[0]);
    rj_member_int(b, "server_fin_frame", (gint64)c->fin_frame[1]);
    rj_member_int(b, "rst_frame", (gint64)c->rst_frame);
    rj_member_str(b, "rst_from", c->rst_from < 0 ? NULL : c->rst_from ? "server" : "client");
    rj_member_bool(b, "midstream", c->midstream);
    rj_member_int(b, "client_bytes", (gint64)c->bytes[0]);
    rj_member_int(b, "server_bytes", (gint64)c->bytes[1]);
    rj_member_int(b, "gaps", c->gaps[0] + c->gaps[1]);
    rj_member_int(b, "gap_bytes", (gint64)(c->gap_bytes[0] + c->gap_bytes[1]));
    rj_member_int(b, "conflicts", c->conflicts[0] + c->conflicts[1]);
    jsonw_end_object(b);
    rj_member_str(b, "protocol",
                  c->app == APP_TLS     ? "tls"
                  : c->app == APP_HTTP  ? "http"
                  : c->app == APP_REDIR ? "redirection"
                                        : NULL);
    if (c->app == APP_TLS)
        tls_json(b, tls_conn_summary(c->tls));
    redir_json(b, c);
    jsonw_name(b, "http");
    jsonw_begin_array(b);
    for (guint i = 0; i < c->http->len; i++) {
        const http_rec *h = g_ptr_array_index(c->http, i);
        jsonw_begin_object(b);
        msg_json(b, "request", &h->req, 1);
        msg_json(b, "response", &h->resp, 0);
        jsonw_end_object(b);
    }
    jsonw_end_array(b);
    jsonw_name(b, "notes");
    jsonw_begin_array(b);
    for (guint i = 0; i < c->notes->len; i++)
        rj_add_str(b, g_ptr_array_index(c->notes, i));
    jsonw_end_array(b);
    jsonw_end_object(b);
}

void rj_piece_begin(jsonw *j, const outw *w, int depth)
{
    jsonw_init(j, w, 1);
    j->depth = depth;
}

void rj_piece_end(jsonw *j, spill *sp, unsigned section, uint64_t key)
{
    jsonw_drain(j, spill_file(sp));
    jsonw_free(j);
    spill_mark(sp, section, key);
}

/* Each piece was written as the first element of its array (no comma):
 * the commas go between them here, and the array's closing line break is
 * owed when there was any. */
int report_json_array_copy(jsonw *b, FILE *out, spill *sp, unsigned section)
{
    jsonw_begin_array(b);
    int rc = jsonw_drain(b, out);
    rc |= spill_copy(sp, section, out, ",");
    b->has_items[MIN(b->depth, JSONW_DEPTH_MAX - 1)] = spill_count(sp, section) > 0;
    return rc;
}
