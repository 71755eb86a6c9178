/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-stat: "-z iamt,diag". The facts are the ones iamt-tls-facts
 * collected while dissecting; at the end lib's diag_run judges the whole
 * capture (not in progress), so the tokens are those amtdiag prints for
 * the same capture and keys. The tap itself only marks the run. */
#include "iamt-stat.h"

#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <stdio.h>

#include "iamt-tls.h"
#include "ws-compat.h"

/* Whether findings[k]'s cause is one of an earlier finding (a rule fires
 * on several exchanges). */
static gboolean seen_before(const GPtrArray *findings, guint k)
{
    const diag_finding *f = g_ptr_array_index(findings, k);
    for (guint j = 0; j < k; j++) {
        const diag_finding *g = g_ptr_array_index(findings, j);
        if (g->cause == f->cause)
            return TRUE;
    }
    return FALSE;
}

void iamt_stat_tokens(GString *s, const GPtrArray *findings, int want_error_warning)
{
    for (guint k = 0; findings && k < findings->len; k++) {
        const diag_finding *f = g_ptr_array_index(findings, k);
        int ew = f->cause->severity != DIAG_INFO;
        if (ew == want_error_warning && !seen_before(findings, k))
            g_string_append_printf(s, "%s%s", s->len ? " " : "", f->cause->token);
    }
}

void iamt_stat_words(GString *s, const GPtrArray *findings)
{
    static const diag_inputs wireshark_words = {.words = &diag_words_wireshark};
    for (guint k = 0; findings && k < findings->len; k++) {
        const diag_finding *f = g_ptr_array_index(findings, k);
        if (f->cause->severity != DIAG_INFO && !seen_before(findings, k))
            g_string_append_printf(s, "%s%s", s->len ? " " : "",
                                   diag_cause_explanation(f->cause, &wireshark_words));
    }
}

static tap_packet_status stat_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt,
                                     const void *data, tap_flags_t flags)
{
    (void)tapdata;
    (void)pinfo;
    (void)edt;
    (void)data;
    (void)flags;
    return TAP_PACKET_DONT_REDRAW;
}

static void stat_draw(void *tapdata)
{
    (void)tapdata;
    size_t n;
    iamt_tls_conn *const *conns = iamt_tls_conns_for_stat(&n);
    const diag_result *r = iamt_tls_judge_all();
    printf("\n===================================================================\n");
    printf("iAMT diagnosis (amtdiag's rules; causes: errors and warnings)\n");
    printf("%-4s %-48s %-10s %-10s %s\n", "#", "client -> server", "stage", "outcome", "causes");
    for (guint i = 0; r && i < r->conns->len; i++) {
        const diag_conn_result *cr = g_ptr_array_index(r->conns, i);
        if (cr->conn_id >= n)
            continue;
        const diag_conn_facts *f = &conns[cr->conn_id]->b.f;
        char peers[160];
        g_snprintf(peers, sizeof peers, "%s -> %s", f->client, f->server);
        GString *ew = g_string_new(NULL), *info = g_string_new(NULL);
        iamt_stat_tokens(ew, cr->findings, 1);
        iamt_stat_tokens(info, cr->findings, 0);
        printf("%-4u %-48s %-10s %-10s %s%s%s%s\n", cr->conn_id, peers, diag_stage_name(cr->stage),
               diag_outcome_name(cr->outcome), ew->len ? ew->str : "-",
               info->len ? " (notes: " : "", info->str, info->len ? ")" : "");
        g_string_free(ew, TRUE);
        g_string_free(info, TRUE);
    }
    if (r && r->global->len) {
        GString *ew = g_string_new(NULL), *info = g_string_new(NULL);
        iamt_stat_tokens(ew, r->global, 1);
        iamt_stat_tokens(info, r->global, 0);
        printf("%-4s %-48s %-10s %-10s %s%s%s%s\n", "-", "(no single connection)", "dns", "-",
               ew->len ? ew->str : "-", info->len ? " (notes: " : "", info->str,
               info->len ? ")" : "");
        g_string_free(ew, TRUE);
        g_string_free(info, TRUE);
    }
    printf("===================================================================\n");
}

static iamt_stat_init_ret stat_init(const char *opt_arg, void *userdata)
{
    (void)opt_arg;
    (void)userdata;
    static int marker;
    GString *err = register_tap_listener("frame", &marker, NULL, TL_REQUIRES_NOTHING, NULL,
                                         stat_packet, stat_draw, NULL);
    if (err) {
        fprintf(stderr, "tshark: iamt,diag: %s\n", err->str);
        g_string_free(err, TRUE);
        IAMT_STAT_INIT_RETURN(false);
    }
    IAMT_STAT_INIT_RETURN(true);
}

void iamt_stat_register(void)
{
    static stat_tap_ui ui = {
        REGISTER_STAT_GROUP_GENERIC, "iAMT diagnosis", "iamt,diag", stat_init, 0, NULL};
    register_stat_tap_ui(&ui, NULL);
    /* The table statistic's name until it became Statistics › iAMT
     * Diagnosis under iamt,diag: the same output. */
    static stat_tap_ui old_name = {
        REGISTER_STAT_GROUP_GENERIC, "iAMT diagnosis", "iamt,conns", stat_init, 0, NULL};
    register_stat_tap_ui(&old_name, NULL);
}
