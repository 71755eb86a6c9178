/* SPDX-License-Identifier: GPL-2.0-or-later */
/* analysis: wires the layers together. Per input file: libpcap frames are
 * decoded, UDP/53 goes to the DNS parser and TCP to the flow table, whose
 * in-order bytes go to TLS (then its plaintext) or straight to HTTP or the
 * redirection protocol; HTTP exchanges are decoded as SOAP and kept as
 * records, redirection messages go into lib's facts of their connection. */
#include "analysis.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "amtdiag/amt_ports.h"
#include "amtdiag/apf.h"
#include "amtdiag/apf_chan.h"
#include "amtdiag/cursor.h"
#include "amtdiag/diag_cert.h"
#include "amtdiag/digests.h"
#include "amtdiag/soap.h"
#include "analysis_conn.h"
#include "capture/capture.h"
#include "dns/dns_msg.h"
#include "app_detect.h"
#include "http/http_conn.h"
#include "jobs.h"
#include "krb/kdc.h"
#include "krb_marks.h"
#include "cira/apf_stream.h"
#include "live_keep.h"
#include "options.h"
#include "read_ahead.h"
#include "redir/redir_stream.h"

/* Per-file state of a run. */
typedef struct file_run {
    analysis *a;
    const char *file;
    flow_table *flows;
    kdc_tap *kdc;         /* port 88: Kerberos */
    uint64_t kdc_dropped; /* Kerberos messages past KDC_MSGS_MAX */
    int64_t last_expire_us;
    conn_run conn;        /* the connections' layers, when one thread runs them */
    int64_t last_time_us; /* when on_time was last called */
} file_run;

/* What a connection needs while its flow is open. */
struct conn_state {
    conn_run *run;   /* the thread's that runs its layers */
    unsigned worker; /* -j: the worker it is routed to (jobs.h) */
    conn_rec *rec;
    http_conn *http;
    redir_stream *redir; /* the redirection protocol, plain or inside TLS */
    apf_stream *apf;     /* a CIRA tunnel's APF, out of TLS */
    /* a tunnel's channels (lib's apf_chan) and what each carries, parsed
     * as a console's connection to AMT would be (the MPS's side asks) */
    apf_chan_table chans;
    struct chan_parser *chan[APF_CHAN_MAX];
    app_hold *hold; /* first bytes, until they say what the connection carries */
    int classified; /* ... they did (or the connection is neither TLS nor HTTP) */
};

void analysis_init(analysis *a)
{
    memset(a, 0, sizeof *a);
    a->keys = tls_keys_new();
    a->conns = g_ptr_array_new_with_free_func((GDestroyNotify)conn_rec_free);
    a->dns = g_ptr_array_new_with_free_func((GDestroyNotify)dns_rec_free);
    a->krb = g_ptr_array_new_with_free_func((GDestroyNotify)krb_rec_free);
    a->warnings = g_ptr_array_new_with_free_func(g_free);
    a->inputs = g_ptr_array_new_with_free_func(g_free);
    a->cira_ports[a->n_cira_ports++] = AMT_PORT_CIRA;
}

int analysis_is_cira_port(const analysis *a, uint16_t port)
{
    for (unsigned i = 0; i < a->n_cira_ports; i++)
        if (a->cira_ports[i] == port)
            return 1;
    return 0;
}

void analysis_free(analysis *a)
{
    /* TLS connections refer to the keys: free them first. */
    g_ptr_array_free(a->conns, TRUE);
    g_ptr_array_free(a->dns, TRUE);
    g_ptr_array_free(a->krb, TRUE);
    g_ptr_array_free(a->warnings, TRUE);
    g_ptr_array_free(a->inputs, TRUE);
    g_queue_clear_full(&a->ahead, (GDestroyNotify)read_ahead_free);
    tls_keys_free(a->keys);
    idm_free(a->marks);
    memset(a, 0, sizeof *a);
}

static void warn(analysis *a, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void warn(analysis *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (++a->n_warnings > ANALYSIS_WARNINGS_KEPT) {
        g_free(msg);
        return;
    }
    g_ptr_array_add(a->warnings, msg);
    if (a->on_warning)
        a->on_warning(a->ui_ctx, msg);
}

static int add_keylog_text(analysis *a, const char *text, size_t len, const char *source)
{
    unsigned bad = 0, first_bad = 0;
    int n = tls_keys_add_keylog(a->keys, text, len, source, &bad, &first_bad);
    if (bad)
        warn(a, "%s: %u line(s) are not key log lines and were skipped (the first: line %u)",
             source, bad, first_bad);
    return n;
}

amt_rc analysis_add_keylog_file(analysis *a, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return amt_fail(&a->err, AMT_E_INPUT, "%s: %s", path, g_strerror(errno));
    char *base = g_path_get_basename(path);
    unsigned bad = 0, first_bad = 0;
    int n = tls_keys_add_keylog_file(a->keys, f, base, &bad, &first_bad);
    amt_rc rc = AMT_OK;
    if (n < 0)
        rc = amt_fail(&a->err, AMT_E_INPUT, "%s: reading failed: %s", path, g_strerror(errno));
    else if (bad)
        warn(a, "%s: %u line(s) are not key log lines and were skipped (the first: line %u)", base,
             bad, first_bad);
    if (n == 0)
        warn(a, "%s: no TLS secrets in this key log", path);
    g_free(base);
    fclose(f);
    return rc;
}

amt_rc analysis_add_psk(analysis *a, const char *spec)
{
    char *id = NULL;
    uint8_t key[512];
    size_t len = 0;
    amt_rc rc = AMT_OK;
    if (options_psk_parse(spec, &id, key, sizeof key, &len) != 0 ||
        tls_keys_add_psk(a->keys, id, key, len) != 0)
        rc = amt_fail(&a->err, AMT_E_USAGE, "--psk: not [IDENTITY:]HEX");
    OPENSSL_cleanse(key, sizeof key);
    g_free(id);
    return rc;
}

amt_rc analysis_add_rsa_key(analysis *a, const char *path, const char *password)
{
    return tls_keys_add_rsa_file(a->keys, path, password, &a->err);
}

/* ---- HTTP and SOAP into records ------------------------------------------ */

static char *str_dup(http_str s)
{
    return s.ptr ? g_strndup(s.ptr, s.len) : NULL;
}

/* Whether a SOAP field carries a secret (AddUserAclEntryEx's
 * DigestPassword, SetMEBxPassword's Password, …): reports never show it. */
static int secret_field(const char *name)
{
    char *low = g_ascii_strdown(name, -1);
    int secret = strstr(low, "password") || strstr(low, "passphrase") || strstr(low, "secret");
    g_free(low);
    return secret;
}

/* Whether a credentials header value uses the Basic scheme, however the
 * client spells and spaces it ("basic<TAB>…", "Basic" alone). */
static int is_basic(http_str s)
{
    size_t i = 0;
    while (i < s.len && (s.ptr[i] == ' ' || s.ptr[i] == '\t'))
        i++;
    if (s.len - i < 5 || g_ascii_strncasecmp(s.ptr + i, "Basic", 5) != 0)
        return 0;
    i += 5;
    return i == s.len || s.ptr[i] == ' ' || s.ptr[i] == '\t';
}

/* Basic credentials are a password in base64: keep the scheme only. */
static char *auth_dup(http_str s)
{
    if (s.ptr && is_basic(s))
        return g_strdup("Basic [credentials hidden]");
    return str_dup(s);
}

static int header_is(const http_header *h, const char *name)
{
    return h->name.len == strlen(name) && g_ascii_strncasecmp(h->name.ptr, name, h->name.len) == 0;
}

/* Headers that carry credentials: their Basic passwords are never kept. */
static int credentials_header(const http_header *h)
{
    return header_is(h, "Authorization") || header_is(h, "Proxy-Authorization");
}

/* Marks the identifying values of a header (for --redact): every value
 * of the authentication headers, cookies, the hosts of URLs. */
static void mark_header(id_marks *m, const http_header *h)
{
    static const char *const auth[] = {"Authorization",       "Proxy-Authorization",
                                       "WWW-Authenticate",    "Proxy-Authenticate",
                                       "Authentication-Info", "Proxy-Authentication-Info"};
    static const char *const urls[] = {"Location", "Content-Location", "Referer", "Origin"};
    if (!m || !h->value.ptr)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(auth); i++)
        if (header_is(h, auth[i]))
            idm_mark_auth(m, h->value.ptr, h->value.len);
    if (header_is(h, "Cookie") || header_is(h, "Set-Cookie")) {
        idm_mark(m, ID_TOKEN, h->value.ptr, h->value.len);
        char *v = str_dup(h->value);
        char **pairs = g_strsplit(v, ";", -1);
        for (char **p = pairs; *p; p++) {
            char *eq = strchr(*p, '=');
            if (eq)
                idm_mark_str(m, ID_TOKEN, g_strstrip(eq + 1));
        }
        g_strfreev(pairs);
        g_free(v);
    }
    if (header_is(h, "Host")) {
        char *v = str_dup(h->value);
        idm_mark_host(m, g_strstrip(v));
        g_free(v);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(urls); i++)
        if (header_is(h, urls[i])) {
            char *v = str_dup(h->value);
            idm_mark_url(m, v);
            g_free(v);
        }
}

