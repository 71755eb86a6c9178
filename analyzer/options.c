/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options: getopt_long parsing of amtdiag's command line. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

static const char usage_text[] =
    "usage: amtdiag -r FILE|DIR|- [-r …] [options]\n"
    "       amtdiag -i IFACE [-f FILTER] [options]\n"
    "\n"
    "Reads captures of Intel AMT management traffic (TCP 16992/16993), reassembles\n"
    "TCP, decrypts TLS with the keys given, decodes HTTP, Digest logins and\n"
    "WS-Management/EOI SOAP, and reports every connection.\n"
    "\n"
    "Input:\n"
    "  -r FILE        a pcap or pcapng file; a directory means every capture in it;\n"
    "                 - reads standard input. Repeatable.\n"
    "  -i IFACE       capture live on IFACE (stop with Ctrl-C)\n"
    "  -f FILTER      BPF filter for -i (default: tcp portrange 16992-16995 or udp port 53)\n"
    "Keys:\n"
    "  --keylog FILE  NSS key log (SSLKEYLOGFILE format). Repeatable. Secrets embedded\n"
    "                 in pcapng files are used as well.\n"
    "  --key FILE[:PASSWORD]\n"
    "                 the AMT's RSA private key (PEM, DER, or PKCS#12 with its\n"
    "                 password) for static-RSA sessions. Repeatable.\n"
    "Output:\n"
    "  -V             transcript: per connection the TCP outcome, TLS summary and key\n"
    "                 status, every HTTP exchange with its login and SOAP details\n"
    "  --format text|json\n"
    "                 report format (default text)\n"
    "  -o FILE        write the report to FILE instead of standard output\n"
    "  -h, --help     this text;  --version  the version\n"
    "\n"
    "Exit status: 0 when the input was read, 2 on bad usage or when no input could be\n"
    "read at all.\n";

enum { OPT_KEYLOG = 1000, OPT_KEY, OPT_FORMAT, OPT_VERSION };

static int sort_paths(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

static int add_input(amtdiag_options *o, const char *path)
{
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) != 0) {
        fprintf(stderr, "amtdiag: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (strcmp(path, "-") == 0 || !S_ISDIR(st.st_mode)) {
        g_ptr_array_add(o->inputs, g_strdup(path));
        return 0;
    }
    GError *err = NULL;
    GDir *dir = g_dir_open(path, 0, &err);
    if (!dir) {
        fprintf(stderr, "amtdiag: %s\n", err->message);
        g_error_free(err);
        return -1;
    }
    /* Captures in a directory are read in name order, so runs repeat. */
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(dir)))
        if (g_str_has_suffix(name, ".pcap") || g_str_has_suffix(name, ".pcapng") ||
            g_str_has_suffix(name, ".cap"))
            g_ptr_array_add(names, g_build_filename(path, name, NULL));
    g_dir_close(dir);
    g_ptr_array_sort(names, sort_paths);
    if (names->len == 0)
        fprintf(stderr, "amtdiag: %s: no .pcap, .pcapng or .cap files in this directory\n", path);
    for (guint i = 0; i < names->len; i++)
        g_ptr_array_add(o->inputs, g_strdup(g_ptr_array_index(names, i)));
    g_ptr_array_free(names, TRUE);
    return 0;
}

static void add_key(amtdiag_options *o, const char *arg)
{
    rsa_key_opt k = {0};
    /* FILE:PASSWORD, unless the whole argument is an existing file (a path
     * with a colon in it). */
    const char *colon = strrchr(arg, ':');
    if (colon && !g_file_test(arg, G_FILE_TEST_EXISTS)) {
        k.path = g_strndup(arg, (gsize)(colon - arg));
        k.password = g_strdup(colon + 1);
    } else {
        k.path = g_strdup(arg);
    }
    g_array_append_val(o->keys, k);
}

int options_parse(amtdiag_options *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"keylog", required_argument, NULL, OPT_KEYLOG}, {"key", required_argument, NULL, OPT_KEY},
        {"format", required_argument, NULL, OPT_FORMAT}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},     {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->inputs = g_ptr_array_new_with_free_func(g_free);
    o->keylogs = g_ptr_array_new_with_free_func(g_free);
    o->keys = g_array_new(FALSE, TRUE, sizeof(rsa_key_opt));
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":r:i:f:Vo:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (add_input(o, optarg) != 0)
                return 2;
            break;
        case 'i':
            g_free(o->iface);
            o->iface = g_strdup(optarg);
            break;
        case 'f':
            g_free(o->filter);
            o->filter = g_strdup(optarg);
            break;
        case 'V':
            o->verbose = 1;
            break;
        case 'o':
            g_free(o->output);
            o->output = g_strdup(optarg);
            break;
        case OPT_KEYLOG:
            g_ptr_array_add(o->keylogs, g_strdup(optarg));
            break;
        case OPT_KEY:
            add_key(o, optarg);
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0) {
                o->format = FORMAT_TEXT;
            } else if (strcmp(optarg, "json") == 0) {
                o->format = FORMAT_JSON;
            } else {
                fprintf(stderr, "amtdiag: --format %s: use text or json\n", optarg);
                return 2;
            }
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 1;
        case OPT_VERSION:
            printf("amtdiag %s\n", AMTDIAG_VERSION);
            return 1;
        case ':':
            fprintf(stderr, "amtdiag: %s needs an argument\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "amtdiag: unknown option %s (amtdiag --help lists them)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "amtdiag: unexpected argument %s (captures are given with -r)\n",
                argv[optind]);
        return 2;
    }
    if (o->inputs->len == 0 && !o->iface) {
        fprintf(stderr, "amtdiag: no input: give a capture with -r FILE or an interface "
                        "with -i IFACE\n");
        return 2;
    }
    if (o->inputs->len && o->iface) {
        fprintf(stderr, "amtdiag: -r and -i cannot be combined\n");
        return 2;
    }
    return 0;
}

void options_free(amtdiag_options *o)
{
    for (guint i = 0; o->keys && i < o->keys->len; i++) {
        rsa_key_opt *k = &g_array_index(o->keys, rsa_key_opt, i);
        if (k->password) {
            OPENSSL_cleanse(k->password, strlen(k->password));
            g_free(k->password);
        }
        g_free(k->path);
    }
    if (o->keys)
        g_array_free(o->keys, TRUE);
    if (o->inputs)
        g_ptr_array_free(o->inputs, TRUE);
    if (o->keylogs)
        g_ptr_array_free(o->keylogs, TRUE);
    g_free(o->iface);
    g_free(o->filter);
    g_free(o->output);
    memset(o, 0, sizeof *o);
}
