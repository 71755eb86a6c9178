/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Key files as customers send them, made at test time by the openssl
 * command line: PKCS#12 with every PBE algorithm OpenSSL 3 writes with its
 * legacy provider (RC2-40, RC2-128, RC4-40, RC4-128, 2-key and 3-key 3DES)
 * and with AES; encrypted PKCS#8 with PBES1 (RC2, DES, RC4) and PBES2;
 * traditional PEM encrypted with DES. Each must load with its password and
 * be the certificate's key; a wrong password, a damaged file and an
 * algorithm the library context lacks must each be told apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/provider.h>
#include "tls_harness.h"
#include "tls/tls_int.h"

static char *dir;
static char *cert_pem, *key_pem;

static char *at(const char *name)
{
    return g_build_filename(dir, name, NULL);
}

/* Runs the openssl command line; the key and certificate are in dir. */
static void openssl(const char *args)
{
    char *cmd = g_strdup_printf("cd '%s' && openssl %s >/dev/null 2>&1", dir, args);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("openssl %s failed (%d)", args, rc);
    g_free(cmd);
}

static uint8_t *slurp(const char *name, size_t *len)
{
    char *p = at(name);
    gchar *data = NULL;
    gsize n = 0;
    assert_true(g_file_get_contents(p, &data, &n, NULL));
    g_free(p);
    *len = n;
    return (uint8_t *)data;
}

/* Loads name through the public API; returns the message ("" when it
 * loaded) and checks a loaded key is the certificate's. */
static char *load(const char *name, const char *pw)
{
    char *p = at(name);
    tls_keys *k = tls_keys_new();
    amt_err e;
    amt_rc rc = tls_keys_add_rsa_file(k, p, pw, &e);
    char *msg = g_strdup(rc == AMT_OK ? "" : e.msg);
    if (rc == AMT_OK) {
        size_t n;
        uint8_t *pem = slurp("cert.pem", &n);
        BIO *b = BIO_new_mem_buf(pem, (int)n);
        X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
        unsigned char *der = NULL;
        int dl = i2d_X509(x, &der);
        assert_int_equal(
            tls_rsa_matches_cert(tls_keys_rsa_at(k, 0), tls_keys_libctx(k), der, (size_t)dl), 1);
        OPENSSL_free(der);
        X509_free(x);
        BIO_free(b);
        g_free(pem);
    } else {
        assert_non_null(strstr(msg, p));
        assert_null(strstr(msg, "Pfx-Pass-9"));
        assert_null(strstr(msg, "not-the-one"));
    }
    tls_keys_free(k);
    g_free(p);
    return msg;
}

static void expect(const char *name, const char *pw, const char *want)
{
    char *msg = load(name, pw);
    if (want[0] ? !strstr(msg, want) : msg[0] != 0)
        fail_msg("%s with %s: \"%s\", wanted \"%s\"", name, pw ? pw : "no password", msg,
                 want[0] ? want : "(loaded)");
    g_free(msg);
}

static const char *const p12_algs[] = {
    "PBE-SHA1-RC2-40", "PBE-SHA1-RC2-128", "PBE-SHA1-RC4-40", "PBE-SHA1-RC4-128",
    "PBE-SHA1-3DES",   "PBE-SHA1-2DES",    "AES-256-CBC",
};

