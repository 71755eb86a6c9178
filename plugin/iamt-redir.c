/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-redir: the redirection protocol, framed and decoded with lib's
 * redir.c. Each message also goes, on the first pass, into lib's facts of
 * its connection (diag_redir.h), which pair AMT's replies with the
 * console's requests (AMT answers a Digest start with status FAILURE and a
 * challenge, and a wrong response with FAILURE too) and whose rules give
 * the verdicts: the login's outcome and the causes a message settles are
 * lib's, decided on the first pass and kept per message for later ones. */
#include "iamt-redir.h"

#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tls.h>
#include <string.h>

#include "amtdiag/diag_redir.h"
#include "amtdiag/redir.h"
#include "iamt-diag.h"
#include "iamt-passwords.h"
#include "iamt-text.h"
#include "iamt-tls-facts.h"
#include "packet-iamt.h"
#include "ws-compat.h"

#define DEFAULT_REDIR_PORTS "16994"
#define DEFAULT_REDIR_TLS_PORTS "16995"

static int proto_iamt = -1;
static int hf_redir = -1;
static int hf_type = -1;
static int hf_session = -1;
static int hf_status = -1;
static int hf_status_name = -1;
static int hf_oem_len = -1;
static int hf_seq = -1;
static int hf_auth_type = -1;
static int hf_auth_methods = -1;
static int hf_auth_user = -1;
static int hf_auth_realm = -1;
static int hf_auth_nonce = -1;
static int hf_auth_uri = -1;
static int hf_auth_cnonce = -1;
static int hf_auth_nc = -1;
static int hf_auth_response = -1;
static int hf_auth_qop = -1;
static int hf_auth_ticket_len = -1;
static int hf_auth_outcome = -1;
static int hf_login_in = -1;
static int hf_data_len = -1;
static int hf_data = -1;
static int hf_sol_control = -1;
static int hf_sol_status = -1;
static int hf_cause = -1;
static gint ett_redir = -1;
static expert_field ei_malformed = EI_INIT;

static dissector_handle_t redir_handle;
static dissector_handle_t vnc_handle;
static const iamt_redir_channel *channel; /* set while iamt-cira calls with a channel's bytes */

void iamt_redir_in_channel(const iamt_redir_channel *ch)
{
    channel = ch;
}
static range_t *pref_ports, *pref_tls_ports;
static range_t *applied_ports, *applied_tls_ports;

/* One TCP connection's state on the first pass. */
typedef struct redir_conv {
    redir_session session;
    /* KVM: from this frame and offset on, a direction (1: to AMT) carries
     * RFB, not this protocol; 0: not (yet). */
    guint32 raw_frame[2];
    guint raw_offset[2];
    /* the causes shown so far on the frame being dissected (first pass):
     * several messages of one frame settle a cause once */
    guint32 shown_frame;
    const char *shown[8];
    size_t n_shown;
} redir_conv;

/* iamt.redir.auth.outcome's value set: lib's outcomes (PENDING is never
 * shown). */
static const value_string outcome_vals[] = {
    {DIAG_REDIR_CHALLENGE, "challenge"}, {DIAG_REDIR_ACCEPTED, "accepted"},
    {DIAG_REDIR_REJECTED, "rejected"},   {DIAG_REDIR_UNSUPPORTED, "unsupported"},
    {DIAG_REDIR_OTHER, "other"},         {0, NULL}};

/* What the first pass decided about one message, shown on every pass. */
typedef struct msg_memo {
    diag_redir_outcome out; /* a login reply: how lib paired it; else PENDING */
    guint32 login_frame;    /* ... the login it answers */
    guint8 login_type;
    const char *user;       /* file scope, or NULL */
    iamt_findings findings; /* lib's causes this message settles */
} msg_memo;

static wmem_map_t *convs; /* conv_index → redir_conv */

static redir_conv *conv_of(packet_info *pinfo)
{
    conversation_t *c = find_or_create_conversation(pinfo);
    redir_conv *rc = wmem_map_lookup(convs, GUINT_TO_POINTER(c->conv_index));
    if (!rc) {
        rc = wmem_new0(wmem_file_scope(), redir_conv);
        wmem_map_insert(convs, GUINT_TO_POINTER(c->conv_index), rc);
    }
    return rc;
}

