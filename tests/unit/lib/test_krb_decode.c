/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DER reader, the Kerberos message decoder and the SPNEGO decoder:
 * hand-made DER for the edge cases, and messages a real MIT KDC, curl and
 * MIT's GSS-API acceptor produced (tests/unit/lib/krb, cut from the
 * Kerberos corpus), whole, cut short at every length and with flipped
 * bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "amtdiag/der.h"
#include "amtdiag/krb_msg.h"
#include "amtdiag/spnego.h"

#define VECTOR(name) AMTDIAG_SAMPLES_DIR "/../tests/unit/lib/krb/" name

static uint8_t *load(const char *path, size_t *len)
{
    gchar *d = NULL;
    gsize n = 0;
    assert_true(g_file_get_contents(path, &d, &n, NULL));
    *len = n;
    return (uint8_t *)d;
}

/* ---- DER ------------------------------------------------------------------ */

static void test_der_lengths(void **state)
{
    (void)state;
    /* short form, long form, and a high tag number */
    static const uint8_t a[] = {0x04, 0x02, 'h', 'i'};
    static const uint8_t b[] = {0x04, 0x81, 0x01, 'x'};
    static const uint8_t c[] = {0x9f, 0x81, 0x01, 0x00};
    amt_cur cur = cur_make(a, sizeof a);
    der_tlv t;
    assert_int_equal(der_next(&cur, &t), 0);
    assert_int_equal(t.tag, DER_OCTET_STRING);
    assert_int_equal(t.val.len, 2);
    cur = cur_make(b, sizeof b);
    assert_int_equal(der_next(&cur, &t), 0);
    assert_int_equal(t.val.len, 1);
    cur = cur_make(c, sizeof c);
    assert_int_equal(der_next(&cur, &t), 0);
    assert_int_equal(t.cls, DER_CONTEXT);
    assert_int_equal(t.tag, 129);
}

static void test_der_refuses(void **state)
{
    (void)state;
    static const uint8_t indefinite[] = {0x30, 0x80, 0x00, 0x00};
    static const uint8_t too_long[] = {0x04, 0x05, 'a'};
    static const uint8_t five_octets[] = {0x04, 0x85, 0, 0, 0, 0, 1, 'a'};
    static const uint8_t huge_tag[] = {0x1f, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00};
    const uint8_t *in[] = {indefinite, too_long, five_octets, huge_tag};
    size_t len[] = {sizeof indefinite, sizeof too_long, sizeof five_octets, sizeof huge_tag};
    for (size_t i = 0; i < 4; i++) {
        amt_cur cur = cur_make(in[i], len[i]);
        der_tlv t;
        assert_int_equal(der_next(&cur, &t), -1);
        assert_true(cur.err);
        /* the error is sticky */
        assert_int_equal(der_next(&cur, &t), -1);
    }
}

