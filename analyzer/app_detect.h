/* SPDX-License-Identifier: GPL-2.0-or-later */
/* app_detect: what a TCP connection carries, TLS, HTTP or the redirection
 * protocol, from AMT's port
 * or from its first bytes. A first segment may hold only 1 to 4 bytes of
 * a TLS record (or "GE" of a GET): the bytes of both directions are held,
 * in order, until enough of them say what it is, then handed on. */
#ifndef AMTDIAG_APP_DETECT_H
#define AMTDIAG_APP_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Bytes held for one connection; NULL until something is held. */
typedef struct app_hold app_hold;

/* Receives the held bytes when the decision is made, in the order they
 * came. */
typedef void (*app_chunk_fn)(void *ctx, int dir, const uint8_t *data, size_t len, uint64_t ff,
                             uint64_t lf);

/* What the connection to server_port carries, seen the first bytes of the
 * direction that spoke first (head, len). final: no more bytes will come,
 * decide with these. Returns APP_TLS, APP_HTTP, APP_REDIR, APP_UNKNOWN
 * (none of them), or
 * -1 when more bytes are needed. */
int app_classify(unsigned server_port, const uint8_t *head, size_t len, int final);

/* Holds a chunk in *h (created on first use) and returns the decision as
 * app_classify does. final: nothing more will come (the connection ended,
 * or bytes are missing), decide now. Once decided (not -1), the caller
 * sets the protocol up and calls app_hold_release. */
int app_hold_feed(app_hold **h, unsigned server_port, int dir, const uint8_t *data, size_t len,
                  uint64_t ff, uint64_t lf, int final);

/* Hands every held chunk to fn, in order, and frees *h. NULL is fine. */
void app_hold_release(app_hold **h, app_chunk_fn fn, void *ctx);

#endif
