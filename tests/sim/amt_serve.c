/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amt_serve: amtsim --serve. The simulator's fake AMT (amt_device: its
 * TLS on OpenSSL with AMT's console certificate rules; amt_http: Digest
 * login and WS-Man) listens on 16992/16993 of one address for clients this
 * project did not write. Connections are served one at a time, each logged
 * as one JSON line of what the AMT saw, until the process is killed or has
 * served --max-conns connections. */
#include "amt_serve.h"
#include "amt_device.h"
#include "amt_negotiate.h"
#include "serve_certs.h"
#include "serve_dns.h"
#include "serve_log.h"
#include "serve_net.h"

#include <errno.h>
#include <glib.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef enum { PLAIN_SERVE, PLAIN_CLOSE, PLAIN_RESET, PLAIN_OFF } plain_mode;

typedef struct serve_opts {
    const char *dir, *listen, *fqdn;
    int amt_cert_expired, mutual_auth;
    plain_mode plain;
    int tls_min, tls_max;
    const char *ciphers, *ciphersuites;
    char **trusted_fqdn; /* NULL-terminated */
    amt_user users[AMT_MAX_USERS];
    unsigned n_users;
    int64_t clock_offset_s;
    long max_conns;
    int timeout_s;
    const char *dns_listen;
    serve_dns *dns;
    const char *krb_keytab; /* --kerberos */
    int krb_error_token;
    const char *krb_users[AMT_MAX_USERS];
    unsigned n_krb_users;
    long max_head;
} serve_opts;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: amtsim --serve DIR [options]\n"
            "Runs the simulator's fake AMT alone on real sockets, for other clients: TLS on\n"
            "16993 and HTTP on 16992. Writes its certificates and keys into DIR (root-ca.pem,\n"
            "amt-cert.pem, console-key.pem, console-good.pem, console-no-amt-oid.pem,\n"
            "console-no-client-auth.pem, console-other-root.pem, console-other-fqdn.pem,\n"
            "console-new.pem, other-root-ca.pem), DIR/ready once it listens, and one JSON\n"
            "line per connection and DNS query to DIR/connections.jsonl. Runs until killed.\n"
            "  --listen ADDR          address to listen on (default 0.0.0.0)\n"
            "  --fqdn NAME            AMT's FQDN, the only name in its certificate\n"
            "                         (default amt-pc17.vpro.example.com)\n"
            "  --amt-cert-expired     AMT's certificate expired 30 days ago\n"
            "  --plain MODE           16992: serve (HTTP, default); TLS-only AMT: close (read\n"
            "                         the request, close without answering), reset (read it,\n"
            "                         answer RST), off (not listening)\n"
            "  --mutual-auth          ask for a console certificate (CertificateRequest naming\n"
            "                         the root) and apply AMT's rules to it\n"
            "  --trusted-fqdn LIST    AMT's trusted FQDN suffixes, comma-separated\n"
            "                         (default it.example.com)\n"
            "  --clock-offset SECONDS AMT's clock minus the real clock (Date headers and\n"
            "                         certificate validity)\n"
            "  --tls-min V, --tls-max V   1.0, 1.1, 1.2 or 1.3 (default 1.0 to 1.2)\n"
            "  --ciphers LIST         TLS 1.2 and older cipher list (OpenSSL syntax)\n"
            "  --ciphersuites LIST    TLS 1.3 suites\n"
            "  --user NAME:PASSWORD   an AMT account (repeatable; default admin:Vpro!Admin-2026)\n"
            "  --dns NAME=ADDR        answer DNS: A for NAME, PTR for ADDR (IPv4; repeatable)\n"
            "  --dns-listen ADDR      where DNS is answered (UDP 53; default: --listen)\n"
            "  --kerberos KEYTAB      offer Negotiate (Kerberos) besides Digest and accept it\n"
            "                         with MIT's GSS-API acceptor and the keys of KEYTAB; 401s\n"
            "                         then carry a Date header (run under faketime to shift\n"
            "                         the acceptor's clock together with it)\n"
            "  --kerberos-error-token a refused Negotiate token's KRB-ERROR goes back in the\n"
            "                         401 (as IIS does)\n"
            "  --kerberos-user PRINC  a principal AMT's ACL lets in (repeatable; default: any\n"
            "                         the keytab accepts)\n"
            "  --max-header BYTES     the longest request head AMT reads (default 32768);\n"
            "                         a longer one is answered 400\n"
            "  --max-conns N          exit after serving N TCP connections\n"
            "  --timeout S            how long a silent client is waited for (default 5)\n");
}

