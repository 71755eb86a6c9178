/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fleet_mix: what the AMTs of a fleet are like. Successes come in the
 * proportions a mixed fleet shows (TLS 1.2 ECDHE, TLS 1.3, static RSA on
 * TLS 1.0/1.2, plain HTTP); failures are the catalog's scenarios, every one
 * the diagnosis knows, plus a few that only make sense among many AMTs. */
#include "fleet.h"
#include "certgen.h"

#include <string.h>

static const char *pick(uint64_t r, const char *const *v, unsigned n)
{
    return v[r % n];
}

/* ---- variety within the successes -------------------------------------- */

static void vary_ecdhe(scen_ctx *s, uint64_t r)
{
    static const char *const c[] = {
        "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA",
    };
    s->con.tls.ciphers = pick(r, c, 3);
    s->dev.http_cfg.fw_version = (r >> 8) % 2 ? "16.1.25.2124" : "12.0.45.1509";
}

static void vary_tls13(scen_ctx *s, uint64_t r)
{
    static const char *const c[] = {
        "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256",
        "TLS_AES_128_GCM_SHA256",
    };
    s->dev.tls.ciphersuites = pick(r, c, 2);
}

static void vary_rsa12(scen_ctx *s, uint64_t r)
{
    static const char *const c[] = {
        "AES128-GCM-SHA256:@SECLEVEL=0",
        "AES256-GCM-SHA384:@SECLEVEL=0",
        "AES128-SHA256:@SECLEVEL=0",
    };
    s->con.tls.ciphers = pick(r, c, 3);
}

static void vary_rsa10(scen_ctx *s, uint64_t r)
{
    static const char *const c[] = {"AES128-SHA:@SECLEVEL=0", "AES256-SHA:@SECLEVEL=0"};
    s->con.tls.ciphers = pick(r, c, 2);
}

/* ---- failures only a fleet has ----------------------------------------- */

static void plain_to_tls_port(scen_ctx *s, uint64_t r)
{
    (void)r;
    /* A console whose settings for this device have TLS off, yet port 16993. */
    s->con.plain_on_tls_port = 1;
    s->tls_cause[0] = "plain-http-to-tls-port";
}

static void server_cert_untrusted(scen_ctx *s, uint64_t r)
{
    (void)r;
    /* The AMT's certificate comes from another organisation's CA
     * (FLEET_CERT_OTHER_ROOT); the console trusts only its own root. */
    s->tls_cause[0] = "server-cert-untrusted";
}

static void server_cert_expired(scen_ctx *s, uint64_t r)
{
    (void)r;
    s->tls_cause[0] = "server-cert-expired";
}

#define OK(n, sc, fn, w)                                                                           \
    {                                                                                              \
        n, sc, fn, w, 0, FLEET_CERT_OK, NULL                                                       \
    }
#define FAIL(sc)                                                                                   \
    {                                                                                              \
        sc, sc, NULL, 0, 1, FLEET_CERT_OK, NULL                                                    \
    }

const fleet_profile fleet_profiles[] = {
    /* successes: weights in per mille of the whole fleet, 900 in all */
    OK("ok-tls12-ecdhe", "ok-tls12-ecdhe-gcm", vary_ecdhe, 275),
    OK("ok-tls12-ecdhe-mtls", "mtls-ok", NULL, 40),
    OK("ok-tls13", "ok-tls13", vary_tls13, 270),
    OK("ok-tls12-rsa", "ok-tls12-rsa-aes128-gcm", vary_rsa12, 135),
    OK("ok-tls10-rsa", "ok-tls10-rsa-aes128-cbc-sha", vary_rsa10, 90),
    OK("ok-http-16992", "ok-http-16992", NULL, 80),
    OK("ok-eoi-amt3", "eoi-session-amt3", NULL, 10),
    /* failures: every rejection of the catalog */
    FAIL("mtls-no-client-cert"),
    FAIL("mtls-no-amt-console-eku"),
    FAIL("mtls-no-client-auth-eku"),
    FAIL("mtls-expired-at-amt-clock"),
    FAIL("mtls-not-yet-valid-at-amt-clock"),
    /* the workstation whose PTR name (ws-0417.dhcp…) is not its certificate's */
    {"mtls-reverse-dns-mismatch", "mtls-reverse-dns-mismatch", NULL, 0, 1, FLEET_CERT_OK,
     "198.19.253.17"},
    FAIL("mtls-untrusted-root"),
    FAIL("mtls-fqdn-not-trusted"),
    FAIL("mtls-accept-then-close"),
    FAIL("server-name-mismatch-ip"),
    FAIL("tls-version-mismatch"),
    FAIL("no-shared-cipher"),
    FAIL("legacy-renegotiation-refused"),
    FAIL("plain-http-refused-tls-only"),
    FAIL("port-closed"),
    FAIL("syn-unanswered"),
    FAIL("dns-nxdomain"),
    FAIL("digest-wrong-password"),
    FAIL("digest-unknown-user"),
    FAIL("digest-stale-nonce"),
    FAIL("cve-2017-5689-empty-response"),
    FAIL("wsman-access-denied"),
    FAIL("wsman-return-value"),
    FAIL("mixed-outcomes"),
    {"plain-http-to-tls-port", NULL, plain_to_tls_port, 0, 1, FLEET_CERT_OK, NULL},
    {"server-cert-untrusted", NULL, server_cert_untrusted, 0, 1, FLEET_CERT_OTHER_ROOT, NULL},
    {"server-cert-expired", NULL, server_cert_expired, 0, 1, FLEET_CERT_EXPIRED, NULL},
};

