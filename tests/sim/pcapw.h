/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapw: writes link-layer frames to a pcapng or classic pcap file. */
#ifndef AMTSIM_PCAPW_H
#define AMTSIM_PCAPW_H

#include <stddef.h>
#include <stdint.h>

typedef enum { PCAPW_PCAPNG, PCAPW_PCAP } pcapw_format;

typedef struct pcapw pcapw;

/* Creates path and writes the file header (pcapng: SHB + one Ethernet IDB
 * with microsecond resolution; pcap: microsecond magic, LINKTYPE_ETHERNET,
 * snaplen 262144). On failure returns NULL and writes a message naming the
 * file into err. */
pcapw *pcapw_open(const char *path, pcapw_format fmt, char *err, size_t errlen);

/* pcapng only: writes a Decryption Secrets Block (type TLS key log,
 * 0x544c534b) holding the NSS key log text. Returns 0, or -1 (also for
 * classic pcap, which cannot carry secrets). */
int pcapw_add_tls_secrets(pcapw *w, const char *keylog, size_t len);

/* Writes one frame with its timestamp in microseconds since the epoch. */
int pcapw_write_frame(pcapw *w, int64_t ts_us, const uint8_t *frame, size_t len);

/* The size of the file written so far, in bytes. */
uint64_t pcapw_bytes(pcapw *w);

/* Flushes and closes; returns 0, or -1 when a write failed. */
int pcapw_close(pcapw *w);

#endif
