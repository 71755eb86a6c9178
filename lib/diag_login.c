/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_login: the HTTP login to AMT, followed per AMT across connections.
 * AMT sends Connection: close with every 401, so a challenge and the
 * credentials that answer it live in different TCP connections: they are
 * linked by server and nonce. With --password the Digest response is
 * recomputed; without it, everything else that can be checked is. */
#include "diag_int.h"

#include <string.h>

#include "amtdiag/http_auth.h"

/* Failed logins for one user within this window suggest a lock-out. */
#define LOCKOUT_WINDOW_US (600LL * G_USEC_PER_SEC)
#define LOCKOUT_FAILURES 3

/* Copies of the challenge's values (g_free; NULL when absent): a fleet's
 * AMTs each keep a ring of these, so they take the values' size, not the
 * parser's maximum. */
typedef struct challenge {
    char *nonce, *realm, *qop;
    int negotiate; /* Negotiate was offered too */
    uint64_t frame;
} challenge;

/* Challenges kept per AMT: a console answers the newest ones. */
#define CHALLENGES_KEPT 16

/* One AMT's logins, as far as the connections judged so far show them. */
typedef struct login_state {
    challenge challenges[CHALLENGES_KEPT]; /* a ring, the newest at newest */
    unsigned n_challenges, newest;
    GHashTable *failures; /* user → GArray of int64 times within the window */
    GHashTable *lockouts; /* user → already flagged */
} server_state;

static void challenge_clear(challenge *c)
{
    g_free(c->nonce);
    g_free(c->realm);
    g_free(c->qop);
    memset(c, 0, sizeof *c);
}

void diag_login_state_free(struct login_state *s)
{
    if (!s)
        return;
    for (unsigned k = 0; k < CHALLENGES_KEPT; k++)
        challenge_clear(&s->challenges[k]);
    g_hash_table_destroy(s->failures);
    g_hash_table_destroy(s->lockouts);
    g_free(s);
}

static void times_free(gpointer p)
{
    g_array_free(p, TRUE);
}

/* AMT's state: in a CIRA tunnel AMT is the TCP client, and the logins of
 * the channels the MPS opened to it are its own. */
static server_state *server_of(diag_ctx *x, const diag_conn_facts *c)
{
    know_server *k =
        diag_know_server(x->k, c->family, diag_is_cira(c) ? c->client_addr : c->server_addr);
    if (!k->login) {
        server_state *s = g_new0(server_state, 1);
        s->failures = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, times_free);
        s->lockouts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        k->login = s;
    }
    return k->login;
}

/* Records the Digest challenges of a 401; returns the Digest one's stale. */
static http_auth_stale record_challenge(server_state *s, const diag_exchange *e)
{
    if (!e->www_authenticate)
        return HTTP_STALE_ABSENT;
    http_auth ch[4];
    size_t n = http_auth_parse_challenges(e->www_authenticate, strlen(e->www_authenticate), ch, 4);
    if (n > 4)
        n = 4;
    challenge c = {.frame = e->resp_frame};
    http_auth_stale stale = HTTP_STALE_ABSENT;
    int digest = 0;
    for (size_t k = 0; k < n; k++) {
        if (ch[k].scheme == HTTP_AUTH_NEGOTIATE)
            c.negotiate = 1;
        if (ch[k].scheme == HTTP_AUTH_DIGEST && !digest) {
            digest = 1;
            c.nonce = *ch[k].nonce ? g_strdup(ch[k].nonce) : NULL;
            c.realm = *ch[k].realm ? g_strdup(ch[k].realm) : NULL;
            c.qop = *ch[k].qop ? g_strdup(ch[k].qop) : NULL;
            stale = ch[k].stale;
        }
    }
    s->newest = (s->newest + 1) % CHALLENGES_KEPT;
    challenge_clear(&s->challenges[s->newest]);
    s->challenges[s->newest] = c;
    if (s->n_challenges < CHALLENGES_KEPT)
        s->n_challenges++;
    return stale;
}

static const challenge *find_nonce(const server_state *s, const char *nonce, int *newest)
{
    for (unsigned k = 0; k < s->n_challenges; k++) {
        const challenge *c = &s->challenges[(s->newest + CHALLENGES_KEPT - k) % CHALLENGES_KEPT];
        if (c->nonce && strcmp(c->nonce, nonce) == 0) {
            *newest = k == 0;
            return c;
        }
    }
    return NULL;
}

/* Whether a kept challenge offered Negotiate (the ring's entries are the
 * n_challenges up to newest, which is not slot 0 when fewer are kept). */
static int negotiate_offered(const server_state *s)
{
    for (unsigned k = 0; k < s->n_challenges; k++)
        if (s->challenges[(s->newest + CHALLENGES_KEPT - k) % CHALLENGES_KEPT].negotiate)
            return 1;
    return 0;
}

