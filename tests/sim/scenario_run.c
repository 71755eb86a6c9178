/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scenario_run: the default world of a scenario, running it, labelling
 * each connection with its outcome and causes, and writing the sample. */
#include "scenario.h"
#include "certgen.h"
#include "dns.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Every capture starts at the same synthetic moment, so runs repeat. */
#define CAPTURE_EPOCH "2026-03-02T09:14:07"

const scenario *scenario_find(const char *name)
{
    for (unsigned i = 0; i < n_scenarios; i++)
        if (strcmp(scenarios[i].name, name) == 0)
            return &scenarios[i];
    return NULL;
}

static X509 *issue(const char *cn, const char *san, const char *nb, const char *na, long serial,
                   int server, int client, int amt, X509 *issuer, EVP_PKEY *ikey, EVP_PKEY *key)
{
    cert_spec s = {.cn = cn,
                   .org = "Example Corp",
                   .san_dns = san,
                   .not_before = certgen_time(nb),
                   .not_after = certgen_time(na),
                   .serial = serial,
                   .eku_server_auth = server,
                   .eku_client_auth = client,
                   .eku_amt_console = amt,
                   .issuer = issuer,
                   .issuer_key = ikey};
    return certgen_issue(&s, key);
}

int world_init(world *w)
{
    memset(w, 0, sizeof *w);
    w->root_key = certgen_rsa_key(2048);
    w->other_root_key = certgen_rsa_key(2048);
    w->amt_key = certgen_rsa_key(2048);
    w->console_key = certgen_rsa_key(2048);
    if (!w->root_key || !w->other_root_key || !w->amt_key || !w->console_key)
        return -1;
    cert_spec r = {.cn = "Example Corp AMT Root CA",
                   .org = "Example Corp",
                   .not_before = certgen_time("2024-01-01"),
                   .not_after = certgen_time("2036-01-01"),
                   .serial = 1,
                   .is_ca = 1};
    w->root = certgen_issue(&r, w->root_key);
    r.cn = "Other Org Issuing CA";
    r.org = "Other Org";
    r.serial = 2;
    w->other_root = certgen_issue(&r, w->other_root_key);
    const char *amt = "amt-pc17.vpro.example.com", *con = "console01.it.example.com";
    w->amt_cert = issue(amt, amt, "2025-01-01", "2028-01-01", 0x1017, 1, 0, 0, w->root, w->root_key,
                        w->amt_key);
    w->con_good = issue(con, NULL, "2025-06-01", "2027-06-01", 0x2001, 0, 1, 1, w->root,
                        w->root_key, w->console_key);
    w->con_no_oid = issue(con, NULL, "2025-06-01", "2027-06-01", 0x2002, 0, 1, 0, w->root,
                          w->root_key, w->console_key);
    w->con_no_client_auth = issue(con, NULL, "2025-06-01", "2027-06-01", 0x2003, 1, 0, 1, w->root,
                                  w->root_key, w->console_key);
    w->con_other_root = issue(con, NULL, "2025-06-01", "2027-06-01", 0x2004, 0, 1, 1, w->other_root,
                              w->other_root_key, w->console_key);
    w->con_other_fqdn = issue("console01.sales.example.org", NULL, "2025-06-01", "2027-06-01",
                              0x2005, 0, 1, 1, w->root, w->root_key, w->console_key);
    w->con_new = issue(con, NULL, "2026-02-20", "2028-02-20", 0x2006, 0, 1, 1, w->root, w->root_key,
                       w->console_key);
    return w->root && w->other_root && w->amt_cert && w->con_good && w->con_no_oid &&
                   w->con_no_client_auth && w->con_other_root && w->con_other_fqdn && w->con_new
               ? 0
               : -1;
}

void world_free(world *w)
{
    X509 *certs[] = {w->root,           w->other_root,     w->amt_cert,
                     w->con_good,       w->con_no_oid,     w->con_no_client_auth,
                     w->con_other_root, w->con_other_fqdn, w->con_new};
    for (size_t i = 0; i < G_N_ELEMENTS(certs); i++)
        X509_free(certs[i]);
    EVP_PKEY_free(w->root_key);
    EVP_PKEY_free(w->other_root_key);
    EVP_PKEY_free(w->amt_key);
    EVP_PKEY_free(w->console_key);
}

