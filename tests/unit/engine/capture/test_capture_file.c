/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for capture sources: captures written by the simulator's wire
 * writer (pcapng and classic pcap, IPv4 and IPv6, TCP and UDP) are read
 * back through cap_run and checked field by field against what the test
 * asked the writer for; then the ways a file can be wrong — cut in the
 * middle of a record, not a capture, empty, a link type we cannot decode,
 * interfaces with different link types — and stdin, stopping, malformed
 * frames, fragments, the bundled samples and live capture errors. */
#include "capture_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>
#include <time.h>

#include "dns.h"
#include "endpoint.h"
#include "pcapw.h"
#include "wire.h"

#define CLI_ISN 1000u
#define SRV_ISN 5000000u
#define NFRAMES 13

static uint8_t cli_data[3000], srv_data[100];
static uint8_t dnsq[512];
static size_t dnsq_len;

/* What the conversation below must look like on the wire. */
typedef struct {
    int from_server; /* -1: the DNS query */
    uint32_t seq, ack;
    uint8_t flags;
    const uint8_t *data;
    size_t len;
    int64_t ts; /* 0: only "after the previous frame" is known */
} want_frame;

static want_frame want[NFRAMES];

static void expect_conversation(void)
{
    const uint8_t A = PKT_ACK, PA = PKT_PSH | PKT_ACK;
    want_frame w[NFRAMES] = {
        {0, CLI_ISN, 0, PKT_SYN, NULL, 0, T0},
        {1, SRV_ISN, CLI_ISN + 1, PKT_SYN | PKT_ACK, NULL, 0, 0},
        {0, CLI_ISN + 1, SRV_ISN + 1, A, NULL, 0, 0},
        {0, CLI_ISN + 1, SRV_ISN + 1, A, cli_data, 1460, T0 + 1000},
        {0, CLI_ISN + 1461, SRV_ISN + 1, A, cli_data + 1460, 1460, 0},
        {1, SRV_ISN + 1, CLI_ISN + 2921, A, NULL, 0, 0},
        {0, CLI_ISN + 2921, SRV_ISN + 1, PA, cli_data + 2920, 80, 0},
        {1, SRV_ISN + 1, CLI_ISN + 3001, A, NULL, 0, 0},
        {1, SRV_ISN + 1, CLI_ISN + 3001, PA, srv_data, 100, T0 + 2000},
        {0, CLI_ISN + 3001, SRV_ISN + 101, A, NULL, 0, 0},
        {0, CLI_ISN + 3001, SRV_ISN + 101, PKT_FIN | PKT_ACK, NULL, 0, T0 + 3000},
        {1, SRV_ISN + 101, CLI_ISN + 3002, A, NULL, 0, 0},
        {-1, 0, 0, 0, dnsq, 0, T0 + 4000},
    };
    w[12].len = dnsq_len;
    memcpy(want, w, sizeof w);
}

typedef struct {
    sim_endpoint cli, srv, dcli, dns;
} hosts;

static void make_hosts(int family, hosts *h)
{
    int v4 = family == 4;
    assert_int_equal(sim_endpoint_set(&h->cli, v4 ? "192.0.2.10" : "2001:db8::10", 50000), 0);
    assert_int_equal(sim_endpoint_set(&h->srv, v4 ? "192.0.2.20" : "2001:db8::20", 16993), 0);
    assert_int_equal(sim_endpoint_set(&h->dcli, v4 ? "192.0.2.10" : "2001:db8::10", 53000), 0);
    assert_int_equal(sim_endpoint_set(&h->dns, v4 ? "192.0.2.53" : "2001:db8::53", 53), 0);
}

/* Writes the conversation: handshake, 3000 bytes up, 100 down, a FIN, and
 * a DNS query. */
