/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netsim: console and fake AMT over a socketpair per connection, each
 * side's writes recorded on a synthetic clock (see netsim.h). */
#include "netsim.h"
#include "dns.h"

#include <errno.h>
#include <openssl/err.h>
#include <limits.h>
#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

/* How long each side takes before it writes: AMT's embedded TLS stack is
 * slow, so the server side is given more time. Fixed values keep samples
 * reproducible; netsim_set_steps changes them. */
#define CLIENT_STEP_US 350
#define SERVER_STEP_US 2100

struct simio {
    netsim *net;
    sim_conn *conn;
    int side; /* 0 console, 1 AMT */
    int fd;
    BIO *sock;
    SSL *ssl;
    int closed;
    int sent_fatal_alert;
    int got_alert;       /* the peer sent an alert */
    int peer_spoke_http; /* the handshake failed on a plain HTTP request */
};

struct sim_conn {
    int idx;
    netsim *net;
    int fds[2];
    simio cio, sio;
    pthread_t th;
    int has_thread;
    netsim_server_fn fn;
    void *ctx;
    int rst;
    sim_conn_facts f;
};

struct netsim {
    pthread_mutex_t mu;
    int64_t now;
    GArray *events; /* sim_event */
    GPtrArray *conns;
    GString *keylog;
    GArray *alerts; /* sim_alert */
    unsigned next_port;
    int live;         /* real TCP on 127.0.0.1 instead of socketpairs */
    int listen_fd[4]; /* live: listeners of 16992 to 16995 */
    int realtime;     /* serve mode: the real clock, nothing recorded */
    int n_served;     /* serve mode: connections served so far */
    int step_us[2];   /* per write: client, server */
    netsim_server_hooks hooks;
};

static int ex_index = -1;
static pthread_once_t ex_once = PTHREAD_ONCE_INIT;

static void ex_index_init(void)
{
    ex_index = SSL_get_ex_new_index(0, "simio", NULL, NULL, NULL);
}

netsim *netsim_new(int64_t start_us)
{
    netsim *n = g_new0(netsim, 1);
    /* Recursive: a side closing holds the lock across its close_notify
     * write (recorded under the same lock) and its FIN. */
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&n->mu, &attr);
    pthread_mutexattr_destroy(&attr);
    n->now = start_us;
    n->events = g_array_new(FALSE, TRUE, sizeof(sim_event));
    n->conns = g_ptr_array_new();
    n->keylog = g_string_new(NULL);
    n->alerts = g_array_new(FALSE, TRUE, sizeof(sim_alert));
    n->next_port = 50113;
    for (int i = 0; i < 4; i++)
        n->listen_fd[i] = -1;
    n->step_us[0] = CLIENT_STEP_US;
    n->step_us[1] = SERVER_STEP_US;
    /* Simulations may run on several threads at once (amtsim --fleet). */
    pthread_once(&ex_once, ex_index_init);
    return n;
}

static void conn_free(sim_conn *c)
{
    netsim_conn_join(c);
    if (c->cio.ssl)
        SSL_free(c->cio.ssl);
    else if (c->cio.sock)
        BIO_free(c->cio.sock);
    if (c->sio.ssl)
        SSL_free(c->sio.ssl);
    else if (c->sio.sock)
        BIO_free(c->sio.sock);
    for (int i = 0; i < 2; i++)
        if (c->fds[i] >= 0)
            close(c->fds[i]);
    g_free(c);
}

void netsim_free(netsim *n)
{
    if (!n)
        return;
    for (guint i = 0; i < n->conns->len; i++)
        conn_free(g_ptr_array_index(n->conns, i));
    for (guint i = 0; i < n->events->len; i++)
        g_free(g_array_index(n->events, sim_event, i).data);
    g_array_free(n->events, TRUE);
    g_ptr_array_free(n->conns, TRUE);
    /* The key log holds session secrets: wipe before release. */
    memset(n->keylog->str, 0, n->keylog->allocated_len);
    g_string_free(n->keylog, TRUE);
    g_array_free(n->alerts, TRUE);
    for (int i = 0; i < 4; i++)
        if (n->listen_fd[i] >= 0)
            close(n->listen_fd[i]);
    pthread_mutex_destroy(&n->mu);
    g_free(n);
}

