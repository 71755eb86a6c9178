/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_kerberos: why a Kerberos login to AMT failed. Three witnesses, the
 * first that speaks decides: AMT's own KRB-ERROR inside its 401 (as IIS
 * and MIT's acceptor send it); the ticket and authenticator opened with
 * AMT's keys (--keytab, --krb-password) against AMT's clock; the console's
 * KDC traffic (KRB-ERROR answers, requests nobody answered). A refusal no
 * witness explains stays negotiate-rejected, naming the input that would.
 * KDC_ERR_PREAUTH_REQUIRED is how every pre-authenticated logon starts:
 * never a finding. */
#include "diag_int.h"

#include <stdlib.h>
#include <string.h>

#include "amtdiag/diag_krb.h"
#include "amtdiag/krb_login.h"

/* How long after a connection the console's KDC traffic still belongs to
 * its login (it asks the KDC once AMT's 401 has offered Negotiate). */
#define KDC_AFTER_US (120LL * G_USEC_PER_SEC)

/* One KDC message, what the rules need of it to pair and select (a
 * whole krb_msg is decoded again only for the evidence of the exchange a
 * finding names: a capture may hold many thousands). */
typedef struct kmsg {
    const diag_kdc_msg *f;
    int type;
    int32_t error_code;
    krb_principal sname;   /* a TGS-REQ's */
    const uint8_t *cipher; /* a TGS-REP's ticket, into f->data */
    size_t cipher_len;
} kmsg;

/* A request and the KDC's answer (NULL when none came). */
typedef struct kexch {
    const kmsg *req, *rep;
} kexch;

struct diag_krb {
    const diag_kdc_msg *of; /* the inputs it was made of */
    size_t n_of;
    kmsg *msgs;
    size_t n_msgs;
    kexch *ex;
    size_t n_ex;
    GHashTable *issued; /* a TGS-REP's ticket cipher text (GBytes) → its exchange */
};

static int is_request(int type)
{
    return type == KRB_AS_REQ || type == KRB_TGS_REQ;
}

static int same_pair(const diag_kdc_msg *a, const diag_kdc_msg *b)
{
    size_t n = a->family == 6 ? 16 : 4;
    return a->family == b->family && a->tcp == b->tcp && a->client_port == b->client_port &&
           a->kdc_port == b->kdc_port && !memcmp(a->client_addr, b->client_addr, n) &&
           !memcmp(a->kdc_addr, b->kdc_addr, n);
}

/* Decodes the KDC messages once and pairs each request with the first
 * answer that follows it on the same addresses and ports. */
static struct diag_krb *krb_state(diag_ctx *x)
{
    /* kept across judgements; made again when more messages were read */
    if (x->k->krb && x->k->krb->of == x->in->kdc && x->k->krb->n_of == x->in->n_kdc)
        return x->k->krb;
    diag_krb_free(x->k);
    struct diag_krb *k = g_new0(struct diag_krb, 1);
    k->of = x->in->kdc;
    k->n_of = x->in->n_kdc;
    size_t n = x->in->n_kdc;
    k->msgs = g_new0(kmsg, n ? n : 1);
    krb_msg *d = g_new(krb_msg, 1);
    for (size_t i = 0; i < n; i++) {
        const diag_kdc_msg *f = &x->in->kdc[i];
        if (f->refused || krb_msg_parse(f->data, f->len, d) < 0)
            continue;
        kmsg *m = &k->msgs[k->n_msgs++];
        m->f = f;
        m->type = d->type;
        m->error_code = d->error_code;
        if (d->type == KRB_TGS_REQ)
            m->sname = d->sname;
        if (d->type == KRB_TGS_REP) {
            m->cipher = d->ticket.enc.cipher;
            m->cipher_len = d->ticket.enc.cipher_len;
        }
    }
    g_free(d);
    k->ex = g_new0(kexch, k->n_msgs ? k->n_msgs : 1);
    int *used = g_new0(int, k->n_msgs ? k->n_msgs : 1);
    for (size_t i = 0; i < k->n_msgs; i++) {
        const kmsg *q = &k->msgs[i];
        if (q->f->from_kdc || !is_request(q->type))
            continue;
        kexch *e = &k->ex[k->n_ex++];
        e->req = q;
        for (size_t j = i + 1; j < k->n_msgs && !e->rep; j++) {
            const kmsg *r = &k->msgs[j];
            if (r->f->from_kdc && !used[j] && same_pair(q->f, r->f) &&
                (r->type == q->type + 1 || r->type == KRB_ERROR)) {
                used[j] = 1;
                e->rep = r;
            }
            /* a later request on the same pair: this one was not answered */
            if (!r->f->from_kdc && same_pair(q->f, r->f) && is_request(r->type))
                break;
        }
    }
    g_free(used);
    /* the tickets issued, so a login finds its TGS-REP without a scan */
    k->issued =
        g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, NULL);
    for (size_t i = 0; i < k->n_ex; i++) {
        const kmsg *r = k->ex[i].rep;
        if (r && r->cipher_len)
            g_hash_table_insert(k->issued, g_bytes_new_static(r->cipher, r->cipher_len), &k->ex[i]);
    }
    x->k->krb = k;
    return k;
}

