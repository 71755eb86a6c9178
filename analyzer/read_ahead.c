/* SPDX-License-Identifier: GPL-2.0-or-later */
/* read_ahead: a capture file read in a thread of its own (read_ahead.h). */
#include "read_ahead.h"

#include <glib.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <string.h>

typedef enum { EV_PKT, EV_WARN, EV_SECRETS } ev_kind;

/* One thing read, in file order; its bytes (payload, reason, key log
 * text) follow it. */
typedef struct ev {
    struct ev *next;
    ev_kind kind;
    size_t size; /* of the whole event, counted against READ_AHEAD_BYTES */
    pkt p;       /* EV_PKT; p.payload points into data */
    const char *file;
    uint64_t frame;
    size_t len; /* of data */
    uint8_t data[];
} ev;

struct read_ahead {
    char *path;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    /* the file's opening, done by the thread */
    int open_done;
    cap_source *src;
    amt_err open_err;
    /* what was read and is not handed on yet */
    ev *head, *tail;
    size_t bytes;
    int done;   /* the thread has read everything it will */
    int cancel; /* the reader no longer wants it */
    /* the end */
    int rc;
    cap_stats stats;
    char *error;
};

static ev *ev_new(ev_kind kind, const char *file, uint64_t frame, const void *data, size_t len)
{
    ev *e = g_malloc(sizeof *e + len);
    e->next = NULL;
    e->kind = kind;
    e->size = sizeof *e + len;
    e->file = file;
    e->frame = frame;
    e->len = len;
    if (len)
        memcpy(e->data, data, len);
    return e;
}

static void ev_free(ev *e)
{
    if (e->kind == EV_SECRETS)
        OPENSSL_cleanse(e->data, e->len);
    g_free(e);
}

/* Queues e, waiting while the queue is full; dropped when cancelled. */
static void push(read_ahead *r, ev *e)
{
    pthread_mutex_lock(&r->lock);
    while (!r->cancel && r->head && r->bytes + e->size > READ_AHEAD_BYTES)
        pthread_cond_wait(&r->changed, &r->lock);
    if (r->cancel) {
        pthread_mutex_unlock(&r->lock);
        ev_free(e);
        return;
    }
    if (r->tail)
        r->tail->next = e;
    else
        r->head = e;
    r->tail = e;
    r->bytes += e->size;
    pthread_cond_signal(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

static void on_packet(void *ctx, const pkt *p)
{
    ev *e = ev_new(EV_PKT, p->file, p->frame, p->payload, p->payload_len);
    e->p = *p;
    e->p.payload = e->data;
    push(ctx, e);
}

static void on_warn(void *ctx, const char *file, uint64_t frame, const char *reason)
{
    push(ctx, ev_new(EV_WARN, file, frame, reason, strlen(reason) + 1));
}

static void on_secrets(void *ctx, const char *file, uint64_t frame, const char *keylog, size_t len)
{
    push(ctx, ev_new(EV_SECRETS, file, frame, keylog, len));
}

static int cancelled(void *ctx)
{
    read_ahead *r = ctx;
    pthread_mutex_lock(&r->lock);
    int c = r->cancel;
    pthread_mutex_unlock(&r->lock);
    return c;
}

static void *reader_main(void *p)
{
    read_ahead *r = p;
    amt_err e = {0};
    cap_source *src = cap_open_file(r->path, &e);
    pthread_mutex_lock(&r->lock);
    r->src = src;
    r->open_err = e;
    r->open_done = 1;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    int rc = -1;
    cap_stats st = {0};
    if (src) {
        cap_set_secrets(src, on_secrets);
        cap_set_stop(src, cancelled);
        pkt_decoder *dec = pkt_decoder_new();
        rc = cap_run(src, dec, on_packet, on_warn, r, &st);
        pkt_decoder_free(dec);
    }
    pthread_mutex_lock(&r->lock);
    r->rc = rc;
    r->stats = st;
    r->error = g_strdup(src ? cap_error(src) : "");
    r->done = 1;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

read_ahead *read_ahead_start(const char *path)
{
    read_ahead *r = g_new0(read_ahead, 1);
    r->path = g_strdup(path);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    if (pthread_create(&r->thread, NULL, reader_main, r) != 0) {
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->changed);
        g_free(r->path);
        g_free(r);
        return NULL;
    }
    return r;
}

const char *read_ahead_path(const read_ahead *r)
{
    return r->path;
}

int read_ahead_opened(read_ahead *r, amt_err *e)
{
    pthread_mutex_lock(&r->lock);
    while (!r->open_done)
        pthread_cond_wait(&r->changed, &r->lock);
    int ok = r->src != NULL;
    if (!ok && e)
        *e = r->open_err;
    pthread_mutex_unlock(&r->lock);
    return ok ? 0 : -1;
}

const char *read_ahead_name(const read_ahead *r)
{
    return r->src ? cap_name(r->src) : r->path;
}

int read_ahead_run(read_ahead *r, cap_packet_cb cb, cap_warn_cb warn, cap_secrets_cb secrets,
                   void *ctx, cap_stats *stats)
{
    for (;;) {
        pthread_mutex_lock(&r->lock);
        while (!r->head && !r->done)
            pthread_cond_wait(&r->changed, &r->lock);
        ev *e = r->head;
        r->head = r->tail = NULL;
        r->bytes = 0;
        int done = r->done;
        pthread_cond_signal(&r->changed); /* room again */
        pthread_mutex_unlock(&r->lock);
        if (!e && done)
            break;
        while (e) {
            ev *next = e->next;
            if (e->kind == EV_PKT && cb)
                cb(ctx, &e->p);
            else if (e->kind == EV_WARN && warn)
                warn(ctx, e->file, e->frame, (const char *)e->data);
            else if (e->kind == EV_SECRETS && secrets)
                secrets(ctx, e->file, e->frame, (const char *)e->data, e->len);
            ev_free(e);
            e = next;
        }
    }
    if (stats)
        *stats = r->stats;
    return r->rc;
}

const char *read_ahead_error(const read_ahead *r)
{
    return r->error ? r->error : "";
}

void read_ahead_free(read_ahead *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->cancel = 1;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    for (ev *e = r->head, *next; e; e = next) {
        next = e->next;
        ev_free(e);
    }
    cap_close(r->src);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->changed);
    g_free(r->error);
    g_free(r->path);
    g_free(r);
}
