/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the user tells the diagnosis beyond the capture, as iAMT
 * preferences: AMT's trusted FQDN list and roots, AMT's clock, the
 * console's trust store, the console addresses' DNS names (and, in
 * iamt-passwords, the accounts) — handed to lib's rules as diag_inputs,
 * with the hints worded in Wireshark's terms. */
#ifndef IAMT_INPUTS_H
#define IAMT_INPUTS_H

#include <epan/prefs.h>
#include <epan/wmem_scopes.h>

#include "amtdiag/diag.h"

/* Registers the preferences trusted_fqdn, amt_clock_offset, trusted_root,
 * console_ca and hosts_file under m. */
void iamt_inputs_register(module_t *m);

/* The preferences as lib's inputs: files are (re)loaded when their name
 * changed, a value that does not parse is reported once and left out.
 * The trusted FQDN strings live in list (free func g_free), the accounts
 * in scope; the rest until the preferences change. */
diag_inputs iamt_inputs(GPtrArray *list, wmem_allocator_t *scope, int in_progress);

#endif
