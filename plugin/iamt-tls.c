/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-tls: a postdissector on connections to AMT's TLS port. It hands
 * each frame's TLS facts to iamt-tls-facts, runs lib's rules (diag_run)
 * over them, and shows the verdicts: an expert info per cause on the frame
 * that proves it, AMT's certificate checklist, and per TLS alert the
 * likely AMT cause. The rules are lib's, so the verdicts are amtdiag's. */
#include "iamt-tls.h"

#include <epan/expert.h>
#include <epan/proto.h>
#include <epan/prefs.h>
#include <epan/tap.h>
#include <wsutil/wslog.h>
#include <string.h>

#include "amtdiag/tls_alerts.h"
#include "iamt-diag.h"
#include "iamt-stat-table.h"
#include "iamt-text.h"
#include "iamt-tls-dns.h"
#include "iamt-tls-facts.h"
#include "packet-iamt.h"

static int proto_iamt = -1;
static int hf_tls = -1;
static int hf_tls_cause = -1;
static int hf_tls_stage = -1;
static int hf_tls_outcome = -1;
static int hf_tls_alert_cause = -1;
static int hf_tls_candidates = -1;
static int hf_tls_check[DIAG_N_RULES];
static gint ett_tls = -1;
static gint ett_tls_checks = -1;
static expert_field ei_alert = EI_INIT;
static dissector_handle_t post_handle;
static int tap_diag = -1; /* "iamt_diag": a frame changed a connection's facts */

/* Preferences. */
static const char *pref_trusted_fqdn = "";
static const char *pref_clock_offset = "";
static const char *pref_trusted_root = "";

/* The roots of pref_trusted_root, loaded again when the file name changes. */
static char *roots_path;
static diag_blob *roots;
static size_t n_roots;

static void load_roots(void)
{
    const char *path = pref_trusted_root ? pref_trusted_root : "";
    if (g_strcmp0(path, roots_path ? roots_path : "") == 0)
        return;
    diag_blobs_free(roots, n_roots);
    roots = NULL;
    n_roots = 0;
    g_free(roots_path);
    roots_path = g_strdup(path);
    if (!*path)
        return;
    char err[512];
    int n = diag_load_pem_certs(path, &roots, err, sizeof err);
    if (n < 0)
        ws_warning("iamt.trusted_root: %s", err); /* the chain rule then uses the CA names */
    else
        n_roots = (size_t)n;
}

/* The last verdict and the facts it was computed from. */
static diag_result *cached;
static unsigned cached_version;
static int cached_scope; /* 1 all connections, 0 one (first pass) */

static void clear_cache(void)
{
    if (cached)
        diag_result_free(cached);
    cached = NULL;
}

/* The preferences as lib's inputs; the suffix strings live in list. */
static diag_inputs inputs(GPtrArray *list, int in_progress)
{
    diag_inputs in = {.in_progress = in_progress};
    gchar **parts = g_strsplit(pref_trusted_fqdn ? pref_trusted_fqdn : "", ",", 64);
    for (gchar **p = parts; *p; p++) {
        g_strstrip(*p);
        if (**p)
            g_ptr_array_add(list, g_strdup(*p));
    }
    g_strfreev(parts);
    in.trusted_fqdn = (const char *const *)list->pdata;
    in.n_trusted_fqdn = list->len;
    load_roots();
    in.trusted_roots = roots;
    in.n_trusted_roots = n_roots;
    int64_t off;
    if (pref_clock_offset && *pref_clock_offset &&
        diag_parse_offset(pref_clock_offset, &off) == 0) {
        in.has_clock_offset = 1;
        in.clock_offset_s = off;
    }
    return in;
}

/* lib's verdict on conns[0..n): facts are copied so ids can be renumbered. */
static diag_result *judge(iamt_tls_conn *const *conns, size_t n, int in_progress)
{
    diag_conn_facts *f = g_new0(diag_conn_facts, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        f[i] = conns[i]->f;
        f[i].id = (unsigned)i;
    }
    GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
    diag_inputs in = inputs(list, in_progress);
    size_t n_dns;
    const diag_dns_facts *dns = iamt_tls_dns_facts(&n_dns);
    diag_result *r = diag_run(f, n, dns, n_dns, &in);
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
    return iamt_tls_facts_version() + dns_count();
}

const diag_result *iamt_tls_judge_all(void)
{
    size_t n;
    iamt_tls_conn *const *conns = iamt_tls_facts_conns(&n);
    if (!cached || cached_scope != 1 || cached_version != iamt_tls_judge_version()) {
        clear_cache();
        cached = judge(conns, n, 0);
        cached_scope = 1;
        cached_version = iamt_tls_judge_version();
    }
    return cached;
}

/* The verdict for conn as of this frame: on the first pass that of its
 * facts so far (judging one connection keeps a long capture linear); on
 * later passes that of the whole capture. Sets *id to conn's result id. */
static const diag_conn_result *verdict(packet_info *pinfo, iamt_tls_conn *c)
{
    if (PINFO_FD_VISITED(pinfo))
        return diag_result_conn(iamt_tls_judge_all(), c->f.id);
    clear_cache();
    cached = judge(&c, 1, 1);
    cached_scope = 0;
    return diag_result_conn(cached, 0);
}

