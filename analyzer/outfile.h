/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outfile: reports and exports written so that a failure never leaves a
 * half-written file or destroys one: the bytes go to a new temporary file
 * in the target's directory (created with O_EXCL), which replaces the
 * target only once everything was written. Secret files (key logs,
 * captures with keys, decrypted traffic) are created 0600 whatever was
 * there before and are never written through a symbolic link. A target
 * that is not a regular file (a FIFO, a device) is written in place.
 * Nothing is removed that this run did not create. */
#ifndef AMTDIAG_OUTFILE_H
#define AMTDIAG_OUTFILE_H

#include <stdio.h>

#include "amtdiag/result.h"

typedef struct out_file out_file;

typedef enum {
    OUTFILE_REPORT, /* the mode of the file replaced, else 0666 less the umask */
    OUTFILE_SECRET  /* 0600, no symbolic links */
} outfile_kind;

/* Starts writing path. Returns NULL with AMT_E_OUTPUT and a message naming
 * path (what stands in the way: no such directory, a directory, a symbolic
 * link for a secret file, permissions) in e. */
out_file *outfile_open(const char *path, outfile_kind kind, amt_err *e);

/* The stream to write to. */
FILE *outfile_stream(out_file *f);

/* The path given to outfile_open. */
const char *outfile_path(const out_file *f);

/* Finishes: flushes, closes and moves the file into place. Returns AMT_OK,
 * or AMT_E_OUTPUT with the message in e (a write error, a full disk), the
 * target then as it was. Frees f either way. */
amt_rc outfile_commit(out_file *f, amt_err *e);

/* Gives up: the temporary file is removed, the target left as it was.
 * Frees f; NULL is allowed. */
void outfile_abort(out_file *f);

#endif
