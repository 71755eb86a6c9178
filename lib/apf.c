/* SPDX-License-Identifier: GPL-2.0-or-later */
/* APF (CIRA's protocol): message names, framing and field decoding. The
 * layouts are those Intel's LMS header and the two open MPSs agree on;
 * docs/cira.md has the table, the sources and where they differ (the
 * UserAuthFailure trailer, a REQUEST_SUCCESS with or without a port). */
#include "amtdiag/apf.h"

#include "amtdiag/cursor.h"

#include <glib.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

static const struct {
    uint8_t type;
    const char *name;
    uint8_t fixed_len; /* 0: variable */
} msgs[] = {
    {APF_DISCONNECT, "Disconnect", 7},
    {APF_SERVICE_REQUEST, "ServiceRequest", 0},
    {APF_SERVICE_ACCEPT, "ServiceAccept", 0},
    {APF_USERAUTH_REQUEST, "UserAuthRequest", 0},
    {APF_USERAUTH_FAILURE, "UserAuthFailure", 0},
    {APF_USERAUTH_SUCCESS, "UserAuthSuccess", 1},
    {APF_GLOBAL_REQUEST, "GlobalRequest", 0},
    {APF_REQUEST_SUCCESS, "RequestSuccess", 0},
    {APF_REQUEST_FAILURE, "RequestFailure", 1},
    {APF_CHANNEL_OPEN, "ChannelOpen", 0},
    {APF_CHANNEL_OPEN_CONFIRMATION, "ChannelOpenConfirmation", 17},
    {APF_CHANNEL_OPEN_FAILURE, "ChannelOpenFailure", 17},
    {APF_CHANNEL_WINDOW_ADJUST, "ChannelWindowAdjust", 9},
    {APF_CHANNEL_DATA, "ChannelData", 0},
    {APF_CHANNEL_CLOSE, "ChannelClose", 5},
    {APF_PROTOCOL_VERSION, "ProtocolVersion", 93},
    {APF_KEEPALIVE_REQUEST, "KeepAliveRequest", 5},
    {APF_KEEPALIVE_REPLY, "KeepAliveReply", 5},
    {APF_KEEPALIVE_OPTIONS_REQUEST, "KeepAliveOptionsRequest", 9},
    {APF_KEEPALIVE_OPTIONS_REPLY, "KeepAliveOptionsReply", 9},
    {APF_JSON_CONTROL, "JsonControl", 0},
};

static int msg_index(uint8_t type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(msgs); i++)
        if (msgs[i].type == type)
            return (int)i;
    return -1;
}

const char *apf_msg_name(uint8_t type)
{
    int i = msg_index(type);
    return i < 0 ? NULL : msgs[i].name;
}

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Moves *off past the length-prefixed field at *off whose bound is max.
 * Returns 1, 0 when its length is not there yet, -1 when it is absurd. */
static int skip_field(const uint8_t *p, size_t avail, size_t *off, uint32_t max)
{
    if (avail < *off + 4)
        return 0;
    uint32_t n = be32(p + *off);
    if (n > max)
        return -1;
    *off += 4 + (size_t)n;
    return 1;
}

/* Whether the string field at off (whole) is s. */
static int field_is(const uint8_t *p, size_t off, const char *s)
{
    size_t n = strlen(s);
    return be32(p + off) == n && memcmp(p + off + 4, s, n) == 0;
}

#define STEP(call)                                                                                 \
    do {                                                                                           \
        int r_ = (call);                                                                           \
        if (r_ < 0)                                                                                \
            return -1;                                                                             \
        if (r_ == 0) {                                                                             \
            *need = 0;                                                                             \
            return 0;                                                                              \
        }                                                                                          \
    } while (0)

/* The whole length of a variable message once its fields say it: sets
 * *total and returns 1, or returns 0 (*need 0) / -1 as apf_frame. */
