/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture: packet sources for the analyzer — pcap and pcapng files (or
 * stdin), read once by capfile, and live interfaces through libpcap — and
 * the loop that decodes each frame and hands it on, with the TLS key logs
 * a pcapng carries where they stand in the file. */
#ifndef AMTDIAG_CAPTURE_CAPTURE_H
#define AMTDIAG_CAPTURE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "amtdiag/result.h"
#include "capture/packet.h"

/* What a live capture listens to when no filter is given: AMT's HTTP,
 * HTTPS and redirection ports, and DNS (name lookups explain many
 * failures). */
#define CAP_DEFAULT_BPF "tcp portrange 16992-16995 or tcp port 4433 or udp port 53 or port 88"

typedef struct cap_source cap_source;

/* TLS key log text embedded in one input that is used; past it the rest is
 * ignored with a warning. */
#define CAP_SECRETS_MAX (64u * 1024u * 1024u)

/* Opens a pcap or pcapng file; "-" reads stdin. The input is read once,
 * from start to end, so a pipe or FIFO works as a file does. Returns NULL
 * with a message naming the file in e, e.g. "x.pcap: not a pcap or pcapng
 * file", also when a classic pcap's link type cannot be decoded (a pcapng
 * says its link types as it goes: cap_run checks them). */
cap_source *cap_open_file(const char *path, amt_err *e);

/* Starts a live capture on iface in immediate mode with BPF filter bpf
 * (CAP_DEFAULT_BPF when NULL or empty). Returns NULL with a message naming
 * the interface in e (no such interface, permission, bad filter). */
cap_source *cap_open_live(const char *iface, const char *bpf, amt_err *e);

typedef struct cap_stats {
    uint64_t frames, decoded, skipped, malformed;
} cap_stats;

typedef void (*cap_packet_cb)(void *ctx, const pkt *p);
typedef void (*cap_warn_cb)(void *ctx, const char *file, uint64_t frame, const char *reason);
typedef int (*cap_stop_cb)(void *ctx);
/* An NSS key log embedded in the capture (a pcapng Decryption Secrets
 * Block), read after frame; the text is wiped after the call. */
typedef void (*cap_secrets_cb)(void *ctx, const char *file, uint64_t frame, const char *keylog,
                               size_t len);

/* Makes cap_run return 0 once stop(ctx) returns non-zero; it is asked after
 * every packet and, on a live capture, about every quarter second while no
 * packet arrives. NULL (the default) never stops early. */
void cap_set_stop(cap_source *s, cap_stop_cb stop);

/* Makes cap_run return 0 once max frames were read (-c); 0: no limit. */
void cap_set_limit(cap_source *s, uint64_t max);

/* Each frame of a live capture as read, before it is decoded (-w keeps
 * them): link type, bytes, length on the wire, time. */
typedef void (*cap_tap_cb)(void *tap_ctx, int linktype, const uint8_t *data, size_t caplen,
                           size_t origlen, int64_t ts_us);
/* Makes cap_run call tap(tap_ctx, …) with every frame of a live capture.
 * NULL (the default) calls nothing. */
void cap_set_tap(cap_source *s, cap_tap_cb tap, void *tap_ctx);

/* Makes cap_run hand the key logs a pcapng carries to secrets(ctx, …), in
 * file order, before the packets that follow them. NULL ignores them. */
void cap_set_secrets(cap_source *s, cap_secrets_cb secrets);

/* Reads packets to the end (or until stop() returns non-zero after a
 * packet), decodes each with d and calls cb for PKT_OK packets; malformed
 * frames are counted and reported through warn(ctx, file, frame, reason),
 * as are skipped parts of the file. cb and warn may be NULL. Returns 0 at
 * a clean end of input, 1 when the file ended in the middle of a record
 * (truncated: warn names the file and the last good frame; everything
 * before is still delivered), -1 on a read error or a corrupt block with
 * the message in cap_error() (what came before is delivered too). stats
 * (if non-NULL) is set to the counts of this call. */
int cap_run(cap_source *s, pkt_decoder *d, cap_packet_cb cb, cap_warn_cb warn, void *ctx,
            cap_stats *stats);

/* The last error message, naming the file or interface ("" if none). */
const char *cap_error(const cap_source *s);

/* The name used in messages and pkt.file: the path, "stdin", or the
 * interface. */
const char *cap_name(const cap_source *s);

/* The link type of the source (a pcapng's first interface; -1 while none
 * was read). */
int cap_linktype(const cap_source *s);

/* Closes the source (and its file). NULL is allowed. */
void cap_close(cap_source *s);

#endif
