/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pre-shared keys (--psk [IDENTITY:]HEX): AMT's PSK-based setup runs over
 * TLS_PSK suites. TLS 1.2 (RFC 4279, 5489): the pre-master secret is
 * other_secret and the PSK, each with its length; other_secret is zeros
 * for PSK and the RSA-encrypted secret for RSA_PSK (DHE_PSK and ECDHE_PSK
 * mix in a Diffie-Hellman secret the capture does not hold). TLS 1.3
 * (RFC 8446 7.1): an external PSK without (EC)DHE (psk_ke) gives the whole
 * key schedule; the secrets are put in the key store as a key log would
 * have them, so --export-keylog writes them out. The PSK is chosen by the
 * identity the client sent; several keys without identity are told apart
 * by which one opens the first encrypted record. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "tls/tls_int.h"

#define MAX_CANDIDATES 16

/* ---- choosing the PSK ------------------------------------------------------- */

/* The PSKs that may be this session's: those for its identity first,
 * then those without identity. */
static size_t candidates(const tls_keys *k, const uint8_t *id, size_t idlen,
                         const tls_psk *out[MAX_CANDIDATES])
{
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < tls_keys_psk_n(k) && n < MAX_CANDIDATES; i++) {
            const tls_psk *p = tls_keys_psk_at(k, i);
            int match = p->identity && id && strlen(p->identity) == idlen &&
                        memcmp(p->identity, id, idlen) == 0;
            if (pass == 0 ? match : !p->identity)
                out[n++] = p;
        }
    return n;
}

/* Whether read state st opens the record being set up for. */
static int opens_probe(tls_conn *c, tls_cipher_state *st)
{
    if (!c->probe.valid || !st)
        return 0;
    size_t n = 0;
    uint8_t inner = 0;
    int r = tls_cipher_decrypt(st, c->probe.type, c->probe.version, c->probe.body, c->probe.len,
                               c->scratch, &n, &inner);
    OPENSSL_cleanse(c->scratch, n);
    return r == TLS_DEC_OK;
}

/* A printable copy of an identity for the summary. */
static void note_identity(tls_conn *c, const uint8_t *id, size_t len)
{
    if (c->sum.psk_identity)
        return;
    char *s = g_malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        s[i] = id[i] >= 0x20 && id[i] < 0x7f ? (char)id[i] : '?';
    s[len] = 0;
    c->sum.psk_identity = s;
}

/* ---- TLS 1.2 ---------------------------------------------------------------- */

/* The identity in ClientKeyExchange, and after it what the key exchange
 * adds (RSA_PSK: the encrypted pre-master secret). */
static int cke_identity(const tls_conn *c, const uint8_t **id, size_t *len)
{
    if (!c->hs.cke)
        return -1;
    amt_cur cur = cur_make(c->hs.cke->data, c->hs.cke->len);
    amt_cur v = cur_vec(&cur, 2);
    if (v.err)
        return -1;
    *id = v.p;
    *len = v.len;
    return 0;
}

void tls12_psk_client_key_exchange(tls_conn *c)
{
    const uint8_t *id;
    size_t len;
    if (cke_identity(c, &id, &len) == 0)
        note_identity(c, id, len);
    else
        tls_note(c, "malformed ClientKeyExchange: no PSK identity");
}

/* pre-master secret = len(other) || other || len(psk) || psk */
static size_t psk_pms(const uint8_t *other, size_t olen, const tls_psk *p, uint8_t *pms, size_t cap)
{
    if (4 + olen + p->len > cap)
        return 0;
    tls_put_u16(pms, (unsigned)olen);
    if (other)
        memcpy(pms + 2, other, olen);
    else
        memset(pms + 2, 0, olen);
    tls_put_u16(pms + 2 + olen, (unsigned)p->len);
    memcpy(pms + 4 + olen, p->key, p->len);
    return 4 + olen + p->len;
}

void tls12_psk_explain(tls_conn *c)
{
    const tls_suite *su = c->suite;
    char hex[40];
    const char *id = c->sum.psk_identity ? c->sum.psk_identity : "";
    if (su->kx == TLS_KX_DHE_PSK || su->kx == TLS_KX_ECDHE_PSK) {
        tls_status_fail(c, TLS_KEY_NO_KEYLOG_ENTRY,
                        "not decrypted: %s mixes the PSK with an ephemeral %s secret the capture "
                        "does not hold: only a key log entry for client random %s decrypts it",
                        su->iana, su->kx == TLS_KX_DHE_PSK ? "DH" : "ECDH", tls_cr_hex(c, hex));
    } else if (!tls_keys_psk_n(c->keys)) {
        tls_status_fail(c, TLS_KEY_NO_KEYLOG_ENTRY,
                        "not decrypted: %s needs the pre-shared key: give it with --psk "
                        "\"%s\":HEX (the client's identity), or a key log entry for client "
                        "random %s",
                        su->iana, id, tls_cr_hex(c, hex));
    } else {
        tls_status_fail(c, TLS_KEY_NO_KEYLOG_ENTRY,
                        "not decrypted: none of the %zu PSKs given is for identity \"%s\" (give "
                        "--psk \"%s\":HEX, or a PSK without identity)",
                        tls_keys_psk_n(c->keys), id, id);
    }
}

