/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The legacy EOI interface of AMT 1.x–5.x: SOAP 1.1, one URL per service,
 * the method element in the service namespace
 * http://schemas.intel.com/platform/client/<Service>/2004/01, and a
 * <Method>Response carrying a PT_STATUS StatusCode. */
#include "amt_service.h"

#include <string.h>
#include "simxml.h"
#include "wsman_msgs.h"

#define EOI_CONTENT_TYPE "text/xml; charset=utf-8"
#define EOI_NS_BASE "http://schemas.intel.com/platform/client/"

typedef void (*eoi_fn)(const amt_device_cfg *cfg, GString *out, const char *p);

typedef struct eoi_service {
    const char *path;   /* URL path */
    const char *name;   /* namespace component */
    const char *prefix; /* the prefix AMT's SOAP stack uses for it */
} eoi_service;

static const eoi_service services[] = {
    {"/SecurityAdministrationService", "SecurityAdministration", "sai"},
    {"/GeneralInfoService", "GeneralInfo", "inf"},
    {"/RemoteControlService", "RemoteControl", "rci"},
    {"/NetworkAdministrationService", "NetworkAdministration", "net"},
};

/* The core version: the firmware's major.minor.maintenance ("3.2.1"). */
static void core_version(const amt_device_cfg *cfg, GString *out, const char *p)
{
    char **parts = g_strsplit(cfg->fw_version ? cfg->fw_version : "0.0.0", ".", -1);
    GString *v = g_string_new(NULL);
    for (unsigned k = 0; parts[k] && k < 3; k++)
        g_string_append_printf(v, "%s%s", k ? "." : "", parts[k]);
    g_strfreev(parts);
    wsm_text_elem(out, p, "StatusCode", "0");
    wsm_text_elem(out, p, "Version", v->str);
    g_string_free(v, TRUE);
}

static void code_versions(const amt_device_cfg *cfg, GString *out, const char *p)
{
    static const char *const components[] = {"Flash", "Netstack", "AMTApps", "AMT"};
    const char *fw = cfg->fw_version ? cfg->fw_version : "0.0.0";
    wsm_text_elem(out, p, "StatusCode", "0");
    wsm_text_elem(out, p, "BiosVersion", "AMTSIM.86B.0001.2008.0101.0000");
    for (size_t k = 0; k < G_N_ELEMENTS(components); k++) {
        g_string_append_printf(out, "<%s:Versions>", p);
        wsm_text_elem(out, p, "Description", components[k]);
        wsm_text_elem(out, p, "Version", fw);
        g_string_append_printf(out, "</%s:Versions>", p);
    }
}

static void power_state(const amt_device_cfg *cfg, GString *out, const char *p)
{
    (void)cfg;
    wsm_text_elem(out, p, "StatusCode", "0");
    wsm_text_elem(out, p, "SystemPowerState", "0"); /* S0: powered on */
}

static void host_name(const amt_device_cfg *cfg, GString *out, const char *p)
{
    wsm_text_elem(out, p, "StatusCode", "0");
    wsm_text_elem(out, p, "HostName", cfg->hostname);
}

static void domain_name(const amt_device_cfg *cfg, GString *out, const char *p)
{
    wsm_text_elem(out, p, "StatusCode", "0");
    wsm_text_elem(out, p, "DomainName", cfg->domain);
}

static const struct eoi_method {
    const char *path, *method;
    eoi_fn fn;
} methods[] = {
    {"/SecurityAdministrationService", "GetCoreVersion", core_version},
    {"/GeneralInfoService", "GetCoreVersion", core_version},
    {"/GeneralInfoService", "GetCodeVersions", code_versions},
    {"/RemoteControlService", "GetSystemPowerState", power_state},
    {"/NetworkAdministrationService", "GetHostName", host_name},
    {"/NetworkAdministrationService", "GetDomainName", domain_name},
};

static const eoi_service *find_service(const char *path)
{
    for (size_t k = 0; path && k < G_N_ELEMENTS(services); k++)
        if (strcmp(services[k].path, path) == 0)
            return &services[k];
    return NULL;
}

int amt_eoi_is_service(const char *path)
{
    return find_service(path) != NULL;
}

static void envelope_open(GString *out, const char *prefix, const char *ns)
{
    g_string_append(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><SOAP-ENV:Envelope "
                         "xmlns:SOAP-ENV=\"" NS_SOAP11 "\" xmlns:SOAP-ENC=\"" NS_SOAP11_ENC
                         "\" xmlns:xsi=\"" NS_XSI "\" xmlns:xsd=\"" NS_XSD "\"");
    if (prefix)
        g_string_append_printf(out, " xmlns:%s=\"%s\"", prefix, ns);
    g_string_append(out, "><SOAP-ENV:Body>");
}

static void envelope_close(GString *out)
{
    g_string_append(out, "</SOAP-ENV:Body></SOAP-ENV:Envelope>");
}

/* SOAP 1.1 section 6.2: a fault goes out with HTTP 500. */
static void soap11_fault(amt_reply *out, const char *code, const char *text)
{
    g_string_truncate(out->body, 0);
    envelope_open(out->body, NULL, NULL);
    char *esc = g_markup_escape_text(text, -1);
    g_string_append_printf(out->body,
                           "<SOAP-ENV:Fault><faultcode>SOAP-ENV:%s</faultcode>"
                           "<faultstring>%s</faultstring></SOAP-ENV:Fault>",
                           code, esc);
    g_free(esc);
    envelope_close(out->body);
    out->status = 500;
}

void amt_eoi_handle(amt_model *m, const char *path, const char *body, size_t len, amt_reply *out)
{
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->content_type = EOI_CONTENT_TYPE;
    out->body = g_string_sized_new(1024);
    const eoi_service *svc = find_service(path);
    sx_node *env = body ? sx_parse(body, len, NULL) : NULL;
    const sx_node *call = NULL;
    if (sx_is(env, NS_SOAP11, "Envelope"))
        call = sx_child(sx_child(env, NS_SOAP11, "Body"), NULL, NULL);
    if (!svc || !call) {
        soap11_fault(out, "Client", "The request is not a SOAP 1.1 message for this service");
        goto done;
    }
    char *ns = g_strconcat(EOI_NS_BASE, svc->name, "/2004/01", NULL);
    const struct eoi_method *hit = NULL;
    for (size_t k = 0; strcmp(call->ns, ns) == 0 && k < G_N_ELEMENTS(methods); k++)
        if (strcmp(methods[k].path, svc->path) == 0 && strcmp(methods[k].method, call->name) == 0)
            hit = &methods[k];
    if (!hit) {
        char *msg = g_strdup_printf("Method '%s' not implemented: method name or namespace not "
                                    "recognized",
                                    call->name);
        soap11_fault(out, "Client", msg);
        g_free(msg);
        g_free(ns);
        goto done;
    }
    envelope_open(out->body, svc->prefix, ns);
    g_string_append_printf(out->body, "<%s:%sResponse>", svc->prefix, hit->method);
    hit->fn(amt_model_cfg(m), out->body, svc->prefix);
    g_string_append_printf(out->body, "</%s:%sResponse>", svc->prefix, hit->method);
    envelope_close(out->body);
    g_free(ns);
done:
    sx_free(env);
}
