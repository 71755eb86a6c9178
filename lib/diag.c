/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag: runs the rule families over a capture's facts and decides, per
 * connection, the last stage reached and the outcome. */
#include "diag_int.h"

#include "amtdiag/diag_cira.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void finding_free(gpointer p)
{
    diag_finding *f = p;
    g_free(f->evidence);
    g_free(f);
}

static void conn_result_free(gpointer p)
{
    diag_conn_result *cr = p;
    g_ptr_array_free(cr->findings, TRUE);
    for (int i = 0; i < DIAG_N_RULES; i++) {
        g_free(cr->checklist[i].evidence);
        g_free(cr->checklist[i].settle);
    }
    g_free(cr->candidates);
    g_free(cr->visibility);
    g_free(cr);
}

diag_conn_result *diag_cr(diag_ctx *x, size_t i)
{
    return g_ptr_array_index(x->r->conns, i);
}

diag_finding *diag_add(diag_ctx *x, size_t i, diag_cause_id id, const char *fmt, ...)
{
    const diag_cause *cause = diag_cause_get(id);
    g_return_val_if_fail(cause != NULL, NULL);
    diag_finding *f = g_new0(diag_finding, 1);
    f->cause = cause;
    f->confidence = DIAG_CERTAIN;
    va_list ap;
    va_start(ap, fmt);
    f->evidence = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (i == (size_t)-1) {
        f->conn_id = -1;
        g_ptr_array_add(x->r->global, f);
    } else {
        f->conn_id = (int)x->conns[i].id;
        g_ptr_array_add(diag_cr(x, i)->findings, f);
    }
    return f;
}

void diag_frame(diag_finding *f, uint64_t frame)
{
    if (!f || !frame || f->n_frames >= DIAG_FRAMES_MAX)
        return;
    size_t at = f->n_frames;
    for (size_t i = 0; i < f->n_frames; i++) {
        if (f->frames[i] == frame)
            return;
        if (f->frames[i] > frame && at == f->n_frames)
            at = i;
    }
    /* kept in ascending order, as a reader scans a capture */
    memmove(&f->frames[at + 1], &f->frames[at], (f->n_frames - at) * sizeof f->frames[0]);
    f->frames[at] = frame;
    f->n_frames++;
}

int diag_has(const diag_conn_result *cr, diag_cause_id id)
{
    for (guint i = 0; i < cr->findings->len; i++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, i);
        if (f->cause->id == id)
            return 1;
    }
    return 0;
}

int diag_has_error(const diag_conn_result *cr)
{
    for (guint i = 0; i < cr->findings->len; i++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, i);
        if (f->cause->severity == DIAG_ERROR)
            return 1;
    }
    return 0;
}

int diag_console_spoke_http(const diag_conn_facts *c)
{
    static const char *const methods[] = {"GET ", "POST ", "PUT ", "HEAD ", "OPTIONS ", "DELETE "};
    for (size_t k = 0; k < G_N_ELEMENTS(methods); k++) {
        size_t n = strlen(methods[k]);
        if (c->n_console_head >= n && memcmp(c->console_head, methods[k], n) == 0)
            return 1;
    }
    return 0;
}

amt_service diag_service(const diag_conn_facts *c)
{
    return c->service != AMT_SERVICE_UNKNOWN ? c->service : amt_service_of_port(c->server_port);
}

const diag_alert *diag_first_alert(const diag_conn_facts *c, int from)
{
    for (size_t i = 0; i < c->tls.n_alerts; i++) {
        const diag_alert *a = &c->tls.alerts[i];
        if (a->from == from && a->desc != DIAG_ALERT_CLOSE_NOTIFY)
            return a;
    }
    return NULL;
}

int diag_amt_answered(const diag_conn_facts *c)
{
    for (size_t i = 0; i < c->n_ex; i++)
        if (c->ex[i].status > 0)
            return 1;
    /* Undecrypted: AMT sent application data records after the handshake. */
    return c->is_tls && !c->is_http && c->tls.app_records[DIAG_AMT] > 0;
}

GBytes *diag_server_key(const diag_conn_facts *c)
{
    uint8_t k[17];
    k[0] = (uint8_t)c->family;
    memcpy(k + 1, c->server_addr, 16);
    return g_bytes_new(k, c->family == 6 ? 17 : 5);
}

