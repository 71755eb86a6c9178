/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serve_log: amtsim --serve's connections.jsonl, one JSON object a line. */
#include "serve_log.h"
#include "dns.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

void serve_answers_note(void *arg, const char *method, const char *target, int status)
{
    serve_answers *a = arg;
    if (a->n == SERVE_MAX_ANSWERS)
        return;
    snprintf(a->request[a->n], sizeof a->request[0], "%s %s", method, target);
    a->status[a->n++] = status;
}

static void add_str(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

static void add_int(JsonBuilder *b, const char *name, gint64 value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, value);
}

static void endpoint_text(const sim_endpoint *ep, char *buf, size_t len)
{
    char a[64];
    sim_endpoint_addr_str(ep, a, sizeof a);
    snprintf(buf, len, ep->family == 6 ? "[%s]:%u" : "%s:%u", a, ep->port);
}

/* Writes the object b built as one line, and frees b. */
static void write_line(FILE *log, JsonBuilder *b)
{
    JsonGenerator *g = json_generator_new();
    JsonNode *root = json_builder_get_root(b);
    json_generator_set_root(g, root);
    char *text = json_generator_to_data(g, NULL);
    fprintf(log, "%s\n", text);
    fflush(log);
    g_free(text);
    json_node_unref(root);
    g_object_unref(g);
    g_object_unref(b);
}

void serve_log_conn(FILE *log, long n, int port, const sim_conn_facts *f, const char *verdict,
                    const serve_answers *a, const char *refused, const char *refused_line)
{
    JsonBuilder *b = json_builder_new();
    char ep[80];
    json_builder_begin_object(b);
    add_int(b, "n", n);
    add_int(b, "port", port);
    endpoint_text(&f->cli, ep, sizeof ep);
    add_str(b, "client", ep);
    if (refused) {
        add_str(b, "refused", refused);
        add_str(b, "request_line", refused_line[0] ? refused_line : NULL);
    }
    if (f->tls) {
        json_builder_set_member_name(b, "tls");
        json_builder_begin_object(b);
        add_str(b, "handshake", f->handshake_done ? "complete" : "failed");
        add_str(b, "version", f->handshake_done ? f->tls_version : NULL);
        add_str(b, "cipher", f->handshake_done ? f->tls_cipher : NULL);
        json_builder_set_member_name(b, "certificate_request");
        json_builder_add_boolean_value(b, f->cert_request);
        add_str(b, "client_certificate",
                !f->cert_request           ? NULL
                : f->client_cert_sent == 1 ? "sent"
                                           : "empty");
        json_builder_end_object(b);
        json_builder_set_member_name(b, "fatal_alert_sent");
        if (f->alert_sent >= 0)
            json_builder_add_int_value(b, f->alert_sent);
        else
            json_builder_add_null_value(b);
        add_str(b, "verdict", verdict && verdict[0] ? verdict : NULL);
    }
    json_builder_set_member_name(b, "answers");
    json_builder_begin_array(b);
    for (unsigned i = 0; a && i < a->n; i++) {
        json_builder_begin_object(b);
        add_str(b, "request", a->request[i]);
        add_int(b, "status", a->status[i]);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    write_line(log, b);
}

void serve_log_dns(FILE *log, const serve_dns_lookup *lu)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "dns");
    json_builder_begin_object(b);
    add_str(b, "name", lu->qname);
    add_str(b, "type",
            lu->qtype == DNS_TYPE_A      ? "A"
            : lu->qtype == DNS_TYPE_AAAA ? "AAAA"
            : lu->qtype == DNS_TYPE_PTR  ? "PTR"
                                         : "other");
    add_str(b, "rcode", lu->rcode == DNS_RCODE_OK ? "NOERROR" : "NXDOMAIN");
    add_str(b, "answer", lu->answer[0] ? lu->answer : NULL);
    json_builder_end_object(b);
    json_builder_end_object(b);
    write_line(log, b);
}
