/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fake AMT's CIM model. Property names, order (alphabetical, as AMT
 * returns them) and fixed values follow AMT's published responses; values
 * that a scenario varies come from amt_device_cfg. */
#include "amt_model.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define ENUM_CONTEXTS 16
#define MAX_CERTS 16
#define CERT_BLOB_MAX 8192

/* PT_STATUS values (AMT SDK) used by the methods below */
#define PT_STATUS_SUCCESS 0
#define PT_STATUS_MAX_LIMIT_REACHED 23
#define PT_STATUS_INVALID_PARAMETER 36
#define PT_STATUS_DUPLICATE 2058
#define PT_STATUS_INVALID_CERT 2063

typedef struct tls_state {
    const char *instance_id;
    int enabled, mutual_auth, accept_nonsecure;
    char *trusted_cn[AMT_MAX_TRUSTED_CN];
    unsigned n_trusted_cn;
} tls_state;

typedef struct trusted_cert {
    unsigned handle;
    char *der_b64;
    char *subject, *issuer;
} trusted_cert;

typedef struct enum_ctx {
    int used;
    char id[40];
    char cls[64];
    unsigned pos;
} enum_ctx;

struct amt_model {
    const amt_device_cfg *cfg;
    int64_t clock_offset_s;
    uint64_t message_id;
    tls_state tls[2]; /* the remote (802.3) and local (LMS) interfaces */
    GPtrArray *certs; /* trusted_cert* added with AddTrustedRootCertificate */
    unsigned next_cert_handle;
    enum_ctx ctx[ENUM_CONTEXTS];
    unsigned ctx_next;
    uint32_t ctx_counter;
};

/* ---- instances ---- */

static void prop_free(gpointer p)
{
    amt_prop *pr = p;
    g_free(pr->name);
    g_free(pr->value);
    g_free(pr->epr_class);
    g_free(pr);
}

amt_instance *amt_instance_new(void)
{
    amt_instance *i = g_new0(amt_instance, 1);
    i->props = g_ptr_array_new_with_free_func(prop_free);
    return i;
}

void amt_instance_free(gpointer inst)
{
    amt_instance *i = inst;
    if (!i)
        return;
    g_ptr_array_free(i->props, TRUE);
    g_free(i);
}

void amt_instance_add(amt_instance *i, const char *name, const char *value)
{
    amt_prop *p = g_new0(amt_prop, 1);
    p->name = g_strdup(name);
    p->value = g_strdup(value ? value : "");
    g_ptr_array_add(i->props, p);
}

void amt_instance_addf(amt_instance *i, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    amt_instance_add(i, name, v);
    g_free(v);
}

void amt_instance_add_epr(amt_instance *i, const char *name, const char *cls,
                          const char *instance_id)
{
    amt_instance_add(i, name, instance_id);
    amt_prop *p = g_ptr_array_index(i->props, i->props->len - 1);
    p->epr_class = g_strdup(cls);
}

const char *amt_instance_get(const amt_instance *i, const char *name)
{
    for (guint k = 0; k < i->props->len; k++) {
        const amt_prop *p = g_ptr_array_index(i->props, k);
        if (strcmp(p->name, name) == 0)
            return p->value;
    }
    return NULL;
}

static const char *tf(int b)
{
    return b ? "true" : "false";
}

/* The first n dot-separated parts of the firmware version ("11.8.50.3425",
 * n=2 -> "11.8"); g_malloc'd. */
static char *fw_parts(const amt_device_cfg *cfg, unsigned n)
{
    char **parts = g_strsplit(cfg->fw_version ? cfg->fw_version : "0.0.0", ".", -1);
    GString *s = g_string_new(NULL);
    for (unsigned k = 0; parts[k] && k < n; k++)
        g_string_append_printf(s, "%s%s", k ? "." : "", parts[k]);
    g_strfreev(parts);
    return g_string_free(s, FALSE);
}

/* The build number: the last part of the firmware version. */
static const char *fw_build(const amt_device_cfg *cfg)
{
    const char *fw = cfg->fw_version ? cfg->fw_version : "0";
    const char *dot = strrchr(fw, '.');
    return dot ? dot + 1 : fw;
}

static void add_service_keys(amt_instance *i, const char *cls, const char *name)
{
    amt_instance_add(i, "CreationClassName", cls);
    amt_instance_add(i, "ElementName", name);
}

