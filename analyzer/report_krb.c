/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_krb: the Kerberos part of the JSON report and of the transcript.
 * Every value goes through the writers' out_val/out_clean: principals and
 * realms were marked for --redact where they were recorded. */
#include "report_krb.h"

#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>

#include "amtdiag/krb_login.h"
#include "krb/kdc.h"
#include "report_json_parts.h"

/* What the JSON report links across messages, grown as it goes: the
 * TGS-REPs by the ticket they issued, and the first login (by connection
 * id, then frame) that presented each ticket. Tickets are known by a
 * SHA-256 of their cipher text, so a long run keeps 32 bytes per ticket. */
struct report_krb_index {
    guint indexed;      /* a->krb messages looked at so far */
    GHashTable *issued; /* digest -> frame of the TGS-REP (boxed uint64) */
    GHashTable *used;   /* digest -> krb_use */
};

typedef struct krb_use {
    unsigned conn;
    uint64_t frame;
} krb_use;

report_krb_index *report_krb_index_new(void)
{
    report_krb_index *x = g_new0(report_krb_index, 1);
    x->issued =
        g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, g_free);
    x->used =
        g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, g_free);
    return x;
}

void report_krb_index_free(report_krb_index *x)
{
    if (!x)
        return;
    g_hash_table_destroy(x->issued);
    g_hash_table_destroy(x->used);
    g_free(x);
}

/* A ticket's key in the index, or NULL when it has no cipher text. */
static GBytes *ticket_key(const krb_ticket *t)
{
    if (!t->present || !t->enc.cipher_len)
        return NULL;
    GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(c, t->enc.cipher, (gssize)t->enc.cipher_len);
    guint8 d[32];
    gsize n = sizeof d;
    g_checksum_get_digest(c, d, &n);
    g_checksum_free(c);
    return g_bytes_new(d, n);
}

/* Looks at the Kerberos messages read since the last call. */
static void index_grow(report_krb_index *x, const analysis *a, krb_msg *m)
{
    for (; x->indexed < a->krb->len; x->indexed++) {
        const krb_rec *k = g_ptr_array_index(a->krb, x->indexed);
        GBytes *key = NULL;
        if (k->type == KRB_TGS_REP && krb_rec_decode(k, m) >= 0)
            key = ticket_key(&m->ticket);
        if (key && !g_hash_table_contains(x->issued, key))
            g_hash_table_insert(x->issued, key, g_memdup2(&k->frame, sizeof k->frame));
        else if (key)
            g_bytes_unref(key);
    }
}

/* Remembers that connection conn presented the ticket at frame, unless an
 * earlier login (by connection, then frame) did. */
static void index_use(report_krb_index *x, const krb_ticket *t, unsigned conn, uint64_t frame)
{
    GBytes *key = ticket_key(t);
    if (!key)
        return;
    krb_use *u = g_hash_table_lookup(x->used, key);
    if (u && (u->conn < conn || (u->conn == conn && u->frame <= frame))) {
        g_bytes_unref(key);
        return;
    }
    krb_use v = {conn, frame};
    g_hash_table_replace(x->used, key, g_memdup2(&v, sizeof v));
}

static const void *index_find(GHashTable *h, const krb_ticket *t)
{
    GBytes *key = ticket_key(t);
    const void *v = key ? g_hash_table_lookup(h, key) : NULL;
    if (key)
        g_bytes_unref(key);
    return v;
}

static char *principal(const krb_principal *p, const char *realm)
{
    if (!p->present)
        return NULL;
    return realm && *realm ? g_strdup_printf("%s@%s", p->text, realm) : g_strdup(p->text);
}

static void member_principal(jsonw *b, const char *name, const krb_principal *p, const char *realm)
{
    char *s = principal(p, realm);
    rj_member_str(b, name, s);
    g_free(s);
}

static void member_null(jsonw *b, const char *name)
{
    jsonw_name(b, name);
    jsonw_null(b);
}

static void int_list(jsonw *b, const char *name, const int32_t *v, size_t n)
{
    jsonw_name(b, name);
    jsonw_begin_array(b);
    for (size_t i = 0; i < n; i++)
        jsonw_int(b, v[i]);
    jsonw_end_array(b);
}

static void ticket_json(jsonw *b, const char *name, const krb_ticket *t)
{
    if (!t->present) {
        member_null(b, name);
        return;
    }
    jsonw_name(b, name);
    jsonw_begin_object(b);
    member_principal(b, "sname", &t->sname, t->realm);
    rj_member_int(b, "etype", t->enc.etype);
    if (t->enc.has_kvno)
        rj_member_int(b, "kvno", t->enc.kvno);
    else
        member_null(b, "kvno");
    jsonw_end_object(b);
}

