/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_redir: why a redirection session (SOL, IDE-R, KVM on 16994, or
 * 16995 in TLS) did not start — the listener closed, the session refused
 * (BUSY: another console holds it), the login refused, a method AMT does
 * not take — and a password sent in clear. A rejected Digest login is
 * judged by diag_digest_verdict as for HTTP, a rejected Kerberos login
 * with the Negotiate causes: the same words for the same refusal. */
#include "diag_int.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

#include "amtdiag/diag_redir.h"

static int is_redir(amt_service s)
{
    return s == AMT_SERVICE_REDIR || s == AMT_SERVICE_REDIR_TLS;
}

static const char *method_name(uint8_t t)
{
    const char *n = redir_auth_type_name(t);
    return n ? n : "an unknown method";
}

/* "user/password, Digest" — the methods AMT offered. */
static void offered_text(const diag_redir_facts *r, GString *s)
{
    for (size_t k = 0; k < r->n_methods; k++)
        g_string_append_printf(s, "%s%s", k ? ", " : "", method_name(r->methods[k]));
    if (!r->n_methods)
        g_string_append(s, "none");
}

static int offered(const diag_redir_facts *r, uint8_t type)
{
    for (size_t k = 0; k < r->n_methods; k++)
        if (r->methods[k] == type)
            return 1;
    return 0;
}

/* Whether the same AMT accepted a connection to its redirection TLS
 * port (learned by diag_know as the connections were read). */
static int redir_tls_answered(diag_ctx *x, const diag_conn_facts *c)
{
    return diag_know_server(x->k, c->family, c->server_addr)->redir_tls_ok;
}

int diag_redir_refused(diag_ctx *x, size_t i, const char *addr)
{
    const diag_conn_facts *c = &x->conns[i];
    amt_service s = diag_service(c);
    if (!is_redir(s))
        return 0;
    diag_finding *f;
    if (s == AMT_SERVICE_REDIR && redir_tls_answered(x, c))
        f = diag_add(x, i, DIAG_C_REDIR_PLAIN_REFUSED_TLS_ONLY,
                     "%s refused redirection in clear on port %u with a reset, and accepted a "
                     "connection to its redirection TLS port in this capture",
                     addr, c->server_port);
    else
        f = diag_add(x, i, DIAG_C_REDIR_LISTENER_DISABLED,
                     "%s answered the SYN to its redirection port %u with a reset: the "
                     "redirection listener was not open%s",
                     addr, c->server_port,
                     s == AMT_SERVICE_REDIR ? " (or, if AMT takes redirection over TLS only, "
                                              "the console must use 16995)"
                                            : "");
    diag_frame(f, c->syn_frame);
    diag_frame(f, c->rst_frame);
    return 1;
}

/* The session start, and the SOL or IDE-R start after the login. */
static void starts(diag_ctx *x, size_t i, const diag_redir_facts *r)
{
    const char *session = redir_session_name(r->session);
    if (r->start_status > 0) {
        const char *st = redir_start_status_name((uint8_t)r->start_status);
        diag_finding *f =
            r->start_status == 2
                ? diag_add(x, i, DIAG_C_REDIR_SESSION_BUSY,
                           "AMT answered the console's %s session start with BUSY (status 2): "
                           "another redirection session of this kind is active",
                           session)
                : diag_add(x, i, DIAG_C_REDIR_SESSION_REFUSED,
                           "AMT answered the console's %s session start with %s (status %d)",
                           session, st ? st : "an unknown status", r->start_status);
        diag_frame(f, r->start_frame);
        diag_frame(f, r->start_reply_frame);
    }
    /* KVM's reply to its 0x40 is not judged: no source says what its
     * second byte holds. */
    if (r->feature_status > 0 && r->session != REDIR_SESSION_KVM) {
        const char *what =
            r->session == REDIR_SESSION_SOL ? "StartSOLRedirection" : "StartIDERRedirection";
        const char *st = redir_start_status_name((uint8_t)r->feature_status);
        diag_finding *f =
            r->feature_status == 2
                ? diag_add(x, i, DIAG_C_REDIR_SESSION_BUSY,
                           "AMT answered %s with BUSY (status 2) after the login: another %s "
                           "session is active",
                           what, session)
                : diag_add(x, i, DIAG_C_REDIR_SESSION_REFUSED,
                           "AMT answered %s with %s (status %d) after accepting the login: %s is "
                           "not enabled on this AMT",
                           what, st ? st : "an unknown status", r->feature_status, session);
        diag_frame(f, r->feature_frame);
        diag_frame(f, r->feature_reply_frame);
    }
}

/* A user/password login refused: the password is compared with a
 * supplied one by its hash, never kept in clear. */
