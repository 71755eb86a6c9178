/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib's Kerberos rules on facts made of real messages (tests/unit/lib/krb):
 * which witness decides (AMT's KRB-ERROR, AMT's keys against its clock,
 * the console's KDC traffic), and that KDC_ERR_PREAUTH_REQUIRED before a
 * successful logon is never a finding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "amtdiag/diag.h"
#include "amtdiag/krb_keys.h"
#include "amtdiag/spnego.h"

#define VECTOR(name) AMTDIAG_SAMPLES_DIR "/../tests/unit/lib/krb/" name
#define US G_USEC_PER_SEC

static const uint8_t console_ip[4] = {192, 0, 2, 10}, amt_ip[4] = {192, 0, 2, 20},
                     kdc_ip[4] = {192, 0, 2, 88};

static uint8_t *load(const char *name, size_t *len)
{
    gchar *d = NULL;
    gsize n = 0;
    assert_true(g_file_get_contents(name, &d, &n, NULL));
    *len = n;
    return (uint8_t *)d;
}

/* "Negotiate <base64 of the file>" */
static char *negotiate(const char *name)
{
    size_t n;
    uint8_t *p = load(name, &n);
    gchar *b = g_base64_encode(p, n);
    char *h = g_strdup_printf("Negotiate %s", b);
    g_free(b);
    g_free(p);
    return h;
}

static char *http_date(int64_t t)
{
    GDateTime *d = g_date_time_new_from_unix_utc(t);
    char *s = g_date_time_format(d, "%a, %d %b %Y %H:%M:%S GMT");
    g_date_time_unref(d);
    return s;
}

static void conn(diag_conn_facts *c, unsigned id, uint16_t port, const diag_exchange *ex, size_t n,
                 int64_t ts_us)
{
    memset(c, 0, sizeof *c);
    c->id = id;
    c->client = "192.0.2.10:40000";
    c->server = "192.0.2.20:16992";
    c->family = 4;
    memcpy(c->client_addr, console_ip, 4);
    memcpy(c->server_addr, amt_ip, 4);
    c->client_port = port;
    c->server_port = 16992;
    c->service = AMT_SERVICE_HTTP;
    c->syns = 1;
    c->syn_frame = ex[0].req_frame - 2;
    c->synack = 1;
    c->synack_frame = ex[0].req_frame - 1;
    c->first_frame = c->syn_frame;
    c->last_frame = ex[n - 1].resp_frame + 1;
    c->first_ts_us = c->last_ts_us = ts_us;
    c->first_fin_from = DIAG_AMT;
    c->first_fin_frame = ex[n - 1].resp_frame;
    c->rst_from = -1;
    c->bytes[0] = c->bytes[1] = 500;
    c->is_http = 1;
    c->ex = ex;
    c->n_ex = n;
}

static void kdc_msg(diag_kdc_msg *m, uint64_t frame, int64_t ts_us, int from_kdc, int tcp,
                    uint16_t port, const uint8_t *data, size_t len)
{
    memset(m, 0, sizeof *m);
    m->frame = frame;
    m->ts_us = ts_us;
    m->family = 4;
    memcpy(m->client_addr, console_ip, 4);
    memcpy(m->kdc_addr, kdc_ip, 4);
    m->client_port = port;
    m->kdc_port = 88;
    m->from_kdc = from_kdc;
    m->tcp = tcp;
    m->data = data;
    m->len = len;
}

/* The one error finding of connection id (its token), or NULL. */
static const diag_finding *error_of(const diag_result *r, unsigned id)
{
    const diag_conn_result *cr = diag_result_conn(r, id);
    for (guint i = 0; cr && i < cr->findings->len; i++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, i);
        if (f->cause->severity == DIAG_ERROR)
            return f;
    }
    return NULL;
}

/* The authenticator time of curl's AP-REQ: the capture's time of the login. */
static int64_t login_time(void)
{
    char err[128];
    size_t n;
    uint8_t *p = load(VECTOR("negotiate-ap-req.tok"), &n);
    krb_keyring *k = krb_keyring_new(err, sizeof err);
    krb_keyring_add_keytab(k, VECTOR("amt.keytab"), err, sizeof err);
    gss_token t;
    krb_msg m;
    gss_token_parse(p, n, &t);
    krb_msg_parse(t.krb, t.krb_len, &m);
    krb_ticket_info ti;
    krb_open_ticket(k, &m, &ti);
    assert_int_equal(ti.auth_status, KRB_OPEN_OK);
    krb_keyring_free(k);
    g_free(p);
    return ti.ctime;
}

/* A challenge offering Negotiate, then curl's token answered 401 with
 * www: the cause given keys (may be NULL) and AMT's Date offset. */
