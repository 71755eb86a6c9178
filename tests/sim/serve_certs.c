/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serve_certs: certificates for amtsim --serve, around the real clock. */
#include "serve_certs.h"
#include "certgen.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#define DAY (24 * 3600)

static const char *const console_cn = "console01.it.example.com";

/* How each console certificate differs from the good one. */
static const struct console_kind {
    const char *file;
    const char *cn;
    int server_auth, client_auth, amt_oid, other_root;
    int64_t not_before, not_after; /* days from now */
} kinds[CONSOLE_N] = {
    [CONSOLE_GOOD] = {"console-good.pem", NULL, 0, 1, 1, 0, -30, 365},
    [CONSOLE_NO_AMT_OID] = {"console-no-amt-oid.pem", NULL, 0, 1, 0, 0, -30, 365},
    [CONSOLE_NO_CLIENT_AUTH] = {"console-no-client-auth.pem", NULL, 1, 0, 1, 0, -30, 365},
    [CONSOLE_OTHER_ROOT] = {"console-other-root.pem", NULL, 0, 1, 1, 1, -30, 365},
    [CONSOLE_OTHER_FQDN] = {"console-other-fqdn.pem", "console01.sales.example.org", 0, 1, 1, 0,
                            -30, 365},
    [CONSOLE_NEW] = {"console-new.pem", NULL, 0, 1, 1, 0, -2, 730},
};

static X509 *make_root(const char *cn, const char *org, long serial, EVP_PKEY *key, int64_t now)
{
    cert_spec r = {.cn = cn,
                   .org = org,
                   .not_before = now - 365 * DAY,
                   .not_after = now + 10 * 365 * DAY,
                   .serial = serial,
                   .is_ca = 1};
    return certgen_issue(&r, key);
}

int serve_certs_make(serve_certs *c, const char *fqdn, int amt_expired, int64_t now)
{
    memset(c, 0, sizeof *c);
    c->root_key = certgen_rsa_key(2048);
    c->other_root_key = certgen_rsa_key(2048);
    c->amt_key = certgen_rsa_key(2048);
    c->console_key = certgen_rsa_key(2048);
    if (!c->root_key || !c->other_root_key || !c->amt_key || !c->console_key)
        goto fail;
    c->root = make_root("Example Corp AMT Root CA", "Example Corp", 1, c->root_key, now);
    c->other_root = make_root("Other Org Issuing CA", "Other Org", 2, c->other_root_key, now);
    if (!c->root || !c->other_root)
        goto fail;
    cert_spec a = {.cn = fqdn,
                   .org = "Example Corp",
                   .san_dns = fqdn,
                   .not_before = amt_expired ? now - 2 * 365 * DAY : now - 30 * DAY,
                   .not_after = amt_expired ? now - 30 * DAY : now + 2 * 365 * DAY,
                   .serial = 0x1017,
                   .eku_server_auth = 1,
                   .issuer = c->root,
                   .issuer_key = c->root_key};
    c->amt_cert = certgen_issue(&a, c->amt_key);
    if (!c->amt_cert)
        goto fail;
    for (int i = 0; i < CONSOLE_N; i++) {
        const struct console_kind *k = &kinds[i];
        cert_spec s = {.cn = k->cn ? k->cn : console_cn,
                       .org = "Example Corp",
                       .not_before = now + k->not_before * DAY,
                       .not_after = now + k->not_after * DAY,
                       .serial = 0x2001 + i,
                       .eku_server_auth = k->server_auth,
                       .eku_client_auth = k->client_auth,
                       .eku_amt_console = k->amt_oid,
                       .issuer = k->other_root ? c->other_root : c->root,
                       .issuer_key = k->other_root ? c->other_root_key : c->root_key};
        c->console[i] = certgen_issue(&s, c->console_key);
        if (!c->console[i])
            goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "amtsim: cannot create the keys and certificates\n");
    return -1;
}

static int put_cert(const char *dir, const char *name, X509 *cert)
{
    char *path = g_build_filename(dir, name, NULL);
    int rc = certgen_write_cert(path, &cert, 1);
    g_free(path);
    return rc;
}

static int put_key(const char *dir, const char *name, EVP_PKEY *key)
{
    char *path = g_build_filename(dir, name, NULL);
    int rc = certgen_write_key(path, key);
    g_free(path);
    return rc;
}

int serve_certs_write(const serve_certs *c, const char *dir)
{
    int rc = put_cert(dir, "root-ca.pem", c->root);
    rc |= put_cert(dir, "other-root-ca.pem", c->other_root);
    rc |= put_cert(dir, "amt-cert.pem", c->amt_cert);
    rc |= put_key(dir, "amt-key.pem", c->amt_key);
    rc |= put_key(dir, "console-key.pem", c->console_key);
    for (int i = 0; i < CONSOLE_N; i++)
        rc |= put_cert(dir, kinds[i].file, c->console[i]);
    return rc ? -1 : 0;
}

void serve_certs_free(serve_certs *c)
{
    X509_free(c->root);
    X509_free(c->other_root);
    X509_free(c->amt_cert);
    for (int i = 0; i < CONSOLE_N; i++)
        X509_free(c->console[i]);
    EVP_PKEY_free(c->root_key);
    EVP_PKEY_free(c->other_root_key);
    EVP_PKEY_free(c->amt_key);
    EVP_PKEY_free(c->console_key);
    memset(c, 0, sizeof *c);
}
