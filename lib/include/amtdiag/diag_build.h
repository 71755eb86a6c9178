/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Building a connection's facts from what a tool sees. The analyzer feeds
 * it from its TCP and TLS layers, the Wireshark plugin from the fields
 * Wireshark dissected; everything derived from those events — the TLS
 * versions the console offered (GREASE and drafts left out), renegotiation
 * support, the handshake message list, when the handshake completed, what
 * each alert followed, application data per side, who closed first — is
 * derived here, once, so both tools hand the rules the same facts.
 *
 * Feed events in capture order (frame numbers ascending within each call
 * kind; an alert is placed after the handshake messages fed before it).
 * Storage is inline and bounded: events past a bound are counted, not
 * kept. Strings and DER the facts point to stay borrowed from the caller,
 * as diag.h says. */
#ifndef AMTDIAG_DIAG_BUILD_H
#define AMTDIAG_DIAG_BUILD_H

#include "amtdiag/diag.h"

#define DIAG_BUILD_HS_MAX 64
#define DIAG_BUILD_ALERTS_MAX 16
#define DIAG_BUILD_GAPS_MAX 8
#define DIAG_BUILD_HEAD_MAX 16

/* TCP flags, as in the header. */
#define DIAG_TCP_FIN 0x01
#define DIAG_TCP_SYN 0x02
#define DIAG_TCP_RST 0x04
#define DIAG_TCP_ACK 0x10

typedef struct diag_builder {
    diag_conn_facts f; /* the facts; f.tls.hs, alerts and gaps point below */
    diag_hs_msg hs[DIAG_BUILD_HS_MAX];
    diag_alert alerts[DIAG_BUILD_ALERTS_MAX];
    diag_gap gaps[DIAG_BUILD_GAPS_MAX];
    uint8_t head[DIAG_BUILD_HEAD_MAX];
    uint64_t fin_frame[2];
    int finished[2];  /* a Finished seen, per side */
    int segments;     /* TCP segments fed */
    unsigned dropped; /* events past a bound */
} diag_builder;

/* Starts empty facts for a connection from client to server (the console
 * opened it). client and server are text the caller keeps ("192.0.2.10:
 * 50113"); family 4 or 6; service what AMT serves there (UNKNOWN: its
 * well-known port decides). */
void diag_build_init(diag_builder *b, unsigned id, int family, const uint8_t *client_addr,
                     uint16_t client_port, const uint8_t *server_addr, uint16_t server_port,
                     const char *client, const char *server, amt_service service);

/* A TCP segment from side from (DIAG_CONSOLE or DIAG_AMT) with its flags
 * (DIAG_TCP_*) and payload length; payload (may be NULL) gives the
 * console's first bytes. The first segment fed decides whether the
 * capture started inside the connection. */
void diag_build_segment(diag_builder *b, uint64_t frame, int64_t ts_us, int from, unsigned flags,
                        const uint8_t *payload, size_t len);

/* Bytes of side from missing from the capture between two of its frames
 * (0 when not known). */
void diag_build_gap(diag_builder *b, int from, uint64_t frame_before, uint64_t frame_after);

/* The bytes of side from's last hole came later in the capture (a
 * retransmission or an out-of-order segment). reassembled: the dissector
 * put them back in place, so there is no hole; otherwise the hole stays,
 * marked as reordered. */
void diag_build_gap_filled(diag_builder *b, int from, int reassembled);

/* The console's ClientHello: its legacy version, supported_versions (may
 * be empty), cipher suites, extension types and server name (NULL when
 * absent). suites and sni are borrowed. */
void diag_build_client_hello(diag_builder *b, uint64_t frame, uint16_t legacy_version,
                             const uint16_t *versions, size_t n_versions, const uint16_t *suites,
                             size_t n_suites, const uint16_t *extensions, size_t n_extensions,
                             const char *sni);

/* AMT's ServerHello: legacy version, supported_versions' choice (0 when
 * absent), the suite's name (borrowed, NULL when unknown), its extension
 * types and the first four bytes of its random. */
void diag_build_server_hello(diag_builder *b, uint64_t frame, uint16_t legacy_version,
                             uint16_t selected_version, const char *suite_name,
                             const uint16_t *extensions, size_t n_extensions,
                             uint32_t gmt_unix_time);

/* A handshake message of side from (decrypted, or inferred from its place
 * as the analyzer's TLS layer does for an encrypted Finished). */
void diag_build_handshake(diag_builder *b, uint64_t frame, int from, int type);

/* A TLS alert of side from; level and desc -1 when not readable. */
void diag_build_alert(diag_builder *b, uint64_t frame, int from, int level, int desc);

/* An application data record of side from (readable or not). */
void diag_build_app_record(diag_builder *b, uint64_t frame, int from);

/* The versions a ClientHello offered: the lowest and highest of
 * supported_versions without GREASE (RFC 8701) and draft values, else the
 * legacy version. Exported for the tools' transcripts. */
void diag_offered_versions(uint16_t legacy_version, const uint16_t *versions, size_t n,
                           uint16_t *lo, uint16_t *hi);

#endif
