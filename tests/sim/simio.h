/* SPDX-License-Identifier: GPL-2.0-or-later */
/* simio: the byte stream one simulated endpoint reads and writes.
 * Over TLS it is an SSL object, in clear a socket; every write is also
 * recorded for the capture, which is why applications never touch fds. */
#ifndef AMTSIM_SIMIO_H
#define AMTSIM_SIMIO_H

#include <stddef.h>
#include <stdint.h>

typedef struct simio simio;

/* Reads up to len bytes. Returns the count read, 0 on an orderly close by
 * the peer (close_notify or FIN), -1 on an error or abort. Blocks. */
long simio_read(simio *io, void *buf, size_t len);

/* Writes all len bytes as one application write. Returns 0, or -1. */
int simio_write(simio *io, const void *buf, size_t len);

/* Current capture clock in microseconds since the Unix epoch. The simulator
 * runs on a synthetic clock so that samples are reproducible. */
int64_t simio_now_us(simio *io);

/* Says that this side closes after what it writes next. Served to a real
 * client (amtsim --serve), the writes are then held (TCP_CORK) and leave
 * with the FIN, as from AMT's embedded stack, rather than racing the
 * client's own close once it has read the answer; elsewhere a no-op. */
void simio_hold_until_close(simio *io);

#endif
