/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The handshake messages around authentication and key exchange:
 * Certificate (both TLS 1.2 and 1.3 forms; DER of each certificate kept),
 * CertificateRequest (certificate types, signature algorithms, and the
 * certificate_authorities list the server will accept: the key fact when a
 * console's certificate is refused), ServerKeyExchange (tells (EC)DHE from
 * static RSA), ClientKeyExchange (the RSA-encrypted pre-master secret) and
 * NewSessionTicket (for the session cache). */
#include <string.h>
#include "tls/tls_int.h"

/* The leaf of each server Certificate, for the RSA key of the handshake
 * it belongs to (a renegotiation may present another one), and what a
 * renegotiation's client sent. */
static void certificate_of_handshake(tls_conn *c, int di, const uint8_t *p, size_t n,
                                     uint64_t frame)
{
    amt_cur cur = cur_make(p, n);
    if (c->tls13)
        cur_vec(&cur, 1);
    amt_cur list = cur_vec(&cur, 3);
    amt_cur leaf = cur_vec(&list, 3);
    tls_reneg *r = tls_hs_reneg(c);
    if (di == TLS_DIR_CLIENT) {
        if (r && !list.err)
            r->client_cert = list.len ? TLS_CERT_SENT : TLS_CERT_EMPTY;
        return;
    }
    if (leaf.err || c->hs.server_leaf)
        return;
    c->hs.server_leaf = g_bytes_new(leaf.p, leaf.len);
    c->hs.server_leaf_frame = frame;
}

int tls_parse_certificate(tls_conn *c, int di, const uint8_t *p, size_t n, uint64_t frame)
{
    tls_summary *s = &c->sum;
    tls_blob_list *dst = di == TLS_DIR_SERVER ? &s->server_certs : &s->client_certs;
    tls_cert_presence *pres = di == TLS_DIR_SERVER ? &s->server_cert : &s->client_cert;
    certificate_of_handshake(c, di, p, n, frame);
    if (*pres == TLS_CERT_SENT || *pres == TLS_CERT_EMPTY)
        return 0; /* the first Certificate of the connection is the one that counts */
    amt_cur cur = cur_make(p, n);
    if (c->tls13)
        cur_vec(&cur, 1); /* certificate_request_context */
    amt_cur list = cur_vec(&cur, 3);
    tls_blob_list_clear(dst);
    while (cur_left(&list) >= 3 && dst->n < TLS_MAX_CERTS) {
        amt_cur cert = cur_vec(&list, 3);
        if (cert.err)
            break;
        tls_blob_push(dst, cert.p, cert.len);
        if (c->tls13)
            cur_vec(&list, 2); /* per-certificate extensions */
    }
    *pres = dst->n ? TLS_CERT_SENT : TLS_CERT_EMPTY;
    *(di == TLS_DIR_SERVER ? &s->server_cert_frame : &s->client_cert_frame) = frame;
    if (cur.err || list.err || cur_left(&cur)) {
        tls_note(c, "malformed Certificate message from the %s",
                 di == TLS_DIR_SERVER ? "server" : "client");
        return -1;
    }
    return 0;
}

static void dn_list(amt_cur v, tls_blob_list *out)
{
    while (cur_left(&v) >= 2) {
        amt_cur dn = cur_vec(&v, 2);
        if (dn.err)
            break;
        tls_blob_push(out, dn.p, dn.len);
    }
}

int tls_parse_certificate_request(tls_conn *c, const uint8_t *p, size_t n, uint64_t frame)
{
    tls_cert_request *cr = &c->sum.cert_request;
    tls_reneg *r = tls_hs_reneg(c);
    if (r)
        r->cert_request = 1;
    if (cr->seen)
        return 0;
    cr->seen = 1;
    cr->frame = frame;
    amt_cur cur = cur_make(p, n);
    if (c->tls13) {
        cur_vec(&cur, 1); /* certificate_request_context */
        amt_cur exts = cur_vec(&cur, 2);
        while (cur_left(&exts) >= 4) {
            unsigned type = cur_u16(&exts);
            amt_cur e = cur_vec(&exts, 2);
            if (e.err)
                break;
            if (type == 13) {
                amt_cur v = cur_vec(&e, 2);
                while (cur_left(&v) >= 2)
                    tls_u16_push(&cr->sig_algs, (uint16_t)cur_u16(&v));
            } else if (type == 47) {
                dn_list(cur_vec(&e, 2), &cr->authorities);
            }
        }
    } else {
        amt_cur types = cur_vec(&cur, 1);
        if (!types.err)
            tls_blob_set(&cr->cert_types, types.p, types.len);
        if (c->hs.version >= TLS_VERSION_1_2) {
            amt_cur v = cur_vec(&cur, 2);
            while (cur_left(&v) >= 2)
                tls_u16_push(&cr->sig_algs, (uint16_t)cur_u16(&v));
        }
        dn_list(cur_vec(&cur, 2), &cr->authorities);
    }
    if (cur.err || cur_left(&cur)) {
        tls_note(c, "malformed CertificateRequest (frame %llu)", (unsigned long long)frame);
        return -1;
    }
    return 0;
}

int tls_parse_server_key_exchange(tls_conn *c, const uint8_t *p, size_t n)
{
    c->sum.server_key_exchange = 1;
    if (c->suite && (c->suite->kx == TLS_KX_ECDHE || c->suite->kx == TLS_KX_ECDHE_PSK)) {
        amt_cur cur = cur_make(p, n);
        if (c->suite->kx == TLS_KX_ECDHE_PSK)
            cur_vec(&cur, 2);  /* psk_identity_hint */
        if (cur_u8(&cur) == 3) /* named_curve */
            c->sum.ske_group = (uint16_t)cur_u16(&cur);
    }
    return 0;
}

int tls_parse_client_key_exchange(tls_conn *c, const uint8_t *p, size_t n)
{
    if (c->hs.cke)
        return 0;
    c->hs.cke = g_byte_array_new();
    g_byte_array_append(c->hs.cke, p, (guint)n);
    if (c->suite && tls_kx_is_psk(c->suite->kx))
        tls12_psk_client_key_exchange(c);
    return 0;
}

int tls_parse_new_session_ticket(tls_conn *c, const uint8_t *p, size_t n)
{
    c->sum.new_session_tickets++;
    if (c->tls13)
        return 0; /* resumption keys come from the key log in TLS 1.3 */
    amt_cur cur = cur_make(p, n);
    cur_u32(&cur); /* ticket_lifetime_hint */
    amt_cur t = cur_vec(&cur, 2);
    if (t.err) {
        tls_note(c, "malformed NewSessionTicket");
        return -1;
    }
    if (t.len) {
        if (c->hs.nst_ticket)
            g_bytes_unref(c->hs.nst_ticket);
        c->hs.nst_ticket = g_bytes_new(t.p, t.len);
        tls12_cache_session(c);
    }
    return 0;
}
