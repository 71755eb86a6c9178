/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_tls: why a TLS handshake with AMT failed before AMT's checks of the
 * console certificate — version and suite negotiation, and the console's
 * own refusals of AMT (renegotiation_info, the certificate's names and
 * issuer). AMT's refusals of the console certificate are diag_mtls.c's. */
#include "diag_int.h"

#include "amtdiag/tls_alerts.h"

#include <stdarg.h>
#include <string.h>

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

/* The name the console connected to, and how sure that is. */
typedef struct used_name {
    char name[256];
    const char *source; /* "SNI", "Host header", … */
    uint64_t frame;     /* the DNS answer it came from, 0 none */
    diag_confidence confidence;
} used_name;

/* The last A/AAAA answer before connection c that holds its server
 * address: the name the console most likely looked up. */
static const diag_dns_facts *dns_answer_for(diag_ctx *x, const diag_conn_facts *c)
{
    const diag_dns_facts *d =
        diag_know_answer_holding(x->k, c->family, c->server_addr, c->first_ts_us);
    return d && d->qname ? d : NULL;
}

static void name_used(diag_ctx *x, const diag_conn_facts *c, used_name *u)
{
    memset(u, 0, sizeof *u);
    if (c->tls.sni) {
        g_strlcpy(u->name, c->tls.sni, sizeof u->name);
        u->source = "SNI";
        return;
    }
    for (size_t k = 0; k < c->n_ex; k++) {
        if (!c->ex[k].host || !*c->ex[k].host)
            continue;
        /* Host may carry a port; an IPv6 literal is bracketed */
        const char *h = c->ex[k].host;
        size_t n = *h == '[' ? strcspn(h + 1, "]") : strcspn(h, ":");
        g_strlcpy(u->name, *h == '[' ? h + 1 : h, MIN(n + 1, sizeof u->name));
        u->source = "Host header";
        return;
    }
    const diag_dns_facts *d = dns_answer_for(x, c);
    if (d) {
        g_strlcpy(u->name, d->qname, sizeof u->name);
        size_t n = strlen(u->name);
        if (n && u->name[n - 1] == '.')
            u->name[n - 1] = '\0';
        u->source = "no SNI; the DNS answer for the name before it";
        u->frame = d->frame;
        u->confidence = DIAG_LIKELY;
        return;
    }
    diag_addr_text(c->family, c->server_addr, u->name, sizeof u->name);
    u->source = "no SNI: by IP address, or a console that sends no SNI";
    u->confidence = DIAG_LIKELY;
}

/* What the console did, for the evidence: "the console answered
 * bad_certificate", "the console closed the connection". */
static void console_said(const diag_conn_result *cr, const diag_alert *a, char *buf, size_t len)
{
    if (a)
        g_snprintf(buf, len, "the console answered %s", diag_alert_text(a->desc));
    else if (cr->end.how == DIAG_END_RST)
        g_strlcpy(buf, "the console reset the connection", len);
    else
        g_snprintf(buf, len, "the console closed the connection after AMT's %s",
                   diag_step_name(cr->end.after_step));
}

static diag_finding *refusal(diag_ctx *x, size_t i, diag_cause_id cause, diag_confidence conf,
                             uint64_t end_frame, const char *fmt, ...) G_GNUC_PRINTF(6, 7);
static diag_finding *refusal(diag_ctx *x, size_t i, diag_cause_id cause, diag_confidence conf,
                             uint64_t end_frame, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    diag_finding *f = diag_add(x, i, cause, "%s", text);
    g_free(text);
    f->confidence = conf;
    diag_frame(f, x->conns[i].tls.server_cert_frame);
    diag_frame(f, end_frame);
    return f;
}

/* The console refused AMT after seeing its certificate (alert a, or a
 * close when a is NULL). Each reason the certificate gives is reported:
 * its names, its validity at the capture's clock, its issuer. */
