/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-krb: the Kerberos part of iamt's postdissector (packet-iamt), on
 * Kerberos frames of port 88. Wireshark's
 * Kerberos dissector delimits each message (its "kerberos" item, record
 * mark included over TCP, after TCP reassembly); its bytes go to lib, as
 * amtdiag hands lib the messages it reads, so both tools decode and judge
 * the same bytes. The first pass keeps each frame's verdict; later passes
 * show it again without a tree. */
#include "iamt-krb.h"

#include <epan/expert.h>
#include <epan/proto_data.h>
#include <wsutil/report_message.h>
#include <string.h>

#include "amtdiag/diag_krb.h"
#include "amtdiag/krb_keys.h"
#include "iamt-diag.h"
#include "iamt-fields.h"
#include "iamt-late.h"
#include "iamt-text.h"
#include "iamt-tls.h"
#include "packet-iamt.h"

#define KRB_PORT 88
/* Bounds: a hostile capture must not make the facts grow without end. */
#define KDC_MSGS_MAX 65536
#define KDC_MSG_MAX (1u << 20)
#define AMT_NAMES_MAX 64

static int proto_iamt = -1;
static int proto_kerberos = -1;
static int proto_icmp = -1;
static int proto_icmpv6 = -1;
static int hf_krb = -1;
static int hf_krb_cause = -1;
static gint ett_krb = -1;
static const char *pref_keytab = "";

static wmem_array_t *kdc;       /* diag_kdc_msg, file scope */
static wmem_array_t *amt_names; /* char*, lower case, file scope */

/* The keys of iamt.keytab, loaded again when the file name changes. */
static krb_keyring *ring;
static char *ring_path;

static void reset(void)
{
    kdc = wmem_array_new(wmem_file_scope(), sizeof(diag_kdc_msg));
    amt_names = wmem_array_new(wmem_file_scope(), sizeof(char *));
}

const diag_kdc_msg *iamt_krb_kdc(size_t *n)
{
    *n = kdc ? wmem_array_get_count(kdc) : 0;
    return *n ? (const diag_kdc_msg *)wmem_array_get_raw(kdc) : NULL;
}

const struct krb_keyring *iamt_krb_keys(void)
{
    const char *path = pref_keytab ? pref_keytab : "";
    if (g_strcmp0(path, ring_path ? ring_path : "") != 0) {
        krb_keyring_free(ring);
        ring = NULL;
        g_free(ring_path);
        ring_path = g_strdup(path);
        char err[512] = "";
        if (*path && (ring = krb_keyring_new(err, sizeof err)) &&
            krb_keyring_add_keytab(ring, path, err, sizeof err) < 0) {
            krb_keyring_free(ring);
            ring = NULL;
        }
        if (*path && !ring)
            report_failure("iamt.keytab: %s", err); /* the rules then go without keys */
    }
    return ring;
}

void iamt_krb_note_host(const char *host)
{
    if (!amt_names || !host || !*host || host[0] == '[' ||
        wmem_array_get_count(amt_names) >= AMT_NAMES_MAX)
        return;
    char *low = g_ascii_strdown(host, (gssize)strcspn(host, ":"));
    for (guint i = 0; i < wmem_array_get_count(amt_names); i++)
        if (!strcmp(*(char **)wmem_array_index(amt_names, i), low)) {
            g_free(low);
            return;
        }
    char *kept = wmem_strdup(wmem_file_scope(), low);
    wmem_array_append_one(amt_names, kept);
    g_free(low);
}

/* The request this reply answers: the last one before it on the same
 * addresses and ports. */
static const diag_kdc_msg *request_of(const diag_kdc_msg *rep, size_t at)
{
    const diag_kdc_msg *all = (const diag_kdc_msg *)wmem_array_get_raw(kdc);
    size_t n = rep->family == 6 ? 16 : 4;
    for (size_t i = at; i-- > 0;) {
        const diag_kdc_msg *q = &all[i];
        if (!q->from_kdc && q->tcp == rep->tcp && q->client_port == rep->client_port &&
            q->kdc_port == rep->kdc_port && !memcmp(q->client_addr, rep->client_addr, n) &&
            !memcmp(q->kdc_addr, rep->kdc_addr, n))
            return q;
    }
    return NULL;
}

/* What the first pass found on one frame. */
typedef struct krb_view {
    iamt_findings findings;
} krb_view;

/* Keeps one message; a KDC's refusal of a ticket request for AMT adds its
 * verdict to v. */
