/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the redirection protocol's framing and login decoding
 * (amtdiag/redir.h).
 *
 * Input: a byte stream of one direction. It is framed message by message
 * as the plugin does (the session type taken from a StartRedirectionSession
 * in the stream), each login message decoded and a Digest response checked
 * against a password. */
#include "amtdiag/redir.h"
#include "fuzz_common.h"

#include <string.h>

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
        off += (size_t)n;
    }
    return 0;
}