int iamt_redir_direction(const packet_info *pinfo, int *tls)
{
    const range_t *r[] = {applied_ports, applied_tls_ports};
    if (pinfo->ptype != PT_TCP)
        return -1;
    for (int dest = 1; dest >= 0; dest--)
        for (size_t i = 0; i < G_N_ELEMENTS(r); i++)
            if (r[i] && value_is_in_range(r[i], dest ? pinfo->destport : pinfo->srcport)) {
                if (tls)
                    *tls = i == 1;
                return dest;
            }
    return -1;
}

static void add_str(proto_tree *t, int hf, tvbuff_t *tvb, packet_info *pinfo, const char *s)
{
    if (s && *s)
        proto_item_set_generated(
            proto_tree_add_string(t, hf, tvb, 0, 0, iamt_text(pinfo->pool, s, 256)));
}

/* lib's causes about this connection that name this frame, judged on
 * its facts so far: the messages of a frame name it as they settle a
 * cause (the reply that refuses, the login that sent a password in
 * clear), so each is shown once, where it is settled. */
static iamt_findings judge(iamt_tls_conn *c, packet_info *pinfo)
{
    iamt_findings out = {NULL, 0};
    diag_conn_facts f = c->b.f;
    f.id = 0;
    size_t n_acc = 0;
    diag_inputs in = {.in_progress = 1, .words = &diag_words_wireshark};
    in.accounts = iamt_passwords_accounts(pinfo->pool, &n_acc);
    in.n_accounts = n_acc;
    diag_result *r = diag_run(&f, 1, NULL, 0, &in);
    const diag_conn_result *cr = r->conns->len ? g_ptr_array_index(r->conns, 0) : NULL;
    for (guint i = 0; cr && i < cr->findings->len; i++) {
        const diag_finding *fi = g_ptr_array_index(cr->findings, i);
        int mine = fi->cause->stage == DIAG_STAGE_REDIR || fi->cause->stage == DIAG_STAGE_HTTP_AUTH;
        int here = 0;
        for (size_t k = 0; k < fi->n_frames; k++)
            here |= fi->frames[k] == pinfo->num;
        if (mine && here)
            iamt_diag_keep(&out, fi);
    }
    diag_result_free(r);
    return out;
}

static const char *auth_type_name(guint8 t)
{
    const char *n = redir_auth_type_name(t);
    return n ? n : "unknown auth type";
}

/* The console's AuthenticateSession. */
static void login_request(tvbuff_t *tvb, packet_info *pinfo, proto_tree *t, const redir_auth *a)
{
    const http_auth *d = &a->digest;
    const char *user = a->auth_type == REDIR_AUTH_USER_PASSWORD ? a->user : d->username;
    add_str(t, hf_auth_user, tvb, pinfo, user);
    add_str(t, hf_auth_realm, tvb, pinfo, d->realm);
    add_str(t, hf_auth_nonce, tvb, pinfo, d->nonce);
    add_str(t, hf_auth_uri, tvb, pinfo, d->uri);
    add_str(t, hf_auth_cnonce, tvb, pinfo, d->cnonce);
    add_str(t, hf_auth_nc, tvb, pinfo, d->nc);
    add_str(t, hf_auth_response, tvb, pinfo, d->response);
    add_str(t, hf_auth_qop, tvb, pinfo, d->qop);
    if (a->auth_type == REDIR_AUTH_KERBEROS)
        proto_item_set_generated(
            proto_tree_add_uint(t, hf_auth_ticket_len, tvb, 9, 0, a->ticket_len));
    const char *u = iamt_text(pinfo->pool, user, 64);
    if (a->auth_type == REDIR_AUTH_QUERY) {
        col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", "Login: which methods?");
        return;
    }
    int attempt = a->auth_type == REDIR_AUTH_USER_PASSWORD || a->auth_type == REDIR_AUTH_KERBEROS ||
                  (d->present & HTTP_AUTH_P_RESPONSE);
    col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "%s (%s%s%s)",
                        attempt ? "Login" : "Login start", auth_type_name(a->auth_type),
                        *u ? ", user " : "", u);
}