void diag_krb_free(diag_know *k)
{
    if (!k->krb)
        return;
    g_hash_table_destroy(k->krb->issued);
    g_free(k->krb->msgs);
    g_free(k->krb->ex);
    g_free(k->krb);
    k->krb = NULL;
}

/* ---- words ---------------------------------------------------------------- */

static const char *error_text(int32_t code, char *buf, size_t len)
{
    const char *name = krb_error_name(code);
    if (name)
        g_snprintf(buf, len, "%s (%d)", name, code);
    else
        g_snprintf(buf, len, "Kerberos error %d", code);
    return buf;
}

/* "15 min 2 s", "8 h 3 min", "40 s" for a duration in seconds. */
static void duration(GString *s, int64_t secs)
{
    int64_t a = secs < 0 ? -secs : secs;
    if (a >= 86400)
        g_string_append_printf(s, "%lld d %lld h", (long long)(a / 86400),
                               (long long)(a % 86400 / 3600));
    else if (a >= 3600)
        g_string_append_printf(s, "%lld h %lld min", (long long)(a / 3600),
                               (long long)(a % 3600 / 60));
    else if (a >= 60)
        g_string_append_printf(s, "%lld min %lld s", (long long)(a / 60), (long long)(a % 60));
    else
        g_string_append_printf(s, "%lld s", (long long)a);
}

static void utc(GString *s, int64_t t)
{
    GDateTime *d = g_date_time_new_from_unix_utc(t);
    if (!d) {
        g_string_append_printf(s, "%lld", (long long)t);
        return;
    }
    gchar *text = g_date_time_format(d, "%Y-%m-%d %H:%M:%S UTC");
    g_string_append(s, text);
    g_free(text);
    g_date_time_unref(d);
}

/* "AMT's clock is 15 min 2 s ahead of the console's" */
static void offset_words(GString *s, int64_t amt_minus_console, const char *other)
{
    g_string_append(s, "AMT's clock is ");
    duration(s, amt_minus_console);
    g_string_append_printf(s, " %s %s", amt_minus_console >= 0 ? "ahead of" : "behind", other);
}

/* The clear facts of the AP-REQ: which ticket, of which key. */
static void ap_req_words(GString *s, const krb_login *l)
{
    char et[32];
    const krb_ticket *t = &l->ap_req.ticket;
    g_string_append_printf(s, "the console's AP-REQ presents a ticket for %s@%s (%s", t->sname.text,
                           t->realm, krb_etype_text(t->enc.etype, et, sizeof et));
    if (t->enc.has_kvno)
        g_string_append_printf(s, ", key version %u", t->enc.kvno);
    g_string_append(s, ")");
    if (l->tok.kind == GSS_TOKEN_SPNEGO_INIT && l->tok.n_mechs) {
        const char *name = gss_mech_name(l->tok.mechs[0]);
        g_string_append_printf(s, " in SPNEGO, mechanism %s", name ? name : l->tok.mechs[0]);
    }
}

/* ---- the console's KDC traffic -------------------------------------------- */

static int same_addr(int family, const uint8_t *a, const uint8_t *b)
{
    return !memcmp(a, b, family == 6 ? 16 : 4);
}

/* The names AMT goes by in this capture (Host headers of its connections,
 * DNS names answered with its address), lower case, without ports. */
