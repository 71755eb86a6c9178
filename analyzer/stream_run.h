/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stream_run: a run whose connections are judged as the capture is read and
 * their records freed (judge_stream.h), so memory stays bounded whatever the
 * size of the input. NDJSON writes each connection as one line at once; the
 * other formats render each into pieces (report.h) put in order at the end;
 * the summary comes from counters. */
#ifndef AMTDIAG_STREAM_RUN_H
#define AMTDIAG_STREAM_RUN_H

#include "amtdiag/diag.h"
#include "analysis.h"
#include "only.h"
#include "outfile.h"
#include "report.h"

typedef struct stream_run stream_run;

/* Hooks a run into a before it reads: judged with the user's inputs in,
 * --only's list only; written with ops (NULL: NDJSON) from base (its
 * verbose, colour, given options and redaction) to file (NULL: standard
 * output). by_count: connections wait for later ones by count, not by the
 * clock (a file, not a live capture or a pipe). n_jobs > 1 (with
 * by_count only): the connections are analysed by that many worker
 * threads (jobs.h), the report the same. All borrowed until
 * stream_run_finish. */
stream_run *stream_run_start(analysis *a, const diag_inputs *in, const only_list *only,
                             const report_format_ops *ops, const report_in *base, out_file *file,
                             int by_count, unsigned n_jobs);

/* The input is read (status: 0, or 2 when nothing could be): judges what
 * waits, writes the end of the report, commits or (status 2) abandons the
 * file — output names it in messages, NULL for standard output — and
 * frees sr. Returns the exit status (1 when a connection did not work). */
int stream_run_finish(stream_run *sr, const char *output, int status);

#endif
