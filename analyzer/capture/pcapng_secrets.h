/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapng_secrets: extracts the TLS key logs that pcapng files can carry in
 * Decryption Secrets Blocks, which libpcap reads past without exposing. */
#ifndef AMTDIAG_CAPTURE_PCAPNG_SECRETS_H
#define AMTDIAG_CAPTURE_PCAPNG_SECRETS_H

#include <stddef.h>

#include <glib.h>

/* Total key log text accepted from one file. */
#define PCAPNG_SECRETS_MAX (64u * 1024u * 1024u)

/* Appends the TLS key log text of every DSB in the pcapng file at path to
 * out, and returns the number of TLS key log DSBs found (0 for classic pcap
 * files or pcapng without secrets; DSBs of other secret types are skipped),
 * or -1 with a message naming the file and byte offset when the block
 * structure is corrupt or the file is not a capture. Text from separate
 * DSBs is kept on separate lines. A file that ends inside a block (a cut
 * capture) is not an error: what came before is returned and err holds a
 * note; otherwise err is "" on success. "-" (stdin) returns 0: a stream can
 * be read only once, and that is for cap_open_file. */
int pcapng_read_tls_secrets(const char *path, GString *out, char *err, size_t errlen);

#endif