static GPtrArray *amt_names(const diag_ctx *x, const diag_conn_facts *c)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const know_server *s = diag_know_server(x->k, c->family, c->server_addr);
    for (guint i = 0; s->names && i < s->names->len; i++)
        g_ptr_array_add(names, g_strdup(g_ptr_array_index(s->names, i)));
    const GQueue *q = diag_know_answers_holding(x->k, c->family, c->server_addr);
    for (const GList *l = q ? q->head : NULL; l; l = l->next) {
        char *name = diag_name_key(((const diag_dns_facts *)l->data)->qname);
        if (name)
            g_ptr_array_add(names, name);
    }
    return names;
}

/* Whether a service principal names this AMT: its host is one of AMT's
 * names (or their first label: a short name), or AMT's address (addr,
 * may be NULL), or it is an HTTP/HTTPS principal with one of AMT's ports
 * when no name is known. */
static int names_amt(const krb_principal *p, const char *const *names, size_t n_names,
                     const char *addr)
{
    char host[KRB_STR_MAX], svc[64];
    unsigned port;
    krb_principal_host(p, host, sizeof host, &port);
    krb_principal_service(p, svc, sizeof svc);
    if (!*host || krb_principal_is_tgs(p))
        return 0;
    if (g_ascii_strcasecmp(svc, "HTTP") && g_ascii_strcasecmp(svc, "HTTPS"))
        return 0;
    if (addr && !strcmp(host, addr))
        return 1;
    for (size_t i = 0; i < n_names; i++) {
        const char *n = names[i];
        size_t first = strcspn(n, ".");
        if (!g_ascii_strcasecmp(host, n) ||
            (strlen(host) == first && !g_ascii_strncasecmp(host, n, first)))
            return 1;
    }
    return !n_names && port >= 16992 && port <= 16995;
}

/* The SPNs AMT registers, from the name the console used. */
static void registered_forms(GString *s, const krb_principal *p)
{
    char host[KRB_STR_MAX];
    unsigned port;
    krb_principal_host(p, host, sizeof host, &port);
    g_string_append_printf(s,
                           "AMT registers HTTP/%s:16992, HTTP/%s:16993 and HTTP/%s (with the FQDN "
                           "it was provisioned with)",
                           host, host, host);
}

/* What a KDC's refusal of a ticket request for AMT stands for: the cause
 * and its evidence. */
static diag_cause_id tgs_refused(const diag_kdc_msg *fq, const diag_kdc_msg *fr, GString *why)
{
    krb_msg *q = g_new(krb_msg, 1), *r = g_new(krb_msg, 1);
    krb_msg_parse(fq->data, fq->len, q);
    krb_msg_parse(fr->data, fr->len, r);
    diag_cause_id cause = DIAG_C_KERBEROS_NO_TICKET;
    char err[80], et[160], svc[64];
    error_text(r->error_code, err, sizeof err);
    g_string_append_printf(
        why,
        "the console asked the KDC for a ticket for %s@%s (frame %" G_GUINT64_FORMAT
        "); the KDC answered %s (frame %" G_GUINT64_FORMAT ")",
        q->sname.text, q->realm, fq->frame, err, fr->frame);
    if (r->has_e_text && *r->e_text)
        g_string_append_printf(why, " \"%s\"", r->e_text);
    if (r->error_code == KDC_ERR_S_PRINCIPAL_UNKNOWN) {
        g_string_append(why, ". ");
        registered_forms(why, &q->sname);
        krb_principal_service(&q->sname, svc, sizeof svc);
        if (g_ascii_strcasecmp(svc, "HTTP") != 0)
            g_string_append_printf(why,
                                   "; the service class is %s: AMT's is HTTP, also on the "
                                   "TLS port",
                                   svc);
        cause = DIAG_C_KERBEROS_SPN_UNKNOWN;
    } else if (r->error_code == KDC_ERR_ETYPE_NOSUPP) {
        g_string_append_printf(why,
                               ". The console accepts %s; the KDC has no type in common with "
                               "what AMT's account takes (older AMT firmware: RC4-HMAC only, "
                               "newer: AES)",
                               krb_etypes_text(q->etypes, q->n_etypes, et, sizeof et));
        cause = DIAG_C_KERBEROS_ETYPE_MISMATCH;
    } else {
        g_string_append(why, ": no ticket for AMT");
    }
    g_free(q);
    g_free(r);
    return cause;
}

