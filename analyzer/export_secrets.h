/* SPDX-License-Identifier: GPL-2.0-or-later */
/* export_secrets: the TLS secrets of the sessions an analysis decrypted,
 * as a key log file or injected into a copy of the capture. */
#ifndef AMTDIAG_EXPORT_SECRETS_H
#define AMTDIAG_EXPORT_SECRETS_H

#include <glib.h>

#include "amtdiag/result.h"
#include "analysis.h"

/* Appends NSS key log lines for every session decrypted (RSA-decrypted
 * ones as CLIENT_RANDOM lines) to out. Returns the number of sessions.
 * The caller wipes out. */
int export_keylog_text(const analysis *a, GString *out);

/* --export-keylog: writes them to path (a secret file: see outfile.h).
 * Returns AMT_OK with *sessions set, or the error in e. */
amt_rc export_keylog_file(const analysis *a, const char *path, int *sessions, amt_err *e);

/* --inject-secrets: a copy of in_path (pcapng, or pcap converted to pcapng)
 * with one Decryption Secrets Block holding those secrets after the first
 * section header, written to out_path (a secret file). The input is read
 * again, through the same reader as the analysis, so it must be a regular
 * file. Returns AMT_OK with *sessions set, or the error in e (out_path then
 * as it was). */
amt_rc export_inject_secrets(const analysis *a, const char *in_path, const char *out_path,
                             int *sessions, amt_err *e);

#endif
