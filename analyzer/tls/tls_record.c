/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The record layer of one direction: cuts the buffered byte stream into
 * records, validates their headers (a record over 2^14+2048 bytes or of an
 * unknown type is not TLS: the direction stops), decides which records are
 * encrypted, decrypts them, and hands the content to the handshake,
 * alert, ChangeCipherSpec and application data handlers. Records that
 * need keys depending on the other direction are held back (a stall)
 * until that direction has been fed. */
#include <string.h>
#include "tls/tls_int.h"

/* Frames of the bytes [a, b) of the stream, from the marks. */
static void frames_of(const tls_dir *d, uint64_t a, uint64_t b, uint64_t *ff, uint64_t *lf)
{
    const tls_mark *m = (const tls_mark *)(const void *)d->marks->data;
    guint n = d->marks->len;
    *ff = *lf = n ? m[n - 1].last_frame : 0;
    int got_first = 0;
    for (guint i = 0; i < n; i++) {
        if (!got_first && m[i].end > a) {
            *ff = m[i].first_frame;
            got_first = 1;
        }
        if (m[i].end >= b) {
            *lf = m[i].last_frame;
            break;
        }
    }
}

static void drop_marks(tls_dir *d, uint64_t upto)
{
    guint k = 0;
    const tls_mark *m = (const tls_mark *)(const void *)d->marks->data;
    /* Keep the mark that covers upto itself (end > upto). */
    while (k < d->marks->len && m[k].end <= upto)
        k++;
    if (k)
        g_array_remove_range(d->marks, 0, k);
}

static void emit_alert(tls_conn *c, int di, int level, int desc, uint64_t frame, int enc, int dec,
                       int guessed)
{
    tls_alert_info a = {di, level, desc, frame, enc, dec, guessed, c->last_hs_dir, c->last_hs_type};
    tls_alert_push(c, &a);
    if (c->cb.on_alert)
        c->cb.on_alert(c->ctx, di, &a);
}

static int offers_tls13(const tls_conn *c)
{
    const tls_u16_list *v = &c->sum.ch.versions;
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i] == TLS_VERSION_1_3)
            return 1;
    return 0;
}

static void on_ccs(tls_conn *c, int di, const uint8_t *p, size_t n, uint64_t ff, int enc)
{
    tls_dir *d = &c->d[di];
    tls_summary *s = &c->sum;
    if (!s->ccs_seen[di]) {
        s->ccs_seen[di] = 1;
        s->ccs_frame[di] = ff;
    }
    amt_cur cur = cur_make(p, n);
    if (cur_u8(&cur) != 1 || cur_left(&cur) || cur.err)
        tls_note(c, "malformed ChangeCipherSpec in %s (frame %llu)", tls_dir_name(di),
                 (unsigned long long)ff);
    /* TLS 1.3 middlebox compatibility: no meaning. A CCS before any
     * ServerHello (held back until it came, see below) is one too: after a
     * HelloRetryRequest, with early data, or when the client offered 1.3. */
    if (c->tls13 || (!s->sh.seen && (s->hello_retry_request || offers_tls13(c))))
        return;
    if (d->hs->len) {
        tls_note(c, "ChangeCipherSpec in %s in the middle of a handshake message",
                 tls_dir_name(di));
        g_byte_array_set_size(d->hs, 0);
    }
    c->hs.ccs[di] = 1;
    if (di == TLS_DIR_SERVER && !c->hs.server_shd && c->hs.sh_seen) {
        /* abbreviated handshake: the server's CCS comes first */
        tls_reneg *r = tls_hs_reneg(c);
        if (r)
            r->resumed = 1;
        else
            s->resumed = 1;
    }
    if (enc || d->ccs) {
        /* A ChangeCipherSpec under keys already in use: a renegotiation's.
         * The records after it are read with the new handshake's keys. */
        tls_cipher_free(d->cs);
        d->cs = NULL;
        d->encrypted_hs_after_ccs = 0;
        if (c->hs.gen > d->keys_gen && c->hs.sh_seen) {
            d->keys_gen = c->hs.gen;
            d->dec_done = 0;
        } else {
            d->dec_done = 1;
            if (d->dec_ok_any)
                tls_status_fail(c, TLS_KEY_UNSUPPORTED,
                                "decrypted until a ChangeCipherSpec in %s (frame %llu) without a "
                                "new handshake before it: the records after it are not decrypted",
                                tls_dir_name(di), (unsigned long long)ff);
        }
        return;
    }
    d->ccs = 1;
    d->dec_done = 0;
}

