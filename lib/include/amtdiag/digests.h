/* SPDX-License-Identifier: GPL-2.0-or-later */
/* digests: the message digests both tools compute per message, fetched
 * from OpenSSL once per process. */
#ifndef AMTDIAG_DIGESTS_H
#define AMTDIAG_DIGESTS_H

#include <openssl/evp.h>

/* MD5 (HTTP Digest), fetched on first use and kept for the process; NULL
 * when no provider offers it (a FIPS-only configuration). Thread-safe. */
const EVP_MD *amt_digest_md5(void);

/* SHA-256, as amt_digest_md5. */
const EVP_MD *amt_digest_sha256(void);

#endif
