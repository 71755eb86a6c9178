/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spill: report pieces kept out of memory until their order is known
 * (spill.h). */
#include "spill.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct piece {
    uint64_t key;
    uint64_t off;
    uint32_t len;
    uint8_t section;
} piece;

struct spill {
    FILE *f;
    int in_memory; /* no temporary file: open_memstream's buffer */
    char *mem;
    size_t mem_len;
    uint64_t mark;  /* where the next piece starts */
    GArray *pieces; /* piece, in the order made */
    uint64_t n[16]; /* pieces per section */
    int failed;
};

/* An unlinked temporary file in dir, or NULL. */
static FILE *unlinked_in(const char *dir)
{
    char *path = g_build_filename(dir, "amtdiag-XXXXXX", NULL);
    int fd = g_mkstemp(path);
    FILE *f = NULL;
    if (fd >= 0) {
        g_unlink(path);
        if (!(f = fdopen(fd, "w+b")))
            close(fd);
    }
    g_free(path);
    return f;
}

spill *spill_new(void)
{
    spill *s = g_new0(spill, 1);
    s->pieces = g_array_new(FALSE, FALSE, sizeof(piece));
    /* $TMPDIR when set; else /var/tmp, meant for large files and on disk,
     * where /tmp may be a tmpfs in memory (Debian 13's default) */
    const char *env = g_getenv("TMPDIR");
    s->f = unlinked_in(env && *env ? env : "/var/tmp");
    if (!s->f)
        s->f = unlinked_in(g_get_tmp_dir());
    if (!s->f) {
        s->f = open_memstream(&s->mem, &s->mem_len);
        s->in_memory = 1;
    }
    if (!s->f)
        s->failed = 1;
    return s;
}

FILE *spill_file(spill *s)
{
    return s->f;
}

void spill_mark(spill *s, unsigned section, uint64_t key)
{
    if (!s->f || section >= G_N_ELEMENTS(s->n))
        return;
    off_t end = ftello(s->f);
    if (end < 0 || (uint64_t)end < s->mark || (uint64_t)end - s->mark > UINT32_MAX) {
        s->failed = 1;
        return;
    }
    piece p = {.key = key,
               .off = s->mark,
               .len = (uint32_t)((uint64_t)end - s->mark),
               .section = (uint8_t)section};
    s->mark = (uint64_t)end;
    if (p.len == 0)
        return;
    g_array_append_val(s->pieces, p);
    s->n[section]++;
}

uint64_t spill_count(const spill *s, unsigned section)
{
    return section < G_N_ELEMENTS(s->n) ? s->n[section] : 0;
}

int spill_failed(const spill *s)
{
    return s->failed || (s->f && ferror(s->f));
}

/* Indexes into pieces, ordered by key and then by the order made. */
static gint by_key(gconstpointer a, gconstpointer b, gpointer data)
{
    const GArray *v = data;
    guint x = *(const guint *)a, y = *(const guint *)b;
    const piece *p = &g_array_index(v, piece, x), *q = &g_array_index(v, piece, y);
    if (p->key != q->key)
        return p->key < q->key ? -1 : 1;
    return (x > y) - (x < y);
}

int spill_each(spill *s, unsigned section, spill_fn fn, void *ctx, FILE *out, const char *sep)
{
    if (!s->f || fflush(s->f) != 0)
        return -1;
    GArray *idx = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint i = 0; i < s->pieces->len; i++)
        if (g_array_index(s->pieces, piece, i).section == section)
            g_array_append_val(idx, i);
    g_array_sort_with_data(idx, by_key, s->pieces);
    int rc = 0;
    size_t cap = 0;
    char *buf = NULL;
    for (guint i = 0; i < idx->len && rc == 0; i++) {
        const piece *p = &g_array_index(s->pieces, piece, g_array_index(idx, guint, i));
        const char *text;
        if (s->in_memory) {
            text = s->mem + p->off;
        } else {
            if (p->len > cap) {
                cap = p->len;
                buf = g_realloc(buf, cap);
            }
            if (fseeko(s->f, (off_t)p->off, SEEK_SET) != 0 ||
                fread(buf, 1, p->len, s->f) != p->len) {
                rc = -1;
                break;
            }
            text = buf;
        }
        if (out && sep && i)
            fputs(sep, out);
        fn(ctx, text, p->len);
    }
    if (!s->in_memory && fseeko(s->f, 0, SEEK_END) != 0)
        rc = -1;
    g_free(buf);
    g_array_free(idx, TRUE);
    return rc || (out && ferror(out)) ? -1 : 0;
}

static void write_out(void *ctx, const char *text, size_t len)
{
    fwrite(text, 1, len, ctx);
}

int spill_copy(spill *s, unsigned section, FILE *out, const char *sep)
{
    return spill_each(s, section, write_out, out, out, sep);
}

void spill_free(spill *s)
{
    if (!s)
        return;
    if (s->f)
        fclose(s->f);
    free(s->mem);
    g_array_free(s->pieces, TRUE);
    g_free(s);
}
