/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-tls: the TLS part of iamt's postdissector (packet-iamt), on
 * connections to AMT's TLS port. It hands
 * each frame's TLS facts to iamt-tls-facts, runs lib's rules (diag_run)
 * over them, and shows the verdicts: an expert info per cause on the frame
 * that proves it, AMT's certificate checklist, and per TLS alert the
 * likely AMT cause. The rules are lib's, so the verdicts are amtdiag's. */
#include "iamt-tls.h"

#include <epan/expert.h>
#include <epan/proto.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/tap.h>
#include <string.h>

#include "amtdiag/tls_alerts.h"
#include "iamt-diag.h"
#include "iamt-fields.h"
#include "iamt-inputs.h"
#include "iamt-krb.h"
#include "iamt-late.h"
#include "iamt-stat-table.h"
#include "iamt-text.h"
#include "iamt-tls-dns.h"
#include "iamt-tls-facts.h"
#include "iamt-vals.h"
#include "packet-iamt.h"

static int proto_iamt = -1;
static int proto_dns = -1;
static int proto_tcp = -1;
static int hf_tls = -1;
static int hf_tls_cause = -1;
static int hf_tls_stage = -1;
static int hf_tls_outcome = -1;
static int hf_tls_alert_cause = -1;
static int hf_tls_candidates = -1;
static int hf_tls_check[DIAG_N_RULES];
static int hf_tls_check_evidence = -1;
static int hf_tls_check_settle = -1;
static gint ett_tls = -1;
static gint ett_tls_checks = -1;
static gint ett_tls_check = -1;
static expert_field ei_alert = EI_INIT;
static int tap_diag = -1; /* "iamt_diag": a frame changed a connection's facts */

/* The last verdict on the whole capture and the facts' version it was
 * computed from. */
static diag_result *cached;
static unsigned cached_version;

static void clear_cache(void)
{
    if (cached)
        diag_result_free(cached);
    cached = NULL;
}

/* lib's verdict on conns[0..n): facts are copied so ids can be renumbered. */
static diag_result *judge(iamt_tls_conn *const *conns, size_t n, int in_progress)
{
    diag_conn_facts *f = g_new0(diag_conn_facts, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        f[i] = conns[i]->b.f;
        f[i].id = (unsigned)i;
    }
    GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
    /* One allocator for every judgement, emptied after each: making one
     * cost more than the inputs put in it. */
    static wmem_allocator_t *scope;
    if (!scope)
        scope = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    diag_inputs in = iamt_inputs(list, scope, in_progress);
    size_t n_dns;
    const diag_dns_facts *dns = iamt_tls_dns_facts(&n_dns);
    diag_result *r = diag_run(f, n, dns, n_dns, &in);
    wmem_free_all(scope);
    g_ptr_array_free(list, TRUE);
    g_free(f);
    return r;
}

static unsigned dns_count(void)
{
    size_t n;
    iamt_tls_dns_facts(&n);
    return (unsigned)n;
}

iamt_tls_conn *const *iamt_tls_conns_for_stat(size_t *n)
{
    return iamt_tls_facts_conns(n);
}

unsigned iamt_tls_judge_version(void)
{
    size_t n_kdc;
    iamt_krb_kdc(&n_kdc);
    return iamt_tls_facts_version() + dns_count() + (unsigned)n_kdc;
}

const diag_result *iamt_tls_judge_all(void)
{
    size_t n;
    iamt_tls_conn *const *conns = iamt_tls_facts_conns(&n);
    if (!cached || cached_version != iamt_tls_judge_version()) {
        clear_cache();
        cached = judge(conns, n, 0);
        cached_version = iamt_tls_judge_version();
    }
    return cached;
}

static int names_frame(const diag_finding *f, guint32 frame)
{
    for (size_t i = 0; i < f->n_frames; i++)
        if (f->frames[i] == frame)
            return 1;
    return 0;
}

/* Whether the finding is new on this frame: a finding is shown on the
 * first decisive frame whose facts prove it (the alert, or AMT's FIN when
 * it closes without one), once per connection. */