static void write_conversation(const char *path, pcapw_format fmt, int family)
{
    for (size_t i = 0; i < sizeof cli_data; i++)
        cli_data[i] = (uint8_t)(i * 13 + 1);
    for (size_t i = 0; i < sizeof srv_data; i++)
        srv_data[i] = (uint8_t)(200 - i);
    dnsq_len = dns_build_query(dnsq, sizeof dnsq, 0x4242, "amt.example.com", DNS_TYPE_A);
    assert_true(dnsq_len > 0);
    expect_conversation();

    hosts h;
    make_hosts(family, &h);
    char err[256];
    wire *w = wire_open(path, fmt, 1460, err, sizeof err);
    if (w == NULL)
        fail_msg("wire_open: %s", err);
    wire_tcp *t = wire_tcp_connect(w, &h.cli, &h.srv, T0, CLI_ISN, SRV_ISN);
    assert_non_null(t);
    assert_int_equal(wire_tcp_send(t, 0, T0 + 1000, cli_data, sizeof cli_data), 0);
    assert_int_equal(wire_tcp_send(t, 1, T0 + 2000, srv_data, sizeof srv_data), 0);
    assert_int_equal(wire_tcp_fin(t, 0, T0 + 3000), 0);
    assert_int_equal(wire_udp(w, &h.dcli, &h.dns, T0 + 4000, dnsq, dnsq_len), 0);
    assert_int_equal(wire_close(w), 0);
}

static void check_addr(const uint8_t *got, const sim_endpoint *ep)
{
    uint8_t a[16] = {0};
    memcpy(a, ep->addr, ep->family == 4 ? 4 : 16);
    assert_memory_equal(got, a, 16);
}

/* Checks records [0, n) of c against the conversation. */
static void check_conversation(const collect *c, size_t n, int family, const char *file)
{
    hosts h;
    make_hosts(family, &h);
    assert_true(c->n >= n);
    for (size_t i = 0; i < n; i++) {
        const pkt *p = &c->r[i].p;
        const want_frame *w = &want[i];
        assert_string_equal(p->file, file);
        assert_int_equal(p->frame, i + 1);
        if (w->ts != 0)
            assert_int_equal(p->ts_us, w->ts);
        if (i > 0)
            assert_true(p->ts_us > c->r[i - 1].p.ts_us);
        assert_int_equal(p->family, family);
        assert_int_equal(p->vlan, 0);
        if (w->from_server < 0) {
            check_addr(p->src, &h.dcli);
            check_addr(p->dst, &h.dns);
            assert_int_equal(p->proto, 17);
            assert_int_equal(p->sport, 53000);
            assert_int_equal(p->dport, 53);
            assert_int_equal(p->seq, 0);
            assert_int_equal(p->ack, 0);
            assert_int_equal(p->tcp_flags, 0);
            assert_int_equal(p->window, 0);
        } else {
            const sim_endpoint *s = w->from_server ? &h.srv : &h.cli;
            const sim_endpoint *d = w->from_server ? &h.cli : &h.srv;
            check_addr(p->src, s);
            check_addr(p->dst, d);
            assert_int_equal(p->proto, 6);
            assert_int_equal(p->sport, s->port);
            assert_int_equal(p->dport, d->port);
            assert_int_equal(p->seq, w->seq);
            assert_int_equal(p->ack, w->ack);
            assert_int_equal(p->tcp_flags, w->flags);
            assert_int_equal(p->window, 64240);
        }
        assert_int_equal(p->payload_len, w->len);
        assert_int_equal(p->wire_payload_len, w->len);
        if (w->len > 0)
            assert_memory_equal(p->payload, w->data, w->len);
    }
}

