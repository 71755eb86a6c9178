/* SPDX-License-Identifier: GPL-2.0-or-later */
/* user_inputs: the options that tell the diagnosis what the capture
 * cannot, loaded into lib/diag's input structure. */
#include "user_inputs.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

unsigned hosts_parse(const char *text, GArray *hosts)
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

static amt_rc load_hosts(user_inputs *u, const char *path, amt_err *e)
{
    gchar *text = NULL;
    GError *err = NULL;
    if (!g_file_get_contents(path, &text, NULL, &err)) {
        amt_fail(e, AMT_E_INPUT, "--hosts %s", err->message);
        g_error_free(err);
        return AMT_E_INPUT;
    }
    unsigned bad = hosts_parse(text, u->hosts);
    g_free(text);
    if (bad)
        return amt_fail(e, AMT_E_FORMAT,
                        "--hosts %s: line %u: expected an IPv4 or IPv6 address, then names "
                        "(/etc/hosts syntax)",
                        path, bad);
    return AMT_OK;
}

/* Loads the certificates of every PEM file in paths into *roots. */
static amt_rc load_roots(const char *option, const GPtrArray *paths, diag_blob **roots,
                         size_t *n_roots, amt_err *e)
{
    for (guint i = 0; i < paths->len; i++) {
        diag_blob *got = NULL;
        char err[512];
        int n = diag_load_pem_certs(g_ptr_array_index(paths, i), &got, err, sizeof err);
        if (n < 0)
            return amt_fail(e, AMT_E_INPUT, "%s: %s", option, err);
        *roots = g_renew(diag_blob, *roots, *n_roots + (size_t)n);
        memcpy(*roots + *n_roots, got, (size_t)n * sizeof *got);
        *n_roots += (size_t)n;
        g_free(got); /* the blobs' data moved to *roots */
    }
    return AMT_OK;
}

amt_rc user_inputs_load(user_inputs *u, const amtdiag_options *o, amt_err *e)
{
    memset(u, 0, sizeof *u);
    u->accounts = g_array_new(FALSE, TRUE, sizeof(diag_account));
    u->hosts = g_array_new(FALSE, TRUE, sizeof(diag_host));
    for (guint i = 0; i < o->passwords->len; i++) {
        const char *arg = g_ptr_array_index(o->passwords, i);
        const char *colon = strchr(arg, ':');
        diag_account a = {g_strndup(arg, (gsize)(colon - arg)), g_strdup(colon + 1)};
        g_array_append_val(u->accounts, a);
    }
    if (o->hosts_file && load_hosts(u, o->hosts_file, e) != AMT_OK)
        return e->rc;
    if (load_roots("--trusted-root", o->trusted_roots, &u->roots, &u->n_roots, e) != AMT_OK ||
        load_roots("--ca", o->console_roots, &u->console_roots, &u->n_console_roots, e) != AMT_OK)
        return e->rc;
    u->in.accounts = (const diag_account *)u->accounts->data;
    u->in.n_accounts = u->accounts->len;
    u->in.hosts = (const diag_host *)u->hosts->data;
    u->in.n_hosts = u->hosts->len;
    u->in.trusted_fqdn = (const char *const *)o->trusted_fqdn->pdata;
    u->in.n_trusted_fqdn = o->trusted_fqdn->len;
    u->in.trusted_roots = u->roots;
    u->in.n_trusted_roots = u->n_roots;
    u->in.console_roots = u->console_roots;
    u->in.n_console_roots = u->n_console_roots;
    u->in.has_clock_offset = o->has_clock_offset;
    u->in.clock_offset_s = o->clock_offset_s;
    return AMT_OK;
}

void user_inputs_free(user_inputs *u)
{
    for (guint i = 0; u->accounts && i < u->accounts->len; i++) {
        diag_account *a = &g_array_index(u->accounts, diag_account, i);
        OPENSSL_cleanse((char *)a->password, strlen(a->password));
        g_free((char *)a->password);
        g_free((char *)a->user);
    }
    if (u->accounts)
        g_array_free(u->accounts, TRUE);
    for (guint i = 0; u->hosts && i < u->hosts->len; i++)
        g_free((char *)g_array_index(u->hosts, diag_host, i).name);
    if (u->hosts)
        g_array_free(u->hosts, TRUE);
    diag_blobs_free(u->roots, u->n_roots);
    diag_blobs_free(u->console_roots, u->n_console_roots);
    memset(u, 0, sizeof *u);
}
