/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The console's HTTP client: Digest login the way AMT consoles do it
 * (RFC 2617, MD5, qop=auth, nc per nonce), response reading, and the
 * WS-Man / EOI request envelopes. Envelope shapes follow Intel's WS-Man
 * client libraries: Action, To, ResourceURI, MessageID (decimal), ReplyTo,
 * OperationTimeout, with the SOAP namespace as the default namespace. */
#include "console_http.h"

#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <openssl/crypto.h>
#include "http_digest.h"
#include "http_io.h"
#include "simxml.h"
#include "wsman_msgs.h"

#define CONSOLE_MAX_BODY (4 * 1024 * 1024)
#define CNONCE_SALT UINT64_C(0x636f6e736f6c6521) /* "console!" */
#define USER_AGENT "Intel(R) AMT console sim"

struct console_http {
    char *user, *password, *host;
    digest_prng rng;
    console_mode mode;
    /* the last Digest challenge */
    char *realm, *opaque;
    int qop_auth; /* offered qop includes auth; without qop: RFC 2069 */
    char *nonce;
    uint32_t nc;
    /* the challenge before it, for CONSOLE_REUSE_NONCE */
    char *prev_nonce;
    uint32_t prev_nc;
    unsigned challenges;
    int reused;
    uint64_t message_id;
};

void http_response_clear(http_response *r)
{
    free(r->www_authenticate);
    free(r->content_type);
    free(r->body);
    memset(r, 0, sizeof *r);
}

console_http *console_http_new(const char *user, const char *password, const char *host,
                               uint32_t seed)
{
    console_http *c = g_new0(console_http, 1);
    c->user = g_strdup(user ? user : "");
    c->password = g_strdup(password ? password : "");
    c->host = g_strdup(host ? host : "");
    digest_prng_seed(&c->rng, seed, CNONCE_SALT);
    return c;
}

void console_http_free(console_http *c)
{
    if (!c)
        return;
    OPENSSL_cleanse(c->password, strlen(c->password));
    g_free(c->password);
    g_free(c->user);
    g_free(c->host);
    g_free(c->realm);
    g_free(c->opaque);
    g_free(c->nonce);
    g_free(c->prev_nonce);
    g_free(c);
}

void console_http_set_mode(console_http *c, console_mode m)
{
    c->mode = m;
}

/* ---- Digest ---- */

static int qop_offers_auth(const char *qop)
{
    if (!qop)
        return 0;
    char **opts = g_strsplit(qop, ",", -1);
    int yes = 0;
    for (char **o = opts; *o && !yes; o++)
        yes = g_ascii_strcasecmp(g_strstrip(*o), "auth") == 0;
    g_strfreev(opts);
    return yes;
}

/* Takes the Digest challenge of a response, if it has one. */
static void remember_challenge(console_http *c, const http_head *h)
{
    for (unsigned k = 0; k < h->n; k++) {
        if (g_ascii_strcasecmp(h->name[k], "WWW-Authenticate") != 0)
            continue;
        digest_params p;
        if (digest_params_parse(h->value[k], &p) != 0)
            continue;
        const char *realm = digest_param(&p, "realm");
        const char *nonce = digest_param(&p, "nonce");
        if (realm && nonce) {
            g_free(c->realm);
            c->realm = g_strdup(realm);
            g_free(c->opaque);
            c->opaque = g_strdup(digest_param(&p, "opaque"));
            const char *qop = digest_param(&p, "qop");
            c->qop_auth = qop ? qop_offers_auth(qop) : 0;
            if (!c->nonce || strcmp(c->nonce, nonce) != 0) {
                g_free(c->prev_nonce);
                c->prev_nonce = c->nonce;
                c->prev_nc = c->nc;
                c->nonce = g_strdup(nonce);
                c->nc = 0;
            }
            c->challenges++;
        }
        digest_params_clear(&p);
        return;
    }
}

