/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the --hosts file parser (diag_hosts_parse in lib/hosts.c).
 *
 * Input: the file's text. */
#include "fuzz_common.h"
#include "amtdiag/diag.h"
#include "amtdiag/hosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The parser takes a string, as g_file_get_contents gives it: the text
     * up to the first NUL is what it sees. */
    char *text = g_strndup((const char *)data, size);
    GArray *hosts = g_array_new(FALSE, TRUE, sizeof(diag_host));
    unsigned bad = diag_hosts_parse(text, hosts);
    FZ_CHECK(bad <= size + 1);
    for (guint i = 0; i < hosts->len; i++) {
        diag_host *h = &g_array_index(hosts, diag_host, i);
        FZ_CHECK(h->family == 4 || h->family == 6);
        FZ_CHECK(h->name && h->name[0]);
        g_free((char *)h->name);
    }
    g_array_free(hosts, TRUE);
    g_free(text);
    return 0;
}