static void on_alert_bytes(tls_conn *c, int di, const uint8_t *p, size_t n, uint64_t ff, int enc)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        emit_alert(c, di, p[i], p[i + 1], ff, enc, enc, 0);
    if (n % 2 || n == 0)
        tls_note(c, "alert record of %zu bytes in %s (frame %llu)", n, tls_dir_name(di),
                 (unsigned long long)ff);
}

/* Content we can read: plaintext records and decrypted ones. */
static void handle_plain(tls_conn *c, int di, uint8_t type, const uint8_t *p, size_t n, uint64_t ff,
                         uint64_t lf, int enc)
{
    tls_summary *s = &c->sum;
    switch (type) {
    case TLS_CT_CHANGE_CIPHER_SPEC:
        on_ccs(c, di, p, n, ff, enc);
        break;
    case TLS_CT_ALERT:
        on_alert_bytes(c, di, p, n, ff, enc);
        break;
    case TLS_CT_HANDSHAKE:
        tls_hs_feed(c, di, p, n, ff, lf, enc);
        break;
    case TLS_CT_APPLICATION_DATA:
        if (!enc) {
            tls_note(c, "application data in the clear in %s (frame %llu)", tls_dir_name(di),
                     (unsigned long long)ff);
            break;
        }
        s->app_bytes[di] += n;
        if (n && c->cb.on_app_data)
            c->cb.on_app_data(c->ctx, di, p, n, ff, lf);
        break;
    case TLS_CT_HEARTBEAT:
        break;
    default:
        tls_note(c, "record of unknown inner content type %u in %s (frame %llu)", type,
                 tls_dir_name(di), (unsigned long long)ff);
    }
}

/* Encrypted content we cannot read: what its outer type still tells. */
static void handle_opaque(tls_conn *c, int di, uint8_t type, size_t len, uint64_t ff, uint64_t lf)
{
    tls_dir *d = &c->d[di];
    tls_summary *s = &c->sum;
    /* TLS <= 1.2 (a capture starting mid-stream shows an outer type other
     * than application data only before TLS 1.3): the outer type is real. */
    if (!c->tls13 && (d->ccs || c->midstream)) {
        if (type == TLS_CT_ALERT) {
            emit_alert(c, di, -1, -1, ff, 1, 0, 0);
        } else if (type == TLS_CT_HANDSHAKE && d->ccs && !d->encrypted_hs_after_ccs++) {
            /* The first handshake record after CCS is Finished. */
            tls_hs_info h = {TLS_HS_FINISHED, 0, NULL, ff, lf, 1, 1};
            tls_hs_finished(c, di);
            c->last_hs_dir = di;
            c->last_hs_type = TLS_HS_FINISHED;
            if (c->cb.on_handshake)
                c->cb.on_handshake(c->ctx, di, &h);
        } else if (type == TLS_CT_APPLICATION_DATA) {
            s->app_records_undecrypted[di]++;
        }
        return;
    }
    if (type != TLS_CT_APPLICATION_DATA)
        return;
    /* TLS 1.3 (or unknown version): the outer type says nothing. */
    size_t tag = d->cs ? tls_cipher_tag_len(d->cs)
                       : (c->suite ? tls_cipher_info_get(c->suite->cipher)->tag_len : 16);
    if (c->tls13 && !s->finished[di]) {
        s->handshake_hidden[di] = 1;
        tls_cert_presence *cp = di == TLS_DIR_CLIENT ? &s->client_cert : &s->server_cert;
        if (*cp == TLS_CERT_ABSENT)
            *cp = TLS_CERT_UNKNOWN;
    }
    if (c->tls13 && tag && len == 3 + tag)
        emit_alert(c, di, -1, -1, ff, 1, 0, 1); /* alert-sized: probably an alert */
    else
        s->app_records_undecrypted[di]++;
}

