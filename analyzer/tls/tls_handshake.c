/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Handshake messages of one direction: reassembled across records (one
 * message may span many records, one record may hold many messages), each
 * bounded to 256 KiB, then dispatched to the parsers that fill the summary
 * and to the key schedule (TLS 1.3 key changes after Finished, KeyUpdate,
 * EndOfEarlyData; a renegotiation's ClientHello starts a new handshake). Plaintext messages before
 * ChangeCipherSpec are also kept as the transcript that extended_master_secret hashes. */
#include <string.h>
#include "tls/tls_int.h"

#define MAX_TRANSCRIPT (1u << 20)

static void keep_transcript(tls_conn *c, int di, int type, const uint8_t *msg, size_t n, int enc)
{
    tls_dir *d = &c->d[di];
    /* A renegotiation's messages are encrypted under the previous keys:
     * their plaintext is what its extended_master_secret hashes. */
    if ((enc && !c->hs.gen) || c->tls13 || d->transcript_closed)
        return;
    if (d->transcript->len + n > MAX_TRANSCRIPT) {
        d->transcript_closed = 1;
        tls_note(c, "handshake transcript too long: extended_master_secret cannot be computed");
        return;
    }
    g_byte_array_append(d->transcript, msg, (guint)n);
    if (di == TLS_DIR_CLIENT && type == TLS_HS_CLIENT_HELLO && !d->ch_end)
        d->ch_end = d->transcript->len;
    /* The session hash runs up to ClientKeyExchange; the server's part of
     * it ends with ServerHelloDone. */
    if ((di == TLS_DIR_CLIENT && type == TLS_HS_CLIENT_KEY_EXCHANGE) ||
        (di == TLS_DIR_SERVER && type == TLS_HS_SERVER_HELLO_DONE))
        d->transcript_closed = 1;
}

void tls_hs_finished(tls_conn *c, int di)
{
    tls_summary *s = &c->sum;
    tls_hs *h = &c->hs;
    s->finished[di] = 1;
    h->finished[di] = 1;
    if (c->tls13) {
        if (di == TLS_DIR_SERVER)
            tls13_psk_app_secrets(c);
        tls13_to_app(c, di);
    } else if (di == TLS_DIR_SERVER && !h->finished[TLS_DIR_CLIENT] && !h->server_shd) {
        /* the server's Finished first: an abbreviated handshake */
        tls_reneg *r = tls_hs_reneg(c);
        if (r)
            r->resumed = 1;
        else
            s->resumed = 1;
    }
    if (h->finished[0] && h->finished[1]) {
        s->handshake_complete = 1;
        c->first_hs_done = 1;
        tls_reneg *r = tls_hs_reneg(c);
        if (r)
            r->complete = 1;
        tls12_cache_session(c);
    }
}

static void dispatch(tls_conn *c, int di, int type, const uint8_t *msg, size_t mlen, uint64_t ff,
                     uint64_t lf, int enc)
{
    tls_summary *s = &c->sum;
    const uint8_t *body = msg + 4;
    size_t n = mlen - 4;
    int from_client = di == TLS_DIR_CLIENT;
    /* A ClientHello goes into the transcript after it is parsed: one that
     * starts a renegotiation first restarts the transcripts, and is the
     * first message of the new one. */
    if (type != TLS_HS_CLIENT_HELLO)
        keep_transcript(c, di, type, msg, mlen, enc);
    tls13_psk_keep(c, di, type, msg, mlen, enc);
    /* After a draft or unknown version's ServerHello, the messages are
     * not those this program knows. */
    int interpret = !(c->tls13_draft || c->version_unknown) || type == TLS_HS_CLIENT_HELLO ||
                    type == TLS_HS_SERVER_HELLO;
    switch (interpret ? type : -1) {
    case TLS_HS_HELLO_REQUEST:
        if (!from_client)
            tls_note(c, "HelloRequest (frame %llu): the server asks the client to renegotiate",
                     (unsigned long long)ff);
        break;
    case TLS_HS_CLIENT_HELLO:
        if (from_client)
            tls_parse_client_hello(c, body, n, ff, enc);
        keep_transcript(c, di, type, msg, mlen, enc);
        break;
    case TLS_HS_SERVER_HELLO:
        if (!from_client)
            tls_parse_server_hello(c, body, n, ff);
        break;
    case TLS_HS_NEW_SESSION_TICKET:
        if (!from_client)
            tls_parse_new_session_ticket(c, body, n);
        break;
    case TLS_HS_END_OF_EARLY_DATA:
        if (from_client)
            tls13_to_handshake(c, di);
        break;
    case TLS_HS_ENCRYPTED_EXTENSIONS:
        if (!from_client)
            tls_parse_encrypted_extensions(c, body, n);
        break;
    case TLS_HS_CERTIFICATE:
        tls_parse_certificate(c, di, body, n, ff);
        break;
    case TLS_HS_COMPRESSED_CERTIFICATE:
        tls_parse_compressed_certificate(c, di, body, n, ff);
        break;
    case TLS_HS_SERVER_KEY_EXCHANGE:
        if (!from_client)
            tls_parse_server_key_exchange(c, body, n);
        break;
    case TLS_HS_CERTIFICATE_REQUEST:
        if (!from_client)
            tls_parse_certificate_request(c, body, n, ff);
        break;
    case TLS_HS_SERVER_HELLO_DONE:
        if (!from_client)
            c->hs.server_shd = 1;
        break;
    case TLS_HS_CERTIFICATE_VERIFY:
        s->cert_verify[di] = 1;
        break;
    case TLS_HS_CLIENT_KEY_EXCHANGE:
        if (from_client)
            tls_parse_client_key_exchange(c, body, n);
        break;
    case TLS_HS_FINISHED:
        tls_hs_finished(c, di);
        break;
    default:
        break;
    }
    c->last_hs_dir = di;
    c->last_hs_type = type;
    if (c->cb.on_handshake) {
        tls_hs_info h = {type, (uint32_t)n, body, ff, lf, enc, 0};
        c->cb.on_handshake(c->ctx, di, &h);
    }
    /* After the callback: a KeyUpdate changes the keys of the records
     * that follow it, not of this one. */
    if (type == TLS_HS_KEY_UPDATE && enc)
        tls13_key_update(c, di);
}

void tls_hs_feed(tls_conn *c, int di, const uint8_t *p, size_t n, uint64_t ff, uint64_t lf, int enc)
{
    tls_dir *d = &c->d[di];
    if (d->hs_broken)
        return;
    if (d->hs->len == 0)
        d->hs_first_frame = ff;
    if (n == 0) {
        tls_note(c, "empty handshake record in %s (frame %llu)", tls_dir_name(di),
                 (unsigned long long)ff);
        return;
    }
    g_byte_array_append(d->hs, p, (guint)n);
    size_t pos = 0;
    while (d->hs->len - pos >= 4) {
        amt_cur cur = cur_make(d->hs->data + pos, d->hs->len - pos);
        unsigned type = cur_u8(&cur);
        size_t mlen = cur_u24(&cur);
        if (mlen > TLS_MAX_HS_MSG) {
            tls_note(c,
                     "handshake message of %zu bytes (type %u) in %s exceeds 256 KiB: malformed, "
                     "handshake parsing of this direction stopped",
                     mlen, type, tls_dir_name(di));
            d->hs_broken = 1;
            g_byte_array_set_size(d->hs, 0);
            return;
        }
        if (!cur_take(&cur, mlen))
            break; /* the rest of the message is in later records */
        dispatch(c, di, (int)type, d->hs->data + pos, 4 + mlen, d->hs_first_frame, lf, enc);
        pos += 4 + mlen;
        /* What follows started in the current record. */
        d->hs_first_frame = ff;
    }
    if (pos)
        g_byte_array_remove_range(d->hs, 0, (guint)pos);
}
