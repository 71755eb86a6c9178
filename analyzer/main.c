/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amtdiag: the command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "diagnose.h"
#include "export_decrypted.h"
#include "export_secrets.h"
#include "options.h"
#include "redact.h"
#include "report.h"
#include "user_inputs.h"

/* What the user supplied besides the captures, for the report's header:
 * option names and file names, never a password or key. */
static GPtrArray *given_list(const amtdiag_options *o)
{
    GPtrArray *g = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < o->keylogs->len; i++) {
        char *b = g_path_get_basename(g_ptr_array_index(o->keylogs, i));
        g_ptr_array_add(g, g_strdup_printf("--keylog %s", b));
        g_free(b);
    }
    for (guint i = 0; i < o->keys->len; i++) {
        char *b = g_path_get_basename(g_array_index(o->keys, rsa_key_opt, i).path);
        g_ptr_array_add(g, g_strdup_printf("--key %s", b));
        g_free(b);
    }
    for (guint i = 0; i < o->passwords->len; i++) {
        const char *p = g_ptr_array_index(o->passwords, i);
        if (o->redact) /* the user name is redacted too */
            g_ptr_array_add(g, g_strdup("--password …"));
        else
            g_ptr_array_add(g, g_strdup_printf("--password %.*s:…", (int)(strchr(p, ':') - p), p));
    }
    if (o->hosts_file)
        g_ptr_array_add(g, g_strdup_printf("--hosts %s", o->hosts_file));
    for (guint i = 0; i < o->trusted_roots->len; i++)
        g_ptr_array_add(g, g_strdup_printf("--trusted-root %s",
                                           (char *)g_ptr_array_index(o->trusted_roots, i)));
    for (guint i = 0; i < o->trusted_fqdn->len; i++)
        g_ptr_array_add(
            g, g_strdup_printf("--trusted-fqdn %s", (char *)g_ptr_array_index(o->trusted_fqdn, i)));
    if (o->has_clock_offset)
        g_ptr_array_add(
            g, g_strdup_printf("--amt-clock-offset %+" G_GINT64_FORMAT "s", o->clock_offset_s));
    g_ptr_array_add(g, NULL);
    return g;
}

static int want_color(const amtdiag_options *o, FILE *out)
{
    if (o->color >= 0)
        return o->color;
    const char *nc = getenv("NO_COLOR");
    return out == stdout && isatty(STDOUT_FILENO) && !(nc && *nc);
}

static int format_report(const amtdiag_options *o, const report_in *r, FILE *out)
{
    switch (o->format) {
    case FORMAT_JSON:
        return report_json(out, r);
    case FORMAT_MARKDOWN:
        return report_markdown(out, r);
    case FORMAT_HTML:
        return report_html(out, r);
    default:
        report_text(out, r);
        return ferror(out) ? -1 : 0;
    }
}

/* Writes the report in the chosen format; with --redact it is made in
 * memory first and rewritten as a whole, so no path can leak a value. */
static int write_report(const amtdiag_options *o, const report_in *r, FILE *out)
{
    if (!o->redact)
        return format_report(o, r, out);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return -1;
    int rc = format_report(o, r, mem);
    if (fclose(mem) != 0 || rc != 0) {
        free(buf);
        return -1;
    }
    redactor *rd = redactor_new(r->a);
    char *red = redactor_apply(rd, buf);
    redactor_free(rd);
    free(buf);
    size_t n = strlen(red);
    rc = fwrite(red, 1, n, out) == n ? 0 : -1;
    g_free(red);
    return rc;
}

/* Streaming (-r - or -i, text): each connection's diagnosis is printed as
 * soon as it ends, so a capture piped in from dumpcap is diagnosed while it
 * runs; the full report follows at the end. Verdicts that need later
 * connections (a refused 16992 next to a working 16993) are settled in the
 * full report. */
typedef struct stream_ctx {
    analysis *a;
    const user_inputs *u;
    const amtdiag_options *o;
    FILE *out;
} stream_ctx;

static void stream_conn(void *ctx, const conn_rec *c)
{
    stream_ctx *s = ctx;
    if (s->o->redact)
        return; /* placeholders need the whole capture to stay stable */
    diag_inputs in = s->u->in;
    in.in_progress = 1;
    diag_result *d = diagnose(s->a, &in);
    report_in r = {s->a, d, 0, want_color(s->o, s->out), NULL};
    fprintf(s->out, "ended: ");
    report_text_conn(s->out, &r, c);
    fflush(s->out);
    diag_result_free(d);
}

static int streaming(const amtdiag_options *o)
{
    if (o->format != FORMAT_TEXT || o->output)
        return 0;
    if (o->iface)
        return 1;
    for (guint i = 0; i < o->inputs->len; i++)
        if (strcmp(g_ptr_array_index(o->inputs, i), "-") == 0)
            return 1;
    return 0;
}

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
    a.progress = isatty(STDERR_FILENO);
    user_inputs u;
    int status = user_inputs_load(&u, &o) == 0 ? 0 : 2;
    stream_ctx sc = {&a, &u, &o, stdout};
    if (streaming(&o)) {
        a.on_conn_end = stream_conn;
        a.on_conn_end_ctx = &sc;
    }
    for (guint i = 0; status == 0 && i < o.keylogs->len; i++)
        if (analysis_add_keylog_file(&a, g_ptr_array_index(o.keylogs, i)) != 0)
            status = 2;
    for (guint i = 0; status == 0 && i < o.keys->len; i++) {
        rsa_key_opt *k = &g_array_index(o.keys, rsa_key_opt, i);
        if (analysis_add_rsa_key(&a, k->path, k->password) != 0)
            status = 2;
    }
    if (status == 0 && o.export_decrypted &&
        !(a.export_decrypted = dec_writer_open(o.export_decrypted)))
        status = 2;
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
    if (a.export_decrypted) {
        if (dec_writer_close(a.export_decrypted) != 0 && status == 0)
            status = 2;
        a.export_decrypted = NULL;
    }
    if (status == 0 && o.export_keylog && export_keylog_file(&a, o.export_keylog) != 0)
        status = 2;
    if (status == 0 && o.inject_secrets &&
        export_inject_secrets(&a, g_ptr_array_index(o.inputs, 0), o.inject_secrets) != 0)
        status = 2;
    if (status == 0) {
        diag_result *d = diagnose(&a, &u.in);
        GPtrArray *given = given_list(&o);
        FILE *out = stdout;
        if (o.output && !(out = fopen(o.output, "w"))) {
            fprintf(stderr, "amtdiag: %s: %s\n", o.output, strerror(errno));
            status = 2;
        } else {
            report_in r = {&a, d, o.verbose, want_color(&o, out),
                           (const char *const *)given->pdata};
            if (write_report(&o, &r, out) != 0) {
                fprintf(stderr, "amtdiag: %s: writing the report failed\n",
                        o.output ? o.output : "standard output");
                status = 2;
            }
            if (out != stdout && fclose(out) != 0) {
                fprintf(stderr, "amtdiag: %s: %s\n", o.output, strerror(errno));
                status = 2;
            }
            if (status == 0 && (d->n_errors || d->n_not_ok))
                status = 1;
        }
        g_ptr_array_free(given, TRUE);
        diag_result_free(d);
    }
    user_inputs_free(&u);
    analysis_free(&a);
    options_free(&o);
    return status;
}
