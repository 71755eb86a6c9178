/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cirasim: runs CIRA scenarios between our AMT and our MPS over
 * 127.0.0.1:4433 (real TCP, real OpenSSL TLS) for dumpcap to record
 * (scripts/record-cira.sh), and writes per scenario the certificates, the
 * key log and cira-expected.json: the APF messages each side sent, the
 * TLS alerts, the HTTP statuses inside the channels, and the stage,
 * outcome and cause tokens the sample stands for.
 *
 * usage: cirasim --out DIR SCENARIO...  |  cirasim --list */
#include "certgen.h"
#include "cira.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const cira_scen scens[] = {
    {.name = "cira-ok-wsman-get",
     .summary = "A tunnel held: login, forwards, keep-alives, a WS-Man Get through a channel",
     .channel_port = 16992,
     .stage = "cira",
     .outcome = "ok"},
    {.name = "cira-channels-wsman-redir",
     .summary = "Three consoles at once through one tunnel: two WS-Man Gets with Digest logins, "
                "interleaved, and a SOL session's start and login on 16994",
     .channels = {"wsman", "wsman", "redir"},
     .amt_redir = 1,
     .stage = "cira",
     .outcome = "ok"},
    {.name = "cira-redir-channels",
     .summary = "Three redirection consoles at once through one tunnel, each on a channel to "
                "16994: AMT accepts the SOL console's login, refuses the IDE-R console's "
                "password, and answers a second SOL console's start with BUSY",
     .channels = {"redir", "redir-ider-wrong", "redir"},
     .amt_redir = 1,
     .stage = "cira",
     .outcome = "rejected",
     .causes = {"redir-login-rejected", "redir-session-busy"}},
    {.name = "cira-channel-tls",
     .summary = "A console's WS-Man Get over TLS to AMT's 16993 through the tunnel (TLS inside "
                "TLS), next to one on 16992",
     .channels = {"wsman-tls", "wsman"},
     .amt_tls = 1,
     .stage = "cira",
     .outcome = "ok"},
    {.name = "cira-channel-mtls",
     .summary = "A console's WS-Man Get over TLS to 16993 through the tunnel, where AMT asks "
                "for the console's certificate (TLS mutual authentication) and takes it",
     .channels = {"wsman-tls"},
     .amt_tls = 1,
     .amt_tls_mutual = 1,
     .stage = "cira",
     .outcome = "ok"},
    {.name = "cira-channel-tls-no-cert",
     .summary = "A console calls AMT's 16993 over TLS through the tunnel without a "
                "certificate; AMT asks for one (TLS mutual authentication), gets an empty "
                "Certificate, ends the handshake with its alert and closes the channel",
     .channels = {"wsman-tls-nocert"},
     .amt_tls = 1,
     .amt_tls_mutual = 1,
     .stage = "cira",
     .outcome = "rejected",
     .causes = {"cira-channel-tls-refused"}},
    {.name = "cira-channel-tls13-no-cert",
     .summary = "The same where AMT's 16993 allows TLS 1.3 and the console speaks it: AMT's "
                "CertificateRequest, the console's empty Certificate and AMT's "
                "certificate_required alert are encrypted (the key log opens them)",
     .channels = {"wsman-tls-nocert"},
     .amt_tls = 1,
     .amt_tls_mutual = 1,
     .amt_tls13 = 1,
     .stage = "cira",
     .outcome = "rejected",
     .causes = {"cira-channel-tls-refused"}},
    {.name = "cira-redir-tls",
     .summary = "A SOL session's start and login over TLS to AMT's 16995 through the tunnel "
                "(TLS inside TLS)",
     .channels = {"redir-tls"},
     .amt_redir = 1,
     .amt_redir_tls = 1,
     .amt_tls = 1,
     .stage = "cira",
     .outcome = "ok"},
    {.name = "cira-mps-asks-amt-cert",
     .summary = "The MPS asks for AMT's certificate and checks it; AMT shows one from the "
                "root the MPS trusts; the tunnel holds",
     .wants_amt_cert = 1,
     .channel_port = 16992,
     .stage = "cira",
     .outcome = "ok"},
    {.name = "cira-amt-cert-missing",
     .summary = "The MPS asks for AMT's certificate; AMT has none to show and the MPS ends the "
                "handshake",
     .wants_amt_cert = 1,
     .amt_no_cert = 1,
     .stage = "tls",
     .outcome = "rejected",
     .causes = {"cira-amt-cert-missing"}},
    {.name = "cira-amt-cert-untrusted",
     .summary = "The MPS asks for AMT's certificate and trusts another root than the one AMT's "
                "is from: the MPS alerts",
     .wants_amt_cert = 1,
     .amt_cert_other_root = 1,
     .stage = "tls",
     .outcome = "rejected",
     .causes = {"cira-amt-cert-untrusted"}},
    {.name = "cira-wsman-login-rejected",
     .summary = "Two consoles through one tunnel: one logs in, the other's Digest password is "
                "wrong and AMT answers 401 again",
     .channels = {"wsman", "wsman-wrong"},
     .stage = "cira",
     .outcome = "rejected",
     .causes = {"digest-login-rejected"}},
    {.name = "cira-wsman-no-credentials",
     .summary = "A console behind the MPS sends a WS-Man Get without credentials, gets AMT's "
                "401 and never sends any",
     .channels = {"wsman-nocred"},
     .stage = "cira",
     .outcome = "rejected",
     .causes = {"no-credentials-sent"}},
    {.name = "cira-mps-cert-untrusted",
     .summary = "The MPS certificate is not from a root AMT trusts: AMT alerts",
     .cert_other_root = 1,
     .stage = "tls",
     .outcome = "rejected",
     .causes = {"cira-mps-cert-untrusted"}},
    {.name = "cira-mps-name-mismatch",
     .summary = "The MPS certificate names another server than AMT's MPS name",
     .cert_name = "mps-old.example.net",
     .stage = "tls",
     .outcome = "rejected",
     .causes = {"cira-mps-name-mismatch"}},
    {.name = "cira-login-rejected",
     .summary = "AMT's MPS user name or password is wrong: UserAuthFailure",
     .password = "Other-P4ss!",
     .stage = "cira",
     .outcome = "rejected",
     .causes = {"cira-login-rejected"}},
    {.name = "cira-channel-open-refused",
     .summary = "The MPS opens a channel to 16994; AMT refuses it",
     .channel_port = 16994,
     .stage = "cira",
     .outcome = "rejected",
     .causes = {"cira-channel-open-refused"}},
    {.name = "cira-keepalive-timeout",
     .summary = "The MPS stops answering keep-alives; AMT drops the tunnel",
     .no_keepalive_reply = 1,
     .stage = "cira",
     .outcome = "failed",
     .causes = {"cira-keepalive-timeout"}},
    {.name = "cira-tls-version-refused",
     .summary = "The MPS takes TLS 1.3 only; AMT offers TLS 1.2",
     .tls13_only = 1,
     .stage = "tls",
     .outcome = "rejected",
     .causes = {"cira-tls-version-refused"}},
    {.name = "cira-tls-cipher-refused",
     .summary = "The MPS and AMT share no cipher suite",
     .ciphers = "ECDHE-RSA-CHACHA20-POLY1305",
     .amt_ciphers = "AES128-GCM-SHA256:AES256-GCM-SHA384",
     .stage = "tls",
     .outcome = "rejected",
     .causes = {"cira-tls-cipher-refused"}},
    {.name = "cira-tcp-refused",
     .summary = "Nothing listens on the MPS port: a reset",
     .no_listener = 1,
     .stage = "tcp",
     .outcome = "failed",
     .causes = {"cira-tcp-refused"}},
    {.name = "cira-tcp-unanswered",
     .summary = "The MPS never answers AMT's SYNs",
     .unanswered = 1,
     .stage = "tcp",
     .outcome = "failed",
     .causes = {"cira-tcp-unanswered"}},
};

