/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-auth: AMT's HTTP login, followed across TCP connections. AMT sends
 * Connection: close with every 401, so a challenge and the credentials
 * answering it sit in different conversations: challenges are found again
 * by server address + nonce, and each AMT keeps a short history of its
 * login exchanges, in maps that live as long as the capture file.
 * Requests are paired with responses by HTTP's own pairing, else by the
 * conversation's last request. Why a login failed is lib's decision: the
 * history is handed to its rules (iamt-diag), never judged here.
 * RFC 7616 (Digest), RFC 4559 (Negotiate). */
#include "iamt-auth.h"

#include <epan/to_str.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <string.h>

#include "amtdiag/http_auth.h"
#include "iamt-diag.h"
#include "iamt-late.h"
#include "iamt-passwords.h"
#include "iamt-text.h"

/* Login exchanges per AMT handed to the rules: enough for the stale-nonce
 * and lock-out rules (3 failures in 10 minutes), bounded for long captures. */
#define HISTORY_MAX 32
/* Challenges per WWW-Authenticate (AMT offers Digest, sometimes Negotiate). */
#define CHALLENGES_MAX 4

static int proto_iamt = -1;
static int hf_auth_scheme = -1;
static int hf_auth_username = -1;
static int hf_auth_realm = -1;
static int hf_auth_nonce = -1;
static int hf_auth_uri = -1;
static int hf_auth_qop = -1;
static int hf_auth_nc = -1;
static int hf_auth_stale = -1;
static int hf_auth_outcome = -1;
static int hf_auth_cause = -1;
static int hf_auth_challenge_in = -1;
static gint ett_auth = -1;

/* What a login item shows of one set of credentials or one challenge:
 * the parser's values as they are shown (bounded, valid UTF-8, file
 * scope; NULL when absent or empty), kept by the first pass so that no
 * pass parses the header again. */
typedef struct auth_shown {
    const char *scheme, *user, *realm, *nonce, *uri, *qop, *nc;
    http_auth_stale stale;
} auth_shown;

/* A request as the login rules need it (file scope). */
typedef struct login_req {
    guint32 frame;
    const char *method, *uri, *authorization;
    const auth_shown *creds; /* the parsed Authorization, NULL when none */
    int empty_response;      /* its response="" */
} login_req;

/* The login history of one AMT: a ring of exchanges, oldest first from
 * next once full. */
typedef struct amt_server {
    diag_exchange *ring[HISTORY_MAX];
    guint n, next;
} amt_server;

/* How a response ended a login (iamt.auth.outcome). */
enum { OUTCOME_CHALLENGE, OUTCOME_ACCEPTED, OUTCOME_REJECTED };
static const value_string outcome_vals[] = {{OUTCOME_CHALLENGE, "challenge"},
                                            {OUTCOME_ACCEPTED, "accepted"},
                                            {OUTCOME_REJECTED, "rejected"},
                                            {0, NULL}};

/* What the first pass decided about one message, shown on every pass
 * (file scope): a later pass may have no tree to read the headers from. */
struct iamt_auth_view {
    int is_request;
    const auth_shown *creds;      /* a request's credentials */
    guint32 challenge_in;         /* a request: the 401 that issued its nonce */
    guint status;                 /* a response's status code */
    const char *www_authenticate; /* a 401's challenges */
    const auth_shown *challenges; /* parsed from it */
    size_t n_challenges;
    int outcome;        /* a response: OUTCOME_* */
    const char *scheme; /* of the credentials the response answers */
    const char *user;
    iamt_findings findings;
};

static wmem_map_t *servers;  /* server address → amt_server */
static wmem_map_t *nonces;   /* "address nonce" → frame of the 401 */
static wmem_map_t *requests; /* request frame → login_req */

static const char *file_copy(const char *s)
{
    return s ? iamt_text(wmem_file_scope(), s, IAMT_TEXT_MAX) : NULL;
}

static gboolean parse_credentials(const char *value, http_auth *cr)
{
    return value && http_auth_parse_credentials(value, strlen(value), cr) == 0;
}

/* A parsed value as shown: NULL when empty. */
static const char *shown_copy(const char *s)
{
    return *s ? file_copy(s) : NULL;
}

static void keep_shown(auth_shown *out, const http_auth *a)
{
    out->scheme = shown_copy(a->scheme_name);
    out->user = shown_copy(a->username);
    out->realm = shown_copy(a->realm);
    out->nonce = shown_copy(a->nonce);
    out->uri = shown_copy(a->uri);
    out->qop = shown_copy(a->qop);
    out->nc = shown_copy(a->nc);
    out->stale = a->stale;
}

