/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options: getopt_long parsing of amtdiag's command line. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "amtdiag/diag.h"
#include "amtdiag/result.h"

static const char usage_text[] =
    "usage: amtdiag -r FILE|DIR|- [-r …] [options]\n"
    "       amtdiag -i IFACE [-f FILTER] [-c N] [-a duration:S] [-w FILE] [options]\n"
    "\n"
    "Reads captures of Intel AMT management traffic (TCP 16992/16993), reassembles\n"
    "TCP, decrypts TLS with the keys given, decodes HTTP, Digest logins and\n"
    "WS-Management/EOI SOAP, and says for every connection attempt whether it\n"
    "worked and, if not, why: cause, evidence (frame numbers) and fix.\n"
    "\n"
    "Input:\n"
    "  -r FILE        a pcap or pcapng file (gzip, zstd or lz4 compressed too); a\n"
    "                 directory means every capture in it; - reads standard input.\n"
    "                 Repeatable.\n"
    "  -i IFACE       capture live on IFACE (stop with Ctrl-C)\n"
    "  -f FILTER      BPF filter for -i (default: tcp portrange 16992-16995 or tcp port\n"
    "                 4433 (the CIRA ports) or udp port 53 or port 88)\n"
    "  -c N           stop after N packets (-r reads only the first N)\n"
    "  -a duration:S  stop a live capture after S seconds (also -a packets:N)\n"
    "  -w FILE        keep the packets of a live capture in FILE (pcapng)\n"
    "  --cira-port N  a TCP port where AMT calls its Management Presence Server\n"
    "                 (CIRA: APF inside TLS; default 4433, which it replaces).\n"
    "                 Repeatable.\n"
    "  -j N, --jobs N analyse with N threads (default: the number of cores, at\n"
    "                 most 16); the report is the same. With several files, the\n"
    "                 next is read while one is analysed. A capture read from a\n"
    "                 pipe or live, --redact and the exports use one.\n"
    "  --only HOST[:PORT]\n"
    "                 report only the connections of this address (and port).\n"
    "                 Repeatable.\n"
    "Keys (never printed):\n"
    "  --keylog FILE  NSS key log (SSLKEYLOGFILE format). Repeatable. Secrets embedded\n"
    "                 in pcapng files are used as well.\n"
    "  --key FILE[:PASSWORD]\n"
    "                 the AMT's RSA private key (PEM, DER, PKCS#8 or PKCS#12, encrypted\n"
    "                 ones with their password; RC2, RC4 and DES too) for static-RSA\n"
    "                 sessions. Repeatable.\n"
    "  --psk [IDENTITY:]HEX\n"
    "                 a TLS pre-shared key (AMT's PSK-based setup): TLS 1.2 PSK suites\n"
    "                 and TLS 1.3 external PSK without (EC)DHE. Repeatable.\n"
    "  -o tls.keylog_file:FILE, -o uat:rsa_keys:\"FILE\",\"PASSWORD\",\n"
    "  -o tls.keys_list:IP,PORT,PROTO,FILE[,PASSWORD], -o tls.psk:HEX\n"
    "                 tshark's spelling of --keylog, --key and --psk; other -o\n"
    "                 preferences are refused\n"
    "What you know about the AMT (settles checks the capture cannot):\n"
    "  --password USER:PASS\n"
    "                 an AMT account, to verify Digest responses: tells a wrong\n"
    "                 password from an account problem. Repeatable. Never printed.\n"
    "  --password-file FILE\n"
    "                 the same as USER:PASS lines (# comments), kept off the command\n"
    "                 line and out of the shell history\n"
    "  --hosts FILE   address-to-name table in /etc/hosts syntax, standing in for\n"
    "                 reverse DNS of the console's address\n"
    "  --trusted-root PEM\n"
    "                 the roots AMT trusts for console certificates. Repeatable.\n"
    "  --trusted-fqdn SUFFIX[,SUFFIX...]\n"
    "                 entries of AMT's trusted FQDN list. Repeatable.\n"
    "  --ca PEM       the roots the console trusts for AMT's certificate (its trust\n"
    "                 store). Repeatable.\n"
    "  --keytab FILE  AMT's Kerberos keys (MIT keytab): opens the tickets of Negotiate\n"
    "                 logins, tells a stale key from a user AMT's ACL lacks. Repeatable.\n"
    "  --krb-password PRINCIPAL:PASSWORD\n"
    "                 the password of AMT's account (HTTP/fqdn:16992@REALM:secret; the\n"
    "                 principal ends at the first colon after the @), its keys made\n"
    "                 with the default salt. Repeatable. Never printed.\n"
    "  --amt-clock-offset [+-]N[s|m|h|d]\n"
    "                 AMT's clock minus the true time (e.g. +460d), when known\n"
    "Output:\n"
    "  --format text|json|ndjson|markdown|html\n"
    "                 report format (default text); json is schema amtdiag/1\n"
    "                 (docs/json-schema.md); ndjson writes one line per\n"
    "                 connection as it is judged, then a summary line\n"
    "                 (docs/ndjson.md); every format in bounded memory\n"
    "                 (docs/limits.md)\n"
    "  -V             add the transcript: TCP, TLS and key status, every HTTP\n"
    "                 exchange with its login and SOAP details\n"
    "  --output FILE, -o FILE\n"
    "                 write the report to FILE instead of standard output\n"
    "  -q             quiet while reading: no verdict per connection as it ends\n"
    "                 (-r -, -i), no progress line; the report at the end\n"
    "  -n             no name resolution (amtdiag never looks names up on the\n"
    "                 network; accepted as tshark takes it)\n"
    "  --redact       remove user names, nonces, responses, cnonces and certificate\n"
    "                 serials; replace addresses and host names by placeholders\n"
    "  --color WHEN   colour the text report: auto (default: on a terminal, unless\n"
    "                 NO_COLOR is set), always, never\n"
    "Exports (for Wireshark, without handing over AMT's private key):\n"
    "  --export-keylog FILE\n"
    "                 NSS key log of every session decrypted, RSA-decrypted ones\n"
    "                 included (file mode 0600)\n"
    "  --inject-secrets OUT.pcapng\n"
    "                 a copy of the one input capture with those secrets embedded\n"
    "                 (a decryption secrets block): Wireshark opens it decrypted\n"
    "  --export-decrypted OUT.pcapng\n"
    "                 the decrypted HTTP as synthetic TCP, times and addresses kept,\n"
    "                 TLS port 16993 shown as 16992: a decoded trace needing no keys\n"
    "  -h, --help     this text;  --version  the version\n"
    "\n"
    "Exit status: 0 nothing rejected, 1 at least one rejection diagnosed, 2 bad usage\n"
    "or no input could be read at all.\n";

