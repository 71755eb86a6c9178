/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-diag: runs lib/diag's rules on the exchanges the dissectors saw and
 * turns its findings into expert infos and iamt.finding items. The rules
 * are never restated here: a fact set of one connection is built and
 * diag_run decides, so a verdict in Wireshark is the analyzer's verdict. */
#include "iamt-diag.h"

#include <string.h>

#include "iamt-krb.h"
#include "iamt-text.h"

/* A cause registered as an expert item. */
typedef struct cause_ei {
    const diag_cause *cause;
    expert_field ei;
} cause_ei;

/* Filled at registration, read-only afterwards. Sized for lib's table. */
/* The rules and texts in Wireshark's words (preferences, not options). */
static const diag_inputs wireshark_words = {.words = &diag_words_wireshark};

static cause_ei *registered;
static size_t n_registered;

static int hf_finding_confidence = -1;
static int hf_finding_evidence = -1;
static int hf_finding_remedy = -1;
static int hf_finding_frame = -1;
static gint ett_finding = -1;
static gint ett_text = -1;

static const value_string confidence_vals[] = {{DIAG_CERTAIN, "certain"},
                                               {DIAG_LIKELY, "likely"},
                                               {DIAG_BY_ELIMINATION, "by-elimination"},
                                               {0, NULL}};

static int severity_of(diag_severity s)
{
    switch (s) {
    case DIAG_ERROR:
        return PI_ERROR;
    case DIAG_WARNING:
        return PI_WARN;
    default:
        return PI_NOTE;
    }
}

void iamt_diag_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_finding_confidence,
         {"Confidence", "iamt.finding.confidence", FT_UINT8, BASE_DEC, VALS(confidence_vals), 0x0,
          "How sure the finding is: certain (the capture shows it), likely (the evidence fits "
          "it best), by-elimination (every other candidate was ruled out)",
          HFILL}},
        {&hf_finding_evidence,
         {"Evidence", "iamt.finding.evidence", FT_STRING, BASE_NONE, NULL, 0x0,
          "The decisive values, and what would settle what the capture leaves open", HFILL}},
        {&hf_finding_remedy,
         {"Fix", "iamt.finding.remedy", FT_STRING, BASE_NONE, NULL, 0x0, "What to do", HFILL}},
        {&hf_finding_frame,
         {"Frame", "iamt.finding.frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "A frame that shows the finding", HFILL}},
    };
    static gint *ett[] = {&ett_finding, &ett_text};
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
}

void iamt_diag_register_causes(int proto, const char *filter, const char *stage, int group)
{
    size_t n_causes = 0;
    const diag_cause *causes = diag_causes(&n_causes);
    if (!registered)
        registered = wmem_alloc0_array(wmem_epan_scope(), cause_ei, n_causes);
    size_t n = 0;
    for (size_t i = 0; i < n_causes; i++)
        n += strcmp(diag_stage_name(causes[i].stage), stage) == 0;
    /* Registration data in epan scope: it must outlive every dissection
     * and is released after expert and proto have let go of it. */
    ei_register_info *ei = wmem_alloc0_array(wmem_epan_scope(), ei_register_info, n);
    size_t k = 0;
    for (size_t i = 0; i < n_causes && n_registered < n_causes; i++) {
        if (strcmp(diag_stage_name(causes[i].stage), stage) != 0)
            continue;
        cause_ei *c = &registered[n_registered++];
        c->cause = &causes[i];
        c->ei = (expert_field)EI_INIT;
        /* Filter names take no '-' in a display filter comfortably. */
        char *abbrev =
            wmem_strdup_printf(wmem_epan_scope(), "%s.cause.%s", filter, causes[i].token);
        g_strdelimit(abbrev + strlen(filter) + 1, "-", '_');
        /* The summary is the cause in words, one short sentence; the
         * evidence is in the finding's subtree. */
        ei_register_info r = {&c->ei,
                              {abbrev, group, severity_of(causes[i].severity),
                               diag_cause_explanation(&causes[i], &wireshark_words), EXPFILL}};
        ei[k++] = r;
    }
    expert_module_t *m = expert_register_protocol(proto);
    expert_register_field_array(m, ei, (int)k);
}

expert_field *iamt_diag_expert_field(const char *token)
{
    for (size_t i = 0; i < n_registered; i++)
        if (strcmp(registered[i].cause->token, token) == 0)
            return &registered[i].ei;
    return NULL;
}