/* The login lib paired with the reply of this frame (first pass). */
static void remember_pairing(const diag_redir_facts *r, guint32 frame, msg_memo *m)
{
    for (size_t k = r ? r->n_logins : 0; k-- > 0;) {
        const diag_redir_login *l = &r->logins[k];
        if (l->reply_frame != frame)
            continue;
        m->out = l->outcome;
        m->login_frame = (guint32)l->frame;
        m->login_type = l->auth_type;
        if (l->user[0] && !l->digest_start)
            m->user = wmem_strdup(wmem_file_scope(), l->user);
        return;
    }
}

/* AMT's AuthenticateSessionReply, with lib's pairing in the memo. */
static void login_reply(tvbuff_t *tvb, packet_info *pinfo, proto_tree *t, const redir_auth *a,
                        const msg_memo *m)
{
    add_str(t, hf_auth_realm, tvb, pinfo, a->digest.realm);
    add_str(t, hf_auth_nonce, tvb, pinfo, a->digest.nonce);
    add_str(t, hf_auth_qop, tvb, pinfo, a->digest.qop);
    if (a->auth_type == REDIR_AUTH_QUERY) {
        GString *s = g_string_new(NULL);
        for (size_t i = 0; i < a->n_methods; i++)
            g_string_append_printf(s, "%s%s", i ? ", " : "", auth_type_name(a->methods[i]));
        add_str(t, hf_auth_methods, tvb, pinfo, s->str);
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "Login methods: %s",
                            s->len ? s->str : "none");
        g_string_free(s, TRUE);
        return;
    }
    if (!m || m->out == DIAG_REDIR_PENDING)
        return; /* the login is not in the capture, or no facts were kept */
    proto_item_set_generated(proto_tree_add_uint(t, hf_auth_outcome, tvb, 0, 0, m->out));
    if (m->login_frame)
        proto_item_set_generated(proto_tree_add_uint(t, hf_login_in, tvb, 0, 0, m->login_frame));
    const char *user = m->user ? iamt_text(pinfo->pool, m->user, 64) : "";
    const char *type = auth_type_name(m->login_type);
    switch (m->out) {
    case DIAG_REDIR_CHALLENGE:
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "Login challenge (%s, realm %s)", type,
                            iamt_text(pinfo->pool, a->digest.realm, 64));
        break;
    case DIAG_REDIR_ACCEPTED:
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "Login accepted (%s%s%s)", type,
                            *user ? ", user " : "", user);
        break;
    case DIAG_REDIR_UNSUPPORTED:
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "Login method not supported (%s)", type);
        break;
    default:
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "Login rejected (%s%s%s)", type,
                            *user ? ", user " : "", user);
    }
}

static void session_start(tvbuff_t *tvb, packet_info *pinfo, proto_tree *t, redir_conv *rc)
{
    guint8 tag[4];
    tvb_memcpy(tvb, tag, 4, 4);
    redir_session s = redir_session_of_tag(tag);
    if (!PINFO_FD_VISITED(pinfo))
        rc->session = s;
    proto_tree_add_item(t, hf_session, tvb, 4, 4, ENC_ASCII);
    col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "Start %s session", redir_session_name(s));
}

/* A reply's status at [1]: SUCCESS, or why AMT refused (lib's causes say
 * what that means). */
static void reply_status(tvbuff_t *tvb, packet_info *pinfo, proto_tree *t, const char *what)
{
    guint8 st = tvb_get_uint8(tvb, 1);
    proto_tree_add_item(t, hf_status, tvb, 1, 1, ENC_NA);
    const char *sn = redir_start_status_name(st);
    add_str(t, hf_status_name, tvb, pinfo, sn ? sn : "unknown");
    /* The Info column starts a sentence: "Redirection session started". */
    char first = g_ascii_toupper(what[0]);
    if (st == 0)
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "%c%s started", first, what + 1);
    else
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "%c%s refused: %s", first, what + 1,
                            sn ? sn : "unknown status");
}

