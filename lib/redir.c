/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AMT redirection protocol: message names, framing and the login
 * messages. The lengths are those the open consoles agree on (see
 * docs/redirection.md for the table, its sources and where they differ). */
#include "amtdiag/redir.h"

#include "amtdiag/cursor.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static const struct {
    uint8_t type;
    const char *name;
} msg_names[] = {
    {REDIR_START_SESSION, "StartRedirectionSession"},
    {REDIR_START_SESSION_REPLY, "StartRedirectionSessionReply"},
    {REDIR_END_SESSION, "EndRedirectionSession"},
    {REDIR_AUTHENTICATE, "AuthenticateSession"},
    {REDIR_AUTHENTICATE_REPLY, "AuthenticateSessionReply"},
    {REDIR_START_SOL, "StartSOLRedirection"},
    {REDIR_START_SOL_REPLY, "StartSOLRedirectionReply"},
    {REDIR_END_SOL, "EndSOLRedirection"},
    {REDIR_END_SOL_REPLY, "EndSOLRedirectionReply"},
    {REDIR_SOL_KEEPALIVE_PING, "SOLKeepAlivePing"},
    {REDIR_SOL_KEEPALIVE_PONG, "SOLKeepAlivePong"},
    {REDIR_SOL_SETTINGS, "SOLSettings"},
    {REDIR_SOL_DATA_TO_HOST, "SOLDataToHost"},
    {REDIR_SOL_CONTROLS_FROM_HOST, "SOLControlsFromHost"},
    {REDIR_SOL_DATA_FROM_HOST, "SOLDataFromHost"},
    {REDIR_SOL_HEARTBEAT, "SOLHeartbeat"},
    {REDIR_START_IDER, "StartIDERRedirection"},
    {REDIR_START_IDER_REPLY, "StartIDERRedirectionReply"},
    {REDIR_END_IDER, "EndIDERRedirection"},
    {REDIR_END_IDER_REPLY, "EndIDERRedirectionReply"},
    {REDIR_IDER_KEEPALIVE_PING, "IDERKeepAlivePing"},
    {REDIR_IDER_KEEPALIVE_PONG, "IDERKeepAlivePong"},
    {REDIR_IDER_RESET_OCCURRED, "IDERResetOccurred"},
    {REDIR_IDER_RESET_OCCURRED_RESPONSE, "IDERResetOccurredResponse"},
    {REDIR_IDER_DISABLE_ENABLE_FEATURES, "IDERDisableEnableFeatures"},
    {REDIR_IDER_DISABLE_ENABLE_FEATURES_REPLY, "IDERDisableEnableFeaturesReply"},
    {REDIR_IDER_ERROR_OCCURRED, "IDERErrorOccurred"},
    {REDIR_IDER_HEARTBEAT, "IDERHeartbeat"},
    {REDIR_IDER_COMMAND_WRITTEN, "IDERCommandWritten"},
    {REDIR_IDER_COMMAND_END_RESPONSE, "IDERCommandEndResponse"},
    {REDIR_IDER_GET_DATA_FROM_HOST, "IDERGetDataFromHost"},
    {REDIR_IDER_DATA_FROM_HOST, "IDERDataFromHost"},
    {REDIR_IDER_DATA_TO_HOST, "IDERDataToHost"},
};

const char *redir_msg_name(uint8_t type)
{
    for (size_t i = 0; i < sizeof msg_names / sizeof msg_names[0]; i++)
        if (msg_names[i].type == type)
            return msg_names[i].name;
    return NULL;
}

redir_session redir_session_of_tag(const uint8_t tag[4])
{
    if (memcmp(tag, "SOL ", 4) == 0)
        return REDIR_SESSION_SOL;
    if (memcmp(tag, "IDER", 4) == 0)
        return REDIR_SESSION_IDER;
    if (memcmp(tag, "KVMR", 4) == 0)
        return REDIR_SESSION_KVM;
    return REDIR_SESSION_UNKNOWN;
}

