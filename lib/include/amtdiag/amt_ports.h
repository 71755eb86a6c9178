/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AMT's TCP ports (IANA amt-soap-http, amt-soap-https, amt-redir-tcp,
 * amt-redir-tls) and the services they carry: the one place both tools
 * and the rules take them from. */
#ifndef AMTDIAG_AMT_PORTS_H
#define AMTDIAG_AMT_PORTS_H

#include <stdint.h>

#define AMT_PORT_HTTP 16992      /* WS-Man and EOI over plain HTTP */
#define AMT_PORT_TLS 16993       /* the same over TLS */
#define AMT_PORT_REDIR 16994     /* redirection (SOL, IDE-R, KVM) in clear */
#define AMT_PORT_REDIR_TLS 16995 /* redirection over TLS */
#define AMT_PORT_CIRA 4433       /* AMT calling its MPS (CIRA): APF in TLS, AMT the client */

/* The service a connection to AMT carries. Whoever recognised AMT says
 * which: its well-known port, a preference, or the content. */
typedef enum {
    AMT_SERVICE_UNKNOWN = 0, /* not said: taken from the well-known port */
    AMT_SERVICE_HTTP,
    AMT_SERVICE_TLS,
    AMT_SERVICE_REDIR,
    AMT_SERVICE_REDIR_TLS,
    AMT_SERVICE_CIRA, /* AMT is the client, the MPS the server */
    AMT_SERVICE_OTHER /* not one of AMT's services */
} amt_service;

/* The service AMT offers on a well-known port; AMT_SERVICE_OTHER for any
 * other port. */
amt_service amt_service_of_port(uint16_t port);

/* Whether the service runs over TLS. */
int amt_service_is_tls(amt_service s);

/* The well-known port of a service, 0 for none. */
uint16_t amt_service_port(amt_service s);

#endif