tls_setup_result tls12_psk_ms(tls_conn *c, int di, char *source, size_t srclen, int *tried)
{
    const tls_suite *su = c->suite;
    const uint8_t *id;
    size_t idlen;
    if (su->kx == TLS_KX_DHE_PSK || su->kx == TLS_KX_ECDHE_PSK || !tls_keys_psk_n(c->keys) ||
        cke_identity(c, &id, &idlen) < 0)
        return TLS_SETUP_FAIL; /* derive_ms explains */
    const tls_psk *cand[MAX_CANDIDATES];
    size_t n = candidates(c->keys, id, idlen, cand);
    if (!n)
        return TLS_SETUP_FAIL;
    uint8_t rsa[48], pms[1100];
    char rsa_source[160] = "";
    const uint8_t *other = NULL;
    size_t olen = 0;
    if (su->kx == TLS_KX_RSA_PSK) {
        if (tls12_rsa_pms(c, rsa, rsa_source, sizeof(rsa_source), tried) != TLS_SETUP_READY)
            return TLS_SETUP_FAIL;
        other = rsa;
        olen = 48;
    }
    tls_setup_result r = TLS_SETUP_FAIL;
    for (size_t i = 0; i < n && r != TLS_SETUP_READY; i++) {
        /* PSK: other_secret is as many zeros as the PSK has bytes */
        size_t pl = psk_pms(other, other ? olen : cand[i]->len, cand[i], pms, sizeof(pms));
        if (!pl || tls12_ms_from_pms(c, pms, pl) < 0)
            continue;
        if (n > 1) {
            /* Which of the keys: the one that opens this record. */
            tls_cipher_state *st[2];
            char err[160];
            int ok =
                tls12_key_block(c, c->hs.ms, st, err, sizeof(err)) == 0 && opens_probe(c, st[di]);
            tls_cipher_free(st[0]);
            tls_cipher_free(st[1]);
            if (!ok)
                continue;
        }
        if (other)
            snprintf(source, srclen, "%s and %s", cand[i]->source, rsa_source);
        else
            g_strlcpy(source, cand[i]->source, srclen);
        r = TLS_SETUP_READY;
    }
    OPENSSL_cleanse(pms, sizeof(pms));
    OPENSSL_cleanse(rsa, sizeof(rsa));
    if (r != TLS_SETUP_READY) {
        OPENSSL_cleanse(c->hs.ms, sizeof(c->hs.ms));
        tls_status_fail(c, TLS_KEY_MAC_FAILURE,
                        "not decrypted: none of the %zu PSKs that may be this session's opens "
                        "its first encrypted record in %s: wrong pre-shared key",
                        n, tls_dir_name(di));
    }
    return r;
}

/* ---- TLS 1.3 ---------------------------------------------------------------- */

void tls13_psk_keep(tls_conn *c, int di, int type, const uint8_t *msg, size_t n, int enc)
{
    if (!tls_keys_psk_n(c->keys) || c->t13_closed)
        return;
    if (!c->t13)
        c->t13 = g_byte_array_new();
    int keep = (di == TLS_DIR_CLIENT && type == TLS_HS_CLIENT_HELLO && !enc) ||
               (di == TLS_DIR_SERVER && type == TLS_HS_SERVER_HELLO && !enc) ||
               (di == TLS_DIR_SERVER && enc && c->tls13);
    if (!keep)
        return;
    if (c->t13->len + n > (1u << 20)) {
        c->t13_closed = 1;
        tls_note(c, "TLS 1.3 handshake too long to follow the PSK key schedule");
        return;
    }
    if (type == TLS_HS_SERVER_HELLO && tls_is_hrr(msg + 4, n - 4)) {
        c->t13_hrr = 1;
        c->t13_ch1_end = c->t13->len;
    }
    g_byte_array_append(c->t13, msg, (guint)n);
    if (di == TLS_DIR_SERVER && type == TLS_HS_FINISHED)
        c->t13_closed = 1;
}

