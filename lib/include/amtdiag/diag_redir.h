/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The redirection session of one connection (16994, or 16995 inside TLS)
 * as lib's rules read it, and the builder both tools feed: every whole
 * message in capture order, the analyzer from its reassembled streams and
 * the Wireshark plugin from the messages it dissected. What the console
 * asked for (SOL, IDE-R, KVM), the login methods AMT offered, each login
 * with AMT's answer and the challenge it answered, the session start and
 * its refusal are derived here, once, so both tools judge the same facts.
 * Storage is inline and bounded; nothing points outside the structure. */
#ifndef AMTDIAG_DIAG_REDIR_H
#define AMTDIAG_DIAG_REDIR_H

#include <stddef.h>
#include <stdint.h>

#include "amtdiag/diag.h"
#include "amtdiag/http_auth.h"
#include "amtdiag/redir.h"

#define DIAG_REDIR_LOGINS_MAX 6
#define DIAG_REDIR_METHODS_MAX 8
/* Redirection sessions kept per CIRA tunnel (one per channel); the
 * channels past them are counted, not followed (docs/limits.md). */
#define DIAG_REDIR_CHANNELS_MAX 16

/* How AMT answered an AuthenticateSession. */
typedef enum {
    DIAG_REDIR_PENDING,     /* no answer (yet) */
    DIAG_REDIR_CHALLENGE,   /* FAILURE with a nonce to a Digest start: a challenge */
    DIAG_REDIR_ACCEPTED,    /* SUCCESS */
    DIAG_REDIR_REJECTED,    /* FAILURE to credentials */
    DIAG_REDIR_UNSUPPORTED, /* NOT_SUPPORTED: AMT does not take this method */
    DIAG_REDIR_OTHER        /* a status this decoder does not know */
} diag_redir_outcome;

/* One AuthenticateSession other than the query: a Digest start (user and
 * URI only), or credentials (a Digest response, user and password, a
 * Kerberos ticket). */
typedef struct diag_redir_login {
    uint64_t frame;
    uint8_t auth_type; /* REDIR_AUTH_* */
    int digest_start;  /* a Digest request without a response */
    char user[HTTP_AUTH_VALUE_MAX];
    http_auth digest;            /* types 3 and 4: the request's parameters */
    int has_password;            /* type 1: a password was sent in clear; only */
    uint8_t password_sha256[32]; /* its SHA-256 is kept, to compare a supplied one */
    uint32_t ticket_len;         /* type 2 */
    int malformed;               /* the message was cut or its strings ran over */
    diag_redir_outcome outcome;
    int status;           /* the reply's status byte, -1 none */
    uint64_t reply_frame; /* 0: not answered */
    /* the Digest challenge AMT had sent last before this login, if any */
    uint64_t challenge_frame;
    char realm[HTTP_AUTH_VALUE_MAX];
    char nonce[HTTP_AUTH_VALUE_MAX];
    char qop[HTTP_AUTH_SHORT_MAX];
} diag_redir_login;

typedef struct diag_redir_facts {
    /* in a CIRA tunnel, the session's number among the tunnel's
     * redirection sessions (1 for the channel whose first redirection
     * message came first, 2 for the next, …; findings name it), the port
     * its channel was opened to and that first message; 0 in the facts of
     * a direct connection (16994, 16995) */
    unsigned channel;
    uint32_t channel_port;
    uint64_t channel_frame;
    unsigned messages[2];   /* whole messages per side (DIAG_CONSOLE, DIAG_AMT) */
    uint64_t last_frame[2]; /* each side's last message: where, and its type */
    uint8_t last_type[2];
    redir_session session; /* what StartRedirectionSession asked for */
    uint64_t start_frame;  /* 0: none seen */
    int start_status;      /* StartRedirectionSessionReply's status, -1 none */
    uint64_t start_reply_frame;
    uint64_t query_frame; /* the console asked which methods AMT takes */
    int methods_known;    /* ... and AMT answered */
    uint8_t methods[DIAG_REDIR_METHODS_MAX];
    size_t n_methods;
    uint64_t methods_frame;
    /* the Digest challenge in force: the last nonce AMT sent */
    uint64_t challenge_frame;
    char realm[HTTP_AUTH_VALUE_MAX];
    char nonce[HTTP_AUTH_VALUE_MAX];
    char qop[HTTP_AUTH_SHORT_MAX];
    diag_redir_login logins[DIAG_REDIR_LOGINS_MAX];
    size_t n_logins;         /* the last DIAG_REDIR_LOGINS_MAX are kept */
    unsigned logins_seen;    /* all of them */
    uint64_t accepted_frame; /* the reply that accepted a login, 0 none */
    uint64_t feature_frame;  /* StartSOL or StartIDER (KVM: its 0x40), 0 none */
    int feature_status;      /* its reply's status, -1 none */
    uint64_t feature_reply_frame;
    uint64_t data_frame[2];    /* first session data per side (SOL, IDE-R, RFB) */
    uint64_t session_bytes[2]; /* SOL and IDE-R data and RFB bytes per side */
    uint64_t end_frame;        /* EndRedirectionSession, 0 none */
    uint64_t bad_frame;        /* bytes that are no message of this protocol, 0 none */
    int bad_from;
    uint8_t bad_type;
    int raw[2]; /* KVM: this side carries RFB from now on */
} diag_redir_facts;