/* Whether a SOAP field names the site (AMT's host and domain names, its
 * addresses, user names, trusted common names, serials): such values are
 * marked for --redact. */
static int names_site(const char *field)
{
    static const char *const parts[] = {"name",    "fqdn",       "dns",   "domain",     "host",
                                        "address", "gateway",    "user",  "realm",      "trustedcn",
                                        "serial",  "commonname", "guid",  "uuid",       "url",
                                        "subject", "issuer",     "email", "description"};
    char *low = g_ascii_strdown(field, -1);
    int site = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(parts) && !site; i++)
        site = strstr(low, parts[i]) != NULL;
    if (strstr(low, "classname"))
        site = 0; /* CreationClassName: a class, not the site */
    g_free(low);
    return site;
}

/* Marks the site-naming values of SOAP fields; numbers and booleans name
 * nothing and would take every such word out of a redacted report. */
static void mark_soap_fields(id_marks *m, const soap_pair *f, size_t n)
{
    for (size_t i = 0; m && i < n; i++) {
        const char *v = f[i].value;
        if (!v || !names_site(f[i].name) || !g_ascii_strcasecmp(v, "true") ||
            !g_ascii_strcasecmp(v, "false") || strspn(v, "0123456789") == strlen(v))
            continue;
        if (strchr(v, '.') && !strchr(v, ' '))
            idm_mark_host(m, v);
        else
            idm_mark_str(m, ID_SITE, v);
    }
}

/* The AMT settings the diagnosis reads from answers: AMT's clock (the
 * time-synchronization service's Ta0) and the trusted FQDN list. */
static void soap_settings_to_rec(const soap_msg *s, soap_rec *r, id_marks *marks)
{
    const char *ta0 = soap_field(s, "Ta0");
    if (ta0 && s->body_name && g_str_has_prefix(s->body_name, "GetLowAccuracyTimeSynch")) {
        char *end = NULL;
        gint64 t = g_ascii_strtoll(ta0, &end, 10);
        if (end && !*end && t > 0) {
            r->has_amt_time = 1;
            r->amt_time = t;
        }
    }
    GString *cn = g_string_new(NULL);
    mark_soap_fields(marks, s->fields, s->n_fields);
    mark_soap_fields(marks, s->selectors, s->n_selectors);
    idm_mark_url(marks, s->to);
    for (size_t k = 0; k < s->n_items; k++)
        mark_soap_fields(marks, s->items[k].fields, s->items[k].n_fields);
    for (size_t i = 0; i < s->n_fields; i++)
        if (s->fields[i].value && strcmp(s->fields[i].name, "TrustedCN") == 0)
            g_string_append_printf(cn, "%s%s", cn->len ? ", " : "", s->fields[i].value);
    for (size_t k = 0; k < s->n_items; k++)
        for (size_t i = 0; i < s->items[k].n_fields; i++)
            if (s->items[k].fields[i].value && strcmp(s->items[k].fields[i].name, "TrustedCN") == 0)
                g_string_append_printf(cn, "%s%s", cn->len ? ", " : "",
                                       s->items[k].fields[i].value);
    r->trusted_cn = cn->len ? g_string_free(cn, FALSE) : (g_string_free(cn, TRUE), NULL);
}

/* A body that fits the SOAP decoder is always kept whole. */
_Static_assert(HTTP_DEFAULT_MAX_BODY >= SOAP_MAX_INPUT, "bodies the decoder reads are kept");

static void soap_to_rec(const http_message *m, soap_rec *r, id_marks *marks)
{
    if (!m->body_len || !m->content_type.ptr)
        return;
    /* AMT's SOAP is application/soap+xml (WS-Man) or text/xml (EOI). */
    char *ct = g_ascii_strdown(m->content_type.ptr, (gssize)m->content_type.len);
    int xml = strstr(ct, "soap+xml") || strstr(ct, "text/xml") || strstr(ct, "application/xml");
    g_free(ct);
    if (!xml)
        return;
    soap_msg s;
    char err[256] = "";
    if (m->flags & HTTP_MSG_BODY_TRUNCATED) {
        /* only a prefix was kept: the decoder's own refusal, with the
         * body's whole length */
        r->error = g_strdup_printf("document too large (%" PRIu64 " bytes, limit %u)",
                                   m->body_total, SOAP_MAX_INPUT);
        r->kind = g_strdup("unknown");
        return;
    }
    int rc = soap_decode((const char *)m->body, m->body_len, &s, err, sizeof err);
    r->present = rc == 0 || s.kind != SOAP_KIND_UNKNOWN;
    if (rc != 0)
        r->error = g_strdup(err);
    r->kind = g_strdup(s.kind == SOAP_KIND_WSMAN    ? "wsman"
                       : s.kind == SOAP_KIND_EOI    ? "eoi"
                       : s.kind == SOAP_KIND_SOAP11 ? "soap11"
                                                    : "unknown");
    r->action = g_strdup(s.action);
    r->action_name = g_strdup(s.action_name);
    r->class_name = g_strdup(s.resource_class);
    r->message_id = g_strdup(s.message_id);
    r->relates_to = g_strdup(s.relates_to);
    r->body_name = g_strdup(s.body_name);
    r->enumeration_context = g_strdup(s.enumeration_context);
    r->n_items = (unsigned)s.n_items_total;
    if (s.n_fields) {
        GString *f = g_string_new(NULL);
        for (size_t i = 0; i < s.n_fields && i < 8; i++)
            g_string_append_printf(f, "%s%s=%s", i ? "; " : "", s.fields[i].name,
                                   secret_field(s.fields[i].name) ? "[hidden]"
                                   : s.fields[i].value            ? s.fields[i].value
                                                                  : "");
        if (s.n_fields_total > 8)
            g_string_append_printf(f, "; … (%zu fields)", s.n_fields_total);
        r->fields = g_string_free(f, FALSE);
    }
    r->has_return_value = s.has_return_value;
    r->return_value = s.return_value;
    r->return_value_name = g_strdup(s.return_value_name);
    r->is_fault = s.is_fault;
    r->fault_code = g_strdup(s.fault_code.local);
    r->fault_subcode = g_strdup(s.fault_subcode.local);
    r->fault_subcode_ns = g_strdup(s.fault_subcode.ns);
    r->fault_reason = g_strdup(s.fault_reason);
    r->eoi_service = g_strdup(s.eoi_service);
    r->eoi_method = g_strdup(s.eoi_method);
    r->has_status_code = s.has_status_code;
    r->status_code = s.status_code;
    r->status_name = g_strdup(s.status_name);
    soap_settings_to_rec(&s, r, marks);
    soap_msg_clear(&s);
}