/* Transcript-Hash of what t13 holds; a HelloRetryRequest replaces the
 * first ClientHello by message_hash (RFC 8446 4.4.1). */
static size_t t13_hash(tls_conn *c, const EVP_MD *md, uint8_t out[64])
{
    unsigned int hl = 0;
    if (!c->t13_hrr)
        return EVP_Digest(c->t13->data, c->t13->len, out, &hl, md, NULL) ? hl : 0;
    uint8_t h1[64];
    unsigned int l1 = 0;
    if (!EVP_Digest(c->t13->data, c->t13_ch1_end, h1, &l1, md, NULL))
        return 0;
    GByteArray *b = g_byte_array_new();
    uint8_t head[4] = {TLS_HS_MESSAGE_HASH, 0, 0, (uint8_t)l1};
    g_byte_array_append(b, head, 4);
    g_byte_array_append(b, h1, l1);
    g_byte_array_append(b, c->t13->data + c->t13_ch1_end, c->t13->len - c->t13_ch1_end);
    int ok = EVP_Digest(b->data, b->len, out, &hl, md, NULL);
    g_byte_array_free(b, TRUE);
    return ok ? hl : 0;
}

/* Derive-Secret(secret, label, transcript hash th). */
static int derive(tls_conn *c, const uint8_t *secret, size_t hl, const char *label,
                  const uint8_t *th, uint8_t *out)
{
    return tls13_expand_label(tls_keys_libctx(c->keys), tls_suite_md(c->suite), secret, hl, label,
                              th, hl, out, hl);
}

/* The secret after "derived" and an Extract with zeros (no (EC)DHE):
 * handshake secret from the early secret, master from the handshake. */
static int next_stage(tls_conn *c, const EVP_MD *md, const uint8_t *prev, size_t hl, uint8_t *out)
{
    uint8_t empty[64], salt[64], zeros[64] = {0};
    unsigned int el = 0;
    if (!EVP_Digest("", 0, empty, &el, md, NULL) || derive(c, prev, hl, "derived", empty, salt) < 0)
        return -1;
    int r = tls_hkdf_extract(tls_keys_libctx(c->keys), tls_suite_md(c->suite), salt, hl, zeros, hl,
                             out, hl);
    OPENSSL_cleanse(salt, sizeof(salt));
    return r;
}

/* For one PSK: the handshake secret and both handshake traffic secrets. */
static int hs_secrets(tls_conn *c, const EVP_MD *md, const tls_psk *p, const uint8_t *th, size_t hl,
                      uint8_t hs[64], uint8_t chs[64], uint8_t shs[64])
{
    uint8_t early[64];
    int ok = tls_hkdf_extract(tls_keys_libctx(c->keys), tls_suite_md(c->suite), NULL, 0, p->key,
                              p->len, early, hl) == 0 &&
             next_stage(c, md, early, hl, hs) == 0 &&
             derive(c, hs, hl, "c hs traffic", th, chs) == 0 &&
             derive(c, hs, hl, "s hs traffic", th, shs) == 0;
    OPENSSL_cleanse(early, sizeof(early));
    return ok ? 0 : -1;
}

static int uses_dhe(const tls_conn *c)
{
    const tls_u16_list *e = &c->sum.sh.extensions;
    for (size_t i = 0; i < e->n; i++)
        if (e->v[i] == 51) /* key_share */
            return 1;
    return 0;
}

