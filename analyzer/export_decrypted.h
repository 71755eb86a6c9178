/* SPDX-License-Identifier: GPL-2.0-or-later */
/* export_decrypted: the decrypted application data as a pcapng that opens
 * without keys (--export-decrypted). */
#ifndef AMTDIAG_EXPORT_DECRYPTED_H
#define AMTDIAG_EXPORT_DECRYPTED_H

#include <stdint.h>

#include "amtdiag/result.h"
#include "model.h"

typedef struct dec_writer dec_writer;

/* Starts writing path (a secret file: decrypted traffic holds credentials;
 * see outfile.h). Returns NULL with the error in e. */
dec_writer *dec_writer_open(const char *path, amt_err *e);

/* Application data of connection c from side dir (0 client), at capture
 * time ts_us. The first call for a connection writes its handshake. */
void dec_writer_data(dec_writer *w, const conn_rec *c, int dir, const uint8_t *data, size_t len,
                     int64_t ts_us);

/* len bytes of side dir are missing from the capture: the synthetic
 * stream skips them too, so Wireshark shows the same hole. */
void dec_writer_gap(dec_writer *w, const conn_rec *c, int dir, uint64_t len);

/* The connection ended: its closing segments. */
void dec_writer_close_conn(dec_writer *w, const conn_rec *c, int64_t ts_us);

/* Finishes the file and frees w: AMT_OK with *frames the number written,
 * or the error in e (the target then as it was). */
amt_rc dec_writer_close(dec_writer *w, uint64_t *frames, amt_err *e);

#endif
