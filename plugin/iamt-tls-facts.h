/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TLS facts of every TCP connection to AMT's TLS ports, collected on
 * the first pass from the tls.* and tcp.* fields Wireshark dissected, in
 * lib's diag_conn_facts form, so lib's rules can judge them. Capture-wide
 * (file scope): AMT's clock and the reverse DNS rules look across
 * connections. */
#ifndef IAMT_TLS_FACTS_H
#define IAMT_TLS_FACTS_H

#include <epan/conversation.h>
#include <epan/packet.h>

#include "amtdiag/diag.h"
#include "amtdiag/diag_build.h"
#include "amtdiag/diag_cira.h"
#include "amtdiag/diag_redir.h"

/* Bounds: a hostile capture must not make the facts grow without end. */
#define IAMT_TLS_CONNS_MAX 4096
#define IAMT_TLS_CERTS_MAX 8
#define IAMT_TLS_NAMES_MAX 64
#define IAMT_TLS_SUITES_MAX 512
#define IAMT_TLS_EVENTS_MAX 64
#define IAMT_TLS_VERSIONS_MAX 16
#define IAMT_TLS_EXTENSIONS_MAX 64
#define IAMT_TLS_BLOB_MAX 65536
#define IAMT_TLS_EXCHANGES_MAX 64
#define IAMT_TLS_STR_MAX 4096 /* bytes kept of one header or SOAP value */

/* One connection: lib's facts, built by lib's builder from the events
 * Wireshark dissected, plus the storage they point into. */
typedef struct iamt_tls_conn {
    diag_builder b; /* b.f: the facts */
    char client[64], server[64];
    char sni[256];
    guint32 stream; /* Wireshark's tcp.stream, when has_stream */
    gboolean has_stream;
    uint16_t suites[IAMT_TLS_SUITES_MAX];
    diag_blob server_certs[IAMT_TLS_CERTS_MAX];
    diag_blob client_certs[IAMT_TLS_CERTS_MAX];
    diag_blob ca_names[IAMT_TLS_NAMES_MAX];
    /* HTTP exchanges as far as the TLS rules need them: whether AMT answered
     * (grown as they come, up to IAMT_TLS_EXCHANGES_MAX: most connections
     * carry a handful, and a fleet capture has thousands of connections). */
    diag_exchange *ex;
    size_t ex_cap;
    guint32 events[IAMT_TLS_EVENTS_MAX]; /* frames with a handshake message, alert, FIN or RST */
    size_t n_events;
    guint32 ccs_frame[2]; /* each side's ChangeCipherSpec (TLS <= 1.2), 0 none */
    guint32 hole_seq[2];  /* a side's open hole ends at this sequence number (as sent) */
    int hole_open[2];
    /* iamt-tls's memo for the first pass: the causes already shown, and
     * which of the settled verdicts were (a bit set of its SUMMARY_*). */
    const void *shown[16];
    size_t n_shown;
    int summarized;
    diag_redir_facts *redir; /* a redirection session (b.f.redir), file scope; NULL: none */
    /* a CIRA tunnel's redirection sessions, one per channel (b.f.redir_chans),
     * file scope; NULL: none */
    diag_redir_chans *redir_chans;
    diag_cira_facts *cira; /* a CIRA tunnel (b.f.cira), file scope; NULL: none */
} iamt_tls_conn;

/* What one frame brought to its connection. */
typedef struct iamt_tls_frame {
    iamt_tls_conn *conn; /* NULL: not a connection to an AMT TLS port */
    int to_amt;          /* the frame goes console → AMT */
    int event;           /* the frame is one of conn->events */
} iamt_tls_frame;

/* Registers what the collector needs (its protocol id for conversation
 * data, the reset of its registry per capture file). */
void iamt_tls_facts_register(int proto);

/* Looks up the tls/tcp/http field ids; call from the handoff. Appends the
 * ids the collector reads to wanted. */
void iamt_tls_facts_handoff(GArray *wanted);

/* Adds the facts of this frame to its connection (first pass only: later
 * passes only find the connection). to_amt says the direction. */
iamt_tls_frame iamt_tls_facts_frame(packet_info *pinfo, proto_tree *tree, int to_amt);

/* The connection of this packet (made when new, first pass only; NULL on
 * a later pass when the first made none) with its redirection facts,
 * made on first use: iamt-redir feeds them message by message. conv: the
 * conversation whose connection it is (a CIRA tunnel's, for a session in
 * one of its channels: then the set of its channels' sessions is made,
 * redir_chans, and iamt-redir adds each channel's), NULL: the packet's. */
iamt_tls_conn *iamt_tls_facts_redir(packet_info *pinfo, int to_amt, conversation_t *conv);

/* The same for a CIRA tunnel's APF (to_mps: AMT → MPS): its facts made
 * on first use, iamt-cira feeds them message by message. */
iamt_tls_conn *iamt_tls_facts_cira(packet_info *pinfo, int to_mps);

/* The TLS fields' counts before a TLS session inside a CIRA channel is
 * dissected. */
#define IAMT_TLS_INNER_FIELDS 13 /* tls.handshake.*, tls.alert_message.*, tls.record.* */
typedef struct iamt_tls_inner {
    guint before[IAMT_TLS_INNER_FIELDS];
} iamt_tls_inner;

/* Brackets iamt-cira's call of the TLS dissector on a channel's bytes (a
 * console's TLS to 16993 or 16995 inside the tunnel): the TLS fields added
 * in between are that session's, and the tunnel's facts leave them out.
 * With cira (the first pass), what they show goes to lib's facts of the
 * tunnel's channel number ordinal, sent by side from (DIAG_CIRA_*). */
void iamt_tls_facts_inner_begin(proto_tree *tree, iamt_tls_inner *m);
void iamt_tls_facts_inner_end(packet_info *pinfo, proto_tree *tree, const iamt_tls_inner *m,
                              diag_cira_facts *cira, unsigned ordinal, int from);

/* Every connection collected so far, in the order first seen; *n gets the
 * count. Changes as the first pass goes on. */
iamt_tls_conn *const *iamt_tls_facts_conns(size_t *n);

/* A counter that changes whenever any fact changed (for caching verdicts). */
unsigned iamt_tls_facts_version(void);

/* Whether frame is one of conn's events. */
int iamt_tls_conn_has_event(const iamt_tls_conn *c, guint32 frame);

#endif
