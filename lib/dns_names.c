/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dns_names: reverse DNS names to addresses. */
#include "amtdiag/dns_names.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

int amt_dns_ptr_address(const char *name, uint8_t addr[16])
{
    size_t n = strlen(name);
    static const char v4[] = ".in-addr.arpa", v6[] = ".ip6.arpa";
    if (n > sizeof v4 - 1 && strcasecmp(name + n - (sizeof v4 - 1), v4) == 0) {
        unsigned b[4];
        char tail;
        if (sscanf(name, "%3u.%3u.%3u.%3u.%c", &b[0], &b[1], &b[2], &b[3], &tail) != 5)
            return 0;
        for (int i = 0; i < 4; i++) {
            if (b[i] > 255)
                return 0;
            addr[3 - i] = (uint8_t)b[i];
        }
        return 4;
    }
    if (n == 63 + sizeof v6 - 1 && strcasecmp(name + 63, v6) == 0) {
        memset(addr, 0, 16);
        for (int i = 0; i < 32; i++) {
            int h = hexval(name[2 * i]);
            if (h < 0 || name[2 * i + 1] != '.')
                return 0;
            /* nibbles run from the least significant end */
            int byte = 15 - i / 2;
            addr[byte] |= (uint8_t)(i % 2 ? h << 4 : h);
        }
        return 6;
    }
    return 0;
}
