/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TLS layer against the samples: each capture is read with libpcap,
 * its TCP streams put in order by a minimal reassembler (enough for the
 * simulator's captures, pathologies included: a lost segment becomes
 * tls_conn_gap), and fed to tls_conn with the sample's keys. What the layer
 * reports is compared with expected.json (version, suite, certificate
 * request, handshake outcome, alerts, decryptability) for every sample, and
 * the facts the diagnosis depends on are checked in detail for a few. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pcap/pcap.h>
#include "tls/tls.h"

#ifndef AMTDIAG_SAMPLES_DIR
#error AMTDIAG_SAMPLES_DIR must name the samples folder
#endif

/* ---- a minimal TCP reassembler ------------------------------------------ */

typedef struct seg {
    uint32_t seq;
    GByteArray *data;
    uint64_t frame;
} seg;

typedef struct flow {
    char addr[2][80]; /* "ip:port" of client and server */
    uint8_t ip[2][16];
    int iplen;
    uint16_t port[2];
    uint32_t next[2];
    int synced[2];
    GPtrArray *ooo[2];
    int gap[2];
    tls_conn *tls;
    int not_tls;
    GArray *alerts; /* tls_alert_info in the order reported */
    GByteArray *app[2];
} flow;

typedef struct capture {
    GPtrArray *flows;
    tls_keys *keys;
} capture;

static void seg_free(gpointer p)
{
    seg *s = p;
    g_byte_array_free(s->data, TRUE);
    g_free(s);
}

static void on_alert(void *ctx, int dir, const tls_alert_info *a)
{
    (void)dir;
    g_array_append_val(((flow *)ctx)->alerts, *a);
}

static void on_app(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t ff, uint64_t lf)
{
    (void)ff;
    (void)lf;
    flow *f = ctx;
    if (f->app[dir]->len < 4096)
        g_byte_array_append(f->app[dir], p, (guint)n);
}

static const tls_callbacks cbs = {NULL, NULL, on_alert, on_app};

static void deliver(capture *cap, flow *f, int dir, const uint8_t *p, size_t n, uint64_t frame)
{
    if (!n || f->gap[dir])
        return;
    if (!f->tls && !f->not_tls) {
        if (tls_looks_like(p, n) == 1) {
            f->tls = tls_conn_new(cap->keys, &cbs, f);
            tls_conn_set_id(f->tls, cap->flows->len);
        } else {
            f->not_tls = 1;
        }
    }
    if (f->tls)
        tls_conn_feed(f->tls, dir, p, n, frame, frame);
}

static int32_t seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

static void tcp_data(capture *cap, flow *f, int dir, uint32_t seq, const uint8_t *p, size_t n,
                     uint64_t frame)
{
    if (!n)
        return; /* a bare ACK or FIN: no data (and a FIN's seq would look like a hole) */
    if (!f->synced[dir]) {
        f->next[dir] = seq; /* the capture started mid-stream */
        f->synced[dir] = 1;
    }
    int32_t d = seq_diff(seq, f->next[dir]);
    if (d > 0) {
        seg *s = g_new0(seg, 1);
        s->seq = seq;
        s->data = g_byte_array_new();
        g_byte_array_append(s->data, p, (guint)n);
        s->frame = frame;
        g_ptr_array_add(f->ooo[dir], s);
        return;
    }
    if ((size_t)-d >= n)
        return; /* a retransmission */
    deliver(cap, f, dir, p - d, n + d, frame);
    f->next[dir] += (uint32_t)(n + d);
    /* Earlier out-of-order segments that now fit. */
    for (int moved = 1; moved;) {
        moved = 0;
        for (guint i = 0; i < f->ooo[dir]->len; i++) {
            seg *s = g_ptr_array_index(f->ooo[dir], i);
            int32_t sd = seq_diff(s->seq, f->next[dir]);
            if (sd > 0)
                continue;
            if ((guint)-sd < s->data->len) {
                deliver(cap, f, dir, s->data->data - sd, s->data->len + sd, s->frame);
                f->next[dir] += (uint32_t)(s->data->len + sd);
            }
            g_ptr_array_remove_index(f->ooo[dir], i);
            moved = 1;
            break;
        }
    }
}