static int is_encrypted(tls_conn *c, int di, uint8_t type, const uint8_t *body, size_t len)
{
    tls_summary *s = &c->sum;
    /* Judged on the first record of a direction: later ones may continue
     * a hello fragmented across records. */
    if (!s->ch.seen && !s->sh.seen && !c->midstream && c->d[di].nrec == 0) {
        amt_cur cur = cur_make(body, len);
        unsigned first = cur_u8(&cur);
        int hello = type == TLS_CT_HANDSHAKE && len >= 4 && (first == 1 || first == 2);
        int alert = type == TLS_CT_ALERT && len == 2 && first >= 1 && first <= 2;
        if (!hello && !alert)
            c->midstream = 1; /* the capture began after the handshake */
    }
    if (c->midstream && !s->ch.seen && !s->sh.seen)
        return 1;
    if (c->tls13)
        return type == TLS_CT_APPLICATION_DATA;
    if (c->d[di].ccs)
        return 1;
    /* Application data before any ServerHello: TLS 1.3 early data. */
    return type == TLS_CT_APPLICATION_DATA && !s->sh.seen;
}

static void decrypt_record(tls_conn *c, int di, const uint8_t *body, uint64_t ff, uint64_t lf,
                           tls_record_info *ri)
{
    tls_dir *d = &c->d[di];
    uint8_t type = ri->type;
    uint16_t ver = ri->version;
    size_t len = ri->length;
    size_t n = 0;
    uint8_t inner = type;
    int r = tls_cipher_decrypt(d->cs, type, ver, body, len, c->scratch, &n, &inner);
    if (r != TLS_DEC_OK && d->phase == TLS13_PHASE_EARLY) {
        /* Not early data (any more): the client's handshake records. */
        tls13_to_handshake(c, di);
        if (d->cs)
            r = tls_cipher_decrypt(d->cs, type, ver, body, len, c->scratch, &n, &inner);
    }
    if (r == TLS_DEC_OK) {
        d->dec_ok_any = 1;
        d->trial = 0;
        ri->decrypted = 1;
        ri->inner_type = inner;
        ri->plain_len = n;
        tls_status_decrypted(c, c->dec_source[di]);
        if (c->cb.on_record)
            c->cb.on_record(c->ctx, di, ri);
        handle_plain(c, di, inner, c->scratch, n, ff, lf, 1);
        return;
    }
    if (d->trial && c->tls13 && di == TLS_DIR_CLIENT && c->sum.ch.early_data && !d->early_skipped++)
        tls_note(c, "TLS 1.3 early data (0-RTT) not decrypted: the key log has no "
                    "CLIENT_EARLY_TRAFFIC_SECRET for it");
    if (!d->trial) {
        tls_status_fail(c, r == TLS_DEC_MALFORMED ? TLS_KEY_MALFORMED : TLS_KEY_MAC_FAILURE,
                        "%s%s in %s record %llu (frame %llu): %s; decryption of this direction "
                        "stopped",
                        d->dec_ok_any ? "decrypted until a " : "decryption failed: ",
                        r == TLS_DEC_MALFORMED ? "malformed encrypted record"
                                               : "MAC/tag check failure",
                        tls_dir_name(di), (unsigned long long)d->nrec, (unsigned long long)ff,
                        r == TLS_DEC_MALFORMED ? "its length does not fit the cipher"
                                               : "wrong keys or corrupted data");
        tls_cipher_free(d->cs);
        d->cs = NULL;
    }
    if (c->cb.on_record)
        c->cb.on_record(c->ctx, di, ri);
    handle_opaque(c, di, type, len, ff, lf);
}

