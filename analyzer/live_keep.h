/* SPDX-License-Identifier: GPL-2.0-or-later */
/* live_keep: -w FILE, the packets of a live capture kept as pcapng while
 * they are diagnosed, as tshark -w keeps them. */
#ifndef AMTDIAG_LIVE_KEEP_H
#define AMTDIAG_LIVE_KEEP_H

#include <stddef.h>
#include <stdint.h>

#include "amtdiag/result.h"

typedef struct live_keep live_keep;

/* Starts FILE for frames of linktype (written through outfile: in place
 * only once complete, mode 0600). NULL with the message in e. */
live_keep *live_keep_open(const char *path, int linktype, amt_err *e);
/* A frame, for capture.h's cap_set_tap. */
void live_keep_frame(void *keep, int linktype, const uint8_t *data, size_t caplen, size_t origlen,
                     int64_t ts_us);
/* Finishes the file: AMT_OK with the number of frames in *frames, or the
 * error (a write failed, a full disk) in e. Frees k. */
amt_rc live_keep_close(live_keep *k, uint64_t *frames, amt_err *e);

#endif
