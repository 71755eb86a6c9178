/* SPDX-License-Identifier: GPL-2.0-or-later */
/* APF (CIRA's protocol) messages cut out of one tunnel's two decrypted
 * byte streams: bytes go in as they arrive, whole messages come out
 * through a callback, framed by lib's apf_frame with what each side last
 * asked (a RequestSuccess carries a port after tcpip-forward). A direction
 * whose bytes are no APF, or that lost bytes, stops being framed. Memory
 * is bounded by the longest message lib frames (APF_MAX_DATA and a head). */
#ifndef AMTDIAG_APF_STREAM_H
#define AMTDIAG_APF_STREAM_H

#include <stddef.h>
#include <stdint.h>

#define APF_DIR_AMT 0 /* AMT, the client */
#define APF_DIR_MPS 1

typedef struct apf_callbacks {
    /* A whole message of direction dir, completed in frame; msg is valid
     * during the call only. */
    void (*message)(void *ctx, int dir, const uint8_t *msg, size_t len, uint64_t frame);
    /* len bytes that are no APF: dir is no longer framed. */
    void (*bad)(void *ctx, int dir, size_t len, uint64_t frame);
} apf_callbacks;

typedef struct apf_stream apf_stream;

apf_stream *apf_stream_new(const apf_callbacks *cb, void *ctx);
void apf_stream_free(apf_stream *s);

/* The next len bytes of direction dir, the last of them in frame. */
void apf_stream_feed(apf_stream *s, int dir, const uint8_t *p, size_t len, uint64_t frame);

/* Bytes of direction dir are missing: its framing stops. */
void apf_stream_gap(apf_stream *s, int dir);

#endif