const char *cira_type_name(uint8_t t)
{
    switch (t) {
    case 1:
        return "Disconnect";
    case 5:
        return "ServiceRequest";
    case 6:
        return "ServiceAccept";
    case 50:
        return "UserAuthRequest";
    case 51:
        return "UserAuthFailure";
    case 52:
        return "UserAuthSuccess";
    case 80:
        return "GlobalRequest";
    case 81:
        return "RequestSuccess";
    case 90:
        return "ChannelOpen";
    case 91:
        return "ChannelOpenConfirmation";
    case 92:
        return "ChannelOpenFailure";
    case 93:
        return "ChannelWindowAdjust";
    case 94:
        return "ChannelData";
    case 97:
        return "ChannelClose";
    case 192:
        return "ProtocolVersion";
    case 208:
        return "KeepAliveRequest";
    case 209:
        return "KeepAliveReply";
    case 210:
        return "KeepAliveOptionsRequest";
    case 211:
        return "KeepAliveOptionsReply";
    default:
        return "?";
    }
}

/* The TLS alerts each side writes, seen through OpenSSL's info callback. */
static int alert_amt = -1, alert_mps = -1;

static void info_cb(const SSL *ssl, int where, int ret)
{
    if (!(where & SSL_CB_ALERT) || !(where & SSL_CB_WRITE) ||
        (ret & 0xff) == 0) /* close_notify is no refusal */
        return;
    if (SSL_is_server(ssl))
        alert_mps = ret & 0xff;
    else
        alert_amt = ret & 0xff;
}

