/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the TLS layer (tls/tls.h): records, handshake messages, key
 * derivation and decryption of both directions of a connection.
 *
 * Input: an options byte (bit 0: no key log; bit 1: the samples' RSA key;
 * bit 2: no tls_conn_end), then chunks, each a control byte, a 16-bit
 * big-endian length and the bytes. Control: bit 0 the direction (0 client
 * to server), bit 1 a gap in that direction after the chunk, bit 2 the
 * chunk starts a new connection (same keys: the session cache carries
 * over, so resumption runs), high nibble n: feed in pieces of 3n bytes.
 *
 * The keys are fixed: the key logs of every sample (make_seeds.py writes
 * them to tls-keylog.txt), so the seeds taken from the samples decrypt and
 * mutations reach the record decryption, the decrypted handshake and the
 * application data paths. */
#include "fuzz_common.h"
#include "tls/tls.h"

#define MAX_CHUNKS 1024
#define MAX_CONNS 4

static char *keylog;
static size_t keylog_len;
static char *rsa_path;

/* A client random nobody uses: a well-formed line for when the data
 * directory is missing, so the key log paths still run. */
static const char fallback_keylog[] =
    "CLIENT_RANDOM 0000000000000000000000000000000000000000000000000000000000000000 "
    "000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char *path = fz_data_path("tls-keylog.txt");
    gsize len = 0;
    if (!path || !g_file_get_contents(path, &keylog, &len, NULL)) {
        fprintf(stderr, "fuzz_tls: no %s: using a built-in key log\n", path ? path : "data dir");
        keylog = g_strdup(fallback_keylog);
        len = strlen(keylog);
    }
    keylog_len = len;
    g_free(path);
    rsa_path = fz_data_path("rsa-0.pem");
    if (rsa_path && !g_file_test(rsa_path, G_FILE_TEST_EXISTS)) {
        g_free(rsa_path);
        rsa_path = NULL;
    }
    return 0;
}

static void on_record(void *ctx, int dir, const tls_record_info *r)
{
    (void)ctx;
    FZ_CHECK(dir == 0 || dir == 1);
    FZ_CHECK(!r->decrypted || r->encrypted);
    FZ_CHECK(r->first_frame <= r->last_frame);
}

static void on_handshake(void *ctx, int dir, const tls_hs_info *h)
{
    (void)ctx;
    FZ_CHECK(dir == 0 || dir == 1);
    if (h->body)
        fz_touch(h->body, h->length);
    fz_str(tls_hs_name(h->type), 64);
}

static void on_alert(void *ctx, int dir, const tls_alert_info *a)
{
    (void)ctx;
    FZ_CHECK(dir == 0 || dir == 1);
    fz_str(tls_alert_name(a->desc), 64);
}

static void on_app_data(void *ctx, int dir, const uint8_t *plain, size_t len, uint64_t first_frame,
                        uint64_t last_frame)
{
    (void)ctx;
    FZ_CHECK(dir == 0 || dir == 1);
    FZ_CHECK(first_frame <= last_frame);
    fz_touch(plain, len);
}

static void touch_list(const tls_u16_list *l)
{
    FZ_CHECK(l->n == 0 || l->v);
    fz_touch(l->v, l->n * sizeof *l->v);
}

static void touch_blobs(const tls_blob_list *l)
{
    FZ_CHECK(l->n == 0 || l->v);
    for (size_t i = 0; i < l->n; i++)
        fz_touch(l->v[i].data, l->v[i].len);
}

/* Everything the summary holds is read, so a dangling or short buffer in it
 * is found here rather than in the report that would print it. */
