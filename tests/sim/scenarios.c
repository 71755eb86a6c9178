/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scenarios: the catalog. Each setup changes the default world (an AMT 12
 * on TLS 1.2, an admin console) into the situation it names; the cause
 * tokens are the ones the diagnosis must find. */
#include "scenario.h"
#include "dns.h"

#include <glib.h>
#include <string.h>

#define SOAP "application/soap+xml;charset=UTF-8"

static void run(scen_ctx *s, uint16_t port)
{
    scen_default_requests(s);
    console_run(&s->con, &s->dev, port, s->reqs, s->nreqs);
    s->nreqs = 0;
}

/* ---- success ---------------------------------------------------------- */

static void ok_http_16992(scen_ctx *s)
{
    s->port = 16992;
    s->con.port = 16992;
    s->dev.http_cfg.tls_enabled = 0;
}

static void ok_tls10_rsa(scen_ctx *s)
{
    /* AMT 11: TLS 1.0/1.1 and the four CBC-SHA suites; a console that
     * offers only AES128-SHA gets static RSA, decryptable with the key. */
    s->dev.http_cfg.fw_version = "11.8.50.3425";
    s->dev.tls.max_version = TLS1_1_VERSION;
    s->dev.tls.ciphers = "AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA"
                         ":@SECLEVEL=0";
    s->con.tls.max_version = TLS1_VERSION;
    s->con.tls.ciphers = "AES128-SHA:@SECLEVEL=0";
    s->static_rsa = 1;
}

static void ok_tls12_rsa(scen_ctx *s)
{
    s->con.tls.max_version = TLS1_2_VERSION;
    s->con.tls.ciphers = "AES128-GCM-SHA256:AES128-SHA:@SECLEVEL=0";
    s->static_rsa = 1;
}

static void ok_tls12_ecdhe_gcm(scen_ctx *s)
{
    s->con.tls.max_version = TLS1_2_VERSION;
    s->con.tls.ciphers = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256";
}

static void ok_tls13(scen_ctx *s)
{
    s->dev.http_cfg.fw_version = "19.0.5.2050";
    s->dev.tls.min_version = TLS1_2_VERSION;
    s->dev.tls.max_version = TLS1_3_VERSION;
}

static void secrets_in_pcapng(scen_ctx *s)
{
    ok_tls13(s);
    s->embed_secrets = 1;
}

static void ok_ipv6_pcap(scen_ctx *s)
{
    ok_tls12_ecdhe_gcm(s);
    s->fmt = PCAPW_PCAP;
    s->dev.addr = "2001:db8:10::20";
    s->con.addr = "2001:db8:10::10";
}

/* ---- mutual authentication -------------------------------------------- */

static void mtls(scen_ctx *s, X509 *client_cert, const char *verdict)
{
    s->dev.tls.mutual_auth = 1;
    s->dev.http_cfg.mutual_auth = 1;
    s->con.tls.max_version = TLS1_2_VERSION;
    s->con.tls.ciphers = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384";
    s->con.tls.cert = client_cert;
    s->con.tls.key = client_cert ? s->w->console_key : NULL;
    s->expect_verdict = verdict;
    s->tls_cause[0] = verdict;
}

static void mtls_ok(scen_ctx *s)
{
    mtls(s, s->w->con_good, NULL);
}

static void mtls_no_cert(scen_ctx *s)
{
    mtls(s, NULL, "client-cert-missing");
}

static void mtls_no_amt_oid(scen_ctx *s)
{
    mtls(s, s->w->con_no_oid, "client-cert-missing-amt-console-oid");
}

static void mtls_no_client_auth(scen_ctx *s)
{
    mtls(s, s->w->con_no_client_auth, "client-cert-missing-client-auth-eku");
}