enum {
    OPT_KEYLOG = 1000,
    OPT_KEY,
    OPT_FORMAT,
    OPT_VERSION,
    OPT_PASSWORD,
    OPT_HOSTS,
    OPT_TRUSTED_ROOT,
    OPT_CA,
    OPT_TRUSTED_FQDN,
    OPT_CLOCK_OFFSET,
    OPT_REDACT,
    OPT_COLOR,
    OPT_EXPORT_KEYLOG,
    OPT_INJECT_SECRETS,
    OPT_EXPORT_DECRYPTED,
    OPT_PASSWORD_FILE,
    OPT_KEYTAB,
    OPT_KRB_PASSWORD,
    OPT_PSK,
    OPT_OUTPUT,
    OPT_ONLY,
    OPT_CIRA_PORT,
    OPT_JOBS,
};

static int sort_paths(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

static int add_input(amtdiag_options *o, const char *path, amt_err *e)
{
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) != 0) {
        amt_fail(e, AMT_E_INPUT, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (strcmp(path, "-") == 0 || !S_ISDIR(st.st_mode)) {
        g_ptr_array_add(o->inputs, g_strdup(path));
        return 0;
    }
    GError *err = NULL;
    GDir *dir = g_dir_open(path, 0, &err);
    if (!dir) {
        amt_fail(e, AMT_E_INPUT, "%s", err->message);
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
        g_ptr_array_add(
            o->notes,
            g_strdup_printf("%s: no .pcap, .pcapng or .cap files in this directory", path));
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

/* USER:PASS, the user not empty; the password may hold colons. */
static int account_ok(const char *s)
{
    const char *colon = strchr(s, ':');
    return colon && colon != s;
}

/* --password-file: USER:PASS lines. The file's text is wiped after use. */
static int add_password_file(amtdiag_options *o, const char *path, amt_err *e)
{
    gchar *text = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (!g_file_get_contents(path, &text, &len, &err)) {
        amt_fail(e, AMT_E_INPUT, "--password-file %s", err->message);
        g_error_free(err);
        return -1;
    }
    int rc = 0;
    unsigned n = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        n++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[--l] = '\0';
        if (!l || line[0] == '#')
            continue;
        if (!account_ok(line)) {
            amt_fail(e, AMT_E_USAGE, "--password-file %s: line %u: expected USER:PASSWORD", path,
                     n);
            rc = -1;
            break;
        }
        g_ptr_array_add(o->passwords, g_strdup(line));
    }
    OPENSSL_cleanse(text, len);
    g_free(text);
    return rc;
}

const char *options_usage(void)
{
    return usage_text;
}

options_result options_parse(amtdiag_options *o, int argc, char **argv, amt_err *e)
{
    static const struct option longopts[] = {
        {"keylog", required_argument, NULL, OPT_KEYLOG},
        {"key", required_argument, NULL, OPT_KEY},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"password", required_argument, NULL, OPT_PASSWORD},
        {"password-file", required_argument, NULL, OPT_PASSWORD_FILE},
        {"hosts", required_argument, NULL, OPT_HOSTS},
        {"trusted-root", required_argument, NULL, OPT_TRUSTED_ROOT},
        {"ca", required_argument, NULL, OPT_CA},
        {"trusted-fqdn", required_argument, NULL, OPT_TRUSTED_FQDN},
        {"amt-clock-offset", required_argument, NULL, OPT_CLOCK_OFFSET},
        {"redact", no_argument, NULL, OPT_REDACT},
        {"color", required_argument, NULL, OPT_COLOR},
        {"colour", required_argument, NULL, OPT_COLOR},
        {"export-keylog", required_argument, NULL, OPT_EXPORT_KEYLOG},
        {"inject-secrets", required_argument, NULL, OPT_INJECT_SECRETS},
        {"export-decrypted", required_argument, NULL, OPT_EXPORT_DECRYPTED},
        {"keytab", required_argument, NULL, OPT_KEYTAB},
        {"krb-password", required_argument, NULL, OPT_KRB_PASSWORD},
        {"psk", required_argument, NULL, OPT_PSK},
        {"output", required_argument, NULL, OPT_OUTPUT},
        {"only", required_argument, NULL, OPT_ONLY},
        {"cira-port", required_argument, NULL, OPT_CIRA_PORT},
        {"jobs", required_argument, NULL, OPT_JOBS},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->inputs = g_ptr_array_new_with_free_func(g_free);
    o->keylogs = g_ptr_array_new_with_free_func(g_free);
    o->keys = g_array_new(FALSE, TRUE, sizeof(rsa_key_opt));
    o->passwords = g_ptr_array_new();
    o->trusted_roots = g_ptr_array_new_with_free_func(g_free);
    o->console_roots = g_ptr_array_new_with_free_func(g_free);
    o->trusted_fqdn = g_ptr_array_new_with_free_func(g_free);
    o->notes = g_ptr_array_new_with_free_func(g_free);
    o->keytabs = g_ptr_array_new_with_free_func(g_free);
    o->krb_passwords = g_ptr_array_new();
    o->psks = g_ptr_array_new();
    o->only = g_ptr_array_new_with_free_func(g_free);
    o->cira_ports = g_array_new(FALSE, FALSE, sizeof(guint16));
    o->color = -1;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":r:i:f:Vo:hc:a:w:qnj:", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (add_input(o, optarg, e) != 0)
                return OPTIONS_BAD;
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
        case 'o': {
            /* tshark's -o NAME:VALUE, or (as before) the report file */
            int r = options_tshark_pref(o, optarg, e);
            if (r < 0)
                return OPTIONS_BAD;
            if (r == 0) {
                g_free(o->output);
                o->output = g_strdup(optarg);
            }
            break;
        }
        case OPT_OUTPUT:
            g_free(o->output);
            o->output = g_strdup(optarg);
            break;
        case OPT_PSK:
            if (options_add_psk(o, optarg, "--psk", e) != 0)
                return OPTIONS_BAD;
            break;
        case OPT_ONLY:
            g_ptr_array_add(o->only, g_strdup(optarg));
            break;
        case OPT_CIRA_PORT: {
            guint64 port = 0;
            if (!g_ascii_string_to_unsigned(optarg, 10, 1, 65535, &port, NULL)) {
                amt_fail(e, AMT_E_USAGE, "--cira-port %s: give a TCP port, 1 to 65535", optarg);
                return OPTIONS_BAD;
            }
            guint16 p = (guint16)port;
            if (o->cira_ports->len == OPTIONS_CIRA_PORTS_MAX) {
                amt_fail(e, AMT_E_USAGE, "--cira-port %s: at most %d CIRA ports", optarg,
                         OPTIONS_CIRA_PORTS_MAX);
                return OPTIONS_BAD;
            }
            g_array_append_val(o->cira_ports, p);
            break;
        }
        case 'j':
        case OPT_JOBS: {
            guint64 n = 0;
            if (!g_ascii_string_to_unsigned(optarg, 10, 1, 16, &n, NULL)) {
                amt_fail(e, AMT_E_USAGE, "-j %s: give a number of threads, 1 to 16", optarg);
                return OPTIONS_BAD;
            }
            o->jobs = (unsigned)n;
            break;
        }
        case 'c':
            if (options_count(o, optarg, e) != 0)
                return OPTIONS_BAD;
            break;
        case 'a':
            if (options_autostop(o, optarg, e) != 0)
                return OPTIONS_BAD;
            break;
        case 'w':
            g_free(o->write_file);
            o->write_file = g_strdup(optarg);
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'n':
            break; /* no name is ever looked up on the network */
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
            } else if (strcmp(optarg, "markdown") == 0 || strcmp(optarg, "md") == 0) {
                o->format = FORMAT_MARKDOWN;
            } else if (strcmp(optarg, "html") == 0) {
                o->format = FORMAT_HTML;
            } else if (strcmp(optarg, "ndjson") == 0) {
                o->format = FORMAT_NDJSON;
            } else {
                amt_fail(e, AMT_E_USAGE, "--format %s: use text, json, ndjson, markdown or html",
                         optarg);
                return OPTIONS_BAD;
            }
            break;
        case OPT_PASSWORD: {
            /* USER:PASS; the password may hold colons, the user may not. */
            if (!account_ok(optarg)) {
                amt_fail(e, AMT_E_USAGE,
                         "--password needs USER:PASSWORD (the user name, a "
                         "colon, then the password)");
                return OPTIONS_BAD;
            }
            g_ptr_array_add(o->passwords, g_strdup(optarg));
            break;
        }
        case OPT_PASSWORD_FILE:
            if (add_password_file(o, optarg, e) != 0)
                return OPTIONS_BAD;
            break;
        case OPT_HOSTS:
            g_free(o->hosts_file);
            o->hosts_file = g_strdup(optarg);
            break;
        case OPT_TRUSTED_ROOT:
            g_ptr_array_add(o->trusted_roots, g_strdup(optarg));
            break;
        case OPT_CA:
            g_ptr_array_add(o->console_roots, g_strdup(optarg));
            break;
        case OPT_TRUSTED_FQDN: {
            char bad[256];
            if (diag_parse_fqdn_list(optarg, o->trusted_fqdn, bad, sizeof bad) != 0) {
                amt_fail(e, AMT_E_USAGE,
                         "--trusted-fqdn \"%s\": %s%s%sgive domains such as it.example.com, "
                         "separated by commas",
                         optarg, *bad ? "\"" : "", bad, *bad ? "\" is not a DNS suffix; " : "");
                return OPTIONS_BAD;
            }
            break;
        }
        case OPT_CLOCK_OFFSET: {
            int64_t v;
            if (diag_parse_offset(optarg, &v) != 0) {
                amt_fail(e, AMT_E_USAGE,
                         "--amt-clock-offset %s: give seconds with an "
                         "optional sign and unit, e.g. +460d, -3600, 90m",
                         optarg);
                return OPTIONS_BAD;
            }
            o->has_clock_offset = 1;
            o->clock_offset_s = v;
            break;
        }
        case OPT_REDACT:
            o->redact = 1;
            break;
        case OPT_KEYTAB:
            g_ptr_array_add(o->keytabs, g_strdup(optarg));
            break;
        case OPT_KRB_PASSWORD:
            g_ptr_array_add(o->krb_passwords, g_strdup(optarg)); /* checked when loaded */
            break;
        case OPT_EXPORT_KEYLOG:
            g_free(o->export_keylog);
            o->export_keylog = g_strdup(optarg);
            break;
        case OPT_INJECT_SECRETS:
            g_free(o->inject_secrets);
            o->inject_secrets = g_strdup(optarg);
            break;
        case OPT_EXPORT_DECRYPTED:
            g_free(o->export_decrypted);
            o->export_decrypted = g_strdup(optarg);
            break;
        case OPT_COLOR:
            if (!strcmp(optarg, "auto"))
                o->color = -1;
            else if (!strcmp(optarg, "always"))
                o->color = 1;
            else if (!strcmp(optarg, "never"))
                o->color = 0;
            else {
                amt_fail(e, AMT_E_USAGE, "--color %s: use auto, always or never", optarg);
                return OPTIONS_BAD;
            }
            break;
        case 'h':
            return OPTIONS_HELP;
        case OPT_VERSION:
            return OPTIONS_VERSION;
        case ':':
            amt_fail(e, AMT_E_USAGE, "%s needs an argument", argv[optind - 1]);
            return OPTIONS_BAD;
        default:
            amt_fail(e, AMT_E_USAGE, "unknown option %s (amtdiag --help lists them)",
                     argv[optind - 1]);
            return OPTIONS_BAD;
        }
    }
    if (optind < argc) {
        amt_fail(e, AMT_E_USAGE, "unexpected argument %s (captures are given with -r)",
                 argv[optind]);
        return OPTIONS_BAD;
    }
    if (o->inputs->len == 0 && !o->iface) {
        amt_fail(e, AMT_E_USAGE,
                 "no input: give a capture with -r FILE or an interface "
                 "with -i IFACE");
        return OPTIONS_BAD;
    }
    if (o->inputs->len && o->iface) {
        amt_fail(e, AMT_E_USAGE, "-r and -i cannot be combined");
        return OPTIONS_BAD;
    }
    if (o->format == FORMAT_NDJSON && (o->export_keylog || o->inject_secrets)) {
        amt_fail(e, AMT_E_USAGE,
                 "--format ndjson keeps no connection once it is written, and %s needs every "
                 "TLS session of the capture: run it with another format",
                 o->export_keylog ? "--export-keylog" : "--inject-secrets");
        return OPTIONS_BAD;
    }
    if (o->inputs->len && (o->filter || o->duration_s || o->write_file)) {
        amt_fail(e, AMT_E_USAGE,
                 "%s applies to a live capture (-i): a capture file is read whole (to look at "
                 "part of it, filter it with tshark -Y ... -w or editcap first)",
                 o->filter       ? "-f"
                 : o->duration_s ? "-a duration"
                                 : "-w");
        return OPTIONS_BAD;
    }
    if (o->inject_secrets &&
        (o->inputs->len != 1 || strcmp(g_ptr_array_index(o->inputs, 0), "-") == 0)) {
        amt_fail(e, AMT_E_USAGE,
                 "--inject-secrets copies one capture file: give exactly one "
                 "-r FILE (not standard input or a live capture)");
        return OPTIONS_BAD;
    }
    struct stat st;
    if (o->inject_secrets && stat(g_ptr_array_index(o->inputs, 0), &st) == 0 &&
        !S_ISREG(st.st_mode)) {
        amt_fail(e, AMT_E_USAGE,
                 "--inject-secrets copies the capture after reading it, and %s is not a regular "
                 "file (a pipe can be read only once): save it to a file first",
                 (const char *)g_ptr_array_index(o->inputs, 0));
        return OPTIONS_BAD;
    }
    return OPTIONS_RUN;
}