static void t_pkcs12_every_algorithm(void **st)
{
    (void)st;
    openssl("pkcs12 -export -legacy -in cert.pem -inkey key.pem -passout pass:Pfx-Pass-9 "
            "-out legacy.pfx");
    expect("legacy.pfx", "Pfx-Pass-9", "");
    for (size_t i = 0; i < G_N_ELEMENTS(p12_algs); i++) {
        char *args = g_strdup_printf("pkcs12 -export -legacy -keypbe %s -certpbe %s -in cert.pem "
                                     "-inkey key.pem -passout pass:Pfx-Pass-9 -out %s.pfx",
                                     p12_algs[i], p12_algs[i], p12_algs[i]);
        openssl(args);
        g_free(args);
        char *name = g_strdup_printf("%s.pfx", p12_algs[i]);
        expect(name, "Pfx-Pass-9", "");
        expect(name, "not-the-one", "wrong password");
        expect(name, NULL, "give its password");
        g_free(name);
    }
    /* no encryption at all, and "exported without password" */
    openssl("pkcs12 -export -keypbe NONE -certpbe NONE -in cert.pem -inkey key.pem "
            "-passout pass:Pfx-Pass-9 -out plain.pfx");
    expect("plain.pfx", "Pfx-Pass-9", "");
    expect("plain.pfx", "not-the-one", "wrong password");
    openssl("pkcs12 -export -legacy -in cert.pem -inkey key.pem -passout pass: -out nopw.pfx");
    expect("nopw.pfx", NULL, "");
    /* certificates only */
    openssl("pkcs12 -export -nokeys -in cert.pem -passout pass:Pfx-Pass-9 -out certs.pfx");
    expect("certs.pfx", "Pfx-Pass-9", "without a private key");
}

static void t_pkcs8_and_pem(void **st)
{
    (void)st;
    static const char *const v1[] = {"PBE-SHA1-RC2-40", "PBE-MD5-DES", "PBE-SHA1-RC4-128",
                                     "PBE-SHA1-3DES"};
    for (size_t i = 0; i < G_N_ELEMENTS(v1); i++) {
        for (int der = 0; der < 2; der++) {
            char *name = g_strdup_printf("%s.p8.%s", v1[i], der ? "der" : "pem");
            char *args = g_strdup_printf(
                "pkcs8 -provider legacy -provider default -topk8 -in key.pem -v1 %s "
                "-passout pass:Pfx-Pass-9 -outform %s -out %s",
                v1[i], der ? "DER" : "PEM", name);
            openssl(args);
            expect(name, "Pfx-Pass-9", "");
            expect(name, "not-the-one", "wrong password");
            expect(name, NULL, "give its password");
            g_free(args);
            g_free(name);
        }
    }
    openssl("pkcs8 -topk8 -in key.pem -v2 aes-256-cbc -passout pass:Pfx-Pass-9 -out v2.p8.pem");
    expect("v2.p8.pem", "Pfx-Pass-9", "");
    /* traditional "Proc-Type: 4,ENCRYPTED": DES (legacy), 3DES, AES */
    static const char *const trad[] = {"-des", "-des3", "-aes128"};
    for (size_t i = 0; i < G_N_ELEMENTS(trad); i++) {
        char *args = g_strdup_printf("rsa -provider legacy -provider default -in key.pem %s "
                                     "-traditional -passout pass:Pfx-Pass-9 -out trad%zu.pem",
                                     trad[i], i);
        openssl(args);
        g_free(args);
        char *name = g_strdup_printf("trad%zu.pem", i);
        expect(name, "Pfx-Pass-9", "");
        expect(name, "not-the-one", "wrong password");
        expect(name, NULL, "give its password");
        g_free(name);
    }
}

/* Writes a copy of name with one byte changed (or cut) as out. */
static void damage(const char *name, const char *out, long at_byte, int cut)
{
    size_t n;
    uint8_t *d = slurp(name, &n);
    size_t i = at_byte < 0 ? n - (size_t)(-at_byte) : (size_t)at_byte;
    if (!cut)
        d[i] ^= 0x55;
    char *p = at(out);
    assert_true(g_file_set_contents(p, (const char *)d, cut ? (gssize)i : (gssize)n, NULL));
    g_free(p);
    g_free(d);
}

