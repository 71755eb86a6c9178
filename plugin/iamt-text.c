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
