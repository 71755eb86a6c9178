/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apf_chan: which channel of a CIRA tunnel each APF message concerns.
 * A channel has a number on each side (the opener's in ChannelOpen, the
 * other's in ChannelOpenConfirmation); a message names the receiver's
 * number, so the same number can mean two channels depending on who sent
 * it. Both tools put channel bytes into per-channel parsers (HTTP,
 * redirection) by this table, so they cut a tunnel into the same streams.
 * Fixed size: a slot is reused once both sides closed its channel. */
#ifndef AMTDIAG_APF_CHAN_H
#define AMTDIAG_APF_CHAN_H

#include <stdint.h>

#include "amtdiag/apf.h"

#define APF_CHAN_MAX 16 /* channels open at once that are followed */

typedef struct apf_chan {
    int used;
    int opener;       /* the side that sent ChannelOpen: 0 AMT, 1 the MPS */
    uint32_t num[2];  /* each side's number for the channel */
    int has_num[2];   /* ... known */
    uint32_t port;    /* ChannelOpen's target port */
    int confirmed;    /* the other side confirmed it */
    int closed[2];    /* each side sent ChannelClose */
    unsigned ordinal; /* 1 for the tunnel's first channel, 2 for the next, … */
} apf_chan;

typedef struct apf_chan_table {
    apf_chan c[APF_CHAN_MAX];
    unsigned opened;  /* channels opened so far */
    unsigned dropped; /* ChannelOpens not followed: every slot in use */
} apf_chan_table;

typedef enum {
    APF_CHAN_NONE,      /* not a channel message, or a channel not followed */
    APF_CHAN_OPENED,    /* a ChannelOpen took a slot */
    APF_CHAN_CONFIRMED, /* ChannelOpenConfirmation */
    APF_CHAN_REFUSED,   /* ChannelOpenFailure: the slot is free again */
    APF_CHAN_DATA,      /* ChannelData: m->data, m->data_len */
    APF_CHAN_WINDOW,    /* ChannelWindowAdjust */
    APF_CHAN_CLOSED     /* ChannelClose from one side (both: the slot is free) */
} apf_chan_event;

/* An empty table. */
void apf_chan_init(apf_chan_table *t);

/* What the parsed message m, sent by side from (0 AMT, 1 the MPS), does
 * to which channel: the event, and in *slot the channel's index in t->c. */
apf_chan_event apf_chan_track(apf_chan_table *t, int from, const apf_msg *m, unsigned *slot);

#endif