/* A record header, read through a cursor. */
typedef struct rec_hdr {
    uint8_t type;
    uint8_t major, minor;
    size_t len;
} rec_hdr;

static void handle_record(tls_conn *c, int di, const rec_hdr *h, const uint8_t *body, int enc,
                          uint64_t ff, uint64_t lf)
{
    tls_dir *d = &c->d[di];
    size_t len = h->len;
    tls_record_info ri = {
        .type = h->type,
        .version = (uint16_t)(h->major << 8 | h->minor),
        .length = (uint16_t)len,
        .index = d->nrec,
        .first_frame = ff,
        .last_frame = lf,
        .encrypted = enc,
        .inner_type = h->type,
    };
    c->sum.records[di]++;
    if (!enc) {
        ri.plain_len = len;
        if (c->cb.on_record)
            c->cb.on_record(c->ctx, di, &ri);
        handle_plain(c, di, h->type, body, len, ff, lf, 0);
        return;
    }
    if (d->cs) {
        decrypt_record(c, di, body, ff, lf, &ri);
        return;
    }
    if (c->cb.on_record)
        c->cb.on_record(c->ctx, di, &ri);
    handle_opaque(c, di, h->type, len, ff, lf);
}

/* An SSLv2-format ClientHello: 2-byte length with the top bit set, then
 * msg_type 1. */
static int sslv2_hello(const uint8_t *p, size_t n)
{
    amt_cur cur = cur_make(p, n);
    unsigned b0 = cur_u8(&cur);
    cur_u8(&cur);
    unsigned type = cur_u8(&cur);
    return !cur.err && (b0 & 0x80) && type == 1;
}

/* The SSLv2-format hello at the start of the client's stream: parsed
 * (tls_sslv2.c) and consumed as one record. Returns 1 when consumed, 0
 * when more bytes are needed, -1 when the direction stopped. */
static int consume_sslv2_hello(tls_conn *c, int di, const uint8_t *p, size_t avail)
{
    tls_dir *d = &c->d[di];
    size_t len = ((size_t)(p[0] & 0x7f) << 8) | p[1];
    if (avail < 2 + len)
        return 0;
    uint64_t ff, lf;
    frames_of(d, d->base + d->buf_pos, d->base + d->buf_pos + 2 + len, &ff, &lf);
    tls_record_info ri = {.type = TLS_CT_HANDSHAKE,
                          .version = 0x0002,
                          .length = (uint16_t)len,
                          .index = d->nrec,
                          .first_frame = ff,
                          .last_frame = lf,
                          .inner_type = TLS_CT_HANDSHAKE,
                          .plain_len = len};
    c->sum.records[di]++;
    if (c->cb.on_record)
        c->cb.on_record(c->ctx, di, &ri);
    if (di != TLS_DIR_CLIENT || tls_parse_sslv2_hello(c, p + 2, len, ff) < 0) {
        tls_dir_stop(c, di, "malformed SSLv2-format ClientHello (frame %llu): not parsed",
                     (unsigned long long)ff);
        tls_status_fail(c, TLS_KEY_MALFORMED, "not decrypted: malformed SSLv2-format hello");
        return -1;
    }
    if (c->cb.on_handshake) {
        tls_hs_info h = {TLS_HS_CLIENT_HELLO, (uint32_t)(len - 1), p + 3, ff, lf, 0, 0};
        c->cb.on_handshake(c->ctx, di, &h);
    }
    c->last_hs_dir = di;
    c->last_hs_type = TLS_HS_CLIENT_HELLO;
    d->nrec++;
    d->buf_pos += 2 + len;
    drop_marks(d, d->base + d->buf_pos);
    return 1;
}

