/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amt_redir: the fake AMT's side of the redirection protocol. */
#include "amt_redir.h"

#include <string.h>

#include "netsim.h"
#include "redir_wire.h"

#define REDIR_SALT 0x5245444952ull /* keeps these nonces apart from HTTP's */
#define AUTH_URI "/RedirectionService"

void amt_redir_init(amt_redir *r, const amt_redir_cfg *cfg, const amt_device_cfg *dev)
{
    memset(r, 0, sizeof *r);
    r->cfg = cfg;
    r->dev = dev;
    digest_prng_seed(&r->rng, dev->seed, REDIR_SALT);
}

/* The session a login opens, and where the login stands. */
typedef struct session {
    amt_redir *r;
    simio *io;
    rw_reader rd;
    char tag[5];
    char nonce[33]; /* the last one issued on this connection */
} session;

static int offered(const amt_redir_cfg *c, unsigned type)
{
    if (!c->n_methods)
        return type == RW_DIGEST || type == RW_DIGEST_2069;
    for (unsigned k = 0; k < c->n_methods; k++)
        if (c->methods[k] == type)
            return 1;
    return 0;
}

static const char *password_of(const amt_device_cfg *dev, const char *user)
{
    for (unsigned k = 0; k < dev->n_users; k++)
        if (strcmp(dev->users[k].name, user) == 0)
            return dev->users[k].password;
    return NULL;
}

static int reply(session *s, unsigned status, unsigned type)
{
    rw_msg m;
    rw_auth_begin(&m, 1, status, type);
    rw_auth_end(&m);
    return rw_send(s->io, &m);
}

static int methods_reply(session *s)
{
    const amt_redir_cfg *c = s->r->cfg;
    rw_msg m;
    rw_auth_begin(&m, 1, RW_OK, RW_QUERY);
    if (!c->n_methods) {
        rw_u8(&m, RW_DIGEST_2069);
        rw_u8(&m, RW_DIGEST);
    }
    for (unsigned k = 0; k < c->n_methods; k++)
        rw_u8(&m, c->methods[k]);
    rw_auth_end(&m);
    return rw_send(s->io, &m);
}

/* A Digest request: the start (no response) is answered with a challenge
 * (status FAILURE), a response with SUCCESS or a bare FAILURE. Returns
 * the status sent, -1 on an I/O error. */
static int digest(session *s, const rw_msg *m, unsigned type)
{
    char f[8][256] = {{0}};
    size_t n = rw_strings(m, f, type == RW_DIGEST ? 8 : 5);
    const char *user = f[0], *realm = f[1], *nonce = f[2], *uri = f[3];
    const char *cnonce = type == RW_DIGEST ? f[4] : "", *nc = type == RW_DIGEST ? f[5] : "";
    const char *response = type == RW_DIGEST ? f[6] : f[4], *qop = type == RW_DIGEST ? f[7] : "";
    if (!*response) {
        digest_make_nonce(&s->r->rng, s->nonce);
        rw_msg c;
        rw_auth_begin(&c, 1, RW_FAILURE, type);
        rw_str(&c, s->r->dev->realm);
        rw_str(&c, s->nonce);
        if (type == RW_DIGEST)
            rw_str(&c, "auth");
        rw_auth_end(&c);
        return rw_send(s->io, &c) ? -1 : RW_FAILURE;
    }
    const char *pw = password_of(s->r->dev, user);
    char want[33] = "";
    int ok = n >= (type == RW_DIGEST ? 8u : 5u) && pw && s->nonce[0] &&
             strcmp(realm, s->r->dev->realm) == 0 && strcmp(nonce, s->nonce) == 0 &&
             strcmp(uri, AUTH_URI) == 0;
    if (ok) {
        digest_response(user, realm, pw, "POST", uri, nonce, type == RW_DIGEST ? nc : NULL,
                        type == RW_DIGEST ? cnonce : NULL, type == RW_DIGEST ? qop : NULL, want);
        ok = strcmp(want, response) == 0;
    }
    return reply(s, ok ? RW_OK : RW_FAILURE, type) ? -1 : ok ? RW_OK : RW_FAILURE;
}

/* The login: returns 1 once accepted, 0 when the console gave up. */
static int login(session *s)
{
    for (;;) {
        rw_msg m;
        if (rw_read(s->io, &s->rd, &m) != 1 || m.b[0] != RW_AUTH)
            return 0;
        unsigned type = m.b[4];
        int st;
        if (type == RW_QUERY) {
            if (methods_reply(s))
                return 0;
            continue;
        }
        if (!offered(s->r->cfg, type)) {
            st = reply(s, RW_NOT_SUPPORTED, type) ? -1 : RW_NOT_SUPPORTED;
        } else if (type == RW_USERPASS) {
            char f[2][256] = {{0}};
            rw_strings(&m, f, 2);
            const char *pw = password_of(s->r->dev, f[0]);
            st = pw && strcmp(pw, f[1]) == 0 ? RW_OK : RW_FAILURE;
            memset(f, 0, sizeof f);
            if (reply(s, (unsigned)st, type))
                return 0;
        } else if (type == RW_KERBEROS) {
            /* no KDC trusts this simulator: every ticket is refused */
            st = reply(s, RW_FAILURE, type) ? -1 : RW_FAILURE;
        } else {
            st = digest(s, &m, type);
        }
        if (st == RW_OK)
            return 1;
        if (st < 0)
            return 0;
    }
}

static int start_reply(session *s, uint8_t type, unsigned status, size_t len)
{
    rw_msg m;
    rw_begin(&m, type);
    rw_u8(&m, status);
    rw_pad(&m, len);
    return rw_send(s->io, &m);
}

