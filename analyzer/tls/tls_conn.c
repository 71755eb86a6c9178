/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A TLS connection: the public entry points that take each direction's
 * bytes, run both record layers in turn (one may be held back until the
 * other has supplied what its keys depend on), handle gaps and the end of
 * the streams, and free everything, wiping secrets and plaintext. */
#include <string.h>
#include <openssl/crypto.h>
#include "tls/tls_int.h"

static void dir_init(tls_dir *d)
{
    memset(d, 0, sizeof(*d));
    d->buf = g_byte_array_new();
    d->marks = g_array_new(FALSE, FALSE, sizeof(tls_mark));
    d->hs = g_byte_array_new();
    d->transcript = g_byte_array_new();
}

static void wipe_array(GByteArray *a)
{
    if (!a)
        return;
    OPENSSL_cleanse(a->data, a->len);
    g_byte_array_free(a, TRUE);
}

static void dir_free(tls_dir *d)
{
    g_byte_array_free(d->buf, TRUE);
    g_array_free(d->marks, TRUE);
    wipe_array(d->hs); /* may hold decrypted handshake bytes */
    g_byte_array_free(d->transcript, TRUE);
    tls_cipher_free(d->cs);
    OPENSSL_cleanse(d->secret, sizeof(d->secret));
}

/* Frees everything but the summary — stream buffers, cipher states, the
 * master secret, the scratch plaintext — wiping what is secret. Done at the
 * end of the streams, so a finished connection kept for the report holds
 * only its facts and no key material. */
static void release_working_state(tls_conn *c)
{
    if (c->released)
        return;
    c->released = 1;
    dir_free(&c->d[0]);
    dir_free(&c->d[1]);
    tls_hs_clear(&c->hs);
    if (c->t13)
        g_byte_array_free(c->t13, TRUE);
    c->t13 = NULL;
    if (c->psk_ids)
        g_ptr_array_free(c->psk_ids, TRUE);
    c->psk_ids = NULL;
    OPENSSL_cleanse(c->psk13_hs, sizeof(c->psk13_hs));
    OPENSSL_cleanse(c->scratch, TLS_MAX_RECORD + 64);
    g_free(c->scratch);
    c->scratch = NULL;
}

tls_conn *tls_conn_new(tls_keys *k, const tls_callbacks *cb, void *ctx)
{
    tls_conn *c = g_new0(tls_conn, 1);
    if (!k) {
        /* Facts only: an empty key store. */
        k = tls_keys_new();
        c->owns_keys = 1;
    }
    c->keys = k;
    if (cb)
        c->cb = *cb;
    c->ctx = ctx;
    c->id = tls_keys_next_conn_id(k);
    tls_sum_init(&c->sum);
    dir_init(&c->d[0]);
    dir_init(&c->d[1]);
    c->last_hs_dir = c->last_hs_type = -1;
    c->psk_selected = -1;
    c->scratch = g_malloc(TLS_MAX_RECORD + 64);
    return c;
}

void tls_conn_set_id(tls_conn *c, unsigned id)
{
    if (c)
        c->id = id;
}

unsigned tls_conn_id(const tls_conn *c)
{
    return c ? c->id : 0;
}

/* Runs both directions until neither moves: a record processed in one
 * may release the other from a stall. */
static void pump(tls_conn *c)
{
    if (c->in_pump)
        return;
    c->in_pump = 1;
    int progress;
    do {
        progress = tls_dir_process(c, TLS_DIR_CLIENT);
        progress |= tls_dir_process(c, TLS_DIR_SERVER);
    } while (progress);
    c->in_pump = 0;
}

void tls_conn_feed(tls_conn *c, int dir, const uint8_t *data, size_t len, uint64_t first_frame,
                   uint64_t last_frame)
{
    if (!c || (dir != 0 && dir != 1) || !data || !len)
        return;
    tls_dir *d = &c->d[dir];
    if (c->ended || d->stopped || c->in_pump) {
        /* in_pump: fed from a callback, which would move the buffer under
         * the record being handled; refused. */
        d->ignored += len;
        return;
    }
    /* In slices, so a huge feed neither overflows a guint nor makes the
     * buffer hold more than it must. */
    while (len && !d->stopped && !c->ended) {
        size_t n = len < (1u << 20) ? len : (1u << 20);
        if (d->buf->len == 0) {
            /* Nothing held back: the records are read where they are, and
             * only what they leave (a record's start) is copied. On a bulk
             * transfer that spares a copy of every byte. */
            d->feed = data;
            d->feed_len = n;
            d->buf_pos = 0;
            tls_mark m = {d->base + n, first_frame, last_frame};
            g_array_append_val(d->marks, m);
            pump(c);
            size_t used = d->buf_pos;
            d->feed = NULL;
            d->feed_len = 0;
            g_byte_array_append(d->buf, data + used, (guint)(n - used));
            d->base += used;
            d->buf_pos = 0;
        } else {
            g_byte_array_append(d->buf, data, (guint)n);
            tls_mark m = {d->base + d->buf->len, first_frame, last_frame};
            g_array_append_val(d->marks, m);
            pump(c);
        }
        data += n;
        len -= n;
    }
    d->ignored += len;
}

void tls_conn_gap(tls_conn *c, int dir)
{
    if (!c || (dir != 0 && dir != 1) || c->ended || c->in_pump)
        return;
    tls_dir *d = &c->d[dir];
    if (d->stopped)
        return;
    uint64_t at = d->base + d->buf->len;
    tls_dir_stop(c, dir,
                 "bytes missing from the capture in %s after stream offset %llu: TLS records "
                 "cannot be resynchronised, the rest of this direction is not parsed",
                 tls_dir_name(dir), (unsigned long long)at);
    if (c->sum.key_status == TLS_KEY_DECRYPTED)
        tls_status_fail(c, TLS_KEY_GAP,
                        "decrypted (keys from %s) until a gap in the capture in %s: the rest of "
                        "that direction cannot be decrypted",
                        c->sum.key_source, tls_dir_name(dir));
    else
        tls_status_fail(c, TLS_KEY_GAP,
                        "a gap in the capture in %s: the rest of that direction is not parsed "
                        "or decrypted",
                        tls_dir_name(dir));
    g_byte_array_set_size(d->buf, 0);
    d->buf_pos = 0;
    d->base = at;
    g_array_set_size(d->marks, 0);
    pump(c); /* the other direction may have waited for this one */
}

void tls_conn_end(tls_conn *c)
{
    if (!c || c->ended || c->in_pump)
        return;
    c->ended = 1;
    pump(c);
    for (int i = 0; i < 2; i++) {
        tls_dir *d = &c->d[i];
        size_t left = d->buf->len - d->buf_pos;
        if (!d->stopped && left)
            tls_note(c, "%s ends inside a record: %zu bytes of it are not in the capture",
                     tls_dir_name(i), left);
        d->stopped = 1;
    }
    release_working_state(c);
}

const tls_summary *tls_conn_summary(const tls_conn *c)
{
    return c ? &c->sum : NULL;
}

void tls_conn_free(tls_conn *c)
{
    if (!c)
        return;
    release_working_state(c);
    tls_sum_clear(&c->sum);
    if (c->owns_keys)
        tls_keys_free(c->keys);
    g_free(c);
}
