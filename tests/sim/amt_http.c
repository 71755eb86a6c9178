/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fake AMT's HTTP/1.1 server: request framing, Digest login with AMT's
 * nonce policy, routing to WS-Man, EOI and the web page, and responses
 * with AMT's header order. References: RFC 7230/7231 (HTTP/1.1), RFC 2617
 * (Digest), INTEL-SA-00075 (CVE-2017-5689). */
#include "amt_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <openssl/crypto.h>
#include "amt_model.h"
#include "amt_negotiate.h"
#include "amt_service.h"
#include "http_digest.h"
#include "http_io.h"

/* Nonces remembered to tell a superseded one (stale="true") from one this
 * device never issued. */
#define NONCE_SLOTS 32
/* AMT's chunk sizes: 0x220 for the first chunk, 0x2FA after it. */
#define FIRST_CHUNK 0x220
#define CHUNK 0x2FA
#define NONCE_SALT UINT64_C(0x414d542d6e6f6e63) /* "AMT-nonc" */

typedef struct nonce_slot {
    char nonce[33];
    uint32_t last_nc; /* highest nc accepted, against replays */
} nonce_slot;

struct amt_http {
    amt_device_cfg cfg; /* deep copy: the caller's strings may go away */
    amt_model *model;
    digest_prng rng;
    nonce_slot nonces[NONCE_SLOTS];
    unsigned n_issued; /* the newest is nonces[(n_issued - 1) % NONCE_SLOTS] */
    amt_user krb_user; /* the console a Negotiate login let in (name owned) */
    GMutex lock;       /* connections of one device may be served on several threads */
};

static const char logon_failed_html[] =
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">\n"
    "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
    "<title>Intel&reg; Active Management Technology</title>"
    "<link rel=stylesheet href=/styles.css></head>\n"
    "<body><table class=header><tr><td><p class=top1>Intel<sup>&reg;</sup> Active Management "
    "Technology</p></td></tr></table>\n"
    "<h2 class=warn>Log on failed. Incorrect user name or password, or user account "
    "temporarily locked.</h2>\n"
    "<p><a href=\"/logon.htm\">Log on</a></p></body></html>\n";

static const char index_html[] =
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">\n"
    "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
    "<title>Intel&reg; Active Management Technology</title></head>\n"
    "<body><h1>Intel<sup>&reg;</sup> Active Management Technology</h1>\n"
    "<h2>System Status</h2><p>Power: On</p></body></html>\n";

/* ---- lifecycle ---- */

static char *dup_or(const char *s, const char *fallback)
{
    return g_strdup(s ? s : fallback);
}

amt_http *amt_http_new(const amt_device_cfg *cfg)
{
    amt_http *s = g_new0(amt_http, 1);
    s->cfg = *cfg;
    s->cfg.fw_version = dup_or(cfg->fw_version, "11.8.50.3425");
    s->cfg.realm = dup_or(cfg->realm, "Digest:A4070000000000000000000000000000");
    s->cfg.hostname = dup_or(cfg->hostname, "");
    s->cfg.domain = dup_or(cfg->domain, "");
    if (s->cfg.n_users > AMT_MAX_USERS)
        s->cfg.n_users = AMT_MAX_USERS;
    if (s->cfg.n_trusted_cn > AMT_MAX_TRUSTED_CN)
        s->cfg.n_trusted_cn = AMT_MAX_TRUSTED_CN;
    for (unsigned k = 0; k < AMT_MAX_USERS; k++) {
        s->cfg.users[k].name = k < s->cfg.n_users ? g_strdup(cfg->users[k].name) : NULL;
        s->cfg.users[k].password = k < s->cfg.n_users ? g_strdup(cfg->users[k].password) : NULL;
    }
    for (unsigned k = 0; k < AMT_MAX_TRUSTED_CN; k++)
        s->cfg.trusted_cn[k] = k < s->cfg.n_trusted_cn ? g_strdup(cfg->trusted_cn[k]) : NULL;
    s->cfg.krb_keytab = g_strdup(cfg->krb_keytab);
    if (s->cfg.n_krb_users > AMT_MAX_USERS)
        s->cfg.n_krb_users = AMT_MAX_USERS;
    for (unsigned k = 0; k < AMT_MAX_USERS; k++)
        s->cfg.krb_users[k] = k < s->cfg.n_krb_users ? g_strdup(cfg->krb_users[k]) : NULL;
    s->model = amt_model_new(&s->cfg);
    digest_prng_seed(&s->rng, cfg->seed, NONCE_SALT);
    g_mutex_init(&s->lock);
    return s;
}

