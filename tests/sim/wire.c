/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wire: frames simulated conversations as Ethernet/IPv4|IPv6/TCP|UDP and
 * writes them through pcapw, with the handshake, MSS segmentation, peer
 * ACKs, FIN/RST, and optional per-segment TCP pathologies. */
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETH_HLEN 14
#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define TCP_OPT_MSS_LEN 4
#define UDP_HLEN 8
#define IP_MAX_LEN 65535u /* 16-bit IPv4 total / IPv6 payload length */

#define PROTO_TCP 6
#define PROTO_UDP 17

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

#define WIRE_TTL 64
#define WIRE_WINDOW 64240
#define WIRE_MSS_MIN 64
/* An overlapped segment carries mss + OVERLAP_BYTES bytes and must still fit
 * an IPv4 datagram with its headers. */
#define OVERLAP_BYTES 16
#define WIRE_MSS_MAX (IP_MAX_LEN - IP4_HLEN - TCP_HLEN - TCP_OPT_MSS_LEN - OVERLAP_BYTES)
/* The largest frame: an IPv6 header plus a full 16-bit payload. */
#define WIRE_FRAME_MAX (ETH_HLEN + IP6_HLEN + IP_MAX_LEN)

/* Delays chosen to look like a quiet LAN: the peer answers (ACK, SYN/ACK,
 * RST) after one short round trip. */
#define WIRE_PEER_DELAY_US 40

#define WIRE_MAX_HOSTS (1u << 22) /* distinct IPv4 senders */
#define WIRE_MAX_PATHOLOGIES 64
#define WIRE_MAX_SYN_TRIES 32 /* the last try then waits 2^31 - 1 s: far from int64 overflow */

enum {
    P_RETRANSMIT = 1u << WIRE_RETRANSMIT,
    P_REORDER = 1u << WIRE_REORDER,
    P_OVERLAP = 1u << WIRE_OVERLAP,
    P_LOSE = 1u << WIRE_LOSE
};

typedef struct {
    uint8_t addr[4];
    uint16_t next_id;
    uint8_t used;
} wire_host;

/* Kinds given for the same segment combine: LOSE wins over the others (the
 * segment never appears); REORDER+RETRANSMIT writes both copies late;
 * OVERLAP changes the form in which any copy is written. */
typedef struct {
    unsigned nth;
    uint8_t dir;
    uint8_t kinds; /* P_* bits */
} wire_patho;

/* A REORDER segment waiting for its successor, already in the form it will
 * be written in (an OVERLAP prefix included). */
typedef struct {
    int present;
    unsigned kinds;
    uint32_t seq;
    uint32_t ack;
    uint8_t flags;
    size_t len;
    uint8_t *data; /* mss + OVERLAP_BYTES bytes, allocated on first use */
} wire_held;

typedef struct {
    sim_endpoint ep;
    uint32_t next_seq; /* next sequence number this side sends */
    unsigned nseg;     /* data segments sent so far: index of the next one */
    int fin;
    uint8_t tail[OVERLAP_BYTES]; /* last bytes of this side's stream, for OVERLAP */
    size_t tail_len;
    wire_held held;
} wire_side;

struct wire_tcp {
    wire *w;
    wire_side side[2]; /* 0 client, 1 server */
    int reset;
    wire_patho patho[WIRE_MAX_PATHOLOGIES];
    unsigned npatho;
    wire_tcp *prev, *next;
};

struct wire {
    pcapw *pw;
    unsigned mss;
    int64_t capture_start;
    int64_t clock; /* timestamp of the last frame built, written or not */
    int have_clock;
    uint64_t written;
    int failed;
    wire_host *hosts;
    size_t nhosts, cap_hosts;
    wire_tcp *flows;
    uint8_t frame[WIRE_FRAME_MAX];
};

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", msg);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    while (n > 1) {
        sum += (uint32_t)p[0] << 8 | p[1];
        p += 2;
        n -= 2;
    }
    if (n == 1)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static int endpoints_ok(const sim_endpoint *a, const sim_endpoint *b)
{
    return a != NULL && b != NULL && (a->family == 4 || a->family == 6) && a->family == b->family;
}