static flow *find_flow(capture *cap, const uint8_t *src, const uint8_t *dst, int iplen, uint16_t sp,
                       uint16_t dp, int *dir)
{
    for (guint i = cap->flows->len; i-- > 0;) {
        flow *f = g_ptr_array_index(cap->flows, i);
        if (f->iplen != iplen)
            continue;
        for (int d = 0; d < 2; d++)
            if (!memcmp(f->ip[d], src, iplen) && !memcmp(f->ip[!d], dst, iplen) &&
                f->port[d] == sp && f->port[!d] == dp) {
                *dir = d;
                return f;
            }
    }
    return NULL;
}

static flow *new_flow(capture *cap, const uint8_t *cli, const uint8_t *srv, int iplen, uint16_t cp,
                      uint16_t sp)
{
    flow *f = g_new0(flow, 1);
    memcpy(f->ip[0], cli, iplen);
    memcpy(f->ip[1], srv, iplen);
    f->iplen = iplen;
    f->port[0] = cp;
    f->port[1] = sp;
    for (int d = 0; d < 2; d++) {
        char ip[64];
        inet_ntop(iplen == 4 ? AF_INET : AF_INET6, f->ip[d], ip, sizeof(ip));
        snprintf(f->addr[d], sizeof(f->addr[d]), iplen == 4 ? "%s:%u" : "[%s]:%u", ip, f->port[d]);
        f->ooo[d] = g_ptr_array_new_with_free_func(seg_free);
        f->app[d] = g_byte_array_new();
    }
    f->alerts = g_array_new(FALSE, FALSE, sizeof(tls_alert_info));
    g_ptr_array_add(cap->flows, f);
    return f;
}

static void packet(capture *cap, const uint8_t *p, size_t n, uint64_t frame)
{
    if (n < 14)
        return;
    unsigned et = p[12] << 8 | p[13];
    p += 14;
    n -= 14;
    const uint8_t *src, *dst;
    int iplen;
    size_t hl;
    if (et == 0x0800 && n >= 20 && p[9] == 6) {
        hl = (p[0] & 15) * 4u;
        size_t tot = (size_t)p[2] << 8 | p[3];
        if (tot < n)
            n = tot;
        src = p + 12;
        dst = p + 16;
        iplen = 4;
    } else if (et == 0x86dd && n >= 40 && p[6] == 6) {
        hl = 40;
        size_t pl = (size_t)p[4] << 8 | p[5];
        if (pl + 40 < n)
            n = pl + 40;
        src = p + 8;
        dst = p + 24;
        iplen = 16;
    } else {
        return;
    }
    if (n < hl + 20)
        return;
    const uint8_t *t = p + hl;
    size_t tl = n - hl;
    uint16_t sp = (uint16_t)(t[0] << 8 | t[1]), dp = (uint16_t)(t[2] << 8 | t[3]);
    uint32_t seq = (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 | (uint32_t)t[6] << 8 | t[7];
    size_t off = (t[12] >> 4) * 4u;
    uint8_t flags = t[13];
    if (off > tl)
        return;
    int dir = 0;
    flow *f = find_flow(cap, src, dst, iplen, sp, dp, &dir);
    if ((flags & 0x12) == 0x02) { /* SYN */
        if (!f || f->synced[0]) {
            f = new_flow(cap, src, dst, iplen, sp, dp);
            dir = 0;
        }
        f->next[0] = seq + 1;
        f->synced[0] = 1;
        return;
    }
    if (!f) {
        /* Mid-stream: guess that the side with the lower port is the server. */
        if (sp < dp) {
            f = new_flow(cap, dst, src, iplen, dp, sp);
            dir = 1;
        } else {
            f = new_flow(cap, src, dst, iplen, sp, dp);
        }
    }
    if ((flags & 0x12) == 0x12) {
        f->next[dir] = seq + 1;
        f->synced[dir] = 1;
        return;
    }
    tcp_data(cap, f, dir, seq, t + off, tl - off, frame);
}

/* Ends every flow: still missing segments are gaps. */
static void finish(capture *cap)
{
    for (guint i = 0; i < cap->flows->len; i++) {
        flow *f = g_ptr_array_index(cap->flows, i);
        for (int d = 0; d < 2; d++) {
            if (f->ooo[d]->len && f->tls) {
                tls_conn_gap(f->tls, d);
                f->gap[d] = 1;
            }
        }
        if (f->tls)
            tls_conn_end(f->tls);
    }
}

static void flow_free(gpointer p)
{
    flow *f = p;
    tls_conn_free(f->tls);
    for (int d = 0; d < 2; d++) {
        g_ptr_array_free(f->ooo[d], TRUE);
        g_byte_array_free(f->app[d], TRUE);
    }
    g_array_free(f->alerts, TRUE);
    g_free(f);
}

static int read_capture(capture *cap, const char *path)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, errbuf);
    if (!pc)
        return -1;
    if (pcap_datalink(pc) != DLT_EN10MB) {
        pcap_close(pc);
        return -1;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t frame = 0;
    while (pcap_next_ex(pc, &h, &data) == 1)
        packet(cap, data, h->caplen, ++frame);
    pcap_close(pc);
    finish(cap);
    return 0;
}