static void password_rejected(diag_ctx *x, size_t i, const diag_redir_login *l)
{
    const diag_account *acc = NULL;
    for (size_t k = 0; k < x->in->n_accounts && !acc; k++)
        if (x->in->accounts[k].user && strcmp(x->in->accounts[k].user, l->user) == 0)
            acc = &x->in->accounts[k];
    GString *why = g_string_new(NULL);
    if (acc && l->has_password) {
        uint8_t h[32];
        const char *pw = acc->password ? acc->password : "";
        SHA256((const uint8_t *)pw, strlen(pw), h);
        int same = CRYPTO_memcmp(h, l->password_sha256, sizeof h) == 0;
        OPENSSL_cleanse(h, sizeof h);
        g_string_append_printf(why,
                               same ? "user \"%s\": the password sent is the one supplied, yet AMT "
                                      "refused the login (account disabled, locked out, or "
                                      "without redirection rights)"
                                    : "user \"%s\": the password sent is not the one supplied",
                               l->user);
    } else if (x->in->n_accounts) {
        g_string_append_printf(why, "user \"%s\" is not among the accounts supplied", l->user);
    } else {
        g_string_append_printf(why, "user \"%s\" was refused; with this user's password (",
                               l->user);
        diag_word_usage_for(why, x->in, DIAG_IN_PASSWORD, l->user);
        g_string_append(why, ") the password sent can be checked");
    }
    diag_finding *f = diag_add(x, i, DIAG_C_REDIR_LOGIN_REJECTED,
                               "user/password redirection login: %s", why->str);
    g_string_free(why, TRUE);
    diag_frame(f, l->frame);
    diag_frame(f, l->reply_frame);
}

static void digest_rejected(diag_ctx *x, size_t i, const diag_redir_login *l)
{
    diag_digest_challenge ch = {.realm = l->realm, .qop = l->qop, .frame = l->challenge_frame};
    /* the response answered the challenge in force, or the capture lacks it */
    int answered = l->challenge_frame && strcmp(l->nonce, l->digest.nonce) == 0;
    GString *why = g_string_new(NULL);
    diag_cause_id id = diag_digest_verdict_in(&l->digest, answered ? &ch : NULL,
                                              REDIR_DIGEST_METHOD, NULL, x->in, why);
    diag_finding *f =
        diag_add(x, i, id, "redirection login (%s): %s", method_name(l->auth_type), why->str);
    g_string_free(why, TRUE);
    if (id == DIAG_C_DIGEST_REALM_MISMATCH)
        diag_frame(f, l->challenge_frame);
    diag_frame(f, l->frame);
    diag_frame(f, l->reply_frame);
}

/* A method AMT does not take: said so (NOT_SUPPORTED), or not offered. */
static void unsupported(diag_ctx *x, size_t i, const diag_redir_facts *r, const diag_redir_login *l)
{
    GString *s = g_string_new(NULL);
    if (r->methods_known) {
        g_string_append(s, "; AMT offered ");
        offered_text(r, s);
        g_string_append_printf(s, " (frame %" G_GUINT64_FORMAT ")", r->methods_frame);
    }
    const char *st = l->status == 2 ? "NOT_SUPPORTED" : l->status == 1 ? "FAILURE" : "no answer";
    diag_finding *f =
        l->auth_type == REDIR_AUTH_KERBEROS
            ? diag_add(x, i, DIAG_C_NEGOTIATE_NOT_OFFERED,
                       "AMT answered the Kerberos redirection login with %s%s", st, s->str)
            : diag_add(x, i, DIAG_C_REDIR_METHOD_NOT_SUPPORTED,
                       "AMT answered the %s redirection login with %s%s", method_name(l->auth_type),
                       st, s->str);
    g_string_free(s, TRUE);
    diag_frame(f, l->frame);
    diag_frame(f, l->reply_frame);
}

static int accepted_after(const diag_redir_facts *r, size_t k)
{
    for (size_t j = k + 1; j < r->n_logins; j++)
        if (r->logins[j].outcome == DIAG_REDIR_ACCEPTED)
            return 1;
    return 0;
}

static void logins(diag_ctx *x, size_t i, const diag_redir_facts *r)
{
    const diag_conn_facts *c = &x->conns[i];
    for (size_t k = 0; k < r->n_logins; k++) {
        const diag_redir_login *l = &r->logins[k];
        if (l->auth_type == REDIR_AUTH_USER_PASSWORD && !c->is_tls) {
            diag_finding *f =
                diag_add(x, i, DIAG_C_REDIR_PASSWORD_IN_CLEAR,
                         "user \"%s\" logged in to the redirection service with the password in "
                         "clear (auth type 1) on port %u, without TLS",
                         l->user, c->server_port);
            diag_frame(f, l->frame);
        }
        /* A refusal followed by an accepted login in the same session did
         * not stop it. */
        if (accepted_after(r, k))
            continue;
        int not_offered = r->methods_known && !offered(r, l->auth_type);
        if (l->outcome == DIAG_REDIR_UNSUPPORTED ||
            (not_offered && l->outcome == DIAG_REDIR_REJECTED)) {
            unsupported(x, i, r, l);
            continue;
        }
        if (l->outcome != DIAG_REDIR_REJECTED)
            continue;
        switch (l->auth_type) {
        case REDIR_AUTH_DIGEST:
        case REDIR_AUTH_DIGEST_RFC2069:
            if (l->digest_start) {
                diag_finding *f = diag_add(x, i, DIAG_C_REDIR_LOGIN_REJECTED,
                                           "AMT answered the Digest start of user \"%s\" with "
                                           "FAILURE and no challenge",
                                           l->user);
                diag_frame(f, l->frame);
                diag_frame(f, l->reply_frame);
            } else {
                digest_rejected(x, i, l);
            }
            break;
        case REDIR_AUTH_KERBEROS: {
            diag_finding *f = diag_add(x, i, DIAG_C_NEGOTIATE_REJECTED,
                                       "AMT answered the Kerberos redirection login (a %u-byte "
                                       "ticket) with FAILURE",
                                       l->ticket_len);
            diag_frame(f, l->frame);
            diag_frame(f, l->reply_frame);
            break;
        }
        case REDIR_AUTH_USER_PASSWORD:
            password_rejected(x, i, l);
            break;
        default:
            break;
        }
    }
}