static int first_time(const diag_finding *f, iamt_tls_conn *c)
{
    /* Of the TCP causes only those this connection settles alone: a port
     * that answers a SYN with a reset reads as plain-http-refused-tls-only
     * once a TLS connection to the same AMT shows up, maybe later. */
    int alone =
        f->cause->id == DIAG_C_UNDIAGNOSED || f->cause->id == DIAG_C_CAPTURE_GAP ||
        (f->cause->id == DIAG_C_PLAIN_HTTP_REFUSED_TLS_ONLY && c->b.f.bytes[DIAG_CONSOLE]) ||
        /* a CIRA tunnel's keep-alives: settled where the tunnel ends */
        f->cause->id == DIAG_C_CIRA_KEEPALIVE_TIMEOUT;
    if (f->cause->stage != DIAG_STAGE_TLS && !alone)
        return 0;
    for (size_t i = 0; i < c->n_shown; i++)
        if (c->shown[i] == f->cause)
            return 0;
    if (c->n_shown == G_N_ELEMENTS(c->shown))
        return 0;
    c->shown[c->n_shown++] = f->cause;
    return 1;
}

/* Whether the frame shows a decision: an alert (but a close_notify or an
 * unreadable one after the handshake), the end of the handshake of a
 * connection AMT asked a certificate of, the first FIN, an RST. Only
 * these frames are judged (on a capture of thousands of sessions lib's
 * rules would otherwise cost more than the rest of the plugin), so a
 * cause is shown on the first of them whose facts prove it. */
static int decisive(const iamt_tls_conn *c, guint32 frame)
{
    const diag_conn_facts *f = &c->b.f;
    if (f->first_fin_frame == frame || f->rst_frame == frame ||
        (f->tls.handshake_done_frame == frame && f->tls.cert_request))
        return 1;
    for (size_t i = 0; i < f->tls.n_alerts; i++)
        if (c->b.alerts[i].frame == frame &&
            !(c->b.alerts[i].after_handshake && c->b.alerts[i].desc <= 0))
            return 1;
    return 0;
}

/* Where a frame shows the connection's verdict so far (stage, outcome,
 * AMT's checklist) without proving a cause: once AMT has decided on the
 * handshake of a connection it asked a console certificate of (finished
 * it, sent or got an alert, or the connection closes), so that the
 * checklist shown is settled; and once on the first FIN or RST of a TLS
 * connection, where its verdict is as final as its own frames make it. */
enum { SUMMARY_CHECKLIST = 1, SUMMARY_CLOSE = 2 };

static int summary_due(const iamt_tls_conn *c, const diag_conn_result *cr, guint32 frame)
{
    const diag_conn_facts *f = &c->b.f;
    int due = 0;
    if (cr->has_checklist && (f->tls.handshake_complete || f->tls.n_alerts || f->rst_from >= 0 ||
                              f->first_fin_from >= 0))
        due |= SUMMARY_CHECKLIST;
    if (f->is_tls && (f->first_fin_frame == frame || f->rst_frame == frame))
        due |= SUMMARY_CLOSE;
    return due & ~c->summarized;
}

/* What the first pass showed on one frame of a connection, kept for every
 * later pass (file scope): a later pass may build no tree to read the TLS
 * fields from (tshark -2 -z expert, a GUI retap), and must show the same. */
typedef struct tls_alert_view {
    const char *cause; /* the likely AMT cause */
    const char *text;  /* the expert text */
} tls_alert_view;

typedef struct tls_check_view {
    diag_status status;
    const char *evidence;
    const char *settle; /* for unknown: what would settle it; NULL none */
} tls_check_view;

typedef struct tls_frame_view {
    iamt_findings causes;   /* proven on this frame */
    tls_alert_view *alerts; /* the frame's TLS alerts */
    size_t n_alerts;
    int has_verdict; /* the verdict so far is shown here: */
    diag_stage stage;
    diag_outcome outcome;
    const char *candidates; /* NULL when none */
    int has_checklist;
    tls_check_view checks[DIAG_N_RULES];
} tls_frame_view;

static const char *file_text(const char *s, size_t max)
{
    return iamt_text(wmem_file_scope(), s ? s : "", max);
}

