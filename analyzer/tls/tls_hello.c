/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ClientHello, ServerHello (and HelloRetryRequest) and EncryptedExtensions:
 * what each side offered and chose. These carry most of the facts behind a
 * diagnosis: versions, suites, renegotiation_info, EMS/ETM, tickets, SNI. */
#include <string.h>
#include "tls/tls_int.h"

/* SHA-256("HelloRetryRequest"), the ServerHello.random of an HRR (RFC 8446 4.1.3). */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

enum {
    EXT_SERVER_NAME = 0,
    EXT_SUPPORTED_GROUPS = 10,
    EXT_SIG_ALGS = 13,
    EXT_ALPN = 16,
    EXT_ETM = 22,
    EXT_EMS = 23,
    EXT_SESSION_TICKET = 35,
    EXT_PSK = 41,
    EXT_EARLY_DATA = 42,
    EXT_SUPPORTED_VERSIONS = 43,
    EXT_PSK_MODES = 45,
    EXT_KEY_SHARE = 51,
    EXT_RENEGOTIATION_INFO = 0xff01,
};

/* A printable copy of a name from the wire (control bytes become '?'). */
static char *wire_string(const uint8_t *p, size_t n)
{
    char *s = g_malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
    s[n] = 0;
    return s;
}

static void u16_list(amt_cur v, tls_u16_list *out)
{
    while (cur_left(&v) >= 2)
        tls_u16_push(out, (uint16_t)cur_u16(&v));
}