static void msg_to_rec(const http_message *m, http_msg_rec *r, id_marks *marks, int lean)
{
    r->present = m->present;
    if (!m->present)
        return;
    r->complete = m->complete;
    r->flags = m->flags;
    r->first_frame = m->first_frame;
    r->last_frame = m->last_frame;
    r->method = str_dup(m->method);
    r->target = str_dup(m->target);
    r->status = m->status;
    r->reason = str_dup(m->reason);
    r->authorization = auth_dup(m->authorization);
    r->www_authenticate = str_dup(m->www_authenticate);
    r->content_type = str_dup(m->content_type);
    r->server = str_dup(m->server);
    r->date = str_dup(m->date);
    r->connection = str_dup(m->connection);
    r->host = str_dup(m->host);
    if (!lean)
        r->headers = g_ptr_array_new_with_free_func(g_free);
    if (r->target && strstr(r->target, "://"))
        idm_mark_url(marks, r->target); /* a request to a proxy names the host */
    for (size_t i = 0; i < m->n_headers; i++) {
        const http_header *h = &m->headers[i];
        mark_header(marks, h);
        if (lean)
            continue;
        char *value = credentials_header(h) ? auth_dup(h->value) : str_dup(h->value);
        g_ptr_array_add(r->headers,
                        g_strdup_printf("%.*s: %s", (int)h->name.len, h->name.ptr, value));
        g_free(value);
    }
    r->body_len = m->body_total;
    if (!lean && !(m->flags & HTTP_MSG_BODY_TRUNCATED)) {
        unsigned char md[32];
        unsigned int mdlen = 0;
        EVP_Digest(m->body ? m->body : (const unsigned char *)"", m->body_len, md, &mdlen,
                   amt_digest_sha256(), NULL);
        hex_encode(md, mdlen < 32 ? mdlen : 32, r->body_sha256);
    }
    soap_to_rec(m, &r->soap, marks);
}

static void on_exchange(void *ctx, const http_exchange *x)
{
    conn_state *cs = ctx;
    http_rec *h = g_new0(http_rec, 1);
    h->seq = x->seq;
    h->interim_status = x->n_interim ? x->interim_status : 0;
    const analysis *a = cs->run->a;
    msg_to_rec(&x->request, &h->req, a->marks, a->lean_http);
    msg_to_rec(&x->response, &h->resp, a->marks, a->lean_http);
    mark_krb_login(cs->run->a->marks, h->req.authorization, h->resp.www_authenticate,
                   cs->run->a->krb_keys);
    h->resp_ts_us = cs->run->now_us;
    g_ptr_array_add(cs->rec->http, h);
}

static void on_http_error(void *ctx, int dir, uint32_t frame, const char *reason)
{
    conn_state *cs = ctx;
    g_ptr_array_add(cs->rec->notes, g_strdup_printf("frame %u: HTTP %s: %s", frame,
                                                    dir ? "response" : "request", reason));
}

static const http_callbacks http_cb = {on_exchange, on_http_error};

/* ---- the redirection protocol into lib's facts --------------------------- */

static diag_redir_facts *redir_facts(conn_rec *r)
{
    if (!r->redir) {
        r->redir = g_new(diag_redir_facts, 1);
        diag_redir_init(r->redir);
        r->redir_lines = g_array_new(FALSE, FALSE, sizeof(redir_line));
    }
    return r->redir;
}

static void redir_lines_add(conn_rec *r, int dir, uint64_t frame, const char *text)
{
    if (r->redir_lines->len >= CONN_REDIR_LINES_MAX) {
        r->redir_more++;
        return;
    }
    redir_line l = {frame, dir, ""};
    g_strlcpy(l.text, text, sizeof l.text);
    g_array_append_val(r->redir_lines, l);
}

/* Marks what a login names (for --redact): the user, the realm, nonces
 * and the response, as for an HTTP Authorization header. */
static void mark_redir_login(id_marks *m, const uint8_t *msg, size_t len)
{
    redir_auth a;
    if (!m || redir_auth_parse(msg, len, &a) != 0)
        return;
    const http_auth *d = &a.digest;
    idm_mark_str(m, ID_USER, a.user);
    idm_mark_str(m, ID_USER, d->username);
    idm_mark_str(m, ID_REALM, d->realm);
    idm_mark_str(m, ID_NONCE, d->nonce);
    idm_mark_str(m, ID_CNONCE, d->cnonce);
    idm_mark_str(m, ID_RESPONSE, d->response);
    OPENSSL_cleanse(&a, sizeof a);
}

static void on_redir_message(void *ctx, int dir, const uint8_t *msg, size_t len, uint64_t frame)
{
    conn_state *cs = ctx;
    if (msg[0] == REDIR_AUTHENTICATE || msg[0] == REDIR_AUTHENTICATE_REPLY)
        mark_redir_login(cs->run->a->marks, msg, len);
    diag_redir_facts *f = redir_facts(cs->rec);
    /* the session before this message: KVM's start reads differently */
    redir_session session = diag_redir_session(f);
    diag_redir_message(f, frame, dir ? DIAG_AMT : DIAG_CONSOLE, msg, len);
    char text[320];
    redir_msg_text(msg, len, session ? session : diag_redir_session(f), text, sizeof text);
    redir_lines_add(cs->rec, dir, frame, text);
}

static void on_redir_raw(void *ctx, int dir, size_t len, uint64_t frame)
{
    conn_state *cs = ctx;
    diag_redir_facts *f = redir_facts(cs->rec);
    if (!f->data_frame[dir ? DIAG_AMT : DIAG_CONSOLE])
        redir_lines_add(cs->rec, dir, frame, "RFB (KVM's remote frame buffer) begins");
    diag_redir_raw(f, frame, dir ? DIAG_AMT : DIAG_CONSOLE, len);
}

static void on_redir_bad(void *ctx, int dir, uint8_t type, uint64_t frame)
{
    conn_state *cs = ctx;
    diag_redir_bad(redir_facts(cs->rec), frame, dir ? DIAG_AMT : DIAG_CONSOLE, type);
    g_ptr_array_add(cs->rec->notes,
                    g_strdup_printf("frame %" G_GUINT64_FORMAT ": bytes from the %s are no "
                                    "redirection message (type 0x%02x); that direction is not "
                                    "decoded further",
                                    frame, dir ? "server" : "client", type));
}

static const redir_callbacks redir_cb = {on_redir_message, on_redir_raw, on_redir_bad};

/* ---- CIRA's APF into lib's facts ----------------------------------------- */

static diag_cira_facts *cira_facts(conn_rec *r)
{
    if (!r->cira) {
        r->cira = g_new(diag_cira_facts, 1);
        diag_cira_init(r->cira);
        if (!r->redir_lines)
            r->redir_lines = g_array_new(FALSE, FALSE, sizeof(redir_line));
    }
    return r->cira;
}

/* What one channel of a tunnel carries: HTTP (WS-Man) on 16992, the
 * redirection protocol on 16994; on 16993 and 16995 TLS again (a session
 * between the console and AMT), opened with the run's keys, and the same
 * inside. */