static void view_alerts(tls_frame_view *v, packet_info *pinfo, const iamt_tls_conn *c,
                        const diag_conn_result *cr)
{
    for (size_t i = 0; i < c->b.f.tls.n_alerts; i++) {
        const diag_alert *a = &c->b.alerts[i];
        if (a->frame != pinfo->num || a->desc <= 0)
            continue;
        const char *cause = NULL;
        for (guint k = 0; k < cr->findings->len && !cause; k++) {
            const diag_finding *f = g_ptr_array_index(cr->findings, k);
            if (f->cause->stage == DIAG_STAGE_TLS && f->cause->severity != DIAG_INFO &&
                names_frame(f, pinfo->num))
                cause = f->cause->token;
        }
        if (!cause) {
            diag_cause_id ids[2];
            size_t n = diag_alert_likely_causes(a->from, a->desc, ids);
            cause = n > 1 ? wmem_strdup_printf(wmem_file_scope(), "%s or %s",
                                               diag_cause_get(ids[0])->token,
                                               diag_cause_get(ids[1])->token)
                          : diag_cause_get(ids[0])->token;
        }
        v->alerts =
            wmem_realloc(wmem_file_scope(), v->alerts, (v->n_alerts + 1) * sizeof *v->alerts);
        tls_alert_view *av = &v->alerts[v->n_alerts++];
        av->cause = cause; /* static or file scope */
        av->text = wmem_strdup_printf(wmem_file_scope(), "TLS alert %s (%d) from %s: likely %s",
                                      amt_tls_alert_name(a->desc), a->desc,
                                      /* in a CIRA tunnel AMT is the client */
                                      c->b.f.service == AMT_SERVICE_CIRA
                                          ? (a->from == DIAG_AMT ? "the MPS" : "AMT")
                                          : (a->from == DIAG_AMT ? "AMT" : "the console"),
                                      cause);
    }
}

/* The view of this frame (first pass): lib's verdict on the connection's
 * facts so far, of which the frame shows what it proves. NULL: nothing. */
static tls_frame_view *first_pass_view(packet_info *pinfo, iamt_tls_conn *c)
{
    /* Judging this one connection keeps a long capture linear. */
    diag_result *r = judge(&c, 1, 1);
    const diag_conn_result *cr = diag_result_conn(r, 0);
    if (!cr) {
        diag_result_free(r);
        return NULL;
    }
    tls_frame_view *v = wmem_new0(wmem_file_scope(), tls_frame_view);
    for (guint k = 0; k < cr->findings->len; k++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, k);
        if (first_time(f, c))
            iamt_diag_keep(&v->causes, f);
    }
    view_alerts(v, pinfo, c, cr);
    /* The verdict so far: with a cause it proves, and where it settles. */
    int due = summary_due(c, cr, pinfo->num);
    if (v->causes.n || due) {
        c->summarized |= due;
        v->has_verdict = 1;
        v->stage = cr->stage;
        v->outcome = cr->outcome;
        if (cr->candidates)
            v->candidates = file_text(cr->candidates, IAMT_TEXT_MAX);
        v->has_checklist = cr->has_checklist;
        for (int i = 0; cr->has_checklist && i < DIAG_N_RULES; i++) {
            const diag_check *ck = &cr->checklist[i];
            v->checks[i].status = ck->status;
            v->checks[i].evidence = file_text(ck->evidence, IAMT_TEXT_MAX);
            if (ck->status == DIAG_UNKNOWN && ck->settle)
                v->checks[i].settle = file_text(ck->settle, IAMT_TEXT_MAX);
        }
    }
    diag_result_free(r);
    if (!v->causes.n && !v->n_alerts && !v->has_verdict) {
        wmem_free(wmem_file_scope(), v);
        return NULL;
    }
    return v;
}

/* The iamt.tls subtree of a frame, made on first use so that frames with
 * nothing to say carry no empty iamt item. */
typedef struct tls_ctx {
    tvbuff_t *tvb;
    proto_tree *tree;
    proto_tree *tls;
} tls_ctx;

static proto_tree *tls_tree(tls_ctx *x)
{
    if (!x->tls) {
        proto_item *ti = proto_tree_add_item(x->tree, proto_iamt, x->tvb, 0, 0, ENC_NA);
        proto_item_set_generated(ti);
        proto_tree *it = proto_item_add_subtree(ti, ett_tls);
        proto_item *tl = proto_tree_add_none_format(it, hf_tls, x->tvb, 0, 0, "AMT TLS diagnosis");
        proto_item_set_generated(tl);
        x->tls = proto_item_add_subtree(tl, ett_tls);
    }
    return x->tls;
}