static size_t parse_challenges(const char *value, http_auth *ch)
{
    if (!value)
        return 0;
    size_t n = http_auth_parse_challenges(value, strlen(value), ch, CHALLENGES_MAX);
    return n > CHALLENGES_MAX ? CHALLENGES_MAX : n;
}

static const char *nonce_key(wmem_allocator_t *scope, const address *server, const char *nonce)
{
    return wmem_strdup_printf(scope, "%s %s", address_to_str(scope, server), nonce);
}

static guint address_hash(gconstpointer a)
{
    return add_address_to_hash(0, a);
}

static gboolean address_equal(gconstpointer a, gconstpointer b)
{
    return addresses_equal(a, b);
}

static amt_server *server_of(const address *addr)
{
    amt_server *s = wmem_map_lookup(servers, addr);
    if (!s) {
        s = wmem_new0(wmem_file_scope(), amt_server);
        address *key = wmem_new(wmem_file_scope(), address);
        copy_address_wmem(wmem_file_scope(), key, addr);
        wmem_map_insert(servers, key, s);
    }
    return s;
}

static void history_add(amt_server *s, diag_exchange *e)
{
    s->ring[s->next] = e;
    s->next = (s->next + 1) % HISTORY_MAX;
    if (s->n < HISTORY_MAX)
        s->n++;
}

/* The history in order, as lib's rules read it. */
static diag_exchange *history_array(wmem_allocator_t *scope, const amt_server *s)
{
    diag_exchange *a = wmem_alloc_array(scope, diag_exchange, s->n);
    guint first = s->n < HISTORY_MAX ? 0 : s->next;
    for (guint i = 0; i < s->n; i++)
        a[i] = *s->ring[(first + i) % HISTORY_MAX];
    return a;
}

/* A request: remembered for its response; shown when it carries
 * credentials. */
static iamt_auth_view *track_request(packet_info *pinfo, const iamt_http_msg *msg, http_auth *cr)
{
    login_req *q = wmem_new0(wmem_file_scope(), login_req);
    q->frame = pinfo->num;
    q->method = file_copy(msg->method);
    q->uri = file_copy(msg->uri);
    q->authorization = file_copy(msg->authorization);
    wmem_map_insert(requests, GUINT_TO_POINTER(pinfo->num), q);
    conversation_t *conv = find_or_create_conversation(pinfo);
    conversation_add_proto_data(conv, proto_iamt, q);
    if (!parse_credentials(q->authorization, cr))
        return NULL;
    auth_shown *creds = wmem_new0(wmem_file_scope(), auth_shown);
    keep_shown(creds, cr);
    q->creds = creds;
    q->empty_response = (cr->present & HTTP_AUTH_P_RESPONSE) && !*cr->response;
    iamt_auth_view *v = wmem_new0(wmem_file_scope(), iamt_auth_view);
    v->is_request = 1;
    v->creds = creds;
    if (cr->scheme == HTTP_AUTH_DIGEST && *cr->nonce) {
        const char *key = nonce_key(pinfo->pool, &pinfo->dst, cr->nonce);
        v->challenge_in = GPOINTER_TO_UINT(wmem_map_lookup(nonces, key));
    }
    return v;
}

/* A response: the outcome of the login it answers, judged by lib's rules
 * when refused; shown when it is a 401 or answers credentials. */