const char *diag_addr_text(int family, const uint8_t *addr, char *buf, size_t len)
{
    if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
        g_strlcpy(buf, "?", len);
    return buf;
}

int diag_parse_offset(const char *text, int64_t *out_s)
{
    if (!text || !*text)
        return -1;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || errno)
        return -1;
    int64_t unit = 1;
    if (*end == 's')
        end++;
    else if (*end == 'm')
        unit = 60, end++;
    else if (*end == 'h')
        unit = 3600, end++;
    else if (*end == 'd')
        unit = 86400, end++;
    if (*end || v > INT64_MAX / unit || v < INT64_MIN / unit)
        return -1;
    /* More than a century off is a typing error, not a clock. */
    if (llabs(v) * unit > 100LL * 366 * 86400)
        return -1;
    *out_s = (int64_t)v * unit;
    return 0;
}

/* ---- stage and outcome ----------------------------------------------------- */

/* Whether the exchanges carried credentials. */
static int sent_credentials(const diag_conn_facts *c)
{
    for (size_t i = 0; i < c->n_ex; i++)
        if (c->ex[i].authorization)
            return 1;
    return 0;
}

static const diag_exchange *last_answered(const diag_conn_facts *c)
{
    for (size_t i = c->n_ex; i-- > 0;)
        if (c->ex[i].status > 0)
            return &c->ex[i];
    return NULL;
}

static void decide(const diag_conn_facts *c, diag_conn_result *cr)
{
    /* a tunnel first: the redirection sessions in its channels are its own */
    if (diag_cira_decide(c, cr) || diag_redir_decide(c, cr))
        return;
    int data = c->bytes[0] || c->bytes[1];
    const diag_exchange *last = last_answered(c);
    if (!data) {
        cr->stage = DIAG_STAGE_TCP;
        cr->outcome = diag_has_error(cr) ? DIAG_OUTCOME_FAILED : DIAG_OUTCOME_UNKNOWN;
        return;
    }
    if (last) {
        /* a login refused before AMT read it (a 400 to an oversized token)
         * never got past the login either */
        cr->stage = last->status == 401 || diag_has(cr, DIAG_C_KERBEROS_TOKEN_TOO_LARGE)
                        ? DIAG_STAGE_HTTP_AUTH
                        : DIAG_STAGE_WSMAN;
    } else if (c->is_tls && !c->is_http && c->tls.app_records[DIAG_CONSOLE] > 0 &&
               c->tls.app_records[DIAG_AMT] > 0 && (c->tls.handshake_complete || c->midstream)) {
        /* Encrypted and not decrypted: AMT closes after a 401 (Connection:
         * close) and the console closes after it is done, so who closed
         * first tells the likely stage; the outcome stays unknown. */
        cr->stage = c->first_fin_from == DIAG_CONSOLE ? DIAG_STAGE_WSMAN : DIAG_STAGE_HTTP_AUTH;
        cr->outcome = diag_has_error(cr) ? DIAG_OUTCOME_REJECTED : DIAG_OUTCOME_UNKNOWN;
        return;
    } else {
        /* On a TLS service the first stage past TCP is TLS, whatever came */
        cr->stage =
            c->is_tls || amt_service_is_tls(diag_service(c)) ? DIAG_STAGE_TLS : DIAG_STAGE_TCP;
    }
    if (diag_has_error(cr)) {
        cr->outcome = DIAG_OUTCOME_REJECTED;
        return;
    }
    if (!last) {
        cr->outcome = DIAG_OUTCOME_UNKNOWN;
        return;
    }
    if (last->status == 401)
        cr->outcome = sent_credentials(c) ? DIAG_OUTCOME_REJECTED : DIAG_OUTCOME_CHALLENGE;
    else if (last->status >= 200 && last->status < 400)
        cr->outcome = DIAG_OUTCOME_OK;
    else
        cr->outcome = DIAG_OUTCOME_REJECTED;
}

