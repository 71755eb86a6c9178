/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_mtls: AMT's mutual-authentication checklist. Whenever AMT asked
 * for a console certificate, each of the six rules AMT applies is judged
 * on the certificate itself — PASS, FAIL or UNKNOWN with the input that
 * would settle it. The alert AMT sent only ranks the candidates: which
 * alert answers which rule differs by firmware. */
#include "diag_int.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *rule, *title;
} rules[DIAG_N_RULES] = {
    {"console-cert-presented", "The console presented a certificate"},
    {"console-cert-eku", "It carries clientAuth and the AMT console EKU"},
    {"console-cert-validity", "It is valid at AMT's clock"},
    {"console-cert-reverse-dns", "Its name matches the reverse DNS of the console's address"},
    {"console-cert-chain", "It chains to a root AMT trusts"},
    {"console-cert-fqdn", "Its name is in AMT's trusted FQDN list"},
};

/* The cause a failing or unsettled rule stands for, and what settles it:
 * before, the input in the words of the tool that asks (none:
 * DIAG_N_INPUTS), after. */
static const struct {
    diag_cause_id token;
    const char *before;
    diag_input input;
    const char *after;
} rule_cause[DIAG_N_RULES] = {
    {DIAG_C_CLIENT_CERT_MISSING, "a key log (", DIAG_IN_KEYLOG,
     ") with this session's CLIENT_HANDSHAKE_TRAFFIC_SECRET (TLS 1.3 encrypts the console's "
     "Certificate)"},
    {DIAG_C_CLIENT_CERT_MISSING_AMT_CONSOLE_OID, "the console certificate (it was not readable)",
     DIAG_N_INPUTS, ""},
    {DIAG_C_CLIENT_CERT_EXPIRED_AT_AMT_CLOCK, "AMT's clock: ", DIAG_IN_CLOCK_OFFSET,
     ", or a capture with an HTTP answer from this AMT (its Date header)"},
    {DIAG_C_CLIENT_CERT_NAME_NOT_REVERSE_DNS, "the console address's DNS name: ", DIAG_IN_HOSTS,
     ", or a capture on AMT's side holding its PTR lookup"},
    {DIAG_C_CLIENT_CERT_UNTRUSTED_ROOT, "AMT's trusted roots: ", DIAG_IN_TRUSTED_ROOT,
     " (the CertificateRequest named no CA)"},
    {DIAG_C_CLIENT_CERT_FQDN_NOT_TRUSTED, "AMT's trusted FQDN list: ", DIAG_IN_TRUSTED_FQDN,
     " (from MEBx, or AMT_TLSSettingData TrustedCN)"},
};

/* What settles rule r, in the words of the tool that runs the rules. */
static char *settle_text(const diag_inputs *in, diag_rule r)
{
    GString *s = g_string_new(rule_cause[r].before);
    if (rule_cause[r].input < DIAG_N_INPUTS)
        g_string_append(s, diag_word_usage(in, rule_cause[r].input));
    g_string_append(s, rule_cause[r].after);
    return g_string_free(s, FALSE);
}

typedef struct judge {
    diag_ctx *x;
    size_t i;
    const diag_conn_facts *c;
    diag_conn_result *cr;
    diag_cert_info leaf;
    int have_leaf;
    int accepted, rejected;
    const diag_alert *amt_alert;
    const diag_gap *gap; /* a hole in the console's part of the handshake */
    char gap_text[256];  /* "at frames N–M" */
} judge;

