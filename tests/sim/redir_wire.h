/* SPDX-License-Identifier: GPL-2.0-or-later */
/* redir_wire: the redirection protocol as the simulator's AMT and console
 * write and read it — message builders with the layouts of
 * docs/redirection.md, and a reader that takes one whole message off a
 * simio. Written for the simulator alone (not lib's framing), so that the
 * tools under test read bytes they did not produce. Integers little-endian;
 * each message goes out in one write. */
#ifndef AMTSIM_REDIR_WIRE_H
#define AMTSIM_REDIR_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "simio.h"

/* Message types the simulator sends or reads. */
enum {
    RW_START = 0x10,
    RW_START_REPLY = 0x11,
    RW_END = 0x12,
    RW_AUTH = 0x13,
    RW_AUTH_REPLY = 0x14,
    RW_SOL_START = 0x20,
    RW_SOL_START_REPLY = 0x21,
    RW_SOL_END = 0x22,
    RW_SOL_END_REPLY = 0x23,
    RW_SOL_TO_HOST = 0x28,
    RW_SOL_CONTROLS = 0x29,
    RW_SOL_FROM_HOST = 0x2A,
    RW_SOL_HEARTBEAT = 0x2B,
    RW_IDER_START = 0x40, /* KVM's start too */
    RW_IDER_START_REPLY = 0x41,
    RW_IDER_END = 0x42,
    RW_IDER_END_REPLY = 0x43,
    RW_IDER_COMMAND = 0x50,
    RW_IDER_TO_HOST = 0x54,
};

/* Auth types and statuses. */
enum { RW_QUERY = 0, RW_USERPASS = 1, RW_KERBEROS = 2, RW_DIGEST_2069 = 3, RW_DIGEST = 4 };
enum { RW_OK = 0, RW_FAILURE = 1, RW_BUSY = 2, RW_UNSUPPORTED = 3, RW_NOT_SUPPORTED = 2 };

#define RW_MAX 4096

/* A message being built. */
typedef struct rw_msg {
    uint8_t b[RW_MAX];
    size_t n;
} rw_msg;

void rw_begin(rw_msg *m, uint8_t type);
void rw_u8(rw_msg *m, unsigned v);
void rw_le16(rw_msg *m, unsigned v);
void rw_le32(rw_msg *m, uint32_t v);
void rw_bytes(rw_msg *m, const void *p, size_t n);
/* One length byte and the text. */
void rw_str(rw_msg *m, const char *s);
/* Zeros up to length n. */
void rw_pad(rw_msg *m, size_t n);
/* An AuthenticateSession(Reply) header; rw_auth_end fills its length. */
void rw_auth_begin(rw_msg *m, int reply, unsigned status, unsigned type);
void rw_auth_end(rw_msg *m);
/* Sends m in one write; also notes its type in the connection's facts. */
int rw_send(simio *io, const rw_msg *m);

/* The reader of one direction: bytes read past a message are kept. */
typedef struct rw_reader {
    uint8_t b[RW_MAX * 2];
    size_t n;
    int kvm; /* the session is KVM: 0x40 and 0x41 are 8 bytes */
} rw_reader;

/* Reads one whole message into m. Returns 1, 0 when the peer closed, -1
 * on an error or a message this simulator does not know. */
int rw_read(simio *io, rw_reader *r, rw_msg *m);

/* Reads exactly n bytes that are no message (KVM's RFB), the reader's
 * first. Returns 0, or -1 when the peer closed or failed before. */
int rw_read_raw(simio *io, rw_reader *r, void *out, size_t n);

/* The strings of an AuthenticateSession(Reply) body, in order (up to max,
 * NUL-terminated, cut at 255). Returns how many were read. */
size_t rw_strings(const rw_msg *m, char out[][256], size_t max);

#endif
