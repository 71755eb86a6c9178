/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-late: the verdicts of the whole capture that rest on later frames (lib's rules, as
 * -z iamt,diag gives them) on the frames they name, for passes after the
 * first. The verdict is taken again when the facts changed since (a live
 * capture goes on growing between two dissections of a frame). */
#include "iamt-late.h"

#include <string.h>

#include "iamt-tls.h"

static int hf_late = -1;

static wmem_map_t *by_frame; /* frame → iamt_findings, file scope */
static unsigned built_version;

static void reset(void)
{
    by_frame = NULL;
    built_version = 0;
}

/* The verdicts that may rest on frames after those they name: every
 * Kerberos cause (a KDC exchange after AMT's 401, the end of the capture),
 * and those of TCP: a port AMT reset reads as a plain HTTP port refused by
 * a TLS-only AMT once a TLS connection to it works, maybe later; SYNs
 * without answer are known unanswered only at the end of the capture, as
 * is a console that never answered AMT's 401 with credentials. */
static int late_cause(const diag_cause *c)
{
    switch (c->id) {
    case DIAG_C_PORT_CLOSED:
    case DIAG_C_NO_ANSWER:
    case DIAG_C_PLAIN_HTTP_REFUSED_TLS_ONLY:
    case DIAG_C_REDIR_LISTENER_DISABLED:
    case DIAG_C_REDIR_PLAIN_REFUSED_TLS_ONLY:
    case DIAG_C_CIRA_TCP_REFUSED:
    case DIAG_C_CIRA_TCP_UNANSWERED:
    case DIAG_C_NO_CREDENTIALS_SENT:
        return 1;
    default:
        return strncmp(c->token, "kerberos-", 9) == 0;
    }
}

static int has_cause(const iamt_findings *fs, const diag_cause *c)
{
    for (size_t i = 0; fs && i < fs->n; i++)
        if (fs->f[i].cause == c)
            return 1;
    return 0;
}

static void build(void)
{
    const diag_result *r = iamt_tls_judge_all();
    by_frame = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    built_version = iamt_tls_judge_version();
    for (guint i = 0; i < r->conns->len; i++) {
        const diag_conn_result *cr = g_ptr_array_index(r->conns, i);
        for (guint k = 0; k < cr->findings->len; k++) {
            const diag_finding *f = g_ptr_array_index(cr->findings, k);
            if (!late_cause(f->cause))
                continue;
            for (size_t j = 0; j < f->n_frames; j++) {
                if (!f->frames[j] || f->frames[j] > G_MAXUINT32)
                    continue;
                gpointer key = GUINT_TO_POINTER((guint32)f->frames[j]);
                iamt_findings *fs = wmem_map_lookup(by_frame, key);
                if (!fs) {
                    fs = wmem_new0(wmem_file_scope(), iamt_findings);
                    wmem_map_insert(by_frame, key, fs);
                }
                if (!has_cause(fs, f->cause))
                    iamt_diag_keep(fs, f);
            }
        }
    }
}

const iamt_findings *iamt_late_findings(packet_info *pinfo, diag_stage stage,
                                        const iamt_findings *shown)
{
    if (!PINFO_FD_VISITED(pinfo))
        return NULL;
    if (!by_frame || built_version != iamt_tls_judge_version())
        build();
    const iamt_findings *all = wmem_map_lookup(by_frame, GUINT_TO_POINTER(pinfo->num));
    if (!all)
        return NULL;
    iamt_findings *fresh = wmem_new0(pinfo->pool, iamt_findings);
    fresh->f = wmem_alloc_array(pinfo->pool, iamt_finding, all->n);
    for (size_t i = 0; i < all->n; i++)
        if (all->f[i].cause->stage == stage && !has_cause(shown, all->f[i].cause))
            fresh->f[fresh->n++] = all->f[i];
    return fresh->n ? fresh : NULL;
}

void iamt_late_show(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int hf_cause,
                    const iamt_findings *late)
{
    if (!late)
        return;
    proto_item *it = proto_tree_add_none_format(
        tree, hf_late, tvb, 0, 0,
        "Verdict from later frames (shown once the capture has been read: tshark -2, the GUI)");
    proto_item_set_generated(it);
    iamt_diag_show(tvb, pinfo, tree, hf_cause, late);
}

void iamt_late_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_late,
         {"Verdict from later frames", "iamt.late", FT_NONE, BASE_NONE, NULL, 0x0,
          "The causes beside it rest on frames after this one (a KDC exchange, the end of the "
          "capture): a single pass (tshark without -2) cannot show them here",
          HFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    register_init_routine(reset);
}