static void add_service_tail(amt_instance *i, const char *name)
{
    amt_instance_add(i, "Name", name);
    amt_instance_add(i, "RequestedState", "12");
    amt_instance_add(i, "SystemCreationClassName", "CIM_ComputerSystem");
    amt_instance_add(i, "SystemName", "Intel(r) AMT");
}

typedef void (*instances_fn)(amt_model *m, int64_t capture_s, GPtrArray *out);

static void general_settings(amt_model *m, int64_t capture_s, GPtrArray *out)
{
    (void)capture_s;
    const amt_device_cfg *c = m->cfg;
    amt_instance *i = amt_instance_new();
    amt_instance_add(i, "AMTNetworkEnabled", "1");
    amt_instance_add(i, "DDNSPeriodicUpdateInterval", "1440");
    amt_instance_add(i, "DDNSTTL", "900");
    amt_instance_add(i, "DDNSUpdateByDHCPServerEnabled", "true");
    amt_instance_add(i, "DDNSUpdateEnabled", "false");
    amt_instance_add(i, "DHCPv6ConfigurationTimeout", "0");
    amt_instance_add(i, "DigestRealm", c->realm);
    amt_instance_add(i, "DomainName", c->domain);
    amt_instance_add(i, "ElementName", "Intel(r) AMT: General Settings");
    amt_instance_add(i, "HostName", c->hostname);
    amt_instance_add(i, "HostOSFQDN", "");
    amt_instance_add(i, "IdleWakeTimeout", "1");
    amt_instance_add(i, "InstanceID", "Intel(r) AMT: General Settings");
    amt_instance_add(i, "NetworkInterfaceEnabled", "true");
    amt_instance_add(i, "PingResponseEnabled", "true");
    amt_instance_add(i, "PowerSource", "0");
    amt_instance_add(i, "PreferredAddressFamily", "0");
    amt_instance_add(i, "PresenceNotificationInterval", "0");
    amt_instance_add(i, "PrivacyLevel", "0");
    amt_instance_add(i, "RmcpPingResponseEnabled", "true");
    amt_instance_add(i, "SharedFQDN", "true");
    amt_instance_add(i, "ThunderboltDockEnabled", "0");
    /* WsmanOnlyMode=true is what blocks the legacy EOI interface */
    amt_instance_add(i, "WsmanOnlyMode", tf(!c->eoi));
    g_ptr_array_add(out, i);
}

static amt_instance *tls_instance(const tls_state *t)
{
    amt_instance *i = amt_instance_new();
    amt_instance_add(i, "AcceptNonSecureConnections", tf(t->accept_nonsecure));
    amt_instance_add(i, "ElementName", t->instance_id);
    amt_instance_add(i, "Enabled", tf(t->enabled));
    amt_instance_add(i, "InstanceID", t->instance_id);
    amt_instance_add(i, "MutualAuthentication", tf(t->mutual_auth));
    for (unsigned k = 0; k < t->n_trusted_cn; k++)
        amt_instance_add(i, "TrustedCN", t->trusted_cn[k]);
    return i;
}

static void tls_setting_data(amt_model *m, int64_t capture_s, GPtrArray *out)
{
    (void)capture_s;
    for (unsigned k = 0; k < G_N_ELEMENTS(m->tls); k++)
        g_ptr_array_add(out, tls_instance(&m->tls[k]));
}

static void time_sync_service(amt_model *m, int64_t capture_s, GPtrArray *out)
{
    (void)m;
    (void)capture_s;
    const char *name = "Intel(r) AMT Time Synchronization Service";
    amt_instance *i = amt_instance_new();
    add_service_keys(i, "AMT_TimeSynchronizationService", name);
    amt_instance_add(i, "EnabledState", "5");
    amt_instance_add(i, "LocalTimeSyncEnabled", "0");
    add_service_tail(i, name);
    amt_instance_add(i, "TimeSource", "1");
    g_ptr_array_add(out, i);
}

