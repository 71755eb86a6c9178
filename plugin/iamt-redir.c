/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-redir: the redirection protocol, framed and decoded with lib's
 * redir.c. The login's outcome needs what came before (AMT answers a
 * Digest start with status FAILURE and a challenge, and a wrong response
 * with FAILURE too), so it is decided on the first pass and kept per
 * message for later ones. */
#include "iamt-redir.h"

#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tls.h>
#include <string.h>

#include "amtdiag/redir.h"
#include "iamt-diag.h"
#include "iamt-passwords.h"
#include "iamt-text.h"
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
static gint ett_redir = -1;
static expert_field ei_refused = EI_INIT;
static expert_field ei_rejected = EI_INIT;
static expert_field ei_cleartext = EI_INIT;
static expert_field ei_unsupported = EI_INIT;
static expert_field ei_malformed = EI_INIT;

static dissector_handle_t redir_handle;
static dissector_handle_t vnc_handle;
static range_t *pref_ports, *pref_tls_ports;
static range_t *applied_ports, *applied_tls_ports;

/* One TCP connection's state on the first pass. */
typedef struct redir_conv {
    redir_session session;
    /* KVM: from this frame and offset on, a direction (1: to AMT) carries
     * RFB, not this protocol; 0: not (yet). */
    guint32 raw_frame[2];
    guint raw_offset[2];
    /* the last login attempt, until AMT answers it */
    guint32 login_frame;
    guint8 login_type;
    http_auth *login; /* Digest credentials, file scope */
    char user[64];
    /* AMT's last Digest challenge, for lib's verdict on the answer */
    char ch_nonce[HTTP_AUTH_VALUE_MAX], ch_realm[HTTP_AUTH_VALUE_MAX], ch_qop[HTTP_AUTH_SHORT_MAX];
    guint32 ch_frame;
} redir_conv;

typedef enum { OUT_NONE, OUT_CHALLENGE, OUT_ACCEPTED, OUT_REJECTED, OUT_UNSUPPORTED } outcome;
/* iamt.redir.auth.outcome's value set (OUT_NONE is never shown). */
static const value_string outcome_vals[] = {{OUT_CHALLENGE, "challenge"},
                                            {OUT_ACCEPTED, "accepted"},
                                            {OUT_REJECTED, "rejected"},
                                            {OUT_UNSUPPORTED, "unsupported"},
                                            {0, NULL}};

/* What the first pass decided about one AuthenticateSessionReply. */
typedef struct reply_memo {
    outcome out;
    guint32 login_frame;
    guint8 login_type;
    const char *user;  /* file scope, or NULL */
    const char *token; /* lib's cause for a rejected Digest login, or NULL */
} reply_memo;

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

static int to_amt(const packet_info *pinfo)
{
    const range_t *r[] = {applied_ports, applied_tls_ports};
    for (size_t i = 0; i < G_N_ELEMENTS(r); i++)
        if (r[i] && value_is_in_range(r[i], pinfo->destport))
            return 1;
    return 0;
}

static void add_str(proto_tree *t, int hf, tvbuff_t *tvb, packet_info *pinfo, const char *s)
{
    if (s && *s)
        proto_item_set_generated(
            proto_tree_add_string(t, hf, tvb, 0, 0, iamt_text(pinfo->pool, s, 256)));
}

/* lib's verdict on a rejected Digest login, with the passwords table and
 * the challenge it answered: the same checks as for an HTTP login. */
static const char *rejected_token(const redir_conv *rc, packet_info *pinfo)
{
    if (!rc->login)
        return diag_cause_get(DIAG_C_DIGEST_LOGIN_REJECTED)->token;
    size_t n = 0;
    const diag_account *acc = iamt_passwords_accounts(pinfo->pool, &n);
    int answered = rc->ch_frame && strcmp(rc->ch_nonce, rc->login->nonce) == 0;
    diag_digest_challenge ch = {.realm = rc->ch_realm, .qop = rc->ch_qop, .frame = rc->ch_frame};
    GString *why = g_string_new(NULL);
    diag_cause_id id = diag_digest_verdict(rc->login, answered ? &ch : NULL, REDIR_DIGEST_METHOD,
                                           NULL, acc, n, why);
    g_string_free(why, TRUE);
    return diag_cause_get(id)->token;
}

static const char *auth_type_name(guint8 t)
{
    const char *n = redir_auth_type_name(t);
    return n ? n : "unknown auth type";
}