static void count_failure(diag_ctx *x, size_t i, server_state *s, const char *user,
                          const diag_exchange *e)
{
    GArray *t = g_hash_table_lookup(s->failures, user);
    if (!t) {
        t = g_array_new(FALSE, FALSE, sizeof(int64_t));
        g_hash_table_insert(s->failures, g_strdup(user), t);
    }
    int64_t now = e->resp_ts_us;
    /* Only failures within the window count: older ones are dropped, so a
     * user's list stays as short as the window holds. */
    guint old = 0;
    while (old < t->len && now - g_array_index(t, int64_t, old) > LOCKOUT_WINDOW_US)
        old++;
    g_array_remove_range(t, 0, old);
    g_array_append_val(t, now);
    unsigned recent = t->len;
    if (recent >= LOCKOUT_FAILURES && !g_hash_table_contains(s->lockouts, user)) {
        g_hash_table_add(s->lockouts, g_strdup(user));
        diag_finding *f = diag_add(x, i, DIAG_C_POSSIBLE_LOCKOUT,
                                   "%u failed logins for user \"%s\" within %lld minutes", recent,
                                   user, (long long)(LOCKOUT_WINDOW_US / G_USEC_PER_SEC / 60));
        diag_frame(f, e->resp_frame);
    }
}

diag_cause_id diag_digest_verdict(const http_auth *cr, const diag_digest_challenge *ch,
                                  const char *method, const char *uri, const diag_account *accounts,
                                  size_t n_accounts, GString *why)
{
    diag_inputs in = {.accounts = accounts, .n_accounts = n_accounts};
    return diag_digest_verdict_in(cr, ch, method, uri, &in, why);
}

diag_cause_id diag_digest_verdict_in(const http_auth *cr, const diag_digest_challenge *ch,
                                     const char *method, const char *uri, const diag_inputs *in,
                                     GString *why)
{
    const diag_account *accounts = in->accounts;
    size_t n_accounts = in->n_accounts;
    if (ch && ch->stale) {
        g_string_append_printf(why, "the console answered with a nonce%s; AMT said stale=\"true\"",
                               ch->replaced ? " AMT had since replaced" : "");
        return DIAG_C_DIGEST_STALE_NONCE;
    }
    if (ch && ch->realm && *ch->realm && strcmp(ch->realm, cr->realm) != 0) {
        g_string_append_printf(why,
                               "the console answered realm \"%s\" to a challenge with realm "
                               "\"%s\" (frame %" G_GUINT64_FORMAT ")",
                               cr->realm, ch->realm, ch->frame);
        return DIAG_C_DIGEST_REALM_MISMATCH;
    }
    if (uri && (cr->present & HTTP_AUTH_P_URI) && strcmp(cr->uri, uri) != 0) {
        g_string_append_printf(why, "uri=\"%s\" but the request line says %s", cr->uri, uri);
        return DIAG_C_DIGEST_URI_MISMATCH;
    }
    int want_qop = ch && ch->qop && *ch->qop;
    unsigned need = HTTP_AUTH_P_QOP | HTTP_AUTH_P_NC | HTTP_AUTH_P_CNONCE;
    if ((cr->flags & HTTP_AUTH_F_MALFORMED) || (want_qop && (cr->present & need) != need)) {
        g_string_append_printf(
            why, "%s%s%s%s", (cr->flags & HTTP_AUTH_F_MALFORMED) ? "the header is malformed; " : "",
            want_qop && !(cr->present & HTTP_AUTH_P_QOP) ? "qop missing; " : "",
            want_qop && !(cr->present & HTTP_AUTH_P_NC) ? "nc missing; " : "",
            want_qop && !(cr->present & HTTP_AUTH_P_CNONCE) ? "cnonce missing" : "");
        return DIAG_C_DIGEST_PARAMETER_ERROR;
    }
    const diag_account *acc = NULL;
    for (size_t k = 0; k < n_accounts && !acc; k++)
        if (accounts[k].user && strcmp(accounts[k].user, cr->username) == 0)
            acc = &accounts[k];
    if (acc) {
        http_digest_result r = http_digest_check(cr, method ? method : "POST", acc->password);
        if (r == HTTP_DIGEST_MISMATCH) {
            g_string_append_printf(
                why, "user \"%s\": the response is not the one the supplied password gives",
                cr->username);
            return DIAG_C_DIGEST_WRONG_PASSWORD;
        }
        if (r == HTTP_DIGEST_MATCH) {
            g_string_append_printf(why,
                                   "user \"%s\": the response matches the supplied password, yet "
                                   "AMT refused the login",
                                   cr->username);
            return DIAG_C_DIGEST_CORRECT_PASSWORD_REJECTED;
        }
        g_string_append_printf(why,
                               "user \"%s\": the response cannot be recomputed (algorithm %s, "
                               "qop %s)",
                               cr->username, *cr->algorithm ? cr->algorithm : "MD5",
                               *cr->qop ? cr->qop : "none");
        return DIAG_C_DIGEST_LOGIN_REJECTED;
    }
    if (n_accounts) {
        g_string_append_printf(why, "user \"%s\" is not among the accounts supplied (",
                               cr->username);
        for (size_t k = 0; k < n_accounts; k++)
            g_string_append_printf(why, "%s\"%s\"", k ? ", " : "", accounts[k].user);
        g_string_append_c(why, ')');
        return DIAG_C_DIGEST_UNKNOWN_USER;
    }
    g_string_append_printf(why, "user \"%s\" was refused; with this user's password (",
                           cr->username);
    diag_word_usage_for(why, in, DIAG_IN_PASSWORD, cr->username);
    g_string_append(why, ") the response can be checked");
    return DIAG_C_DIGEST_LOGIN_REJECTED;
}

