/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amt_redir: the fake AMT's redirection service (16994, and inside TLS on
 * 16995): the session start (BUSY when another console holds that kind of
 * session), the login (the methods it offers; Digest as AMT does it, user
 * and password in clear, Kerberos refused), then SOL, IDE-R or KVM's
 * start and a few messages of each: SOL data both ways, an IDE-R READ
 * CAPACITY, KVM's RFB handshake up to ServerInit. */
#ifndef AMTSIM_AMT_REDIR_H
#define AMTSIM_AMT_REDIR_H

#include <stdint.h>

#include "amt_http.h"
#include "http_digest.h"
#include "simio.h"

typedef struct amt_redir_cfg {
    uint8_t methods[4]; /* offered to the query; none set: Digest and RFC 2069 Digest */
    unsigned n_methods;
    const char *busy;  /* the session tag another console holds ("IDER"), or NULL */
    int sol_disabled;  /* StartSOLRedirection is refused (UNSUPPORTED) */
    int ider_disabled; /* StartIDERRedirection likewise */
    int kvm_disabled;  /* a KVM session start is refused (UNSUPPORTED) */
} amt_redir_cfg;

/* Device-wide state: the nonces it issues. */
typedef struct amt_redir {
    const amt_redir_cfg *cfg;
    const amt_device_cfg *dev; /* users and realm */
    digest_prng rng;
} amt_redir;

void amt_redir_init(amt_redir *r, const amt_redir_cfg *cfg, const amt_device_cfg *dev);

/* Serves one redirection connection until the console ends it. */
void amt_redir_serve(amt_redir *r, simio *io);

#endif
