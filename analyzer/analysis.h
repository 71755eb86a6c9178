/* SPDX-License-Identifier: GPL-2.0-or-later */
/* analysis: one run of the analyzer — captures in, through the layers
 * (capture, TCP, TLS, HTTP, SOAP, DNS), connection records out. */
#ifndef AMTDIAG_ANALYSIS_H
#define AMTDIAG_ANALYSIS_H

#include <glib.h>

#include "export_decrypted.h"
#include "model.h"
#include "tls/tls.h"

typedef struct analysis {
    tls_keys *keys;
    GPtrArray *conns;    /* conn_rec*, in order of their first packet */
    GPtrArray *dns;      /* dns_rec* */
    GPtrArray *warnings; /* "FILE: frame N: …" messages about the input */
    GPtrArray *inputs;   /* the files read (or the interface) */
    uint64_t frames, malformed;
    unsigned files_unreadable;
    unsigned next_conn_id;
    int progress; /* print a progress line on stderr (a terminal) */
    /* called when a connection has ended and its record is complete (the
     * streaming report of -r - and -i); may be NULL */
    void (*on_conn_end)(void *ctx, const conn_rec *c);
    void *on_conn_end_ctx;
    dec_writer *export_decrypted; /* --export-decrypted, or NULL */
    int64_t progress_at_us;       /* when it was last printed (monotonic) */
} analysis;

void analysis_init(analysis *a);
void analysis_free(analysis *a);

/* Adds an NSS key log file. Returns 0, or -1 when it cannot be read (the
 * message is on stderr); bad lines are warned about, not fatal. */
int analysis_add_keylog_file(analysis *a, const char *path);

/* Adds the AMT's RSA private key. Returns 0, or -1 (message on stderr). */
int analysis_add_rsa_key(analysis *a, const char *path, const char *password);

/* Reads one capture file ("-" for stdin) to its end. Returns 0, 1 when it
 * was read only in part (truncated: a warning says where), -1 when it could
 * not be read at all (message on stderr). */
int analysis_read_file(analysis *a, const char *path);

/* Captures live on iface until interrupted. Returns 0, or -1. */
int analysis_read_live(analysis *a, const char *iface, const char *filter);

#endif