static void sol_or_ider(tvbuff_t *tvb, packet_info *pinfo, proto_tree *t, guint8 type,
                        const char *name)
{
    guint n = tvb_reported_length(tvb);
    if (n >= 8)
        proto_tree_add_item(t, hf_seq, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    if ((type == REDIR_SOL_DATA_TO_HOST || type == REDIR_SOL_DATA_FROM_HOST) && n >= 10) {
        proto_tree_add_item(t, hf_data_len, tvb, 8, 2, ENC_LITTLE_ENDIAN);
        if (n > 10)
            proto_tree_add_item(t, hf_data, tvb, 10, n - 10, ENC_NA);
        col_append_sep_fstr(
            pinfo->cinfo, COL_INFO, "; ", "%s, %u bytes",
            type == REDIR_SOL_DATA_TO_HOST ? "SOL data to host" : "SOL data from host", n - 10);
        return;
    }
    if (type == REDIR_SOL_CONTROLS_FROM_HOST && n >= 10) {
        proto_tree_add_item(t, hf_sol_control, tvb, 8, 1, ENC_NA);
        proto_tree_add_item(t, hf_sol_status, tvb, 9, 1, ENC_NA);
    }
    col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", name);
}

/* Whether a message may settle a cause: the replies, and the login that
 * may carry a password in clear. lib judges after these only. */
static int settles(guint8 type)
{
    return type == REDIR_START_SESSION_REPLY || type == REDIR_AUTHENTICATE ||
           type == REDIR_AUTHENTICATE_REPLY || type == REDIR_START_SOL_REPLY ||
           type == REDIR_START_IDER_REPLY;
}

/* The facts a message of this packet goes into (first pass): its
 * connection's session, or in a CIRA channel the session of that channel
 * in the tunnel's facts, made at its first message (NULL past
 * DIAG_REDIR_CHANNELS_MAX, as in amtdiag). */
static diag_redir_facts *lib_facts(packet_info *pinfo, int dir, iamt_tls_conn **conn)
{
    iamt_tls_conn *c = iamt_tls_facts_redir(pinfo, dir, channel ? channel->tunnel : NULL);
    if (conn)
        *conn = c;
    if (!c || !channel)
        return c ? c->redir : NULL;
    if (!c->redir_chans)
        return NULL;
    diag_redir_facts *f = diag_redir_chans_find(c->redir_chans, channel->conv_id);
    if (!f) {
        diag_redir_facts *mem = diag_redir_chans_full(c->redir_chans)
                                    ? NULL
                                    : wmem_new(wmem_file_scope(), diag_redir_facts);
        f = diag_redir_chans_add(c->redir_chans, channel->conv_id, channel->port, pinfo->num, mem);
    }
    return f;
}

/* The first pass of a message: into lib's facts, and what lib then says
 * about it. NULL: nothing to show. */
static msg_memo *first_pass(tvbuff_t *tvb, packet_info *pinfo, redir_conv *rc, int dir, guint8 type)
{
    iamt_tls_conn *c = NULL;
    diag_redir_facts *r = lib_facts(pinfo, dir, &c);
    if (!r)
        return NULL;
    guint n = tvb_captured_length(tvb);
    diag_redir_message(r, pinfo->num, dir ? DIAG_CONSOLE : DIAG_AMT, tvb_get_ptr(tvb, 0, (gint)n),
                       n);
    if (!settles(type))
        return NULL;
    msg_memo *m = wmem_new0(wmem_file_scope(), msg_memo);
    if (type == REDIR_AUTHENTICATE_REPLY)
        remember_pairing(r, pinfo->num, m);
    iamt_findings all = judge(c, pinfo);
    if (rc->shown_frame != pinfo->num) {
        rc->shown_frame = pinfo->num;
        rc->n_shown = 0;
    }
    for (size_t i = 0; i < all.n; i++) {
        int seen = 0;
        for (size_t k = 0; k < rc->n_shown; k++)
            seen |= rc->shown[k] == all.f[i].cause->token;
        if (seen || rc->n_shown == G_N_ELEMENTS(rc->shown))
            continue;
        rc->shown[rc->n_shown++] = all.f[i].cause->token;
        m->findings.f = wmem_realloc(wmem_file_scope(), m->findings.f,
                                     (m->findings.n + 1) * sizeof *m->findings.f);
        m->findings.f[m->findings.n++] = all.f[i];
    }
    if (!m->findings.n && m->out == DIAG_REDIR_PENDING) {
        wmem_free(wmem_file_scope(), m);
        return NULL;
    }
    return m;
}

/* One whole message. */
static void dissect_message(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, redir_conv *rc,
                            int dir)
{
    guint n = tvb_reported_length(tvb);
    guint8 type = tvb_get_uint8(tvb, 0);
    const char *name = redir_msg_name(type);
    guint key = IAMT_KEY_REDIR + iamt_frame_ordinal(pinfo, proto_iamt, IAMT_KEY_REDIR);
    const msg_memo *m;
    if (!PINFO_FD_VISITED(pinfo)) {
        msg_memo *nm = first_pass(tvb, pinfo, rc, dir, type);
        if (nm)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_iamt, key, nm);
        m = nm;
    } else {
        m = p_get_proto_data(wmem_file_scope(), pinfo, proto_iamt, key);
    }
    proto_item *ti = proto_tree_add_item(tree, hf_redir, tvb, 0, (gint)n, ENC_NA);
    proto_item_append_text(ti, ": %s", name);
    proto_tree *t = proto_item_add_subtree(ti, ett_redir);
    proto_tree_add_item(t, hf_type, tvb, 0, 1, ENC_NA);
    redir_auth a;
    switch (type) {
    case REDIR_START_SESSION:
        session_start(tvb, pinfo, t, rc);
        break;
    case REDIR_START_SESSION_REPLY:
        reply_status(tvb, pinfo, t, "redirection session");
        proto_tree_add_item(t, hf_oem_len, tvb, 12, 1, ENC_NA);
        break;
    case REDIR_START_SOL_REPLY:
        reply_status(tvb, pinfo, t, "SOL session");
        break;
    case REDIR_START_IDER_REPLY:
        reply_status(tvb, pinfo, t,
                     rc->session == REDIR_SESSION_KVM ? "KVM session" : "IDE-R session");
        break;
    case REDIR_END_SESSION:
        col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", "End of redirection session");
        break;
    case REDIR_AUTHENTICATE:
    case REDIR_AUTHENTICATE_REPLY: {
        const guint8 *p = tvb_get_ptr(tvb, 0, (gint)n);
        redir_auth_parse(p, n, &a);
        proto_tree_add_item(t, hf_auth_type, tvb, 4, 1, ENC_NA);
        if (a.is_reply) {
            proto_tree_add_item(t, hf_status, tvb, 1, 1, ENC_NA);
            const char *sn = redir_auth_status_name(a.status);
            add_str(t, hf_status_name, tvb, pinfo, sn ? sn : "unknown");
            login_reply(tvb, pinfo, t, &a, m);
        } else {
            login_request(tvb, pinfo, t, &a);
        }
        if (a.malformed)
            expert_add_info(pinfo, ti, &ei_malformed);
        break;
    }
    case REDIR_START_IDER:
        if (rc->session == REDIR_SESSION_KVM) {
            col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", "Start KVM (RFB follows)");
            break;
        }
        /* fall through */
    default:
        sol_or_ider(tvb, pinfo, t, type, name);
    }
    /* lib's causes the message settles: a field each, its expert info and
     * the finding's subtree */
    if (m)
        iamt_diag_show(tvb, pinfo, t, hf_cause, &m->findings);
    /* KVM: after the start (console) and its reply (AMT), RFB. */
    if (!PINFO_FD_VISITED(pinfo) && rc->session == REDIR_SESSION_KVM &&
        type == (dir ? REDIR_START_IDER : REDIR_START_IDER_REPLY))
        rc->raw_frame[dir] = pinfo->num;
}

