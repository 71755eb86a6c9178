/* SPDX-License-Identifier: GPL-2.0-or-later */
/* console_redir: the console's redirection session. */
#include "console_redir.h"

#include <glib.h>
#include <string.h>

#include "http_digest.h"
#include "redir_wire.h"

#define AUTH_URI "/RedirectionService"
#define CNONCE_SALT 0x434e4f4e4345ull

typedef struct run {
    console *c;
    simio *io;
    rw_reader rd;
    uint32_t seq;
} run;

static int expect(run *r, rw_msg *m, uint8_t type)
{
    return rw_read(r->io, &r->rd, m) == 1 && m->b[0] == type;
}

static int has(const rw_msg *methods, unsigned type)
{
    for (size_t k = 9; k < methods->n; k++)
        if (methods->b[k] == type)
            return 1;
    return 0;
}

/* Digest: a start with the user and the URI, AMT's challenge, the
 * response (nc 00000002, as MeshCommander sends it). */
static int login_digest(run *r, unsigned type)
{
    const char *user = r->c->user;
    rw_msg m;
    rw_auth_begin(&m, 0, 0, type);
    rw_str(&m, user);
    rw_str(&m, "");
    rw_str(&m, "");
    rw_str(&m, AUTH_URI);
    rw_str(&m, "");
    if (type == RW_DIGEST) {
        rw_str(&m, "");
        rw_str(&m, "");
        rw_str(&m, "");
    }
    rw_auth_end(&m);
    if (rw_send(r->io, &m) || !expect(r, &m, RW_AUTH_REPLY) || m.b[1] != RW_FAILURE)
        return 0;
    char ch[3][256] = {{0}};
    rw_strings(&m, ch, 3);
    digest_prng rng;
    digest_prng_seed(&rng, r->c->seed, CNONCE_SALT);
    char cnonce[17], resp[33];
    digest_make_cnonce(&rng, cnonce);
    int rfc2617 = type == RW_DIGEST;
    digest_response(user, ch[0], r->c->password, "POST", AUTH_URI, ch[1],
                    rfc2617 ? "00000002" : NULL, rfc2617 ? cnonce : NULL, rfc2617 ? ch[2] : NULL,
                    resp);
    rw_auth_begin(&m, 0, 0, type);
    rw_str(&m, user);
    rw_str(&m, ch[0]);
    rw_str(&m, ch[1]);
    rw_str(&m, AUTH_URI);
    if (rfc2617) {
        rw_str(&m, cnonce);
        rw_str(&m, "00000002");
    }
    rw_str(&m, resp);
    if (rfc2617)
        rw_str(&m, ch[2]);
    rw_auth_end(&m);
    return !rw_send(r->io, &m) && expect(r, &m, RW_AUTH_REPLY) && m.b[1] == RW_OK;
}

static int login_userpass(run *r)
{
    rw_msg m;
    rw_auth_begin(&m, 0, 0, RW_USERPASS);
    rw_str(&m, r->c->user);
    rw_str(&m, r->c->password);
    rw_auth_end(&m);
    int ok = !rw_send(r->io, &m) && expect(r, &m, RW_AUTH_REPLY) && m.b[1] == RW_OK;
    return ok;
}

/* A Kerberos AP-REQ's outside (APPLICATION 14, SEQUENCE, pvno 5, msg-type
 * 14), then opaque bytes: what AMT receives is the ticket as the console
 * got it from its KDC. */
static int login_kerberos(run *r)
{
    rw_msg m;
    rw_auth_begin(&m, 0, 0, RW_KERBEROS);
    static const uint8_t head[] = {0x6e, 0x82, 0x01, 0x2a, 0x30, 0x82, 0x01, 0x26, 0xa0,
                                   0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x0e};
    rw_bytes(&m, head, sizeof head);
    digest_prng rng;
    digest_prng_seed(&rng, r->c->seed, CNONCE_SALT + 1);
    uint8_t body[284];
    digest_prng_bytes(&rng, body, sizeof body);
    rw_bytes(&m, body, sizeof body);
    rw_auth_end(&m);
    return !rw_send(r->io, &m) && expect(r, &m, RW_AUTH_REPLY) && m.b[1] == RW_OK;
}

static int login(run *r, redir_login how)
{
    rw_msg m, methods;
    if (how == REDIR_LOGIN_BLIND_USERPASS)
        return login_userpass(r);
    rw_auth_begin(&m, 0, 0, RW_QUERY);
    rw_auth_end(&m);
    if (rw_send(r->io, &m) || !expect(r, &methods, RW_AUTH_REPLY))
        return 0;
    switch (how) {
    case REDIR_LOGIN_USERPASS:
        return login_userpass(r);
    case REDIR_LOGIN_KERBEROS:
        return login_kerberos(r);
    default:
        if (has(&methods, RW_DIGEST))
            return login_digest(r, RW_DIGEST);
        if (has(&methods, RW_DIGEST_2069))
            return login_digest(r, RW_DIGEST_2069);
        return 0; /* no method this console takes */
    }
}

/* A message of the session: type, reserved bytes, the sequence number. */
static void session_msg(run *r, rw_msg *m, uint8_t type)
{
    rw_begin(m, type);
    rw_pad(m, 4);
    rw_le32(m, r->seq++);
}