int tls_dir_process(tls_conn *c, int di)
{
    tls_dir *d = &c->d[di];
    tls_dir *other = &c->d[!di];
    int progress = 0;
    while (!d->stopped) {
        const uint8_t *bytes = d->feed ? d->feed : d->buf->data;
        size_t avail = (d->feed ? d->feed_len : d->buf->len) - d->buf_pos;
        if (avail < 5)
            break; /* before p: an empty buffer's data may be NULL, and NULL + 0 is UB */
        const uint8_t *p = bytes + d->buf_pos;
        uint64_t at = d->base + d->buf_pos;
        if (d->nrec == 0 && at == 0 && sslv2_hello(p, avail)) {
            int r = consume_sslv2_hello(c, di, p, avail);
            if (r <= 0)
                break;
            progress = 1;
            continue;
        }
        amt_cur cur = cur_make(p, avail);
        rec_hdr h;
        h.type = (uint8_t)cur_u8(&cur);
        h.major = (uint8_t)cur_u8(&cur);
        h.minor = (uint8_t)cur_u8(&cur);
        h.len = cur_u16(&cur);
        uint8_t type = h.type;
        size_t len = h.len;
        if (type < TLS_CT_CHANGE_CIPHER_SPEC || type > TLS_CT_HEARTBEAT || h.major != 3 ||
            h.minor > 4) {
            tls_dir_stop(c, di,
                         "not a TLS record at stream offset %llu of %s (type %u, version "
                         "0x%02x%02x): the rest of this direction is not parsed",
                         (unsigned long long)at, tls_dir_name(di), type, h.major, h.minor);
            if (d->nrec)
                tls_status_fail(c, TLS_KEY_MALFORMED, "%s stopped at a malformed record",
                                tls_dir_name(di));
            break;
        }
        if (len > TLS_MAX_RECORD) {
            tls_dir_stop(c, di,
                         "record of %zu bytes at stream offset %llu of %s exceeds 2^14+2048: "
                         "malformed, the rest of this direction is not parsed",
                         len, (unsigned long long)at, tls_dir_name(di));
            tls_status_fail(c, TLS_KEY_MALFORMED, "%s stopped at an oversized record",
                            tls_dir_name(di));
            break;
        }
        const uint8_t *body = cur_take(&cur, len);
        if (!body)
            break; /* the rest of the record has not arrived */
        int may_wait = !c->ended && !other->stopped && avail <= TLS_MAX_STALL;
        /* A CCS before the ServerHello: TLS 1.3 compatibility or (fed out
         * of order) TLS 1.2; the ServerHello will tell. */
        if (type == TLS_CT_CHANGE_CIPHER_SPEC && !c->sum.sh.seen && !c->sum.hello_retry_request &&
            !c->midstream && may_wait) {
            d->stalled = 1;
            break;
        }
        int enc = is_encrypted(c, di, type, body, len);
        if (enc && !d->dec_done) {
            /* the record a choice between keys is tried on */
            c->probe.valid = 1;
            c->probe.type = type;
            c->probe.version = (uint16_t)(h.major << 8 | h.minor);
            c->probe.body = body;
            c->probe.len = len;
            tls_setup_result r = tls_setup_dir(c, di, may_wait);
            c->probe.valid = 0;
            if (r == TLS_SETUP_WAIT) {
                d->stalled = 1;
                break;
            }
            d->dec_done = 1;
        }
        d->stalled = 0;
        uint64_t ff, lf;
        frames_of(d, at, at + 5 + len, &ff, &lf);
        handle_record(c, di, &h, body, enc, ff, lf);
        d->nrec++;
        d->buf_pos += 5 + len;
        progress = 1;
        drop_marks(d, d->base + d->buf_pos);
    }
    if (!d->feed && d->buf_pos && (d->buf_pos == d->buf->len || d->buf_pos > 65536)) {
        g_byte_array_remove_range(d->buf, 0, (guint)d->buf_pos);
        d->base += d->buf_pos;
        d->buf_pos = 0;
    }
    return progress;
}