/* Why a console that AMT challenged with Negotiate has no ticket for it,
 * from its KDC exchanges up to until_us: the last ticket request for AMT
 * that failed, else the last logon (AS exchange) that failed, else
 * requests the KDC never answered. Adds the finding's frames to *frames. */
static int no_ticket_reason(diag_ctx *x, const diag_conn_facts *c, int64_t until_us, GString *why,
                            diag_cause_id *cause, uint64_t frames[2])
{
    struct diag_krb *k = krb_state(x);
    GPtrArray *names = amt_names(x, c);
    char addr[64];
    diag_addr_text(c->family, c->server_addr, addr, sizeof addr);
    const kexch *tgs = NULL, *as = NULL, *as_ok = NULL, *tgs_ok = NULL;
    unsigned unanswered = 0, refused = 0;
    const kexch *first_unanswered = NULL;
    const diag_kdc_msg *first_refused = NULL;
    for (size_t i = 0; i < x->in->n_kdc; i++) {
        const diag_kdc_msg *f = &x->in->kdc[i];
        if (f->refused && f->family == c->family &&
            same_addr(c->family, f->client_addr, c->client_addr) && f->ts_us <= until_us) {
            refused++;
            if (!first_refused)
                first_refused = f;
        }
    }
    for (size_t i = 0; i < k->n_ex; i++) {
        const kexch *e = &k->ex[i];
        const diag_kdc_msg *f = e->req->f;
        if (f->family != c->family || !same_addr(c->family, f->client_addr, c->client_addr) ||
            f->ts_us > until_us)
            continue;
        if (!e->rep) {
            unanswered++;
            if (!first_unanswered)
                first_unanswered = e;
            continue;
        }
        int failed = e->rep->type == KRB_ERROR;
        if (e->req->type == KRB_TGS_REQ &&
            names_amt(&e->req->sname, (const char *const *)names->pdata, names->len, addr)) {
            tgs = e;
            if (!failed)
                tgs_ok = e;
        }
        if (e->req->type == KRB_AS_REQ) {
            /* KDC_ERR_PREAUTH_REQUIRED asks for the next step of a logon */
            if (failed && e->rep->error_code == KDC_ERR_PREAUTH_REQUIRED)
                continue;
            as = e;
            if (!failed)
                as_ok = e;
        }
    }
    g_ptr_array_free(names, TRUE);
    int found = 1;
    if (tgs && tgs->rep->type == KRB_ERROR) {
        *cause = tgs_refused(tgs->req->f, tgs->rep->f, why);
        frames[0] = tgs->req->f->frame;
        frames[1] = tgs->rep->f->frame;
    } else if (tgs_ok) {
        found = 0; /* it had a ticket for AMT and chose not to use it */
    } else if (as && as->rep->type == KRB_ERROR) {
        char err[80];
        krb_msg *q = g_new(krb_msg, 1);
        krb_msg_parse(as->req->f->data, as->req->f->len, q);
        *cause = DIAG_C_KERBEROS_NO_TICKET;
        g_string_append_printf(why,
                               "the console's logon (AS-REQ for %s@%s, frame %" G_GUINT64_FORMAT
                               ") was refused: %s (frame %" G_GUINT64_FORMAT ")",
                               q->cname.text, q->crealm, as->req->f->frame,
                               error_text(as->rep->error_code, err, sizeof err), as->rep->f->frame);
        g_free(q);
        if (as->rep->error_code == KDC_ERR_PREAUTH_FAILED)
            g_string_append(why, ": a wrong password");
        g_string_append(why, "; without a ticket-granting ticket it has no ticket for AMT");
        frames[0] = as->req->f->frame;
        frames[1] = as->rep->f->frame;
    } else if ((unanswered || refused) && !as_ok && !tgs_ok) {
        char kdc[64];
        *cause = DIAG_C_KERBEROS_NO_TICKET;
        if (unanswered) {
            const diag_kdc_msg *f = first_unanswered->req->f;
            g_string_append_printf(why,
                                   "%u Kerberos request%s from the console to the KDC %s (%s port "
                                   "%u, the first in frame %" G_GUINT64_FORMAT ") went unanswered",
                                   unanswered, unanswered == 1 ? "" : "s",
                                   diag_addr_text(f->family, f->kdc_addr, kdc, sizeof kdc),
                                   f->tcp ? "TCP" : "UDP", f->kdc_port, f->frame);
            frames[0] = f->frame;
        }
        if (refused) {
            g_string_append_printf(
                why,
                "%s%u TCP connection%s to the KDC %s (port %u, frame %" G_GUINT64_FORMAT
                ") %s refused or never answered",
                unanswered ? "; " : "", refused, refused == 1 ? "" : "s",
                diag_addr_text(first_refused->family, first_refused->kdc_addr, kdc, sizeof kdc),
                first_refused->kdc_port, first_refused->frame, refused == 1 ? "was" : "were");
            frames[1] = first_refused->frame;
        }
        g_string_append(why, ": the KDC is unreachable, so no ticket for AMT");
    } else {
        found = 0;
    }
    return found;
}

