/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which keys decrypt a connection, or exactly why none do. Runs when a
 * direction's first encrypted record arrives (and again after a
 * renegotiation's ChangeCipherSpec). TLS <= 1.2 is tls_keysetup12.c.
 * TLS 1.3: the traffic secrets of the key log (or derived from an
 * external PSK, tls_psk13.c), handshake then application, KeyUpdate,
 * early data. Every failure sets the key status with its reason. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "tls/tls_int.h"

const char *tls_suite_md(const tls_suite *s)
{
    return s->sha384 ? "SHA384" : "SHA256";
}

/* The first 8 bytes of the client random in hex, to name the missing
 * key log line (the random is public). */
const char *tls_cr_hex(const tls_conn *c, char buf[40])
{
    for (int i = 0; i < 8; i++)
        snprintf(buf + 2 * i, 3, "%02x", c->hs.cr[i]);
    g_strlcpy(buf + 16, "…", 8);
    return buf;
}

void tls_fail_no_key(tls_conn *c, const char *what)
{
    char h[40];
    if (tls_keys_empty(c->keys))
        tls_status_fail(c, TLS_KEY_NO_KEYS, "not decrypted: no keys supplied (give a key log%s)",
                        c->suite && tls_kx_is_rsa(c->suite->kx)
                            ? ", or the server's RSA key for this static-RSA suite"
                        : c->suite && tls_kx_is_psk(c->suite->kx)
                            ? ", or the pre-shared key (--psk) for this PSK suite"
                            : "");
    else
        tls_status_fail(c, TLS_KEY_NO_KEYLOG_ENTRY,
                        "not decrypted: no key log entry%s for client random %s", what,
                        tls_cr_hex(c, h));
}

/* ---- TLS 1.3 ----------------------------------------------------------- */

static tls_cipher_state *cipher13(tls_conn *c, const tls_secret *sec)
{
    char err[160];
    tls_cipher_state *cs = tls13_cipher_from_secret(tls_keys_libctx(c->keys), c->suite, sec->v,
                                                    sec->len, err, sizeof(err));
    if (!cs)
        tls_status_fail(c, TLS_KEY_UNSUPPORTED, "not decrypted: %s", err);
    return cs;
}

static void keep_secret(tls_dir *d, const tls_secret *sec)
{
    size_t n = sec->len < sizeof(d->secret) ? sec->len : sizeof(d->secret);
    memcpy(d->secret, sec->v, n);
    d->secret_len = n;
}

static tls_setup_result setup13(tls_conn *c, int di)
{
    tls_dir *d = &c->d[di];
    const uint8_t *cr = c->hs.cr;
    int client = di == TLS_DIR_CLIENT;
    /* No key log line, but an external PSK: the handshake secrets are
     * derived and stored as if a key log had them. */
    if (!tls_keys_find(c->keys, client ? TLS_SECRET_CLIENT_HS : TLS_SECRET_SERVER_HS, cr, 32) &&
        !tls_keys_find(c->keys, client ? TLS_SECRET_CLIENT_AP0 : TLS_SECRET_SERVER_AP0, cr, 32) &&
        tls13_psk_setup(c, di) < 0) {
        c->sum.handshake_hidden[di] = 1;
        return TLS_SETUP_FAIL;
    }
    const tls_secret *hs =
        tls_keys_find(c->keys, client ? TLS_SECRET_CLIENT_HS : TLS_SECRET_SERVER_HS, cr, 32);
    const tls_secret *ap =
        tls_keys_find(c->keys, client ? TLS_SECRET_CLIENT_AP0 : TLS_SECRET_SERVER_AP0, cr, 32);
    const tls_secret *early = client && c->sum.ch.early_data
                                  ? tls_keys_find(c->keys, TLS_SECRET_CLIENT_EARLY, cr, 32)
                                  : NULL;
    if (hs) {
        if (early) {
            /* 0-RTT: early data first; if the record does not open with
             * the early key the record layer moves on to the handshake key. */
            d->cs = cipher13(c, early);
            d->phase = TLS13_PHASE_EARLY;
        } else {
            d->cs = cipher13(c, hs);
            d->phase = TLS13_PHASE_HS;
        }
        /* Early data we cannot open precedes the handshake records. */
        d->trial = client && c->sum.ch.early_data;
        g_strlcpy(c->dec_source[di], hs->source, sizeof(c->dec_source[di]));
        return d->cs ? TLS_SETUP_READY : TLS_SETUP_FAIL;
    }
    if (ap) {
        /* Without the handshake secret the handshake records cannot be
         * opened, and where they end is invisible: try the application key
         * on each record until one opens. */
        d->cs = cipher13(c, ap);
        d->phase = TLS13_PHASE_APP;
        d->trial = 1;
        keep_secret(d, ap);
        c->sum.handshake_hidden[di] = 1;
        g_strlcpy(c->dec_source[di], ap->source, sizeof(c->dec_source[di]));
        tls_status_fail(c, TLS_KEY_TLS13_NO_HS_SECRETS,
                        "TLS 1.3 without handshake secrets in %s: application data is decrypted, "
                        "but the handshake (certificates, CertificateRequest, the client "
                        "certificate) stays invisible",
                        ap->source);
        return d->cs ? TLS_SETUP_READY : TLS_SETUP_FAIL;
    }
    c->sum.handshake_hidden[di] = 1;
    tls_fail_no_key(c, " (TLS 1.3 traffic secrets)");
    return TLS_SETUP_FAIL;
}

