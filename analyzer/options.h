/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options: amtdiag's command line, parsed and checked. */
#ifndef AMTDIAG_OPTIONS_H
#define AMTDIAG_OPTIONS_H

#include <glib.h>

#include "amtdiag/result.h"

typedef enum { FORMAT_TEXT, FORMAT_JSON, FORMAT_MARKDOWN, FORMAT_HTML, FORMAT_NDJSON } out_format;

typedef struct rsa_key_opt {
    char *path;
    char *password; /* NULL: none; wiped on free */
} rsa_key_opt;

typedef struct amtdiag_options {
    GPtrArray *inputs;  /* capture files (directories expanded), "-" for stdin */
    char *iface;        /* -i: live capture */
    char *filter;       /* -f: BPF filter for live capture */
    GPtrArray *keylogs; /* --keylog */
    GArray *keys;       /* --key: rsa_key_opt */
    int verbose;        /* -V: the transcript */
    out_format format;
    char *output;             /* -o */
    GPtrArray *passwords;     /* --password USER:PASS (checked syntax; wiped on free) */
    char *hosts_file;         /* --hosts */
    GPtrArray *trusted_roots; /* --trusted-root PEM files */
    GPtrArray *console_roots; /* --ca PEM files */
    GPtrArray *trusted_fqdn;  /* --trusted-fqdn SUFFIX */
    int has_clock_offset;     /* --amt-clock-offset */
    gint64 clock_offset_s;
    int redact;             /* --redact */
    char *export_keylog;    /* --export-keylog FILE */
    char *inject_secrets;   /* --inject-secrets OUT.pcapng */
    char *export_decrypted; /* --export-decrypted OUT.pcapng */
    int color;              /* -1 auto (terminal and no NO_COLOR), 0 never, 1 always */
    GPtrArray *notes;       /* things to tell the user that are not errors */
} amtdiag_options;

typedef enum {
    OPTIONS_RUN,     /* go on */
    OPTIONS_HELP,    /* --help: print options_usage() */
    OPTIONS_VERSION, /* --version */
    OPTIONS_BAD      /* bad usage: the message is in e */
} options_result;

/* Parses argv into o (free it with options_free whatever the result). */
options_result options_parse(amtdiag_options *o, int argc, char **argv, amt_err *e);

/* The --help text. */
const char *options_usage(void);
void options_free(amtdiag_options *o);

#endif