static diag_result *refused(const char *www, krb_keyring *keys, int64_t amt_offset_s)
{
    int64_t t = login_time();
    static char *auth, *date;
    g_free(auth);
    g_free(date);
    auth = negotiate(VECTOR("negotiate-ap-req.tok"));
    date = http_date(t + amt_offset_s);
    static diag_exchange ex[2];
    memset(ex, 0, sizeof ex);
    ex[0] = (diag_exchange){.req_frame = 10,
                            .resp_frame = 12,
                            .resp_ts_us = t * US,
                            .method = "POST",
                            .uri = "/wsman",
                            .host = "amt-pc17.vpro.example.com:16992",
                            .status = 401,
                            .www_authenticate = "Negotiate, Digest realm=\"r\", "
                                                "nonce=\"n\", qop=\"auth\"",
                            .date = date};
    ex[1] = (diag_exchange){.req_frame = 30,
                            .resp_frame = 32,
                            .resp_ts_us = t * US,
                            .method = "POST",
                            .uri = "/wsman",
                            .host = "amt-pc17.vpro.example.com:16992",
                            .authorization = auth,
                            .status = 401,
                            .www_authenticate = www,
                            .date = date};
    static diag_conn_facts c[2];
    conn(&c[0], 0, 40000, &ex[0], 1, t * US);
    conn(&c[1], 1, 40002, &ex[1], 1, t * US);
    diag_inputs in = {.krb_keys = keys};
    return diag_run(c, 2, NULL, 0, &in);
}

static void test_amt_krb_error(void **state)
{
    (void)state;
    char *www = negotiate(VECTOR("negotiate-krb-error.tok"));
    diag_result *r = refused(www, NULL, 0);
    const diag_finding *f = error_of(r, 1);
    assert_non_null(f);
    assert_string_equal(f->cause->token, "kerberos-ap-err-modified");
    assert_int_equal(f->confidence, DIAG_CERTAIN);
    assert_non_null(strstr(f->evidence, "KRB_AP_ERR_BAD_INTEGRITY"));
    assert_null(error_of(r, 0)); /* the challenge is no failure */
    diag_result_free(r);
    g_free(www);
}

static void test_keys_decide(void **state)
{
    (void)state;
    char err[128];
    krb_keyring *k = krb_keyring_new(err, sizeof err);
    krb_keyring_add_keytab(k, VECTOR("amt.keytab"), err, sizeof err);
    /* AMT's clock right: Kerberos accepted the user, AMT did not */
    diag_result *r = refused("Negotiate", k, 0);
    const diag_finding *f = error_of(r, 1);
    assert_string_equal(f->cause->token, "kerberos-user-not-in-acl");
    assert_int_equal(f->confidence, DIAG_CERTAIN);
    assert_non_null(strstr(f->evidence, "alice@VPRO.EXAMPLE.COM"));
    diag_result_free(r);
    /* AMT 20 minutes behind the authenticator */
    r = refused("Negotiate", k, -1200);
    f = error_of(r, 1);
    assert_string_equal(f->cause->token, "kerberos-clock-skew");
    assert_non_null(strstr(f->evidence, "20 min 0 s behind"));
    diag_result_free(r);
    /* AMT 11 hours ahead: past the ticket's end (10 hours) */
    r = refused("Negotiate", k, 11 * 3600);
    f = error_of(r, 1);
    assert_string_equal(f->cause->token, "kerberos-clock-skew");
    diag_result_free(r);
    krb_keyring_free(k);
    /* the keys of another password: AMT's key is not the KDC's */
    k = krb_keyring_new(err, sizeof err);
    krb_keyring_add_password(k, "HTTP/amt-pc17.vpro.example.com@VPRO.EXAMPLE.COM", "stale", err,
                             sizeof err);
    r = refused("Negotiate", k, 0);
    f = error_of(r, 1);
    assert_string_equal(f->cause->token, "kerberos-ap-err-modified");
    diag_result_free(r);
    krb_keyring_free(k);
}

static void test_no_witness(void **state)
{
    (void)state;
    diag_result *r = refused("Negotiate", NULL, 0);
    const diag_finding *f = error_of(r, 1);
    assert_string_equal(f->cause->token, "negotiate-rejected");
    assert_int_equal(f->confidence, DIAG_LIKELY);
    assert_non_null(strstr(f->evidence, "--keytab"));
    diag_result_free(r);
    /* AMT's Date far from the capture's clock: likely the clock */
    r = refused("Negotiate", NULL, 1800);
    f = error_of(r, 1);
    assert_string_equal(f->cause->token, "kerberos-clock-skew");
    assert_int_equal(f->confidence, DIAG_LIKELY);
    diag_result_free(r);
}

/* A console challenged with Negotiate that never sends a token; its KDC
 * traffic in kdc[0..n). */
static diag_result *no_token(const diag_kdc_msg *kdc, size_t n)
{
    static diag_exchange ex;
    ex = (diag_exchange){.req_frame = 10,
                         .resp_frame = 12,
                         .resp_ts_us = 1000 * US,
                         .method = "POST",
                         .uri = "/wsman",
                         .host = "amt-pc17.vpro.example.com",
                         .status = 401,
                         .www_authenticate = "Negotiate, Digest realm=\"r\", "
                                             "nonce=\"n\", qop=\"auth\""};
    static diag_conn_facts c;
    conn(&c, 0, 40000, &ex, 1, 1000 * US);
    diag_inputs in = {.kdc = kdc, .n_kdc = n};
    return diag_run(&c, 1, NULL, 0, &in);
}

