/* SPDX-License-Identifier: GPL-2.0-or-later */
/* only: --only HOST[:PORT], the connections a report is restricted to. */
#ifndef AMTDIAG_ONLY_H
#define AMTDIAG_ONLY_H

#include <glib.h>

#include "amtdiag/result.h"
#include "model.h"

typedef struct only_list only_list;

/* Parses the --only values (an IPv4 or IPv6 address, optionally with a
 * port: 192.0.2.20, 192.0.2.20:16993, 2001:db8::20, [2001:db8::20]:16993).
 * NULL with the message in e for a value that is no address. An empty
 * specs gives a list that matches everything. */
only_list *only_parse(const GPtrArray *specs, amt_err *e);
void only_free(only_list *l);
/* Whether the connection is one the report keeps: an endpoint has an
 * address given (and its port, when one was given). */
int only_match(const only_list *l, const conn_rec *c);
/* Removes the connections that do not match from conns (freeing them). */
void only_apply(const only_list *l, GPtrArray *conns);

#endif
