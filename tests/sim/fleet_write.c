/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fleet_write: merges the sessions of a fleet into one capture in time
 * order. Sessions come in order of their start; every event before the
 * start of the newest one can be written, since no later session has
 * anything earlier. A heap keyed by each open session's next event does
 * the merge, so memory holds only the sessions still open. The labels, the
 * key log and the statistics a benchmark needs are written alongside. */
#include "fleet.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The decryption work a decoder of the capture has, by cipher and by the
 * record sizes `openssl speed` measures. */
enum { CC_AES128_GCM, CC_AES256_GCM, CC_AES128_CBC, CC_AES256_CBC, CC_OTHER, CC_N };
static const char *const cc_names[CC_N] = {"aes-128-gcm", "aes-256-gcm", "aes-128-cbc",
                                           "aes-256-cbc", "other"};
static const unsigned rec_sizes[] = {16, 64, 256, 1024, 8192, 16384};
#define N_REC_SIZES (sizeof rec_sizes / sizeof rec_sizes[0])

struct fleet_writer {
    const fleet_cfg *cfg;
    char *dir;
    wire *w;
    FILE *keylog, *labels;
    fleet_session **heap;
    size_t nheap, capheap;
    GHashTable *ports; /* IPv4 address -> next ephemeral port of that host */
    uint64_t pending;  /* bytes admitted, not yet written */
    int failed;
    /* statistics for fleet.json */
    uint64_t sessions, failure_sessions, conns, verdict_mismatches, dns_lookups;
    uint64_t rsa_kex, tls_handshakes;
    GHashTable *by_profile; /* profile -> sessions */
    GHashTable *by_kind;    /* connection kind -> connections */
    uint64_t dec_bytes[CC_N][N_REC_SIZES], dec_records[CC_N][N_REC_SIZES];
    int64_t first_us, last_us;
};

static int cipher_class(const char *c)
{
    if (strstr(c, "AES128-GCM") || strstr(c, "AES_128_GCM"))
        return CC_AES128_GCM;
    if (strstr(c, "AES256-GCM") || strstr(c, "AES_256_GCM"))
        return CC_AES256_GCM;
    if (strstr(c, "AES128"))
        return CC_AES128_CBC;
    if (strstr(c, "AES256"))
        return CC_AES256_CBC;
    return CC_OTHER;
}

/* What a connection was, for the mix counts: its key exchange and version. */
static const char *conn_kind(const fleet_conn *c)
{
    if (c->tcp != EV_TCP_OPEN)
        return "tcp-failed";
    if (!c->tls)
        return "http";
    if (!c->handshake_done)
        return "tls-failed";
    if (strcmp(c->version, "TLSv1.3") == 0)
        return "tls1.3";
    if (c->rsa_kex)
        return strcmp(c->version, "TLSv1.2") == 0 ? "tls1.2-rsa" : "tls1.0/1.1-rsa";
    return strcmp(c->version, "TLSv1.2") == 0 ? "tls1.2-ecdhe" : "tls1.0/1.1-ecdhe";
}

static void count(GHashTable *t, const char *key)
{
    gpointer v = g_hash_table_lookup(t, key);
    g_hash_table_insert(t, (gpointer)key, GSIZE_TO_POINTER(GPOINTER_TO_SIZE(v) + 1));
}

static FILE *open_in(const char *dir, const char *name, const char *mode)
{
    char *path = g_build_filename(dir, name, NULL);
    FILE *f = fopen(path, mode);
    if (!f)
        fprintf(stderr, "amtsim: %s: %s\n", path, strerror(errno));
    g_free(path);
    return f;
}

/* Closes what is open and frees the writer; returns 0, or -1 when a
 * file could not be completed. */
static int release(fleet_writer *fw)
{
    int rc = 0;
    if (fw->w && wire_close(fw->w) != 0)
        rc = -1;
    if (fw->keylog && fclose(fw->keylog) != 0)
        rc = -1;
    if (fw->labels && fclose(fw->labels) != 0)
        rc = -1;
    g_free(fw->heap);
    g_hash_table_destroy(fw->ports);
    g_hash_table_destroy(fw->by_profile);
    g_hash_table_destroy(fw->by_kind);
    g_free(fw->dir);
    g_free(fw);
    return rc;
}

