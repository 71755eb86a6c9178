/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-cira: APF inside the TLS of a CIRA tunnel (see iamt-cira.h). The
 * framing needs what the other side last asked (a RequestSuccess carries
 * a port after tcpip-forward): kept per conversation on the first pass,
 * and the first pass's cuts are the ones later passes see, as Wireshark
 * keeps reassembled TLS records. */
#include "iamt-cira.h"

#include <epan/conversation.h>
#include <epan/exceptions.h>
#include <epan/expert.h>
#include <epan/show_exception.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tls.h>
#include <string.h>

#include "amtdiag/apf.h"
#include "amtdiag/apf_chan.h"
#include "amtdiag/diag_cira.h"
#include "iamt-diag.h"
#include "iamt-redir.h"
#include "iamt-text.h"
#include "iamt-tls-facts.h"
#include "packet-iamt.h"
#include "ws-compat.h"

#define DEFAULT_CIRA_PORTS "4433"

static int hf_apf = -1;
static int hf_type = -1;
static int hf_text = -1;
static int hf_channel = -1;
static int hf_data_len = -1;
static int hf_cause = -1;
static gint ett_apf = -1;
static expert_field ei_malformed = EI_INIT;

static dissector_handle_t apf_handle;
static range_t *pref_ports, *applied_ports;

/* Bytes of one direction of a channel not yet handed on (first pass):
 * the start of an HTTP message HTTP asked more for. */
typedef struct chan_pending {
    guint8 *data;
    guint len;
} chan_pending;

/* One tunnel's framing context per direction, its channels (lib's
 * apf_chan) and their pending bytes (first pass). */
typedef struct cira_conv {
    apf_frame_ctx fctx[2];
    apf_chan_table chans;
    chan_pending pending[APF_CHAN_MAX][2];
    guint32 chan_id[APF_CHAN_MAX]; /* the conversation id of each slot's channel */
} cira_conv;

/* What one ChannelData gave HTTP on the first pass, given again on every
 * pass: the bytes (a whole HTTP message or more) and the channel's
 * conversation id, or nothing (len 0). */
typedef struct chan_chunk {
    guint8 *data;
    guint len;
    guint32 conv_id;
    guint16 port;  /* the channel's: 16992 HTTP, 16994 redirection, 16993/16995 in TLS */
    guint8 from;   /* 0 AMT, 1 the MPS */
    guint ordinal; /* the channel's number in the tunnel (the first opened is 1) */
} chan_chunk;

static dissector_handle_t http_handle, redir_handle, tls_handle;
/* conversation ids of channels: a range of their own, well clear of other
 * dissectors' ids */
static guint32 next_chan_id = 0x1a000000;

static wmem_map_t *convs; /* conv_index → cira_conv */

static cira_conv *conv_of(packet_info *pinfo)
{
    conversation_t *c = find_or_create_conversation(pinfo);
    cira_conv *cc = wmem_map_lookup(convs, GUINT_TO_POINTER(c->conv_index));
    if (!cc) {
        cc = wmem_new0(wmem_file_scope(), cira_conv);
        cc->fctx[0] = cc->fctx[1] = APF_FRAME_CTX_UNKNOWN;
        apf_chan_init(&cc->chans);
        wmem_map_insert(convs, GUINT_TO_POINTER(c->conv_index), cc);
    }
    return cc;
}

int iamt_cira_direction(const packet_info *pinfo)
{
    if (pinfo->ptype != PT_TCP || !applied_ports)
        return -1;
    if (value_is_in_range(applied_ports, pinfo->destport))
        return 1;
    return value_is_in_range(applied_ports, pinfo->srcport) ? 0 : -1;
}

static int proto_owner = -1;

/* lib's verdicts of stage cira that name this frame, on the tunnel's
 * facts so far (the capture goes on: the keep-alive verdict waits for the
 * end, and is in -z iamt,diag). */
