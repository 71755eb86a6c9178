/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bytesrc: buffered, single-pass reading of an input through a read
 * function, with a look-ahead for recognising formats by content. */
#include "capture/bytesrc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define BSRC_BUF (64u * 1024u)

struct byte_src {
    bsrc_ops ops;
    void *ctx;
    char *name;
    uint8_t buf[BSRC_BUF];
    size_t pos, end; /* unread bytes are buf[pos, end) */
    uint64_t offset; /* of buf[pos] in the input */
    int eof, failed, regular;
    amt_err err;
};

/* ---- a file descriptor ---- */

typedef struct fd_ctx {
    int fd;
    int owned;
    const char *name; /* the source's, for messages */
} fd_ctx;

static long fd_read(void *ctx, uint8_t *buf, size_t cap, amt_err *e)
{
    fd_ctx *f = ctx;
    for (;;) {
        ssize_t n = read(f->fd, buf, cap);
        if (n >= 0)
            return (long)n;
        if (errno == EINTR)
            continue;
        amt_fail(e, AMT_E_INPUT, "%s: read error: %s", f->name, strerror(errno));
        return -1;
    }
}

static void fd_close(void *ctx)
{
    fd_ctx *f = ctx;
    if (f->owned)
        close(f->fd);
    free(f);
}

static const bsrc_ops fd_ops = {fd_read, fd_close};

byte_src *bsrc_open(const char *path, amt_err *e)
{
    if (path == NULL || path[0] == '\0') {
        amt_fail(e, AMT_E_INPUT, "no capture file given");
        return NULL;
    }
    int is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "stdin" : path;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        amt_fail(e, AMT_E_INPUT, "%s: cannot open: %s", name, strerror(errno));
        return NULL;
    }
    struct stat st;
    int regular = 0;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            amt_fail(e, AMT_E_INPUT, "%s: is a directory, not a capture file", name);
            if (!is_stdin)
                close(fd);
            return NULL;
        }
        regular = S_ISREG(st.st_mode);
    }
    if (regular)
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    fd_ctx *f = calloc(1, sizeof *f);
    byte_src *s = f ? bsrc_new(name, &fd_ops, f) : NULL;
    if (s == NULL) {
        free(f);
        if (!is_stdin)
            close(fd);
        amt_fail(e, AMT_E_MEMORY, "%s: out of memory", name);
        return NULL;
    }
    f->fd = fd;
    f->owned = !is_stdin;
    f->name = s->name;
    s->regular = regular;
    return s;
}

byte_src *bsrc_new(const char *name, const bsrc_ops *ops, void *ctx)
{
    byte_src *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->name = strdup(name);
    if (s->name == NULL) {
        free(s);
        return NULL;
    }
    s->ops = *ops;
    s->ctx = ctx;
    return s;
}

/* Reads more into the buffer, after what is there. Returns the bytes
 * added, 0 at the end or after a failure. */
static size_t fill(byte_src *s)
{
    if (s->eof || s->failed)
        return 0;
    if (s->pos > 0 && s->pos == s->end)
        s->pos = s->end = 0;
    if (s->end == sizeof s->buf) {
        /* make room: the unread bytes move to the front */
        memmove(s->buf, s->buf + s->pos, s->end - s->pos);
        s->end -= s->pos;
        s->pos = 0;
    }
    if (s->end == sizeof s->buf)
        return 0; /* full of unread bytes: nothing to do until they are read */
    long n = s->ops.read(s->ctx, s->buf + s->end, sizeof s->buf - s->end, &s->err);
    if (n < 0) {
        s->failed = 1;
        return 0;
    }
    if (n == 0) {
        s->eof = 1;
        return 0;
    }
    s->end += (size_t)n;
    return (size_t)n;
}

size_t bsrc_read(byte_src *s, void *buf, size_t n)
{
    uint8_t *out = buf;
    size_t done = 0;
    while (done < n) {
        if (s->pos == s->end && fill(s) == 0)
            break;
        size_t k = s->end - s->pos;
        if (k > n - done)
            k = n - done;
        memcpy(out + done, s->buf + s->pos, k);
        s->pos += k;
        s->offset += k;
        done += k;
    }
    return done;
}

size_t bsrc_read_some(byte_src *s, void *buf, size_t n)
{
    if (s->pos == s->end && fill(s) == 0)
        return 0;
    size_t k = s->end - s->pos < n ? s->end - s->pos : n;
    memcpy(buf, s->buf + s->pos, k);
    s->pos += k;
    s->offset += k;
    return k;
}

const uint8_t *bsrc_peek(byte_src *s, size_t n, size_t *got)
{
    if (n > BSRC_PEEK_MAX)
        n = BSRC_PEEK_MAX;
    if (s->end - s->pos < n && s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, s->end - s->pos);
        s->end -= s->pos;
        s->pos = 0;
    }
    while (s->end - s->pos < n && fill(s) > 0) {
    }
    *got = s->end - s->pos < n ? s->end - s->pos : n;
    return s->buf + s->pos;
}

uint64_t bsrc_skip(byte_src *s, uint64_t n)
{
    uint64_t done = 0;
    while (done < n) {
        if (s->pos == s->end && fill(s) == 0)
            break;
        size_t k = s->end - s->pos;
        if (k > n - done)
            k = (size_t)(n - done);
        s->pos += k;
        s->offset += k;
        done += k;
    }
    return done;
}

uint64_t bsrc_offset(const byte_src *s)
{
    return s->offset;
}

int bsrc_failed(const byte_src *s)
{
    return s->failed;
}

const char *bsrc_error(const byte_src *s)
{
    return s->err.msg;
}

const char *bsrc_name(const byte_src *s)
{
    return s->name;
}

int bsrc_is_regular(const byte_src *s)
{
    return s->regular;
}

void bsrc_set_regular(byte_src *s, int regular)
{
    s->regular = regular;
}

void bsrc_close(byte_src *s)
{
    if (s == NULL)
        return;
    if (s->ops.close)
        s->ops.close(s->ctx);
    /* embedded TLS secrets pass through the buffer */
    OPENSSL_cleanse(s->buf, sizeof s->buf);
    free(s->name);
    free(s);
}