typedef struct chan_parser {
    conn_state *cs;
    unsigned ordinal; /* the tunnel's first channel is 1 */
    int opener;       /* the side that opened it: APF_DIR_AMT or APF_DIR_MPS */
    uint32_t port;
    http_conn *http;
    redir_stream *redir;
    tls_conn *tls;
    uint64_t bytes[2]; /* per side: 0 the MPS, 1 AMT */
    uint64_t first_frame;
} chan_parser;

/* The facts of a channel's redirection session: one per channel of the
 * tunnel, made at its first message; NULL past DIAG_REDIR_CHANNELS_MAX. */
static diag_redir_facts *chan_redir_facts(chan_parser *p, uint64_t frame)
{
    conn_rec *r = p->cs->rec;
    if (!r->redir_chans) {
        r->redir_chans = g_new(diag_redir_chans, 1);
        diag_redir_chans_init(r->redir_chans);
    }
    if (!r->redir_lines)
        r->redir_lines = g_array_new(FALSE, FALSE, sizeof(redir_line));
    diag_redir_facts *f = diag_redir_chans_find(r->redir_chans, p->ordinal);
    if (!f) {
        diag_redir_facts *mem =
            diag_redir_chans_full(r->redir_chans) ? NULL : g_new(diag_redir_facts, 1);
        f = diag_redir_chans_add(r->redir_chans, p->ordinal, p->port, frame, mem);
    }
    return f;
}

/* A redirection session in a channel: lib's facts of that channel (the
 * MPS is the console's side), and the transcript with the tunnel's sides. */
static void on_chan_redir_message(void *ctx, int dir, const uint8_t *msg, size_t len,
                                  uint64_t frame)
{
    chan_parser *p = ctx;
    conn_state *cs = p->cs;
    if (msg[0] == REDIR_AUTHENTICATE || msg[0] == REDIR_AUTHENTICATE_REPLY)
        mark_redir_login(cs->run->a->marks, msg, len);
    diag_redir_facts *f = chan_redir_facts(p, frame);
    redir_session session = f ? diag_redir_session(f) : REDIR_SESSION_UNKNOWN;
    if (f)
        diag_redir_message(f, frame, dir ? DIAG_AMT : DIAG_CONSOLE, msg, len);
    char text[320], line[360];
    redir_msg_text(msg, len, session || !f ? session : diag_redir_session(f), text, sizeof text);
    g_snprintf(line, sizeof line, "channel %u: %s", p->ordinal, text);
    redir_lines_add(cs->rec, dir ? APF_DIR_AMT : APF_DIR_MPS, frame, line);
}

static void on_chan_redir_raw(void *ctx, int dir, size_t len, uint64_t frame)
{
    chan_parser *p = ctx;
    diag_redir_facts *f = chan_redir_facts(p, frame);
    if (f)
        diag_redir_raw(f, frame, dir ? DIAG_AMT : DIAG_CONSOLE, len);
}

static void on_chan_redir_bad(void *ctx, int dir, uint8_t type, uint64_t frame)
{
    chan_parser *p = ctx;
    diag_redir_facts *f = chan_redir_facts(p, frame);
    if (f)
        diag_redir_bad(f, frame, dir ? DIAG_AMT : DIAG_CONSOLE, type);
    g_ptr_array_add(p->cs->rec->notes,
                    g_strdup_printf("frame %" G_GUINT64_FORMAT ": channel %u: bytes from %s are "
                                    "no redirection message (type 0x%02x); that direction is "
                                    "not decoded further",
                                    frame, p->ordinal, dir ? "AMT" : "the MPS", type));
}

static const redir_callbacks chan_redir_cb = {on_chan_redir_message, on_chan_redir_raw,
                                              on_chan_redir_bad};

static void mark_tls(id_marks *m, const tls_conn *t);

/* The plaintext of a TLS channel: HTTP on 16993, redirection on 16995. */
static void on_chan_tls_data(void *ctx, int dir, const uint8_t *plain, size_t len,
                             uint64_t first_frame, uint64_t last_frame)
{
    chan_parser *p = ctx;
    if (p->http)
        http_conn_feed(p->http, dir, plain, len, (uint32_t)first_frame, (uint32_t)last_frame);
    else if (p->redir)
        redir_stream_feed(p->redir, dir, plain, len, last_frame);
}

/* The tunnel's side (DIAG_CIRA_MPS or DIAG_CIRA_AMT) that sent a channel's
 * TLS direction: the opener's console is the TLS client. */
static int chan_tls_side(const chan_parser *p, int dir)
{
    int apf_dir = dir == TLS_DIR_CLIENT ? p->opener : !p->opener;
    return apf_dir == APF_DIR_MPS ? DIAG_CIRA_MPS : DIAG_CIRA_AMT;
}

/* How many certificates a Certificate message holds, as lib counts them
 * (0 an empty list, 1 some); -1 when its list cannot be read. TLS 1.3
 * puts a request context before the list. */
static int chan_cert_count(const chan_parser *p, const uint8_t *body, size_t len)
{
    const tls_summary *t = tls_conn_summary(p->tls);
    amt_cur cur = cur_make(body, len);
    if (t->version >= TLS_VERSION_1_3) /* drafts (0x7fxx) as well */
        cur_vec(&cur, 1);
    amt_cur list = cur_vec(&cur, 3);
    if (cur.err || list.err)
        return -1;
    return list.len > 0;
}

/* Each handshake message of a channel's TLS, for lib's facts of the
 * tunnel (a Certificate inferred without its body says nothing). */
static void on_chan_tls_handshake(void *ctx, int dir, const tls_hs_info *h)
{
    chan_parser *p = ctx;
    unsigned certs = 0;
    /* a message only inferred from its place (the encrypted Finished) was
     * not read: Wireshark shows no type for it either */
    if (h->inferred)
        return;
    if (h->type == TLS_HS_CERTIFICATE) {
        int n = h->body ? chan_cert_count(p, h->body, h->length) : -1;
        if (n < 0)
            return;
        certs = (unsigned)n;
    }
    diag_cira_chan_handshake(cira_facts(p->cs->rec), p->ordinal, chan_tls_side(p, dir),
                             h->first_frame, h->type, certs);
}

/* An alert of a channel's TLS, when its description could be read. */
static void on_chan_tls_alert(void *ctx, int dir, const tls_alert_info *a)
{
    chan_parser *p = ctx;
    if (a->desc >= 0)
        diag_cira_chan_alert(cira_facts(p->cs->rec), p->ordinal, chan_tls_side(p, dir), a->frame,
                             a->desc);
}

/* A record of application data as a TLS decoder shows its content type:
 * the inner type when decrypted; undecrypted, the header's type before
 * TLS 1.3 and none in TLS 1.3 (its header always says 23). */
static void on_chan_tls_record(void *ctx, int dir, const tls_record_info *r)
{
    chan_parser *p = ctx;
    int tls13 = tls_conn_summary(p->tls)->version >= TLS_VERSION_1_3;
    int type = r->decrypted ? r->inner_type : tls13 ? -1 : r->type;
    if (type == TLS_CT_APPLICATION_DATA)
        diag_cira_chan_app_data(cira_facts(p->cs->rec), p->ordinal, chan_tls_side(p, dir),
                                r->first_frame);
}

static const tls_callbacks chan_tls_cb = {on_chan_tls_record, on_chan_tls_handshake,
                                          on_chan_tls_alert, on_chan_tls_data};

