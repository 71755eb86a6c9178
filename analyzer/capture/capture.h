/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture: packet sources for the analyzer — pcap and pcapng files (or
 * stdin) and live interfaces, read through libpcap one record at a time —
 * and the loop that decodes each frame and hands it on. */
#ifndef AMTDIAG_CAPTURE_CAPTURE_H
#define AMTDIAG_CAPTURE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "capture/packet.h"

/* What a live capture listens to when no filter is given: AMT's HTTP,
 * HTTPS and redirection ports, and DNS (name lookups explain many
 * failures). */
#define CAP_DEFAULT_BPF "tcp portrange 16992-16995 or udp port 53"

typedef struct cap_source cap_source;

/* Opens a pcap or pcapng file; "-" reads stdin. Returns NULL with a
 * message naming the file in err, e.g. "x.pcap: not a pcap or pcapng
 * file", also when the file's link type cannot be decoded. */
cap_source *cap_open_file(const char *path, char *err, size_t errlen);

/* Starts a live capture on iface in immediate mode with BPF filter bpf
 * (CAP_DEFAULT_BPF when NULL or empty). Returns NULL with a message naming
 * the interface in err (no such interface, permission, bad filter). */
cap_source *cap_open_live(const char *iface, const char *bpf, char *err, size_t errlen);

typedef struct cap_stats {
    uint64_t frames, decoded, skipped, malformed;
} cap_stats;

typedef void (*cap_packet_cb)(void *ctx, const pkt *p);
typedef void (*cap_warn_cb)(void *ctx, const char *file, uint64_t frame, const char *reason);
typedef int (*cap_stop_cb)(void *ctx);

/* Makes cap_run return 0 once stop(ctx) returns non-zero; it is asked after
 * every packet and, on a live capture, about every quarter second while no
 * packet arrives. NULL (the default) never stops early. */
void cap_set_stop(cap_source *s, cap_stop_cb stop);

/* Reads packets to the end (or until stop() returns non-zero after a
 * packet), decodes each with d and calls cb for PKT_OK packets; malformed
 * frames are counted and reported through warn(ctx, file, frame, reason).
 * cb and warn may be NULL. Returns 0 at a clean end of input, 1 when the
 * file ended in the middle of a record (truncated: warn names the file and
 * the last good frame; everything before is still delivered), -1 on a read
 * error with the message in cap_error(). stats (if non-NULL) is set to the
 * counts of this call. */
int cap_run(cap_source *s, pkt_decoder *d, cap_packet_cb cb, cap_warn_cb warn, void *ctx,
            cap_stats *stats);

/* The last error message, naming the file or interface ("" if none). */
const char *cap_error(const cap_source *s);

/* The name used in messages and pkt.file: the path, "stdin", or the
 * interface. */
const char *cap_name(const cap_source *s);

/* The DLT link type of the source. */
int cap_linktype(const cap_source *s);

/* Closes the source (and its file). NULL is allowed. */
void cap_close(cap_source *s);

#endif
