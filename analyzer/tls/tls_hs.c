/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TLS <= 1.2 handshake whose keys come next. The first handshake's
 * hellos also fill the summary; a renegotiation (a ClientHello after the
 * first handshake completed, usually inside the encrypted session) starts
 * a new one: its client random finds its key log line, its
 * ClientKeyExchange its pre-master secret, and each direction switches to
 * its keys at its own ChangeCipherSpec. */
#include <string.h>
#include <openssl/crypto.h>
#include "tls/tls_int.h"

void tls_hs_clear(tls_hs *h)
{
    if (h->ch_ticket)
        g_bytes_unref(h->ch_ticket);
    if (h->nst_ticket)
        g_bytes_unref(h->nst_ticket);
    if (h->server_leaf)
        g_bytes_unref(h->server_leaf);
    if (h->cke) {
        OPENSSL_cleanse(h->cke->data, h->cke->len);
        g_byte_array_free(h->cke, TRUE);
    }
    tls_cipher_free(h->pending[0]);
    tls_cipher_free(h->pending[1]);
    unsigned gen = h->gen;
    OPENSSL_cleanse(h, sizeof(*h));
    h->gen = gen;
}

tls_reneg *tls_hs_reneg(tls_conn *c)
{
    unsigned g = c->hs.gen;
    return g && g <= TLS_MAX_RENEGS ? &c->sum.renegs[g - 1] : NULL;
}

/* A renegotiation's ClientHello: the previous handshake's key inputs go,
 * the transcripts (extended_master_secret) restart. */
static void begin_renegotiation(tls_conn *c, uint64_t frame, int encrypted)
{
    tls_summary *s = &c->sum;
    tls_hs_clear(&c->hs);
    c->hs.gen++;
    s->renegotiations++;
    for (int i = 0; i < 2; i++) {
        tls_dir *d = &c->d[i];
        g_byte_array_set_size(d->transcript, 0);
        d->ch_end = 0;
        d->transcript_closed = 0;
    }
    tls_reneg *r = tls_hs_reneg(c);
    if (r) {
        r->frame = frame;
        r->encrypted = encrypted;
    }
    tls_note(c, "renegotiation %u: a new handshake (ClientHello frame %llu%s)", c->hs.gen,
             (unsigned long long)frame, encrypted ? ", inside the encrypted session" : "");
}

void tls_hs_client_hello(tls_conn *c, const tls_client_hello *ch, GBytes *ticket, int encrypted)
{
    if (c->first_hs_done)
        begin_renegotiation(c, ch->frame, encrypted);
    else if (c->hs.ch_seen)
        return; /* the second ClientHello after a HelloRetryRequest: same random */
    tls_hs *h = &c->hs;
    h->ch_seen = 1;
    h->ch_frame = ch->frame;
    h->client_version = ch->legacy_version;
    memcpy(h->cr, ch->random, 32);
    memcpy(h->ch_sid, ch->session_id, ch->session_id_len);
    h->ch_sid_len = ch->session_id_len;
    h->ch_ems = ch->ems;
    h->ch_etm = ch->etm;
    if (ticket)
        h->ch_ticket = g_bytes_ref(ticket);
    tls_reneg *r = tls_hs_reneg(c);
    if (r)
        memcpy(r->client_random, ch->random, 32);
}

void tls_hs_server_hello(tls_conn *c, const tls_server_hello *sh, uint16_t version)
{
    tls_hs *h = &c->hs;
    h->sh_seen = 1;
    h->version = version;
    memcpy(h->sr, sh->random, 32);
    memcpy(h->sh_sid, sh->session_id, sh->session_id_len);
    h->sh_sid_len = sh->session_id_len;
    h->ems = h->ch_ems && sh->ems;
    h->etm = h->ch_etm && sh->etm;
    h->suite = tls_suite_find(sh->suite);
    c->suite = h->suite;
    tls_reneg *r = tls_hs_reneg(c);
    if (r) {
        r->version = version;
        r->suite = sh->suite;
        r->resumed = sh->session_id_len && sh->session_id_len == h->ch_sid_len &&
                     memcmp(sh->session_id, h->ch_sid, h->ch_sid_len) == 0;
    }
}

int tls_hs_resumed_by_id(const tls_hs *h)
{
    return h->sh_sid_len && h->sh_sid_len == h->ch_sid_len &&
           memcmp(h->sh_sid, h->ch_sid, h->sh_sid_len) == 0;
}