static void append_quoted(GString *o, const char *name, const char *value)
{
    g_string_append_printf(o, "%s=\"", name);
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_c(o, '\\');
        g_string_append_c(o, *p);
    }
    g_string_append_c(o, '"');
}

static void append_authorization(console_http *c, GString *o, const char *method, const char *uri)
{
    const char *nonce = c->nonce;
    uint32_t *nc = &c->nc;
    /* once, right after a second challenge: answer with the older nonce,
     * which the device should call stale */
    if (c->mode == CONSOLE_REUSE_NONCE && !c->reused && c->challenges >= 2 && c->prev_nonce) {
        nonce = c->prev_nonce;
        nc = &c->prev_nc;
        c->reused = 1;
    }
    (*nc)++;
    char nc_text[9], cnonce[17], response[33];
    g_snprintf(nc_text, sizeof nc_text, "%08x", (unsigned)*nc);
    digest_make_cnonce(&c->rng, cnonce);
    if (c->mode == CONSOLE_EMPTY_RESPONSE)
        response[0] = '\0';
    else
        digest_response(c->user, c->realm, c->password, method, uri, nonce,
                        c->qop_auth ? nc_text : NULL, c->qop_auth ? cnonce : NULL,
                        c->qop_auth ? "auth" : NULL, response);
    g_string_append(o, "Authorization: Digest ");
    append_quoted(o, "username", c->user);
    g_string_append(o, ", ");
    append_quoted(o, "realm", c->realm);
    g_string_append(o, ", ");
    append_quoted(o, "nonce", nonce);
    g_string_append(o, ", ");
    append_quoted(o, "uri", uri);
    g_string_append(o, ", ");
    append_quoted(o, "response", response);
    if (c->qop_auth) {
        g_string_append_printf(o, ", qop=auth, nc=%s, ", nc_text);
        append_quoted(o, "cnonce", cnonce);
    }
    if (c->opaque) {
        g_string_append(o, ", ");
        append_quoted(o, "opaque", c->opaque);
    }
    g_string_append(o, "\r\n");
}

/* SOAP 1.1 requires a SOAPAction header; SOAP stacks send "<ns>#<method>". */
static void append_soap_action(GString *o, const char *body)
{
    sx_node *env = sx_parse(body, strlen(body), NULL);
    const sx_node *call = sx_is(env, NS_SOAP11, "Envelope")
                              ? sx_child(sx_child(env, NS_SOAP11, "Body"), NULL, NULL)
                              : NULL;
    if (call)
        g_string_append_printf(o, "SOAPAction: \"%s#%s\"\r\n", call->ns, call->name);
    sx_free(env);
}

/* ---- exchange ---- */

static char *dup_malloc(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* The value to report: the Digest challenge if there is one. */
static const char *pick_www_authenticate(const http_head *h)
{
    const char *first = NULL;
    for (unsigned k = 0; k < h->n; k++) {
        if (g_ascii_strcasecmp(h->name[k], "WWW-Authenticate") != 0)
            continue;
        if (!first)
            first = h->value[k];
        if (g_ascii_strncasecmp(h->value[k], "Digest", 6) == 0)
            return h->value[k];
    }
    return first;
}

int console_http_exchange(console_http *c, simio *io, const char *method, const char *uri,
                          const char *content_type, const char *body, http_response *out)
{
    memset(out, 0, sizeof *out);
    GString *req = g_string_sized_new(1024);
    g_string_append_printf(req, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, uri, c->host);
    if (strcmp(uri, "/wsman") == 0)
        g_string_append(req, "User-Agent: " USER_AGENT "\r\n");
    if (c->nonce && c->realm)
        append_authorization(c, req, method, uri);
    if (body) {
        if (content_type) {
            g_string_append_printf(req, "Content-Type: %s\r\n", content_type);
            if (g_str_has_prefix(content_type, "text/xml"))
                append_soap_action(req, body);
        }
        g_string_append_printf(req, "Content-Length: %zu\r\n\r\n", strlen(body));
        g_string_append(req, body);
    } else {
        if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0)
            g_string_append(req, "Content-Length: 0\r\n");
        g_string_append(req, "\r\n");
    }
    int rc = simio_write(io, req->str, req->len);
    g_string_free(req, TRUE);
    if (rc != 0)
        return -1;

    http_reader rd;
    http_reader_init(&rd, io);
    http_head h;
    if (http_read_head(&rd, 0, &h) != HTTP_MSG_OK)
        return -1;
    out->status = h.status;
    out->www_authenticate = dup_malloc(pick_www_authenticate(&h));
    out->content_type = dup_malloc(http_head_get(&h, "Content-Type"));
    out->conn_close =
        http_head_has_token(&h, "Connection", "close") ||
        (h.minor_version == 0 && !http_head_has_token(&h, "Connection", "keep-alive"));
    if (h.status == 401)
        remember_challenge(c, &h);
    http_body_kind kind;
    uint64_t length;
    rc = http_body_framing(&h, method, &kind, &length);
    if (rc == HTTP_MSG_OK) {
        if (kind == HTTP_BODY_TO_CLOSE)
            out->conn_close = 1;
        rc = http_read_body(&rd, kind, length, CONSOLE_MAX_BODY, &out->body, &out->body_len);
    }
    http_head_clear(&h);
    return rc == HTTP_MSG_OK ? 0 : -1;
}