const char *redir_session_name(redir_session s)
{
    switch (s) {
    case REDIR_SESSION_SOL:
        return "SOL";
    case REDIR_SESSION_IDER:
        return "IDE-R";
    case REDIR_SESSION_KVM:
        return "KVM";
    default:
        return "unknown";
    }
}

/* Length of a message whose header of hdr bytes ends in a length field of
 * width w at offset at: header plus that many bytes. */
static long with_length(const uint8_t *p, size_t avail, size_t hdr, size_t at, int w, size_t *need)
{
    if (avail < hdr) {
        *need = 0; /* the length is not known before the header is whole */
        return 0;
    }
    amt_cur c = cur_make(p, avail);
    cur_skip(&c, at);
    uint32_t n = w == 1 ? cur_u8(&c) : w == 2 ? cur_le16(&c) : cur_le32(&c);
    if (c.err || n > REDIR_MAX_MESSAGE - hdr)
        return -1;
    return (long)(hdr + n);
}

long redir_frame(const uint8_t *p, size_t avail, redir_session s, size_t *need)
{
    *need = 0;
    amt_cur c = cur_make(p, avail);
    unsigned type = cur_u8(&c);
    if (c.err)
        return 0;
    long n;
    switch (type) {
    case REDIR_START_SESSION:
        n = 8;
        break;
    case REDIR_START_SESSION_REPLY: /* 13 bytes, OEM data of the length in [12] */
        n = with_length(p, avail, 13, 12, 1, need);
        break;
    case REDIR_END_SESSION:
        n = 4;
        break;
    case REDIR_AUTHENTICATE:
    case REDIR_AUTHENTICATE_REPLY: /* 9-byte header, data length LE32 at [5] */
        n = with_length(p, avail, 9, 5, 4, need);
        break;
    case REDIR_START_SOL:
        n = 24;
        break;
    case REDIR_START_SOL_REPLY: /* 23 bytes, OEM data of the length in [22] */
        n = with_length(p, avail, 23, 22, 1, need);
        break;
    case REDIR_END_SOL:
    case REDIR_END_SOL_REPLY:
    case REDIR_SOL_KEEPALIVE_PING:
    case REDIR_SOL_KEEPALIVE_PONG:
    case REDIR_SOL_HEARTBEAT:
        n = 8;
        break;
    case REDIR_SOL_SETTINGS:
        n = 14;
        break;
    case REDIR_SOL_DATA_TO_HOST:
    case REDIR_SOL_DATA_FROM_HOST: /* sequence, then data length LE16 at [8] */
        n = with_length(p, avail, 10, 8, 2, need);
        break;
    case REDIR_SOL_CONTROLS_FROM_HOST:
        n = 10;
        break;
    case REDIR_START_IDER: /* KVM's start is 8 bytes, IDE-R's 18 */
        n = s == REDIR_SESSION_KVM ? 8 : 18;
        break;
    case REDIR_START_IDER_REPLY: /* KVM: 8 bytes, then the RFB stream; IDE-R: 30 + OEM [29] */
        n = s == REDIR_SESSION_KVM ? 8 : with_length(p, avail, 30, 29, 1, need);
        break;
    case REDIR_END_IDER:
    case REDIR_END_IDER_REPLY:
    case REDIR_IDER_KEEPALIVE_PING:
    case REDIR_IDER_KEEPALIVE_PONG:
    case REDIR_IDER_RESET_OCCURRED_RESPONSE:
    case REDIR_IDER_HEARTBEAT:
        n = 8;
        break;
    case REDIR_IDER_RESET_OCCURRED:
        n = 9;
        break;
    case REDIR_IDER_DISABLE_ENABLE_FEATURES: { /* sub-command 1 (query) has no value */
        amt_cur sub = cur_at(&c, 8);
        unsigned command = cur_u8(&sub);
        if (sub.err)
            return 0;
        n = command == 1 ? 9 : 13;
        break;
    }
    case REDIR_IDER_DISABLE_ENABLE_FEATURES_REPLY:
        n = 13;
        break;
    case REDIR_IDER_ERROR_OCCURRED:
        n = 11;
        break;
    case REDIR_IDER_COMMAND_WRITTEN: /* registers and a 12-byte CDB; data comes apart */
        n = 28;
        break;
    case REDIR_IDER_COMMAND_END_RESPONSE:
    case REDIR_IDER_GET_DATA_FROM_HOST:
        n = 31;
        break;
    case REDIR_IDER_DATA_FROM_HOST: /* length LE16 at [9], data from [14] */
        n = with_length(p, avail, 14, 9, 2, need);
        break;
    case REDIR_IDER_DATA_TO_HOST: /* length LE16 at [9], data from [34] */
        n = with_length(p, avail, 34, 9, 2, need);
        break;
    default:
        return -1;
    }
    if (n > 0 && (size_t)n > avail) {
        *need = (size_t)n;
        return 0;
    }
    return n;
}

