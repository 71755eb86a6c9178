/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_tls: why a TLS handshake with AMT failed before AMT's checks of the
 * console certificate — version and suite negotiation, and the console's
 * own refusals of AMT (renegotiation_info, the certificate's names and
 * issuer). AMT's refusals of the console certificate are diag_mtls.c's. */
#include "diag_int.h"

#include "amtdiag/tls_alerts.h"

#include <string.h>

#define AMT_TLS_PORT 16993

static const char *version_text(uint16_t v)
{
    switch (v) {
    case 0x0300:
        return "SSL 3.0";
    case 0x0301:
        return "TLS 1.0";
    case 0x0302:
        return "TLS 1.1";
    case 0x0303:
        return "TLS 1.2";
    case 0x0304:
        return "TLS 1.3";
    default:
        return "an unknown version";
    }
}

const char *diag_alert_text(int desc)
{
    return desc < 0 ? "an encrypted alert" : amt_tls_alert_name(desc);
}

size_t diag_alert_likely_causes(int from, int desc, diag_cause_id out[2])
{
    int amt = from == DIAG_AMT;
    switch (desc) {
    case DIAG_ALERT_HANDSHAKE_FAILURE:
        if (!amt) {
            out[0] = DIAG_C_LEGACY_RENEGOTIATION_REFUSED;
            return 1;
        }
        out[0] = DIAG_C_NO_SHARED_CIPHER;
        out[1] = DIAG_C_CLIENT_CERT_MISSING;
        return 2;
    case DIAG_ALERT_BAD_CERTIFICATE:
    case DIAG_ALERT_CERTIFICATE_UNKNOWN:
        if (amt) {
            out[0] = DIAG_C_CLIENT_CERT_REJECTED;
            return 1;
        }
        /* OpenSSL's clients send bad_certificate for a host name mismatch */
        out[0] = DIAG_C_SERVER_NAME_MISMATCH;
        out[1] = DIAG_C_SERVER_CERT_UNTRUSTED;
        return 2;
    case DIAG_ALERT_UNSUPPORTED_CERTIFICATE:
        out[0] = amt ? DIAG_C_CLIENT_CERT_MISSING_AMT_CONSOLE_OID : DIAG_C_SERVER_CERT_UNTRUSTED;
        out[1] = DIAG_C_CLIENT_CERT_MISSING_CLIENT_AUTH_EKU;
        return amt ? 2 : 1;
    case DIAG_ALERT_CERTIFICATE_EXPIRED:
        out[0] = amt ? DIAG_C_CLIENT_CERT_EXPIRED_AT_AMT_CLOCK : DIAG_C_SERVER_CERT_EXPIRED;
        return 1;
    case DIAG_ALERT_UNKNOWN_CA:
        out[0] = amt ? DIAG_C_CLIENT_CERT_UNTRUSTED_ROOT : DIAG_C_SERVER_CERT_UNTRUSTED;
        return 1;
    case DIAG_ALERT_PROTOCOL_VERSION:
        out[0] = DIAG_C_TLS_VERSION_MISMATCH;
        return 1;
    case DIAG_ALERT_INSUFFICIENT_SECURITY:
        out[0] = DIAG_C_NO_SHARED_CIPHER;
        return 1;
    case DIAG_ALERT_CERTIFICATE_REQUIRED:
        out[0] = amt ? DIAG_C_CLIENT_CERT_MISSING : DIAG_C_TLS_HANDSHAKE_FAILED;
        return 1;
    default:
        out[0] = DIAG_C_TLS_HANDSHAKE_FAILED;
        return 1;
    }
}

static int is_cert_alert(int desc)
{
    return desc == DIAG_ALERT_BAD_CERTIFICATE || desc == DIAG_ALERT_UNSUPPORTED_CERTIFICATE ||
           desc == DIAG_ALERT_CERTIFICATE_REVOKED || desc == DIAG_ALERT_CERTIFICATE_EXPIRED ||
           desc == DIAG_ALERT_CERTIFICATE_UNKNOWN || desc == DIAG_ALERT_UNKNOWN_CA || desc == 112;
}

