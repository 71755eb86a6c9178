/* SPDX-License-Identifier: GPL-2.0-or-later */
/* analysis: one run of the analyzer — captures in, through the layers
 * (capture, TCP, TLS, HTTP, SOAP, DNS), connection records out. */
#ifndef AMTDIAG_ANALYSIS_H
#define AMTDIAG_ANALYSIS_H

#include <glib.h>

#include "amtdiag/result.h"
#include "export_decrypted.h"
#include "ident.h"
#include "model.h"
#include "options.h"
#include "tls/tls.h"

/* Warnings past this many are counted, not kept nor shown: a capture of
 * garbage must not fill memory or the terminal with them. */
#define ANALYSIS_WARNINGS_KEPT 1000

#define ANALYSIS_CIRA_PORTS_MAX OPTIONS_CIRA_PORTS_MAX

typedef struct analysis {
    tls_keys *keys;
    GPtrArray *conns;                   /* conn_rec*, in order of their first packet */
    GPtrArray *dns;                     /* dns_rec* */
    GPtrArray *krb;                     /* krb_rec* (krb/kdc.h): Kerberos messages on port 88,
                                           kept for the whole run by every format */
    const struct krb_keyring *krb_keys; /* AMT's Kerberos keys, or NULL: the names
                                           inside tickets are marked with them */
    GPtrArray *warnings;                /* "FILE: frame N: …" messages about the input, the
                                           first ANALYSIS_WARNINGS_KEPT */
    uint64_t n_warnings;                /* all of them, kept or not */
    unsigned n_conns;                   /* connections seen, kept or handed over */
    uint64_t n_dns;                     /* DNS messages seen, kept or handed over */
    GPtrArray *inputs;                  /* the files read (or the interface) */
    uint64_t frames, malformed;
    uint64_t frames_read; /* records read, decodable or not */
    unsigned files_unreadable;
    unsigned next_conn_id;
    /* called when a connection has ended and its record is complete (the
     * streaming report of -r - and -i); may be NULL */
    void (*on_conn_end)(void *ctx, const conn_rec *c);
    void *on_conn_end_ctx;
    /* When set, records are not kept in conns and dns: each is handed to
     * these as it is complete, and they own it (a capture of any size is
     * then read in bounded memory). on_time is told how far capture time
     * has gone, about once a second of it. take_ctx is their context. */
    void (*take_conn)(void *ctx, conn_rec *c);
    void (*take_dns)(void *ctx, dns_rec *d);
    void (*on_time)(void *ctx, int64_t now_us);
    void *take_ctx;
    /* -j: the worker threads the connections' layers run in (jobs.h), or
     * NULL: this thread runs them */
    struct jobs *jobs;
    /* -j with several inputs: files read in threads of their own
     * (read_ahead.h) before their turn, in input order: the one analysed
     * now, and the next */
    GQueue ahead;
    /* called with each warning as it is added to warnings (so a live
     * capture shows them at once); may be NULL */
    void (*on_warning)(void *ctx, const char *msg);
    /* called about twice a second while a long input is read (frames read
     * so far), and with done set when the input is finished; NULL: never */
    void (*on_progress)(void *ctx, const char *file, uint64_t frames, unsigned conns, int done);
    void *ui_ctx;                 /* for on_warning and on_progress */
    dec_writer *export_decrypted; /* --export-decrypted, or NULL */
    int64_t progress_at_us;       /* when progress was last reported (monotonic) */
    amt_err err;                  /* the message of the last failure */
    id_marks *marks;              /* identifying values, marked as they are recorded (for
                                     --redact); NULL: not marked */
    uint64_t max_frames;          /* -c: frames to read in all, 0: all */
    /* TCP ports where AMT calls its MPS (CIRA; --cira-port, default 4433) */
    uint16_t cira_ports[ANALYSIS_CIRA_PORTS_MAX];
    unsigned n_cira_ports;
    int64_t live_seconds;     /* -a duration: a live capture stops after it, 0: never */
    int64_t live_deadline_us; /* ... at this monotonic time */
    const char *keep_path;    /* -w: keep a live capture's frames there, or NULL */
    uint64_t kept_frames;     /* ... how many were kept */
    /* the report shows neither HTTP headers nor bodies' SHA-256 (only JSON
     * and NDJSON do): copying every header and hashing up to 4 MiB per
     * body are then left out */
    int lean_http;
} analysis;

void analysis_init(analysis *a);

/* Whether port is one where AMT calls its MPS in this run (CIRA). */
int analysis_is_cira_port(const analysis *a, uint16_t port);
void analysis_free(analysis *a);

/* Adds an NSS key log file. Returns AMT_OK, or the error (the file cannot
 * be read) with its message in a->err; bad lines are warned about, not
 * fatal. */
amt_rc analysis_add_keylog_file(analysis *a, const char *path);

/* Adds a pre-shared key, [IDENTITY:]HEX as --psk takes it. Returns AMT_OK,
 * or AMT_E_USAGE with the message in a->err. */
amt_rc analysis_add_psk(analysis *a, const char *spec);

/* Adds the AMT's RSA private key. Returns AMT_OK, or the error in a->err. */
amt_rc analysis_add_rsa_key(analysis *a, const char *path, const char *password);

/* Reads one capture file ("-" for stdin) to its end, once. Returns 0, 1
 * when it was read only in part (cut off, or a corrupt block after some
 * frames: a warning says where), -1 when nothing of it could be read (the
 * message in a->err; files_unreadable counts it). */
int analysis_read_file(analysis *a, const char *path);

/* With worker threads (-j) and no -c: starts reading path, the input that
 * comes next, in a thread of its own; analysis_read_file(a, path) then
 * takes what it read, so that files are read while the one before is
 * analysed. The report is that of reading them one after the other. */
void analysis_read_ahead(analysis *a, const char *path);

/* Captures live on iface until interrupted. Returns 0, or -1 with the
 * message in a->err. */
int analysis_read_live(analysis *a, const char *iface, const char *filter);

#endif
