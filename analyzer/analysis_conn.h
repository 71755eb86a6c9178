/* SPDX-License-Identifier: GPL-2.0-or-later */
/* analysis_conn: a connection's layers above TCP (TLS, HTTP, SOAP, the
 * redirection protocol, CIRA), fed with what the flow table delivers. One
 * thread runs them for a connection: the reader itself, or with -j the
 * worker the connection is routed to (jobs.h). */
#ifndef AMTDIAG_ANALYSIS_CONN_H
#define AMTDIAG_ANALYSIS_CONN_H

#include "analysis.h"
#include "tcp/flow.h"

/* What the layers of one thread share: the run (read only: keys, CIRA
 * ports, options), and the capture time of the packet that delivered the
 * bytes being processed. */
typedef struct conn_run {
    analysis *a;
    int64_t now_us;
} conn_run;

/* A connection's layers while its flow is open (analysis.c). */
typedef struct conn_state conn_state;

/* In-order bytes of direction dir (the flow table's on_data); port is the
 * server's. */
void analysis_conn_data(conn_state *cs, uint16_t port, int dir, const uint8_t *data, size_t len,
                        uint64_t first_frame, uint64_t last_frame);

/* len bytes of direction dir missing (on_gap). */
void analysis_conn_gap(conn_state *cs, uint16_t port, int dir, uint64_t len, uint64_t frame_before,
                       uint64_t frame_after);

/* Bytes that differ from an earlier copy (on_conflict). */
void analysis_conn_conflict(conn_state *cs, int dir, uint64_t frame, uint64_t offset, uint64_t len);

/* The flow ended (f: its final state): ends the layers, completes the
 * record and returns it (the caller owns it); cs is freed. */
conn_rec *analysis_conn_close(conn_state *cs, const tcp_flow *f);

#endif