static void setup_config_service(amt_model *m, int64_t capture_s, GPtrArray *out)
{
    (void)m;
    (void)capture_s;
    const char *name = "Intel(r) AMT Setup and Configuration Service";
    amt_instance *i = amt_instance_new();
    add_service_keys(i, "AMT_SetupAndConfigurationService", name);
    amt_instance_add(i, "EnabledState", "5");
    amt_instance_add(i, "Name", name);
    amt_instance_add(i, "PasswordModel", "1");
    amt_instance_add(i, "ProvisioningMode", "1");
    amt_instance_add(i, "ProvisioningState", "2");
    amt_instance_add(i, "RequestedState", "12");
    amt_instance_add(i, "SystemCreationClassName", "CIM_ComputerSystem");
    amt_instance_add(i, "SystemName", "Intel(r) AMT");
    amt_instance_add(i, "ZeroTouchConfigurationEnabled", "false");
    g_ptr_array_add(out, i);
}

static void pk_management_service(amt_model *m, int64_t capture_s, GPtrArray *out)
{
    (void)m;
    (void)capture_s;
    const char *name = "Intel(r) AMT Certificate Store Service";
    amt_instance *i = amt_instance_new();
    add_service_keys(i, "AMT_PublicKeyManagementService", name);
    amt_instance_add(i, "EnabledDefault", "5");
    amt_instance_add(i, "EnabledState", "5");
    add_service_tail(i, name);
    g_ptr_array_add(out, i);
}

static void pk_certificates(amt_model *m, int64_t capture_s, GPtrArray *out)
{
    (void)capture_s;
    for (guint k = 0; k < m->certs->len; k++) {
        const trusted_cert *c = g_ptr_array_index(m->certs, k);
        amt_instance *i = amt_instance_new();
        amt_instance_add(i, "ElementName", "Intel(r) AMT Certificate");
        amt_instance_addf(i, "InstanceID", "Intel(r) AMT Certificate: Handle: %u", c->handle);
        amt_instance_add(i, "Issuer", c->issuer);
        amt_instance_add(i, "Subject", c->subject);
        /* sic: AMT's own property name is misspelled */
        amt_instance_add(i, "TrustedRootCertficate", "true");
        amt_instance_add(i, "X509Certificate", c->der_b64);
        g_ptr_array_add(out, i);
    }
}

static void authorization_service(amt_model *m, int64_t capture_s, GPtrArray *out)
{
    (void)m;
    (void)capture_s;
    const char *name = "Intel(r) AMT Authorization Service";
    amt_instance *i = amt_instance_new();
    amt_instance_add(i, "AllowHttpQopAuthOnly", "1");
    add_service_keys(i, "AMT_AuthorizationService", name);
    amt_instance_add(i, "EnabledState", "5");
    add_service_tail(i, name);
    g_ptr_array_add(out, i);
}

static void redirection_service(amt_model *m, int64_t capture_s, GPtrArray *out)
{
    (void)m;
    (void)capture_s;
    const char *name = "Intel(r) AMT Redirection Service";
    amt_instance *i = amt_instance_new();
    add_service_keys(i, "AMT_RedirectionService", name);
    amt_instance_add(i, "EnabledState", "32771");
    amt_instance_add(i, "ListenerEnabled", "true");
    amt_instance_add(i, "Name", name);
    amt_instance_add(i, "SystemCreationClassName", "CIM_ComputerSystem");
    amt_instance_add(i, "SystemName", "Intel(r) AMT");
    g_ptr_array_add(out, i);
}

static void software_identity(amt_model *m, int64_t capture_s, GPtrArray *out)
{
    (void)capture_s;
    const amt_device_cfg *c = m->cfg;
    char *three = fw_parts(c, 3);
    const char *full = c->fw_version ? c->fw_version : "0.0.0";
    const struct {
        const char *id, *version;
    } ids[] = {
        {"Flash", three},
        {"Netstack", three},
        {"AMTApps", three},
        {"AMT", three},
        {"Sku", "16392"},
        {"VendorID", "8086"},
        {"Build Number", fw_build(c)},
        {"Recovery Version", three},
        {"Recovery Build Num", fw_build(c)},
        {"Legacy Mode", "False"},
        {"AMT FW Core Version", full},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(ids); k++) {
        amt_instance *i = amt_instance_new();
        amt_instance_add(i, "InstanceID", ids[k].id);
        amt_instance_add(i, "IsEntity", "true");
        amt_instance_add(i, "VersionString", ids[k].version);
        g_ptr_array_add(out, i);
    }
    g_free(three);
}