static int names_frame(const diag_finding *f, guint32 frame)
{
    for (size_t i = 0; i < f->n_frames; i++)
        if (f->frames[i] == frame)
            return 1;
    return 0;
}

/* The frame a finding is shown on (later passes): the last frame it names
 * that belongs to the connection — the alert, else the certificate. */
static guint32 shown_on(const diag_finding *f, const iamt_tls_conn *c)
{
    guint32 best = 0;
    for (size_t i = 0; i < f->n_frames; i++)
        if (f->frames[i] > best && iamt_tls_conn_has_event(c, (guint32)f->frames[i]))
            best = (guint32)f->frames[i];
    return best;
}

/* Whether the finding belongs on this frame. On later passes: the frame
 * shown_on picks. On the first pass only the facts so far are known, so a
 * finding is shown on the first frame whose facts prove it (the alert, or
 * AMT's FIN when it closes without one), once per connection. */
static int on_this_frame(packet_info *pinfo, const diag_finding *f, iamt_tls_conn *c)
{
    if (f->cause->stage != DIAG_STAGE_TLS)
        return 0;
    if (PINFO_FD_VISITED(pinfo))
        return shown_on(f, c) == pinfo->num;
    for (size_t i = 0; i < c->n_shown; i++)
        if (c->shown[i] == f->cause)
            return 0;
    if (c->n_shown < G_N_ELEMENTS(c->shown))
        c->shown[c->n_shown++] = f->cause;
    return 1;
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

static void add_alerts(tvbuff_t *tvb, packet_info *pinfo, tls_ctx *x, const iamt_tls_conn *c,
                       const diag_conn_result *cr)
{
    for (size_t i = 0; i < c->f.tls.n_alerts; i++) {
        const diag_alert *a = &c->alerts[i];
        if (a->frame != pinfo->num || a->desc == 0 || a->desc < 0)
            continue;
        const char *cause = NULL;
        for (guint k = 0; cr && k < cr->findings->len && !cause; k++) {
            const diag_finding *f = g_ptr_array_index(cr->findings, k);
            if (f->cause->stage == DIAG_STAGE_TLS && f->cause->severity != DIAG_INFO &&
                names_frame(f, pinfo->num))
                cause = f->cause->token;
        }
        if (!cause) {
            diag_cause_id ids[2];
            size_t n = diag_alert_likely_causes(a->from, a->desc, ids);
            cause = n > 1
                        ? wmem_strdup_printf(pinfo->pool, "%s or %s", diag_cause_get(ids[0])->token,
                                             diag_cause_get(ids[1])->token)
                        : diag_cause_get(ids[0])->token;
        }
        proto_item *it = proto_tree_add_string(tls_tree(x), hf_tls_alert_cause, tvb, 0, 0, cause);
        proto_item_set_generated(it);
        expert_add_info_format(pinfo, it, &ei_alert, "TLS alert %s (%d) from %s: likely %s",
                               amt_tls_alert_name(a->desc), a->desc,
                               a->from == DIAG_AMT ? "AMT" : "the console", cause);
    }
}

static void add_checklist(tvbuff_t *tvb, proto_tree *t, const diag_conn_result *cr)
{
    proto_item *ti =
        proto_tree_add_none_format(t, hf_tls, tvb, 0, 0, "AMT's checks of the console certificate");
    proto_item_set_generated(ti);
    proto_tree *ct = proto_item_add_subtree(ti, ett_tls_checks);
    for (int r = 0; r < DIAG_N_RULES; r++) {
        const diag_check *ck = &cr->checklist[r];
        proto_item *it = proto_tree_add_string_format_value(
            ct, hf_tls_check[r], tvb, 0, 0, diag_status_name(ck->status), "%s — %s",
            diag_status_name(ck->status),
            iamt_text(wmem_packet_scope(), ck->evidence ? ck->evidence : "", 1024));
        proto_item_set_generated(it);
    }
}

static int dissect_tls_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    (void)data;
    if (!tree) {
        /* A GUI retap of the facts gathered on the first pass builds no
         * tree: the table statistic still needs its calls. */
        if (PINFO_FD_VISITED(pinfo) && have_tap_listener(tap_diag) &&
            (iamt_amt_direction(pinfo) >= 0 || proto_is_frame_protocol(pinfo->layers, "dns")))
            tap_queue_packet(tap_diag, pinfo, NULL);
        return 0;
    }
    if (proto_is_frame_protocol(pinfo->layers, "dns")) {
        iamt_tls_dns_frame(pinfo, tree);
        tap_queue_packet(tap_diag, pinfo, NULL);
        return 0;
    }
    if (!proto_is_frame_protocol(pinfo->layers, "tcp"))
        return 0;
    int to_amt = iamt_amt_direction(pinfo);
    if (to_amt < 0)
        return 0;
    iamt_tls_frame fr = iamt_tls_facts_frame(pinfo, tree, to_amt);
    iamt_tls_conn *c = fr.conn;
    if (!c)
        return 0;
    /* Every frame of a connection: one without events (an unanswered SYN)
     * is still a row of the table statistic. */
    tap_queue_packet(tap_diag, pinfo, c);
    if (!fr.event)
        return 0;
    const diag_conn_result *cr = verdict(pinfo, c);
    if (!cr)
        return 0;
    tls_ctx x = {tvb, tree, NULL};
    int shown = 0;
    for (guint k = 0; k < cr->findings->len; k++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, k);
        if (!on_this_frame(pinfo, f, c))
            continue;
        proto_item *ci =
            proto_tree_add_string(tls_tree(&x), hf_tls_cause, tvb, 0, 0, f->cause->token);
        proto_item_set_generated(ci);
        expert_field *ei = iamt_diag_expert_field(f->cause->token);
        if (ei)
            expert_add_info_format(
                pinfo, ci, ei, "%s: %s", f->cause->token,
                iamt_text(wmem_packet_scope(), f->evidence ? f->evidence : "", IAMT_TEXT_MAX));
        shown++;
    }
    add_alerts(tvb, pinfo, &x, c, cr);
    if (shown || (c->f.tls.client_cert_frame == pinfo->num && cr->has_checklist)) {
        proto_tree *t = tls_tree(&x);
        proto_item *s =
            proto_tree_add_string(t, hf_tls_stage, tvb, 0, 0, diag_stage_name(cr->stage));
        proto_item_set_generated(s);
        s = proto_tree_add_string(t, hf_tls_outcome, tvb, 0, 0, diag_outcome_name(cr->outcome));
        proto_item_set_generated(s);
        if (cr->candidates) {
            s = proto_tree_add_string(t, hf_tls_candidates, tvb, 0, 0,
                                      iamt_text(wmem_packet_scope(), cr->candidates, 2048));
            proto_item_set_generated(s);
        }
        if (cr->has_checklist)
            add_checklist(tvb, t, cr);
    }
    return 0;
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
    static hf_register_info hf[6 + DIAG_N_RULES] = {
        {&hf_tls, {"TLS diagnosis", "iamt.tls", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_tls_cause,
         {"Cause", "iamt.tls.cause", FT_STRING, BASE_NONE, NULL, 0x0,
          "amtdiag cause token proven by this frame", HFILL}},
        {&hf_tls_stage,
         {"Stage reached", "iamt.tls.stage", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_tls_outcome,
         {"Outcome", "iamt.tls.outcome", FT_STRING, BASE_NONE, NULL, 0x0,
          "ok, challenge, rejected, failed or unknown", HFILL}},
        {&hf_tls_alert_cause,
         {"Likely AMT cause of the alert", "iamt.tls.alert_cause", FT_STRING, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_tls_candidates,
         {"Candidates", "iamt.tls.candidates", FT_STRING, BASE_NONE, NULL, 0x0,
          "AMT refused and no rule fails: the suspects, most likely first", HFILL}},
    };
    for (int r = 0; r < DIAG_N_RULES; r++) {
        hf_tls_check[r] = -1;
        hf_register_info h = {&hf_tls_check[r],
                              {rule_name[r], rule_abbrev[r], FT_STRING, BASE_NONE, NULL, 0x0,
                               "pass, fail or unknown", HFILL}};
        hf[6 + r] = h;
    }
    static gint *ett[] = {&ett_tls, &ett_tls_checks};
    static ei_register_info ei[] = {
        {&ei_alert,
         {"iamt.tls.alert", PI_SECURITY, PI_NOTE, "TLS alert and its likely AMT cause", EXPFILL}},
    };
    proto_iamt = proto;
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));
    iamt_diag_register_causes(proto, "iamt.tls", "tls", PI_SECURITY);
    prefs_register_string_preference(
        m, "trusted_fqdn", "AMT trusted FQDN suffixes",
        "Comma-separated entries of AMT's trusted FQDN list (like amtdiag --trusted-fqdn)",
        &pref_trusted_fqdn);
    prefs_register_string_preference(
        m, "amt_clock_offset", "AMT clock offset",
        "AMT's clock minus the true time, e.g. +460d or -3600 (like amtdiag --amt-clock-offset)",
        &pref_clock_offset);
    prefs_register_filename_preference(
        m, "trusted_root", "AMT trusted roots (PEM)",
        "The roots AMT trusts for console certificates, as a PEM file (like amtdiag "
        "--trusted-root); without it the CertificateRequest's CA names are used",
        &pref_trusted_root, FALSE);
    iamt_tls_facts_register(proto);
    iamt_tls_dns_register();
    register_cleanup_routine(clear_cache);
    post_handle = register_dissector("iamt_tls_post", dissect_tls_post, proto);
    tap_diag = register_tap("iamt_diag");
    /* Here, not from the tap plugin: Wireshark's GUI builds its menu of
     * table statistics before plugin taps are registered. */
    iamt_stat_table_register();
}

void iamt_tls_handoff(void)
{
    register_postdissector(post_handle);
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    iamt_tls_facts_handoff(wanted);
    iamt_tls_dns_handoff(wanted);
    set_postdissector_wanted_hfids(post_handle, wanted);
}
