/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The NSS key log format (as written by browsers, curl, OpenSSL's keylog
 * callback, and embedded in pcapng Decryption Secrets Blocks): one
 * "LABEL <hex id> <hex secret>" per line. Bad lines are counted and
 * skipped, never fatal: a key log that is partly damaged still decrypts
 * the sessions whose lines survived. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "tls/tls_int.h"

typedef struct {
    const char *label;
    tls_secret_kind kind;
    size_t id_len;     /* bytes */
    size_t secret_min; /* bytes */
    size_t secret_max;
} keylog_label;

static const keylog_label labels[] = {
    {"CLIENT_RANDOM", TLS_SECRET_MASTER, 32, 48, 48},
    {"RSA", TLS_SECRET_RSA_PMS, 8, 48, 48},
    {"PMS_CLIENT_RANDOM", TLS_SECRET_PMS, 32, 1, 512},
    {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", TLS_SECRET_CLIENT_HS, 32, 32, 64},
    {"SERVER_HANDSHAKE_TRAFFIC_SECRET", TLS_SECRET_SERVER_HS, 32, 32, 64},
    {"CLIENT_TRAFFIC_SECRET_0", TLS_SECRET_CLIENT_AP0, 32, 32, 64},
    {"SERVER_TRAFFIC_SECRET_0", TLS_SECRET_SERVER_AP0, 32, 32, 64},
    {"EXPORTER_SECRET", TLS_SECRET_EXPORTER, 32, 32, 64},
    {"EARLY_EXPORTER_SECRET", TLS_SECRET_EARLY_EXPORTER, 32, 32, 64},
    {"CLIENT_EARLY_TRAFFIC_SECRET", TLS_SECRET_CLIENT_EARLY, 32, 32, 64},
};

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes a hex field into out (capacity cap). Returns bytes or -1. */
static long unhex(const char *s, size_t n, uint8_t *out, size_t cap)
{
    if (n == 0 || n % 2 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(n / 2);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Splits a line into up to 4 whitespace-separated fields. */
static int split(const char *s, size_t n, const char *f[4], size_t fl[4])
{
    int k = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && is_space(s[i]))
            i++;
        if (i >= n)
            break;
        size_t st = i;
        while (i < n && !is_space(s[i]))
            i++;
        if (k == 4)
            return 5;
        f[k] = s + st;
        fl[k] = i - st;
        k++;
    }
    return k;
}

static int label_like(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return n > 0;
}

static int all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (hexval(s[i]) < 0)
            return 0;
    return n > 0 && n % 2 == 0;
}

int tls_keylog_parse(const char *s, size_t n, tls_secret_kind *kind, uint8_t id[32], size_t *idlen,
                     uint8_t secret[512], size_t *len)
{
    const char *f[4];
    size_t fl[4];
    int nf = split(s, n, f, fl);
    if (nf == 0 || f[0][0] == '#')
        return 0;
    if (nf != 3)
        return -1;
    const keylog_label *lab = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(labels); i++)
        if (strlen(labels[i].label) == fl[0] && memcmp(labels[i].label, f[0], fl[0]) == 0)
            lab = &labels[i];
    if (!lab) {
        /* A label from a newer tool, well formed: not damage. */
        return label_like(f[0], fl[0]) && all_hex(f[1], fl[1]) && all_hex(f[2], fl[2]) ? 0 : -1;
    }
    long il = unhex(f[1], fl[1], id, 32);
    long sl = unhex(f[2], fl[2], secret, 512);
    if (il != (long)lab->id_len || sl < (long)lab->secret_min || sl > (long)lab->secret_max) {
        OPENSSL_cleanse(secret, 512);
        return -1;
    }
    *kind = lab->kind;
    *idlen = (size_t)il;
    *len = (size_t)sl;
    return 1;
}

/* One line into the store: 1 stored (new), 0 fine but nothing new, -1 bad. */
static int parse_line(tls_keys *k, const char *s, size_t n, const char *source)
{
    tls_secret_kind kind;
    uint8_t id[32], secret[512];
    size_t il, sl;
    int r = tls_keylog_parse(s, n, &kind, id, &il, secret, &sl);
    if (r > 0)
        r = tls_keys_put(k, kind, id, il, secret, sl, source) > 0 ? 1 : 0;
    OPENSSL_cleanse(secret, sizeof(secret));
    return r;
}

/* A line of a key log file, where it is in the file (its newline not
 * counted), and its number. */
typedef void (*line_fn)(void *ctx, const char *s, size_t n, uint64_t off, unsigned lineno);