static void keep(packet_info *pinfo, field_info *fi, krb_view *v)
{
    if (wmem_array_get_count(kdc) >= KDC_MSGS_MAX || fi->length <= 0 ||
        (guint)fi->length > KDC_MSG_MAX || !fi->ds_tvb ||
        !tvb_bytes_exist(fi->ds_tvb, fi->start, fi->length))
        return;
    diag_kdc_msg m;
    memset(&m, 0, sizeof m);
    m.frame = pinfo->num;
    m.ts_us = (int64_t)pinfo->abs_ts.secs * G_USEC_PER_SEC + pinfo->abs_ts.nsecs / 1000;
    m.from_kdc = pinfo->srcport == KRB_PORT && pinfo->destport != KRB_PORT;
    m.tcp = pinfo->ptype == PT_TCP;
    m.family = iamt_addr_bytes(m.from_kdc ? &pinfo->dst : &pinfo->src, m.client_addr);
    iamt_addr_bytes(m.from_kdc ? &pinfo->src : &pinfo->dst, m.kdc_addr);
    m.client_port = (uint16_t)(m.from_kdc ? pinfo->destport : pinfo->srcport);
    m.kdc_port = (uint16_t)(m.from_kdc ? pinfo->srcport : pinfo->destport);
    m.data = tvb_memdup(wmem_file_scope(), fi->ds_tvb, fi->start, fi->length);
    m.len = (size_t)fi->length;
    wmem_array_append_one(kdc, m);
    const diag_kdc_msg *q = m.from_kdc ? request_of(&m, wmem_array_get_count(kdc) - 1) : NULL;
    if (!q)
        return;
    GString *why = g_string_new(NULL);
    diag_cause_id id = diag_kdc_refusal(q, &m, (const char *const *)wmem_array_get_raw(amt_names),
                                        wmem_array_get_count(amt_names), why);
    if (id != DIAG_N_CAUSES) {
        /* the refusal names the request and the KDC's answer */
        diag_finding f = {.cause = diag_cause_get(id),
                          .confidence = DIAG_CERTAIN,
                          .conn_id = -1,
                          .frames = {q->frame, m.frame},
                          .n_frames = 2,
                          .evidence = why->str};
        iamt_diag_keep(&v->findings, &f);
    }
    g_string_free(why, TRUE);
}

static krb_view *first_pass(packet_info *pinfo, proto_tree *tree)
{
    krb_view *v = wmem_new0(wmem_file_scope(), krb_view);
    GPtrArray *items = proto_find_finfo(tree, proto_kerberos);
    for (guint i = 0; i < items->len; i++)
        keep(pinfo, g_ptr_array_index(items, i), v);
    g_ptr_array_free(items, TRUE);
    if (!v->findings.n) {
        wmem_free(wmem_file_scope(), v);
        return NULL;
    }
    return v;
}

/* The frame's iamt.krb subtree, made on first use. */
static proto_tree *krb_tree(tvbuff_t *tvb, proto_tree *tree)
{
    proto_item *ti = proto_tree_add_item(tree, proto_iamt, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(ti);
    proto_tree *t = proto_item_add_subtree(ti, ett_krb);
    proto_item *k = proto_tree_add_none_format(t, hf_krb, tvb, 0, 0, "AMT Kerberos diagnosis");
    proto_item_set_generated(k);
    return proto_item_add_subtree(k, ett_krb);
}

/* The frame's own verdicts, then on a later pass those the whole capture
 * gives it (a console left without a ticket: its failed or unanswered
 * requests, a TCP connection to the KDC refused). */
static void show(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const krb_view *v)
{
    const iamt_findings *late =
        iamt_late_findings(pinfo, DIAG_STAGE_HTTP_AUTH, v ? &v->findings : NULL);
    if (!v && !late)
        return;
    proto_tree *t = krb_tree(tvb, tree);
    if (v)
        iamt_diag_show(tvb, pinfo, t, hf_krb_cause, &v->findings);
    iamt_late_show(tvb, pinfo, t, hf_krb_cause, late);
}

/* A TCP or UDP frame to or from port 88, and not the copy of a datagram
 * inside an ICMP error. */
static int port88(const packet_info *pinfo)
{
    return (pinfo->ptype == PT_TCP || pinfo->ptype == PT_UDP) &&
           (pinfo->srcport == KRB_PORT || pinfo->destport == KRB_PORT) &&
           !iamt_frame_has(pinfo, proto_icmp) && !iamt_frame_has(pinfo, proto_icmpv6);
}

void iamt_krb_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (proto_kerberos < 0 || !port88(pinfo))
        return;
    int has_krb = iamt_frame_has(pinfo, proto_kerberos);
    const krb_view *v = NULL;
    if (!PINFO_FD_VISITED(pinfo)) {
        if (!has_krb)
            return;
        /* the message kept changes the verdict of a login (-z iamt,conns) */
        iamt_tls_diag_frame(pinfo);
        /* the first pass builds the tree for the wanted fields */
        if (!tree || !kdc)
            return;
        krb_view *nv = first_pass(pinfo, tree);
        if (nv)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_iamt, IAMT_KEY_KRB, nv);
        v = nv;
    } else {
        if (has_krb)
            iamt_tls_diag_frame(pinfo);
        v = p_get_proto_data(wmem_file_scope(), pinfo, proto_iamt, IAMT_KEY_KRB);
    }
    show(tvb, pinfo, tree, v);
}

void iamt_krb_register(int proto, module_t *m)
{
    static hf_register_info hf[] = {
        {&hf_krb, {"Kerberos diagnosis", "iamt.krb", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_krb_cause,
         {"Cause", "iamt.krb.cause", FT_STRING, BASE_NONE, NULL, 0x0,
          "amtdiag cause token this Kerberos message proves", HFILL}},
    };
    static gint *ett[] = {&ett_krb};
    proto_iamt = proto;
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    prefs_register_filename_preference(
        m, "keytab", "AMT's Kerberos keytab",
        "The keys of AMT's Kerberos account, an MIT keytab (like amtdiag --keytab): the "
        "tickets of Negotiate logins are opened with them, which tells a stale key from a user "
        "AMT's ACL lacks",
        &pref_keytab, FALSE);
    register_init_routine(reset);
}

void iamt_krb_handoff(GArray *wanted)
{
    proto_kerberos = proto_get_id_by_filter_name("kerberos");
    proto_icmp = proto_get_id_by_filter_name("icmp");
    proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
    if (proto_kerberos >= 0)
        g_array_append_val(wanted, proto_kerberos);
}