scen_site scenario_site_default(world *w)
{
    return (scen_site){.amt_addr = "192.0.2.20",
                       .amt_host = "amt-pc17",
                       .amt_domain = "vpro.example.com",
                       .amt_fqdn = "amt-pc17.vpro.example.com",
                       .amt_cert = w->amt_cert,
                       .amt_key = w->amt_key,
                       .console_addr = "192.0.2.10",
                       .dns_addr = "192.0.2.53"};
}

/* The default: an AMT 12 with TLS 1.2 on 16993, an admin console logging
 * in with Digest and reading settings. Setups change what they test. */
void scenario_defaults(scen_ctx *s, world *w, const scen_site *site, uint32_t seed)
{
    int64_t t0 = netsim_now(s->net) / G_USEC_PER_SEC;
    s->w = w;
    s->dns_addr = site->dns_addr;
    s->sequence = scenario_default_sequence;
    s->port = 16993;
    s->fmt = PCAPW_PCAPNG;
    amt_device *d = &s->dev;
    d->net = s->net;
    d->addr = site->amt_addr;
    d->plain_open = 1;
    d->tls_open = 1;
    d->redir_open = 1;
    d->redir_tls_open = 1;
    d->tls.min_version = TLS1_VERSION;
    d->tls.max_version = TLS1_2_VERSION;
    d->tls.cert = site->amt_cert;
    d->tls.key = site->amt_key;
    d->tls.roots[0] = w->root;
    d->tls.n_roots = 1;
    d->tls.trusted_fqdn[0] = "it.example.com";
    d->tls.n_trusted_fqdn = 1;
    sim_endpoint_set(&d->dns_server, site->dns_addr, 53);
    d->console_ptr = "console01.it.example.com";
    amt_device_cfg *h = &d->http_cfg;
    h->fw_version = "12.0.45.1509";
    h->realm = "Digest:4E6F9C2A1B7D3E58A0C4F2B6D8E1A3C5";
    h->users[0] = (amt_user){"admin", "Vpro!Admin-2026", 0};
    h->users[1] = (amt_user){"operator", "Vpro!Oper-2026", 1};
    h->n_users = 2;
    h->trusted_cn[0] = "it.example.com";
    h->n_trusted_cn = 1;
    h->tls_enabled = 1;
    h->hostname = site->amt_host;
    h->domain = site->amt_domain;
    h->seed = seed;
    console *c = &s->con;
    c->net = s->net;
    c->addr = site->console_addr;
    c->amt_name = site->amt_fqdn;
    c->user = "admin";
    c->password = "Vpro!Admin-2026";
    c->seed = seed * 7u + 3u;
    c->tls.min_version = TLS1_VERSION;
    c->tls.max_version = TLS1_3_VERSION;
    c->tls.trust = w->root;
    c->tls.verify_time = t0;
}

/* The console's usual calls after logging in. */
void scen_default_requests(scen_ctx *s)
{
    console_http *h = s->con.http;
    s->reqs[0] = (console_req){"POST", "/wsman", "application/soap+xml;charset=UTF-8",
                               wsman_get(h, "AMT_GeneralSettings"), NULL};
    s->reqs[1] = (console_req){"POST", "/wsman", "application/soap+xml;charset=UTF-8",
                               wsman_enumerate(h, "AMT_TLSSettingData"), NULL};
    s->reqs[2] = (console_req){"POST", "/wsman", "application/soap+xml;charset=UTF-8", NULL,
                               "AMT_TLSSettingData"};
    s->reqs[3] = (console_req){
        "POST", "/wsman", "application/soap+xml;charset=UTF-8",
        wsman_invoke(h, "AMT_TimeSynchronizationService", "GetLowAccuracyTimeSynch", ""), NULL};
    s->nreqs = 4;
}