static proto_item *add_uint(proto_tree *t, int hf, tvbuff_t *tvb, guint32 v)
{
    proto_item *it = proto_tree_add_uint(t, hf, tvb, 0, 0, v);
    proto_item_set_generated(it);
    return it;
}

/* AMT's six checks: each an enumerated status, its evidence and, when
 * unknown, what would settle it under it. */
static void add_checklist(tvbuff_t *tvb, proto_tree *t, const tls_frame_view *v)
{
    proto_item *ti =
        proto_tree_add_none_format(t, hf_tls, tvb, 0, 0, "AMT's checks of the console certificate");
    proto_item_set_generated(ti);
    proto_tree *ct = proto_item_add_subtree(ti, ett_tls_checks);
    for (int r = 0; r < DIAG_N_RULES; r++) {
        const tls_check_view *ck = &v->checks[r];
        proto_item *it = add_uint(ct, hf_tls_check[r], tvb, (guint32)ck->status);
        proto_tree *st = proto_item_add_subtree(it, ett_tls_check);
        iamt_diag_add_text(st, hf_tls_check_evidence, tvb, ck->evidence);
        if (ck->settle)
            iamt_diag_add_text(st, hf_tls_check_settle, tvb, ck->settle);
    }
}

/* Every pass: the view's items and expert infos. Expert infos go on even
 * without a tree (the items are then NULL): tshark -z expert and the
 * GUI's Expert Information dialog count them from the expert tap. */
static void show_view(tls_ctx *x, packet_info *pinfo, const tls_frame_view *v)
{
    tvbuff_t *tvb = x->tvb;
    if (v->causes.n)
        iamt_diag_show(tvb, pinfo, tls_tree(x), hf_tls_cause, &v->causes);
    for (size_t i = 0; i < v->n_alerts; i++) {
        proto_item *it =
            proto_tree_add_string(tls_tree(x), hf_tls_alert_cause, tvb, 0, 0, v->alerts[i].cause);
        proto_item_set_generated(it);
        expert_add_info_format(pinfo, it, &ei_alert, "%s", v->alerts[i].text);
    }
    if (!v->has_verdict)
        return;
    proto_tree *t = tls_tree(x);
    add_uint(t, hf_tls_stage, tvb, (guint32)v->stage);
    add_uint(t, hf_tls_outcome, tvb, (guint32)v->outcome);
    if (v->candidates)
        iamt_diag_add_text(t, hf_tls_candidates, tvb, v->candidates);
    if (v->has_checklist)
        add_checklist(tvb, t, v);
}

void iamt_tls_diag_frame(packet_info *pinfo)
{
    tap_queue_packet(tap_diag, pinfo, NULL);
}

void iamt_tls_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    gboolean visited = PINFO_FD_VISITED(pinfo);
    /* The first pass reads the facts from the tree Wireshark builds for
     * the fields this postdissector wants; later passes need no tree. */
    if (!visited && !tree)
        return;
    if (iamt_frame_has(pinfo, proto_dns)) {
        if (!visited)
            iamt_tls_dns_frame(pinfo, tree);
        tap_queue_packet(tap_diag, pinfo, NULL);
        return;
    }
    if (!iamt_frame_has(pinfo, proto_tcp))
        return;
    int to_amt = iamt_amt_direction(pinfo);
    if (to_amt < 0)
        return;
    iamt_tls_frame fr = iamt_tls_facts_frame(pinfo, tree, to_amt);
    iamt_tls_conn *c = fr.conn;
    if (!c)
        return;
    /* Every frame of a connection: one without events (an unanswered SYN)
     * is still a row of the table statistic. */
    tap_queue_packet(tap_diag, pinfo, c);
    const tls_frame_view *v;
    if (!visited) {
        tls_frame_view *nv = fr.event && decisive(c, pinfo->num) ? first_pass_view(pinfo, c) : NULL;
        if (nv)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_iamt, IAMT_KEY_TLS, nv);
        v = nv;
    } else {
        v = p_get_proto_data(wmem_file_scope(), pinfo, proto_iamt, IAMT_KEY_TLS);
    }
    tls_ctx x = {tvb, tree, NULL};
    if (v)
        show_view(&x, pinfo, v);
    /* a TCP verdict a later connection settled (plain HTTP refused, TLS
     * works): on the request AMT left unanswered, or the SYN it reset */
    const iamt_findings *late = iamt_late_findings(pinfo, DIAG_STAGE_TCP, v ? &v->causes : NULL);
    if (late)
        iamt_late_show(tvb, pinfo, tls_tree(&x), hf_tls_cause, late);
}

