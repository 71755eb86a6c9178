/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fake AMT's WS-Management endpoint: reads the request by namespace
 * (any prefixes), applies AMT's access rule, dispatches on the Action to
 * amt_model, and writes AMT-shaped responses. DSP0226 WS-Management 1.0,
 * DSP0217 (Identify), WS-Transfer, WS-Enumeration. */
#include "amt_service.h"

#include <string.h>
#include "wsman_msgs.h"

#define SOAP12_CONTENT_TYPE "application/soap+xml; charset=UTF-8"
#define MAX_SELECTORS 8

void amt_reply_clear(amt_reply *r)
{
    if (r->body)
        g_string_free(r->body, TRUE);
    memset(r, 0, sizeof *r);
}

static sx_node *body_of(const sx_node *env)
{
    if (!sx_is(env, NS_SOAP12, "Envelope"))
        return NULL;
    return sx_child(env, NS_SOAP12, "Body");
}

int amt_wsman_is_identify(const char *body, size_t len)
{
    sx_node *env = body ? sx_parse(body, len, NULL) : NULL;
    int yes = sx_is(sx_child(body_of(env), NULL, NULL), NS_WSMID, "Identify");
    sx_free(env);
    return yes;
}

/* WS-Man faults go out as HTTP 400, and AMT closes the connection after
 * them (Connection: close in its 400 responses). */
static void fault(amt_model *m, amt_reply *out, wsm_fault f, const char *relates_to)
{
    g_string_truncate(out->body, 0);
    wsm_write_fault(out->body, f, relates_to ? relates_to : "", amt_model_next_message_id(m));
    out->status = 400;
    out->close = 1;
}

static void identify(amt_model *m, amt_reply *out)
{
    const amt_device_cfg *cfg = amt_model_cfg(m);
    GString *o = out->body;
    char **parts = g_strsplit(cfg->fw_version ? cfg->fw_version : "0.0", ".", 3);
    g_string_append(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a:Envelope xmlns:a=\"" NS_SOAP12
                       "\" xmlns:b=\"" NS_WSMID "\"><a:Header></a:Header><a:Body>"
                       "<b:IdentifyResponse>");
    wsm_text_elem(o, "b", "ProtocolVersion", NS_WSMAN);
    wsm_text_elem(o, "b", "ProductVendor", "Intel Corporation");
    char *version = g_strdup_printf("AMT %s.%s", parts[0] ? parts[0] : "0",
                                    parts[0] && parts[1] ? parts[1] : "0");
    wsm_text_elem(o, "b", "ProductVersion", version);
    g_free(version);
    g_strfreev(parts);
    g_string_append(o, "<b:SecurityProfiles>");
    wsm_text_elem(o, "b", "SecurityProfileName",
                  "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/digest");
    wsm_text_elem(o, "b", "SecurityProfileName",
                  "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/digest");
    if (cfg->mutual_auth)
        wsm_text_elem(o, "b", "SecurityProfileName",
                      "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual/digest");
    g_string_append(o, "</b:SecurityProfiles></b:IdentifyResponse></a:Body></a:Envelope>");
}

static void write_instance(const wsm_writer *w, const char *elem, const amt_instance *inst)
{
    GString *o = w->out;
    g_string_append_printf(o, "<%s:%s>", w->cls, elem);
    for (guint k = 0; k < inst->props->len; k++) {
        const amt_prop *p = g_ptr_array_index(inst->props, k);
        if (!p->epr_class) {
            wsm_text_elem(o, w->cls, p->name, p->value);
            continue;
        }
        char *uri = wsm_resource_uri(p->epr_class);
        char *sel = g_markup_escape_text(p->value, -1);
        g_string_append_printf(o, "<%s:%s>", w->cls, p->name);
        wsm_text_elem(o, w->wsa, "Address", WSA_ANONYMOUS);
        g_string_append_printf(o, "<%s:ReferenceParameters>", w->wsa);
        wsm_text_elem(o, w->wsman, "ResourceURI", uri);
        g_string_append_printf(o,
                               "<%s:SelectorSet><%s:Selector Name=\"InstanceID\">%s</%s:Selector>"
                               "</%s:SelectorSet></%s:ReferenceParameters></%s:%s>",
                               w->wsman, w->wsman, sel, w->wsman, w->wsman, w->wsa, w->cls,
                               p->name);
        g_free(sel);
        g_free(uri);
    }
    g_string_append_printf(o, "</%s:%s>", w->cls, elem);
}

/* The request as the handlers need it. */
typedef struct wsman_req {
    const sx_node *header, *body, *first; /* first: the Body's first element */
    const char *action, *message_id, *resource_uri, *cls;
    amt_selector sel[MAX_SELECTORS];
    unsigned n_sel;
} wsman_req;

static int read_selectors(wsman_req *r)
{
    const sx_node *set = sx_child(r->header, NS_WSMAN, "SelectorSet");
    for (guint k = 0; set && k < set->children->len; k++) {
        const sx_node *s = g_ptr_array_index(set->children, k);
        if (!sx_is(s, NS_WSMAN, "Selector"))
            continue;
        const char *name = sx_attr_value(s, NULL, "Name");
        if (!name || r->n_sel >= MAX_SELECTORS)
            return -1;
        r->sel[r->n_sel].name = name;
        r->sel[r->n_sel].value = s->text->str;
        r->n_sel++;
    }
    return 0;
}