static uint32_t addr4(const uint8_t *a)
{
    return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

/* Doubles the open-addressing table of hosts (empty slots: used == 0). */
static int hosts_grow(wire *w)
{
    size_t ncap = w->cap_hosts ? w->cap_hosts * 2 : 64;
    if (ncap > WIRE_MAX_HOSTS * 2)
        return -1;
    wire_host *nh = calloc(ncap, sizeof *nh);
    if (nh == NULL)
        return -1;
    for (size_t i = 0; i < w->cap_hosts; i++) {
        if (!w->hosts[i].used)
            continue;
        size_t k = (addr4(w->hosts[i].addr) * 2654435761u) & (ncap - 1);
        while (nh[k].used)
            k = (k + 1) & (ncap - 1);
        nh[k] = w->hosts[i];
    }
    free(w->hosts);
    w->hosts = nh;
    w->cap_hosts = ncap;
    return 0;
}

/* IPv4 identification counts per sending host, as a real stack with a
 * global counter does; the start is derived from the address so hosts
 * differ but output stays reproducible. A hash table: a fleet capture has
 * thousands of hosts. */
static int host_next_id(wire *w, const uint8_t *addr, uint16_t *id)
{
    uint32_t a = addr4(addr);
    if (w->nhosts * 2 >= w->cap_hosts && hosts_grow(w) != 0)
        return -1;
    size_t k = (a * 2654435761u) & (w->cap_hosts - 1);
    while (w->hosts[k].used && memcmp(w->hosts[k].addr, addr, 4) != 0)
        k = (k + 1) & (w->cap_hosts - 1);
    wire_host *h = &w->hosts[k];
    if (!h->used) {
        h->used = 1;
        memcpy(h->addr, addr, 4);
        h->next_id = (uint16_t)((a * 2654435761u) >> 16);
        w->nhosts++;
    }
    *id = h->next_id++;
    return 0;
}

/* Builds Ethernet + IP + the L4 header and payload (given in two parts so an
 * OVERLAP prefix needs no copy) into w->frame and fills in the L4 checksum
 * at csum_off within the L4 header. Returns the frame length, 0 on error. */
static size_t build_frame(wire *w, const sim_endpoint *src, const sim_endpoint *dst, uint8_t proto,
                          const uint8_t *l4h, size_t hlen, size_t csum_off, const uint8_t *pre,
                          size_t prelen, const uint8_t *data, size_t dlen)
{
    size_t iphl = src->family == 4 ? IP4_HLEN : IP6_HLEN;
    if (prelen > IP_MAX_LEN || dlen > IP_MAX_LEN)
        return 0;
    size_t l4len = hlen + prelen + dlen;
    size_t iplen = src->family == 4 ? iphl + l4len : l4len; /* total vs payload length */
    if (iplen > IP_MAX_LEN || ETH_HLEN + iphl + l4len > sizeof w->frame)
        return 0;

    uint8_t *f = w->frame;
    memcpy(f, dst->mac, 6);
    memcpy(f + 6, src->mac, 6);
    put16(f + 12, src->family == 4 ? 0x0800 : 0x86DD);

    uint8_t *ip = f + ETH_HLEN;
    uint64_t pseudo = 0;
    if (src->family == 4) {
        uint16_t id;
        if (host_next_id(w, src->addr, &id) != 0)
            return 0;
        ip[0] = 0x45;
        ip[1] = 0;
        put16(ip + 2, (uint16_t)iplen);
        put16(ip + 4, id);
        put16(ip + 6, 0x4000); /* DF: these stacks do path MTU discovery */
        ip[8] = WIRE_TTL;
        ip[9] = proto;
        put16(ip + 10, 0);
        memcpy(ip + 12, src->addr, 4);
        memcpy(ip + 16, dst->addr, 4);
        put16(ip + 10, csum_fold(csum_add(0, ip, IP4_HLEN)));

        uint8_t ph[12];
        memcpy(ph, src->addr, 4);
        memcpy(ph + 4, dst->addr, 4);
        ph[8] = 0;
        ph[9] = proto;
        put16(ph + 10, (uint16_t)l4len);
        pseudo = csum_add(0, ph, sizeof ph);
    } else {
        put32(ip, 0x60000000u);
        put16(ip + 4, (uint16_t)l4len);
        ip[6] = proto;
        ip[7] = WIRE_TTL; /* hop limit */
        memcpy(ip + 8, src->addr, 16);
        memcpy(ip + 24, dst->addr, 16);

        uint8_t ph[40];
        memcpy(ph, src->addr, 16);
        memcpy(ph + 16, dst->addr, 16);
        put32(ph + 32, (uint32_t)l4len);
        memset(ph + 36, 0, 3);
        ph[39] = proto;
        pseudo = csum_add(0, ph, sizeof ph);
    }

    uint8_t *l4 = ip + iphl;
    memcpy(l4, l4h, hlen);
    put16(l4 + csum_off, 0);
    if (prelen > 0)
        memcpy(l4 + hlen, pre, prelen);
    if (dlen > 0)
        memcpy(l4 + hlen + prelen, data, dlen);
    uint16_t ck = csum_fold(csum_add(pseudo, l4, l4len));
    if (proto == PROTO_UDP && ck == 0)
        ck = 0xFFFF; /* 0 means "no checksum" in UDP */
    put16(l4 + csum_off, ck);
    return ETH_HLEN + iphl + l4len;
}

/* Timestamps only move forward: each frame is at least 1 us after the
 * previous one, whatever time the caller asked for. */
static int64_t frame_ts(const wire *w, int64_t want)
{
    if (w->have_clock && want <= w->clock)
        return w->clock + 1;
    return want;
}

/* Writes the frame just built, unless it falls before the capture start or
 * the capture "missed" it. The clock advances either way. */
static int emit(wire *w, int64_t ts, size_t len, int suppress)
{
    w->clock = ts;
    w->have_clock = 1;
    if (suppress || ts < w->capture_start)
        return 0;
    if (pcapw_write_frame(w->pw, ts, w->frame, len) != 0) {
        w->failed = 1;
        return -1;
    }
    w->written++;
    return 0;
}

/* One TCP frame from src to dst at (no earlier than) want. */
static int tcp_frame(wire *w, int64_t want, const sim_endpoint *src, const sim_endpoint *dst,
                     uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *pre, size_t prelen,
                     const uint8_t *data, size_t dlen, int suppress)
{
    uint8_t h[TCP_HLEN + TCP_OPT_MSS_LEN];
    size_t hlen = TCP_HLEN;
    put16(h, src->port);
    put16(h + 2, dst->port);
    put32(h + 4, seq);
    put32(h + 8, (flags & TCP_ACK) ? ack : 0);
    h[13] = flags;
    put16(h + 14, WIRE_WINDOW);
    put16(h + 16, 0);
    put16(h + 18, 0);
    if (flags & TCP_SYN) {
        h[20] = 2; /* MSS option */
        h[21] = TCP_OPT_MSS_LEN;
        put16(h + 22, (uint16_t)w->mss);
        hlen += TCP_OPT_MSS_LEN;
    }
    h[12] = (uint8_t)((hlen / 4) << 4);

    size_t len = build_frame(w, src, dst, PROTO_TCP, h, hlen, 16, pre, prelen, data, dlen);
    if (len == 0) {
        w->failed = 1;
        return -1;
    }
    return emit(w, frame_ts(w, want), len, suppress);
}

static int flow_frame(wire_tcp *t, int dir, int64_t want, uint32_t seq, uint32_t ack, uint8_t flags,
                      const uint8_t *pre, size_t prelen, const uint8_t *data, size_t dlen,
                      int suppress)
{
    return tcp_frame(t->w, want, &t->side[dir].ep, &t->side[!dir].ep, seq, ack, flags, pre, prelen,
                     data, dlen, suppress);
}

/* A pure ACK from dir: what the peer of a data sender or FIN sender says. */
static int flow_ack(wire_tcp *t, int dir)
{
    wire *w = t->w;
    return flow_frame(t, dir, w->clock + WIRE_PEER_DELAY_US, t->side[dir].next_seq,
                      t->side[!dir].next_seq, TCP_ACK, NULL, 0, NULL, 0, 0);
}

/* Writes dir's held REORDER segment (twice if it is also RETRANSMIT). */
static int flush_held(wire_tcp *t, int dir)
{
    wire_held *hd = &t->side[dir].held;
    if (!hd->present)
        return 0;
    hd->present = 0;
    int copies = (hd->kinds & P_RETRANSMIT) ? 2 : 1;
    for (int i = 0; i < copies; i++) {
        if (flow_frame(t, dir, t->w->clock + 1, hd->seq, hd->ack, hd->flags, NULL, 0, hd->data,
                       hd->len, 0) != 0)
            return -1;
    }
    return 0;
}

static unsigned patho_kinds(const wire_tcp *t, int dir, unsigned nth)
{
    for (unsigned i = 0; i < t->npatho; i++) {
        if (t->patho[i].dir == dir && t->patho[i].nth == nth)
            return t->patho[i].kinds;
    }
    return 0;
}

static void update_tail(wire_side *s, const uint8_t *d, size_t n)
{
    if (n >= OVERLAP_BYTES) {
        memcpy(s->tail, d + n - OVERLAP_BYTES, OVERLAP_BYTES);
        s->tail_len = OVERLAP_BYTES;
        return;
    }
    size_t keep = s->tail_len + n > OVERLAP_BYTES ? OVERLAP_BYTES - n : s->tail_len;
    memmove(s->tail, s->tail + s->tail_len - keep, keep);
    memcpy(s->tail + keep, d, n);
    s->tail_len = keep + n;
}

/* Sends one data segment of dir with its pathologies applied. */
static int flow_segment(wire_tcp *t, int dir, int64_t want, const uint8_t *d, size_t n, int last)
{
    wire *w = t->w;
    wire_side *s = &t->side[dir];
    unsigned kinds = patho_kinds(t, dir, s->nseg);
    uint8_t flags = (uint8_t)(TCP_ACK | (last ? TCP_PSH : 0));
    uint32_t seq = s->next_seq;
    uint32_t ack = t->side[!dir].next_seq;

    /* OVERLAP: the written segment starts up to 16 bytes earlier and
     * repeats that stream data; the first segment has nothing before it. */
    const uint8_t *pre = NULL;
    size_t prelen = 0;
    if ((kinds & P_OVERLAP) && s->tail_len > 0) {
        pre = s->tail;
        prelen = s->tail_len;
    }
    uint32_t wseq = seq - (uint32_t)prelen;

    int rc = 0;
    int had_held = s->held.present;
    if (kinds & P_LOSE) {
        /* built so the IP ID gap is there, as in a capture that missed it */
        rc = flow_frame(t, dir, want, wseq, ack, flags, pre, prelen, d, n, 1);
    } else if ((kinds & P_REORDER) && !had_held) {
        wire_held *hd = &s->held;
        if (hd->data == NULL) {
            hd->data = malloc((size_t)w->mss + OVERLAP_BYTES);
            if (hd->data == NULL) {
                w->failed = 1;
                return -1;
            }
        }
        if (prelen + n > (size_t)w->mss + OVERLAP_BYTES) {
            w->failed = 1;
            return -1;
        }
        if (prelen > 0)
            memcpy(hd->data, pre, prelen);
        memcpy(hd->data + prelen, d, n);
        hd->len = prelen + n;
        hd->seq = wseq;
        hd->ack = ack;
        hd->flags = flags;
        hd->kinds = kinds;
        hd->present = 1;
    } else {
        /* A REORDER on the segment right after a held one cannot hold a
         * second segment (one buffer per side): it is written in order. */
        int copies = (kinds & P_RETRANSMIT) ? 2 : 1;
        for (int i = 0; i < copies && rc == 0; i++)
            rc = flow_frame(t, dir, want, wseq, ack, flags, pre, prelen, d, n, 0);
    }
    /* the segment held before this one goes out right after it */
    if (rc == 0 && had_held)
        rc = flush_held(t, dir);

    s->next_seq += (uint32_t)n;
    s->nseg++;
    update_tail(s, d, n);
    return rc;
}

wire *wire_open(const char *path, pcapw_format fmt, unsigned mss, char *err, size_t errlen)
{
    if (mss < WIRE_MSS_MIN || mss > WIRE_MSS_MAX) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s: MSS %u out of range [%u, %u]",
                     path != NULL ? path : "(null)", mss, (unsigned)WIRE_MSS_MIN,
                     (unsigned)WIRE_MSS_MAX);
        return NULL;
    }
    wire *w = calloc(1, sizeof *w);
    if (w == NULL) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    w->pw = pcapw_open(path, fmt, err, errlen);
    if (w->pw == NULL) {
        free(w);
        return NULL;
    }
    w->mss = mss;
    w->capture_start = INT64_MIN;
    return w;
}

