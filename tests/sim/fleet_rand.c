/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fleet_rand: makes a fleet capture the same for the same seed, down to
 * every random byte of every handshake. OpenSSL's random bytes come from a
 * stream per thread: a worker's is seeded per session, each AMT server
 * thread's per session and connection, so the bytes do not depend on how
 * the threads interleave. Every session still has its own randoms, key
 * shares and pre-master secrets. A simulator's stream, not a secure one:
 * only for amtsim --fleet and --bulk, whose keys protect nothing. */
#define OPENSSL_SUPPRESS_DEPRECATED /* RAND_set_rand_method: no successor in 3.0 */
#include "fleet.h"

#include <openssl/rand.h>
#include <string.h>
#include <sys/random.h>

static _Thread_local uint64_t state;
static _Thread_local int seeded;

void fleet_rand_seed(uint64_t a, uint64_t b)
{
    state = fleet_mix(a ^ fleet_mix(b ^ 0x72616e64ull));
    seeded = 1;
}

static int stream_bytes(unsigned char *buf, int num)
{
    if (!seeded) {
        /* a thread nobody seeded: not reproducible, but never stuck */
        uint64_t s = 0;
        if (getrandom(&s, sizeof s, 0) != sizeof s)
            return 0;
        fleet_rand_seed(s, 0);
    }
    while (num > 0) {
        state += 0x9e3779b97f4a7c15ull;
        uint64_t z = fleet_mix(state);
        int n = num < 8 ? num : 8;
        memcpy(buf, &z, (size_t)n);
        buf += n;
        num -= n;
    }
    return 1;
}

static int stream_status(void)
{
    return 1;
}

static const RAND_METHOD stream_method = {
    .bytes = stream_bytes,
    .pseudorand = stream_bytes,
    .status = stream_status,
};

int fleet_rand_install(void)
{
    return RAND_set_rand_method(&stream_method) == 1 ? 0 : -1;
}
