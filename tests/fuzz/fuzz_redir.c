/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the redirection protocol's framing and login decoding
 * (amtdiag/redir.h), its facts and rules (amtdiag/diag_redir.h).
 *
 * Input: a byte stream. It is framed message by message as the plugin
 * does (the session type taken from a StartRedirectionSession in the
 * stream), each login message decoded and a Digest response checked
 * against a password; each message is described for a transcript and goes
 * into lib's facts (from AMT or the console by its type), which lib's
 * rules then judge, with and without a supplied password. */
#include "amtdiag/diag_redir.h"
#include "amtdiag/redir.h"
#include "fuzz_common.h"

#include <glib.h>
#include <string.h>

/* The side a message type comes from: AMT sends the replies and IDE-R's
 * host commands. */
static int side_of(uint8_t type)
{
    static const uint8_t amt[] = {0x11, 0x14, 0x21, 0x23, 0x25, 0x29, 0x2A, 0x41,
                                  0x43, 0x46, 0x49, 0x4A, 0x50, 0x52, 0x53};
    return memchr(amt, type, sizeof amt) ? DIAG_AMT : DIAG_CONSOLE;
}

/* lib's rules over the facts of one connection on 16994. */
static void judge(const diag_redir_facts *r, size_t size)
{
    diag_conn_facts c;
    memset(&c, 0, sizeof c);
    c.client = "192.0.2.10:50000";
    c.server = "192.0.2.20:16994";
    c.family = 4;
    c.server_port = AMT_PORT_REDIR;
    c.syns = c.synack = 1;
    c.rst_from = -1;
    c.first_fin_from = size & 1 ? DIAG_CONSOLE : DIAG_AMT;
    c.first_fin_frame = 100000;
    c.bytes[0] = c.bytes[1] = size;
    c.redir = r;
    static const diag_account acc = {"admin", "P@ssw0rd"};
    for (int with = 0; with < 2; with++) {
        diag_inputs in = {.accounts = with ? &acc : NULL, .n_accounts = with ? 1 : 0};
        diag_result *res = diag_run(&c, 1, NULL, 0, &in);
        const diag_conn_result *cr = g_ptr_array_index(res->conns, 0);
        for (guint k = 0; k < cr->findings->len; k++) {
            const diag_finding *f = g_ptr_array_index(cr->findings, k);
            FZ_CHECK(f->evidence != NULL && f->cause != NULL);
        }
        diag_result_free(res);
    }
}

static void check_auth(const uint8_t *p, size_t n)
{
    redir_auth a;
    if (redir_auth_parse(p, n, &a) != 0)
        return;
    fz_str(a.user, sizeof a.user);
    fz_str(a.digest.username, sizeof a.digest.username);
    fz_str(a.digest.realm, sizeof a.digest.realm);
    fz_str(a.digest.nonce, sizeof a.digest.nonce);
    fz_str(a.digest.response, sizeof a.digest.response);
    FZ_CHECK(a.n_methods <= sizeof a.methods);
    FZ_CHECK(a.ticket_len <= n);
    if (a.digest.present & HTTP_AUTH_P_RESPONSE)
        http_digest_check(&a.digest, REDIR_DIGEST_METHOD, "P@ssw0rd");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    redir_session s = REDIR_SESSION_UNKNOWN;
    size_t off = 0;
    diag_redir_facts *facts = g_new(diag_redir_facts, 1);
    diag_redir_init(facts);
    uint64_t frame = 1;
    while (off < size) {
        size_t need = 0;
        long n = redir_frame(data + off, size - off, s, &need);
        if (n <= 0) {
            /* more is needed: never less than is there, never absurd */
            FZ_CHECK(n < 0 || need == 0 || (need > size - off && need <= REDIR_MAX_MESSAGE));
            break;
        }
        FZ_CHECK((size_t)n <= size - off);
        const uint8_t *p = data + off;
        FZ_CHECK(redir_msg_name(p[0]));
        if (p[0] == REDIR_START_SESSION)
            s = redir_session_of_tag(p + 4);
        if (p[0] == REDIR_AUTHENTICATE || p[0] == REDIR_AUTHENTICATE_REPLY)
            check_auth(p, (size_t)n);
        char text[320];
        redir_msg_text(p, (size_t)n, s, text, sizeof text);
        fz_str(text, sizeof text);
        diag_redir_message(facts, frame++, side_of(p[0]), p, (size_t)n);
        off += (size_t)n;
    }
    if (off < size)
        diag_redir_bad(facts, frame, side_of(data[off]), data[off]);
    FZ_CHECK(facts->n_logins <= DIAG_REDIR_LOGINS_MAX);
    char line[1024];
    diag_redir_summary(facts, line, sizeof line);
    fz_str(line, sizeof line);
    judge(facts, size);
    diag_redir_clear(facts);
    g_free(facts);
    return 0;
}
