/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amtdiag: the command line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "diagnose.h"
#include "export_decrypted.h"
#include "export_secrets.h"
#include "jobs.h"
#include "krb_marks.h"
#include "only.h"
#include "options.h"
#include "outfile.h"
#include "report.h"
#include "stream_run.h"
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
        g_ptr_array_add(g, g_strdup_printf("--password %.*s:…", (int)(strchr(p, ':') - p), p));
    }
    for (guint i = 0; i < o->keytabs->len; i++) {
        char *b = g_path_get_basename(g_ptr_array_index(o->keytabs, i));
        g_ptr_array_add(g, g_strdup_printf("--keytab %s", b));
        g_free(b);
    }
    for (guint i = 0; i < o->krb_passwords->len; i++) {
        const char *pw;
        char *princ = krb_password_split(g_ptr_array_index(o->krb_passwords, i), &pw);
        g_ptr_array_add(g, g_strdup_printf("--krb-password %s:…", princ ? princ : "?"));
        g_free(princ);
    }
    for (guint i = 0; i < o->psks->len; i++) {
        const char *p = g_ptr_array_index(o->psks, i);
        const char *colon = strrchr(p, ':');
        g_ptr_array_add(g, colon ? g_strdup_printf("--psk %.*s:…", (int)(colon - p), p)
                                 : g_strdup("--psk …"));
    }
    for (guint i = 0; i < o->only->len; i++)
        g_ptr_array_add(g, g_strdup_printf("--only %s", (char *)g_ptr_array_index(o->only, i)));
    for (guint i = 0; i < o->cira_ports->len; i++)
        g_ptr_array_add(
            g, g_strdup_printf("--cira-port %u", g_array_index(o->cira_ports, guint16, i)));
    if (o->hosts_file)
        g_ptr_array_add(g, g_strdup_printf("--hosts %s", o->hosts_file));
    for (guint i = 0; i < o->trusted_roots->len; i++)
        g_ptr_array_add(g, g_strdup_printf("--trusted-root %s",
                                           (char *)g_ptr_array_index(o->trusted_roots, i)));
    for (guint i = 0; i < o->console_roots->len; i++)
        g_ptr_array_add(g,
                        g_strdup_printf("--ca %s", (char *)g_ptr_array_index(o->console_roots, i)));
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

/* The writer of a format (NDJSON has its own: report_ndjson.h). */
static const report_format_ops *format_ops(out_format f)
{
    switch (f) {
    case FORMAT_JSON:
        return &report_json_ops;
    case FORMAT_MARKDOWN:
        return &report_markdown_ops;
    case FORMAT_HTML:
        return &report_html_ops;
    default:
        return &report_text_ops;
    }
}

/* Writes the report in the chosen format. With --redact every writer
 * prints through out_val, which replaces the values the analysis marked. */
static int write_report(const amtdiag_options *o, const report_in *r, FILE *out)
{
    return report_write_whole(format_ops(o->format), out, r);
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
    const only_list *only;
    FILE *out;
} stream_ctx;

static void stream_conn(void *ctx, const conn_rec *c)
{
    stream_ctx *s = ctx;
    if (s->o->redact || !only_match(s->only, c))
        return; /* placeholders need the whole capture to stay stable */
    diag_inputs in = s->u->in;
    in.in_progress = 1;
    /* The rules run over this connection alone (and the DNS seen so far):
     * running them over every connection at each end made a pipe of many
     * connections quadratic. */
    analysis view = *s->a;
    view.conns = g_ptr_array_new();
    g_ptr_array_add(view.conns, (gpointer)c);
    diag_result *d = diagnose(&view, &in);
    report_in r = {&view, d, 0, want_color(s->o, s->out), NULL, 0, NULL};
    fprintf(s->out, "ended: ");
    report_text_conn(s->out, &r, c);
    fflush(s->out);
    diag_result_free(d);
    g_ptr_array_free(view.conns, TRUE);
}

static int reads_stdin(const amtdiag_options *o)
{
    for (guint i = 0; i < o->inputs->len; i++)
        if (strcmp(g_ptr_array_index(o->inputs, i), "-") == 0)
            return 1;
    return 0;
}

static int streaming(const amtdiag_options *o)
{
    if (o->format != FORMAT_TEXT || o->output || o->quiet)
        return 0;
    return o->iface || reads_stdin(o);
}

/* ---- the terminal: the only place amtdiag writes to standard error ---- */

/* A message: the file names and values in it are shown as the reports
 * show them, control characters as \xNN. */
static void say(const char *msg)
{
    outw w = out_make(stderr, OUT_TEXT, NULL);
    out_printf(&w, "amtdiag: %s\n", msg);
}

