/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The redirection protocol's messages cut out of one connection's two
 * reassembled byte streams (plain on 16994, decrypted on 16995): bytes go
 * in as they arrive, whole messages come out through a callback, framed by
 * lib's redir_frame. The console's StartRedirectionSession says the
 * session (KVM's 0x40 and 0x41 are framed differently from IDE-R's); after
 * the KVM start each direction is RFB, passed on as raw bytes. A direction
 * whose bytes are no message of the protocol, or that lost bytes, stops
 * being framed. Memory is bounded by the longest message (REDIR_MAX_MESSAGE). */
#ifndef AMTDIAG_REDIR_STREAM_H
#define AMTDIAG_REDIR_STREAM_H

#include <stddef.h>
#include <stdint.h>

#define REDIR_DIR_CONSOLE 0 /* client to AMT */
#define REDIR_DIR_AMT 1

typedef struct redir_callbacks {
    /* A whole message of direction dir, completed in frame. msg is valid
     * during the call only. */
    void (*message)(void *ctx, int dir, const uint8_t *msg, size_t len, uint64_t frame);
    /* len bytes of KVM's RFB stream. */
    void (*raw)(void *ctx, int dir, size_t len, uint64_t frame);
    /* Bytes that are no message (first byte type): dir is no longer framed. */
    void (*bad)(void *ctx, int dir, uint8_t type, uint64_t frame);
} redir_callbacks;

typedef struct redir_stream redir_stream;

redir_stream *redir_stream_new(const redir_callbacks *cb, void *ctx);
void redir_stream_free(redir_stream *s);

/* The next len bytes of direction dir, the last of them in frame. */
void redir_stream_feed(redir_stream *s, int dir, const uint8_t *p, size_t len, uint64_t frame);

/* Bytes of direction dir are missing: its framing stops (a message cut
 * by the hole cannot be told from the next). */
void redir_stream_gap(redir_stream *s, int dir);

/* Whether bytes that begin a stream look like the redirection protocol:
 * a StartRedirectionSession with a known session tag. */
int redir_stream_looks_like(const uint8_t *p, size_t len);

#endif