static void run_conversation(pcapw_format fmt, int family, const char *name)
{
    char path[256];
    tmp_path(path, sizeof path, name);
    write_conversation(path, fmt, family);
    collect *c = collect_new();
    cap_stats st;
    memset(&st, 0xAA, sizeof st); /* set, not added to */
    assert_int_equal(run_file(path, c, &st), 0);
    assert_int_equal(c->n, NFRAMES);
    assert_int_equal(c->nwarn, 0);
    check_conversation(c, NFRAMES, family, path);
    assert_int_equal(st.frames, NFRAMES);
    assert_int_equal(st.decoded, NFRAMES);
    assert_int_equal(st.skipped, 0);
    assert_int_equal(st.malformed, 0);
    collect_free(c);
}

static void test_pcapng_ipv4(void **state)
{
    (void)state;
    run_conversation(PCAPW_PCAPNG, 4, "v4.pcapng");
}

static void test_pcap_ipv4(void **state)
{
    (void)state;
    run_conversation(PCAPW_PCAP, 4, "v4.pcap");
}

static void test_pcapng_ipv6(void **state)
{
    (void)state;
    run_conversation(PCAPW_PCAPNG, 6, "v6.pcapng");
}

static void test_pcap_ipv6(void **state)
{
    (void)state;
    run_conversation(PCAPW_PCAP, 6, "v6.pcap");
}

/* The start of the last record of a classic pcap file. */
static size_t pcap_last_record(const uint8_t *b, size_t len)
{
    size_t off = 24, last = 0;
    while (off + 16 <= len) {
        uint32_t caplen;
        memcpy(&caplen, b + off + 8, 4); /* pcapw writes host order */
        last = off;
        off += 16 + caplen;
    }
    assert_int_equal(off, len);
    return last;
}

static void check_truncated(const char *path, size_t keep, size_t delivered)
{
    collect *c = collect_new();
    cap_stats st;
    int rc = run_file(path, c, &st);
    assert_int_equal(rc, 1);
    assert_int_equal(c->n, delivered);
    assert_int_equal(st.frames, delivered);
    check_conversation(c, delivered, 4, path);
    assert_int_equal(c->nwarn, 1);
    assert_string_equal(c->warn_file[0], path);
    assert_int_equal(c->warn_frame[0], delivered);
    assert_non_null(strstr(c->warn[0], path));
    assert_non_null(strstr(c->warn[0], "truncated"));
    char after[64];
    snprintf(after, sizeof after, "after frame %zu", delivered);
    assert_non_null(strstr(c->warn[0], after));
    (void)keep;
    collect_free(c);
}

/* A capture cut off in the middle of its last record: everything before is
 * delivered, cap_run returns 1 and warns naming the file and last frame. */
static void test_truncated_last_record(void **state)
{
    (void)state;
    const pcapw_format fmts[2] = {PCAPW_PCAP, PCAPW_PCAPNG};
    const char *names[2] = {"trunc.pcap", "trunc.pcapng"};
    for (int f = 0; f < 2; f++) {
        char path[256];
        tmp_path(path, sizeof path, names[f]);
        write_conversation(path, fmts[f], 4);
        size_t len;
        uint8_t *b = read_all(path, &len);
        /* inside the last record's data */
        write_bytes(path, b, len - 7);
        check_truncated(path, len - 7, NFRAMES - 1);
        if (fmts[f] == PCAPW_PCAP) {
            /* inside the last record's header */
            size_t last = pcap_last_record(b, len);
            write_bytes(path, b, last + 6);
            check_truncated(path, last + 6, NFRAMES - 1);
            /* cut exactly between records: a clean (shorter) capture */
            write_bytes(path, b, last);
            collect *c = collect_new();
            assert_int_equal(run_file(path, c, NULL), 0);
            assert_int_equal(c->n, NFRAMES - 1);
            assert_int_equal(c->nwarn, 0);
            collect_free(c);
        }
        free(b);
    }
}

static void expect_open_error(const char *path, const char *want_msg)
{
    amt_err err;
    strcpy(err.msg, "unset");
    cap_source *s = cap_open_file(path, &err);
    assert_null(s);
    assert_int_not_equal(err.rc, AMT_OK);
    if (strstr(err.msg, want_msg) == NULL || strstr(err.msg, path) == NULL)
        fail_msg("opening %s: got \"%s\", want the file name and \"%s\"", path, err.msg, want_msg);
}

