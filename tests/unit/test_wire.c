/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the simulator's capture writer (endpoint, pcapw, wire,
 * dns): captures are written to a temp dir and read back with libpcap or
 * parsed block by block, and every header field and checksum is checked
 * independently of the code under test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "endpoint.h"
#include "pcapw.h"
#include "wire.h"

#define T0 INT64_C(1700000000000000) /* 2023-11-14, in microseconds */
#define MAX_PKTS 128

static char tmpdir[64];

/* ---- helpers: files ---- */

static void tmp_path(char *out, size_t len, const char *name)
{
    int r = snprintf(out, len, "%s/%s", tmpdir, name);
    assert_true(r > 0 && (size_t)r < len);
}

static int group_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_wire.XXXXXX");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    DIR *d = opendir(tmpdir);
    if (d == NULL)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
        unlink(p);
    }
    closedir(d);
    return rmdir(tmpdir);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0 && n < 16 * 1024 * 1024);
    rewind(f);
    uint8_t *b = malloc((size_t)n);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* ---- helpers: reading a capture back with libpcap ---- */

typedef struct {
    int64_t ts;
    size_t len;
    uint8_t *d;
} rpkt;

typedef struct {
    rpkt p[MAX_PKTS];
    size_t n;
    int dlt;
} capture;

static void load(const char *path, capture *c)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, errbuf);
    if (pc == NULL)
        fail_msg("pcap_open_offline(%s): %s", path, errbuf);
    memset(c, 0, sizeof *c);
    c->dlt = pcap_datalink(pc);
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
        assert_true(c->n < MAX_PKTS);
        assert_int_equal(h->caplen, h->len);
        rpkt *k = &c->p[c->n++];
        k->ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        k->len = h->caplen;
        k->d = malloc(k->len);
        assert_non_null(k->d);
        memcpy(k->d, data, k->len);
    }
    if (rc != PCAP_ERROR_BREAK)
        fail_msg("reading %s: %s", path, pcap_geterr(pc));
    pcap_close(pc);
}

static void unload(capture *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->p[i].d);
    c->n = 0;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[1] << 8 | p[0]);
}

/* The Internet checksum, summed over data that includes its checksum
 * field: a correct one folds to 0xffff. */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

/* One parsed frame; parse() fails the test on any malformed header or
 * wrong checksum. */
typedef struct {
    int family;
    uint8_t proto;
    uint8_t dmac[6], smac[6];
    uint8_t ttl;
    uint16_t ipid;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t win;
    uint16_t mss; /* 0: no MSS option */
    size_t thl;
    const uint8_t *payload;
    size_t plen;
} pv;

static void parse(const rpkt *k, pv *v)
{
    const uint8_t *d = k->d;
    memset(v, 0, sizeof *v);
    assert_true(k->len >= 14 + 20);
    memcpy(v->dmac, d, 6);
    memcpy(v->smac, d + 6, 6);
    uint16_t et = rd16(d + 12);
    const uint8_t *ip = d + 14;
    const uint8_t *l4;
    size_t l4len;
    uint32_t pseudo;
    if (et == 0x0800) {
        v->family = 4;
        assert_int_equal(ip[0], 0x45);
        assert_int_equal(rd16(ip + 2), k->len - 14);
        v->ipid = rd16(ip + 4);
        assert_int_equal(rd16(ip + 6), 0x4000); /* DF, no fragment offset */
        v->ttl = ip[8];
        v->proto = ip[9];
        assert_int_equal(fold(sum16(0, ip, 20)), 0xffff);
        memcpy(v->src, ip + 12, 4);
        memcpy(v->dst, ip + 16, 4);
        l4 = ip + 20;
        l4len = k->len - 34;
        uint8_t ph[12] = {0};
        memcpy(ph, ip + 12, 8);
        ph[9] = v->proto;
        ph[10] = (uint8_t)(l4len >> 8);
        ph[11] = (uint8_t)l4len;
        pseudo = sum16(0, ph, sizeof ph);
    } else {
        assert_int_equal(et, 0x86DD);
        v->family = 6;
        assert_true(k->len >= 14 + 40 + 8);
        assert_int_equal(ip[0] >> 4, 6);
        assert_int_equal(rd16(ip + 4), k->len - 54);
        v->proto = ip[6];
        v->ttl = ip[7];
        memcpy(v->src, ip + 8, 16);
        memcpy(v->dst, ip + 24, 16);
        l4 = ip + 40;
        l4len = k->len - 54;
        uint8_t ph[40] = {0};
        memcpy(ph, ip + 8, 32);
        ph[34] = (uint8_t)(l4len >> 8);
        ph[35] = (uint8_t)l4len;
        ph[39] = v->proto;
        pseudo = sum16(0, ph, sizeof ph);
    }
    assert_int_equal(fold(sum16(pseudo, l4, l4len)), 0xffff);
    v->sport = rd16(l4);
    v->dport = rd16(l4 + 2);
    if (v->proto == 6) {
        assert_true(l4len >= 20);
        v->seq = rd32(l4 + 4);
        v->ack = rd32(l4 + 8);
        v->thl = (size_t)(l4[12] >> 4) * 4;
        assert_true(v->thl >= 20 && v->thl <= l4len);
        v->flags = l4[13];
        v->win = rd16(l4 + 14);
        assert_int_equal(rd16(l4 + 18), 0); /* urgent pointer */
        for (size_t o = 20; o < v->thl;) {
            uint8_t kind = l4[o];
            if (kind == 0)
                break;
            if (kind == 1) {
                o++;
                continue;
            }
            assert_true(o + 1 < v->thl && l4[o + 1] >= 2 && o + l4[o + 1] <= v->thl);
            if (kind == 2) {
                assert_int_equal(l4[o + 1], 4);
                v->mss = rd16(l4 + o + 2);
            }
            o += l4[o + 1];
        }
        v->payload = l4 + v->thl;
        v->plen = l4len - v->thl;
    } else {
        assert_int_equal(v->proto, 17);
        assert_int_equal(rd16(l4 + 4), l4len);
        assert_int_not_equal(rd16(l4 + 6), 0);
        v->payload = l4 + 8;
        v->plen = l4len - 8;
    }
}

enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };

/* Checks one TCP frame from src to dst and returns its parsed form. */
static pv tcp_at(const capture *c, size_t i, const sim_endpoint *src, const sim_endpoint *dst,
                 uint32_t seq, uint32_t ack, uint8_t flags, size_t plen)
{
    pv v;
    assert_true(i < c->n);
    parse(&c->p[i], &v);
    size_t alen = src->family == 4 ? 4 : 16;
    assert_int_equal(v.family, src->family);
    assert_int_equal(v.proto, 6);
    assert_memory_equal(v.src, src->addr, alen);
    assert_memory_equal(v.dst, dst->addr, alen);
    assert_memory_equal(v.smac, src->mac, 6);
    assert_memory_equal(v.dmac, dst->mac, 6);
    assert_int_equal(v.ttl, 64);
    assert_int_equal(v.sport, src->port);
    assert_int_equal(v.dport, dst->port);
    assert_int_equal(v.seq, seq);
    assert_int_equal(v.ack, ack);
    assert_int_equal(v.flags, flags);
    assert_int_equal(v.win, 64240);
    assert_int_equal(v.plen, plen);
    return v;
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 31u + seed + (i >> 8));
}