int diag_gap_text(const diag_gap *g, char *buf, size_t len)
{
    const char *ooo = g->reordered ? " (the bytes come later in the capture, out of order, and "
                                     "were not put back in place)"
                                   : "";
    if (g->frame_before && g->frame_after)
        return g_snprintf(buf, len, "at frames %" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT "%s",
                          g->frame_before, g->frame_after, ooo);
    if (g->frame_before || g->frame_after)
        return g_snprintf(buf, len, "%s frame %" G_GUINT64_FORMAT "%s",
                          g->frame_after ? "before" : "after",
                          g->frame_after ? g->frame_after : g->frame_before, ooo);
    return g_snprintf(buf, len, "(place not known)%s", ooo);
}

/* Bytes of connection i missing from the capture: where, as far as known. */
static void capture_gap(diag_ctx *x, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    GString *s = g_string_new("the capture lacks bytes of this connection");
    int reordered = 0;
    for (size_t k = 0; k < c->n_gaps && k < 3; k++) {
        char at[256];
        diag_gap_text(&c->gaps[k], at, sizeof at);
        g_string_append_printf(s, "%s %s %s", k ? ";" : ":",
                               c->gaps[k].from == DIAG_AMT ? "from AMT" : "from the console", at);
        reordered |= c->gaps[k].reordered;
    }
    if (reordered)
        g_string_append(s, "; Wireshark's preference tcp.reassemble_out_of_order puts such "
                           "segments back");
    diag_finding *f = diag_add(x, i, DIAG_C_CAPTURE_GAP, "%s", s->str);
    g_string_free(s, TRUE);
    for (size_t k = 0; k < c->n_gaps && k < 3; k++)
        diag_frame(f, c->gaps[k].frame_after ? c->gaps[k].frame_after : c->gaps[k].frame_before);
}

/* Whether connection c plausibly worked although the capture cannot show
 * it: encrypted and not decrypted, AMT sent application data and the
 * console ended the connection, as it does when it is done. */
static int plausibly_worked(const diag_conn_facts *c, const diag_conn_result *cr)
{
    return c->is_tls && !c->is_http && c->tls.app_records[DIAG_AMT] > 0 &&
           c->tls.app_records[DIAG_CONSOLE] > 0 && cr->end.by != DIAG_AMT;
}

/* A connection without its SYN (the TCP capture started inside it) may
 * still hold its TLS handshake: only without a hello did the capture
 * start after the handshake. */
static int started_after_handshake(const diag_conn_facts *c)
{
    return c->midstream && !c->tls.client_hello_frame && !c->tls.server_hello_frame;
}

/* What the capture shows of a connection no rule explained, and what
 * would settle it. */
static void describe(const diag_conn_facts *c, const diag_conn_result *cr, GString *s)
{
    char end[256];
    diag_end_text(&cr->end, end, sizeof end);
    g_string_append_printf(s, "%s; %s", c->is_tls ? "TLS" : c->is_http ? "HTTP" : "TCP", end);
    if (started_after_handshake(c))
        g_string_append(s, "; the capture starts inside this connection: capture from before "
                           "the console connects");
    else if (c->is_tls && !c->tls.decrypted &&
             (c->tls.app_records[DIAG_CONSOLE] || c->tls.app_records[DIAG_AMT]))
        g_string_append(s, "; the session is encrypted: the console's key log (or AMT's RSA key "
                           "for a static-RSA suite) would show what it carried");
    else if (c->gap && c->n_gaps && c->gaps[0].reordered)
        g_string_append(s, "; segments are out of order in the capture and were not put back "
                           "in place: enable Wireshark's tcp.reassemble_out_of_order");
    else if (c->gap)
        g_string_append(s, "; bytes are missing from the capture: capture without the gap");
    else if (cr->end.by < 0)
        g_string_append(s, "; a longer capture would show how it ended");
    else if (diag_is_cira(c)) /* AMT is the client here */
        g_string_append(s, cr->end.by == DIAG_CIRA_MPS
                               ? "; the MPS's log would say why it ended the tunnel"
                               : "; AMT's event log would say why it ended the tunnel");
    else if (!c->bytes[DIAG_CONSOLE])
        g_string_append(s, "; the console sent nothing: its own log says why it gave up");
    else
        g_string_append(s, "; AMT's event log (or a capture on AMT's side) would say why");
}