static iamt_auth_view *track_response(packet_info *pinfo, const iamt_http_msg *msg)
{
    const login_req *q =
        msg->request_in ? wmem_map_lookup(requests, GUINT_TO_POINTER(msg->request_in)) : NULL;
    if (!q)
        q = conversation_get_proto_data(find_or_create_conversation(pinfo), proto_iamt);
    gboolean creds = q && q->creds;
    if (msg->status != 401 && !creds)
        return NULL;
    iamt_auth_view *v = wmem_new0(wmem_file_scope(), iamt_auth_view);
    v->status = msg->status;
    if (creds) {
        v->scheme = q->creds->scheme;
        v->user = q->creds->user;
        v->outcome = msg->status == 401 ? OUTCOME_REJECTED : OUTCOME_ACCEPTED;
    } else {
        v->outcome = OUTCOME_CHALLENGE;
    }
    if (msg->status == 401)
        v->www_authenticate = file_copy(msg->www_authenticate);
    if (v->www_authenticate) {
        /* not zeroed: the parser sets each entry it fills */
        http_auth *ch = wmem_alloc_array(pinfo->pool, http_auth, CHALLENGES_MAX);
        size_t n = parse_challenges(v->www_authenticate, ch);
        auth_shown *shown = n ? wmem_alloc0_array(wmem_file_scope(), auth_shown, n) : NULL;
        for (size_t i = 0; i < n; i++) {
            keep_shown(&shown[i], &ch[i]);
            if (ch[i].scheme == HTTP_AUTH_DIGEST && *ch[i].nonce)
                wmem_map_insert(nonces, nonce_key(wmem_file_scope(), &pinfo->src, ch[i].nonce),
                                GUINT_TO_POINTER(pinfo->num));
        }
        v->challenges = shown;
        v->n_challenges = n;
    }
    amt_server *s = server_of(&pinfo->src);
    diag_exchange *e = wmem_new0(wmem_file_scope(), diag_exchange);
    e->req_frame = q ? q->frame : 0;
    e->resp_frame = pinfo->num;
    e->resp_ts_us = (gint64)pinfo->abs_ts.secs * G_USEC_PER_SEC + pinfo->abs_ts.nsecs / 1000;
    e->method = q ? q->method : NULL;
    e->uri = q ? q->uri : NULL;
    e->authorization = q ? q->authorization : NULL;
    e->status = (int)msg->status;
    e->www_authenticate =
        v->www_authenticate ? v->www_authenticate : file_copy(msg->www_authenticate);
    e->date = file_copy(msg->date);
    history_add(s, e);
    /* A successful login with a real response tells nothing more; the rest
     * (a 401 to credentials, response="") goes to lib's rules. */
    gboolean empty = creds && q->empty_response;
    if (!creds || (msg->status < 400 && !empty))
        return v;
    size_t n_acc = 0;
    const diag_account *acc = iamt_passwords_accounts(pinfo->pool, &n_acc);
    v->findings = iamt_diag_judge(history_array(pinfo->pool, s), s->n, &pinfo->src, pinfo->srcport,
                                  "http-auth", e->req_frame, e->resp_frame, acc, n_acc);
    /* a login refused before AMT read it (a 400 to an oversized token);
     * a 200 to response="" was accepted, whatever it says of the firmware */
    if (v->findings.n && msg->status >= 400 && msg->status != 401)
        v->outcome = OUTCOME_REJECTED;
    return v;
}

/* s: a value as shown (auth_shown). */
static void add_str(proto_tree *tree, int hf, tvbuff_t *tvb, const char *s)
{
    if (!s || !*s)
        return;
    proto_item *it = proto_tree_add_string(tree, hf, tvb, 0, 0, s);
    proto_item_set_generated(it);
}

static void show_credentials(tvbuff_t *tvb, proto_tree *t, const auth_shown *cr,
                             const iamt_auth_view *v)
{
    add_str(t, hf_auth_scheme, tvb, cr->scheme);
    add_str(t, hf_auth_username, tvb, cr->user);
    add_str(t, hf_auth_realm, tvb, cr->realm);
    add_str(t, hf_auth_nonce, tvb, cr->nonce);
    add_str(t, hf_auth_uri, tvb, cr->uri);
    add_str(t, hf_auth_qop, tvb, cr->qop);
    add_str(t, hf_auth_nc, tvb, cr->nc);
    if (v->challenge_in) {
        proto_item *it = proto_tree_add_uint(t, hf_auth_challenge_in, tvb, 0, 0, v->challenge_in);
        proto_item_set_generated(it);
    }
}

static void show_challenges(tvbuff_t *tvb, proto_tree *t, const auth_shown *ch, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        add_str(t, hf_auth_scheme, tvb, ch[i].scheme);
        add_str(t, hf_auth_realm, tvb, ch[i].realm);
        add_str(t, hf_auth_nonce, tvb, ch[i].nonce);
        add_str(t, hf_auth_qop, tvb, ch[i].qop);
        if (ch[i].stale != HTTP_STALE_ABSENT) {
            proto_item *it =
                proto_tree_add_boolean(t, hf_auth_stale, tvb, 0, 0, ch[i].stale == HTTP_STALE_TRUE);
            proto_item_set_generated(it);
        }
    }
}

/* "Login challenge (Digest)", "Login rejected (Digest, user admin): cause". */
static void set_info(packet_info *pinfo, const iamt_auth_view *v)
{
    const auth_shown *ch = v->challenges;
    size_t n = v->n_challenges;
    wmem_strbuf_t *b = wmem_strbuf_new(pinfo->pool, NULL);
    if (v->outcome == OUTCOME_CHALLENGE) {
        wmem_strbuf_append(b, "Login challenge (");
        for (size_t i = 0; i < n; i++)
            wmem_strbuf_append_printf(b, "%s%s", i ? ", " : "", ch[i].scheme ? ch[i].scheme : "");
        wmem_strbuf_append(b, n ? ")" : "no scheme)");
    } else if (v->outcome == OUTCOME_REJECTED) {
        wmem_strbuf_append_printf(b, "Login rejected (%s", v->scheme ? v->scheme : "?");
        if (v->user)
            wmem_strbuf_append_printf(b, ", user %s", v->user);
        wmem_strbuf_append(b, ")");
        if (v->findings.n)
            wmem_strbuf_append_printf(b, ": %s", v->findings.f[0].cause->token);
    } else {
        /* Accepted: the WS-Man sentence stays; a finding is worth a mark. */
        for (size_t i = 0; i < v->findings.n; i++)
            col_append_fstr(pinfo->cinfo, COL_INFO, " [%s]", v->findings.f[i].cause->token);
        return;
    }
    /* HTTP fenced its first line; this sentence replaces it. */
    col_clear_fence(pinfo->cinfo, COL_INFO);
    col_add_str(pinfo->cinfo, COL_INFO, wmem_strbuf_get_str(b));
}