static void set(judge *j, diag_rule r, diag_status st, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
static void set(judge *j, diag_rule r, diag_status st, const char *fmt, ...)
{
    diag_check *ck = &j->cr->checklist[r];
    ck->status = st;
    va_list ap;
    va_start(ap, fmt);
    g_free(ck->evidence);
    ck->evidence = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (st == DIAG_UNKNOWN && !ck->settle)
        ck->settle = settle_text(j->x->in, r);
}

/* A rule that fails becomes a finding, unless AMT accepted the certificate
 * anyway (then this AMT does not enforce the rule as judged here). */
static diag_finding *fail(judge *j, diag_rule r, diag_cause_id token, uint64_t frame)
{
    if (!j->rejected)
        return NULL;
    diag_finding *f = diag_add(j->x, j->i, token, "%s", j->cr->checklist[r].evidence);
    diag_frame(f, frame);
    if (j->amt_alert)
        diag_frame(f, j->amt_alert->frame);
    return f;
}

static void rule_presented(judge *j)
{
    const diag_tls_facts *t = &j->c->tls;
    switch (t->client_cert) {
    case DIAG_CERT_SENT:
        set(j, DIAG_RULE_PRESENTED, DIAG_PASS,
            "the console sent %zu certificate(s) in frame %" G_GUINT64_FORMAT "%s%s",
            t->n_client_certs, t->client_cert_frame, j->have_leaf ? ": " : "",
            j->have_leaf ? j->leaf.subject : "");
        return;
    case DIAG_CERT_EMPTY:
        set(j, DIAG_RULE_PRESENTED, DIAG_FAIL,
            "the console answered AMT's CertificateRequest (frame %" G_GUINT64_FORMAT
            ") with an empty Certificate message (frame %" G_GUINT64_FORMAT ")",
            t->cert_request_frame, t->client_cert_frame);
        fail(j, DIAG_RULE_PRESENTED, DIAG_C_CLIENT_CERT_MISSING, t->client_cert_frame);
        return;
    case DIAG_CERT_HIDDEN:
        set(j, DIAG_RULE_PRESENTED, DIAG_UNKNOWN,
            "the console's part of the handshake is encrypted (TLS 1.3) and was not decrypted");
        return;
    case DIAG_CERT_ABSENT:
    default:
        if (j->gap) {
            set(j, DIAG_RULE_PRESENTED, DIAG_UNKNOWN,
                "capture gap %s in the console's handshake: its Certificate message, if any, is "
                "in the hole",
                j->gap_text);
            g_free(j->cr->checklist[DIAG_RULE_PRESENTED].settle);
            j->cr->checklist[DIAG_RULE_PRESENTED].settle = g_strdup(
                j->gap->reordered ? "the segment is in the capture, out of order: Wireshark's "
                                    "preference tcp.reassemble_out_of_order puts it back"
                                  : "a capture without the gap (capture on the console or on AMT's "
                                    "side, with a larger buffer)");
        } else if (j->amt_alert || t->handshake_complete) {
            set(j, DIAG_RULE_PRESENTED, DIAG_FAIL,
                "AMT sent a CertificateRequest (frame %" G_GUINT64_FORMAT
                ") and the console sent no Certificate message",
                t->cert_request_frame);
            fail(j, DIAG_RULE_PRESENTED, DIAG_C_CLIENT_CERT_MISSING, t->cert_request_frame);
        } else {
            set(j, DIAG_RULE_PRESENTED, DIAG_UNKNOWN,
                "the handshake stopped before the console's turn to send a certificate");
            g_free(j->cr->checklist[DIAG_RULE_PRESENTED].settle);
            j->cr->checklist[DIAG_RULE_PRESENTED].settle =
                g_strdup("a capture of a handshake that reaches the console's certificate");
        }
    }
}

static void rule_eku(judge *j)
{
    const diag_cert_info *l = &j->leaf;
    uint64_t fr = j->c->tls.client_cert_frame;
    if (!l->has_eku) {
        set(j, DIAG_RULE_EKU, DIAG_FAIL,
            "the certificate %s has no extendedKeyUsage extension, so no AMT console EKU "
            "(%s)",
            l->subject, DIAG_OID_AMT_CONSOLE);
        fail(j, DIAG_RULE_EKU, DIAG_C_CLIENT_CERT_MISSING_AMT_CONSOLE_OID, fr);
        return;
    }
    if (l->eku_client_auth && l->eku_amt_console) {
        set(j, DIAG_RULE_EKU, DIAG_PASS, "extendedKeyUsage: %s", l->eku_text);
        return;
    }
    set(j, DIAG_RULE_EKU, DIAG_FAIL, "extendedKeyUsage of %s is \"%s\": it lacks %s%s%s",
        l->subject, l->eku_text, l->eku_client_auth ? "" : "clientAuth (" DIAG_OID_CLIENT_AUTH ")",
        !l->eku_client_auth && !l->eku_amt_console ? " and " : "",
        l->eku_amt_console ? "" : "the AMT console EKU (" DIAG_OID_AMT_CONSOLE ")");
    if (!l->eku_client_auth)
        fail(j, DIAG_RULE_EKU, DIAG_C_CLIENT_CERT_MISSING_CLIENT_AUTH_EKU, fr);
    if (!l->eku_amt_console)
        fail(j, DIAG_RULE_EKU, DIAG_C_CLIENT_CERT_MISSING_AMT_CONSOLE_OID, fr);
}

static void rule_validity(judge *j)
{
    const diag_cert_info *l = &j->leaf;
    uint64_t fr = j->c->tls.client_cert_frame;
    char nb[40], na[40], at[40] = "";
    diag_time_text(l->not_before, nb, sizeof nb);
    diag_time_text(l->not_after, na, sizeof na);
    int64_t now = j->c->first_ts_us / 1000000;
    int v_now = diag_cert_validity_at(l, now);
    diag_clock ck;
    diag_clock_for(j->x, j->c, &ck);
    if (ck.known) {
        int64_t amt = now + ck.offset_s;
        diag_time_text(amt, at, sizeof at);
        int v = diag_cert_validity_at(l, amt);
        if (v == 0) {
            set(j, DIAG_RULE_VALIDITY, DIAG_PASS,
                "valid %s to %s; AMT's clock read %s (%s, %+" G_GINT64_FORMAT
                " s from the capture's clock)",
                nb, na, at, ck.source, ck.offset_s);
            return;
        }
        set(j, DIAG_RULE_VALIDITY, DIAG_FAIL,
            "valid %s to %s; AMT's clock read %s (%s, %+" G_GINT64_FORMAT
            " s from the capture's clock)%s",
            nb, na, at, ck.source, ck.offset_s,
            v_now == 0 ? "; at the capture's clock it is valid" : "");
        fail(j, DIAG_RULE_VALIDITY,
             v > 0 ? DIAG_C_CLIENT_CERT_EXPIRED_AT_AMT_CLOCK
                   : DIAG_C_CLIENT_CERT_NOT_YET_VALID_AT_AMT_CLOCK,
             fr);
        if (v_now == 0 && j->rejected) {
            diag_finding *f = diag_add(j->x, j->i, DIAG_C_AMT_CLOCK_WRONG,
                                       "AMT's clock is %+.1f days off the capture's clock (%s); "
                                       "the certificate is valid at the capture's time",
                                       (double)ck.offset_s / 86400.0, ck.source);
            diag_frame(f, fr);
        }
        return;
    }
    if (v_now != 0) {
        diag_time_text(now, at, sizeof at);
        set(j, DIAG_RULE_VALIDITY, DIAG_FAIL,
            "valid %s to %s: %s at the capture's time %s (AMT's clock is not in the capture; "
            "taken as right)",
            nb, na, v_now > 0 ? "expired" : "not yet valid", at);
        fail(j, DIAG_RULE_VALIDITY,
             v_now > 0 ? DIAG_C_CLIENT_CERT_EXPIRED_AT_AMT_CLOCK
                       : DIAG_C_CLIENT_CERT_NOT_YET_VALID_AT_AMT_CLOCK,
             fr);
        return;
    }
    /* Valid now, yet AMT says expired: AMT's clock lies past notAfter
     * (or before notBefore). */
    if (j->amt_alert && j->amt_alert->desc == DIAG_ALERT_CERTIFICATE_EXPIRED) {
        set(j, DIAG_RULE_VALIDITY, DIAG_FAIL,
            "valid %s to %s, so valid at the capture's time, yet AMT answered "
            "certificate_expired: AMT's clock must be after %s (or before %s)",
            nb, na, na, nb);
        fail(j, DIAG_RULE_VALIDITY, DIAG_C_CLIENT_CERT_EXPIRED_AT_AMT_CLOCK, fr);
        if (j->rejected) {
            diag_finding *f =
                diag_add(j->x, j->i, DIAG_C_AMT_CLOCK_WRONG,
                         "AMT judged a certificate valid %s to %s expired at %s: its clock "
                         "is after %s or before %s",
                         nb, na, at[0] ? at : "the capture's time", na, nb);
            diag_frame(f, j->amt_alert->frame);
        }
        return;
    }
    set(j, DIAG_RULE_VALIDITY, DIAG_UNKNOWN,
        "valid %s to %s, which includes the capture's time; AMT's clock is not in the capture", nb,
        na);
}

/* The names the console's address has, from PTR answers or --hosts.
 * Returns 1 with names, 0 with none known, -1 when the lookup failed. */
static int reverse_names(judge *j, GString *names, uint64_t *frame)
{
    const diag_conn_facts *c = j->c;
    size_t alen = c->family == 6 ? 16 : 4;
    int failed = 0;
    const GQueue *ptr = diag_know_ptr_answers(j->x->k, c->family, c->client_addr);
    for (const GList *l = ptr ? ptr->head : NULL; l; l = l->next) {
        const diag_dns_facts *d = l->data;
        if (d->n_ptr_names) {
            for (size_t m = 0; m < d->n_ptr_names; m++)
                g_string_append_printf(names, "%s%s", names->len ? ", " : "", d->ptr_names[m]);
            *frame = d->frame;
            return 1;
        }
        if (d->rcode != 0) {
            failed = 1;
            *frame = d->frame;
        }
    }
    for (size_t k = 0; k < j->x->in->n_hosts; k++) {
        const diag_host *h = &j->x->in->hosts[k];
        if (h->family == c->family && memcmp(h->addr, c->client_addr, alen) == 0)
            g_string_append_printf(names, "%s%s", names->len ? ", " : "", h->name);
    }
    if (names->len)
        return 1;
    return failed ? -1 : 0;
}

static int name_in_list(const char *cn, const char *list)
{
    char **v = g_strsplit(list, ", ", -1);
    int hit = 0;
    for (char **p = v; *p && !hit; p++) {
        size_t n = strlen(*p);
        if (n && (*p)[n - 1] == '.')
            (*p)[n - 1] = '\0';
        hit = g_ascii_strcasecmp(*p, cn) == 0;
    }
    g_strfreev(v);
    return hit;
}

static void rule_reverse_dns(judge *j)
{
    char addr[64];
    diag_addr_text(j->c->family, j->c->client_addr, addr, sizeof addr);
    GString *names = g_string_new(NULL);
    uint64_t frame = 0;
    int r = reverse_names(j, names, &frame);
    if (r == 0) {
        set(j, DIAG_RULE_REVERSE_DNS, DIAG_UNKNOWN,
            "no PTR answer for the console's address %s in the capture, and no %s entry", addr,
            diag_word_name(j->x->in, DIAG_IN_HOSTS));
    } else if (r < 0) {
        set(j, DIAG_RULE_REVERSE_DNS, DIAG_FAIL,
            "the PTR lookup of the console's address %s failed (frame %" G_GUINT64_FORMAT
            "); the certificate names %s",
            addr, frame, j->leaf.cn);
        fail(j, DIAG_RULE_REVERSE_DNS, DIAG_C_CLIENT_CERT_NAME_NOT_REVERSE_DNS, frame);
    } else if (name_in_list(j->leaf.cn, names->str)) {
        set(j, DIAG_RULE_REVERSE_DNS, DIAG_PASS, "%s is %s, the certificate's CN", addr,
            names->str);
    } else {
        set(j, DIAG_RULE_REVERSE_DNS, DIAG_FAIL,
            "the console's address %s is %s by reverse DNS%s%s%s; the certificate's CN is %s", addr,
            names->str, frame ? "" : " (", frame ? "" : diag_word_name(j->x->in, DIAG_IN_HOSTS),
            frame ? "" : ")", *j->leaf.cn ? j->leaf.cn : "(none)");
        diag_finding *f =
            fail(j, DIAG_RULE_REVERSE_DNS, DIAG_C_CLIENT_CERT_NAME_NOT_REVERSE_DNS, frame);
        diag_frame(f, j->c->tls.client_cert_frame);
    }
    g_string_free(names, TRUE);
}

static void rule_chain(judge *j)
{
    const diag_tls_facts *t = &j->c->tls;
    size_t n = t->n_client_certs < 8 ? t->n_client_certs : 8;
    if (j->x->in->n_trusted_roots) {
        char why[256] = "";
        int v = diag_chain_verify(t->client_certs, n, j->x->in->trusted_roots,
                                  j->x->in->n_trusted_roots, why, sizeof why);
        if (v == 1) {
            set(j, DIAG_RULE_CHAIN, DIAG_PASS, "the chain verifies against %s",
                diag_word_name(j->x->in, DIAG_IN_TRUSTED_ROOT));
        } else if (v == 0) {
            set(j, DIAG_RULE_CHAIN, DIAG_FAIL,
                "issuer %s: the chain does not verify against %s (%s)", j->leaf.issuer,
                diag_word_name(j->x->in, DIAG_IN_TRUSTED_ROOT), why);
            fail(j, DIAG_RULE_CHAIN, DIAG_C_CLIENT_CERT_UNTRUSTED_ROOT, t->client_cert_frame);
        } else {
            set(j, DIAG_RULE_CHAIN, DIAG_UNKNOWN, "the certificate chain does not decode");
        }
        return;
    }
    if (!t->n_ca_names) {
        set(j, DIAG_RULE_CHAIN, DIAG_UNKNOWN,
            "AMT's CertificateRequest names no certificate authority");
        return;
    }
    int m = diag_chain_matches_ca_names(t->client_certs, n, t->ca_names, t->n_ca_names);
    char dn[512];
    if (m >= 0) {
        set(j, DIAG_RULE_CHAIN, DIAG_PASS, "issued under %s, which AMT's CertificateRequest lists",
            diag_dn_text(&t->ca_names[m], dn, sizeof dn));
    } else if (m == -1) {
        GString *list = g_string_new(NULL);
        for (size_t k = 0; k < t->n_ca_names && k < 4; k++)
            g_string_append_printf(list, "%s\"%s\"", k ? ", " : "",
                                   diag_dn_text(&t->ca_names[k], dn, sizeof dn));
        if (t->n_ca_names > 4)
            g_string_append_printf(list, " and %zu more", t->n_ca_names - 4);
        set(j, DIAG_RULE_CHAIN, DIAG_FAIL,
            "issuer %s is not among the %zu CA(s) AMT's CertificateRequest lists (frame "
            "%" G_GUINT64_FORMAT "): %s",
            j->leaf.issuer, t->n_ca_names, t->cert_request_frame, list->str);
        g_string_free(list, TRUE);
        diag_finding *f =
            fail(j, DIAG_RULE_CHAIN, DIAG_C_CLIENT_CERT_UNTRUSTED_ROOT, t->client_cert_frame);
        diag_frame(f, t->cert_request_frame);
    } else {
        set(j, DIAG_RULE_CHAIN, DIAG_UNKNOWN, "the chain or the CA list does not decode");
    }
}

/* AMT's trusted FQDN list: --trusted-fqdn, else TrustedCN answers seen. */
static void trusted_list(judge *j, GPtrArray *out, const char **source)
{
    for (size_t k = 0; k < j->x->in->n_trusted_fqdn; k++)
        g_ptr_array_add(out, g_strdup(j->x->in->trusted_fqdn[k]));
    if (out->len) {
        *source = diag_word_name(j->x->in, DIAG_IN_TRUSTED_FQDN);
        return;
    }
    const GPtrArray *seen = diag_know_server(j->x->k, j->c->family, j->c->server_addr)->trusted_cn;
    for (guint k = 0; seen && k < seen->len; k++)
        g_ptr_array_add(out, g_strdup(g_ptr_array_index(seen, k)));
    if (out->len)
        *source = "AMT_TLSSettingData TrustedCN in the capture";
}

static void rule_fqdn(judge *j)
{
    GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
    const char *source = NULL;
    trusted_list(j, list, &source);
    if (!list->len) {
        set(j, DIAG_RULE_FQDN, DIAG_UNKNOWN,
            "AMT's trusted FQDN list is not known (CN %s); an empty list means AMT does not "
            "check",
            *j->leaf.cn ? j->leaf.cn : "(none)");
        g_ptr_array_free(list, TRUE);
        return;
    }
    GString *txt = g_string_new(NULL);
    int ok = 0;
    for (guint k = 0; k < list->len; k++) {
        const char *s = g_ptr_array_index(list, k);
        g_string_append_printf(txt, "%s%s", k ? ", " : "", s);
        ok |= diag_name_suffix_match(j->leaf.cn, s);
    }
    if (ok) {
        set(j, DIAG_RULE_FQDN, DIAG_PASS, "CN %s is under %s (%s)", j->leaf.cn, txt->str, source);
    } else {
        set(j, DIAG_RULE_FQDN, DIAG_FAIL, "CN %s is not under any trusted FQDN: %s (%s)",
            *j->leaf.cn ? j->leaf.cn : "(none)", txt->str, source);
        fail(j, DIAG_RULE_FQDN, DIAG_C_CLIENT_CERT_FQDN_NOT_TRUSTED, j->c->tls.client_cert_frame);
    }
    g_string_free(txt, TRUE);
    g_ptr_array_free(list, TRUE);
}

/* How strongly each unsettled rule is suspected, given AMT's alert and
 * the certificate: higher first. */
static int suspicion(const judge *j, diag_rule r)
{
    int desc = j->amt_alert ? j->amt_alert->desc : -1;
    int64_t now = j->c->first_ts_us / 1000000;
    switch (r) {
    case DIAG_RULE_VALIDITY:
        if (desc == DIAG_ALERT_CERTIFICATE_EXPIRED)
            return 9;
        /* Just issued or about to expire: a small clock error flips it. */
        if (j->have_leaf &&
            (now - j->leaf.not_before < 45 * 86400 || j->leaf.not_after - now < 45 * 86400))
            return 7;
        return 3;
    case DIAG_RULE_CHAIN:
        return desc == DIAG_ALERT_UNKNOWN_CA ? 9 : 4;
    case DIAG_RULE_FQDN:
        return desc == DIAG_ALERT_BAD_CERTIFICATE ? 6 : 5;
    case DIAG_RULE_REVERSE_DNS:
        return desc == DIAG_ALERT_BAD_CERTIFICATE ? 5 : 4;
    default:
        return 1;
    }
}

/* What AMT's alert or close was, for the evidence. */
static void amt_said(const judge *j, char *buf, size_t len)
{
    if (j->amt_alert)
        g_snprintf(buf, len, "AMT answered %s", diag_alert_text(j->amt_alert->desc));
    else
        diag_end_text(&j->cr->end, buf, len);
}

/* The validity rule left alone: AMT's clock lies outside the validity
 * period, in one direction or the other; the nearer first. */
static void clock_by_elimination(judge *j, const char *said)
{
    char nb[40], na[40];
    diag_time_text(j->leaf.not_before, nb, sizeof nb);
    diag_time_text(j->leaf.not_after, na, sizeof na);
    int64_t now = j->c->first_ts_us / 1000000;
    int expired_nearer = j->leaf.not_after - now < now - j->leaf.not_before;
    diag_finding *f = diag_add(
        j->x, j->i, DIAG_C_AMT_CLOCK_WRONG,
        "%s; every other check passes, so AMT judged the certificate (valid %s to %s, valid "
        "at the capture's time) outside its validity: AMT's clock is %s %s or %s %s",
        said, nb, na, expired_nearer ? "after" : "before", expired_nearer ? na : nb,
        expired_nearer ? "before" : "after", expired_nearer ? nb : na);
    f->confidence = DIAG_BY_ELIMINATION;
    diag_frame(f, j->amt_alert ? j->amt_alert->frame : j->cr->end.frame);
    diag_frame(f, j->c->tls.client_cert_frame);
}

/* AMT rejected the certificate and no rule fails: one rule left unsettled
 * is the cause by elimination; several are ranked candidates. */
static void candidates(judge *j)
{
    diag_rule order[DIAG_N_RULES];
    size_t n = 0;
    for (int r = 0; r < DIAG_N_RULES; r++)
        if (j->cr->checklist[r].status == DIAG_UNKNOWN)
            order[n++] = (diag_rule)r;
    char said[200];
    amt_said(j, said, sizeof said);
    if (j->gap) {
        /* No cause from a message the capture lacks. */
        diag_finding *f = diag_add(
            j->x, j->i, DIAG_C_UNDIAGNOSED,
            "%s after the console's part of the handshake; a capture gap %s hides what the "
            "console sent: %s",
            said, j->gap_text,
            j->gap->reordered ? "enable Wireshark's tcp.reassemble_out_of_order"
                              : "capture without the gap");
        diag_frame(f, j->gap->frame_before);
        diag_frame(f, j->gap->frame_after);
        diag_frame(f, j->cr->end.frame);
        return;
    }
    if (n == 1 && j->have_leaf) {
        if (order[0] == DIAG_RULE_VALIDITY) {
            clock_by_elimination(j, said);
            return;
        }
        const diag_check *ck = &j->cr->checklist[order[0]];
        diag_finding *f =
            diag_add(j->x, j->i, rule_cause[order[0]].token,
                     "%s; every other check passes, so this one failed: %s "
                     "(settle with %s)",
                     said, ck->evidence ? ck->evidence : "", ck->settle ? ck->settle : "?");
        f->confidence = DIAG_BY_ELIMINATION;
        diag_frame(f, j->amt_alert ? j->amt_alert->frame : j->cr->end.frame);
        diag_frame(f, j->c->tls.client_cert_frame);
        return;
    }
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && suspicion(j, order[b]) > suspicion(j, order[b - 1]); b--) {
            diag_rule t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    GString *s = g_string_new(NULL);
    for (size_t k = 0; k < n; k++) {
        const diag_check *ck = &j->cr->checklist[order[k]];
        /* A certificate valid at the capture's time fails validity only
         * through AMT's clock, in either direction. */
        diag_cause_id id = order[k] == DIAG_RULE_VALIDITY && j->have_leaf
                               ? DIAG_C_AMT_CLOCK_WRONG
                               : rule_cause[order[k]].token;
        g_string_append_printf(s, "%s%zu. %s — settle with %s", k ? "; " : "", k + 1,
                               diag_cause_get(id)->token, ck->settle ? ck->settle : "?");
    }
    diag_finding *f =
        diag_add(j->x, j->i, DIAG_C_CLIENT_CERT_REJECTED, "%s; no rule fails on the evidence. %s%s",
                 said, n ? "Candidates: " : "",
                 n ? s->str
                   : "Every rule passes: a firmware-specific check, or AMT's configuration "
                     "changed.");
    diag_frame(f, j->amt_alert ? j->amt_alert->frame : j->cr->end.frame);
    diag_frame(f, j->c->tls.client_cert_frame);
    j->cr->candidates = g_string_free(s, FALSE);
}

/* The first hole in the console's part of the handshake, if any. */
static void find_gap(judge *j)
{
    const diag_tls_facts *t = &j->c->tls;
    uint64_t done = t->handshake_complete ? t->handshake_done_frame : UINT64_MAX;
    if (t->client_cert != DIAG_CERT_ABSENT)
        return; /* what the console sent was seen */
    for (size_t k = 0; k < j->c->n_gaps; k++) {
        const diag_gap *g = &j->c->gaps[k];
        if (g->from != DIAG_CONSOLE || (g->frame_before && g->frame_before >= done) ||
            (g->frame_after && g->frame_after < t->cert_request_frame))
            continue;
        j->gap = g;
        diag_gap_text(g, j->gap_text, sizeof j->gap_text);
        return;
    }
    /* A hole whose place is not known counts when the facts say one exists
     * and the console's certificate was not seen. */
    if (j->c->gap && !j->c->n_gaps) {
        static const diag_gap unknown = {DIAG_CONSOLE, 0, 0, 0};
        j->gap = &unknown;
        g_strlcpy(j->gap_text, "(place not known)", sizeof j->gap_text);
    }
}

static void mtls_conn(diag_ctx *x, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    const diag_tls_facts *t = &c->tls;
    /* A CertificateRequest hidden by TLS 1.3 may not exist at all: the
     * connection's visibility note says which key would show it. */
    if (!c->is_tls || !t->cert_request)
        return;
    judge j = {.x = x, .i = i, .c = c, .cr = diag_cr(x, i)};
    j.amt_alert = diag_first_alert(c, DIAG_AMT);
    j.accepted = t->handshake_complete && diag_amt_answered(c);
    /* AMT refused only when AMT ended the connection: when the console
     * ended it first (after AMT's Finished, say), the console refused. */
    j.rejected = !j.accepted && j.cr->end.by == DIAG_AMT;
    find_gap(&j);
    if (t->client_cert == DIAG_CERT_SENT && t->n_client_certs)
        j.have_leaf = diag_cert_read(t->client_certs[0].data, t->client_certs[0].len, &j.leaf) == 0;
    j.cr->has_checklist = 1;
    for (int r = 0; r < DIAG_N_RULES; r++)
        j.cr->checklist[r] =
            (diag_check){(diag_rule)r, rules[r].rule, rules[r].title, DIAG_UNKNOWN, NULL, NULL};
    rule_presented(&j);
    if (j.have_leaf) {
        rule_eku(&j);
        rule_validity(&j);
        rule_reverse_dns(&j);
        rule_chain(&j);
        rule_fqdn(&j);
    } else {
        const char *why = t->client_cert == DIAG_CERT_SENT ? "the certificate does not decode"
                                                           : "no console certificate to check";
        for (int r = 1; r < DIAG_N_RULES; r++)
            set(&j, (diag_rule)r, DIAG_UNKNOWN, "%s", why);
    }
    if (j.accepted) {
        for (int r = 0; r < DIAG_N_RULES; r++) {
            diag_check *ck = &j.cr->checklist[r];
            if (ck->status != DIAG_FAIL)
                continue;
            char *e = g_strdup_printf("%s — yet AMT accepted the certificate, so it does not "
                                      "enforce this rule as judged here",
                                      ck->evidence);
            g_free(ck->evidence);
            ck->evidence = e;
        }
        return;
    }
    if (!j.rejected)
        return;
    int failed = 0;
    for (int r = 0; r < DIAG_N_RULES; r++)
        failed |= j.cr->checklist[r].status == DIAG_FAIL;
    if (!failed)
        candidates(&j);
}

/* AMT finishing a handshake without a CertificateRequest and then closing
 * without answering the console's request. */
static void closed_without_answer(diag_ctx *x, size_t i)
{
    const diag_conn_facts *c = &x->conns[i];
    const diag_tls_facts *t = &c->tls;
    if (!c->is_tls || !t->handshake_complete || t->cert_request || t->cert_request_hidden ||
        diag_amt_answered(c) || diag_cr(x, i)->end.by != DIAG_AMT ||
        !(t->app_records[DIAG_CONSOLE] || c->n_ex))
        return;
    diag_finding *f = diag_add(x, i, DIAG_C_AMT_CLOSED_WITHOUT_ANSWER,
                               "the handshake completed (frame %" G_GUINT64_FORMAT
                               ") and the console sent a request; AMT %s without answering",
                               t->handshake_done_frame,
                               c->rst_from == DIAG_AMT ? "reset the connection" : "closed");
    diag_frame(f, t->handshake_done_frame);
    diag_frame(f, c->rst_from == DIAG_AMT ? c->rst_frame : c->first_fin_frame);
}

void diag_rules_mtls(diag_ctx *x)
{
    for (size_t i = 0; i < x->n_conns; i++) {
        if (diag_is_cira(&x->conns[i]))
            continue;
        mtls_conn(x, i);
        closed_without_answer(x, i);
    }
}