/* What the TLS of a channel showed: version, suite, name, keys. */
static void chan_tls_note(const chan_parser *p)
{
    tls_conn_end(p->tls);
    const tls_summary *t = tls_conn_summary(p->tls);
    g_ptr_array_add(
        p->cs->rec->notes,
        g_strdup_printf("frame %" G_GUINT64_FORMAT ": channel %u to port %u carries TLS inside "
                        "the tunnel (%" G_GUINT64_FORMAT " bytes from the MPS, %" G_GUINT64_FORMAT
                        " from AMT): %s%s%s%s, server_name %s, handshake %s; keys: %s",
                        p->first_frame, p->ordinal, p->port, p->bytes[0], p->bytes[1],
                        t->sh.seen ? tls_version_name(t->version) : "no ServerHello",
                        t->sh.seen ? " " : "", t->sh.seen ? t->suite_name : "",
                        t->ch.seen ? "" : " (no ClientHello)",
                        t->ch.sni && *t->ch.sni ? t->ch.sni : "(none)",
                        t->handshake_complete ? "complete" : "not complete", t->key_status_text));
}

static void chan_end(conn_state *cs, unsigned slot)
{
    chan_parser *p = cs->chan[slot];
    if (!p)
        return;
    if (p->http) {
        http_conn_end(p->http);
        http_conn_free(p->http);
    }
    if (p->tls) {
        chan_tls_note(p);
        mark_tls(cs->run->a->marks, p->tls); /* its names, for --redact */
        tls_conn_free(p->tls);
    }
    redir_stream_free(p->redir);
    if (!p->tls && !p->http && !p->redir && (p->bytes[0] || p->bytes[1]))
        g_ptr_array_add(
            cs->rec->notes,
            g_strdup_printf("frame %" G_GUINT64_FORMAT ": channel %u to port %u carries %s "
                            "(%" G_GUINT64_FORMAT " bytes from the MPS, %" G_GUINT64_FORMAT
                            " from AMT), not decoded inside the tunnel",
                            p->first_frame, p->ordinal, p->port,
                            "bytes of a port amtdiag does not read", p->bytes[0], p->bytes[1]));
    g_free(p);
    cs->chan[slot] = NULL;
}

/* What a channel message does: a confirmed channel gets its parser, data
 * goes to it by the channel's numbers (lib's apf_chan), a close ends it. */
static void channel_message(conn_state *cs, int dir, const uint8_t *msg, size_t len, uint64_t frame)
{
    apf_msg m;
    if (apf_parse(msg, len, &m) != 0)
        return;
    unsigned slot = 0;
    apf_chan_event ev = apf_chan_track(&cs->chans, dir, &m, &slot);
    const apf_chan *c = &cs->chans.c[slot];
    if (ev == APF_CHAN_OPENED) {
        chan_end(cs, slot); /* a slot reused */
    } else if (ev == APF_CHAN_CONFIRMED) {
        chan_parser *p = g_new0(chan_parser, 1);
        p->cs = cs;
        p->ordinal = c->ordinal;
        p->opener = c->opener;
        p->port = c->port;
        p->first_frame = frame;
        /* the side that opened asks, as a console does */
        if (c->port == AMT_PORT_HTTP || c->port == AMT_PORT_TLS)
            p->http = http_conn_new(&http_cb, cs);
        else if (c->port == AMT_PORT_REDIR || c->port == AMT_PORT_REDIR_TLS)
            p->redir = redir_stream_new(&chan_redir_cb, p);
        if (c->port == AMT_PORT_TLS || c->port == AMT_PORT_REDIR_TLS) {
            p->tls = tls_conn_new(cs->run->a->keys, &chan_tls_cb, p);
            tls_conn_set_id(p->tls, cs->rec->id);
        }
        cs->chan[slot] = p;
    } else if (ev == APF_CHAN_DATA && cs->chan[slot] && m.data) {
        chan_parser *p = cs->chan[slot];
        int from_asker = dir == c->opener;
        p->bytes[!from_asker] += m.data_len;
        if (p->tls)
            tls_conn_feed(p->tls, !from_asker, m.data, m.data_len, frame, frame);
        else if (p->http)
            http_conn_feed(p->http, !from_asker, m.data, m.data_len, (uint32_t)frame,
                           (uint32_t)frame);
        else if (p->redir)
            redir_stream_feed(p->redir, !from_asker, m.data, m.data_len, frame);
    } else if ((ev == APF_CHAN_CLOSED && !c->used) || ev == APF_CHAN_REFUSED) {
        chan_end(cs, slot);
    }
    apf_msg_clear(&m);
}

static void on_apf_message(void *ctx, int dir, const uint8_t *msg, size_t len, uint64_t frame)
{
    conn_state *cs = ctx;
    channel_message(cs, dir, msg, len, frame);
    if (msg[0] == APF_USERAUTH_REQUEST && cs->run->a->marks) {
        apf_msg m; /* the MPS user name is marked for --redact */
        if (apf_parse(msg, len, &m) == 0)
            idm_mark_str(cs->run->a->marks, ID_USER, m.user);
        apf_msg_clear(&m);
    }
    diag_cira_message(cira_facts(cs->rec), frame, cs->run->now_us,
                      dir ? DIAG_CIRA_MPS : DIAG_CIRA_AMT, msg, len);
    char text[320];
    apf_msg_text(msg, len, text, sizeof text);
    redir_lines_add(cs->rec, dir, frame, text);
}

static void on_apf_bad(void *ctx, int dir, size_t len, uint64_t frame)
{
    conn_state *cs = ctx;
    diag_cira_unframed(cira_facts(cs->rec), frame, dir ? DIAG_CIRA_MPS : DIAG_CIRA_AMT, len);
    g_ptr_array_add(cs->rec->notes,
                    g_strdup_printf("frame %" G_GUINT64_FORMAT ": bytes from the %s are no APF "
                                    "message; that direction is not decoded further",
                                    frame, dir ? "MPS" : "AMT"));
}

static const apf_callbacks apf_cb = {on_apf_message, on_apf_bad};

/* What a connection's plaintext (plain, or out of TLS) is: the
 * redirection protocol on its ports or when it starts like it. */
static int carries_redir(const conn_rec *r, int dir, const uint8_t *data, size_t len)
{
    if (r->server.port == AMT_PORT_REDIR || r->server.port == AMT_PORT_REDIR_TLS)
        return 1;
    return dir == 0 && redir_stream_looks_like(data, len);
}

static void on_app_data(void *ctx, int dir, const uint8_t *plain, size_t len, uint64_t first_frame,
                        uint64_t last_frame)
{
    conn_state *cs = ctx;
    if (!cs->http && !cs->redir && !cs->apf) {
        /* 4433 is also a common HTTPS test port: APF only when AMT's
         * first message is APF's ProtocolVersion */
        if (cs->rec->cira_port && dir == 0 && len && plain[0] == APF_PROTOCOL_VERSION) {
            cs->apf = apf_stream_new(&apf_cb, cs);
            apf_chan_init(&cs->chans);
        } else if (carries_redir(cs->rec, dir, plain, len))
            cs->redir = redir_stream_new(&redir_cb, cs);
        else
            cs->http = http_conn_new(&http_cb, cs);
    }
    dec_writer_data(cs->run->a->export_decrypted, cs->rec, dir, plain, len, cs->run->now_us);
    if (cs->apf)
        apf_stream_feed(cs->apf, dir, plain, len, last_frame);
    else if (cs->redir)
        redir_stream_feed(cs->redir, dir, plain, len, last_frame);
    else
        http_conn_feed(cs->http, dir, plain, len, (uint32_t)first_frame, (uint32_t)last_frame);
}

