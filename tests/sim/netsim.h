/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netsim: runs a console and a fake AMT against each other over real
 * sockets and records what a capture point between them would see — TCP
 * opens, every write of each side, closes, DNS datagrams — on a synthetic,
 * reproducible clock. The recording is later framed by wire.c. */
#ifndef AMTSIM_NETSIM_H
#define AMTSIM_NETSIM_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include "endpoint.h"
#include "simio.h"
#include "wire.h"

typedef struct netsim netsim;
typedef struct sim_conn sim_conn;

typedef enum {
    EV_TCP_OPEN,
    EV_TCP_REFUSED,
    EV_TCP_UNANSWERED,
    EV_TCP_DATA,
    EV_TCP_FIN,
    EV_TCP_RST,
    EV_UDP,
} sim_event_kind;

typedef struct sim_event {
    sim_event_kind kind;
    int64_t ts_us;
    int conn;        /* connection index, -1 for UDP */
    int from_server; /* direction of data, FIN and RST */
    uint8_t *data;   /* EV_TCP_DATA and EV_UDP payload */
    size_t len;
    sim_endpoint src, dst; /* EV_UDP */
} sim_event;

/* A TLS alert as the sending side's OpenSSL reported it. */
typedef struct sim_alert {
    int conn;
    int from_server;
    int level; /* 1 warning, 2 fatal */
    int desc;
    int64_t ts_us; /* when its record was written: alerts are listed in wire order */
} sim_alert;

/* What a connection carried, as the simulator itself knows it; it becomes
 * the sample's expected.json and is what tshark must confirm. */
#define SIM_MAX_HTTP 16
#define SIM_MAX_REDIR 64
typedef struct sim_conn_facts {
    sim_endpoint cli, srv;
    int tcp; /* EV_TCP_OPEN, EV_TCP_REFUSED or EV_TCP_UNANSWERED */
    int http_status[SIM_MAX_HTTP];
    char http_request[SIM_MAX_HTTP][96]; /* "POST /wsman" */
    unsigned n_http, n_req;
    int first_fin_from_server; /* -1 none yet */
    int rst_from;              /* -1 none, 0 client, 1 server */
    int tls;                   /* a TLS handshake was attempted */
    int handshake_done;
    char tls_version[16];
    char tls_cipher[64];
    int client_cert_sent; /* -1 unknown, 0 empty, 1 sent */
    int cert_request;     /* the server sent a CertificateRequest */
    char outcome[16];     /* "ok", "challenge", "rejected", "failed" */
    char causes[4][48];
    unsigned n_causes;
    int stale_401;   /* a 401 said stale="true" */
    char stage[16];  /* last stage reached: tcp, tls, http-auth, wsman */
    int decryptable; /* the capture holds what tshark needs to decrypt it */
    int alert_sent;  /* serve mode: the fatal alert the AMT sent, -1 none */
    /* the redirection messages each side wrote (0 console, 1 AMT), by type */
    uint8_t redir_types[2][SIM_MAX_REDIR];
    unsigned n_redir[2];
} sim_conn_facts;

/* Live mode: connections are real TCP on 127.0.0.1 (ports 16992-16995),
 * for a capture taken by dumpcap rather than synthesized. Call before the
 * first connection. */
void netsim_set_live(netsim *n);

/* Serve mode (amtsim --serve): the clock is the real clock and nothing is
 * recorded, since dumpcap takes the capture of real clients. Call before
 * the first connection. */
void netsim_set_realtime(netsim *n);

/* How long the console (client_us) and the AMT (server_us) take before
 * each write; the defaults are 350 µs and 2.1 ms. */
void netsim_set_steps(netsim *n, int client_us, int server_us);

/* What amtsim --fleet does on the AMT's side of every connection, so that
 * a capture is the same for the same seed: thread_start(arg, connection
 * index) runs first on each server thread (it seeds that thread's random
 * stream); server_ssl(arg, ssl) on each server SSL before its handshake
 * (it gives the connection its own copy of the key, whose RSA blinding
 * would otherwise depend on which thread ids the system hands out). Either
 * may be NULL. */
typedef struct netsim_server_hooks {
    void (*thread_start)(void *arg, int conn);
    void (*server_ssl)(void *arg, SSL *ssl);
    void *arg;
} netsim_server_hooks;
void netsim_set_server_hooks(netsim *n, const netsim_server_hooks *h);

/* Hands the events recorded so far to the caller, in time order, and
 * forgets them: the caller g_free()s each data and the array. */
sim_event *netsim_take_events(netsim *n, size_t *count);

/* Creates a simulation whose clock starts at start_us (µs since epoch). */
netsim *netsim_new(int64_t start_us);
void netsim_free(netsim *n);

int64_t netsim_now(netsim *n);
void netsim_advance(netsim *n, int64_t us);

