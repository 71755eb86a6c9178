/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_cira_build: a CIRA tunnel's facts, message by message. */
#include "amtdiag/diag_cira.h"
#include "amtdiag/tls_alerts.h"

#include <glib.h>
#include <string.h>

void diag_cira_init(diag_cira_facts *f)
{
    memset(f, 0, sizeof *f);
    f->disconnect_from = -1;
}

/* The channel a message from side from to recipient (the number the
 * receiving side chose for it) belongs to: the opener's number when the
 * other side sends, the answerer's when the opener does. The latest
 * channel first: a side may reuse a number once its channel closed. */
static diag_cira_channel *channel_for(diag_cira_facts *f, int from, uint32_t recipient)
{
    for (unsigned i = f->n_channels; i-- > 0;) {
        diag_cira_channel *c = &f->channels[i];
        if (c->from != from ? c->sender == recipient
                            : c->answer_frame && c->confirmed && c->answerer == recipient)
            return c;
    }
    return NULL;
}

void diag_cira_message(diag_cira_facts *f, uint64_t frame, int64_t ts_us, int from,
                       const uint8_t *msg, size_t len)
{
    if (from != DIAG_CIRA_AMT && from != DIAG_CIRA_MPS)
        return;
    apf_msg m;
    if (apf_parse(msg, len, &m) != 0)
        return;
    f->messages[from]++;
    switch (m.type) {
    case APF_PROTOCOL_VERSION:
        if (!f->version_frame) {
            f->version_frame = frame;
            f->major = m.major;
            f->minor = m.minor;
        }
        break;
    case APF_USERAUTH_REQUEST:
        f->auth_frame = frame;
        g_strlcpy(f->user, m.user, sizeof f->user);
        break;
    case APF_USERAUTH_SUCCESS:
        f->auth_success_frame = frame;
        break;
    case APF_USERAUTH_FAILURE:
        f->auth_failure_frame = frame;
        break;
    case APF_GLOBAL_REQUEST:
        if (!strcmp(m.name, "tcpip-forward")) {
            f->forwards_asked++;
            if (!f->forward_frame)
                f->forward_frame = frame;
        }
        break;
    case APF_REQUEST_SUCCESS:
        if (m.has_port)
            f->forwards_granted++;
        break;
    case APF_KEEPALIVE_OPTIONS_REQUEST:
        f->has_keepalive_options = 1;
        f->keepalive_interval = m.interval;
        f->keepalive_timeout = m.timeout;
        f->keepalive_options_frame = frame;
        break;
    case APF_KEEPALIVE_REQUEST:
        if (from == DIAG_CIRA_AMT) {
            f->ka_requests++;
            if (!f->ka_unanswered++) {
                f->ka_first_unanswered_frame = frame;
                f->ka_first_unanswered_us = ts_us;
            }
            f->ka_last_request_frame = frame;
        }
        break;
    case APF_KEEPALIVE_REPLY:
        if (from == DIAG_CIRA_MPS) {
            f->ka_replies++;
            f->ka_unanswered = 0;
            f->ka_first_unanswered_frame = 0;
        }
        break;
    case APF_CHANNEL_OPEN:
        if (f->n_channels == DIAG_CIRA_MAX_CHANNELS) {
            f->channels_dropped++;
        } else {
            diag_cira_channel *c = &f->channels[f->n_channels++];
            memset(c, 0, sizeof *c);
            c->open_frame = frame;
            c->from = from;
            c->sender = m.sender;
            c->port = m.port;
            c->tls.alert_from = -1;
            g_strlcpy(c->target, m.address, sizeof c->target);
        }
        break;
    case APF_CHANNEL_OPEN_CONFIRMATION:
    case APF_CHANNEL_OPEN_FAILURE: {
        diag_cira_channel *c = channel_for(f, from, m.recipient);
        if (c && !c->answer_frame && c->from != from) {
            c->answer_frame = frame;
            c->confirmed = m.type == APF_CHANNEL_OPEN_CONFIRMATION;
            c->reason = m.reason;
            c->answerer = m.sender;
        }
        break;
    }
    case APF_CHANNEL_DATA: {
        diag_cira_channel *c = channel_for(f, from, m.recipient);
        if (c)
            c->data[from] += m.data_len;
        break;
    }
    case APF_CHANNEL_CLOSE: {
        diag_cira_channel *c = channel_for(f, from, m.recipient);
        if (c && !c->close_frame)
            c->close_frame = frame;
        break;
    }
    case APF_DISCONNECT:
        if (f->disconnect_from < 0) {
            f->disconnect_from = from;
            f->disconnect_reason = m.reason;
            f->disconnect_frame = frame;
        }
        break;
    default:
        break;
    }
    apf_msg_clear(&m);
}

/* The channel the tools number ordinal, when its facts are kept (the
 * first DIAG_CIRA_MAX_CHANNELS opened). */