/* The key log of pcapng Decryption Secrets Blocks ('TLSK'). */
static GString *pcapng_dsb(const char *path)
{
    gchar *buf;
    gsize len;
    if (!g_file_get_contents(path, &buf, &len, NULL))
        return NULL;
    const uint8_t *p = (const uint8_t *)buf;
    GString *out = NULL;
    int le = len >= 12 && p[8] == 0x4d; /* byte-order magic 1A2B3C4D little-endian */
#define U32(q)                                                                                     \
    (le ? (uint32_t)(q)[0] | (uint32_t)(q)[1] << 8 | (uint32_t)(q)[2] << 16 |                      \
              (uint32_t)(q)[3] << 24                                                               \
        : (uint32_t)(q)[3] | (uint32_t)(q)[2] << 8 | (uint32_t)(q)[1] << 16 |                      \
              (uint32_t)(q)[0] << 24)
    for (size_t off = 0; off + 12 <= len;) {
        uint32_t type = U32(p + off), blen = U32(p + off + 4);
        if (blen < 12 || blen > len - off)
            break;
        if (type == 0x0000000A && blen >= 16) {
            uint32_t stype = U32(p + off + 8), slen = U32(p + off + 12);
            if (stype == 0x544c534b && slen <= blen - 16) {
                if (!out)
                    out = g_string_new(NULL);
                g_string_append_len(out, buf + off + 16, slen);
            }
        }
        off += blen;
    }
#undef U32
    g_free(buf);
    return out;
}

static void capture_free(capture *cap)
{
    g_ptr_array_free(cap->flows, TRUE);
    tls_keys_free(cap->keys);
}

/* Loads a sample's capture and keys: keylog.txt, amt-key.pem, or the DSB
 * instead of keylog.txt when dsb is set. */