static void console_refused_cert(diag_ctx *x, size_t i, const diag_alert *a)
{
    const diag_conn_facts *c = &x->conns[i];
    const diag_conn_result *cr = diag_cr(x, i);
    uint64_t at = a ? a->frame : cr->end.frame;
    char said[128];
    console_said(cr, a, said, sizeof said);
    diag_cert_info ci;
    if (!c->tls.n_server_certs ||
        diag_cert_read(c->tls.server_certs[0].data, c->tls.server_certs[0].len, &ci) != 0) {
        /* Without AMT's certificate the reason stays open: the finding
         * that names the unseen part (tls-not-decrypted) says which key
         * would show it. */
        if (a && a->desc >= 0)
            refusal(x, i, DIAG_C_SERVER_CERT_UNTRUSTED, DIAG_LIKELY, at,
                    "%s; AMT's certificate is not readable in the capture", said);
        return;
    }
    int found = 0;
    /* The name: a console checks the certificate against the name it used. */
    used_name u;
    name_used(x, c, &u);
    if (!diag_cert_name_matches(&ci, u.name)) {
        GString *names = g_string_new(NULL);
        cert_names(&ci, names);
        int alert_fits = !a || a->desc == DIAG_ALERT_BAD_CERTIFICATE ||
                         a->desc == DIAG_ALERT_CERTIFICATE_UNKNOWN || a->desc == 112;
        diag_finding *f =
            refusal(x, i, DIAG_C_SERVER_NAME_MISMATCH, alert_fits ? u.confidence : DIAG_LIKELY, at,
                    "the console connected to %s (%s); AMT's certificate is issued to %s; %s",
                    u.name, u.source, names->str, said);
        diag_frame(f, u.frame);
        g_string_free(names, TRUE);
        found = 1;
    }
    /* Validity at the console's clock, which the capture's stands for. */
    int64_t now = c->first_ts_us / 1000000;
    int v = diag_cert_validity_at(&ci, now);
    if (v != 0 || (a && a->desc == DIAG_ALERT_CERTIFICATE_EXPIRED)) {
        char nb[32], na[32];
        diag_time_text(ci.not_before, nb, sizeof nb);
        diag_time_text(ci.not_after, na, sizeof na);
        refusal(x, i, DIAG_C_SERVER_CERT_EXPIRED, v != 0 ? DIAG_CERTAIN : DIAG_LIKELY, at,
                "AMT's certificate (%s) is valid %s to %s: %s; %s", ci.subject, nb, na,
                v > 0   ? "expired at the capture's time"
                : v < 0 ? "not yet valid at the capture's time"
                        : "valid at the capture's time, so the console's clock must be off",
                said);
        found = 1;
    }
    /* The issuer, against the console's trust store when given. */
    int n = c->tls.n_server_certs < 8 ? (int)c->tls.n_server_certs : 8;
    char why[256] = "";
    int verified = x->in->n_console_roots
                       ? diag_chain_verify(c->tls.server_certs, (size_t)n, x->in->console_roots,
                                           x->in->n_console_roots, why, sizeof why)
                       : -2;
    if (verified == 0) {
        refusal(x, i, DIAG_C_SERVER_CERT_UNTRUSTED, DIAG_CERTAIN, at,
                "AMT's certificate (issuer %s) does not verify against %s (%s); %s", ci.issuer,
                diag_word_name(x->in, DIAG_IN_CONSOLE_CA), why, said);
        return;
    }
    /* No --ca: an unknown_ca alert says so; otherwise it is the reason
     * left when the name and the dates are fine. */
    int certain = a && a->desc == DIAG_ALERT_UNKNOWN_CA;
    if (verified == 1 || (found && !certain))
        return;
    refusal(x, i, DIAG_C_SERVER_CERT_UNTRUSTED, certain ? DIAG_CERTAIN : DIAG_LIKELY, at,
            "%s after AMT's certificate (issuer %s, %s)%s%s%s%s", said, ci.issuer,
            ci.self_issued ? "self-signed" : "CA-issued",
            found ? "" : "; the name and the dates are right", certain ? "" : "; ",
            certain ? "" : diag_word_name(x->in, DIAG_IN_CONSOLE_CA),
            certain ? "" : " with the console's trusted roots would settle it");
}

/* The frame of side from's first handshake message of this type, 0 none. */
static uint64_t hs_frame(const diag_tls_facts *t, int from, int type)
{
    for (size_t k = 0; k < t->n_hs; k++)
        if (t->hs[k].from == from && t->hs[k].type == type)
            return t->hs[k].frame;
    return 0;
}

/* Whether the console sent a request (or any application data) on c:
 * 1 yes, 0 no, -1 unknown. In TLS 1.3 encrypted handshake records look
 * like application data: only records after the console's Finished count,
 * and without its Finished, a decrypted handshake (AMT's messages after
 * the ServerHello readable) shows it never got that far. */
static int console_sent_request(const diag_conn_facts *c)
{
    const diag_tls_facts *t = &c->tls;
    if (c->n_ex)
        return 1;
    if (t->version != 0x0304)
        return t->app_first_frame[DIAG_CONSOLE] != 0;
    uint64_t fin = hs_frame(t, DIAG_CONSOLE, DIAG_HS_FINISHED);
    if (!fin)
        return hs_frame(t, DIAG_AMT, DIAG_HS_FINISHED) || hs_frame(t, DIAG_AMT, 8) ? 0 : -1;
    if (t->app_first_frame[DIAG_CONSOLE] > fin)
        return 1;
    return t->decrypted ? 0 : -1;
}