static char **alpn_list(amt_cur v)
{
    GPtrArray *a = g_ptr_array_new();
    while (cur_left(&v) > 0 && a->len < 64) {
        amt_cur one = cur_vec(&v, 1);
        if (one.err)
            break;
        g_ptr_array_add(a, wire_string(one.p, one.len));
    }
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

static void ch_extension(tls_conn *c, tls_client_hello *ch, unsigned type, amt_cur e,
                         GBytes **ticket)
{
    switch (type) {
    case EXT_SERVER_NAME: {
        amt_cur list = cur_vec(&e, 2);
        while (cur_left(&list) >= 3) {
            unsigned nt = cur_u8(&list);
            amt_cur name = cur_vec(&list, 2);
            if (!name.err && nt == 0 && !ch->sni)
                ch->sni = wire_string(name.p, name.len);
        }
        break;
    }
    case EXT_SUPPORTED_GROUPS:
        u16_list(cur_vec(&e, 2), &ch->groups);
        break;
    case EXT_SIG_ALGS:
        u16_list(cur_vec(&e, 2), &ch->sig_algs);
        break;
    case EXT_ALPN:
        if (!ch->alpn)
            ch->alpn = alpn_list(cur_vec(&e, 2));
        break;
    case EXT_ETM:
        ch->etm = 1;
        break;
    case EXT_EMS:
        ch->ems = 1;
        break;
    case EXT_SESSION_TICKET:
        ch->session_ticket = 1;
        ch->ticket_len = e.len;
        if (e.len && !*ticket)
            *ticket = g_bytes_new(e.p, e.len);
        break;
    case EXT_PSK:
        ch->psk = 1;
        tls13_psk_identities(c, e);
        break;
    case EXT_PSK_MODES: {
        amt_cur modes = cur_vec(&e, 1);
        while (cur_left(&modes) > 0)
            if (cur_u8(&modes) == 0) /* psk_ke */
                c->psk_ke_offered = 1;
        break;
    }
    case EXT_EARLY_DATA:
        ch->early_data = 1;
        break;
    case EXT_SUPPORTED_VERSIONS:
        u16_list(cur_vec(&e, 1), &ch->versions);
        break;
    case EXT_KEY_SHARE: {
        amt_cur list = cur_vec(&e, 2);
        while (cur_left(&list) >= 4) {
            unsigned g = cur_u16(&list);
            amt_cur key = cur_vec(&list, 2);
            if (key.err)
                break;
            tls_u16_push(&ch->key_share_groups, (uint16_t)g);
        }
        break;
    }
    case EXT_RENEGOTIATION_INFO:
        ch->reneg_info = 1;
        break;
    default:
        break;
    }
}

static void free_ch(tls_client_hello *ch)
{
    g_free(ch->versions.v);
    g_free(ch->suites.v);
    g_free(ch->extensions.v);
    g_free(ch->groups.v);
    g_free(ch->key_share_groups.v);
    g_free(ch->sig_algs.v);
    g_free(ch->sni);
    g_strfreev(ch->alpn);
}

int tls_parse_client_hello(tls_conn *c, const uint8_t *p, size_t n, uint64_t frame, int enc)
{
    tls_client_hello ch;
    memset(&ch, 0, sizeof(ch));
    GBytes *ticket = NULL;
    amt_cur cur = cur_make(p, n);
    ch.seen = 1;
    ch.frame = frame;
    ch.legacy_version = (uint16_t)cur_u16(&cur);
    cur_copy(&cur, ch.random, 32);
    amt_cur sid = cur_vec(&cur, 1);
    if (!sid.err && sid.len <= 32) {
        memcpy(ch.session_id, sid.p, sid.len);
        ch.session_id_len = sid.len;
    }
    amt_cur suites = cur_vec(&cur, 2);
    while (cur_left(&suites) >= 2)
        tls_ch_add_suite(&ch, (uint16_t)cur_u16(&suites));
    amt_cur comp = cur_vec(&cur, 1);
    int bad = cur.err || sid.len > 32 || suites.len % 2 || comp.err;
    if (!cur.err && cur_left(&cur) > 0) {
        amt_cur exts = cur_vec(&cur, 2);
        while (cur_left(&exts) >= 4) {
            unsigned type = cur_u16(&exts);
            amt_cur e = cur_vec(&exts, 2);
            if (e.err)
                break;
            tls_u16_push(&ch.extensions, (uint16_t)type);
            ch_extension(c, &ch, type, e, &ticket);
        }
        bad |= exts.err || cur_left(&exts) != 0;
    }
    if (bad)
        tls_note(c, "malformed ClientHello (frame %llu): parsed what was readable",
                 (unsigned long long)frame);
    tls_client_hello_done(c, &ch, ticket, enc);
    if (ticket)
        g_bytes_unref(ticket);
    return bad ? -1 : 0;
}

void tls_ch_add_suite(tls_client_hello *ch, uint16_t id)
{
    tls_u16_push(&ch->suites, id);
    if (id == 0x00ff)
        ch->reneg_scsv = 1;
    else if (id == 0x5600)
        ch->fallback_scsv = 1;
}

void tls_client_hello_done(tls_conn *c, tls_client_hello *ch, GBytes *ticket, int enc)
{
    tls_client_hello *dst = &c->sum.ch;
    if (c->first_hs_done && !c->tls13) {
        /* A renegotiation: its keys, not the summary's first hello. */
        tls_hs_client_hello(c, ch, ticket, enc);
        free_ch(ch);
    } else if (!dst->seen) {
        *dst = *ch;
        dst->count = 1;
        tls_hs_client_hello(c, dst, ticket, enc);
    } else {
        /* The second ClientHello after a HelloRetryRequest: same random,
         * new key shares. The first one's offer stays on record. */
        dst->count++;
        tls_u16_list t = dst->key_share_groups;
        dst->key_share_groups = ch->key_share_groups;
        ch->key_share_groups = t;
        if (memcmp(dst->random, ch->random, 32) != 0)
            tls_note(c, "a second ClientHello with a different random");
        free_ch(ch);
    }
}

int tls_is_hrr(const uint8_t *body, size_t n)
{
    return n >= 34 && memcmp(body + 2, hrr_random, 32) == 0;
}

static void sh_alpn(tls_server_hello *sh, amt_cur e)
{
    amt_cur list = cur_vec(&e, 2);
    amt_cur one = cur_vec(&list, 1);
    if (!one.err && !sh->alpn)
        sh->alpn = wire_string(one.p, one.len);
}

int tls_version_is_draft(uint16_t v)
{
    /* IETF drafts of TLS 1.3 (0x7f0e..0x7f1c), and Facebook's (0xfb17, 0xfb1a) */
    return (v >> 8) == 0x7f || v == 0xfb17 || v == 0xfb1a;
}

static void sh_extensions(tls_conn *c, tls_server_hello *sh, amt_cur *cur, int reneg, int *bad)
{
    amt_cur exts = cur_vec(cur, 2);
    while (cur_left(&exts) >= 4) {
        unsigned type = cur_u16(&exts);
        amt_cur e = cur_vec(&exts, 2);
        if (e.err)
            break;
        tls_u16_push(&sh->extensions, (uint16_t)type);
        switch (type) {
        case EXT_SUPPORTED_VERSIONS:
            sh->selected_version = (uint16_t)cur_u16(&e);
            break;
        case EXT_KEY_SHARE:
            sh->key_share_group = (uint16_t)cur_u16(&e);
            break;
        case EXT_PSK:
            sh->psk = 1;
            if (!reneg && e.len >= 2)
                tls13_psk_selected(c, (int)cur_u16(&e));
            break;
        case EXT_RENEGOTIATION_INFO:
            sh->reneg_info = 1;
            break;
        case EXT_EMS:
            sh->ems = 1;
            break;
        case EXT_ETM:
            sh->etm = 1;
            break;
        case EXT_SESSION_TICKET:
            sh->session_ticket = 1;
            break;
        case EXT_ALPN:
            sh_alpn(sh, e);
            break;
        default:
            break;
        }
    }
    *bad |= exts.err || cur_left(&exts) != 0;
}

static void free_sh(tls_server_hello *sh)
{
    g_free(sh->extensions.v);
    g_free(sh->alpn);
}

/* What the record layer and the parsers make of the negotiated version:
 * a draft of TLS 1.3, or a version this program does not know, is
 * followed as TLS 1.3 records (encrypted after the ServerHello) and not
 * interpreted further. */
static void set_version(tls_conn *c, uint16_t v)
{
    c->tls13_draft = tls_version_is_draft(v);
    c->version_unknown = !c->tls13_draft && (v < TLS_VERSION_SSL3 || v > TLS_VERSION_1_3);
    c->tls13 = v == TLS_VERSION_1_3 || c->tls13_draft || (c->version_unknown && v > 0x0304);
    if (c->tls13_draft)
        tls_note(c, "the server chose %s (0x%04x), a draft of TLS 1.3: records and hellos only",
                 tls_version_name(v), v);
    else if (c->version_unknown)
        tls_note(c,
                 "the server chose protocol version 0x%04x, which this program does not know: "
                 "records and hellos only",
                 v);
}

int tls_parse_server_hello(tls_conn *c, const uint8_t *p, size_t n, uint64_t frame)
{
    tls_summary *s = &c->sum;
    amt_cur cur = cur_make(p, n);
    uint16_t legacy = (uint16_t)cur_u16(&cur);
    uint8_t random[32];
    cur_copy(&cur, random, 32);
    if (!cur.err && memcmp(random, hrr_random, 32) == 0) {
        s->hello_retry_request = 1;
        return 0;
    }
    int reneg = c->first_hs_done && !c->tls13;
    if (!reneg && s->sh.seen) {
        tls_note(c, "a second ServerHello (frame %llu) ignored", (unsigned long long)frame);
        return -1;
    }
    tls_server_hello sh;
    memset(&sh, 0, sizeof(sh));
    sh.seen = 1;
    sh.frame = frame;
    sh.legacy_version = legacy;
    memcpy(sh.random, random, 32);
    sh.gmt_unix_time = (uint32_t)random[0] << 24 | (uint32_t)random[1] << 16 |
                       (uint32_t)random[2] << 8 | random[3];
    int bad = 0;
    if (tls_version_is_draft(legacy)) {
        /* Drafts before 22: no session id, no compression method. */
        sh.suite = (uint16_t)cur_u16(&cur);
    } else {
        amt_cur sid = cur_vec(&cur, 1);
        if (!sid.err && sid.len <= 32) {
            memcpy(sh.session_id, sid.p, sid.len);
            sh.session_id_len = sid.len;
        }
        sh.suite = (uint16_t)cur_u16(&cur);
        sh.compression = (uint8_t)cur_u8(&cur);
        bad |= sid.len > 32;
    }
    bad |= cur.err;
    if (!cur.err && cur_left(&cur) > 0)
        sh_extensions(c, &sh, &cur, reneg, &bad);
    if (bad)
        tls_note(c, "malformed ServerHello (frame %llu): parsed what was readable",
                 (unsigned long long)frame);
    uint16_t version = sh.selected_version ? sh.selected_version : legacy;
    if (reneg) {
        if (version != s->version)
            tls_note(c, "renegotiation %u's ServerHello (frame %llu) chose %s, not %s", c->hs.gen,
                     (unsigned long long)frame, tls_version_name(version),
                     tls_version_name(s->version));
        tls_hs_server_hello(c, &sh, version);
        free_sh(&sh);
        return bad ? -1 : 0;
    }
    s->sh = sh;
    s->version = version;
    s->suite = sh.suite;
    const char *name = tls_suite_name(sh.suite);
    s->suite_name = name ? name : "unknown";
    set_version(c, version);
    tls_hs_server_hello(c, &s->sh, version);
    if (c->tls13)
        s->resumed = s->sh.psk;
    else if (tls_hs_resumed_by_id(&c->hs))
        s->resumed = 1;
    if (sh.compression)
        tls_note(c, "the server chose TLS compression method %u", sh.compression);
    return bad ? -1 : 0;
}

int tls_parse_encrypted_extensions(tls_conn *c, const uint8_t *p, size_t n)
{
    tls_summary *s = &c->sum;
    amt_cur cur = cur_make(p, n);
    amt_cur exts = cur_vec(&cur, 2);
    while (cur_left(&exts) >= 4) {
        unsigned type = cur_u16(&exts);
        amt_cur e = cur_vec(&exts, 2);
        if (e.err)
            break;
        tls_u16_push(&s->ee_extensions, (uint16_t)type);
        if (type == EXT_ALPN)
            sh_alpn(&s->sh, e);
    }
    if (cur.err || exts.err) {
        tls_note(c, "malformed EncryptedExtensions");
        return -1;
    }
    return 0;
}