static int listen_on(int backlog)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(CIRA_PORT)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, backlog) < 0) {
        perror("cirasim: 127.0.0.1:4433");
        close(fd);
        return -1;
    }
    return fd;
}

/* A connection that fills a backlog-0 accept queue, so that the kernel
 * drops the next SYN; from CIRA_FILLER_PORT, which the recording leaves
 * out. */
static int fill_queue(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(CIRA_FILLER_PORT)};
    me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(CIRA_PORT)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&me, sizeof me) < 0 ||
        connect(fd, (struct sockaddr *)&to, sizeof to) < 0) {
        perror("cirasim: filler connection");
        close(fd);
        return -1;
    }
    return fd;
}

static void json_list(GString *j, const char *key, GPtrArray *v, int last)
{
    g_string_append_printf(j, "    \"%s\": [", key);
    for (guint i = 0; i < v->len; i++)
        g_string_append_printf(j, "%s\"%s\"", i ? ", " : "", (char *)g_ptr_array_index(v, i));
    g_string_append_printf(j, "]%s\n", last ? "" : ",");
}

static int write_expected(const cira_scen *sc, const char *dir, cira_log *log, int tls)
{
    GString *j = g_string_new("{\n  \"schema\": \"amtdiag-cira-sample/1\",\n");
    g_string_append_printf(j, "  \"scenario\": \"%s\",\n  \"summary\": \"%s\",\n", sc->name,
                           sc->summary);
    g_string_append(j, "  \"capture\": \"capture.pcapng\",\n");
    g_string_append_printf(j, "  \"keylog\": %s,\n", tls ? "\"keylog.txt\"" : "null");
    g_string_append_printf(j, "  \"mps_name\": \"%s\",\n  \"trusted_root\": \"root-ca.pem\",\n",
                           CIRA_MPS_NAME);
    /* the roots the MPS checks AMT's certificate against (amtdiag's --ca) */
    if (sc->wants_amt_cert)
        g_string_append(j, "  \"mps_ca\": \"mps-ca.pem\",\n");
    g_string_append(j, "  \"connections\": [\n   {\n");
    g_string_append_printf(j, "    \"client\": \"%s\",\n    \"server\": \"127.0.0.1:%d\",\n",
                           log->client, CIRA_PORT);
    g_string_append(j, "    \"alerts\": [");
    int n = 0;
    if (log->alert_from_amt >= 0)
        g_string_append_printf(j, "{\"from\": \"amt\", \"description\": %d}", log->alert_from_amt),
            n++;
    if (log->alert_from_mps >= 0)
        g_string_append_printf(j, "%s{\"from\": \"mps\", \"description\": %d}", n ? ", " : "",
                               log->alert_from_mps);
    g_string_append(j, "],\n");
    json_list(j, "apf_amt", log->amt_msgs, 0);
    json_list(j, "apf_mps", log->mps_msgs, 0);
    json_list(j, "http_statuses", log->http, 0);
    json_list(j, "https_statuses", log->https, 0);
    json_list(j, "redir_logins", log->redir, 0);
    /* the channels whose consoles speak TLS to AMT (16993, 16995) */
    int tls_channels = 0;
    for (int i = 0; i < CIRA_CHANNELS_MAX && sc->channels[i]; i++)
        tls_channels += cira_kind_tls(sc->channels[i]);
    g_string_append_printf(j, "    \"tls_channels\": %d,\n", tls_channels);
    g_string_append_printf(j, "    \"mps_asks_amt_cert\": %s,\n",
                           sc->wants_amt_cert ? "true" : "false");
    g_string_append_printf(j, "    \"stage\": \"%s\",\n    \"outcome\": \"%s\",\n", sc->stage,
                           sc->outcome);
    g_string_append(j, "    \"causes\": [");
    for (int i = 0; i < 3 && sc->causes[i]; i++)
        g_string_append_printf(j, "%s\"%s\"", i ? ", " : "", sc->causes[i]);
    g_string_append(j, "]\n   }\n  ]\n}\n");
    char *path = g_build_filename(dir, "cira-expected.json", NULL);
    GError *e = NULL;
    int r = g_file_set_contents(path, j->str, (gssize)j->len, &e) ? 0 : -1;
    if (r)
        fprintf(stderr, "cirasim: %s\n", e->message), g_error_free(e);
    g_free(path);
    g_string_free(j, TRUE);
    return r;
}