static int variable_len(const uint8_t *p, size_t avail, const apf_frame_ctx *ctx, size_t *total,
                        size_t *need)
{
    size_t off = 1;
    switch (p[0]) {
    case APF_SERVICE_REQUEST:
    case APF_SERVICE_ACCEPT:
        STEP(skip_field(p, avail, &off, APF_MAX_STRING));
        break;
    case APF_JSON_CONTROL:
        STEP(skip_field(p, avail, &off, APF_MAX_DATA));
        break;
    case APF_USERAUTH_REQUEST: {
        STEP(skip_field(p, avail, &off, APF_MAX_STRING)); /* user */
        STEP(skip_field(p, avail, &off, APF_MAX_STRING)); /* service */
        size_t method = off;
        STEP(skip_field(p, avail, &off, APF_MAX_STRING));
        if (avail < off) {
            *need = 0;
            return 0;
        }
        if (field_is(p, method, "password")) {
            off += 1; /* FALSE: no new password follows */
            STEP(skip_field(p, avail, &off, APF_MAX_STRING));
        }
        break;
    }
    case APF_USERAUTH_FAILURE:
        STEP(skip_field(p, avail, &off, APF_MAX_STRING));
        off += 1; /* partial success */
        /* The open MPSs write the flag as 2 bytes; a 0x00 after it is
         * that second byte, as no message has type 0. */
        if (avail > off && p[off] == 0)
            off++;
        break;
    case APF_GLOBAL_REQUEST: {
        size_t name = off;
        STEP(skip_field(p, avail, &off, APF_MAX_STRING));
        if (avail < off) {
            *need = 0;
            return 0;
        }
        off += 1; /* want reply */
        if (field_is(p, name, "tcpip-forward") || field_is(p, name, "cancel-tcpip-forward")) {
            STEP(skip_field(p, avail, &off, APF_MAX_STRING));
            off += 4;
        } else if (field_is(p, name, "udp-send-to@amt.intel.com")) {
            STEP(skip_field(p, avail, &off, APF_MAX_STRING));
            off += 4;
            STEP(skip_field(p, avail, &off, APF_MAX_STRING));
            off += 4;
            STEP(skip_field(p, avail, &off, APF_MAX_DATA));
        }
        break;
    }
    case APF_REQUEST_SUCCESS: {
        int port = ctx ? ctx->success_has_port : -1;
        if (port < 0) {
            if (avail < 2) {
                *need = 0;
                return 0;
            }
            port = p[1] == 0;
        }
        off += port ? 4 : 0;
        break;
    }
    case APF_CHANNEL_OPEN:
        STEP(skip_field(p, avail, &off, APF_MAX_STRING)); /* channel type */
        off += 12;                                        /* sender, window, reserved */
        STEP(skip_field(p, avail, &off, APF_MAX_STRING)); /* target */
        off += 4;
        STEP(skip_field(p, avail, &off, APF_MAX_STRING)); /* origin */
        off += 4;
        break;
    case APF_CHANNEL_DATA:
        off += 4; /* recipient */
        STEP(skip_field(p, avail, &off, APF_MAX_DATA));
        break;
    default:
        return -1;
    }
    *total = off;
    return 1;
}

long apf_frame(const uint8_t *p, size_t avail, const apf_frame_ctx *ctx, size_t *need)
{
    size_t dummy;
    if (!need)
        need = &dummy;
    *need = 0;
    if (avail == 0)
        return 0;
    if (p[0] == 0)
        return ctx && ctx->after_auth_failure ? 1 : -1;
    int i = msg_index(p[0]);
    if (i < 0)
        return -1;
    size_t total = msgs[i].fixed_len;
    if (!total) {
        int r = variable_len(p, avail, ctx, &total, need);
        if (r <= 0)
            return r;
    }
    if (avail < total) {
        *need = total;
        return 0;
    }
    return (long)total;
}

/* Copies a length-prefixed string out of c into out (cut, marked). */
static void read_str(amt_cur *c, char out[APF_STR_MAX], apf_msg *m)
{
    amt_cur s = cur_vec4(c);
    size_t n = cur_left(&s);
    if (n > APF_STR_MAX - 1) {
        n = APF_STR_MAX - 1;
        m->truncated = 1;
    }
    cur_copy(&s, out, n);
    out[n] = 0;
}