static void mtls_expired_at_amt_clock(scen_ctx *s)
{
    /* The certificate runs to 2027-06-01; AMT's clock is 15 months ahead. */
    mtls(s, s->w->con_good, "client-cert-expired-at-amt-clock");
    s->dev.clock_offset_s = 460LL * 86400;
    s->tls_cause[1] = "amt-clock-wrong";
}

static void mtls_not_yet_valid(scen_ctx *s)
{
    /* Issued 2026-02-20, ten days before the capture; AMT's clock lags a month. */
    mtls(s, s->w->con_new, "client-cert-not-yet-valid-at-amt-clock");
    s->dev.clock_offset_s = -31LL * 86400;
    s->tls_cause[1] = "amt-clock-wrong";
}

static void mtls_reverse_dns(scen_ctx *s)
{
    mtls(s, s->w->con_good, "client-cert-name-not-reverse-dns");
    s->dev.tls.check_reverse_dns = 1;
    s->dev.console_ptr = "ws-0417.dhcp.example.com";
    /* AMT 3: TLS 1.0 with static RSA, as the forum case had it. */
    s->dev.http_cfg.fw_version = "3.2.1";
    s->dev.tls.max_version = TLS1_VERSION;
    s->con.tls.ciphers = "AES128-SHA:@SECLEVEL=0";
    s->static_rsa = 1;
    sim_endpoint con;
    sim_endpoint_set(&con, s->con.addr, 0);
    dns_ptr_name(con.family, con.addr, s->ptr_qname, sizeof s->ptr_qname);
    s->dns[s->ndns++] = (scen_dns){s->ptr_qname, DNS_TYPE_PTR, DNS_RCODE_OK, NULL};
}

static void mtls_untrusted_root(scen_ctx *s)
{
    mtls(s, s->w->con_other_root, "client-cert-untrusted-root");
}

static void mtls_fqdn_not_trusted(scen_ctx *s)
{
    mtls(s, s->w->con_other_fqdn, "client-cert-fqdn-not-trusted");
}

static void mtls_accept_then_close(scen_ctx *s)
{
    mtls(s, s->w->con_no_oid, "client-cert-missing-amt-console-oid");
    s->dev.tls.reject = AMT_ACCEPT_THEN_CLOSE;
}

/* ---- TLS negotiation and the console's own checks ---------------------- */

static void server_name_mismatch(scen_ctx *s)
{
    s->con.amt_name = s->dev.addr;
    s->con.tls.max_version = TLS1_2_VERSION;
    s->tls_cause[0] = "server-name-mismatch";
}

static void tls_version_mismatch(scen_ctx *s)
{
    s->dev.http_cfg.fw_version = "11.8.50.3425";
    s->dev.tls.max_version = TLS1_1_VERSION;
    s->con.tls.min_version = TLS1_2_VERSION;
    s->tls_cause[0] = "tls-version-mismatch";
}

static void no_shared_cipher(scen_ctx *s)
{
    s->dev.http_cfg.fw_version = "11.8.50.3425";
    s->dev.tls.max_version = TLS1_1_VERSION;
    s->dev.tls.ciphers = "AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA"
                         ":@SECLEVEL=0";
    s->con.tls.max_version = TLS1_2_VERSION;
    s->con.tls.ciphers = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256";
    s->tls_cause[0] = "no-shared-cipher";
}

static void legacy_reneg(scen_ctx *s)
{
    s->dev.http_cfg.fw_version = "9.0.30.1482";
    s->dev.tls.max_version = TLS1_1_VERSION;
    s->dev.tls.ignore_renegotiation_info = 1;
    s->con.tls.max_version = TLS1_2_VERSION;
    s->tls_cause[0] = "legacy-renegotiation-refused";
}

/* ---- TCP and naming ---------------------------------------------------- */

static void seq_plain_then_tls(scen_ctx *s)
{
    console_req r = {"POST", "/wsman", SOAP, wsman_get(s->con.http, "AMT_GeneralSettings"), NULL};
    console_run(&s->con, &s->dev, 16992, &r, 1);
    netsim_advance(s->net, 2000000);
    run(s, 16993);
}