fleet_writer *fleet_writer_open(const char *dir, const fleet_cfg *cfg)
{
    fleet_writer *fw = g_new0(fleet_writer, 1);
    fw->cfg = cfg;
    fw->dir = g_strdup(dir);
    char err[512];
    char *path = g_build_filename(dir, "capture.pcapng", NULL);
    fw->w = wire_open(path, PCAPW_PCAPNG, 1460, err, sizeof err);
    g_free(path);
    if (!fw->w)
        fprintf(stderr, "amtsim: %s\n", err);
    fw->keylog = open_in(dir, "keylog.txt", "w");
    fw->labels = open_in(dir, "labels.tsv", "w");
    fw->ports = g_hash_table_new(NULL, NULL);
    fw->by_profile = g_hash_table_new(g_str_hash, g_str_equal);
    fw->by_kind = g_hash_table_new(g_str_hash, g_str_equal);
    fw->first_us = -1;
    if (!fw->w || !fw->keylog || !fw->labels) {
        release(fw);
        return NULL;
    }
    fprintf(fw->labels, "# One line per TCP connection (and per failed DNS lookup) of "
                        "capture.pcapng, as the simulator ran it.\n"
                        "session\tconn\tprofile\tclient\tserver\tkind\tversion\tcipher\tkeys\t"
                        "stage\toutcome\tcauses\thttp_statuses\n");
    return fw;
}

/* ---- the heap of open sessions, keyed by their next event's time ------- */

static int64_t next_ts(const fleet_session *s)
{
    return s->ev[s->next].ts_us;
}

static int before(const fleet_session *a, const fleet_session *b)
{
    int64_t ta = next_ts(a), tb = next_ts(b);
    return ta < tb || (ta == tb && a->idx < b->idx);
}

static void heap_push(fleet_writer *fw, fleet_session *s)
{
    if (fw->nheap == fw->capheap) {
        fw->capheap = fw->capheap ? fw->capheap * 2 : 64;
        fw->heap = g_renew(fleet_session *, fw->heap, fw->capheap);
    }
    size_t i = fw->nheap++;
    while (i > 0 && before(s, fw->heap[(i - 1) / 2])) {
        fw->heap[i] = fw->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    fw->heap[i] = s;
}

static void heap_sift_down(fleet_writer *fw)
{
    size_t i = 0, n = fw->nheap;
    fleet_session *s = fw->heap[0];
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        fleet_session *best = s;
        if (l < n && before(fw->heap[l], best)) {
            m = l;
            best = fw->heap[l];
        }
        if (l + 1 < n && before(fw->heap[l + 1], best))
            m = l + 1;
        if (m == i)
            break;
        fw->heap[i] = fw->heap[m];
        i = m;
    }
    fw->heap[i] = s;
}

/* ---- writing one event --------------------------------------------------- */

/* Counts the application-data records of one direction as its bytes pass:
 * what a decoder of the capture has to decrypt. */
static void count_records(fleet_writer *fw, fleet_conn *c, int dir, const uint8_t *p, size_t n)
{
    if (c->cipher_class < 0)
        return;
    while (n > 0) {
        if (c->rec[dir].left == 0) {
            c->rec[dir].hdr[c->rec[dir].hdr_len++] = *p++;
            n--;
            if (c->rec[dir].hdr_len < 5)
                continue;
            uint32_t len = (uint32_t)c->rec[dir].hdr[3] << 8 | c->rec[dir].hdr[4];
            c->rec[dir].hdr_len = 0;
            c->rec[dir].left = len;
            if (c->rec[dir].hdr[0] == 23) {
                unsigned k = 0;
                while (k + 1 < N_REC_SIZES && rec_sizes[k] < len)
                    k++;
                fw->dec_bytes[c->cipher_class][k] += len;
                fw->dec_records[c->cipher_class][k]++;
            }
            continue;
        }
        size_t take = n < c->rec[dir].left ? n : c->rec[dir].left;
        c->rec[dir].left -= (uint32_t)take;
        p += take;
        n -= take;
    }
}