/* What AMT's keys made of a ticket. */
static void opened_json(jsonw *b, const char *name, const krb_ticket_info *t, int authenticator)
{
    if (t->status == KRB_OPEN_NONE) {
        member_null(b, name);
        return;
    }
    jsonw_name(b, name);
    jsonw_begin_object(b);
    rj_member_str(b, "status", krb_open_status_name(t->status));
    rj_member_str(b, "keys", *t->keys_held ? t->keys_held : NULL);
    if (t->status == KRB_OPEN_OK) {
        member_principal(b, "client", &t->cname, t->crealm);
        rj_member_int(b, "authtime", t->authtime);
        rj_member_int(b, "starttime", t->starttime ? t->starttime : t->authtime);
        rj_member_int(b, "endtime", t->endtime);
        rj_member_int(b, "flags", t->flags);
        rj_member_bool(b, "key_from_password", t->key_from_password);
        if (authenticator) {
            rj_member_str(b, "authenticator", krb_open_status_name(t->auth_status));
            if (t->auth_status == KRB_OPEN_OK)
                rj_member_int(b, "authenticator_time", t->ctime);
        }
    }
    jsonw_end_object(b);
}

static void msg_json(jsonw *b, const krb_rec *k, const report_krb_index *x, const analysis *a,
                     krb_msg *m)
{
    char ep[80];
    krb_rec_decode(k, m);
    jsonw_begin_object(b);
    rj_member_str(b, "file", k->file);
    rj_member_int(b, "frame", (gint64)k->frame);
    rj_member_str(b, "via", k->tcp ? "tcp" : "udp");
    rj_member_str(b, "client", endpoint_str(&k->client, ep, sizeof ep));
    rj_member_str(b, "kdc", endpoint_str(&k->kdc, ep, sizeof ep));
    rj_member_bool(b, "from_kdc", k->from_kdc);
    rj_member_str(b, "type", k->decoded >= 0 ? krb_msg_type_name(m->type) : NULL);
    rj_member_bool(b, "complete", k->decoded == 0);
    rj_member_str(b, "problem",
                  k->refused       ? "connection refused"
                  : k->decoded > 0 ? m->why
                  : k->decoded < 0 ? "not Kerberos"
                                   : NULL);
    member_principal(b, "cname", &m->cname, m->crealm);
    member_principal(b, "sname", &m->sname, m->realm);
    int_list(b, "etypes", m->etypes, m->n_etypes);
    int_list(b, "pa_types", m->pa_types, m->n_pa);
    ticket_json(b, "ticket", &m->ticket);
    if (m->enc.present)
        rj_member_int(b, "enc_etype", m->enc.etype);
    else
        member_null(b, "enc_etype");
    if (m->type == KRB_ERROR) {
        rj_member_int(b, "error_code", m->error_code);
        rj_member_str(b, "error", krb_error_name(m->error_code));
        rj_member_str(b, "e_text", m->has_e_text ? m->e_text : NULL);
        rj_member_int(b, "e_data_length", (gint64)m->e_data_len);
        int_list(b, "info_etypes", m->info_etypes, m->n_info_etypes);
        rj_member_int(b, "stime", m->stime);
    }
    krb_ticket_info ti;
    krb_open_ticket(a->krb_keys, m, &ti);
    opened_json(b, "opened", &ti, 0);
    const krb_use *u = m->type == KRB_TGS_REP ? index_find(x->used, &m->ticket) : NULL;
    if (u) {
        jsonw_name(b, "used_by");
        jsonw_begin_object(b);
        rj_member_int(b, "connection", u->conn);
        rj_member_frame(b, "request_frame", u->frame);
        jsonw_end_object(b);
    } else {
        member_null(b, "used_by");
    }
    jsonw_end_object(b);
}

static const char *token_kind(const gss_token *t)
{
    switch (t->kind) {
    case GSS_TOKEN_SPNEGO_INIT:
        return "spnego-init";
    case GSS_TOKEN_SPNEGO_RESP:
        return "spnego-resp";
    case GSS_TOKEN_KRB5:
        return "kerberos";
    case GSS_TOKEN_NTLM:
        return "ntlm";
    default:
        return "unknown";
    }
}