int wire_add_tls_secrets(wire *w, const char *keylog, size_t len)
{
    if (w == NULL || w->written > 0)
        return -1;
    return pcapw_add_tls_secrets(w->pw, keylog, len);
}

void wire_set_capture_start(wire *w, int64_t ts_us)
{
    if (w != NULL)
        w->capture_start = ts_us;
}

wire_tcp *wire_tcp_connect(wire *w, const sim_endpoint *cli, const sim_endpoint *srv, int64_t ts_us,
                           uint32_t cli_isn, uint32_t srv_isn)
{
    if (w == NULL || !endpoints_ok(cli, srv))
        return NULL;
    wire_tcp *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->w = w;
    t->side[0].ep = *cli;
    t->side[1].ep = *srv;

    if (tcp_frame(w, ts_us, cli, srv, cli_isn, 0, TCP_SYN, NULL, 0, NULL, 0, 0) != 0 ||
        tcp_frame(w, w->clock + WIRE_PEER_DELAY_US, srv, cli, srv_isn, cli_isn + 1,
                  TCP_SYN | TCP_ACK, NULL, 0, NULL, 0, 0) != 0 ||
        tcp_frame(w, w->clock + 1, cli, srv, cli_isn + 1, srv_isn + 1, TCP_ACK, NULL, 0, NULL, 0,
                  0) != 0) {
        free(t);
        return NULL;
    }
    t->side[0].next_seq = cli_isn + 1;
    t->side[1].next_seq = srv_isn + 1;

    t->next = w->flows;
    if (w->flows != NULL)
        w->flows->prev = t;
    w->flows = t;
    return t;
}