static const struct class_def {
    const char *name;
    instances_fn instances;
} classes[] = {
    {"AMT_GeneralSettings", general_settings},
    {"AMT_TLSSettingData", tls_setting_data},
    {"AMT_TimeSynchronizationService", time_sync_service},
    {"AMT_SetupAndConfigurationService", setup_config_service},
    {"AMT_PublicKeyManagementService", pk_management_service},
    {"AMT_PublicKeyCertificate", pk_certificates},
    {"AMT_AuthorizationService", authorization_service},
    {"AMT_RedirectionService", redirection_service},
    {"CIM_SoftwareIdentity", software_identity},
};

static const struct class_def *find_class(const char *cls)
{
    for (size_t k = 0; cls && k < G_N_ELEMENTS(classes); k++)
        if (strcmp(classes[k].name, cls) == 0)
            return &classes[k];
    return NULL;
}

static int matches(const amt_instance *i, const amt_selector *sel, unsigned n_sel)
{
    for (unsigned k = 0; k < n_sel; k++) {
        const char *v = amt_instance_get(i, sel[k].name);
        if (!v || !sel[k].value || strcmp(v, sel[k].value) != 0)
            return 0;
    }
    return 1;
}

/* ---- lifecycle ---- */

static void tls_init(tls_state *t, const char *id, const amt_device_cfg *cfg, int accept)
{
    t->instance_id = id;
    t->enabled = cfg->tls_enabled != 0;
    t->mutual_auth = cfg->mutual_auth != 0;
    t->accept_nonsecure = accept;
    for (unsigned k = 0; k < cfg->n_trusted_cn && k < AMT_MAX_TRUSTED_CN; k++)
        if (cfg->trusted_cn[k])
            t->trusted_cn[t->n_trusted_cn++] = g_strdup(cfg->trusted_cn[k]);
}

static void tls_clear_cn(tls_state *t)
{
    for (unsigned k = 0; k < t->n_trusted_cn; k++)
        g_free(t->trusted_cn[k]);
    t->n_trusted_cn = 0;
}

static void cert_free(gpointer p)
{
    trusted_cert *c = p;
    g_free(c->der_b64);
    g_free(c->subject);
    g_free(c->issuer);
    g_free(c);
}

amt_model *amt_model_new(const amt_device_cfg *cfg)
{
    amt_model *m = g_new0(amt_model, 1);
    m->cfg = cfg;
    m->clock_offset_s = cfg->clock_offset_s;
    /* start the counters somewhere device-specific, as a real device that
     * has been up for a while would be, yet reproducibly */
    m->message_id = (cfg->seed & 0xFFFFu) + 1;
    m->ctx_counter = 0xCA;
    /* AMT's defaults: the remote interface refuses non-TLS connections
     * once TLS is on, the local (LMS) one accepts them */
    tls_init(&m->tls[0], "Intel(r) AMT 802.3 TLS Settings", cfg, 0);
    tls_init(&m->tls[1], "Intel(r) AMT LMS TLS Settings", cfg, 1);
    m->certs = g_ptr_array_new_with_free_func(cert_free);
    return m;
}

void amt_model_free(amt_model *m)
{
    if (!m)
        return;
    for (unsigned k = 0; k < G_N_ELEMENTS(m->tls); k++)
        tls_clear_cn(&m->tls[k]);
    g_ptr_array_free(m->certs, TRUE);
    g_free(m);
}

const amt_device_cfg *amt_model_cfg(const amt_model *m)
{
    return m->cfg;
}

int64_t amt_model_clock(const amt_model *m, int64_t capture_s)
{
    return capture_s + m->clock_offset_s;
}

uint64_t amt_model_next_message_id(amt_model *m)
{
    return m->message_id++;
}

/* ---- Get / Put ---- */

amt_result amt_model_get(amt_model *m, const char *cls, const amt_selector *sel, unsigned n_sel,
                         int64_t capture_s, amt_instance **out)
{
    *out = NULL;
    const struct class_def *c = find_class(cls);
    if (!c)
        return AMT_NO_CLASS;
    GPtrArray *all = g_ptr_array_new_with_free_func(amt_instance_free);
    c->instances(m, capture_s, all);
    for (guint k = 0; k < all->len && !*out; k++)
        if (matches(g_ptr_array_index(all, k), sel, n_sel))
            *out = g_ptr_array_steal_index(all, k);
    g_ptr_array_free(all, TRUE);
    return *out ? AMT_OK : AMT_BAD_SELECTOR;
}

