/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for spill, the store of report pieces: sections apart, pieces
 * in key order and equal keys in the order made, empty pieces not counted,
 * separators between pieces only, nothing left in the temporary directory,
 * /var/tmp without $TMPDIR, and the same results held in memory when no
 * temporary file can be made. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spill.h"

static char *tmpdir;

static void piece(spill *s, unsigned section, uint64_t key, const char *text)
{
    fputs(text, spill_file(s));
    spill_mark(s, section, key);
}

static char *copied(spill *s, unsigned section, const char *sep)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(spill_copy(s, section, f, sep), 0);
    fclose(f);
    return buf;
}

/* The checks both kinds of store must pass. */
static void scenario(void)
{
    spill *s = spill_new();
    assert_non_null(s);
    piece(s, 2, 30, "c");
    piece(s, 1, 5, "x");
    piece(s, 2, 10, "a1");
    piece(s, 2, 20, "b");
    piece(s, 2, 10, "a2"); /* equal key: after a1 */
    piece(s, 2, 99, "");   /* empty: no piece */
    char big[70000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    piece(s, 3, 1, big);
    assert_int_equal(spill_count(s, 2), 4);
    assert_int_equal(spill_count(s, 1), 1);
    assert_int_equal(spill_count(s, 0), 0);
    char *t = copied(s, 2, ",");
    assert_string_equal(t, "a1,a2,b,c");
    free(t);
    t = copied(s, 1, ",");
    assert_string_equal(t, "x");
    free(t);
    t = copied(s, 0, ",");
    assert_string_equal(t, "");
    free(t);
    /* copying twice gives the same, and pieces can still be added */
    t = copied(s, 2, NULL);
    assert_string_equal(t, "a1a2bc");
    free(t);
    piece(s, 2, 0, "first");
    t = copied(s, 2, NULL);
    assert_string_equal(t, "firsta1a2bc");
    free(t);
    t = copied(s, 3, NULL);
    assert_int_equal(strlen(t), sizeof big - 1);
    free(t);
    assert_false(spill_failed(s));
    spill_free(s);
}

/* Open unlinked files of this process under dir. */
static int open_deleted_in(const char *dir)
{
    int n = 0;
    GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
    assert_non_null(d);
    for (const char *name; (name = g_dir_read_name(d));) {
        char *link = g_strdup_printf("/proc/self/fd/%s", name);
        char *target = g_file_read_link(link, NULL);
        n += target && g_str_has_prefix(target, dir) && g_str_has_suffix(target, "(deleted)");
        g_free(target);
        g_free(link);
    }
    g_dir_close(d);
    return n;
}

/* Without $TMPDIR the pieces go to /var/tmp (on disk; /tmp may be a tmpfs
 * in memory). Run in a child, which reads the environment afresh. */
static void t_var_tmp(void **st)
{
    (void)st;
    if (access("/var/tmp", W_OK) != 0)
        skip();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        unsetenv("TMPDIR");
        int before = open_deleted_in("/var/tmp/amtdiag-");
        spill *s = spill_new();
        piece(s, 0, 0, "held");
        int ok = open_deleted_in("/var/tmp/amtdiag-") == before + 1;
        spill_free(s);
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void t_file(void **st)
{
    (void)st;
    spill *s = spill_new();
    piece(s, 0, 0, "held");
    /* the file is in TMPDIR, open, and unlinked at once: nothing to clean
     * up after a crash */
    GDir *d = g_dir_open(tmpdir, 0, NULL);
    assert_non_null(d);
    assert_null(g_dir_read_name(d));
    g_dir_close(d);
    int open_deleted = 0;
    d = g_dir_open("/proc/self/fd", 0, NULL);
    assert_non_null(d);
    for (const char *n; (n = g_dir_read_name(d));) {
        char *link = g_strdup_printf("/proc/self/fd/%s", n);
        char *target = g_file_read_link(link, NULL);
        open_deleted +=
            target && g_str_has_prefix(target, tmpdir) && g_str_has_suffix(target, "(deleted)");
        g_free(target);
        g_free(link);
    }
    g_dir_close(d);
    assert_int_equal(open_deleted, 1);
    spill_free(s);
    scenario();
}

/* No usable temporary directory: the pieces stay in memory. Run in a
 * child, which reads TMPDIR afresh. */
static void t_memory(void **st)
{
    (void)st;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("TMPDIR", "/nonexistent/amtdiag-spill-test", 1);
        scenario();
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    /* before anything asks GLib for the temporary directory, which it reads
     * once; t_memory runs first, its child reading it afresh */
    char tmpl[] = "/tmp/spill-XXXXXX";
    tmpdir = g_strdup(mkdtemp(tmpl));
    assert_non_null(tmpdir);
    setenv("TMPDIR", tmpdir, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_memory),
        cmocka_unit_test(t_var_tmp),
        cmocka_unit_test(t_file),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(tmpdir);
    g_free(tmpdir);
    return rc;
}
