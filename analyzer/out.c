/* SPDX-License-Identifier: GPL-2.0-or-later */
/* out: redaction, terminal safety and format escaping of the values the
 * report writers print, in one place. */
#include "out.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

outw out_make(FILE *f, outw_format format, const id_marks *redact)
{
    outw w = {f, format, redact};
    return w;
}

/* Characters a terminal or a browser would act on rather than show: C0
 * and C1 controls, DEL, the bidirectional overrides and isolates that
 * reorder what is shown, and non-characters. */
static int unsafe(gunichar u)
{
    return u < 0x20 || (u >= 0x7f && u < 0xa0) || u == 0x061c || u == 0x200e || u == 0x200f ||
           (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069) ||
           (u >= 0xfdd0 && u <= 0xfdef) || (u & 0xfffe) == 0xfffe;
}

static void hex_bytes(GString *g, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(g, "\\x%02x", (unsigned char)p[i]);
}

/* Appends s (n bytes) with unsafe characters and bytes that are not UTF-8
 * written as \xNN: the result is valid UTF-8 without control characters.
 * Runs of printable ASCII, nearly all of a report, are copied whole. */
static void safe_append(GString *g, const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *run = p;
        while (p < end && (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f)
            p++;
        if (p > run)
            g_string_append_len(g, run, p - run);
        if (p == end)
            break;
        gunichar u = g_utf8_get_char_validated(p, end - p);
        if (u == (gunichar)-1 || u == (gunichar)-2 || u == 0) {
            hex_bytes(g, p, 1);
            p++;
            continue;
        }
        const char *next = g_utf8_next_char(p);
        if (unsafe(u))
            hex_bytes(g, p, (size_t)(next - p));
        else
            g_string_append_len(g, p, next - p);
        p = next;
    }
}

/* The value as every format shows it before its own escaping. */
static GString *clean(const outw *w, const char *s, size_t n)
{
    GString *r = g_string_sized_new(n + 16);
    if (w->redact) {
        idm_redact(w->redact, s, n, r);
        GString *c = g_string_sized_new(r->len + 16);
        safe_append(c, r->str, r->len);
        g_string_free(r, TRUE);
        return c;
    }
    safe_append(r, s, n);
    return r;
}

/* Whether a format escapes c (in a value; keep_breaks: in the writer's
 * own text, where Markdown needs nothing). */
static int special(const outw *w, char c, int keep_breaks)
{
    if (w->format == OUT_HTML)
        return c == '&' || c == '<' || c == '>' || c == '"' || c == '\'';
    if (w->format == OUT_MARKDOWN && !keep_breaks)
        return c == '|' || c == '\\' || c == '<' || c == '`';
    return 0;
}

/* Writes clean text escaped for the format. */
static void escaped(outw *w, const char *s, size_t n, int keep_breaks)
{
    FILE *f = w->f;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && !special(w, s[j], keep_breaks))
            j++;
        fwrite(s + i, 1, j - i, f);
        if (j == n)
            break;
        char c = s[j];
        if (w->format == OUT_HTML)
            fputs(c == '&'   ? "&amp;"
                  : c == '<' ? "&lt;"
                  : c == '>' ? "&gt;"
                  : c == '"' ? "&quot;"
                             : "&#39;",
                  f);
        else {
            /* Markdown: a table cell's separator, escapes, tags and code
             * spans are taken literally */
            fputc('\\', f);
            fputc(c, f);
        }
        i = j + 1;
    }
}

/* Writes s (n bytes) made safe and escaped for the format in one pass,
 * without copies: what out_val does once the value is redacted. */
static void emit(outw *w, const char *s, size_t n)
{
    FILE *f = w->f;
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *run = p;
        while (p < end && (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f &&
               !special(w, *p, 0))
            p++;
        fwrite(run, 1, (size_t)(p - run), f);
        if (p == end)
            break;
        if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f) {
            escaped(w, p, 1, 0);
            p++;
            continue;
        }
        gunichar u = g_utf8_get_char_validated(p, end - p);
        size_t len = u == (gunichar)-1 || u == (gunichar)-2 || u == 0
                         ? 1
                         : (size_t)(g_utf8_next_char(p) - p);
        if (u == (gunichar)-1 || u == (gunichar)-2 || u == 0 || unsafe(u)) {
            for (size_t i = 0; i < len; i++)
                fprintf(f, w->format == OUT_MARKDOWN ? "\\\\x%02x" : "\\x%02x",
                        (unsigned char)p[i]);
        } else {
            fwrite(p, 1, len, f);
        }
        p += len;
    }
}

void out_valn(outw *w, const char *s, size_t n)
{
    if (!s)
        return;
    if (!w->redact) {
        emit(w, s, n);
        return;
    }
    GString *r = g_string_sized_new(n + 16);
    idm_redact(w->redact, s, n, r);
    emit(w, r->str, r->len);
    g_string_free(r, TRUE);
}

void out_val(outw *w, const char *s)
{
    if (s)
        out_valn(w, s, strlen(s));
}