/* ---- request envelopes ---- */

/* Builders hand out malloc'd strings (callers free() them). */
static char *finish(GString *s)
{
    char *r = strdup(s->str);
    g_string_free(s, TRUE);
    return r;
}

static char *class_uri(const char *cls)
{
    char *uri = wsm_resource_uri(cls);
    /* an unknown prefix still gets a well-formed request: AMT's schema */
    return uri ? uri : g_strconcat(WSM_URI_AMT, cls, NULL);
}

static GString *envelope_begin(console_http *c, const char *action, const char *resource_uri)
{
    GString *s = g_string_sized_new(1024);
    g_string_append(s, "<?xml version=\"1.0\" encoding=\"utf-8\"?><Envelope xmlns:xsi=\"" NS_XSI
                       "\" xmlns:xsd=\"" NS_XSD "\" xmlns:a=\"" NS_WSA "\" xmlns:w=\"" NS_WSMAN
                       "\" xmlns=\"" NS_SOAP12 "\"><Header>");
    wsm_text_elem(s, "a", "Action", action);
    wsm_text_elem(s, "a", "To", "/wsman");
    wsm_text_elem(s, "w", "ResourceURI", resource_uri);
    g_string_append_printf(s, "<a:MessageID>%" G_GUINT64_FORMAT "</a:MessageID>", c->message_id++);
    g_string_append(s, "<a:ReplyTo>");
    wsm_text_elem(s, "a", "Address", WSA_ANONYMOUS);
    g_string_append(s, "</a:ReplyTo><w:OperationTimeout>PT60S</w:OperationTimeout>");
    return s;
}

static void append_selector(GString *s, const char *name, const char *value)
{
    char *n = g_markup_escape_text(name, -1);
    char *v = g_markup_escape_text(value, -1);
    g_string_append_printf(s,
                           "<w:SelectorSet><w:Selector Name=\"%s\">%s</w:Selector>"
                           "</w:SelectorSet>",
                           n, v);
    g_free(n);
    g_free(v);
}

char *wsman_identify(void)
{
    return strdup("<?xml version=\"1.0\" encoding=\"UTF-8\"?><s:Envelope xmlns:s=\"" NS_SOAP12
                  "\" xmlns:wsmid=\"" NS_WSMID "\"><s:Header/><s:Body><wsmid:Identify/>"
                  "</s:Body></s:Envelope>");
}

char *wsman_get(console_http *c, const char *cls)
{
    char *uri = class_uri(cls);
    GString *s = envelope_begin(c, WSM_ACTION_GET, uri);
    g_string_append(s, "</Header><Body></Body></Envelope>");
    g_free(uri);
    return finish(s);
}