static void on_handshake(void *ctx, int dir, const tls_hs_info *h)
{
    conn_state *cs = ctx;
    if (cs->rec->hs->len >= CONN_HS_EVENTS_MAX)
        return;
    hs_event e = {h->first_frame, dir, h->type, h->encrypted};
    g_array_append_val(cs->rec->hs, e);
}

/* The first application data record of each direction, for the order of
 * events (TLS 1.3 records not decrypted may also be handshake). */
static void on_record(void *ctx, int dir, const tls_record_info *r)
{
    conn_state *cs = ctx;
    int app = r->type == 23 && (!r->decrypted || r->inner_type == 23);
    if (app && (dir == 0 || dir == 1) && !cs->rec->app_first_frame[dir])
        cs->rec->app_first_frame[dir] = r->first_frame;
}

static const tls_callbacks tls_cb = {on_record, on_handshake, NULL, on_app_data};

/* ---- TCP flows ----------------------------------------------------------- */

static void on_open(void *ctx, tcp_flow *f)
{
    file_run *run = ctx;
    conn_state *cs = g_new0(conn_state, 1);
    conn_rec *r = g_new0(conn_rec, 1);
    cs->run = &run->conn;
    if (run->a->jobs)
        cs->run =
            jobs_route(run->a->jobs, f, analysis_is_cira_port(run->a, f->server.port), &cs->worker);
    cs->rec = r;
    r->id = run->a->next_conn_id++;
    r->file = g_strdup(run->file);
    r->client = f->client;
    r->server = f->server;
    r->rst_from = -1;
    r->cira_port = analysis_is_cira_port(run->a, f->server.port);
    for (int side = 0; side < 2; side++) {
        const tcp_endpoint *ep = side ? &f->server : &f->client;
        idm_mark_addr(run->a->marks, ep->family == AF_INET6 ? 6 : 4, ep->addr);
    }
    r->http = g_ptr_array_new();
    r->notes = g_ptr_array_new_with_free_func(g_free);
    r->hs = g_array_new(FALSE, FALSE, sizeof(hs_event));
    run->a->n_conns++;
    if (!run->a->take_conn && !run->a->jobs)
        g_ptr_array_add(run->a->conns, r);
    f->app = cs;
}

/* Bytes of a connection whose protocol is known. */
static void app_data(void *ctx, int dir, const uint8_t *data, size_t len, uint64_t first_frame,
                     uint64_t last_frame)
{
    conn_state *cs = ctx;
    conn_rec *r = cs->rec;
    if (r->app == APP_TLS)
        tls_conn_feed(r->tls, dir, data, len, first_frame, last_frame);
    else if (r->app == APP_HTTP) {
        http_conn_feed(cs->http, dir, data, len, (uint32_t)first_frame, (uint32_t)last_frame);
        dec_writer_data(cs->run->a->export_decrypted, r, dir, data, len, cs->run->now_us);
    } else if (r->app == APP_REDIR) {
        redir_stream_feed(cs->redir, dir, data, len, last_frame);
    }
}

/* The protocol is decided: its parser, then the bytes held until now. */
static void start_app(conn_state *cs, int app)
{
    conn_rec *r = cs->rec;
    cs->classified = 1;
    r->app = (app_proto)app;
    if (r->app == APP_TLS) {
        r->tls = tls_conn_new(cs->run->a->keys, &tls_cb, cs);
        tls_conn_set_id(r->tls, r->id);
    } else if (r->app == APP_HTTP) {
        cs->http = http_conn_new(&http_cb, cs);
    } else if (r->app == APP_REDIR) {
        cs->redir = redir_stream_new(&redir_cb, cs);
    }
    app_hold_release(&cs->hold, app_data, cs);
}

void analysis_conn_data(conn_state *cs, uint16_t port, int dir, const uint8_t *data, size_t len,
                        uint64_t first_frame, uint64_t last_frame)
{
    conn_rec *r = cs->rec;
    if (dir == 0 && r->n_client_head < CONN_HEAD_MAX) {
        size_t n = MIN(len, CONN_HEAD_MAX - (size_t)r->n_client_head);
        if (!r->n_client_head)
            r->client_head_frame = first_frame;
        memcpy(r->client_head + r->n_client_head, data, n);
        r->n_client_head += (unsigned)n;
    }
    if (r->app == APP_UNKNOWN && !cs->classified) {
        /* held until enough bytes (of the side that spoke first) tell */
        int app = app_hold_feed(&cs->hold, port, dir, data, len, first_frame, last_frame, 0);
        if (app >= 0)
            start_app(cs, app);
        return;
    }
    if (r->app == APP_UNKNOWN) {
        /* a capture that began inside a stream: a later record may say */
        start_app(cs, app_classify(port, data, len, 1));
        if (r->app == APP_UNKNOWN)
            return;
    }
    app_data(cs, dir, data, len, first_frame, last_frame);
}

static void on_data(void *ctx, tcp_flow *f, int dir, const uint8_t *data, size_t len,
                    uint64_t first_frame, uint64_t last_frame)
{
    file_run *run = ctx;
    conn_state *cs = f->app;
    if (run->a->jobs)
        jobs_data(run->a->jobs, cs->worker, cs, f->server.port, dir, data, len, first_frame,
                  last_frame, run->conn.now_us);
    else
        analysis_conn_data(cs, f->server.port, dir, data, len, first_frame, last_frame);
}

/* No more bytes will follow in order: what is held decides now. */
static void classify_now(conn_state *cs, uint16_t port)
{
    if (!cs->classified && cs->hold)
        start_app(cs, app_hold_feed(&cs->hold, port, 0, NULL, 0, 0, 0, 1));
}

void analysis_conn_gap(conn_state *cs, uint16_t port, int dir, uint64_t len, uint64_t frame_before,
                       uint64_t frame_after)
{
    classify_now(cs, port);
    if (cs->rec->n_gap_at < CONN_GAPS_MAX)
        cs->rec->gap_at[cs->rec->n_gap_at++] = (gap_rec){dir, frame_before, frame_after};
    g_ptr_array_add(cs->rec->notes,
                    g_strdup_printf("frames %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                                    ": %" G_GUINT64_FORMAT " bytes from the %s missing in the "
                                    "capture",
                                    frame_before, frame_after, len, dir ? "server" : "client"));
    if (cs->redir)
        redir_stream_gap(cs->redir, dir);
    if (cs->apf)
        apf_stream_gap(cs->apf, dir);
    if (cs->rec->app == APP_TLS) {
        tls_conn_gap(cs->rec->tls, dir);
    } else if (cs->http) {
        http_conn_gap(cs->http, dir);
        dec_writer_gap(cs->run->a->export_decrypted, cs->rec, dir, len);
    }
}

static void on_gap(void *ctx, tcp_flow *f, int dir, uint64_t offset, uint64_t len,
                   uint64_t frame_before, uint64_t frame_after)
{
    file_run *run = ctx;
    (void)offset;
    conn_state *cs = f->app;
    if (run->a->jobs)
        jobs_gap(run->a->jobs, cs->worker, cs, f->server.port, dir, len, frame_before, frame_after,
                 run->conn.now_us);
    else
        analysis_conn_gap(cs, f->server.port, dir, len, frame_before, frame_after);
}

void analysis_conn_conflict(conn_state *cs, int dir, uint64_t frame, uint64_t offset, uint64_t len)
{
    g_ptr_array_add(cs->rec->notes,
                    g_strdup_printf("frame %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT
                                    " bytes from the %s differ from an earlier copy at stream "
                                    "offset %" G_GUINT64_FORMAT " (the first copy is used)",
                                    frame, len, dir ? "server" : "client", offset));
}