static void ts_increasing(const capture *c)
{
    for (size_t i = 1; i < c->n; i++)
        assert_true(c->p[i].ts >= c->p[i - 1].ts + 1);
}

static sim_endpoint cli4, srv4, cli6, srv6, dns4;

static void endpoints(void)
{
    assert_int_equal(sim_endpoint_set(&cli4, "192.0.2.100", 50000), 0);
    assert_int_equal(sim_endpoint_set(&srv4, "192.0.2.10", 16993), 0);
    assert_int_equal(sim_endpoint_set(&cli6, "2001:db8::100", 50001), 0);
    assert_int_equal(sim_endpoint_set(&srv6, "2001:db8::10", 16992), 0);
    assert_int_equal(sim_endpoint_set(&dns4, "192.0.2.53", 53), 0);
}

static wire *open_wire(const char *name, pcapw_format fmt, unsigned mss, char *path, size_t plen)
{
    char err[256];
    tmp_path(path, plen, name);
    wire *w = wire_open(path, fmt, mss, err, sizeof err);
    if (w == NULL)
        fail_msg("wire_open: %s", err);
    return w;
}

/* ---- endpoint ---- */

static void test_endpoint(void **state)
{
    (void)state;
    sim_endpoint e;
    char buf[64];
    assert_int_equal(sim_endpoint_set(&e, "192.0.2.10", 16992), 0);
    assert_int_equal(e.family, 4);
    assert_int_equal(e.port, 16992);
    const uint8_t a4[4] = {192, 0, 2, 10}, m4[6] = {0x02, 0x00, 192, 0, 2, 10};
    assert_memory_equal(e.addr, a4, 4);
    assert_memory_equal(e.mac, m4, 6);
    assert_string_equal(sim_endpoint_addr_str(&e, buf, sizeof buf), "192.0.2.10");

    assert_int_equal(sim_endpoint_set(&e, "2001:db8::10", 0), 0);
    assert_int_equal(e.family, 6);
    const uint8_t m6[6] = {0x02, 0x00, 0, 0, 0, 0x10};
    assert_int_equal(e.addr[0], 0x20);
    assert_int_equal(e.addr[15], 0x10);
    assert_memory_equal(e.mac, m6, 6);
    assert_string_equal(sim_endpoint_addr_str(&e, buf, sizeof buf), "2001:db8::10");

    sim_endpoint untouched = e;
    assert_int_equal(sim_endpoint_set(&e, "300.1.1.1", 1), -1);
    assert_int_equal(sim_endpoint_set(&e, "amt.example.com", 1), -1);
    assert_int_equal(sim_endpoint_set(&e, "", 1), -1);
    assert_memory_equal(&e, &untouched, sizeof e);

    /* too small a buffer gives an empty string, not a truncated address */
    assert_string_equal(sim_endpoint_addr_str(&e, buf, 4), "");
}

/* ---- wire: a whole IPv4 conversation, field by field ---- */

static void test_tcp_conversation(void **state)
{
    (void)state;
    endpoints();
    char path[256];
    wire *w = open_wire("conv.pcapng", PCAPW_PCAPNG, 1460, path, sizeof path);
    wire_tcp *t = wire_tcp_connect(w, &cli4, &srv4, T0, 1000, 5000);
    assert_non_null(t);
    uint8_t req[3000], resp[100];
    fill(req, sizeof req, 1);
    fill(resp, sizeof resp, 2);
    assert_int_equal(wire_tcp_send(t, 0, T0 + 1000, req, sizeof req), 0);
    assert_int_equal(wire_tcp_send(t, 1, T0 + 2000, resp, sizeof resp), 0);
    assert_int_equal(wire_tcp_fin(t, 0, T0 + 3000), 0);
    assert_int_equal(wire_tcp_fin(t, 1, T0 + 3100), 0);
    assert_int_equal(wire_tcp_fin(t, 1, T0 + 3200), -1); /* one FIN per side */
    assert_int_equal(wire_tcp_send(t, 0, T0 + 3300, req, 10), -1);
    assert_int_equal(wire_close(w), 0);

    capture c;
    load(path, &c);
    assert_int_equal(c.dlt, DLT_EN10MB);
    assert_int_equal(c.n, 14);
    pv v;
    v = tcp_at(&c, 0, &cli4, &srv4, 1000, 0, F_SYN, 0);
    assert_int_equal(v.mss, 1460);
    assert_int_equal(v.thl, 24);
    assert_int_equal(c.p[0].ts, T0);
    v = tcp_at(&c, 1, &srv4, &cli4, 5000, 1001, F_SYN | F_ACK, 0);
    assert_int_equal(v.mss, 1460);
    v = tcp_at(&c, 2, &cli4, &srv4, 1001, 5001, F_ACK, 0);
    assert_int_equal(v.mss, 0);
    assert_int_equal(v.thl, 20);

    /* 3000 bytes at MSS 1460: 1460 + 1460 + 80, ACK after the 2nd and 3rd */
    v = tcp_at(&c, 3, &cli4, &srv4, 1001, 5001, F_ACK, 1460);
    assert_memory_equal(v.payload, req, 1460);
    assert_int_equal(c.p[3].ts, T0 + 1000);
    v = tcp_at(&c, 4, &cli4, &srv4, 2461, 5001, F_ACK, 1460);
    assert_memory_equal(v.payload, req + 1460, 1460);
    tcp_at(&c, 5, &srv4, &cli4, 5001, 3921, F_ACK, 0);
    assert_int_equal(c.p[5].ts - c.p[4].ts, 40);
    v = tcp_at(&c, 6, &cli4, &srv4, 3921, 5001, F_ACK | F_PSH, 80);
    assert_memory_equal(v.payload, req + 2920, 80);
    tcp_at(&c, 7, &srv4, &cli4, 5001, 4001, F_ACK, 0);
    assert_int_equal(c.p[7].ts - c.p[6].ts, 40);

    v = tcp_at(&c, 8, &srv4, &cli4, 5001, 4001, F_ACK | F_PSH, 100);
    assert_memory_equal(v.payload, resp, 100);
    assert_int_equal(c.p[8].ts, T0 + 2000);
    tcp_at(&c, 9, &cli4, &srv4, 4001, 5101, F_ACK, 0);

    /* FIN takes one sequence number and is ACKed by the peer */
    tcp_at(&c, 10, &cli4, &srv4, 4001, 5101, F_FIN | F_ACK, 0);
    assert_int_equal(c.p[10].ts, T0 + 3000);
    tcp_at(&c, 11, &srv4, &cli4, 5101, 4002, F_ACK, 0);
    tcp_at(&c, 12, &srv4, &cli4, 5101, 4002, F_FIN | F_ACK, 0);
    tcp_at(&c, 13, &cli4, &srv4, 4002, 5102, F_ACK, 0);
    ts_increasing(&c);

    /* the IP ID counts per sending host */
    int have[2] = {0, 0};
    uint16_t last[2] = {0, 0};
    for (size_t i = 0; i < c.n; i++) {
        parse(&c.p[i], &v);
        int h = memcmp(v.src, cli4.addr, 4) == 0 ? 0 : 1;
        if (have[h])
            assert_int_equal(v.ipid, (uint16_t)(last[h] + 1));
        have[h] = 1;
        last[h] = v.ipid;
    }
    unload(&c);
}