static void test_not_a_capture(void **state)
{
    (void)state;
    char path[256], msg[512];
    tmp_path(path, sizeof path, "notes.txt");
    const char *text = "This is a text file, not a capture.\nIt has two lines.\n";
    write_bytes(path, text, strlen(text));
    amt_err err;
    assert_null(cap_open_file(path, &err));
    snprintf(msg, sizeof msg, "%s: not a pcap or pcapng file", path);
    assert_string_equal(err.msg, msg);

    tmp_path(path, sizeof path, "empty.pcap");
    write_bytes(path, "", 0);
    expect_open_error(path, "empty file");

    tmp_path(path, sizeof path, "short.pcap");
    static const uint8_t hdr[10] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0};
    write_bytes(path, hdr, sizeof hdr);
    expect_open_error(path, "ends inside its header");

    tmp_path(path, sizeof path, "does-not-exist.pcap");
    expect_open_error(path, "cannot open");
    expect_open_error(tmpdir, "is a directory");

    assert_null(cap_open_file(NULL, &err));
    assert_null(cap_open_file(path, NULL)); /* no message wanted: no crash */
}

/* A classic pcap header with link type 105 (802.11): nothing in it could be
 * decoded, so opening fails rather than reporting an empty capture. */
static void test_unsupported_linktype(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "wifi.pcap");
    fbuf *f = malloc(sizeof *f);
    assert_non_null(f);
    fb_reset(f);
    fb_be32(f, 0xa1b2c3d4u);
    fb_be16(f, 2);
    fb_be16(f, 4);
    fb_be32(f, 0);
    fb_be32(f, 0);
    fb_be32(f, 65535);
    fb_be32(f, 105);
    write_bytes(path, f->b, f->n);
    free(f);
    expect_open_error(path, "link type IEEE802_11 (105) is not supported");
}

static void pcapng_block(fbuf *f, uint32_t type, const fbuf *body)
{
    uint32_t len = (uint32_t)(12 + ((body->n + 3) & ~(size_t)3));
    fb_le32(f, type);
    fb_le32(f, len);
    fb_bytes(f, body->b, body->n);
    fb_fill(f, 0, ((body->n + 3) & ~(size_t)3) - body->n);
    fb_le32(f, len);
}

/* A pcapng whose interfaces have different link types (libpcap 1.10
 * refused it): each packet is decoded with its own interface's link type,
 * and an interface of a type that cannot be decoded is named in a warning. */