static void on_conflict(void *ctx, tcp_flow *f, int dir, uint64_t frame, uint64_t offset,
                        uint64_t len)
{
    file_run *run = ctx;
    conn_state *cs = f->app;
    if (run->a->jobs)
        jobs_conflict(run->a->jobs, cs->worker, cs, dir, frame, offset, len, run->conn.now_us);
    else
        analysis_conn_conflict(cs, dir, frame, offset, len);
}

/* Marks what a certificate says about the site: names, addresses, serial. */
static void mark_certs(id_marks *m, const tls_blob_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        diag_cert_info ci;
        if (diag_cert_read(l->v[i].data, l->v[i].len, &ci) != 0)
            continue;
        idm_mark_str(m, ID_SERIAL, ci.serial);
        idm_mark_dn(m, ci.subject);
        idm_mark_dn(m, ci.issuer);
        if (strchr(ci.cn, '.') && !strchr(ci.cn, ' '))
            idm_mark_host(m, ci.cn);
        else
            idm_mark_str(m, ID_SITE, ci.cn);
        for (size_t k = 0; k < ci.n_dns_names; k++)
            idm_mark_host(m, ci.dns_names[k]);
        for (size_t k = 0; k < ci.n_ip_names; k++)
            idm_mark_host(m, ci.ip_names[k]);
    }
}

/* Marks the identifying values a TLS connection recorded: the name the
 * console asked for, both certificate chains, the CAs AMT named. */
static void mark_tls(id_marks *m, const tls_conn *t)
{
    if (!m || !t)
        return;
    const tls_summary *s = tls_conn_summary(t);
    idm_mark_host(m, s->ch.sni);
    mark_certs(m, &s->server_certs);
    mark_certs(m, &s->client_certs);
    for (size_t i = 0; i < s->cert_request.authorities.n; i++) {
        char dn[512];
        diag_blob b = {s->cert_request.authorities.v[i].data, s->cert_request.authorities.v[i].len};
        idm_mark_dn(m, diag_dn_text(&b, dn, sizeof dn));
    }
}

conn_rec *analysis_conn_close(conn_state *cs, const tcp_flow *f)
{
    conn_rec *r = cs->rec;
    classify_now(cs, f->server.port);
    if (r->tls) {
        tls_conn_end(r->tls);
        mark_tls(cs->run->a->marks, r->tls);
    }
    if (cs->http) {
        http_conn_end(cs->http);
        http_conn_free(cs->http);
    }
    redir_stream_free(cs->redir);
    apf_stream_free(cs->apf);
    for (unsigned k = 0; k < APF_CHAN_MAX; k++)
        chan_end(cs, k);
    r->first_frame = f->first_frame;
    r->last_frame = f->last_frame;
    r->first_ts_us = f->first_ts_us;
    r->last_ts_us = f->last_ts_us;
    r->syn_count = f->syn.count;
    r->syn_frame = f->syn.count ? f->syn.frame[0] : 0;
    r->synack_frame = f->synack_frame;
    r->established_frame = f->established_frame;
    r->fin_frame[0] = f->fin_frame[0];
    r->fin_frame[1] = f->fin_frame[1];
    r->rst_frame = f->rst_frame;
    r->rst_from = f->rst_from;
    r->midstream = f->midstream;
    r->end = f->end;
    for (int d = 0; d < 2; d++) {
        r->bytes[d] = f->bytes[d];
        r->gaps[d] = f->gaps[d].count;
        r->gap_bytes[d] = f->gaps[d].bytes;
        r->conflicts[d] = f->conflicts[d];
    }
    dec_writer_close_conn(cs->run->a->export_decrypted, r, cs->run->now_us);
    g_free(cs);
    return r;
}

static void on_close(void *ctx, tcp_flow *f)
{
    file_run *run = ctx;
    conn_state *cs = f->app;
    f->app = NULL;
    if (run->a->jobs) {
        jobs_close(run->a->jobs, cs->worker, cs, f, run->conn.now_us);
        return;
    }
    conn_rec *r = analysis_conn_close(cs, f);
    if (run->a->on_conn_end)
        run->a->on_conn_end(run->a->on_conn_end_ctx, r);
    if (run->a->take_conn)
        run->a->take_conn(run->a->take_ctx, r);
}

/* ---- packets ------------------------------------------------------------- */

static void dns_packet(file_run *run, const pkt *p)
{
    dns_msg m;
    const char *why = NULL;
    if (dns_msg_parse(p->payload, p->payload_len, &m, &why) != 0) {
        warn(run->a, "%s: frame %" G_GUINT64_FORMAT ": malformed DNS message (%s)", run->file,
             p->frame, why);
        return;
    }
    id_marks *marks = run->a->marks;
    idm_mark_host(marks, m.qname);
    dns_rec *d = g_new0(dns_rec, 1);
    d->file = g_strdup(run->file);
    d->frame = p->frame;
    d->is_response = m.is_response;
    d->qname = g_strdup(m.qname);
    d->qtype = m.qtype;
    d->rcode = m.rcode;
    d->ts_us = p->ts_us;
    if (m.is_response) {
        d->client_family = p->family;
        memcpy(d->client_addr, p->dst, 16);
    }
    if (m.qtype == DNS_T_PTR)
        d->ptr_family = dns_ptr_address(m.qname, d->ptr_addr);
    if (d->ptr_family)
        idm_mark_addr(marks, d->ptr_family, d->ptr_addr);
    GString *ans = g_string_new(NULL);
    for (unsigned i = 0; i < m.n_answers; i++) {
        const dns_answer *an = &m.answers[i];
        char a[INET6_ADDRSTRLEN];
        if (ans->len)
            g_string_append(ans, ", ");
        if (an->type == DNS_T_A || an->type == DNS_T_AAAA)
            idm_mark_addr(marks, an->type == DNS_T_A ? 4 : 6, an->addr);
        else
            idm_mark_host(marks, an->target);
        idm_mark_host(marks, an->name);
        if (an->type == DNS_T_A)
            g_string_append_printf(ans, "A %s", inet_ntop(AF_INET, an->addr, a, sizeof a));
        else if (an->type == DNS_T_AAAA)
            g_string_append_printf(ans, "AAAA %s", inet_ntop(AF_INET6, an->addr, a, sizeof a));
        else
            g_string_append_printf(ans, "%s %s", an->type == DNS_T_PTR ? "PTR" : "CNAME",
                                   an->target);
        if ((an->type == DNS_T_A || an->type == DNS_T_AAAA) && d->n_addrs < 8) {
            d->addr_family[d->n_addrs] = an->type == DNS_T_A ? 4 : 6;
            memcpy(d->addrs[d->n_addrs++], an->addr, 16);
        } else if (an->type == DNS_T_PTR && d->n_ptr < 8) {
            d->ptr_names[d->n_ptr++] = g_strdup(an->target);
        }
    }
    d->answers = g_string_free(ans, FALSE);
    run->a->n_dns++;
    if (run->a->take_dns)
        run->a->take_dns(run->a->take_ctx, d);
    else
        g_ptr_array_add(run->a->dns, d);
}

/* How far a long input is, twice a second, for a progress line. */
static void progress(file_run *run)
{
    int64_t now = g_get_monotonic_time();
    if (now - run->a->progress_at_us < G_USEC_PER_SEC / 2)
        return;
    run->a->progress_at_us = now;
    run->a->on_progress(run->a->ui_ctx, run->file, run->a->frames, run->a->n_conns, 0);
}

