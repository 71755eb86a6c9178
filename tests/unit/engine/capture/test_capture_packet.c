/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for pkt_decode on hand-built frames: every link type (Ethernet
 * with 802.1Q/QinQ tags, Linux cooked v1/v2, BSD loopback in both byte
 * orders, raw IP), IPv4 options/padding/offload lengths, IPv6 extension
 * headers, TCP and UDP fields, a reason for every malformed layer, every
 * truncation point of every frame kind, and a mutation loop that must never
 * crash (run it under ASan). Frames are decoded from exact-size heap copies
 * so a read past caplen is an ASan error. */
#include "capture_test_util.h"

#include <pcap/dlt.h>

static fbuf l4, ip, fr;

static const uint8_t PAYLOAD[] = "GET /index.htm HTTP/1.1\r\n";
#define PAYLOAD_LEN (sizeof PAYLOAD - 1)

static void check_addr4(const pkt *p, const uint8_t *src, const uint8_t *dst)
{
    uint8_t want[16] = {0};
    assert_int_equal(p->family, 4);
    memcpy(want, src, 4);
    assert_memory_equal(p->src, want, 16);
    memcpy(want, dst, 4);
    assert_memory_equal(p->dst, want, 16);
}

static void check_addr6(const pkt *p, const uint8_t *src, const uint8_t *dst)
{
    assert_int_equal(p->family, 6);
    assert_memory_equal(p->src, src, 16);
    assert_memory_equal(p->dst, dst, 16);
}

/* IPv4 (with options) + TCP (with options) + PAYLOAD into ip. */
static void make_ipv4_tcp(void)
{
    fb_reset(&l4);
    fb_tcp(&l4, 50123, 16993, 0x11223344u, 0x55667788u, PKT_PSH | PKT_ACK, 64240, 12, PAYLOAD,
           PAYLOAD_LEN);
    fb_reset(&ip);
    fb_ipv4(&ip, ADDR4_A, ADDR4_B, 6, 0x1234, 0x4000, 8, l4.b, l4.n);
}

static void make_ipv6_udp(const void *pl, size_t n)
{
    fb_reset(&l4);
    fb_udp(&l4, 5353, 53, pl, n);
    fb_reset(&ip);
    fb_ipv6(&ip, ADDR6_A, ADDR6_B, 17, l4.b, l4.n);
}

static void check_tcp_fields(const pkt *p)
{
    assert_int_equal(p->proto, 6);
    assert_int_equal(p->sport, 50123);
    assert_int_equal(p->dport, 16993);
    assert_int_equal(p->seq, 0x11223344u);
    assert_int_equal(p->ack, 0x55667788u);
    assert_int_equal(p->tcp_flags, PKT_PSH | PKT_ACK);
    assert_int_equal(p->window, 64240);
    assert_int_equal(p->payload_len, PAYLOAD_LEN);
    assert_int_equal(p->wire_payload_len, PAYLOAD_LEN);
    assert_memory_equal(p->payload, PAYLOAD, PAYLOAD_LEN);
}

static void test_ethernet_ipv4_tcp(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    make_ipv4_tcp();
    fb_reset(&fr);
    fb_eth(&fr, 0x0800);
    fb_bytes(&fr, ip.b, ip.n);
    pkt p;
    const char *why = "unset";
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 7, T0 + 5, &p, &why), PKT_OK);
    assert_null(why);
    assert_null(p.file);
    assert_int_equal(p.frame, 7);
    assert_int_equal(p.ts_us, T0 + 5);
    assert_int_equal(p.vlan, 0);
    check_addr4(&p, ADDR4_A, ADDR4_B);
    check_tcp_fields(&p);
    dec_release();
    pkt_decoder_free(d);
}

/* A short frame padded to Ethernet's 60-byte minimum: the padding is not
 * payload. ECN bits in the flags byte are cleared. */
