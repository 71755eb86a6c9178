/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fleet_run: one session of the fleet — a console polling one AMT — run on
 * the simulator in a netsim of its own, so that sessions run on several
 * threads at once. Each runs real handshakes: fresh randoms, key shares
 * and pre-master secrets come from OpenSSL every time. */
#include "fleet.h"
#include "certgen.h"

#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

/* How long each side takes per write: an AMT's embedded TLS stack and web
 * server are slow, so a session lasts a few hundred milliseconds and a
 * busy management server has several open at once. */
#define CLIENT_STEP_US 1500
#define SERVER_STEP_US 15000

static void amt_addr(unsigned a, char *buf, size_t len)
{
    /* 198.18.0.0/15 (RFC 2544, set aside for benchmarks): 250 AMTs per /24 */
    unsigned third = a / 250, lo = a % 250 + 2;
    snprintf(buf, len, "198.%u.%u.%u", 18 + third / 256, third % 256, lo);
}

/* The AMT's certificate, made on first use and the same ever after: the
 * fleet has as many certificates as AMTs, a few keys among them. */
static X509 *amt_cert(fleet_state *st, unsigned a, const fleet_profile *p, const char *fqdn,
                      EVP_PKEY *key)
{
    g_mutex_lock(&st->lock);
    GBytes *der = st->amt_cert_der[a] ? g_bytes_ref(st->amt_cert_der[a]) : NULL;
    g_mutex_unlock(&st->lock);
    if (!der) {
        int other = p->cert_kind == FLEET_CERT_OTHER_ROOT;
        int expired = p->cert_kind == FLEET_CERT_EXPIRED;
        cert_spec cs = {.cn = fqdn,
                        .org = other ? "Other Org" : "Example Corp",
                        .san_dns = fqdn,
                        .not_before = certgen_time(expired ? "2023-01-01" : "2025-01-01"),
                        .not_after = certgen_time(expired ? "2025-12-31" : "2028-01-01"),
                        .serial = 0x100000 + (long)a,
                        .eku_server_auth = 1,
                        .issuer = other ? st->w.other_root : st->w.root,
                        .issuer_key = other ? st->w.other_root_key : st->w.root_key};
        X509 *c = certgen_issue(&cs, key);
        unsigned char *buf = NULL;
        int n = c ? i2d_X509(c, &buf) : -1;
        X509_free(c);
        if (n <= 0)
            return NULL;
        GBytes *made = g_bytes_new(buf, (gsize)n);
        OPENSSL_free(buf);
        g_mutex_lock(&st->lock);
        if (!st->amt_cert_der[a])
            st->amt_cert_der[a] = g_bytes_ref(made);
        der = g_bytes_ref(st->amt_cert_der[a]);
        g_mutex_unlock(&st->lock);
        g_bytes_unref(made);
    }
    gsize n;
    const unsigned char *p8 = g_bytes_get_data(der, &n);
    X509 *c = d2i_X509(NULL, &p8, (long)n);
    g_bytes_unref(der);
    return c;
}

/* Static RSA key exchange: the suites without ECDHE/DHE before TLS 1.3. */
static int is_rsa_kex(const char *cipher)
{
    return cipher[0] && strncmp(cipher, "TLS_", 4) != 0 && strncmp(cipher, "ECDHE", 5) != 0 &&
           strncmp(cipher, "DHE", 3) != 0;
}

static void join_causes(const sim_conn_facts *f, fleet_conn *c)
{
    GString *g = g_string_new(NULL);
    for (unsigned k = 0; k < f->n_causes; k++)
        g_string_append_printf(g, "%s%s", k ? "," : "", f->causes[k]);
    g_strlcpy(c->causes, g->len ? g->str : "-", sizeof c->causes);
    g_string_truncate(g, 0);
    for (unsigned k = 0; k < f->n_http; k++)
        g_string_append_printf(g, "%s%d", k ? "," : "", f->http_status[k]);
    g_strlcpy(c->statuses, g->len ? g->str : "-", sizeof c->statuses);
    g_string_free(g, TRUE);
}

