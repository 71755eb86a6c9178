/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AMT's keys with MIT krb5: keytabs from a real KDC (kadmin ktadd), keys
 * from passwords (string-to-key with the default salt), and what they
 * open — the service ticket and authenticator of curl's and amtgss's
 * AP-REQs, the TGT of an AS-REP — or why not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "amtdiag/krb_keys.h"
#include "amtdiag/krb_login.h"

#define VECTOR(name) AMTDIAG_SAMPLES_DIR "/../tests/unit/lib/krb/" name
#define SPN_HTTP "HTTP/amt-pc17.vpro.example.com:16992@VPRO.EXAMPLE.COM"

/* The AP-REQ inside a Negotiate token file. */
static void ap_req(const char *name, krb_msg *m, uint8_t **buf)
{
    gsize n = 0;
    assert_true(g_file_get_contents(name, (gchar **)buf, &n, NULL));
    gss_token t;
    assert_int_equal(gss_token_parse(*buf, n, &t), 0);
    assert_int_equal(krb_msg_parse(t.krb, t.krb_len, m), 0);
    assert_int_equal(m->type, KRB_AP_REQ);
}

static krb_keyring *ring(void)
{
    char err[256];
    krb_keyring *k = krb_keyring_new(err, sizeof err);
    assert_non_null(k);
    return k;
}

static void test_keytab_opens_ticket(void **state)
{
    (void)state;
    char err[256];
    krb_keyring *k = ring();
    /* AMT's keytab: three SPNs, three etypes each */
    assert_int_equal(krb_keyring_add_keytab(k, VECTOR("amt.keytab"), err, sizeof err), 9);
    assert_int_equal(krb_keyring_count(k), 9);
    krb_msg m;
    uint8_t *buf;
    ap_req(VECTOR("negotiate-ap-req.tok"), &m, &buf);
    krb_ticket_info ti;
    krb_open_ticket(k, &m, &ti);
    assert_int_equal(ti.status, KRB_OPEN_OK);
    assert_string_equal(ti.cname.text, "alice");
    assert_string_equal(ti.crealm, "VPRO.EXAMPLE.COM");
    assert_true(ti.endtime > ti.authtime);
    assert_int_equal(ti.auth_status, KRB_OPEN_OK);
    assert_string_equal(ti.auth_cname.text, "alice");
    /* curl logged in right after the ticket was issued */
    assert_true(ti.ctime >= ti.authtime && ti.ctime - ti.authtime < 60);
    assert_non_null(strstr(ti.keys_held, "kvno 1: aes256-cts-hmac-sha1-96"));

    /* another key version than the keys hold */
    krb_msg other = m;
    other.ticket.enc.kvno = 7;
    krb_open_ticket(k, &other, &ti);
    assert_int_equal(ti.status, KRB_OPEN_NO_KVNO);
    /* an etype AMT has no key of */
    other = m;
    other.ticket.enc.etype = 26;
    krb_open_ticket(k, &other, &ti);
    assert_int_equal(ti.status, KRB_OPEN_NO_ETYPE);
    /* a cipher text that is not this key's */
    other = m;
    uint8_t *bad = g_memdup2(m.ticket.enc.cipher, m.ticket.enc.cipher_len);
    bad[20] ^= 1;
    other.ticket.enc.cipher = bad;
    krb_open_ticket(k, &other, &ti);
    assert_int_equal(ti.status, KRB_OPEN_BAD_INTEGRITY);
    g_free(bad);
    /* no keys at all */
    krb_open_ticket(NULL, &m, &ti);
    assert_int_equal(ti.status, KRB_OPEN_NONE);
    krb_keyring_free(k);
    g_free(buf);
}

static void test_keytab_no_principal(void **state)
{
    (void)state;
    krb_keyring *k = ring();
    char err[256];
    /* the KDC's keys hold the SPN too, and the TGT's key */
    assert_true(krb_keyring_add_keytab(k, VECTOR("kdc.keytab"), err, sizeof err) > 9);
    gsize n;
    uint8_t *p;
    assert_true(g_file_get_contents(VECTOR("as-rep.der"), (gchar **)&p, &n, NULL));
    krb_msg m;
    assert_int_equal(krb_msg_parse(p, n, &m), 0);
    krb_ticket_info ti;
    krb_open_ticket(k, &m, &ti);
    assert_int_equal(ti.status, KRB_OPEN_OK); /* the TGT, with krbtgt's key */
    assert_string_equal(ti.cname.text, "alice");
    assert_int_equal(ti.auth_status, KRB_OPEN_NONE); /* no authenticator in an AS-REP */
    krb_keyring_free(k);
    /* a keyring without the SPN */
    k = ring();
    assert_int_equal(krb_keyring_add_password(k, "bob@VPRO.EXAMPLE.COM", "x", err, sizeof err), 5);
    krb_open_ticket(k, &m, &ti);
    assert_int_equal(ti.status, KRB_OPEN_NO_PRINCIPAL);
    krb_keyring_free(k);
    g_free(p);
}