int wire_tcp_refused(wire *w, const sim_endpoint *cli, const sim_endpoint *srv, int64_t ts_us,
                     uint32_t cli_isn)
{
    if (w == NULL || !endpoints_ok(cli, srv))
        return -1;
    /* RFC 9293: a RST answering a SYN has seq 0 and acknowledges the SYN */
    if (tcp_frame(w, ts_us, cli, srv, cli_isn, 0, TCP_SYN, NULL, 0, NULL, 0, 0) != 0)
        return -1;
    return tcp_frame(w, w->clock + WIRE_PEER_DELAY_US, srv, cli, 0, cli_isn + 1, TCP_RST | TCP_ACK,
                     NULL, 0, NULL, 0, 0);
}

int wire_tcp_unanswered(wire *w, const sim_endpoint *cli, const sim_endpoint *srv, int64_t ts_us,
                        uint32_t cli_isn, unsigned tries)
{
    if (w == NULL || !endpoints_ok(cli, srv) || tries == 0 || tries > WIRE_MAX_SYN_TRIES)
        return -1;
    /* exponential backoff: try i goes out (2^i - 1) seconds after the first */
    for (unsigned i = 0; i < tries; i++) {
        int64_t at = ts_us + (int64_t)((UINT64_C(1) << i) - 1) * 1000000;
        if (tcp_frame(w, at, cli, srv, cli_isn, 0, TCP_SYN, NULL, 0, NULL, 0, 0) != 0)
            return -1;
    }
    return 0;
}

