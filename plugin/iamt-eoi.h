/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AMT's legacy EOI SOAP services (AMT 1-5, SOAP 1.1) as iamt.eoi.* fields. */
#ifndef IAMT_EOI_H
#define IAMT_EOI_H

#include <epan/packet.h>

#include "amtdiag/soap.h"
#include "soap-exchange.h"

/* Registers the iamt.eoi fields under proto. */
void iamt_eoi_register(int proto);

/* Adds an iamt item for the EOI message m, with its call links, to tree;
 * returns the item (for expert infos). */
proto_item *iamt_eoi_add(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const soap_msg *m,
                         const soap_memo *memo);

#endif
