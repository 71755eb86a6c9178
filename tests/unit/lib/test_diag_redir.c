/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The redirection rules on messages built byte by byte: the builder's
 * pairing of AMT's replies with the console's requests (a Digest start's
 * FAILURE is a challenge, a response's FAILURE a refusal), and each cause
 * with the facts that trip it and the facts that must not (a refusal
 * followed by an accepted login, a password in clear inside TLS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "amtdiag/diag.h"
#include "amtdiag/diag_cira.h"
#include "amtdiag/diag_redir.h"
#include "amtdiag/http_auth.h"

#define REALM "Digest:A3829B3827DE4D33D4449B366831FD01"
#define NONCE "N2Y0ZmE3ZGYtMWM0ZC00YzRl"
#define URI REDIR_DIGEST_URI

/* ---- messages ------------------------------------------------------------- */

typedef struct msg {
    uint8_t b[1024];
    size_t n;
} msg;

static void put(msg *m, const void *p, size_t n)
{
    assert_true(m->n + n <= sizeof m->b);
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

static void put_u8(msg *m, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(m, &b, 1);
}

static void put_str(msg *m, const char *s)
{
    put_u8(m, (unsigned)strlen(s));
    put(m, s, strlen(s));
}

static msg start(const char *tag)
{
    msg m = {{0x10, 0, 0, 0}, 4};
    put(&m, tag, 4);
    return m;
}

static msg start_reply(unsigned status)
{
    msg m = {{0x11, (uint8_t)status}, 13};
    return m;
}

/* An AuthenticateSession (0x13) or its reply (0x14) around data d. */
static msg auth(int reply, unsigned status, unsigned type, const msg *d)
{
    msg m = {{reply ? 0x14 : 0x13, (uint8_t)status, 0, 0, (uint8_t)type}, 5};
    uint32_t n = d ? (uint32_t)d->n : 0;
    uint8_t len[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
    put(&m, len, 4);
    if (d)
        put(&m, d->b, d->n);
    return m;
}

static msg methods(const char *types)
{
    msg d = {{0}, 0};
    for (const char *t = types; *t; t++)
        put_u8(&d, (unsigned)(*t - '0'));
    return auth(1, 0, REDIR_AUTH_QUERY, &d);
}

static msg digest_start(const char *user)
{
    msg d = {{0}, 0};
    put_str(&d, user);
    put_str(&d, "");
    put_str(&d, "");
    put_str(&d, URI);
    put_str(&d, "");
    put_str(&d, "");
    put_str(&d, "");
    put_str(&d, "");
    return auth(0, 0, REDIR_AUTH_DIGEST, &d);
}

static msg digest_challenge(const char *nonce)
{
    msg d = {{0}, 0};
    put_str(&d, REALM);
    put_str(&d, nonce);
    put_str(&d, "auth");
    return auth(1, 1, REDIR_AUTH_DIGEST, &d);
}

static msg digest_response(const char *user, const char *password, const char *nonce)
{
    char resp[33];
    assert_int_equal(http_digest_response(user, REALM, password, REDIR_DIGEST_METHOD, URI, nonce,
                                          "00000002", "0a4f113b", "auth", resp),
                     0);
    msg d = {{0}, 0};
    put_str(&d, user);
    put_str(&d, REALM);
    put_str(&d, nonce);
    put_str(&d, URI);
    put_str(&d, "0a4f113b");
    put_str(&d, "00000002");
    put_str(&d, resp);
    put_str(&d, "auth");
    return auth(0, 0, REDIR_AUTH_DIGEST, &d);
}

static msg userpass(const char *user, const char *password)
{
    msg d = {{0}, 0};
    put_str(&d, user);
    put_str(&d, password);
    return auth(0, 0, REDIR_AUTH_USER_PASSWORD, &d);
}

static msg kerberos(size_t ticket)
{
    msg d = {{0}, 0};
    for (size_t i = 0; i < ticket; i++)
        put_u8(&d, 0x60 + (unsigned)(i % 16));
    return auth(0, 0, REDIR_AUTH_KERBEROS, &d);
}

static msg bare_reply(unsigned status, unsigned type)
{
    return auth(1, status, type, NULL);
}

static msg sol_start(void)
{
    msg m = {{0x20}, 24};
    return m;
}

static msg sol_reply(unsigned status)
{
    msg m = {{0x21, (uint8_t)status}, 23};
    return m;
}

/* ---- a connection --------------------------------------------------------- */

typedef struct session {
    diag_redir_facts r;
    uint64_t frame;
} session;

static void console(session *s, msg m)
{
    diag_redir_message(&s->r, ++s->frame, DIAG_CONSOLE, m.b, m.n);
}

static void amt(session *s, msg m)
{
    diag_redir_message(&s->r, ++s->frame, DIAG_AMT, m.b, m.n);
}

static diag_conn_facts conn_on(uint16_t port, const diag_redir_facts *r, unsigned id)
{
    diag_conn_facts c = {0};
    c.id = id;
    c.client = "192.0.2.10:50000";
    c.server = "192.0.2.20:16994";
    c.family = 4;
    memcpy(c.client_addr, (uint8_t[]){192, 0, 2, 10}, 4);
    memcpy(c.server_addr, (uint8_t[]){192, 0, 2, 20}, 4);
    c.client_port = (uint16_t)(50000 + id);
    c.server_port = port;
    c.syns = 1;
    c.synack = 1;
    c.syn_frame = 1;
    c.rst_from = -1;
    c.first_fin_from = DIAG_CONSOLE;
    c.first_fin_frame = 90;
    c.bytes[0] = c.bytes[1] = 100;
    c.redir = r;
    return c;
}

/* Runs the rules over one session on 16994; returns "token,token" (info
 * left out), the stage and the outcome. */
static char *judge(const session *s, const diag_account *acc, size_t n_acc, diag_stage *stage,
                   diag_outcome *outcome)
{
    diag_conn_facts c = conn_on(AMT_PORT_REDIR, &s->r, 0);
    diag_inputs in = {.accounts = acc, .n_accounts = n_acc};
    diag_result *res = diag_run(&c, 1, NULL, 0, &in);
    const diag_conn_result *cr = g_ptr_array_index(res->conns, 0);
    GString *t = g_string_new(NULL);
    for (guint k = 0; k < cr->findings->len; k++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, k);
        if (f->cause->severity != DIAG_INFO)
            g_string_append_printf(t, "%s%s", t->len ? "," : "", f->cause->token);
    }
    if (stage)
        *stage = cr->stage;
    if (outcome)
        *outcome = cr->outcome;
    diag_result_free(res);
    return g_string_free(t, FALSE);
}

static void expect(const session *s, const diag_account *acc, size_t n_acc, const char *want,
                   diag_outcome want_outcome)
{
    diag_stage stage;
    diag_outcome outcome;
    char *got = judge(s, acc, n_acc, &stage, &outcome);
    assert_string_equal(got, want);
    assert_int_equal(stage, DIAG_STAGE_REDIR);
    assert_int_equal(outcome, want_outcome);
    g_free(got);
}

static void opened(session *s, const char *tag)
{
    diag_redir_init(&s->r);
    s->frame = 3; /* after the TCP handshake */
    console(s, start(tag));
    amt(s, start_reply(0));
    console(s, auth(0, 0, REDIR_AUTH_QUERY, NULL));
    amt(s, methods("134"));
}

static void digest_login(session *s, const char *user, const char *password)
{
    console(s, digest_start(user));
    amt(s, digest_challenge(NONCE));
    console(s, digest_response(user, password, NONCE));
}

/* Whether the n bytes at p hold the text s anywhere. */
static int holds(const void *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp((const uint8_t *)p + i, s, k) == 0)
            return 1;
    return 0;
}

static const diag_account admin = {"admin", "P@ssw0rd"};

/* ---- tests ---------------------------------------------------------------- */

static void digest_accepted_sol(void **state)
{
    (void)state;
    session s;
    opened(&s, "SOL ");
    digest_login(&s, "admin", "P@ssw0rd");
    amt(&s, bare_reply(0, REDIR_AUTH_DIGEST));
    console(&s, sol_start());
    amt(&s, sol_reply(0));
    expect(&s, &admin, 1, "", DIAG_OUTCOME_OK);
    assert_int_equal(s.r.session, REDIR_SESSION_SOL);
    assert_int_equal(s.r.n_logins, 2);
    assert_int_equal(s.r.logins[0].outcome, DIAG_REDIR_CHALLENGE);
    assert_int_equal(s.r.logins[1].outcome, DIAG_REDIR_ACCEPTED);
    /* the response answered the challenge of frame 9 */
    assert_int_equal(s.r.logins[1].challenge_frame, 9);
    assert_string_equal(s.r.logins[1].nonce, NONCE);
    char line[512];
    diag_redir_summary(&s.r, line, sizeof line);
    assert_string_equal(line, "SOL session; AMT offers user/password, Digest (RFC 2069), Digest; "
                              "login Digest as admin: accepted; SOL started");
}

static void digest_refused(void **state)
{
    (void)state;
    session s;
    opened(&s, "SOL ");
    digest_login(&s, "admin", "wrong");
    amt(&s, digest_challenge("bmV3LW5vbmNl")); /* FAILURE with a new nonce: a refusal */
    assert_int_equal(s.r.logins[1].outcome, DIAG_REDIR_REJECTED);
    expect(&s, NULL, 0, "digest-login-rejected", DIAG_OUTCOME_REJECTED);
    expect(&s, &admin, 1, "digest-wrong-password", DIAG_OUTCOME_REJECTED);
    diag_account other = {"operator", "x"};
    expect(&s, &other, 1, "digest-unknown-user", DIAG_OUTCOME_REJECTED);
    diag_account right = {"admin", "wrong"};
    expect(&s, &right, 1, "digest-correct-password-rejected", DIAG_OUTCOME_REJECTED);
}

static void refusal_then_accepted(void **state)
{
    (void)state;
    session s;
    opened(&s, "IDER");
    digest_login(&s, "admin", "wrong");
    amt(&s, digest_challenge("bmV3LW5vbmNl"));
    console(&s, digest_response("admin", "P@ssw0rd", "bmV3LW5vbmNl"));
    amt(&s, bare_reply(0, REDIR_AUTH_DIGEST));
    /* the second response answered the nonce the refusal carried */
    assert_string_equal(s.r.logins[2].nonce, "bmV3LW5vbmNl");
    expect(&s, &admin, 1, "", DIAG_OUTCOME_OK);
}

static void busy(void **state)
{
    (void)state;
    session s;
    diag_redir_init(&s.r);
    s.frame = 3;
    console(&s, start("KVMR"));
    amt(&s, start_reply(2));
    expect(&s, NULL, 0, "redir-session-busy", DIAG_OUTCOME_REJECTED);
    diag_redir_init(&s.r);
    console(&s, start("SOL "));
    amt(&s, start_reply(3));
    expect(&s, NULL, 0, "redir-session-refused", DIAG_OUTCOME_REJECTED);
}

static void sol_refused_after_login(void **state)
{
    (void)state;
    session s;
    opened(&s, "SOL ");
    digest_login(&s, "admin", "P@ssw0rd");
    amt(&s, bare_reply(0, REDIR_AUTH_DIGEST));
    console(&s, sol_start());
    amt(&s, sol_reply(3));
    expect(&s, &admin, 1, "redir-session-refused", DIAG_OUTCOME_REJECTED);
}

static void kerberos_logins(void **state)
{
    (void)state;
    session s;
    /* offered 1, 3, 4: Kerberos is not among them */
    opened(&s, "IDER");
    console(&s, kerberos(302));
    amt(&s, bare_reply(2, REDIR_AUTH_KERBEROS));
    assert_int_equal(s.r.logins[0].ticket_len, 302);
    expect(&s, NULL, 0, "negotiate-not-offered", DIAG_OUTCOME_REJECTED);
    /* offered, and refused */
    diag_redir_init(&s.r);
    console(&s, start("IDER"));
    amt(&s, start_reply(0));
    console(&s, auth(0, 0, REDIR_AUTH_QUERY, NULL));
    amt(&s, methods("24"));
    console(&s, kerberos(64));
    amt(&s, bare_reply(1, REDIR_AUTH_KERBEROS));
    expect(&s, NULL, 0, "negotiate-rejected", DIAG_OUTCOME_REJECTED);
}

static void password_in_clear(void **state)
{
    (void)state;
    session s;
    opened(&s, "KVMR");
    console(&s, userpass("admin", "P@ssw0rd"));
    amt(&s, bare_reply(0, REDIR_AUTH_USER_PASSWORD));
    expect(&s, NULL, 0, "redir-password-in-clear", DIAG_OUTCOME_OK);
    /* the password is not kept, only its hash */
    assert_false(holds(&s.r, sizeof s.r, "P@ssw0rd"));
    /* refused: the hash tells a wrong password from an account problem */
    opened(&s, "KVMR");
    console(&s, userpass("admin", "letmein"));
    amt(&s, bare_reply(1, REDIR_AUTH_USER_PASSWORD));
    expect(&s, &admin, 1, "redir-login-rejected,redir-password-in-clear", DIAG_OUTCOME_REJECTED);
    diag_conn_facts c = conn_on(AMT_PORT_REDIR, &s.r, 0);
    diag_inputs in = {.accounts = &admin, .n_accounts = 1};
    diag_result *res = diag_run(&c, 1, NULL, 0, &in);
    const diag_conn_result *cr = g_ptr_array_index(res->conns, 0);
    const diag_finding *f = g_ptr_array_index(cr->findings, 0);
    assert_non_null(strstr(f->evidence, "is not the one supplied"));
    assert_null(strstr(f->evidence, "letmein"));
    diag_result_free(res);
    diag_account right = {"admin", "letmein"};
    in.accounts = &right;
    res = diag_run(&c, 1, NULL, 0, &in);
    cr = g_ptr_array_index(res->conns, 0);
    f = g_ptr_array_index(cr->findings, 0);
    assert_non_null(strstr(f->evidence, "is the one supplied, yet AMT refused"));
    diag_result_free(res);
    /* inside TLS the password is not in clear on the wire */
    c.server_port = AMT_PORT_REDIR_TLS;
    c.is_tls = 1;
    c.tls.decrypted = 1;
    res = diag_run(&c, 1, NULL, 0, NULL);
    cr = g_ptr_array_index(res->conns, 0);
    assert_int_equal(cr->findings->len, 1);
    f = g_ptr_array_index(cr->findings, 0);
    assert_string_equal(f->cause->token, "redir-login-rejected");
    diag_result_free(res);
}

static void method_not_supported(void **state)
{
    (void)state;
    session s;
    opened(&s, "SOL ");
    console(&s, userpass("admin", "x"));
    amt(&s, bare_reply(2, REDIR_AUTH_USER_PASSWORD));
    expect(&s, NULL, 0, "redir-method-not-supported,redir-password-in-clear",
           DIAG_OUTCOME_REJECTED);
    /* offered only Kerberos; the console left without a login */
    diag_redir_init(&s.r);
    console(&s, start("SOL "));
    amt(&s, start_reply(0));
    console(&s, auth(0, 0, REDIR_AUTH_QUERY, NULL));
    amt(&s, methods("2"));
    diag_conn_facts c = conn_on(AMT_PORT_REDIR, &s.r, 0);
    c.first_fin_frame = s.frame + 1;
    diag_result *res = diag_run(&c, 1, NULL, 0, NULL);
    const diag_conn_result *cr = g_ptr_array_index(res->conns, 0);
    const diag_finding *f = g_ptr_array_index(cr->findings, 0);
    assert_string_equal(f->cause->token, "redir-method-not-supported");
    assert_int_equal(f->confidence, DIAG_LIKELY);
    assert_int_equal(cr->outcome, DIAG_OUTCOME_REJECTED);
    diag_result_free(res);
}

static void listener(void **state)
{
    (void)state;
    /* 16994 reset alone: the listener is closed */
    diag_conn_facts c[2];
    c[0] = conn_on(AMT_PORT_REDIR, NULL, 0);
    c[0].synack = 0;
    c[0].bytes[0] = c[0].bytes[1] = 0;
    c[0].rst_from = DIAG_AMT;
    c[0].rst_frame = 2;
    c[0].first_fin_from = -1;
    diag_result *res = diag_run(c, 1, NULL, 0, NULL);
    const diag_conn_result *cr = g_ptr_array_index(res->conns, 0);
    assert_int_equal(cr->findings->len, 1);
    assert_string_equal(((diag_finding *)g_ptr_array_index(cr->findings, 0))->cause->token,
                        "redir-listener-disabled");
    assert_int_equal(cr->outcome, DIAG_OUTCOME_FAILED);
    diag_result_free(res);
    /* ... while 16995 of the same AMT answers: TLS only */
    c[1] = conn_on(AMT_PORT_REDIR_TLS, NULL, 1);
    c[1].is_tls = 1;
    res = diag_run(c, 2, NULL, 0, NULL);
    cr = g_ptr_array_index(res->conns, 0);
    assert_string_equal(((diag_finding *)g_ptr_array_index(cr->findings, 0))->cause->token,
                        "redir-plain-refused-tls-only");
    diag_result_free(res);
}

static void builder_bounds(void **state)
{
    (void)state;
    session s;
    opened(&s, "KVMR");
    for (int i = 0; i < 8; i++) {
        console(&s, digest_start("admin"));
        amt(&s, digest_challenge(NONCE));
    }
    assert_int_equal(s.r.n_logins, DIAG_REDIR_LOGINS_MAX);
    assert_int_equal(s.r.logins_seen, 8);
    /* KVM turns into RFB after the console's 0x40 and AMT's 0x41 */
    msg kvm = {{0x40}, 8}, kvm_reply = {{0x41}, 8};
    assert_false(diag_redir_is_raw(&s.r, DIAG_CONSOLE));
    console(&s, kvm);
    assert_true(diag_redir_is_raw(&s.r, DIAG_CONSOLE));
    assert_false(diag_redir_is_raw(&s.r, DIAG_AMT));
    amt(&s, kvm_reply);
    assert_true(diag_redir_is_raw(&s.r, DIAG_AMT));
    diag_redir_raw(&s.r, 99, DIAG_AMT, 12);
    assert_int_equal(s.r.session_bytes[DIAG_AMT], 12);
    /* bad input: empty, short, and unknown messages change nothing harmful */
    uint8_t junk[3] = {0x13, 0x00, 0x01};
    diag_redir_message(&s.r, 100, DIAG_CONSOLE, junk, sizeof junk);
    diag_redir_message(&s.r, 100, DIAG_CONSOLE, NULL, 0);
    diag_redir_message(&s.r, 100, 7, junk, sizeof junk);
    diag_redir_bad(&s.r, 101, DIAG_AMT, 0x99);
    diag_redir_bad(&s.r, 102, DIAG_AMT, 0x98);
    assert_int_equal(s.r.bad_frame, 101);
    diag_redir_clear(&s.r);
    assert_int_equal(s.r.n_logins, 0);
    assert_int_equal(s.r.start_status, -1);
}

/* Two SOL consoles through one CIRA tunnel, their messages interleaved as
 * the MPS relays them: each channel's session pairs its own reply with its
 * own login (one shared session paired the first reply with the second
 * login and left the first pending), and the refusal names its channel. */
static void tunnel_channels(void **state)
{
    (void)state;
    diag_redir_chans set;
    diag_redir_chans_init(&set);
    diag_redir_facts mem[2];
    uint64_t frame = 20;
    diag_redir_facts *ch[2];
    /* keys as the tools give them (APF ordinals): the second channel 5 */
    ch[0] = diag_redir_chans_add(&set, 3, AMT_PORT_REDIR, frame + 1, &mem[0]);
    ch[1] = diag_redir_chans_add(&set, 5, AMT_PORT_REDIR, frame + 2, &mem[1]);
    assert_ptr_equal(diag_redir_chans_find(&set, 5), ch[1]);
    assert_null(diag_redir_chans_find(&set, 4));
    assert_int_equal(ch[1]->channel, 2);
    msg seq[][2] = {{start("SOL "), start_reply(0)},
                    {auth(0, 0, REDIR_AUTH_QUERY, NULL), methods("14")}};
    for (size_t k = 0; k < G_N_ELEMENTS(seq); k++) {
        for (int i = 0; i < 2; i++)
            diag_redir_message(ch[i], ++frame, DIAG_CONSOLE, seq[k][0].b, seq[k][0].n);
        for (int i = 0; i < 2; i++)
            diag_redir_message(ch[i], ++frame, DIAG_AMT, seq[k][1].b, seq[k][1].n);
    }
    msg right = userpass("sol-user", "S0l-P4ss!"), wrong = userpass("sol-user", "Adm1n-0ld!");
    msg ok = bare_reply(0, REDIR_AUTH_USER_PASSWORD), no = bare_reply(1, REDIR_AUTH_USER_PASSWORD);
    diag_redir_message(ch[0], 31, DIAG_CONSOLE, right.b, right.n);
    diag_redir_message(ch[1], 32, DIAG_CONSOLE, wrong.b, wrong.n);
    diag_redir_message(ch[0], 33, DIAG_AMT, ok.b, ok.n);
    diag_redir_message(ch[1], 34, DIAG_AMT, no.b, no.n);
    assert_int_equal(ch[0]->n_logins, 1);
    assert_int_equal(ch[0]->logins[0].outcome, DIAG_REDIR_ACCEPTED);
    assert_int_equal(ch[0]->logins[0].reply_frame, 33);
    assert_int_equal(ch[1]->n_logins, 1);
    assert_int_equal(ch[1]->logins[0].outcome, DIAG_REDIR_REJECTED);
    assert_int_equal(ch[1]->logins[0].reply_frame, 34);

    /* the tunnel: AMT (the TCP client) logged in to its MPS over TLS */
    diag_cira_facts cira;
    diag_cira_init(&cira);
    cira.messages[0] = cira.messages[1] = 4;
    cira.auth_frame = 8;
    cira.auth_success_frame = 9;
    diag_conn_facts c = conn_on(4433, NULL, 0);
    c.service = AMT_SERVICE_CIRA;
    c.is_tls = 1;
    c.cira = &cira;
    c.redir_chans = &set;
    diag_result *res = diag_run(&c, 1, NULL, 0, NULL);
    const diag_conn_result *cr = g_ptr_array_index(res->conns, 0);
    int rejected = 0;
    for (guint k = 0; k < cr->findings->len; k++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, k);
        if (f->cause->severity == DIAG_INFO)
            continue;
        assert_string_equal(f->cause->token, "redir-login-rejected");
        assert_non_null(
            strstr(f->evidence, "redirection session 2 of the tunnel (in a channel to port 16994"));
        assert_int_equal(f->n_frames, 2);
        assert_int_equal(f->frames[0], 32);
        assert_int_equal(f->frames[1], 34);
        rejected++;
    }
    assert_int_equal(rejected, 1);
    assert_int_equal(cr->stage, DIAG_STAGE_CIRA);
    assert_int_equal(cr->outcome, DIAG_OUTCOME_REJECTED);
    diag_result_free(res);
}

/* A hostile tunnel opens channel after channel: DIAG_REDIR_CHANNELS_MAX
 * are kept, the rest counted once each, whatever order their messages
 * come in. */
static void tunnel_channel_bound(void **state)
{
    (void)state;
    diag_redir_chans set;
    diag_redir_chans_init(&set);
    diag_redir_facts *mem = g_new(diag_redir_facts, DIAG_REDIR_CHANNELS_MAX);
    for (unsigned k = 0; k < DIAG_REDIR_CHANNELS_MAX; k++) {
        assert_false(diag_redir_chans_full(&set));
        assert_non_null(diag_redir_chans_add(&set, 10 + k, AMT_PORT_REDIR, 100 + k, &mem[k]));
    }
    assert_true(diag_redir_chans_full(&set));
    diag_redir_facts spare;
    assert_null(diag_redir_chans_add(&set, 40, AMT_PORT_REDIR, 200, &spare));
    assert_null(diag_redir_chans_add(&set, 40, AMT_PORT_REDIR, 201, NULL)); /* the same again */
    assert_null(diag_redir_chans_add(&set, 41, AMT_PORT_REDIR, 202, NULL));
    assert_null(diag_redir_chans_add(&set, 40, AMT_PORT_REDIR, 203, NULL)); /* an older one */
    assert_int_equal(set.n, DIAG_REDIR_CHANNELS_MAX);
    assert_int_equal(set.dropped, 2);
    assert_int_equal(set.dropped_frame, 200);
    assert_null(diag_redir_chans_find(&set, 40));
    assert_int_equal(diag_redir_chans_find(&set, 10)->channel, 1);
    assert_int_equal(diag_redir_chans_find(&set, 10 + DIAG_REDIR_CHANNELS_MAX - 1)->channel,
                     DIAG_REDIR_CHANNELS_MAX);
    g_free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(digest_accepted_sol),
        cmocka_unit_test(digest_refused),
        cmocka_unit_test(refusal_then_accepted),
        cmocka_unit_test(busy),
        cmocka_unit_test(sol_refused_after_login),
        cmocka_unit_test(kerberos_logins),
        cmocka_unit_test(password_in_clear),
        cmocka_unit_test(method_not_supported),
        cmocka_unit_test(listener),
        cmocka_unit_test(builder_bounds),
        cmocka_unit_test(tunnel_channels),
        cmocka_unit_test(tunnel_channel_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