static void parse_global(amt_cur *c, apf_msg *m)
{
    read_str(c, m->name, m);
    m->want_reply = cur_u8(c) != 0;
    if (!strcmp(m->name, "tcpip-forward") || !strcmp(m->name, "cancel-tcpip-forward")) {
        read_str(c, m->address, m);
        m->port = cur_u32(c);
        m->has_port = 1;
    } else if (!strcmp(m->name, "udp-send-to@amt.intel.com")) {
        read_str(c, m->address, m);
        m->port = cur_u32(c);
        m->has_port = 1;
        read_str(c, m->origin, m);
        m->origin_port = cur_u32(c);
        amt_cur d = cur_vec4(c);
        m->data_len = (uint32_t)cur_left(&d);
        m->data = cur_ptr(&d);
    }
}

static void parse_userauth(amt_cur *c, apf_msg *m)
{
    read_str(c, m->user, m);
    read_str(c, m->service, m);
    read_str(c, m->method, m);
    if (strcmp(m->method, "password") != 0)
        return;
    cur_u8(c); /* FALSE: not a password change */
    amt_cur pw = cur_vec4(c);
    if (pw.err)
        return;
    m->has_password = 1;
    m->password_len = (uint32_t)cur_left(&pw);
    SHA256(cur_ptr(&pw) ? cur_ptr(&pw) : (const uint8_t *)"", m->password_len, m->password_sha256);
}

int apf_parse(const uint8_t *p, size_t len, apf_msg *m)
{
    memset(m, 0, sizeof *m);
    if (!p || !len || msg_index(p[0]) < 0)
        return -1;
    m->type = p[0];
    m->len = len;
    amt_cur c = cur_make(p + 1, len - 1);
    switch (m->type) {
    case APF_PROTOCOL_VERSION:
        m->major = cur_u32(&c);
        m->minor = cur_u32(&c);
        m->trigger = cur_u32(&c);
        cur_copy(&c, m->uuid, sizeof m->uuid);
        cur_skip(&c, 64);
        break;
    case APF_DISCONNECT:
        m->reason = cur_u32(&c);
        cur_skip(&c, 2);
        break;
    case APF_SERVICE_REQUEST:
    case APF_SERVICE_ACCEPT:
        read_str(&c, m->name, m);
        break;
    case APF_USERAUTH_REQUEST:
        parse_userauth(&c, m);
        break;
    case APF_USERAUTH_FAILURE:
        read_str(&c, m->name, m);
        m->partial_success = cur_u8(&c) != 0;
        break;
    case APF_GLOBAL_REQUEST:
        parse_global(&c, m);
        break;
    case APF_REQUEST_SUCCESS:
        if (cur_left(&c) >= 4) {
            m->port = cur_u32(&c);
            m->has_port = 1;
        }
        break;
    case APF_CHANNEL_OPEN:
        read_str(&c, m->name, m);
        m->sender = cur_u32(&c);
        m->window = cur_u32(&c);
        cur_u32(&c); /* reserved: 0xFFFFFFFF */
        read_str(&c, m->address, m);
        m->port = cur_u32(&c);
        m->has_port = 1;
        read_str(&c, m->origin, m);
        m->origin_port = cur_u32(&c);
        break;
    case APF_CHANNEL_OPEN_CONFIRMATION:
        m->recipient = cur_u32(&c);
        m->sender = cur_u32(&c);
        m->window = cur_u32(&c);
        m->has_recipient = 1;
        break;
    case APF_CHANNEL_OPEN_FAILURE:
        m->recipient = cur_u32(&c);
        m->reason = cur_u32(&c);
        m->has_recipient = 1;
        break;
    case APF_CHANNEL_WINDOW_ADJUST:
        m->recipient = cur_u32(&c);
        m->window = cur_u32(&c);
        m->has_recipient = 1;
        break;
    case APF_CHANNEL_DATA: {
        m->recipient = cur_u32(&c);
        m->has_recipient = 1;
        amt_cur d = cur_vec4(&c);
        m->data_len = (uint32_t)cur_left(&d);
        m->data = cur_ptr(&d);
        break;
    }
    case APF_CHANNEL_CLOSE:
        m->recipient = cur_u32(&c);
        m->has_recipient = 1;
        break;
    case APF_KEEPALIVE_REQUEST:
    case APF_KEEPALIVE_REPLY:
        m->cookie = cur_u32(&c);
        break;
    case APF_KEEPALIVE_OPTIONS_REQUEST:
    case APF_KEEPALIVE_OPTIONS_REPLY:
        m->interval = cur_u32(&c);
        m->timeout = cur_u32(&c);
        break;
    case APF_JSON_CONTROL: {
        amt_cur d = cur_vec4(&c);
        m->data_len = (uint32_t)cur_left(&d);
        m->data = cur_ptr(&d);
        break;
    }
    default:
        break;
    }
    m->malformed = c.err;
    return 0;
}

