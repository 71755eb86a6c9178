/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capfile: the one reader of capture files — classic pcap and pcapng
 * (draft-ietf-opsawg-pcapng) — over a byte source read once, from start to
 * end, so a pipe works as well as a file. It hands out, in file order, the
 * packets (with their interface's link type and time), the key logs of
 * Decryption Secrets Blocks where they stand, and on request every pcapng
 * block as it is in the file (for copying one). Every block is bounded and
 * read through the bounds-checked cursor; a corrupt block stops the reading
 * with a message naming the byte offset, and what came before stands. */
#ifndef AMTDIAG_CAPTURE_CAPFILE_H
#define AMTDIAG_CAPTURE_CAPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "amtdiag/result.h"
#include "capture/bytesrc.h"

/* The largest block read whole: libpcap's bound, far above any frame. */
#define CAPFILE_BLOCK_MAX (16u * 1024u * 1024u)
/* The largest Decryption Secrets Block read; larger ones are skipped. */
#define CAPFILE_SECRETS_BLOCK_MAX (64u * 1024u * 1024u)

#define CAPFILE_SECRETS_TLS 0x544C534Bu /* an NSS key log */

typedef enum {
    CAPREC_END = 0,   /* the input ended cleanly */
    CAPREC_PACKET,    /* a packet */
    CAPREC_SECRETS,   /* a Decryption Secrets Block */
    CAPREC_INTERFACE, /* a pcapng interface was described */
    CAPREC_BLOCK,     /* any other pcapng block (only after capfile_all_blocks) */
    CAPREC_NOTE,      /* part of the file was skipped: note says what */
    CAPREC_TRUNCATED, /* the input ends inside a record (err says where) */
    CAPREC_ERROR      /* a corrupt structure or a read error (err says what, where) */
} caprec_kind;

typedef struct cap_record {
    caprec_kind kind;
    uint64_t offset; /* byte offset of the record in the input */
    /* CAPREC_PACKET (interface fields for CAPREC_INTERFACE too) */
    uint32_t iface;
    int linktype; /* LINKTYPE_* of the packet's interface */
    uint32_t snaplen;
    int64_t ts_us; /* since the epoch; clamped, never overflowed */
    int64_t ts_ns;
    const uint8_t *data;
    uint32_t caplen, origlen;
    /* CAPREC_SECRETS */
    uint32_t secrets_type; /* CAPFILE_SECRETS_TLS: an NSS key log */
    const uint8_t *secrets;
    size_t secrets_len;
    /* pcapng: the whole block as it is in the file, its type, and the byte
     * order of its section */
    const uint8_t *block;
    size_t block_len;
    uint32_t block_type;
    int big_endian;
    /* CAPREC_NOTE: what was skipped and where (without the input's name) */
    const char *note;
} cap_record;

typedef struct capfile capfile;

/* Reads the file header from src (which the capfile then owns and closes)
 * and returns a reader, or NULL with AMT_E_FORMAT (not a capture, ends
 * inside its header) or AMT_E_INPUT (read error) in e; src is closed then. */
capfile *capfile_open(byte_src *src, amt_err *e);

/* The next record; pointers in r stay valid until the next call. At
 * CAPREC_TRUNCATED and CAPREC_ERROR, e holds the message (naming the input
 * and the last packet or byte offset); reading further returns CAPREC_END. */
caprec_kind capfile_next(capfile *f, cap_record *r, amt_err *e);

/* Makes capfile_next return every pcapng block, the section headers and
 * interface blocks included (as CAPREC_BLOCK or their own kinds). */
void capfile_all_blocks(capfile *f, int on);

/* Non-zero for pcapng. */
int capfile_is_pcapng(const capfile *f);

/* Classic pcap: the header's link type, snapshot length, and whether
 * times are in nanoseconds. */
int capfile_linktype(const capfile *f);
uint32_t capfile_snaplen(const capfile *f);
int capfile_nanoseconds(const capfile *f);

/* Packets read so far. */
uint64_t capfile_packets(const capfile *f);

/* "stdin" or the path. */
const char *capfile_name(const capfile *f);

/* Non-zero when the input is a regular file. */
int capfile_is_regular(const capfile *f);

/* Closes the reader and its source, wiping any secrets it held. */
void capfile_close(capfile *f);

#endif