static void on_warning(void *ctx, const char *msg)
{
    (void)ctx;
    say(msg);
}

/* A line on the terminal for long inputs, refreshed in place and cleared
 * when the file is done. */
static void on_progress(void *ctx, const char *file, uint64_t frames, unsigned conns, int done)
{
    (void)ctx;
    outw w = out_make(stderr, OUT_TEXT, NULL);
    if (done)
        fputs("\r\033[K", stderr);
    else
        out_printf(&w, "\ramtdiag: %s: %" G_GUINT64_FORMAT " frames, %u connections…\033[K", file,
                   frames, conns);
}

/* A closed standard descriptor would be reused by the next file opened, and
 * the report written into it: each is held by /dev/null opened the wrong
 * way, so writing to a closed standard output fails, as it should. */
static void hold_closed_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
            int n = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
            if (n >= 0 && n != fd) {
                dup2(n, fd);
                close(n);
            }
        }
}

/* Writes the report to -o FILE (through a temporary file, renamed when
 * complete) or standard output. Returns AMT_OK or the error in e. */
static amt_rc output_report(const amtdiag_options *o, const report_in *r, amt_err *e)
{
    if (!o->output) {
        if (write_report(o, r, stdout) != 0 || fflush(stdout) != 0 || ferror(stdout))
            return amt_fail(e, AMT_E_OUTPUT, "standard output: writing the report failed: %s",
                            strerror(errno));
        return AMT_OK;
    }
    out_file *f = outfile_open(o->output, OUTFILE_REPORT, e);
    if (!f)
        return e->rc;
    report_in rf = *r;
    rf.color = want_color(o, outfile_stream(f));
    if (write_report(o, &rf, outfile_stream(f)) != 0) {
        outfile_abort(f);
        return amt_fail(e, AMT_E_OUTPUT, "%s: writing the report failed", o->output);
    }
    return outfile_commit(f, e);
}

/* The exports that need the whole capture read: key log, capture with keys. */
static amt_rc exports(const amtdiag_options *o, const analysis *a, amt_err *e)
{
    int n;
    char msg[AMT_ERR_MAX + 100];
    if (o->export_keylog) {
        if (export_keylog_file(a, o->export_keylog, &n, e) != AMT_OK)
            return e->rc;
        snprintf(msg, sizeof msg, "%s: secrets of %d TLS session%s", o->export_keylog, n,
                 n == 1 ? "" : "s");
        say(msg);
    }
    if (o->inject_secrets) {
        if (export_inject_secrets(a, g_ptr_array_index(o->inputs, 0), o->inject_secrets, &n, e) !=
            AMT_OK)
            return e->rc;
        snprintf(msg, sizeof msg, "%s: the capture with the secrets of %d TLS session%s",
                 o->inject_secrets, n, n == 1 ? "" : "s");
        say(msg);
    }
    return AMT_OK;
}

/* With --redact, what the user gave that identifies the site is marked
 * before anything is read: paths, trusted FQDNs, user names, the hosts
 * table. */
static void mark_user_inputs(id_marks *m, const amtdiag_options *o, const user_inputs *u)
{
    const GPtrArray *paths[] = {o->inputs, o->keylogs, o->trusted_roots, o->console_roots};
    for (size_t k = 0; k < G_N_ELEMENTS(paths); k++)
        for (guint i = 0; i < paths[k]->len; i++)
            idm_mark_path(m, g_ptr_array_index(paths[k], i));
    for (guint i = 0; i < o->keys->len; i++)
        idm_mark_path(m, g_array_index(o->keys, rsa_key_opt, i).path);
    idm_mark_path(m, o->hosts_file);
    for (guint i = 0; i < o->trusted_fqdn->len; i++)
        idm_mark_host(m, g_ptr_array_index(o->trusted_fqdn, i));
    for (guint i = 0; i < o->keytabs->len; i++)
        idm_mark_path(m, g_ptr_array_index(o->keytabs, i));
    for (guint i = 0; i < o->krb_passwords->len; i++) {
        const char *pw;
        char *princ = krb_password_split(g_ptr_array_index(o->krb_passwords, i), &pw);
        mark_krb_principal_text(m, princ);
        g_free(princ);
    }
    for (size_t i = 0; i < u->in.n_accounts; i++)
        idm_mark_str(m, ID_USER, u->in.accounts[i].user);
    for (size_t i = 0; i < u->in.n_hosts; i++) {
        idm_mark_addr(m, u->in.hosts[i].family, u->in.hosts[i].addr);
        idm_mark_host(m, u->in.hosts[i].name);
    }
}

