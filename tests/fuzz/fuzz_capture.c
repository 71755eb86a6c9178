/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the whole analyzer pipeline on a capture file, as amtdiag
 * runs it: analysis_read_file (the capture reader, frame decode, DSB
 * secrets, TCP, TLS, HTTP, SOAP, DNS, with every identifying value marked
 * as --redact has it), the diagnosis, the JSON report redacted and the
 * verbose text report.
 *
 * Input: a pcap or pcapng file, possibly compressed. It is read with the key logs and RSA key
 * of the samples and with the user inputs the sample tests give (password,
 * trusted FQDN, trusted root, a hosts entry), so that seeds made from the
 * samples decrypt and reach the HTTP, SOAP and diagnosis rules. */
#include "analysis.h"
#include "diagnose.h"
#include "fuzz_common.h"
#include "report.h"

/* Past this a run is too slow to fuzz with and adds nothing the smaller
 * inputs miss. */
#define MAX_CAPTURE (1u << 20)

static FILE *devnull;
static char *keylog;
static size_t keylog_len;
static char *rsa_path;
static diag_blob *roots;
static size_t n_roots;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    FZ_CHECK(devnull);
    char *path = fz_data_path("tls-keylog.txt");
    gsize len = 0;
    if (path && g_file_get_contents(path, &keylog, &len, NULL))
        keylog_len = len;
    else
        fprintf(stderr, "fuzz_capture: no %s: running without key log\n", path ? path : "data");
    g_free(path);
    rsa_path = fz_data_path("rsa-0.pem");
    if (rsa_path && !g_file_test(rsa_path, G_FILE_TEST_EXISTS)) {
        g_free(rsa_path);
        rsa_path = NULL;
    }
    path = fz_data_path("root-0.pem");
    char err[512];
    int n = path && g_file_test(path, G_FILE_TEST_EXISTS)
                ? diag_load_pem_certs(path, &roots, err, sizeof err)
                : -1;
    n_roots = n > 0 ? (size_t)n : 0;
    g_free(path);
    return 0;
}

/* A compressed capture can inflate a thousandfold: the compressed inputs
 * are kept small enough that the captures they make stay fast to run. */
#define MAX_COMPRESSED (16u << 10)

static int compressed(const uint8_t *d, size_t n)
{
    return n >= 4 && ((d[0] == 0x1F && d[1] == 0x8B) || !memcmp(d, "\x28\xB5\x2F\xFD", 4) ||
                      !memcmp(d, "\x04\x22\x4D\x18", 4));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_CAPTURE || (compressed(data, size) && size > MAX_COMPRESSED))
        return 0;
    const char *path = fz_file(data, size);
    FZ_CHECK(path);

    analysis a;
    analysis_init(&a);
    a.marks = idm_new();
    if (keylog)
        tls_keys_add_keylog(a.keys, keylog, keylog_len, "keylog.txt", NULL, NULL);
    if (rsa_path)
        tls_keys_add_rsa_file(a.keys, rsa_path, NULL, NULL);
    int rc = analysis_read_file(&a, path);
    FZ_CHECK(rc >= -1 && rc <= 1);

    static const diag_account accounts[] = {{"admin", "Vpro!Admin-2026"}};
    static const char *const fqdn[] = {"it.example.com"};
    diag_host host = {.family = 4, .addr = {192, 0, 2, 20}, .name = "amt-pc17.vpro.example.com"};
    diag_inputs in = {.accounts = accounts,
                      .n_accounts = 1,
                      .hosts = &host,
                      .n_hosts = 1,
                      .trusted_fqdn = fqdn,
                      .n_trusted_fqdn = 1,
                      .trusted_roots = roots,
                      .n_trusted_roots = n_roots};
    diag_result *d = diagnose(&a, &in);
    FZ_CHECK(d);
    static const char *const given[] = {"--keylog keylog.txt", NULL};
    /* The JSON report is redacted: the marks hold names, nonces and serials
     * from the capture, so redaction is fed untrusted strings as much as
     * the parsers are. */
    report_in r = {.a = &a, .d = d, .verbose = 1, .color = 0, .given = given, .redact = 1};
    char *json = NULL;
    size_t json_len = 0;
    FILE *mem = open_memstream(&json, &json_len);
    FZ_CHECK(mem);
    FZ_CHECK(report_write_whole(&report_json_ops, mem, &r) == 0);
    FZ_CHECK(fclose(mem) == 0);
    FZ_CHECK(g_utf8_validate(json, (gssize)json_len, NULL));
    free(json);
    r.redact = 0;
    report_write_whole(&report_text_ops, devnull, &r);
    fflush(devnull);
    diag_result_free(d);
    analysis_free(&a);
    return 0;
}
