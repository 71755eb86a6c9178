/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amt_http: the fake AMT's HTTP/1.1 server — Digest login as AMT does it,
 * WS-Management (SOAP 1.2) and the AMT 3 era EOI SOAP 1.1 services. */
#ifndef AMTSIM_AMT_HTTP_H
#define AMTSIM_AMT_HTTP_H

#include <stdint.h>
#include "simio.h"

#define AMT_MAX_USERS 4
#define AMT_MAX_TRUSTED_CN 4

typedef struct amt_user {
    const char *name;
    const char *password;
    /* non-zero: WS-Man calls by this user on AMT_* classes other than
     * AMT_GeneralSettings are answered with a wsman:AccessDenied fault */
    int access_denied;
} amt_user;

typedef struct amt_device_cfg {
    const char *fw_version; /* "11.8.50.3425": Server header suffix */
    const char *realm;      /* "Digest:" + 32 uppercase hex */
    amt_user users[AMT_MAX_USERS];
    unsigned n_users;
    int vulnerable_cve_2017_5689;               /* accept response="" (INTEL-SA-00075) */
    int64_t clock_offset_s;                     /* AMT's clock minus the capture clock */
    int eoi;                                    /* also serve EOI SOAP 1.1 services */
    const char *trusted_cn[AMT_MAX_TRUSTED_CN]; /* AMT_TLSSettingData.TrustedCN */
    unsigned n_trusted_cn;
    int mutual_auth;      /* AMT_TLSSettingData.MutualAuthentication */
    int tls_enabled;      /* AMT_TLSSettingData.Enabled */
    const char *hostname; /* AMT_GeneralSettings.HostName */
    const char *domain;   /* AMT_GeneralSettings.DomainName */
    uint32_t seed;        /* makes nonces reproducible */
    /* Kerberos (HTTP Negotiate): with a keytab (amt_negotiate_init done),
     * 401s offer Negotiate besides Digest and carry a Date header, and
     * Negotiate tokens are accepted with MIT's GSS-API acceptor. */
    const char *krb_keytab;
    int krb_error_token; /* a refused token's KRB-ERROR goes back in the 401, as IIS does */
    const char *krb_users[AMT_MAX_USERS]; /* principals AMT's ACL lets in; none: any */
    unsigned n_krb_users;
    size_t max_head; /* the longest request head AMT reads (0: HTTP_MAX_HEAD); a longer
                        one is answered 400 */
    /* Told of every answered request, or NULL: amtsim --serve logs them. */
    void (*on_answer)(void *arg, const char *method, const char *target, int status);
    void *on_answer_arg;
} amt_device_cfg;

/* Device-wide state that outlives connections: issued nonces (which are
 * current, which stale), enumeration contexts, MessageID counter. */
typedef struct amt_http amt_http;

amt_http *amt_http_new(const amt_device_cfg *cfg);
void amt_http_free(amt_http *s);

/* Serves one connection until the peer closes, or the server closes after
 * a 401 (AMT sends Connection: close with every 401). Returns 0 when the
 * connection ended normally, -1 on an I/O error or malformed request (the
 * caller then closes). Responses: 401 with WWW-Authenticate
 *   Digest realm="…", nonce="…",stale="false|true",qop="auth"
 * and the "Log on failed" HTML body; 200 with chunked
 * application/soap+xml for WS-Man and text/xml for EOI; 400 with a chunked
 * SOAP fault for WS-Man faults; Date header from AMT's clock
 * (capture clock + clock_offset_s). */
int amt_http_serve(amt_http *s, simio *io);

#endif