void iamt_tls_register(int proto, module_t *m)
{
    static const char *const rule_abbrev[DIAG_N_RULES] = {
        "iamt.tls.check.console_cert_presented", "iamt.tls.check.console_cert_eku",
        "iamt.tls.check.console_cert_validity",  "iamt.tls.check.console_cert_reverse_dns",
        "iamt.tls.check.console_cert_chain",     "iamt.tls.check.console_cert_fqdn"};
    static const char *const rule_name[DIAG_N_RULES] = {
        "Console certificate presented", "Console certificate EKUs",
        "Valid at AMT's clock",          "Name matches reverse DNS",
        "Chains to a root AMT trusts",   "Name in AMT's trusted FQDN list"};
    static hf_register_info hf[8 + DIAG_N_RULES] = {
        {&hf_tls, {"TLS diagnosis", "iamt.tls", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_tls_cause,
         {"Cause", "iamt.tls.cause", FT_STRING, BASE_NONE, NULL, 0x0,
          "amtdiag cause token proven by this frame", HFILL}},
        {&hf_tls_stage,
         {"Stage reached", "iamt.tls.stage", FT_UINT8, BASE_DEC, NULL, 0x0,
          "The last stage the connection reached: dns, tcp, tls, http-auth or wsman", HFILL}},
        {&hf_tls_outcome,
         {"Outcome", "iamt.tls.outcome", FT_UINT8, BASE_DEC, NULL, 0x0,
          "How the connection ended for the console: ok, challenge, rejected, failed or "
          "unknown",
          HFILL}},
        {&hf_tls_alert_cause,
         {"Likely AMT cause of the alert", "iamt.tls.alert_cause", FT_STRING, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_tls_candidates,
         {"Candidates", "iamt.tls.candidates", FT_STRING, BASE_NONE, NULL, 0x0,
          "AMT refused and no rule fails: the suspects, most likely first", HFILL}},
        {&hf_tls_check_evidence,
         {"Evidence", "iamt.tls.check.evidence", FT_STRING, BASE_NONE, NULL, 0x0,
          "What decided the check", HFILL}},
        {&hf_tls_check_settle,
         {"To settle", "iamt.tls.check.settle", FT_STRING, BASE_NONE, NULL, 0x0,
          "For a check the capture leaves unknown: the input that would settle it", HFILL}},
    };
    /* The value sets are lib's names (iamt-vals). */
    hf[2].hfinfo.strings = VALS(iamt_vals_stage());
    hf[3].hfinfo.strings = VALS(iamt_vals_outcome());
    for (int r = 0; r < DIAG_N_RULES; r++) {
        hf_tls_check[r] = -1;
        hf_register_info h = {&hf_tls_check[r],
                              {rule_name[r], rule_abbrev[r], FT_UINT8, BASE_DEC,
                               VALS(iamt_vals_status()), 0x0, "pass, fail or unknown", HFILL}};
        hf[8 + r] = h;
    }
    static gint *ett[] = {&ett_tls, &ett_tls_checks, &ett_tls_check};
    static ei_register_info ei[] = {
        {&ei_alert,
         {"iamt.tls.alert", PI_SECURITY, PI_NOTE, "TLS alert and its likely AMT cause", EXPFILL}},
    };
    proto_iamt = proto;
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));
    iamt_diag_register_causes(proto, "iamt.tls", "tls", PI_SECURITY);
    iamt_diag_register_causes(proto, "iamt.tcp", "tcp", PI_SEQUENCE);
    iamt_inputs_register(m);
    iamt_tls_facts_register(proto);
    iamt_tls_dns_register();
    register_cleanup_routine(clear_cache);
    tap_diag = register_tap("iamt_diag");
    /* Here, not from the tap plugin: Wireshark's GUI builds its menu of
     * table statistics before plugin taps are registered. */
    iamt_stat_table_register();
}

void iamt_tls_handoff(GArray *wanted)
{
    proto_dns = proto_get_id_by_filter_name("dns");
    proto_tcp = proto_get_id_by_filter_name("tcp");
    iamt_tls_facts_handoff(wanted);
    iamt_tls_dns_handoff(wanted);
}