static int parse_bool(const char *s, int *out)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
        *out = 1;
    else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
        *out = 0;
    else
        return -1;
    return 0;
}

static amt_result put_tls(amt_model *m, const amt_selector *sel, unsigned n_sel,
                          const sx_node *inst, amt_instance **out)
{
    if (!inst || strcmp(inst->name, "AMT_TLSSettingData") != 0)
        return AMT_BAD_INPUT;
    const char *body_id = sx_child_text(inst, NULL, "InstanceID");
    const char *id = body_id;
    for (unsigned k = 0; k < n_sel; k++)
        if (strcmp(sel[k].name, "InstanceID") == 0)
            id = sel[k].value;
    tls_state *t = NULL;
    for (unsigned k = 0; id && k < G_N_ELEMENTS(m->tls); k++)
        if (strcmp(m->tls[k].instance_id, id) == 0)
            t = &m->tls[k];
    if (!t)
        return AMT_BAD_SELECTOR;
    if (body_id && strcmp(body_id, id) != 0)
        return AMT_BAD_INPUT;
    /* validate everything before changing anything */
    int enabled = t->enabled, mutual = t->mutual_auth, accept = t->accept_nonsecure;
    const char *v;
    if ((v = sx_child_text(inst, NULL, "Enabled")) && parse_bool(v, &enabled) != 0)
        return AMT_BAD_INPUT;
    if ((v = sx_child_text(inst, NULL, "MutualAuthentication")) && parse_bool(v, &mutual) != 0)
        return AMT_BAD_INPUT;
    if ((v = sx_child_text(inst, NULL, "AcceptNonSecureConnections")) &&
        parse_bool(v, &accept) != 0)
        return AMT_BAD_INPUT;
    const char *cns[AMT_MAX_TRUSTED_CN];
    unsigned n_cn = 0;
    for (guint k = 0; k < inst->children->len; k++) {
        const sx_node *c = g_ptr_array_index(inst->children, k);
        if (strcmp(c->name, "TrustedCN") != 0)
            continue;
        /* RFC 1035 names: at most 255 characters */
        if (n_cn >= AMT_MAX_TRUSTED_CN || c->text->len == 0 || c->text->len > 255)
            return AMT_BAD_INPUT;
        cns[n_cn++] = c->text->str;
    }
    t->enabled = enabled;
    t->mutual_auth = mutual;
    t->accept_nonsecure = accept;
    /* Put replaces the whole representation: an absent TrustedCN clears it */
    tls_clear_cn(t);
    for (unsigned k = 0; k < n_cn; k++)
        t->trusted_cn[t->n_trusted_cn++] = g_strdup(cns[k]);
    *out = tls_instance(t);
    return AMT_OK;
}

amt_result amt_model_put(amt_model *m, const char *cls, const amt_selector *sel, unsigned n_sel,
                         const sx_node *inst, amt_instance **out)
{
    *out = NULL;
    if (!find_class(cls))
        return AMT_NO_CLASS;
    if (strcmp(cls, "AMT_TLSSettingData") == 0)
        return put_tls(m, sel, n_sel, inst, out);
    return AMT_NO_ACTION;
}

/* ---- methods ---- */

typedef amt_result (*method_fn)(amt_model *m, const sx_node *in, int64_t capture_s,
                                amt_instance *out);

static amt_result get_low_accuracy_time(amt_model *m, const sx_node *in, int64_t capture_s,
                                        amt_instance *out)
{
    (void)in;
    amt_instance_addf(out, "Ta0", "%" G_GINT64_FORMAT, amt_model_clock(m, capture_s));
    amt_instance_add(out, "ReturnValue", "0");
    return AMT_OK;
}

static int parse_time(const char *s, int64_t *out)
{
    char *end = NULL;
    if (!s || !*s)
        return -1;
    gint64 v = g_ascii_strtoll(s, &end, 10);
    if (*end || v < 0 || v > G_GINT64_CONSTANT(253402300799)) /* year 9999 */
        return -1;
    *out = v;
    return 0;
}

/* Tm2 is the console's clock when it sends the request: AMT sets its own
 * clock to it, which is how a console repairs a skewed AMT clock. */