/* What a pass over a key log file counts. */
typedef struct file_pass {
    tls_keys *k;
    const char *source;
    int ref; /* the file's number in the store's index, or -1: stored */
    int added;
    unsigned bad, first;
} file_pass;

static void pass_line(void *ctx, const char *s, size_t n, uint64_t off, unsigned lineno)
{
    file_pass *p = ctx;
    int r;
    if (p->ref < 0) {
        r = parse_line(p->k, s, n, p->source);
    } else {
        tls_secret_kind kind;
        uint8_t id[32], secret[512];
        size_t il, sl;
        r = tls_keylog_parse(s, n, &kind, id, &il, secret, &sl);
        OPENSSL_cleanse(secret, sizeof(secret));
        if (r > 0)
            r = tls_keys_ref_add(p->k, p->ref, kind, id, il, off, n);
    }
    if (r > 0)
        p->added++;
    else if (r < 0) {
        p->bad++;
        p->first = p->first ? p->first : lineno;
    }
}

int tls_keys_add_keylog(tls_keys *k, const char *text, size_t len, const char *source,
                        unsigned *bad_lines, unsigned *first_bad)
{
    if (bad_lines)
        *bad_lines = 0;
    if (first_bad)
        *first_bad = 0;
    if (!k || !text)
        return -1;
    int added = 0;
    unsigned lineno = 0, bad = 0, first = 0;
    size_t i = 0;
    while (i < len) {
        size_t st = i;
        while (i < len && text[i] != '\n')
            i++;
        lineno++;
        int r = parse_line(k, text + st, i - st, source);
        if (r > 0)
            added++;
        else if (r < 0) {
            bad++;
            if (!first)
                first = lineno;
        }
        i++; /* past the newline */
    }
    if (bad_lines)
        *bad_lines = bad;
    if (first_bad)
        *first_bad = first;
    return added;
}

/* Read a block at a time: a key log of a day's fleet traffic is tens of
 * megabytes, which need not be in memory at once. A line longer than the
 * block cannot be a key log line (the longest is under 1200 bytes) and is
 * bad. Returns 0, or -1 when reading failed. */
#define KEYLOG_BLOCK 65536

static int each_line(FILE *f, line_fn fn, void *ctx)
{
    char *buf = g_malloc(KEYLOG_BLOCK);
    size_t have = 0;
    uint64_t base = 0; /* file offset of buf[0] */
    unsigned lines = 0;
    int rc = 0, skipping = 0, eof = 0;
    while (!eof) {
        size_t got = fread(buf + have, 1, KEYLOG_BLOCK - have, f);
        have += got;
        eof = got == 0;
        if (eof && ferror(f)) {
            rc = -1;
            break;
        }
        size_t end = have, i = 0;
        if (skipping) { /* the rest of an overlong line */
            while (i < end && buf[i] != '\n')
                i++;
            if (i == end && !eof) {
                base += have;
                have = 0;
                continue;
            }
            i += i < end;
            skipping = 0;
        }
        while (i < end) {
            size_t st = i;
            while (i < end && buf[i] != '\n')
                i++;
            if (i == end && !eof) { /* cut by the block: read on */
                if (st == 0 && have == KEYLOG_BLOCK) {
                    fn(ctx, "\x01", 1, base, ++lines); /* overlong: bad */
                    skipping = 1;
                    st = end;
                }
                i = st;
                break;
            }
            fn(ctx, buf + st, i - st, base + st, ++lines);
            i += i < end;
        }
        OPENSSL_cleanse(buf, i);
        memmove(buf, buf + i, have - i);
        base += i;
        have -= i;
    }
    OPENSSL_cleanse(buf, KEYLOG_BLOCK);
    g_free(buf);
    return rc;
}

int tls_keys_add_keylog_file(tls_keys *k, FILE *f, const char *source, unsigned *bad_lines,
                             unsigned *first_bad)
{
    if (!k || !f)
        return -1;
    /* A regular file is indexed, its secrets read again when a session
     * needs them; a pipe can only be read once, so it is stored. */
    file_pass p = {k, source, tls_keys_ref_file(k, fileno(f), source), 0, 0, 0};
    int rc = each_line(f, pass_line, &p);
    if (p.ref >= 0)
        p.added = tls_keys_ref_done(k);
    if (bad_lines)
        *bad_lines = p.bad;
    if (first_bad)
        *first_bad = p.first;
    return rc < 0 ? -1 : p.added;
}
