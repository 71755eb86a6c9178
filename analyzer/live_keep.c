/* SPDX-License-Identifier: GPL-2.0-or-later */
/* live_keep: a pcapng section, one interface (the capture's link type,
 * microsecond times) and an enhanced packet block per frame. */
#include "live_keep.h"

#include <glib.h>

#include "outfile.h"
#include "pcapng_out.h"

struct live_keep {
    out_file *f;
    int failed;
    uint64_t frames;
};

live_keep *live_keep_open(const char *path, int linktype, amt_err *e)
{
    out_file *f = outfile_open(path, OUTFILE_SECRET, e);
    if (!f)
        return NULL;
    live_keep *k = g_new0(live_keep, 1);
    k->f = f;
    k->failed = pcapng_write_shb(outfile_stream(f), "amtdiag") != 0 ||
                pcapng_write_idb(outfile_stream(f), (uint16_t)linktype, 262144, 6) != 0;
    return k;
}

void live_keep_frame(void *keep, int linktype, const uint8_t *data, size_t caplen, size_t origlen,
                     int64_t ts_us)
{
    live_keep *k = keep;
    (void)linktype; /* one interface: a live capture has one link type */
    if (k->failed)
        return;
    k->failed = pcapng_write_epb(outfile_stream(k->f), 0, (uint64_t)ts_us, data, (uint32_t)caplen,
                                 (uint32_t)origlen) != 0;
    k->frames++;
}

amt_rc live_keep_close(live_keep *k, uint64_t *frames, amt_err *e)
{
    *frames = k->frames;
    amt_rc rc;
    if (k->failed) {
        outfile_abort(k->f);
        rc = amt_fail(e, AMT_E_OUTPUT, "-w: writing the packets failed (disk full?)");
    } else {
        rc = outfile_commit(k->f, e);
    }
    g_free(k);
    return rc;
}
