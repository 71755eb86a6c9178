/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text taken from packets, made safe for the protocol tree: bounded in
 * length and valid UTF-8 (FT_STRING items and expert texts need both). */
#ifndef IAMT_TEXT_H
#define IAMT_TEXT_H

#include <epan/wmem_scopes.h>
#include <stddef.h>

/* Most bytes of one packet string the plugin keeps or shows. */
#define IAMT_TEXT_MAX 8192

/* A copy of s in scope, cut to at most max bytes and with invalid UTF-8
 * replaced by U+FFFD; NULL for NULL. */
const char *iamt_text(wmem_allocator_t *scope, const char *s, size_t max);

#endif