static void login_json(jsonw *b, const conn_rec *c, const http_rec *h, const krb_login *l,
                       const report_krb_index *x)
{
    jsonw_begin_object(b);
    rj_member_int(b, "connection", c->id);
    rj_member_str(b, "file", c->file);
    rj_member_frame(b, "request_frame", h->req.first_frame);
    rj_member_frame(b, "response_frame", h->resp.present ? h->resp.first_frame : 0);
    rj_member_int(b, "status", h->resp.present ? h->resp.status : 0);
    rj_member_int(b, "header_length", (gint64)l->header_len);
    rj_member_int(b, "token_length", (gint64)l->token_len);
    rj_member_str(b, "token", token_kind(&l->tok));
    jsonw_name(b, "mechs");
    jsonw_begin_array(b);
    for (size_t i = 0; i < l->tok.n_mechs; i++)
        rj_add_str(b, l->tok.mechs[i]);
    jsonw_end_array(b);
    rj_member_bool(b, "mech_list_mic", l->tok.has_mic);
    if (l->has_ap_req) {
        ticket_json(b, "ap_req", &l->ap_req.ticket);
        const uint64_t *frame = index_find(x->issued, &l->ap_req.ticket);
        rj_member_frame(b, "issued_in", frame ? *frame : 0);
    } else {
        member_null(b, "ap_req");
        member_null(b, "issued_in");
    }
    opened_json(b, "ticket", &l->ticket, 1);
    if (!l->has_reply) {
        member_null(b, "reply");
    } else {
        jsonw_name(b, "reply");
        jsonw_begin_object(b);
        rj_member_str(b, "token", token_kind(&l->reply));
        rj_member_str(
            b, "neg_state",
            l->reply.neg_state == GSS_NEG_ABSENT ? NULL : gss_neg_state_name(l->reply.neg_state));
        rj_member_str(b, "type", l->reply_type ? krb_msg_type_name(l->reply_type) : NULL);
        if (l->reply_type == KRB_ERROR) {
            rj_member_int(b, "error_code", l->reply_msg.error_code);
            rj_member_str(b, "error", krb_error_name(l->reply_msg.error_code));
            rj_member_int(b, "stime", l->reply_msg.stime);
        }
        jsonw_end_object(b);
    }
    jsonw_end_object(b);
}

void report_krb_login_pieces(spill *sp, const report_in *r, const conn_rec *c, unsigned section,
                             int depth)
{
    const analysis *a = r->a;
    krb_msg *m = NULL;
    outw w = report_out(spill_file(sp), OUT_JSON, r);
    for (guint k = 0; k < c->http->len; k++) {
        const http_rec *h = g_ptr_array_index(c->http, k);
        krb_login l;
        if (!krb_login_read(h->req.authorization, h->resp.present ? h->resp.www_authenticate : NULL,
                            a->krb_keys, &l)) {
            krb_login_clear(&l);
            continue;
        }
        if (!m)
            m = g_new(krb_msg, 1);
        index_grow(r->krb, a, m);
        if (l.has_ap_req)
            index_use(r->krb, &l.ap_req.ticket, c->id, h->req.first_frame);
        jsonw j;
        rj_piece_begin(&j, &w, depth);
        login_json(&j, c, h, &l, r->krb);
        rj_piece_end(&j, sp, section, c->id);
        krb_login_clear(&l);
    }
    g_free(m);
}

int report_krb_json(jsonw *b, FILE *out, const report_in *r, spill *sp, unsigned logins)
{
    const analysis *a = r->a;
    krb_msg *m = g_new(krb_msg, 1);
    index_grow(r->krb, a, m);
    jsonw_begin_object(b);
    jsonw_name(b, "messages");
    jsonw_begin_array(b);
    int rc = jsonw_drain(b, out);
    for (guint i = 0; i < a->krb->len && !rc; i++) {
        msg_json(b, g_ptr_array_index(a->krb, i), r->krb, a, m);
        rc |= jsonw_drain(b, out);
    }
    jsonw_end_array(b);
    jsonw_name(b, "logins");
    rc |= report_json_array_copy(b, out, sp, logins);
    jsonw_end_array(b);
    jsonw_end_object(b);
    rc |= jsonw_drain(b, out);
    g_free(m);
    return rc ? -1 : 0;
}

/* ---- the transcript -------------------------------------------------------- */

static void etypes_text(outw *w, const int32_t *v, size_t n)
{
    char buf[256];
    out_printf(w, "%s", krb_etypes_text(v, n, buf, sizeof buf));
}