static int tls_version(const char *v)
{
    static const struct {
        const char *name;
        int version;
    } t[] = {{"1.0", TLS1_VERSION},
             {"1.1", TLS1_1_VERSION},
             {"1.2", TLS1_2_VERSION},
             {"1.3", TLS1_3_VERSION}};
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++)
        if (strcmp(v, t[i].name) == 0)
            return t[i].version;
    return -1;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Parses argv (argv[0] "--serve", argv[1] the folder) into o, whose dns
 * table the caller provides; returns 0, or 2 with a message. */
static int parse(int argc, char **argv, serve_opts *o, serve_dns *dns)
{
    *o = (serve_opts){.dns = dns,
                      .listen = "0.0.0.0",
                      .fqdn = "amt-pc17.vpro.example.com",
                      .tls_min = TLS1_VERSION,
                      .tls_max = TLS1_2_VERSION,
                      .timeout_s = 5};
    if (argc < 2 || argv[1][0] == '-') {
        usage(stderr);
        return 2;
    }
    o->dir = argv[1];
    const char *trusted = "it.example.com";
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (strcmp(a, "--amt-cert-expired") == 0) {
            o->amt_cert_expired = 1;
            continue;
        }
        if (strcmp(a, "--mutual-auth") == 0) {
            o->mutual_auth = 1;
            continue;
        }
        if (strcmp(a, "--kerberos-error-token") == 0) {
            o->krb_error_token = 1;
            continue;
        }
        static const char *const with_value[] = {
            "--listen",        "--fqdn",       "--plain",     "--trusted-fqdn", "--clock-offset",
            "--tls-min",       "--tls-max",    "--ciphers",   "--ciphersuites", "--user",
            "--dns",           "--dns-listen", "--max-conns", "--timeout",      "--kerberos",
            "--kerberos-user", "--max-header"};
        int known = 0;
        for (size_t k = 0; k < G_N_ELEMENTS(with_value); k++)
            known |= strcmp(a, with_value[k]) == 0;
        if (!known) {
            fprintf(stderr, "amtsim: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
        if (!v) {
            fprintf(stderr, "amtsim: %s needs a value (amtsim --serve --help)\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--listen") == 0) {
            o->listen = v;
        } else if (strcmp(a, "--fqdn") == 0) {
            o->fqdn = v;
        } else if (strcmp(a, "--plain") == 0) {
            static const char *const modes[] = {"serve", "close", "reset", "off"};
            int m = -1;
            for (int k = 0; k < 4; k++)
                if (strcmp(v, modes[k]) == 0)
                    m = k;
            if (m < 0) {
                fprintf(stderr, "amtsim: --plain %s: use serve, close, reset or off\n", v);
                return 2;
            }
            o->plain = (plain_mode)m;
        } else if (strcmp(a, "--trusted-fqdn") == 0) {
            trusted = v;
        } else if (strcmp(a, "--clock-offset") == 0) {
            if (parse_long(v, -100L * 365 * 86400, 100L * 365 * 86400, &n) != 0) {
                fprintf(stderr, "amtsim: --clock-offset %s: seconds, e.g. -864000\n", v);
                return 2;
            }
            o->clock_offset_s = n;
        } else if (strcmp(a, "--tls-min") == 0 || strcmp(a, "--tls-max") == 0) {
            int ver = tls_version(v);
            if (ver < 0) {
                fprintf(stderr, "amtsim: %s %s: use 1.0, 1.1, 1.2 or 1.3\n", a, v);
                return 2;
            }
            *(strcmp(a, "--tls-min") == 0 ? &o->tls_min : &o->tls_max) = ver;
        } else if (strcmp(a, "--ciphers") == 0) {
            o->ciphers = v;
        } else if (strcmp(a, "--ciphersuites") == 0) {
            o->ciphersuites = v;
        } else if (strcmp(a, "--user") == 0) {
            const char *colon = strchr(v, ':');
            if (!colon || colon == v || o->n_users == AMT_MAX_USERS) {
                fprintf(stderr, "amtsim: --user NAME:PASSWORD, at most %d\n", AMT_MAX_USERS);
                return 2;
            }
            o->users[o->n_users++] = (amt_user){g_strndup(v, (gsize)(colon - v)), colon + 1, 0};
        } else if (strcmp(a, "--dns") == 0) {
            if (serve_dns_add(dns, v) != 0) {
                fprintf(stderr, "amtsim: --dns %s: NAME=IPV4, at most %d\n", v, SERVE_DNS_MAX);
                return 2;
            }
        } else if (strcmp(a, "--dns-listen") == 0) {
            o->dns_listen = v;
        } else if (strcmp(a, "--kerberos") == 0) {
            char err[256];
            if (amt_negotiate_init(v, err, sizeof err) != 0) {
                fprintf(stderr, "amtsim: --kerberos %s\n", err);
                return 2;
            }
            o->krb_keytab = v;
        } else if (strcmp(a, "--kerberos-user") == 0) {
            if (o->n_krb_users == AMT_MAX_USERS) {
                fprintf(stderr, "amtsim: --kerberos-user: at most %d\n", AMT_MAX_USERS);
                return 2;
            }
            o->krb_users[o->n_krb_users++] = v;
        } else if (strcmp(a, "--max-header") == 0) {
            if (parse_long(v, 256, 1 << 20, &o->max_head) != 0) {
                fprintf(stderr, "amtsim: --max-header %s: bytes from 256\n", v);
                return 2;
            }
        } else if (strcmp(a, "--max-conns") == 0) {
            if (parse_long(v, 1, 1000000, &o->max_conns) != 0) {
                fprintf(stderr, "amtsim: --max-conns %s: a count from 1\n", v);
                return 2;
            }
        } else { /* --timeout */
            if (parse_long(v, 1, 600, &n) != 0) {
                fprintf(stderr, "amtsim: --timeout %s: seconds from 1 to 600\n", v);
                return 2;
            }
            o->timeout_s = (int)n;
        }
    }
    if (o->tls_min > o->tls_max) {
        fprintf(stderr, "amtsim: --tls-min is above --tls-max\n");
        return 2;
    }
    o->trusted_fqdn = g_strsplit(trusted, ",", AMT_MAX_TRUSTED_CN);
    if (!o->n_users)
        o->users[o->n_users++] = (amt_user){g_strdup("admin"), "Vpro!Admin-2026", 0};
    return 0;
}

static void configure(amt_device *d, netsim *net, const serve_opts *o, const serve_certs *c,
                      serve_answers *a)
{
    memset(d, 0, sizeof *d);
    d->net = net;
    d->addr = "0.0.0.0";
    d->plain_open = o->plain != PLAIN_OFF;
    d->tls_open = 1;
    d->clock_offset_s = o->clock_offset_s;
    amt_tls_cfg *t = &d->tls;
    t->min_version = o->tls_min;
    t->max_version = o->tls_max;
    t->ciphers = o->ciphers;
    t->ciphersuites = o->ciphersuites;
    t->cert = c->amt_cert;
    t->key = c->amt_key;
    t->mutual_auth = o->mutual_auth;
    t->roots[0] = c->root;
    t->n_roots = 1;
    for (unsigned i = 0; o->trusted_fqdn[i] && i < AMT_MAX_TRUSTED_CN; i++)
        t->trusted_fqdn[t->n_trusted_fqdn++] = o->trusted_fqdn[i];
    amt_device_cfg *h = &d->http_cfg;
    h->fw_version = "16.1.25.2124";
    h->realm = "Digest:4E6F9C2A1B7D3E58A0C4F2B6D8E1A3C5";
    memcpy(h->users, o->users, sizeof h->users);
    h->n_users = o->n_users;
    for (unsigned i = 0; i < t->n_trusted_fqdn; i++)
        h->trusted_cn[h->n_trusted_cn++] = t->trusted_fqdn[i];
    h->mutual_auth = o->mutual_auth;
    h->tls_enabled = 1;
    const char *dot = strchr(o->fqdn, '.');
    h->hostname = dot ? g_strndup(o->fqdn, (gsize)(dot - o->fqdn)) : g_strdup(o->fqdn);
    h->domain = dot ? dot + 1 : "";
    h->seed = g_str_hash(o->fqdn);
    h->krb_keytab = o->krb_keytab;
    h->krb_error_token = o->krb_error_token;
    memcpy(h->krb_users, o->krb_users, sizeof h->krb_users);
    h->n_krb_users = o->n_krb_users;
    h->max_head = (size_t)o->max_head;
    h->on_answer = serve_answers_note;
    h->on_answer_arg = a;
}

/* Serves one TCP connection accepted from listener lfd on port; returns
 * the socket to close once the client has closed, or -1. */
static int serve_one(const serve_opts *o, amt_device *d, serve_answers *a, FILE *log, int lfd,
                     int port, long n)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return -1;
    serve_set_timeouts(fd, o->timeout_s);
    sim_conn_facts f;
    memset(a, 0, sizeof *a);
    d->verdict[0] = '\0';
    if (port == 16993 || o->plain == PLAIN_SERVE) {
        fd = amt_device_serve_accepted(d, fd, port == 16993, &f);
        serve_log_conn(log, n, port, &f, d->verdict, a, NULL, NULL);
        return fd;
    }
    memset(&f, 0, sizeof f);
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[64] = "0.0.0.0", serv[8] = "0", line[96];
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
        getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV);
    sim_endpoint_set(&f.cli, host, (uint16_t)atoi(serv));
    fd = serve_refuse_plain(fd, o->plain == PLAIN_RESET, line, sizeof line);
    serve_log_conn(log, n, port, &f, NULL, NULL, o->plain == PLAIN_RESET ? "reset" : "closed",
                   line);
    return fd;
}