static void test_ethernet_padding_ignored(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    fb_reset(&l4);
    fb_tcp(&l4, 1, 2, 3, 4, 0xC0 | PKT_ACK | PKT_PSH, 5, 0, "hi", 2);
    fb_reset(&ip);
    fb_ipv4(&ip, ADDR4_A, ADDR4_B, 6, 1, 0, 0, l4.b, l4.n);
    fb_reset(&fr);
    fb_eth(&fr, 0x0800);
    fb_bytes(&fr, ip.b, ip.n);
    fb_fill(&fr, 0xEE, 60 - fr.n);
    pkt p;
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 1, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.payload_len, 2);
    assert_int_equal(p.wire_payload_len, 2);
    assert_memory_equal(p.payload, "hi", 2);
    assert_int_equal(p.tcp_flags, PKT_ACK | PKT_PSH);

    /* the same for UDP over IPv6 */
    make_ipv6_udp("ab", 2);
    fb_reset(&fr);
    fb_eth(&fr, 0x86DD);
    fb_bytes(&fr, ip.b, ip.n);
    fb_fill(&fr, 0xEE, 10);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 2, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.payload_len, 2);
    assert_memory_equal(p.payload, "ab", 2);
    dec_release();
    pkt_decoder_free(d);
}

static void test_ethernet_ipv6_udp(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    make_ipv6_udp(PAYLOAD, PAYLOAD_LEN);
    fb_reset(&fr);
    fb_eth(&fr, 0x86DD);
    fb_bytes(&fr, ip.b, ip.n);
    pkt p;
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 3, T0, &p, NULL), PKT_OK);
    check_addr6(&p, ADDR6_A, ADDR6_B);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.sport, 5353);
    assert_int_equal(p.dport, 53);
    assert_int_equal(p.seq, 0);
    assert_int_equal(p.tcp_flags, 0);
    assert_int_equal(p.payload_len, PAYLOAD_LEN);
    assert_int_equal(p.wire_payload_len, PAYLOAD_LEN);
    assert_memory_equal(p.payload, PAYLOAD, PAYLOAD_LEN);
    dec_release();
    pkt_decoder_free(d);
}

static void test_vlan_and_qinq(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    make_ipv4_tcp();
    pkt p;

    /* 802.1Q, priority 3, VLAN 100 */
    fb_reset(&fr);
    fb_eth(&fr, 0x8100);
    fb_be16(&fr, 0x6000 | 100);
    fb_be16(&fr, 0x0800);
    fb_bytes(&fr, ip.b, ip.n);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 1, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.vlan, 100);
    check_addr4(&p, ADDR4_A, ADDR4_B);
    check_tcp_fields(&p);

    /* QinQ: 802.1ad outer tag 200 and inner 802.1Q 100: the outer one */
    fb_reset(&fr);
    fb_eth(&fr, 0x88A8);
    fb_be16(&fr, 200);
    fb_be16(&fr, 0x8100);
    fb_be16(&fr, 0xF000 | 100);
    fb_be16(&fr, 0x0800);
    fb_bytes(&fr, ip.b, ip.n);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 2, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.vlan, 200);
    check_tcp_fields(&p);

    /* pre-standard QinQ ethertype, IPv6 inside */
    make_ipv6_udp("x", 1);
    fb_reset(&fr);
    fb_eth(&fr, 0x9100);
    fb_be16(&fr, 4095);
    fb_be16(&fr, 0x8100);
    fb_be16(&fr, 7);
    fb_be16(&fr, 0x86DD);
    fb_bytes(&fr, ip.b, ip.n);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 3, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.vlan, 4095);
    check_addr6(&p, ADDR6_A, ADDR6_B);

    /* a tag cut short */
    const char *why;
    fb_reset(&fr);
    fb_eth(&fr, 0x8100);
    fb_be16(&fr, 5);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 4, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "802.1Q tag truncated");

    /* VLAN-tagged ARP is not IP */
    fb_reset(&fr);
    fb_eth(&fr, 0x8100);
    fb_be16(&fr, 5);
    fb_be16(&fr, 0x0806);
    fb_fill(&fr, 0, 28);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 5, T0, &p, NULL), PKT_SKIP);
    dec_release();
    pkt_decoder_free(d);
}

static void sll_frame(fbuf *f, unsigned hatype, unsigned proto)
{
    fb_reset(f);
    fb_be16(f, 0); /* to us */
    fb_be16(f, hatype);
    fb_be16(f, 6);
    static const uint8_t addr[8] = {2, 0, 0xc0, 0, 2, 0x10, 0, 0};
    fb_bytes(f, addr, sizeof addr);
    fb_be16(f, proto);
}

