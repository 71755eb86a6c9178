/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jobs: -j N — a capture's connections analysed by N worker threads.
 *
 * The reader (the thread that reads the capture) numbers the frames, runs
 * TCP, DNS and Kerberos, and decides everything whose order matters: which
 * connection ends when, which are judged when (the hold by count of
 * judge_stream.h, counted over all connections), the DNS answers forgotten.
 * Each connection's layers above TCP (TLS, HTTP, SOAP, ...) and its
 * judgement run in one worker, chosen by AMT's address — the server's, or
 * the client's in a CIRA tunnel — so that what is known of one AMT across
 * its connections (Digest logins, its clock, TLS-only, resumed sessions)
 * stays in one worker. Every worker learns every DNS answer and Kerberos
 * message at the same point as one thread would; whether an address was
 * connected to at all is a table of the reader's. The judged connections
 * come back in the order one thread judges them and are counted and
 * written by the reader: the report is byte for byte the one of -j 1. */
#ifndef AMTDIAG_JOBS_H
#define AMTDIAG_JOBS_H

#include "amtdiag/diag.h"
#include "analysis_conn.h"
#include "judge_stream.h"
#include "only.h"

/* The most workers -j takes. */
#define JOBS_MAX (TLS_KEYS_THREADS - 1)

typedef struct jobs jobs;

/* n workers (2..JOBS_MAX) for a's connections, judged with the user's
 * inputs in, --only's list only; results go to js (its counters and
 * writer), which also keeps the DNS knowledge. sync_kdc(ctx) is called
 * before each connection's end is handled, to pass on new Kerberos
 * messages (jobs_kdc). All borrowed until jobs_free. */
jobs *jobs_new(analysis *a, unsigned n, const diag_inputs *in, const only_list *only,
               judge_stream *js, void (*sync_kdc)(void *ctx), void *ctx);

/* ---- the flow table's events, from analysis.c ---- */

/* The layers' context of the worker for flow f (cira: its server port is
 * a CIRA port, AMT is the client); *which is set to its number. */
conn_run *jobs_route(jobs *j, const tcp_flow *f, int cira, unsigned *which);
void jobs_data(jobs *j, unsigned w, conn_state *cs, uint16_t port, int dir, const uint8_t *data,
               size_t len, uint64_t first_frame, uint64_t last_frame, int64_t now_us);
void jobs_gap(jobs *j, unsigned w, conn_state *cs, uint16_t port, int dir, uint64_t len,
              uint64_t frame_before, uint64_t frame_after, int64_t now_us);
void jobs_conflict(jobs *j, unsigned w, conn_state *cs, int dir, uint64_t frame, uint64_t offset,
                   uint64_t len, int64_t now_us);
void jobs_close(jobs *j, unsigned w, conn_state *cs, const tcp_flow *f, int64_t now_us);

/* Waits until the workers have done everything handed to them so far (a
 * capture's embedded key log applies from its place on). */
void jobs_sync(jobs *j);

/* ---- from stream_run.c ---- */

/* Kerberos messages' facts added since the last call (copied). */
void jobs_kdc(jobs *j, const diag_kdc_msg *m, size_t n);

/* A DNS message: learned by js and every worker; freed when all have. */
void jobs_dns(jobs *j, dns_rec *d);

/* Capture time has reached now_us (judge_stream_time). */
void jobs_time(jobs *j, int64_t now_us);

/* The input is finished: judges what waits, hands every result to js in
 * order and stops the workers. */
void jobs_finish(jobs *j);

void jobs_free(jobs *j);

#endif
