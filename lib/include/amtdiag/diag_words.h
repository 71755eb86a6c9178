/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How a hint names the input that would settle it. The rules decide
 * which input is missing (a key log, AMT's clock, the console address's
 * DNS name, ...); each tool has its own name for it — amtdiag an option
 * (--amt-clock-offset), the Wireshark plugin a preference
 * (iamt.amt_clock_offset) — so every sentence that asks for an input is
 * worded through a vocabulary: one set of rules, two vocabularies. */
#ifndef AMTDIAG_DIAG_WORDS_H
#define AMTDIAG_DIAG_WORDS_H

#include <glib.h>

/* The inputs a user can supply beyond the capture. */
typedef enum {
    DIAG_IN_KEYLOG,       /* the console's TLS key log (SSLKEYLOGFILE) */
    DIAG_IN_RSA_KEY,      /* AMT's RSA private key, for static-RSA suites */
    DIAG_IN_PASSWORD,     /* an AMT account's password */
    DIAG_IN_HOSTS,        /* addresses' DNS names, /etc/hosts syntax */
    DIAG_IN_TRUSTED_ROOT, /* the roots AMT trusts for console certificates */
    DIAG_IN_TRUSTED_FQDN, /* AMT's trusted FQDN list */
    DIAG_IN_CLOCK_OFFSET, /* AMT's clock minus the true time */
    DIAG_IN_CONSOLE_CA,   /* the roots the console trusts (its trust store) */
    DIAG_N_INPUTS
} diag_input;

/* One input in one tool's words. */
typedef struct diag_input_word {
    const char *name;  /* as evidence names it: "--hosts", "iamt.hosts_file" */
    const char *usage; /* as a hint asks for it: "--hosts FILE"; in DIAG_IN_PASSWORD's,
                          USER stands for the account's name */
} diag_input_word;

/* A phrase of the cause table (docs/causes.md, worded in amtdiag's
 * options) and how another tool says it. */
typedef struct diag_rewording {
    const char *amtdiag; /* "Run again with --password USER:PASS to" */
    const char *tool;    /* "Add the user and its password to the iamt.passwords table to" */
} diag_rewording;

/* A tool's names for every input, and how it words the phrases of the
 * cause table's explanations and remedies that name amtdiag's options
 * (NULL-terminated; amtdiag's own: none). */
typedef struct diag_vocabulary {
    diag_input_word input[DIAG_N_INPUTS];
    const diag_rewording *rewordings;
} diag_vocabulary;

/* amtdiag's options (the default when diag_inputs.words is NULL). */
extern const diag_vocabulary diag_words_amtdiag;

/* The Wireshark plugin's preferences and tables. */
extern const diag_vocabulary diag_words_wireshark;

struct diag_inputs;

/* How the tool running the rules (in->words; NULL or in NULL: amtdiag)
 * names input which, as evidence names it. Static. */
const char *diag_word_name(const struct diag_inputs *in, diag_input which);

/* ... and as a hint asks for it. Static; see diag_word_usage_for for the
 * password's. */
const char *diag_word_usage(const struct diag_inputs *in, diag_input which);

/* Appends to s the usage of input which with USER replaced by user (only
 * DIAG_IN_PASSWORD's usage holds USER). */
void diag_word_usage_for(GString *s, const struct diag_inputs *in, diag_input which,
                         const char *user);

struct diag_cause;

/* Cause c's remedy as the tool running the rules words it (static: made
 * once per cause and vocabulary, kept for the life of the process). */
const char *diag_cause_remedy(const struct diag_cause *c, const struct diag_inputs *in);

/* ... and its explanation. */
const char *diag_cause_explanation(const struct diag_cause *c, const struct diag_inputs *in);

#endif