/* Accepts and serves until stopped; returns 0 or 1. */
static int serve_loop(const serve_opts *o, amt_device *d, serve_answers *a, FILE *log)
{
    struct pollfd pfd[3 + SERVE_MAX_LINGER];
    int port[3], n = 0;
    const int ports[2] = {16993, 16992};
    for (int i = 0; i < 2; i++) {
        if (ports[i] == 16992 && o->plain == PLAIN_OFF)
            continue;
        pfd[n] =
            (struct pollfd){.fd = serve_listen(o->listen, (uint16_t)ports[i]), .events = POLLIN};
        port[n] = ports[i];
        if (pfd[n++].fd < 0)
            return 1;
    }
    if (o->dns->n) {
        if (serve_dns_open(o->dns, o->dns_listen ? o->dns_listen : o->listen) != 0)
            return 1;
        pfd[n] = (struct pollfd){.fd = o->dns->fd, .events = POLLIN};
        port[n++] = 53;
    }
    char *ready = g_build_filename(o->dir, "ready", NULL);
    int rc = g_file_set_contents(ready, "listening\n", -1, NULL) ? 0 : 1;
    g_free(ready);
    serve_linger linger = {.n = 0};
    long served = 0;
    while (rc == 0 && !stop_requested && (!o->max_conns || served < o->max_conns)) {
        int timeout;
        unsigned nl = serve_linger_poll(&linger, pfd + n, &timeout);
        if (poll(pfd, (nfds_t)n + nl, timeout) < 0) {
            rc = errno == EINTR ? 0 : 1;
            continue;
        }
        serve_linger_handle(&linger, pfd + n, nl);
        for (int i = 0; i < n; i++) {
            if (!(pfd[i].revents & POLLIN))
                continue;
            serve_dns_lookup lu;
            if (port[i] != 53)
                serve_linger_add(&linger, serve_one(o, d, a, log, pfd[i].fd, port[i], served++),
                                 o->timeout_s);
            else if (serve_dns_answer(o->dns, &lu) == 0)
                serve_log_dns(log, &lu);
        }
    }
    serve_linger_close_all(&linger);
    for (int i = 0; i < n; i++)
        if (port[i] != 53)
            close(pfd[i].fd);
    return rc;
}