/* No silent failure: a connection that did not work and that no rule
 * explained gets an "undiagnosed" finding saying what was seen. */
static void unexplained(diag_ctx *x, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    diag_conn_result *cr = diag_cr(x, i);
    if (cr->outcome == DIAG_OUTCOME_OK || cr->outcome == DIAG_OUTCOME_CHALLENGE)
        return;
    for (guint k = 0; k < cr->findings->len; k++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, k);
        if (f->cause->severity != DIAG_INFO)
            return;
    }
    /* Encrypted and not decrypted: the not-visible finding says what is
     * missing and which key would show it. */
    if (plausibly_worked(c, cr) || diag_has(cr, DIAG_C_TLS_NOT_DECRYPTED))
        return;
    GString *s = g_string_new(NULL);
    describe(c, cr, s);
    diag_finding *f = diag_add(x, i, DIAG_C_UNDIAGNOSED, "%s", s->str);
    g_string_free(s, TRUE);
    diag_frame(f, cr->end.after_frame);
    diag_frame(f, cr->end.frame);
}

/* Errors first, then warnings, then information; stable otherwise. */
static gint by_severity(gconstpointer a, gconstpointer b)
{
    const diag_finding *fa = *(diag_finding *const *)a, *fb = *(diag_finding *const *)b;
    return (int)fb->cause->severity - (int)fa->cause->severity;
}

/* What the capture does not show of connection c, and the key that would. */
static void visibility(const diag_conn_facts *c, diag_ctx *x, size_t i)
{
    diag_conn_result *cr = diag_cr(x, i);
    if (!c->is_tls || c->tls.decrypted ||
        (!c->tls.app_records[0] && !c->tls.app_records[1] && !c->tls.cert_request_hidden))
        return;
    GString *v = g_string_new(NULL);
    if (c->tls.cert_request_hidden || c->tls.client_cert == DIAG_CERT_HIDDEN)
        g_string_append_printf(v,
                               "TLS 1.3 encrypts the CertificateRequest and the console "
                               "certificate: a key log (%s) with CLIENT_HANDSHAKE_TRAFFIC_SECRET "
                               "and SERVER_HANDSHAKE_TRAFFIC_SECRET for this session would show "
                               "them. ",
                               diag_word_name(x->in, DIAG_IN_KEYLOG));
    const char *ks = c->tls.key_status_name ? c->tls.key_status_name : "";
    if (!strcmp(ks, "no-client-hello") || started_after_handshake(c))
        g_string_append(v, "The capture starts after this connection's TLS handshake, so no key "
                           "can decrypt it: capture from before the console connects.");
    else if (!strcmp(ks, "no-server-hello"))
        g_string_append(v, "AMT's ServerHello is not in the capture (version and suite unknown), "
                           "so no key can be applied: capture the whole handshake.");
    else if (!strcmp(ks, "mac-failure"))
        g_string_append(v, "The keys given do not decrypt this session (MAC or tag failure): "
                           "they belong to another session, or the capture is corrupt.");
    else if (diag_is_cira(c) && (c->tls.app_records[0] || c->tls.app_records[1]))
        g_string_append_printf(v,
                               "The APF tunnel (AMT's login to the MPS, the forwards, the channels "
                               "and keep-alives) is encrypted: supply a key log of the session "
                               "(%s), as the MPS can write one.",
                               diag_word_name(x->in, DIAG_IN_KEYLOG));
    else if (c->tls.app_records[0] || c->tls.app_records[1])
        g_string_append_printf(v,
                               "%s encrypted: supply the console's key log (%s), or the AMT's "
                               "RSA key (%s) when the suite is static RSA.",
                               diag_service(c) == AMT_SERVICE_REDIR_TLS
                                   ? "The redirection session (its login, SOL, IDE-R or KVM) is"
                                   : "The HTTP login and WS-Man calls are",
                               diag_word_name(x->in, DIAG_IN_KEYLOG),
                               diag_word_name(x->in, DIAG_IN_RSA_KEY));
    if (c->tls.key_status && *c->tls.key_status)
        g_string_append_printf(v, " (%s)", c->tls.key_status);
    cr->visibility = g_strstrip(g_string_free(v, FALSE));
    diag_finding *f = diag_add(x, i, DIAG_C_TLS_NOT_DECRYPTED, "%s", cr->visibility);
    diag_frame(f, c->tls.client_hello_frame);
}

