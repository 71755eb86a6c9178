/* SPDX-License-Identifier: GPL-2.0-or-later */
/* openssl_calls: an LD_PRELOAD shim counting the OpenSSL calls whose
 * number should not grow with the traffic — algorithm fetches (each a
 * lookup under locks in the provider store) and cipher/MAC set-ups with a
 * key (each a key schedule) — and timing the two that make the floor of a
 * fleet capture: RSA private-key decryptions (EVP_PKEY_decrypt) and record
 * decryption (EVP_DecryptUpdate with output, by record size as `openssl
 * speed` groups them), printing all to stderr at exit. Used by
 * bench/openssl_calls.sh; not part of amtdiag. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>

static unsigned long n_cipher, n_md, n_mac, n_kdf, n_keyed_init, n_mac_keyed;
static unsigned long n_rsa;
static double t_rsa;
/* record decryption by size: up to 16, 64, 256, 1024, 8192, 16384 bytes, more */
static const size_t sizes[] = {16, 64, 256, 1024, 8192, 16384, (size_t)-1};
static double t_dec[7], b_dec[7];
static unsigned long n_dec[7];

/* RSA is timed in CPU time (the machine may be busy; a system call per
 * 250 µs operation costs nothing); a record with the monotonic clock,
 * which the vDSO reads in ~25 ns — CPU time costs a system call, more
 * than a 16-byte record's decryption. */
static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

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

int EVP_PKEY_decrypt(EVP_PKEY_CTX *c, unsigned char *out, size_t *outlen, const unsigned char *in,
                     size_t inlen)
{
    double t0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    int r = NEXT(EVP_PKEY_decrypt)(c, out, outlen, in, inlen);
    if (out) { /* not the size query */
        t_rsa += clock_s(CLOCK_THREAD_CPUTIME_ID) - t0;
        n_rsa++;
    }
    return r;
}

int EVP_DecryptUpdate(EVP_CIPHER_CTX *x, unsigned char *out, int *outl, const unsigned char *in,
                      int inl)
{
    double t0 = clock_s(CLOCK_MONOTONIC);
    int r = NEXT(EVP_DecryptUpdate)(x, out, outl, in, inl);
    if (out && inl > 0) { /* a record, not the AAD or the tag */
        int k = 0;
        while ((size_t)inl > sizes[k])
            k++;
        t_dec[k] += clock_s(CLOCK_MONOTONIC) - t0;
        b_dec[k] += inl;
        n_dec[k]++;
    }
    return r;
}

__attribute__((destructor)) static void report(void)
{
    if (n_rsa)
        fprintf(stderr, "openssl_calls: RSA decryptions %lu in %.3f s: %.0f/s\n", n_rsa, t_rsa,
                n_rsa / t_rsa);
    for (int k = 0; k < 7; k++)
        if (n_dec[k])
            fprintf(stderr,
                    "openssl_calls: records up to %zd bytes: %lu, %.1f MB in %.3f s: %.0f MB/s\n",
                    k < 6 ? (ssize_t)sizes[k] : -1, n_dec[k], b_dec[k] / 1e6, t_dec[k],
                    b_dec[k] / 1e6 / t_dec[k]);
    fprintf(stderr,
            "openssl_calls: EVP_CIPHER_fetch %lu, EVP_MD_fetch %lu, EVP_MAC_fetch %lu, "
            "EVP_KDF_fetch %lu, keyed EVP_DecryptInit_ex2 %lu, keyed EVP_MAC_init %lu\n",
            n_cipher, n_md, n_mac, n_kdf, n_keyed_init, n_mac_keyed);
}