diag_cause_id diag_kdc_refusal(const diag_kdc_msg *req, const diag_kdc_msg *rep,
                               const char *const *amt_names, size_t n_names, GString *why)
{
    krb_msg *q = g_new(krb_msg, 1), *r = g_new(krb_msg, 1);
    int refusal = krb_msg_parse(req->data, req->len, q) >= 0 && q->type == KRB_TGS_REQ &&
                  krb_msg_parse(rep->data, rep->len, r) >= 0 && r->type == KRB_ERROR &&
                  names_amt(&q->sname, amt_names, n_names, NULL);
    g_free(q);
    g_free(r);
    return refusal ? tgs_refused(req, rep, why) : DIAG_N_CAUSES;
}

int diag_krb_no_token(diag_ctx *x, size_t i, uint64_t frame)
{
    const diag_conn_facts *c = &x->conns[i];
    GString *why = g_string_new(NULL);
    diag_cause_id cause;
    uint64_t frames[2] = {0, 0};
    int found = no_ticket_reason(x, c, c->last_ts_us + KDC_AFTER_US, why, &cause, frames);
    if (found) {
        g_string_append(why, "; AMT's 401 offered Negotiate and the console sent no token");
        diag_finding *f = diag_add(x, i, cause, "%s", why->str);
        diag_frame(f, frame);
        diag_frame(f, frames[0]);
        diag_frame(f, frames[1]);
    }
    g_string_free(why, TRUE);
    return found;
}

/* The TGS exchange whose TGS-REP carried the ticket of the login, or NULL. */
static const kexch *issued_by(diag_ctx *x, const krb_login *l)
{
    struct diag_krb *k = krb_state(x);
    const krb_ticket *t = &l->ap_req.ticket;
    if (!t->enc.cipher_len)
        return NULL;
    GBytes *key = g_bytes_new_static(t->enc.cipher, t->enc.cipher_len);
    const kexch *e = g_hash_table_lookup(k->issued, key);
    g_bytes_unref(key);
    return e;
}

/* ---- a refused login ------------------------------------------------------ */

/* AMT's clock when it answered exchange e: its Date header, else what the
 * capture tells about this AMT. Returns 0 when unknown; *amt_now is AMT's
 * time at the answer. */
static int amt_clock_at(diag_ctx *x, const diag_conn_facts *c, const diag_exchange *e,
                        int64_t *amt_now, char *source, size_t len)
{
    int64_t date;
    int64_t at = e->resp_ts_us / G_USEC_PER_SEC;
    if (e->date && diag_parse_http_date(e->date, &date) == 0) {
        *amt_now = date;
        g_snprintf(source, len, "AMT's Date header, frame %" G_GUINT64_FORMAT, e->resp_frame);
        return 1;
    }
    diag_clock clk;
    diag_clock_for(x, c, &clk);
    if (!clk.known)
        return 0;
    *amt_now = at + clk.offset_s;
    g_strlcpy(source, clk.source, len);
    return 1;
}

