/* SPDX-License-Identifier: GPL-2.0-or-later */
/* export_secrets: the TLS secrets of the sessions an analysis decrypted,
 * as a key log file or injected into a copy of the capture. */
#ifndef AMTDIAG_EXPORT_SECRETS_H
#define AMTDIAG_EXPORT_SECRETS_H

#include <glib.h>

#include "analysis.h"

/* Appends NSS key log lines for every session decrypted (RSA-decrypted
 * ones as CLIENT_RANDOM lines) to out. Returns the number of sessions.
 * The caller wipes out. */
int export_keylog_text(const analysis *a, GString *out);

/* --export-keylog: writes them to path (mode 0600). Returns 0, or -1 after
 * a message on stderr. */
int export_keylog_file(const analysis *a, const char *path);

/* --inject-secrets: a copy of in_path (pcapng, or pcap converted to pcapng)
 * with one Decryption Secrets Block holding those secrets, written to
 * out_path (mode 0600: it holds secrets). Returns 0, or -1 after a message
 * on stderr (and out_path removed). */
int export_inject_secrets(const analysis *a, const char *in_path, const char *out_path);

#endif