/* ---- the classic pcap format ---- */

static void test_classic_pcap(void **state)
{
    (void)state;
    endpoints();
    char path[256];
    wire *w = open_wire("classic.pcap", PCAPW_PCAP, 1460, path, sizeof path);
    assert_int_equal(wire_add_tls_secrets(w, "CLIENT_RANDOM a b\n", 18), -1);
    assert_non_null(wire_tcp_connect(w, &cli4, &srv4, T0 + 123456, 7, 9));
    assert_int_equal(wire_close(w), 0);

    size_t n;
    uint8_t *b = read_file(path, &n);
    assert_true(n >= 24 + 16);
    assert_int_equal(le32(b), 0xa1b2c3d4u);
    assert_int_equal(le16(b + 4), 2);
    assert_int_equal(le16(b + 6), 4);
    assert_int_equal(le32(b + 8), 0);
    assert_int_equal(le32(b + 12), 0);
    assert_int_equal(le32(b + 16), 262144);
    assert_int_equal(le32(b + 20), 1);
    /* the first record header: seconds, microseconds, lengths */
    assert_int_equal(le32(b + 24), (uint32_t)((T0 + 123456) / 1000000));
    assert_int_equal(le32(b + 28), 123456);
    assert_int_equal(le32(b + 32), 14 + 20 + 24);
    assert_int_equal(le32(b + 36), 14 + 20 + 24);
    /* three records of 58, 58, 54 bytes and nothing else */
    assert_int_equal(n, 24 + 3 * 16 + 58 + 58 + 54);
    free(b);

    capture c;
    load(path, &c);
    assert_int_equal(c.dlt, DLT_EN10MB);
    assert_int_equal(c.n, 3);
    tcp_at(&c, 0, &cli4, &srv4, 7, 0, F_SYN, 0);
    tcp_at(&c, 1, &srv4, &cli4, 9, 8, F_SYN | F_ACK, 0);
    tcp_at(&c, 2, &cli4, &srv4, 8, 10, F_ACK, 0);
    unload(&c);
}

/* ---- pcapng blocks, parsed by hand ---- */

static void test_pcapng_blocks_dsb(void **state)
{
    (void)state;
    endpoints();
    static const char keylog[] = "CLIENT_RANDOM 00112233 44556677\n"; /* 32 + 1: needs padding */
    const size_t klen = sizeof keylog - 1;
    char keylog_odd[34];
    memcpy(keylog_odd, keylog, klen);
    keylog_odd[klen] = 'X';
    char path[256];
    wire *w = open_wire("dsb.pcapng", PCAPW_PCAPNG, 1460, path, sizeof path);
    assert_int_equal(wire_add_tls_secrets(w, keylog_odd, klen + 1), 0);
    wire_tcp *t = wire_tcp_connect(w, &cli4, &srv4, T0, 1, 2);
    assert_non_null(t);
    /* secrets must precede the first packet */
    assert_int_equal(wire_add_tls_secrets(w, keylog, klen), -1);
    assert_int_equal(wire_close(w), 0);

    size_t n;
    uint8_t *b = read_file(path, &n);
    size_t off = 0, nblk = 0, nepb = 0;
    int seen_dsb = 0;
    while (off < n) {
        assert_true(n - off >= 12);
        uint32_t type = le32(b + off), len = le32(b + off + 4);
        assert_true(len >= 12 && len % 4 == 0 && len <= n - off);
        assert_int_equal(le32(b + off + len - 4), len);
        const uint8_t *body = b + off + 8;
        switch (nblk) {
        case 0:
            assert_int_equal(type, 0x0A0D0D0Au);
            assert_int_equal(le32(body), 0x1A2B3C4Du);
            assert_int_equal(le16(body + 4), 1);
            assert_int_equal(le16(body + 6), 0);
            break;
        case 1: {
            assert_int_equal(type, 1);
            assert_int_equal(le16(body), 1); /* LINKTYPE_ETHERNET */
            assert_int_equal(le32(body + 4), 262144);
            /* options: if_tsresol, if present, must say microseconds */
            const uint8_t *o = body + 8, *end = b + off + len - 4;
            while (o + 4 <= end && le16(o) != 0) {
                uint16_t code = le16(o), olen = le16(o + 2);
                assert_true(o + 4 + olen <= end);
                if (code == 9) {
                    assert_int_equal(olen, 1);
                    assert_int_equal(o[4], 6);
                }
                o += 4 + ((olen + 3u) & ~3u);
            }
            break;
        }
        case 2:
            assert_int_equal(type, 0x0000000Au);
            assert_int_equal(le32(body), 0x544c534bu);
            assert_int_equal(le32(body + 4), klen + 1);
            assert_memory_equal(body + 8, keylog_odd, klen + 1);
            /* padded to 4 with zeros; no options */
            assert_int_equal(len, 8 + 8 + ((klen + 1 + 3) & ~(size_t)3) + 4);
            for (size_t i = klen + 1; i < ((klen + 1 + 3) & ~(size_t)3); i++)
                assert_int_equal(body[8 + i], 0);
            seen_dsb = 1;
            break;
        default:
            assert_int_equal(type, 6);
            assert_int_equal(le32(body), 0); /* interface 0 */
            uint64_t ts = (uint64_t)le32(body + 4) << 32 | le32(body + 8);
            if (nepb == 0)
                assert_int_equal(ts, (uint64_t)T0);
            uint32_t cap = le32(body + 12);
            assert_int_equal(cap, le32(body + 16));
            assert_int_equal(len, 32 + ((cap + 3u) & ~3u));
            nepb++;
            break;
        }
        off += len;
        nblk++;
    }
    assert_int_equal(off, n);
    assert_true(seen_dsb);
    assert_int_equal(nepb, 3);
    free(b);

    /* libpcap skips the DSB and still reads the packets */
    capture c;
    load(path, &c);
    assert_int_equal(c.n, 3);
    unload(&c);

    /* classic pcap cannot carry secrets; an empty key log is an empty DSB */
    char err[256], p2[256];
    tmp_path(p2, sizeof p2, "nosecrets.pcap");
    pcapw *pw = pcapw_open(p2, PCAPW_PCAP, err, sizeof err);
    assert_non_null(pw);
    assert_int_equal(pcapw_add_tls_secrets(pw, keylog, klen), -1);
    assert_int_equal(pcapw_close(pw), 0);
    tmp_path(p2, sizeof p2, "empty.pcapng");
    pw = pcapw_open(p2, PCAPW_PCAPNG, err, sizeof err);
    assert_non_null(pw);
    assert_int_equal(pcapw_add_tls_secrets(pw, NULL, 0), 0);
    assert_int_equal(pcapw_add_tls_secrets(pw, NULL, 1), -1);
    assert_int_equal(pcapw_close(pw), 0);
    b = read_file(p2, &n);
    /* SHB and IDB lengths, then the DSB: 20 bytes, secrets length 0 */
    off = le32(b + 4);
    off += le32(b + off + 4);
    assert_int_equal(n, off + 20);
    assert_int_equal(le32(b + off), 0x0000000Au);
    assert_int_equal(le32(b + off + 4), 20);
    assert_int_equal(le32(b + off + 8), 0x544c534bu);
    assert_int_equal(le32(b + off + 12), 0);
    assert_int_equal(le32(b + off + 16), 20);
    free(b);
}