static void test_der_values(void **state)
{
    (void)state;
    static const uint8_t neg[] = {0x02, 0x01, 0xff};
    static const uint8_t big[] = {0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
    static const uint8_t when[] = {0x18, 0x0f, '2', '0', '2', '6', '1', '2', '0',
                                   '7',  '1',  '0', '1', '4', '1', '3', 'Z'};
    static const uint8_t bits[] = {0x03, 0x05, 0x00, 0x40, 0x81, 0x00, 0x10};
    amt_cur c = cur_make(neg, sizeof neg);
    int64_t v;
    assert_int_equal(der_int(&c, &v), 0);
    assert_int_equal(v, -1);
    c = cur_make(big, sizeof big);
    assert_int_equal(der_int(&c, &v), 0);
    assert_int_equal(v, 4294967295LL);
    char text[64];
    c = cur_make(oid, sizeof oid);
    assert_int_equal(der_oid(&c, text, sizeof text), 0);
    assert_string_equal(text, GSS_OID_KRB5);
    c = cur_make(oid, sizeof oid);
    assert_int_equal(der_oid(&c, text, 8), -1); /* does not fit */
    c = cur_make(when, sizeof when);
    assert_int_equal(der_time(&c, &v), 0);
    assert_int_equal(v, 1796638453); /* 2026-12-07 10:14:13 UTC */
    uint32_t flags;
    c = cur_make(bits, sizeof bits);
    assert_int_equal(der_bits(&c, &flags), 0);
    assert_int_equal(flags, 0x40810010u);
}

/* ---- Kerberos messages ------------------------------------------------------ */

static void test_krb_as_exchange(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = load(VECTOR("as-req.der"), &n);
    krb_msg m;
    assert_int_equal(krb_msg_parse(p, n, &m), 0);
    assert_int_equal(m.type, KRB_AS_REQ);
    assert_string_equal(m.cname.text, "alice");
    assert_string_equal(m.crealm, "VPRO.EXAMPLE.COM");
    assert_string_equal(m.sname.text, "krbtgt/VPRO.EXAMPLE.COM");
    assert_true(krb_principal_is_tgs(&m.sname));
    assert_true(m.n_etypes >= 2);
    assert_int_equal(m.etypes[0], 18);
    g_free(p);

    p = load(VECTOR("preauth-required.der"), &n);
    assert_int_equal(krb_msg_parse(p, n, &m), 0);
    assert_int_equal(m.type, KRB_ERROR);
    assert_int_equal(m.error_code, KDC_ERR_PREAUTH_REQUIRED);
    assert_string_equal(krb_error_name(m.error_code), "KDC_ERR_PREAUTH_REQUIRED");
    assert_true(m.has_e_text);
    assert_string_equal(m.e_text, "NEEDED_PREAUTH");
    /* e-data: METHOD-DATA naming PA-ENC-TIMESTAMP and an ETYPE-INFO2 */
    assert_true(m.e_data_len > 0);
    int enc_ts = 0;
    for (size_t i = 0; i < m.n_pa; i++)
        enc_ts |= m.pa_types[i] == KRB_PA_ENC_TIMESTAMP;
    assert_true(enc_ts);
    assert_true(m.n_info_etypes >= 1);
    assert_int_equal(m.info_etypes[0], 18);
    assert_string_equal(m.salt, "VPRO.EXAMPLE.COMalice");
    assert_true(m.stime > 1700000000);
    g_free(p);

    p = load(VECTOR("as-rep.der"), &n);
    assert_int_equal(krb_msg_parse(p, n, &m), 0);
    assert_int_equal(m.type, KRB_AS_REP);
    assert_string_equal(m.cname.text, "alice");
    assert_true(m.ticket.present);
    assert_string_equal(m.ticket.sname.text, "krbtgt/VPRO.EXAMPLE.COM");
    assert_true(m.ticket.enc.has_kvno);
    assert_true(m.enc.present);
    assert_non_null(m.ticket.enc.cipher);
    g_free(p);
}

static void test_krb_tgs_over_tcp(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = load(VECTOR("tgs-req.rm"), &n);
    krb_msg m;
    /* with its record mark, as TCP carries it */
    assert_int_equal(krb_msg_parse(p, n, &m), 0);
    assert_int_equal(m.type, KRB_TGS_REQ);
    assert_string_equal(m.sname.text, "HTTP/amt-pc17.vpro.example.com");
    char host[64], svc[16];
    unsigned port;
    assert_string_equal(krb_principal_host(&m.sname, host, sizeof host, &port),
                        "amt-pc17.vpro.example.com");
    assert_int_equal(port, 0);
    assert_string_equal(krb_principal_service(&m.sname, svc, sizeof svc), "HTTP");
    /* the PA-TGS-REQ's ticket: the TGT */
    assert_true(m.ticket.present);
    assert_true(krb_principal_is_tgs(&m.ticket.sname));
    /* without the record mark as well */
    krb_msg m2;
    assert_int_equal(krb_msg_parse(p + 4, n - 4, &m2), 0);
    assert_int_equal(m2.nonce, m.nonce);
    g_free(p);

    p = load(VECTOR("tgs-rep.rm"), &n);
    assert_int_equal(krb_msg_parse(p, n, &m), 0);
    assert_int_equal(m.type, KRB_TGS_REP);
    assert_string_equal(m.cname.text, "alice");
    assert_string_equal(m.ticket.sname.text, "HTTP/amt-pc17.vpro.example.com");
    g_free(p);

    p = load(VECTOR("s-principal-unknown.rm"), &n);
    assert_int_equal(krb_msg_parse(p, n, &m), 0);
    assert_int_equal(m.error_code, KDC_ERR_S_PRINCIPAL_UNKNOWN);
    assert_string_equal(m.sname.text, "HTTPS/amt-pc17.vpro.example.com:16993");
    assert_string_equal(krb_principal_host(&m.sname, host, sizeof host, &port),
                        "amt-pc17.vpro.example.com");
    assert_int_equal(port, 16993);
    g_free(p);
}

/* Every vector cut at every length and with each byte flipped: never a
 * crash, never a read past the end (ASan), never "whole" when cut. */
static void test_krb_damaged(void **state)
{
    (void)state;
    static const char *const names[] = {
        "as-req.der",           "preauth-required.der", "as-rep.der",
        "tgs-req.rm",           "tgs-rep.rm",           "s-principal-unknown.rm",
        "negotiate-ap-req.tok", "negotiate-ap-rep.tok", "negotiate-krb-error.tok"};
    for (size_t v = 0; v < G_N_ELEMENTS(names); v++) {
        char *path = g_strdup_printf("%s/../tests/unit/lib/krb/%s", AMTDIAG_SAMPLES_DIR, names[v]);
        size_t n;
        uint8_t *p = load(path, &n);
        for (size_t cut = 0; cut < n; cut++) {
            uint8_t *copy = g_memdup2(p, cut); /* exact size: ASan sees overreads */
            krb_msg m;
            gss_token t;
            int rc = krb_msg_parse(copy, cut, &m);
            assert_int_not_equal(rc, 0); /* cut short: never whole */
            gss_token_parse(copy, cut, &t);
            g_free(copy);
        }
        for (size_t i = 0; i < n; i++) {
            uint8_t *copy = g_memdup2(p, n);
            copy[i] ^= 0xa5;
            krb_msg m;
            gss_token t;
            krb_msg_parse(copy, n, &m);
            if (gss_token_parse(copy, n, &t) >= 0 && t.krb)
                krb_msg_parse(t.krb, t.krb_len, &m);
            g_free(copy);
        }
        g_free(p);
        g_free(path);
    }
}

/* ---- SPNEGO ------------------------------------------------------------------- */

static void test_spnego_tokens(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = load(VECTOR("negotiate-ap-req.tok"), &n);
    gss_token t;
    krb_msg m;
    assert_int_equal(gss_token_parse(p, n, &t), 0);
    assert_int_equal(t.kind, GSS_TOKEN_SPNEGO_INIT);
    assert_int_equal(t.n_mechs, 1);
    assert_string_equal(t.mechs[0], GSS_OID_KRB5);
    assert_string_equal(gss_mech_name(t.mechs[0]), "Kerberos 5");
    assert_string_equal(t.inner_mech, GSS_OID_KRB5);
    assert_int_equal(t.krb_tok_id, GSS_KRB_AP_REQ);
    assert_int_equal(krb_msg_parse(t.krb, t.krb_len, &m), 0);
    assert_int_equal(m.type, KRB_AP_REQ);
    assert_string_equal(m.ticket.sname.text, "HTTP/amt-pc17.vpro.example.com");
    assert_true(m.enc.present); /* the authenticator */
    g_free(p);

    p = load(VECTOR("negotiate-ap-rep.tok"), &n);
    assert_int_equal(gss_token_parse(p, n, &t), 0);
    assert_int_equal(t.kind, GSS_TOKEN_SPNEGO_RESP);
    assert_int_equal(t.neg_state, GSS_NEG_ACCEPT_COMPLETED);
    assert_string_equal(t.supported_mech, GSS_OID_KRB5);
    assert_int_equal(t.krb_tok_id, GSS_KRB_AP_REP);
    assert_int_equal(krb_msg_parse(t.krb, t.krb_len, &m), 0);
    assert_int_equal(m.type, KRB_AP_REP);
    g_free(p);

    p = load(VECTOR("negotiate-krb-error.tok"), &n);
    assert_true(gss_token_parse(p, n, &t) >= 0);
    assert_int_equal(t.krb_tok_id, GSS_KRB_ERROR);
    assert_int_equal(krb_msg_parse(t.krb, t.krb_len, &m), 0);
    assert_int_equal(m.error_code, KRB_AP_ERR_BAD_INTEGRITY);
    g_free(p);
}

/* Hand-made tokens: the Microsoft Kerberos OID first, a mechListMIC, and
 * the Negotiate header's base64. */
static void test_spnego_microsoft_and_mic(void **state)
{
    (void)state;
    /* NegTokenInit { mechTypes [MS krb5, krb5], mechListMIC "MIC!" } inside the
     * GSS framing of SPNEGO */
    static const uint8_t tok[] = {0x60, 0x2e, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02,
                                  0xa0, 0x24, 0x30, 0x22, 0xa0, 0x18, 0x30, 0x16, 0x06, 0x09,
                                  0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x06,
                                  0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
                                  0xa3, 0x06, 0x04, 0x04, 'M',  'I',  'C',  '!'};
    gss_token t;
    assert_int_equal(gss_token_parse(tok, sizeof tok, &t), 0);
    assert_int_equal(t.kind, GSS_TOKEN_SPNEGO_INIT);
    assert_int_equal(t.n_mechs, 2);
    assert_string_equal(t.mechs[0], GSS_OID_MS_KRB5);
    assert_string_equal(gss_mech_name(t.mechs[0]), "Kerberos 5 (Microsoft)");
    assert_true(t.has_mic);
    assert_int_equal(t.mic_len, 4);
    assert_false(t.has_mech_token);

    size_t n;
    uint8_t *d = gss_negotiate_token(
        "Negotiate YC4GBisGAQUFAqAkMCKgGDAWBgkqhkiC9xIBAgIGCSqGSIb3EgECAqMGBARNSUMh", &n);
    assert_non_null(d);
    assert_int_equal(n, sizeof tok);
    assert_memory_equal(d, tok, n);
    g_free(d);
    /* in a challenge listing Digest first */
    d = gss_negotiate_token("Digest realm=\"x\", nonce=\"y\", Negotiate oYGzMIGwoAMKAQA=", &n);
    assert_non_null(d);
    assert_int_equal(d[0], 0xa1);
    g_free(d);
    assert_null(gss_negotiate_token("Negotiate", &n));
    assert_null(gss_negotiate_token("Digest realm=\"x\"", &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_der_lengths),      cmocka_unit_test(test_der_refuses),
        cmocka_unit_test(test_der_values),       cmocka_unit_test(test_krb_as_exchange),
        cmocka_unit_test(test_krb_tgs_over_tcp), cmocka_unit_test(test_krb_damaged),
        cmocka_unit_test(test_spnego_tokens),    cmocka_unit_test(test_spnego_microsoft_and_mic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
