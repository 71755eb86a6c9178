/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-inputs: the iAMT preferences that settle what a capture leaves
 * open, parsed as amtdiag parses the options that mean the same (lib's
 * parsers), so both tools judge with the same inputs. */
#include "iamt-inputs.h"

#include <wsutil/report_message.h>

#include "amtdiag/hosts.h"
#include "iamt-passwords.h"

static const char *pref_trusted_fqdn = "";
static const char *pref_clock_offset = "";
static const char *pref_trusted_root = "";
static const char *pref_console_ca = "";
static const char *pref_hosts_file = "";

/* The certificates of a PEM file preference, loaded again when the file
 * name changes. */
typedef struct pem_roots {
    const char *pref; /* "iamt.trusted_root", for messages */
    char *path;
    diag_blob *blobs;
    size_t n;
} pem_roots;

static pem_roots amt_roots = {"iamt.trusted_root", NULL, NULL, 0};
static pem_roots console_roots = {"iamt.console_ca", NULL, NULL, 0};

/* Whether path differs from *loaded, which then becomes path. */
static int changed(char **loaded, const char *path)
{
    if (g_strcmp0(path, *loaded ? *loaded : "") == 0)
        return 0;
    g_free(*loaded);
    *loaded = g_strdup(path);
    return 1;
}

static void load_roots(pem_roots *r, const char *path)
{
    path = path ? path : "";
    if (!changed(&r->path, path))
        return;
    diag_blobs_free(r->blobs, r->n);
    r->blobs = NULL;
    r->n = 0;
    if (!*path)
        return;
    char err[512];
    int n = diag_load_pem_certs(path, &r->blobs, err, sizeof err);
    if (n < 0)
        report_failure("%s: %s", r->pref, err); /* the rules then go without it */
    else
        r->n = (size_t)n;
}

/* iamt.hosts_file: the names of the console addresses, /etc/hosts syntax. */
static GArray *hosts;
static char *hosts_path;

static void load_hosts(const char *path)
{
    path = path ? path : "";
    if (!hosts)
        hosts = g_array_new(FALSE, TRUE, sizeof(diag_host));
    if (!changed(&hosts_path, path))
        return;
    diag_hosts_clear(hosts);
    char err[512];
    if (*path && diag_hosts_load(path, hosts, err, sizeof err) != 0)
        report_failure("iamt.hosts_file: %s. The file is not used.", err);
}

/* iamt.trusted_fqdn as lib parses --trusted-fqdn; a value that cannot be a
 * DNS suffix is refused once per value, and the list then goes unused. */
static void trusted_fqdn_list(GPtrArray *list)
{
    static char *refused;
    const char *text = pref_trusted_fqdn ? pref_trusted_fqdn : "";
    if (!*text)
        return;
    char bad[256];
    if (diag_parse_fqdn_list(text, list, bad, sizeof bad) == 0)
        return;
    g_ptr_array_set_size(list, 0);
    if (g_strcmp0(refused, text) != 0) {
        g_free(refused);
        refused = g_strdup(text);
        report_failure("iamt.trusted_fqdn: \"%s\" is not a DNS suffix; give domains such as "
                       "it.example.com, separated by commas. The list is not used.",
                       bad);
    }
}

diag_inputs iamt_inputs(GPtrArray *list, wmem_allocator_t *scope, int in_progress)
{
    diag_inputs in = {.in_progress = in_progress, .words = &diag_words_wireshark};
    trusted_fqdn_list(list);
    in.trusted_fqdn = (const char *const *)list->pdata;
    in.n_trusted_fqdn = list->len;
    load_roots(&amt_roots, pref_trusted_root);
    in.trusted_roots = amt_roots.blobs;
    in.n_trusted_roots = amt_roots.n;
    load_roots(&console_roots, pref_console_ca);
    in.console_roots = console_roots.blobs;
    in.n_console_roots = console_roots.n;
    load_hosts(pref_hosts_file);
    in.hosts = (const diag_host *)hosts->data;
    in.n_hosts = hosts->len;
    in.accounts = iamt_passwords_accounts(scope, &in.n_accounts);
    int64_t off;
    if (pref_clock_offset && *pref_clock_offset &&
        diag_parse_offset(pref_clock_offset, &off) == 0) {
        in.has_clock_offset = 1;
        in.clock_offset_s = off;
    }
    return in;
}

void iamt_inputs_register(module_t *m)
{
    prefs_register_string_preference(
        m, "trusted_fqdn", "AMT trusted FQDN suffixes",
        "Comma-separated entries of AMT's trusted FQDN list (like amtdiag --trusted-fqdn)",
        &pref_trusted_fqdn);
    prefs_register_string_preference(
        m, "amt_clock_offset", "AMT clock offset",
        "AMT's clock minus the true time, e.g. +460d or -3600 (like amtdiag --amt-clock-offset)",
        &pref_clock_offset);
    prefs_register_filename_preference(
        m, "trusted_root", "AMT trusted roots (PEM)",
        "The roots AMT trusts for console certificates, as a PEM file (like amtdiag "
        "--trusted-root); without it the CertificateRequest's CA names are used",
        &pref_trusted_root, FALSE);
    prefs_register_filename_preference(
        m, "console_ca", "Console's trusted roots (PEM)",
        "The roots the console trusts for AMT's certificate (its trust store), as a PEM file "
        "(like amtdiag --ca): when the console refuses AMT's certificate, tells an untrusted "
        "issuer from another reason",
        &pref_console_ca, FALSE);
    prefs_register_filename_preference(
        m, "hosts_file", "Console addresses' DNS names (hosts file)",
        "A file in /etc/hosts syntax (ADDRESS NAME...) naming the consoles' addresses, for "
        "AMT's check that the console certificate's name is its address's reverse DNS name "
        "when the capture holds no PTR answer (like amtdiag --hosts)",
        &pref_hosts_file, FALSE);
}