/* The names AMT's certificate carries, for the evidence. */
static void cert_names(const diag_cert_info *ci, GString *s)
{
    g_string_append_printf(s, "CN=%s", *ci->cn ? ci->cn : "(none)");
    for (size_t k = 0; k < ci->n_dns_names; k++)
        g_string_append_printf(s, ", DNS:%s", ci->dns_names[k]);
    for (size_t k = 0; k < ci->n_ip_names; k++)
        g_string_append_printf(s, ", IP:%s", ci->ip_names[k]);
}

/* The console refused AMT after seeing its certificate: a name mismatch,
 * else an untrusted or unacceptable certificate. */
static void console_refused_cert(diag_ctx *x, size_t i, const diag_alert *a)
{
    const diag_conn_facts *c = &x->conns[i];
    char addr[64];
    diag_addr_text(c->family, c->server_addr, addr, sizeof addr);
    const char *name = c->tls.sni ? c->tls.sni : addr;
    char said[96];
    if (a)
        g_snprintf(said, sizeof said, "the console answered %s", diag_alert_text(a->desc));
    else
        g_strlcpy(said, "the console closed the connection", sizeof said);
    diag_cert_info ci;
    if (c->tls.n_server_certs &&
        diag_cert_read(c->tls.server_certs[0].data, c->tls.server_certs[0].len, &ci) == 0) {
        if (!diag_cert_name_matches(&ci, name)) {
            GString *names = g_string_new(NULL);
            cert_names(&ci, names);
            diag_finding *f = diag_add(
                x, i, DIAG_C_SERVER_NAME_MISMATCH,
                "the console connected to %s%s; AMT's certificate is issued to %s; %s after it",
                name,
                c->tls.sni ? " (SNI)"
                           : " (no SNI: by IP address, or a console that sends "
                             "no SNI)",
                names->str, said);
            g_string_free(names, TRUE);
            diag_frame(f, c->tls.server_cert_frame);
            diag_frame(f, a ? a->frame : c->last_frame);
            return;
        }
        char when[64] = "";
        int64_t now = c->first_ts_us / 1000000;
        int v = diag_cert_validity_at(&ci, now);
        if (v != 0)
            g_snprintf(when, sizeof when, "; AMT's certificate is %s at the capture's time",
                       v > 0 ? "expired" : "not yet valid");
        int n = c->tls.n_server_certs < 8 ? (int)c->tls.n_server_certs : 8;
        char why[256] = "";
        if (x->in->n_trusted_roots &&
            diag_chain_verify(c->tls.server_certs, (size_t)n, x->in->trusted_roots,
                              x->in->n_trusted_roots, why, sizeof why) == 0)
            g_snprintf(when + strlen(when), sizeof when - strlen(when), "; %s", why);
        diag_finding *f = diag_add(x, i, DIAG_C_SERVER_CERT_UNTRUSTED,
                                   "%s after AMT's certificate (issuer %s, %s)%s", said, ci.issuer,
                                   ci.self_issued ? "self-signed" : "CA-issued", when);
        diag_frame(f, c->tls.server_cert_frame);
        diag_frame(f, a ? a->frame : c->last_frame);
        return;
    }
    diag_finding *f = diag_add(x, i, DIAG_C_SERVER_CERT_UNTRUSTED,
                               "%s after AMT's certificate (not readable in the capture)", said);
    diag_frame(f, a ? a->frame : c->last_frame);
}

