/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading other dissectors' fields (HTTP, TLS, TCP, DNS) out of the tree
 * the first pass builds: the value of a field_info, checked against the
 * field's type (epan aborts on a getter of the wrong type), and the same
 * on every Wireshark version (ws-compat.h). */
#ifndef IAMT_FIELDS_H
#define IAMT_FIELDS_H

#include <epan/packet.h>
#include <epan/proto.h>

/* fi's text, or NULL when fi is no string field. Not bounded: pass it
 * through iamt_text before keeping or showing it. */
const char *iamt_fi_str(field_info *fi);

/* fi's value when fi is an unsigned integer field of at most 32 bits (or
 * a frame number); 1 or 0 for a boolean; else 0. */
guint32 iamt_fi_uint(field_info *fi);

/* The first value of field hf under node, as iamt_fi_str; NULL when
 * absent or hf < 0. A primed field (a postdissector's wanted field) is
 * looked up, not searched for: "under node" is then "in node's bytes". */
const char *iamt_first_str(proto_tree *node, int hf);

/* Whether field hf occurs under node; *v gets its first value as
 * iamt_fi_uint. */
gboolean iamt_first_uint(proto_tree *node, int hf, guint32 *v);

/* Every value of string field hf under node, joined with ", " as one
 * header line would list them (at most 8), bounded and valid UTF-8, in
 * scope; NULL when there is none. */
const char *iamt_joined_str(wmem_allocator_t *scope, proto_tree *node, int hf, size_t max);

/* Whether the frame's layers hold the protocol proto (an id from
 * proto_get_id_by_filter_name; FALSE for -1): proto_is_frame_protocol
 * without its name lookup and string compare per layer, which cost
 * measurably when every frame asks several times. */
gboolean iamt_frame_has(const packet_info *pinfo, int proto);

#endif