int tls13_psk_setup(tls_conn *c, int di)
{
    tls_summary *s = &c->sum;
    if (c->psk13)
        return 1;
    if (!s->sh.psk || !tls_keys_psk_n(c->keys))
        return 0; /* no PSK in this session, or none given */
    char hex[40];
    if (uses_dhe(c)) {
        tls_status_fail(c, TLS_KEY_NO_KEYLOG_ENTRY,
                        "not decrypted: TLS 1.3 with a PSK and (EC)DHE (psk_dhe_ke): the PSK "
                        "alone does not give the keys, a key log entry for client random %s does",
                        tls_cr_hex(c, hex));
        return -1;
    }
    if (!c->t13 || c->t13_closed) {
        tls_status_fail(c, TLS_KEY_MALFORMED,
                        "not decrypted: the TLS 1.3 hellos needed by the PSK key schedule are not "
                        "all in the capture");
        return -1;
    }
    const uint8_t *id = NULL;
    size_t idlen = 0;
    if (c->psk_ids && c->psk_selected >= 0 && (guint)c->psk_selected < c->psk_ids->len) {
        gsize l = 0;
        id = g_bytes_get_data(g_ptr_array_index(c->psk_ids, c->psk_selected), &l);
        idlen = l;
    }
    const tls_psk *cand[MAX_CANDIDATES];
    size_t n = candidates(c->keys, id, idlen, cand);
    if (!n) {
        tls_status_fail(c, TLS_KEY_NO_KEYLOG_ENTRY,
                        "not decrypted: none of the %zu PSKs given is for identity \"%s\"",
                        tls_keys_psk_n(c->keys), s->psk_identity ? s->psk_identity : "");
        return -1;
    }
    EVP_MD *md = tls_fetch_md(tls_keys_libctx(c->keys), tls_suite_md(c->suite));
    uint8_t th[64], hs[64], chs[64], shs[64];
    size_t hl = md ? t13_hash(c, md, th) : 0;
    const tls_psk *chosen = NULL;
    for (size_t i = 0; hl && i < n && !chosen; i++) {
        if (hs_secrets(c, md, cand[i], th, hl, hs, chs, shs) < 0)
            continue;
        if (n > 1 && c->probe.valid) {
            char err[160];
            tls_cipher_state *st =
                tls13_cipher_from_secret(tls_keys_libctx(c->keys), c->suite,
                                         di == TLS_DIR_CLIENT ? chs : shs, hl, err, sizeof(err));
            int ok = opens_probe(c, st);
            tls_cipher_free(st);
            if (!ok)
                continue;
        }
        chosen = cand[i];
    }
    EVP_MD_free(md);
    if (!chosen) {
        tls_status_fail(c, TLS_KEY_MAC_FAILURE,
                        "not decrypted: none of the %zu PSKs that may be this session's opens its "
                        "handshake: wrong pre-shared key",
                        n);
        return -1;
    }
    tls_keys_put(c->keys, TLS_SECRET_CLIENT_HS, c->hs.cr, 32, chs, hl, chosen->source);
    tls_keys_put(c->keys, TLS_SECRET_SERVER_HS, c->hs.cr, 32, shs, hl, chosen->source);
    memcpy(c->psk13_hs, hs, hl);
    c->psk13 = chosen;
    OPENSSL_cleanse(hs, sizeof(hs));
    OPENSSL_cleanse(chs, sizeof(chs));
    OPENSSL_cleanse(shs, sizeof(shs));
    return 1;
}

void tls13_psk_app_secrets(tls_conn *c)
{
    if (!c->psk13 || !c->t13_closed)
        return;
    EVP_MD *md = tls_fetch_md(tls_keys_libctx(c->keys), tls_suite_md(c->suite));
    uint8_t th[64], ms[64], cap[64], sap[64];
    size_t hl = md ? t13_hash(c, md, th) : 0;
    if (hl && next_stage(c, md, c->psk13_hs, hl, ms) == 0 &&
        derive(c, ms, hl, "c ap traffic", th, cap) == 0 &&
        derive(c, ms, hl, "s ap traffic", th, sap) == 0) {
        tls_keys_put(c->keys, TLS_SECRET_CLIENT_AP0, c->hs.cr, 32, cap, hl, c->psk13->source);
        tls_keys_put(c->keys, TLS_SECRET_SERVER_AP0, c->hs.cr, 32, sap, hl, c->psk13->source);
    }
    EVP_MD_free(md);
    OPENSSL_cleanse(ms, sizeof(ms));
    OPENSSL_cleanse(cap, sizeof(cap));
    OPENSSL_cleanse(sap, sizeof(sap));
    OPENSSL_cleanse(c->psk13_hs, sizeof(c->psk13_hs));
}

void tls13_psk_identities(tls_conn *c, amt_cur e)
{
    amt_cur ids = cur_vec(&e, 2);
    if (!c->psk_ids)
        c->psk_ids = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    else
        return; /* the second ClientHello offers the same identities */
    while (cur_left(&ids) >= 6 && c->psk_ids->len < 16) {
        amt_cur id = cur_vec(&ids, 2);
        cur_u32(&ids); /* obfuscated_ticket_age */
        if (id.err || ids.err)
            break;
        g_ptr_array_add(c->psk_ids, g_bytes_new(id.p, id.len));
    }
}

void tls13_psk_selected(tls_conn *c, int index)
{
    c->psk_selected = index;
    if (c->psk_ids && index >= 0 && (guint)index < c->psk_ids->len) {
        gsize l = 0;
        const uint8_t *p = g_bytes_get_data(g_ptr_array_index(c->psk_ids, index), &l);
        note_identity(c, p, l);
    }
}