/* ---- errors ---- */

static void test_open_errors(void **state)
{
    (void)state;
    char err[256];
    const char *bad = "/nonexistent-dir-test-wire/sub/out.pcapng";
    err[0] = '\0';
    assert_null(pcapw_open(bad, PCAPW_PCAPNG, err, sizeof err));
    assert_non_null(strstr(err, bad));
    err[0] = '\0';
    assert_null(wire_open(bad, PCAPW_PCAP, 1460, err, sizeof err));
    assert_non_null(strstr(err, bad));

    /* a directory cannot be opened as a file either */
    err[0] = '\0';
    assert_null(pcapw_open(tmpdir, PCAPW_PCAP, err, sizeof err));
    assert_non_null(strstr(err, tmpdir));

    /* a tiny error buffer is not overrun */
    char small[8];
    memset(small, 'Z', sizeof small);
    assert_null(pcapw_open(bad, PCAPW_PCAPNG, small, 5));
    assert_int_equal(small[4], '\0');
    assert_int_equal(small[5], 'Z');

    char path[256];
    tmp_path(path, sizeof path, "mss.pcapng");
    assert_null(wire_open(path, PCAPW_PCAPNG, 63, err, sizeof err));
    assert_true(err[0] != '\0');
}

/* ---- timestamps ---- */

static void test_timestamps_clamped(void **state)
{
    (void)state;
    endpoints();
    char path[256];
    wire *w = open_wire("clamp.pcapng", PCAPW_PCAPNG, 1460, path, sizeof path);
    wire_tcp *t = wire_tcp_connect(w, &cli4, &srv4, T0, 100, 200);
    assert_non_null(t);
    uint8_t d[10] = {0};
    /* earlier than what is already written: pushed after it */
    assert_int_equal(wire_tcp_send(t, 0, T0 - 5000000, d, sizeof d), 0);
    assert_int_equal(wire_tcp_send(t, 1, T0 - 1, d, sizeof d), 0);
    assert_int_equal(wire_udp(w, &cli4, &dns4, 0, d, sizeof d), 0);
    assert_int_equal(wire_close(w), 0);

    capture c;
    load(path, &c);
    assert_int_equal(c.n, 3 + 2 + 2 + 1);
    assert_int_equal(c.p[0].ts, T0);
    assert_int_equal(c.p[3].ts, c.p[2].ts + 1);
    ts_increasing(&c);
    unload(&c);
}

/* ---- refused, unanswered, reset ---- */

static void test_refused_unanswered(void **state)
{
    (void)state;
    endpoints();
    char path[256];
    wire *w = open_wire("refused.pcapng", PCAPW_PCAPNG, 1460, path, sizeof path);
    assert_int_equal(wire_tcp_refused(w, &cli4, &srv4, T0, 0xFFFFFFFFu), 0);
    assert_int_equal(wire_tcp_unanswered(w, &cli4, &srv4, T0 + 1000000, 4242, 4), 0);
    assert_int_equal(wire_tcp_unanswered(w, &cli4, &srv4, T0 + 100000000, 4242, 0), -1);
    assert_int_equal(wire_tcp_refused(w, &cli4, &srv4, T0 + 200000000, 77), 0);
    assert_int_equal(wire_close(w), 0);

    capture c;
    load(path, &c);
    assert_int_equal(c.n, 2 + 4 + 2);
    tcp_at(&c, 6, &cli4, &srv4, 77, 0, F_SYN, 0);
    tcp_at(&c, 7, &srv4, &cli4, 0, 78, F_RST | F_ACK, 0);
    pv v = tcp_at(&c, 0, &cli4, &srv4, 0xFFFFFFFFu, 0, F_SYN, 0);
    assert_int_equal(v.mss, 1460);
    /* the ACK number wraps: ISN 2^32-1 + 1 */
    tcp_at(&c, 1, &srv4, &cli4, 0, 0, F_RST | F_ACK, 0);
    assert_int_equal(c.p[1].ts - c.p[0].ts, 40);
    static const int64_t at[4] = {0, 1000000, 3000000, 7000000};
    for (size_t i = 0; i < 4; i++) {
        tcp_at(&c, 2 + i, &cli4, &srv4, 4242, 0, F_SYN, 0);
        assert_int_equal(c.p[2 + i].ts, T0 + 1000000 + at[i]);
    }
    unload(&c);
}

static void test_rst(void **state)
{
    (void)state;
    endpoints();
    char path[256];
    wire *w = open_wire("rst.pcapng", PCAPW_PCAPNG, 1460, path, sizeof path);
    wire_tcp *t = wire_tcp_connect(w, &cli4, &srv4, T0, 10, 20);
    assert_non_null(t);
    uint8_t d[10];
    fill(d, sizeof d, 3);
    assert_int_equal(wire_tcp_send(t, 0, T0 + 100, d, sizeof d), 0);
    assert_int_equal(wire_tcp_rst(t, 1, T0 + 200), 0);
    assert_int_equal(wire_tcp_send(t, 0, T0 + 300, d, sizeof d), -1);
    assert_int_equal(wire_tcp_fin(t, 0, T0 + 300), -1);
    assert_int_equal(wire_tcp_rst(t, 0, T0 + 300), -1);

    wire_tcp *t2 = wire_tcp_connect(w, &cli4, &srv4, T0 + 1000, 30, 40);
    assert_non_null(t2);
    assert_int_equal(wire_tcp_rst(t2, 0, T0 + 1100), 0);
    wire_tcp_free(t2); /* freeing one flow early; close frees the rest */
    assert_int_equal(wire_close(w), 0);

    capture c;
    load(path, &c);
    assert_int_equal(c.n, 3 + 2 + 1 + 3 + 1);
    tcp_at(&c, 3, &cli4, &srv4, 11, 21, F_ACK | F_PSH, 10);
    tcp_at(&c, 4, &srv4, &cli4, 21, 21, F_ACK, 0);
    tcp_at(&c, 5, &srv4, &cli4, 21, 21, F_RST | F_ACK, 0);
    assert_int_equal(c.p[5].ts, T0 + 200);
    tcp_at(&c, 9, &cli4, &srv4, 31, 41, F_RST | F_ACK, 0);
    unload(&c);
}

