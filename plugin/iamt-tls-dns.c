/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-tls-dns: keeps the DNS answers (A, AAAA, PTR) Wireshark dissected,
 * in lib's form, for the console-certificate name rule and the DNS rules.
 * Only responses are kept: queries are no rule's evidence. */
#include "iamt-tls-dns.h"

#include "amtdiag/dns_names.h"
#include "iamt-fields.h"

#include <epan/proto.h>
#include <string.h>

enum { D_RESPONSE, D_QNAME, D_QTYPE, D_RCODE, D_PTR, D_A, D_AAAA, N_DNS };
static const char *const names[N_DNS] = {
    "dns.flags.response",  "dns.qry.name", "dns.qry.type", "dns.flags.rcode",
    "dns.ptr.domain_name", "dns.a",        "dns.aaaa"};
static int hf[N_DNS] = {-1, -1, -1, -1, -1, -1, -1};
static wmem_array_t *store; /* diag_dns_facts, file scope */

static void reset(void)
{
    store = wmem_array_new(wmem_file_scope(), sizeof(diag_dns_facts));
}

void iamt_tls_dns_register(void)
{
    register_init_routine(reset);
}

void iamt_tls_dns_handoff(GArray *wanted)
{
    for (int i = 0; i < N_DNS; i++) {
        hf[i] = proto_registrar_get_id_byname(names[i]);
        if (hf[i] >= 0)
            g_array_append_val(wanted, hf[i]);
    }
}

const diag_dns_facts *iamt_tls_dns_facts(size_t *n)
{
    *n = store ? wmem_array_get_count(store) : 0;
    return *n ? (const diag_dns_facts *)wmem_array_get_raw(store) : NULL;
}

static guint32 first_uint(proto_tree *tree, int f, int *found)
{
    guint32 v;
    *found = iamt_first_uint(tree, hf[f], &v);
    return v;
}

/* The A and AAAA answers, read from the packet bytes (4 or 16). */
static void read_addrs(proto_tree *tree, diag_dns_facts *d)
{
    int *fam = wmem_alloc0_array(wmem_file_scope(), int, IAMT_DNS_NAMES_MAX);
    uint8_t(*addrs)[16] = wmem_alloc0(wmem_file_scope(), sizeof(uint8_t[16]) * IAMT_DNS_NAMES_MAX);
    const int which[2] = {D_A, D_AAAA};
    for (int w = 0; w < 2; w++) {
        if (hf[which[w]] < 0)
            continue;
        int len = w ? 16 : 4;
        GPtrArray *a = proto_find_finfo(tree, hf[which[w]]);
        for (guint i = 0; i < a->len && d->n_addrs < IAMT_DNS_NAMES_MAX; i++) {
            field_info *fi = g_ptr_array_index(a, i);
            if (!fi->ds_tvb || fi->length != len || !tvb_bytes_exist(fi->ds_tvb, fi->start, len))
                continue;
            tvb_memcpy(fi->ds_tvb, addrs[d->n_addrs], fi->start, len);
            fam[d->n_addrs++] = w ? 6 : 4;
        }
        g_ptr_array_free(a, TRUE);
    }
    d->addr_family = fam;
    d->addrs = (const uint8_t(*)[16])addrs;
}

int iamt_tls_dns_frame(packet_info *pinfo, proto_tree *tree)
{
    int found;
    if (PINFO_FD_VISITED(pinfo) || !store || hf[D_QNAME] < 0 ||
        wmem_array_get_count(store) >= IAMT_DNS_MAX || !first_uint(tree, D_RESPONSE, &found))
        return 0;
    guint32 qtype = first_uint(tree, D_QTYPE, &found);
    if (qtype != 1 && qtype != 28 && qtype != 12)
        return 0;
    diag_dns_facts d;
    memset(&d, 0, sizeof d);
    d.frame = pinfo->num;
    d.ts_us = (int64_t)pinfo->abs_ts.secs * 1000000 + pinfo->abs_ts.nsecs / 1000;
    d.is_response = 1;
    d.qtype = (uint16_t)qtype;
    d.rcode = (int)first_uint(tree, D_RCODE, &found);
    const char *q = iamt_first_str(tree, hf[D_QNAME]);
    if (!q || strlen(q) > 255 || !g_utf8_validate(q, -1, NULL))
        return 0;
    d.qname = wmem_strdup(wmem_file_scope(), q);
    d.ptr_family = amt_dns_ptr_address(q, d.ptr_addr);
    /* the response goes to the console that asked */
    if (pinfo->dst.type == AT_IPv4 && pinfo->dst.len == 4) {
        d.client_family = 4;
        memcpy(d.client_addr, pinfo->dst.data, 4);
    } else if (pinfo->dst.type == AT_IPv6 && pinfo->dst.len == 16) {
        d.client_family = 6;
        memcpy(d.client_addr, pinfo->dst.data, 16);
    }
    const char **ptr = wmem_alloc0_array(wmem_file_scope(), const char *, IAMT_DNS_NAMES_MAX);
    GPtrArray *a = hf[D_PTR] >= 0 ? proto_find_finfo(tree, hf[D_PTR]) : g_ptr_array_new();
    for (guint i = 0; i < a->len && d.n_ptr_names < IAMT_DNS_NAMES_MAX; i++) {
        const char *s = iamt_fi_str(g_ptr_array_index(a, i));
        if (s && strlen(s) <= 255 && g_utf8_validate(s, -1, NULL))
            ptr[d.n_ptr_names++] = wmem_strdup(wmem_file_scope(), s);
    }
    g_ptr_array_free(a, TRUE);
    d.ptr_names = ptr;
    read_addrs(tree, &d);
    wmem_array_append_one(store, d);
    return 1;
}