void apf_msg_clear(apf_msg *m)
{
    OPENSSL_cleanse(m, sizeof *m);
}

const char *apf_disconnect_reason_name(uint32_t r)
{
    /* 1-14 from Intel's LMS header; 15 is ILLEGAL_USER_NAME there and
     * INVALID_CREDENTIALS in the MPSs; 16-18 only in the MPSs. */
    static const char *const names[] = {
        NULL,
        "HOST_NOT_ALLOWED_TO_CONNECT",
        "PROTOCOL_ERROR",
        "KEY_EXCHANGE_FAILED",
        "RESERVED",
        "MAC_ERROR",
        "COMPRESSION_ERROR",
        "SERVICE_NOT_AVAILABLE",
        "PROTOCOL_VERSION_NOT_SUPPORTED",
        "HOST_KEY_NOT_VERIFIABLE",
        "CONNECTION_LOST",
        "BY_APPLICATION",
        "TOO_MANY_CONNECTIONS",
        "AUTH_CANCELLED_BY_USER",
        "NO_MORE_AUTH_METHODS_AVAILABLE",
        "INVALID_CREDENTIALS",
        "CONNECTION_TIMED_OUT",
        "BY_POLICY",
        "TEMPORARILY_UNAVAILABLE",
    };
    return r < G_N_ELEMENTS(names) ? names[r] : NULL;
}

const char *apf_open_failure_reason_name(uint32_t r)
{
    static const char *const names[] = {NULL, "ADMINISTRATIVELY_PROHIBITED", "CONNECT_FAILED",
                                        "UNKNOWN_CHANNEL_TYPE", "RESOURCE_SHORTAGE"};
    return r < G_N_ELEMENTS(names) ? names[r] : NULL;
}

const char *apf_trigger_name(uint32_t t)
{
    switch (t) {
    case 0:
        return "none";
    case 1:
        return "user-initiated";
    case 2:
        return "alert";
    case 3:
        return "provisioning";
    case 4:
        return "periodic";
    case 254:
        return "LME";
    default:
        return NULL;
    }
}

/* A received string, printable: other bytes as \xNN. */
static void put_str(GString *s, const char *v)
{
    g_string_append_c(s, '"');
    for (const unsigned char *q = (const unsigned char *)v; *q; q++) {
        if (*q >= 0x20 && *q < 0x7f && *q != '"' && *q != '\\')
            g_string_append_c(s, (char)*q);
        else
            g_string_append_printf(s, "\\x%02X", *q);
    }
    g_string_append_c(s, '"');
}

static void put_uuid(GString *s, const uint8_t u[16])
{
    /* AMT's GUID: the first three groups little-endian, as both MPSs show it */
    g_string_append_printf(s, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-", u[3], u[2], u[1],
                           u[0], u[5], u[4], u[7], u[6], u[8], u[9]);
    for (int i = 10; i < 16; i++)
        g_string_append_printf(s, "%02x", u[i]);
}

static void put_reason(GString *s, uint32_t r, const char *name)
{
    if (name)
        g_string_append_printf(s, " %s (%u)", name, r);
    else
        g_string_append_printf(s, " reason %u", r);
}

