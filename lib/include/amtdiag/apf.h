/* SPDX-License-Identifier: GPL-2.0-or-later */
/* APF, the AMT Port Forwarding protocol: what an AMT outside the
 * enterprise network speaks, inside TLS, to its Management Presence Server
 * (CIRA, TCP 4433 by default). Modelled on SSH's connection layer: a
 * protocol version, a login (auth@amt.intel.com), the port-forwarding
 * service (pfwd@amt.intel.com) with tcpip-forward requests for AMT's
 * ports, then channels that carry WS-Man (16992/16993) and redirection
 * (16994/16995) between the MPS's consoles and AMT, and keep-alives.
 * Integers are big-endian, strings a 32-bit length then the bytes, the
 * message type in byte 0. Framing and field decoding only: no I/O, no
 * state beyond what the caller passes in. docs/cira.md lists every message
 * with its layout and sources. */
#ifndef AMTDIAG_APF_H
#define AMTDIAG_APF_H

#include <stddef.h>
#include <stdint.h>

/* Message types (byte 0). */
enum {
    APF_DISCONNECT = 1,
    APF_SERVICE_REQUEST = 5,
    APF_SERVICE_ACCEPT = 6,
    APF_USERAUTH_REQUEST = 50,
    APF_USERAUTH_FAILURE = 51,
    APF_USERAUTH_SUCCESS = 52,
    APF_GLOBAL_REQUEST = 80,
    APF_REQUEST_SUCCESS = 81,
    APF_REQUEST_FAILURE = 82,
    APF_CHANNEL_OPEN = 90,
    APF_CHANNEL_OPEN_CONFIRMATION = 91,
    APF_CHANNEL_OPEN_FAILURE = 92,
    APF_CHANNEL_WINDOW_ADJUST = 93,
    APF_CHANNEL_DATA = 94,
    APF_CHANNEL_CLOSE = 97,
    APF_PROTOCOL_VERSION = 192,
    APF_KEEPALIVE_REQUEST = 208,
    APF_KEEPALIVE_REPLY = 209,
    APF_KEEPALIVE_OPTIONS_REQUEST = 210,
    APF_KEEPALIVE_OPTIONS_REPLY = 211,
    APF_JSON_CONTROL = 250 /* MeshCentral's own, between its agent and its MPS */
};

/* The MPS port AMT calls by default. */
#define APF_MPS_PORT 4433

/* Longest string field framed (MeshCentral's MPS drops the connection
 * beyond it) and longest channel data; a longer length field means the
 * stream is not (or no longer) APF. */
#define APF_MAX_STRING 2048u
#define APF_MAX_DATA (1024u * 1024u)

/* Room for one string field in apf_msg (longer ones are cut, marked). */
#define APF_STR_MAX 256

/* What framing needs to know of the conversation so far. */
typedef struct apf_frame_ctx {
    /* The other side's last global request: 1 when it was tcpip-forward
     * (its REQUEST_SUCCESS carries the port bound), 0 when it was another
     * (the success is the type byte alone), -1 when none was seen: then a
     * success is taken to carry a port when byte 1 is 0, which no message
     * type is. */
    int success_has_port;
    /* This side's previous message was USERAUTH_FAILURE: a lone 0x00 byte
     * is the second byte of the 2-byte trailer the open MPSs write. */
    int after_auth_failure;
} apf_frame_ctx;

/* The context of a stream whose start was not seen. */
#define APF_FRAME_CTX_UNKNOWN ((apf_frame_ctx){-1, 0})

/* The name of a message type ("ChannelOpen"), NULL if unknown. */
const char *apf_msg_name(uint8_t type);

/* Frames the message at p[0..avail). Returns its length (> 0) when all of
 * it is there; 0 when more bytes are needed, with *need set to the whole
 * length, or to 0 while a length field is still missing; -1 when byte 0 is
 * no APF message or a length is absurd. ctx may be NULL (nothing known). */
long apf_frame(const uint8_t *p, size_t avail, const apf_frame_ctx *ctx, size_t *need);

/* A decoded message. Strings are copied (cut to APF_STR_MAX - 1 bytes,
 * NUL-terminated); a password is never kept, only its SHA-256. */
typedef struct apf_msg {
    uint8_t type;
    size_t len;
    /* ProtocolVersion */
    uint32_t major, minor, trigger;
    uint8_t uuid[16];
    /* Disconnect, ChannelOpenFailure */
    uint32_t reason;
    /* ServiceRequest/Accept: the service; GlobalRequest: the request;
     * ChannelOpen: the channel type; UserAuthFailure: the methods left */
    char name[APF_STR_MAX];
    /* UserAuthRequest */
    char user[APF_STR_MAX];
    char service[APF_STR_MAX];
    char method[APF_STR_MAX];
    int has_password;
    uint32_t password_len;
    uint8_t password_sha256[32];
    /* UserAuthFailure */
    int partial_success;
    /* GlobalRequest */
    int want_reply;
    /* tcpip-forward: the address and port to forward; ChannelOpen: the
     * target the channel connects to; udp-send-to: the destination */
    char address[APF_STR_MAX];
    uint32_t port;
    /* ChannelOpen: where the connection comes from */
    char origin[APF_STR_MAX];
    uint32_t origin_port;
    /* channels: the recipient's and the sender's numbers, the window */
    uint32_t recipient, sender, window;
    int has_recipient, has_port;
    /* ChannelData, JSON control, udp-send-to: the bytes (into p) */
    const uint8_t *data;
    uint32_t data_len;
    /* KeepAliveRequest/Reply: the cookie; options: interval and timeout */
    uint32_t cookie, interval, timeout;
    int truncated; /* a string longer than APF_STR_MAX - 1 was cut */
    int malformed; /* a field ran past the message */
} apf_msg;

/* Decodes the whole message p[0..len) (as framed by apf_frame) into *out.
 * Returns 0, or -1 when byte 0 is no APF message or len is 0. */
int apf_parse(const uint8_t *p, size_t len, apf_msg *out);

/* Wipes a decoded message (its password hash). */
void apf_msg_clear(apf_msg *m);

/* Disconnect's reason name ("PROTOCOL_ERROR"), NULL if unknown. */
const char *apf_disconnect_reason_name(uint32_t reason);

/* ChannelOpenFailure's reason name ("CONNECT_FAILED"), NULL if unknown. */
const char *apf_open_failure_reason_name(uint32_t reason);

/* ProtocolVersion's trigger name ("periodic"), NULL if unknown. */
const char *apf_trigger_name(uint32_t trigger);

/* One line on a whole message p[0..len) for a transcript: its name and
 * what it says ("UserAuthRequest user \"mpsuser\", service
 * pfwd@amt.intel.com, method password", "ChannelOpen forwarded-tcpip #4
 * → 192.0.2.20:16992, window 32768"). The password is never shown, and
 * bytes that are not printable ASCII are escaped. Returns what snprintf
 * returns. */
int apf_msg_text(const uint8_t *p, size_t len, char *buf, size_t n);

#endif
