/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the fuzz targets: reading the input as fields, checks
 * that abort (so libFuzzer records the input), and files for the parsers
 * that only take a path. */
#ifndef AMTDIAG_FUZZ_COMMON_H
#define AMTDIAG_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A property the parser promises did not hold: abort with the reason, so
 * the input is saved as a crash like any sanitizer finding. */
#define FZ_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The rest of the input, consumed front to back. */
typedef struct fz_in {
    const uint8_t *p;
    size_t n;
} fz_in;

static inline int fz_u8(fz_in *in, uint8_t *v)
{
    if (in->n < 1)
        return 0;
    *v = in->p[0];
    in->p++;
    in->n--;
    return 1;
}

static inline int fz_u16(fz_in *in, uint16_t *v)
{
    if (in->n < 2)
        return 0;
    *v = (uint16_t)(in->p[0] << 8 | in->p[1]);
    in->p += 2;
    in->n -= 2;
    return 1;
}

static inline int fz_u32(fz_in *in, uint32_t *v)
{
    if (in->n < 4)
        return 0;
    *v = (uint32_t)in->p[0] << 24 | (uint32_t)in->p[1] << 16 | (uint32_t)in->p[2] << 8 | in->p[3];
    in->p += 4;
    in->n -= 4;
    return 1;
}

/* Up to want bytes (fewer when the input ends first); *got says how many. */
static inline const uint8_t *fz_take(fz_in *in, size_t want, size_t *got)
{
    const uint8_t *p = in->p;
    *got = want < in->n ? want : in->n;
    in->p += *got;
    in->n -= *got;
    return p;
}

/* Reads every byte of a buffer the parser handed out, so that AddressSanitizer
 * checks the whole range it claims is valid. */
static inline void fz_touch(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc ^= b[i];
    /* an empty asm that uses acc: the reads cannot be optimised away */
    __asm__ volatile("" : : "r"(acc));
}

/* A string field: must be NUL-terminated within its cap bytes. */
static inline void fz_str(const char *s, size_t cap)
{
    if (s)
        FZ_CHECK(strnlen(s, cap) < cap);
}

/* A path into the directory of fixed key material that make_seeds.py writes
 * (AMTDIAG_FUZZ_DATA overrides it when the targets run elsewhere). Free it. */
static inline char *fz_data_path(const char *name)
{
    const char *dir = getenv("AMTDIAG_FUZZ_DATA");
#ifdef AMTDIAG_FUZZ_DATA_DIR
    if (!dir || !*dir)
        dir = AMTDIAG_FUZZ_DATA_DIR;
#endif
    return dir && *dir ? g_build_filename(dir, name, NULL) : NULL;
}

/* Writes data to a file that is rewritten for every input and returns its
 * path: a memfd seen through /proc, so that nothing touches the disk, or a
 * temporary file when memfds or /proc are missing. Returns NULL on failure. */
const char *fz_file(const uint8_t *data, size_t size);

#endif
