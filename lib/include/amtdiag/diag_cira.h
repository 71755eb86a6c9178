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

/* A channel the MPS (or AMT) asked to open, and its answer. */
typedef struct diag_cira_channel {
    uint64_t open_frame, answer_frame; /* answer_frame 0: none seen */
    int from;                          /* the side that asked */
    uint32_t sender, port;
    char target[64];
    int confirmed;    /* 1 confirmed, 0 refused (when answered) */
    uint32_t reason;  /* ChannelOpenFailure's reason */
    uint64_t data[2]; /* ChannelData bytes per side */
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

/* Notes that a side's bytes stopped framing as APF at frame. */
void diag_cira_unframed(diag_cira_facts *f, uint64_t frame, int from, size_t len);

/* One line on the tunnel: "MPS user \"cira-amt7\" logged in; 2 of 2
 * forwards granted; keep-alive every 1 s, timeout 3 s: 2 requests, 2
 * replies; channel to 16992 confirmed". Returns what g_snprintf returns. */
int diag_cira_summary(const diag_cira_facts *f, char *buf, size_t len);

#endif
