/* SPDX-License-Identifier: GPL-2.0-or-later */
/* user_inputs: what the user tells amtdiag about the AMT beyond the
 * capture — passwords, host names, trusted roots and FQDNs, AMT's clock —
 * loaded and checked, as lib/diag's inputs. */
#ifndef AMTDIAG_USER_INPUTS_H
#define AMTDIAG_USER_INPUTS_H

#include <glib.h>

#include "amtdiag/diag.h"
#include "amtdiag/result.h"
#include "options.h"

typedef struct user_inputs {
    diag_inputs in;   /* points into the fields below */
    GArray *accounts; /* diag_account; the strings are owned and wiped */
    GArray *hosts;    /* diag_host; names owned */
    diag_blob *roots; /* --trusted-root */
    size_t n_roots;
    diag_blob *console_roots; /* --ca */
    size_t n_console_roots;
} user_inputs;

/* Loads the files the options name (--hosts, --trusted-root, --ca) and takes the
 * passwords, FQDNs and clock offset. Returns AMT_OK, or the error with what
 * is wrong with which file and line in e. Free with user_inputs_free
 * either way. */
amt_rc user_inputs_load(user_inputs *u, const amtdiag_options *o, amt_err *e);

/* Wipes the passwords and frees everything. */
void user_inputs_free(user_inputs *u);

#endif
