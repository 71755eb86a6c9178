/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bytesrc: the bytes of one input, read once and in order — a file, or
 * standard input (a pipe, a FIFO). Reads are buffered and return as soon
 * as the bytes asked for have arrived, so a capture piped in is analysed
 * as it comes. A source can sit on another one (bsrc_new): that is where
 * a decompressor recognised by the input's first bytes goes, so whatever
 * reads captures never knows whether they were compressed. */
#ifndef AMTDIAG_CAPTURE_BYTESRC_H
#define AMTDIAG_CAPTURE_BYTESRC_H

#include <stddef.h>
#include <stdint.h>

#include "amtdiag/result.h"

typedef struct byte_src byte_src;

/* What a source is made of: read fills buf with up to cap bytes and
 * returns how many (0 at the end; it may block until at least one byte
 * is there), or -1 after setting e; close releases ctx. */
typedef struct bsrc_ops {
    long (*read)(void *ctx, uint8_t *buf, size_t cap, amt_err *e);
    void (*close)(void *ctx);
} bsrc_ops;

/* Opens path for reading; "-" is standard input, named "stdin". Returns
 * NULL with AMT_E_INPUT in e when the file cannot be opened or is a
 * directory. */
byte_src *bsrc_open(const char *path, amt_err *e);

/* A source reading through ops and ctx (closed with the source), named
 * name in messages. */
byte_src *bsrc_new(const char *name, const bsrc_ops *ops, void *ctx);

/* Reads n bytes into buf, waiting for them; fewer only when the input ends
 * or fails (bsrc_failed tells which). Returns how many were read. */
size_t bsrc_read(byte_src *s, void *buf, size_t n);

/* Reads what has arrived, at most n bytes, waiting only when nothing has:
 * 0 means the input ended or failed. */
size_t bsrc_read_some(byte_src *s, void *buf, size_t n);

/* The next n bytes (n at most BSRC_PEEK_MAX) without consuming them; *got
 * says how many there are (fewer at the end of the input). */
#define BSRC_PEEK_MAX 4096
const uint8_t *bsrc_peek(byte_src *s, size_t n, size_t *got);

/* Reads and drops n bytes. Returns how many were dropped. */
uint64_t bsrc_skip(byte_src *s, uint64_t n);

/* Bytes consumed so far: the offset of the next byte. */
uint64_t bsrc_offset(const byte_src *s);

/* Non-zero once a read failed (rather than the input ending); the message
 * names the input. */
int bsrc_failed(const byte_src *s);
const char *bsrc_error(const byte_src *s);

/* "stdin" or the path. */
const char *bsrc_name(const byte_src *s);

/* Non-zero when the input is a regular file (it could be read again). */
int bsrc_is_regular(const byte_src *s);

/* Says whether a source stacked on another reads a regular file. */
void bsrc_set_regular(byte_src *s, int regular);

/* Closes the source (not standard input's descriptor). NULL is allowed. */
void bsrc_close(byte_src *s);

#endif
