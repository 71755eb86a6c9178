/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host names the user supplies for addresses the capture does not name
 * (amtdiag --hosts, the plugin's iamt.hosts_file), in /etc/hosts syntax:
 * the reverse-DNS rule reads them as diag_inputs.hosts. */
#ifndef AMTDIAG_HOSTS_H
#define AMTDIAG_HOSTS_H

#include <glib.h>
#include <stddef.h>

/* Parses /etc/hosts syntax ("ADDRESS NAME…", # comments) from text into
 * hosts (diag_host, names g_strdup'ed). Returns 0, or the 1-based number
 * of the first line whose address does not parse (the lines before it
 * are added). */
unsigned diag_hosts_parse(const char *text, GArray *hosts);

/* Reads the file at path into hosts as diag_hosts_parse does. Returns 0;
 * -1 when the file cannot be read, the reason (naming the file) in err;
 * or the number of the first line that does not parse, with "PATH: line
 * N: expected ..." in err. On an error hosts is left as it was. */
int diag_hosts_load(const char *path, GArray *hosts, char *err, size_t err_len);

/* Frees the names diag_hosts_parse added to hosts and empties it. */
void diag_hosts_clear(GArray *hosts);

#endif