static iamt_findings judge(iamt_tls_conn *c, packet_info *pinfo)
{
    iamt_findings out = {NULL, 0};
    diag_conn_facts f = c->b.f;
    f.id = 0;
    diag_inputs in = {.in_progress = 1, .words = &diag_words_wireshark};
    diag_result *r = diag_run(&f, 1, NULL, 0, &in);
    const diag_conn_result *cr = r->conns->len ? g_ptr_array_index(r->conns, 0) : NULL;
    for (guint i = 0; cr && i < cr->findings->len; i++) {
        const diag_finding *fi = g_ptr_array_index(cr->findings, i);
        int here = 0;
        for (size_t k = 0; k < fi->n_frames; k++)
            here |= fi->frames[k] == pinfo->num;
        if (fi->cause->stage == DIAG_STAGE_CIRA && here)
            iamt_diag_keep(&out, fi);
    }
    diag_result_free(r);
    return out;
}

/* The message into lib's facts (first pass), and the verdicts it settles,
 * kept for later passes. */
static const iamt_findings *lib_message(packet_info *pinfo, int to_mps, const guint8 *p, size_t n)
{
    guint key = IAMT_KEY_APF + iamt_frame_ordinal(pinfo, proto_owner, IAMT_KEY_APF);
    if (PINFO_FD_VISITED(pinfo))
        return p_get_proto_data(wmem_file_scope(), pinfo, proto_owner, key);
    iamt_tls_conn *c = iamt_tls_facts_cira(pinfo, to_mps);
    if (!c || !c->cira)
        return NULL;
    int64_t ts = (int64_t)pinfo->abs_ts.secs * 1000000 + pinfo->abs_ts.nsecs / 1000;
    diag_cira_message(c->cira, pinfo->num, ts, to_mps ? DIAG_CIRA_AMT : DIAG_CIRA_MPS, p, n);
    /* a channel's close settles a console's TLS refused inside it */
    if (p[0] != APF_USERAUTH_FAILURE && p[0] != APF_CHANNEL_OPEN_FAILURE &&
        p[0] != APF_CHANNEL_CLOSE)
        return NULL;
    iamt_findings *m = wmem_new(wmem_file_scope(), iamt_findings);
    *m = judge(c, pinfo);
    p_add_proto_data(wmem_file_scope(), pinfo, proto_owner, key, m);
    return m;
}

/* handle on tvb; an exception it raises is shown, and stops here, so
 * that the caller puts the frame's state back. */
static void try_call(dissector_handle_t handle, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    TRY
    {
        call_dissector(handle, tvb, pinfo, tree);
    }
    CATCH_NONFATAL_ERRORS
    {
        show_exception(tvb, pinfo, tree, EXCEPT_CODE, GET_MESSAGE);
    }
    ENDTRY;
}

/* The dissector of a channel's port: HTTP on 16992, the redirection
 * protocol on 16994, and on 16993 and 16995 TLS (a console's session with
 * AMT, inside the tunnel's) with *inner the one for what it carries. */
static dissector_handle_t port_handle(guint16 port, dissector_handle_t *inner)
{
    *inner = NULL;
    switch (port) {
    case AMT_PORT_HTTP:
        return http_handle;
    case AMT_PORT_REDIR:
        return redir_handle;
    case AMT_PORT_TLS:
        *inner = http_handle;
        return *inner ? tls_handle : NULL;
    case AMT_PORT_REDIR_TLS:
        *inner = redir_handle;
        return *inner ? tls_handle : NULL;
    default:
        return NULL;
    }
}

/* Calls the dissector of a channel's port on its bytes ch, in the
 * channel's own conversation, so that HTTP pairs each channel's responses
 * with its own requests and TLS keeps each channel's session apart from
 * the tunnel's; the frame's conversation, ports and reassembly state are
 * put back after. With can_desegment, returns how many leading bytes it took
 * whole (it asks for more as over TCP). */
