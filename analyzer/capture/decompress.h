/* SPDX-License-Identifier: GPL-2.0-or-later */
/* decompress: captures compressed with gzip, zstd or lz4 (frame format),
 * recognised by their first bytes whatever the file is called, and
 * decompressed as they are read — a file, standard input or a pipe — so
 * the capture reader never knows they were compressed. */
#ifndef AMTDIAG_CAPTURE_DECOMPRESS_H
#define AMTDIAG_CAPTURE_DECOMPRESS_H

#include "amtdiag/result.h"
#include "capture/bytesrc.h"

/* src itself when its first bytes are no compression format, else a new
 * source that decompresses it (and owns it). NULL with the error in e when
 * the decompressor cannot start (src closed). Corrupt compressed data later
 * is a read error of the source, with a message naming the format. */
byte_src *bsrc_decompress(byte_src *src, amt_err *e);

/* bsrc_open, then bsrc_decompress: how captures are opened. */
byte_src *bsrc_open_capture(const char *path, amt_err *e);

#endif