static void plain_refused_tls_only(scen_ctx *s)
{
    s->dev.http_cfg.fw_version = "16.1.25.2124";
    s->dev.plain_open = 0;
    s->refused_cause = "plain-http-refused-tls-only";
    s->sequence = seq_plain_then_tls;
}

static void port_closed(scen_ctx *s)
{
    s->dev.tls_open = 0;
    s->dev.http_cfg.tls_enabled = 0;
}

static void syn_unanswered(scen_ctx *s)
{
    s->dev.unreachable = 1;
}

static void seq_dns_nxdomain(scen_ctx *s)
{
    sim_endpoint cli, dns;
    sim_endpoint_set(&cli, s->con.addr, 0);
    sim_endpoint_set(&dns, s->dns_addr, 53);
    netsim_dns(s->net, &cli, &dns, s->con.amt_name, DNS_TYPE_A, DNS_RCODE_NXDOMAIN, NULL);
    netsim_advance(s->net, 1000000);
    netsim_dns(s->net, &cli, &dns, s->con.amt_name, DNS_TYPE_A, DNS_RCODE_NXDOMAIN, NULL);
}

static void dns_nxdomain(scen_ctx *s)
{
    s->sequence = seq_dns_nxdomain;
    for (int i = 0; i < 2; i++)
        s->dns[s->ndns++] =
            (scen_dns){s->con.amt_name, DNS_TYPE_A, DNS_RCODE_NXDOMAIN, "dns-name-unresolved"};
}

/* ---- login ------------------------------------------------------------- */

static void wrong_password(scen_ctx *s)
{
    s->con.password = "Vpro!Admin-2025";
    s->auth_cause = "digest-wrong-password";
}

static void unknown_user(scen_ctx *s)
{
    s->con.user = "administrator";
    s->auth_cause = "digest-unknown-user";
}

static void seq_stale(scen_ctx *s)
{
    /* The console logs in and keeps the nonce; a second tool on the same
     * host then gets a fresh challenge, which makes the first nonce stale;
     * the console's next call with the old nonce is answered stale="true". */
    run(s, 16993);
    netsim_advance(s->net, 30000000);
    console other = s->con;
    other.seed = s->con.seed + 1;
    other.http = NULL;
    other.ctx = NULL;
    if (console_start(&other) == 0) {
        console_req r = {"POST", "/wsman", SOAP, wsman_get(other.http, "AMT_GeneralSettings"),
                         NULL};
        console_run(&other, &s->dev, 16993, &r, 1);
        console_stop(&other);
    }
    netsim_advance(s->net, 30000000);
    console_req r2 = {"POST", "/wsman", SOAP, wsman_get(s->con.http, "AMT_GeneralSettings"), NULL};
    console_run(&s->con, &s->dev, 16993, &r2, 1);
}

static void stale_nonce(scen_ctx *s)
{
    s->sequence = seq_stale;
}

static void cve_2017_5689(scen_ctx *s)
{
    s->port = 16992;
    s->con.port = 16992;
    s->dev.http_cfg.fw_version = "9.0.30.1482";
    s->dev.http_cfg.vulnerable_cve_2017_5689 = 1;
    s->con.mode = CONSOLE_EMPTY_RESPONSE;
    s->ok_cause = "empty-digest-response";
}

/* ---- SOAP ------------------------------------------------------------- */

static void seq_eoi(scen_ctx *s)
{
    console_req r[3] = {
        {"POST", "/SecurityAdministrationService", "text/xml; charset=utf-8",
         eoi_request("SecurityAdministrationService", "GetCoreVersion", ""), NULL},
        {"POST", "/GeneralInfoService", "text/xml; charset=utf-8",
         eoi_request("GeneralInfoService", "GetCodeVersions", ""), NULL},
        {"POST", "/RemoteControlService", "text/xml; charset=utf-8",
         eoi_request("RemoteControlService", "GetSystemPowerState", ""), NULL},
    };
    console_run(&s->con, &s->dev, 16992, r, 3);
}

