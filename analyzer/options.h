/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options: amtdiag's command line, parsed and checked. */
#ifndef AMTDIAG_OPTIONS_H
#define AMTDIAG_OPTIONS_H

#include <glib.h>

typedef enum { FORMAT_TEXT, FORMAT_JSON } out_format;

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
    char *output; /* -o */
} amtdiag_options;

/* Parses argv into o. Returns 0 to go on, 1 when --help or --version was
 * answered, 2 on bad usage (the message is already on stderr). */
int options_parse(amtdiag_options *o, int argc, char **argv);
void options_free(amtdiag_options *o);

#endif
