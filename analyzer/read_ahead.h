/* SPDX-License-Identifier: GPL-2.0-or-later */
/* read_ahead: a capture file opened, read, decompressed and decoded in a
 * thread of its own while the one before it is analysed (-j with several
 * input files). What the thread reads waits in a bounded queue (packets
 * with their payload, warnings, the key logs a pcapng carries, the end)
 * and is handed on later in the same order, with the same callbacks as
 * cap_run, so that the analysis, and the report, are those of reading the
 * files one after the other. */
#ifndef AMTDIAG_READ_AHEAD_H
#define AMTDIAG_READ_AHEAD_H

#include "amtdiag/result.h"
#include "capture/capture.h"

/* Bytes of packets a file read ahead may hold before its thread waits. */
#define READ_AHEAD_BYTES ((size_t)512 << 10)

typedef struct read_ahead read_ahead;

/* Starts reading path in a thread; NULL when no thread could be started
 * (the file is then read as usual). */
read_ahead *read_ahead_start(const char *path);

/* The path being read. */
const char *read_ahead_path(const read_ahead *r);

/* Waits until the file is open: 0, or -1 with the message naming the
 * file in e (as cap_open_file). */
int read_ahead_opened(read_ahead *r, amt_err *e);

/* The name used in messages (cap_name); after read_ahead_opened. */
const char *read_ahead_name(const read_ahead *r);

/* Hands on what was read, as cap_run(s, d, cb, warn, ctx, stats) would
 * with secrets set by cap_set_secrets; returns as cap_run does. */
int read_ahead_run(read_ahead *r, cap_packet_cb cb, cap_warn_cb warn, cap_secrets_cb secrets,
                   void *ctx, cap_stats *stats);

/* cap_error's message at the end of the file ("" if none). */
const char *read_ahead_error(const read_ahead *r);

/* Stops the thread if it still reads and frees everything (NULL is
 * allowed). */
void read_ahead_free(read_ahead *r);

#endif
