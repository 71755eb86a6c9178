/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The iamt_passwords table: AMT accounts the user knows, so a rejected
 * Digest login can be told apart as a wrong password, an unknown user, or
 * a right password AMT still refused. Passwords never appear in packets'
 * trees, columns or expert texts. */
#ifndef IAMT_PASSWORDS_H
#define IAMT_PASSWORDS_H

#include <epan/prefs.h>
#include <stddef.h>

#include "amtdiag/diag.h"

/* Registers the table as preference "passwords" of module m (UAT file
 * "iamt_passwords" in the profile). */
void iamt_passwords_register(module_t *m);

/* The accounts of the table as lib's diag_account array, in scope; *n
 * receives the count (0: the table is empty, and NULL is returned). */
const diag_account *iamt_passwords_accounts(wmem_allocator_t *scope, size_t *n);

#endif