/* The element named want, in namespace ns as prefix "h": xml itself when it
 * already is that element, else xml wrapped in it. */
static char *as_element(const char *xml, const char *want, const char *ns, sx_node **parsed)
{
    char *out = NULL;
    sx_node *n = xml ? sx_parse(xml, strlen(xml), NULL) : NULL;
    if (n && strcmp(n->name, want) == 0) {
        out = g_strdup(xml);
    } else {
        sx_free(n);
        out = g_strdup_printf("<h:%s xmlns:h=\"%s\">%s</h:%s>", want, ns, xml ? xml : "", want);
        n = sx_parse(out, strlen(out), NULL);
    }
    *parsed = n;
    return out;
}

char *wsman_put(console_http *c, const char *cls, const char *instance_xml)
{
    char *uri = class_uri(cls);
    sx_node *inst = NULL;
    char *elem = as_element(instance_xml, cls, uri, &inst);
    GString *s = envelope_begin(c, WSM_ACTION_PUT, uri);
    /* Put addresses the instance by its key, as Intel's libraries do */
    const char *id = sx_child_text(inst, NULL, "InstanceID");
    if (id)
        append_selector(s, "InstanceID", id);
    g_string_append_printf(s, "</Header><Body>%s</Body></Envelope>", elem);
    sx_free(inst);
    g_free(elem);
    g_free(uri);
    return finish(s);
}

char *wsman_enumerate(console_http *c, const char *cls)
{
    char *uri = class_uri(cls);
    GString *s = envelope_begin(c, WSM_ACTION_ENUMERATE, uri);
    g_string_append(s, "</Header><Body><Enumerate xmlns=\"" NS_WSEN "\" /></Body></Envelope>");
    g_free(uri);
    return finish(s);
}

char *wsman_pull(console_http *c, const char *cls, const char *context)
{
    char *uri = class_uri(cls);
    GString *s = envelope_begin(c, WSM_ACTION_PULL, uri);
    char *ctx = g_markup_escape_text(context ? context : "", -1);
    g_string_append_printf(s,
                           "</Header><Body><Pull xmlns=\"" NS_WSEN "\"><EnumerationContext>%s"
                           "</EnumerationContext><MaxElements>999</MaxElements>"
                           "<MaxCharacters>99999</MaxCharacters></Pull></Body></Envelope>",
                           ctx);
    g_free(ctx);
    g_free(uri);
    return finish(s);
}

char *wsman_invoke(console_http *c, const char *cls, const char *method, const char *input_xml)
{
    char *uri = class_uri(cls);
    char *action = g_strconcat(uri, "/", method, NULL);
    char *input_name = g_strconcat(method, "_INPUT", NULL);
    sx_node *parsed = NULL;
    char *elem = as_element(input_xml, input_name, uri, &parsed);
    sx_free(parsed);
    GString *s = envelope_begin(c, action, uri);
    g_string_append_printf(s, "</Header><Body>%s</Body></Envelope>", elem);
    g_free(elem);
    g_free(input_name);
    g_free(action);
    g_free(uri);
    return finish(s);
}

char *eoi_request(const char *service, const char *method, const char *args_xml)
{
    /* the namespace names the service without its "Service" suffix */
    char *name = g_strdup(service);
    if (g_str_has_suffix(name, "Service") && strlen(name) > 7)
        name[strlen(name) - 7] = '\0';
    GString *s = g_string_sized_new(512);
    g_string_append_printf(s,
                           "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope "
                           "xmlns:xsi=\"" NS_XSI "\" xmlns:xsd=\"" NS_XSD
                           "\" xmlns:soap=\"" NS_SOAP11 "\"><soap:Body><%s "
                           "xmlns=\"http://schemas.intel.com/platform/client/%s/2004/01\">%s"
                           "</%s></soap:Body></soap:Envelope>",
                           method, name, args_xml ? args_xml : "", method);
    g_free(name);
    return finish(s);
}