static void on_packet(void *ctx, const pkt *p)
{
    file_run *run = ctx;
    run->a->frames++;
    if (run->a->on_progress && (run->a->frames & 1023) == 0)
        progress(run);
    if (run->a->on_time && p->ts_us - run->last_time_us >= G_USEC_PER_SEC) {
        run->a->on_time(run->a->take_ctx, p->ts_us);
        run->last_time_us = p->ts_us;
    }
    if (p->proto == 17) {
        if (p->sport == 53 || p->dport == 53)
            dns_packet(run, p);
        else if (kdc_port(p->sport, p->dport))
            kdc_tap_udp(run->kdc, p->frame, p->ts_us, p->family, p->src, p->dst, p->sport, p->dport,
                        p->payload, p->payload_len);
        return;
    }
    if (p->proto != 6)
        return;
    tcp_seg s = {.frame = p->frame,
                 .ts_us = p->ts_us,
                 .family = p->family == 6 ? AF_INET6 : AF_INET,
                 .sport = p->sport,
                 .dport = p->dport,
                 .seq = p->seq,
                 .ack = p->ack,
                 .flags = p->tcp_flags,
                 .payload = p->payload,
                 .payload_len = p->payload_len,
                 .wire_payload_len = p->wire_payload_len};
    memcpy(s.src, p->src, 16);
    memcpy(s.dst, p->dst, 16);
    run->conn.now_us = p->ts_us;
    if (kdc_port(p->sport, p->dport)) {
        kdc_tap_tcp(run->kdc, &s);
        return;
    }
    flow_table_segment(run->flows, &s);
    /* Idle flows are closed (and their memory released) as capture time
     * moves on, not only at the end. */
    if (p->ts_us - run->last_expire_us > 10 * G_USEC_PER_SEC) {
        flow_table_expire(run->flows, p->ts_us);
        run->last_expire_us = p->ts_us;
    }
}

static void on_warn(void *ctx, const char *file, uint64_t frame, const char *reason)
{
    file_run *run = ctx;
    run->a->malformed++;
    warn(run->a, "%s: frame %" G_GUINT64_FORMAT ": %s", file, frame, reason);
}

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int stop_requested(void *ctx)
{
    const analysis *a = ((const file_run *)ctx)->a;
    return interrupted || (a->live_deadline_us && g_get_monotonic_time() >= a->live_deadline_us);
}

static void on_kdc_msg(void *ctx, krb_rec *r)
{
    file_run *run = ctx;
    if (run->a->krb->len >= KDC_MSGS_MAX) {
        if (run->kdc_dropped++ == 0)
            warn(run->a,
                 "%s: frame %" G_GUINT64_FORMAT ": more than %u Kerberos messages: the "
                 "rest are not kept",
                 run->file, r->frame, KDC_MSGS_MAX);
        krb_rec_free(r);
        return;
    }
    mark_krb_msg(run->a->marks, r);
    g_ptr_array_add(run->a->krb, r);
}

static void on_kdc_warn(void *ctx, const char *msg)
{
    file_run *run = ctx;
    warn(run->a, "%s", msg);
}

static void on_secrets(void *ctx, const char *file, uint64_t frame, const char *keylog, size_t len);

/* Reads src, or what ra read of a file, to its end. */
static int run_source(analysis *a, cap_source *src, read_ahead *ra, const char *name)
{
    file_run run = {.a = a, .file = name, .conn = {.a = a}};
    flow_table_callbacks cb = {on_open, on_data, on_gap, on_conflict, on_close, &run};
    run.flows = flow_table_new(NULL, &cb);
    kdc_callbacks kcb = {on_kdc_msg, on_kdc_warn, &run};
    run.kdc = kdc_tap_new(name, &kcb);
    pkt_decoder *dec = pkt_decoder_new();
    cap_stats st;
    int rc = ra ? read_ahead_run(ra, on_packet, on_warn, on_secrets, &run, &st)
                : cap_run(src, dec, on_packet, on_warn, &run, &st);
    a->frames_read += st.frames;
    if (a->progress_at_us) {
        a->on_progress(a->ui_ctx, name, a->frames, a->n_conns, 1);
        a->progress_at_us = 0;
    }
    flow_table_finish(run.flows);
    flow_table_free(run.flows);
    kdc_tap_finish(run.kdc);
    kdc_tap_free(run.kdc);
    pkt_decoder_free(dec);
    return rc;
}

/* A key log embedded in the capture: its sessions can be decrypted from
 * here on (a Decryption Secrets Block precedes the packets it is for). */
static void on_secrets(void *ctx, const char *file, uint64_t frame, const char *keylog, size_t len)
{
    (void)file;
    (void)frame;
    file_run *run = ctx;
    /* the workers finish what came before: sessions decrypted with these
     * secrets are those after them, as with one thread */
    if (run->a->jobs)
        jobs_sync(run->a->jobs);
    add_keylog_text(run->a, keylog, len, "pcapng DSB");
}

int analysis_read_file(analysis *a, const char *path)
{
    read_ahead *ra = g_queue_peek_head(&a->ahead);
    if (ra && !strcmp(read_ahead_path(ra), path))
        g_queue_pop_head(&a->ahead);
    else
        ra = NULL;
    cap_source *src = NULL;
    if (ra ? read_ahead_opened(ra, &a->err) != 0 : !(src = cap_open_file(path, &a->err))) {
        read_ahead_free(ra);
        a->files_unreadable++;
        return -1;
    }
    if (src)
        cap_set_secrets(src, on_secrets);
    if (a->max_frames && src) { /* (never read ahead with -c) */
        if (a->frames_read >= a->max_frames) {
            cap_close(src);
            return 0; /* -c: the frames wanted were read from earlier inputs */
        }
        cap_set_limit(src, a->max_frames - a->frames_read);
    }
    uint64_t before = a->frames_read;
    int rc = run_source(a, src, ra, src ? cap_name(src) : read_ahead_name(ra));
    const char *error = src ? cap_error(src) : read_ahead_error(ra);
    if (rc < 0 && a->frames_read == before) {
        /* corrupt from its first record on: nothing of it could be used */
        amt_fail(&a->err, AMT_E_FORMAT, "%s", error);
        a->files_unreadable++;
        rc = -1;
    } else {
        g_ptr_array_add(a->inputs, g_strdup(path));
        if (rc < 0) {
            warn(a, "%s", error);
            rc = 1;
        }
    }
    cap_close(src);
    read_ahead_free(ra);
    return rc;
}

void analysis_read_ahead(analysis *a, const char *path)
{
    /* (one file ahead of the one analysed: the queue holds at most two) */
    if (!a->jobs || a->max_frames || !strcmp(path, "-") || a->ahead.length >= 2)
        return;
    read_ahead *ra = read_ahead_start(path);
    if (ra)
        g_queue_push_tail(&a->ahead, ra);
}

int analysis_read_live(analysis *a, const char *iface, const char *filter)
{
    cap_source *src = cap_open_live(iface, filter, &a->err);
    if (!src)
        return -1;
    live_keep *keep = NULL;
    if (a->keep_path && !(keep = live_keep_open(a->keep_path, cap_linktype(src), &a->err))) {
        cap_close(src);
        return -1;
    }
    g_ptr_array_add(a->inputs, g_strdup_printf("live:%s", iface));
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    cap_set_stop(src, stop_requested);
    cap_set_limit(src, a->max_frames);
    if (keep)
        cap_set_tap(src, live_keep_frame, keep);
    if (a->live_seconds)
        a->live_deadline_us = g_get_monotonic_time() + a->live_seconds * G_USEC_PER_SEC;
    int rc = run_source(a, src, NULL, cap_name(src));
    if (rc < 0)
        amt_fail(&a->err, AMT_E_INPUT, "%s", cap_error(src));
    cap_close(src);
    if (keep && live_keep_close(keep, &a->kept_frames, rc < 0 ? NULL : &a->err) != AMT_OK)
        rc = -1;
    return rc < 0 ? -1 : 0;
}