void scenario_default_sequence(scen_ctx *s)
{
    if (s->redir_tag) {
        console_redir_run(&s->con, &s->dev, s->port, s->redir_tag, s->redir_how);
        return;
    }
    console_run(&s->con, &s->dev, s->port, s->reqs, s->nreqs);
    s->nreqs = 0;
}

static void add_cause(sim_conn_facts *f, const char *cause)
{
    if (cause && f->n_causes < G_N_ELEMENTS(f->causes))
        g_strlcpy(f->causes[f->n_causes++], cause, sizeof f->causes[0]);
}

void scenario_label(scen_ctx *s)
{
    for (size_t i = 0; i < netsim_conn_count(s->net); i++) {
        sim_conn_facts *f = netsim_facts(netsim_conn_at(s->net, i));
        if (f->n_causes)
            continue; /* labelled by the scenario itself */
        if (f->tcp != EV_TCP_OPEN) {
            g_strlcpy(f->stage, "tcp", sizeof f->stage);
            g_strlcpy(f->outcome, "failed", sizeof f->outcome);
            add_cause(f, f->tcp == EV_TCP_UNANSWERED
                             ? "no-answer"
                             : (s->refused_cause ? s->refused_cause : "port-closed"));
        } else if (f->n_redir[0] || f->n_redir[1]) {
            g_strlcpy(f->stage, "redirection", sizeof f->stage);
            for (int k = 0; k < 2; k++)
                add_cause(f, s->redir_cause[k]);
        } else if (f->tls && (!f->handshake_done || f->n_http == 0)) {
            g_strlcpy(f->stage, "tls", sizeof f->stage);
            g_strlcpy(f->outcome, "rejected", sizeof f->outcome);
            for (int k = 0; k < 3; k++)
                add_cause(f, s->tls_cause[k]);
        } else if (f->n_http && f->http_status[f->n_http - 1] == 401) {
            g_strlcpy(f->stage, "http-auth", sizeof f->stage);
            if (f->stale_401) {
                g_strlcpy(f->outcome, "rejected", sizeof f->outcome);
                add_cause(f, "digest-stale-nonce");
            } else if (strcmp(f->outcome, "rejected") == 0) {
                add_cause(f, s->auth_cause);
            }
        } else {
            g_strlcpy(f->stage, "wsman", sizeof f->stage);
            if (strcmp(f->outcome, "rejected") == 0)
                add_cause(f, s->wsman_cause);
            else
                add_cause(f, s->ok_cause);
        }
    }
}

static const char *alert_name(int desc)
{
    switch (desc) {
    case 0:
        return "close_notify";
    case 10:
        return "unexpected_message";
    case 20:
        return "bad_record_mac";
    case 40:
        return "handshake_failure";
    case 42:
        return "bad_certificate";
    case 43:
        return "unsupported_certificate";
    case 44:
        return "certificate_revoked";
    case 45:
        return "certificate_expired";
    case 46:
        return "certificate_unknown";
    case 47:
        return "illegal_parameter";
    case 48:
        return "unknown_ca";
    case 49:
        return "access_denied";
    case 50:
        return "decode_error";
    case 51:
        return "decrypt_error";
    case 70:
        return "protocol_version";
    case 71:
        return "insufficient_security";
    case 80:
        return "internal_error";
    case 90:
        return "user_canceled";
    case 112:
        return "unrecognized_name";
    case 116:
        return "certificate_required";
    default:
        return "unknown";
    }
}

static void ep_str(const sim_endpoint *ep, char *buf, size_t len)
{
    char a[64];
    sim_endpoint_addr_str(ep, a, sizeof a);
    snprintf(buf, len, ep->family == 6 ? "[%s]:%u" : "%s:%u", a, ep->port);
}