static guint call_channel(tvbuff_t *parent, const chan_chunk *ch, packet_info *pinfo,
                          proto_tree *tree, int can_desegment)
{
    dissector_handle_t inner;
    dissector_handle_t handle = port_handle(ch->port, &inner);
    if (!handle)
        return ch->len;
    /* the tunnel's facts, fed with what the channel's TLS shows (first pass) */
    iamt_tls_conn *tunnel =
        inner && can_desegment ? iamt_tls_facts_cira(pinfo, ch->from == 0) : NULL;
    tvbuff_t *tvb = tvb_new_child_real_data(parent, ch->data, ch->len, (gint)ch->len);
    add_new_data_source(pinfo, tvb, "CIRA channel");
    iamt_redir_channel rc = {ch->from == 1, find_conversation_pinfo(pinfo, 0), ch->conv_id,
                             ch->port};
    struct conversation_element *saved_conv = pinfo->conv_elements;
    guint16 saved_can = pinfo->can_desegment;
    int saved_off = pinfo->desegment_offset;
    guint32 saved_len = pinfo->desegment_len;
    guint32 saved_sport = pinfo->srcport, saved_dport = pinfo->destport;
    if (inner) {
        /* TLS finds its session by addresses and ports (from 4.4 on it
         * skips conv_elements): the channel's session gets ports of its
         * own, beyond TCP's, so it is never the tunnel's */
        guint32 console = ch->conv_id * 2u, amt = console + 1u;
        pinfo->srcport = ch->from == 1 ? console : amt;
        pinfo->destport = ch->from == 1 ? amt : console;
    } else {
        conversation_set_elements_by_id(pinfo, CONVERSATION_TCP, ch->conv_id);
    }
    pinfo->can_desegment = can_desegment ? 2 : 0;
    pinfo->desegment_offset = 0;
    pinfo->desegment_len = 0;
    if (handle == redir_handle || inner == redir_handle)
        iamt_redir_in_channel(&rc);
    iamt_tls_inner marks;
    if (inner) {
        /* the session's records carry what the port says, whatever the
         * tunnel's own ports would pick */
        tls_set_appdata_dissector(tls_handle, pinfo, inner);
        iamt_tls_facts_inner_begin(tree, &marks);
    }
    try_call(handle, tvb, pinfo, tree);
    if (inner)
        iamt_tls_facts_inner_end(pinfo, tree, &marks, tunnel ? tunnel->cira : NULL, ch->ordinal,
                                 ch->from == 0 ? DIAG_CIRA_AMT : DIAG_CIRA_MPS);
    iamt_redir_in_channel(NULL);
    guint taken = can_desegment && pinfo->desegment_len ? (guint)pinfo->desegment_offset : ch->len;
    pinfo->conv_elements = saved_conv;
    pinfo->srcport = saved_sport;
    pinfo->destport = saved_dport;
    pinfo->can_desegment = saved_can;
    pinfo->desegment_offset = saved_off;
    pinfo->desegment_len = saved_len;
    return taken;
}

/* A channel message: the table follows it (first pass); the bytes of a
 * channel to 16992 go to HTTP, of one to 16994 to the redirection
 * dissector, of one to 16993 or 16995 to TLS, once whole, on every pass
 * the same. */
static void channel_message(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int to_mps,
                            const guint8 *p, size_t n)
{
    guint key = IAMT_KEY_CHAN + iamt_frame_ordinal(pinfo, proto_owner, IAMT_KEY_CHAN);
    if (PINFO_FD_VISITED(pinfo)) {
        const chan_chunk *ch = p_get_proto_data(wmem_file_scope(), pinfo, proto_owner, key);
        if (ch && ch->len)
            call_channel(tvb, ch, pinfo, tree, 0);
        return;
    }
    apf_msg m;
    if (apf_parse(p, n, &m) != 0)
        return;
    cira_conv *cc = conv_of(pinfo);
    int from = to_mps ? 0 : 1; /* AMT sends to the MPS */
    unsigned slot = 0;
    apf_chan_event ev = apf_chan_track(&cc->chans, from, &m, &slot);
    const apf_chan *c = &cc->chans.c[slot];
    if (ev == APF_CHAN_OPENED || ev == APF_CHAN_REFUSED || (ev == APF_CHAN_CLOSED && !c->used)) {
        for (int d = 0; d < 2; d++)
            cc->pending[slot][d] = (chan_pending){NULL, 0};
        if (ev == APF_CHAN_OPENED)
            cc->chan_id[slot] = ++next_chan_id;
    } else if (ev == APF_CHAN_DATA && m.data_len &&
               (c->port == AMT_PORT_HTTP || c->port == AMT_PORT_REDIR || c->port == AMT_PORT_TLS ||
                c->port == AMT_PORT_REDIR_TLS)) {
        chan_pending *pd = &cc->pending[slot][from];
        if (pd->len + m.data_len > APF_MAX_DATA)
            pd->len = 0; /* no message of AMT's is this long: start again */
        pd->data = wmem_realloc(wmem_file_scope(), pd->data, pd->len + m.data_len);
        memcpy(pd->data + pd->len, m.data, m.data_len);
        pd->len += m.data_len;
        chan_chunk all = {pd->data,         pd->len,      cc->chan_id[slot],
                          (guint16)c->port, (guint8)from, c->ordinal};
        guint taken = call_channel(tvb, &all, pinfo, tree, 1);
        chan_chunk *ch = wmem_new0(wmem_file_scope(), chan_chunk);
        if (taken) {
            *ch = all;
            ch->data = wmem_memdup(wmem_file_scope(), pd->data, taken);
            ch->len = taken;
            memmove(pd->data, pd->data + taken, pd->len - taken);
            pd->len -= taken;
        }
        p_add_proto_data(wmem_file_scope(), pinfo, proto_owner, key, ch);
    }
    apf_msg_clear(&m);
}

