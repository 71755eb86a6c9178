/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: APF, CIRA's protocol (amtdiag/apf.h): framing with each
 * framing context, field decoding and transcript lines; the messages go
 * into lib's CIRA facts (amtdiag/diag_cira.h) and its channel table
 * (amtdiag/apf_chan.h), alternately from AMT and the MPS, which lib's
 * rules then judge as a tunnel on 4433. The table never names a slot
 * outside it, data only of a confirmed channel its sender has not closed.
 * The data of a channel to a redirection port goes, one ChannelData a
 * message, into that channel's redirection session of the tunnel
 * (diag_redir_chans), as the tools feed it: at most
 * DIAG_REDIR_CHANNELS_MAX are kept, numbered in order. A channel to a
 * TLS port gets the events a TLS decoder reports (diag_cira_chan_*),
 * chosen by its data's first bytes.
 *
 * Input: byte 0 chooses the context (what the other side's last global
 * request was, whether a UserAuthFailure came before), the rest is a byte
 * stream framed message by message as a reader of one direction does;
 * each message is decoded and described. A framed length never exceeds
 * what is there, and strings stay NUL-terminated within their arrays. */
#include "amtdiag/apf.h"
#include "amtdiag/apf_chan.h"
#include "amtdiag/diag.h"
#include "amtdiag/diag_cira.h"
#include "amtdiag/diag_redir.h"
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    apf_frame_ctx ctx = {(int)(data[0] % 3) - 1, 0};
    data++;
    size--;
    size_t off = 0;
    diag_cira_facts facts;
    diag_cira_init(&facts);
    apf_chan_table chans;
    apf_chan_init(&chans);
    diag_redir_chans redir;
    diag_redir_chans_init(&redir);
    static diag_redir_facts redir_mem[DIAG_REDIR_CHANNELS_MAX];
    int side = 0;
    while (off < size) {
        size_t need = 0;
        long n = apf_frame(data + off, size - off, &ctx, &need);
        if (n < 0)
            break;
        if (n == 0) {
            FZ_CHECK(need == 0 || need > size - off);
            break;
        }
        FZ_CHECK((size_t)n <= size - off);
        apf_msg m;
        if (apf_parse(data + off, (size_t)n, &m) == 0) {
            fz_str(m.name, sizeof m.name);
            fz_str(m.user, sizeof m.user);
            fz_str(m.service, sizeof m.service);
            fz_str(m.method, sizeof m.method);
            fz_str(m.address, sizeof m.address);
            fz_str(m.origin, sizeof m.origin);
            FZ_CHECK(m.data_len <= (size_t)n);
            FZ_CHECK(!m.data || (m.data >= data + off && m.data + m.data_len <= data + off + n));
            unsigned slot = APF_CHAN_MAX;
            apf_chan_event ev = apf_chan_track(&chans, side, &m, &slot);
            FZ_CHECK(ev == APF_CHAN_NONE || slot < APF_CHAN_MAX);
            if (ev == APF_CHAN_DATA)
                FZ_CHECK(chans.c[slot].used && chans.c[slot].confirmed &&
                         !chans.c[slot].closed[side] && m.type == APF_CHANNEL_DATA);
            const apf_chan *ch = &chans.c[slot < APF_CHAN_MAX ? slot : 0];
            if (ev == APF_CHAN_DATA && m.data_len &&
                (ch->port == AMT_PORT_REDIR || ch->port == AMT_PORT_REDIR_TLS)) {
                diag_redir_facts *r = diag_redir_chans_find(&redir, ch->ordinal);
                if (!r)
                    r = diag_redir_chans_add(&redir, ch->ordinal, ch->port, off + 1,
                                             diag_redir_chans_full(&redir) ? NULL
                                                                           : &redir_mem[redir.n]);
                if (r)
                    diag_redir_message(r, off + 1, side == ch->opener ? DIAG_CONSOLE : DIAG_AMT,
                                       m.data, m.data_len);
                FZ_CHECK(redir.n <= DIAG_REDIR_CHANNELS_MAX);
            }
            if (ev == APF_CHAN_DATA && m.data_len >= 2 &&
                (ch->port == AMT_PORT_TLS || ch->port == AMT_PORT_REDIR_TLS)) {
                /* what a TLS decoder would report of the channel's session:
                 * the first byte picks the event, the second its value */
                const uint8_t *d = m.data;
                if (d[0] % 3 == 0)
                    diag_cira_chan_handshake(&facts, ch->ordinal, side, off + 1, d[1], d[0] & 4);
                else if (d[0] % 3 == 1)
                    diag_cira_chan_alert(&facts, ch->ordinal, side, off + 1, d[1]);
                else
                    diag_cira_chan_app_data(&facts, ch->ordinal, side, off + 1);
            }
            FZ_CHECK(chans.dropped <= chans.opened);
            ctx.after_auth_failure = m.type == APF_USERAUTH_FAILURE;
            apf_msg_clear(&m);
        } else {
            ctx.after_auth_failure = 0;
        }
        char line[512];
        int len = apf_msg_text(data + off, (size_t)n, line, sizeof line);
        FZ_CHECK(len >= 0 && strlen(line) < sizeof line);
        diag_cira_message(&facts, off + 1, (int64_t)off * 100000, side, data + off, (size_t)n);
        side ^= data[off] & 1;
        off += (size_t)n;
    }
    char line[1024];
    FZ_CHECK(diag_cira_summary(&facts, line, sizeof line) >= 0 && strlen(line) < sizeof line);
    diag_conn_facts c;
    memset(&c, 0, sizeof c);
    c.client = "192.0.2.20:50000";
    c.server = "198.51.100.7:4433";
    c.family = 4;
    c.server_port = AMT_PORT_CIRA;
    c.syns = c.synack = 1;
    c.rst_from = -1;
    c.first_fin_from = size & 1 ? DIAG_CIRA_AMT : DIAG_CIRA_MPS;
    c.first_fin_frame = size + 2;
    c.last_ts_us = (int64_t)size * 100000;
    c.bytes[0] = c.bytes[1] = size;
    c.cira = &facts;
    c.redir_chans = &redir;
    for (size_t k = 0; k < redir.n; k++)
        FZ_CHECK(redir.chan[k]->channel == k + 1);
    diag_result *res = diag_run(&c, 1, NULL, 0, NULL);
    const diag_conn_result *cr = g_ptr_array_index(res->conns, 0);
    for (guint k = 0; k < cr->findings->len; k++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, k);
        FZ_CHECK(f->evidence != NULL && f->cause != NULL);
    }
    diag_result_free(res);
    for (size_t k = 0; k < redir.n; k++)
        diag_redir_clear(redir.chan[k]);
    return 0;
}