static void sll2_frame(fbuf *f, unsigned hatype, unsigned proto)
{
    fb_reset(f);
    fb_be16(f, proto);
    fb_be16(f, 0); /* reserved */
    fb_be32(f, 3); /* interface index */
    fb_be16(f, hatype);
    fb_u8(f, 4); /* outgoing */
    fb_u8(f, 6);
    static const uint8_t addr[8] = {2, 0, 0xc0, 0, 2, 0x10, 0, 0};
    fb_bytes(f, addr, sizeof addr);
}

static void test_linux_cooked(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    pkt p;

    make_ipv4_tcp();
    sll_frame(&fr, 1, 0x0800);
    fb_bytes(&fr, ip.b, ip.n);
    assert_int_equal(dec(d, DLT_LINUX_SLL, fr.b, fr.n, 1, T0, &p, NULL), PKT_OK);
    check_addr4(&p, ADDR4_A, ADDR4_B);
    check_tcp_fields(&p);

    sll2_frame(&fr, 1, 0x0800);
    fb_bytes(&fr, ip.b, ip.n);
    assert_int_equal(dec(d, DLT_LINUX_SLL2, fr.b, fr.n, 2, T0, &p, NULL), PKT_OK);
    check_addr4(&p, ADDR4_A, ADDR4_B);
    check_tcp_fields(&p);

    make_ipv6_udp(PAYLOAD, PAYLOAD_LEN);
    sll_frame(&fr, 772, 0x86DD); /* ARPHRD_LOOPBACK */
    fb_bytes(&fr, ip.b, ip.n);
    assert_int_equal(dec(d, DLT_LINUX_SLL, fr.b, fr.n, 3, T0, &p, NULL), PKT_OK);
    check_addr6(&p, ADDR6_A, ADDR6_B);
    assert_int_equal(p.dport, 53);

    sll2_frame(&fr, 1, 0x86DD);
    fb_bytes(&fr, ip.b, ip.n);
    assert_int_equal(dec(d, DLT_LINUX_SLL2, fr.b, fr.n, 4, T0, &p, NULL), PKT_OK);
    check_addr6(&p, ADDR6_A, ADDR6_B);

    /* a VLAN tag the kernel left in place */
    make_ipv4_tcp();
    sll_frame(&fr, 1, 0x8100);
    fb_be16(&fr, 42);
    fb_be16(&fr, 0x0800);
    fb_bytes(&fr, ip.b, ip.n);
    assert_int_equal(dec(d, DLT_LINUX_SLL, fr.b, fr.n, 5, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.vlan, 42);

    /* netlink and ARP are not IP */
    sll_frame(&fr, 824, 0x0800);
    fb_bytes(&fr, ip.b, ip.n);
    assert_int_equal(dec(d, DLT_LINUX_SLL, fr.b, fr.n, 6, T0, &p, NULL), PKT_SKIP);
    sll2_frame(&fr, 1, 0x0806);
    fb_fill(&fr, 0, 28);
    assert_int_equal(dec(d, DLT_LINUX_SLL2, fr.b, fr.n, 7, T0, &p, NULL), PKT_SKIP);
    dec_release();
    pkt_decoder_free(d);
}

/* BSD loopback: the family in either byte order, for DLT_NULL and
 * DLT_LOOP, with each system's AF_INET6. */
static void test_bsd_loopback(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    pkt p;
    const int lts[2] = {DLT_NULL, DLT_LOOP};
    for (int li = 0; li < 2; li++) {
        for (int big = 0; big < 2; big++) {
            make_ipv4_tcp();
            fb_reset(&fr);
            if (big)
                fb_be32(&fr, 2);
            else
                fb_le32(&fr, 2);
            fb_bytes(&fr, ip.b, ip.n);
            assert_int_equal(dec(d, lts[li], fr.b, fr.n, 1, T0, &p, NULL), PKT_OK);
            check_addr4(&p, ADDR4_A, ADDR4_B);
            check_tcp_fields(&p);

            const uint32_t fam6[3] = {24, 28, 30};
            for (int k = 0; k < 3; k++) {
                make_ipv6_udp("v6", 2);
                fb_reset(&fr);
                if (big)
                    fb_be32(&fr, fam6[k]);
                else
                    fb_le32(&fr, fam6[k]);
                fb_bytes(&fr, ip.b, ip.n);
                assert_int_equal(dec(d, lts[li], fr.b, fr.n, 2, T0, &p, NULL), PKT_OK);
                check_addr6(&p, ADDR6_A, ADDR6_B);
                assert_memory_equal(p.payload, "v6", 2);
            }
            /* another family (AF_APPLETALK 16) */
            fb_reset(&fr);
            if (big)
                fb_be32(&fr, 16);
            else
                fb_le32(&fr, 16);
            fb_bytes(&fr, ip.b, ip.n);
            assert_int_equal(dec(d, lts[li], fr.b, fr.n, 3, T0, &p, NULL), PKT_SKIP);
        }
    }
    dec_release();
    pkt_decoder_free(d);
}

static void test_raw_ip(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    pkt p;
    const char *why;

    make_ipv4_tcp();
    const int v4ok[3] = {DLT_RAW, 101, DLT_IPV4};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(dec(d, v4ok[i], ip.b, ip.n, 1, T0, &p, NULL), PKT_OK);
        check_addr4(&p, ADDR4_A, ADDR4_B);
        check_tcp_fields(&p);
    }
    assert_int_equal(dec(d, DLT_IPV6, ip.b, ip.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IP version 4 in an IPv6 packet");

    make_ipv6_udp(PAYLOAD, PAYLOAD_LEN);
    const int v6ok[3] = {DLT_RAW, 101, DLT_IPV6};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(dec(d, v6ok[i], ip.b, ip.n, 1, T0, &p, NULL), PKT_OK);
        check_addr6(&p, ADDR6_A, ADDR6_B);
        assert_memory_equal(p.payload, PAYLOAD, PAYLOAD_LEN);
    }
    assert_int_equal(dec(d, DLT_IPV4, ip.b, ip.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IP version 6 in an IPv4 packet");

    ip.b[0] = 0x50;
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IP version 5 unknown");
    assert_int_equal(dec(d, DLT_RAW, ip.b, 0, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "raw IP packet empty");
    dec_release();
    pkt_decoder_free(d);
}

static void test_not_ip_or_not_tcp_udp(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    pkt p;
    const char *why = "unset";

    /* ARP */
    fb_reset(&fr);
    fb_eth(&fr, 0x0806);
    fb_fill(&fr, 0, 28);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 1, T0, &p, &why), PKT_SKIP);
    assert_null(why);
    /* 802.3 with a length instead of an ethertype */
    fb_reset(&fr);
    fb_eth(&fr, 46);
    fb_fill(&fr, 0, 46);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 2, T0, &p, NULL), PKT_SKIP);
    /* ICMP echo */
    fb_reset(&ip);
    fb_ipv4(&ip, ADDR4_A, ADDR4_B, 1, 1, 0, 0, "\x08\0\0\0\0\0\0\0", 8);
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 3, T0, &p, NULL), PKT_SKIP);
    /* ICMPv6, ESP, no next header */
    const uint8_t nhs[3] = {58, 50, 59};
    for (int i = 0; i < 3; i++) {
        fb_reset(&ip);
        fb_ipv6(&ip, ADDR6_A, ADDR6_B, nhs[i], "\0\0\0\0\0\0\0\0", 8);
        assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 4, T0, &p, NULL), PKT_SKIP);
    }
    /* 802.11 radiotap is not a link type this decoder knows */
    assert_int_equal(dec(d, DLT_IEEE802_11_RADIO, ip.b, ip.n, 5, T0, &p, NULL), PKT_SKIP);
    assert_false(pkt_linktype_supported(DLT_IEEE802_11_RADIO));
    const int ok[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP,
                      DLT_RAW,    101,           DLT_IPV4,       DLT_IPV6};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_true(pkt_linktype_supported(ok[i]));
    dec_release();
    pkt_decoder_free(d);
}

