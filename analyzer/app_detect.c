/* SPDX-License-Identifier: GPL-2.0-or-later */
/* app_detect: AMT's TLS ports say TLS; otherwise the first bytes decide
 * (TLS by its record header, HTTP by its request or status line, the
 * redirection protocol by its StartRedirectionSession), and on AMT's HTTP
 * and redirection ports anything that is not TLS is taken as HTTP or
 * redirection. Held bytes are bounded: 8 bytes always decide. */
#include "app_detect.h"

#include <string.h>

#include <glib.h>

#include "amtdiag/amt_ports.h"
#include "amtdiag/redir.h"
#include "redir/redir_stream.h"
#include "tls/tls.h"

#define HOLD_MAX 4096 /* bytes held at most (a long first segment decides at once) */

typedef struct held_chunk {
    int dir;
    size_t off, len;
    uint64_t ff, lf;
} held_chunk;

struct app_hold {
    GByteArray *bytes;
    GArray *chunks;   /* held_chunk */
    int first_dir;    /* the direction that spoke first */
    GByteArray *head; /* the first bytes of first_dir */
};

static const char *const http_starts[] = {"GET ", "POST ", "PUT ", "HEAD ", "HTTP/1."};

/* 1 the bytes start as HTTP does, 0 they cannot, -1 too few to tell. */
static int http_start(const uint8_t *p, size_t n)
{
    int maybe = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(http_starts); i++) {
        size_t l = strlen(http_starts[i]);
        if (n >= l && memcmp(p, http_starts[i], l) == 0)
            return 1;
        if (n < l && memcmp(p, http_starts[i], n) == 0)
            maybe = 1;
    }
    return maybe ? -1 : 0;
}

/* 1 the bytes start as a StartRedirectionSession does, 0 they cannot, -1
 * too few to tell. */
static int redir_start(const uint8_t *p, size_t n)
{
    if (!n)
        return -1;
    if (p[0] != REDIR_START_SESSION)
        return 0;
    return n < 8 ? -1 : redir_stream_looks_like(p, n);
}

int app_classify(unsigned server_port, const uint8_t *head, size_t len, int final)
{
    if (server_port == 16993 || server_port == 16995)
        return APP_TLS;
    if (!len)
        return final ? APP_UNKNOWN : -1;
    int tls = tls_looks_like(head, len);
    if (tls == 1)
        return APP_TLS;
    int http = http_start(head, len);
    if (tls < 0 && !final)
        return -1; /* 1-4 bytes: a TLS record header, or not */
    if (server_port == 16992)
        return APP_HTTP;
    if (http == 1)
        return APP_HTTP;
    if (server_port == AMT_PORT_REDIR)
        return APP_REDIR;
    int redir = redir_start(head, len);
    if (redir == 1)
        return APP_REDIR;
    return (http < 0 || redir < 0) && !final ? -1 : APP_UNKNOWN;
}

void app_hold_release(app_hold **hp, app_chunk_fn fn, void *ctx)
{
    app_hold *h = *hp;
    if (!h)
        return;
    *hp = NULL;
    for (guint i = 0; i < h->chunks->len; i++) {
        const held_chunk *c = &g_array_index(h->chunks, held_chunk, i);
        fn(ctx, c->dir, h->bytes->data + c->off, c->len, c->ff, c->lf);
    }
    g_byte_array_free(h->bytes, TRUE);
    g_byte_array_free(h->head, TRUE);
    g_array_free(h->chunks, TRUE);
    g_free(h);
}

int app_hold_feed(app_hold **hp, unsigned server_port, int dir, const uint8_t *data, size_t len,
                  uint64_t ff, uint64_t lf, int final)
{
    if (!*hp) {
        app_hold *h = g_new0(app_hold, 1);
        h->bytes = g_byte_array_new();
        h->head = g_byte_array_new();
        h->chunks = g_array_new(FALSE, FALSE, sizeof(held_chunk));
        h->first_dir = dir;
        *hp = h;
    }
    app_hold *h = *hp;
    if (len) {
        held_chunk c = {dir, h->bytes->len, len, ff, lf};
        g_byte_array_append(h->bytes, data, (guint)len);
        g_array_append_val(h->chunks, c);
        if (dir == h->first_dir && h->head->len < 64)
            g_byte_array_append(h->head, data, (guint)MIN(len, 64 - h->head->len));
    }
    return app_classify(server_port, h->head->data, h->head->len,
                        final || h->bytes->len >= HOLD_MAX);
}
