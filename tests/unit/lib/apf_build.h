/* SPDX-License-Identifier: GPL-2.0-or-later */
/* APF messages built byte by byte from the layouts in docs/cira.md, for
 * the unit tests of lib's APF framing, channels and CIRA facts (not lib's
 * own code, so that the tests do not read back what lib wrote). */
#ifndef TEST_APF_BUILD_H
#define TEST_APF_BUILD_H

#include <stdint.h>
#include <string.h>

#include "amtdiag/apf.h"

/* A message under construction. */
typedef struct {
    uint8_t b[4096];
    size_t n;
} msg;

static inline void u8(msg *m, unsigned v)
{
    m->b[m->n++] = (uint8_t)v;
}

static inline void u32(msg *m, uint32_t v)
{
    for (int s = 24; s >= 0; s -= 8)
        u8(m, (v >> s) & 0xff);
}

static inline void str(msg *m, const char *s)
{
    size_t n = strlen(s);
    u32(m, (uint32_t)n);
    memcpy(m->b + m->n, s, n);
    m->n += n;
}

static inline msg start(uint8_t type)
{
    msg m = {.n = 0};
    u8(&m, type);
    return m;
}

/* ChannelOpen "forwarded-tcpip" from sender's number to target:port. */
static inline msg channel_open(uint32_t sender, const char *target, uint32_t port)
{
    msg m = start(APF_CHANNEL_OPEN);
    str(&m, "forwarded-tcpip");
    u32(&m, sender);
    u32(&m, 32768);
    u32(&m, 0xffffffffu);
    str(&m, target);
    u32(&m, port);
    str(&m, "192.0.2.99");
    u32(&m, 51000);
    return m;
}

/* ChannelOpenConfirmation of the opener's recipient, with sender's number. */
static inline msg channel_confirm(uint32_t recipient, uint32_t sender)
{
    msg m = start(APF_CHANNEL_OPEN_CONFIRMATION);
    u32(&m, recipient);
    u32(&m, sender);
    u32(&m, 4096);
    u32(&m, 0xffffffffu);
    return m;
}

/* ChannelOpenFailure of the opener's recipient, with reason. */
static inline msg channel_refuse(uint32_t recipient, uint32_t reason)
{
    msg m = start(APF_CHANNEL_OPEN_FAILURE);
    u32(&m, recipient);
    u32(&m, reason);
    u32(&m, 0);
    u32(&m, 0);
    return m;
}

static inline msg channel_data(uint32_t chan, const char *data)
{
    msg m = start(APF_CHANNEL_DATA);
    u32(&m, chan);
    str(&m, data);
    return m;
}

static inline msg channel_close(uint32_t chan)
{
    msg m = start(APF_CHANNEL_CLOSE);
    u32(&m, chan);
    return m;
}

#endif
