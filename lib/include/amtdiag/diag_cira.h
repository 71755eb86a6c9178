/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The facts of one CIRA tunnel (APF inside TLS from AMT to its MPS, TCP
 * 4433), as the rules need them: the login and its answer, the forwards,
 * the keep-alive options and requests, the channels the MPS opened and
 * how AMT answered, a Disconnect. Both tools fill them message by message
 * from decrypted APF (diag_cira_message); fixed size, no allocation. */
#ifndef AMTDIAG_DIAG_CIRA_H
#define AMTDIAG_DIAG_CIRA_H

#include <stdint.h>

#include "amtdiag/apf.h"

/* In a CIRA tunnel AMT is the TCP client and the MPS the server: in the
 * facts' sides, DIAG_CONSOLE (0) is AMT and DIAG_AMT (1) the MPS. */
#define DIAG_CIRA_AMT 0
#define DIAG_CIRA_MPS 1

#define DIAG_CIRA_MAX_CHANNELS 16

/* A TLS session inside a channel (a console's TLS to AMT's 16993 or
 * 16995, carried in the tunnel's), as the tools' TLS decoders showed it:
 * frames are 0 when not seen. Sides as in the tunnel: the console behind
 * the MPS sends from DIAG_CIRA_MPS, AMT from DIAG_CIRA_AMT. */
typedef struct diag_cira_chan_tls {
    uint64_t client_hello_frame, server_hello_frame;
    uint64_t cert_request_frame; /* AMT asked for the console's certificate */
    uint64_t client_cert_frame;  /* the console's Certificate message */
    int client_cert_empty;       /* ... held no certificate */
    unsigned amt_after_hello;    /* AMT's handshake messages seen after its ServerHello */
    unsigned app_data[2];        /* application data records per side */
    int alert_from;              /* the first alert other than close_notify: -1 none */
    int alert_desc;
    uint64_t alert_frame;
    int alert_after_app_data; /* AMT had sent application data before it */
} diag_cira_chan_tls;

/* A channel the MPS (or AMT) asked to open, and its answer. */
typedef struct diag_cira_channel {
    uint64_t open_frame, answer_frame; /* answer_frame 0: none seen */
    int from;                          /* the side that asked */
    uint32_t sender, port;
    uint32_t answerer; /* the number the other side chose (confirmed) */
    char target[64];
    int confirmed;        /* 1 confirmed, 0 refused (when answered) */
    uint32_t reason;      /* ChannelOpenFailure's reason */
    uint64_t data[2];     /* ChannelData bytes per side */
    uint64_t close_frame; /* the first ChannelClose, from either side; 0 none */
    diag_cira_chan_tls tls;
} diag_cira_channel;

typedef struct diag_cira_facts {
    unsigned messages[2]; /* APF messages per side */
    uint64_t version_frame;
    uint32_t major, minor;
    char user[64]; /* UserAuthRequest's user (cut) */
    uint64_t auth_frame, auth_success_frame, auth_failure_frame;
    unsigned forwards_asked, forwards_granted;
    uint64_t forward_frame;
    /* keep-alive options the MPS asked (seconds) */
    int has_keepalive_options;
    uint32_t keepalive_interval, keepalive_timeout;
    uint64_t keepalive_options_frame;
    /* AMT's keep-alive requests and the MPS's replies */
    unsigned ka_requests, ka_replies;
    unsigned ka_unanswered;             /* requests after the last reply */
    uint64_t ka_first_unanswered_frame; /* the first of them */
    int64_t ka_first_unanswered_us;
    uint64_t ka_last_request_frame;
    diag_cira_channel channels[DIAG_CIRA_MAX_CHANNELS];
    unsigned n_channels, channels_dropped;
    /* a Disconnect */
    int disconnect_from; /* -1 none */
    uint32_t disconnect_reason;
    uint64_t disconnect_frame;
    unsigned unframed[2]; /* bytes that did not frame as APF, per side */
    uint64_t unframed_frame[2];
} diag_cira_facts;

/* Empty facts. */
void diag_cira_init(diag_cira_facts *f);

/* Adds one whole APF message (as framed by apf_frame) sent by side from
 * (DIAG_CIRA_AMT or DIAG_CIRA_MPS) in frame at capture time ts_us. */
void diag_cira_message(diag_cira_facts *f, uint64_t frame, int64_t ts_us, int from,
                       const uint8_t *msg, size_t len);

/* What the TLS session inside the tunnel's channel number ordinal (the
 * first channel opened is 1, as apf_chan numbers them) showed, fed by the
 * tools' TLS decoders in capture order; from is the sending side.
 * A handshake message of type hs_type (TLS numbering; for a Certificate
 * from the console, certs is how many it holds). */
void diag_cira_chan_handshake(diag_cira_facts *f, unsigned ordinal, int from, uint64_t frame,
                              int hs_type, unsigned certs);

/* An alert (its description; close_notify is the normal end). */
void diag_cira_chan_alert(diag_cira_facts *f, unsigned ordinal, int from, uint64_t frame, int desc);

/* A record of application data (content type 23 as decoded: decrypted, or
 * the header's in TLS 1.2 and before). */
void diag_cira_chan_app_data(diag_cira_facts *f, unsigned ordinal, int from, uint64_t frame);

/* Notes that a side's bytes stopped framing as APF at frame. */
void diag_cira_unframed(diag_cira_facts *f, uint64_t frame, int from, size_t len);

/* One line on the tunnel: "MPS user \"cira-amt7\" logged in; 2 of 2
 * forwards granted; keep-alive every 1 s, timeout 3 s: 2 requests, 2
 * replies; channel to 16992 confirmed". Returns what g_snprintf returns. */
int diag_cira_summary(const diag_cira_facts *f, char *buf, size_t len);

#endif