/* The server side of a connection, run on its own thread. */
typedef void (*netsim_server_fn)(simio *io, void *ctx);

/* Serve mode: serves the TCP connection accepted on fd with serve(io, ctx)
 * here and now. facts receives the endpoints and, for TLS, the AMT's view
 * of the handshake and the fatal alert it sent. Returns fd, shut down for
 * writing but open: closing it before the client's FIN would answer the
 * client's last bytes (its close_notify) with RST, so the caller closes it
 * once the client has closed too. */
int netsim_serve_accepted(netsim *n, int fd, netsim_server_fn serve, void *ctx,
                          sim_conn_facts *facts);

/* Opens a TCP connection from cli to srv and starts serve(io, ctx) on the
 * server end. Returns the connection; its client-side simio is
 * netsim_client_io(). */
sim_conn *netsim_connect(netsim *n, const sim_endpoint *cli, const sim_endpoint *srv,
                         netsim_server_fn serve, void *ctx);
/* A connection attempt answered by RST (port closed) or not at all. */
sim_conn *netsim_connect_refused(netsim *n, const sim_endpoint *cli, const sim_endpoint *srv);
sim_conn *netsim_connect_unanswered(netsim *n, const sim_endpoint *cli, const sim_endpoint *srv);

simio *netsim_client_io(sim_conn *c);
sim_conn_facts *netsim_facts(sim_conn *c);
sim_conn *netsim_conn_of(simio *io);
int netsim_conn_index(sim_conn *c);

/* Puts io under TLS: ssl is created from ctx and runs over the recorded
 * socket. is_server selects accept or connect. Returns 1 when the
 * handshake completed, 0 when it failed (alerts are recorded). */
int simio_start_tls(simio *io, SSL_CTX *ctx, int is_server, const char *sni);
SSL *simio_ssl(simio *io);

/* Whether io is the server's (AMT's) end of its connection. */
int simio_is_server(const simio *io);

/* The simio an SSL object created by simio_start_tls belongs to. */
simio *simio_from_ssl(const SSL *ssl);

/* Puts io under TLS like simio_start_tls, but the server reads its input
 * through filter(), which may rewrite the first flight (the ClientHello)
 * before OpenSSL sees it: this is how a firmware that ignores an offered
 * extension is imitated. Server side only. */
typedef size_t (*simio_hello_filter)(uint8_t *buf, size_t len, size_t cap);
int simio_start_tls_filtered(simio *io, SSL_CTX *ctx, simio_hello_filter filter);

/* After a failed handshake: a side that sent a fatal alert closes at once;
 * the other waits for the peer's close first, as real stacks do, which
 * also keeps the recorded order reproducible. */
void simio_close_after_failure(simio *io);

/* Reads and discards until the peer closes. */
void simio_drain(simio *io);

/* Closes this side: TLS close_notify first when send_close_notify and the
 * session is up, then FIN; or an abortive RST. */
void simio_close(simio *io, int send_close_notify);
void simio_abort(simio *io);

/* Waits for the server thread of c to finish. */
void netsim_conn_join(sim_conn *c);

/* A DNS lookup: the query from client to server and its answer. answer is
 * 4/16 address bytes (A/AAAA) or a host name (PTR); NULL with NXDOMAIN. */
void netsim_dns(netsim *n, const sim_endpoint *client, const sim_endpoint *server,
                const char *qname, int qtype, int rcode, const void *answer);

/* Key log lines written by every TLS endpoint's SSL_CTX given here. */
void netsim_track_keylog(netsim *n, SSL_CTX *ctx);
const char *netsim_keylog(netsim *n);

/* Adds the alerts every SSL object using ctx sends to the connection facts. */
void netsim_track_alerts(netsim *n, SSL_CTX *ctx);

/* Time of the nth (0-based) data write on connection conn, or -1. */
int64_t netsim_data_time(netsim *n, int conn, unsigned nth);
/* Time of the last event of connection conn, or -1. */
int64_t netsim_conn_last_time(netsim *n, int conn);

size_t netsim_conn_count(netsim *n);
sim_conn *netsim_conn_at(netsim *n, size_t i);
const sim_alert *netsim_alerts(netsim *n, size_t *count);

/* Frames the recording into a capture file. Pathologies are applied per
 * connection from the table given, capture_start_us (0: none) drops early
 * frames, and with embed_secrets the key log goes into a DSB. */
typedef struct netsim_pathology {
    int conn;
    int from_server;
    wire_pathology kind;
    unsigned nth;
} netsim_pathology;

int netsim_write_capture(netsim *n, const char *path, pcapw_format fmt, const netsim_pathology *p,
                         size_t np, int64_t capture_start_us, int embed_secrets, char *err,
                         size_t errlen);

#endif