static void switch13(tls_conn *c, int di, tls_secret_kind kind, tls13_phase phase)
{
    tls_dir *d = &c->d[di];
    const tls_secret *sec = tls_keys_find(c->keys, kind, c->hs.cr, 32);
    tls_cipher_free(d->cs);
    d->cs = NULL;
    d->dec_done = 1;
    if (!sec) {
        tls_status_fail(c, TLS_KEY_NO_KEYLOG_ENTRY,
                        "TLS 1.3 handshake decrypted, but the key log has no %s for the "
                        "application data",
                        kind == TLS_SECRET_CLIENT_AP0   ? "CLIENT_TRAFFIC_SECRET_0"
                        : kind == TLS_SECRET_SERVER_AP0 ? "SERVER_TRAFFIC_SECRET_0"
                                                        : "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
        return;
    }
    d->cs = cipher13(c, sec);
    d->phase = phase;
    if (phase == TLS13_PHASE_APP)
        keep_secret(d, sec);
}

void tls13_to_app(tls_conn *c, int di)
{
    tls_dir *d = &c->d[di];
    if (!c->tls13 || d->phase == TLS13_PHASE_APP || !d->dec_done)
        return;
    d->trial = 0;
    switch13(c, di, di == TLS_DIR_CLIENT ? TLS_SECRET_CLIENT_AP0 : TLS_SECRET_SERVER_AP0,
             TLS13_PHASE_APP);
}

void tls13_to_handshake(tls_conn *c, int di)
{
    tls_dir *d = &c->d[di];
    if (!c->tls13 || di != TLS_DIR_CLIENT || d->phase != TLS13_PHASE_EARLY)
        return;
    switch13(c, di, TLS_SECRET_CLIENT_HS, TLS13_PHASE_HS);
}

void tls13_key_update(tls_conn *c, int di)
{
    tls_dir *d = &c->d[di];
    if (!c->tls13 || !d->cs || d->phase != TLS13_PHASE_APP || !d->secret_len)
        return;
    char err[160];
    OSSL_LIB_CTX *lib = tls_keys_libctx(c->keys);
    tls_cipher_free(d->cs);
    d->cs = NULL;
    if (tls13_update_secret(lib, c->suite, d->secret, d->secret_len) == 0)
        d->cs = tls13_cipher_from_secret(lib, c->suite, d->secret, d->secret_len, err, sizeof(err));
    if (!d->cs)
        tls_status_fail(c, TLS_KEY_UNSUPPORTED, "KeyUpdate: the next traffic key failed");
}

/* ---- entry ------------------------------------------------------------- */

tls_setup_result tls_setup_dir(tls_conn *c, int di, int may_wait)
{
    tls_summary *s = &c->sum;
    if (!s->ch.seen) {
        if (!c->midstream && may_wait)
            return TLS_SETUP_WAIT;
        tls_status_fail(c, TLS_KEY_NO_CLIENT_HELLO,
                        "not decrypted: the capture started after the TLS handshake (no "
                        "ClientHello seen), so no key can be matched to this connection");
        return TLS_SETUP_FAIL;
    }
    if (!s->sh.seen || !c->hs.sh_seen) {
        if (may_wait)
            return TLS_SETUP_WAIT;
        tls_status_fail(c, TLS_KEY_NO_SERVER_HELLO,
                        "not decrypted: encrypted records but no ServerHello in the capture "
                        "(version and suite unknown)");
        return TLS_SETUP_FAIL;
    }
    uint16_t v = c->tls13 ? s->version : c->hs.version;
    if (c->tls13_draft) {
        tls_status_fail(c, TLS_KEY_UNSUPPORTED,
                        "not decrypted: %s (0x%04x) is a draft of TLS 1.3, whose key schedule "
                        "differs; records and hellos only",
                        tls_version_name(v), v);
        return TLS_SETUP_FAIL;
    }
    if (v < TLS_VERSION_SSL3 || v > TLS_VERSION_1_3) {
        tls_status_fail(c, TLS_KEY_UNSUPPORTED,
                        "not decrypted: unknown protocol version 0x%04x (records and hellos only)",
                        v);
        return TLS_SETUP_FAIL;
    }
    if (!c->suite || (c->tls13 != (c->suite->kx == TLS_KX_TLS13))) {
        uint16_t id = c->tls13 ? s->suite : c->hs.suite ? c->hs.suite->id : s->suite;
        const char *name = tls_suite_name(id);
        tls_status_fail(c, TLS_KEY_UNSUPPORTED, "not decrypted: unsupported suite 0x%04x (%s)", id,
                        name ? name : "unknown");
        return TLS_SETUP_FAIL;
    }
    if (c->suite->cipher == TLS_CIPHER_UNSUPPORTED) {
        tls_status_fail(c, TLS_KEY_UNSUPPORTED,
                        "not decrypted: unsupported suite %s (no decryption for its cipher)",
                        c->suite->iana);
        return TLS_SETUP_FAIL;
    }
    if (v == TLS_VERSION_SSL3 && c->suite->mac != TLS_MAC_MD5 && c->suite->mac != TLS_MAC_SHA1) {
        tls_status_fail(c, TLS_KEY_MALFORMED,
                        "not decrypted: SSL 3.0 with %s, a suite SSL 3.0 does not have",
                        c->suite->iana);
        return TLS_SETUP_FAIL;
    }
    return c->tls13 ? setup13(c, di) : tls_setup12(c, di, may_wait);
}