static void eoi_session(scen_ctx *s)
{
    s->port = 16992;
    s->con.port = 16992;
    s->dev.http_cfg.fw_version = "3.2.1";
    s->dev.http_cfg.eoi = 1;
    s->dev.http_cfg.tls_enabled = 0;
    s->sequence = seq_eoi;
}

static void seq_access_denied(scen_ctx *s)
{
    console_req r[2] = {
        {"POST", "/wsman", SOAP, wsman_get(s->con.http, "AMT_GeneralSettings"), NULL},
        {"POST", "/wsman", SOAP, wsman_get(s->con.http, "AMT_AuthorizationService"), NULL},
    };
    console_run(&s->con, &s->dev, s->port, r, 2);
}

static void access_denied(scen_ctx *s)
{
    s->con.user = "operator";
    s->con.password = "Vpro!Oper-2026";
    s->wsman_cause = "wsman-access-denied";
    s->sequence = seq_access_denied;
}

static void seq_return_value(scen_ctx *s)
{
    console_req r[2] = {
        {"POST", "/wsman", SOAP, wsman_get(s->con.http, "AMT_GeneralSettings"), NULL},
        {"POST", "/wsman", SOAP,
         wsman_invoke(s->con.http, "AMT_PublicKeyManagementService", "AddTrustedRootCertificate",
                      "<h:CertificateBlob></h:CertificateBlob>"),
         NULL},
    };
    console_run(&s->con, &s->dev, s->port, r, 2);
    /* The call failed inside a 200: label the connection that carried it. */
    size_t last = netsim_conn_count(s->net) - 1;
    sim_conn_facts *f = netsim_facts(netsim_conn_at(s->net, last));
    g_strlcpy(f->stage, "wsman", sizeof f->stage);
    g_strlcpy(f->outcome, "rejected", sizeof f->outcome);
    g_strlcpy(f->causes[f->n_causes++], "wsman-return-value-error", sizeof f->causes[0]);
}

static void return_value(scen_ctx *s)
{
    s->sequence = seq_return_value;
}

/* ---- combinations and capture problems --------------------------------- */

static void seq_mixed(scen_ctx *s)
{
    sim_endpoint cli, dns;
    sim_endpoint_set(&cli, s->con.addr, 0);
    sim_endpoint_set(&dns, s->dns_addr, 53);
    sim_endpoint amt;
    sim_endpoint_set(&amt, s->dev.addr, 0);
    netsim_dns(s->net, &cli, &dns, s->con.amt_name, DNS_TYPE_A, DNS_RCODE_OK, amt.addr);
    seq_plain_then_tls(s); /* refused, challenge, rejected (wrong password) */
    netsim_advance(s->net, 20000000);
    console fixed = s->con;
    fixed.password = "Vpro!Admin-2026";
    fixed.seed = s->con.seed + 5;
    fixed.http = NULL;
    fixed.ctx = NULL;
    if (console_start(&fixed) == 0) {
        console_req r[2] = {
            {"POST", "/wsman", SOAP, wsman_get(fixed.http, "AMT_GeneralSettings"), NULL},
            {"POST", "/wsman", SOAP, wsman_get(fixed.http, "CIM_Foo_NoSuchClass"), NULL},
        };
        console_run(&fixed, &s->dev, 16993, r, 2);
        console_stop(&fixed);
    }
}

static void mixed(scen_ctx *s)
{
    s->dev.http_cfg.fw_version = "16.1.25.2124";
    s->dev.plain_open = 0;
    s->con.password = "Vpro!Admin-2025";
    s->refused_cause = "plain-http-refused-tls-only";
    s->auth_cause = "digest-wrong-password";
    s->wsman_cause = "wsman-destination-unreachable";
    s->dns[s->ndns++] = (scen_dns){s->con.amt_name, DNS_TYPE_A, DNS_RCODE_OK, NULL};
    s->sequence = seq_mixed;
}

