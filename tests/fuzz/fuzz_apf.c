/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: APF, CIRA's protocol (amtdiag/apf.h): framing with each
 * framing context, field decoding and transcript lines.
 *
 * Input: byte 0 chooses the context (what the other side's last global
 * request was, whether a UserAuthFailure came before), the rest is a byte
 * stream framed message by message as a reader of one direction does;
 * each message is decoded and described. A framed length never exceeds
 * what is there, and strings stay NUL-terminated within their arrays. */
#include "amtdiag/apf.h"
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    apf_frame_ctx ctx = {(int)(data[0] % 3) - 1, 0};
    data++;
    size--;
    size_t off = 0;
    while (off < size) {
        size_t need = 0;
        long n = apf_frame(data + off, size - off, &ctx, &need);
        if (n < 0)
            break;
        if (n == 0) {
            FZ_CHECK(need == 0 || need > size - off);
            break;
        }
        FZ_CHECK((size_t)n <= size - off);
        apf_msg m;
        if (apf_parse(data + off, (size_t)n, &m) == 0) {
            fz_str(m.name, sizeof m.name);
            fz_str(m.user, sizeof m.user);
            fz_str(m.service, sizeof m.service);
            fz_str(m.method, sizeof m.method);
            fz_str(m.address, sizeof m.address);
            fz_str(m.origin, sizeof m.origin);
            FZ_CHECK(m.data_len <= (size_t)n);
            FZ_CHECK(!m.data || (m.data >= data + off && m.data + m.data_len <= data + off + n));
            ctx.after_auth_failure = m.type == APF_USERAUTH_FAILURE;
            apf_msg_clear(&m);
        } else {
            ctx.after_auth_failure = 0;
        }
        char line[512];
        int len = apf_msg_text(data + off, (size_t)n, line, sizeof line);
        FZ_CHECK(len >= 0 && strlen(line) < sizeof line);
        off += (size_t)n;
    }
    return 0;
}
