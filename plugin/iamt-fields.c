/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-fields: typed reads of field values, for every Wireshark version. */
#include "iamt-fields.h"

#include "iamt-text.h"
#include "ws-compat.h"

const char *iamt_fi_str(field_info *fi)
{
    switch (fi->hfinfo->type) {
    case FT_STRING:
    case FT_STRINGZ:
    case FT_UINT_STRING:
    case FT_STRINGZPAD:
    case FT_STRINGZTRUNC:
        return fvalue_get_string(IAMT_FVALUE(fi));
    default:
        return NULL;
    }
}

guint32 iamt_fi_uint(field_info *fi)
{
    switch (fi->hfinfo->type) {
    case FT_UINT8:
    case FT_UINT16:
    case FT_UINT24:
    case FT_UINT32:
    case FT_FRAMENUM:
        return fvalue_get_uinteger(IAMT_FVALUE(fi));
    case FT_BOOLEAN: /* 64 bits wide in every version */
        return fvalue_get_uinteger64(IAMT_FVALUE(fi)) != 0;
    default:
        return 0;
    }
}

const char *iamt_first_str(proto_tree *node, int hf)
{
    if (hf < 0 || !node)
        return NULL;
    GPtrArray *a = proto_find_first_finfo(node, hf);
    const char *s = a->len ? iamt_fi_str(g_ptr_array_index(a, 0)) : NULL;
    g_ptr_array_free(a, TRUE);
    return s;
}

gboolean iamt_first_uint(proto_tree *node, int hf, guint32 *v)
{
    *v = 0;
    if (hf < 0 || !node)
        return FALSE;
    GPtrArray *a = proto_find_first_finfo(node, hf);
    gboolean found = a->len > 0;
    if (found)
        *v = iamt_fi_uint(g_ptr_array_index(a, 0));
    g_ptr_array_free(a, TRUE);
    return found;
}

const char *iamt_joined_str(wmem_allocator_t *scope, proto_tree *node, int hf, size_t max)
{
    if (hf < 0 || !node)
        return NULL;
    GPtrArray *a = proto_find_finfo(node, hf);
    GString *b = NULL;
    for (guint i = 0; i < a->len && i < 8; i++) {
        const char *v = iamt_fi_str(g_ptr_array_index(a, i));
        if (!v)
            continue;
        b = b ? g_string_append(b, ", ") : g_string_new(NULL);
        g_string_append(b, v);
    }
    g_ptr_array_free(a, TRUE);
    if (!b)
        return NULL;
    const char *out = iamt_text(scope, b->str, max);
    g_string_free(b, TRUE);
    return out;
}
