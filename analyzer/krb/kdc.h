/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdc: the capture's Kerberos traffic to and from KDCs — UDP port 88 (one
 * message a datagram) and TCP port 88 (messages behind a four-byte record
 * mark, RFC 4120 7.2.2, reassembled by the TCP flow table) — as records,
 * each decoded with lib's krb_msg. */
#ifndef AMTDIAG_KRB_KDC_H
#define AMTDIAG_KRB_KDC_H

#include <stddef.h>
#include <stdint.h>

#include "amtdiag/krb_msg.h"
#include "tcp/flow.h"

/* The longest Kerberos message taken over TCP (Active Directory's tickets
 * stay under 64 KiB; a larger record mark is not Kerberos). */
#define KDC_MSG_MAX (1u << 20)

/* One Kerberos message as the analysis keeps it. */
typedef struct krb_rec {
    char *file;
    uint64_t frame; /* the frame that completed it */
    int64_t ts_us;
    tcp_endpoint client, kdc; /* the KDC is the side on port 88 */
    int from_kdc, tcp;
    int refused;   /* no message: a TCP connection to the KDC reset or never answered */
    uint8_t *data; /* the message, without a record mark (owned) */
    size_t len;
    int decoded; /* krb_msg_parse's result: 0 whole, 1 in part, -1 not Kerberos */
    int type;    /* its msg-type, 0 when not Kerberos */
} krb_rec;

void krb_rec_free(krb_rec *r);

/* The message decoded again (a record keeps only its bytes: a capture may
 * hold many). Returns krb_msg_parse's result. */
int krb_rec_decode(const krb_rec *r, krb_msg *m);

/* At most this many Kerberos messages are kept; the rest are counted in a
 * warning. */
#define KDC_MSGS_MAX 65536

/* At most this many problems with port 88 are told one by one, per file;
 * the rest are counted in one warning at its end. */
#define KDC_WARN_MAX 100

/* Told of every message as it completes (the record is the callee's), and
 * of problems with the input ("frame N: …"). */
typedef struct kdc_callbacks {
    void (*on_msg)(void *ctx, krb_rec *r);
    void (*on_warn)(void *ctx, const char *msg);
    void *ctx;
} kdc_callbacks;

typedef struct kdc_tap kdc_tap;

/* A tap for one capture file named file (kept for the records). */
kdc_tap *kdc_tap_new(const char *file, const kdc_callbacks *cb);

/* Whether a packet belongs to the tap: UDP or TCP with port 88 on a side. */
int kdc_port(unsigned sport, unsigned dport);

/* A UDP datagram of port 88. */
void kdc_tap_udp(kdc_tap *t, uint64_t frame, int64_t ts_us, int family, const uint8_t *src,
                 const uint8_t *dst, uint16_t sport, uint16_t dport, const uint8_t *payload,
                 size_t len);

/* A TCP segment of port 88. */
void kdc_tap_tcp(kdc_tap *t, const tcp_seg *s);

/* End of input: what TCP still holds is delivered; a message cut short
 * is reported as a warning. Then free it. */
void kdc_tap_finish(kdc_tap *t);
void kdc_tap_free(kdc_tap *t);

#endif