/* ---- pathologies: 500 bytes at MSS 100 are segments 0..4 ----
 * Unaltered the client's write gives d0 d1 A d2 d3 A d4 A. */

#define P_ISN 1000u
#define P_SRV 9000u

static void seg_at(const capture *c, size_t i, unsigned seg, const uint8_t *data, uint8_t flags)
{
    pv v = tcp_at(c, i, &cli4, &srv4, P_ISN + 1 + seg * 100u, P_SRV + 1, flags, 100);
    assert_memory_equal(v.payload, data + seg * 100u, 100);
}

static void ack_at(const capture *c, size_t i, unsigned acked_bytes)
{
    tcp_at(c, i, &srv4, &cli4, P_SRV + 1, P_ISN + 1 + acked_bytes, F_ACK, 0);
}

/* Writes a flow with the given pathology on client segment nth, one or two
 * client writes of 500 bytes, then optionally a client FIN; the frames
 * after the handshake are loaded into c. */
static void patho_run(const char *name, wire_pathology kind, unsigned nth, int writes, int fin,
                      const uint8_t *data, capture *c)
{
    char path[256];
    wire *w = open_wire(name, PCAPW_PCAPNG, 100, path, sizeof path);
    wire_tcp *t = wire_tcp_connect(w, &cli4, &srv4, T0, P_ISN, P_SRV);
    assert_non_null(t);
    wire_tcp_add_pathology(t, 0, kind, nth);
    for (int i = 0; i < writes; i++)
        assert_int_equal(wire_tcp_send(t, 0, T0 + 1000 * (i + 1), data + 500 * i, 500), 0);
    if (fin)
        assert_int_equal(wire_tcp_fin(t, 0, T0 + 5000), 0);
    assert_int_equal(wire_close(w), 0);
    load(path, c);
    ts_increasing(c);
    /* drop the handshake so indexes start at the first data frame */
    assert_true(c->n >= 3);
    for (size_t i = 0; i < 3; i++)
        free(c->p[i].d);
    memmove(c->p, c->p + 3, (c->n - 3) * sizeof c->p[0]);
    c->n -= 3;
}

static void test_pathology_none(void **state)
{
    (void)state;
    endpoints();
    uint8_t data[1000];
    fill(data, sizeof data, 9);
    capture c;
    /* a pathology on a segment that never exists changes nothing */
    patho_run("none.pcapng", WIRE_LOSE, 99, 1, 0, data, &c);
    assert_int_equal(c.n, 8);
    seg_at(&c, 0, 0, data, F_ACK);
    seg_at(&c, 1, 1, data, F_ACK);
    ack_at(&c, 2, 200);
    seg_at(&c, 3, 2, data, F_ACK);
    seg_at(&c, 4, 3, data, F_ACK);
    ack_at(&c, 5, 400);
    seg_at(&c, 6, 4, data, F_ACK | F_PSH);
    ack_at(&c, 7, 500);
    unload(&c);
}

static void test_pathology_retransmit(void **state)
{
    (void)state;
    endpoints();
    uint8_t data[1000];
    fill(data, sizeof data, 9);
    capture c;
    patho_run("retrans.pcapng", WIRE_RETRANSMIT, 1, 1, 0, data, &c);
    assert_int_equal(c.n, 9);
    seg_at(&c, 0, 0, data, F_ACK);
    pv a = tcp_at(&c, 1, &cli4, &srv4, P_ISN + 101, P_SRV + 1, F_ACK, 100);
    pv b = tcp_at(&c, 2, &cli4, &srv4, P_ISN + 101, P_SRV + 1, F_ACK, 100);
    assert_memory_equal(b.payload, data + 100, 100);
    assert_memory_equal(a.payload, b.payload, 100);
    assert_true(c.p[2].ts > c.p[1].ts);
    assert_int_equal(b.ipid, (uint16_t)(a.ipid + 1)); /* sent again: a new datagram */
    ack_at(&c, 3, 200);
    seg_at(&c, 4, 2, data, F_ACK);
    unload(&c);
}

static void test_pathology_reorder(void **state)
{
    (void)state;
    endpoints();
    uint8_t data[1000];
    fill(data, sizeof data, 9);
    capture c;

    /* segment 2 goes out after segment 3 */
    patho_run("reorder2.pcapng", WIRE_REORDER, 2, 1, 0, data, &c);
    assert_int_equal(c.n, 8);
    seg_at(&c, 0, 0, data, F_ACK);
    seg_at(&c, 1, 1, data, F_ACK);
    ack_at(&c, 2, 200);
    seg_at(&c, 3, 3, data, F_ACK);
    seg_at(&c, 4, 2, data, F_ACK);
    ack_at(&c, 5, 400);
    seg_at(&c, 6, 4, data, F_ACK | F_PSH);
    unload(&c);

    /* segment 1 (followed by the peer's ACK) still comes after segment 2 */
    patho_run("reorder1.pcapng", WIRE_REORDER, 1, 1, 0, data, &c);
    assert_int_equal(c.n, 8);
    seg_at(&c, 0, 0, data, F_ACK);
    ack_at(&c, 1, 200);
    seg_at(&c, 2, 2, data, F_ACK);
    seg_at(&c, 3, 1, data, F_ACK);
    seg_at(&c, 4, 3, data, F_ACK);
    unload(&c);

    /* the last segment of a write waits for the next write's first one */
    patho_run("reorder4.pcapng", WIRE_REORDER, 4, 2, 0, data, &c);
    assert_int_equal(c.n, 16);
    seg_at(&c, 4, 3, data, F_ACK);
    ack_at(&c, 5, 400);
    ack_at(&c, 6, 500);
    seg_at(&c, 7, 5, data, F_ACK);
    seg_at(&c, 8, 4, data, F_ACK | F_PSH);
    seg_at(&c, 9, 6, data, F_ACK);
    unload(&c);

    /* ... or for the FIN that ends the direction */
    patho_run("reorder4fin.pcapng", WIRE_REORDER, 4, 1, 1, data, &c);
    assert_int_equal(c.n, 10);
    ack_at(&c, 6, 500);
    seg_at(&c, 7, 4, data, F_ACK | F_PSH);
    tcp_at(&c, 8, &cli4, &srv4, P_ISN + 501, P_SRV + 1, F_FIN | F_ACK, 0);
    ack_at(&c, 9, 501);
    unload(&c);

    /* ... or for the end of the capture */
    patho_run("reorder4close.pcapng", WIRE_REORDER, 4, 1, 0, data, &c);
    assert_int_equal(c.n, 8);
    ack_at(&c, 6, 500);
    seg_at(&c, 7, 4, data, F_ACK | F_PSH);
    unload(&c);
}