/* Bytes that are no message, for lib's facts (first pass): KVM's RFB
 * (len bytes), or bytes of another protocol (their first byte bad). */
static void lib_bytes(packet_info *pinfo, int dir, guint len, int bad)
{
    if (PINFO_FD_VISITED(pinfo))
        return;
    diag_redir_facts *r = lib_facts(pinfo, dir, NULL);
    if (!r)
        return;
    int side = dir ? DIAG_CONSOLE : DIAG_AMT;
    if (bad >= 0)
        diag_redir_bad(r, pinfo->num, side, (uint8_t)bad);
    else
        diag_redir_raw(r, pinfo->num, side, len);
}

static int dissect_redir(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    (void)data;
    if (!channel) { /* in a CIRA channel the tunnel's columns stay */
        col_set_str(pinfo->cinfo, COL_PROTOCOL, "AMT-Redir");
        col_clear(pinfo->cinfo, COL_INFO);
    }
    redir_conv *rc = conv_of(pinfo);
    int dir = channel ? channel->to_amt : iamt_redir_direction(pinfo, NULL) == 1;
    guint len = tvb_reported_length(tvb), off = 0;
    while (off < len) {
        guint32 raw = rc->raw_frame[dir];
        if (raw && (pinfo->num > raw || (pinfo->num == raw && off >= rc->raw_offset[dir]))) {
            /* KVM's RFB: Wireshark's VNC dissector, on this conversation. */
            col_set_str(pinfo->cinfo, COL_PROTOCOL, "AMT-Redir/VNC");
            lib_bytes(pinfo, dir, len - off, -1);
            if (vnc_handle)
                call_dissector(vnc_handle, tvb_new_subset_remaining(tvb, (gint)off), pinfo, tree);
            return (int)len;
        }
        guint avail = tvb_captured_length_remaining(tvb, (gint)off);
        size_t need = 0;
        long n = redir_frame(tvb_get_ptr(tvb, (gint)off, (gint)avail), avail, rc->session, &need);
        if (n == 0) {
            if (pinfo->can_desegment) {
                /* The exact rest once the header says it: so that a
                 * later pass cuts the stream where the first did. */
                pinfo->desegment_offset = (int)off;
                pinfo->desegment_len = need ? (guint32)(need - avail) : DESEGMENT_ONE_MORE_SEGMENT;
                return (int)len;
            }
            proto_item *ti = proto_tree_add_item(tree, hf_data, tvb, (gint)off, -1, ENC_NA);
            if (need)
                expert_add_info_format(pinfo, ti, &ei_malformed,
                                       "Message cut short: %u of %u bytes", avail, (guint)need);
            else
                expert_add_info_format(pinfo, ti, &ei_malformed,
                                       "Message cut short: %u bytes, header incomplete", avail);
            return (int)len;
        }
        if (n < 0) {
            lib_bytes(pinfo, dir, 0, tvb_get_uint8(tvb, (gint)off));
            proto_item *ti = proto_tree_add_item(tree, hf_data, tvb, (gint)off, -1, ENC_NA);
            expert_add_info_format(pinfo, ti, &ei_malformed,
                                   "Not a redirection message (type 0x%02x)",
                                   tvb_get_uint8(tvb, (gint)off));
            return (int)len;
        }
        tvbuff_t *msg = tvb_new_subset_length(tvb, (gint)off, (gint)n);
        guint32 before = rc->raw_frame[dir];
        dissect_message(msg, pinfo, tree, rc, dir);
        off += (guint)n;
        if (!before && rc->raw_frame[dir] == pinfo->num)
            rc->raw_offset[dir] = off;
    }
    return (int)len;
}