static int load_sample(capture *cap, const char *dir, JsonObject *exp, int dsb)
{
    cap->flows = g_ptr_array_new_with_free_func(flow_free);
    cap->keys = tls_keys_new();
    JsonObject *keys = json_object_get_object_member(exp, "keys");
    const char *capname = json_object_get_string_member(exp, "capture");
    char *cpath = g_build_filename(dir, capname, NULL);
    if (dsb) {
        GString *kl = pcapng_dsb(cpath);
        assert_non_null(kl);
        unsigned bad = 1;
        assert_true(tls_keys_add_keylog(cap->keys, kl->str, kl->len, "pcapng DSB", &bad, NULL) > 0);
        assert_int_equal(bad, 0);
        g_string_free(kl, TRUE);
    } else if (keys && !json_object_get_null_member(keys, "keylog")) {
        char *kp = g_build_filename(dir, json_object_get_string_member(keys, "keylog"), NULL);
        gchar *text;
        gsize len;
        if (g_file_get_contents(kp, &text, &len, NULL)) {
            tls_keys_add_keylog(cap->keys, text, len, "keylog.txt", NULL, NULL);
            g_free(text);
        }
        g_free(kp);
    }
    if (keys && json_object_has_member(keys, "rsa_key") &&
        !json_object_get_null_member(keys, "rsa_key")) {
        char *kp = g_build_filename(dir, json_object_get_string_member(keys, "rsa_key"), NULL);
        assert_int_equal(tls_keys_add_rsa_file(cap->keys, kp, NULL, NULL), 0);
        g_free(kp);
    }
    int r = read_capture(cap, cpath);
    g_free(cpath);
    return r;
}

static flow *flow_by_addr(capture *cap, const char *cli, const char *srv)
{
    for (guint i = 0; i < cap->flows->len; i++) {
        flow *f = g_ptr_array_index(cap->flows, i);
        if (!strcmp(f->addr[0], cli) && !strcmp(f->addr[1], srv))
            return f;
    }
    return NULL;
}

static JsonParser *load_expected(const char *dir)
{
    char *p = g_build_filename(dir, "expected.json", NULL);
    JsonParser *jp = json_parser_new();
    gboolean ok = json_parser_load_from_file(jp, p, NULL);
    g_free(p);
    if (!ok) {
        g_object_unref(jp);
        return NULL;
    }
    return jp;
}

/* ---- the generic comparison with expected.json -------------------------- */

/* AMTDIAG_TLS_DUMP=1 prints each connection's summary (for debugging). */
static void dump(const char *name, const flow *f)
{
    const tls_summary *s = tls_conn_summary(f->tls);
    print_message("%s %s -> %s: %s %s ch=%d sh=%d reneg_info=%d/%d scsv=%d ems=%d/%d etm=%d/%d "
                  "sni=%s ske=%d cr=%d(cas %zu) scert=%d(%zu) ccert=%d(%zu) cv=%d/%d fin=%d/%d "
                  "complete=%d resumed=%d\n",
                  name, f->addr[0], f->addr[1], tls_version_name(s->version), s->suite_name,
                  s->ch.seen, s->sh.seen, s->ch.reneg_info, s->sh.reneg_info, s->ch.reneg_scsv,
                  s->ch.ems, s->sh.ems, s->ch.etm, s->sh.etm, s->ch.sni ? s->ch.sni : "-",
                  s->server_key_exchange, s->cert_request.seen, s->cert_request.authorities.n,
                  s->server_cert, s->server_certs.n, s->client_cert, s->client_certs.n,
                  s->cert_verify[0], s->cert_verify[1], s->finished[0], s->finished[1],
                  s->handshake_complete, s->resumed);
    for (size_t i = 0; i < s->n_alerts; i++) {
        const tls_alert_info *a = &s->alerts[i];
        print_message("   alert %s %d/%d (%s) frame %llu enc=%d dec=%d after %s %s\n",
                      a->dir ? "server" : "client", a->level, a->desc,
                      a->desc >= 0 ? tls_alert_name(a->desc) : "?", (unsigned long long)a->frame,
                      a->encrypted, a->decrypted,
                      a->after_hs_dir < 0 ? "-"
                      : a->after_hs_dir   ? "server"
                                          : "client",
                      a->after_hs_type < 0 ? "-" : tls_hs_name(a->after_hs_type));
    }
    print_message("   keys: %s: %s; app %llu/%llu bytes\n", tls_key_status_name(s->key_status),
                  s->key_status_text, (unsigned long long)s->app_bytes[0],
                  (unsigned long long)s->app_bytes[1]);
    for (size_t i = 0; i < s->n_notes; i++)
        print_message("   note: %s\n", s->notes[i]);
    for (int d = 0; d < 2; d++)
        if (s->dir_error[d])
            print_message("   stopped: %s\n", s->dir_error[d]);
}