static amt_result set_high_accuracy_time(amt_model *m, const sx_node *in, int64_t capture_s,
                                         amt_instance *out)
{
    int64_t ta0, tm1, tm2;
    if (parse_time(sx_child_text(in, NULL, "Ta0"), &ta0) != 0 ||
        parse_time(sx_child_text(in, NULL, "Tm1"), &tm1) != 0 ||
        parse_time(sx_child_text(in, NULL, "Tm2"), &tm2) != 0) {
        amt_instance_addf(out, "ReturnValue", "%d", PT_STATUS_INVALID_PARAMETER);
        return AMT_OK;
    }
    m->clock_offset_s = tm2 - capture_s;
    amt_instance_add(out, "ReturnValue", "0");
    return AMT_OK;
}

static amt_result commit_changes(amt_model *m, const sx_node *in, int64_t capture_s,
                                 amt_instance *out)
{
    (void)m;
    (void)in;
    (void)capture_s;
    amt_instance_add(out, "ReturnValue", "0");
    return AMT_OK;
}

static amt_result request_state_change(amt_model *m, const sx_node *in, int64_t capture_s,
                                       amt_instance *out)
{
    (void)m;
    (void)capture_s;
    const char *v = sx_child_text(in, NULL, "RequestedState");
    int valid = v && *v && strlen(v) < 10 && strspn(v, "0123456789") == strlen(v);
    amt_instance_addf(out, "ReturnValue", "%d", valid ? 0 : PT_STATUS_INVALID_PARAMETER);
    return AMT_OK;
}

/* "C=…,O=…,CN=…" in the order of the name's entries, as AMT reports it. */
static char *name_string(const X509_NAME *name)
{
    GString *s = g_string_new(NULL);
    for (int k = 0; k < X509_NAME_entry_count(name); k++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, k);
        const char *sn = OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)));
        unsigned char *utf8 = NULL;
        int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
        if (len < 0)
            continue;
        g_string_append_printf(s, "%s%s=%.*s", s->len ? "," : "", sn ? sn : "?", len,
                               (const char *)utf8);
        OPENSSL_free(utf8);
    }
    return g_string_free(s, FALSE);
}

/* Only a CA certificate can become a trusted root; anything that does not
 * parse as one is PT_STATUS_INVALID_CERT. */
static amt_result add_trusted_root(amt_model *m, const sx_node *in, int64_t capture_s,
                                   amt_instance *out)
{
    (void)capture_s;
    const char *blob = sx_child_text(in, NULL, "CertificateBlob");
    X509 *x = NULL;
    if (blob && *blob && strlen(blob) <= CERT_BLOB_MAX) {
        gsize der_len = 0;
        guchar *der = g_base64_decode(blob, &der_len);
        const unsigned char *p = der;
        if (der_len > 0 && der_len <= LONG_MAX)
            x = d2i_X509(NULL, &p, (long)der_len);
        if (x && p != der + der_len) {
            X509_free(x); /* trailing garbage */
            x = NULL;
        }
        g_free(der);
    }
    if (!x || X509_check_ca(x) <= 0) {
        X509_free(x);
        amt_instance_addf(out, "ReturnValue", "%d", PT_STATUS_INVALID_CERT);
        return AMT_OK;
    }
    unsigned char *der = NULL;
    int der_len = i2d_X509(x, &der);
    char *b64 = der_len > 0 ? g_base64_encode(der, (gsize)der_len) : NULL;
    OPENSSL_free(der);
    int status = PT_STATUS_SUCCESS;
    if (!b64)
        status = PT_STATUS_INVALID_CERT;
    else if (m->certs->len >= MAX_CERTS)
        status = PT_STATUS_MAX_LIMIT_REACHED;
    for (guint k = 0; status == PT_STATUS_SUCCESS && k < m->certs->len; k++)
        if (strcmp(((trusted_cert *)g_ptr_array_index(m->certs, k))->der_b64, b64) == 0)
            status = PT_STATUS_DUPLICATE;
    if (status == PT_STATUS_SUCCESS) {
        trusted_cert *c = g_new0(trusted_cert, 1);
        c->handle = m->next_cert_handle++;
        c->der_b64 = b64;
        b64 = NULL;
        c->subject = name_string(X509_get_subject_name(x));
        c->issuer = name_string(X509_get_issuer_name(x));
        g_ptr_array_add(m->certs, c);
        char *id = g_strdup_printf("Intel(r) AMT Certificate: Handle: %u", c->handle);
        amt_instance_add_epr(out, "CreatedCertificate", "AMT_PublicKeyCertificate", id);
        g_free(id);
    }
    g_free(b64);
    X509_free(x);
    amt_instance_addf(out, "ReturnValue", "%d", status);
    return AMT_OK;
}