static void json_conns(JsonBuilder *b, scen_ctx *s)
{
    size_t nalerts;
    const sim_alert *alerts = netsim_alerts(s->net, &nalerts);
    json_builder_set_member_name(b, "connections");
    json_builder_begin_array(b);
    for (size_t i = 0; i < netsim_conn_count(s->net); i++) {
        sim_conn_facts *f = netsim_facts(netsim_conn_at(s->net, i));
        int in_capture =
            !s->capture_start || netsim_conn_last_time(s->net, (int)i) >= s->capture_start;
        if (!in_capture)
            continue;
        char buf[96];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_int_value(b, (gint64)i);
        ep_str(&f->cli, buf, sizeof buf);
        json_builder_set_member_name(b, "client");
        json_builder_add_string_value(b, buf);
        ep_str(&f->srv, buf, sizeof buf);
        json_builder_set_member_name(b, "server");
        json_builder_add_string_value(b, buf);
        json_builder_set_member_name(b, "tcp");
        json_builder_add_string_value(b, f->tcp == EV_TCP_OPEN      ? "open"
                                         : f->tcp == EV_TCP_REFUSED ? "refused"
                                                                    : "unanswered");
        if (f->tls) {
            json_builder_set_member_name(b, "tls");
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "handshake");
            json_builder_add_string_value(b, f->handshake_done ? "complete" : "failed");
            if (f->handshake_done) {
                json_builder_set_member_name(b, "version");
                json_builder_add_string_value(b, f->tls_version);
                json_builder_set_member_name(b, "cipher");
                json_builder_add_string_value(b, f->tls_cipher);
            }
            json_builder_set_member_name(b, "certificate_request");
            json_builder_add_boolean_value(b, f->cert_request);
            if (f->cert_request) {
                json_builder_set_member_name(b, "client_certificate");
                json_builder_add_string_value(b, f->client_cert_sent == 1   ? "sent"
                                                 : f->client_cert_sent == 0 ? "empty"
                                                                            : "unknown");
            }
            json_builder_end_object(b);
        }
        json_builder_set_member_name(b, "alerts");
        json_builder_begin_array(b);
        for (size_t k = 0; k < nalerts; k++) {
            if (alerts[k].conn != (int)i)
                continue;
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "from");
            json_builder_add_string_value(b, alerts[k].from_server ? "server" : "client");
            json_builder_set_member_name(b, "level");
            json_builder_add_int_value(b, alerts[k].level);
            json_builder_set_member_name(b, "desc");
            json_builder_add_int_value(b, alerts[k].desc);
            json_builder_set_member_name(b, "name");
            json_builder_add_string_value(b, alert_name(alerts[k].desc));
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        if (f->n_redir[0] || f->n_redir[1]) {
            /* the redirection messages each side wrote, by type */
            json_builder_set_member_name(b, "redirection");
            json_builder_begin_object(b);
            for (int side = 0; side < 2; side++) {
                json_builder_set_member_name(b, side ? "amt" : "console");
                json_builder_begin_array(b);
                for (unsigned k = 0; k < f->n_redir[side]; k++) {
                    char t[8];
                    snprintf(t, sizeof t, "%02x", f->redir_types[side][k]);
                    json_builder_add_string_value(b, t);
                }
                json_builder_end_array(b);
            }
            json_builder_end_object(b);
        }
        json_builder_set_member_name(b, "requests");
        json_builder_begin_array(b);
        for (unsigned k = 0; k < f->n_req; k++)
            json_builder_add_string_value(b, f->http_request[k]);
        json_builder_end_array(b);
        json_builder_set_member_name(b, "http_statuses");
        json_builder_begin_array(b);
        for (unsigned k = 0; k < f->n_http; k++)
            json_builder_add_int_value(b, f->http_status[k]);
        json_builder_end_array(b);
        const char *end = "none";
        if (f->rst_from >= 0)
            end = f->rst_from ? "rst-server" : "rst-client";
        else if (f->first_fin_from_server >= 0)
            end = f->first_fin_from_server ? "fin-server" : "fin-client";
        json_builder_set_member_name(b, "end");
        json_builder_add_string_value(b, end);
        int gaps = 0;
        for (int k = 0; k < s->npath; k++)
            gaps |= s->path[k].conn == (int)i && s->path[k].kind == WIRE_LOSE;
        json_builder_set_member_name(b, "capture_gap");
        json_builder_add_boolean_value(b, gaps);
        json_builder_set_member_name(b, "decryptable");
        json_builder_add_boolean_value(b, f->decryptable);
        json_builder_set_member_name(b, "stage");
        json_builder_add_string_value(b, f->stage);
        json_builder_set_member_name(b, "outcome");
        json_builder_add_string_value(b, f->outcome);
        json_builder_set_member_name(b, "causes");
        json_builder_begin_array(b);
        for (unsigned k = 0; k < f->n_causes; k++)
            json_builder_add_string_value(b, f->causes[k]);
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

static int write_expected(scen_ctx *s, const scenario *sc, const char *path, int has_keylog)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "schema");
    json_builder_add_string_value(b, "amtdiag-sample/1");
    json_builder_set_member_name(b, "scenario");
    json_builder_add_string_value(b, sc->name);
    json_builder_set_member_name(b, "summary");
    json_builder_add_string_value(b, sc->summary);
    json_builder_set_member_name(b, "capture");
    json_builder_add_string_value(b, s->fmt == PCAPW_PCAP ? "capture.pcap" : "capture.pcapng");
    json_builder_set_member_name(b, "keys");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "keylog");
    if (has_keylog)
        json_builder_add_string_value(b, "keylog.txt");
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "rsa_key");
    if (s->static_rsa)
        json_builder_add_string_value(b, "amt-key.pem");
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "embedded_secrets");
    json_builder_add_boolean_value(b, s->embed_secrets);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "amt_clock_offset_s");
    json_builder_add_int_value(b, s->dev.clock_offset_s);
    json_builder_set_member_name(b, "dns");
    json_builder_begin_array(b);
    for (int i = 0; i < s->ndns; i++) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, s->dns[i].name);
        json_builder_set_member_name(b, "type");
        json_builder_add_string_value(b, s->dns[i].qtype == DNS_TYPE_PTR ? "PTR" : "A");
        json_builder_set_member_name(b, "rcode");
        json_builder_add_string_value(b, s->dns[i].rcode ? "NXDOMAIN" : "NOERROR");
        json_builder_set_member_name(b, "causes");
        json_builder_begin_array(b);
        if (s->dns[i].cause)
            json_builder_add_string_value(b, s->dns[i].cause);
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_conns(b, s);
    json_builder_end_object(b);
    JsonGenerator *g = json_generator_new();
    JsonNode *root = json_builder_get_root(b);
    json_generator_set_root(g, root);
    json_generator_set_pretty(g, TRUE);
    GError *err = NULL;
    gboolean ok = json_generator_to_file(g, path, &err);
    if (!ok) {
        fprintf(stderr, "amtsim: %s: %s\n", path, err->message);
        g_error_free(err);
    }
    json_node_unref(root);
    g_object_unref(g);
    g_object_unref(b);
    return ok ? 0 : -1;
}