diag_result *diag_judge(diag_know *k, const diag_conn_facts *conns, size_t n_conns)
{
    diag_result *r = g_new0(diag_result, 1);
    r->conns = g_ptr_array_new_with_free_func(conn_result_free);
    r->global = g_ptr_array_new_with_free_func(finding_free);
    diag_ctx x = {.conns = conns, .n_conns = n_conns, .in = k->in, .r = r, .k = k};
    for (size_t i = 0; i < n_conns; i++) {
        diag_conn_result *cr = g_new0(diag_conn_result, 1);
        cr->conn_id = conns[i].id;
        cr->findings = g_ptr_array_new_with_free_func(finding_free);
        diag_end_of(&conns[i], &cr->end);
        g_ptr_array_add(r->conns, cr);
    }
    diag_rules_net(&x);
    diag_rules_tls(&x);
    diag_rules_mtls(&x);
    diag_rules_login(&x);
    diag_rules_wsman(&x);
    diag_rules_redir(&x);
    diag_rules_cira(&x);
    for (size_t i = 0; i < n_conns; i++) {
        const diag_conn_facts *c = &conns[i];
        diag_conn_result *cr = diag_cr(&x, i);
        visibility(c, &x, i);
        if (c->gap)
            capture_gap(&x, i);
        decide(c, cr);
        /* A connection that ended is judged whole even while the capture goes on. */
        if (!x.in->in_progress || cr->end.by >= 0)
            unexplained(&x, i);
        g_ptr_array_sort(cr->findings, by_severity);
        if (diag_outcome_is_failure(cr->outcome))
            r->n_rejected++;
        if (cr->outcome != DIAG_OUTCOME_OK && cr->outcome != DIAG_OUTCOME_CHALLENGE)
            r->n_not_ok++;
        for (guint f = 0; f < cr->findings->len; f++)
            if (((diag_finding *)g_ptr_array_index(cr->findings, f))->cause->severity == DIAG_ERROR)
                r->n_errors++;
        if (!r->clock.known && !diag_is_cira(c)) {
            diag_clock ck;
            diag_clock_for(&x, c, &ck);
            if (ck.known)
                r->clock = ck;
        }
    }
    for (guint f = 0; f < r->global->len; f++)
        if (((diag_finding *)g_ptr_array_index(r->global, f))->cause->severity == DIAG_ERROR)
            r->n_errors++;
    return r;
}

diag_result *diag_run(const diag_conn_facts *conns, size_t n_conns, const diag_dns_facts *dns,
                      size_t n_dns, const diag_inputs *in)
{
    diag_know *k = diag_know_new(in);
    for (size_t i = 0; i < n_dns; i++)
        diag_know_dns(k, &dns[i]);
    for (size_t i = 0; i < n_conns; i++)
        diag_know_conn(k, &conns[i]);
    diag_result *r = diag_judge(k, conns, n_conns);
    diag_know_free(k);
    return r;
}

void diag_result_free(diag_result *r)
{
    if (!r)
        return;
    g_ptr_array_free(r->conns, TRUE);
    g_ptr_array_free(r->global, TRUE);
    g_free(r);
}

const diag_conn_result *diag_result_conn(const diag_result *r, unsigned conn_id)
{
    if (!r || !r->conns->len)
        return NULL;
    /* Ids usually equal positions; otherwise they ascend (the analyzer
     * numbers connections in order), so a binary search finds them. */
    if (conn_id < r->conns->len) {
        const diag_conn_result *cr = g_ptr_array_index(r->conns, conn_id);
        if (cr->conn_id == conn_id)
            return cr;
    }
    guint lo = 0, hi = r->conns->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        const diag_conn_result *cr = g_ptr_array_index(r->conns, mid);
        if (cr->conn_id == conn_id)
            return cr;
        if (cr->conn_id < conn_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* not sorted after all: look everywhere */
    for (guint i = 0; i < r->conns->len; i++) {
        const diag_conn_result *cr = g_ptr_array_index(r->conns, i);
        if (cr->conn_id == conn_id)
            return cr;
    }
    return NULL;
}