/* The redirection sessions of one CIRA tunnel, one per APF channel that
 * carried the protocol, each judged by the redirection rules on its own.
 * The tool gives each channel a key of its own (the same for all of the
 * channel's messages, larger for a channel opened later) and the storage
 * of its facts; nothing here allocates. */
typedef struct diag_redir_chans {
    diag_redir_facts *chan[DIAG_REDIR_CHANNELS_MAX]; /* chan[k]->channel == k + 1 */
    uint64_t key[DIAG_REDIR_CHANNELS_MAX];
    size_t n;
    unsigned dropped;       /* channels past DIAG_REDIR_CHANNELS_MAX, not followed */
    uint64_t dropped_frame; /* the first message of the first of them */
    uint64_t dropped_key;   /* the latest of them */
} diag_redir_chans;

/* Starts empty facts. */
void diag_redir_init(diag_redir_facts *r);

/* A whole message of side from (DIAG_CONSOLE or DIAG_AMT), as redir_frame
 * framed it, in the frame that completed it. */
void diag_redir_message(diag_redir_facts *r, uint64_t frame, int from, const uint8_t *msg,
                        size_t len);

/* len bytes of KVM's RFB stream from side from (after the KVM start). */
void diag_redir_raw(diag_redir_facts *r, uint64_t frame, int from, size_t len);

/* Bytes of side from that are no message of this protocol (first byte
 * type): the framing of that side stops there. */
void diag_redir_bad(diag_redir_facts *r, uint64_t frame, int from, uint8_t type);

/* Whether side from carries KVM's RFB stream from now on: after the
 * console's KVM start (0x40) on the console's side, after AMT's reply
 * (0x41) on AMT's. */
int diag_redir_is_raw(const diag_redir_facts *r, int from);

/* The session the framer must use for the next message (KVM's 0x40 and
 * 0x41 differ from IDE-R's). */
redir_session diag_redir_session(const diag_redir_facts *r);

/* Wipes the facts (password hashes included). */
void diag_redir_clear(diag_redir_facts *r);

/* One line on the session: "SOL; login Digest as admin: accepted; SOL
 * started". Returns what g_snprintf returns. */
int diag_redir_summary(const diag_redir_facts *r, char *buf, size_t len);

/* An empty set of channel sessions. */
void diag_redir_chans_init(diag_redir_chans *s);

/* The facts of the channel key, NULL when none are kept for it. */
diag_redir_facts *diag_redir_chans_find(const diag_redir_chans *s, uint64_t key);

/* Whether the set holds DIAG_REDIR_CHANNELS_MAX channels already. */
int diag_redir_chans_full(const diag_redir_chans *s);

/* A new channel key to port, whose first redirection message is in
 * frame: storage (the caller's, living as long as s) becomes its empty
 * facts, numbered next, and is returned. When the set is full or storage
 * is NULL the channel is counted as dropped (once: a key not above the
 * last dropped one is a channel counted before) and NULL is returned;
 * storage is then not taken. */
diag_redir_facts *diag_redir_chans_add(diag_redir_chans *s, uint64_t key, uint32_t port,
                                       uint64_t frame, diag_redir_facts *storage);

/* "pending", "challenge", "accepted", "rejected", "unsupported", "other". */
const char *diag_redir_outcome_name(diag_redir_outcome o);

#endif