static void test_pathology_overlap(void **state)
{
    (void)state;
    endpoints();
    uint8_t data[1000];
    fill(data, sizeof data, 9);
    capture c;
    patho_run("overlap.pcapng", WIRE_OVERLAP, 2, 1, 0, data, &c);
    assert_int_equal(c.n, 8);
    seg_at(&c, 1, 1, data, F_ACK);
    /* 16 bytes earlier, same content, covering all of segment 2 */
    pv v = tcp_at(&c, 3, &cli4, &srv4, P_ISN + 1 + 200 - 16, P_SRV + 1, F_ACK, 116);
    assert_memory_equal(v.payload, data + 184, 116);
    seg_at(&c, 4, 3, data, F_ACK);
    unload(&c);

    /* counted across writes: segment 7 is the second write's segment 2 */
    patho_run("overlap7.pcapng", WIRE_OVERLAP, 7, 2, 0, data, &c);
    assert_int_equal(c.n, 16);
    v = tcp_at(&c, 11, &cli4, &srv4, P_ISN + 1 + 700 - 16, P_SRV + 1, F_ACK, 116);
    assert_memory_equal(v.payload, data + 684, 116);
    unload(&c);
}

static void test_pathology_lose(void **state)
{
    (void)state;
    endpoints();
    uint8_t data[1000];
    fill(data, sizeof data, 9);
    capture c;
    patho_run("lose.pcapng", WIRE_LOSE, 2, 1, 0, data, &c);
    assert_int_equal(c.n, 7);
    seg_at(&c, 0, 0, data, F_ACK);
    pv before = tcp_at(&c, 1, &cli4, &srv4, P_ISN + 101, P_SRV + 1, F_ACK, 100);
    ack_at(&c, 2, 200);
    /* segment 2 is missing, the peer's ACKs are not */
    pv after = tcp_at(&c, 3, &cli4, &srv4, P_ISN + 301, P_SRV + 1, F_ACK, 100);
    assert_memory_equal(after.payload, data + 300, 100);
    ack_at(&c, 4, 400);
    seg_at(&c, 5, 4, data, F_ACK | F_PSH);
    ack_at(&c, 6, 500);
    /* the sender did send it: the IP ID skips one */
    assert_int_equal(after.ipid, (uint16_t)(before.ipid + 2));
    unload(&c);
}

static void test_pathology_server_side(void **state)
{
    (void)state;
    endpoints();
    char path[256];
    wire *w = open_wire("srvpatho.pcapng", PCAPW_PCAPNG, 1460, path, sizeof path);
    wire_tcp *t = wire_tcp_connect(w, &cli4, &srv4, T0, 1, 1);
    assert_non_null(t);
    wire_tcp_add_pathology(t, 1, WIRE_RETRANSMIT, 0);
    uint8_t d[20];
    fill(d, sizeof d, 4);
    /* the client's segment 0 is untouched: the pathology is the server's */
    assert_int_equal(wire_tcp_send(t, 0, T0 + 100, d, sizeof d), 0);
    assert_int_equal(wire_tcp_send(t, 1, T0 + 200, d, sizeof d), 0);
    assert_int_equal(wire_close(w), 0);
    capture c;
    load(path, &c);
    assert_int_equal(c.n, 3 + 2 + 3);
    tcp_at(&c, 5, &srv4, &cli4, 2, 22, F_ACK | F_PSH, 20);
    tcp_at(&c, 6, &srv4, &cli4, 2, 22, F_ACK | F_PSH, 20);
    tcp_at(&c, 7, &cli4, &srv4, 22, 22, F_ACK, 0);
    unload(&c);
}

/* ---- capture start ---- */

static void test_capture_start(void **state)
{
    (void)state;
    endpoints();
    char path[256];
    wire *w = open_wire("start.pcapng", PCAPW_PCAPNG, 1460, path, sizeof path);
    wire_set_capture_start(w, T0 + 1000);
    wire_tcp *t = wire_tcp_connect(w, &cli4, &srv4, T0, 500, 700);
    assert_non_null(t);
    uint8_t d[50];
    fill(d, sizeof d, 5);
    assert_int_equal(wire_tcp_send(t, 0, T0 + 500, d, sizeof d), 0);
    /* secrets are still allowed: nothing has been written yet */
    assert_int_equal(wire_add_tls_secrets(w, "x\n", 2), 0);
    assert_int_equal(wire_tcp_send(t, 1, T0 + 1000, d, sizeof d), 0);
    assert_int_equal(wire_close(w), 0);

    capture c;
    load(path, &c);
    /* handshake and the first exchange happened before the capture */
    assert_int_equal(c.n, 2);
    pv v = tcp_at(&c, 0, &srv4, &cli4, 701, 551, F_ACK | F_PSH, 50);
    assert_memory_equal(v.payload, d, 50);
    assert_int_equal(c.p[0].ts, T0 + 1000);
    tcp_at(&c, 1, &cli4, &srv4, 551, 751, F_ACK, 0);
    unload(&c);
}

/* ---- IPv6 and UDP ---- */