const char *redir_start_status_name(uint8_t status)
{
    switch (status) {
    case 0:
        return "SUCCESS";
    case 1:
        return "TYPE_UNKNOWN";
    case 2:
        return "BUSY";
    case 3:
        return "UNSUPPORTED";
    case 0xFF:
        return "ERROR";
    default:
        return NULL;
    }
}

const char *redir_auth_status_name(uint8_t status)
{
    switch (status) {
    case 0:
        return "SUCCESS";
    case 1:
        return "FAILURE";
    case 2:
        return "NOT_SUPPORTED";
    default:
        return NULL;
    }
}

const char *redir_auth_type_name(uint8_t type)
{
    switch (type) {
    case REDIR_AUTH_QUERY:
        return "query";
    case REDIR_AUTH_USER_PASSWORD:
        return "user/password";
    case REDIR_AUTH_KERBEROS:
        return "Kerberos";
    case REDIR_AUTH_DIGEST_RFC2069:
        return "Digest (RFC 2069)";
    case REDIR_AUTH_DIGEST:
        return "Digest";
    default:
        return NULL;
    }
}

/* Reads one length-prefixed string into out (cut to out_len-1, then
 * flagged); returns -1 when it runs past the end. */
static int take_string(amt_cur *c, char *out, size_t out_len, int *cut)
{
    out[0] = '\0';
    size_t n = cur_u8(c);
    const uint8_t *s = cur_take(c, n);
    if (!s)
        return -1;
    size_t k = n < out_len - 1 ? n : out_len - 1;
    memcpy(out, s, k);
    out[k] = '\0';
    if (k < n || memchr(out, '\0', k))
        *cut = 1;
    return 0;
}