static void tls_rules(diag_ctx *x, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    const diag_tls_facts *t = &c->tls;
    if (!c->is_tls) {
        if (c->is_http && c->server_port == AMT_TLS_PORT) {
            diag_finding *f = diag_add(x, i, DIAG_C_PLAIN_HTTP_TO_TLS_PORT,
                                       "the console sent an HTTP request, not a TLS ClientHello, "
                                       "to port %u",
                                       AMT_TLS_PORT);
            diag_frame(f, c->n_ex ? c->ex[0].req_frame : c->first_frame);
        }
        return;
    }
    if (!t->client_hello || t->handshake_complete)
        return;
    /* An alert that could not be decrypted says nothing of its reason (it
     * is most often a close_notify): only readable alerts are evidence. */
    const diag_alert *amt = diag_first_alert(c, DIAG_AMT);
    const diag_alert *con = diag_first_alert(c, DIAG_CONSOLE);
    if (amt && amt->desc < 0)
        amt = NULL;
    if (con && con->desc < 0)
        con = NULL;
    char offered[96];
    g_snprintf(offered, sizeof offered, "the console offered %s%s%s with %zu cipher suites",
               version_text(t->offered_min), t->offered_max != t->offered_min ? " to " : "",
               t->offered_max != t->offered_min ? version_text(t->offered_max) : "",
               t->n_offered_suites);
    if (!t->server_hello) {
        diag_finding *f;
        if (amt && amt->desc == DIAG_ALERT_PROTOCOL_VERSION)
            f = diag_add(x, i, DIAG_C_TLS_VERSION_MISMATCH, "%s; AMT answered protocol_version",
                         offered);
        else if (amt && (amt->desc == DIAG_ALERT_HANDSHAKE_FAILURE ||
                         amt->desc == DIAG_ALERT_INSUFFICIENT_SECURITY))
            f = diag_add(x, i, DIAG_C_NO_SHARED_CIPHER, "%s; AMT answered %s without a ServerHello",
                         offered, diag_alert_text(amt->desc));
        else if (amt)
            f = diag_add(x, i, DIAG_C_TLS_HANDSHAKE_FAILED,
                         "%s; AMT answered %s to the ClientHello", offered,
                         diag_alert_text(amt->desc));
        else if (c->first_fin_from == DIAG_AMT || c->rst_from == DIAG_AMT)
            f = diag_add(x, i, DIAG_C_TLS_HANDSHAKE_FAILED,
                         "%s; AMT closed the connection without a ServerHello: no shared "
                         "version or cipher is the likely reason",
                         offered);
        else
            return;
        diag_frame(f, t->client_hello_frame);
        diag_frame(f, amt ? amt->frame : c->last_frame);
        return;
    }
    /* A ServerHello came. The console refusing right after it, on a
     * ServerHello without renegotiation_info, is RFC 5746 strictness. */
    if (con && !t->amt_reneg && t->version && t->version < 0x0304 && con->after_from == DIAG_AMT &&
        con->desc == DIAG_ALERT_HANDSHAKE_FAILURE) {
        diag_finding *f = diag_add(
            x, i, DIAG_C_LEGACY_RENEGOTIATION_REFUSED,
            "AMT's ServerHello (%s) has no renegotiation_info%s; the console "
            "answered %s before its own key exchange",
            version_text(t->version), t->console_reneg ? " although the console offered it" : "",
            diag_alert_text(con->desc));
        diag_frame(f, t->server_hello_frame);
        diag_frame(f, con->frame);
        return;
    }
    if (con && con->after_from == DIAG_AMT && con->after_type != DIAG_HS_FINISHED) {
        if (is_cert_alert(con->desc)) {
            console_refused_cert(x, i, con);
        } else {
            diag_finding *f = diag_add(
                x, i, DIAG_C_TLS_HANDSHAKE_FAILED, "the console answered %s after AMT's %s",
                diag_alert_text(con->desc),
                con->after_type == DIAG_HS_SERVER_HELLO ? "ServerHello" : "handshake message");
            diag_frame(f, con->frame);
        }
        return;
    }
    /* The console closed after AMT's flight without its own key exchange. */
    if (!con && !amt && t->server_cert == DIAG_CERT_SENT && t->client_cert == DIAG_CERT_ABSENT &&
        !t->cert_request && (c->first_fin_from == DIAG_CONSOLE || c->rst_from == DIAG_CONSOLE)) {
        console_refused_cert(x, i, NULL);
        return;
    }
    /* AMT refusing after a CertificateRequest is diag_mtls's to explain. */
    if (amt && !t->cert_request && !t->cert_request_hidden) {
        diag_finding *f = diag_add(x, i, DIAG_C_TLS_HANDSHAKE_FAILED,
                                   "AMT answered %s during the handshake (%s negotiated)",
                                   diag_alert_text(amt->desc), version_text(t->version));
        diag_frame(f, amt->frame);
    }
}

void diag_rules_tls(diag_ctx *x)
{
    for (size_t i = 0; i < x->n_conns; i++)
        tls_rules(x, i);
}