/* The terminal showed the first warnings only: say how many more. */
static void warnings_not_shown(const analysis *a)
{
    if (a->n_warnings <= a->warnings->len)
        return;
    char msg[96];
    snprintf(msg, sizeof msg, "%" G_GUINT64_FORMAT " more warnings not shown",
             a->n_warnings - a->warnings->len);
    say(msg);
}

/* Reads the captures, or the interface. Returns 0, or 2 when nothing
 * could be read. */
static int read_inputs(const amtdiag_options *o, analysis *a)
{
    amt_err *e = &a->err;
    if (o->iface) {
        /* the default filter takes this run's CIRA ports */
        GString *bpf = g_string_new("tcp portrange 16992-16995");
        for (unsigned i = 0; i < a->n_cira_ports; i++)
            g_string_append_printf(bpf, " or tcp port %u", a->cira_ports[i]);
        g_string_append(bpf, " or udp port 53 or port 88");
        int rc = analysis_read_live(a, o->iface, o->filter ? o->filter : bpf->str) != 0 ? 2 : 0;
        g_string_free(bpf, TRUE);
        if (o->write_file && rc == 0) {
            char msg[AMT_ERR_MAX + 100];
            snprintf(msg, sizeof msg, "%s: %" G_GUINT64_FORMAT " frames kept", o->write_file,
                     a->kept_frames);
            say(msg);
        }
        warnings_not_shown(a);
        return rc;
    }
    for (guint i = 0; i < o->inputs->len; i++) {
        if (i + 1 < o->inputs->len) /* read while this one is analysed (-j) */
            analysis_read_ahead(a, g_ptr_array_index(o->inputs, i + 1));
        if (analysis_read_file(a, g_ptr_array_index(o->inputs, i)) < 0) {
            say(e->msg); /* the other inputs are read all the same */
            amt_err_clear(e);
        }
    }
    warnings_not_shown(a);
    /* Unusable input means nothing could be read at all. */
    return a->files_unreadable == o->inputs->len ? 2 : 0;
}

/* The threads -j asks for (default: the cores), or one where the report
 * depends on the order the capture is read in as a whole: a pipe or a live
 * capture (judged by the clock), --redact's placeholders (numbered in the
 * order values are met), the exports (every record, in order). */
static unsigned jobs_of(const amtdiag_options *o)
{
    unsigned n = o->jobs ? o->jobs : (unsigned)g_get_num_processors();
    if (o->iface || reads_stdin(o) || o->redact || o->export_decrypted || o->export_keylog ||
        o->inject_secrets || streaming(o))
        return 1;
    return MIN(n, (unsigned)JOBS_MAX);
}

/* Opens the output and starts a streamed run on a (stream_run.h); NULL
 * with the message in a->err when the output cannot be opened. */
static stream_run *stream_start(const amtdiag_options *o, analysis *a, user_inputs *u,
                                const only_list *only, GPtrArray *given)
{
    out_file *f = NULL;
    if (o->output && !(f = outfile_open(o->output, OUTFILE_REPORT, &a->err)))
        return NULL;
    FILE *out = f ? outfile_stream(f) : stdout;
    int nd = o->format == FORMAT_NDJSON;
    report_in base = {a,
                      NULL,
                      nd ? 0 : o->verbose,
                      nd ? 0 : want_color(o, out),
                      (const char *const *)given->pdata,
                      o->redact,
                      NULL};
    /* a live capture or a pipe is reported as it runs; a file at its end */
    int by_count = !o->iface && !reads_stdin(o);
    return stream_run_start(a, &u->in, only, nd ? NULL : format_ops(o->format), &base, f, by_count,
                            jobs_of(o));
}

/* Closes --export-decrypted's file and says how much it holds. */
static amt_rc close_decrypted(const amtdiag_options *o, analysis *a)
{
    uint64_t frames = 0;
    amt_rc rc = dec_writer_close(a->export_decrypted, &frames, &a->err);
    a->export_decrypted = NULL;
    if (rc != AMT_OK)
        return rc;
    char msg[AMT_ERR_MAX + 100];
    snprintf(msg, sizeof msg, "%s: %" G_GUINT64_FORMAT " frames of decrypted AMT traffic",
             o->export_decrypted, frames);
    say(msg);
    return AMT_OK;
}

/* The report of a run that kept every record (for the exports): every
 * connection diagnosed at the end. Returns the exit status. */
