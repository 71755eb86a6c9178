/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_build: a connection's facts from the events a tool sees, with every
 * derived fact derived here so that the analyzer and the plugin agree. */
#include "amtdiag/diag_build.h"

#include <string.h>

#define HS_FINISHED 20
#define TLS13 0x0304
#define EXT_RENEGOTIATION_INFO 0xff01
#define SUITE_RENEGOTIATION_SCSV 0x00ff

void diag_build_init(diag_builder *b, unsigned id, int family, const uint8_t *client_addr,
                     uint16_t client_port, const uint8_t *server_addr, uint16_t server_port,
                     const char *client, const char *server, amt_service service)
{
    memset(b, 0, sizeof *b);
    diag_conn_facts *f = &b->f;
    f->id = id;
    f->family = family == 6 ? 6 : 4;
    size_t alen = f->family == 6 ? 16 : 4;
    if (client_addr)
        memcpy(f->client_addr, client_addr, alen);
    if (server_addr)
        memcpy(f->server_addr, server_addr, alen);
    f->client_port = client_port;
    f->server_port = server_port;
    f->client = client;
    f->server = server;
    f->service = service;
    f->rst_from = f->first_fin_from = -1;
    f->tls.hs = b->hs;
    f->tls.alerts = b->alerts;
    f->gaps = b->gaps;
    f->console_head = b->head;
}

static int side_ok(int from)
{
    return from == DIAG_CONSOLE || from == DIAG_AMT;
}

void diag_build_segment(diag_builder *b, uint64_t frame, int64_t ts_us, int from, unsigned flags,
                        const uint8_t *payload, size_t len)
{
    diag_conn_facts *f = &b->f;
    if (!side_ok(from))
        return;
    if (!b->segments++) {
        f->first_frame = frame;
        f->first_ts_us = ts_us;
        /* A connection whose first segment is no SYN began before the capture. */
        f->midstream = !(flags & (DIAG_TCP_SYN | DIAG_TCP_RST));
    }
    f->last_frame = frame;
    f->last_ts_us = ts_us;
    int syn = (flags & DIAG_TCP_SYN) != 0, ack = (flags & DIAG_TCP_ACK) != 0;
    if (syn && !ack && from == DIAG_CONSOLE && !f->synack) {
        f->syns++;
        if (!f->syn_frame)
            f->syn_frame = frame;
    }
    if (syn && ack && from == DIAG_AMT && !f->synack) {
        f->synack = 1;
        f->synack_frame = frame;
    }
    if ((flags & DIAG_TCP_FIN) && !b->fin_frame[from]) {
        b->fin_frame[from] = frame;
        if (f->first_fin_from < 0 || frame < f->first_fin_frame) {
            f->first_fin_from = from;
            f->first_fin_frame = frame;
        }
    }
    if ((flags & DIAG_TCP_RST) && (f->rst_from < 0 || frame < f->rst_frame)) {
        f->rst_from = from;
        f->rst_frame = frame;
    }
    f->bytes[from] += len;
    if (from == DIAG_CONSOLE && len && f->n_console_head < DIAG_BUILD_HEAD_MAX) {
        size_t n = len < DIAG_BUILD_HEAD_MAX - f->n_console_head
                       ? len
                       : DIAG_BUILD_HEAD_MAX - f->n_console_head;
        if (!f->n_console_head)
            f->console_head_frame = frame;
        if (payload)
            memcpy(b->head + f->n_console_head, payload, n);
        f->n_console_head += payload ? n : 0;
    }
}

void diag_build_gap(diag_builder *b, int from, uint64_t frame_before, uint64_t frame_after)
{
    if (!side_ok(from))
        return;
    b->f.gap = 1;
    if (b->f.n_gaps >= DIAG_BUILD_GAPS_MAX) {
        b->dropped++;
        return;
    }
    b->gaps[b->f.n_gaps++] = (diag_gap){from, frame_before, frame_after, 0};
}

void diag_build_gap_filled(diag_builder *b, int from, int reassembled)
{
    diag_conn_facts *f = &b->f;
    for (size_t k = f->n_gaps; k-- > 0;) {
        diag_gap *g = &b->gaps[k];
        if (g->from != from || g->reordered)
            continue;
        if (!reassembled) {
            g->reordered = 1;
            return;
        }
        memmove(g, g + 1, (f->n_gaps - k - 1) * sizeof *g);
        f->n_gaps--;
        f->gap = f->n_gaps > 0;
        return;
    }
}

/* GREASE values (RFC 8701) are 0x?a?a with both bytes equal. */
static int is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

