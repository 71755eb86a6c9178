/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model: what the analysis keeps of each connection and DNS lookup once
 * the layers are done with it — the facts the reports print and the
 * diagnosis reasons about. Strings are owned (g_strdup). */
#ifndef AMTDIAG_MODEL_H
#define AMTDIAG_MODEL_H

#include <glib.h>
#include <limits.h>
#include <stdint.h>

#include "amtdiag/diag_cira.h"
#include "amtdiag/diag_redir.h"
#include "tcp/flow.h"
#include "tls/tls.h"

/* No connection: a finding about none (DNS), or none seen. */
#define CONN_ID_NONE UINT_MAX

/* The SOAP of one HTTP message, reduced to what the reports show. */
typedef struct soap_rec {
    int present;       /* the body decoded as SOAP */
    char *error;       /* why the body did not decode, or NULL */
    char *kind;        /* "wsman", "eoi", "soap11" */
    char *action;      /* full Action URI */
    char *action_name; /* "Get", "PullResponse", "CommitChanges", … */
    char *class_name;  /* "AMT_GeneralSettings" */
    char *message_id, *relates_to;
    char *body_name;
    char *fields; /* "Name=value; …" first fields, for the transcript */
    int has_return_value;
    uint32_t return_value;
    char *return_value_name;
    int is_fault;
    char *fault_code, *fault_subcode, *fault_subcode_ns, *fault_reason;
    char *eoi_service, *eoi_method;
    int has_status_code;
    uint32_t status_code;
    char *status_name;
    char *enumeration_context;
    unsigned n_items;
    int has_amt_time; /* a time-synchronization answer: AMT's clock */
    int64_t amt_time; /* ... in Unix seconds */
    char *trusted_cn; /* AMT_TLSSettingData TrustedCN values, "a, b" */
} soap_rec;

/* One HTTP message of an exchange. */
typedef struct http_msg_rec {
    int present, complete;
    unsigned flags; /* HTTP_MSG_* */
    uint32_t first_frame, last_frame;
    char *method, *target; /* requests */
    int status;            /* responses */
    char *reason;
    char *authorization, *www_authenticate, *content_type, *server, *date, *connection, *host;
    GPtrArray *headers;   /* "Name: value" strings, in order */
    uint64_t body_len;    /* of the de-chunked body, all of it (not only what was kept) */
    char body_sha256[65]; /* of the de-chunked body; "" when only a prefix was kept */
    soap_rec soap;
} http_msg_rec;

typedef struct http_rec {
    unsigned seq;
    http_msg_rec req, resp;
    int interim_status;
    int64_t resp_ts_us; /* capture time of the frame that completed the response */
} http_rec;

typedef enum { APP_UNKNOWN, APP_HTTP, APP_TLS, APP_REDIR } app_proto;

/* One redirection message, for the transcript and the ladder. */
typedef struct redir_line {
    uint64_t frame;
    int dir; /* 0 console, 1 AMT */
    char text[320];
} redir_line;

#define CONN_REDIR_LINES_MAX 256

/* A TLS handshake message of a connection, for frame numbers in findings
 * and the ladder diagram. */
typedef struct hs_event {
    uint64_t frame;
    int dir;  /* TLS_DIR_* */
    int type; /* TLS_HS_* */
    int encrypted;
} hs_event;

#define CONN_HS_EVENTS_MAX 64
#define CONN_GAPS_MAX 8
#define CONN_HEAD_MAX 16

/* A hole in one direction of a connection. */
typedef struct gap_rec {
    int dir; /* 0 client, 1 server */
    uint64_t frame_before, frame_after;
} gap_rec;

typedef struct conn_rec {
    unsigned id; /* in order of the first packet, across all inputs; never
                    CONN_ID_NONE */
    char *file;
    tcp_endpoint client, server;
    uint64_t first_frame, last_frame;
    int64_t first_ts_us, last_ts_us;
    uint32_t syn_count;
    uint64_t syn_frame, synack_frame, established_frame;
    uint64_t fin_frame[2], rst_frame;
    int rst_from;
    int midstream;
    int cira_port; /* the server's port is one where AMT calls its MPS */
    tcp_flow_end end;
    uint64_t bytes[2];
    uint32_t gaps[2];
    uint64_t gap_bytes[2];
    gap_rec gap_at[CONN_GAPS_MAX]; /* where the first holes are */
    unsigned n_gap_at;
    uint8_t client_head[CONN_HEAD_MAX]; /* the console's first bytes */
    unsigned n_client_head;
    uint64_t client_head_frame;
    uint64_t app_first_frame[2]; /* first application data record, per direction */
    uint32_t conflicts[2];
    app_proto app;
    tls_conn *tls;    /* kept for its summary */
    GArray *hs;       /* hs_event, the first CONN_HS_EVENTS_MAX */
    GPtrArray *http;  /* http_rec* */
    GPtrArray *notes; /* "frame N: …" problems seen in this connection */
    /* the redirection protocol (plain, or inside TLS): lib's facts, and the
     * first CONN_REDIR_LINES_MAX messages; NULL when it carried none */
    diag_redir_facts *redir;
    /* a CIRA tunnel (APF inside TLS on 4433): lib's facts; its messages go
     * to the same transcript lines as redirection's */
    diag_cira_facts *cira;
    /* ... and the redirection sessions in its channels, one per channel */
    diag_redir_chans *redir_chans;
    GArray *redir_lines; /* redir_line */
    uint64_t redir_more; /* messages past the lines kept */
} conn_rec;

typedef struct dns_rec {
    char *file;
    uint64_t frame;
    int is_response;
    char *qname;
    uint16_t qtype;
    int rcode;
    char *answers; /* "A 192.0.2.20, PTR host.example.com" */
    int64_t ts_us;
    unsigned n_addrs; /* A and AAAA answers */
    int addr_family[8];
    uint8_t addrs[8][16];
    unsigned n_ptr; /* PTR answers */
    char *ptr_names[8];
    int ptr_family; /* the address a PTR query name stands for, 0 when none */
    uint8_t ptr_addr[16];
    int client_family; /* a response's destination, who asked (4 or 6) */
    uint8_t client_addr[16];
} dns_rec;

void conn_rec_free(conn_rec *c);
void dns_rec_free(dns_rec *d);

/* Writes n bytes as lowercase hex into out (2n+1 bytes, NUL-terminated). */
void hex_encode(const uint8_t *p, size_t n, char *out);

/* "192.0.2.10:50113" or "[2001:db8::10]:50113". buf at least 64 bytes. */
const char *endpoint_str(const tcp_endpoint *ep, char *buf, size_t len);

/* How the TCP connection went: "refused", "no-answer", "reset-by-server",
 * "closed", "open-at-end", … */
const char *conn_tcp_outcome(const conn_rec *c);

#endif