static int check_connection(const char *name, flow *f, JsonObject *c)
{
    int bad = 0;
    gint64 id = json_object_get_int_member(c, "id");
#define MISMATCH(...)                                                                              \
    do {                                                                                           \
        print_message("%s #%d: ", name, (int)id);                                                  \
        print_message(__VA_ARGS__);                                                                \
        print_message("\n");                                                                       \
        bad++;                                                                                     \
    } while (0)
    JsonNode *tn = json_object_get_member(c, "tls");
    int expect_tls = tn && !JSON_NODE_HOLDS_NULL(tn);
    if (!expect_tls) {
        if (f && f->tls)
            MISMATCH("classified as TLS but expected plain");
        return bad;
    }
    if (!f || !f->tls) {
        MISMATCH("TLS connection not found or not classified as TLS");
        return bad;
    }
    const tls_summary *s = tls_conn_summary(f->tls);
    if (getenv("AMTDIAG_TLS_DUMP"))
        dump(name, f);
    JsonObject *t = json_node_get_object(tn);
    const char *hs = json_object_get_string_member(t, "handshake");
    int decryptable = json_object_get_boolean_member(c, "decryptable");
    if (!strcmp(hs, "complete") != !!s->handshake_complete && decryptable)
        MISMATCH("handshake %s but complete=%d", hs, s->handshake_complete);
    if (json_object_has_member(t, "version") &&
        strcmp(json_object_get_string_member(t, "version"), tls_version_name(s->version)) &&
        s->sh.seen)
        MISMATCH("version %s, got %s", json_object_get_string_member(t, "version"),
                 tls_version_name(s->version));
    if (json_object_has_member(t, "cipher") && s->sh.seen) {
        const char *on = tls_suite_openssl_name(s->suite);
        if (!on || strcmp(on, json_object_get_string_member(t, "cipher")))
            MISMATCH("cipher %s, got %s", json_object_get_string_member(t, "cipher"),
                     on ? on : "?");
    }
    if (json_object_has_member(t, "certificate_request") && (decryptable || s->version < 0x0304) &&
        !json_object_get_boolean_member(t, "certificate_request") != !s->cert_request.seen)
        MISMATCH("certificate_request mismatch");
    if (json_object_has_member(t, "client_certificate") && !strcmp(hs, "complete") &&
        !strcmp(json_object_get_string_member(t, "client_certificate"), "sent") !=
            (s->client_cert == TLS_CERT_SENT))
        MISMATCH("client_certificate %s, got %d",
                 json_object_get_string_member(t, "client_certificate"), s->client_cert);
    /* decryptable: the capture holds what decryption needs (a failed
     * handshake may have nothing encrypted at all) */
    if (decryptable
            ? s->key_status != TLS_KEY_DECRYPTED && s->key_status != TLS_KEY_NOTHING_ENCRYPTED
            : s->key_status == TLS_KEY_DECRYPTED)
        MISMATCH("decryptable=%d but key status %s: %s", decryptable,
                 tls_key_status_name(s->key_status), s->key_status_text);
    JsonArray *al = json_object_get_array_member(c, "alerts");
    guint na = json_array_get_length(al);
    if (na != f->alerts->len || na != s->n_alerts)
        MISMATCH("%u alerts expected, %u reported", na, f->alerts->len);
    for (guint i = 0; i < na && i < f->alerts->len; i++) {
        JsonObject *a = json_array_get_object_element(al, i);
        const tls_alert_info *g = &g_array_index(f->alerts, tls_alert_info, i);
        int from_server = !strcmp(json_object_get_string_member(a, "from"), "server");
        if (from_server != (g->dir == TLS_DIR_SERVER))
            MISMATCH("alert %u from the wrong side", i);
        if (g->level >= 0 && (g->level != json_object_get_int_member(a, "level") ||
                              g->desc != json_object_get_int_member(a, "desc")))
            MISMATCH("alert %u is %d/%d", i, g->level, g->desc);
        if (decryptable && g->level < 0)
            MISMATCH("alert %u not decrypted", i);
    }
    return bad;
#undef MISMATCH
}

