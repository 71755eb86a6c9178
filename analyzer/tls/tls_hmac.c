/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls_hmac: HMAC contexts with their digest set, kept for the run.
 *
 * Setting an HMAC context's digest by name fetches the digest; done for
 * each key derivation it cost more than the hashing. Here a context is
 * made once per (library context, digest) and worker thread that needs
 * it at the same time: a derivation takes one from the pool, keys it
 * (EVP_MAC_init with its key), and gives it back. The pool holds as many
 * contexts as derivations ever ran at once, so the digest is fetched that
 * many times per run, whatever the traffic. tls_fetch_forget frees the
 * pools of a library context before it is freed. */
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include "tls/tls_int.h"

typedef struct hmac_pool {
    OSSL_LIB_CTX *lib;
    char *digest;
    GPtrArray *idle; /* EVP_MAC_CTX, digest set, keyed with an empty key */
} hmac_pool;

static GPtrArray *pools; /* hmac_pool */
static pthread_mutex_t pools_lock = PTHREAD_MUTEX_INITIALIZER;

/* The pool of (lib, digest), made when missing; under pools_lock. */
static hmac_pool *pool_of(OSSL_LIB_CTX *lib, const char *digest)
{
    if (!pools)
        pools = g_ptr_array_new();
    for (guint i = 0; i < pools->len; i++) {
        hmac_pool *p = g_ptr_array_index(pools, i);
        if (p->lib == lib && strcmp(p->digest, digest) == 0)
            return p;
    }
    hmac_pool *p = g_new0(hmac_pool, 1);
    p->lib = lib;
    p->digest = g_strdup(digest);
    p->idle = g_ptr_array_new_with_free_func((GDestroyNotify)EVP_MAC_CTX_free);
    g_ptr_array_add(pools, p);
    return p;
}

/* A new HMAC context over digest: the only place its digest is fetched. */
static EVP_MAC_CTX *hmac_new(OSSL_LIB_CTX *lib, const char *digest)
{
    EVP_MAC *mac = tls_fetch_mac(lib, "HMAC");
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (ctx && !EVP_MAC_CTX_set_params(ctx, params)) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

EVP_MAC_CTX *tls_hmac_take(OSSL_LIB_CTX *lib, const char *digest)
{
    if (!digest)
        return NULL;
    EVP_MAC_CTX *ctx = NULL;
    pthread_mutex_lock(&pools_lock);
    hmac_pool *p = pool_of(lib, digest);
    if (p->idle->len)
        ctx = g_ptr_array_steal_index_fast(p->idle, p->idle->len - 1);
    pthread_mutex_unlock(&pools_lock);
    return ctx ? ctx : hmac_new(lib, digest);
}

void tls_hmac_give(OSSL_LIB_CTX *lib, const char *digest, EVP_MAC_CTX *ctx)
{
    if (!ctx)
        return;
    /* Keyed anew with an empty key: the last key's pads do not stay in
     * memory for the rest of the run. */
    static const unsigned char none[1];
    if (!EVP_MAC_init(ctx, none, 0, NULL)) {
        EVP_MAC_CTX_free(ctx);
        return;
    }
    pthread_mutex_lock(&pools_lock);
    g_ptr_array_add(pool_of(lib, digest)->idle, ctx);
    pthread_mutex_unlock(&pools_lock);
}

void tls_hmac_forget(OSSL_LIB_CTX *lib)
{
    pthread_mutex_lock(&pools_lock);
    for (guint i = 0; pools && i < pools->len;) {
        hmac_pool *p = g_ptr_array_index(pools, i);
        if (p->lib != lib) {
            i++;
            continue;
        }
        /* EVP_MAC_CTX_free clears the key schedule it holds */
        g_ptr_array_free(p->idle, TRUE);
        g_free(p->digest);
        g_free(p);
        g_ptr_array_remove_index_fast(pools, i);
    }
    if (pools && pools->len == 0) {
        g_ptr_array_free(pools, TRUE);
        pools = NULL;
    }
    pthread_mutex_unlock(&pools_lock);
}
