/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_ndjson: one JSON object per line (report_ndjson.h, docs/ndjson.md). */
#include "report_ndjson.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <time.h>

#include "report_json_parts.h"

#define NDJSON_SCHEMA "amtdiag-ndjson/1"

struct ndjson_out {
    FILE *f;
    report_in r;
    outw w;
    jsonw j;
    int failed;
};

ndjson_out *ndjson_open(FILE *f, const report_in *r)
{
    ndjson_out *o = g_new0(ndjson_out, 1);
    o->f = f;
    o->r = *r;
    o->w = report_out(f, OUT_JSON, r);
    /* compact: one line per object; strings through the report's writer */
    jsonw_init(&o->j, &o->w, 0);
    return o;
}

/* RFC 3339 in UTC with microseconds, as Elastic's @timestamp and Splunk's
 * and Loki's time detection read it. */
static void member_time(jsonw *b, const char *name, int64_t us)
{
    char buf[48];
    time_t s = (time_t)(us / G_USEC_PER_SEC);
    long frac = (long)(us % G_USEC_PER_SEC);
    if (frac < 0) {
        frac += G_USEC_PER_SEC;
        s--;
    }
    struct tm tm;
    if (!gmtime_r(&s, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm)) {
        rj_member_str(b, name, NULL);
        return;
    }
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ".%06ldZ", frac);
    jsonw_name(b, name);
    jsonw_str_raw(b, buf);
}

/* ECS source / destination: the address through the writer (redacted
 * like every other value), the port as a number. */
static void endpoint_member(jsonw *b, const char *name, const tcp_endpoint *ep)
{
    char ip[INET6_ADDRSTRLEN] = "";
    inet_ntop(ep->family == AF_INET6 ? AF_INET6 : AF_INET, ep->addr, ip, sizeof ip);
    jsonw_name(b, name);
    jsonw_begin_object(b);
    rj_member_str(b, "ip", ip);
    rj_member_int(b, "port", ep->port);
    jsonw_end_object(b);
}

/* ECS event.outcome: success, failure or unknown. */
static const char *ecs_outcome(const diag_conn_result *cr)
{
    if (!cr)
        return "unknown";
    switch (cr->outcome) {
    case DIAG_OUTCOME_OK:
    case DIAG_OUTCOME_CHALLENGE:
        return "success";
    case DIAG_OUTCOME_REJECTED:
    case DIAG_OUTCOME_FAILED:
        return "failure";
    default:
        return "unknown";
    }
}

static void write_line(ndjson_out *o, jsonw *b)
{
    g_string_append_c(b->s, '\n');
    if (jsonw_drain(b, o->f) != 0)
        o->failed = 1;
}

/* The writer, at the start of a line. */
static jsonw *line_start(ndjson_out *o)
{
    o->j.depth = 0;
    o->j.after_name = 0;
    o->j.has_items[0] = 0;
    return &o->j;
}

/* The ECS event object; reason: the first finding's cause token. */
static void event_member(jsonw *b, const char *kind, const char *outcome, const char *reason)
{
    jsonw_name(b, "event");
    jsonw_begin_object(b);
    rj_member_str(b, "kind", kind);
    jsonw_name(b, "category");
    jsonw_begin_array(b);
    jsonw_str_raw(b, "network");
    jsonw_end_array(b);
    if (outcome)
        rj_member_str(b, "outcome", outcome);
    if (reason)
        rj_member_str(b, "reason", reason);
    rj_member_str(b, "dataset", "amtdiag");
    jsonw_end_object(b);
}

static void conn_line(ndjson_out *o, const conn_rec *c, const diag_result *d)
{
    report_in r = o->r;
    r.d = d;
    const diag_conn_result *cr = report_diag(&r, c);
    const diag_finding *top = cr && cr->findings->len ? g_ptr_array_index(cr->findings, 0) : NULL;
    jsonw *b = line_start(o);
    jsonw_begin_object(b);
    member_time(b, "@timestamp", c->first_ts_us);
    event_member(b, "event", ecs_outcome(cr), top ? top->cause->token : NULL);
    endpoint_member(b, "source", &c->client);
    endpoint_member(b, "destination", &c->server);
    jsonw_name(b, "network");
    jsonw_begin_object(b);
    rj_member_str(b, "transport", "tcp");
    rj_member_str(b, "protocol", c->app == APP_TLS ? "tls" : c->app == APP_HTTP ? "http" : NULL);
    jsonw_end_object(b);
    jsonw_name(b, "amtdiag");
    jsonw_begin_object(b);
    rj_member_str(b, "schema", NDJSON_SCHEMA);
    rj_member_str(b, "type", "connection");
    jsonw_name(b, "connection");
    rj_conn_json(b, &r, c);
    jsonw_end_object(b);
    jsonw_end_object(b);
    write_line(o, b);
}

