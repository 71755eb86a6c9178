/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apf_chan: a tunnel's channels, message by message (see apf_chan.h). */
#include "amtdiag/apf_chan.h"

#include <string.h>

void apf_chan_init(apf_chan_table *t)
{
    memset(t, 0, sizeof *t);
}

/* The channel whose number on side `side` is num. */
static int find(const apf_chan_table *t, int side, uint32_t num)
{
    for (int i = 0; i < APF_CHAN_MAX; i++)
        if (t->c[i].used && t->c[i].has_num[side] && t->c[i].num[side] == num)
            return i;
    return -1;
}

apf_chan_event apf_chan_track(apf_chan_table *t, int from, const apf_msg *m, unsigned *slot)
{
    if (from != 0 && from != 1)
        return APF_CHAN_NONE;
    if (m->type == APF_CHANNEL_OPEN) {
        int free_slot = -1;
        for (int i = 0; i < APF_CHAN_MAX && free_slot < 0; i++)
            if (!t->c[i].used)
                free_slot = i;
        t->opened++;
        if (free_slot < 0) {
            t->dropped++;
            return APF_CHAN_NONE;
        }
        /* a number reused by its side: the old channel is gone */
        int old = find(t, from, m->sender);
        if (old >= 0)
            memset(&t->c[old], 0, sizeof t->c[old]);
        apf_chan *c = &t->c[free_slot];
        memset(c, 0, sizeof *c);
        c->used = 1;
        c->opener = from;
        c->num[from] = m->sender;
        c->has_num[from] = 1;
        c->port = m->port;
        c->ordinal = t->opened;
        *slot = (unsigned)free_slot;
        return APF_CHAN_OPENED;
    }
    if (!m->has_recipient)
        return APF_CHAN_NONE;
    /* every other channel message names the receiver's number */
    int i = find(t, !from, m->recipient);
    if (i < 0)
        return APF_CHAN_NONE;
    apf_chan *c = &t->c[i];
    *slot = (unsigned)i;
    switch (m->type) {
    case APF_CHANNEL_OPEN_CONFIRMATION:
        if (c->opener == from || c->confirmed)
            return APF_CHAN_NONE;
        c->num[from] = m->sender;
        c->has_num[from] = 1;
        c->confirmed = 1;
        return APF_CHAN_CONFIRMED;
    case APF_CHANNEL_OPEN_FAILURE:
        if (c->opener == from || c->confirmed)
            return APF_CHAN_NONE;
        memset(c, 0, sizeof *c);
        return APF_CHAN_REFUSED;
    case APF_CHANNEL_DATA:
        return c->confirmed && !c->closed[from] ? APF_CHAN_DATA : APF_CHAN_NONE;
    case APF_CHANNEL_WINDOW_ADJUST:
        return APF_CHAN_WINDOW;
    case APF_CHANNEL_CLOSE:
        c->closed[from] = 1;
        if (c->closed[!from] || !c->confirmed)
            c->used = 0; /* the slot is free; its fields stay until reused */
        return APF_CHAN_CLOSED;
    default:
        return APF_CHAN_NONE;
    }
}
