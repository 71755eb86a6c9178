/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-stat-table: Statistics › iAMT Diagnosis, a stat_tap_table_ui over
 * the "iamt_diag" tap, which iamt-tls queues on every frame that changed a
 * connection's facts. Each time the table is rebuilt from lib's verdict on
 * the whole capture (cheap on a retap: the verdict is cached until a fact
 * changes, and the table is left alone while the verdict stays the same).
 * Rows only grow, as the connections do.
 *
 * What Wireshark's table dialog (ui/qt/simple_statistics_dialog.cpp,
 * SimpleStatisticsDialog, the same in 4.0, 4.4 and 4.6) lets a plugin do:
 * name, type and align the columns; it sizes every column but the last to
 * its contents (SimpleStatisticsDialog::tapDraw) and the last one fills
 * the window, so the long text (the causes in words) goes last. It offers
 * no per-row filter and no double-click action (the class neither
 * overrides TapParameterDialog::filterExpression nor connects
 * itemActivated), and the window's first size is its .ui default or the
 * one the user left (loadGeometry(0, 0, title)): the Stream column holds
 * the tcp.stream to filter on. */
#include "iamt-stat-table.h"

#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <inttypes.h>
#include <string.h>

#include "iamt-stat.h"
#include "iamt-tls.h"

enum {
    COL_ID,
    COL_STREAM,
    COL_FRAMES,
    COL_CLIENT,
    COL_SERVER,
    COL_STAGE,
    COL_OUTCOME,
    COL_CAUSES,
    COL_WORDS,
    N_COLS
};

static stat_tap_table_item fields[N_COLS] = {
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "#", "%u"},
    /* Text: the row of what no single connection shows has none. */
    {TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "tcp.stream", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Frames", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Console", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "AMT", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Stage", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Outcome", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Causes", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "What went wrong", "%s"},
};

/* The verdict version the table shows; none after a reset. */
static gboolean built;
static unsigned built_version;

static void table_init(stat_tap_table_ui *ui)
{
    built = FALSE;
    const char *name = "iAMT connections";
    if (stat_tap_find_table(ui, name))
        return;
    stat_tap_add_table(ui, stat_tap_init_table(name, N_COLS, 0, NULL));
}

/* The string cells own their text (freed here and when replaced). */
static void free_item(stat_tap_table *t, guint row, guint col, stat_tap_table_item_type *f)
{
    (void)t;
    (void)row;
    if (col != COL_ID && f->type == TABLE_ITEM_STRING) {
        g_free((char *)f->value.string_value);
        f->value.string_value = NULL;
    }
}

static void reset_table(stat_tap_table *t)
{
    built = FALSE;
    for (guint r = 0; r < t->num_elements; r++)
        for (guint c = 0; c < t->num_fields; c++)
            free_item(t, r, c, stat_tap_get_field_data(t, r, c));
}

static void set_text(stat_tap_table *t, guint row, guint col, const char *s)
{
    stat_tap_table_item_type *f = stat_tap_get_field_data(t, row, col);
    free_item(t, row, col, f);
    f->type = TABLE_ITEM_STRING;
    f->value.string_value = g_strdup(s ? s : "");
}

/* What identifies a row besides its verdict: where it is in the capture. */
typedef struct row_where {
    const char *stream, *frames, *client, *server;
} row_where;

/* Sets row (appending it if new) to one verdict. */
static void put_row(stat_tap_table *t, guint row, guint id, const row_where *w, const char *stage,
                    const char *outcome, const GPtrArray *findings)
{
    if (row >= t->num_elements) {
        stat_tap_table_item_type cells[N_COLS];
        memset(cells, 0, sizeof cells);
        cells[COL_ID].type = TABLE_ITEM_UINT;
        for (int c = COL_ID + 1; c < N_COLS; c++)
            cells[c].type = TABLE_ITEM_STRING;
        stat_tap_init_table_row(t, row, N_COLS, cells);
    }
    stat_tap_get_field_data(t, row, COL_ID)->value.uint_value = id;
    set_text(t, row, COL_STREAM, w->stream);
    set_text(t, row, COL_FRAMES, w->frames);
    set_text(t, row, COL_CLIENT, w->client);
    set_text(t, row, COL_SERVER, w->server);
    set_text(t, row, COL_STAGE, stage);
    set_text(t, row, COL_OUTCOME, outcome);
    GString *text = g_string_new(NULL);
    iamt_stat_tokens(text, findings, 1);
    set_text(t, row, COL_CAUSES, text->str);
    g_string_truncate(text, 0);
    iamt_stat_words(text, findings);
    set_text(t, row, COL_WORDS, text->str);
    g_string_free(text, TRUE);
}

static tap_packet_status table_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt,
                                      const void *data, tap_flags_t flags)
{
    (void)pinfo;
    (void)edt;
    (void)data;
    (void)flags;
    stat_data_t *sd = tapdata;
    stat_tap_table *t = g_array_index(sd->stat_tap_data->tables, stat_tap_table *, 0);
    if (built && built_version == iamt_tls_judge_version())
        return TAP_PACKET_DONT_REDRAW;
    built = TRUE;
    built_version = iamt_tls_judge_version();
    size_t n;
    iamt_tls_conn *const *conns = iamt_tls_conns_for_stat(&n);
    const diag_result *r = iamt_tls_judge_all();
    guint row = 0;
    for (guint i = 0; r && i < r->conns->len; i++) {
        const diag_conn_result *cr = g_ptr_array_index(r->conns, i);
        if (cr->conn_id >= n)
            continue;
        const iamt_tls_conn *c = conns[cr->conn_id];
        const diag_conn_facts *f = &c->b.f;
        char stream[16] = "", frames[48];
        if (c->has_stream)
            g_snprintf(stream, sizeof stream, "%u", c->stream);
        g_snprintf(frames, sizeof frames, "%" PRIu64 "–%" PRIu64, f->first_frame, f->last_frame);
        row_where w = {stream, frames, f->client, f->server};
        put_row(t, row++, cr->conn_id, &w, diag_stage_name(cr->stage),
                diag_outcome_name(cr->outcome), cr->findings);
    }
    /* As in -z iamt,diag: what no single connection shows (DNS), last. */
    if (r && r->global->len) {
        row_where w = {"", "", "(no single connection)", ""};
        put_row(t, row, (guint)n, &w, "dns", "-", r->global);
    }
    return TAP_PACKET_REDRAW;
}

void iamt_stat_table_register(void)
{
    static stat_tap_table_ui ui = {REGISTER_PACKET_STAT_GROUP_UNSORTED,
                                   "iAMT Diagnosis",
                                   "iamt_diag",
                                   "iamt,diag",
                                   table_init,
                                   table_packet,
                                   reset_table,
                                   free_item,
                                   NULL,
                                   N_COLS,
                                   fields,
                                   0,
                                   NULL,
                                   NULL,
                                   0};
    register_stat_tap_table_ui(&ui);
}
