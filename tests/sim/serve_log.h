/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serve_log: what amtsim --serve saw and did, one JSON line per TCP
 * connection ({"n", "port", "client", "tls": {...}, "fatal_alert_sent",
 * "verdict", "answers": [{"request", "status"}], "refused",
 * "request_line"}) and per DNS query ({"dns": {"name", "type", "rcode",
 * "answer"}}): the AMT's own account, which the corpus recorder holds
 * against the clients and tshark. */
#ifndef AMTSIM_SERVE_LOG_H
#define AMTSIM_SERVE_LOG_H

#include <stdio.h>
#include "netsim.h"
#include "serve_dns.h"

#define SERVE_MAX_ANSWERS 16

/* What the AMT answered on the connection being served. */
typedef struct serve_answers {
    char request[SERVE_MAX_ANSWERS][96];
    int status[SERVE_MAX_ANSWERS];
    unsigned n;
} serve_answers;

/* amt_device_cfg.on_answer: notes one answer in the serve_answers arg. */
void serve_answers_note(void *arg, const char *method, const char *target, int status);

/* The line of TCP connection n on port: f as netsim_serve_accepted filled
 * it, the AMT's certificate verdict (or NULL), its answers (or NULL), and
 * for a TLS-only AMT's 16992 how it refused ("closed", "reset") and the
 * request line it read. */
void serve_log_conn(FILE *log, long n, int port, const sim_conn_facts *f, const char *verdict,
                    const serve_answers *a, const char *refused, const char *refused_line);

void serve_log_dns(FILE *log, const serve_dns_lookup *lu);

#endif
