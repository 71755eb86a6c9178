/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amtgss: a small Kerberos console for AMT. It POSTs a WS-Man request the
 * way AMT's own SDK does: without credentials first, then — AMT answered
 * 401 offering Negotiate — again on a new connection with a SPNEGO token
 * for the port form of AMT's SPN (HTTP/<fqdn>:<port>, which curl cannot
 * ask for), and checks AMT's AP-REP (mutual authentication). HTTP on
 * 16992 or TLS on 16993 (with a key log for the capture). Kerberos is MIT's
 * GSS-API with the caller's credential cache.
 *
 * usage: amtgss [--spn PRINCIPAL] [--preemptive] [--delegate] [--cacert PEM]
 *               [--keylog FILE] [--data FILE] URL
 * exit: 0 the request was answered 2xx, 1 another answer, 2 bad usage or
 * no connection, 3 no Kerberos token could be made (no ticket). */
#include <errno.h>
#include <glib.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct opts {
    const char *spn, *cacert, *keylog, *data;
    int preemptive, delegate, tls;
    char *host, *port, *path;
} opts;

/* One connection, plain or TLS. */
typedef struct conn {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
} conn;

static FILE *keylog_file;

static void keylog_line(const SSL *ssl, const char *line)
{
    (void)ssl;
    if (keylog_file) {
        fprintf(keylog_file, "%s\n", line);
        fflush(keylog_file);
    }
}

static int conn_open(const opts *o, conn *c)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(o->host, o->port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "amtgss: %s: %s\n", o->host, gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *a = res; a && c->fd < 0; a = a->ai_next) {
        c->fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (c->fd >= 0 && connect(c->fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(c->fd);
            c->fd = -1;
        }
    }
    freeaddrinfo(res);
    if (c->fd < 0) {
        fprintf(stderr, "amtgss: cannot connect to %s:%s: %s\n", o->host, o->port, strerror(errno));
        return -1;
    }
    if (!o->tls)
        return 0;
    c->ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_keylog_callback(c->ctx, keylog_line);
    if (o->cacert) {
        SSL_CTX_load_verify_locations(c->ctx, o->cacert, NULL);
        SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    }
    c->ssl = SSL_new(c->ctx);
    SSL_set_tlsext_host_name(c->ssl, o->host);
    SSL_set1_host(c->ssl, o->host);
    SSL_set_fd(c->ssl, c->fd);
    if (SSL_connect(c->ssl) != 1) {
        fprintf(stderr, "amtgss: TLS handshake with %s failed\n", o->host);
        ERR_print_errors_fp(stderr);
        return -1;
    }
    return 0;
}

