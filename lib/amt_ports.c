/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amt_ports: AMT's well-known ports and the services on them. */
#include "amtdiag/amt_ports.h"

amt_service amt_service_of_port(uint16_t port)
{
    switch (port) {
    case AMT_PORT_HTTP:
        return AMT_SERVICE_HTTP;
    case AMT_PORT_TLS:
        return AMT_SERVICE_TLS;
    case AMT_PORT_REDIR:
        return AMT_SERVICE_REDIR;
    case AMT_PORT_REDIR_TLS:
        return AMT_SERVICE_REDIR_TLS;
    case AMT_PORT_CIRA:
        return AMT_SERVICE_CIRA;
    default:
        return AMT_SERVICE_OTHER;
    }
}

int amt_service_is_tls(amt_service s)
{
    return s == AMT_SERVICE_TLS || s == AMT_SERVICE_REDIR_TLS || s == AMT_SERVICE_CIRA;
}

uint16_t amt_service_port(amt_service s)
{
    switch (s) {
    case AMT_SERVICE_HTTP:
        return AMT_PORT_HTTP;
    case AMT_SERVICE_TLS:
        return AMT_PORT_TLS;
    case AMT_SERVICE_REDIR:
        return AMT_PORT_REDIR;
    case AMT_SERVICE_REDIR_TLS:
        return AMT_PORT_REDIR_TLS;
    case AMT_SERVICE_CIRA:
        return AMT_PORT_CIRA;
    default:
        return 0;
    }
}
