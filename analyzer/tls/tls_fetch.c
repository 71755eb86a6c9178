/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls_fetch: OpenSSL algorithms fetched once per run.
 *
 * EVP_*_fetch looks the name up in the library context's provider store,
 * under locks, on every call; done per connection and per key derivation it
 * cost more than the cryptography on fleet captures. Each (context, kind,
 * name) is fetched once and kept for the run; callers get their own
 * reference (up_ref), so they free it as they would a fetched one.
 * Failed fetches are not remembered: a provider may be loaded later. The
 * owner of a context calls tls_fetch_forget before freeing it.
 *
 * Key derivations do not use OpenSSL's KDFs: an EVP_KDF context takes its
 * digest by name, and OpenSSL 3.0 fetches it (and HMAC) on every
 * derivation; a TLS1-PRF context cannot be copied there (EVP_KDF_CTX_dup
 * returns NULL) and a reused one keeps the seeds of its last use. The TLS
 * PRF and HKDF are built on HMAC contexts whose digest is set once
 * (tls_hmac.c); nothing is fetched per derivation. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include "tls/tls_int.h"

typedef enum { KIND_CIPHER, KIND_MD, KIND_MAC, KIND_KDF } fetch_kind;

static GHashTable *fetched; /* "ctx/kind/name" → algorithm, one reference */
static pthread_mutex_t fetched_lock =
    PTHREAD_MUTEX_INITIALIZER; /* POSIX: ThreadSanitizer sees it */

static void *up_ref(fetch_kind kind, void *alg)
{
    int ok = 0;
    switch (kind) {
    case KIND_CIPHER:
        ok = EVP_CIPHER_up_ref(alg);
        break;
    case KIND_MD:
        ok = EVP_MD_up_ref(alg);
        break;
    case KIND_MAC:
        ok = EVP_MAC_up_ref(alg);
        break;
    case KIND_KDF:
        ok = EVP_KDF_up_ref(alg);
        break;
    }
    return ok ? alg : NULL;
}

static void *fetch_new(OSSL_LIB_CTX *lib, fetch_kind kind, const char *name)
{
    switch (kind) {
    case KIND_CIPHER:
        return EVP_CIPHER_fetch(lib, name, NULL);
    case KIND_MD:
        return EVP_MD_fetch(lib, name, NULL);
    case KIND_MAC:
        return EVP_MAC_fetch(lib, name, NULL);
    case KIND_KDF:
        return EVP_KDF_fetch(lib, name, NULL);
    }
    return NULL;
}

static void *fetch(OSSL_LIB_CTX *lib, fetch_kind kind, const char *name)
{
    if (!name)
        return NULL;
    char *key = g_strdup_printf("%p/%d/%s", (void *)lib, (int)kind, name);
    pthread_mutex_lock(&fetched_lock);
    void *alg = fetched ? g_hash_table_lookup(fetched, key) : NULL;
    if (!alg && (alg = fetch_new(lib, kind, name))) {
        if (!fetched)
            fetched = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_insert(fetched, key, alg);
        key = NULL;
    }
    void *mine = alg ? up_ref(kind, alg) : NULL;
    pthread_mutex_unlock(&fetched_lock);
    g_free(key);
    return mine;
}

EVP_CIPHER *tls_fetch_cipher(OSSL_LIB_CTX *lib, const char *name)
{
    return fetch(lib, KIND_CIPHER, name);
}

EVP_MD *tls_fetch_md(OSSL_LIB_CTX *lib, const char *name)
{
    return fetch(lib, KIND_MD, name);
}

EVP_MAC *tls_fetch_mac(OSSL_LIB_CTX *lib, const char *name)
{
    return fetch(lib, KIND_MAC, name);
}

EVP_KDF *tls_fetch_kdf(OSSL_LIB_CTX *lib, const char *name)
{
    return fetch(lib, KIND_KDF, name);
}

static void free_alg(const char *key, void *alg)
{
    int kind = -1;
    const char *slash = strchr(key, '/');
    if (slash)
        kind = atoi(slash + 1);
    switch (kind) {
    case KIND_CIPHER:
        EVP_CIPHER_free(alg);
        break;
    case KIND_MD:
        EVP_MD_free(alg);
        break;
    case KIND_MAC:
        EVP_MAC_free(alg);
        break;
    case KIND_KDF:
        EVP_KDF_free(alg);
        break;
    }
}

void tls_fetch_forget(OSSL_LIB_CTX *lib)
{
    tls_hmac_forget(lib);
    char *prefix = g_strdup_printf("%p/", (void *)lib);
    pthread_mutex_lock(&fetched_lock);
    GHashTableIter it;
    gpointer key, alg;
    if (fetched) {
        g_hash_table_iter_init(&it, fetched);
        while (g_hash_table_iter_next(&it, &key, &alg))
            if (g_str_has_prefix(key, prefix)) {
                free_alg(key, alg);
                g_hash_table_iter_remove(&it);
            }
        if (g_hash_table_size(fetched) == 0) {
            g_hash_table_destroy(fetched);
            fetched = NULL;
        }
    }
    pthread_mutex_unlock(&fetched_lock);
    g_free(prefix);
}