static void conn_close(conn *c)
{
    if (c->ssl) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    if (c->ctx)
        SSL_CTX_free(c->ctx);
    if (c->fd >= 0)
        close(c->fd);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

static int conn_write(conn *c, const char *p, size_t n)
{
    while (n) {
        ssize_t w = c->ssl ? SSL_write(c->ssl, p, (int)n) : write(c->fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads until the server closes (the request said Connection: close). */
static GString *conn_read_all(conn *c)
{
    GString *s = g_string_new(NULL);
    char buf[4096];
    for (;;) {
        ssize_t r = c->ssl ? SSL_read(c->ssl, buf, sizeof buf) : read(c->fd, buf, sizeof buf);
        if (r <= 0)
            break;
        g_string_append_len(s, buf, r);
    }
    return s;
}

/* The response's status, whether it offered Negotiate, and its token. */
typedef struct answer {
    int status;
    int negotiate;
    char *token; /* base64, or NULL */
} answer;

static void parse_answer(const GString *raw, answer *a)
{
    memset(a, 0, sizeof *a);
    if (raw->len < 12 || strncmp(raw->str, "HTTP/1.", 7) != 0)
        return;
    a->status = atoi(raw->str + 9);
    const char *end = strstr(raw->str, "\r\n\r\n");
    gchar *head = g_strndup(raw->str, end ? (gsize)(end - raw->str) : raw->len);
    gchar **lines = g_strsplit(head, "\r\n", -1);
    for (gchar **l = lines; *l; l++) {
        if (g_ascii_strncasecmp(*l, "WWW-Authenticate:", 17) != 0)
            continue;
        const char *v = *l + 17;
        while (*v == ' ')
            v++;
        if (g_ascii_strncasecmp(v, "Negotiate", 9) != 0)
            continue;
        a->negotiate = 1;
        v += 9;
        while (*v == ' ')
            v++;
        if (*v && !a->token)
            a->token = g_strdup(v);
    }
    g_strfreev(lines);
    g_free(head);
}

static int exchange(const opts *o, const char *body, size_t body_len, const char *authorization,
                    answer *a)
{
    conn c;
    if (conn_open(o, &c) != 0)
        return -1;
    GString *req = g_string_new(NULL);
    g_string_printf(req,
                    "POST %s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: amtgss\r\n"
                    "Content-Type: application/soap+xml;charset=UTF-8\r\n"
                    "Content-Length: %zu\r\nConnection: close\r\n",
                    o->path, o->host, o->port, body_len);
    if (authorization)
        g_string_append_printf(req, "Authorization: %s\r\n", authorization);
    g_string_append(req, "\r\n");
    g_string_append_len(req, body, (gssize)body_len);
    int rc = conn_write(&c, req->str, req->len);
    g_string_free(req, TRUE);
    GString *raw = rc == 0 ? conn_read_all(&c) : g_string_new(NULL);
    parse_answer(raw, a);
    g_string_free(raw, TRUE);
    conn_close(&c);
    return a->status ? 0 : -1;
}

static void gss_error(const char *what, OM_uint32 major, OM_uint32 minor)
{
    OM_uint32 m, ctx = 0;
    gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;
    gss_display_status(&m, major, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx, &msg);
    fprintf(stderr, "amtgss: %s: %.*s", what, (int)msg.length, (char *)msg.value);
    gss_release_buffer(&m, &msg);
    ctx = 0;
    gss_display_status(&m, minor, GSS_C_MECH_CODE, GSS_C_NO_OID, &ctx, &msg);
    fprintf(stderr, ": %.*s\n", (int)msg.length, (char *)msg.value);
    gss_release_buffer(&m, &msg);
}

static gss_OID_desc spnego_oid = {6, (void *)"\x2b\x06\x01\x05\x05\x02"};

/* One step of the security context; *out_b64 the token to send (or NULL).
 * Returns the major status. */
static OM_uint32 gss_step(const opts *o, gss_ctx_id_t *ctx, gss_name_t target, const char *in_b64,
                          char **out_b64)
{
    OM_uint32 major, minor, m;
    gsize in_len = 0;
    guchar *in = in_b64 ? g_base64_decode(in_b64, &in_len) : NULL;
    gss_buffer_desc ib = {in_len, in}, ob = GSS_C_EMPTY_BUFFER;
    OM_uint32 flags =
        GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG | (o->delegate ? GSS_C_DELEG_FLAG : 0);
    major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, ctx, target, &spnego_oid, flags, 0,
                                 GSS_C_NO_CHANNEL_BINDINGS, in ? &ib : GSS_C_NO_BUFFER, NULL, &ob,
                                 NULL, NULL);
    *out_b64 = ob.length ? g_base64_encode(ob.value, ob.length) : NULL;
    gss_release_buffer(&m, &ob);
    g_free(in);
    if (GSS_ERROR(major))
        gss_error(in_b64 ? "AMT's answer token" : "no Kerberos token for AMT", major, minor);
    return major;
}

static int parse_url(const char *url, opts *o)
{
    const char *p;
    if (g_str_has_prefix(url, "https://")) {
        o->tls = 1;
        p = url + 8;
    } else if (g_str_has_prefix(url, "http://")) {
        p = url + 7;
    } else {
        return -1;
    }
    const char *slash = strchr(p, '/');
    gchar *hostport = slash ? g_strndup(p, (gsize)(slash - p)) : g_strdup(p);
    o->path = g_strdup(slash ? slash : "/wsman");
    char *colon = strrchr(hostport, ':');
    o->port = g_strdup(colon ? colon + 1 : o->tls ? "16993" : "16992");
    if (colon)
        *colon = '\0';
    o->host = hostport;
    return 0;
}

int main(int argc, char **argv)
{
    opts o = {0};
    const char *url = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **val = !strcmp(a, "--spn")      ? &o.spn
                           : !strcmp(a, "--cacert") ? &o.cacert
                           : !strcmp(a, "--keylog") ? &o.keylog
                           : !strcmp(a, "--data")   ? &o.data
                                                    : NULL;
        if (val && i + 1 < argc)
            *val = argv[++i];
        else if (!strcmp(a, "--preemptive"))
            o.preemptive = 1;
        else if (!strcmp(a, "--delegate"))
            o.delegate = 1;
        else if (a[0] != '-' && !url)
            url = a;
        else {
            fprintf(stderr, "usage: amtgss [--spn PRINCIPAL] [--preemptive] [--delegate] "
                            "[--cacert PEM] [--keylog FILE] [--data FILE] URL\n");
            return 2;
        }
    }
    if (!url || parse_url(url, &o) != 0) {
        fprintf(stderr, "amtgss: give an http:// or https:// URL\n");
        return 2;
    }
    const char *kl = o.keylog ? o.keylog : getenv("SSLKEYLOGFILE");
    if (kl)
        keylog_file = fopen(kl, "a");
    gchar *body = NULL;
    gsize body_len = 0;
    if (o.data && !g_file_get_contents(o.data, &body, &body_len, NULL)) {
        fprintf(stderr, "amtgss: cannot read %s\n", o.data);
        return 2;
    }
    if (!body)
        body = g_strdup("");
    gchar *spn = o.spn ? g_strdup(o.spn) : g_strdup_printf("HTTP/%s:%s", o.host, o.port);
    OM_uint32 minor, m;
    gss_name_t target;
    gss_buffer_desc nb = {strlen(spn), spn};
    if (gss_import_name(&minor, &nb, (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME, &target) !=
        GSS_S_COMPLETE) {
        fprintf(stderr, "amtgss: %s is no Kerberos principal name\n", spn);
        return 2;
    }
    gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
    answer a = {0};
    int rc = 0;
    char *token = NULL;
    if (!o.preemptive) {
        if (exchange(&o, body, body_len, NULL, &a) != 0) {
            rc = 2;
            goto out;
        }
        printf("%d%s\n", a.status, a.negotiate ? " (Negotiate offered)" : "");
        if (a.status != 401 || !a.negotiate) {
            rc = a.status >= 200 && a.status < 300 ? 0 : 1;
            goto out;
        }
        g_free(a.token);
    }
    if (GSS_ERROR(gss_step(&o, &ctx, target, NULL, &token)) || !token) {
        rc = 3;
        goto out;
    }
    gchar *auth = g_strdup_printf("Negotiate %s", token);
    int x = exchange(&o, body, body_len, auth, &a);
    g_free(auth);
    if (x != 0) {
        fprintf(stderr, "amtgss: no answer to the Negotiate login\n");
        rc = 1;
        goto out;
    }
    printf("%d\n", a.status);
    rc = a.status >= 200 && a.status < 300 ? 0 : 1;
    if (rc == 0 && a.token) {
        char *more = NULL;
        OM_uint32 major = gss_step(&o, &ctx, target, a.token, &more);
        printf("mutual authentication: %s\n", major == GSS_S_COMPLETE ? "ok" : "failed");
        g_free(more);
        rc = major == GSS_S_COMPLETE ? 0 : 1;
    }
out:
    g_free(a.token);
    g_free(token);
    if (ctx != GSS_C_NO_CONTEXT)
        gss_delete_sec_context(&m, &ctx, GSS_C_NO_BUFFER);
    gss_release_name(&m, &target);
    g_free(spn);
    g_free(body);
    g_free(o.host);
    g_free(o.port);
    g_free(o.path);
    if (keylog_file)
        fclose(keylog_file);
    return rc;
}
