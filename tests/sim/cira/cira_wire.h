/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cira_wire: APF messages as the simulator's MPS and AMT write and read
 * them, from the layouts of docs/cira.md with the simulator's own code
 * (not lib/apf.c), so that the tools under test read bytes they did not
 * produce. Over an OpenSSL connection, blocking. */
#ifndef CIRASIM_WIRE_H
#define CIRASIM_WIRE_H

#include <glib.h>
#include <openssl/ssl.h>
#include <stdint.h>

/* Appends a byte, a big-endian 32-bit integer, a length-prefixed string. */
void cw_u8(GByteArray *b, unsigned v);
void cw_u32(GByteArray *b, uint32_t v);
void cw_str(GByteArray *b, const char *s);
void cw_bytes(GByteArray *b, const void *p, size_t n);

/* A message of type t under construction. */
GByteArray *cw_new(uint8_t t);

/* ChannelData to the receiver's channel number chan carrying s (freed). */
GByteArray *cw_channel_data(uint32_t chan, GString *s);

/* Sends b (freed). Returns 0 or -1. */
int cw_send(SSL *ssl, GByteArray *b);

/* Reads a big-endian 32-bit integer at p. */
uint32_t cw_get32(const uint8_t *p);

/* A string field at *off of msg, copied (g_free it); *off moves past it. */
char *cw_get_str(const GByteArray *msg, size_t *off);

/* A reader of one direction: bytes received, not yet framed. */
typedef struct cw_reader {
    GByteArray *buf;
    int success_has_port; /* the peer's last request was tcpip-forward */
} cw_reader;

/* Reads the next whole message into *msg (a new array; free it). Returns
 * its type, -1 on end of stream or error, -2 when timeout_ms passed with
 * nothing (timeout_ms < 0: wait forever). */
int cw_read(SSL *ssl, int fd, cw_reader *r, GByteArray **msg, int timeout_ms);

#endif
