/* SPDX-License-Identifier: GPL-2.0-or-later */
/* openssl_calls: an LD_PRELOAD shim counting the OpenSSL calls whose
 * number should not grow with the traffic — algorithm fetches (each a
 * lookup under locks in the provider store) and cipher/MAC set-ups with a
 * key (each a key schedule) — and printing the counts to stderr at exit.
 * Used by bench/openssl_calls.sh; not part of amtdiag. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>

static unsigned long n_cipher, n_md, n_mac, n_kdf, n_keyed_init, n_mac_keyed;

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

EVP_CIPHER *EVP_CIPHER_fetch(OSSL_LIB_CTX *c, const char *a, const char *p)
{
    n_cipher++;
    return NEXT(EVP_CIPHER_fetch)(c, a, p);
}

EVP_MD *EVP_MD_fetch(OSSL_LIB_CTX *c, const char *a, const char *p)
{
    n_md++;
    return NEXT(EVP_MD_fetch)(c, a, p);
}

EVP_MAC *EVP_MAC_fetch(OSSL_LIB_CTX *c, const char *a, const char *p)
{
    n_mac++;
    return NEXT(EVP_MAC_fetch)(c, a, p);
}

EVP_KDF *EVP_KDF_fetch(OSSL_LIB_CTX *c, const char *a, const char *p)
{
    n_kdf++;
    return NEXT(EVP_KDF_fetch)(c, a, p);
}

int EVP_DecryptInit_ex2(EVP_CIPHER_CTX *x, const EVP_CIPHER *c, const unsigned char *k,
                        const unsigned char *iv, const OSSL_PARAM p[])
{
    if (k)
        n_keyed_init++;
    return NEXT(EVP_DecryptInit_ex2)(x, c, k, iv, p);
}

int EVP_MAC_init(EVP_MAC_CTX *x, const unsigned char *k, size_t n, const OSSL_PARAM p[])
{
    if (k)
        n_mac_keyed++;
    return NEXT(EVP_MAC_init)(x, k, n, p);
}

__attribute__((destructor)) static void report(void)
{
    fprintf(stderr,
            "openssl_calls: EVP_CIPHER_fetch %lu, EVP_MD_fetch %lu, EVP_MAC_fetch %lu, "
            "EVP_KDF_fetch %lu, keyed EVP_DecryptInit_ex2 %lu, keyed EVP_MAC_init %lu\n",
            n_cipher, n_md, n_mac, n_kdf, n_keyed_init, n_mac_keyed);
}