static void check_summary(const tls_summary *s)
{
    FZ_CHECK(s->ch.session_id_len <= 32 && s->sh.session_id_len <= 32);
    touch_list(&s->ch.versions);
    touch_list(&s->ch.suites);
    touch_list(&s->ch.extensions);
    touch_list(&s->ch.groups);
    touch_list(&s->ch.key_share_groups);
    touch_list(&s->ch.sig_algs);
    fz_str(s->ch.sni, 1 << 16);
    for (char **a = s->ch.alpn; a && *a; a++)
        fz_str(*a, 1 << 16);
    touch_list(&s->sh.extensions);
    fz_str(s->sh.alpn, 1 << 16);
    touch_list(&s->ee_extensions);
    FZ_CHECK(s->suite_name);
    fz_str(s->suite_name, 256);
    touch_blobs(&s->server_certs);
    touch_blobs(&s->client_certs);
    fz_touch(s->cert_request.cert_types.data, s->cert_request.cert_types.len);
    touch_list(&s->cert_request.sig_algs);
    touch_blobs(&s->cert_request.authorities);
    FZ_CHECK(s->n_alerts == 0 || s->alerts);
    fz_touch(s->alerts, s->n_alerts * sizeof *s->alerts);
    fz_str(s->key_status_text, sizeof s->key_status_text);
    FZ_CHECK(s->key_status_text[0]);
    fz_str(s->key_source, sizeof s->key_source);
    fz_str(tls_key_status_name(s->key_status), 64);
    fz_str(tls_version_name(s->version), 64);
    for (int d = 0; d < 2; d++)
        fz_str(s->dir_error[d], 1 << 16);
    for (size_t i = 0; i < s->n_notes; i++) {
        FZ_CHECK(s->notes && s->notes[i]);
        fz_str(s->notes[i], 1 << 16);
    }
}

static void finish(tls_conn *c, int end)
{
    if (end)
        tls_conn_end(c);
    check_summary(tls_conn_summary(c));
    tls_conn_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    uint8_t options;
    if (!fz_u8(&in, &options))
        return 0;
    tls_keys *keys = tls_keys_new();
    FZ_CHECK(keys);
    if (!(options & 1)) {
        unsigned bad = 0, first_bad = 0;
        FZ_CHECK(tls_keys_add_keylog(keys, keylog, keylog_len, "keylog.txt", &bad, &first_bad) >=
                 0);
    }
    if ((options & 2) && rsa_path) {
        amt_err e;
        if (tls_keys_add_rsa_file(keys, rsa_path, NULL, &e) != AMT_OK)
            fprintf(stderr, "fuzz_tls: %s\n", e.msg);
    }
    int end = !(options & 4);

    static const tls_callbacks cb = {on_record, on_handshake, on_alert, on_app_data};
    tls_conn *c = tls_conn_new(keys, &cb, NULL);
    int conns = 1;
    uint64_t frame = 1;
    for (int i = 0; i < MAX_CHUNKS && in.n >= 3; i++, frame++) {
        uint8_t ctl;
        uint16_t want;
        fz_u8(&in, &ctl);
        fz_u16(&in, &want);
        size_t len;
        const uint8_t *chunk = fz_take(&in, want, &len);
        if ((ctl & 4) && conns < MAX_CONNS) {
            finish(c, end);
            c = tls_conn_new(keys, &cb, NULL);
            conns++;
        }
        int dir = ctl & 1;
        FZ_CHECK(tls_looks_like(chunk, len) >= -1);
        size_t piece = (size_t)(ctl >> 4) * 3;
        size_t off = 0;
        do { /* an empty chunk is fed too: a zero-length feed is legal */
            size_t n = piece && piece < len - off ? piece : len - off;
            /* Each piece is fed from a buffer of its own size, so that a
             * read past what was fed is caught. */
            uint8_t *copy = malloc(n ? n : 1);
            FZ_CHECK(copy);
            memcpy(copy, chunk + off, n);
            tls_conn_feed(c, dir, copy, n, frame, frame);
            free(copy);
            off += n;
        } while (off < len);
        if (ctl & 2)
            tls_conn_gap(c, dir);
    }
    finish(c, end);
    tls_keys_free(keys);
    return 0;
}