static int check_sample(const char *dir, const char *name)
{
    JsonParser *jp = load_expected(dir);
    if (!jp)
        return 0;
    JsonObject *exp = json_node_get_object(json_parser_get_root(jp));
    capture cap;
    int bad = 0;
    if (load_sample(&cap, dir, exp, 0) == 0) {
        JsonArray *conns = json_object_get_array_member(exp, "connections");
        for (guint i = 0; i < json_array_get_length(conns); i++) {
            JsonObject *c = json_array_get_object_element(conns, i);
            flow *f = flow_by_addr(&cap, json_object_get_string_member(c, "client"),
                                   json_object_get_string_member(c, "server"));
            bad += check_connection(name, f, c);
        }
    } else {
        print_message("%s: capture not readable\n", name);
        bad++;
    }
    capture_free(&cap);
    g_object_unref(jp);
    return bad;
}

static void t_all_samples_match_expected(void **st)
{
    (void)st;
    int bad = 0, n = 0;
    const char *sub[] = {"", "recorded-on-loopback"};
    for (size_t k = 0; k < G_N_ELEMENTS(sub); k++) {
        char *root = g_build_filename(AMTDIAG_SAMPLES_DIR, sub[k], NULL);
        GDir *d = g_dir_open(root, 0, NULL);
        const char *e;
        while (d && (e = g_dir_read_name(d))) {
            char *dir = g_build_filename(root, e, NULL);
            char *ej = g_build_filename(dir, "expected.json", NULL);
            if (g_file_test(ej, G_FILE_TEST_EXISTS)) {
                bad += check_sample(dir, e);
                n++;
            }
            g_free(ej);
            g_free(dir);
        }
        if (d)
            g_dir_close(d);
        g_free(root);
    }
    print_message("%d samples compared\n", n);
    assert_true(n > 0);
    assert_int_equal(bad, 0);
}

/* ---- the facts behind specific diagnoses -------------------------------- */

typedef struct one {
    JsonParser *jp;
    capture cap;
    flow *f;
    const tls_summary *s;
} one;

static void open_one(one *o, const char *sample, int conn_index, int dsb)
{
    char *dir = g_build_filename(AMTDIAG_SAMPLES_DIR, sample, NULL);
    o->jp = load_expected(dir);
    assert_non_null(o->jp);
    JsonObject *exp = json_node_get_object(json_parser_get_root(o->jp));
    assert_int_equal(load_sample(&o->cap, dir, exp, dsb), 0);
    JsonObject *c = json_array_get_object_element(json_object_get_array_member(exp, "connections"),
                                                  (guint)conn_index);
    o->f = flow_by_addr(&o->cap, json_object_get_string_member(c, "client"),
                        json_object_get_string_member(c, "server"));
    assert_non_null(o->f);
    assert_non_null(o->f->tls);
    o->s = tls_conn_summary(o->f->tls);
    g_free(dir);
}

static void close_one(one *o)
{
    capture_free(&o->cap);
    g_object_unref(o->jp);
}

static GBytes *root_ca_dn(const char *sample)
{
    char *p = g_build_filename(AMTDIAG_SAMPLES_DIR, sample, "root-ca.pem", NULL);
    FILE *fp = fopen(p, "r");
    g_free(p);
    assert_non_null(fp);
    X509 *x = PEM_read_X509(fp, NULL, NULL, NULL);
    fclose(fp);
    assert_non_null(x);
    unsigned char *der = NULL;
    int n = i2d_X509_NAME(X509_get_subject_name(x), &der);
    GBytes *b = g_bytes_new(der, (gsize)n);
    OPENSSL_free(der);
    X509_free(x);
    return b;
}

