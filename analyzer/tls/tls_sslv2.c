/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SSLv2-format ClientHello that old clients send to offer SSL 3.0 or
 * TLS 1.0 to a server that may speak only SSLv2 (RFC 6101 E.1, RFC 5246
 * E.2): version, cipher specs of 3 bytes (those starting with 0 are TLS
 * suites), session id, and a challenge that becomes the client random,
 * right-aligned and padded with zeros. What follows is an ordinary SSL 3.0
 * or TLS handshake, decrypted as such. */
#include <string.h>
#include "tls/tls_int.h"

int tls_parse_sslv2_hello(tls_conn *c, const uint8_t *p, size_t n, uint64_t frame)
{
    amt_cur cur = cur_make(p, n);
    if (cur_u8(&cur) != TLS_HS_CLIENT_HELLO)
        return -1;
    tls_client_hello ch;
    memset(&ch, 0, sizeof(ch));
    ch.seen = 1;
    ch.frame = frame;
    ch.legacy_version = (uint16_t)cur_u16(&cur);
    size_t specs_len = cur_u16(&cur);
    size_t sid_len = cur_u16(&cur);
    size_t chal_len = cur_u16(&cur);
    amt_cur specs = cur_sub(&cur, specs_len);
    const uint8_t *sid = cur_take(&cur, sid_len);
    const uint8_t *chal = cur_take(&cur, chal_len);
    if (cur.err || specs.err || specs_len % 3 || sid_len > 32 || chal_len < 16 || chal_len > 32 ||
        !chal)
        return -1;
    while (cur_left(&specs) >= 3) {
        unsigned kind = cur_u8(&specs);
        uint16_t id = (uint16_t)cur_u16(&specs);
        if (kind == 0)
            tls_ch_add_suite(&ch, id);
    }
    memcpy(ch.session_id, sid, sid_len);
    ch.session_id_len = sid_len;
    memcpy(ch.random + 32 - chal_len, chal, chal_len);
    tls_note(c, "SSLv2-format ClientHello (frame %llu) offering %s", (unsigned long long)frame,
             tls_version_name(ch.legacy_version));
    tls_client_hello_done(c, &ch, NULL, 0);
    return 0;
}