static void dissect_message(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int to_mps)
{
    guint n = tvb_reported_length(tvb);
    const guint8 *p = tvb_get_ptr(tvb, 0, (gint)n);
    proto_item *ti = proto_tree_add_item(tree, hf_apf, tvb, 0, (gint)n, ENC_NA);
    proto_tree *t = proto_item_add_subtree(ti, ett_apf);
    proto_tree_add_item(t, hf_type, tvb, 0, 1, ENC_NA);
    char text[320];
    apf_msg_text(p, n, text, sizeof text);
    const char *shown = iamt_text(pinfo->pool, text, sizeof text);
    proto_item_set_generated(proto_tree_add_string(t, hf_text, tvb, 0, (gint)n, shown));
    proto_item_append_text(ti, ": %s", shown);
    col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", shown);
    apf_msg m;
    if (apf_parse(p, n, &m) == 0) {
        if (m.has_recipient)
            proto_tree_add_item(t, hf_channel, tvb, 1, 4, ENC_BIG_ENDIAN);
        if (m.type == APF_CHANNEL_DATA)
            proto_tree_add_item(t, hf_data_len, tvb, 5, 4, ENC_BIG_ENDIAN);
        if (m.malformed)
            expert_add_info(pinfo, ti, &ei_malformed);
        apf_msg_clear(&m);
    }
    const iamt_findings *found = lib_message(pinfo, to_mps, p, n);
    iamt_diag_show(tvb, pinfo, t, hf_cause, found);
    if (p[0] == APF_CHANNEL_DATA || (p[0] >= APF_CHANNEL_OPEN && p[0] <= APF_CHANNEL_CLOSE))
        channel_message(tvb, pinfo, proto_tree_get_root(tree), to_mps, p, n);
}

static int dissect_apf(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    (void)data;
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "AMT-APF");
    col_clear(pinfo->cinfo, COL_INFO);
    cira_conv *cc = conv_of(pinfo);
    int to_mps = iamt_cira_direction(pinfo) == 1;
    apf_frame_ctx *fc = &cc->fctx[to_mps];
    guint len = tvb_reported_length(tvb), off = 0;
    while (off < len) {
        guint avail = tvb_captured_length_remaining(tvb, (gint)off);
        const guint8 *p = tvb_get_ptr(tvb, (gint)off, (gint)avail);
        size_t need = 0;
        long n = apf_frame(p, avail, fc, &need);
        if (n == 0) {
            if (pinfo->can_desegment) {
                pinfo->desegment_offset = (int)off;
                pinfo->desegment_len = need ? (guint32)(need - avail) : DESEGMENT_ONE_MORE_SEGMENT;
                return (int)len;
            }
            proto_item *ti = proto_tree_add_item(tree, hf_apf, tvb, (gint)off, -1, ENC_NA);
            expert_add_info_format(pinfo, ti, &ei_malformed, "APF message cut short: %u bytes",
                                   avail);
            return (int)len;
        }
        if (n < 0) {
            proto_item *ti = proto_tree_add_item(tree, hf_apf, tvb, (gint)off, -1, ENC_NA);
            expert_add_info_format(pinfo, ti, &ei_malformed, "Not an APF message (type %u)", p[0]);
            return (int)len;
        }
        if (p[0] != 0) /* a lone 0x00 is the rest of a UserAuthFailure */
            dissect_message(tvb_new_subset_length(tvb, (gint)off, (gint)n), pinfo, tree, to_mps);
        if (!PINFO_FD_VISITED(pinfo)) {
            fc->after_auth_failure = p[0] == APF_USERAUTH_FAILURE;
            if (p[0] == APF_GLOBAL_REQUEST) {
                apf_msg m;
                if (apf_parse(p, (size_t)n, &m) == 0)
                    cc->fctx[!to_mps].success_has_port = !strcmp(m.name, "tcpip-forward");
                apf_msg_clear(&m);
            }
        }
        off += (guint)n;
    }
    return (int)len;
}