int64_t netsim_now(netsim *n)
{
    if (n->realtime)
        return g_get_real_time();
    pthread_mutex_lock(&n->mu);
    int64_t t = n->now;
    pthread_mutex_unlock(&n->mu);
    return t;
}

void netsim_advance(netsim *n, int64_t us)
{
    pthread_mutex_lock(&n->mu);
    n->now += us;
    pthread_mutex_unlock(&n->mu);
}

/* Appends an event; the caller holds the lock. Time moves on by the
 * writer's step so that every event has its own timestamp. */
static void record_locked(netsim *n, sim_event ev, int step_us)
{
    if (n->realtime) {
        /* dumpcap records a served connection; keeping it would only grow */
        g_free(ev.data);
        return;
    }
    n->now += step_us;
    ev.ts_us = n->now;
    g_array_append_val(n->events, ev);
}

static void record(netsim *n, sim_event ev, int step_us)
{
    pthread_mutex_lock(&n->mu);
    record_locked(n, ev, step_us);
    pthread_mutex_unlock(&n->mu);
}

/* Called by OpenSSL before every write on a recorded socket: the bytes are
 * logged before they reach the peer, so the log keeps causal order. */
static long record_cb(BIO *b, int oper, const char *argp, size_t len, int argi, long argl, int ret,
                      size_t *processed)
{
    (void)argi;
    (void)argl;
    (void)processed;
    simio *io = (simio *)BIO_get_callback_arg(b);
    if (oper == BIO_CB_WRITE && len > 0 && !io->net->realtime) {
        sim_event ev = {.kind = EV_TCP_DATA, .conn = io->conn->idx, .from_server = io->side};
        ev.data = g_memdup2(argp, len);
        ev.len = len;
        record(io->net, ev, io->net->step_us[io->side]);
    }
    return ret;
}

static void io_init(simio *io, netsim *n, sim_conn *c, int side, int fd)
{
    io->net = n;
    io->conn = c;
    io->side = side;
    io->fd = fd;
    io->sock = BIO_new_socket(fd, BIO_NOCLOSE);
    BIO_set_callback_ex(io->sock, record_cb);
    BIO_set_callback_arg(io->sock, (char *)io);
}

static sim_conn *conn_new(netsim *n, const sim_endpoint *cli, const sim_endpoint *srv, int kind)
{
    sim_conn *c = g_new0(sim_conn, 1);
    c->net = n;
    c->fds[0] = c->fds[1] = -1;
    c->f.cli = *cli;
    c->f.srv = *srv;
    c->f.tcp = kind;
    c->f.first_fin_from_server = -1;
    c->f.rst_from = -1;
    c->f.client_cert_sent = -1;
    c->f.decryptable = 1;
    pthread_mutex_lock(&n->mu);
    if (c->f.cli.port == 0)
        c->f.cli.port = (uint16_t)(n->next_port++);
    c->idx = (int)n->conns->len;
    g_ptr_array_add(n->conns, c);
    sim_event ev = {.kind = kind, .conn = c->idx};
    /* Connecting takes a round trip before either side writes. */
    record_locked(n, ev, 600);
    pthread_mutex_unlock(&n->mu);
    return c;
}

static void *server_main(void *arg)
{
    sim_conn *c = arg;
    if (c->net->hooks.thread_start)
        c->net->hooks.thread_start(c->net->hooks.arg, c->idx);
    c->fn(&c->sio, c->ctx);
    if (!c->sio.closed)
        simio_close(&c->sio, 1);
    return NULL;
}

void netsim_set_live(netsim *n)
{
    n->live = 1;
}

/* Live mode: a loopback TCP connection to port; fds[0] is the console's
 * end, fds[1] the AMT's. Returns 0, or -1 with errno (ECONNREFUSED when
 * nothing listens). */