/* Lengths from the headers against what was captured: a snapshot length
 * cuts the payload (not malformed), a segmentation-offload capture has
 * IPv4 total length 0 or IPv6 payload length 0. */
static void test_lengths(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    pkt p;
    uint8_t big[1000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);

    fb_reset(&l4);
    fb_tcp(&l4, 16993, 50000, 9, 10, PKT_ACK, 100, 0, big, sizeof big);
    fb_reset(&ip);
    fb_ipv4(&ip, ADDR4_B, ADDR4_A, 6, 1, 0, 0, l4.b, l4.n);
    /* snaplen: 100 payload bytes captured */
    assert_int_equal(dec(d, DLT_RAW, ip.b, 20 + 20 + 100, 1, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.payload_len, 100);
    assert_int_equal(p.wire_payload_len, 1000);
    assert_memory_equal(p.payload, big, 100);

    /* TSO: total length 0 means "the whole frame" */
    ip.b[2] = 0;
    ip.b[3] = 0;
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 2, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.payload_len, 1000);
    assert_int_equal(p.wire_payload_len, 1000);

    fb_reset(&l4);
    fb_tcp(&l4, 16993, 50000, 9, 10, PKT_ACK, 100, 0, big, sizeof big);
    fb_reset(&ip);
    fb_ipv6(&ip, ADDR6_B, ADDR6_A, 6, l4.b, l4.n);
    assert_int_equal(dec(d, DLT_RAW, ip.b, 40 + 20 + 10, 3, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.payload_len, 10);
    assert_int_equal(p.wire_payload_len, 1000);
    ip.b[4] = 0;
    ip.b[5] = 0;
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 4, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.payload_len, 1000);
    assert_int_equal(p.wire_payload_len, 1000);

    /* UDP: its own length bounds the payload inside the IP payload */
    fb_reset(&l4);
    fb_udp(&l4, 53, 5353, big, 100);
    l4.b[5] = 8 + 60; /* UDP says 60 bytes of payload, IP carries 100 */
    fb_reset(&ip);
    fb_ipv4(&ip, ADDR4_B, ADDR4_A, 17, 1, 0, 0, l4.b, l4.n);
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 5, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.payload_len, 60);
    assert_int_equal(p.wire_payload_len, 60);
    l4.b[4] = 0; /* UDP length 0: a jumbogram, the IP length rules */
    l4.b[5] = 0;
    fb_reset(&ip);
    fb_ipv4(&ip, ADDR4_B, ADDR4_A, 17, 1, 0, 0, l4.b, l4.n);
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 6, T0, &p, NULL), PKT_OK);
    assert_int_equal(p.payload_len, 100);
    dec_release();
    pkt_decoder_free(d);
}

