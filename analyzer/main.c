/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amtdiag: the command line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "options.h"
#include "report.h"

int main(int argc, char **argv)
{
    amtdiag_options o;
    int rc = options_parse(&o, argc, argv);
    if (rc != 0) {
        options_free(&o);
        return rc == 1 ? 0 : 2;
    }
    analysis a;
    analysis_init(&a);
    int status = 0;
    for (guint i = 0; i < o.keylogs->len; i++)
        if (analysis_add_keylog_file(&a, g_ptr_array_index(o.keylogs, i)) != 0)
            status = 2;
    for (guint i = 0; i < o.keys->len; i++) {
        rsa_key_opt *k = &g_array_index(o.keys, rsa_key_opt, i);
        if (analysis_add_rsa_key(&a, k->path, k->password) != 0)
            status = 2;
    }
    if (status == 0) {
        if (o.iface) {
            if (analysis_read_live(&a, o.iface, o.filter) != 0)
                status = 2;
        } else {
            for (guint i = 0; i < o.inputs->len; i++)
                analysis_read_file(&a, g_ptr_array_index(o.inputs, i));
            /* Unusable input means nothing could be read at all. */
            if (a.files_unreadable == o.inputs->len)
                status = 2;
        }
    }
    if (status == 0) {
        FILE *out = stdout;
        if (o.output && !(out = fopen(o.output, "w"))) {
            fprintf(stderr, "amtdiag: %s: %s\n", o.output, strerror(errno));
            status = 2;
        } else {
            if (o.format == FORMAT_JSON)
                report_json(out, &a);
            else
                report_text(out, &a, o.verbose);
            if (out != stdout && fclose(out) != 0) {
                fprintf(stderr, "amtdiag: %s: %s\n", o.output, strerror(errno));
                status = 2;
            }
        }
    }
    analysis_free(&a);
    options_free(&o);
    return status;
}
