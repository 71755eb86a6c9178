/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hosts: /etc/hosts syntax for the names of addresses the capture does
 * not resolve. */
#include "amtdiag/hosts.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "amtdiag/diag.h"

unsigned diag_hosts_parse(const char *text, GArray *hosts)
{
    char **lines = g_strsplit(text, "\n", -1);
    unsigned bad = 0;
    for (unsigned n = 0; lines[n] && !bad; n++) {
        char *hash = strchr(lines[n], '#');
        if (hash)
            *hash = '\0';
        char **words = g_strsplit_set(g_strstrip(lines[n]), " \t", -1);
        unsigned w = 0;
        diag_host h = {0};
        for (char **p = words; *p; p++) {
            if (!**p)
                continue;
            if (w++ == 0) {
                if (inet_pton(AF_INET, *p, h.addr) == 1)
                    h.family = 4;
                else if (inet_pton(AF_INET6, *p, h.addr) == 1)
                    h.family = 6;
                else
                    bad = n + 1;
                continue;
            }
            if (bad)
                break;
            diag_host e = h;
            e.name = g_strdup(*p);
            g_array_append_val(hosts, e);
        }
        g_strfreev(words);
    }
    g_strfreev(lines);
    return bad;
}

int diag_hosts_load(const char *path, GArray *hosts, char *err, size_t err_len)
{
    gchar *text = NULL;
    GError *e = NULL;
    if (!g_file_get_contents(path, &text, NULL, &e)) {
        g_snprintf(err, err_len, "%s", e->message);
        g_error_free(e);
        return -1;
    }
    GArray *got = g_array_new(FALSE, TRUE, sizeof(diag_host));
    unsigned bad = diag_hosts_parse(text, got);
    g_free(text);
    if (bad) {
        g_snprintf(err, err_len,
                   "%s: line %u: expected an IPv4 or IPv6 address, then names (/etc/hosts syntax)",
                   path, bad);
        diag_hosts_clear(got);
        g_array_free(got, TRUE);
        return (int)bad;
    }
    g_array_append_vals(hosts, got->data, got->len);
    g_array_free(got, TRUE);
    return 0;
}

void diag_hosts_clear(GArray *hosts)
{
    for (guint i = 0; i < hosts->len; i++)
        g_free((char *)g_array_index(hosts, diag_host, i).name);
    g_array_set_size(hosts, 0);
}
