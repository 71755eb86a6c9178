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
 * FALSE when hf is not primed or node has no bytes of its own: search
 * then; else *list is the field's list in the tree (NULL: no value) and
 * *n the node's field_info, NULL for the root. */
static gboolean primed_list(proto_tree *node, int hf, const GPtrArray **list, const field_info **n)
{
    header_field_info *hfi = proto_registrar_get_nth((guint)hf);
    if (!hfi || hfi->ref_type != HF_REF_TYPE_DIRECT || !proto_tracking_interesting_fields(node))
        return FALSE;
    *n = PNODE_FINFO(node);
    if (*n && (!(*n)->ds_tvb || (*n)->length <= 0))
        return FALSE;
    *list = proto_get_finfo_ptr_array(node, hf);
    return TRUE;
}

static gboolean belongs(const field_info *fi, const field_info *n)
{
    return !n ||
           (fi->ds_tvb == n->ds_tvb && fi->start >= n->start && fi->start < n->start + n->length);
}

static GPtrArray *primed_under(proto_tree *node, int hf)
{
    const GPtrArray *a;
    const field_info *n;
    if (!primed_list(node, hf, &a, &n))
        return NULL;
    GPtrArray *out = g_ptr_array_new();
    for (guint i = 0; a && i < a->len; i++)
        if (belongs(g_ptr_array_index(a, i), n))
            g_ptr_array_add(out, g_ptr_array_index(a, i));
    return out;
}

/* The first value of hf under node, NULL when none: a lookup in the
 * field's list when primed (nothing allocated: this runs several times
 * per HTTP message and once per frame), else a search. */
static field_info *first_under(proto_tree *node, int hf)
{
    const GPtrArray *a;
    const field_info *n;
    if (primed_list(node, hf, &a, &n)) {
        for (guint i = 0; a && i < a->len; i++)
            if (belongs(g_ptr_array_index(a, i), n))
                return g_ptr_array_index(a, i);
        return NULL;
    }
    GPtrArray *found = proto_find_first_finfo(node, hf);
    field_info *fi = found->len ? g_ptr_array_index(found, 0) : NULL;
    g_ptr_array_free(found, TRUE);
    return fi;
}

const char *iamt_first_str(proto_tree *node, int hf)
{
    if (hf < 0 || !node)
        return NULL;
    field_info *fi = first_under(node, hf);
    return fi ? iamt_fi_str(fi) : NULL;
}

gboolean iamt_first_uint(proto_tree *node, int hf, guint32 *v)
{
    *v = 0;
    if (hf < 0 || !node)
        return FALSE;
    field_info *fi = first_under(node, hf);
    if (fi)
        *v = iamt_fi_uint(fi);
    return fi != NULL;
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