static int names_frame(const diag_finding *f, guint32 a, guint32 b)
{
    for (size_t i = 0; i < f->n_frames; i++)
        if ((a && f->frames[i] == a) || (b && f->frames[i] == b))
            return 1;
    return 0;
}

int iamt_addr_bytes(const address *a, uint8_t out[16])
{
    memset(out, 0, 16);
    if (a->type == AT_IPv6 && a->len == 16) {
        memcpy(out, a->data, 16);
        return 6;
    }
    if (a->type == AT_IPv4 && a->len == 4)
        memcpy(out, a->data, 4);
    return 4;
}

void iamt_diag_keep(iamt_findings *out, const diag_finding *f)
{
    out->f = wmem_realloc(wmem_file_scope(), out->f, (out->n + 1) * sizeof *out->f);
    iamt_finding *k = &out->f[out->n++];
    memset(k, 0, sizeof *k);
    k->cause = f->cause;
    k->confidence = f->confidence;
    k->evidence = iamt_text(wmem_file_scope(), f->evidence ? f->evidence : "", IAMT_TEXT_MAX);
    for (size_t i = 0; i < f->n_frames && i < DIAG_FRAMES_MAX; i++)
        if (f->frames[i] && f->frames[i] <= G_MAXUINT32)
            k->frames[k->n_frames++] = (guint32)f->frames[i];
}

iamt_findings iamt_diag_judge(const diag_exchange *ex, size_t n, const address *server,
                              guint16 server_port, const char *stage, guint32 req_frame,
                              guint32 resp_frame, const diag_account *accounts, size_t n_accounts)
{
    iamt_findings out = {NULL, 0};
    diag_conn_facts c;
    memset(&c, 0, sizeof c);
    /* The login rules key their per-AMT state by the server address. */
    c.family = iamt_addr_bytes(server, c.server_addr);
    c.server_port = server_port;
    c.is_http = 1;
    c.bytes[0] = c.bytes[1] = 1;
    c.rst_from = c.first_fin_from = -1;
    c.ex = ex;
    c.n_ex = n;
    /* in_progress: the plugin sees the capture frame by frame, so rules
     * about what never happened until its end must not fire. */
    diag_inputs in = {.accounts = accounts,
                      .n_accounts = n_accounts,
                      .in_progress = 1,
                      .words = &diag_words_wireshark};
    in.kdc = iamt_krb_kdc(&in.n_kdc);
    in.krb_keys = iamt_krb_keys();
    diag_result *r = diag_run(&c, 1, NULL, 0, &in);
    const diag_conn_result *cr = r->conns->len ? g_ptr_array_index(r->conns, 0) : NULL;
    for (guint i = 0; cr && i < cr->findings->len; i++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, i);
        if (strcmp(diag_stage_name(f->cause->stage), stage) == 0 &&
            names_frame(f, req_frame, resp_frame))
            iamt_diag_keep(&out, f);
    }
    diag_result_free(r);
    return out;
}

proto_item *iamt_diag_add_text(proto_tree *tree, int hf, tvbuff_t *tvb, const char *s)
{
    return iamt_add_long_string(tree, hf, ett_text, tvb, s);
}

void iamt_diag_show(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int hf_cause,
                    const iamt_findings *findings)
{
    const diag_inputs *words = &wireshark_words;
    for (size_t i = 0; findings && i < findings->n; i++) {
        const iamt_finding *f = &findings->f[i];
        proto_item *ci = proto_tree_add_string(tree, hf_cause, tvb, 0, 0, f->cause->token);
        proto_item_set_generated(ci);
        proto_item_append_text(ci, " — %s", diag_cause_explanation(f->cause, words));
        expert_field *ei = iamt_diag_expert_field(f->cause->token);
        if (ei)
            expert_add_info(pinfo, ci, ei);
        if (!ci)
            continue; /* no tree on this pass */
        proto_tree *t = proto_item_add_subtree(ci, ett_finding);
        proto_item_set_generated(
            proto_tree_add_uint(t, hf_finding_confidence, tvb, 0, 0, f->confidence));
        iamt_diag_add_text(t, hf_finding_evidence, tvb, f->evidence);
        iamt_diag_add_text(t, hf_finding_remedy, tvb, diag_cause_remedy(f->cause, words));
        for (size_t k = 0; k < f->n_frames; k++)
            proto_item_set_generated(
                proto_tree_add_uint(t, hf_finding_frame, tvb, 0, 0, f->frames[k]));
    }
}