static void collect_conns(fleet_session *fs, scen_ctx *s)
{
    fs->nconns = netsim_conn_count(s->net);
    fs->conns = g_new0(fleet_conn, fs->nconns ? fs->nconns : 1);
    for (size_t i = 0; i < fs->nconns; i++) {
        const sim_conn_facts *f = netsim_facts(netsim_conn_at(s->net, i));
        fleet_conn *c = &fs->conns[i];
        c->cli = f->cli;
        c->srv = f->srv;
        c->local_port = f->cli.port;
        c->tcp = f->tcp;
        c->tls = f->tls;
        c->handshake_done = f->handshake_done;
        g_strlcpy(c->version, f->handshake_done ? f->tls_version : "-", sizeof c->version);
        g_strlcpy(c->cipher, f->handshake_done ? f->tls_cipher : "-", sizeof c->cipher);
        c->rsa_kex = f->handshake_done && is_rsa_kex(f->tls_cipher);
        g_strlcpy(c->stage, f->stage[0] ? f->stage : "-", sizeof c->stage);
        g_strlcpy(c->outcome, f->outcome[0] ? f->outcome : "-", sizeof c->outcome);
        join_causes(f, c);
        c->cipher_class = -1;
    }
    for (int k = 0; k < s->ndns; k++) {
        if (!s->dns[k].cause)
            continue;
        g_strlcpy(fs->dns[fs->ndns].name, s->dns[k].name, sizeof fs->dns[0].name);
        g_strlcpy(fs->dns[fs->ndns].cause, s->dns[k].cause, sizeof fs->dns[0].cause);
        fs->ndns++;
    }
}

/* An unanswered connection is one event in the recording; on the wire it
 * is the SYN and its retries 1, 3 and 7 s later, each in its place in
 * time among the other sessions' frames (len holds the try number). */
static void expand_retries(fleet_session *fs)
{
    size_t extra = 0;
    for (size_t i = 0; i < fs->nev; i++)
        extra += fs->ev[i].kind == EV_TCP_UNANSWERED ? 3 : 0;
    if (!extra)
        return;
    sim_event *ev = g_new0(sim_event, fs->nev + extra);
    size_t n = 0;
    for (size_t i = 0; i < fs->nev; i++) {
        ev[n++] = fs->ev[i];
        if (fs->ev[i].kind != EV_TCP_UNANSWERED)
            continue;
        ev[n - 1].len = 0;
        for (unsigned t = 1; t <= 3; t++) {
            ev[n] = fs->ev[i];
            ev[n].len = t;
            ev[n].ts_us += (int64_t)((1u << t) - 1) * G_USEC_PER_SEC;
            n++;
        }
    }
    /* nearly sorted: an insertion sort keeps equal times in their order */
    for (size_t i = 1; i < n; i++) {
        sim_event e = ev[i];
        size_t j = i;
        while (j > 0 && ev[j - 1].ts_us > e.ts_us) {
            ev[j] = ev[j - 1];
            j--;
        }
        ev[j] = e;
    }
    g_free(fs->ev);
    fs->ev = ev;
    fs->nev = n;
}

/* The AMT's side of a session's connections (netsim_server_hooks). */
typedef struct server_side {
    uint64_t r;     /* the session's random number */
    GBytes *key;    /* the AMT's key as DER */
    int key_failed; /* a copy could not be made: the session is dropped */
} server_side;

/* An AMT's TLS stack draws from a stream of its own per connection. */
static void seed_server_thread(void *arg, int conn)
{
    fleet_rand_seed(((const server_side *)arg)->r, 0x100 + (uint64_t)conn);
}

/* Each connection signs or decrypts with a key of its own: OpenSSL keeps
 * one RSA blinding per key for the thread that made it and another for
 * all other threads, so with a shared key how many random bytes a
 * connection draws would depend on whether the system reused a thread id. */
static void own_key(void *arg, SSL *ssl)
{
    server_side *ss = arg;
    if (!ss->key)
        return;
    EVP_PKEY *k = fleet_key_copy(ss->key);
    if (!k || SSL_use_PrivateKey(ssl, k) != 1)
        ss->key_failed = 1;
    EVP_PKEY_free(k);
}

static int profile_static_rsa(const fleet_profile *p)
{
    /* the catalog's static-RSA scenarios; the key file written is amt_keys[0] */
    return p->scenario && (strstr(p->scenario, "-rsa-") || strstr(p->scenario, "reverse-dns"));
}

