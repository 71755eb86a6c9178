/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apf_frames: lib's APF framer (amtdiag/apf.h) over one direction of a
 * tunnel, for check_cira.py to compare with tshark's bytes and with what
 * the simulator sent. Reads hex text (whitespace ignored) on stdin, writes
 * one message name per line; "success-port" as argument 1 says the other
 * side asked tcpip-forward (RequestSuccess carries a port). Exits 1 when
 * the bytes do not frame as APF to the end. */
#include "amtdiag/apf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap);
    int c, hi = -1;
    while (b && (c = getchar()) != EOF) {
        if (!isxdigit(c))
            continue;
        int v = isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (n == cap)
            b = realloc(b, cap *= 2);
        if (b)
            b[n++] = (unsigned char)(hi << 4 | v);
        hi = -1;
    }
    if (!b)
        return 2;
    apf_frame_ctx ctx = {argc > 1 && !strcmp(argv[1], "success-port") ? 1 : 0, 0};
    size_t off = 0;
    int rc = 0;
    while (off < n) {
        long len = apf_frame(b + off, n - off, &ctx, NULL);
        if (len <= 0) {
            printf("unframed %zu bytes\n", n - off);
            rc = 1;
            break;
        }
        const char *name = apf_msg_name(b[off]);
        if (name)
            printf("%s\n", name);
        ctx.after_auth_failure = b[off] == APF_USERAUTH_FAILURE;
        off += (size_t)len;
    }
    free(b);
    return rc;
}
