/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for redaction and output safety: what ident marks (auth
 * headers as written and unescaped, token68 with padding, host names with
 * ports, URLs, certificate names), where a marked value counts (alone,
 * case folded, cut short), the work bound, and what out_val and out_printf
 * write in each format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <string.h>

#include "ident.h"
#include "out.h"

static char *redact(const id_marks *m, const char *text)
{
    GString *g = g_string_new(NULL);
    idm_redact(m, text, strlen(text), g);
    return g_string_free(g, FALSE);
}

static void expect_redacted(const id_marks *m, const char *text, const char *want)
{
    char *got = redact(m, text);
    if (strcmp(got, want) != 0)
        fail_msg("redacting \"%s\": got \"%s\", want \"%s\"", text, got, want);
    g_free(got);
}

static void test_placeholders_and_boundaries(void **state)
{
    (void)state;
    id_marks *m = idm_new();
    idm_mark_str(m, ID_USER, "admin");
    idm_mark_addr(m, 4, (const uint8_t[16]){192, 0, 2, 1});
    idm_mark_host(m, "amt.example.com.");
    idm_mark_str(m, ID_NONCE, "abc123");
    idm_mark_str(m, ID_USER, "x"); /* too short to mark */
    expect_redacted(m, "user admin, not administrator or admin_2",
                    "user user-1, not "
                    "administrator or admin_2");
    expect_redacted(m, "192.0.2.1:16992 192.0.2.10 10.192.0.2.1",
                    "ip-1:16992 192.0.2.10 "
                    "10.192.0.2.1");
    expect_redacted(m, "AMT.Example.COM, sub.amt.example.com, amt.example.com.",
                    "host-1, sub.amt.example.com, host-1");
    expect_redacted(m, "nonce=\"abc123\" x", "nonce=\"[nonce]\" x");
    assert_int_equal(idm_count(m), 4); /* "x" is too short */
    /* a placeholder is not taken for a value: one pass */
    idm_mark_str(m, ID_HOST, "user-1");
    expect_redacted(m, "admin", "user-1");
    idm_free(m);
}

static void test_auth_headers(void **state)
{
    (void)state;
    id_marks *m = idm_new();
    const char *cred = "Digest username=\"DOM\\\\o\\\"b\", realm=\"Digest:0123\", "
                       "nonce=\"n1\", uri=\"/wsman\", response=\"r1\", qop=auth, nc=00000001, "
                       "cnonce=\"c1\", opaque=op1, algorithm=MD5";
    idm_mark_auth(m, cred, strlen(cred));
    expect_redacted(m, cred,
                    "Digest username=\"user-1\", realm=\"[realm]\", nonce=\"[nonce]\", "
                    "uri=\"/wsman\", response=\"[response]\", qop=auth, nc=00000001, "
                    "cnonce=\"[cnonce]\", opaque=[opaque], algorithm=MD5");
    /* the unescaped name, as lib's evidence quotes it */
    expect_redacted(m, "user \"DOM\\o\"b\" refused", "user \"user-1\" refused");
    const char *neg = "Negotiate YIIabc/def+gh==";
    idm_mark_auth(m, neg, strlen(neg));
    expect_redacted(m, neg, "Negotiate [token]");
    const char *basic = "Basic dXNlcjpw=, Digest realm=\"r2\"";
    idm_mark_auth(m, basic, strlen(basic));
    expect_redacted(m, basic, "Basic [token], Digest realm=\"[realm]\"");
    idm_free(m);
}

