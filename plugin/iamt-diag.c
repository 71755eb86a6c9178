/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-diag: runs lib/diag's rules on the exchanges the dissectors saw and
 * turns its findings into expert infos. The rules are never restated here:
 * a fact set of one connection is built and diag_run decides, so a verdict
 * in Wireshark is the analyzer's verdict. */
#include "iamt-diag.h"

#include <string.h>

#include "iamt-text.h"

/* A cause registered as an expert item. */
typedef struct cause_ei {
    const diag_cause *cause;
    expert_field ei;
} cause_ei;

/* Filled at registration, read-only afterwards. Sized for lib's table. */
static cause_ei *registered;
static size_t n_registered;

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
        ei_register_info r = {&c->ei,
                              {abbrev, group, severity_of(causes[i].severity),
                               wmem_strdup_printf(wmem_epan_scope(), "%s: %s", causes[i].token,
                                                  causes[i].explanation),
                               EXPFILL}};
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

iamt_findings iamt_diag_judge(const diag_exchange *ex, size_t n, const address *server,
                              guint16 server_port, const char *stage, guint32 req_frame,
                              guint32 resp_frame, const diag_account *accounts, size_t n_accounts)
{
    iamt_findings out = {NULL, 0};
    diag_conn_facts c;
    memset(&c, 0, sizeof c);
    /* The login rules key their per-AMT state by the server address. */
    if (server->type == AT_IPv4 && server->len == 4) {
        c.family = 4;
        memcpy(c.server_addr, server->data, 4);
    } else if (server->type == AT_IPv6 && server->len == 16) {
        c.family = 6;
        memcpy(c.server_addr, server->data, 16);
    }
    c.server_port = server_port;
    c.is_http = 1;
    c.bytes[0] = c.bytes[1] = 1;
    c.rst_from = c.first_fin_from = -1;
    c.ex = ex;
    c.n_ex = n;
    /* in_progress: the plugin sees the capture frame by frame, so rules
     * about what never happened until its end must not fire. */
    diag_inputs in = {.accounts = accounts, .n_accounts = n_accounts, .in_progress = 1};
    diag_result *r = diag_run(&c, 1, NULL, 0, &in);
    const diag_conn_result *cr = r->conns->len ? g_ptr_array_index(r->conns, 0) : NULL;
    for (guint i = 0; cr && i < cr->findings->len; i++) {
        const diag_finding *f = g_ptr_array_index(cr->findings, i);
        if (strcmp(diag_stage_name(f->cause->stage), stage) != 0 ||
            !names_frame(f, req_frame, resp_frame))
            continue;
        iamt_findings_add(&out, f);
    }
    diag_result_free(r);
    return out;
}

void iamt_findings_add(iamt_findings *out, const diag_finding *f)
{
    out->f = wmem_realloc(wmem_file_scope(), out->f, (out->n + 1) * sizeof *out->f);
    out->f[out->n].token = f->cause->token; /* static in lib's table */
    char *text = g_strdup_printf("%s: %s", f->cause->token, f->evidence);
    out->f[out->n].text = iamt_text(wmem_file_scope(), text, IAMT_TEXT_MAX);
    g_free(text);
    out->n++;
}

void iamt_diag_expert_add(packet_info *pinfo, proto_item *item, const iamt_findings *findings)
{
    for (size_t i = 0; findings && i < findings->n; i++) {
        expert_field *ei = iamt_diag_expert_field(findings->f[i].token);
        if (ei)
            expert_add_info_format(pinfo, item, ei, "%s", findings->f[i].text);
    }
}