int wire_tcp_send(wire_tcp *t, int from_server, int64_t ts_us, const uint8_t *data, size_t len)
{
    int dir = from_server ? 1 : 0;
    if (t == NULL || t->reset || t->side[dir].fin || (data == NULL && len > 0))
        return -1;

    wire *w = t->w;
    size_t nseg = (len + w->mss - 1) / w->mss;
    for (size_t i = 0; i < nseg; i++) {
        size_t off = i * w->mss;
        size_t n = len - off < w->mss ? len - off : w->mss;
        int last = i + 1 == nseg;
        if (flow_segment(t, dir, ts_us, data + off, n, last) != 0)
            return -1;
        /* delayed-ACK behaviour: every second full segment, and the end */
        if ((i % 2 == 1 || last) && flow_ack(t, !dir) != 0)
            return -1;
    }
    return 0;
}

int wire_tcp_fin(wire_tcp *t, int from_server, int64_t ts_us)
{
    int dir = from_server ? 1 : 0;
    if (t == NULL || t->reset || t->side[dir].fin)
        return -1;
    /* a held segment precedes the FIN that ends its direction */
    if (flush_held(t, dir) != 0)
        return -1;
    wire_side *s = &t->side[dir];
    if (flow_frame(t, dir, ts_us, s->next_seq, t->side[!dir].next_seq, TCP_FIN | TCP_ACK, NULL, 0,
                   NULL, 0, 0) != 0)
        return -1;
    s->next_seq++; /* the FIN occupies one sequence number */
    s->fin = 1;
    return flow_ack(t, !dir);
}

