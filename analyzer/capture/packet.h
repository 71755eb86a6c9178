/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packet: decodes one captured frame (link layer, IPv4/IPv6, TCP/UDP) into
 * a pkt, reassembling IPv4 fragments on the way. This is where untrusted
 * capture bytes enter the analyzer, so every read is bounds-checked. */
#ifndef AMTDIAG_CAPTURE_PACKET_H
#define AMTDIAG_CAPTURE_PACKET_H

#include <stddef.h>
#include <stdint.h>

typedef struct pkt {
    const char *file; /* capture file name, for messages */
    uint64_t frame;   /* 1-based frame number within its file */
    int64_t ts_us;    /* microseconds since the epoch */
    int family;       /* 4 or 6 */
    uint8_t src[16], dst[16];
    uint8_t proto; /* 6 TCP, 17 UDP */
    uint16_t sport, dport;
    uint32_t seq, ack; /* TCP */
    uint8_t
        tcp_flags; /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 (URG 0x20; ECN bits cleared) */
    uint16_t window;
    const uint8_t *payload;  /* TCP/UDP payload; valid only during the callback */
    size_t payload_len;      /* bytes present (may be less than on the wire) */
    size_t wire_payload_len; /* bytes on the wire per the IP/TCP headers */
    uint16_t vlan;           /* outermost 802.1Q VLAN id, 0 if none */
} pkt;

enum { PKT_FIN = 0x01, PKT_SYN = 0x02, PKT_RST = 0x04, PKT_PSH = 0x08, PKT_ACK = 0x10 };

typedef enum {
    PKT_OK,
    PKT_SKIP, /* not IP, not TCP/UDP, or a fragment kept for reassembly */
    PKT_MALFORMED
} pkt_status;

typedef struct pkt_decoder pkt_decoder; /* owns the IPv4 fragment table */

/* Limits of the IPv4 fragment table: beyond them the oldest pending
 * datagram is dropped, so a flood of fragments cannot exhaust memory. */
#define PKT_FRAG_MAX_DATAGRAMS 64
#define PKT_FRAG_MAX_BYTES (256u * 1024u)
#define PKT_FRAG_TIMEOUT_US INT64_C(30000000)

/* Creates a decoder with an empty fragment table; NULL when out of memory. */
pkt_decoder *pkt_decoder_new(void);

/* Frees the decoder and every pending fragment. NULL is allowed. */
void pkt_decoder_free(pkt_decoder *d);

/* Decodes one frame of DLT linktype (as pcap_datalink() reports it). On
 * PKT_OK, out is filled and out->file is NULL (the caller names the file);
 * out->payload points into data, or into d for a reassembled datagram, and
 * stays valid until the next call on d. On PKT_MALFORMED, why (if non-NULL)
 * gets a short reason such as "IPv4 header length 3 < 5", valid until the
 * next call on d. Reassembled IPv4 datagrams are reported on the frame of
 * their last fragment. */
pkt_status pkt_decode(pkt_decoder *d, int linktype, const uint8_t *data, size_t caplen,
                      uint64_t frame, int64_t ts_us, pkt *out, const char **why);

/* Non-zero when pkt_decode understands link type linktype. */
int pkt_linktype_supported(int linktype);

/* Number of IPv4 datagrams waiting for fragments, and the bytes they hold
 * (for tests and statistics). */
size_t pkt_frag_pending(const pkt_decoder *d, size_t *bytes);

#endif