const unsigned fleet_n_profiles = sizeof fleet_profiles / sizeof fleet_profiles[0];

GBytes *fleet_key_der(EVP_PKEY *k)
{
    if (!k)
        return NULL;
    unsigned char *buf = NULL;
    int n = i2d_PrivateKey(k, &buf);
    if (n <= 0)
        return NULL;
    GBytes *b = g_bytes_new(buf, (gsize)n);
    OPENSSL_clear_free(buf, (size_t)n);
    return b;
}

EVP_PKEY *fleet_key_copy(GBytes *der)
{
    gsize n;
    const unsigned char *p = g_bytes_get_data(der, &n);
    return d2i_AutoPrivateKey(NULL, &p, (long)n);
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

unsigned fleet_amt_of(const fleet_cfg *cfg, uint64_t idx)
{
    uint64_t n = cfg->n_amts, round = idx / n, pos = idx % n;
    uint64_t r = fleet_mix(cfg->seed ^ (round * 0x51ed27ull + 0x7f));
    uint64_t a = (r % n) | 1;
    while (gcd64(a, n) != 1) /* a multiplier coprime to n permutes 0..n-1 */
        a += 2;
    return (unsigned)((a * pos + (r >> 32)) % n);
}

int fleet_state_init(fleet_state *st, const fleet_cfg *cfg)
{
    memset(st, 0, sizeof *st);
    st->cfg = cfg;
    g_mutex_init(&st->lock);
    if (world_init(&st->w) != 0)
        return -1;
    /* A few keys shared by many AMTs (their certificates differ): the
     * handshakes are what costs, and each is fresh. */
    st->amt_keys[0] = st->w.amt_key;
    EVP_PKEY_up_ref(st->w.amt_key);
    for (int i = 1; i < 4; i++)
        if (!(st->amt_keys[i] = certgen_rsa_key(2048)))
            return -1;
    for (int i = 0; i < 4; i++)
        if (!(st->amt_key_der[i] = fleet_key_der(st->amt_keys[i])))
            return -1;
    if (!(st->console_key_der = fleet_key_der(st->w.console_key)))
        return -1;
    for (unsigned i = 0; i < fleet_n_profiles; i++)
        if (fleet_profiles[i].scenario && !scenario_find(fleet_profiles[i].scenario)) {
            fprintf(stderr, "amtsim: fleet profile %s: no scenario %s\n", fleet_profiles[i].name,
                    fleet_profiles[i].scenario);
            return -1;
        }
    /* Each AMT's profile, in the order the first round visits them: the
     * n-th AMT visited draws from a golden-ratio sequence (offset by the
     * seed), whose first n points spread evenly over [0, 1), so that even
     * a small fleet has the mix of the weights; fail_permil of them have
     * the failures in turn, so that a few dozen AMTs already have every
     * kind. */
    unsigned first_fail = 0, n_fail = 0;
    for (unsigned i = 0; i < fleet_n_profiles; i++) {
        if (fleet_profiles[i].failure && !n_fail++)
            first_fail = i;
    }
    st->amt_profile = g_new0(uint16_t, cfg->n_amts);
    st->amt_cert_der = g_new0(GBytes *, cfg->n_amts);
    unsigned fails = 0;
    const double golden = 0.6180339887498949;
    double u = (double)(fleet_mix(cfg->seed ^ 0xa3700000ull) >> 11) / 9007199254740992.0;
    for (unsigned pos = 0; pos < cfg->n_amts; pos++, u += golden) {
        u -= (double)(unsigned)u;
        unsigned a = fleet_amt_of(cfg, pos);
        double f = cfg->fail_permil / 1000.0;
        if (u < f) {
            st->amt_profile[a] = (uint16_t)(first_fail + fails++ % n_fail);
            continue;
        }
        /* the successes' weights (900 per mille) scaled to the rest */
        double x = (u - f) / (1.0 - f) * 900.0, acc = 0;
        st->amt_profile[a] = 0;
        for (unsigned i = 0; i < fleet_n_profiles; i++) {
            acc += fleet_profiles[i].weight;
            if (x < acc) {
                st->amt_profile[a] = (uint16_t)i;
                break;
            }
        }
    }
    return 0;
}

void fleet_state_free(fleet_state *st)
{
    for (unsigned a = 0; st->amt_cert_der && a < st->cfg->n_amts; a++)
        if (st->amt_cert_der[a])
            g_bytes_unref(st->amt_cert_der[a]);
    g_free(st->amt_cert_der);
    g_free(st->amt_profile);
    for (int i = 0; i < 4; i++) {
        EVP_PKEY_free(st->amt_keys[i]);
        if (st->amt_key_der[i])
            g_bytes_unref(st->amt_key_der[i]); /* test keys: nothing to wipe */
    }
    if (st->console_key_der)
        g_bytes_unref(st->console_key_der);
    world_free(&st->w);
    g_mutex_clear(&st->lock);
}