static void seq_pathologies(scen_ctx *s)
{
    run(s, 16993);
    netsim_advance(s->net, 5000000);
    console_req r = {"POST", "/wsman", SOAP, wsman_enumerate(s->con.http, "AMT_TLSSettingData"),
                     NULL};
    s->con.port = 16992;
    console_run(&s->con, &s->dev, 16992, &r, 1);
}

static void tcp_pathologies(scen_ctx *s)
{
    s->con.tls.max_version = TLS1_2_VERSION;
    s->sequence = seq_pathologies;
    /* conn 1 is the logged-in TLS session, conn 2 a plain one. Server
     * segments 0 and 1 are its two handshake flights, 2… the chunks of the
     * first response; client segment 2 is its first request. */
    s->path[s->npath++] = (netsim_pathology){1, 1, WIRE_REORDER, 3};
    s->path[s->npath++] = (netsim_pathology){1, 0, WIRE_RETRANSMIT, 2};
    s->path[s->npath++] = (netsim_pathology){1, 1, WIRE_OVERLAP, 5};
    s->path[s->npath++] = (netsim_pathology){2, 1, WIRE_LOSE, 1};
}

static void seq_mid_stream(scen_ctx *s)
{
    run(s, 16993);
    /* Start the capture at the console's first request on the logged-in
     * connection: its TLS handshake is not in the capture. */
    s->capture_start = netsim_data_time(s->net, 1, 3);
    sim_conn_facts *f = netsim_facts(netsim_conn_at(s->net, 1));
    f->decryptable = 0;
}

static void mid_stream(scen_ctx *s)
{
    s->con.tls.max_version = TLS1_2_VERSION;
    s->sequence = seq_mid_stream;
    s->synthetic_only = "a capture that starts mid-stream";
}

/* ---- redirection (16994, 16995): SOL, IDE-R, KVM ------------------------ */

static void redir(scen_ctx *s, uint16_t port, const char *tag, redir_login how)
{
    s->port = port;
    s->redir_tag = tag;
    s->redir_how = how;
}

static void redir_sol_digest(scen_ctx *s)
{
    redir(s, 16994, "SOL ", REDIR_LOGIN_DIGEST);
}

static void redir_sol_tls(scen_ctx *s)
{
    redir(s, 16995, "SOL ", REDIR_LOGIN_DIGEST);
}

static void redir_ider_digest(scen_ctx *s)
{
    /* an older AMT that offers RFC 2069 Digest only */
    redir(s, 16994, "IDER", REDIR_LOGIN_DIGEST);
    s->dev.redir_cfg.methods[0] = 3;
    s->dev.redir_cfg.n_methods = 1;
}

static void redir_kvm_digest(scen_ctx *s)
{
    redir(s, 16994, "KVMR", REDIR_LOGIN_DIGEST);
}

static void redir_wrong_password(scen_ctx *s)
{
    redir(s, 16994, "SOL ", REDIR_LOGIN_DIGEST);
    s->con.password = "Vpro!Admin-2025";
    s->redir_cause[0] = "digest-wrong-password";
}

static void redir_password_in_clear(scen_ctx *s)
{
    /* MEBx's "username and password" option is on: AMT offers it */
    redir(s, 16994, "KVMR", REDIR_LOGIN_USERPASS);
    s->dev.http_cfg.fw_version = "6.2.10.1003";
    s->dev.redir_cfg.methods[0] = 1;
    s->dev.redir_cfg.methods[1] = 3;
    s->dev.redir_cfg.methods[2] = 4;
    s->dev.redir_cfg.n_methods = 3;
    s->redir_cause[0] = "redir-password-in-clear";
}