void report_krb_transcript(outw *w, const analysis *a)
{
    for (guint i = 0; i < a->krb->len; i++) {
        const krb_rec *k = g_ptr_array_index(a->krb, i);
        krb_msg msg, *m = &msg;
        krb_rec_decode(k, m);
        char cl[80], kd[80];
        out_printf(w, "Kerberos frame %" PRIu64 " (%s %s %s %s): ", k->frame,
                   k->tcp ? "TCP" : "UDP", endpoint_str(&k->client, cl, sizeof cl),
                   k->from_kdc ? "←" : "→", endpoint_str(&k->kdc, kd, sizeof kd));
        if (k->refused) {
            out_printf(w, "TCP connection refused or never answered\n");
            continue;
        }
        if (k->decoded < 0) {
            out_printf(w, "not a Kerberos message (%zu bytes)\n", k->len);
            continue;
        }
        out_printf(w, "%s", krb_msg_type_name(m->type));
        char *c = principal(&m->cname, m->crealm), *s = principal(&m->sname, m->realm);
        if (m->type == KRB_ERROR) {
            const char *e = krb_error_name(m->error_code);
            out_printf(w, " %s (%d)", e ? e : "error", m->error_code);
            if (m->has_e_text)
                out_printf(w, " \"%s\"", m->e_text);
        }
        if (c)
            out_printf(w, " client %s", c);
        if (s)
            out_printf(w, " service %s", s);
        if (m->n_etypes) {
            out_printf(w, ", etypes ");
            etypes_text(w, m->etypes, m->n_etypes);
        }
        if (m->ticket.present && m->type != KRB_TGS_REQ) {
            char et[32];
            out_printf(w, ", ticket %s", krb_etype_text(m->ticket.enc.etype, et, sizeof et));
            if (m->ticket.enc.has_kvno)
                out_printf(w, " kvno %u", m->ticket.enc.kvno);
        }
        if (k->decoded > 0)
            out_printf(w, " (cut short at its %s)", m->why);
        g_free(c);
        g_free(s);
        fputc('\n', w->f);
    }
}

/* "2026-12-07 10:14:13 UTC" */
static const char *utc(int64_t t, char *buf, size_t len)
{
    GDateTime *d = g_date_time_new_from_unix_utc(t);
    gchar *s = d ? g_date_time_format(d, "%Y-%m-%d %H:%M:%S UTC") : NULL;
    g_strlcpy(buf, s ? s : "?", len);
    g_free(s);
    if (d)
        g_date_time_unref(d);
    return buf;
}

void report_krb_exchange(outw *w, const report_in *r, const http_rec *h)
{
    const analysis *a = r->a;
    krb_login l;
    if (!krb_login_read(h->req.authorization, h->resp.present ? h->resp.www_authenticate : NULL,
                        a->krb_keys, &l)) {
        krb_login_clear(&l);
        return;
    }
    out_printf(w, "        Negotiate: %s token of %zu bytes", token_kind(&l.tok), l.token_len);
    if (l.tok.n_mechs) {
        const char *name = gss_mech_name(l.tok.mechs[0]);
        out_printf(w, ", mechanism %s", name ? name : l.tok.mechs[0]);
    }
    if (l.has_ap_req) {
        char et[32];
        const krb_ticket *t = &l.ap_req.ticket;
        out_printf(w, ", AP-REQ for %s@%s (%s", t->sname.text, t->realm,
                   krb_etype_text(t->enc.etype, et, sizeof et));
        if (t->enc.has_kvno)
            out_printf(w, ", kvno %u", t->enc.kvno);
        out_printf(w, ")");
        /* the TGS-REP that issued it, from the index the JSON report
         * links with (the messages read so far: the TGS-REP comes first) */
        const uint64_t *frame = NULL;
        if (r->krb) {
            krb_msg *m = g_new(krb_msg, 1);
            index_grow(r->krb, a, m);
            g_free(m);
            frame = index_find(r->krb->issued, t);
        }
        if (frame)
            out_printf(w, ", issued in frame %" PRIu64, *frame);
    }
    fputc('\n', w->f);
    if (l.ticket.status != KRB_OPEN_NONE) {
        out_printf(w, "        ticket: %s", krb_open_status_name(l.ticket.status));
        if (l.ticket.status == KRB_OPEN_OK) {
            char t1[40], t2[40];
            out_printf(
                w, ", client %s@%s, valid %s to %s", l.ticket.cname.text, l.ticket.crealm,
                utc(l.ticket.starttime ? l.ticket.starttime : l.ticket.authtime, t1, sizeof t1),
                utc(l.ticket.endtime, t2, sizeof t2));
            if (l.ticket.auth_status == KRB_OPEN_OK)
                out_printf(w, ", authenticator %s", utc(l.ticket.ctime, t1, sizeof t1));
        } else {
            out_printf(w, " (keys: %s)", *l.ticket.keys_held ? l.ticket.keys_held : "none");
        }
        fputc('\n', w->f);
    }
    if (l.has_reply) {
        out_printf(w, "        AMT's token: %s", token_kind(&l.reply));
        if (l.reply.neg_state != GSS_NEG_ABSENT)
            out_printf(w, " %s", gss_neg_state_name(l.reply.neg_state));
        if (l.reply_type == KRB_ERROR) {
            const char *e = krb_error_name(l.reply_msg.error_code);
            out_printf(w, ", KRB-ERROR %s (%d)", e ? e : "error", l.reply_msg.error_code);
        } else if (l.reply_type) {
            out_printf(w, ", %s", krb_msg_type_name(l.reply_type));
        }
        fputc('\n', w->f);
    }
    krb_login_clear(&l);
}