/* A 401 answering Digest credentials: find the reason. */
static void digest_rejected(diag_ctx *x, size_t i, server_state *s, const diag_exchange *e,
                            const http_auth *cr, http_auth_stale stale)
{
    int newest = 0;
    const challenge *c = find_nonce(s, cr->nonce, &newest);
    diag_digest_challenge ch = {.stale = stale == HTTP_STALE_TRUE,
                                .replaced = c && !newest,
                                .realm = c ? c->realm : NULL,
                                .qop = c ? c->qop : NULL,
                                .frame = c ? c->frame : 0};
    GString *why = g_string_new(NULL);
    diag_cause_id id = diag_digest_verdict_in(cr, &ch, e->method, e->uri, x->in, why);
    if (id == DIAG_C_DIGEST_STALE_NONCE)
        g_string_append_printf(why, " (frame %" G_GUINT64_FORMAT ")", e->resp_frame);
    diag_finding *f = diag_add(x, i, id, "%s", why->str);
    g_string_free(why, TRUE);
    if (id == DIAG_C_DIGEST_REALM_MISMATCH)
        diag_frame(f, c->frame);
    diag_frame(f, e->req_frame);
    if (id != DIAG_C_DIGEST_URI_MISMATCH && id != DIAG_C_DIGEST_PARAMETER_ERROR &&
        id != DIAG_C_DIGEST_REALM_MISMATCH)
        diag_frame(f, e->resp_frame);
}

static void exchange(diag_ctx *x, size_t i, server_state *s, const diag_exchange *e)
{
    http_auth_stale stale = HTTP_STALE_ABSENT;
    if (e->status == 401)
        stale = record_challenge(s, e);
    if (!e->authorization)
        return;
    http_auth cr;
    if (http_auth_parse_credentials(e->authorization, strlen(e->authorization), &cr) != 0)
        return;
    if (cr.scheme == HTTP_AUTH_NEGOTIATE) {
        if (e->status < 200 || e->status >= 400)
            diag_krb_refused(x, i, e, negotiate_offered(s));
        return;
    }
    if (cr.scheme != HTTP_AUTH_DIGEST)
        return;
    if ((cr.present & HTTP_AUTH_P_RESPONSE) && !*cr.response &&
        !diag_has(diag_cr(x, i), DIAG_C_EMPTY_DIGEST_RESPONSE)) {
        diag_finding *f =
            diag_add(x, i, DIAG_C_EMPTY_DIGEST_RESPONSE, "user \"%s\" sent response=\"\"; AMT %s",
                     cr.username,
                     e->status >= 200 && e->status < 300
                         ? "ACCEPTED it: this firmware has CVE-2017-5689 (INTEL-SA-00075)"
                     : e->status == 401 ? "refused it (not vulnerable)"
                                        : "did not answer it");
        diag_frame(f, e->req_frame);
        diag_frame(f, e->resp_frame);
        if (e->status != 401)
            return;
    }
    if (e->status == 401) {
        if (*cr.response)
            digest_rejected(x, i, s, e, &cr, stale);
        if (stale != HTTP_STALE_TRUE)
            count_failure(x, i, s, cr.username, e);
    } else if (e->status >= 200 && e->status < 300) {
        g_hash_table_remove(s->failures, cr.username);
    }
}

/* A console that was challenged and never sent credentials to that AMT:
 * its last challenged connection says so, once what comes after it is
 * known (diag_know_conn learned it). */
static void never_answered(diag_ctx *x, size_t i, const server_state *s)
{
    const diag_conn_facts *c = &x->conns[i];
    const know_server *k = diag_know_server(x->k, c->family, c->server_addr);
    if (x->in->in_progress || k->credentials_sent || !k->has_last_challenge ||
        k->last_challenge_id != c->id)
        return;
    /* offered Kerberos: the console's KDC traffic may say why no token came */
    if (negotiate_offered(s) && diag_krb_no_token(x, i, k->last_challenge_frame))
        return;
    char addr[64];
    diag_addr_text(c->family, c->server_addr, addr, sizeof addr);
    diag_finding *f = diag_add(x, i, DIAG_C_NO_CREDENTIALS_SENT,
                               "AMT %s answered 401, and no request to it in the capture "
                               "carried credentials",
                               addr);
    diag_frame(f, k->last_challenge_frame);
}

void diag_rules_login(diag_ctx *x)
{
    for (size_t i = 0; i < x->n_conns; i++) {
        const diag_conn_facts *c = &x->conns[i];
        if (diag_is_cira(c) && !c->n_ex)
            continue;
        server_state *s = server_of(x, c);
        for (size_t k = 0; k < c->n_ex; k++)
            exchange(x, i, s, &c->ex[k]);
        never_answered(x, i, s);
    }
}
