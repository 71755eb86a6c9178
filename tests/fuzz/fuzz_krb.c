/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the DER reader and the Kerberos and SPNEGO decoders
 * (amtdiag/der.h, krb_msg.h, spnego.h, the decrypted-part decoders of
 * krb_keys.h), and lib's Kerberos rules on what they decode.
 *
 * Input: a mode byte, then the bytes. Mode % 5:
 *   0  a Kerberos message (krb_msg_parse), then a KDC exchange of it with
 *      itself and the rules' verdict on a refused ticket request;
 *   1  a Negotiate token (gss_token_parse, and the Kerberos message in it);
 *   2  a header value: "Negotiate …" credentials and challenges, through a
 *      login refused with 401 (diag_run);
 *   3  a decrypted EncTicketPart and Authenticator;
 *   4  any DER, walked to a bounded depth. */
#include "amtdiag/der.h"
#include "amtdiag/diag.h"
#include "amtdiag/diag_krb.h"
#include "amtdiag/krb_keys.h"
#include "amtdiag/krb_msg.h"
#include "amtdiag/spnego.h"
#include "fuzz_common.h"

static void check_msg(const krb_msg *m, int rc)
{
    FZ_CHECK(rc >= -1 && rc <= 1);
    if (rc < 0)
        return;
    FZ_CHECK(m->type >= KRB_AS_REQ && m->type <= KRB_ERROR);
    FZ_CHECK(rc == 0 ? m->why == NULL : m->why != NULL);
    fz_str(m->cname.text, sizeof m->cname.text);
    fz_str(m->sname.text, sizeof m->sname.text);
    fz_str(m->realm, sizeof m->realm);
    fz_str(m->crealm, sizeof m->crealm);
    fz_str(m->e_text, sizeof m->e_text);
    fz_str(m->salt, sizeof m->salt);
    FZ_CHECK(m->n_etypes <= KRB_LIST_MAX && m->n_pa <= KRB_LIST_MAX &&
             m->n_info_etypes <= KRB_LIST_MAX);
    char host[KRB_STR_MAX], svc[64];
    unsigned port;
    krb_principal_host(&m->sname, host, sizeof host, &port);
    krb_principal_service(&m->sname, svc, sizeof svc);
    FZ_CHECK(port < 65536);
    krb_msg_type_name(m->type);
    krb_error_name(m->error_code);
}

static void kdc(const uint8_t *p, size_t n, int from_kdc, diag_kdc_msg *out)
{
    memset(out, 0, sizeof *out);
    out->frame = from_kdc ? 2 : 1;
    out->family = 4;
    out->client_port = 5000;
    out->kdc_port = 88;
    out->from_kdc = from_kdc;
    out->data = p;
    out->len = n;
}

/* A login answered 401 whose headers are the input. */
static void refused_login(const char *value)
{
    diag_exchange ex[2] = {
        {.req_frame = 1, .resp_frame = 2, .status = 401, .www_authenticate = "Negotiate"},
        {.req_frame = 3,
         .resp_frame = 4,
         .status = 401,
         .authorization = value,
         .www_authenticate = value,
         .date = "Mon, 07 Dec 2026 10:14:13 GMT"},
    };
    diag_conn_facts c;
    memset(&c, 0, sizeof c);
    c.family = 4;
    c.server_port = 16992;
    c.rst_from = c.first_fin_from = -1;
    c.bytes[0] = c.bytes[1] = 1;
    c.is_http = 1;
    c.ex = ex;
    c.n_ex = 2;
    diag_result *r = diag_run(&c, 1, NULL, 0, NULL);
    FZ_CHECK(r && r->conns->len == 1);
    diag_result_free(r);
}

/* Every element, depth first, to depth 8. */
static void walk(amt_cur c, int depth)
{
    while (cur_left(&c)) {
        der_tlv t;
        if (der_next(&c, &t) != 0)
            return;
        FZ_CHECK(t.end <= c.len && t.start < t.end);
        if (t.constructed && depth < 8)
            walk(t.val, depth + 1);
        int64_t v;
        char buf[64];
        amt_cur copy = t.val;
        der_int(&copy, &v);
        copy = t.val;
        der_oid_text(copy, buf, sizeof buf);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    uint8_t mode;
    if (!fz_u8(&in, &mode))
        return 0;
    /* a copy of exactly the input's size, so a read past it is caught */
    uint8_t *p = malloc(in.n ? in.n : 1);
    FZ_CHECK(p);
    memcpy(p, in.p, in.n);
    size_t n = in.n;
    krb_msg m;
    switch (mode % 5) {
    case 0: {
        check_msg(&m, krb_msg_parse(p, n, &m));
        diag_kdc_msg q, r;
        kdc(p, n, 0, &q);
        kdc(p, n, 1, &r);
        GString *why = g_string_new(NULL);
        const char *names[] = {"amt.example.com"};
        diag_cause_id id = diag_kdc_refusal(&q, &r, names, 1, why);
        FZ_CHECK(id == DIAG_N_CAUSES || diag_cause_get(id) != NULL);
        g_string_free(why, TRUE);
        break;
    }
    case 1: {
        gss_token t;
        int rc = gss_token_parse(p, n, &t);
        FZ_CHECK(rc >= -1 && rc <= 1);
        if (t.krb) {
            FZ_CHECK(t.krb >= p && t.krb_len <= n && (size_t)(t.krb - p) <= n - t.krb_len);
            check_msg(&m, krb_msg_parse(t.krb, t.krb_len, &m));
        }
        FZ_CHECK(t.n_mechs <= GSS_MECHS_MAX);
        break;
    }
    case 2: {
        char *value = g_strndup((const char *)p, n);
        size_t len;
        g_free(gss_negotiate_token(value, &len));
        refused_login(value);
        g_free(value);
        break;
    }
    case 3: {
        krb_ticket_info ti;
        memset(&ti, 0, sizeof ti);
        uint8_t key[64];
        size_t key_len = sizeof key;
        if (krb_enc_ticket_parse(p, n, &ti, key, &key_len) == 0)
            FZ_CHECK(key_len <= sizeof key);
        krb_authenticator_parse(p, n, &ti);
        fz_str(ti.cname.text, sizeof ti.cname.text);
        break;
    }
    default:
        walk(cur_make(p, n), 0);
        break;
    }
    free(p);
    return 0;
}