const iamt_auth_view *iamt_auth_track(packet_info *pinfo, const iamt_http_msg *msg)
{
    if (!msg->is_request)
        return track_response(pinfo, msg);
    /* not zeroed: the parser clears it */
    return track_request(pinfo, msg, wmem_new(pinfo->pool, http_auth));
}

void iamt_auth_show(tvbuff_t *tvb, packet_info *pinfo, iamt_tree_fn tree_of, void *ctx,
                    const iamt_auth_view *v)
{
    proto_item *login;
    proto_tree *t;
    if (v->is_request) {
        t = proto_tree_add_subtree_format(tree_of(ctx), tvb, 0, 0, ett_auth, &login,
                                          "Login: %s credentials",
                                          v->creds->scheme ? v->creds->scheme : "");
        proto_item_set_generated(login);
        show_credentials(tvb, t, v->creds, v);
        return;
    }
    t = proto_tree_add_subtree(tree_of(ctx), tvb, 0, 0, ett_auth, &login, "Login");
    proto_item_set_generated(login);
    show_challenges(tvb, t, v->challenges, v->n_challenges);
    const char *outcome = val_to_str_const((guint32)v->outcome, outcome_vals, "?");
    proto_item_append_text(login, ": %s", outcome);
    if (v->user) {
        add_str(t, hf_auth_username, tvb, v->user);
        proto_item_append_text(login, " (user %s)", v->user);
    }
    proto_item *it = proto_tree_add_uint(t, hf_auth_outcome, tvb, 0, 0, (guint32)v->outcome);
    proto_item_set_generated(it);
    iamt_diag_show(tvb, pinfo, t, hf_auth_cause, &v->findings);
    /* a console's Kerberos traffic after this 401 may say why it failed */
    iamt_late_show(tvb, pinfo, t, hf_auth_cause,
                   iamt_late_findings(pinfo, DIAG_STAGE_HTTP_AUTH, &v->findings));
    set_info(pinfo, v);
}

void iamt_auth_register(int proto, module_t *m)
{
    static hf_register_info hf[] = {
        {&hf_auth_scheme,
         {"Scheme", "iamt.auth.scheme", FT_STRING, BASE_NONE, NULL, 0x0,
          "Authentication scheme of a challenge or of credentials (Digest, Negotiate)", HFILL}},
        {&hf_auth_username,
         {"User", "iamt.auth.username", FT_STRING, BASE_NONE, NULL, 0x0,
          "User name of the credentials (on a response: of the credentials it answers)", HFILL}},
        {&hf_auth_realm,
         {"Realm", "iamt.auth.realm", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_nonce,
         {"Nonce", "iamt.auth.nonce", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_uri,
         {"Digest URI", "iamt.auth.uri", FT_STRING, BASE_NONE, NULL, 0x0,
          "uri= of the Digest credentials", HFILL}},
        {&hf_auth_qop, {"QoP", "iamt.auth.qop", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_nc,
         {"Nonce count", "iamt.auth.nc", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_stale,
         {"Stale", "iamt.auth.stale", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "stale= of a Digest challenge: true when the console's nonce had expired", HFILL}},
        {&hf_auth_outcome,
         {"Outcome", "iamt.auth.outcome", FT_UINT8, BASE_DEC, VALS(outcome_vals), 0x0,
          "challenge (401 without credentials), accepted, or rejected (401 to credentials)",
          HFILL}},
        {&hf_auth_cause,
         {"Cause", "iamt.auth.cause", FT_STRING, BASE_NONE, NULL, 0x0,
          "amtdiag cause token of a refused login (lib's rules), with its evidence under it",
          HFILL}},
        {&hf_auth_challenge_in,
         {"Challenge in", "iamt.auth.challenge_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
          "The 401 whose nonce these credentials answer (maybe in another connection)", HFILL}},
    };
    static gint *ett[] = {&ett_auth};

    proto_iamt = proto;
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    iamt_diag_register_causes(proto, "iamt", "http-auth", PI_SECURITY);
    iamt_passwords_register(m);
    servers =
        wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), address_hash, address_equal);
    nonces = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_str_hash, g_str_equal);
    requests =
        wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash, g_direct_equal);
}