/* The Digest strings, in their order: console's request, AMT's challenge. */
static void parse_digest(amt_cur *c, redir_auth *a)
{
    http_auth *d = &a->digest;
    d->scheme = HTTP_AUTH_DIGEST;
    snprintf(d->scheme_name, sizeof d->scheme_name, "Digest");
    typedef struct {
        char *out;
        size_t len;
        unsigned bit;
    } dfield;
    dfield req[] = {{d->username, sizeof d->username, HTTP_AUTH_P_USERNAME},
                    {d->realm, sizeof d->realm, HTTP_AUTH_P_REALM},
                    {d->nonce, sizeof d->nonce, HTTP_AUTH_P_NONCE},
                    {d->uri, sizeof d->uri, HTTP_AUTH_P_URI},
                    {d->cnonce, sizeof d->cnonce, HTTP_AUTH_P_CNONCE},
                    {d->nc, sizeof d->nc, HTTP_AUTH_P_NC},
                    {d->response, sizeof d->response, HTTP_AUTH_P_RESPONSE},
                    {d->qop, sizeof d->qop, HTTP_AUTH_P_QOP}},
           rfc2069[] = {{d->username, sizeof d->username, HTTP_AUTH_P_USERNAME},
                        {d->realm, sizeof d->realm, HTTP_AUTH_P_REALM},
                        {d->nonce, sizeof d->nonce, HTTP_AUTH_P_NONCE},
                        {d->uri, sizeof d->uri, HTTP_AUTH_P_URI},
                        {d->response, sizeof d->response, HTTP_AUTH_P_RESPONSE}},
           challenge[] = {{d->realm, sizeof d->realm, HTTP_AUTH_P_REALM},
                          {d->nonce, sizeof d->nonce, HTTP_AUTH_P_NONCE},
                          {d->qop, sizeof d->qop, HTTP_AUTH_P_QOP}};
    const dfield *fields = req;
    size_t n = sizeof req / sizeof req[0];
    if (a->is_reply) {
        fields = challenge; /* RFC 2069's has no qop */
        n = a->auth_type == REDIR_AUTH_DIGEST_RFC2069 ? 2 : 3;
    } else if (a->auth_type == REDIR_AUTH_DIGEST_RFC2069) {
        fields = rfc2069;
        n = sizeof rfc2069 / sizeof rfc2069[0];
    }
    int cut = 0;
    for (size_t i = 0; i < n; i++) {
        if (cur_left(c) == 0 && a->is_reply)
            break; /* a bare reply (success, failure) has no strings */
        if (take_string(c, fields[i].out, fields[i].len, &cut) != 0) {
            a->malformed = 1;
            break;
        }
        /* An empty string is an absent parameter (the first request has
         * only the user and the URI). */
        if (fields[i].out[0])
            d->present |= fields[i].bit;
    }
    if (cut)
        d->flags |= HTTP_AUTH_F_TRUNCATED;
}

int redir_auth_parse(const uint8_t *p, size_t len, redir_auth *out)
{
    memset(out, 0, sizeof *out);
    amt_cur c = cur_make(p, len);
    unsigned type = cur_u8(&c), status = cur_u8(&c);
    cur_skip(&c, 2); /* reserved */
    out->auth_type = (uint8_t)cur_u8(&c);
    out->data_len = cur_le32(&c);
    if (c.err || (type != REDIR_AUTHENTICATE && type != REDIR_AUTHENTICATE_REPLY)) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    out->is_reply = type == REDIR_AUTHENTICATE_REPLY;
    out->status = out->is_reply ? (uint8_t)status : 0;
    /* the data is what the length says, or what there is of it */
    if (out->data_len < cur_left(&c))
        cur_limit(&c, out->data_len);
    else if (out->data_len > cur_left(&c))
        out->malformed = 1;
    switch (out->auth_type) {
    case REDIR_AUTH_QUERY:
        if (out->is_reply)
            while (cur_left(&c) > 0 && out->n_methods < sizeof out->methods)
                out->methods[out->n_methods++] = (uint8_t)cur_u8(&c);
        break;
    case REDIR_AUTH_USER_PASSWORD:
        if (!out->is_reply) {
            int cut = 0;
            if (take_string(&c, out->user, sizeof out->user, &cut) != 0)
                out->malformed = 1;
        }
        break;
    case REDIR_AUTH_KERBEROS:
        if (!out->is_reply)
            out->ticket_len = (uint32_t)cur_left(&c);
        break;
    case REDIR_AUTH_DIGEST_RFC2069:
    case REDIR_AUTH_DIGEST:
        parse_digest(&c, out);
        break;
    default:
        break;
    }
    return 0;
}

/* The strings of a Digest request or challenge that say who and which
 * challenge; the response hash is shown as HTTP shows Authorization. */