/* Inconsistent headers each get their own reason. */
static void test_malformed_reasons(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    pkt p;
    const char *why;

    make_ipv4_tcp();
    ip.b[0] = 0x43;
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IPv4 header length 3 < 5");

    make_ipv4_tcp();
    ip.b[2] = 0;
    ip.b[3] = 24; /* total 24, header 28 */
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IPv4 total length 24 < header length 28");

    make_ipv4_tcp();
    ip.b[28 + 12] = 0x30;
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "TCP data offset 3 < 5");

    make_ipv4_tcp();
    ip.b[28 + 12] = 0xF0; /* 60-byte header in a 57-byte segment */
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "TCP header length 60 > segment length 57");

    make_ipv4_tcp();
    ip.b[2] = 0;
    ip.b[3] = 28 + 10; /* IP says 10 bytes of TCP */
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "TCP segment length 10 < 20");

    make_ipv6_udp("abcd", 4);
    ip.b[40 + 5] = 4;
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "UDP length 4 < 8");
    ip.b[40 + 5] = 13;
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "UDP length 13 > IP payload length 12");
    ip.b[5] = 6; /* IPv6 payload length 6 */
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "UDP datagram length 6 < 8");

    /* the ethertype says IPv4, the packet is IPv6 */
    make_ipv6_udp("abcd", 4);
    fb_reset(&fr);
    fb_eth(&fr, 0x0800);
    fb_bytes(&fr, ip.b, ip.n);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, fr.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IP version 6 in an IPv4 packet");

    /* the reason belongs to the last call only */
    make_ipv4_tcp();
    assert_int_equal(dec(d, DLT_RAW, ip.b, ip.n, 2, T0, &p, &why), PKT_OK);
    assert_null(why);
    dec_release();
    pkt_decoder_free(d);
}

/* IPv6 extension headers: hop-by-hop, destination options, routing, an
 * atomic fragment header and AH are walked to the TCP header. */