static void test_cut_values_and_names(void **state)
{
    (void)state;
    id_marks *m = idm_new();
    char longv[400];
    memset(longv, 'q', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    longv[0] = 'L';
    idm_mark_str(m, ID_NONCE, longv);
    /* cut at 255 bytes by a parser, as in "nonce \"…\"" */
    char text[400];
    snprintf(text, sizeof text, "nonce \"%.255s\"", longv);
    expect_redacted(m, text, "nonce \"[nonce]\"");
    /* shorter than ID_PREFIX_MIN: not taken for the value */
    expect_redacted(m, "Lqqq", "Lqqq");
    idm_mark_dn(m, "CN=console.it.example.com,O=O\\27Brien Corp,C=US");
    expect_redacted(m, "subject CN=console.it.example.com,O=O\\27Brien Corp", "subject [site]");
    expect_redacted(m, "name console.it.example.com, O\\27Brien Corp", "name host-1, [site]");
    idm_mark_url(m, "http://user@amt-9.example.com:16992/wsman");
    expect_redacted(m, "To amt-9.example.com", "To host-2");
    idm_mark_path(m, "/home/o'brien/acme/cap.pcapng");
    expect_redacted(m, "read /home/o'brien/acme/cap.pcapng (cap.pcapng)", "read file-1 (file-2)");
    idm_free(m);
}

/* A capture can mark values and fill text so that every position matches
 * for a long way: the work stays bounded and nothing marked is left. */
static void test_work_bound(void **state)
{
    (void)state;
    id_marks *m = idm_new();
    char v[2001];
    for (int k = 1; k <= 20; k++) {
        memset(v, ':', (size_t)k * 100);
        v[k * 100] = '\0';
        v[k * 100 - 1] = 'x'; /* never matches the text */
        idm_mark_str(m, ID_TOKEN, v);
    }
    size_t n = 200000;
    char *text = g_malloc(n + 1);
    memset(text, ':', n);
    text[n] = '\0';
    GString *out = g_string_new(NULL);
    idm_redact(m, text, n, out);
    assert_true(out->len <= n);
    assert_null(strstr(out->str, "x"));
    g_string_free(out, TRUE);
    g_free(text);
    idm_free(m);
}

static char *render(outw_format fmt, const id_marks *m, void (*draw)(outw *w))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    outw w = out_make(f, fmt, m);
    draw(&w);
    fclose(f);
    return buf;
}

static void draw_value(outw *w)
{
    out_val(w, "a<b>&'\"|`\\ \x1b[2J \xe9t\xc3\xa9 \xc2\x9b \xe2\x80\xae end");
}

static void test_out_val_formats(void **state)
{
    (void)state;
    static const struct {
        outw_format fmt;
        const char *want;
    } cases[] = {
        {OUT_TEXT, "a<b>&'\"|`\\ \\x1b[2J \\xe9t\xc3\xa9 \\xc2\\x9b \\xe2\\x80\\xae end"},
        {OUT_HTML, "a&lt;b&gt;&amp;&#39;&quot;|`\\ \\x1b[2J \\xe9t\xc3\xa9 \\xc2\\x9b "
                   "\\xe2\\x80\\xae end"},
        {OUT_MARKDOWN, "a\\<b>&'\"\\|\\`\\\\ \\\\x1b[2J \\\\xe9t\xc3\xa9 \\\\xc2\\\\x9b "
                       "\\\\xe2\\\\x80\\\\xae end"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = render(cases[i].fmt, NULL, draw_value);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("format %d: got \"%s\"", (int)cases[i].fmt, got);
        free(got);
    }
    outw w = out_make(NULL, OUT_JSON, NULL);
    char *c = out_clean(&w, "x\ny\xff");
    assert_string_equal(c, "x\\x0ay\\xff");
    g_free(c);
}

static const id_marks *printf_marks;

static void draw_printf(outw *w)
{
    out_printf(w, "[%-7s|%5s|%.3s|%.*s] %d %u %zu %" PRIu64 " %+.1f %x %c %%\n", "ab", "cd",
               "secret-abcdef", 2, "xyz", -3, 4u, (size_t)5, (uint64_t)6, 1.25, 255, 'k');
    out_printf(w, "user %s\x1b[0m\n", "o'brien");
}

static void test_out_printf(void **state)
{
    (void)state;
    id_marks *m = idm_new();
    idm_mark_str(m, ID_USER, "o'brien");
    printf_marks = m;
    char *got = render(OUT_TEXT, m, draw_printf);
    /* the writer's own text (the colour code) is written as it is */
    assert_string_equal(got, "[ab     |   cd|sec|xy] -3 4 5 6 +1.2 ff k %\nuser user-1\x1b[0m\n");
    free(got);
    got = render(OUT_HTML, m, draw_printf);
    assert_non_null(strstr(got, "user user-1"));
    free(got);
    idm_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_placeholders_and_boundaries),
        cmocka_unit_test(test_auth_headers),
        cmocka_unit_test(test_cut_values_and_names),
        cmocka_unit_test(test_work_bound),
        cmocka_unit_test(test_out_val_formats),
        cmocka_unit_test(test_out_printf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
