/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_redir_build: a redirection session's facts from its messages, in
 * capture order. AMT answers a Digest start with status FAILURE and a
 * challenge, and wrong credentials with FAILURE too: which one a reply is
 * depends on the request it answers, so the pairing is done here, once. */
#include "amtdiag/diag_redir.h"

#include <glib.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

#include "amtdiag/cursor.h"
#include "amtdiag/diag.h"

void diag_redir_init(diag_redir_facts *r)
{
    memset(r, 0, sizeof *r);
    r->start_status = r->feature_status = -1;
    r->bad_from = -1;
}

void diag_redir_clear(diag_redir_facts *r)
{
    OPENSSL_cleanse(r, sizeof *r);
    diag_redir_init(r);
}

static int side_ok(int from)
{
    return from == DIAG_CONSOLE || from == DIAG_AMT;
}

/* The pending login a reply answers: the last one not answered yet. */
static diag_redir_login *pending(diag_redir_facts *r)
{
    if (!r->n_logins)
        return NULL;
    diag_redir_login *l = &r->logins[r->n_logins - 1];
    return l->outcome == DIAG_REDIR_PENDING ? l : NULL;
}

/* A new login slot; the oldest goes when all are taken. */
static diag_redir_login *new_login(diag_redir_facts *r)
{
    r->logins_seen++;
    if (r->n_logins == DIAG_REDIR_LOGINS_MAX) {
        OPENSSL_cleanse(&r->logins[0], sizeof r->logins[0]);
        memmove(&r->logins[0], &r->logins[1], (DIAG_REDIR_LOGINS_MAX - 1) * sizeof r->logins[0]);
        r->n_logins--;
    }
    diag_redir_login *l = &r->logins[r->n_logins++];
    memset(l, 0, sizeof *l);
    l->status = -1;
    return l;
}

/* Type 1's password: after the user, one length byte and the text. It is
 * hashed and the copy wiped at once. */
static void hash_password(const uint8_t *msg, size_t len, diag_redir_login *l)
{
    amt_cur c = cur_make(msg, len);
    cur_skip(&c, 5);
    uint32_t data_len = cur_le32(&c);
    if (data_len < cur_left(&c))
        cur_limit(&c, data_len);
    size_t ulen = cur_u8(&c);
    cur_skip(&c, ulen);
    size_t plen = cur_u8(&c);
    const uint8_t *p = cur_take(&c, plen);
    if (c.err || !p)
        return;
    SHA256(p, plen, l->password_sha256);
    l->has_password = 1;
}

static void login_request(diag_redir_facts *r, uint64_t frame, const uint8_t *msg, size_t len)
{
    redir_auth a;
    if (redir_auth_parse(msg, len, &a) != 0)
        return;
    if (a.auth_type == REDIR_AUTH_QUERY) {
        if (!r->query_frame)
            r->query_frame = frame;
        return;
    }
    diag_redir_login *l = new_login(r);
    l->frame = frame;
    l->auth_type = a.auth_type;
    l->malformed = a.malformed;
    if (a.auth_type == REDIR_AUTH_USER_PASSWORD) {
        g_strlcpy(l->user, a.user, sizeof l->user);
        hash_password(msg, len, l);
    } else if (a.auth_type == REDIR_AUTH_KERBEROS) {
        l->ticket_len = a.ticket_len;
    } else if (a.auth_type == REDIR_AUTH_DIGEST || a.auth_type == REDIR_AUTH_DIGEST_RFC2069) {
        l->digest = a.digest;
        g_strlcpy(l->user, a.digest.username, sizeof l->user);
        l->digest_start = !(a.digest.present & HTTP_AUTH_P_RESPONSE);
    }
    if (r->challenge_frame) {
        l->challenge_frame = r->challenge_frame;
        memcpy(l->realm, r->realm, sizeof l->realm);
        memcpy(l->nonce, r->nonce, sizeof l->nonce);
        memcpy(l->qop, r->qop, sizeof l->qop);
    }
    OPENSSL_cleanse(&a, sizeof a);
}