static void t_mtls_no_amt_console_eku(void **st)
{
    (void)st;
    one o;
    open_one(&o, "mtls-no-amt-console-eku", 0, 0);
    const tls_summary *s = o.s;
    assert_true(s->cert_request.seen);
    assert_int_equal(s->cert_request.authorities.n, 1);
    GBytes *dn = root_ca_dn("mtls-no-amt-console-eku");
    assert_int_equal(s->cert_request.authorities.v[0].len, g_bytes_get_size(dn));
    assert_memory_equal(s->cert_request.authorities.v[0].data, g_bytes_get_data(dn, NULL),
                        g_bytes_get_size(dn));
    g_bytes_unref(dn);
    assert_int_equal(s->client_cert, TLS_CERT_SENT);
    assert_true(s->client_certs.n >= 1);
    assert_true(s->cert_verify[TLS_DIR_CLIENT]);
    assert_true(s->finished[TLS_DIR_CLIENT]);
    assert_false(s->finished[TLS_DIR_SERVER]);
    assert_false(s->handshake_complete);
    assert_true(s->server_key_exchange);
    assert_int_equal(s->n_alerts, 1);
    assert_int_equal(s->alerts[0].dir, TLS_DIR_SERVER);
    assert_int_equal(s->alerts[0].level, 2);
    assert_int_equal(s->alerts[0].desc, 43);
    assert_int_equal(s->alerts[0].after_hs_dir, TLS_DIR_CLIENT);
    assert_int_equal(s->alerts[0].after_hs_type, TLS_HS_FINISHED);
    assert_int_equal(s->key_status, TLS_KEY_DECRYPTED);
    close_one(&o);
}

static void t_legacy_renegotiation_refused(void **st)
{
    (void)st;
    one o;
    open_one(&o, "legacy-renegotiation-refused", 0, 0);
    const tls_summary *s = o.s;
    assert_true(s->sh.seen);
    assert_false(s->sh.reneg_info);
    assert_true(s->ch.reneg_info || s->ch.reneg_scsv);
    assert_int_equal(s->n_alerts, 1);
    assert_int_equal(s->alerts[0].dir, TLS_DIR_CLIENT);
    assert_int_equal(s->alerts[0].level, 2);
    assert_int_equal(s->alerts[0].desc, 40);
    assert_false(s->alerts[0].encrypted);
    assert_int_equal(s->alerts[0].after_hs_dir, TLS_DIR_SERVER);
    assert_int_equal(s->alerts[0].after_hs_type, TLS_HS_SERVER_HELLO_DONE);
    close_one(&o);
}

static void t_tls_version_mismatch(void **st)
{
    (void)st;
    one o;
    open_one(&o, "tls-version-mismatch", 0, 0);
    const tls_summary *s = o.s;
    assert_true(s->ch.seen);
    assert_false(s->sh.seen);
    assert_int_equal(s->n_alerts, 1);
    assert_int_equal(s->alerts[0].dir, TLS_DIR_SERVER);
    assert_int_equal(s->alerts[0].desc, 70);
    assert_int_equal(s->alerts[0].after_hs_dir, TLS_DIR_CLIENT);
    assert_int_equal(s->alerts[0].after_hs_type, TLS_HS_CLIENT_HELLO);
    assert_true(s->ch.versions.n == 0 || s->ch.versions.v[0] >= TLS_VERSION_1_2);
    assert_int_equal(s->key_status, TLS_KEY_NOTHING_ENCRYPTED);
    close_one(&o);
}