static int whole_report(const amtdiag_options *o, analysis *a, user_inputs *u,
                        const only_list *only, GPtrArray *given)
{
    only_apply(only, a->conns);
    if (exports(o, a, &a->err) != AMT_OK)
        return 2;
    diag_result *d = diagnose(a, &u->in);
    report_in r = {
        a,         d,   o->verbose, want_color(o, stdout), (const char *const *)given->pdata,
        o->redact, NULL};
    int status = 0;
    if (output_report(o, &r, &a->err) != AMT_OK)
        status = 2;
    else if (d->n_errors || d->n_not_ok)
        status = 1;
    diag_result_free(d);
    return status;
}

/* Exit status: 0 nothing rejected, 1 a rejection diagnosed, 2 bad usage,
 * no input readable, or an output that could not be written. */
static int run(const amtdiag_options *o, analysis *a, user_inputs *u, only_list **only)
{
    amt_err *e = &a->err;
    if (user_inputs_load(u, o, e) != AMT_OK)
        return 2;
    a->krb_keys = u->krb_keys;
    if (!(*only = only_parse(o->only, e)))
        return 2;
    a->lean_http = o->format != FORMAT_JSON && o->format != FORMAT_NDJSON;
    if (o->redact) {
        a->marks = idm_new();
        mark_user_inputs(a->marks, o, u);
    }
    stream_ctx sc = {a, u, o, *only, stdout};
    if (streaming(o)) {
        a->on_conn_end = stream_conn;
        a->on_conn_end_ctx = &sc;
    }
    for (guint i = 0; i < o->keylogs->len; i++)
        if (analysis_add_keylog_file(a, g_ptr_array_index(o->keylogs, i)) != AMT_OK)
            return 2;
    for (guint i = 0; i < o->keys->len; i++) {
        rsa_key_opt *k = &g_array_index(o->keys, rsa_key_opt, i);
        if (analysis_add_rsa_key(a, k->path, k->password) != AMT_OK)
            return 2;
    }
    for (guint i = 0; i < o->psks->len; i++)
        if (analysis_add_psk(a, g_ptr_array_index(o->psks, i)) != AMT_OK)
            return 2;
    if (o->cira_ports->len) {
        a->n_cira_ports = 0;
        for (guint i = 0; i < o->cira_ports->len && i < ANALYSIS_CIRA_PORTS_MAX; i++)
            a->cira_ports[a->n_cira_ports++] = g_array_index(o->cira_ports, guint16, i);
    }
    a->max_frames = o->max_packets;
    a->live_seconds = o->duration_s;
    a->keep_path = o->write_file;
    if (o->export_decrypted && !(a->export_decrypted = dec_writer_open(o->export_decrypted, e)))
        return 2;
    /* Exports need every connection's record at the end: only they keep
     * the whole capture in memory. */
    stream_run *sr = NULL;
    GPtrArray *given = given_list(o);
    tls_keys_keep_derived(a->keys, o->export_keylog || o->inject_secrets);
    if (!o->export_keylog && !o->inject_secrets && !(sr = stream_start(o, a, u, *only, given))) {
        g_ptr_array_free(given, TRUE);
        return 2;
    }
    int status = read_inputs(o, a);
    if (a->export_decrypted && close_decrypted(o, a) != AMT_OK)
        status = 2;
    if (sr)
        status = stream_run_finish(sr, o->output, status);
    else if (status == 0)
        status = whole_report(o, a, u, *only, given);
    g_ptr_array_free(given, TRUE);
    return status;
}

int main(int argc, char **argv)
{
    hold_closed_std_fds();
    amtdiag_options o;
    analysis a;
    analysis_init(&a);
    int status;
    switch (options_parse(&o, argc, argv, &a.err)) {
    case OPTIONS_HELP:
        fputs(options_usage(), stdout);
        status = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
        break;
    case OPTIONS_VERSION:
        printf("amtdiag %s\n", AMTDIAG_VERSION);
        status = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
        break;
    case OPTIONS_BAD:
        status = 2;
        break;
    default: {
        for (guint i = 0; i < o.notes->len; i++)
            say(g_ptr_array_index(o.notes, i));
        a.on_warning = on_warning;
        if (isatty(STDERR_FILENO) && !o.quiet)
            a.on_progress = on_progress;
        user_inputs u;
        only_list *only = NULL;
        status = run(&o, &a, &u, &only);
        only_free(only);
        user_inputs_free(&u);
        /* what streaming printed, or a report cut short by a full disk */
        if (status != 2 && (fflush(stdout) != 0 || ferror(stdout))) {
            amt_fail(&a.err, AMT_E_OUTPUT, "standard output: writing failed: %s", strerror(errno));
            status = 2;
        }
        break;
    }
    }
    if (status == 2 && a.err.rc != AMT_OK)
        say(a.err.msg);
    analysis_free(&a);
    options_free(&o);
    return status;
}
