/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which keys decrypt a connection, or exactly why none do. Runs when a
 * direction's first encrypted record arrives. TLS <= 1.2: the master
 * secret from a CLIENT_RANDOM line, the session cache (resumption), or a
 * pre-master secret (PMS_CLIENT_RANDOM, an RSA line, or the server's RSA
 * key), with extended_master_secret; then the key block. TLS 1.3: the
 * traffic secrets of the key log, handshake then application, KeyUpdate,
 * early data. Every failure sets the key status with its reason. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "tls/tls_int.h"

static const char *suite_md(const tls_suite *s)
{
    return s->sha384 ? "SHA384" : "SHA256";
}

/* The first 8 bytes of the client random in hex, to name the missing
 * key log line (the random is public). */
static const char *cr_hex(const tls_conn *c, char buf[40])
{
    for (int i = 0; i < 8; i++)
        snprintf(buf + 2 * i, 3, "%02x", c->sum.ch.random[i]);
    g_strlcpy(buf + 16, "…", 8);
    return buf;
}

static void fail_no_key(tls_conn *c, const char *what)
{
    char h[40];
    if (tls_keys_empty(c->keys))
        tls_status_fail(c, TLS_KEY_NO_KEYS, "not decrypted: no keys supplied (give a key log%s)",
                        c->suite && tls_kx_is_rsa(c->suite->kx)
                            ? ", or the server's RSA key for this static-RSA suite"
                            : "");
    else
        tls_status_fail(c, TLS_KEY_NO_KEYLOG_ENTRY,
                        "not decrypted: no key log entry%s for client random %s", what,
                        cr_hex(c, h));
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
    const uint8_t *cr = c->sum.ch.random;
    int client = di == TLS_DIR_CLIENT;
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
    fail_no_key(c, " (TLS 1.3 traffic secrets)");
    return TLS_SETUP_FAIL;
}

