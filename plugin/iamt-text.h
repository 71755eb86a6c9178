/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text taken from packets, made safe for the protocol tree: bounded in
 * length and valid UTF-8 (FT_STRING items and expert texts need both);
 * and long text shown whole, broken between words. */
#ifndef IAMT_TEXT_H
#define IAMT_TEXT_H

#include <epan/proto.h>
#include <epan/wmem_scopes.h>
#include <stddef.h>

/* Most bytes of one packet string the plugin keeps or shows. */
#define IAMT_TEXT_MAX 8192

/* Most bytes of one line of a tree item's label: Wireshark keeps
 * ITEM_LABEL_LENGTH (240) bytes of a label, name included, and cuts the
 * rest wherever it falls. */
#define IAMT_LINE_MAX 180

/* A copy of s in scope, cut to at most max bytes and with invalid UTF-8
 * replaced by U+FFFD; NULL for NULL. */
const char *iamt_text(wmem_allocator_t *scope, const char *s, size_t max);

/* The same text for use right away (a tree item copies its value): s
 * itself when it is within max bytes and valid UTF-8, else iamt_text's
 * copy in scope. */
const char *iamt_text_now(wmem_allocator_t *scope, const char *s, size_t max);

/* Adds string field hf with value s (valid UTF-8) to tree, generated. Its
 * value is s whole (for filters and -T fields); a label too long for one
 * line shows the first line, broken between words, and the rest as text
 * lines under it (subtree ett), so nothing is cut mid-word. Returns the
 * item. */
proto_item *iamt_add_long_string(proto_tree *tree, int hf, int ett, tvbuff_t *tvb, const char *s);

#endif