static void finding_line(ndjson_out *o, const diag_finding *f, int64_t ts_us)
{
    jsonw *b = line_start(o);
    jsonw_begin_object(b);
    member_time(b, "@timestamp", ts_us);
    event_member(b, "alert", NULL, f->cause->token);
    jsonw_name(b, "amtdiag");
    jsonw_begin_object(b);
    rj_member_str(b, "schema", NDJSON_SCHEMA);
    rj_member_str(b, "type", "finding");
    jsonw_name(b, "finding");
    rj_finding_json(b, f);
    jsonw_end_object(b);
    jsonw_end_object(b);
    write_line(o, b);
}

void ndjson_conn(ndjson_out *o, const conn_rec *c, const diag_result *d, int64_t now_us)
{
    if (c)
        conn_line(o, c, d);
    for (guint i = 0; d && i < d->global->len; i++)
        finding_line(o, g_ptr_array_index(d->global, i), now_us);
}

static void str_array(jsonw *b, const char *name, const char *const *v, size_t n)
{
    jsonw_name(b, name);
    jsonw_begin_array(b);
    for (size_t i = 0; v && (n == (size_t)-1 ? v[i] != NULL : i < n); i++)
        rj_add_str(b, v[i]);
    jsonw_end_array(b);
}

int ndjson_summary(ndjson_out *o, const judge_counts *n)
{
    const analysis *a = o->r.a;
    jsonw *b = line_start(o);
    jsonw_begin_object(b);
    member_time(b, "@timestamp", n->last_ts_us);
    event_member(b, "metric", n->not_ok || n->errors ? "failure" : "success", NULL);
    jsonw_name(b, "amtdiag");
    jsonw_begin_object(b);
    rj_member_str(b, "schema", NDJSON_SCHEMA);
    rj_member_str(b, "type", "summary");
    str_array(b, "inputs", (const char *const *)a->inputs->pdata, a->inputs->len);
    str_array(b, "given", o->r.given, (size_t)-1);
    rj_member_int(b, "frames", (gint64)a->frames);
    rj_member_int(b, "connections", (gint64)n->conns);
    rj_member_int(b, "dns_messages", (gint64)n->dns);
    rj_member_int(b, "rejected", (gint64)n->rejected);
    rj_member_int(b, "errors", (gint64)n->errors);
    rj_member_int(b, "not_ok", (gint64)n->not_ok);
    jsonw_name(b, "outcomes");
    jsonw_begin_object(b);
    for (int k = 0; k < DIAG_N_OUTCOMES; k++)
        rj_member_int(b, diag_outcome_name(k), (gint64)n->outcome[k]);
    jsonw_end_object(b);
    jsonw_name(b, "causes");
    jsonw_begin_object(b);
    size_t nc = 0;
    const diag_cause *causes = diag_causes(&nc);
    for (size_t k = 0; k < nc; k++)
        if ((size_t)causes[k].id < n->n_causes && n->by_cause[causes[k].id])
            rj_member_int(b, causes[k].token, (gint64)n->by_cause[causes[k].id]);
    jsonw_end_object(b);
    jsonw_name(b, "amt_clock");
    if (n->clock.known) {
        jsonw_begin_object(b);
        rj_member_int(b, "offset_s", n->clock.offset_s);
        rj_member_str(b, "source", n->clock.source);
        jsonw_end_object(b);
    } else {
        jsonw_null(b);
    }
    rj_member_int(b, "warnings_total", (gint64)a->n_warnings);
    str_array(b, "warnings", (const char *const *)a->warnings->pdata, a->warnings->len);
    jsonw_end_object(b);
    jsonw_end_object(b);
    write_line(o, b);
    if (fflush(o->f) != 0 || ferror(o->f))
        o->failed = 1;
    return o->failed ? -1 : 0;
}

void ndjson_close(ndjson_out *o)
{
    jsonw_free(&o->j);
    g_free(o);
}
