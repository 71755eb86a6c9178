/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_json: the analysis as JSON, schema "amtdiag/1" (docs/json-schema.md). */
#include "report_json_parts.h"

int report_json(FILE *out, const report_in *r)
{
    const analysis *a = r->a;
    outw w = report_out(out, OUT_JSON, r);
    jsonw jw, *b = &jw;
    jsonw_init(b, &w, 1);
    jsonw_begin_object(b);
    rj_member_str(b, "schema", "amtdiag/1");
    jsonw_name(b, "inputs");
    jsonw_begin_array(b);
    for (guint i = 0; i < a->inputs->len; i++)
        rj_add_str(b, g_ptr_array_index(a->inputs, i));
    jsonw_end_array(b);
    jsonw_name(b, "summary");
    jsonw_begin_object(b);
    rj_member_int(b, "frames", (gint64)a->frames);
    rj_member_int(b, "connections", a->conns->len);
    rj_member_int(b, "dns_messages", a->dns->len);
    rj_member_int(b, "rejected", r->d ? r->d->n_rejected : 0);
    rj_member_int(b, "errors", r->d ? r->d->n_errors : 0);
    rj_member_int(b, "not_ok", r->d ? r->d->n_not_ok : 0);
    rj_member_int(b, "warnings", (gint64)a->n_warnings);
    jsonw_end_object(b);
    jsonw_name(b, "given");
    jsonw_begin_array(b);
    for (const char *const *g = r->given; g && *g; g++)
        rj_add_str(b, *g);
    jsonw_end_array(b);
    jsonw_name(b, "amt_clock");
    if (r->d && r->d->clock.known) {
        jsonw_begin_object(b);
        rj_member_int(b, "offset_s", r->d->clock.offset_s);
        rj_member_str(b, "source", r->d->clock.source);
        jsonw_end_object(b);
    } else {
        jsonw_null(b);
    }
    rj_findings_json(b, "findings", r->d ? r->d->global : NULL);
    jsonw_name(b, "warnings");
    jsonw_begin_array(b);
    for (guint i = 0; i < a->warnings->len; i++)
        rj_add_str(b, g_ptr_array_index(a->warnings, i));
    jsonw_end_array(b);
    jsonw_name(b, "dns");
    jsonw_begin_array(b);
    for (guint i = 0; i < a->dns->len; i++) {
        const dns_rec *d = g_ptr_array_index(a->dns, i);
        jsonw_begin_object(b);
        rj_member_str(b, "file", d->file);
        rj_member_int(b, "frame", (gint64)d->frame);
        rj_member_bool(b, "response", d->is_response);
        rj_member_str(b, "name", d->qname);
        rj_member_int(b, "type", d->qtype);
        rj_member_int(b, "rcode", d->rcode);
        rj_member_str(b, "answers", d->answers);
        jsonw_end_object(b);
    }
    jsonw_end_array(b);
    /* Each connection is written out as soon as it is made: the memory
     * needed is that of one connection, not of the whole report. */
    jsonw_name(b, "connections");
    jsonw_begin_array(b);
    int rc = jsonw_drain(b, out);
    for (guint i = 0; i < a->conns->len && !rc; i++) {
        rj_conn_json(b, r, g_ptr_array_index(a->conns, i));
        rc |= jsonw_drain(b, out);
    }
    jsonw_end_array(b);
    jsonw_end_object(b);
    g_string_append_c(b->s, '\n');
    rc |= jsonw_drain(b, out);
    jsonw_free(b);
    return rc ? -1 : 0;
}