static void add_port(guint32 port, gpointer tls)
{
    if (tls)
        ssl_dissector_add(port, redir_handle);
    else
        dissector_add_uint("tcp.port", port, redir_handle);
}

static void del_port(guint32 port, gpointer tls)
{
    if (tls)
        ssl_dissector_delete(port, redir_handle);
    else
        dissector_delete_uint("tcp.port", port, redir_handle);
}

void iamt_redir_apply_ports(void)
{
    if (!redir_handle)
        return;
    if (applied_ports) {
        range_foreach(applied_ports, del_port, NULL);
        wmem_free(wmem_epan_scope(), applied_ports);
    }
    if (applied_tls_ports) {
        range_foreach(applied_tls_ports, del_port, GINT_TO_POINTER(1));
        wmem_free(wmem_epan_scope(), applied_tls_ports);
    }
    applied_ports = range_copy(wmem_epan_scope(), pref_ports);
    applied_tls_ports = range_copy(wmem_epan_scope(), pref_tls_ports);
    range_foreach(applied_ports, add_port, NULL);
    range_foreach(applied_tls_ports, add_port, GINT_TO_POINTER(1));
}

void iamt_redir_handoff(void)
{
    /* VNC registers no dissector name, only its ports (5900...). */
    dissector_table_t tcp = find_dissector_table("tcp.port");
    vnc_handle = tcp ? dissector_get_uint_handle(tcp, 5900) : NULL;
}