static void login_reply(diag_redir_facts *r, uint64_t frame, const uint8_t *msg, size_t len)
{
    redir_auth a;
    if (redir_auth_parse(msg, len, &a) != 0)
        return;
    if (a.auth_type == REDIR_AUTH_QUERY) {
        r->methods_known = 1;
        r->methods_frame = frame;
        r->n_methods = MIN(a.n_methods, (size_t)DIAG_REDIR_METHODS_MAX);
        memcpy(r->methods, a.methods, r->n_methods);
        return;
    }
    diag_redir_login *l = pending(r);
    if (!l)
        return; /* the request is not in the capture */
    l->reply_frame = frame;
    l->status = a.status;
    int nonce = (a.digest.present & HTTP_AUTH_P_NONCE) != 0;
    switch (a.status) {
    case 0:
        l->outcome = DIAG_REDIR_ACCEPTED;
        if (!r->accepted_frame)
            r->accepted_frame = frame;
        break;
    case 1:
        l->outcome = l->digest_start && nonce ? DIAG_REDIR_CHALLENGE : DIAG_REDIR_REJECTED;
        break;
    case 2:
        l->outcome = DIAG_REDIR_UNSUPPORTED;
        break;
    default:
        l->outcome = DIAG_REDIR_OTHER;
    }
    /* A reply with a nonce is the challenge the next login answers. */
    if (nonce) {
        r->challenge_frame = frame;
        g_strlcpy(r->realm, a.digest.realm, sizeof r->realm);
        g_strlcpy(r->nonce, a.digest.nonce, sizeof r->nonce);
        g_strlcpy(r->qop, a.digest.qop, sizeof r->qop);
    }
    OPENSSL_cleanse(&a, sizeof a);
}

static void session_data(diag_redir_facts *r, uint64_t frame, int from, size_t n)
{
    if (!r->data_frame[from])
        r->data_frame[from] = frame;
    r->session_bytes[from] += n;
}

void diag_redir_message(diag_redir_facts *r, uint64_t frame, int from, const uint8_t *msg,
                        size_t len)
{
    if (!side_ok(from) || !msg || !len)
        return;
    r->messages[from]++;
    r->last_frame[from] = frame;
    r->last_type[from] = msg[0];
    amt_cur c = cur_make(msg, len);
    unsigned type = cur_u8(&c);
    unsigned status = cur_u8(&c); /* of the replies; 0 when absent */
    switch (type) {
    case REDIR_START_SESSION:
        if (len >= 8 && !r->start_frame) {
            r->start_frame = frame;
            r->session = redir_session_of_tag(msg + 4);
        }
        break;
    case REDIR_START_SESSION_REPLY:
        if (r->start_status < 0 && len >= 2) {
            r->start_status = (int)status;
            r->start_reply_frame = frame;
        }
        break;
    case REDIR_END_SESSION:
        if (!r->end_frame)
            r->end_frame = frame;
        break;
    case REDIR_AUTHENTICATE:
        login_request(r, frame, msg, len);
        break;
    case REDIR_AUTHENTICATE_REPLY:
        login_reply(r, frame, msg, len);
        break;
    case REDIR_START_SOL:
    case REDIR_START_IDER: /* KVM's start too */
        if (!r->feature_frame)
            r->feature_frame = frame;
        if (type == REDIR_START_IDER && r->session == REDIR_SESSION_KVM)
            r->raw[DIAG_CONSOLE] = 1;
        break;
    case REDIR_START_SOL_REPLY:
    case REDIR_START_IDER_REPLY:
        if (r->feature_status < 0 && len >= 2) {
            r->feature_status = (int)status;
            r->feature_reply_frame = frame;
        }
        if (type == REDIR_START_IDER_REPLY && r->session == REDIR_SESSION_KVM)
            r->raw[DIAG_AMT] = 1;
        break;
    case REDIR_SOL_DATA_TO_HOST:
    case REDIR_SOL_DATA_FROM_HOST:
        session_data(r, frame, from, len > 10 ? len - 10 : 0);
        break;
    case REDIR_IDER_COMMAND_WRITTEN:
    case REDIR_IDER_COMMAND_END_RESPONSE:
    case REDIR_IDER_GET_DATA_FROM_HOST:
    case REDIR_IDER_DATA_FROM_HOST:
    case REDIR_IDER_DATA_TO_HOST:
        session_data(r, frame, from, len);
        break;
    default:
        break;
    }
}

void diag_redir_raw(diag_redir_facts *r, uint64_t frame, int from, size_t len)
{
    if (side_ok(from) && len)
        session_data(r, frame, from, len);
}