static void test_mixed_linktypes(void **state)
{
    (void)state;
    fbuf *f = malloc(sizeof *f), *b = malloc(sizeof *b), *l4 = malloc(sizeof *l4);
    fbuf *fr = malloc(sizeof *fr);
    assert_non_null(f);
    assert_non_null(b);
    assert_non_null(l4);
    assert_non_null(fr);
    fb_reset(f);
    fb_reset(b);
    fb_le32(b, 0x1A2B3C4Du);
    fb_u8(b, 1); /* version 1.0, little-endian */
    fb_u8(b, 0);
    fb_u8(b, 0);
    fb_u8(b, 0);
    fb_fill(b, 0xFF, 8);
    pcapng_block(f, 0x0A0D0D0Au, b);
    const uint32_t lts[3] = {1, 101, 105}; /* Ethernet, raw IP, 802.11 */
    for (int i = 0; i < 3; i++) {
        fb_reset(b);
        fb_u8(b, lts[i]);
        fb_u8(b, 0);
        fb_fill(b, 0, 2);
        fb_le32(b, 65535);
        pcapng_block(f, 1, b);
    }
    for (uint32_t iface = 0; iface < 3; iface++) {
        fb_reset(l4);
        fb_udp(l4, 1000 + iface, 2000, "x", 1);
        fb_reset(fr);
        if (iface == 0)
            fb_eth(fr, 0x0800);
        fb_ipv4(fr, ADDR4_A, ADDR4_B, 17, 1, 0, 0, l4->b, l4->n);
        fb_reset(b);
        fb_le32(b, iface);
        fb_le32(b, 0);
        fb_le32(b, 0);
        fb_le32(b, (uint32_t)fr->n);
        fb_le32(b, (uint32_t)fr->n);
        fb_bytes(b, fr->b, fr->n);
        fb_fill(b, 0, ((fr->n + 3) & ~(size_t)3) - fr->n);
        pcapng_block(f, 6, b);
    }
    char path[256];
    tmp_path(path, sizeof path, "mixed.pcapng");
    write_bytes(path, f->b, f->n);
    free(f);
    free(b);
    free(l4);
    free(fr);

    collect *c = collect_new();
    cap_stats st;
    assert_int_equal(run_file(path, c, &st), 0);
    assert_int_equal(st.frames, 3);
    assert_int_equal(c->n, 2);
    assert_int_equal(c->r[0].p.sport, 1000);
    assert_int_equal(c->r[1].p.sport, 1001);
    assert_int_equal(c->nwarn, 1);
    if (strstr(c->warn[0], "interface 2") == NULL || strstr(c->warn[0], "not supported") == NULL)
        fail_msg("got \"%s\"", c->warn[0]);
    collect_free(c);
}

/* A pcapng timestamp of 2^64 - 1 microseconds does not fit int64
 * microseconds: it is clamped, not overflowed (UBSan would object). */
static void test_absurd_timestamp(void **state)
{
    (void)state;
    fbuf *f = malloc(sizeof *f), *b = malloc(sizeof *b), *l4 = malloc(sizeof *l4);
    assert_non_null(f);
    assert_non_null(b);
    assert_non_null(l4);
    fb_reset(f);
    fb_reset(b);
    fb_le32(b, 0x1A2B3C4Du);
    fb_le32(b, 1); /* version 1.0 */
    fb_fill(b, 0xFF, 8);
    pcapng_block(f, 0x0A0D0D0Au, b);
    fb_reset(b);
    fb_le32(b, 1); /* Ethernet, reserved */
    fb_le32(b, 65535);
    pcapng_block(f, 1, b);
    fb_reset(l4);
    fb_udp(l4, 1, 2, "x", 1);
    fbuf *fr = malloc(sizeof *fr);
    assert_non_null(fr);
    fb_reset(fr);
    fb_eth(fr, 0x0800);
    fb_ipv4(fr, ADDR4_A, ADDR4_B, 17, 1, 0, 0, l4->b, l4->n);
    fb_reset(b);
    fb_le32(b, 0);
    fb_le32(b, 0xFFFFFFFFu);
    fb_le32(b, 0xFFFFFFFFu);
    fb_le32(b, (uint32_t)fr->n);
    fb_le32(b, (uint32_t)fr->n);
    fb_bytes(b, fr->b, fr->n);
    pcapng_block(f, 6, b);
    char path[256];
    tmp_path(path, sizeof path, "future.pcapng");
    write_bytes(path, f->b, f->n);
    free(f);
    free(b);
    free(l4);
    free(fr);

    collect *c = collect_new();
    assert_int_equal(run_file(path, c, NULL), 0);
    assert_int_equal(c->n, 1);
    assert_true(c->r[0].p.ts_us > T0);
    assert_memory_equal(c->r[0].p.payload, "x", 1);
    collect_free(c);
}