/* The console's AuthenticateSession. */
static void login_request(tvbuff_t *tvb, packet_info *pinfo, proto_tree *t, const redir_auth *a,
                          redir_conv *rc, proto_item *ti)
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
    switch (a->auth_type) {
    case REDIR_AUTH_QUERY:
        col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", "Login: which methods?");
        return;
    case REDIR_AUTH_USER_PASSWORD:
        expert_add_info_format(pinfo, ti, &ei_cleartext,
                               "Redirection login as %s with the password in clear "
                               "(auth type 1): use Digest or TLS on 16995",
                               u);
        break;
    default:
        break;
    }
    int attempt = a->auth_type == REDIR_AUTH_USER_PASSWORD || a->auth_type == REDIR_AUTH_KERBEROS ||
                  (d->present & HTTP_AUTH_P_RESPONSE);
    col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "%s (%s%s%s)",
                        attempt ? "Login" : "Login start", auth_type_name(a->auth_type),
                        *u ? ", user " : "", u);
    if (PINFO_FD_VISITED(pinfo) || !attempt)
        return;
    rc->login_frame = pinfo->num;
    rc->login_type = a->auth_type;
    g_strlcpy(rc->user, user, sizeof rc->user);
    rc->login = NULL;
    if (d->present & HTTP_AUTH_P_RESPONSE)
        rc->login = wmem_memdup(wmem_file_scope(), d, sizeof *d);
}

/* AMT's AuthenticateSessionReply: decided on the first pass. */
static void login_reply(tvbuff_t *tvb, packet_info *pinfo, proto_tree *t, const redir_auth *a,
                        redir_conv *rc, proto_item *ti)
{
    guint key = IAMT_KEY_REDIR + iamt_frame_ordinal(pinfo, proto_iamt, IAMT_KEY_REDIR);
    reply_memo *m = p_get_proto_data(wmem_file_scope(), pinfo, proto_iamt, key);
    if (!m && !PINFO_FD_VISITED(pinfo)) {
        m = wmem_new0(wmem_file_scope(), reply_memo);
        if (a->auth_type == REDIR_AUTH_QUERY)
            m->out = OUT_NONE;
        else if (a->status == 0)
            m->out = OUT_ACCEPTED;
        else if (a->status == 2)
            m->out = OUT_UNSUPPORTED;
        else if (rc->login_frame)
            m->out = OUT_REJECTED; /* the answer to an attempt, even with a new challenge */
        else
            m->out = (a->digest.present & HTTP_AUTH_P_NONCE) ? OUT_CHALLENGE : OUT_REJECTED;
        m->login_frame = rc->login_frame;
        m->login_type = rc->login_frame ? rc->login_type : a->auth_type;
        m->user = rc->login_frame && rc->user[0] ? wmem_strdup(wmem_file_scope(), rc->user) : NULL;
        if (m->out == OUT_REJECTED &&
            (m->login_type == REDIR_AUTH_DIGEST || m->login_type == REDIR_AUTH_DIGEST_RFC2069))
            m->token = rejected_token(rc, pinfo);
        if (m->out == OUT_CHALLENGE) {
            g_strlcpy(rc->ch_nonce, a->digest.nonce, sizeof rc->ch_nonce);
            g_strlcpy(rc->ch_realm, a->digest.realm, sizeof rc->ch_realm);
            g_strlcpy(rc->ch_qop, a->digest.qop, sizeof rc->ch_qop);
            rc->ch_frame = pinfo->num;
        }
        if (m->out != OUT_NONE && m->out != OUT_CHALLENGE) {
            rc->login_frame = 0;
            rc->login = NULL;
        }
        p_add_proto_data(wmem_file_scope(), pinfo, proto_iamt, key, m);
    }
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
    if (!m)
        return; /* (a later pass of a frame the first did not reach) */
    if (m->out != OUT_NONE)
        proto_item_set_generated(proto_tree_add_uint(t, hf_auth_outcome, tvb, 0, 0, m->out));
    if (m->login_frame)
        proto_item_set_generated(proto_tree_add_uint(t, hf_login_in, tvb, 0, 0, m->login_frame));
    const char *user = m->user ? iamt_text(pinfo->pool, m->user, 64) : "";
    const char *type = auth_type_name(m->login_type);
    switch (m->out) {
    case OUT_CHALLENGE:
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "Login challenge (%s, realm %s)", type,
                            iamt_text(pinfo->pool, a->digest.realm, 64));
        break;
    case OUT_ACCEPTED:
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "Login accepted (%s%s%s)", type,
                            *user ? ", user " : "", user);
        break;
    case OUT_UNSUPPORTED:
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "Login method not supported (%s)", type);
        expert_add_info_format(pinfo, ti, &ei_unsupported,
                               "AMT does not accept %s logins on redirection", type);
        break;
    default: {
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "Login rejected (%s%s%s)", type,
                            *user ? ", user " : "", user);
        expert_field *ef = m->token ? iamt_diag_expert_field(m->token) : NULL;
        if (ef)
            expert_add_info_format(pinfo, ti, ef, "%s: redirection login%s%s rejected (%s)",
                                   m->token, *user ? " as " : "", user, type);
        else
            expert_add_info_format(pinfo, ti, &ei_rejected, "Redirection login%s%s rejected (%s)",
                                   *user ? " as " : "", user, type);
    }
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

