/* SPDX-License-Identifier: GPL-2.0-or-later */
/* judge_stream: connections judged as a capture is read, in bounded memory.
 *
 * Each ended connection teaches the diagnosis what it shows of its AMT at
 * once (diag_know_conn), then waits a hold window of capture time, so that
 * connections ending soon after it (the working 16993 beside a refused 16992,
 * the next login of a Digest chain) count as evidence; then it is judged,
 * handed to the writer, and freed. What stays is the per-server knowledge
 * and counters for the summary. */
#ifndef AMTDIAG_JUDGE_STREAM_H
#define AMTDIAG_JUDGE_STREAM_H

#include "amtdiag/diag.h"
#include "model.h"

/* How long a connection waits after its last packet before it is judged,
 * and how many may wait at once (past it the oldest is judged early: the
 * bound on memory, whatever the rate of connections). */
#define JUDGE_HOLD_US ((int64_t)60 * G_USEC_PER_SEC)
#define JUDGE_HOLD_MAX 2048
/* DNS answers older than this are forgotten. */
#define JUDGE_DNS_KEEP_US ((int64_t)3600 * G_USEC_PER_SEC)

/* What the summary is made of: counted as connections are judged. */
typedef struct judge_counts {
    uint64_t conns, dns;
    uint64_t outcome[DIAG_N_OUTCOMES];
    uint64_t rejected, not_ok, errors;
    uint64_t *by_cause;   /* findings per cause, indexed like diag_causes() */
    unsigned *first_conn; /* per cause the lowest connection id with it
                             (CONN_ID_NONE: none, or only global) */
    size_t n_causes;
    diag_clock clock;   /* the first AMT clock the judgements found */
    int64_t last_ts_us; /* the latest capture time seen */
} judge_counts;

/* Called with each judged connection and its one-connection result, and
 * with findings about no single connection (c NULL, d's global); now_us is
 * the latest capture time seen. */
typedef void (*judged_fn)(void *ctx, const conn_rec *c, const diag_result *d, int64_t now_us);

typedef struct judge_stream judge_stream;

/* A stream judging with the user's inputs in (borrowed for its life). */
judge_stream *judge_stream_new(const diag_inputs *in, judged_fn fn, void *ctx);

/* The Kerberos messages on port 88 read so far (borrowed until the next
 * call or the stream's end): connections judged from now on are judged
 * with them, as the full report judges with all of them. */
void judge_stream_kdc(judge_stream *js, const diag_kdc_msg *kdc, size_t n);

/* Reading a file, nothing waits for the clock: a connection is judged when
 * JUDGE_HOLD_MAX others wait after it, or at the end — so a capture of up
 * to that many connections is judged with all of it known, as a whole. */
void judge_stream_hold_by_count(judge_stream *js);

/* Takes an ended connection (freed once judged). */
void judge_stream_conn(judge_stream *js, conn_rec *c);

/* Takes a DNS message (freed at once: the knowledge keeps a copy). */
void judge_stream_dns(judge_stream *js, dns_rec *d);

/* Learns a DNS message as judge_stream_dns, without taking it. */
void judge_stream_dns_learn(judge_stream *js, const dns_rec *d);

/* Capture time has reached now_us: judges what has waited long enough. */
void judge_stream_time(judge_stream *js, int64_t now_us);

/* -j: connections are learned and judged by the workers (jobs.h); this
 * stream keeps the DNS knowledge, the counters and the writer. */

/* Counts a connection judged elsewhere (r freed) and hands it to the
 * writer stamped now_us: results must come in the order of judgement. */
void judge_stream_result(judge_stream *js, const conn_rec *c, diag_result *r, int64_t now_us);

/* Capture time now_us seen (a connection's last packet). */
void judge_stream_saw(judge_stream *js, int64_t ts_us);

/* Capture time has reached now_us, and the oldest connection waiting
 * (in any worker) began at oldest_first_us (INT64_MAX: none): forgets the
 * DNS answers no waiting connection can need, as judge_stream_time. */
void judge_stream_time_held(judge_stream *js, int64_t now_us, int64_t oldest_first_us);

/* The knowledge (its DNS part is what every worker learns too). */
diag_know *judge_stream_know(judge_stream *js);

/* The input is finished: judges every connection still waiting. */
void judge_stream_finish(judge_stream *js);

/* The counters so far. */
const judge_counts *judge_stream_counts(const judge_stream *js);

/* Connections waiting to be judged now (for the memory bound's tests). */
size_t judge_stream_waiting(const judge_stream *js);

/* Frees js and what still waits, unjudged (call judge_stream_finish first
 * to judge it). */
void judge_stream_free(judge_stream *js);

#endif