void amt_http_free(amt_http *s)
{
    if (!s)
        return;
    amt_model_free(s->model);
    g_free((char *)s->cfg.fw_version);
    g_free((char *)s->cfg.realm);
    g_free((char *)s->cfg.hostname);
    g_free((char *)s->cfg.domain);
    for (unsigned k = 0; k < AMT_MAX_USERS; k++) {
        char *pw = (char *)s->cfg.users[k].password;
        if (pw)
            OPENSSL_cleanse(pw, strlen(pw));
        g_free(pw);
        g_free((char *)s->cfg.users[k].name);
    }
    for (unsigned k = 0; k < AMT_MAX_TRUSTED_CN; k++)
        g_free((char *)s->cfg.trusted_cn[k]);
    for (unsigned k = 0; k < AMT_MAX_USERS; k++)
        g_free((char *)s->cfg.krb_users[k]);
    g_free((char *)s->cfg.krb_keytab);
    g_free((char *)s->krb_user.name);
    g_mutex_clear(&s->lock);
    g_free(s);
}

/* ---- nonces and login ---- */

static const char *issue_nonce(amt_http *s)
{
    nonce_slot *slot = &s->nonces[s->n_issued++ % NONCE_SLOTS];
    digest_make_nonce(&s->rng, slot->nonce);
    slot->last_nc = 0;
    return slot->nonce;
}

static nonce_slot *find_nonce(amt_http *s, const char *nonce, int *current)
{
    unsigned n = s->n_issued < NONCE_SLOTS ? s->n_issued : NONCE_SLOTS;
    for (unsigned k = 0; k < n; k++) {
        unsigned idx = (s->n_issued - 1 - k) % NONCE_SLOTS;
        if (strcmp(s->nonces[idx].nonce, nonce) == 0) {
            *current = k == 0;
            return &s->nonces[idx];
        }
    }
    return NULL;
}

static const amt_user *find_user(const amt_http *s, const char *name)
{
    for (unsigned k = 0; name && k < s->cfg.n_users; k++)
        if (s->cfg.users[k].name && strcmp(s->cfg.users[k].name, name) == 0)
            return &s->cfg.users[k];
    return NULL;
}

typedef enum { AUTH_NONE, AUTH_OK, AUTH_FAILED, AUTH_STALE } auth_result;

/* nc is 8 hex digits (RFC 2617 3.2.2); shorter ones are taken too, since
 * nmap's CVE-2017-5689 probe sends nc=1 and AMT answered it. */
static int parse_nc(const char *nc, uint32_t *out)
{
    size_t len = nc ? strlen(nc) : 0;
    if (len == 0 || len > 8 || strspn(nc, "0123456789abcdefABCDEF") != len)
        return -1;
    *out = (uint32_t)g_ascii_strtoull(nc, NULL, 16);
    return 0;
}

/* The request-target check. nmap's CVE-2017-5689 probe sends uri="index.htm"
 * for "/index.htm" and vulnerable firmware still let it in, so that
 * firmware tolerates the missing slash. */
static int uri_matches(const amt_http *s, const char *uri, const char *target)
{
    if (strcmp(uri, target) == 0)
        return 1;
    return s->cfg.vulnerable_cve_2017_5689 && target[0] == '/' && uri[0] != '/' &&
           strcmp(uri, target + 1) == 0;
}

/* The response check. INTEL-SA-00075: the firmware compared only as many
 * characters as the client sent, so response="" (or any prefix) passed. */
static int response_matches(const amt_http *s, const char *expected, const char *got)
{
    size_t n = strlen(got);
    if (s->cfg.vulnerable_cve_2017_5689)
        return n <= 32 && g_ascii_strncasecmp(expected, got, n) == 0;
    return n == 32 && g_ascii_strncasecmp(expected, got, 32) == 0;
}

/* Whether AMT's Kerberos ACL lets principal in (an empty list: anyone). */
static int krb_user_allowed(const amt_http *s, const char *principal)
{
    for (unsigned k = 0; k < s->cfg.n_krb_users; k++)
        if (g_ascii_strcasecmp(s->cfg.krb_users[k], principal) == 0)
            return 1;
    return s->cfg.n_krb_users == 0;
}

/* A Negotiate login: MIT's acceptor decides; *reply gets the token AMT
 * sends back (the AP-REP, or with krb_error_token the KRB-ERROR). */