static void describe(GString *s, const apf_msg *m)
{
    switch (m->type) {
    case APF_PROTOCOL_VERSION: {
        const char *t = apf_trigger_name(m->trigger);
        g_string_append_printf(s, " %u.%u, UUID ", m->major, m->minor);
        put_uuid(s, m->uuid);
        if (t)
            g_string_append_printf(s, ", trigger %s", t);
        else
            g_string_append_printf(s, ", trigger %u", m->trigger);
        break;
    }
    case APF_DISCONNECT:
        put_reason(s, m->reason, apf_disconnect_reason_name(m->reason));
        break;
    case APF_SERVICE_REQUEST:
    case APF_SERVICE_ACCEPT:
        g_string_append_c(s, ' ');
        put_str(s, m->name);
        break;
    case APF_USERAUTH_REQUEST:
        g_string_append(s, " user ");
        put_str(s, m->user);
        g_string_append(s, ", service ");
        put_str(s, m->service);
        g_string_append(s, ", method ");
        put_str(s, m->method);
        if (m->has_password)
            g_string_append_printf(s, " (a %u-byte password)", m->password_len);
        break;
    case APF_USERAUTH_FAILURE:
        g_string_append(s, ", methods left ");
        put_str(s, m->name);
        break;
    case APF_GLOBAL_REQUEST:
        g_string_append_c(s, ' ');
        put_str(s, m->name);
        if (m->has_port) {
            g_string_append(s, " ");
            put_str(s, m->address);
            g_string_append_printf(s, " port %u", m->port);
        }
        if (m->want_reply)
            g_string_append(s, ", reply wanted");
        break;
    case APF_REQUEST_SUCCESS:
        if (m->has_port)
            g_string_append_printf(s, ", port %u", m->port);
        break;
    case APF_CHANNEL_OPEN:
        g_string_append_c(s, ' ');
        put_str(s, m->name);
        g_string_append_printf(s, " #%u to ", m->sender);
        put_str(s, m->address);
        g_string_append_printf(s, " port %u from ", m->port);
        put_str(s, m->origin);
        g_string_append_printf(s, " port %u, window %u", m->origin_port, m->window);
        break;
    case APF_CHANNEL_OPEN_CONFIRMATION:
        g_string_append_printf(s, " #%u, its channel #%u, window %u", m->recipient, m->sender,
                               m->window);
        break;
    case APF_CHANNEL_OPEN_FAILURE:
        g_string_append_printf(s, " #%u,", m->recipient);
        put_reason(s, m->reason, apf_open_failure_reason_name(m->reason));
        break;
    case APF_CHANNEL_WINDOW_ADJUST:
        g_string_append_printf(s, " #%u, +%u bytes", m->recipient, m->window);
        break;
    case APF_CHANNEL_DATA:
        g_string_append_printf(s, " #%u, %u bytes", m->recipient, m->data_len);
        break;
    case APF_CHANNEL_CLOSE:
        g_string_append_printf(s, " #%u", m->recipient);
        break;
    case APF_KEEPALIVE_REQUEST:
    case APF_KEEPALIVE_REPLY:
        g_string_append_printf(s, ", cookie %u", m->cookie);
        break;
    case APF_KEEPALIVE_OPTIONS_REQUEST:
    case APF_KEEPALIVE_OPTIONS_REPLY:
        g_string_append_printf(s, ", interval %u s, timeout %u s", m->interval, m->timeout);
        break;
    case APF_JSON_CONTROL:
        g_string_append_printf(s, ", %u bytes", m->data_len);
        break;
    default:
        break;
    }
}

int apf_msg_text(const uint8_t *p, size_t len, char *buf, size_t n)
{
    GString *s = g_string_new(NULL);
    apf_msg m;
    if (len && p && p[0] == 0) {
        g_string_append(s, "(second byte of UserAuthFailure's flag)");
    } else if (apf_parse(p, len, &m) < 0) {
        g_string_append_printf(s, "not APF (type %u)", len && p ? p[0] : 0);
    } else {
        g_string_append(s, apf_msg_name(m.type));
        describe(s, &m);
        if (m.truncated)
            g_string_append(s, " (a string cut)");
        if (m.malformed)
            g_string_append(s, " (malformed: a field runs past the message)");
        apf_msg_clear(&m);
    }
    int r = (int)s->len;
    if (n)
        g_strlcpy(buf, s->str, n);
    g_string_free(s, TRUE);
    return r;
}
