/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fz_file: the input as a file, for the parsers that only open a path. */
#define _GNU_SOURCE /* memfd_create */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"

static int fd = -1;
static char path[128];

static void remove_tmp(void)
{
    if (path[0] && strncmp(path, "/proc/", 6) != 0)
        unlink(path);
}

/* One file per process, made on first use. */
static int open_once(void)
{
    if (fd >= 0)
        return 0;
    fd = memfd_create("amtdiag-fuzz", MFD_CLOEXEC);
    if (fd >= 0) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        if (access(path, R_OK) == 0)
            return 0;
        close(fd);
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/amtdiag-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    fd = mkstemp(path);
    if (fd < 0) {
        path[0] = '\0';
        return -1;
    }
    atexit(remove_tmp);
    return 0;
}

const char *fz_file(const uint8_t *data, size_t size)
{
    if (open_once() != 0 || ftruncate(fd, 0) != 0)
        return NULL;
    size_t off = 0;
    while (off < size) {
        ssize_t n = pwrite(fd, data + off, size - off, (off_t)off);
        if (n <= 0)
            return NULL;
        off += (size_t)n;
    }
    return path;
}