static int write_event(fleet_writer *fw, fleet_session *s, sim_event *ev)
{
    fleet_conn *c = ev->conn >= 0 && (size_t)ev->conn < s->nconns ? &s->conns[ev->conn] : NULL;
    int rc = 0;
    if (fw->first_us < 0)
        fw->first_us = ev->ts_us;
    fw->last_us = ev->ts_us;
    switch (ev->kind) {
    case EV_TCP_OPEN:
        c->flow = wire_tcp_connect(fw->w, &c->cli, &c->srv, ev->ts_us, c->isn_c, c->isn_s);
        rc = c->flow ? 0 : -1;
        break;
    case EV_TCP_REFUSED:
        rc = wire_tcp_refused(fw->w, &c->cli, &c->srv, ev->ts_us, c->isn_c);
        break;
    case EV_TCP_UNANSWERED:
        rc = wire_tcp_unanswered(fw->w, &c->cli, &c->srv, ev->ts_us, c->isn_c, 1);
        break;
    case EV_TCP_DATA:
        if (c->flow) {
            rc = wire_tcp_send(c->flow, ev->from_server, ev->ts_us, ev->data, ev->len);
            count_records(fw, c, ev->from_server, ev->data, ev->len);
        }
        break;
    case EV_TCP_FIN:
        if (c->flow)
            rc = wire_tcp_fin(c->flow, ev->from_server, ev->ts_us);
        break;
    case EV_TCP_RST:
        if (c->flow)
            rc = wire_tcp_rst(c->flow, ev->from_server, ev->ts_us);
        break;
    case EV_UDP:
        rc = wire_udp(fw->w, &ev->src, &ev->dst, ev->ts_us, ev->data, ev->len);
        break;
    }
    if (ev->kind == EV_TCP_DATA || ev->kind == EV_UDP) {
        g_free(ev->data);
        ev->data = NULL;
    }
    fw->pending -= MIN(fw->pending, ev->len + 90);
    return rc;
}

/* Writes every event before until_us (all of them with INT64_MAX). */
static int flush_until(fleet_writer *fw, int64_t until_us)
{
    while (fw->nheap > 0 && next_ts(fw->heap[0]) < until_us) {
        fleet_session *s = fw->heap[0];
        if (write_event(fw, s, &s->ev[s->next++]) != 0 && !fw->failed) {
            fprintf(stderr, "amtsim: writing the fleet capture failed\n");
            fw->failed = 1;
        }
        if (s->next < s->nev) {
            heap_sift_down(fw);
            continue;
        }
        fw->heap[0] = fw->heap[--fw->nheap];
        if (fw->nheap)
            heap_sift_down(fw);
        fleet_session_free(s); /* also the flows: the session is over */
    }
    return fw->failed ? -1 : 0;
}

/* ---- admitting a session ------------------------------------------------- */

static uint32_t addr4(const sim_endpoint *ep)
{
    return (uint32_t)ep->addr[0] << 24 | (uint32_t)ep->addr[1] << 16 | (uint32_t)ep->addr[2] << 8 |
           ep->addr[3];
}

/* The next ephemeral port of a host: counting up from a start of its own
 * through 49152–65535, as many stacks do. */
static uint16_t next_port(fleet_writer *fw, const sim_endpoint *host)
{
    uint32_t a = addr4(host);
    gpointer v = g_hash_table_lookup(fw->ports, GUINT_TO_POINTER(a));
    unsigned p = v ? GPOINTER_TO_UINT(v) : 49152 + (unsigned)(fleet_mix(a) % 16384);
    unsigned nxt = p + 1 > 65535 ? 49152 : p + 1;
    g_hash_table_insert(fw->ports, GUINT_TO_POINTER(a), GUINT_TO_POINTER(nxt));
    return (uint16_t)p;
}

