/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_cira: why AMT could not hold its tunnel to its Management Presence
 * Server (CIRA, docs/cira.md). AMT is the TCP and TLS client here: the
 * facts' DIAG_CONSOLE side is AMT, DIAG_AMT the MPS. TCP refused or
 * unanswered; TLS refused by the MPS (version, cipher) or by AMT (the MPS
 * certificate: its name, its root, or a reason the capture does not
 * show); the MPS's refusal of AMT's own certificate when it asks for
 * one (none shown, or its chain not from the MPS's roots); then APF: the login refused, a channel
 * refused, keep-alives unanswered until AMT dropped the tunnel. */
#include "diag_int.h"

#include <string.h>

#include "amtdiag/diag_cira.h"

int diag_is_cira(const diag_conn_facts *c)
{
    return c->cira || diag_service(c) == AMT_SERVICE_CIRA;
}

static void tcp(diag_ctx *x, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    if (c->synack || c->midstream || !c->syns)
        return;
    char addr[64];
    diag_addr_text(c->family, c->server_addr, addr, sizeof addr);
    if (c->rst_from == DIAG_CIRA_MPS) {
        diag_finding *f = diag_add(x, i, DIAG_C_CIRA_TCP_REFUSED,
                                   "AMT called its MPS at %s port %u and got a reset to its SYN",
                                   addr, c->server_port);
        diag_frame(f, c->syn_frame);
        diag_frame(f, c->rst_frame);
        return;
    }
    if (c->rst_from >= 0 || x->in->in_progress)
        return;
    diag_finding *f =
        diag_add(x, i, DIAG_C_CIRA_TCP_UNANSWERED,
                 "AMT sent %u SYN%s to its MPS at %s port %u and the capture holds no answer",
                 c->syns, c->syns == 1 ? "" : "s", addr, c->server_port);
    /* one SYN may be the end of the capture; retransmissions are AMT waiting */
    if (c->syns < 2)
        f->confidence = DIAG_LIKELY;
    diag_frame(f, c->syn_frame);
}

/* The MPS refused AMT's ClientHello. */
static void mps_refused(diag_ctx *x, size_t i, const diag_alert *a)
{
    const diag_tls_facts *t = &x->conns[i].tls;
    diag_finding *f;
    if (a->desc == DIAG_ALERT_PROTOCOL_VERSION) {
        f = diag_add(x, i, DIAG_C_CIRA_TLS_VERSION_REFUSED,
                     "the MPS answered AMT's ClientHello (TLS 0x%04x to 0x%04x) with "
                     "protocol_version",
                     t->offered_min, t->offered_max);
    } else if (a->desc == DIAG_ALERT_HANDSHAKE_FAILURE ||
               a->desc == DIAG_ALERT_INSUFFICIENT_SECURITY) {
        f = diag_add(x, i, DIAG_C_CIRA_TLS_CIPHER_REFUSED,
                     "the MPS answered AMT's ClientHello (%zu cipher suites offered) with %s "
                     "before any ServerHello",
                     t->n_offered_suites, diag_alert_text(a->desc));
        /* handshake_failure is also what a server says for other refusals */
        if (a->desc == DIAG_ALERT_HANDSHAKE_FAILURE)
            f->confidence = DIAG_LIKELY;
    } else {
        return;
    }
    diag_frame(f, t->client_hello_frame);
    diag_frame(f, a->frame);
}

static int is_cert_alert(int desc)
{
    return desc == DIAG_ALERT_BAD_CERTIFICATE || desc == DIAG_ALERT_UNSUPPORTED_CERTIFICATE ||
           desc == DIAG_ALERT_CERTIFICATE_REVOKED || desc == DIAG_ALERT_CERTIFICATE_EXPIRED ||
           desc == DIAG_ALERT_CERTIFICATE_UNKNOWN || desc == DIAG_ALERT_UNKNOWN_CA;
}

/* The names a certificate holds, for the evidence. */
static void names_text(const diag_cert_info *ci, GString *s)
{
    g_string_append_printf(s, "CN \"%s\"", ci->cn);
    for (size_t k = 0; k < ci->n_dns_names; k++)
        g_string_append_printf(s, "%s\"%s\"", k ? ", " : ", subjectAltName ", ci->dns_names[k]);
}

/* AMT refused the MPS certificate: which of its checks failed, as far as
 * the certificate, the name AMT asked for and the roots supplied tell. */
static void amt_refused(diag_ctx *x, size_t i, const diag_alert *a)
{
    const diag_conn_facts *c = &x->conns[i];
    const diag_tls_facts *t = &c->tls;
    char alert[64];
    g_snprintf(alert, sizeof alert, "AMT answered the MPS certificate with %s",
               diag_alert_text(a->desc));
    if (!t->n_server_certs) {
        diag_finding *f = diag_add(x, i, DIAG_C_CIRA_MPS_CERT_REJECTED,
                                   "%s; the certificate is not in the capture (TLS 1.3 encrypts "
                                   "it: a key log of the session would show it)",
                                   alert);
        diag_frame(f, a->frame);
        return;
    }
    diag_cert_info leaf;
    int parsed = diag_cert_read(t->server_certs[0].data, t->server_certs[0].len, &leaf) == 0;
    int found = 0;
    if (parsed && t->sni && !diag_cert_name_matches(&leaf, t->sni)) {
        GString *n = g_string_new(NULL);
        names_text(&leaf, n);
        diag_finding *f = diag_add(x, i, DIAG_C_CIRA_MPS_NAME_MISMATCH,
                                   "%s; AMT called the MPS \"%s\" (server_name) and the "
                                   "certificate holds %s",
                                   alert, t->sni, n->str);
        g_string_free(n, TRUE);
        diag_frame(f, t->client_hello_frame);
        diag_frame(f, t->server_cert_frame);
        diag_frame(f, a->frame);
        found = 1;
    }
    if (x->in->n_trusted_roots) {
        char why[256] = "";
        int v = diag_chain_verify(t->server_certs, t->n_server_certs, x->in->trusted_roots,
                                  x->in->n_trusted_roots, why, sizeof why);
        if (v == 0) {
            diag_finding *f =
                diag_add(x, i, DIAG_C_CIRA_MPS_CERT_UNTRUSTED,
                         "%s; its chain (%zu certificate%s) does not verify "
                         "against the %zu trusted root%s supplied: %s",
                         alert, t->n_server_certs, t->n_server_certs == 1 ? "" : "s",
                         x->in->n_trusted_roots, x->in->n_trusted_roots == 1 ? "" : "s", why);
            diag_frame(f, t->server_cert_frame);
            diag_frame(f, a->frame);
            found = 1;
        }
        if (v == 1 && !found) {
            diag_finding *f = diag_add(x, i, DIAG_C_CIRA_MPS_CERT_REJECTED,
                                       "%s; its chain verifies against a root supplied%s, so "
                                       "AMT refused it for another reason (validity at AMT's "
                                       "clock, an extension it wants, or roots other than "
                                       "those supplied)",
                                       alert, t->sni ? " and it holds the name AMT asked for" : "");
            diag_frame(f, a->frame);
            found = 1;
        }
    }
    if (found)
        return;
    diag_finding *f = diag_add(
        x, i, DIAG_C_CIRA_MPS_CERT_REJECTED,
        "%s; %s. AMT's trusted roots (%s) would tell whether the chain is the reason", alert,
        !parsed  ? "the certificate does not decode"
        : t->sni ? "the certificate holds the name AMT asked for"
                 : "AMT sent no server_name, so the name it checks is not in the capture",
        diag_word_name(x->in, DIAG_IN_TRUSTED_ROOT));
    diag_frame(f, t->server_cert_frame);
    diag_frame(f, a->frame);
}

/* The MPS asked for AMT's certificate and ended the handshake with an
 * alert after AMT's answer: AMT showed none, or one the MPS refused —
 * against the roots the MPS trusts (--ca: in a tunnel the MPS is the side
 * that checks AMT's certificate, as a console does on 16993) when given. */
static void mps_refused_cert(diag_ctx *x, size_t i, const diag_alert *a)
{
    const diag_tls_facts *t = &x->conns[i].tls;
    const diag_inputs *in = x->in;
    char alert[96];
    g_snprintf(alert, sizeof alert, "the MPS asked for AMT's certificate and answered with %s",
               diag_alert_text(a->desc));
    diag_finding *f;
    if (t->client_cert == DIAG_CERT_EMPTY) {
        f = diag_add(x, i, DIAG_C_CIRA_AMT_CERT_MISSING,
                     "%s after AMT's Certificate message, which holds no certificate", alert);
        diag_frame(f, t->cert_request_frame);
        diag_frame(f, t->client_cert_frame);
        diag_frame(f, a->frame);
        return;
    }
    if (t->client_cert != DIAG_CERT_SENT) {
        /* TLS 1.3 hides both; AMT's answer is not in the capture */
        f = diag_add(x, i, DIAG_C_CIRA_AMT_CERT_REJECTED,
                     "%s; AMT's answer is encrypted (TLS 1.3): a key log of the session (%s) "
                     "would show whether it sent a certificate and which",
                     alert, diag_word_usage(in, DIAG_IN_KEYLOG));
        f->confidence = DIAG_LIKELY;
        diag_frame(f, t->cert_request_frame);
        diag_frame(f, a->frame);
        return;
    }
    if (in->n_console_roots) {
        char why[256] = "";
        int v = diag_chain_verify(t->client_certs, t->n_client_certs, in->console_roots,
                                  in->n_console_roots, why, sizeof why);
        if (v == 0) {
            f = diag_add(x, i, DIAG_C_CIRA_AMT_CERT_UNTRUSTED,
                         "%s; AMT's chain (%zu certificate%s) does not verify against the %zu "
                         "root%s of %s: %s",
                         alert, t->n_client_certs, t->n_client_certs == 1 ? "" : "s",
                         in->n_console_roots, in->n_console_roots == 1 ? "" : "s",
                         diag_word_name(in, DIAG_IN_CONSOLE_CA), why);
            diag_frame(f, t->client_cert_frame);
            diag_frame(f, a->frame);
            return;
        }
        if (v == 1) {
            f = diag_add(x, i, DIAG_C_CIRA_AMT_CERT_REJECTED,
                         "%s; AMT's chain verifies against %s, so the MPS refused it for "
                         "another reason (its validity at the MPS's clock, the device it names, "
                         "or roots other than those given)",
                         alert, diag_word_name(in, DIAG_IN_CONSOLE_CA));
            diag_frame(f, t->client_cert_frame);
            diag_frame(f, a->frame);
            return;
        }
    }
    f = diag_add(x, i, DIAG_C_CIRA_AMT_CERT_REJECTED,
                 "%s after AMT's certificate; the roots the MPS trusts (%s) would tell whether "
                 "the chain is the reason",
                 alert, diag_word_usage(in, DIAG_IN_CONSOLE_CA));
    f->confidence = DIAG_LIKELY;
    diag_frame(f, t->client_cert_frame);
    diag_frame(f, a->frame);
}

/* An alert the MPS answers a missing or refused client certificate with. */
static int is_client_cert_alert(int desc)
{
    return is_cert_alert(desc) || desc == DIAG_ALERT_HANDSHAKE_FAILURE ||
           desc == DIAG_ALERT_CERTIFICATE_REQUIRED || desc == DIAG_ALERT_ACCESS_DENIED;
}

static void tls(diag_ctx *x, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    if (!c->is_tls || c->tls.handshake_complete)
        return;
    const diag_alert *mps = diag_first_alert(c, DIAG_CIRA_MPS);
    const diag_alert *amt = diag_first_alert(c, DIAG_CIRA_AMT);
    int mps_first = mps && (!amt || mps->frame <= amt->frame);
    if (mps_first && !c->tls.server_hello)
        mps_refused(x, i, mps);
    else if (mps_first && (c->tls.cert_request || c->tls.cert_request_hidden) &&
             c->tls.client_cert != DIAG_CERT_ABSENT && is_client_cert_alert(mps->desc) &&
             mps->frame >= c->tls.client_cert_frame)
        mps_refused_cert(x, i, mps);
    else if (amt && is_cert_alert(amt->desc) && c->tls.server_cert != DIAG_CERT_ABSENT)
        amt_refused(x, i, amt);
}

/* What the first alert in a channel's TLS says of who refused what. */
static const char *chan_alert_story(const diag_cira_chan_tls *t, int *certain)
{
    *certain = 1;
    if (t->alert_from == DIAG_CIRA_AMT) {
        if (!t->server_hello_frame)
            return "AMT answered the console's ClientHello before any ServerHello: it shares "
                   "no TLS version or cipher suite with the console";
        if (t->cert_request_frame && t->client_cert_frame && t->client_cert_empty)
            return "AMT asked for the console's certificate (TLS mutual authentication) and "
                   "the console's Certificate held none";
        if (t->cert_request_frame && t->client_cert_frame)
            return "AMT asked for the console's certificate (TLS mutual authentication) and "
                   "refused the one it showed (its root, its validity at AMT's clock or the "
                   "extended key usage AMT wants: the console's certificate would tell)";
        if (t->cert_request_frame) {
            *certain = 0;
            return "AMT asked for the console's certificate (TLS mutual authentication); the "
                   "console's answer is encrypted (TLS 1.3: a key log of the console's session "
                   "would show it)";
        }
        *certain = 0;
        return "AMT ended the console's handshake";
    }
    if (is_cert_alert(t->alert_desc))
        return "the console refused AMT's certificate (not from a root the console trusts, "
               "or not issued to the name it called AMT by)";
    *certain = 0;
    return "the console ended its handshake with AMT";
}

/* A console's TLS session with AMT inside a channel (16993, 16995) that
 * ended in an alert before AMT sent any application data. While the
 * capture goes on, only once the channel closed: an alert alone may be
 * followed by more. */
static void chan_tls(diag_ctx *x, size_t i, unsigned k, const diag_cira_channel *ch)
{
    const diag_cira_chan_tls *t = &ch->tls;
    if (!ch->confirmed || !t->client_hello_frame || t->alert_from < 0 || t->alert_after_app_data ||
        (x->in->in_progress && !ch->close_frame))
        return;
    /* user_canceled and no_renegotiation are warnings a handshake survives */
    if (t->alert_desc == 90 || t->alert_desc == 100)
        return;
    int certain;
    const char *story = chan_alert_story(t, &certain);
    diag_finding *d = diag_add(
        x, i, DIAG_C_CIRA_CHANNEL_TLS_REFUSED,
        "channel %u of the tunnel (to AMT's port %u): %s; %s sent %s%s", k + 1, ch->port, story,
        t->alert_from == DIAG_CIRA_AMT ? "AMT" : "the console", diag_alert_text(t->alert_desc),
        ch->close_frame ? " and the channel was closed" : "");
    if (!certain)
        d->confidence = DIAG_LIKELY;
    diag_frame(d, t->client_hello_frame);
    if (t->cert_request_frame)
        diag_frame(d, t->cert_request_frame);
    if (t->client_cert_frame)
        diag_frame(d, t->client_cert_frame);
    diag_frame(d, t->alert_frame);
    if (ch->close_frame)
        diag_frame(d, ch->close_frame);
}

/* A console's TLS session in a channel not followed past AMT's
 * ServerHello: TLS 1.3 (or a resumed session) encrypts the rest of the
 * handshake and no key opened it, so neither AMT's refusal nor the session's content is in the
 * capture (in TLS 1.2 the handshake and its alerts are in the clear). */
static void chan_tls_hidden(diag_ctx *x, size_t i, unsigned k, const diag_cira_channel *ch)
{
    const diag_cira_chan_tls *t = &ch->tls;
    if (!ch->confirmed || !t->client_hello_frame || !t->server_hello_frame || t->amt_after_hello ||
        t->alert_from >= 0 || t->app_data[0] || t->app_data[1] ||
        (x->in->in_progress && !ch->close_frame))
        return;
    diag_finding *d =
        diag_add(x, i, DIAG_C_TLS_NOT_DECRYPTED,
                 "channel %u of the tunnel (to AMT's port %u): the console's TLS session was "
                 "not followed past AMT's ServerHello: the rest of its handshake is encrypted "
                 "(TLS 1.3, or a resumed session) and no key opened it, so whether AMT accepted "
                 "the console is not in the capture; the secrets of that session (%s) would "
                 "show it",
                 k + 1, ch->port, diag_word_usage(x->in, DIAG_IN_KEYLOG));
    diag_frame(d, t->client_hello_frame);
    diag_frame(d, t->server_hello_frame);
    if (ch->close_frame)
        diag_frame(d, ch->close_frame);
}

static void apf(diag_ctx *x, size_t i, const diag_cira_facts *f)
{
    const diag_conn_facts *c = &x->conns[i];
    if (f->auth_failure_frame) {
        diag_finding *d = diag_add(x, i, DIAG_C_CIRA_LOGIN_REJECTED,
                                   "the MPS answered the login of MPS user \"%s\" with "
                                   "UserAuthFailure",
                                   f->user);
        diag_frame(d, f->auth_frame);
        diag_frame(d, f->auth_failure_frame);
    }
    for (unsigned k = 0; k < f->n_channels; k++) {
        const diag_cira_channel *ch = &f->channels[k];
        if (!ch->answer_frame || ch->confirmed)
            continue;
        const char *reason = apf_open_failure_reason_name(ch->reason);
        diag_finding *d =
            diag_add(x, i, DIAG_C_CIRA_CHANNEL_OPEN_REFUSED,
                     "%s refused the channel the %s opened to port %u (%s, reason %u)",
                     ch->from == DIAG_CIRA_MPS ? "AMT" : "the MPS",
                     ch->from == DIAG_CIRA_MPS ? "MPS" : "AMT", ch->port,
                     reason ? reason : "unknown", ch->reason);
        diag_frame(d, ch->open_frame);
        diag_frame(d, ch->answer_frame);
    }
    for (unsigned k = 0; k < f->n_channels; k++) {
        chan_tls(x, i, k, &f->channels[k]);
        chan_tls_hidden(x, i, k, &f->channels[k]);
    }
    /* keep-alives unanswered until the tunnel ended (a tunnel that ended
     * is judged whole while the capture goes on: the plugin shows this on
     * the frame that ended it) */
    const diag_end *e = &diag_cr(x, i)->end;
    if (!f->ka_unanswered || e->by < 0)
        return;
    int64_t waited = c->last_ts_us - f->ka_first_unanswered_us;
    diag_finding *d =
        diag_add(x, i, DIAG_C_CIRA_KEEPALIVE_TIMEOUT,
                 "%u keep-alive request%s from AMT got no reply from the MPS "
                 "(the first %.1f s before the tunnel ended%s)",
                 f->ka_unanswered, f->ka_unanswered == 1 ? "" : "s", (double)waited / 1e6,
                 f->has_keepalive_options ? "" : "; the MPS's timeout is unknown");
    /* past the timeout the MPS asked for, the drop is the keep-alive's */
    if (!f->has_keepalive_options || waited < (int64_t)f->keepalive_timeout * 1000000 ||
        e->by != DIAG_CIRA_AMT)
        d->confidence = DIAG_LIKELY;
    diag_frame(d, f->ka_first_unanswered_frame);
    diag_frame(d, f->ka_last_request_frame);
    diag_frame(d, e->frame);
}

void diag_rules_cira(diag_ctx *x)
{
    for (size_t i = 0; i < x->n_conns; i++) {
        const diag_conn_facts *c = &x->conns[i];
        if (!diag_is_cira(c))
            continue;
        tcp(x, i);
        tls(x, i);
        if (c->cira)
            apf(x, i, c->cira);
    }
}

int diag_cira_decide(const diag_conn_facts *c, diag_conn_result *cr)
{
    const diag_cira_facts *f = c->cira;
    if (!diag_is_cira(c))
        return 0;
    if (!f || !(f->messages[0] || f->messages[1])) {
        /* encrypted and not decrypted: past TLS, the tunnel's fate is unknown */
        if (!(c->is_tls && c->tls.app_records[0] && c->tls.app_records[1] &&
              (c->tls.handshake_complete || c->midstream)))
            return 0;
        cr->stage = DIAG_STAGE_CIRA;
        cr->outcome = diag_has_error(cr) ? DIAG_OUTCOME_REJECTED : DIAG_OUTCOME_UNKNOWN;
        return 1;
    }
    cr->stage = DIAG_STAGE_CIRA;
    if (diag_has(cr, DIAG_C_CIRA_KEEPALIVE_TIMEOUT))
        cr->outcome = DIAG_OUTCOME_FAILED;
    else if (diag_has_error(cr))
        cr->outcome = DIAG_OUTCOME_REJECTED;
    else if (f->auth_success_frame)
        cr->outcome = DIAG_OUTCOME_OK;
    else
        cr->outcome = DIAG_OUTCOME_UNKNOWN;
    return 1;
}
