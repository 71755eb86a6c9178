/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapng_out: writing pcapng (draft-ietf-opsawg-pcapng) blocks — section
 * header, interface description, enhanced packet and decryption secrets —
 * in host byte order, for the exports. */
#ifndef AMTDIAG_PCAPNG_OUT_H
#define AMTDIAG_PCAPNG_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PCAPNG_BT_SHB 0x0A0D0D0Au
#define PCAPNG_BT_IDB 0x00000001u
#define PCAPNG_BT_EPB 0x00000006u
#define PCAPNG_BT_DSB 0x0000000Au
#define PCAPNG_SECRETS_TLS 0x544c534bu /* "TLSK": an NSS key log */

/* Each returns 0, or -1 when writing failed. */
int pcapng_write_shb(FILE *f, const char *application);
/* tsresol: 6 for microseconds, 9 for nanoseconds. */
int pcapng_write_idb(FILE *f, uint16_t linktype, uint32_t snaplen, int tsresol);
/* A Decryption Secrets Block with an NSS key log, in big-endian order when
 * big (the byte order of the section it goes into), else little-endian. */
int pcapng_write_dsb(FILE *f, const char *keylog, size_t len, int big);
/* ts in units of the interface's resolution. */
int pcapng_write_epb(FILE *f, uint32_t iface, uint64_t ts, const uint8_t *data, uint32_t caplen,
                     uint32_t origlen);

#endif