static void redir_userpass_not_supported(scen_ctx *s)
{
    /* amtterm's login (user and password at once) against an AMT that
     * takes Digest only: refused, and the password went out in clear */
    redir(s, 16994, "SOL ", REDIR_LOGIN_BLIND_USERPASS);
    s->redir_cause[0] = "redir-method-not-supported";
    s->redir_cause[1] = "redir-password-in-clear";
}

static void redir_kerberos_refused(scen_ctx *s)
{
    redir(s, 16994, "IDER", REDIR_LOGIN_KERBEROS);
    s->dev.redir_cfg.methods[0] = 2;
    s->dev.redir_cfg.methods[1] = 4;
    s->dev.redir_cfg.n_methods = 2;
    s->redir_cause[0] = "negotiate-rejected";
}

static void redir_busy(scen_ctx *s)
{
    redir(s, 16994, "IDER", REDIR_LOGIN_DIGEST);
    s->dev.redir_cfg.busy = "IDER";
    s->redir_cause[0] = "redir-session-busy";
}

static void redir_sol_disabled(scen_ctx *s)
{
    redir(s, 16995, "SOL ", REDIR_LOGIN_DIGEST);
    s->dev.redir_cfg.sol_disabled = 1;
    s->redir_cause[0] = "redir-session-refused";
}

static void redir_listener_disabled(scen_ctx *s)
{
    redir(s, 16994, "SOL ", REDIR_LOGIN_DIGEST);
    s->dev.redir_open = 0;
    s->dev.redir_tls_open = 0;
    s->refused_cause = "redir-listener-disabled";
}

static void seq_redir_tls_only(scen_ctx *s)
{
    console_redir_run(&s->con, &s->dev, 16994, "SOL ", REDIR_LOGIN_DIGEST);
    netsim_advance(s->net, 1000000);
    console_redir_run(&s->con, &s->dev, 16995, "SOL ", REDIR_LOGIN_DIGEST);
}

static void redir_tls_only(scen_ctx *s)
{
    /* AMT 16.1: no redirection in clear from the network */
    s->dev.http_cfg.fw_version = "16.1.25.2124";
    s->dev.redir_open = 0;
    s->refused_cause = "redir-plain-refused-tls-only";
    s->sequence = seq_redir_tls_only;
}