/* AMT listed its methods and the console left without trying one. */
static void gave_up(diag_ctx *x, size_t i, const diag_redir_facts *r)
{
    const diag_end *e = &diag_cr(x, i)->end;
    if (!r->methods_known || r->logins_seen || e->by != DIAG_CONSOLE || x->in->in_progress)
        return;
    GString *s = g_string_new(NULL);
    offered_text(r, s);
    diag_finding *f = diag_add(x, i, DIAG_C_REDIR_METHOD_NOT_SUPPORTED,
                               "AMT offered %s (frame %" G_GUINT64_FORMAT
                               ") and the console ended the connection without a login: it "
                               "takes none of them",
                               s->str, r->methods_frame);
    g_string_free(s, TRUE);
    f->confidence = DIAG_LIKELY;
    diag_frame(f, r->methods_frame);
    diag_frame(f, e->frame);
}

static int has_messages(const diag_redir_facts *r)
{
    return r && (r->messages[DIAG_CONSOLE] || r->messages[DIAG_AMT]);
}

/* The findings from first on are about the session of one channel of a
 * tunnel: their evidence begins by naming it. */
static void name_channel(diag_ctx *x, size_t i, guint first, const diag_redir_facts *r)
{
    GPtrArray *fs = diag_cr(x, i)->findings;
    for (guint k = first; k < fs->len; k++) {
        diag_finding *f = g_ptr_array_index(fs, k);
        char *e = g_strdup_printf("redirection session %u of the tunnel (in a channel to port %u, "
                                  "its first message in frame %" G_GUINT64_FORMAT "): %s",
                                  r->channel, r->channel_port, r->channel_frame, f->evidence);
        g_free(f->evidence);
        f->evidence = e;
    }
}

void diag_rules_redir(diag_ctx *x)
{
    for (size_t i = 0; i < x->n_conns; i++) {
        const diag_conn_facts *c = &x->conns[i];
        const diag_redir_facts *r = c->redir;
        if (has_messages(r)) {
            starts(x, i, r);
            logins(x, i, r);
            /* a session in a CIRA channel ends with its channel, not the
             * TCP connection (the tunnel's) */
            if (!diag_is_cira(c))
                gave_up(x, i, r);
        }
        /* a tunnel: each channel's session on its own */
        for (size_t k = 0; c->redir_chans && k < c->redir_chans->n; k++) {
            const diag_redir_facts *cr = c->redir_chans->chan[k];
            if (!has_messages(cr))
                continue;
            guint first = diag_cr(x, i)->findings->len;
            starts(x, i, cr);
            logins(x, i, cr);
            name_channel(x, i, first, cr);
        }
    }
}

int diag_redir_decide(const diag_conn_facts *c, diag_conn_result *cr)
{
    const diag_redir_facts *r = c->redir;
    int msgs = r && (r->messages[DIAG_CONSOLE] || r->messages[DIAG_AMT]);
    if (!msgs && !is_redir(diag_service(c)))
        return 0;
    if (!c->bytes[DIAG_CONSOLE] && !c->bytes[DIAG_AMT])
        return 0; /* TCP alone */
    if (!msgs) {
        /* Encrypted and not decrypted: past TLS, the session's outcome
         * stays unknown. */
        if (!(c->is_tls && !c->tls.decrypted && c->tls.app_records[DIAG_CONSOLE] &&
              c->tls.app_records[DIAG_AMT] && (c->tls.handshake_complete || c->midstream)))
            return 0;
        cr->stage = DIAG_STAGE_REDIR;
        cr->outcome = diag_has_error(cr) ? DIAG_OUTCOME_REJECTED : DIAG_OUTCOME_UNKNOWN;
        return 1;
    }
    cr->stage = DIAG_STAGE_REDIR;
    if (diag_has_error(cr))
        cr->outcome = DIAG_OUTCOME_REJECTED;
    else if (r->accepted_frame)
        cr->outcome = DIAG_OUTCOME_OK;
    else
        cr->outcome = DIAG_OUTCOME_UNKNOWN;
    return 1;
}