/* "-" reads stdin; messages and packets call it "stdin". */
static void test_stdin(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "stdin.pcapng");
    write_conversation(path, PCAPW_PCAPNG, 6);
    assert_non_null(freopen(path, "rb", stdin));
    amt_err err;
    cap_source *s = cap_open_file("-", &err);
    if (s == NULL)
        fail_msg("%s", err.msg);
    assert_string_equal(cap_name(s), "stdin");
    pkt_decoder *d = pkt_decoder_new();
    collect *c = collect_new();
    assert_int_equal(cap_run(s, d, on_pkt, on_warn, c, NULL), 0);
    assert_int_equal(cap_linktype(s), DLT_EN10MB); /* a pcapng's: known once read */
    assert_string_equal(cap_error(s), "");
    check_conversation(c, NFRAMES, 6, "stdin");
    cap_close(s);
    collect_free(c);
    pkt_decoder_free(d);

    /* an empty stdin */
    tmp_path(path, sizeof path, "empty-stdin");
    write_bytes(path, "", 0);
    assert_non_null(freopen(path, "rb", stdin));
    assert_null(cap_open_file("-", &err));
    assert_non_null(strstr(err.msg, "stdin: empty"));
}

/* stop() ends the run after a packet; a later run continues the frame
 * numbering where it stopped. */
static void test_stop_and_resume(void **state)
{
    (void)state;
    char path[256];
    amt_err err;
    tmp_path(path, sizeof path, "stop.pcap");
    write_conversation(path, PCAPW_PCAP, 4);
    cap_source *s = cap_open_file(path, &err);
    assert_non_null(s);
    cap_set_stop(s, on_stop);
    pkt_decoder *d = pkt_decoder_new();
    collect *c = collect_new();
    c->stop_after = 2;
    cap_stats st;
    assert_int_equal(cap_run(s, d, on_pkt, on_warn, c, &st), 0);
    assert_int_equal(c->n, 2);
    assert_int_equal(st.frames, 2);
    c->stop_after = 0;
    assert_int_equal(cap_run(s, d, on_pkt, on_warn, c, &st), 0);
    assert_int_equal(st.frames, NFRAMES - 2);
    assert_int_equal(c->n, NFRAMES);
    check_conversation(c, NFRAMES, 4, path);
    /* at the end, another run finds nothing */
    assert_int_equal(cap_run(s, d, NULL, NULL, NULL, &st), 0);
    assert_int_equal(st.frames, 0);
    cap_close(s);
    collect_free(c);
    pkt_decoder_free(d);
}

/* Frames that are not IP are counted as skipped, malformed ones warned
 * about with their frame number and reason, fragments delivered once on
 * the frame of the last piece. */