/* Gives the session's client ports (numbered from 50113 in each
 * simulation) their place among all the host's connections. */
static void assign_ports(fleet_writer *fw, fleet_session *s)
{
    uint16_t from[64], to[64];
    unsigned n = 0;
    for (size_t i = 0; i < s->nconns; i++) {
        fleet_conn *c = &s->conns[i];
        c->cli.port = next_port(fw, &c->cli);
        if (n < 64) {
            from[n] = c->local_port;
            to[n++] = c->cli.port;
        }
        uint64_t r = fleet_mix(s->idx * 131 + i);
        c->isn_c = (uint32_t)r;
        c->isn_s = (uint32_t)(r >> 32);
    }
    for (size_t i = 0; i < s->nev; i++) {
        sim_event *ev = &s->ev[i];
        if (ev->kind != EV_UDP)
            continue;
        sim_endpoint *ep = ev->src.port == 53 ? &ev->dst : &ev->src;
        unsigned k = 0;
        while (k < n && from[k] != ep->port)
            k++;
        if (k == n && n < 64) {
            from[n] = ep->port;
            to[n++] = next_port(fw, ep);
        }
        if (k < n)
            ep->port = to[k];
    }
}

static void ep_str(const sim_endpoint *ep, char *buf, size_t len)
{
    char a[64];
    sim_endpoint_addr_str(ep, a, sizeof a);
    snprintf(buf, len, ep->family == 6 ? "[%s]:%u" : "%s:%u", a, ep->port);
}

static void write_labels(fleet_writer *fw, fleet_session *s)
{
    for (size_t i = 0; i < s->nconns; i++) {
        fleet_conn *c = &s->conns[i];
        char cli[80], srv[80];
        ep_str(&c->cli, cli, sizeof cli);
        ep_str(&c->srv, srv, sizeof srv);
        const char *kind = conn_kind(c);
        const char *keys = !c->handshake_done ? "-" : c->rsa_kex ? "rsa-key" : "keylog";
        fprintf(fw->labels,
                "%" G_GUINT64_FORMAT "\t%zu\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s->idx,
                i, s->profile, cli, srv, kind, c->version, c->cipher, keys, c->stage, c->outcome,
                c->causes, c->statuses);
        count(fw->by_kind, kind);
        fw->conns++;
        if (c->handshake_done) {
            fw->tls_handshakes++;
            fw->rsa_kex += (uint64_t)c->rsa_kex;
            c->cipher_class = cipher_class(c->cipher);
        }
    }
    for (int k = 0; k < s->ndns; k++) {
        fprintf(fw->labels,
                "%" G_GUINT64_FORMAT "\tdns\t%s\t-\t%s\tdns\t-\t-\t-\tdns\tfailed\t%s\t-\n", s->idx,
                s->profile, s->dns[k].name, s->dns[k].cause);
        fw->dns_lookups++;
    }
}

int fleet_writer_admit(fleet_writer *fw, fleet_session *s)
{
    if (flush_until(fw, s->start_us) != 0)
        return -1;
    assign_ports(fw, s);
    write_labels(fw, s);
    if (s->keylog && fputs(s->keylog->str, fw->keylog) == EOF)
        fw->failed = 1;
    fw->sessions++;
    fw->failure_sessions += (uint64_t)s->failure;
    fw->verdict_mismatches += (uint64_t)s->verdict_mismatch;
    count(fw->by_profile, s->profile);
    if (s->nev == 0) {
        fleet_session_free(s);
        return fw->failed ? -1 : 0;
    }
    fw->pending += s->pending;
    heap_push(fw, s);
    return fw->failed ? -1 : 0;
}

uint64_t fleet_writer_size(fleet_writer *fw)
{
    return wire_bytes(fw->w) + fw->pending;
}