static void switch13(tls_conn *c, int di, tls_secret_kind kind, tls13_phase phase)
{
    tls_dir *d = &c->d[di];
    const tls_secret *sec = tls_keys_find(c->keys, kind, c->sum.ch.random, 32);
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

/* ---- TLS 1.0-1.2 ------------------------------------------------------- */

/* The handshake messages up to ClientKeyExchange, in protocol order:
 * ClientHello, the server's flight, the client's flight. */
static size_t ems_hash(tls_conn *c, uint8_t out[64])
{
    tls_dir *cd = &c->d[TLS_DIR_CLIENT], *sd = &c->d[TLS_DIR_SERVER];
    GByteArray *all = g_byte_array_new();
    g_byte_array_append(all, cd->transcript->data, (guint)cd->ch_end);
    g_byte_array_append(all, sd->transcript->data, sd->transcript->len);
    g_byte_array_append(all, cd->transcript->data + cd->ch_end,
                        (guint)(cd->transcript->len - cd->ch_end));
    size_t n = tls_session_hash(tls_keys_libctx(c->keys), c->sum.version, suite_md(c->suite),
                                all->data, all->len, out);
    g_byte_array_free(all, TRUE);
    return n;
}

static int ms_from_pms(tls_conn *c, const uint8_t *pms, size_t pms_len)
{
    OSSL_LIB_CTX *lib = tls_keys_libctx(c->keys);
    tls_summary *s = &c->sum;
    if (s->ch.ems && s->sh.ems) {
        uint8_t h[64];
        size_t hl = ems_hash(c, h);
        return hl ? tls_prf(lib, s->version, suite_md(c->suite), pms, pms_len,
                            "extended master secret", h, hl, NULL, 0, c->ms, 48)
                  : -1;
    }
    return tls_prf(lib, s->version, suite_md(c->suite), pms, pms_len, "master secret", s->ch.random,
                   32, s->sh.random, 32, c->ms, 48);
}

/* The encrypted pre-master secret in ClientKeyExchange (TLS: a 2-byte
 * length first). */
static int cke_rsa(tls_conn *c, const uint8_t **enc, size_t *len)
{
    if (!c->cke)
        return -1;
    amt_cur cur = cur_make(c->cke->data, c->cke->len);
    amt_cur v = cur_vec(&cur, 2);
    if (v.err || v.len < 8)
        return -1;
    *enc = v.p;
    *len = v.len;
    return 0;
}

/* The pre-master secret from an RSA line of the key log or an RSA key.
 * tried counts the keys that turned out not to be this server's. */
static tls_setup_result rsa_pms(tls_conn *c, uint8_t pms[48], char *source, size_t srclen,
                                int *tried)
{
    const uint8_t *enc;
    size_t elen;
    if (cke_rsa(c, &enc, &elen) < 0) {
        tls_note(c, "ClientKeyExchange does not hold an RSA-encrypted pre-master secret");
        return TLS_SETUP_FAIL;
    }
    const tls_secret *sec = tls_keys_find(c->keys, TLS_SECRET_RSA_PMS, enc, 8);
    if (sec && sec->len == 48) {
        memcpy(pms, sec->v, 48);
        g_strlcpy(source, sec->source, srclen);
        return TLS_SETUP_READY;
    }
    OSSL_LIB_CTX *lib = tls_keys_libctx(c->keys);
    const tls_blob *leaf = c->sum.server_certs.n ? &c->sum.server_certs.v[0] : NULL;
    for (size_t i = 0; i < tls_keys_rsa_n(c->keys); i++) {
        const tls_rsa_key *rk = tls_keys_rsa_at(c->keys, i);
        int match = leaf ? tls_rsa_matches_cert(rk, lib, leaf->data, leaf->len) : -1;
        if (match == 0) {
            (*tried)++;
            continue; /* another server's key */
        }
        if (tls_rsa_decrypt_pms(rk, lib, enc, elen, c->sum.ch.legacy_version, c->sum.version,
                                pms) == 0) {
            snprintf(source, srclen, "RSA key %s", rk->name);
            return TLS_SETUP_READY;
        }
        if (match == 1) {
            /* The right key, yet no valid pre-master secret: the
             * ClientKeyExchange is damaged, not the key wrong. */
            tls_status_fail(c, TLS_KEY_MALFORMED,
                            "not decrypted: the RSA key %s matches the server certificate, but "
                            "the ClientKeyExchange does not decrypt to a valid pre-master secret "
                            "(48 bytes starting with the client's version)",
                            rk->name);
        } else {
            (*tried)++; /* no certificate to compare: the key did not fit */
        }
    }
    return TLS_SETUP_FAIL;
}

/* Each key given was tried and none is this server's: say whose
 * certificate (and where) they were compared with. */
static void rsa_mismatch(tls_conn *c)
{
    size_t n = tls_keys_rsa_n(c->keys);
    const tls_summary *s = &c->sum;
    if (!s->server_certs.n) {
        tls_status_fail(c, TLS_KEY_RSA_MISMATCH,
                        "not decrypted: the RSA key%s given do%s not decrypt the pre-master "
                        "secret (no server certificate in the capture to compare with): it is "
                        "not this server's key",
                        n == 1 ? "" : "s", n == 1 ? "es" : "");
        return;
    }
    char cert[200], key[96];
    tls_cert_brief(tls_keys_libctx(c->keys), s->server_certs.v[0].data, s->server_certs.v[0].len,
                   cert, sizeof cert);
    if (n == 1) {
        const tls_rsa_key *rk = tls_keys_rsa_at(c->keys, 0);
        tls_status_fail(c, TLS_KEY_RSA_MISMATCH,
                        "not decrypted: the RSA key %s (%s) is not this server's: its modulus is "
                        "not that of the server certificate in frame %llu (%s)",
                        rk->name, tls_pkey_brief(rk->pkey, key, sizeof key),
                        (unsigned long long)s->server_cert_frame, cert);
    } else {
        tls_status_fail(c, TLS_KEY_RSA_MISMATCH,
                        "not decrypted: none of the %zu RSA keys has the modulus of the server "
                        "certificate in frame %llu (%s)",
                        n, (unsigned long long)s->server_cert_frame, cert);
    }
}

static tls_setup_result derive_ms(tls_conn *c, int may_wait, char *source, size_t srclen)
{
    tls_summary *s = &c->sum;
    const uint8_t *cr = s->ch.random;
    int full = c->server_shd;
    int abbrev = !full && c->d[TLS_DIR_SERVER].ccs;
    if (!full && !abbrev && may_wait)
        return TLS_SETUP_WAIT; /* the server's flight tells full from abbreviated */

    const tls_secret *sec = tls_keys_find(c->keys, TLS_SECRET_MASTER, cr, 32);
    if (sec) {
        memcpy(c->ms, sec->v, 48);
        g_strlcpy(source, sec->source, srclen);
        s->resumed = abbrev;
        return TLS_SETUP_READY;
    }
    if (abbrev) {
        const tls_cached_session *cs = NULL;
        if (s->sh.session_id_len && s->sh.session_id_len == s->ch.session_id_len &&
            memcmp(s->sh.session_id, s->ch.session_id, s->sh.session_id_len) == 0)
            cs = tls_keys_cache_get(c->keys, 0, s->sh.session_id, s->sh.session_id_len);
        if (!cs && c->ch_ticket)
            cs = tls_keys_cache_get(c->keys, 1, g_bytes_get_data(c->ch_ticket, NULL),
                                    g_bytes_get_size(c->ch_ticket));
        s->resumed = 1;
        if (cs) {
            memcpy(c->ms, cs->ms, 48);
            snprintf(source, srclen, "resumed from connection %u", cs->conn_id);
            return TLS_SETUP_READY;
        }
        char h[40];
        if (tls_keys_empty(c->keys))
            fail_no_key(c, "");
        else
            tls_status_fail(c, TLS_KEY_RESUMED_UNKNOWN,
                            "not decrypted: resumed session (by %s) whose full handshake is not "
                            "in the capture, and no key log entry for client random %s",
                            c->ch_ticket ? "session ticket" : "session id", cr_hex(c, h));
        return TLS_SETUP_FAIL;
    }

    /* A full handshake: a pre-master secret. */
    uint8_t pms[512];
    size_t pms_len = 0;
    int tried = 0;
    int is_rsa = tls_kx_is_rsa(c->suite->kx);
    if (!c->cke && (is_rsa || (s->ch.ems && s->sh.ems)) && may_wait)
        return TLS_SETUP_WAIT; /* ClientKeyExchange comes from the client */
    const tls_secret *psec = tls_keys_find(c->keys, TLS_SECRET_PMS, cr, 32);
    tls_setup_result r = TLS_SETUP_FAIL;
    if (psec && psec->len <= sizeof(pms)) {
        memcpy(pms, psec->v, psec->len);
        pms_len = psec->len;
        g_strlcpy(source, psec->source, srclen);
        r = TLS_SETUP_READY;
    } else if (is_rsa && c->cke) {
        r = rsa_pms(c, pms, source, srclen, &tried);
        pms_len = 48;
    }
    if (r == TLS_SETUP_READY) {
        if (s->ch.ems && s->sh.ems && !c->cke) {
            tls_status_fail(c, TLS_KEY_MALFORMED,
                            "not decrypted: extended_master_secret needs the handshake up to "
                            "ClientKeyExchange, which is not in the capture");
            r = TLS_SETUP_FAIL;
        } else if (ms_from_pms(c, pms, pms_len) < 0) {
            tls_status_fail(c, TLS_KEY_UNSUPPORTED,
                            "not decrypted: master secret derivation failed");
            r = TLS_SETUP_FAIL;
        }
        OPENSSL_cleanse(pms, sizeof(pms));
        return r;
    }
    OPENSSL_cleanse(pms, sizeof(pms));
    size_t nrsa = tls_keys_rsa_n(c->keys);
    if (tls_keys_empty(c->keys))
        fail_no_key(c, "");
    else if (!is_rsa && nrsa)
        tls_status_fail(c, TLS_KEY_RSA_BUT_DHE,
                        "not decrypted: an RSA key was given but the server chose %s (%s key "
                        "exchange, forward secret): only a key log entry decrypts it",
                        s->suite_name, tls_kx_name(c->suite->kx));
    else if (is_rsa && tried)
        rsa_mismatch(c);
    else if (is_rsa && !c->cke)
        tls_status_fail(c, TLS_KEY_NO_KEYLOG_ENTRY,
                        "not decrypted: no ClientKeyExchange in the capture for the RSA key, and "
                        "no key log entry");
    else
        fail_no_key(c, "");
    return TLS_SETUP_FAIL;
}

static void key_block(tls_conn *c, const char *source)
{
    const tls_suite *su = c->suite;
    const tls_cipher_info *ci = tls_cipher_info_get(su->cipher);
    tls_summary *s = &c->sum;
    size_t ml = su->mac == TLS_MAC_AEAD ? 0 : tls_mac_len(su->mac);
    size_t kl = ci->key_len, il = ci->fixed_iv_len;
    uint8_t kb[2 * (48 + 32 + 16)];
    size_t total = 2 * (ml + kl + il);
    OSSL_LIB_CTX *lib = tls_keys_libctx(c->keys);
    if (tls_prf(lib, s->version, suite_md(su), c->ms, 48, "key expansion", s->sh.random, 32,
                s->ch.random, 32, kb, total) < 0) {
        tls_status_fail(c, TLS_KEY_UNSUPPORTED, "not decrypted: key block derivation failed");
        c->ms_state = -1;
        return;
    }
    int etm = s->ch.etm && s->sh.etm;
    char err[160] = "";
    /* client MAC, server MAC, client key, server key, client IV, server IV */
    for (int di = 0; di < 2; di++) {
        c->pending[di] =
            tls_cipher_new(lib, su, s->version, etm, kb + 2 * ml + di * kl,
                           kb + 2 * ml + 2 * kl + di * il, kb + di * ml, err, sizeof(err));
        g_strlcpy(c->dec_source[di], source, sizeof(c->dec_source[di]));
    }
    OPENSSL_cleanse(kb, sizeof(kb));
    if (!c->pending[0] || !c->pending[1]) {
        tls_status_fail(c, TLS_KEY_UNSUPPORTED, "not decrypted: %s", err);
        c->ms_state = -1;
    }
}

static tls_setup_result setup12(tls_conn *c, int di, int may_wait)
{
    if (c->ms_state == 0) {
        char source[160] = "";
        tls_setup_result r = derive_ms(c, may_wait, source, sizeof(source));
        if (r == TLS_SETUP_WAIT)
            return r;
        c->ms_state = r == TLS_SETUP_READY ? 1 : -1;
        if (c->ms_state > 0) {
            key_block(c, source);
            tls12_cache_session(c);
            tls_keys_put_derived(c->keys, c->sum.ch.random, c->ms);
        }
    }
    if (c->ms_state < 0)
        return TLS_SETUP_FAIL;
    c->d[di].cs = c->pending[di];
    c->pending[di] = NULL;
    if (!c->d[di].cs) {
        tls_status_fail(c, TLS_KEY_UNSUPPORTED,
                        "not decrypted: a second ChangeCipherSpec in %s (renegotiation) is not "
                        "followed",
                        tls_dir_name(di));
        return TLS_SETUP_FAIL;
    }
    return TLS_SETUP_READY;
}

void tls12_cache_session(tls_conn *c)
{
    if (c->ms_state <= 0 || c->tls13)
        return;
    tls_summary *s = &c->sum;
    if (s->sh.session_id_len)
        tls_keys_cache_put(c->keys, 0, s->sh.session_id, s->sh.session_id_len, c->ms, c->id);
    if (c->nst_ticket)
        tls_keys_cache_put(c->keys, 1, g_bytes_get_data(c->nst_ticket, NULL),
                           g_bytes_get_size(c->nst_ticket), c->ms, c->id);
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
    if (!s->sh.seen) {
        if (may_wait)
            return TLS_SETUP_WAIT;
        tls_status_fail(c, TLS_KEY_NO_SERVER_HELLO,
                        "not decrypted: encrypted records but no ServerHello in the capture "
                        "(version and suite unknown)");
        return TLS_SETUP_FAIL;
    }
    if (s->version == TLS_VERSION_SSL3) {
        tls_status_fail(c, TLS_KEY_UNSUPPORTED,
                        "not decrypted: SSL 3.0 decryption is not supported (records and "
                        "handshake facts only)");
        return TLS_SETUP_FAIL;
    }
    if (s->version < TLS_VERSION_1_0 || s->version > TLS_VERSION_1_3) {
        tls_status_fail(c, TLS_KEY_UNSUPPORTED, "not decrypted: unsupported version 0x%04x",
                        s->version);
        return TLS_SETUP_FAIL;
    }
    if (!c->suite || (c->tls13 != (c->suite->kx == TLS_KX_TLS13))) {
        tls_status_fail(c, TLS_KEY_UNSUPPORTED, "not decrypted: unsupported suite 0x%04x (%s)",
                        s->suite, s->suite_name);
        return TLS_SETUP_FAIL;
    }
    if (c->suite->cipher == TLS_CIPHER_UNSUPPORTED) {
        tls_status_fail(c, TLS_KEY_UNSUPPORTED,
                        "not decrypted: unsupported suite %s (no decryption for its cipher)",
                        s->suite_name);
        return TLS_SETUP_FAIL;
    }
    return c->tls13 ? setup13(c, di) : setup12(c, di, may_wait);
}