static auth_result negotiate(amt_http *s, const char *value, const amt_user **user, char **reply)
{
    if (!s->cfg.krb_keytab)
        return AUTH_FAILED; /* Kerberos is not configured: the 401 offers Digest only */
    amt_negotiate_result r;
    amt_negotiate_accept(value, &r);
    auth_result res = AUTH_FAILED;
    if (r.accepted && krb_user_allowed(s, r.client)) {
        g_free((char *)s->krb_user.name);
        s->krb_user.name = g_strdup(r.client);
        *user = &s->krb_user;
        *reply = r.reply;
        r.reply = NULL;
        res = AUTH_OK;
    } else if (!r.accepted && s->cfg.krb_error_token) {
        *reply = r.reply;
        r.reply = NULL;
    }
    amt_negotiate_result_clear(&r);
    return res;
}

static auth_result authenticate(amt_http *s, const http_head *h, const amt_user **user,
                                char **neg_reply)
{
    *user = NULL;
    *neg_reply = NULL;
    const char *value = http_head_get(h, "Authorization");
    if (!value)
        return AUTH_NONE;
    if (g_ascii_strncasecmp(value, "Negotiate", 9) == 0 && (value[9] == ' ' || !value[9]))
        return negotiate(s, value, user, neg_reply);
    digest_params p;
    if (digest_params_parse(value, &p) != 0)
        return AUTH_FAILED;
    auth_result res = AUTH_FAILED;
    const char *username = digest_param(&p, "username");
    const char *realm = digest_param(&p, "realm");
    const char *nonce = digest_param(&p, "nonce");
    const char *uri = digest_param(&p, "uri");
    const char *response = digest_param(&p, "response");
    const char *qop = digest_param(&p, "qop");
    const char *nc = digest_param(&p, "nc");
    const char *cnonce = digest_param(&p, "cnonce");
    const char *algorithm = digest_param(&p, "algorithm");
    const amt_user *u = find_user(s, username);
    uint32_t nc_value;
    int current = 0;
    nonce_slot *slot = nonce ? find_nonce(s, nonce, &current) : NULL;
    /* AMT insists on qop=auth (AMT_AuthorizationService.AllowHttpQopAuthOnly) */
    if (!u || !realm || strcmp(realm, s->cfg.realm) != 0 || !uri ||
        !uri_matches(s, uri, h->target) || !response || !slot || !qop || strcmp(qop, "auth") != 0 ||
        parse_nc(nc, &nc_value) != 0 || !cnonce ||
        (algorithm && g_ascii_strcasecmp(algorithm, "MD5") != 0))
        goto out;
    char expected[33];
    digest_response(u->name, s->cfg.realm, u->password, h->method, uri, nonce, nc, cnonce, qop,
                    expected);
    int ok = response_matches(s, expected, response);
    OPENSSL_cleanse(expected, sizeof expected);
    if (!ok)
        goto out;
    /* RFC 2617: stale only when the digest itself was right for that nonce */
    if (!current) {
        res = AUTH_STALE;
        goto out;
    }
    if (nc_value <= slot->last_nc)
        goto out; /* a replayed request */
    slot->last_nc = nc_value;
    *user = u;
    res = AUTH_OK;
out:
    digest_params_clear(&p);
    return res;
}

/* ---- responses ---- */

typedef struct out_msg {
    int status;
    GString *head; /* status line and headers, through the blank line */
    GString *body; /* NULL: none */
    int chunked;
    int close;
} out_msg;

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Request Entity Too Large";
    case 500:
        return "Internal Server Error";
    default:
        return "Error";
    }
}

static void server_header(const amt_http *s, GString *o)
{
    g_string_append_printf(o, "Server: Intel(R) Active Management Technology %s\r\n",
                           s->cfg.fw_version);
}

static void date_header(GString *o, int64_t amt_now);

/* AMT's 401: WWW-Authenticate, Content-Type, Server, Content-Length,
 * Connection: close; no Date without Kerberos. A fresh nonce every time. With Kerberos,
 * Negotiate is offered first (with neg_reply, the acceptor's token) and
 * the Date header tells AMT's clock. */