static void t_static_rsa_with_key_file(void **st)
{
    (void)st;
    static const struct {
        const char *sample;
        uint16_t version;
    } cases[] = {{"ok-tls12-rsa-aes128-gcm", TLS_VERSION_1_2},
                 {"ok-tls10-rsa-aes128-cbc-sha", TLS_VERSION_1_0}};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        one o;
        open_one(&o, cases[i].sample, 1, 0);
        /* again with the RSA key alone */
        tls_keys *k = tls_keys_new();
        char *kp = g_build_filename(AMTDIAG_SAMPLES_DIR, cases[i].sample, "amt-key.pem", NULL);
        assert_int_equal(tls_keys_add_rsa_file(k, kp, NULL, NULL), 0);
        g_free(kp);
        tls_keys_free(o.cap.keys);
        o.cap.keys = k;
        g_ptr_array_set_size(o.cap.flows, 0);
        char *cpath =
            g_build_filename(AMTDIAG_SAMPLES_DIR, cases[i].sample, "capture.pcapng", NULL);
        assert_int_equal(read_capture(&o.cap, cpath), 0);
        g_free(cpath);
        flow *f = g_ptr_array_index(o.cap.flows, 1);
        const tls_summary *s = tls_conn_summary(f->tls);
        assert_int_equal(s->version, cases[i].version);
        assert_false(s->server_key_exchange);
        assert_int_equal(s->key_status, TLS_KEY_DECRYPTED);
        assert_string_equal(s->key_source, "RSA key amt-key.pem");
        assert_true(f->app[0]->len > 11);
        assert_memory_equal(f->app[0]->data, "POST /wsman", 11);
        close_one(&o);
    }
}

static void t_tls13_sample(void **st)
{
    (void)st;
    one o;
    open_one(&o, "ok-tls13", 1, 0);
    const tls_summary *s = o.s;
    assert_int_equal(s->version, TLS_VERSION_1_3);
    assert_int_equal(s->suite, 0x1302);
    assert_int_equal(s->key_status, TLS_KEY_DECRYPTED);
    assert_int_equal(s->server_cert, TLS_CERT_SENT); /* from the decrypted handshake */
    assert_true(s->ccs_seen[TLS_DIR_SERVER]);        /* middlebox CCS */
    assert_true(s->handshake_complete);
    assert_memory_equal(o.f->app[0]->data, "POST /wsman", 11);
    assert_memory_equal(o.f->app[1]->data, "HTTP/1.1 ", 9);
    close_one(&o);
}

static void t_secrets_in_pcapng(void **st)
{
    (void)st;
    one o;
    open_one(&o, "secrets-in-pcapng", 1, 1);
    assert_int_equal(o.s->key_status, TLS_KEY_DECRYPTED);
    assert_string_equal(o.s->key_source, "pcapng DSB");
    close_one(&o);
}

static void t_capture_starts_mid_stream(void **st)
{
    (void)st;
    one o;
    open_one(&o, "capture-starts-mid-stream", 0, 0);
    assert_int_equal(o.s->key_status, TLS_KEY_NO_CLIENT_HELLO);
    assert_false(o.s->ch.seen);
    assert_int_equal(o.s->n_alerts, 2);
    assert_true(o.s->alerts[0].encrypted);
    assert_false(o.s->alerts[0].decrypted);
    close_one(&o);
}

static void t_mtls_no_client_cert(void **st)
{
    (void)st;
    one o;
    open_one(&o, "mtls-no-client-cert", 0, 0);
    assert_int_equal(o.s->client_cert, TLS_CERT_EMPTY);
    assert_int_equal(o.s->client_certs.n, 0);
    assert_int_equal(o.s->alerts[0].desc, 40);
    close_one(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_all_samples_match_expected),
        cmocka_unit_test(t_mtls_no_amt_console_eku),
        cmocka_unit_test(t_legacy_renegotiation_refused),
        cmocka_unit_test(t_tls_version_mismatch),
        cmocka_unit_test(t_static_rsa_with_key_file),
        cmocka_unit_test(t_tls13_sample),
        cmocka_unit_test(t_secrets_in_pcapng),
        cmocka_unit_test(t_capture_starts_mid_stream),
        cmocka_unit_test(t_mtls_no_client_cert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