static void test_skipped_malformed_fragments(void **state)
{
    (void)state;
    char path[256], err[256];
    tmp_path(path, sizeof path, "mixed-frames.pcap");
    pcapw *w = pcapw_open(path, PCAPW_PCAP, err, sizeof err);
    assert_non_null(w);
    fbuf *l4 = malloc(sizeof *l4), *f = malloc(sizeof *f);
    assert_non_null(l4);
    assert_non_null(f);

    fb_reset(l4);
    fb_tcp(l4, 50000, 16992, 1, 2, PKT_ACK, 100, 0, "abc", 3);
    fb_reset(f);
    fb_eth(f, 0x0800);
    fb_ipv4(f, ADDR4_A, ADDR4_B, 6, 1, 0, 0, l4->b, l4->n);
    assert_int_equal(pcapw_write_frame(w, T0, f->b, f->n), 0); /* 1: ok */
    f->b[14] = 0x43;
    assert_int_equal(pcapw_write_frame(w, T0 + 1, f->b, f->n), 0); /* 2: IHL 3 */
    fb_reset(f);
    fb_eth(f, 0x0806);
    fb_fill(f, 0, 28);
    assert_int_equal(pcapw_write_frame(w, T0 + 2, f->b, f->n), 0); /* 3: ARP */

    /* 4, 5: a UDP datagram in two fragments */
    static uint8_t big[2000];
    memset(big, 0x61, sizeof big);
    fb_reset(l4);
    fb_udp(l4, 53, 53000, big, sizeof big);
    fb_reset(f);
    fb_eth(f, 0x0800);
    fb_ipv4(f, ADDR4_B, ADDR4_A, 17, 99, 0x2000, 0, l4->b, 1000);
    assert_int_equal(pcapw_write_frame(w, T0 + 3, f->b, f->n), 0);
    fb_reset(f);
    fb_eth(f, 0x0800);
    fb_ipv4(f, ADDR4_B, ADDR4_A, 17, 99, 1000 / 8, 0, l4->b + 1000, l4->n - 1000);
    assert_int_equal(pcapw_write_frame(w, T0 + 4, f->b, f->n), 0);
    /* 6: a frame of 5 bytes */
    assert_int_equal(pcapw_write_frame(w, T0 + 5, f->b, 5), 0);
    assert_int_equal(pcapw_close(w), 0);
    free(l4);
    free(f);

    collect *c = collect_new();
    cap_stats st;
    assert_int_equal(run_file(path, c, &st), 0);
    assert_int_equal(st.frames, 6);
    assert_int_equal(st.decoded, 2);
    assert_int_equal(st.skipped, 2);
    assert_int_equal(st.malformed, 2);
    assert_int_equal(c->n, 2);
    assert_int_equal(c->r[0].p.frame, 1);
    assert_memory_equal(c->r[0].p.payload, "abc", 3);
    assert_int_equal(c->r[1].p.frame, 5);
    assert_int_equal(c->r[1].p.ts_us, T0 + 4);
    assert_int_equal(c->r[1].p.payload_len, sizeof big);
    assert_memory_equal(c->r[1].p.payload, big, sizeof big);
    assert_int_equal(c->nwarn, 2);
    assert_string_equal(c->warn_file[0], path);
    assert_int_equal(c->warn_frame[0], 2);
    assert_string_equal(c->warn[0], "IPv4 header length 3 < 5");
    assert_int_equal(c->warn_frame[1], 6);
    assert_string_equal(c->warn[1], "Ethernet header truncated (5 of 14 bytes)");
    collect_free(c);
}

static void test_sample_ipv6_classic_pcap(void **state)
{
    (void)state;
    const char *path = AMTDIAG_SAMPLES_DIR "/ok-ipv6-classic-pcap/capture.pcap";
    collect *c = collect_new();
    cap_stats st;
    assert_int_equal(run_file(path, c, &st), 0);
    assert_true(st.frames > 10);
    assert_int_equal(st.malformed, 0);
    assert_int_equal(st.decoded, st.frames);
    size_t tcp = 0, amt = 0;
    for (size_t i = 0; i < c->n; i++) {
        const pkt *p = &c->r[i].p;
        assert_int_equal(p->family, 6);
        assert_int_equal(p->frame, i + 1);
        assert_string_equal(p->file, path);
        if (p->proto == 6)
            tcp++;
        if (p->proto == 6 && (p->sport == 16993 || p->dport == 16993))
            amt++;
        assert_int_equal(p->payload_len, p->wire_payload_len);
    }
    assert_true(tcp > 0);
    assert_true(amt > 0);
    collect_free(c);
}

/* dumpcap's nanosecond pcapng from a real loopback: timestamps come out in
 * microseconds. */
static void test_sample_recorded_loopback(void **state)
{
    (void)state;
    const char *path = AMTDIAG_SAMPLES_DIR "/recorded-on-loopback/ok-tls13/capture.pcapng";
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
    assert_non_null(pc);
    struct pcap_pkthdr *h;
    const u_char *data;
    assert_int_equal(pcap_next_ex(pc, &h, &data), 1);
    int64_t first_us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec / 1000;
    pcap_close(pc);

    collect *c = collect_new();
    cap_stats st;
    assert_int_equal(run_file(path, c, &st), 0);
    assert_true(st.frames > 10);
    assert_int_equal(st.decoded, st.frames);
    assert_int_equal(c->r[0].p.ts_us, first_us);
    for (size_t i = 0; i < c->n; i++) {
        assert_int_equal(c->r[i].p.family, 4);
        assert_int_equal(c->r[i].p.proto, 6);
    }
    collect_free(c);
}

