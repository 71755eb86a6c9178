/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_end: who ended a connection, how, and after which step. Decided
 * before any rule asks why, from the order of the events in the capture:
 * each side's handshake messages, alerts, FIN and RST, application data,
 * requests and responses. A refusal is only ever blamed on the side that
 * ended the connection. */
#include "diag_int.h"

#include "amtdiag/diag_redir.h"
#include "amtdiag/tls_alerts.h"

const char *diag_step_name(int step)
{
    switch (step) {
    case DIAG_STEP_NONE:
        return "none";
    case DIAG_STEP_SYN:
        return "SYN";
    case DIAG_STEP_SYNACK:
        return "SYN-ACK";
    case DIAG_STEP_CONSOLE_BYTES:
        return "first bytes";
    case DIAG_STEP_APP_DATA:
        return "application data";
    case DIAG_STEP_REQUEST:
        return "request";
    case DIAG_STEP_RESPONSE:
        return "response";
    default:
        if (step >= DIAG_STEP_REDIR && step < DIAG_STEP_REDIR + 256) {
            const char *n = redir_msg_name((uint8_t)(step - DIAG_STEP_REDIR));
            return n ? n : "redirection message";
        }
        return step >= 0 && step < 256 ? amt_tls_hs_name(step) : "?";
    }
}

const char *diag_end_how_name(diag_end_how how)
{
    static const char *const names[] = {"open", "alert", "close_notify", "fin", "rst"};
    return (unsigned)how < G_N_ELEMENTS(names) ? names[how] : "?";
}

/* The latest step at or before frame: a step in the same frame as the
 * end came first (a segment's data precedes its FIN; an alert follows
 * the records before it). */
typedef struct last_step {
    uint64_t frame;
    int from, step;
} last_step;

static void consider(last_step *l, uint64_t limit, uint64_t frame, int from, int step)
{
    if (!frame || frame > limit || frame < l->frame)
        return;
    l->frame = frame;
    l->from = from;
    l->step = step;
}

static void after_what(const diag_conn_facts *c, diag_end *e)
{
    uint64_t limit = e->frame ? e->frame : UINT64_MAX;
    last_step l = {0, -1, DIAG_STEP_NONE};
    consider(&l, limit, c->syn_frame, DIAG_CONSOLE, DIAG_STEP_SYN);
    consider(&l, limit, c->synack_frame, DIAG_AMT, DIAG_STEP_SYNACK);
    if (!c->tls.client_hello) /* not TLS, or not TLS where TLS was due */
        consider(&l, limit, c->console_head_frame, DIAG_CONSOLE,
                 c->n_ex || diag_console_spoke_http(c) ? DIAG_STEP_REQUEST
                                                       : DIAG_STEP_CONSOLE_BYTES);
    for (size_t k = 0; k < c->tls.n_hs; k++)
        consider(&l, limit, c->tls.hs[k].frame, c->tls.hs[k].from, c->tls.hs[k].type);
    for (int d = 0; d < 2; d++)
        consider(&l, limit, c->tls.app_first_frame[d], d, DIAG_STEP_APP_DATA);
    for (size_t k = 0; k < c->n_ex; k++) {
        consider(&l, limit, c->ex[k].req_frame, DIAG_CONSOLE, DIAG_STEP_REQUEST);
        consider(&l, limit, c->ex[k].resp_frame, DIAG_AMT, DIAG_STEP_RESPONSE);
    }
    /* each side's last redirection message (earlier ones are not kept) */
    for (int d = 0; c->redir && d < 2; d++)
        consider(&l, limit, c->redir->last_frame[d], d, DIAG_STEP_REDIR + c->redir->last_type[d]);
    /* a tunnel's channels: their console is the MPS's side, the tunnel's
     * server (AMT is the tunnel's client) */
    for (size_t k = 0; c->redir_chans && k < c->redir_chans->n; k++) {
        const diag_redir_facts *r = c->redir_chans->chan[k];
        for (int d = 0; d < 2; d++)
            consider(&l, limit, r->last_frame[d], !d, DIAG_STEP_REDIR + r->last_type[d]);
    }
    e->after_from = l.from;
    e->after_step = l.step;
    e->after_frame = l.frame;
}

/* Replaces the end found so far when this event is earlier; at the same
 * frame an alert comes before the FIN or RST that carries it. */
static void earlier(diag_end *e, int by, diag_end_how how, uint64_t frame)
{
    if (!frame)
        return;
    if (e->by >= 0 && (frame > e->frame || (frame == e->frame && e->how <= how)))
        return;
    e->by = by;
    e->how = how;
    e->frame = frame;
}

void diag_end_of(const diag_conn_facts *c, diag_end *e)
{
    *e = (diag_end){.by = -1,
                    .how = DIAG_END_OPEN,
                    .after_from = -1,
                    .after_step = DIAG_STEP_NONE,
                    .cira = diag_is_cira(c)};
    for (size_t k = 0; k < c->tls.n_alerts; k++) {
        const diag_alert *a = &c->tls.alerts[k];
        earlier(e, a->from,
                a->desc == DIAG_ALERT_CLOSE_NOTIFY ? DIAG_END_CLOSE_NOTIFY : DIAG_END_ALERT,
                a->frame);
    }
    if (c->first_fin_from >= 0)
        earlier(e, c->first_fin_from, DIAG_END_FIN, c->first_fin_frame);
    if (c->rst_from >= 0)
        earlier(e, c->rst_from, DIAG_END_RST, c->rst_frame);
    after_what(c, e);
}

int diag_end_text(const diag_end *e, char *buf, size_t len)
{
    if (e->by < 0)
        return g_snprintf(buf, len, "the connection was still open when the capture ended");
    /* in a CIRA tunnel AMT is the client, its MPS the server */
    const char *server = e->cira ? "the MPS" : "AMT", *client = e->cira ? "AMT" : "the console";
    const char *who = e->by == DIAG_AMT ? server : client;
    const char *how = e->how == DIAG_END_ALERT          ? "a TLS alert"
                      : e->how == DIAG_END_CLOSE_NOTIFY ? "close_notify"
                      : e->how == DIAG_END_FIN          ? "a FIN"
                                                        : "a reset";
    if (e->after_step == DIAG_STEP_NONE)
        return g_snprintf(buf, len, "%s ended it with %s (frame %" G_GUINT64_FORMAT ")", who, how,
                          e->frame);
    return g_snprintf(buf, len,
                      "%s ended it with %s (frame %" G_GUINT64_FORMAT
                      ") after %s's %s (frame %" G_GUINT64_FORMAT ")",
                      who, how, e->frame, e->after_from == DIAG_AMT ? server : client,
                      diag_step_name(e->after_step), e->after_frame);
}
