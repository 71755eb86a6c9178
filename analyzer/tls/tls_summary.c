/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bookkeeping of a connection's summary: bounded lists, notes, alerts, and
 * the key status with its one line of explanation. Lists are bounded so
 * that hostile input cannot make the summary grow without limit. */
#include <stdio.h>
#include <string.h>
#include "tls/tls_int.h"

void tls_sum_init(tls_summary *s)
{
    memset(s, 0, sizeof(*s));
    s->suite_name = "unknown";
    s->key_status = TLS_KEY_NOTHING_ENCRYPTED;
    snprintf(s->key_status_text, sizeof(s->key_status_text),
             "nothing encrypted was seen (no ChangeCipherSpec or encrypted record)");
}

static void u16_clear(tls_u16_list *l)
{
    g_free(l->v);
    l->v = NULL;
    l->n = 0;
}

void tls_blob_list_clear(tls_blob_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        g_free(l->v[i].data);
    g_free(l->v);
    l->v = NULL;
    l->n = 0;
}

void tls_sum_clear(tls_summary *s)
{
    tls_client_hello *ch = &s->ch;
    u16_clear(&ch->versions);
    u16_clear(&ch->suites);
    u16_clear(&ch->extensions);
    u16_clear(&ch->groups);
    u16_clear(&ch->key_share_groups);
    u16_clear(&ch->sig_algs);
    g_free(ch->sni);
    g_strfreev(ch->alpn);
    u16_clear(&s->sh.extensions);
    g_free(s->sh.alpn);
    u16_clear(&s->ee_extensions);
    tls_blob_list_clear(&s->server_certs);
    tls_blob_list_clear(&s->client_certs);
    g_free(s->cert_request.cert_types.data);
    u16_clear(&s->cert_request.sig_algs);
    tls_blob_list_clear(&s->cert_request.authorities);
    g_free(s->alerts);
    g_free(s->dir_error[0]);
    g_free(s->dir_error[1]);
    g_strfreev(s->notes);
    g_free(s->psk_identity);
    memset(s, 0, sizeof(*s));
}

void tls_note(tls_conn *c, const char *fmt, ...)
{
    tls_summary *s = &c->sum;
    if (s->n_notes >= TLS_MAX_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    s->notes = g_renew(char *, s->notes, s->n_notes + 2);
    s->notes[s->n_notes++] = msg;
    s->notes[s->n_notes] = NULL;
}

void tls_u16_push(tls_u16_list *l, uint16_t v)
{
    if (l->n >= TLS_MAX_LIST)
        return;
    l->v = g_renew(uint16_t, l->v, l->n + 1);
    l->v[l->n++] = v;
}

void tls_blob_set(tls_blob *b, const uint8_t *p, size_t n)
{
    g_free(b->data);
    b->data = n ? g_memdup2(p, n) : NULL;
    b->len = n;
}

void tls_blob_push(tls_blob_list *l, const uint8_t *p, size_t n)
{
    if (l->n >= TLS_MAX_LIST)
        return;
    l->v = g_renew(tls_blob, l->v, l->n + 1);
    l->v[l->n].data = g_memdup2(p, n);
    l->v[l->n].len = n;
    l->n++;
}

void tls_alert_push(tls_conn *c, const tls_alert_info *a)
{
    tls_summary *s = &c->sum;
    if (s->n_alerts >= TLS_MAX_ALERTS)
        return;
    s->alerts = g_renew(tls_alert_info, s->alerts, s->n_alerts + 1);
    s->alerts[s->n_alerts++] = *a;
}

void tls_status_fail(tls_conn *c, tls_key_status st, const char *fmt, ...)
{
    char text[sizeof(c->sum.key_status_text)];
    size_t at = 0;
    if (c->hs.gen && c->sum.key_status == TLS_KEY_DECRYPTED && !c->status_locked)
        /* what failed is a renegotiation's keys: what came before was read */
        at = (size_t)snprintf(text, sizeof(text),
                              "decrypted (keys from %s) until renegotiation %u; then ",
                              c->sum.key_source, c->hs.gen);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text + at, sizeof(text) - at, fmt, ap);
    va_end(ap);
    if (c->status_locked) {
        /* The first reason stays the status; a later, different one (a MAC
         * failure after "no handshake secrets") is still worth knowing. */
        if (st != c->sum.key_status)
            tls_note(c, "also: %s", text);
        return;
    }
    c->status_locked = 1;
    c->sum.key_status = st;
    memcpy(c->sum.key_status_text, text, sizeof(text));
}

void tls_status_decrypted(tls_conn *c, const char *source)
{
    tls_summary *s = &c->sum;
    if (c->status_locked)
        return;
    if (s->key_status == TLS_KEY_DECRYPTED) {
        /* The first keys name the session; a renegotiation's other ones
         * are noted. */
        if (c->hs.gen && c->noted_source_gen != c->hs.gen && strcmp(s->key_source, source) != 0) {
            c->noted_source_gen = c->hs.gen;
            tls_note(c, "renegotiation %u decrypted with keys from %s", c->hs.gen, source);
        }
        return;
    }
    s->key_status = TLS_KEY_DECRYPTED;
    g_strlcpy(s->key_source, source, sizeof(s->key_source));
    snprintf(s->key_status_text, sizeof(s->key_status_text), "decrypted (keys from %s)", source);
}

void tls_dir_stop(tls_conn *c, int dir, const char *fmt, ...)
{
    c->d[dir].stopped = 1;
    c->d[dir].stalled = 0;
    if (c->sum.dir_error[dir])
        return;
    va_list ap;
    va_start(ap, fmt);
    c->sum.dir_error[dir] = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}
