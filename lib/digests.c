/* SPDX-License-Identifier: GPL-2.0-or-later */
/* digests: EVP_md5() and EVP_sha256() make OpenSSL 3 look the
 * implementation up by name in its provider store on every
 * EVP_DigestInit; per HTTP message that is a fetch per body and per
 * Digest login checked. Fetched here once, the lookups stay a constant
 * per run. A failed fetch is kept as NULL: callers fail as they would
 * with the legacy getter's failure. */
#include "amtdiag/digests.h"

#include <glib.h>

static const EVP_MD *fetch_once(gsize *once, const EVP_MD **md, const char *name)
{
    if (g_once_init_enter(once)) {
        *md = EVP_MD_fetch(NULL, name, NULL);
        g_once_init_leave(once, 1);
    }
    return *md;
}

const EVP_MD *amt_digest_md5(void)
{
    static gsize once;
    static const EVP_MD *md;
    return fetch_once(&once, &md, "MD5");
}

const EVP_MD *amt_digest_sha256(void)
{
    static gsize once;
    static const EVP_MD *md;
    return fetch_once(&once, &md, "SHA256");
}