static void test_ipv6_extension_headers(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    pkt p;
    const char *why;
    fbuf *x = malloc(sizeof *x);
    assert_non_null(x);

    fb_reset(&l4);
    fb_tcp(&l4, 40000, 16993, 1, 2, PKT_SYN, 1000, 4, NULL, 0);
    fb_reset(x);
    /* hop-by-hop, 8 bytes: next = dst opts */
    fb_u8(x, 60);
    fb_u8(x, 0);
    fb_fill(x, 0, 6);
    /* destination options, 16 bytes: next = routing */
    fb_u8(x, 43);
    fb_u8(x, 1);
    fb_fill(x, 0, 14);
    /* routing, 24 bytes (type 0 with one address): next = fragment */
    fb_u8(x, 44);
    fb_u8(x, 2);
    fb_fill(x, 0, 22);
    /* atomic fragment, 8 bytes: next = AH */
    fb_u8(x, 51);
    fb_u8(x, 0);
    fb_be16(x, 0);
    fb_be32(x, 0xabcd);
    /* AH with a 12-byte ICV: 24 bytes, length field 4: next = TCP */
    fb_u8(x, 6);
    fb_u8(x, 4);
    fb_fill(x, 0, 22);
    size_t ext = x->n;
    assert_int_equal(ext, 80);
    fb_bytes(x, l4.b, l4.n);

    fb_reset(&ip);
    fb_ipv6(&ip, ADDR6_A, ADDR6_B, 0, x->b, x->n);
    assert_int_equal(dec(d, DLT_IPV6, ip.b, ip.n, 1, T0, &p, &why), PKT_OK);
    check_addr6(&p, ADDR6_A, ADDR6_B);
    assert_int_equal(p.proto, 6);
    assert_int_equal(p.sport, 40000);
    assert_int_equal(p.dport, 16993);
    assert_int_equal(p.tcp_flags, PKT_SYN);
    assert_int_equal(p.payload_len, 0);
    assert_int_equal(p.wire_payload_len, 0);

    /* every cut inside the extension headers is malformed */
    for (size_t k = 40; k < 40 + ext + 24; k++) {
        assert_int_equal(dec(d, DLT_IPV6, ip.b, k, 1, T0, &p, &why), PKT_MALFORMED);
        assert_non_null(why);
        assert_true(strlen(why) > 0);
    }

    /* a real fragment (M set) is not reassembled for IPv6 */
    ip.b[40 + 48 + 3] = 1;
    assert_int_equal(dec(d, DLT_IPV6, ip.b, ip.n, 1, T0, &p, NULL), PKT_SKIP);
    ip.b[40 + 48 + 3] = 0;
    ip.b[40 + 48 + 2] = 0x01; /* offset 32, no M: the last piece */
    assert_int_equal(dec(d, DLT_IPV6, ip.b, ip.n, 1, T0, &p, NULL), PKT_SKIP);
    ip.b[40 + 48 + 2] = 0;

    /* an extension header longer than the payload length says */
    ip.b[40 + 8 + 1] = 200;
    assert_int_equal(dec(d, DLT_IPV6, ip.b, ip.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IPv6 extension header 60 runs past the payload length 104");
    ip.b[40 + 8 + 1] = 1;

    /* a chain of 40 destination options headers */
    fb_reset(x);
    for (int i = 0; i < 40; i++) {
        fb_u8(x, i == 39 ? 6 : 60);
        fb_u8(x, 0);
        fb_fill(x, 0, 6);
    }
    fb_bytes(x, l4.b, l4.n);
    fb_reset(&ip);
    fb_ipv6(&ip, ADDR6_A, ADDR6_B, 60, x->b, x->n);
    assert_int_equal(dec(d, DLT_IPV6, ip.b, ip.n, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "more than 32 IPv6 extension headers");
    free(x);
    dec_release();
    pkt_decoder_free(d);
}

/* ---- every truncation point of every frame kind ---- */

typedef struct {
    const char *name;
    int linktype;
    size_t hdrs; /* bytes of headers before the payload */
} kind;

/* Builds frame kind k into fr with PAYLOAD as its payload. */
static kind build_kind(int k)
{
    kind r = {NULL, 0, 0};
    fb_reset(&fr);
    switch (k) {
    case 0:
        r = (kind){"ethernet/ipv4+opts/tcp+opts", DLT_EN10MB, 14 + 28 + 32};
        make_ipv4_tcp();
        fb_eth(&fr, 0x0800);
        break;
    case 1:
        r = (kind){"qinq/ipv6/udp", DLT_EN10MB, 14 + 8 + 40 + 8};
        make_ipv6_udp(PAYLOAD, PAYLOAD_LEN);
        fb_eth(&fr, 0x88A8);
        fb_be16(&fr, 1);
        fb_be16(&fr, 0x8100);
        fb_be16(&fr, 2);
        fb_be16(&fr, 0x86DD);
        break;
    case 2:
        r = (kind){"sll/ipv4/tcp", DLT_LINUX_SLL, 16 + 28 + 32};
        make_ipv4_tcp();
        sll_frame(&fr, 1, 0x0800);
        break;
    case 3:
        r = (kind){"sll2/ipv6/udp", DLT_LINUX_SLL2, 20 + 40 + 8};
        make_ipv6_udp(PAYLOAD, PAYLOAD_LEN);
        sll2_frame(&fr, 1, 0x86DD);
        break;
    case 4:
        r = (kind){"null/ipv4/tcp", DLT_NULL, 4 + 28 + 32};
        make_ipv4_tcp();
        fb_le32(&fr, 2);
        break;
    case 5:
        r = (kind){"loop/ipv6/udp", DLT_LOOP, 4 + 40 + 8};
        make_ipv6_udp(PAYLOAD, PAYLOAD_LEN);
        fb_be32(&fr, 30);
        break;
    case 6:
        r = (kind){"raw/ipv4/tcp", DLT_RAW, 28 + 32};
        make_ipv4_tcp();
        break;
    default:
        r = (kind){"ipv6/udp", DLT_IPV6, 40 + 8};
        make_ipv6_udp(PAYLOAD, PAYLOAD_LEN);
        break;
    }
    fb_bytes(&fr, ip.b, ip.n);
    assert_int_equal(fr.n, r.hdrs + PAYLOAD_LEN);
    return r;
}

static void test_truncated_every_layer(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    for (int k = 0; k < 8; k++) {
        kind kd = build_kind(k);
        for (size_t n = 0; n <= fr.n; n++) {
            pkt p;
            const char *why = NULL;
            pkt_status st = dec(d, kd.linktype, fr.b, n, n + 1, T0, &p, &why);
            if (n < kd.hdrs) {
                if (st != PKT_MALFORMED)
                    fail_msg("%s cut at %zu: status %d, want malformed", kd.name, n, (int)st);
                assert_non_null(why);
                assert_true(strlen(why) > 0);
            } else {
                if (st != PKT_OK)
                    fail_msg("%s cut at %zu: status %d (%s)", kd.name, n, (int)st,
                             why != NULL ? why : "");
                assert_int_equal(p.payload_len, n - kd.hdrs);
                assert_int_equal(p.wire_payload_len, PAYLOAD_LEN);
                assert_memory_equal(p.payload, PAYLOAD, p.payload_len);
            }
        }
    }
    /* a sample of the reasons, layer by layer */
    const char *why;
    pkt p;
    build_kind(0);
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, 13, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "Ethernet header truncated (13 of 14 bytes)");
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, 14 + 19, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IPv4 header truncated (19 of 20 bytes)");
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, 14 + 24, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IPv4 header truncated (24 of 28 bytes)");
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, 14 + 28 + 5, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "TCP header truncated (5 of 20 bytes)");
    assert_int_equal(dec(d, DLT_EN10MB, fr.b, 14 + 28 + 30, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "TCP header truncated (30 of 32 bytes)");
    build_kind(2);
    assert_int_equal(dec(d, DLT_LINUX_SLL, fr.b, 15, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "Linux cooked header truncated (15 of 16 bytes)");
    build_kind(3);
    assert_int_equal(dec(d, DLT_LINUX_SLL2, fr.b, 19, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "Linux cooked v2 header truncated (19 of 20 bytes)");
    assert_int_equal(dec(d, DLT_LINUX_SLL2, fr.b, 20 + 39, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "IPv6 header truncated (39 of 40 bytes)");
    assert_int_equal(dec(d, DLT_LINUX_SLL2, fr.b, 20 + 40 + 7, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "UDP header truncated (7 of 8 bytes)");
    build_kind(4);
    assert_int_equal(dec(d, DLT_NULL, fr.b, 3, 1, T0, &p, &why), PKT_MALFORMED);
    assert_string_equal(why, "loopback header truncated (3 of 4 bytes)");
    /* NULL data with length 0 is an empty frame, not a crash */
    assert_int_equal(pkt_decode(d, DLT_EN10MB, NULL, 0, 1, T0, &p, &why), PKT_MALFORMED);
    dec_release();
    pkt_decoder_free(d);
}

/* ---- mutation loop: must never crash or read past caplen ---- */

static uint32_t rng_state = 0x9E3779B9u;

static uint32_t rnd(void)
{
    /* xorshift32: reproducible, no libc state */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

static void test_fuzz_mutations(void **state)
{
    (void)state;
    pkt_decoder *d = pkt_decoder_new();
    uint8_t m[512];
    unsigned ok = 0, skip = 0, bad = 0;
    for (int iter = 0; iter < 2000; iter++) {
        kind kd = build_kind(iter % 8);
        assert_true(fr.n <= sizeof m);
        memcpy(m, fr.b, fr.n);
        size_t n = fr.n;
        /* the header bytes are where decoding decisions are made */
        unsigned nmut = 1 + rnd() % 6;
        for (unsigned j = 0; j < nmut; j++) {
            size_t at = rnd() % (kd.hdrs + 4);
            if (at >= n)
                at = n - 1;
            switch (rnd() % 5) {
            case 0:
                m[at] ^= (uint8_t)(1u << (rnd() % 8));
                break;
            case 1:
                m[at] = 0;
                break;
            case 2:
                m[at] = 0xFF;
                break;
            default:
                m[at] = (uint8_t)rnd();
                break;
            }
        }
        switch (rnd() % 4) {
        case 0:
            n = rnd() % (n + 1); /* truncate */
            break;
        case 1: { /* extend with garbage */
            size_t extra = rnd() % 64;
            for (size_t j = 0; j < extra && n < sizeof m; j++)
                m[n++] = (uint8_t)rnd();
            break;
        }
        default:
            break;
        }
        pkt p;
        const char *why = NULL;
        int lt = kd.linktype;
        if (rnd() % 8 == 0)
            lt = (int)(rnd() % 300); /* a frame read as the wrong link type */
        pkt_status st = dec(d, lt, m, n, (uint64_t)iter + 1, T0 + iter * 1000, &p, &why);
        if (st == PKT_OK) {
            ok++;
            assert_true(p.family == 4 || p.family == 6);
            assert_true(p.proto == 6 || p.proto == 17);
            assert_true(p.payload_len <= p.wire_payload_len);
            unsigned sum = 0; /* touch every payload byte: ASan checks them */
            for (size_t j = 0; j < p.payload_len; j++)
                sum += p.payload[j];
            (void)sum;
        } else if (st == PKT_SKIP) {
            skip++;
        } else {
            bad++;
            assert_non_null(why);
            assert_true(strlen(why) > 0);
        }
        size_t bytes;
        assert_true(pkt_frag_pending(d, &bytes) <= PKT_FRAG_MAX_DATAGRAMS);
        assert_true(bytes <= PKT_FRAG_MAX_BYTES);
    }
    print_message("fuzz: %u ok, %u skipped, %u malformed\n", ok, skip, bad);
    assert_true(ok > 0 && skip > 0 && bad > 0);
    dec_release();
    pkt_decoder_free(d); /* frees whatever fragments the mutations left */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet_ipv4_tcp),
        cmocka_unit_test(test_ethernet_padding_ignored),
        cmocka_unit_test(test_ethernet_ipv6_udp),
        cmocka_unit_test(test_vlan_and_qinq),
        cmocka_unit_test(test_linux_cooked),
        cmocka_unit_test(test_bsd_loopback),
        cmocka_unit_test(test_raw_ip),
        cmocka_unit_test(test_not_ip_or_not_tcp_udp),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_malformed_reasons),
        cmocka_unit_test(test_ipv6_extension_headers),
        cmocka_unit_test(test_truncated_every_layer),
        cmocka_unit_test(test_fuzz_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