/* Makes the certificates, listens and serves; returns the exit status. */
static int serve(const serve_opts *o)
{
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: poll returns */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (g_mkdir_with_parents(o->dir, 0755) != 0) {
        fprintf(stderr, "amtsim: cannot create %s: %s\n", o->dir, strerror(errno));
        return 1;
    }
    char *ready = g_build_filename(o->dir, "ready", NULL);
    unlink(ready); /* written again once this run listens */
    g_free(ready);
    serve_certs certs;
    netsim *net = netsim_new(0);
    netsim_set_realtime(net);
    amt_device d;
    serve_answers a;
    int rc = 1;
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    if (serve_certs_make(&certs, o->fqdn, o->amt_cert_expired, now) == 0 &&
        serve_certs_write(&certs, o->dir) == 0) {
        configure(&d, net, o, &certs, &a);
        char *path = g_build_filename(o->dir, "connections.jsonl", NULL);
        FILE *log = fopen(path, "a");
        if (!log)
            fprintf(stderr, "amtsim: %s: %s\n", path, strerror(errno));
        else if (amt_device_start(&d) == 0)
            rc = serve_loop(o, &d, &a, log);
        if (log)
            fclose(log);
        g_free(path);
        amt_device_stop(&d);
        g_free((char *)d.http_cfg.hostname);
    }
    serve_certs_free(&certs);
    netsim_free(net);
    return rc;
}

int amt_serve_main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    serve_opts o;
    serve_dns dns;
    serve_dns_init(&dns);
    int rc = parse(argc, argv, &o, &dns);
    if (rc == 0)
        rc = serve(&o);
    for (unsigned i = 0; i < o.n_users; i++)
        g_free((char *)o.users[i].name);
    g_strfreev(o.trusted_fqdn);
    serve_dns_free(&dns);
    return rc;
}