static void test_kdc_witness(void **state)
{
    (void)state;
    size_t n[7];
    uint8_t *as_req = load(VECTOR("as-req.der"), &n[0]);
    uint8_t *preauth = load(VECTOR("preauth-required.der"), &n[1]);
    uint8_t *as_req2 = load(VECTOR("as-req-padata.der"), &n[2]);
    uint8_t *as_rep = load(VECTOR("as-rep.der"), &n[3]);
    uint8_t *tgs_req = load(VECTOR("tgs-req.rm"), &n[4]);
    uint8_t *unknown = load(VECTOR("s-principal-unknown.rm"), &n[5]);
    uint8_t *tgs_rep = load(VECTOR("tgs-rep.rm"), &n[6]);
    diag_kdc_msg k[6];
    kdc_msg(&k[0], 1, 900 * US, 0, 0, 5000, as_req, n[0]);
    kdc_msg(&k[1], 2, 900 * US, 1, 0, 5000, preauth, n[1]);
    kdc_msg(&k[2], 3, 900 * US, 0, 0, 5001, as_req2, n[2]);
    kdc_msg(&k[3], 4, 900 * US, 1, 0, 5001, as_rep, n[3]);
    kdc_msg(&k[4], 20, 1001 * US, 0, 1, 6000, tgs_req, n[4]);
    kdc_msg(&k[5], 21, 1001 * US, 1, 1, 6000, unknown, n[5]);
    /* the ticket request for AMT refused: the SPN */
    diag_result *r = no_token(k, 6);
    const diag_finding *f = error_of(r, 0);
    assert_string_equal(f->cause->token, "kerberos-spn-unknown");
    /* (the request is curl's, for HTTP/<fqdn>; the answer another console's) */
    assert_non_null(strstr(f->evidence, "for HTTP/amt-pc17.vpro.example.com@VPRO.EXAMPLE.COM"));
    assert_non_null(strstr(f->evidence, "KDC_ERR_S_PRINCIPAL_UNKNOWN"));
    assert_non_null(strstr(f->evidence, "AMT registers HTTP/amt-pc17.vpro.example.com:16992"));
    assert_int_equal(f->n_frames, 3);
    diag_result_free(r);
    /* a successful logon after KDC_ERR_PREAUTH_REQUIRED and a ticket for AMT:
     * nothing Kerberos to blame, the console just sent nothing */
    kdc_msg(&k[5], 21, 1001 * US, 1, 1, 6000, tgs_rep, n[6]);
    r = no_token(k, 6);
    f = error_of(r, 0);
    assert_string_equal(f->cause->token, "no-credentials-sent");
    const diag_conn_result *cr = diag_result_conn(r, 0);
    assert_int_equal(cr->findings->len, 1);
    diag_result_free(r);
    /* only the PREAUTH_REQUIRED and a successful logon: not a finding either */
    r = no_token(k, 4);
    assert_string_equal(error_of(r, 0)->cause->token, "no-credentials-sent");
    diag_result_free(r);
    /* the logon never answered: the KDC is unreachable */
    r = no_token(k, 1);
    f = error_of(r, 0);
    assert_string_equal(f->cause->token, "kerberos-no-ticket");
    assert_non_null(strstr(f->evidence, "unanswered"));
    diag_result_free(r);
    g_free(as_req), g_free(preauth), g_free(as_req2), g_free(as_rep);
    g_free(tgs_req), g_free(unknown), g_free(tgs_rep);
}

/* AMT answered 400 to a Negotiate login: the header, not an HTTP error. */
static void test_token_too_large(void **state)
{
    (void)state;
    char *auth = negotiate(VECTOR("negotiate-ap-req.tok"));
    diag_exchange ex = {.req_frame = 10,
                        .resp_frame = 12,
                        .resp_ts_us = 1000 * US,
                        .method = "POST",
                        .uri = "/wsman",
                        .authorization = auth,
                        .status = 400};
    diag_conn_facts c;
    conn(&c, 0, 40000, &ex, 1, 1000 * US);
    diag_result *r = diag_run(&c, 1, NULL, 0, NULL);
    const diag_conn_result *cr = diag_result_conn(r, 0);
    assert_int_equal(cr->findings->len, 1);
    const diag_finding *f = error_of(r, 0);
    assert_string_equal(f->cause->token, "kerberos-token-too-large");
    assert_int_equal(cr->stage, DIAG_STAGE_HTTP_AUTH);
    diag_result_free(r);
    /* 413 says it outright */
    ex.status = 413;
    r = diag_run(&c, 1, NULL, 0, NULL);
    assert_int_equal(error_of(r, 0)->confidence, DIAG_CERTAIN);
    diag_result_free(r);
    g_free(auth);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amt_krb_error),   cmocka_unit_test(test_keys_decide),
        cmocka_unit_test(test_no_witness),      cmocka_unit_test(test_kdc_witness),
        cmocka_unit_test(test_token_too_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
