/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wire: turns recorded conversations into the frames a capture point would
 * see — Ethernet, IPv4 or IPv6, TCP with handshake, MSS segmentation, ACKs,
 * FIN/RST, UDP — and optional TCP pathologies. Frames go to a pcapw. */
#ifndef AMTSIM_WIRE_H
#define AMTSIM_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include "endpoint.h"
#include "pcapw.h"

typedef struct wire wire;
typedef struct wire_tcp wire_tcp;

/* Opens the capture file. mss is the TCP payload size per segment
 * (1460 typical; must be >= 64). Returns NULL with a message in err. */
wire *wire_open(const char *path, pcapw_format fmt, unsigned mss, char *err, size_t errlen);

/* pcapng: embeds the key log as a Decryption Secrets Block before any
 * packet. Must be called before the first frame. Returns 0 or -1. */
int wire_add_tls_secrets(wire *w, const char *keylog, size_t len);

/* Frames with a timestamp before ts_us are generated (so sequence numbers
 * stay right) but not written: the capture "starts mid-stream". */
void wire_set_capture_start(wire *w, int64_t ts_us);

/* Three-way handshake at ts_us (SYN with MSS option, SYN/ACK, ACK).
 * Initial sequence numbers are chosen by the caller so output is
 * reproducible. Returns the flow, freed by wire_close or wire_tcp_free. */
wire_tcp *wire_tcp_connect(wire *w, const sim_endpoint *cli, const sim_endpoint *srv, int64_t ts_us,
                           uint32_t cli_isn, uint32_t srv_isn);

/* A SYN answered by RST/ACK: the port is closed. Returns 0 or -1. */
int wire_tcp_refused(wire *w, const sim_endpoint *cli, const sim_endpoint *srv, int64_t ts_us,
                     uint32_t cli_isn);

/* tries SYNs (the first at ts_us, then after 1, 2, 4 … s) with no answer. */
int wire_tcp_unanswered(wire *w, const sim_endpoint *cli, const sim_endpoint *srv, int64_t ts_us,
                        uint32_t cli_isn, unsigned tries);

/* One application write from one side, cut into MSS-sized segments with
 * PSH on the last; the peer ACKs every second segment and the last. */
int wire_tcp_send(wire_tcp *t, int from_server, int64_t ts_us, const uint8_t *data, size_t len);

/* FIN from one side; the peer ACKs it. A second FIN from the other side
 * completes the close. Returns 0 or -1. */
int wire_tcp_fin(wire_tcp *t, int from_server, int64_t ts_us);

/* RST (with ACK) from one side. The flow accepts no more data after it. */
int wire_tcp_rst(wire_tcp *t, int from_server, int64_t ts_us);

typedef enum {
    WIRE_RETRANSMIT, /* the segment appears twice */
    WIRE_REORDER,    /* the segment appears after the next one */
    WIRE_OVERLAP,    /* a later copy also repeats the last 16 bytes of the previous segment */
    WIRE_LOSE,       /* the segment never appears in the capture (a hole) */
} wire_pathology;

/* Applies a pathology to the nth (0-based) data segment sent by one side
 * of this flow, counted across all its wire_tcp_send calls. */
void wire_tcp_add_pathology(wire_tcp *t, int from_server, wire_pathology kind, unsigned nth);

/* Releases a flow's memory; it writes nothing. */
void wire_tcp_free(wire_tcp *t);

/* One UDP datagram (ports taken from the endpoints). Returns 0 or -1. */
int wire_udp(wire *w, const sim_endpoint *src, const sim_endpoint *dst, int64_t ts_us,
             const uint8_t *payload, size_t len);

/* The size of the capture file written so far, in bytes. */
uint64_t wire_bytes(wire *w);

/* Frees all flows and closes the file. Returns 0, or -1 when a write failed. */
int wire_close(wire *w);

#endif
