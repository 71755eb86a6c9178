/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_json: the analysis as JSON, schema "amtdiag/1" (docs/json-schema.md).
 * Connections, DNS messages, findings and logins are written as pieces
 * when known (report.h); the document is put together at the end. */
#include "report_json_parts.h"
#include "report_krb.h"

/* Depths of the pieces: elements of a top-level array, and of the logins
 * array inside the "kerberos" object. */
#define TOP_ARRAY 2
#define KRB_ARRAY 3

static void json_conn(spill *sp, const report_in *r, const conn_rec *c)
{
    outw w = report_out(spill_file(sp), OUT_JSON, r);
    jsonw j;
    rj_piece_begin(&j, &w, TOP_ARRAY);
    rj_conn_json(&j, r, c);
    rj_piece_end(&j, sp, RS_CONN, c->id);
    report_krb_login_pieces(sp, r, c, RS_KRB_LOGINS, KRB_ARRAY);
}

static void json_global(spill *sp, const report_in *r, const GPtrArray *findings)
{
    outw w = report_out(spill_file(sp), OUT_JSON, r);
    for (guint i = 0; i < findings->len; i++) {
        jsonw j;
        rj_piece_begin(&j, &w, TOP_ARRAY);
        rj_finding_json(&j, g_ptr_array_index(findings, i));
        rj_piece_end(&j, sp, RS_GLOBAL, 0);
    }
}

static void json_dns(spill *sp, const report_in *r, const dns_rec *d)
{
    outw w = report_out(spill_file(sp), OUT_JSON, r);
    jsonw j, *b = &j;
    rj_piece_begin(b, &w, TOP_ARRAY);
    jsonw_begin_object(b);
    rj_member_str(b, "file", d->file);
    rj_member_int(b, "frame", (gint64)d->frame);
    rj_member_bool(b, "response", d->is_response);
    rj_member_str(b, "name", d->qname);
    rj_member_int(b, "type", d->qtype);
    rj_member_int(b, "rcode", d->rcode);
    rj_member_str(b, "answers", d->answers);
    jsonw_end_object(b);
    rj_piece_end(b, sp, RS_DNS, 0);
}

/* A member holding the array of a section's pieces. */
static int member_pieces(jsonw *b, FILE *out, const char *name, spill *sp, unsigned section)
{
    jsonw_name(b, name);
    int rc = report_json_array_copy(b, out, sp, section);
    jsonw_end_array(b);
    return rc;
}

static int json_finish(FILE *out, const report_in *r, const report_totals *t, spill *sp)
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
    rj_member_int(b, "connections", (gint64)t->conns);
    rj_member_int(b, "dns_messages", (gint64)t->dns);
    rj_member_int(b, "rejected", (gint64)t->rejected);
    rj_member_int(b, "errors", (gint64)t->errors);
    rj_member_int(b, "not_ok", (gint64)t->not_ok);
    rj_member_int(b, "warnings", (gint64)a->n_warnings);
    jsonw_end_object(b);
    jsonw_name(b, "given");
    jsonw_begin_array(b);
    for (const char *const *g = r->given; g && *g; g++)
        rj_add_str(b, *g);
    jsonw_end_array(b);
    jsonw_name(b, "amt_clock");
    if (t->clock.known) {
        jsonw_begin_object(b);
        rj_member_int(b, "offset_s", t->clock.offset_s);
        rj_member_str(b, "source", t->clock.source);
        jsonw_end_object(b);
    } else {
        jsonw_null(b);
    }
    int rc = member_pieces(b, out, "findings", sp, RS_GLOBAL);
    jsonw_name(b, "warnings");
    jsonw_begin_array(b);
    for (guint i = 0; i < a->warnings->len; i++)
        rj_add_str(b, g_ptr_array_index(a->warnings, i));
    jsonw_end_array(b);
    rc |= member_pieces(b, out, "dns", sp, RS_DNS);
    rc |= jsonw_drain(b, out);
    jsonw_name(b, "kerberos");
    rc |= rc ? 0 : report_krb_json(b, out, r, sp, RS_KRB_LOGINS);
    rc |= member_pieces(b, out, "connections", sp, RS_CONN);
    jsonw_end_object(b);
    g_string_append_c(b->s, '\n');
    rc |= jsonw_drain(b, out);
    jsonw_free(b);
    return rc ? -1 : 0;
}

const report_format_ops report_json_ops = {json_conn, json_global, json_dns, json_finish};