void out_val_cut(outw *w, const char *s, long max)
{
    if (!s)
        return;
    GString *c = clean(w, s, strlen(s));
    if (g_utf8_strlen(c->str, (gssize)c->len) > max) {
        char *cut = g_utf8_substring(c->str, 0, max - 1);
        escaped(w, cut, strlen(cut), 0);
        fputs("…", w->f);
        g_free(cut);
    } else {
        escaped(w, c->str, c->len, 0);
    }
    g_string_free(c, TRUE);
}

char *out_clean(const outw *w, const char *s)
{
    if (!s)
        return NULL;
    return g_string_free(clean(w, s, strlen(s)), FALSE);
}

void out_block(outw *w, const char *text, size_t len)
{
    escaped(w, text, len, 1);
}

/* ---- out_printf ------------------------------------------------------- */

/* A %s argument padded to width characters (left-aligned with '-'). */
static void padded_value(outw *w, const char *v, long prec, long width, int left)
{
    if (!v)
        v = "(null)";
    size_t n = prec >= 0 ? strnlen(v, (size_t)prec) : strlen(v);
    if (width <= 0) {
        out_valn(w, v, n);
        return;
    }
    GString *c = clean(w, v, n);
    long chars = (long)g_utf8_strlen(c->str, (gssize)c->len);
    for (long i = chars; !left && i < width; i++)
        fputc(' ', w->f);
    escaped(w, c->str, c->len, 0);
    for (long i = chars; left && i < width; i++)
        fputc(' ', w->f);
    g_string_free(c, TRUE);
}

void out_printf(outw *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *p = fmt;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            fputs(p, w->f);
            break;
        }
        fwrite(p, 1, (size_t)(pct - p), w->f);
        const char *q = pct + 1;
        if (*q == '%') {
            fputc('%', w->f);
            p = q + 1;
            continue;
        }
        /* flags, width, precision (either may be '*'), length, conversion:
         * rebuilt with the '*'s resolved, for fprintf */
        char spec[48];
        size_t k = 0;
        spec[k++] = '%';
        int left = 0;
        while (*q && strchr("-+ #0", *q) && k < 8) {
            left |= *q == '-';
            spec[k++] = *q++;
        }
        long width = -1, prec = -1;
        if (*q == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                left = 1;
                width = -width;
                spec[k++] = '-';
            }
            q++;
        } else if (g_ascii_isdigit(*q)) {
            width = strtol(q, (char **)&q, 10);
        }
        if (width >= 0)
            k += (size_t)snprintf(spec + k, sizeof spec - k, "%ld", width);
        if (*q == '.') {
            q++;
            if (*q == '*') {
                prec = va_arg(ap, int);
                q++;
            } else {
                prec = strtol(q, (char **)&q, 10);
            }
            if (prec >= 0)
                k += (size_t)snprintf(spec + k, sizeof spec - k, ".%ld", prec);
        }
        char len[3] = "";
        if ((q[0] == 'h' && q[1] == 'h') || (q[0] == 'l' && q[1] == 'l')) {
            len[0] = q[0], len[1] = q[1];
            q += 2;
        } else if (*q && strchr("hlzjtL", *q)) {
            len[0] = *q++;
        }
        char conv = *q ? *q++ : '\0';
        snprintf(spec + k, sizeof spec - k, "%s%c", len, conv);
        const char *sp = spec;
        switch (conv) {
        case 's':
            padded_value(w, va_arg(ap, const char *), prec, width, left);
            break;
        case 'd':
        case 'i':
            if (!strcmp(len, "ll"))
                fprintf(w->f, sp, va_arg(ap, long long));
            else if (!strcmp(len, "l"))
                fprintf(w->f, sp, va_arg(ap, long));
            else if (!strcmp(len, "z") || !strcmp(len, "t"))
                fprintf(w->f, sp, va_arg(ap, ptrdiff_t));
            else if (!strcmp(len, "j"))
                fprintf(w->f, sp, va_arg(ap, intmax_t));
            else
                fprintf(w->f, sp, va_arg(ap, int));
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            if (!strcmp(len, "ll"))
                fprintf(w->f, sp, va_arg(ap, unsigned long long));
            else if (!strcmp(len, "l"))
                fprintf(w->f, sp, va_arg(ap, unsigned long));
            else if (!strcmp(len, "z") || !strcmp(len, "t"))
                fprintf(w->f, sp, va_arg(ap, size_t));
            else if (!strcmp(len, "j"))
                fprintf(w->f, sp, va_arg(ap, uintmax_t));
            else
                fprintf(w->f, sp, va_arg(ap, unsigned));
            break;
        case 'c':
            fprintf(w->f, sp, va_arg(ap, int));
            break;
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
        case 'a':
        case 'A':
            if (!strcmp(len, "L"))
                fprintf(w->f, sp, va_arg(ap, long double));
            else
                fprintf(w->f, sp, va_arg(ap, double));
            break;
        case 'p':
            fprintf(w->f, sp, va_arg(ap, void *));
            break;
        default:
            break; /* not a conversion the writers use */
        }
        p = q;
    }
    va_end(ap);
}