/* The KDC made the key of HTTP/…:16992 from Amt-Account-2026; AMT kept the
 * one of Amt-Account-2025. */
static void test_password_keys(void **state)
{
    (void)state;
    char err[256];
    krb_msg m;
    uint8_t *buf;
    ap_req(VECTOR("negotiate-ap-req-port-form.tok"), &m, &buf);
    assert_string_equal(m.ticket.sname.text, "HTTP/amt-pc17.vpro.example.com:16992");
    krb_keyring *k = ring();
    assert_int_equal(krb_keyring_add_password(k, SPN_HTTP, "Amt-Account-2026", err, sizeof err), 5);
    krb_ticket_info ti;
    krb_open_ticket(k, &m, &ti);
    assert_int_equal(ti.status, KRB_OPEN_OK);
    assert_true(ti.key_from_password);
    assert_int_equal(ti.auth_status, KRB_OPEN_OK);
    krb_keyring_free(k);
    k = ring();
    krb_keyring_add_password(k, SPN_HTTP, "Amt-Account-2025", err, sizeof err);
    krb_open_ticket(k, &m, &ti);
    assert_int_equal(ti.status, KRB_OPEN_BAD_INTEGRITY);
    assert_non_null(strstr(ti.keys_held, "password: aes256-cts-hmac-sha1-96"));
    krb_keyring_free(k);
    g_free(buf);
}

static void test_keytab_errors(void **state)
{
    (void)state;
    char err[256];
    krb_keyring *k = ring();
    assert_int_equal(krb_keyring_add_keytab(k, VECTOR("missing.keytab"), err, sizeof err), -1);
    assert_non_null(strstr(err, "missing.keytab"));
    /* a file that is no keytab */
    assert_int_equal(krb_keyring_add_keytab(k, VECTOR("as-req.der"), err, sizeof err), -1);
    assert_non_null(strstr(err, "as-req.der"));
    assert_int_equal(krb_keyring_add_password(k, "", "x", err, sizeof err), -1);
    assert_int_equal(krb_keyring_count(k), 0);
    krb_keyring_free(k);
}

/* A login's two headers together. */
static void test_login_read(void **state)
{
    (void)state;
    gchar *req = NULL, *rep = NULL;
    gsize n1, n2;
    assert_true(g_file_get_contents(VECTOR("negotiate-ap-req.tok"), &req, &n1, NULL));
    assert_true(g_file_get_contents(VECTOR("negotiate-ap-rep.tok"), &rep, &n2, NULL));
    gchar *b1 = g_base64_encode((guchar *)req, n1), *b2 = g_base64_encode((guchar *)rep, n2);
    gchar *h1 = g_strdup_printf("Negotiate %s", b1), *h2 = g_strdup_printf("Negotiate %s", b2);
    char err[256];
    krb_keyring *k = ring();
    krb_keyring_add_keytab(k, VECTOR("amt.keytab"), err, sizeof err);
    krb_login l;
    assert_int_equal(krb_login_read(h1, h2, k, &l), 1);
    assert_true(l.has_ap_req);
    assert_int_equal(l.token_len, n1);
    assert_int_equal(l.ticket.status, KRB_OPEN_OK);
    assert_int_equal(l.reply_type, KRB_AP_REP);
    char client[64];
    assert_string_equal(krb_login_client(&l, client, sizeof client), "alice@VPRO.EXAMPLE.COM");
    krb_login_clear(&l);
    assert_int_equal(krb_login_read("Digest username=\"admin\"", NULL, k, &l), 0);
    krb_login_clear(&l);
    krb_keyring_free(k);
    g_free(req), g_free(rep), g_free(b1), g_free(b2), g_free(h1), g_free(h2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keytab_opens_ticket), cmocka_unit_test(test_keytab_no_principal),
        cmocka_unit_test(test_password_keys),       cmocka_unit_test(test_keytab_errors),
        cmocka_unit_test(test_login_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