static void digest_text(const redir_auth *a, GString *s)
{
    const http_auth *d = &a->digest;
    if (d->username[0])
        g_string_append_printf(s, ", user %s", d->username);
    if (d->realm[0])
        g_string_append_printf(s, ", realm %s", d->realm);
    if (d->nonce[0])
        g_string_append_printf(s, ", nonce %s", d->nonce);
    if (d->response[0])
        g_string_append_printf(s, ", response %s", d->response);
    if (d->qop[0])
        g_string_append_printf(s, ", qop %s", d->qop);
}

static void auth_text(const uint8_t *p, size_t len, GString *s)
{
    redir_auth a;
    if (redir_auth_parse(p, len, &a) != 0)
        return;
    const char *type = redir_auth_type_name(a.auth_type);
    if (a.is_reply) {
        const char *st = redir_auth_status_name(a.status);
        g_string_append_printf(s, " %s", st ? st : "(unknown status)");
    }
    g_string_append_printf(s, " %s", type ? type : "(unknown method)");
    if (a.auth_type == REDIR_AUTH_QUERY && a.is_reply) {
        g_string_append(s, ":");
        for (size_t k = 0; k < a.n_methods; k++) {
            const char *m = redir_auth_type_name(a.methods[k]);
            g_string_append_printf(s, "%s %s", k ? "," : "", m ? m : "?");
        }
        if (!a.n_methods)
            g_string_append(s, " none");
    } else if (a.auth_type == REDIR_AUTH_USER_PASSWORD && !a.is_reply) {
        g_string_append_printf(s, ", user %s, password [in clear, not shown]", a.user);
    } else if (a.auth_type == REDIR_AUTH_KERBEROS && !a.is_reply) {
        g_string_append_printf(s, ", ticket %u bytes", a.ticket_len);
    } else if (a.auth_type == REDIR_AUTH_DIGEST || a.auth_type == REDIR_AUTH_DIGEST_RFC2069) {
        digest_text(&a, s);
    }
    if (a.malformed)
        g_string_append(s, " (malformed)");
}

int redir_msg_text(const uint8_t *p, size_t len, redir_session session, char *buf, size_t n)
{
    if (!p || !len)
        return snprintf(buf, n, "(empty)");
    const char *name = redir_msg_name(p[0]);
    GString *s = g_string_new(name ? name : "unknown message");
    if (!name)
        g_string_append_printf(s, " 0x%02x", p[0]);
    if (session == REDIR_SESSION_KVM &&
        (p[0] == REDIR_START_IDER || p[0] == REDIR_START_IDER_REPLY))
        g_string_assign(s, p[0] == REDIR_START_IDER ? "Start KVM (RFB follows)"
                                                    : "StartKVMReply (RFB follows)");
    switch (p[0]) {
    case REDIR_START_SESSION:
        if (len >= 8)
            g_string_append_printf(s, " %s", redir_session_name(redir_session_of_tag(p + 4)));
        break;
    case REDIR_START_SESSION_REPLY:
    case REDIR_START_SOL_REPLY:
    case REDIR_START_IDER_REPLY:
        if (len >= 2 && !(session == REDIR_SESSION_KVM && p[0] == REDIR_START_IDER_REPLY)) {
            const char *st = redir_start_status_name(p[1]);
            g_string_append_printf(s, " %s", st ? st : "(unknown status)");
            if (!st)
                g_string_append_printf(s, " %u", p[1]);
        }
        break;
    case REDIR_AUTHENTICATE:
    case REDIR_AUTHENTICATE_REPLY:
        auth_text(p, len, s);
        break;
    case REDIR_SOL_DATA_TO_HOST:
    case REDIR_SOL_DATA_FROM_HOST:
        g_string_append_printf(s, ", %zu bytes", len > 10 ? len - 10 : 0);
        break;
    default:
        if (p[0] >= REDIR_IDER_COMMAND_WRITTEN)
            g_string_append_printf(s, ", %zu bytes", len);
        break;
    }
    int r = snprintf(buf, n, "%s", s->str);
    g_string_free(s, TRUE);
    return r;
}