static void test_ipv6_and_udp(void **state)
{
    (void)state;
    endpoints();
    char path[256];
    wire *w = open_wire("v6.pcapng", PCAPW_PCAPNG, 1440, path, sizeof path);
    wire_tcp *t = wire_tcp_connect(w, &cli6, &srv6, T0, 1, 2);
    assert_non_null(t);
    uint8_t d[1441];
    fill(d, sizeof d, 6);
    assert_int_equal(wire_tcp_send(t, 0, T0 + 100, d, sizeof d), 0);
    /* odd-length UDP payload: the checksum pads with a zero byte */
    assert_int_equal(wire_udp(w, &srv6, &cli6, T0 + 200, d, 33), 0);
    assert_int_equal(wire_udp(w, &cli4, &dns4, T0 + 300, d, 41), 0);
    /* mixed families and oversized datagrams are refused */
    assert_int_equal(wire_udp(w, &cli4, &srv6, T0 + 400, d, 1), -1);
    assert_null(wire_tcp_connect(w, &cli6, &srv4, T0 + 400, 1, 1));
    static uint8_t big[65536];
    assert_int_equal(wire_udp(w, &cli4, &dns4, T0 + 400, big, 65508), -1);
    assert_int_equal(wire_udp(w, &cli4, &dns4, T0 + 400, big, 65507), 0);
    assert_int_equal(wire_close(w), 0);

    capture c;
    load(path, &c);
    assert_int_equal(c.n, 3 + 3 + 2 + 1);
    pv v = tcp_at(&c, 0, &cli6, &srv6, 1, 0, F_SYN, 0);
    assert_int_equal(v.mss, 1440);
    tcp_at(&c, 1, &srv6, &cli6, 2, 2, F_SYN | F_ACK, 0);
    v = tcp_at(&c, 3, &cli6, &srv6, 2, 3, F_ACK, 1440);
    assert_memory_equal(v.payload, d, 1440);
    v = tcp_at(&c, 4, &cli6, &srv6, 1442, 3, F_ACK | F_PSH, 1);
    assert_int_equal(v.payload[0], d[1440]);
    tcp_at(&c, 5, &srv6, &cli6, 3, 1443, F_ACK, 0);

    parse(&c.p[6], &v);
    assert_int_equal(v.family, 6);
    assert_int_equal(v.proto, 17);
    assert_int_equal(v.ttl, 64);
    assert_int_equal(v.sport, 16992);
    assert_int_equal(v.dport, 50001);
    assert_int_equal(v.plen, 33);
    assert_memory_equal(v.payload, d, 33);

    parse(&c.p[7], &v);
    assert_int_equal(v.family, 4);
    assert_int_equal(v.proto, 17);
    assert_int_equal(v.ttl, 64);
    assert_int_equal(v.dport, 53);
    assert_int_equal(v.plen, 41);
    assert_memory_equal(v.smac, cli4.mac, 6);
    assert_memory_equal(v.dmac, dns4.mac, 6);

    parse(&c.p[8], &v);
    assert_int_equal(v.plen, 65507);
    unload(&c);
}

/* A datagram whose checksum computes to 0 must carry 0xffff instead, since
 * 0 means "no checksum". The payload word is chosen to cancel the rest. */
static void test_udp_zero_checksum(void **state)
{
    (void)state;
    endpoints();
    uint8_t b[12 + 8 + 2] = {0};
    memcpy(b, cli4.addr, 4);
    memcpy(b + 4, dns4.addr, 4);
    b[9] = 17;
    b[11] = 10;
    b[12] = (uint8_t)(cli4.port >> 8);
    b[13] = (uint8_t)cli4.port;
    b[14] = (uint8_t)(dns4.port >> 8);
    b[15] = (uint8_t)dns4.port;
    b[17] = 10;
    uint16_t c0 = (uint16_t)~fold(sum16(0, b, sizeof b));
    uint8_t payload[2] = {(uint8_t)(c0 >> 8), (uint8_t)c0};

    char path[256];
    wire *w = open_wire("udp0.pcapng", PCAPW_PCAPNG, 1460, path, sizeof path);
    assert_int_equal(wire_udp(w, &cli4, &dns4, T0, payload, sizeof payload), 0);
    assert_int_equal(wire_close(w), 0);
    capture c;
    load(path, &c);
    assert_int_equal(c.n, 1);
    pv v;
    parse(&c.p[0], &v);
    assert_int_equal(v.plen, 2);
    assert_int_equal(rd16(c.p[0].d + 14 + 20 + 6), 0xffff);
    unload(&c);
}

/* ---- dns ---- */

static const uint8_t q_amt_a[] = {
    0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* header */
    3,    'a',  'm',  't',  7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',
    3,    'c',  'o',  'm',  0,    0x00, 0x01, 0x00, 0x01, /* qtype A, class IN */
};

static void test_dns_query(void **state)
{
    (void)state;
    uint8_t b[512];
    size_t n = dns_build_query(b, sizeof b, 0x1234, "amt.example.com", DNS_TYPE_A);
    assert_int_equal(n, sizeof q_amt_a);
    assert_memory_equal(b, q_amt_a, sizeof q_amt_a);
    /* a trailing dot names the same thing */
    n = dns_build_query(b, sizeof b, 0x1234, "amt.example.com.", DNS_TYPE_A);
    assert_int_equal(n, sizeof q_amt_a);
    assert_memory_equal(b, q_amt_a, sizeof q_amt_a);

    /* exactly enough room, and one byte short */
    assert_int_equal(dns_build_query(b, sizeof q_amt_a, 0x1234, "amt.example.com", 1),
                     sizeof q_amt_a);
    assert_int_equal(dns_build_query(b, sizeof q_amt_a - 1, 0x1234, "amt.example.com", 1), 0);

    assert_int_equal(dns_build_query(b, sizeof b, 1, "", DNS_TYPE_A), 0);
    assert_int_equal(dns_build_query(b, sizeof b, 1, "a..b", DNS_TYPE_A), 0);
    assert_int_equal(dns_build_query(b, sizeof b, 1, ".a", DNS_TYPE_A), 0);
    assert_int_equal(dns_build_query(b, sizeof b, 1, "a b", DNS_TYPE_A), 0);
    char lab[80];
    memset(lab, 'x', 63);
    lab[63] = '\0';
    assert_int_equal(dns_build_query(b, sizeof b, 1, lab, DNS_TYPE_A), 12 + 65 + 4);
    lab[63] = 'x';
    lab[64] = '\0';
    assert_int_equal(dns_build_query(b, sizeof b, 1, lab, DNS_TYPE_A), 0);
    /* 255 bytes encoded is the limit: 4 labels of 62 + 1 of 1 = 252 + 3 */
    char name[300];
    size_t k = 0;
    for (int i = 0; i < 4; i++) {
        memset(name + k, 'a', 62);
        k += 62;
        name[k++] = '.';
    }
    name[k++] = 'b';
    name[k] = '\0';
    assert_int_equal(dns_build_query(b, sizeof b, 1, name, DNS_TYPE_A), 12 + 255 + 4);
    name[k++] = 'c';
    name[k] = '\0';
    assert_int_equal(dns_build_query(b, sizeof b, 1, name, DNS_TYPE_A), 0);
}

