/* SPDX-License-Identifier: GPL-2.0-or-later */
/* export_decrypted: --export-decrypted. The application data of every AMT
 * connection — decrypted TLS, and plain HTTP as it was — is written as
 * synthetic TCP over raw IP into a pcapng, with the original addresses,
 * client ports and frame times, so any Wireshark opens the "decoded trace"
 * without keys. A TLS connection's server port 16993 becomes 16992, AMT's
 * plain-HTTP port: the bytes are plain HTTP now, and the amtdiag plugin (or
 * Decode As 16992 → HTTP) decodes them as it decodes AMT's own HTTP. The
 * data is written as it is decrypted: nothing is kept in memory. */
#include "export_decrypted.h"

#include <string.h>
#include <sys/socket.h>

#include "outfile.h"
#include "pcapng_out.h"

#define LINKTYPE_RAW 101
#define SEGMENT_MAX 16000 /* payload per synthetic segment */
#define AMT_HTTP_PORT 16992
#define AMT_TLS_PORT 16993

enum { TH_FIN = 1, TH_SYN = 2, TH_PSH = 8, TH_ACK = 16 };

/* The synthetic TCP state of one exported connection. */
typedef struct dec_conn {
    uint32_t seq[2]; /* next sequence number per direction */
    int64_t last_ts_us;
} dec_conn;

struct dec_writer {
    out_file *out;
    FILE *f;
    int failed;
    uint64_t frames;
    GHashTable *conns; /* conn_rec* → dec_conn* */
};

dec_writer *dec_writer_open(const char *path, amt_err *e)
{
    out_file *out = outfile_open(path, OUTFILE_SECRET, e);
    if (!out)
        return NULL;
    dec_writer *w = g_new0(dec_writer, 1);
    w->out = out;
    w->f = outfile_stream(out);
    FILE *f = w->f;
    w->conns = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    if (pcapng_write_shb(f, "amtdiag --export-decrypted") ||
        pcapng_write_idb(f, LINKTYPE_RAW, 65535, 6))
        w->failed = 1;
    return w;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    return sum;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* One IP/TCP packet from side dir of connection c. */
static void segment(dec_writer *w, const conn_rec *c, dec_conn *d, int dir, uint8_t flags,
                    const uint8_t *data, size_t len, int64_t ts_us)
{
    static uint8_t pkt[60 + SEGMENT_MAX];
    const tcp_endpoint *src = dir ? &c->server : &c->client;
    const tcp_endpoint *dst = dir ? &c->client : &c->server;
    uint16_t sport = src->port, dport = dst->port;
    if (c->app == APP_TLS) {
        /* the server side moves to AMT's plain-HTTP port */
        if (sport == AMT_TLS_PORT)
            sport = AMT_HTTP_PORT;
        if (dport == AMT_TLS_PORT)
            dport = AMT_HTTP_PORT;
    }
    int v6 = c->client.family == AF_INET6;
    size_t iplen = v6 ? 40 : 20, tcplen = 20;
    uint8_t *ip = pkt, *tcp = pkt + iplen;
    memset(pkt, 0, iplen + tcplen);
    size_t total = iplen + tcplen + len;
    uint32_t sum = 0;
    if (v6) {
        ip[0] = 0x60;
        put16(ip + 4, (uint16_t)(tcplen + len));
        ip[6] = 6;
        ip[7] = 64;
        memcpy(ip + 8, src->addr, 16);
        memcpy(ip + 24, dst->addr, 16);
        sum = csum_add(sum, ip + 8, 32);
    } else {
        ip[0] = 0x45;
        put16(ip + 2, (uint16_t)total);
        ip[6] = 0x40; /* don't fragment */
        ip[8] = 64;
        ip[9] = 6;
        memcpy(ip + 12, src->addr, 4);
        memcpy(ip + 16, dst->addr, 4);
        put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
        sum = csum_add(sum, ip + 12, 8);
    }
    put16(tcp, sport);
    put16(tcp + 2, dport);
    put32(tcp + 4, d->seq[dir]);
    put32(tcp + 8, (flags & TH_ACK) ? d->seq[!dir] : 0);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    put16(tcp + 14, 65535);
    if (len) /* the handshake and closing segments carry no data */
        memcpy(tcp + tcplen, data, len);
    sum += 6 + (uint32_t)(tcplen + len);
    sum = csum_add(sum, tcp, tcplen + len);
    put16(tcp + 16, csum_fold(sum));
    d->seq[dir] += (uint32_t)len + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);
    if (ts_us < d->last_ts_us) /* keep the trace's time monotonic per connection */
        ts_us = d->last_ts_us;
    d->last_ts_us = ts_us;
    if (!w->failed &&
        pcapng_write_epb(w->f, 0, (uint64_t)ts_us, pkt, (uint32_t)total, (uint32_t)total) != 0)
        w->failed = 1;
    w->frames++;
}

static dec_conn *conn_of(dec_writer *w, const conn_rec *c, int64_t ts_us)
{
    dec_conn *d = g_hash_table_lookup(w->conns, c);
    if (d)
        return d;
    d = g_new0(dec_conn, 1);
    d->seq[0] = 1000;
    d->seq[1] = 50000;
    g_hash_table_insert(w->conns, (gpointer)c, d);
    /* the handshake, so Wireshark sees a whole connection */
    segment(w, c, d, 0, TH_SYN, NULL, 0, ts_us);
    segment(w, c, d, 1, TH_SYN | TH_ACK, NULL, 0, ts_us);
    segment(w, c, d, 0, TH_ACK, NULL, 0, ts_us);
    return d;
}

void dec_writer_data(dec_writer *w, const conn_rec *c, int dir, const uint8_t *data, size_t len,
                     int64_t ts_us)
{
    if (!w || !len)
        return;
    dec_conn *d = conn_of(w, c, ts_us);
    for (size_t off = 0; off < len; off += SEGMENT_MAX) {
        size_t n = len - off < SEGMENT_MAX ? len - off : SEGMENT_MAX;
        segment(w, c, d, dir, TH_ACK | TH_PSH, data + off, n, ts_us);
    }
}

void dec_writer_gap(dec_writer *w, const conn_rec *c, int dir, uint64_t len)
{
    if (!w)
        return;
    dec_conn *d = g_hash_table_lookup(w->conns, c);
    if (d)
        d->seq[dir] += (uint32_t)len;
}

void dec_writer_close_conn(dec_writer *w, const conn_rec *c, int64_t ts_us)
{
    if (!w)
        return;
    dec_conn *d = g_hash_table_lookup(w->conns, c);
    if (!d)
        return;
    segment(w, c, d, 0, TH_FIN | TH_ACK, NULL, 0, ts_us);
    segment(w, c, d, 1, TH_FIN | TH_ACK, NULL, 0, ts_us);
    segment(w, c, d, 0, TH_ACK, NULL, 0, ts_us);
    g_hash_table_remove(w->conns, c);
}

amt_rc dec_writer_close(dec_writer *w, uint64_t *frames, amt_err *e)
{
    if (!w)
        return AMT_OK;
    *frames = w->frames;
    amt_rc rc;
    if (w->failed) {
        rc = amt_fail(e, AMT_E_OUTPUT, "%s: writing failed", outfile_path(w->out));
        outfile_abort(w->out);
    } else {
        rc = outfile_commit(w->out, e);
    }
    g_hash_table_destroy(w->conns);
    g_free(w);
    return rc;
}