static int live_pair(netsim *n, uint16_t port, int listen_too, int fds[2], uint16_t *cport)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int slot = port >= 16992 && port <= 16995 ? port - 16992 : 1;
    if (listen_too && n->listen_fd[slot] < 0) {
        int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 4) != 0) {
            fprintf(stderr, "amtsim: cannot listen on 127.0.0.1:%u: %s\n", port, strerror(errno));
            close(l);
            return -1;
        }
        n->listen_fd[slot] = l;
    }
    fds[0] = socket(AF_INET, SOCK_STREAM, 0);
    /* Bind first so the client port is known even when the SYN is refused. */
    struct sockaddr_in me = {.sin_family = AF_INET};
    me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof me;
    if (bind(fds[0], (struct sockaddr *)&me, sizeof me) == 0 &&
        getsockname(fds[0], (struct sockaddr *)&me, &len) == 0)
        *cport = ntohs(me.sin_port);
    if (connect(fds[0], (struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno;
        close(fds[0]);
        fds[0] = -1;
        errno = e;
        return -1;
    }
    fds[1] = accept(n->listen_fd[slot], NULL, NULL);
    return fds[1] >= 0 ? 0 : -1;
}

/* Live mode: the facts name the real loopback addresses and ports. */
static void live_endpoints(sim_conn *c, uint16_t cport, uint16_t port)
{
    sim_endpoint_set(&c->f.srv, "127.0.0.1", port);
    sim_endpoint_set(&c->f.cli, "127.0.0.1", cport);
}

sim_conn *netsim_connect(netsim *n, const sim_endpoint *cli, const sim_endpoint *srv,
                         netsim_server_fn serve, void *ctx)
{
    sim_conn *c = conn_new(n, cli, srv, EV_TCP_OPEN);
    if (n->live) {
        uint16_t cport = 0;
        if (live_pair(n, srv->port, 1, c->fds, &cport) != 0) {
            perror("amtsim: loopback connection");
            abort();
        }
        live_endpoints(c, cport, srv->port);
    } else if (socketpair(AF_UNIX, SOCK_STREAM, 0, c->fds) != 0) {
        perror("amtsim: socketpair");
        abort();
    }
    io_init(&c->cio, n, c, 0, c->fds[0]);
    io_init(&c->sio, n, c, 1, c->fds[1]);
    c->fn = serve;
    c->ctx = ctx;
    if (pthread_create(&c->th, NULL, server_main, c) != 0) {
        perror("amtsim: pthread_create");
        abort();
    }
    c->has_thread = 1;
    return c;
}

sim_conn *netsim_connect_refused(netsim *n, const sim_endpoint *cli, const sim_endpoint *srv)
{
    sim_conn *c = conn_new(n, cli, srv, EV_TCP_REFUSED);
    c->f.rst_from = 1;
    if (n->live) {
        /* Nothing listens there: the kernel answers the SYN with RST. */
        int fds[2] = {-1, -1};
        uint16_t cport = 0;
        if (live_pair(n, srv->port, 0, fds, &cport) == 0 || errno != ECONNREFUSED)
            fprintf(stderr, "amtsim: 127.0.0.1:%u was expected to refuse\n", srv->port);
        for (int i = 0; i < 2; i++)
            if (fds[i] >= 0)
                close(fds[i]);
        live_endpoints(c, cport, srv->port);
    }
    g_strlcpy(c->f.outcome, "failed", sizeof c->f.outcome);
    return c;
}

sim_conn *netsim_connect_unanswered(netsim *n, const sim_endpoint *cli, const sim_endpoint *srv)
{
    sim_conn *c = conn_new(n, cli, srv, EV_TCP_UNANSWERED);
    /* The console gives up after its SYN retries: 1+2+4 s, then 8 s. */
    netsim_advance(n, 15 * G_USEC_PER_SEC);
    g_strlcpy(c->f.outcome, "failed", sizeof c->f.outcome);
    return c;
}

simio *netsim_client_io(sim_conn *c)
{
    return &c->cio;
}

sim_conn_facts *netsim_facts(sim_conn *c)
{
    return &c->f;
}

sim_conn *netsim_conn_of(simio *io)
{
    return io->conn;
}

int netsim_conn_index(sim_conn *c)
{
    return c->idx;
}

void netsim_conn_join(sim_conn *c)
{
    if (c->has_thread) {
        pthread_join(c->th, NULL);
        c->has_thread = 0;
    }
}

long simio_read(simio *io, void *buf, size_t len)
{
    if (len > INT_MAX)
        len = INT_MAX;
    if (io->ssl) {
        int r = SSL_read(io->ssl, buf, (int)len);
        if (r > 0)
            return r;
        int e = SSL_get_error(io->ssl, r);
        return (e == SSL_ERROR_ZERO_RETURN) ? 0 : -1;
    }
    for (;;) {
        ssize_t r = read(io->fd, buf, len);
        if (r >= 0)
            return (long)r;
        if (errno != EINTR)
            return -1;
    }
}

int simio_write(simio *io, const void *buf, size_t len)
{
    if (len == 0)
        return 0;
    if (len > INT_MAX)
        return -1;
    if (io->ssl) {
        size_t done = 0;
        return SSL_write_ex(io->ssl, buf, len, &done) == 1 && done == len ? 0 : -1;
    }
    return BIO_write(io->sock, buf, (int)len) == (int)len ? 0 : -1;
}

int64_t simio_now_us(simio *io)
{
    return netsim_now(io->net);
}

static void info_cb(const SSL *ssl, int where, int ret)
{
    simio *io = SSL_get_ex_data(ssl, ex_index);
    if (!(where & SSL_CB_ALERT) || !io)
        return;
    if (where & SSL_CB_READ) {
        io->got_alert = 1;
        return;
    }
    sim_alert a = {.conn = io->conn->idx, .from_server = io->side};
    a.level = (ret >> 8) & 0xff;
    a.desc = ret & 0xff;
    if (a.level == 2)
        io->sent_fatal_alert = 1;
    if (io->net->realtime) {
        if (a.level == 2)
            io->conn->f.alert_sent = a.desc;
        return;
    }
    pthread_mutex_lock(&io->net->mu);
    /* OpenSSL reports an alert after writing its record, and no other
     * write of this side can come between: that record is the last one. */
    for (guint i = io->net->events->len; i-- > 0;) {
        sim_event *ev = &g_array_index(io->net->events, sim_event, i);
        if (ev->kind == EV_TCP_DATA && ev->conn == a.conn && ev->from_server == a.from_server) {
            a.ts_us = ev->ts_us;
            break;
        }
    }
    guint at = io->net->alerts->len;
    while (at > 0 && g_array_index(io->net->alerts, sim_alert, at - 1).ts_us > a.ts_us)
        at--;
    g_array_insert_val(io->net->alerts, at, a);
    pthread_mutex_unlock(&io->net->mu);
}

static void keylog_cb(const SSL *ssl, const char *line)
{
    simio *io = SSL_get_ex_data(ssl, ex_index);
    if (!io)
        return;
    pthread_mutex_lock(&io->net->mu);
    g_string_append(io->net->keylog, line);
    g_string_append_c(io->net->keylog, '\n');
    pthread_mutex_unlock(&io->net->mu);
}

void netsim_track_keylog(netsim *n, SSL_CTX *ctx)
{
    (void)n;
    SSL_CTX_set_keylog_callback(ctx, keylog_cb);
}

void netsim_track_alerts(netsim *n, SSL_CTX *ctx)
{
    (void)n;
    SSL_CTX_set_info_callback(ctx, info_cb);
}

const char *netsim_keylog(netsim *n)
{
    return n->keylog->str;
}

int simio_start_tls(simio *io, SSL_CTX *ctx, int is_server, const char *sni)
{
    io->ssl = SSL_new(ctx);
    SSL_set_ex_data(io->ssl, ex_index, io);
    if (io->side == 1 && io->net->hooks.server_ssl)
        io->net->hooks.server_ssl(io->net->hooks.arg, io->ssl);
    /* The socket BIO (with its recorder) now belongs to the SSL. */
    SSL_set_bio(io->ssl, io->sock, io->sock);
    SSL_set_options(io->ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
    io->conn->f.tls = 1;
    int r;
    if (is_server) {
        r = SSL_accept(io->ssl);
    } else {
        if (sni)
            SSL_set_tlsext_host_name(io->ssl, sni);
        r = SSL_connect(io->ssl);
    }
    if (r != 1 && is_server && ERR_GET_REASON(ERR_peek_error()) == SSL_R_HTTP_REQUEST)
        io->peer_spoke_http = 1;
    if (r == 1) {
        sim_conn_facts *f = &io->conn->f;
        if (!is_server) {
            f->handshake_done = 1;
            g_strlcpy(f->tls_version, SSL_get_version(io->ssl), sizeof f->tls_version);
            g_strlcpy(f->tls_cipher, SSL_get_cipher_name(io->ssl), sizeof f->tls_cipher);
        }
        return 1;
    }
    return 0;
}

SSL *simio_ssl(simio *io)
{
    return io->ssl;
}

int simio_is_server(const simio *io)
{
    return io->side;
}

/* Records a FIN or RST once per side; after an RST nothing more is sent. */
static void record_close(simio *io, sim_event_kind kind)
{
    netsim *n = io->net;
    sim_conn *c = io->conn;
    pthread_mutex_lock(&n->mu);
    if (!c->rst) {
        sim_event ev = {.kind = kind, .conn = c->idx, .from_server = io->side};
        if (kind == EV_TCP_RST) {
            c->rst = 1;
            c->f.rst_from = io->side;
        } else if (c->f.first_fin_from_server < 0) {
            c->f.first_fin_from_server = io->side;
        }
        record_locked(n, ev, n->step_us[io->side]);
    }
    pthread_mutex_unlock(&n->mu);
}

void simio_close(simio *io, int send_close_notify)
{
    if (io->closed)
        return;
    /* The peer may read the close_notify at once and answer it; holding
     * the lock until our FIN is recorded keeps its answer after our FIN,
     * the same on every run. */
    pthread_mutex_lock(&io->net->mu);
    if (io->ssl && send_close_notify && SSL_is_init_finished(io->ssl) && !io->sent_fatal_alert)
        SSL_shutdown(io->ssl);
    io->closed = 1;
    record_close(io, EV_TCP_FIN);
    shutdown(io->fd, SHUT_WR);
    pthread_mutex_unlock(&io->net->mu);
}

void simio_abort(simio *io)
{
    if (io->closed)
        return;
    io->closed = 1;
    record_close(io, EV_TCP_RST);
    shutdown(io->fd, SHUT_RDWR);
    shutdown(io->conn->fds[io->side ? 0 : 1], SHUT_RDWR);
}

void netsim_dns(netsim *n, const sim_endpoint *client, const sim_endpoint *server,
                const char *qname, int qtype, int rcode, const void *answer)
{
    uint8_t buf[512];
    sim_endpoint c = *client, s = *server;
    pthread_mutex_lock(&n->mu);
    if (c.port == 0)
        c.port = (uint16_t)(n->next_port++);
    s.port = 53;
    uint16_t id = (uint16_t)(0x3a00 + n->events->len);
    size_t len = dns_build_query(buf, sizeof buf, id, qname, (uint16_t)qtype);
    sim_event q = {.kind = EV_UDP, .conn = -1, .src = c, .dst = s};
    q.data = g_memdup2(buf, len);
    q.len = len;
    record_locked(n, q, 200);
    len = dns_build_response(buf, sizeof buf, id, qname, (uint16_t)qtype, rcode, answer, 3600);
    sim_event r = {.kind = EV_UDP, .conn = -1, .src = s, .dst = c};
    r.data = g_memdup2(buf, len);
    r.len = len;
    record_locked(n, r, 900);
    pthread_mutex_unlock(&n->mu);
}

size_t netsim_conn_count(netsim *n)
{
    return n->conns->len;
}

sim_conn *netsim_conn_at(netsim *n, size_t i)
{
    return g_ptr_array_index(n->conns, i);
}

const sim_alert *netsim_alerts(netsim *n, size_t *count)
{
    *count = n->alerts->len;
    return (const sim_alert *)(void *)n->alerts->data;
}

int netsim_write_capture(netsim *n, const char *path, pcapw_format fmt, const netsim_pathology *p,
                         size_t np, int64_t capture_start_us, int embed_secrets, char *err,
                         size_t errlen)
{
    wire *w = wire_open(path, fmt, 1460, err, errlen);
    if (!w)
        return -1;
    if (embed_secrets && wire_add_tls_secrets(w, n->keylog->str, n->keylog->len) != 0) {
        snprintf(err, errlen, "%s: cannot embed secrets in this format", path);
        wire_close(w);
        return -1;
    }
    if (capture_start_us)
        wire_set_capture_start(w, capture_start_us);
    wire_tcp **flows = g_new0(wire_tcp *, n->conns->len + 1);
    int rc = 0;
    for (guint i = 0; i < n->events->len && rc == 0; i++) {
        sim_event *ev = &g_array_index(n->events, sim_event, i);
        sim_conn *c = ev->conn >= 0 ? g_ptr_array_index(n->conns, ev->conn) : NULL;
        /* Reproducible initial sequence numbers, different per connection. */
        uint32_t isn_c = 0x1a2b0000u + (uint32_t)ev->conn * 0x01010101u;
        uint32_t isn_s = 0x7c3d0000u + (uint32_t)ev->conn * 0x02030405u;
        switch (ev->kind) {
        case EV_TCP_OPEN:
            flows[ev->conn] = wire_tcp_connect(w, &c->f.cli, &c->f.srv, ev->ts_us, isn_c, isn_s);
            if (!flows[ev->conn]) {
                rc = -1;
                break;
            }
            for (size_t k = 0; k < np; k++)
                if (p[k].conn == ev->conn)
                    wire_tcp_add_pathology(flows[ev->conn], p[k].from_server, p[k].kind, p[k].nth);
            break;
        case EV_TCP_REFUSED:
            rc = wire_tcp_refused(w, &c->f.cli, &c->f.srv, ev->ts_us, isn_c);
            break;
        case EV_TCP_UNANSWERED:
            rc = wire_tcp_unanswered(w, &c->f.cli, &c->f.srv, ev->ts_us, isn_c, 4);
            break;
        case EV_TCP_DATA:
            if (flows[ev->conn])
                rc = wire_tcp_send(flows[ev->conn], ev->from_server, ev->ts_us, ev->data, ev->len);
            break;
        case EV_TCP_FIN:
            if (flows[ev->conn])
                rc = wire_tcp_fin(flows[ev->conn], ev->from_server, ev->ts_us);
            break;
        case EV_TCP_RST:
            if (flows[ev->conn])
                rc = wire_tcp_rst(flows[ev->conn], ev->from_server, ev->ts_us);
            break;
        case EV_UDP:
            rc = wire_udp(w, &ev->src, &ev->dst, ev->ts_us, ev->data, ev->len);
            break;
        }
    }
    g_free(flows); /* wire_close frees the flows themselves */
    if (rc != 0)
        snprintf(err, errlen, "%s: writing the capture failed", path);
    if (wire_close(w) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: writing the capture failed", path);
        rc = -1;
    }
    return rc;
}

simio *simio_from_ssl(const SSL *ssl)
{
    return SSL_get_ex_data(ssl, ex_index);
}

void simio_drain(simio *io)
{
    char buf[4096];
    for (;;) {
        ssize_t r = read(io->fd, buf, sizeof buf);
        if (r == 0 || (r < 0 && errno != EINTR))
            return;
    }
}

void simio_close_after_failure(simio *io)
{
    /* A real client that sent neither an alert nor a close (plain HTTP on
     * the TLS port) waits for an answer: served, the AMT closes at once. */
    if (!io->sent_fatal_alert && !io->peer_spoke_http && (!io->net->realtime || io->got_alert))
        simio_drain(io);
    simio_close(io, 0);
}

int simio_start_tls_filtered(simio *io, SSL_CTX *ctx, simio_hello_filter filter)
{
    io->ssl = SSL_new(ctx);
    SSL_set_ex_data(io->ssl, ex_index, io);
    if (io->side == 1 && io->net->hooks.server_ssl)
        io->net->hooks.server_ssl(io->net->hooks.arg, io->ssl);
    SSL_set_options(io->ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
    io->conn->f.tls = 1;
    /* Input comes through a memory BIO that this loop fills from the
     * socket; output still goes through the recording socket BIO. */
    BIO *in = BIO_new(BIO_s_mem());
    SSL_set_bio(io->ssl, in, io->sock);
    uint8_t buf[16384];
    int first = 1;
    for (;;) {
        int r = SSL_accept(io->ssl);
        if (r == 1)
            return 1;
        if (SSL_get_error(io->ssl, r) != SSL_ERROR_WANT_READ)
            return 0;
        ssize_t n = read(io->fd, buf, first ? 5 : sizeof buf);
        if (n <= 0)
            return 0;
        size_t len = (size_t)n;
        if (first) {
            /* Read exactly the first record so the filter sees it whole. */
            size_t want = 5 + (((size_t)buf[3] << 8) | buf[4]);
            while (len < want && want <= sizeof buf) {
                ssize_t m = read(io->fd, buf + len, want - len);
                if (m <= 0)
                    return 0;
                len += (size_t)m;
            }
            len = filter(buf, len, sizeof buf);
            first = 0;
        }
        BIO_write(in, buf, (int)len);
    }
}

int64_t netsim_data_time(netsim *n, int conn, unsigned nth)
{
    for (guint i = 0; i < n->events->len; i++) {
        sim_event *ev = &g_array_index(n->events, sim_event, i);
        if (ev->kind == EV_TCP_DATA && ev->conn == conn && nth-- == 0)
            return ev->ts_us;
    }
    return -1;
}

int64_t netsim_conn_last_time(netsim *n, int conn)
{
    int64_t t = -1;
    for (guint i = 0; i < n->events->len; i++) {
        sim_event *ev = &g_array_index(n->events, sim_event, i);
        if (ev->conn == conn)
            t = ev->ts_us;
    }
    return t;
}

void netsim_set_server_hooks(netsim *n, const netsim_server_hooks *h)
{
    n->hooks = *h;
}

void netsim_set_steps(netsim *n, int client_us, int server_us)
{
    n->step_us[0] = client_us;
    n->step_us[1] = server_us;
}

sim_event *netsim_take_events(netsim *n, size_t *count)
{
    pthread_mutex_lock(&n->mu);
    gsize len = 0;
    sim_event *ev = g_array_steal(n->events, &len);
    pthread_mutex_unlock(&n->mu);
    *count = len;
    return ev;
}

void netsim_set_realtime(netsim *n)
{
    n->realtime = 1;
}

/* The textual address and port of a socket's local or peer end. */
static void socket_endpoint(int fd, int peer, sim_endpoint *ep)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char text[INET6_ADDRSTRLEN] = "0.0.0.0";
    uint16_t port = 0;
    int ok = (peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
                   : getsockname(fd, (struct sockaddr *)&ss, &len)) == 0;
    if (ok && ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
        port = ntohs(a->sin_port);
    } else if (ok && ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
        port = ntohs(a->sin6_port);
    }
    sim_endpoint_set(ep, text, port);
}

int netsim_serve_accepted(netsim *n, int fd, netsim_server_fn serve, void *ctx,
                          sim_conn_facts *facts)
{
    sim_conn *c = g_new0(sim_conn, 1);
    c->net = n;
    c->idx = n->n_served++;
    c->fds[0] = -1;
    c->fds[1] = fd;
    c->f.tcp = EV_TCP_OPEN;
    c->f.first_fin_from_server = -1;
    c->f.rst_from = -1;
    c->f.client_cert_sent = -1;
    c->f.alert_sent = -1;
    socket_endpoint(fd, 1, &c->f.cli);
    socket_endpoint(fd, 0, &c->f.srv);
    io_init(&c->sio, n, c, 1, fd);
    serve(&c->sio, ctx);
    if (!c->sio.closed)
        simio_close(&c->sio, 1);
    if (c->sio.ssl && SSL_is_init_finished(c->sio.ssl)) {
        c->f.handshake_done = 1;
        g_strlcpy(c->f.tls_version, SSL_get_version(c->sio.ssl), sizeof c->f.tls_version);
        g_strlcpy(c->f.tls_cipher, SSL_get_cipher_name(c->sio.ssl), sizeof c->f.tls_cipher);
    }
    *facts = c->f;
    c->fds[1] = -1; /* the caller's now */
    conn_free(c);
    return fd;
}

void simio_hold_until_close(simio *io)
{
    int one = 1;
    if (io->net->realtime)
        setsockopt(io->fd, IPPROTO_TCP, TCP_CORK, &one, sizeof one);
}