void options_free(amtdiag_options *o)
{
    for (guint i = 0; o->psks && i < o->psks->len; i++) {
        char *p = g_ptr_array_index(o->psks, i);
        OPENSSL_cleanse(p, strlen(p));
        g_free(p);
    }
    if (o->psks)
        g_ptr_array_free(o->psks, TRUE);
    if (o->only)
        g_ptr_array_free(o->only, TRUE);
    g_free(o->write_file);
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
    for (guint i = 0; o->passwords && i < o->passwords->len; i++) {
        char *p = g_ptr_array_index(o->passwords, i);
        OPENSSL_cleanse(p, strlen(p));
        g_free(p);
    }
    if (o->passwords)
        g_ptr_array_free(o->passwords, TRUE);
    for (guint i = 0; o->krb_passwords && i < o->krb_passwords->len; i++) {
        char *p = g_ptr_array_index(o->krb_passwords, i);
        OPENSSL_cleanse(p, strlen(p));
        g_free(p);
    }
    if (o->krb_passwords)
        g_ptr_array_free(o->krb_passwords, TRUE);
    if (o->keytabs)
        g_ptr_array_free(o->keytabs, TRUE);
    if (o->trusted_roots)
        g_ptr_array_free(o->trusted_roots, TRUE);
    if (o->console_roots)
        g_ptr_array_free(o->console_roots, TRUE);
    if (o->trusted_fqdn)
        g_ptr_array_free(o->trusted_fqdn, TRUE);
    if (o->cira_ports)
        g_array_free(o->cira_ports, TRUE);
    if (o->notes)
        g_ptr_array_free(o->notes, TRUE);
    g_free(o->hosts_file);
    g_free(o->export_keylog);
    g_free(o->inject_secrets);
    g_free(o->export_decrypted);
    g_free(o->iface);
    g_free(o->filter);
    g_free(o->output);
    memset(o, 0, sizeof *o);
}