/* A reply's status at [1]: SUCCESS, or why AMT refused. */
static void reply_status(tvbuff_t *tvb, packet_info *pinfo, proto_tree *t, proto_item *ti,
                         const char *what)
{
    guint8 st = tvb_get_uint8(tvb, 1);
    proto_tree_add_item(t, hf_status, tvb, 1, 1, ENC_NA);
    const char *sn = redir_start_status_name(st);
    add_str(t, hf_status_name, tvb, pinfo, sn ? sn : "unknown");
    /* The Info column starts a sentence: "Redirection session started". */
    char first = g_ascii_toupper(what[0]);
    if (st == 0) {
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "%c%s started", first, what + 1);
        return;
    }
    col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "%c%s refused: %s", first, what + 1,
                        sn ? sn : "unknown status");
    expert_add_info_format(pinfo, ti, &ei_refused, "AMT refused the %s (%s, status %u)%s", what,
                           sn ? sn : "unknown", st,
                           st == 2 ? ": another redirection session is active" : "");
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

/* One whole message. */
static void dissect_message(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, redir_conv *rc,
                            int dir)
{
    guint n = tvb_reported_length(tvb);
    guint8 type = tvb_get_uint8(tvb, 0);
    const char *name = redir_msg_name(type);
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
        reply_status(tvb, pinfo, t, ti, "redirection session");
        proto_tree_add_item(t, hf_oem_len, tvb, 12, 1, ENC_NA);
        break;
    case REDIR_START_SOL_REPLY:
        reply_status(tvb, pinfo, t, ti, "SOL session");
        break;
    case REDIR_START_IDER_REPLY:
        reply_status(tvb, pinfo, t, ti,
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
            login_reply(tvb, pinfo, t, &a, rc, ti);
        } else {
            login_request(tvb, pinfo, t, &a, rc, ti);
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
    /* KVM: after the start (console) and its reply (AMT), RFB. */
    if (!PINFO_FD_VISITED(pinfo) && rc->session == REDIR_SESSION_KVM &&
        type == (dir ? REDIR_START_IDER : REDIR_START_IDER_REPLY))
        rc->raw_frame[dir] = pinfo->num;
}

static int dissect_redir(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    (void)data;
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "AMT-Redir");
    col_clear(pinfo->cinfo, COL_INFO);
    redir_conv *rc = conv_of(pinfo);
    int dir = to_amt(pinfo);
    guint len = tvb_reported_length(tvb), off = 0;
    while (off < len) {
        guint32 raw = rc->raw_frame[dir];
        if (raw && (pinfo->num > raw || (pinfo->num == raw && off >= rc->raw_offset[dir]))) {
            /* KVM's RFB: Wireshark's VNC dissector, on this conversation. */
            col_set_str(pinfo->cinfo, COL_PROTOCOL, "AMT-Redir/VNC");
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
          "challenge, accepted, rejected, unsupported", HFILL}},
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
    };
    static gint *ett[] = {&ett_redir};
    static ei_register_info ei[] = {
        {&ei_refused,
         {"iamt.redir.session_refused", PI_RESPONSE_CODE, PI_ERROR,
          "AMT refused the redirection session", EXPFILL}},
        {&ei_rejected,
         {"iamt.redir.login_rejected", PI_SECURITY, PI_ERROR, "Redirection login rejected",
          EXPFILL}},
        {&ei_cleartext,
         {"iamt.redir.cleartext_password", PI_SECURITY, PI_WARN,
          "Redirection login with the password in clear", EXPFILL}},
        {&ei_unsupported,
         {"iamt.redir.auth_unsupported", PI_RESPONSE_CODE, PI_ERROR,
          "AMT does not support this login method on redirection", EXPFILL}},
        {&ei_malformed,
         {"iamt.redir.malformed", PI_MALFORMED, PI_ERROR, "Malformed redirection message",
          EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));

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