/* SOL: what the console types is echoed with a prompt, the COM port's
 * control lines are reported, until the console ends SOL. */
static void sol(session *s)
{
    rw_msg m;
    if (rw_read(s->io, &s->rd, &m) != 1 || m.b[0] != RW_SOL_START)
        return;
    int off = s->r->cfg->sol_disabled;
    if (start_reply(s, RW_SOL_START_REPLY, off ? RW_UNSUPPORTED : RW_OK, 23))
        return;
    if (off) {
        simio_drain(s->io);
        return;
    }
    uint32_t seq = 1;
    while (rw_read(s->io, &s->rd, &m) == 1) {
        if (m.b[0] == RW_SOL_TO_HOST) {
            static const char out[] = "ls\r\nboot  etc  home\r\n$ ";
            rw_msg d;
            rw_begin(&d, RW_SOL_FROM_HOST);
            rw_pad(&d, 4);
            rw_le32(&d, seq++);
            rw_le16(&d, sizeof out - 1);
            rw_bytes(&d, out, sizeof out - 1);
            rw_msg c;
            rw_begin(&c, RW_SOL_CONTROLS);
            rw_pad(&c, 4);
            rw_le32(&c, seq++);
            rw_u8(&c, 0x02); /* DTR */
            rw_u8(&c, 0x04); /* the system is powered */
            if (rw_send(s->io, &d) || rw_send(s->io, &c))
                return;
        } else if (m.b[0] == RW_SOL_END) {
            if (start_reply(s, RW_SOL_END_REPLY, RW_OK, 8))
                return;
        }
        /* after EndRedirectionSession the console closes: AMT waits for it */
    }
}

/* IDE-R: the host asks the console's disk for its capacity. */
static void ider(session *s)
{
    rw_msg m;
    if (rw_read(s->io, &s->rd, &m) != 1 || m.b[0] != RW_IDER_START)
        return;
    int off = s->r->cfg->ider_disabled;
    if (start_reply(s, RW_IDER_START_REPLY, off ? RW_UNSUPPORTED : RW_OK, 30))
        return;
    if (off) {
        simio_drain(s->io);
        return;
    }
    rw_msg cmd;
    rw_begin(&cmd, RW_IDER_COMMAND);
    rw_pad(&cmd, 4);
    rw_le32(&cmd, 1);
    rw_pad(&cmd, 16);
    rw_u8(&cmd, 0x25); /* READ CAPACITY (10) */
    rw_pad(&cmd, 28);
    if (rw_send(s->io, &cmd))
        return;
    while (rw_read(s->io, &s->rd, &m) == 1) {
        if (m.b[0] == RW_IDER_END && start_reply(s, RW_IDER_END_REPLY, RW_OK, 8))
            return;
    }
}

/* KVM: after its start, RFB 3.8 up to ServerInit, with no security. */
static void kvm(session *s)
{
    rw_msg m;
    if (rw_read(s->io, &s->rd, &m) != 1 || m.b[0] != RW_IDER_START)
        return;
    if (start_reply(s, RW_IDER_START_REPLY, RW_OK, 8))
        return;
    uint8_t in[16];
    static const uint8_t types[] = {1, 1}; /* one type: None */
    static const uint8_t ok[] = {0, 0, 0, 0};
    static const uint8_t init[] = {4,  0,   3, 0, /* 1024 x 768 */
                                   32, 24,  0, 1, /* 32 bpp, depth 24, little-endian, true colour */
                                   0,  255, 0, 255, 0,   255, /* red, green, blue max */
                                   16, 8,   0, 0,   0,   0,   /* shifts, padding */
                                   0,  0,   0, 7,   'A', 'M', 'T', ' ', 'K', 'V', 'M'};
    if (simio_write(s->io, "RFB 003.008\n", 12) || rw_read_raw(s->io, &s->rd, in, 12) ||
        simio_write(s->io, types, sizeof types) || rw_read_raw(s->io, &s->rd, in, 1) ||
        simio_write(s->io, ok, sizeof ok) || rw_read_raw(s->io, &s->rd, in, 1) ||
        simio_write(s->io, init, sizeof init))
        return;
    char sink[256];
    while (simio_read(s->io, sink, sizeof sink) > 0)
        ;
}

void amt_redir_serve(amt_redir *r, simio *io)
{
    session s = {.r = r, .io = io};
    rw_msg m;
    if (rw_read(io, &s.rd, &m) != 1 || m.b[0] != RW_START)
        return;
    memcpy(s.tag, m.b + 4, 4);
    int known = !strcmp(s.tag, "SOL ") || !strcmp(s.tag, "IDER") || !strcmp(s.tag, "KVMR");
    int is_kvm = !strcmp(s.tag, "KVMR");
    s.rd.kvm = is_kvm;
    unsigned status = !known                                         ? 1 /* TYPE_UNKNOWN */
                      : r->cfg->busy && !strcmp(s.tag, r->cfg->busy) ? RW_BUSY
                      : is_kvm && r->cfg->kvm_disabled               ? RW_UNSUPPORTED
                                                                     : RW_OK;
    rw_msg rep;
    rw_begin(&rep, RW_START_REPLY);
    rw_u8(&rep, status);
    rw_u8(&rep, 1); /* protocol version 1.0 */
    rw_u8(&rep, 0);
    rw_pad(&rep, 12);
    rw_u8(&rep, 0); /* no OEM data */
    if (rw_send(io, &rep))
        return;
    if (status != RW_OK) {
        simio_drain(io); /* the console reads the refusal and ends the connection */
        return;
    }
    if (!login(&s))
        return;
    if (!strcmp(s.tag, "SOL "))
        sol(&s);
    else if (is_kvm)
        kvm(&s);
    else
        ider(&s);
}