/* AMT's KRB-ERROR in its 401: the cause it names. */
static int from_amt_error(const krb_login *l, const diag_exchange *e, GString *why,
                          diag_cause_id *cause)
{
    const krb_msg *r = &l->reply_msg;
    char err[80];
    g_string_append_printf(why, "AMT answered with %s in its 401 (frame %" G_GUINT64_FORMAT ")",
                           error_text(r->error_code, err, sizeof err), e->resp_frame);
    if (r->has_e_text && *r->e_text)
        g_string_append_printf(why, " \"%s\"", r->e_text);
    g_string_append(why, "; ");
    ap_req_words(why, l);
    int64_t console = r->ctime ? r->ctime : e->resp_ts_us / G_USEC_PER_SEC;
    switch (r->error_code) {
    case KRB_AP_ERR_SKEW:
    case KRB_AP_ERR_TKT_NYV:
        g_string_append(why, ". ");
        offset_words(why, r->stime - console,
                     r->ctime ? "the console's (the authenticator's time)" : "the capture's");
        g_string_append(why, " (AMT's time ");
        utc(why, r->stime);
        g_string_append(why, r->error_code == KRB_AP_ERR_TKT_NYV
                                 ? "): the ticket is not valid yet at AMT's clock"
                                 : "); Kerberos tolerates 5 minutes");
        *cause = DIAG_C_KERBEROS_CLOCK_SKEW;
        return 1;
    case KRB_AP_ERR_TKT_EXPIRED:
        g_string_append(why, ". AMT's time is ");
        utc(why, r->stime);
        g_string_append(why, ", ");
        offset_words(why, r->stime - e->resp_ts_us / G_USEC_PER_SEC, "the capture's");
        if (l->ticket.status == KRB_OPEN_OK) {
            g_string_append(why, "; the ticket was valid until ");
            utc(why, l->ticket.endtime);
        }
        *cause = DIAG_C_KERBEROS_TICKET_EXPIRED;
        return 1;
    case KRB_AP_ERR_BAD_INTEGRITY:
    case KRB_AP_ERR_MODIFIED:
        g_string_append(why, ": AMT's key for this SPN is not the one the KDC used");
        if (l->ticket.status == KRB_OPEN_BAD_INTEGRITY)
            g_string_append_printf(why,
                                   "; the keys given (%s) do not open the ticket either: "
                                   "they are AMT's, not the KDC's",
                                   l->ticket.keys_held);
        else if (l->ticket.status == KRB_OPEN_OK)
            g_string_append_printf(why,
                                   "; the keys given (%s) open it: they are the KDC's, "
                                   "and AMT holds others",
                                   l->ticket.keys_held);
        *cause = DIAG_C_KERBEROS_AP_ERR_MODIFIED;
        return 1;
    case KRB_AP_ERR_BADKEYVER:
        g_string_append(why, ": AMT has no key of this version");
        *cause = DIAG_C_KERBEROS_KVNO_MISMATCH;
        return 1;
    case KRB_AP_ERR_NOKEY:
        g_string_append(why, ": AMT has no key of this encryption type");
        *cause = DIAG_C_KERBEROS_ETYPE_MISMATCH;
        return 1;
    case KRB_AP_ERR_NOT_US:
        g_string_append(why, ": the ticket is for a principal AMT is not; ");
        registered_forms(why, &l->ap_req.ticket.sname);
        *cause = DIAG_C_KERBEROS_SPN_UNKNOWN;
        return 1;
    default:
        return 0;
    }
}

/* The ticket opened with AMT's keys: what went wrong, or nothing (then
 * Kerberos accepted it and AMT's ACL refused the user). */