static void t_damaged_versus_wrong_password(void **st)
{
    (void)st;
    openssl("pkcs12 -export -legacy -in cert.pem -inkey key.pem -passout pass:Pfx-Pass-9 "
            "-out d.pfx");
    /* the MAC tells: the right password on an altered file is damage */
    static const long spots[] = {120, 700, 1300, -80, -10};
    for (size_t i = 0; i < G_N_ELEMENTS(spots); i++) {
        damage("d.pfx", "bad.pfx", spots[i], 0);
        expect("bad.pfx", "Pfx-Pass-9", "damaged PKCS#12");
    }
    damage("d.pfx", "cut.pfx", -200, 1);
    expect("cut.pfx", "Pfx-Pass-9", "damaged PKCS#12");
    expect("cut.pfx", "not-the-one", "damaged PKCS#12");
    /* encrypted PKCS#8 has no MAC: a garbled key is caught by its parts */
    openssl("pkcs8 -provider legacy -provider default -topk8 -in key.pem -v1 PBE-SHA1-RC2-40 "
            "-passout pass:Pfx-Pass-9 -outform DER -out d.p8");
    damage("d.p8", "bad.p8", 600, 0);
    expect("bad.p8", "Pfx-Pass-9", "damaged");
    damage("d.p8", "cut.p8", -40, 1);
    expect("cut.p8", "Pfx-Pass-9", "damaged");
    /* a PEM whose base64 is broken */
    size_t n;
    uint8_t *pem = slurp("key.pem", &n);
    pem[n / 2] = '*';
    char *p = at("broken.pem");
    g_file_set_contents(p, (const char *)pem, (gssize)n, NULL);
    g_free(p);
    g_free(pem);
    expect("broken.pem", NULL, "damaged PEM");
}

/* The old way: the process' default library context has no legacy
 * provider, and a context without it cannot read RC2-40. The key store's
 * own context has it, and loading it changes nothing for the rest of the
 * program. */
static void t_legacy_provider_context(void **st)
{
    (void)st;
    openssl("pkcs12 -export -legacy -in cert.pem -inkey key.pem -passout pass:Pfx-Pass-9 "
            "-out ctx.pfx");
    size_t n;
    uint8_t *d = slurp("ctx.pfx", &n);
    OSSL_LIB_CTX *plain = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *def = OSSL_PROVIDER_load(plain, "default");
    tls_kf kf;
    assert_int_equal(tls_keyfile_decode(plain, d, n, "Pfx-Pass-9", &kf), TLS_KF_UNSUPPORTED);
    assert_non_null(strstr(kf.detail, "pbeWithSHA1And40BitRC2-CBC"));
    assert_non_null(strstr(kf.detail, "legacy provider"));
    assert_null(kf.pkey);
    OSSL_PROVIDER_unload(def);
    OSSL_LIB_CTX_free(plain);

    tls_keys *k = tls_keys_new();
    assert_int_equal(tls_keyfile_decode(tls_keys_libctx(k), d, n, "Pfx-Pass-9", &kf), TLS_KF_OK);
    assert_string_equal(kf.form, "PKCS#12");
    EVP_PKEY_free(kf.pkey);
    tls_keys_free(k);
    assert_int_equal(OSSL_PROVIDER_available(NULL, "legacy"), 0);
    g_free(d);
}

static int setup(void **st)
{
    (void)st;
    dir = g_dir_make_tmp("tlskeyfiles-XXXXXX", NULL);
    if (!dir)
        return -1;
    hx_pki pki;
    hx_pki_init(&pki);
    key_pem = at("key.pem");
    cert_pem = at("cert.pem");
    FILE *f = fopen(cert_pem, "w");
    int ok = f && PEM_write_X509(f, pki.cert);
    if (f)
        fclose(f);
    ok = ok && hx_write_key_pem(pki.key, key_pem) == 0;
    hx_pki_free(&pki);
    return ok ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    char *cmd = g_strdup_printf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return -1;
    g_free(cmd);
    g_free(dir);
    g_free(key_pem);
    g_free(cert_pem);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_pkcs12_every_algorithm),
        cmocka_unit_test(t_pkcs8_and_pem),
        cmocka_unit_test(t_damaged_versus_wrong_password),
        cmocka_unit_test(t_legacy_provider_context),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