static diag_cira_chan_tls *chan_tls(diag_cira_facts *f, unsigned ordinal, int from)
{
    if (!f || (from != DIAG_CIRA_AMT && from != DIAG_CIRA_MPS) || ordinal == 0 ||
        ordinal > f->n_channels)
        return NULL;
    return &f->channels[ordinal - 1].tls;
}

void diag_cira_chan_handshake(diag_cira_facts *f, unsigned ordinal, int from, uint64_t frame,
                              int hs_type, unsigned certs)
{
    diag_cira_chan_tls *t = chan_tls(f, ordinal, from);
    if (!t)
        return;
    /* the console behind the MPS is the TLS client, AMT the server */
    int console = from == DIAG_CIRA_MPS;
    /* what follows the ServerHello is seen in TLS 1.2, or decrypted */
    if (!console && t->server_hello_frame && hs_type != 2)
        t->amt_after_hello++;
    switch (hs_type) {
    case 1: /* ClientHello */
        if (console && !t->client_hello_frame)
            t->client_hello_frame = frame;
        break;
    case 2: /* ServerHello */
        if (!console && !t->server_hello_frame)
            t->server_hello_frame = frame;
        break;
    case 13: /* CertificateRequest */
        if (!console && !t->cert_request_frame)
            t->cert_request_frame = frame;
        break;
    case 11: /* Certificate */
        if (console && !t->client_cert_frame) {
            t->client_cert_frame = frame;
            t->client_cert_empty = certs == 0;
        }
        break;
    default:
        break;
    }
}

void diag_cira_chan_alert(diag_cira_facts *f, unsigned ordinal, int from, uint64_t frame, int desc)
{
    diag_cira_chan_tls *t = chan_tls(f, ordinal, from);
    if (!t || desc == 0 /* close_notify */ || t->alert_from >= 0)
        return;
    t->alert_from = from;
    t->alert_desc = desc;
    t->alert_frame = frame;
    t->alert_after_app_data = t->app_data[DIAG_CIRA_AMT] > 0;
}

void diag_cira_chan_app_data(diag_cira_facts *f, unsigned ordinal, int from, uint64_t frame)
{
    (void)frame;
    diag_cira_chan_tls *t = chan_tls(f, ordinal, from);
    if (t)
        t->app_data[from]++;
}

void diag_cira_unframed(diag_cira_facts *f, uint64_t frame, int from, size_t len)
{
    if (from != DIAG_CIRA_AMT && from != DIAG_CIRA_MPS)
        return;
    if (!f->unframed[from])
        f->unframed_frame[from] = frame;
    f->unframed[from] += (unsigned)len;
}

int diag_cira_summary(const diag_cira_facts *f, char *buf, size_t len)
{
    GString *s = g_string_new(NULL);
    if (f->auth_frame)
        g_string_append_printf(s, "MPS user \"%s\" %s", f->user,
                               f->auth_success_frame   ? "logged in"
                               : f->auth_failure_frame ? "refused (UserAuthFailure)"
                                                       : "asked to log in, no answer seen");
    else
        g_string_append(s, f->version_frame ? "no login seen" : "no APF login seen");
    if (f->forwards_asked)
        g_string_append_printf(s, "; %u of %u forwards granted", f->forwards_granted,
                               f->forwards_asked);
    if (f->has_keepalive_options)
        g_string_append_printf(s, "; keep-alive every %u s, timeout %u s", f->keepalive_interval,
                               f->keepalive_timeout);
    if (f->ka_requests)
        g_string_append_printf(s, "%s%u keep-alive request%s, %u repl%s",
                               f->has_keepalive_options ? ": " : "; ", f->ka_requests,
                               f->ka_requests == 1 ? "" : "s", f->ka_replies,
                               f->ka_replies == 1 ? "y" : "ies");
    for (unsigned k = 0; k < f->n_channels; k++) {
        const diag_cira_channel *c = &f->channels[k];
        const char *r = apf_open_failure_reason_name(c->reason);
        g_string_append_printf(s, "; channel to %u %s", c->port,
                               !c->answer_frame ? "not answered"
                               : c->confirmed   ? "confirmed"
                                                : "refused");
        if (c->answer_frame && !c->confirmed)
            g_string_append_printf(s, " (%s)", r ? r : "unknown reason");
        const diag_cira_chan_tls *t = &c->tls;
        if (t->alert_from >= 0)
            g_string_append_printf(s, ", its TLS ended by %s's %s alert%s",
                                   t->alert_from == DIAG_CIRA_AMT ? "AMT" : "the console",
                                   amt_tls_alert_name(t->alert_desc),
                                   t->alert_after_app_data ? " after application data" : "");
    }
    if (f->disconnect_from >= 0) {
        const char *r = apf_disconnect_reason_name(f->disconnect_reason);
        g_string_append_printf(s, "; Disconnect from %s (%s)",
                               f->disconnect_from == DIAG_CIRA_AMT ? "AMT" : "the MPS",
                               r ? r : "unknown reason");
    }
    int n = (int)s->len;
    g_strlcpy(buf, s->str, len);
    g_string_free(s, TRUE);
    return n;
}