static void add_port(guint32 port, gpointer unused)
{
    (void)unused;
    ssl_dissector_add(port, apf_handle);
}

static void del_port(guint32 port, gpointer unused)
{
    (void)unused;
    ssl_dissector_delete(port, apf_handle);
}

void iamt_cira_apply_ports(void)
{
    if (!apf_handle)
        return;
    if (applied_ports) {
        range_foreach(applied_ports, del_port, NULL);
        wmem_free(wmem_epan_scope(), applied_ports);
    }
    applied_ports = range_copy(wmem_epan_scope(), pref_ports);
    range_foreach(applied_ports, add_port, NULL);
}

void iamt_cira_register(int proto, module_t *m)
{
    proto_owner = proto;
    static value_string types[32];
    size_t nt = 0;
    for (unsigned t = 0; t < 256 && nt + 1 < G_N_ELEMENTS(types); t++)
        if (apf_msg_name((guint8)t))
            types[nt++] = (value_string){t, apf_msg_name((guint8)t)};
    static hf_register_info hf[] = {
        {&hf_apf,
         {"APF message", "iamt.apf", FT_NONE, BASE_NONE, NULL, 0x0,
          "AMT Port Forwarding protocol (CIRA) message", HFILL}},
        {&hf_type, {"Type", "iamt.apf.type", FT_UINT8, BASE_DEC, VALS(types), 0x0, NULL, HFILL}},
        {&hf_text,
         {"Summary", "iamt.apf.text", FT_STRING, BASE_NONE, NULL, 0x0,
          "What the message says (never the password)", HFILL}},
        {&hf_channel,
         {"Recipient channel", "iamt.apf.channel", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_data_len,
         {"Data length", "iamt.apf.data_len", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_cause,
         {"Cause", "iamt.apf.cause", FT_STRING, BASE_NONE, NULL, 0x0,
          "amtdiag cause token this message settles", HFILL}},
    };
    static gint *ett[] = {&ett_apf};
    static ei_register_info ei[] = {
        {&ei_malformed,
         {"iamt.apf.malformed", PI_MALFORMED, PI_ERROR, "Malformed APF message", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));
    /* lib's CIRA causes of stage cira: iamt.cira.cause.<token> */
    iamt_diag_register_causes(proto, "iamt.cira", "cira", PI_SEQUENCE);
    range_convert_str(wmem_epan_scope(), &pref_ports, DEFAULT_CIRA_PORTS, 65535);
    prefs_register_range_preference(m, "cira_ports", "CIRA (MPS) ports",
                                    "TCP ports where AMT calls its Management Presence Server "
                                    "(4433): APF inside TLS",
                                    &pref_ports, 65535);
    apf_handle =
        register_dissector_with_description("iamt_apf", "AMT APF (CIRA)", dissect_apf, proto);
    http_handle = find_dissector_add_dependency("http", proto);
    redir_handle = find_dissector("iamt_redir"); /* registered before (packet-iamt) */
    tls_handle = find_dissector_add_dependency("tls", proto);
    convs =
        wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash, g_direct_equal);
}
