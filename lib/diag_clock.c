/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_clock: AMT's clock as the capture shows it. AMT judges certificate
 * validity by its own real-time clock, which drifts or is never set, so
 * the offset from the capture's clock matters to the verdict. */
#include "diag_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* A ServerHello time is only believed when it is within this of the
 * capture clock: modern TLS stacks fill the whole random with noise, so a
 * value far off is noise, not a clock. */
#define GMT_PLAUSIBLE_S (5LL * 366 * 86400)
/* ... and, for a single ServerHello, only with a second one agreeing. */
#define GMT_AGREE_S 5

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    /* Howard Hinnant's algorithm: days since 1970-01-01, proleptic Gregorian. */
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int diag_parse_http_date(const char *s, int64_t *out)
{
    static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char mon[4] = "";
    int d = 0, y = 0, hh = 0, mm = 0, ss = 0;
    if (!s)
        return -1;
    const char *comma = strchr(s, ',');
    int ok = 0;
    if (comma) {
        /* IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" or RFC 850
         * "Sunday, 06-Nov-94 08:49:37 GMT". */
        ok = sscanf(comma + 1, " %2d %3s %4d %2d:%2d:%2d", &d, mon, &y, &hh, &mm, &ss) == 6 ||
             sscanf(comma + 1, " %2d-%3s-%4d %2d:%2d:%2d", &d, mon, &y, &hh, &mm, &ss) == 6;
        if (ok && y < 100)
            y += y < 70 ? 2000 : 1900;
    } else {
        /* asctime "Sun Nov  6 08:49:37 1994" */
        char wd[4];
        ok = sscanf(s, "%3s %3s %2d %2d:%2d:%2d %4d", wd, mon, &d, &hh, &mm, &ss, &y) == 7;
    }
    if (!ok)
        return -1;
    int m = 0;
    for (int i = 0; i < 12; i++)
        if (g_ascii_strcasecmp(mon, months[i]) == 0)
            m = i + 1;
    if (!m || d < 1 || d > 31 || y < 1970 || y > 9999 || hh > 23 || mm > 59 || ss > 60)
        return -1;
    *out = days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss;
    return 0;
}

static void from_exchanges(clock_acc *acc, const diag_conn_facts *o)
{
    for (size_t k = 0; k < o->n_ex && acc->rank < 3; k++) {
        const diag_exchange *e = &o->ex[k];
        int64_t t;
        if (e->has_amt_time && e->resp_ts_us) {
            acc->rank = 3;
            acc->clock.offset_s = e->amt_time - e->resp_ts_us / 1000000;
            g_snprintf(acc->clock.source, sizeof acc->clock.source,
                       "AMT time-synchronization answer, frame %" G_GUINT64_FORMAT, e->resp_frame);
        } else if (acc->rank < 2 && e->date && e->resp_ts_us &&
                   diag_parse_http_date(e->date, &t) == 0) {
            acc->rank = 2;
            acc->clock.offset_s = t - e->resp_ts_us / 1000000;
            g_snprintf(acc->clock.source, sizeof acc->clock.source,
                       "HTTP Date header from AMT, frame %" G_GUINT64_FORMAT, e->resp_frame);
        }
    }
}

/* ServerHello gmt_unix_time (TLS <= 1.2): plausible, and two agreeing. */
static void from_server_hello(clock_acc *acc, const diag_conn_facts *o)
{
    if (acc->rank >= 1 || !o->tls.server_hello || o->tls.version >= 0x0304)
        return;
    int64_t off = (int64_t)o->tls.gmt_unix_time - o->first_ts_us / 1000000;
    if (off > GMT_PLAUSIBLE_S || off < -GMT_PLAUSIBLE_S)
        return;
    if (acc->gmt_frame && llabs(off - acc->gmt_offset) <= GMT_AGREE_S) {
        acc->rank = 1;
        acc->clock.offset_s = acc->gmt_offset;
        g_snprintf(acc->clock.source, sizeof acc->clock.source,
                   "ServerHello gmt_unix_time, frames %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT,
                   acc->gmt_frame, o->tls.server_hello_frame);
    } else if (!acc->gmt_frame) {
        acc->gmt_offset = off;
        acc->gmt_frame = o->tls.server_hello_frame;
    }
}

void diag_clock_learn(clock_acc *acc, const diag_conn_facts *c)
{
    from_exchanges(acc, c);
    from_server_hello(acc, c);
}

void diag_clock_for(diag_ctx *x, const diag_conn_facts *c, diag_clock *out)
{
    memset(out, 0, sizeof *out);
    if (x->in->has_clock_offset) {
        out->known = 1;
        out->offset_s = x->in->clock_offset_s;
        g_strlcpy(out->source, diag_word_name(x->in, DIAG_IN_CLOCK_OFFSET), sizeof out->source);
        return;
    }
    const clock_acc *acc = &diag_know_server(x->k, c->family, c->server_addr)->clock;
    if (acc->rank > 0) {
        *out = acc->clock;
        out->known = 1;
    }
}