static void model_fault(amt_model *m, amt_reply *out, amt_result res, const char *relates_to)
{
    wsm_fault f = WSM_FAULT_ACTION_NOT_SUPPORTED;
    switch (res) {
    case AMT_NO_CLASS:
        f = WSM_FAULT_DESTINATION_UNREACHABLE;
        break;
    case AMT_BAD_SELECTOR:
        f = WSM_FAULT_INVALID_SELECTORS;
        break;
    case AMT_BAD_INPUT:
        f = WSM_FAULT_INVALID_REPRESENTATION;
        break;
    case AMT_BAD_CONTEXT:
        f = WSM_FAULT_INVALID_ENUMERATION_CONTEXT;
        break;
    default:
        break;
    }
    fault(m, out, f, relates_to);
}

static void single_instance_reply(amt_model *m, const wsman_req *r, const char *action,
                                  const amt_instance *inst, const char *elem, amt_reply *out)
{
    wsm_writer w;
    wsm_begin(&w, out->body, WSM_ENV_RESOURCE, r->resource_uri, action, r->message_id,
              amt_model_next_message_id(m), r->resource_uri);
    write_instance(&w, elem, inst);
    wsm_end(&w);
}

static void do_get(amt_model *m, const wsman_req *r, int64_t capture_s, amt_reply *out)
{
    amt_instance *inst = NULL;
    amt_result res = amt_model_get(m, r->cls, r->sel, r->n_sel, capture_s, &inst);
    if (res != AMT_OK) {
        model_fault(m, out, res, r->message_id);
        return;
    }
    single_instance_reply(m, r, NS_WXF "/GetResponse", inst, r->cls, out);
    amt_instance_free(inst);
}

static void do_put(amt_model *m, const wsman_req *r, amt_reply *out)
{
    amt_instance *inst = NULL;
    amt_result res = amt_model_put(m, r->cls, r->sel, r->n_sel, r->first, &inst);
    if (res != AMT_OK) {
        model_fault(m, out, res, r->message_id);
        return;
    }
    single_instance_reply(m, r, NS_WXF "/PutResponse", inst, r->cls, out);
    amt_instance_free(inst);
}

static void do_enumerate(amt_model *m, const wsman_req *r, amt_reply *out)
{
    char ctx[40];
    amt_result res = amt_model_enumerate(m, r->cls, ctx);
    if (res != AMT_OK) {
        model_fault(m, out, res, r->message_id);
        return;
    }
    wsm_writer w;
    wsm_begin(&w, out->body, WSM_ENV_ENUMERATION, NULL, NS_WSEN "/EnumerateResponse", r->message_id,
              amt_model_next_message_id(m), r->resource_uri);
    g_string_append_printf(out->body, "<%s:EnumerateResponse>", w.wsen);
    wsm_text_elem(out->body, w.wsen, "EnumerationContext", ctx);
    g_string_append_printf(out->body, "</%s:EnumerateResponse>", w.wsen);
    wsm_end(&w);
}

static void do_pull(amt_model *m, const wsman_req *r, int64_t capture_s, amt_reply *out)
{
    const sx_node *pull = sx_is(r->first, NS_WSEN, "Pull") ? r->first : NULL;
    const char *ctx = sx_child_text(pull, NS_WSEN, "EnumerationContext");
    const char *max_s = sx_child_text(pull, NS_WSEN, "MaxElements");
    /* WS-Enumeration: MaxElements defaults to 1 */
    guint64 max = 1;
    if (max_s && (!g_ascii_string_to_unsigned(max_s, 10, 1, 65535, &max, NULL))) {
        fault(m, out, WSM_FAULT_SCHEMA_VALIDATION, r->message_id);
        return;
    }
    char cls[64];
    int end = 0;
    GPtrArray *items = g_ptr_array_new_with_free_func(amt_instance_free);
    amt_result res = amt_model_pull(m, ctx, (unsigned)max, capture_s, cls, items, &end);
    if (res != AMT_OK) {
        g_ptr_array_free(items, TRUE);
        model_fault(m, out, res, r->message_id);
        return;
    }
    char *uri = wsm_resource_uri(cls);
    wsm_writer w;
    wsm_begin(&w, out->body, WSM_ENV_ENUMERATION, uri, NS_WSEN "/PullResponse", r->message_id,
              amt_model_next_message_id(m), uri);
    g_string_append_printf(out->body, "<%s:PullResponse>", w.wsen);
    if (!end)
        wsm_text_elem(out->body, w.wsen, "EnumerationContext", ctx);
    g_string_append_printf(out->body, "<%s:Items>", w.wsen);
    for (guint k = 0; k < items->len; k++)
        write_instance(&w, cls, g_ptr_array_index(items, k));
    g_string_append_printf(out->body, "</%s:Items>", w.wsen);
    if (end)
        g_string_append_printf(out->body, "<%s:EndOfSequence></%s:EndOfSequence>", w.wsen, w.wsen);
    g_string_append_printf(out->body, "</%s:PullResponse>", w.wsen);
    wsm_end(&w);
    g_free(uri);
    g_ptr_array_free(items, TRUE);
}

