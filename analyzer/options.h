/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options: amtdiag's command line, parsed and checked. */
#ifndef AMTDIAG_OPTIONS_H
#define AMTDIAG_OPTIONS_H

#include <glib.h>
#include <stdint.h>

#include "amtdiag/result.h"

#define OPTIONS_CIRA_PORTS_MAX 16 /* --cira-port given at most (analysis keeps as many) */

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
    GPtrArray *keytabs;       /* --keytab FILE: AMT's Kerberos keys */
    GPtrArray *krb_passwords; /* --krb-password PRINCIPAL:PASS (wiped on free) */
    int has_clock_offset;     /* --amt-clock-offset */
    gint64 clock_offset_s;
    int redact;             /* --redact */
    char *export_keylog;    /* --export-keylog FILE */
    char *inject_secrets;   /* --inject-secrets OUT.pcapng */
    char *export_decrypted; /* --export-decrypted OUT.pcapng */
    int color;              /* -1 auto (terminal and no NO_COLOR), 0 never, 1 always */
    GPtrArray *psks;        /* --psk [IDENTITY:]HEX, checked (wiped on free) */
    unsigned jobs;          /* -j N: threads (0: not given, the number of cores) */
    uint64_t max_packets;   /* -c N, -a packets:N: stop after N packets (0: no limit) */
    int64_t duration_s;     /* -a duration:S: stop a live capture after S seconds */
    char *write_file;       /* -w FILE: keep the packets of a live capture */
    GPtrArray *only;        /* --only HOST[:PORT] */
    GArray *cira_ports;     /* --cira-port N (guint16): the MPS ports; none given: 4433 */
    int quiet;              /* -q: no lines while reading (streamed verdicts, progress) */
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

/* options_tshark.c: tshark's -o preferences that give keys (1 taken, 0
 * not a preference: the report file, -1 refused with the message in e);
 * --psk (checked and kept); -c and -a. */
int options_tshark_pref(amtdiag_options *o, const char *arg, amt_err *e);
int options_add_psk(amtdiag_options *o, const char *arg, const char *opt, amt_err *e);
int options_count(amtdiag_options *o, const char *arg, amt_err *e);
int options_autostop(amtdiag_options *o, const char *arg, amt_err *e);
/* [IDENTITY:]HEX into identity (NULL when none; g_free it) and key
 * (capacity cap). 0, or -1 when HEX is not an even number of hex digits
 * within cap bytes. The caller wipes key. */
int options_psk_parse(const char *arg, char **identity, uint8_t *key, size_t cap, size_t *len);

/* The --help text. */
const char *options_usage(void);
void options_free(amtdiag_options *o);

#endif
