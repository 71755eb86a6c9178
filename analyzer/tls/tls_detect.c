/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Classification by content: whether the first bytes of a TCP stream look
 * like TLS, so a connection on an unexpected port is still recognised (and
 * plain HTTP on 16993 is not taken for TLS). */
#include "tls/tls_int.h"

int tls_looks_like(const uint8_t *data, size_t len)
{
    if (!data || len < 3)
        return -1;
    amt_cur cur = cur_make(data, len);
    unsigned b0 = cur_u8(&cur), b1 = cur_u8(&cur), b2 = cur_u8(&cur);
    /* SSLv2-compatible ClientHello: 2-byte length with the top bit set,
     * msg_type 1, then version 3.x (or 2). */
    if ((b0 & 0x80) && b2 == 1) {
        size_t rlen = (size_t)(b0 & 0x7f) << 8 | b1;
        unsigned major = cur_u8(&cur);
        if (cur.err || len < 5)
            return -1;
        return rlen >= 9 && (major == 3 || major == 0) ? 1 : 0;
    }
    if (b0 < TLS_CT_CHANGE_CIPHER_SPEC || b0 > TLS_CT_HEARTBEAT || b1 != 3 || b2 > 4)
        return 0;
    size_t rlen = cur_u16(&cur);
    if (cur.err)
        return -1;
    if (rlen == 0 || rlen > TLS_MAX_RECORD)
        return 0;
    unsigned first = cur_u8(&cur);
    if (b0 == TLS_CT_HANDSHAKE && !cur.err) {
        /* A stream starts with a hello; a capture that began mid-stream
         * starts anywhere, and then the type/version test is all we have. */
        if (first != TLS_HS_CLIENT_HELLO && first != TLS_HS_SERVER_HELLO && rlen < 16)
            return 0;
    }
    if (b0 == TLS_CT_ALERT && rlen != 2 && rlen < 16)
        return 0;
    return 1;
}