static void json_counts(FILE *f, const char *name, GHashTable *t)
{
    GList *keys = g_list_sort(g_hash_table_get_keys(t), (GCompareFunc)g_strcmp0);
    fprintf(f, "  \"%s\": {", name);
    for (GList *k = keys; k; k = k->next)
        fprintf(f, "%s\n    \"%s\": %zu", k == keys ? "" : ",", (const char *)k->data,
                GPOINTER_TO_SIZE(g_hash_table_lookup(t, k->data)));
    fprintf(f, "\n  },\n");
    g_list_free(keys);
}

static int write_summary(fleet_writer *fw, uint64_t bytes, double gen_seconds)
{
    FILE *f = open_in(fw->dir, "fleet.json", "w");
    if (!f)
        return -1;
    const fleet_cfg *c = fw->cfg;
    fprintf(f, "{\n  \"schema\": \"amtsim-fleet/1\",\n");
    fprintf(f, "  \"seed\": %" G_GUINT64_FORMAT ",\n  \"target_bytes\": %" G_GUINT64_FORMAT ",\n",
            c->seed, c->size);
    fprintf(f, "  \"bytes\": %" G_GUINT64_FORMAT ",\n", bytes);
    fprintf(f, "  \"amts\": %u,\n  \"consoles\": %u,\n", c->n_amts, c->n_consoles);
    fprintf(f,
            "  \"sessions\": %" G_GUINT64_FORMAT ",\n  \"failure_sessions\": %" G_GUINT64_FORMAT
            ",\n",
            fw->sessions, fw->failure_sessions);
    fprintf(f, "  \"connections\": %" G_GUINT64_FORMAT ",\n", fw->conns);
    fprintf(f, "  \"failed_dns_lookups\": %" G_GUINT64_FORMAT ",\n", fw->dns_lookups);
    fprintf(f, "  \"tls_handshakes\": %" G_GUINT64_FORMAT ",\n", fw->tls_handshakes);
    fprintf(f, "  \"rsa_key_exchange_handshakes\": %" G_GUINT64_FORMAT ",\n", fw->rsa_kex);
    fprintf(f, "  \"verdict_mismatches\": %" G_GUINT64_FORMAT ",\n", fw->verdict_mismatches);
    fprintf(f, "  \"capture_seconds\": %.1f,\n",
            fw->first_us < 0 ? 0.0 : (double)(fw->last_us - fw->first_us) / 1e6);
    fprintf(f, "  \"generation_seconds\": %.1f,\n", gen_seconds);
    json_counts(f, "sessions_by_profile", fw->by_profile);
    json_counts(f, "connections_by_kind", fw->by_kind);
    /* application data a decoder decrypts: bytes and records by cipher and
     * by the record size bucket of `openssl speed` (the smallest >= it) */
    fprintf(f, "  \"decrypted\": {");
    int first = 1;
    for (int k = 0; k < CC_N; k++) {
        uint64_t tot = 0;
        for (unsigned b = 0; b < N_REC_SIZES; b++)
            tot += fw->dec_records[k][b];
        if (!tot)
            continue;
        fprintf(f, "%s\n    \"%s\": {", first ? "" : ",", cc_names[k]);
        first = 0;
        int fb = 1;
        for (unsigned b = 0; b < N_REC_SIZES; b++) {
            if (!fw->dec_records[k][b])
                continue;
            fprintf(f,
                    "%s\"%u\": {\"records\": %" G_GUINT64_FORMAT ", \"bytes\": %" G_GUINT64_FORMAT
                    "}",
                    fb ? "" : ", ", rec_sizes[b], fw->dec_records[k][b], fw->dec_bytes[k][b]);
            fb = 0;
        }
        fprintf(f, "}");
    }
    fprintf(f, "\n  }\n}\n");
    return fclose(f) == 0 ? 0 : -1;
}

int fleet_writer_close(fleet_writer *fw, double gen_seconds)
{
    int rc = flush_until(fw, INT64_MAX);
    uint64_t bytes = wire_bytes(fw->w);
    if (rc == 0)
        rc = write_summary(fw, bytes, gen_seconds);
    return release(fw) != 0 ? -1 : rc;
}