void iamt_redir_register(int proto, module_t *m)
{
    proto_iamt = proto;
    static value_string types[64];
    size_t nt = 0;
    for (unsigned t = 0; t < 256 && nt + 1 < G_N_ELEMENTS(types); t++)
        if (redir_msg_name((guint8)t))
            types[nt++] = (value_string){t, redir_msg_name((guint8)t)};
    static hf_register_info hf[] = {
        {&hf_redir,
         {"Redirection message", "iamt.redir", FT_NONE, BASE_NONE, NULL, 0x0,
          "AMT redirection protocol (SOL, IDE-R, KVM) message", HFILL}},
        {&hf_type, {"Type", "iamt.redir.type", FT_UINT8, BASE_HEX, VALS(types), 0x0, NULL, HFILL}},
        {&hf_session,
         {"Session", "iamt.redir.session", FT_STRING, BASE_NONE, NULL, 0x0,
          "Session type asked for: SOL, IDER, KVMR", HFILL}},
        {&hf_status, {"Status", "iamt.redir.status", FT_UINT8, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_status_name,
         {"Status name", "iamt.redir.status_name", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_oem_len,
         {"OEM data length", "iamt.redir.oem_len", FT_UINT8, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_seq,
         {"Sequence number", "iamt.redir.seq", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_type,
         {"Auth type", "iamt.redir.auth.type", FT_UINT8, BASE_DEC, NULL, 0x0,
          "0 query, 1 user/password, 2 Kerberos, 3 Digest RFC 2069, 4 Digest", HFILL}},
        {&hf_auth_methods,
         {"Methods offered", "iamt.redir.auth.methods", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_auth_user,
         {"User", "iamt.redir.auth.user", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_realm,
         {"Realm", "iamt.redir.auth.realm", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_nonce,
         {"Nonce", "iamt.redir.auth.nonce", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_uri,
         {"URI", "iamt.redir.auth.uri", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_cnonce,
         {"Cnonce", "iamt.redir.auth.cnonce", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_nc,
         {"Nonce count", "iamt.redir.auth.nc", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_response,
         {"Response", "iamt.redir.auth.response", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_qop,
         {"QOP", "iamt.redir.auth.qop", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_ticket_len,
         {"Kerberos ticket length", "iamt.redir.auth.ticket_len", FT_UINT32, BASE_DEC, NULL, 0x0,
          NULL, HFILL}},
        {&hf_auth_outcome,
         {"Login outcome", "iamt.redir.auth.outcome", FT_UINT8, BASE_DEC, VALS(outcome_vals), 0x0,
          "challenge, accepted, rejected, unsupported, other", HFILL}},
        {&hf_login_in,
         {"Login in", "iamt.redir.auth.login_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, "The AuthenticateSession this answers", HFILL}},
        {&hf_data_len,
         {"Data length", "iamt.redir.data_len", FT_UINT16, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_data, {"Data", "iamt.redir.data", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_sol_control,
         {"SOL control", "iamt.redir.sol.control", FT_UINT8, BASE_HEX, NULL, 0x0,
          "RTS 1, DTR 2, BREAK 4", HFILL}},
        {&hf_sol_status,
         {"SOL status", "iamt.redir.sol.status", FT_UINT8, BASE_HEX, NULL, 0x0,
          "TX overflow 1, loopback 2, system power 4, RX flush timeout 8, test mode 16", HFILL}},
        {&hf_cause,
         {"Cause", "iamt.redir.cause", FT_STRING, BASE_NONE, NULL, 0x0,
          "amtdiag cause token this message settles", HFILL}},
    };
    static gint *ett[] = {&ett_redir};
    static ei_register_info ei[] = {
        {&ei_malformed,
         {"iamt.redir.malformed", PI_MALFORMED, PI_ERROR, "Malformed redirection message",
          EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));
    /* lib's redirection causes: iamt.redir.cause.<token> */
    iamt_diag_register_causes(proto, "iamt.redir", "redirection", PI_SECURITY);

    range_convert_str(wmem_epan_scope(), &pref_ports, DEFAULT_REDIR_PORTS, 65535);
    range_convert_str(wmem_epan_scope(), &pref_tls_ports, DEFAULT_REDIR_TLS_PORTS, 65535);
    prefs_register_range_preference(m, "redir_ports", "AMT redirection ports",
                                    "TCP ports of AMT's redirection protocol in clear (16994)",
                                    &pref_ports, 65535);
    prefs_register_range_preference(m, "redir_tls_ports", "AMT redirection TLS ports",
                                    "TCP ports of AMT's redirection protocol over TLS (16995)",
                                    &pref_tls_ports, 65535);
    redir_handle = register_dissector("iamt_redir", dissect_redir, proto);
    convs =
        wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash, g_direct_equal);
}