static void msg_401(amt_http *s, out_msg *o, int stale, const char *neg_reply, int64_t amt_now)
{
    const char *nonce = issue_nonce(s);
    o->status = 401;
    o->head = g_string_new("HTTP/1.1 401 Unauthorized\r\n");
    if (s->cfg.krb_keytab) {
        date_header(o->head, amt_now);
        g_string_append_printf(o->head, "WWW-Authenticate: Negotiate%s%s\r\n", neg_reply ? " " : "",
                               neg_reply ? neg_reply : "");
    }
    /* sic: no space after the commas before stale and qop, as AMT writes it */
    g_string_append_printf(o->head,
                           "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\",stale=\"%s\","
                           "qop=\"auth\"\r\n",
                           s->cfg.realm, nonce, stale ? "true" : "false");
    g_string_append(o->head, "Content-Type: text/html\r\n");
    server_header(s, o->head);
    g_string_append_printf(o->head, "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                           sizeof logon_failed_html - 1);
    o->body = g_string_new(logon_failed_html);
    o->close = 1;
}

/* Errors before or outside a login: the same shape as the 401. */
static void msg_error(amt_http *s, out_msg *o, int status, int close)
{
    o->status = status;
    o->head = g_string_new(NULL);
    o->body = g_string_new(NULL);
    g_string_printf(o->body,
                    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">\n"
                    "<html><head><title>Intel&reg; Active Management Technology</title></head>"
                    "<body><h2 class=warn>%d %s</h2></body></html>\n",
                    status, reason_phrase(status));
    g_string_printf(o->head, "HTTP/1.1 %d %s\r\n", status, reason_phrase(status));
    g_string_append(o->head, "Content-Type: text/html\r\n");
    server_header(s, o->head);
    if (status == 405)
        g_string_append(o->head, "Allow: GET, POST\r\n");
    g_string_append_printf(o->head, "Content-Length: %zu\r\n", o->body->len);
    if (close)
        g_string_append(o->head, "Connection: close\r\n");
    g_string_append(o->head, "\r\n");
    o->close = close;
}

static void date_header(GString *o, int64_t amt_now)
{
    char date[32];
    http_format_date(amt_now, date);
    g_string_append_printf(o, "Date: %s\r\n", date);
}

/* SOAP replies: Date, Server, X-Frame-Options, Content-Type,
 * Transfer-Encoding: chunked[, Connection: close]. */
static void msg_soap(amt_http *s, out_msg *o, amt_reply *r, int64_t amt_now)
{
    o->status = r->status;
    o->head = g_string_new(NULL);
    g_string_printf(o->head, "HTTP/1.1 %d %s\r\n", r->status, reason_phrase(r->status));
    date_header(o->head, amt_now);
    server_header(s, o->head);
    g_string_append_printf(o->head,
                           "X-Frame-Options: DENY\r\nContent-Type: %s\r\n"
                           "Transfer-Encoding: chunked\r\n",
                           r->content_type);
    if (r->close)
        g_string_append(o->head, "Connection: close\r\n");
    g_string_append(o->head, "\r\n");
    o->body = r->body;
    r->body = NULL;
    o->chunked = 1;
    o->close = r->close;
}

/* The web UI's front page, with the headers AMT sends for it. */
static void msg_index(amt_http *s, out_msg *o, int64_t amt_now)
{
    o->status = 200;
    o->head = g_string_new("HTTP/1.1 200 OK\r\n");
    date_header(o->head, amt_now);
    server_header(s, o->head);
    g_string_append(o->head, "Content-Type: text/html\r\nTransfer-Encoding: chunked\r\n"
                             "Cache-Control: no cache\r\n"
                             "Expires: Thu, 26 Oct 1995 00:00:00 GMT\r\n\r\n");
    o->body = g_string_new(index_html);
    o->chunked = 1;
}

static int send_msg(simio *io, out_msg *o)
{
    int rc = simio_write(io, o->head->str, o->head->len);
    if (rc == 0 && o->body) {
        if (o->chunked)
            rc = http_write_chunked(io, o->body->str, o->body->len, FIRST_CHUNK, CHUNK);
        else if (o->body->len)
            rc = simio_write(io, o->body->str, o->body->len);
    }
    g_string_free(o->head, TRUE);
    if (o->body)
        g_string_free(o->body, TRUE);
    o->head = o->body = NULL;
    return rc;
}

/* ---- requests ---- */

static char *request_path(const char *target)
{
    return g_strndup(target, strcspn(target, "?"));
}

/* Decides the answer to one complete request. Runs under the lock. */
static void handle(amt_http *s, const http_head *h, const char *body, size_t len, int64_t capture_s,
                   out_msg *o)
{
    int64_t amt_now = amt_model_clock(s->model, capture_s);
    char *path = request_path(h->target);
    int is_post = strcmp(h->method, "POST") == 0;
    int is_get = strcmp(h->method, "GET") == 0;
    const amt_user *user = NULL;
    char *neg_reply = NULL;
    auth_result auth = authenticate(s, h, &user, &neg_reply);
    amt_reply r = {0};
    if (auth == AUTH_NONE && is_post && strcmp(path, "/wsman") == 0 &&
        amt_wsman_is_identify(body, len)) {
        /* DSP0217: Identify is answered before any login */
        amt_wsman_handle(s->model, NULL, body, len, capture_s, &r);
        msg_soap(s, o, &r, amt_now);
    } else if (auth != AUTH_OK) {
        msg_401(s, o, auth == AUTH_STALE, neg_reply, amt_now);
    } else if (is_post && strcmp(path, "/wsman") == 0) {
        amt_wsman_handle(s->model, user, body, len, capture_s, &r);
        msg_soap(s, o, &r, amt_now);
    } else if (is_post && s->cfg.eoi && amt_eoi_is_service(path)) {
        amt_eoi_handle(s->model, path, body, len, &r);
        msg_soap(s, o, &r, amt_now);
    } else if (is_get && (strcmp(path, "/") == 0 || strcmp(path, "/index.htm") == 0)) {
        msg_index(s, o, amt_now);
    } else if (!is_get && !is_post) {
        /* close as well: a HEAD client would not expect this body */
        msg_error(s, o, 405, 1);
    } else {
        msg_error(s, o, 404, 0);
    }
    /* A Negotiate login's mutual authentication: AMT's AP-REP goes back
     * with the answer (RFC 4559 5) */
    if (auth == AUTH_OK && neg_reply && o->status != 401) {
        char *line = g_strdup_printf("WWW-Authenticate: Negotiate %s\r\n", neg_reply);
        g_string_insert(o->head, (gssize)o->head->len - 2, line);
        g_free(line);
    }
    g_free(neg_reply);
    amt_reply_clear(&r);
    g_free(path);
}

/* Answers a request that could not be read, then gives up the connection. */
static int reject(amt_http *s, simio *io, int status)
{
    out_msg o = {0};
    msg_error(s, &o, status, 1);
    send_msg(io, &o);
    return -1;
}

int amt_http_serve(amt_http *s, simio *io)
{
    http_reader rd;
    http_reader_init(&rd, io);
    rd.max_head = s->cfg.max_head;
    for (;;) {
        http_head h;
        int rc = http_read_head(&rd, 1, &h);
        if (rc == HTTP_MSG_EOF)
            return 0;
        if (rc == HTTP_MSG_EIO)
            return -1;
        if (rc != HTTP_MSG_OK) {
            /* a head past AMT's limit is answered 400 like a malformed one */
            if (rc == HTTP_MSG_TOO_BIG && h.method && s->cfg.on_answer)
                s->cfg.on_answer(s->cfg.on_answer_arg, h.method, h.target, 400);
            http_head_clear(&h);
            return reject(s, io, 400);
        }
        /* RFC 7230 5.4: an HTTP/1.1 request without Host is a 400 */
        http_body_kind kind;
        uint64_t length;
        if ((h.minor_version >= 1 && !http_head_get(&h, "Host")) ||
            http_body_framing(&h, NULL, &kind, &length) != HTTP_MSG_OK) {
            http_head_clear(&h);
            return reject(s, io, 400);
        }
        char *body = NULL;
        size_t len = 0;
        rc = http_read_body(&rd, kind, length, HTTP_MAX_BODY, &body, &len);
        if (rc != HTTP_MSG_OK) {
            http_head_clear(&h);
            if (rc == HTTP_MSG_EIO)
                return -1;
            return reject(s, io, rc == HTTP_MSG_TOO_BIG ? 413 : 400);
        }
        int peer_closes =
            http_head_has_token(&h, "Connection", "close") ||
            (h.minor_version == 0 && !http_head_has_token(&h, "Connection", "keep-alive"));
        int64_t capture_s = simio_now_us(io) / G_USEC_PER_SEC;
        out_msg o = {0};
        g_mutex_lock(&s->lock);
        handle(s, &h, body, len, capture_s, &o);
        g_mutex_unlock(&s->lock);
        free(body);
        if (s->cfg.on_answer)
            s->cfg.on_answer(s->cfg.on_answer_arg, h.method, h.target, o.status);
        http_head_clear(&h);
        /* RFC 7230 6.6: confirm the close the client asked for */
        if (peer_closes && !o.close)
            g_string_insert(o.head, (gssize)o.head->len - 2, "Connection: close\r\n");
        int close = o.close;
        if (close || peer_closes)
            simio_hold_until_close(io);
        if (send_msg(io, &o) != 0)
            return -1;
        if (close || peer_closes)
            return 0;
    }
}