int wire_tcp_rst(wire_tcp *t, int from_server, int64_t ts_us)
{
    int dir = from_server ? 1 : 0;
    if (t == NULL || t->reset)
        return -1;
    /* nothing of this flow should follow its RST */
    if (flush_held(t, dir) != 0 || flush_held(t, !dir) != 0)
        return -1;
    t->reset = 1;
    return flow_frame(t, dir, ts_us, t->side[dir].next_seq, t->side[!dir].next_seq,
                      TCP_RST | TCP_ACK, NULL, 0, NULL, 0, 0);
}

void wire_tcp_add_pathology(wire_tcp *t, int from_server, wire_pathology kind, unsigned nth)
{
    if (t == NULL || (unsigned)kind > WIRE_LOSE)
        return;
    uint8_t dir = from_server ? 1 : 0;
    for (unsigned i = 0; i < t->npatho; i++) {
        if (t->patho[i].dir == dir && t->patho[i].nth == nth) {
            t->patho[i].kinds |= (uint8_t)(1u << kind);
            return;
        }
    }
    if (t->npatho == WIRE_MAX_PATHOLOGIES)
        return; /* the table is fixed-size; scenarios need a handful */
    t->patho[t->npatho].dir = dir;
    t->patho[t->npatho].nth = nth;
    t->patho[t->npatho].kinds = (uint8_t)(1u << kind);
    t->npatho++;
}

void wire_tcp_free(wire_tcp *t)
{
    if (t == NULL)
        return;
    wire *w = t->w;
    if (t->prev != NULL)
        t->prev->next = t->next;
    else if (w != NULL && w->flows == t)
        w->flows = t->next;
    if (t->next != NULL)
        t->next->prev = t->prev;
    free(t->side[0].held.data);
    free(t->side[1].held.data);
    free(t);
}

int wire_udp(wire *w, const sim_endpoint *src, const sim_endpoint *dst, int64_t ts_us,
             const uint8_t *payload, size_t len)
{
    if (w == NULL || !endpoints_ok(src, dst) || (payload == NULL && len > 0))
        return -1;
    size_t max = IP_MAX_LEN - UDP_HLEN - (src->family == 4 ? IP4_HLEN : 0);
    if (len > max)
        return -1;

    uint8_t h[UDP_HLEN];
    put16(h, src->port);
    put16(h + 2, dst->port);
    put16(h + 4, (uint16_t)(UDP_HLEN + len));
    put16(h + 6, 0);
    size_t flen = build_frame(w, src, dst, PROTO_UDP, h, sizeof h, 6, NULL, 0, payload, len);
    if (flen == 0) {
        w->failed = 1;
        return -1;
    }
    return emit(w, frame_ts(w, ts_us), flen, 0);
}

uint64_t wire_bytes(wire *w)
{
    return w != NULL ? pcapw_bytes(w->pw) : 0;
}

int wire_close(wire *w)
{
    if (w == NULL)
        return 0;
    /* REORDER segments that never saw a successor go out at close */
    for (wire_tcp *t = w->flows; t != NULL; t = t->next) {
        flush_held(t, 0);
        flush_held(t, 1);
    }
    while (w->flows != NULL)
        wire_tcp_free(w->flows);
    int rc = w->failed ? -1 : 0;
    if (pcapw_close(w->pw) != 0)
        rc = -1;
    free(w->hosts);
    free(w);
    return rc;
}