static void test_dns_responses(void **state)
{
    (void)state;
    uint8_t b[512];
    const uint8_t a[4] = {192, 0, 2, 10};
    size_t n = dns_build_response(b, sizeof b, 0x1234, "amt.example.com", DNS_TYPE_A, DNS_RCODE_OK,
                                  a, 300);
    assert_int_equal(n, sizeof q_amt_a + 16);
    static const uint8_t hdr_ok[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0};
    assert_memory_equal(b, hdr_ok, 12);
    assert_memory_equal(b + 12, q_amt_a + 12, sizeof q_amt_a - 12);
    static const uint8_t ans_a[] = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x01, 0x2C, 0, 4, 192, 0, 2, 10};
    assert_memory_equal(b + sizeof q_amt_a, ans_a, sizeof ans_a);

    /* NXDOMAIN: the question only, no answer even if one is passed */
    n = dns_build_response(b, sizeof b, 0x1234, "amt.example.com", DNS_TYPE_A, DNS_RCODE_NXDOMAIN,
                           a, 300);
    assert_int_equal(n, sizeof q_amt_a);
    static const uint8_t hdr_nx[] = {0x12, 0x34, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(b, hdr_nx, 12);
    assert_memory_equal(b + 12, q_amt_a + 12, sizeof q_amt_a - 12);

    /* AAAA */
    uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8};
    a6[15] = 0x10;
    n = dns_build_response(b, sizeof b, 7, "amt.example.com", DNS_TYPE_AAAA, DNS_RCODE_OK, a6, 60);
    assert_int_equal(n, sizeof q_amt_a + 12 + 16);
    assert_int_equal(rd16(b + 12 + 17), DNS_TYPE_AAAA);
    const uint8_t *an = b + sizeof q_amt_a;
    assert_int_equal(rd16(an), 0xC00C);
    assert_int_equal(rd16(an + 2), DNS_TYPE_AAAA);
    assert_int_equal(rd32(an + 6), 60);
    assert_int_equal(rd16(an + 10), 16);
    assert_memory_equal(an + 12, a6, 16);

    /* no room for the answer */
    assert_int_equal(dns_build_response(b, sizeof q_amt_a + 15, 0x1234, "amt.example.com",
                                        DNS_TYPE_A, DNS_RCODE_OK, a, 300),
                     0);
    assert_int_equal(dns_build_response(b, sizeof b, 1, "amt.example.com", DNS_TYPE_A, 16, NULL, 0),
                     0);
}

static void test_dns_ptr(void **state)
{
    (void)state;
    char name[128];
    const uint8_t a4[4] = {192, 0, 2, 10};
    assert_string_equal(dns_ptr_name(4, a4, name, sizeof name), "10.2.0.192.in-addr.arpa");
    uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8};
    a6[15] = 0x10;
    assert_string_equal(dns_ptr_name(6, a6, name, sizeof name),
                        "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
    /* too small: empty rather than truncated */
    assert_string_equal(dns_ptr_name(4, a4, name, 10), "");
    assert_string_equal(dns_ptr_name(6, a6, name, 72), "");
    assert_int_equal(strlen(dns_ptr_name(6, a6, name, 73)), 72);

    uint8_t b[512];
    dns_ptr_name(4, a4, name, sizeof name);
    size_t n = dns_build_response(b, sizeof b, 0xBEEF, name, DNS_TYPE_PTR, DNS_RCODE_OK,
                                  "amt.example.com", 3600);
    static const uint8_t want[] = {0xBE, 0xEF, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
                                   /* question: 10.2.0.192.in-addr.arpa PTR IN */
                                   2, '1', '0', 1, '2', 1, '0', 3, '1', '9', '2', 7, 'i', 'n', '-',
                                   'a', 'd', 'd', 'r', 4, 'a', 'r', 'p', 'a', 0, 0, 12, 0, 1,
                                   /* answer: pointer to the question name, PTR IN, TTL 3600 */
                                   0xC0, 0x0C, 0, 12, 0, 1, 0, 0, 0x0E, 0x10, 0, 17,
                                   /* rdata: amt.example.com */
                                   3, 'a', 'm', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c',
                                   'o', 'm', 0};
    assert_int_equal(n, sizeof want);
    assert_memory_equal(b, want, sizeof want);

    /* a PTR query is an ordinary query */
    n = dns_build_query(b, sizeof b, 0xBEEF, name, DNS_TYPE_PTR);
    assert_int_equal(n, 12 + 25 + 4);
    assert_int_equal(b[2], 0x01);
    assert_int_equal(b[3], 0x00);
    assert_memory_equal(b + 12, want + 12, 25 + 4);

    /* an invalid PTR target is an error */
    assert_int_equal(
        dns_build_response(b, sizeof b, 1, name, DNS_TYPE_PTR, DNS_RCODE_OK, "bad..name", 1), 0);
}

/* amtsim --serve reads real resolvers' queries: what it builds it reads
 * back, and anything else is refused without reading past the datagram. */
static void test_dns_parse_query(void **state)
{
    (void)state;
    uint8_t b[512];
    char name[256];
    uint16_t id, type;
    size_t n = dns_build_query(b, sizeof b, 0x4242, "amt-pc17.vpro.example.com", DNS_TYPE_AAAA);
    assert_int_equal(dns_parse_query(b, n, &id, name, sizeof name, &type), 0);
    assert_int_equal(id, 0x4242);
    assert_int_equal(type, DNS_TYPE_AAAA);
    assert_string_equal(name, "amt-pc17.vpro.example.com");
    /* an EDNS0 OPT record after the question is ignored */
    static const uint8_t opt[] = {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0};
    memcpy(b + n, opt, sizeof opt);
    b[11] = 1;
    assert_int_equal(dns_parse_query(b, n + sizeof opt, &id, name, sizeof name, &type), 0);
    assert_string_equal(name, "amt-pc17.vpro.example.com");
    /* every truncation is refused */
    for (size_t k = 0; k < n; k++)
        assert_int_equal(dns_parse_query(b, k, &id, name, sizeof name, &type), -1);
    /* the name does not fit: refused, not truncated */
    assert_int_equal(dns_parse_query(b, n, &id, name, 10, &type), -1);
    /* a response, two questions, a compression pointer, a control byte */
    b[2] |= 0x80;
    assert_int_equal(dns_parse_query(b, n, &id, name, sizeof name, &type), -1);
    b[2] &= 0x7f;
    b[5] = 2;
    assert_int_equal(dns_parse_query(b, n, &id, name, sizeof name, &type), -1);
    b[5] = 1;
    b[12] = 0xC0;
    assert_int_equal(dns_parse_query(b, n, &id, name, sizeof name, &type), -1);
    b[12] = 8;
    b[13] = '\n';
    assert_int_equal(dns_parse_query(b, n, &id, name, sizeof name, &type), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns_parse_query),
        cmocka_unit_test(test_endpoint),
        cmocka_unit_test(test_tcp_conversation),
        cmocka_unit_test(test_classic_pcap),
        cmocka_unit_test(test_pcapng_blocks_dsb),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_timestamps_clamped),
        cmocka_unit_test(test_refused_unanswered),
        cmocka_unit_test(test_rst),
        cmocka_unit_test(test_pathology_none),
        cmocka_unit_test(test_pathology_retransmit),
        cmocka_unit_test(test_pathology_reorder),
        cmocka_unit_test(test_pathology_overlap),
        cmocka_unit_test(test_pathology_lose),
        cmocka_unit_test(test_pathology_server_side),
        cmocka_unit_test(test_capture_start),
        cmocka_unit_test(test_ipv6_and_udp),
        cmocka_unit_test(test_udp_zero_checksum),
        cmocka_unit_test(test_dns_query),
        cmocka_unit_test(test_dns_responses),
        cmocka_unit_test(test_dns_ptr),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