const scenario scenarios[] = {
    {"ok-http-16992", "Digest login and WS-Man calls over plain HTTP on 16992", ok_http_16992},
    {"ok-tls10-rsa-aes128-cbc-sha", "AMT 11, TLS 1.0 with static-RSA AES128-SHA", ok_tls10_rsa},
    {"ok-tls12-rsa-aes128-gcm", "TLS 1.2 with static-RSA AES128-GCM-SHA256", ok_tls12_rsa},
    {"ok-tls12-ecdhe-gcm", "TLS 1.2 with ECDHE-RSA-AES256-GCM-SHA384", ok_tls12_ecdhe_gcm},
    {"ok-tls13", "AMT 19, TLS 1.3", ok_tls13},
    {"ok-ipv6-classic-pcap", "TLS 1.2 over IPv6, written as classic pcap", ok_ipv6_pcap},
    {"secrets-in-pcapng", "TLS 1.3 with the key log embedded in a pcapng DSB", secrets_in_pcapng},
    {"mtls-ok", "Mutual authentication with a valid console certificate", mtls_ok},
    {"mtls-no-client-cert", "AMT asks for a certificate, the console sends none", mtls_no_cert},
    {"mtls-no-amt-console-eku", "Console certificate without the AMT console EKU", mtls_no_amt_oid},
    {"mtls-no-client-auth-eku", "Console certificate without the TLS clientAuth EKU",
     mtls_no_client_auth},
    {"mtls-expired-at-amt-clock", "Certificate valid now, expired at AMT's clock",
     mtls_expired_at_amt_clock},
    {"mtls-not-yet-valid-at-amt-clock", "Certificate valid now, not yet valid at AMT's clock",
     mtls_not_yet_valid},
    {"mtls-reverse-dns-mismatch", "Certificate name differs from the PTR of the console IP",
     mtls_reverse_dns},
    {"mtls-untrusted-root", "Console certificate issued by a CA AMT does not list",
     mtls_untrusted_root},
    {"mtls-fqdn-not-trusted", "Console certificate CN outside AMT's trusted FQDN list",
     mtls_fqdn_not_trusted},
    {"mtls-accept-then-close", "AMT finishes the handshake, then closes (no console EKU)",
     mtls_accept_then_close},
    {"server-name-mismatch-ip", "Console connects by IP; AMT's certificate names its FQDN",
     server_name_mismatch},
    {"tls-version-mismatch", "AMT 11 (TLS 1.0/1.1) and a TLS 1.2+ console", tls_version_mismatch},
    {"no-shared-cipher", "AMT 11 CBC-SHA suites, console offers GCM only", no_shared_cipher},
    {"legacy-renegotiation-refused", "AMT 9 without renegotiation_info, modern console",
     legacy_reneg},
    {"plain-http-refused-tls-only", "16992 refused on a TLS-only AMT, 16993 works",
     plain_refused_tls_only},
    {"port-closed", "16993 answers RST: TLS not configured", port_closed},
    {"syn-unanswered", "No answer to the console's SYNs", syn_unanswered},
    {"dns-nxdomain", "The AMT's FQDN does not resolve", dns_nxdomain},
    {"digest-wrong-password", "Digest login with a wrong password", wrong_password},
    {"digest-unknown-user", "Digest login with a user AMT does not have", unknown_user},
    {"digest-stale-nonce", "A cached nonce went stale; AMT says stale=\"true\"", stale_nonce},
    {"cve-2017-5689-empty-response", "Empty Digest response accepted (INTEL-SA-00075)",
     cve_2017_5689},
    {"eoi-session-amt3", "AMT 3 EOI SOAP 1.1 services on 16992", eoi_session},
    {"wsman-access-denied", "A user without the realm gets wsman:AccessDenied", access_denied},
    {"wsman-return-value", "AddTrustedRootCertificate returns PT_STATUS_INVALID_CERT",
     return_value},
    {"mixed-outcomes", "DNS, refused 16992, wrong then right password, a WS-Man fault", mixed},
    {"tcp-pathologies", "Reordered, retransmitted, overlapping and lost segments", tcp_pathologies},
    {"capture-starts-mid-stream", "The capture begins after the TLS handshake", mid_stream},
    {"redir-sol-digest", "SOL on 16994 after a Digest login", redir_sol_digest},
    {"redir-sol-tls", "SOL inside TLS on 16995 after a Digest login", redir_sol_tls},
    {"redir-ider-digest", "IDE-R on 16994, RFC 2069 Digest login, READ CAPACITY",
     redir_ider_digest},
    {"redir-kvm-digest", "KVM on 16994: Digest login, then RFB 3.8 to ServerInit",
     redir_kvm_digest},
    {"redir-digest-wrong-password", "SOL login with a wrong password", redir_wrong_password},
    {"redir-password-in-clear", "KVM with the user/password login AMT 6 still offers",
     redir_password_in_clear},
    {"redir-userpass-not-supported", "amtterm's user/password login, AMT takes Digest only",
     redir_userpass_not_supported},
    {"redir-kerberos-refused", "IDE-R with a Kerberos ticket AMT refuses", redir_kerberos_refused},
    {"redir-session-busy", "IDE-R while another console holds IDE-R: BUSY", redir_busy},
    {"redir-sol-disabled", "SOL refused after the login (16995): SOL not enabled",
     redir_sol_disabled},
    {"redir-listener-disabled", "16994 answers RST: the redirection listener is closed",
     redir_listener_disabled},
    {"redir-plain-refused-tls-only", "16994 refused on a TLS-only AMT, SOL on 16995 works",
     redir_tls_only},
};

const unsigned n_scenarios = sizeof scenarios / sizeof scenarios[0];
