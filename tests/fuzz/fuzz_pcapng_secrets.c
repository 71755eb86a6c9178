/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the pcapng block walk that extracts Decryption Secrets
 * Blocks (capture/pcapng_secrets.h).
 *
 * Input: a capture file; the parser takes a path, so the bytes are written
 * to a memory file first. */
#include "capture/pcapng_secrets.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_file(data, size);
    FZ_CHECK(path);
    GString *out = g_string_new(NULL);
    char err[512];
    int n = pcapng_read_tls_secrets(path, out, err, sizeof err);
    FZ_CHECK(n >= -1);
    FZ_CHECK(strnlen(err, sizeof err) < sizeof err);
    if (n < 0)
        FZ_CHECK(err[0]);
    if (n == 0)
        FZ_CHECK(out->len == 0);
    FZ_CHECK(out->len <= size);
    FZ_CHECK(strlen(out->str) <= out->len);
    g_string_free(out, TRUE);
    return 0;
}
