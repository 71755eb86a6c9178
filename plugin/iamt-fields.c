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

/* The values of field hf that belong to node, in the order they were
 * added, taken from the field's list in the tree when hf is primed (a
 * lookup): searching node's subtree visits every item under it, on a
 * shown tree (tshark -T fields, -V) the whole message each time. An item
 * belongs to node when it lies in node's bytes (same data source, its
 * start within node's range; every item of the frame for the root).
 * NULL when hf is not primed or node has no bytes of its own: search
 * then; else the values (maybe none), to be freed. */
static GPtrArray *primed_under(proto_tree *node, int hf)
{
    header_field_info *hfi = proto_registrar_get_nth((guint)hf);
    if (!hfi || hfi->ref_type != HF_REF_TYPE_DIRECT || !proto_tracking_interesting_fields(node))
        return NULL;
    const field_info *n = PNODE_FINFO(node);
    if (n && (!n->ds_tvb || n->length <= 0))
        return NULL;
    GPtrArray *out = g_ptr_array_new();
    const GPtrArray *a = proto_get_finfo_ptr_array(node, hf);
    for (guint i = 0; a && i < a->len; i++) {
        field_info *fi = g_ptr_array_index(a, i);
        if (!n ||
            (fi->ds_tvb == n->ds_tvb && fi->start >= n->start && fi->start < n->start + n->length))
            g_ptr_array_add(out, fi);
    }
    return out;
}

static GPtrArray *first_under(proto_tree *node, int hf)
{
    GPtrArray *a = primed_under(node, hf);
    return a ? a : proto_find_first_finfo(node, hf);
}

const char *iamt_first_str(proto_tree *node, int hf)
{
    if (hf < 0 || !node)
        return NULL;
    GPtrArray *a = first_under(node, hf);
    const char *s = a->len ? iamt_fi_str(g_ptr_array_index(a, 0)) : NULL;
    g_ptr_array_free(a, TRUE);
    return s;
}

gboolean iamt_first_uint(proto_tree *node, int hf, guint32 *v)
{
    *v = 0;
    if (hf < 0 || !node)
        return FALSE;
    GPtrArray *a = first_under(node, hf);
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
    GPtrArray *a = primed_under(node, hf);
    if (!a)
        a = proto_find_finfo(node, hf);
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

gboolean iamt_frame_has(const packet_info *pinfo, int proto)
{
    if (proto < 0)
        return FALSE;
    for (wmem_list_frame_t *l = wmem_list_head(pinfo->layers); l; l = wmem_list_frame_next(l))
        if (GPOINTER_TO_INT(wmem_list_frame_data(l)) == proto)
            return TRUE;
    return FALSE;
}
