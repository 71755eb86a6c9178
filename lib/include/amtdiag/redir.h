/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AMT's redirection protocol (TCP 16994, and the same bytes inside TLS on
 * 16995): a StartRedirectionSession naming SOL, IDE-R or KVM, a login
 * (AuthenticateSession: query, user/password, Kerberos or Digest), then
 * the session's own messages. Binary, integers little-endian, the message
 * type in byte 0. Framing and field decoding only: no I/O, no state
 * beyond what the caller passes in. */
#ifndef AMTDIAG_REDIR_H
#define AMTDIAG_REDIR_H

#include <stddef.h>
#include <stdint.h>

#include "amtdiag/http_auth.h"

/* Message types (byte 0). */
enum {
    REDIR_START_SESSION = 0x10,
    REDIR_START_SESSION_REPLY = 0x11,
    REDIR_END_SESSION = 0x12,
    REDIR_AUTHENTICATE = 0x13,
    REDIR_AUTHENTICATE_REPLY = 0x14,
    REDIR_START_SOL = 0x20,
    REDIR_START_SOL_REPLY = 0x21,
    REDIR_END_SOL = 0x22,
    REDIR_END_SOL_REPLY = 0x23,
    REDIR_SOL_KEEPALIVE_PING = 0x24,
    REDIR_SOL_KEEPALIVE_PONG = 0x25,
    REDIR_SOL_SETTINGS = 0x27,
    REDIR_SOL_DATA_TO_HOST = 0x28,
    REDIR_SOL_CONTROLS_FROM_HOST = 0x29,
    REDIR_SOL_DATA_FROM_HOST = 0x2A,
    REDIR_SOL_HEARTBEAT = 0x2B,
    REDIR_START_IDER = 0x40,
    REDIR_START_IDER_REPLY = 0x41,
    REDIR_END_IDER = 0x42,
    REDIR_END_IDER_REPLY = 0x43,
    REDIR_IDER_KEEPALIVE_PING = 0x44,
    REDIR_IDER_KEEPALIVE_PONG = 0x45,
    REDIR_IDER_RESET_OCCURRED = 0x46,
    REDIR_IDER_RESET_OCCURRED_RESPONSE = 0x47,
    REDIR_IDER_DISABLE_ENABLE_FEATURES = 0x48,
    REDIR_IDER_DISABLE_ENABLE_FEATURES_REPLY = 0x49,
    REDIR_IDER_ERROR_OCCURRED = 0x4A,
    REDIR_IDER_HEARTBEAT = 0x4B,
    REDIR_IDER_COMMAND_WRITTEN = 0x50,
    REDIR_IDER_COMMAND_END_RESPONSE = 0x51,
    REDIR_IDER_GET_DATA_FROM_HOST = 0x52,
    REDIR_IDER_DATA_FROM_HOST = 0x53,
    REDIR_IDER_DATA_TO_HOST = 0x54
};

/* The session a StartRedirectionSession asks for (its 4-byte tag). */
typedef enum {
    REDIR_SESSION_UNKNOWN,
    REDIR_SESSION_SOL,  /* "SOL " */
    REDIR_SESSION_IDER, /* "IDER" */
    REDIR_SESSION_KVM   /* "KVMR" */
} redir_session;

/* AuthenticateSession's auth types. */
enum {
    REDIR_AUTH_QUERY = 0,
    REDIR_AUTH_USER_PASSWORD = 1, /* the password in clear */
    REDIR_AUTH_KERBEROS = 2,
    REDIR_AUTH_DIGEST_RFC2069 = 3, /* no cnonce, no qop */
    REDIR_AUTH_DIGEST = 4          /* RFC 2617, qop auth */
};

/* The method and URI a redirection Digest response is computed over. */
#define REDIR_DIGEST_METHOD "POST"
#define REDIR_DIGEST_URI "/RedirectionService"

/* Longest message framed (a Kerberos ticket, an IDE-R data block, with
 * room); a longer length field means the stream is not (or no longer)
 * this protocol. */
#define REDIR_MAX_MESSAGE (256u * 1024u)

/* The name of a message type ("StartRedirectionSession"), NULL if unknown. */
const char *redir_msg_name(uint8_t type);

/* The session a 4-byte tag names. */
redir_session redir_session_of_tag(const uint8_t tag[4]);

/* A session's short name: "SOL", "IDE-R", "KVM", "unknown". */
const char *redir_session_name(redir_session s);

/* Frames the message at p[0..avail) in a session of type s (KVM's
 * 0x40/0x41 differ from IDE-R's; each type byte has one direction).
 * Returns its length (> 0) when the bytes say it and all are there; 0 when
 * more bytes are needed, with *need set to the message's whole length, or
 * to 0 while its header is incomplete (its length not yet known); -1 when
 * byte 0 is no message of this protocol or a length is absurd. */
long redir_frame(const uint8_t *p, size_t avail, redir_session s, size_t *need);

/* StartRedirectionSessionReply's status name ("SUCCESS", "BUSY", ...). */
const char *redir_start_status_name(uint8_t status);

/* AuthenticateSessionReply's status name ("SUCCESS", "FAILURE", ...). */
const char *redir_auth_status_name(uint8_t status);

/* An auth type's name ("query", "user/password", "Kerberos", "Digest"). */
const char *redir_auth_type_name(uint8_t type);

/* An AuthenticateSession (0x13) or AuthenticateSessionReply (0x14). For
 * Digest the length-prefixed strings go into digest, in http_auth's form
 * (present bits, scheme HTTP_AUTH_DIGEST) so that http_digest_check can
 * verify a response with method REDIR_DIGEST_METHOD. */
typedef struct redir_auth {
    int is_reply;
    uint8_t status;    /* a reply's status */
    uint8_t auth_type; /* REDIR_AUTH_* */
    uint32_t data_len; /* as the header says */
    /* a query reply: the auth types AMT offers */
    uint8_t methods[16];
    size_t n_methods;
    /* user/password (type 1): the user; the password is never kept */
    char user[HTTP_AUTH_VALUE_MAX];
    /* Digest (types 3 and 4): request or challenge parameters */
    http_auth digest;
    /* Kerberos (type 2): the ticket's length */
    uint32_t ticket_len;
    int malformed; /* a string ran past the data, or the data past the message */
} redir_auth;

/* Decodes a whole 0x13 or 0x14 message p[0..len) into *out. Returns 0, or
 * -1 when it is neither or shorter than its 9-byte header. */
int redir_auth_parse(const uint8_t *p, size_t len, redir_auth *out);

/* One line on a whole message p[0..len) of a session of type session,
 * for a transcript: its name and what it says ("StartRedirectionSession
 * SOL", "AuthenticateSessionReply FAILURE Digest, realm …, nonce …",
 * "SOLDataToHost, 12 bytes"). A password sent in clear is never shown.
 * Returns what snprintf returns. */
int redir_msg_text(const uint8_t *p, size_t len, redir_session session, char *buf, size_t n);

#endif
