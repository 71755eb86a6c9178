/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SSL 3.0 to TLS 1.2: the master secret of the current handshake (the
 * first one, or a renegotiation's) from a CLIENT_RANDOM line, the session
 * cache (resumption), or a pre-master secret (PMS_CLIENT_RANDOM, an RSA
 * line, the server's RSA key, a PSK given with --psk), with
 * extended_master_secret; then the key block and each direction's read
 * state. Every failure sets the key status with its reason. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "tls/tls_int.h"

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
    size_t n = tls_session_hash(tls_keys_libctx(c->keys), c->hs.version, tls_suite_md(c->suite),
                                all->data, all->len, out);
    g_byte_array_free(all, TRUE);
    return n;
}

int tls12_ms_from_pms(tls_conn *c, const uint8_t *pms, size_t pms_len)
{
    OSSL_LIB_CTX *lib = tls_keys_libctx(c->keys);
    tls_hs *h = &c->hs;
    if (h->version == TLS_VERSION_SSL3)
        return tls_ssl3_prf(lib, pms, pms_len, h->cr, h->sr, h->ms, 48);
    if (h->ems) {
        uint8_t hash[64];
        size_t hl = ems_hash(c, hash);
        return hl ? tls_prf(lib, h->version, tls_suite_md(c->suite), pms, pms_len,
                            "extended master secret", hash, hl, NULL, 0, h->ms, 48)
                  : -1;
    }
    return tls_prf(lib, h->version, tls_suite_md(c->suite), pms, pms_len, "master secret", h->cr,
                   32, h->sr, 32, h->ms, 48);
}

/* The encrypted pre-master secret in ClientKeyExchange: TLS puts a 2-byte
 * length first, SSL 3.0 does not; RSA_PSK has the PSK identity before it. */
static int cke_rsa(tls_conn *c, const uint8_t **enc, size_t *len)
{
    if (!c->hs.cke)
        return -1;
    amt_cur cur = cur_make(c->hs.cke->data, c->hs.cke->len);
    if (c->suite->kx == TLS_KX_RSA_PSK)
        cur_vec(&cur, 2); /* psk_identity */
    amt_cur v = c->hs.version == TLS_VERSION_SSL3 ? cur : cur_vec(&cur, 2);
    if (cur.err || v.err || v.len < 8)
        return -1;
    *enc = v.p;
    *len = v.len;
    return 0;
}

/* The certificate the RSA key must match: this handshake's. */
static const uint8_t *server_leaf(const tls_conn *c, size_t *len)
{
    if (!c->hs.server_leaf)
        return NULL;
    gsize n = 0;
    const uint8_t *p = g_bytes_get_data(c->hs.server_leaf, &n);
    *len = n;
    return p;
}

tls_setup_result tls12_rsa_pms(tls_conn *c, uint8_t pms[48], char *source, size_t srclen,
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
    size_t leaf_len = 0;
    const uint8_t *leaf = server_leaf(c, &leaf_len);
    size_t n = tls_keys_rsa_n(c->keys);
    for (size_t i = 0; i < n; i++) {
        const tls_rsa_key *rk = tls_keys_rsa_at(c->keys, i);
        /* With several keys the certificate says which to spend an RSA
         * operation on; with one, decrypting is the test, and the
         * certificate is read only to explain a failure. */
        int match = n > 1 && leaf ? tls_rsa_matches_cert(rk, lib, leaf, leaf_len) : -2;
        if (match == 0) {
            (*tried)++;
            continue; /* another server's key */
        }
        if (tls_rsa_decrypt_pms(rk, lib, enc, elen, c->hs.client_version, c->hs.version, pms) ==
            0) {
            snprintf(source, srclen, "RSA key %s", rk->name);
            return TLS_SETUP_READY;
        }
        if (match == -2)
            match = leaf ? tls_rsa_matches_cert(rk, lib, leaf, leaf_len) : -1;
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
    size_t leaf_len = 0;
    const uint8_t *leaf = server_leaf(c, &leaf_len);
    if (!leaf) {
        tls_status_fail(c, TLS_KEY_RSA_MISMATCH,
                        "not decrypted: the RSA key%s given do%s not decrypt the pre-master "
                        "secret (no server certificate in the capture to compare with): it is "
                        "not this server's key",
                        n == 1 ? "" : "s", n == 1 ? "es" : "");
        return;
    }
    char cert[200], key[96];
    tls_cert_brief(tls_keys_libctx(c->keys), leaf, leaf_len, cert, sizeof cert);
    unsigned long long frame = (unsigned long long)c->hs.server_leaf_frame;
    if (n == 1) {
        const tls_rsa_key *rk = tls_keys_rsa_at(c->keys, 0);
        tls_status_fail(c, TLS_KEY_RSA_MISMATCH,
                        "not decrypted: the RSA key %s (%s) is not this server's: its modulus is "
                        "not that of the server certificate in frame %llu (%s)",
                        rk->name, tls_pkey_brief(rk->pkey, key, sizeof key), frame, cert);
    } else {
        tls_status_fail(c, TLS_KEY_RSA_MISMATCH,
                        "not decrypted: none of the %zu RSA keys has the modulus of the server "
                        "certificate in frame %llu (%s)",
                        n, frame, cert);
    }
}

/* An abbreviated handshake: the master secret of the session it resumes,
 * from a connection decrypted earlier. */
static tls_setup_result resumed_ms(tls_conn *c, char *source, size_t srclen)
{
    tls_hs *h = &c->hs;
    tls_cached_session got;
    const tls_cached_session *cs = NULL;
    if (tls_hs_resumed_by_id(h) && tls_keys_cache_get(c->keys, 0, h->sh_sid, h->sh_sid_len, &got))
        cs = &got;
    if (!cs && h->ch_ticket &&
        tls_keys_cache_get(c->keys, 1, g_bytes_get_data(h->ch_ticket, NULL),
                           g_bytes_get_size(h->ch_ticket), &got))
        cs = &got;
    if (cs) {
        memcpy(h->ms, cs->ms, 48);
        if (cs->conn_id == c->id)
            snprintf(source, srclen, "resumed from its own earlier handshake");
        else
            snprintf(source, srclen, "resumed from connection %u", cs->conn_id);
        OPENSSL_cleanse(&got, sizeof got);
        return TLS_SETUP_READY;
    }
    char hex[40];
    if (tls_keys_empty(c->keys))
        tls_fail_no_key(c, "");
    else
        tls_status_fail(c, TLS_KEY_RESUMED_UNKNOWN,
                        "not decrypted: resumed session (by %s) whose full handshake is not "
                        "in the capture, and no key log entry for client random %s",
                        h->ch_ticket ? "session ticket" : "session id", tls_cr_hex(c, hex));
    return TLS_SETUP_FAIL;
}

/* Why a full handshake's pre-master secret is out of reach. */
static void explain_no_pms(tls_conn *c, int tried)
{
    tls_kx kx = c->suite->kx;
    int is_rsa = tls_kx_is_rsa(kx);
    if (tls_keys_empty(c->keys))
        tls_fail_no_key(c, "");
    else if (tls_kx_is_psk(kx))
        tls12_psk_explain(c);
    else if (!is_rsa && tls_keys_rsa_n(c->keys))
        tls_status_fail(c, TLS_KEY_RSA_BUT_DHE,
                        "not decrypted: an RSA key was given but the server chose %s (%s key "
                        "exchange, forward secret): only a key log entry decrypts it",
                        c->suite->iana, tls_kx_name(kx));
    else if (is_rsa && tried)
        rsa_mismatch(c);
    else if (is_rsa && !c->hs.cke)
        tls_status_fail(c, TLS_KEY_NO_KEYLOG_ENTRY,
                        "not decrypted: no ClientKeyExchange in the capture for the RSA key, and "
                        "no key log entry");
    else
        tls_fail_no_key(c, "");
}

static tls_setup_result derive_ms(tls_conn *c, int di, int may_wait, char *source, size_t srclen)
{
    tls_hs *h = &c->hs;
    int full = h->server_shd;
    int abbrev = !full && h->ccs[TLS_DIR_SERVER];
    if (!full && !abbrev && may_wait)
        return TLS_SETUP_WAIT; /* the server's flight tells full from abbreviated */

    const tls_secret *sec = tls_keys_find(c->keys, TLS_SECRET_MASTER, h->cr, 32);
    if (sec) {
        memcpy(h->ms, sec->v, 48);
        g_strlcpy(source, sec->source, srclen);
        return TLS_SETUP_READY;
    }
    if (abbrev)
        return resumed_ms(c, source, srclen);

    /* A full handshake: a pre-master secret. */
    uint8_t pms[1024];
    size_t pms_len = 0;
    int tried = 0;
    tls_kx kx = c->suite->kx;
    int needs_cke = tls_kx_is_rsa(kx) || tls_kx_is_psk(kx) || h->ems;
    if (!h->cke && needs_cke && may_wait)
        return TLS_SETUP_WAIT; /* ClientKeyExchange comes from the client */
    const tls_secret *psec = tls_keys_find(c->keys, TLS_SECRET_PMS, h->cr, 32);
    tls_setup_result r = TLS_SETUP_FAIL;
    if (psec && psec->len <= sizeof(pms)) {
        memcpy(pms, psec->v, psec->len);
        pms_len = psec->len;
        g_strlcpy(source, psec->source, srclen);
        r = TLS_SETUP_READY;
    } else if (tls_kx_is_psk(kx) && h->cke) {
        /* chooses between PSKs and derives h->ms itself */
        r = tls12_psk_ms(c, di, source, srclen, &tried);
        if (r == TLS_SETUP_READY)
            return r;
    } else if (tls_kx_is_rsa(kx) && h->cke) {
        r = tls12_rsa_pms(c, pms, source, srclen, &tried);
        pms_len = 48;
    }
    if (r == TLS_SETUP_READY) {
        if (h->ems && !h->cke) {
            tls_status_fail(c, TLS_KEY_MALFORMED,
                            "not decrypted: extended_master_secret needs the handshake up to "
                            "ClientKeyExchange, which is not in the capture");
            r = TLS_SETUP_FAIL;
        } else if (tls12_ms_from_pms(c, pms, pms_len) < 0) {
            tls_status_fail(c, TLS_KEY_UNSUPPORTED,
                            "not decrypted: master secret derivation failed");
            r = TLS_SETUP_FAIL;
        }
        OPENSSL_cleanse(pms, sizeof(pms));
        return r;
    }
    OPENSSL_cleanse(pms, sizeof(pms));
    explain_no_pms(c, tried);
    return TLS_SETUP_FAIL;
}

int tls12_key_block(tls_conn *c, const uint8_t ms[48], tls_cipher_state *out[2], char *err,
                    size_t errlen)
{
    const tls_suite *su = c->suite;
    const tls_cipher_info *ci = tls_cipher_info_get(su->cipher);
    tls_hs *h = &c->hs;
    size_t ml = su->mac == TLS_MAC_AEAD ? 0 : tls_mac_len(su->mac);
    size_t kl = ci->key_len, il = ci->fixed_iv_len;
    uint8_t kb[2 * (48 + 32 + 16)];
    size_t total = 2 * (ml + kl + il);
    OSSL_LIB_CTX *lib = tls_keys_libctx(c->keys);
    out[0] = out[1] = NULL;
    int ok = h->version == TLS_VERSION_SSL3
                 ? tls_ssl3_prf(lib, ms, 48, h->sr, h->cr, kb, total)
                 : tls_prf(lib, h->version, tls_suite_md(su), ms, 48, "key expansion", h->sr, 32,
                           h->cr, 32, kb, total);
    if (ok < 0) {
        g_strlcpy(err, "key block derivation failed", errlen);
        return -1;
    }
    /* client MAC, server MAC, client key, server key, client IV, server IV */
    for (int di = 0; di < 2; di++)
        out[di] = tls_cipher_new(lib, su, h->version, h->etm, kb + 2 * ml + di * kl,
                                 kb + 2 * ml + 2 * kl + di * il, kb + di * ml, err, errlen);
    OPENSSL_cleanse(kb, sizeof(kb));
    if (!out[0] || !out[1]) {
        tls_cipher_free(out[0]);
        tls_cipher_free(out[1]);
        out[0] = out[1] = NULL;
        return -1;
    }
    return 0;
}

tls_setup_result tls_setup12(tls_conn *c, int di, int may_wait)
{
    tls_hs *h = &c->hs;
    if (h->ms_state == 0) {
        char source[160] = "";
        tls_setup_result r = derive_ms(c, di, may_wait, source, sizeof(source));
        if (r == TLS_SETUP_WAIT)
            return r;
        h->ms_state = r == TLS_SETUP_READY ? 1 : -1;
        if (h->ms_state > 0) {
            char err[160] = "";
            if (tls12_key_block(c, h->ms, h->pending, err, sizeof(err)) < 0) {
                tls_status_fail(c, TLS_KEY_UNSUPPORTED, "not decrypted: %s", err);
                h->ms_state = -1;
                return TLS_SETUP_FAIL;
            }
            g_strlcpy(c->dec_source[0], source, sizeof(c->dec_source[0]));
            g_strlcpy(c->dec_source[1], source, sizeof(c->dec_source[1]));
            tls12_cache_session(c);
            tls_keys_put_derived(c->keys, h->cr, h->ms);
        }
    }
    if (h->ms_state < 0)
        return TLS_SETUP_FAIL;
    c->d[di].cs = h->pending[di];
    h->pending[di] = NULL;
    if (!c->d[di].cs) {
        tls_status_fail(c, TLS_KEY_UNSUPPORTED,
                        "not decrypted: a second ChangeCipherSpec in %s without a new handshake "
                        "before it",
                        tls_dir_name(di));
        return TLS_SETUP_FAIL;
    }
    return TLS_SETUP_READY;
}

void tls12_cache_session(tls_conn *c)
{
    tls_hs *h = &c->hs;
    if (h->ms_state <= 0 || c->tls13)
        return;
    if (h->sh_sid_len)
        tls_keys_cache_put(c->keys, 0, h->sh_sid, h->sh_sid_len, h->ms, c->id);
    if (h->nst_ticket)
        tls_keys_cache_put(c->keys, 1, g_bytes_get_data(h->nst_ticket, NULL),
                           g_bytes_get_size(h->nst_ticket), h->ms, c->id);
}
