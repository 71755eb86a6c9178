/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the certificate checks (amtdiag/diag_cert.h): reading a
 * certificate, name matching, CA-name matching and chain verification, on
 * DER from the wire; and the PEM loader, on a trusted-root file.
 *
 * Input: a control byte (low nibble: how many blobs form the chain, leaf
 * first; the other blobs are CA names and, for verification, roots; bit 7:
 * blob 0 is a PEM file for diag_load_pem_certs instead), then blobs, each a
 * 16-bit big-endian length and its bytes. */
#include "amtdiag/diag_cert.h"
#include "fuzz_common.h"

#define MAX_BLOBS 8

static void check_info(const diag_cert_info *c)
{
    fz_str(c->subject, sizeof c->subject);
    fz_str(c->issuer, sizeof c->issuer);
    fz_str(c->cn, sizeof c->cn);
    fz_str(c->serial, sizeof c->serial);
    fz_str(c->eku_text, sizeof c->eku_text);
    FZ_CHECK(c->n_dns_names <= DIAG_CERT_NAMES_MAX && c->n_ip_names <= DIAG_CERT_NAMES_MAX);
    for (size_t i = 0; i < c->n_dns_names; i++)
        fz_str(c->dns_names[i], sizeof c->dns_names[i]);
    for (size_t i = 0; i < c->n_ip_names; i++)
        fz_str(c->ip_names[i], sizeof c->ip_names[i]);
    static const int64_t times[] = {INT64_MIN, 0, INT64_C(1772409600), INT64_MAX};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        int v = diag_cert_validity_at(c, times[i]);
        FZ_CHECK(v >= -1 && v <= 1);
    }
    static const char *const names[] = {"amt-pc17.vpro.example.com", "192.0.2.20",
                                        "2001:db8:10::20", "", "."};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        diag_cert_name_matches(c, names[i]);
    for (size_t i = 0; i < c->n_dns_names; i++)
        diag_cert_name_matches(c, c->dns_names[i]);
    diag_cert_name_matches(c, c->cn);
    diag_name_suffix_match(c->cn, "it.example.com");
    diag_name_suffix_match("it.example.com", c->cn);
    char buf[64];
    fz_str(diag_time_text(c->not_before, buf, sizeof buf), sizeof buf);
    fz_str(diag_time_text(c->not_after, buf, sizeof buf), sizeof buf);
}

static void read_cert(const uint8_t *der, size_t len)
{
    diag_cert_info *info = calloc(1, sizeof *info);
    FZ_CHECK(info);
    if (diag_cert_read(der, len, info) == 0)
        FZ_CHECK(info->parsed);
    else
        FZ_CHECK(!info->parsed);
    check_info(info);
    free(info);
}

static void pem(const uint8_t *data, size_t size)
{
    const char *path = fz_file(data, size);
    if (!path)
        return;
    diag_blob *blobs = NULL;
    char err[512];
    int n = diag_load_pem_certs(path, &blobs, err, sizeof err);
    if (n < 0) {
        FZ_CHECK(strnlen(err, sizeof err) < sizeof err);
        return;
    }
    FZ_CHECK(n >= 1 && blobs);
    for (int i = 0; i < n && i < MAX_BLOBS; i++)
        read_cert(blobs[i].data, blobs[i].len);
    diag_blobs_free(blobs, (size_t)n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    uint8_t ctl;
    if (!fz_u8(&in, &ctl))
        return 0;
    diag_blob blobs[MAX_BLOBS];
    size_t n = 0;
    while (n < MAX_BLOBS && in.n >= 2) {
        uint16_t want;
        fz_u16(&in, &want);
        size_t len;
        const uint8_t *p = fz_take(&in, want, &len);
        /* Each blob in a buffer of its exact size, so a read past it is caught. */
        uint8_t *copy = malloc(len ? len : 1);
        FZ_CHECK(copy);
        memcpy(copy, p, len);
        blobs[n].data = copy;
        blobs[n++].len = len;
    }
    if (n == 0)
        return 0;
    if (ctl & 0x80) {
        pem(blobs[0].data, blobs[0].len);
    } else {
        size_t n_chain = (size_t)(ctl & 0x0f) < n ? (size_t)(ctl & 0x0f) : n;
        for (size_t i = 0; i < n_chain; i++)
            read_cert(blobs[i].data, blobs[i].len);
        if (n_chain == 0)
            read_cert(blobs[0].data, blobs[0].len);
        char dn[512];
        for (size_t i = n_chain; i < n; i++)
            fz_str(diag_dn_text(&blobs[i], dn, sizeof dn), sizeof dn);
        int m = diag_chain_matches_ca_names(blobs, n_chain, blobs + n_chain, n - n_chain);
        FZ_CHECK(m >= -2 && m < (int)(n - n_chain));
        char why[256];
        int v = diag_chain_verify(blobs, n_chain, blobs + n_chain, n - n_chain, why, sizeof why);
        FZ_CHECK(v >= -1 && v <= 1);
        if (v == 0)
            fz_str(why, sizeof why);
    }
    for (size_t i = 0; i < n; i++)
        free((void *)blobs[i].data);
    return 0;
}
