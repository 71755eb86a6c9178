/* SPDX-License-Identifier: GPL-2.0-or-later */
/* user_inputs: the options that tell the diagnosis what the capture
 * cannot, loaded into lib/diag's input structure. */
#include "user_inputs.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "amtdiag/hosts.h"

static amt_rc load_hosts(user_inputs *u, const char *path, amt_err *e)
{
    char err[512];
    int rc = diag_hosts_load(path, u->hosts, err, sizeof err);
    if (rc)
        return amt_fail(e, rc < 0 ? AMT_E_INPUT : AMT_E_FORMAT, "--hosts %s", err);
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
    if (u->hosts) {
        diag_hosts_clear(u->hosts);
        g_array_free(u->hosts, TRUE);
    }
    diag_blobs_free(u->roots, u->n_roots);
    diag_blobs_free(u->console_roots, u->n_console_roots);
    memset(u, 0, sizeof *u);
}