static void from_keys(diag_ctx *x, size_t i, const krb_login *l, const diag_exchange *e,
                      GString *why, diag_cause_id *cause, diag_confidence *conf)
{
    const krb_ticket_info *t = &l->ticket;
    const krb_ticket *tk = &l->ap_req.ticket;
    char et[32];
    ap_req_words(why, l);
    g_string_append_printf(why, "; AMT's keys (%s) ", t->keys_held);
    switch (t->status) {
    case KRB_OPEN_NO_KVNO:
        g_string_append_printf(why,
                               "have no version %u: the account's key changed at the KDC after "
                               "AMT got its key",
                               tk->enc.kvno);
        *cause = DIAG_C_KERBEROS_KVNO_MISMATCH;
        return;
    case KRB_OPEN_NO_ETYPE:
        g_string_append_printf(why, "have no %s key", krb_etype_text(tk->enc.etype, et, sizeof et));
        *cause = DIAG_C_KERBEROS_ETYPE_MISMATCH;
        return;
    case KRB_OPEN_BAD_INTEGRITY:
        g_string_append(why, "do not open the ticket (integrity check failed): AMT's key is not "
                             "the KDC's");
        *cause = DIAG_C_KERBEROS_AP_ERR_MODIFIED;
        return;
    default:
        break;
    }
    int64_t amt_now = 0;
    char source[200];
    int known = amt_clock_at(x, &x->conns[i], e, &amt_now, source, sizeof source);
    g_string_append_printf(why, "open the ticket of %s@%s (valid ", t->cname.text, t->crealm);
    utc(why, t->starttime ? t->starttime : t->authtime);
    g_string_append(why, " to ");
    utc(why, t->endtime);
    g_string_append(why, ")");
    if (t->auth_status == KRB_OPEN_OK) {
        g_string_append(why, ", its authenticator says ");
        utc(why, t->ctime);
    }
    if (!known) {
        g_string_append(why, "; AMT's clock is unknown (no Date header): --amt-clock-offset "
                             "would settle the times");
        *cause = DIAG_C_KERBEROS_USER_NOT_IN_ACL;
        *conf = DIAG_LIKELY;
        return;
    }
    g_string_append(why, "; AMT's time ");
    utc(why, amt_now);
    g_string_append_printf(why, " (%s)", source);
    if (t->auth_status == KRB_OPEN_OK && llabs(amt_now - t->ctime) > KRB_MAX_SKEW_S) {
        g_string_append(why, ": ");
        offset_words(why, amt_now - t->ctime, "the console's");
        g_string_append(why, "; Kerberos tolerates 5 minutes");
        *cause = DIAG_C_KERBEROS_CLOCK_SKEW;
        return;
    }
    if (amt_now - KRB_MAX_SKEW_S > t->endtime) {
        g_string_append(why, ": the ticket had expired at AMT's clock");
        *cause = DIAG_C_KERBEROS_TICKET_EXPIRED;
        return;
    }
    int64_t start = t->starttime ? t->starttime : t->authtime;
    if (amt_now + KRB_MAX_SKEW_S < start) {
        g_string_append(why, ": the ticket is not valid yet at AMT's clock, ");
        offset_words(why, amt_now - start, "the KDC's");
        *cause = DIAG_C_KERBEROS_CLOCK_SKEW;
        return;
    }
    if (t->auth_status != KRB_OPEN_OK) {
        g_string_append_printf(why, "; the authenticator did not open (%s)",
                               krb_open_status_name(t->auth_status));
        *cause = DIAG_C_NEGOTIATE_REJECTED;
        return;
    }
    g_string_append_printf(why, ": Kerberos accepts %s@%s, and AMT answered 401 all the same",
                           t->cname.text, t->crealm);
    *cause = DIAG_C_KERBEROS_USER_NOT_IN_ACL;
}

/* No keys, no KRB-ERROR: what the capture still shows (AMT's Date against
 * the capture's clock), else negotiate-rejected naming the inputs. */
static void without_keys(diag_ctx *x, size_t i, const krb_login *l, const diag_exchange *e,
                         GString *why, diag_cause_id *cause, diag_confidence *conf)
{
    if (l->has_ap_req) {
        ap_req_words(why, l);
        g_string_append(why, "; ");
    } else if (l->tok.ntlm) {
        g_string_append(why, "the console's Negotiate token is NTLM, not Kerberos; ");
    }
    g_string_append_printf(why, "AMT's 401 (frame %" G_GUINT64_FORMAT ") carries no KRB-ERROR",
                           e->resp_frame);
    int64_t date;
    if (e->date && diag_parse_http_date(e->date, &date) == 0 &&
        llabs(date - e->resp_ts_us / G_USEC_PER_SEC) > KRB_MAX_SKEW_S) {
        g_string_append(why, "; its Date header says ");
        offset_words(why, date - e->resp_ts_us / G_USEC_PER_SEC, "the capture's");
        g_string_append(why, ", more than the 5 minutes Kerberos tolerates; AMT's keytab "
                             "(--keytab) would compare the authenticator's time");
        *cause = DIAG_C_KERBEROS_CLOCK_SKEW;
        *conf = DIAG_LIKELY;
        return;
    }
    (void)x;
    (void)i;
    g_string_append(why,
                    "; AMT's keytab (amtdiag --keytab, Wireshark's iamt.keytab) or its account's "
                    "password (--krb-password) would tell a stale key (kerberos-ap-err-modified, "
                    "kerberos-kvno-mismatch) from a user AMT's ACL lacks "
                    "(kerberos-user-not-in-acl)");
    *cause = DIAG_C_NEGOTIATE_REJECTED;
    *conf = DIAG_LIKELY;
}