static void plain_http_to_tls_port(diag_ctx *x, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    if (!amt_service_is_tls(diag_service(c)) || (!c->is_http && !diag_console_spoke_http(c)))
        return;
    char head[24] = "";
    for (size_t k = 0;
         k < c->n_console_head && k < 16 && c->console_head[k] >= 0x20 && c->console_head[k] < 0x7f;
         k++)
        head[k] = (char)c->console_head[k];
    diag_finding *f = diag_add(x, i, DIAG_C_PLAIN_HTTP_TO_TLS_PORT,
                               "the console's first bytes to port %u were an HTTP request%s%s%s, "
                               "not a TLS ClientHello",
                               c->server_port, *head ? " (\"" : "", head, *head ? "…\")" : "");
    diag_frame(f, c->console_head_frame ? c->console_head_frame
                  : c->n_ex             ? c->ex[0].req_frame
                                        : c->first_frame);
    diag_frame(f, diag_cr(x, i)->end.frame);
}

/* AMT ended the handshake before its checks of a console certificate. */
static void amt_ended(diag_ctx *x, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    const diag_tls_facts *t = &c->tls;
    if (t->handshake_complete)
        return; /* diag_mtls: closed without answering */
    const diag_alert *amt = diag_first_alert(c, DIAG_AMT);
    if (amt && amt->desc < 0)
        amt = NULL; /* an unreadable alert says nothing of its reason */
    char offered[96];
    g_snprintf(offered, sizeof offered, "the console offered %s%s%s with %zu cipher suites",
               version_text(t->offered_min), t->offered_max != t->offered_min ? " to " : "",
               t->offered_max != t->offered_min ? version_text(t->offered_max) : "",
               t->n_offered_suites);
    diag_finding *f;
    if (!t->server_hello) {
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
        else {
            f = diag_add(x, i, DIAG_C_TLS_HANDSHAKE_FAILED,
                         "%s; AMT closed the connection without a ServerHello: no shared "
                         "version or cipher is the likely reason",
                         offered);
            f->confidence = DIAG_LIKELY;
        }
        diag_frame(f, t->client_hello_frame);
        diag_frame(f, diag_cr(x, i)->end.frame);
        return;
    }
    /* AMT refusing after a CertificateRequest is diag_mtls's to explain. */
    if (t->cert_request || t->cert_request_hidden)
        return;
    char end[256];
    diag_end_text(&diag_cr(x, i)->end, end, sizeof end);
    f = diag_add(x, i, DIAG_C_TLS_HANDSHAKE_FAILED, "%s during the handshake (%s negotiated)%s%s",
                 end, version_text(t->version), amt ? "; AMT's alert: " : "",
                 amt ? diag_alert_text(amt->desc) : "");
    diag_frame(f, diag_cr(x, i)->end.frame);
}

/* The console ended the handshake, or closed right after it without a
 * request: the console refused AMT, never the other way round. */
static void console_ended(diag_ctx *x, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    const diag_tls_facts *t = &c->tls;
    const diag_conn_result *cr = diag_cr(x, i);
    if (console_sent_request(c) != 0 || !t->server_hello)
        return;
    const diag_alert *con = diag_first_alert(c, DIAG_CONSOLE);
    if (con && con->desc < 0)
        con = NULL;
    /* On a ServerHello without renegotiation_info, refusing at once is
     * RFC 5746 strictness. */
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
    if (con && (con->desc == DIAG_ALERT_PROTOCOL_VERSION ||
                con->desc == DIAG_ALERT_INSUFFICIENT_SECURITY)) {
        /* The console's own policy refused what AMT chose. */
        diag_finding *f = diag_add(
            x, i,
            con->desc == DIAG_ALERT_PROTOCOL_VERSION ? DIAG_C_TLS_VERSION_MISMATCH
                                                     : DIAG_C_NO_SHARED_CIPHER,
            "AMT chose %s with %s; the console refused it (%s)", version_text(t->version),
            t->suite_name ? t->suite_name : "an unknown suite", diag_alert_text(con->desc));
        diag_frame(f, t->server_hello_frame);
        diag_frame(f, con->frame);
        return;
    }
    if (con && con->desc != DIAG_ALERT_CLOSE_NOTIFY && !is_cert_alert(con->desc)) {
        diag_finding *f =
            diag_add(x, i, DIAG_C_TLS_HANDSHAKE_FAILED, "the console answered %s after AMT's %s",
                     diag_alert_text(con->desc), diag_step_name(con->after_type));
        diag_frame(f, con->frame);
        return;
    }
    /* A certificate alert, or a close once AMT's certificate was in: the
     * console refused AMT's certificate. Before it, nothing says why. */
    if (con || (t->server_cert == DIAG_CERT_SENT && cr->end.after_from == DIAG_AMT) ||
        t->handshake_complete)
        console_refused_cert(x, i, con);
}

static void tls_rules(diag_ctx *x, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    if (!c->is_tls || !c->tls.client_hello) {
        plain_http_to_tls_port(x, i);
        return;
    }
    int by = diag_cr(x, i)->end.by;
    if (by == DIAG_AMT)
        amt_ended(x, i);
    else if (by == DIAG_CONSOLE)
        console_ended(x, i);
}

void diag_rules_tls(diag_ctx *x)
{
    for (size_t i = 0; i < x->n_conns; i++)
        if (!diag_is_cira(&x->conns[i]))
            tls_rules(x, i);
}