static int end_session(run *r)
{
    rw_msg m;
    rw_begin(&m, RW_END);
    rw_pad(&m, 4);
    return rw_send(r->io, &m);
}

static int sol(run *r)
{
    rw_msg m;
    session_msg(r, &m, RW_SOL_START);
    rw_le16(&m, 10000); /* MaxTxBuffer */
    rw_le16(&m, 100);   /* TxTimeout */
    rw_le16(&m, 0);     /* TxOverflowTimeout */
    rw_le16(&m, 10000); /* RxTimeout */
    rw_le16(&m, 100);   /* RxFlushTimeout */
    rw_le16(&m, 0);     /* Heartbeat */
    rw_pad(&m, 24);
    if (rw_send(r->io, &m) || !expect(r, &m, RW_SOL_START_REPLY))
        return 0;
    if (m.b[1] != RW_OK) {
        end_session(r);
        return 0;
    }
    session_msg(r, &m, RW_SOL_TO_HOST);
    rw_le16(&m, 4);
    rw_bytes(&m, "ls\r\n", 4);
    if (rw_send(r->io, &m) || !expect(r, &m, RW_SOL_FROM_HOST) || !expect(r, &m, RW_SOL_CONTROLS))
        return 0;
    session_msg(r, &m, RW_SOL_HEARTBEAT);
    if (rw_send(r->io, &m))
        return 0;
    session_msg(r, &m, RW_SOL_END);
    if (rw_send(r->io, &m) || !expect(r, &m, RW_SOL_END_REPLY))
        return 0;
    return !end_session(r);
}

static int ider(run *r)
{
    rw_msg m;
    session_msg(r, &m, RW_IDER_START);
    rw_le16(&m, 10000); /* RxTimeout */
    rw_le16(&m, 10000); /* TxTimeout */
    rw_le16(&m, 0);     /* Heartbeat */
    rw_pad(&m, 18);
    if (rw_send(r->io, &m) || !expect(r, &m, RW_IDER_START_REPLY))
        return 0;
    if (m.b[1] != RW_OK) {
        end_session(r);
        return 0;
    }
    if (!expect(r, &m, RW_IDER_COMMAND) || m.b[16] != 0x25)
        return 0;
    /* READ CAPACITY: a 650 MB CD image, 2048-byte sectors */
    static const uint8_t capacity[] = {0x00, 0x04, 0xf5, 0xff, 0x00, 0x00, 0x08, 0x00};
    session_msg(r, &m, RW_IDER_TO_HOST);
    m.b[8] = 2; /* the command is complete */
    m.n = 9;
    rw_le16(&m, sizeof capacity);
    rw_pad(&m, 34);
    rw_bytes(&m, capacity, sizeof capacity);
    if (rw_send(r->io, &m))
        return 0;
    session_msg(r, &m, RW_IDER_END);
    if (rw_send(r->io, &m) || !expect(r, &m, RW_IDER_END_REPLY))
        return 0;
    return !end_session(r);
}

/* KVM: the start, then RFB 3.8 as a VNC viewer speaks it. */
static int kvm(run *r)
{
    rw_msg m;
    rw_begin(&m, RW_IDER_START);
    rw_pad(&m, 8);
    if (rw_send(r->io, &m) || !expect(r, &m, RW_IDER_START_REPLY))
        return 0;
    uint8_t buf[64];
    static const uint8_t none = 1, shared = 1;
    if (rw_read_raw(r->io, &r->rd, buf, 12) || memcmp(buf, "RFB 003.008\n", 12) ||
        simio_write(r->io, "RFB 003.008\n", 12) || rw_read_raw(r->io, &r->rd, buf, 2) ||
        simio_write(r->io, &none, 1) || rw_read_raw(r->io, &r->rd, buf, 4) || buf[3] != 0 ||
        simio_write(r->io, &shared, 1) || rw_read_raw(r->io, &r->rd, buf, 24))
        return 0;
    uint32_t name = (uint32_t)buf[20] << 24 | buf[21] << 16 | buf[22] << 8 | buf[23];
    return name < sizeof buf && !rw_read_raw(r->io, &r->rd, buf, name);
}

sim_conn *console_redir_run(console *c, amt_device *d, uint16_t port, const char *tag,
                            redir_login how)
{
    sim_conn *conn = NULL;
    run r = {.c = c, .io = console_open(c, d, port, &conn), .seq = 1};
    if (!r.io)
        return conn;
    sim_conn_facts *f = netsim_facts(conn);
    r.rd.kvm = strcmp(tag, "KVMR") == 0;
    rw_msg m;
    rw_begin(&m, RW_START);
    rw_u8(&m, r.rd.kvm); /* MeshCommander sets 1 for KVM */
    rw_pad(&m, 4);
    rw_bytes(&m, tag, 4);
    int ok =
        !rw_send(r.io, &m) && expect(&r, &m, RW_START_REPLY) && m.b[1] == RW_OK && login(&r, how);
    if (ok)
        ok = r.rd.kvm ? kvm(&r) : strcmp(tag, "SOL ") == 0 ? sol(&r) : ider(&r);
    g_strlcpy(f->outcome, ok ? "ok" : "rejected", sizeof f->outcome);
    simio_close(r.io, 1);
    netsim_conn_join(conn);
    return conn;
}
