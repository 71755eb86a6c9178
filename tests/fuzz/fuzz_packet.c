/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: frame decoding and IPv4 fragment reassembly (capture/packet.h).
 *
 * Input: a selector byte (low nibble: the link type, from the table below;
 * bit 7: frames 10 s apart, so pending fragments time out), then frames,
 * each a 16-bit big-endian length and that many bytes (fewer when the
 * input ends). The frames share one decoder, so fragments of one datagram
 * can arrive in separate frames as they do in a capture. */
#include <pcap/dlt.h>

#include "capture/packet.h"
#include "fuzz_common.h"

/* Every link type pkt_decode handles; 101 is LINKTYPE_RAW as a file stores
 * it (pcap_datalink() would say DLT_RAW). Keep in step with make_seeds.py. */
static const int linktypes[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP,
                                DLT_RAW,    101,           DLT_IPV4,       DLT_IPV6};

/* Frames per input: a capture's worth of fragments, small enough to stay fast. */
#define MAX_FRAMES 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    uint8_t sel;
    if (!fz_u8(&in, &sel))
        return 0;
    int linktype = linktypes[(sel & 0x0f) % (sizeof linktypes / sizeof linktypes[0])];
    FZ_CHECK(pkt_linktype_supported(linktype));
    int64_t step = (sel & 0x80) ? INT64_C(10000000) : 1000;

    pkt_decoder *d = pkt_decoder_new();
    FZ_CHECK(d);
    for (uint64_t frame = 1; frame <= MAX_FRAMES && in.n > 0; frame++) {
        uint16_t want;
        size_t len;
        if (!fz_u16(&in, &want))
            break;
        const uint8_t *f = fz_take(&in, want, &len);
        /* A copy of exactly the frame's size, so that a read past its end is
         * caught even when more input follows. */
        uint8_t *copy = malloc(len ? len : 1);
        FZ_CHECK(copy);
        memcpy(copy, f, len);
        pkt p;
        const char *why = NULL;
        pkt_status st = pkt_decode(d, linktype, copy, len, frame, (int64_t)frame * step, &p, &why);
        if (st == PKT_OK) {
            FZ_CHECK(p.family == 4 || p.family == 6);
            FZ_CHECK(p.proto == 6 || p.proto == 17);
            FZ_CHECK(p.payload_len <= p.wire_payload_len);
            FZ_CHECK(p.payload_len == 0 || p.payload);
            fz_touch(p.payload, p.payload_len);
        } else if (st == PKT_MALFORMED) {
            FZ_CHECK(why && strlen(why) > 0);
        } else {
            FZ_CHECK(st == PKT_SKIP);
        }
        size_t bytes = 0;
        size_t pending = pkt_frag_pending(d, &bytes);
        FZ_CHECK(pending <= PKT_FRAG_MAX_DATAGRAMS);
        FZ_CHECK(bytes <= PKT_FRAG_MAX_BYTES);
        free(copy);
    }
    pkt_decoder_free(d);
    return 0;
}