static const struct method_def {
    const char *cls, *name;
    method_fn fn;
} methods[] = {
    {"AMT_TimeSynchronizationService", "GetLowAccuracyTimeSynch", get_low_accuracy_time},
    {"AMT_TimeSynchronizationService", "SetHighAccuracyTimeSynch", set_high_accuracy_time},
    {"AMT_SetupAndConfigurationService", "CommitChanges", commit_changes},
    {"AMT_PublicKeyManagementService", "AddTrustedRootCertificate", add_trusted_root},
    {"AMT_RedirectionService", "RequestStateChange", request_state_change},
};

amt_result amt_model_invoke(amt_model *m, const char *cls, const char *method, const sx_node *input,
                            int64_t capture_s, amt_instance **out)
{
    *out = NULL;
    if (!find_class(cls))
        return AMT_NO_CLASS;
    for (size_t k = 0; k < G_N_ELEMENTS(methods); k++) {
        if (strcmp(methods[k].cls, cls) != 0 || strcmp(methods[k].name, method) != 0)
            continue;
        amt_instance *o = amt_instance_new();
        amt_result r = methods[k].fn(m, input, capture_s, o);
        if (r != AMT_OK) {
            amt_instance_free(o);
            return r;
        }
        *out = o;
        return AMT_OK;
    }
    return AMT_NO_ACTION;
}

/* ---- enumeration ---- */

amt_result amt_model_enumerate(amt_model *m, const char *cls, char ctx[40])
{
    if (!find_class(cls))
        return AMT_NO_CLASS;
    /* a ring: the oldest open context is dropped when all are in use */
    enum_ctx *e = &m->ctx[m->ctx_next++ % ENUM_CONTEXTS];
    uint32_t n = m->ctx_counter++;
    /* AMT prints its counter little-endian: 0xCA -> "CA000000-…" */
    snprintf(e->id, sizeof e->id, "%02X%02X%02X%02X-0000-0000-0000-000000000000",
             (unsigned)(n & 0xFF), (unsigned)(n >> 8 & 0xFF), (unsigned)(n >> 16 & 0xFF),
             (unsigned)(n >> 24 & 0xFF));
    g_strlcpy(e->cls, cls, sizeof e->cls);
    e->pos = 0;
    e->used = 1;
    memcpy(ctx, e->id, sizeof e->id);
    return AMT_OK;
}

static enum_ctx *find_ctx(amt_model *m, const char *ctx)
{
    for (unsigned k = 0; ctx && k < ENUM_CONTEXTS; k++)
        if (m->ctx[k].used && strcmp(m->ctx[k].id, ctx) == 0)
            return &m->ctx[k];
    return NULL;
}

amt_result amt_model_pull(amt_model *m, const char *ctx, unsigned max_elements, int64_t capture_s,
                          char cls[64], GPtrArray *items, int *end)
{
    *end = 0;
    enum_ctx *e = find_ctx(m, ctx);
    if (!e)
        return AMT_BAD_CONTEXT;
    const struct class_def *c = find_class(e->cls);
    g_strlcpy(cls, e->cls, 64);
    GPtrArray *all = g_ptr_array_new_with_free_func(amt_instance_free);
    c->instances(m, capture_s, all);
    if (max_elements == 0)
        max_elements = 1;
    while (e->pos < all->len && max_elements--) {
        g_ptr_array_add(items, g_ptr_array_index(all, e->pos));
        g_ptr_array_index(all, e->pos) = NULL;
        e->pos++;
    }
    if (e->pos >= all->len) {
        *end = 1;
        e->used = 0;
    }
    g_ptr_array_free(all, TRUE);
    return AMT_OK;
}

amt_result amt_model_release(amt_model *m, const char *ctx)
{
    enum_ctx *e = find_ctx(m, ctx);
    if (!e)
        return AMT_BAD_CONTEXT;
    e->used = 0;
    return AMT_OK;
}