static int write_text(const char *path, const char *text)
{
    GError *err = NULL;
    if (!g_file_set_contents(path, text, -1, &err)) {
        fprintf(stderr, "amtsim: %s\n", err->message);
        g_error_free(err);
        return -1;
    }
    return 0;
}

static int write_files(scen_ctx *s, const scenario *sc, const char *dir, int live)
{
    char path[4096], err[512];
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        fprintf(stderr, "amtsim: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s", dir,
             s->fmt == PCAPW_PCAP ? "capture.pcap" : "capture.pcapng");
    if (!live && netsim_write_capture(s->net, path, s->fmt, s->path, (size_t)s->npath,
                                      s->capture_start, s->embed_secrets, err, sizeof err) != 0) {
        fprintf(stderr, "amtsim: %s\n", err);
        return -1;
    }
    const char *keylog = netsim_keylog(s->net);
    int has_keylog = keylog[0] != '\0';
    int rc = 0;
    if (has_keylog) {
        snprintf(path, sizeof path, "%s/keylog.txt", dir);
        rc |= write_text(path, keylog);
    }
    if (s->static_rsa) {
        snprintf(path, sizeof path, "%s/amt-key.pem", dir);
        rc |= certgen_write_key(path, s->dev.tls.key);
    }
    snprintf(path, sizeof path, "%s/amt-cert.pem", dir);
    rc |= certgen_write_cert(path, &s->dev.tls.cert, 1);
    snprintf(path, sizeof path, "%s/root-ca.pem", dir);
    rc |= certgen_write_cert(path, &s->w->root, 1);
    if (s->con.tls.cert) {
        X509 *chain[2] = {s->con.tls.cert, s->con.tls.chain[0]};
        snprintf(path, sizeof path, "%s/console-cert.pem", dir);
        rc |= certgen_write_cert(path, chain, s->con.tls.chain[0] ? 2 : 1);
    }
    snprintf(path, sizeof path, "%s/expected.json", dir);
    rc |= write_expected(s, sc, path, has_keylog);
    return rc ? -1 : 0;
}

