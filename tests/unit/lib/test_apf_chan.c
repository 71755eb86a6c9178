/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/apf_chan: channels of a tunnel told apart by the
 * receiver's number (the same number on both sides means two channels),
 * data of a channel not yet confirmed or already closed by its sender is
 * not the channel's, a refused channel frees its slot, a slot is reused
 * once both sides closed, and opens past APF_CHAN_MAX are counted, not
 * followed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "amtdiag/apf_chan.h"
#include "apf_build.h"

#define AMT 0
#define MPS 1

static apf_chan_event track(apf_chan_table *t, int from, msg m, unsigned *slot)
{
    apf_msg p;
    assert_int_equal(apf_parse(m.b, m.n, &p), 0);
    apf_chan_event ev = apf_chan_track(t, from, &p, slot);
    apf_msg_clear(&p);
    return ev;
}

static void numbers_per_side(void **state)
{
    (void)state;
    apf_chan_table t;
    apf_chan_init(&t);
    unsigned a = 99, b = 99, s = 99;
    /* the MPS opens #1 and #2; AMT numbers them #2 and #1 */
    assert_int_equal(track(&t, MPS, channel_open(1, "amt", 16992), &a), APF_CHAN_OPENED);
    assert_int_equal(track(&t, MPS, channel_open(2, "amt", 16994), &b), APF_CHAN_OPENED);
    assert_int_not_equal(a, b);
    assert_int_equal(t.c[a].ordinal, 1);
    assert_int_equal(t.c[b].ordinal, 2);
    /* data before the confirmation is no channel's */
    assert_int_equal(track(&t, MPS, channel_data(1, "x"), &s), APF_CHAN_NONE);
    assert_int_equal(track(&t, AMT, channel_confirm(1, 2), &s), APF_CHAN_CONFIRMED);
    assert_int_equal(s, a);
    assert_int_equal(track(&t, AMT, channel_confirm(2, 1), &s), APF_CHAN_CONFIRMED);
    assert_int_equal(s, b);
    /* a confirmation twice, or from the opener, is ignored */
    assert_int_equal(track(&t, AMT, channel_confirm(2, 1), &s), APF_CHAN_NONE);
    assert_int_equal(track(&t, MPS, channel_confirm(1, 5), &s), APF_CHAN_NONE);
    /* to AMT's #2 is channel a; to the MPS's #2 is channel b */
    assert_int_equal(track(&t, MPS, channel_data(2, "GET"), &s), APF_CHAN_DATA);
    assert_int_equal(s, a);
    assert_int_equal(track(&t, AMT, channel_data(2, "\x11"), &s), APF_CHAN_DATA);
    assert_int_equal(s, b);
    assert_int_equal(track(&t, AMT, channel_data(1, "HTTP"), &s), APF_CHAN_DATA);
    assert_int_equal(s, a);
    assert_int_equal(track(&t, MPS, channel_data(7, "?"), &s), APF_CHAN_NONE);
    /* a closes from the MPS: the MPS sends it no more data, AMT still may */
    assert_int_equal(track(&t, MPS, channel_close(2), &s), APF_CHAN_CLOSED);
    assert_true(t.c[a].used);
    assert_int_equal(track(&t, MPS, channel_data(2, "late"), &s), APF_CHAN_NONE);
    assert_int_equal(track(&t, AMT, channel_data(1, "tail"), &s), APF_CHAN_DATA);
    assert_int_equal(track(&t, AMT, channel_close(1), &s), APF_CHAN_CLOSED);
    assert_false(t.c[a].used);
    /* the slot and the numbers are free again */
    assert_int_equal(track(&t, MPS, channel_open(1, "amt", 16992), &s), APF_CHAN_OPENED);
    assert_int_equal(s, a);
    assert_int_equal(t.c[s].ordinal, 3);
}

static void refused_and_full(void **state)
{
    (void)state;
    apf_chan_table t;
    apf_chan_init(&t);
    unsigned s = 0;
    assert_int_equal(track(&t, MPS, channel_open(9, "amt", 16995), &s), APF_CHAN_OPENED);
    assert_int_equal(track(&t, AMT, channel_refuse(9, 2), &s), APF_CHAN_REFUSED);
    assert_false(t.c[s].used);
    for (uint32_t i = 0; i < APF_CHAN_MAX; i++)
        assert_int_equal(track(&t, MPS, channel_open(100 + i, "amt", 16992), &s), APF_CHAN_OPENED);
    assert_int_equal(track(&t, MPS, channel_open(200, "amt", 16992), &s), APF_CHAN_NONE);
    assert_int_equal(t.dropped, 1);
    assert_int_equal(t.opened, APF_CHAN_MAX + 2);
    /* a message that is not about a channel */
    assert_int_equal(track(&t, AMT, start(APF_USERAUTH_SUCCESS), &s), APF_CHAN_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_per_side),
        cmocka_unit_test(refused_and_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
