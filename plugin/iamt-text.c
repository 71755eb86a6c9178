/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt_text: bounded, valid-UTF-8 copies of packet strings. The HTTP
 * header fields hold whatever the wire held, and lib's parsers cut values
 * at a byte count that can split a character. */
#include "iamt-text.h"

#include <glib.h>
#include <string.h>

const char *iamt_text(wmem_allocator_t *scope, const char *s, size_t max)
{
    if (!s)
        return NULL;
    size_t n = strnlen(s, max);
    if (g_utf8_validate(s, (gssize)n, NULL))
        return wmem_strndup(scope, s, n);
    char *valid = g_utf8_make_valid(s, (gssize)n);
    char *copy = wmem_strdup(scope, valid);
    g_free(valid);
    return copy;
}

const char *iamt_text_now(wmem_allocator_t *scope, const char *s, size_t max)
{
    if (!s)
        return NULL;
    size_t n = strnlen(s, max);
    return !s[n] && g_utf8_validate(s, (gssize)n, NULL) ? s : iamt_text(scope, s, max);
}

/* The length of s's first line of at most max bytes: up to its last space
 * within max when it is longer (a word longer than a line is cut at a
 * character boundary). */
static size_t line_length(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    for (size_t i = max; i > max / 2; i--)
        if (s[i] == ' ')
            return i;
    const char *end = g_utf8_find_prev_char(s, s + max + 1);
    return end && end > s ? (size_t)(end - s) : max;
}

proto_item *iamt_add_long_string(proto_tree *tree, int hf, int ett, tvbuff_t *tvb, const char *s)
{
    header_field_info *h = proto_registrar_get_nth((guint)hf);
    size_t max = IAMT_LINE_MAX > strlen(h->name) + 2 ? IAMT_LINE_MAX - strlen(h->name) - 2 : 40;
    size_t first = line_length(s, max);
    proto_item *it;
    if (!s[first]) {
        it = proto_tree_add_string(tree, hf, tvb, 0, 0, s);
        proto_item_set_generated(it);
        return it;
    }
    it = proto_tree_add_string_format_value(tree, hf, tvb, 0, 0, s, "%.*s …", (int)first, s);
    proto_item_set_generated(it);
    proto_tree *rest = proto_item_add_subtree(it, ett);
    for (s += first; *s;) {
        while (*s == ' ')
            s++;
        size_t n = line_length(s, IAMT_LINE_MAX);
        if (n)
            proto_tree_add_subtree_format(rest, tvb, 0, 0, ett, NULL, "%.*s", (int)n, s);
        s += n;
    }
    return it;
}