static void summarize(scen_ctx *s, char *out, size_t len)
{
    GString *g = g_string_new(NULL);
    for (int i = 0; i < s->ndns; i++)
        if (s->dns[i].cause)
            g_string_append_printf(g, "%sdns: %s", g->len ? "; " : "", s->dns[i].cause);
    for (size_t i = 0; i < netsim_conn_count(s->net); i++) {
        sim_conn_facts *f = netsim_facts(netsim_conn_at(s->net, i));
        if (s->capture_start && netsim_conn_last_time(s->net, (int)i) < s->capture_start)
            continue;
        g_string_append_printf(g, "%s#%zu %s", g->len ? "; " : "", i, f->outcome);
        for (unsigned k = 0; k < f->n_causes; k++)
            g_string_append_printf(g, "%s%s", k ? ", " : ": ", f->causes[k]);
    }
    g_strlcpy(out, g->str, len);
    g_string_free(g, TRUE);
}

/* What only a synthesized capture can show. */
static const char *needs_synthesis(const scen_ctx *s)
{
    if (s->ndns)
        return "DNS packets";
    if (s->dev.unreachable)
        return "an unreachable host";
    if (s->npath)
        return "TCP pathologies";
    if (s->synthetic_only)
        return s->synthetic_only;
    if (s->embed_secrets || s->fmt != PCAPW_PCAPNG)
        return "a special capture format";
    return NULL;
}

int scenario_generate(const scenario *sc, world *w, const char *dir, char *causes,
                      size_t causes_len, int live)
{
    scen_ctx s;
    memset(&s, 0, sizeof s);
    uint32_t seed = g_str_hash(sc->name);
    s.net = netsim_new(certgen_time(CAPTURE_EPOCH) * G_USEC_PER_SEC);
    scen_site site = scenario_site_default(w);
    scenario_defaults(&s, w, &site, seed);
    sc->setup(&s);
    int rc = -1;
    const char *why = live ? needs_synthesis(&s) : NULL;
    if (why) {
        fprintf(stderr, "amtsim: %s cannot be recorded live: it needs %s\n", sc->name, why);
        netsim_free(s.net);
        return -1;
    }
    if (live)
        netsim_set_live(s.net);
    if (amt_device_start(&s.dev) == 0 && console_start(&s.con) == 0) {
        if (!s.nreqs && s.sequence == scenario_default_sequence && !s.redir_tag)
            scen_default_requests(&s);
        s.sequence(&s);
        scenario_label(&s);
        if (s.expect_verdict && strcmp(s.dev.verdict, s.expect_verdict) != 0) {
            fprintf(stderr, "amtsim: %s: the AMT rejected for \"%s\", not \"%s\"\n", sc->name,
                    s.dev.verdict, s.expect_verdict);
        } else {
            char *out = g_build_filename(dir, sc->name, NULL);
            rc = write_files(&s, sc, out, live);
            g_free(out);
            summarize(&s, causes, causes_len);
        }
    }
    for (int i = 0; i < s.nreqs; i++)
        free(s.reqs[i].body);
    console_stop(&s.con);
    amt_device_stop(&s.dev);
    netsim_free(s.net);
    return rc;
}