void diag_redir_bad(diag_redir_facts *r, uint64_t frame, int from, uint8_t type)
{
    if (!side_ok(from) || r->bad_frame)
        return;
    r->bad_frame = frame;
    r->bad_from = from;
    r->bad_type = type;
}

int diag_redir_is_raw(const diag_redir_facts *r, int from)
{
    return side_ok(from) && r->raw[from];
}

redir_session diag_redir_session(const diag_redir_facts *r)
{
    return r->session;
}

const char *diag_redir_outcome_name(diag_redir_outcome o)
{
    static const char *const names[] = {"pending",  "challenge",   "accepted",
                                        "rejected", "unsupported", "other"};
    return (unsigned)o < G_N_ELEMENTS(names) ? names[o] : "?";
}

static const char *type_name(uint8_t t)
{
    const char *n = redir_auth_type_name(t);
    return n ? n : "an unknown method";
}

int diag_redir_summary(const diag_redir_facts *r, char *buf, size_t len)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%s session", redir_session_name(r->session));
    if (r->start_status > 0) {
        const char *st = redir_start_status_name((uint8_t)r->start_status);
        g_string_append_printf(s, " refused (%s)", st ? st : "unknown status");
    }
    if (r->methods_known) {
        g_string_append(s, "; AMT offers ");
        for (size_t k = 0; k < r->n_methods; k++)
            g_string_append_printf(s, "%s%s", k ? ", " : "", type_name(r->methods[k]));
        if (!r->n_methods)
            g_string_append(s, "no login method");
    }
    for (size_t k = 0; k < r->n_logins; k++) {
        const diag_redir_login *l = &r->logins[k];
        if (l->outcome == DIAG_REDIR_CHALLENGE)
            continue;
        g_string_append_printf(s, "; login %s%s%s: %s", type_name(l->auth_type),
                               l->user[0] ? " as " : "", l->user,
                               diag_redir_outcome_name(l->outcome));
    }
    if (r->feature_frame && r->session != REDIR_SESSION_UNKNOWN) {
        const char *name = redir_session_name(r->session);
        if (r->feature_status == 0)
            g_string_append_printf(s, "; %s started", name);
        else if (r->feature_status > 0)
            g_string_append_printf(s, "; %s refused (status %d)", name, r->feature_status);
        else
            g_string_append_printf(s, "; %s start not answered", name);
    }
    if (r->session_bytes[0] || r->session_bytes[1])
        g_string_append_printf(
            s, "; %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " bytes of session data",
            r->session_bytes[DIAG_CONSOLE], r->session_bytes[DIAG_AMT]);
    if (r->bad_frame)
        g_string_append_printf(
            s,
            "; frame %" G_GUINT64_FORMAT ": bytes from %s that are no redirection message (0x%02x)",
            r->bad_frame, r->bad_from == DIAG_AMT ? "AMT" : "the console", r->bad_type);
    int n = g_snprintf(buf, len, "%s", s->str);
    g_string_free(s, TRUE);
    return n;
}

void diag_redir_chans_init(diag_redir_chans *s)
{
    memset(s, 0, sizeof *s);
}

diag_redir_facts *diag_redir_chans_find(const diag_redir_chans *s, uint64_t key)
{
    for (size_t k = 0; k < s->n; k++)
        if (s->key[k] == key)
            return s->chan[k];
    return NULL;
}

int diag_redir_chans_full(const diag_redir_chans *s)
{
    return s->n >= DIAG_REDIR_CHANNELS_MAX;
}

diag_redir_facts *diag_redir_chans_add(diag_redir_chans *s, uint64_t key, uint32_t port,
                                       uint64_t frame, diag_redir_facts *storage)
{
    if (diag_redir_chans_full(s) || !storage) {
        /* keys grow with the order channels were opened: a smaller one is
         * a dropped channel seen before */
        if (!s->dropped || key > s->dropped_key) {
            if (!s->dropped)
                s->dropped_frame = frame;
            s->dropped++;
            s->dropped_key = key;
        }
        return NULL;
    }
    diag_redir_init(storage);
    storage->channel = (unsigned)s->n + 1;
    storage->channel_port = port;
    storage->channel_frame = frame;
    s->key[s->n] = key;
    s->chan[s->n++] = storage;
    return storage;
}