static void test_live_errors(void **state)
{
    (void)state;
    amt_err err;
    assert_null(cap_open_live("amtdiag-nosuch0", NULL, &err));
    print_message("no such interface: %s\n", err.msg);
    assert_non_null(strstr(err.msg, "amtdiag-nosuch0"));

    assert_null(cap_open_live("lo", "this is ( not a filter", &err));
    print_message("bad filter: %s\n", err.msg);
    assert_true(strncmp(err.msg, "lo: ", 4) == 0);
    assert_true(strstr(err.msg, "bad capture filter") != NULL ||
                strstr(err.msg, "permission") != NULL);
}

static time_t live_deadline;

static int live_stop(void *ctx)
{
    collect *c = ctx;
    return c->n > 0 || time(NULL) > live_deadline;
}

/* A real capture on lo with the filter applied; skipped without the
 * privilege to capture. */
static void test_live_loopback(void **state)
{
    (void)state;
    amt_err err;
    cap_source *s = cap_open_live("lo", NULL, &err);
    if (s == NULL) {
        print_message("live capture unavailable: %s\n", err.msg);
        skip();
    }
    /* the default filter (AMT ports and DNS) compiles */
    assert_int_equal(cap_linktype(s), DLT_EN10MB);
    cap_close(s);
    s = cap_open_live("lo", "udp port 39999", &err);
    assert_non_null(s);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(39999);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* something the filter must drop, then the datagram it must keep */
    struct sockaddr_in other = to;
    other.sin_port = htons(39998);
    assert_true(sendto(fd, "drop", 4, 0, (struct sockaddr *)&other, sizeof other) == 4);
    assert_true(sendto(fd, "amtdiag", 7, 0, (struct sockaddr *)&to, sizeof to) == 7);
    close(fd);

    live_deadline = time(NULL) + 5;
    cap_set_stop(s, live_stop);
    pkt_decoder *d = pkt_decoder_new();
    collect *c = collect_new();
    assert_int_equal(cap_run(s, d, on_pkt, on_warn, c, NULL), 0);
    assert_int_equal(c->n, 1);
    const pkt *p = &c->r[0].p;
    assert_string_equal(p->file, "lo");
    assert_int_equal(p->family, 4);
    assert_int_equal(p->proto, 17);
    assert_int_equal(p->dport, 39999);
    assert_int_equal(p->payload_len, 7);
    assert_memory_equal(p->payload, "amtdiag", 7);
    cap_close(s);
    collect_free(c);
    pkt_decoder_free(d);
}

static int setup(void **state)
{
    (void)state;
    return tmpdir_setup("test_capture_file");
}

static int teardown(void **state)
{
    (void)state;
    dec_release();
    return tmpdir_teardown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcapng_ipv4),
        cmocka_unit_test(test_pcap_ipv4),
        cmocka_unit_test(test_pcapng_ipv6),
        cmocka_unit_test(test_pcap_ipv6),
        cmocka_unit_test(test_truncated_last_record),
        cmocka_unit_test(test_not_a_capture),
        cmocka_unit_test(test_unsupported_linktype),
        cmocka_unit_test(test_mixed_linktypes),
        cmocka_unit_test(test_absurd_timestamp),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_stop_and_resume),
        cmocka_unit_test(test_skipped_malformed_fragments),
        cmocka_unit_test(test_sample_ipv6_classic_pcap),
        cmocka_unit_test(test_sample_recorded_loopback),
        cmocka_unit_test(test_live_errors),
        cmocka_unit_test(test_live_loopback),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