static void do_release(amt_model *m, const wsman_req *r, amt_reply *out)
{
    const char *ctx = sx_child_text(r->first, NS_WSEN, "EnumerationContext");
    amt_result res =
        sx_is(r->first, NS_WSEN, "Release") ? amt_model_release(m, ctx) : AMT_BAD_CONTEXT;
    if (res != AMT_OK) {
        model_fault(m, out, res, r->message_id);
        return;
    }
    wsm_writer w;
    wsm_begin(&w, out->body, WSM_ENV_ENUMERATION, NULL, NS_WSEN "/ReleaseResponse", r->message_id,
              amt_model_next_message_id(m), r->resource_uri);
    wsm_end(&w);
}

/* A class method: Action = <ResourceURI>/<Method>. */
static int do_method(amt_model *m, const wsman_req *r, int64_t capture_s, amt_reply *out)
{
    size_t ulen = strlen(r->resource_uri);
    if (strncmp(r->action, r->resource_uri, ulen) != 0 || r->action[ulen] != '/')
        return 0;
    const char *method = r->action + ulen + 1;
    if (!*method || strchr(method, '/') || strlen(method) > 128)
        return 0;
    char *input_name = g_strconcat(method, "_INPUT", NULL);
    const sx_node *input = r->first && strcmp(r->first->name, input_name) == 0 ? r->first : NULL;
    g_free(input_name);
    amt_instance *o = NULL;
    amt_result res = amt_model_invoke(m, r->cls, method, input, capture_s, &o);
    if (res != AMT_OK) {
        model_fault(m, out, res, r->message_id);
        return 1;
    }
    char *action = g_strconcat(r->resource_uri, "/", method, "Response", NULL);
    char *output = g_strconcat(method, "_OUTPUT", NULL);
    single_instance_reply(m, r, action, o, output, out);
    g_free(output);
    g_free(action);
    amt_instance_free(o);
    return 1;
}

void amt_wsman_handle(amt_model *m, const amt_user *user, const char *body, size_t len,
                      int64_t capture_s, amt_reply *out)
{
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->content_type = SOAP12_CONTENT_TYPE;
    out->body = g_string_sized_new(2048);
    sx_node *env = body ? sx_parse(body, len, NULL) : NULL;
    wsman_req r = {0};
    r.body = body_of(env);
    if (!r.body) {
        fault(m, out, WSM_FAULT_SCHEMA_VALIDATION, NULL);
        goto done;
    }
    r.header = sx_child(env, NS_SOAP12, "Header");
    r.first = sx_child(r.body, NULL, NULL);
    if (sx_is(r.first, NS_WSMID, "Identify")) {
        identify(m, out);
        goto done;
    }
    r.action = sx_child_text(r.header, NS_WSA, "Action");
    r.message_id = sx_child_text(r.header, NS_WSA, "MessageID");
    r.resource_uri = sx_child_text(r.header, NS_WSMAN, "ResourceURI");
    if (!user) {
        /* amt_http only passes unauthenticated Identify requests here */
        fault(m, out, WSM_FAULT_ACCESS_DENIED, r.message_id);
        goto done;
    }
    if (!r.action || !*r.action || !r.message_id || !*r.message_id) {
        fault(m, out, WSM_FAULT_HEADER_REQUIRED, r.message_id);
        goto done;
    }
    r.cls = wsm_class_from_uri(r.resource_uri);
    if (!r.cls) {
        fault(m, out, WSM_FAULT_DESTINATION_UNREACHABLE, r.message_id);
        goto done;
    }
    /* AMT's realms: this user may read the general settings and nothing else */
    if (user->access_denied && strcmp(r.cls, "AMT_GeneralSettings") != 0) {
        fault(m, out, WSM_FAULT_ACCESS_DENIED, r.message_id);
        goto done;
    }
    if (read_selectors(&r) != 0) {
        fault(m, out, WSM_FAULT_INVALID_SELECTORS, r.message_id);
        goto done;
    }
    if (strcmp(r.action, WSM_ACTION_GET) == 0)
        do_get(m, &r, capture_s, out);
    else if (strcmp(r.action, WSM_ACTION_PUT) == 0)
        do_put(m, &r, out);
    else if (strcmp(r.action, WSM_ACTION_ENUMERATE) == 0)
        do_enumerate(m, &r, out);
    else if (strcmp(r.action, WSM_ACTION_PULL) == 0)
        do_pull(m, &r, capture_s, out);
    else if (strcmp(r.action, WSM_ACTION_RELEASE) == 0)
        do_release(m, &r, out);
    else if (!do_method(m, &r, capture_s, out))
        fault(m, out, WSM_FAULT_ACTION_NOT_SUPPORTED, r.message_id);
done:
    sx_free(env);
}