fleet_session *fleet_session_run(fleet_state *st, uint64_t idx)
{
    const fleet_cfg *cfg = st->cfg;
    uint64_t r = fleet_mix(cfg->seed * 0x100000001b3ull ^ (idx + 1));
    fleet_session *fs = g_new0(fleet_session, 1);
    fs->idx = idx;
    fs->start_us =
        cfg->start_us + (int64_t)idx * cfg->gap_us + (int64_t)(r % (uint64_t)cfg->gap_us);
    fs->amt = fleet_amt_of(cfg, idx);
    fs->console = (unsigned)((r >> 32) % cfg->n_consoles);
    const fleet_profile *p = &fleet_profiles[st->amt_profile[fs->amt]];
    fs->profile = p->name;
    fs->failure = p->failure;

    char addr[20], host[20], fqdn[64], con[20];
    amt_addr(fs->amt, addr, sizeof addr);
    snprintf(host, sizeof host, "amt-%05u", fs->amt);
    snprintf(fqdn, sizeof fqdn, "%s.vpro.example.com", host);
    if (p->console_addr)
        g_strlcpy(con, p->console_addr, sizeof con);
    else
        snprintf(con, sizeof con, "198.19.254.%u", 10 + fs->console);
    int k = profile_static_rsa(p) ? 0 : 1 + (int)(fs->amt % 3);
    /* whichever worker makes the certificate, the session's stream is the same */
    fleet_rand_seed(cfg->seed, 0xce47000000ull + fs->amt);
    X509 *cert = amt_cert(st, fs->amt, p, fqdn, st->amt_keys[k]);
    fleet_rand_seed(r, 0xc0);
    EVP_PKEY *key = fleet_key_copy(st->amt_key_der[k]);
    EVP_PKEY *con_key = fleet_key_copy(st->console_key_der);
    if (!cert || !key || !con_key) {
        X509_free(cert);
        EVP_PKEY_free(key);
        EVP_PKEY_free(con_key);
        g_free(fs);
        return NULL;
    }
    scen_site site = {.amt_addr = addr,
                      .amt_host = host,
                      .amt_domain = "vpro.example.com",
                      .amt_fqdn = fqdn,
                      .amt_cert = cert,
                      .amt_key = key,
                      .console_addr = con,
                      .dns_addr = "198.19.255.53"};
    scen_ctx s;
    memset(&s, 0, sizeof s);
    s.net = netsim_new(fs->start_us);
    netsim_set_steps(s.net, CLIENT_STEP_US, SERVER_STEP_US);
    server_side ss = {.r = r};
    scenario_defaults(&s, &st->w, &site, (uint32_t)(r >> 8));
    if (p->scenario)
        scenario_find(p->scenario)->setup(&s);
    if (p->setup)
        p->setup(&s, r >> 16);
    /* the key the scenario gave the AMT, which need not be the site's */
    ss.key = s.dev.tls.key == key ? g_bytes_ref(st->amt_key_der[k]) : fleet_key_der(s.dev.tls.key);
    ss.key_failed = !ss.key;
    netsim_set_server_hooks(s.net, &(netsim_server_hooks){seed_server_thread, own_key, &ss});
    if (s.con.tls.key == st->w.console_key)
        s.con.tls.key = con_key;
    int ok = 0;
    if (amt_device_start(&s.dev) == 0 && console_start(&s.con) == 0) {
        if (!s.nreqs && s.sequence == scenario_default_sequence)
            scen_default_requests(&s);
        s.sequence(&s);
        scenario_label(&s);
        fs->verdict_mismatch = s.expect_verdict && strcmp(s.dev.verdict, s.expect_verdict) != 0;
        collect_conns(fs, &s);
        /* A console that logs its keys; with static RSA the AMT's key
         * decrypts, and the key log is left out so that it must. */
        const char *kl = netsim_keylog(s.net);
        if (!s.static_rsa && kl[0])
            fs->keylog = g_string_new(kl);
        fs->ev = netsim_take_events(s.net, &fs->nev);
        expand_retries(fs);
        for (size_t i = 0; i < fs->nev; i++)
            fs->pending += fs->ev[i].len + 90;
        ok = !ss.key_failed;
    }
    for (int i = 0; i < s.nreqs; i++)
        free(s.reqs[i].body);
    console_stop(&s.con);
    amt_device_stop(&s.dev);
    netsim_free(s.net);
    X509_free(cert);
    EVP_PKEY_free(key);
    EVP_PKEY_free(con_key);
    if (ss.key)
        g_bytes_unref(ss.key);
    if (!ok) {
        fleet_session_free(fs);
        return NULL;
    }
    return fs;
}

void fleet_session_free(fleet_session *s)
{
    if (!s)
        return;
    for (size_t i = s->next; i < s->nev; i++)
        if (s->ev[i].kind == EV_TCP_DATA || s->ev[i].kind == EV_UDP)
            g_free(s->ev[i].data);
    g_free(s->ev);
    for (size_t i = 0; i < s->nconns; i++)
        wire_tcp_free(s->conns[i].flow);
    g_free(s->conns);
    if (s->keylog) {
        memset(s->keylog->str, 0, s->keylog->allocated_len); /* session secrets */
        g_string_free(s->keylog, TRUE);
    }
    g_free(s);
}