static int run(const cira_scen *sc, const char *out)
{
    char *dir = g_build_filename(out, sc->name, NULL);
    g_mkdir_with_parents(dir, 0755);
    char *keylog = g_build_filename(dir, "keylog.txt", NULL);
    g_unlink(keylog);

    /* the PKI: AMT trusts root; the MPS certificate is from it or another */
    EVP_PKEY *root_key = certgen_rsa_key(2048), *other_key = certgen_rsa_key(2048),
             *mps_key = certgen_rsa_key(2048);
    cert_spec r = {.cn = "Example Corp CIRA Root CA",
                   .org = "Example Corp",
                   .not_before = certgen_time("2024-01-01"),
                   .not_after = certgen_time("2036-01-01"),
                   .serial = 1,
                   .is_ca = 1};
    X509 *root = certgen_issue(&r, root_key);
    r.cn = "Unknown Hosting CA";
    r.serial = 2;
    X509 *other = certgen_issue(&r, other_key);
    const char *name = sc->cert_name ? sc->cert_name : CIRA_MPS_NAME;
    cert_spec m = {.cn = name,
                   .org = "Example Corp",
                   .san_dns = name,
                   .not_before = certgen_time("2025-01-01"),
                   .not_after = certgen_time("2030-01-01"),
                   .serial = 10,
                   .eku_server_auth = 1,
                   .issuer = sc->cert_other_root ? other : root,
                   .issuer_key = sc->cert_other_root ? other_key : root_key};
    X509 *mps_cert = certgen_issue(&m, mps_key);
    /* AMT's own, for 16993 through the tunnel */
    EVP_PKEY *amt_key = certgen_rsa_key(2048);
    cert_spec a = m;
    a.cn = a.san_dns = CIRA_AMT_NAME;
    a.serial = 11;
    a.eku_client_auth = 1; /* shown to an MPS that asks, and served on 16993 */
    a.issuer = root;
    a.issuer_key = root_key;
    X509 *amt_cert = certgen_issue(&a, amt_key);
    /* the consoles', for an AMT that asks on 16993 */
    EVP_PKEY *console_key = NULL;
    X509 *console_cert = NULL;
    if (sc->amt_tls_mutual) {
        console_key = certgen_rsa_key(2048);
        cert_spec c = a;
        c.cn = c.san_dns = "console.example.com";
        c.serial = 12;
        c.eku_server_auth = 0;
        console_cert = certgen_issue(&c, console_key);
    }
    char *p = g_build_filename(dir, "root-ca.pem", NULL);
    certgen_write_cert(p, &root, 1);
    g_free(p);
    X509 *mps_trusts = sc->amt_cert_other_root ? other : root;
    if (sc->wants_amt_cert) {
        p = g_build_filename(dir, "mps-ca.pem", NULL);
        certgen_write_cert(p, &mps_trusts, 1);
        g_free(p);
    }
    p = g_build_filename(dir, "mps-cert.pem", NULL);
    X509 *chain[2] = {mps_cert, sc->cert_other_root ? other : root};
    certgen_write_cert(p, chain, 2);
    g_free(p);

    cira_log log = {.amt_msgs = g_ptr_array_new_with_free_func(g_free),
                    .mps_msgs = g_ptr_array_new_with_free_func(g_free),
                    .http = g_ptr_array_new_with_free_func(g_free),
                    .https = g_ptr_array_new_with_free_func(g_free),
                    .redir = g_ptr_array_new_with_free_func(g_free)};
    alert_amt = alert_mps = -1;
    int lfd = -1, filler = -1, rc = 0;
    GThread *mps = NULL;
    mps_args args = {.sc = sc,
                     .chain = {mps_cert, NULL},
                     .key = mps_key,
                     .amt_root = mps_trusts,
                     .console_cert = console_cert,
                     .console_key = console_key,
                     .log = &log};
    if (!sc->no_listener) {
        lfd = listen_on(sc->unanswered ? 0 : 4);
        if (lfd < 0) {
            rc = -1;
            goto done;
        }
        if (sc->unanswered) {
            filler = fill_queue();
            if (filler < 0) {
                rc = -1;
                goto done;
            }
            g_usleep(100000);
        } else {
            args.lfd = lfd;
            mps = g_thread_new("mps", cira_mps_run, &args);
        }
    }
    cira_amt_run(sc, root, amt_cert, amt_key, keylog, &log);
    if (mps)
        g_thread_join(mps);
    log.alert_from_amt = alert_amt;
    log.alert_from_mps = alert_mps;
    rc = write_expected(sc, dir, &log, g_file_test(keylog, G_FILE_TEST_EXISTS));
done:
    if (filler >= 0)
        close(filler);
    if (lfd >= 0)
        close(lfd);
    g_ptr_array_free(log.amt_msgs, TRUE);
    g_ptr_array_free(log.mps_msgs, TRUE);
    g_ptr_array_free(log.http, TRUE);
    g_ptr_array_free(log.redir, TRUE);
    g_ptr_array_free(log.https, TRUE);
    X509_free(root);
    X509_free(other);
    X509_free(mps_cert);
    X509_free(amt_cert);
    X509_free(console_cert);
    EVP_PKEY_free(console_key);
    EVP_PKEY_free(amt_key);
    EVP_PKEY_free(root_key);
    EVP_PKEY_free(other_key);
    EVP_PKEY_free(mps_key);
    g_free(keylog);
    g_free(dir);
    return rc;
}

void cira_set_info_callback(SSL_CTX *ctx)
{
    SSL_CTX_set_info_callback(ctx, info_cb);
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--list")) {
        for (size_t i = 0; i < G_N_ELEMENTS(scens); i++)
            printf("%s\t%s\n", scens[i].name, scens[i].summary);
        return 0;
    }
    if (argc < 4 || strcmp(argv[1], "--out") != 0) {
        fprintf(stderr, "usage: cirasim --out DIR SCENARIO... | cirasim --list\n");
        return 2;
    }
    for (int a = 3; a < argc; a++) {
        const cira_scen *sc = NULL;
        for (size_t i = 0; i < G_N_ELEMENTS(scens); i++)
            if (!strcmp(scens[i].name, argv[a]))
                sc = &scens[i];
        if (!sc) {
            fprintf(stderr, "cirasim: no scenario %s (cirasim --list)\n", argv[a]);
            return 2;
        }
        if (run(sc, argv[2]) != 0)
            return 1;
    }
    return 0;
}
