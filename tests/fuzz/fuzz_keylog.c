/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: NSS key log parsing (tls_keys_add_keylog), as read from a
 * --keylog file or a pcapng Decryption Secrets Block.
 *
 * Input: the key log text. It is added twice to the same store, as two
 * files with the same lines would be. */
#include "fuzz_common.h"
#include "tls/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly the text's size (no NUL), so a read past it is caught. */
    char *text = malloc(size ? size : 1);
    FZ_CHECK(text);
    memcpy(text, data, size);
    tls_keys *k = tls_keys_new();
    FZ_CHECK(k);
    unsigned bad = 0, first_bad = 0;
    int n = tls_keys_add_keylog(k, text, size, "keylog.txt", &bad, &first_bad);
    FZ_CHECK(n >= 0);
    FZ_CHECK((bad == 0) == (first_bad == 0));
    FZ_CHECK(first_bad <= size + 1);
    size_t count = tls_keys_keylog_count(k);
    FZ_CHECK(count <= (size_t)n);
    unsigned bad2 = 0, first_bad2 = 0;
    int n2 = tls_keys_add_keylog(k, text, size, "pcapng DSB", &bad2, &first_bad2);
    /* The same lines again: nothing new, the same bad lines. */
    FZ_CHECK(n2 >= 0 && n2 <= n && bad2 == bad && first_bad2 == first_bad);
    FZ_CHECK(tls_keys_keylog_count(k) == count);
    tls_keys_free(k);
    free(text);
    return 0;
}