void diag_offered_versions(uint16_t legacy_version, const uint16_t *versions, size_t n,
                           uint16_t *lo, uint16_t *hi)
{
    *lo = *hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t v = versions[i];
        /* SSL 3.0 to TLS 1.3 only: GREASE and drafts (0x7fxx) are no versions */
        if (is_grease(v) || v < 0x0300 || v > TLS13)
            continue;
        if (!*lo || v < *lo)
            *lo = v;
        if (v > *hi)
            *hi = v;
    }
    if (!*hi) /* no supported_versions: the legacy field is the maximum */
        *lo = *hi = legacy_version;
}

static int has_u16(const uint16_t *v, size_t n, uint16_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

void diag_build_client_hello(diag_builder *b, uint64_t frame, uint16_t legacy_version,
                             const uint16_t *versions, size_t n_versions, const uint16_t *suites,
                             size_t n_suites, const uint16_t *extensions, size_t n_extensions,
                             const char *sni)
{
    diag_tls_facts *t = &b->f.tls;
    b->f.is_tls = 1;
    if (t->client_hello)
        return; /* a second ClientHello (after HelloRetryRequest) offers the same */
    t->client_hello = 1;
    t->client_hello_frame = frame;
    diag_offered_versions(legacy_version, versions, n_versions, &t->offered_min, &t->offered_max);
    t->offered_suites = suites;
    t->n_offered_suites = n_suites;
    t->sni = sni;
    t->console_reneg = has_u16(suites, n_suites, SUITE_RENEGOTIATION_SCSV) ||
                       has_u16(extensions, n_extensions, EXT_RENEGOTIATION_INFO);
}

void diag_build_server_hello(diag_builder *b, uint64_t frame, uint16_t legacy_version,
                             uint16_t selected_version, const char *suite_name,
                             const uint16_t *extensions, size_t n_extensions,
                             uint32_t gmt_unix_time)
{
    diag_tls_facts *t = &b->f.tls;
    b->f.is_tls = 1;
    if (t->server_hello)
        return;
    t->server_hello = 1;
    t->server_hello_frame = frame;
    t->version = selected_version ? selected_version : legacy_version;
    t->suite_name = suite_name;
    t->amt_reneg = has_u16(extensions, n_extensions, EXT_RENEGOTIATION_INFO);
    t->gmt_unix_time = gmt_unix_time;
}

static void complete(diag_builder *b, uint64_t frame)
{
    diag_tls_facts *t = &b->f.tls;
    if (t->handshake_complete)
        return;
    t->handshake_complete = 1;
    t->handshake_done_frame = frame;
}

void diag_build_handshake(diag_builder *b, uint64_t frame, int from, int type)
{
    diag_tls_facts *t = &b->f.tls;
    if (!side_ok(from))
        return;
    b->f.is_tls = 1;
    if (t->n_hs < DIAG_BUILD_HS_MAX)
        b->hs[t->n_hs++] = (diag_hs_msg){from, type, frame};
    else
        b->dropped++;
    if (type == 13 && from == DIAG_AMT && !t->cert_request) {
        t->cert_request = 1;
        t->cert_request_frame = frame;
    }
    if (type == HS_FINISHED) {
        b->finished[from] = 1;
        if (b->finished[DIAG_CONSOLE] && b->finished[DIAG_AMT])
            complete(b, frame);
    }
}

void diag_build_alert(diag_builder *b, uint64_t frame, int from, int level, int desc)
{
    diag_tls_facts *t = &b->f.tls;
    if (!side_ok(from))
        return;
    b->f.is_tls = 1;
    if (t->n_alerts >= DIAG_BUILD_ALERTS_MAX) {
        b->dropped++;
        return;
    }
    const diag_hs_msg *last = t->n_hs ? &b->hs[t->n_hs - 1] : NULL;
    b->alerts[t->n_alerts++] = (diag_alert){.from = from,
                                            .level = level,
                                            .desc = desc,
                                            .frame = frame,
                                            .after_from = last ? last->from : -1,
                                            .after_type = last ? last->type : -1,
                                            .after_handshake = t->handshake_complete};
}

void diag_build_app_record(diag_builder *b, uint64_t frame, int from)
{
    diag_tls_facts *t = &b->f.tls;
    if (!side_ok(from))
        return;
    b->f.is_tls = 1;
    t->app_records[from]++;
    if (!t->app_first_frame[from])
        t->app_first_frame[from] = frame;
    /* Before TLS 1.3 application data only follows a completed handshake;
     * in TLS 1.3 an undecrypted record may still be AMT's handshake. */
    if (from == DIAG_AMT && t->version && t->version != TLS13)
        complete(b, frame);
}