/* A request AMT refused before reading the login: too large a header. */
static int too_large(diag_ctx *x, size_t i, const krb_login *l, const diag_exchange *e,
                     GString *why, diag_confidence *conf)
{
    const diag_conn_result *cr = diag_cr(x, i);
    int refused = e->status == 400 || e->status == 413 || e->status == 431;
    int closed = !e->status && cr->end.by == DIAG_AMT;
    if (!refused && !closed)
        return 0;
    g_string_append_printf(why,
                           "the request's Authorization header is %zu bytes (a %zu-byte "
                           "Kerberos token",
                           l->header_len, l->token_len);
    if (l->has_ap_req && l->ap_req.enc.present)
        g_string_append_printf(why, ": ticket %zu, authenticator %zu bytes of cipher text",
                               l->ap_req.ticket.enc.cipher_len, l->ap_req.enc.cipher_len);
    g_string_append(why, ")");
    if (refused)
        g_string_append_printf(why, "; AMT answered %d (frame %" G_GUINT64_FORMAT ")", e->status,
                               e->resp_frame);
    else
        g_string_append(why, "; AMT closed the connection without an answer");
    *conf = e->status == 413 || e->status == 431 ? DIAG_CERTAIN : DIAG_LIKELY;
    return 1;
}

void diag_krb_refused(diag_ctx *x, size_t i, const diag_exchange *e, int offered)
{
    krb_login l;
    krb_login_read(e->authorization, e->www_authenticate, x->in->krb_keys, &l);
    GString *why = g_string_new(NULL);
    diag_cause_id cause = DIAG_C_NEGOTIATE_REJECTED;
    diag_confidence conf = DIAG_CERTAIN;
    const kexch *tgs = l.has_ap_req ? issued_by(x, &l) : NULL;
    if (e->status != 401) {
        if (!too_large(x, i, &l, e, why, &conf)) {
            krb_login_clear(&l);
            g_string_free(why, TRUE);
            return;
        }
        cause = DIAG_C_KERBEROS_TOKEN_TOO_LARGE;
    } else if (!offered) {
        cause = DIAG_C_NEGOTIATE_NOT_OFFERED;
        g_string_append(why, "AMT answered the Kerberos login with 401 and offered only Digest");
        if (l.has_ap_req) {
            g_string_append(why, "; ");
            ap_req_words(why, &l);
        }
    } else if (l.reply_type == KRB_ERROR && from_amt_error(&l, e, why, &cause)) {
        /* AMT said why */
    } else {
        if (l.has_ap_req && l.ticket.status != KRB_OPEN_NONE &&
            l.ticket.status != KRB_OPEN_NO_PRINCIPAL)
            from_keys(x, i, &l, e, why, &cause, &conf);
        else
            without_keys(x, i, &l, e, why, &cause, &conf);
        if (l.has_ap_req && l.ticket.status == KRB_OPEN_NO_PRINCIPAL)
            g_string_append_printf(why, " (the keys given hold none for %s@%s)",
                                   l.ap_req.ticket.sname.text, l.ap_req.ticket.realm);
    }
    if (tgs) {
        krb_msg *m = g_new(krb_msg, 1);
        krb_msg_parse(tgs->rep->f->data, tgs->rep->f->len, m);
        g_string_append_printf(why, "; the ticket was issued to %s@%s in frame %" G_GUINT64_FORMAT,
                               m->cname.text, m->crealm, tgs->rep->f->frame);
        g_free(m);
    }
    diag_finding *f = diag_add(x, i, cause, "%s", why->str);
    f->confidence = conf;
    diag_frame(f, e->req_frame);
    diag_frame(f, e->resp_frame);
    if (tgs)
        diag_frame(f, tgs->rep->f->frame);
    g_string_free(why, TRUE);
    krb_login_clear(&l);
}
