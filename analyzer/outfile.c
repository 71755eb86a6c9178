/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outfile: a temporary file beside the target, renamed over it on success. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

struct out_file {
    FILE *f;
    char *path;   /* as given, for messages */
    char *target; /* what is replaced: path, or where its symbolic link points */
    char *tmp;    /* the temporary file this run created; NULL when writing in place */
};

/* Closes the stream, removes the temporary file this run made (the only
 * file ever removed) and frees o. */
static void discard(out_file *o)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    g_free(o->path);
    g_free(o->target);
    g_free(o->tmp);
    g_free(o);
}

static out_file *fail(out_file *o, amt_err *e, const char *what)
{
    amt_fail(e, AMT_E_OUTPUT, "%s: %s", o->path, what);
    discard(o);
    return NULL;
}

/* A new file beside target, created exclusively: no one else's file, no
 * link, can be opened in its place. */
static int create_tmp(out_file *o, mode_t mode)
{
    char *dir = g_path_get_dirname(o->target);
    char *base = g_path_get_basename(o->target);
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        g_free(o->tmp);
        o->tmp = g_strdup_printf("%s/.%s.%08x.tmp", dir, base, g_random_int());
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    g_free(dir);
    g_free(base);
    if (fd < 0) {
        int saved = errno;
        g_free(o->tmp);
        o->tmp = NULL;
        errno = saved;
    }
    return fd;
}

out_file *outfile_open(const char *path, outfile_kind kind, amt_err *e)
{
    out_file *o = g_new0(out_file, 1);
    o->path = g_strdup(path);
    o->target = g_strdup(path);
    int secret = kind == OUTFILE_SECRET, keep_mode = 0;
    mode_t mode = secret ? 0600 : 0666;
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        if (secret)
            return fail(o, e,
                        "is a symbolic link: files holding secrets are not written through links "
                        "(give the path of the file itself)");
        char *real = realpath(path, NULL);
        if (real == NULL)
            return fail(o, e, "a symbolic link to nowhere");
        g_free(o->target);
        o->target = g_strdup(real);
        free(real);
    }
    if (stat(o->target, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return fail(o, e, "is a directory");
        if (!S_ISREG(st.st_mode)) {
            /* a FIFO, a device, /dev/stdout: written in place, never replaced */
            int fd = open(o->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
            if (fd < 0 || !(o->f = fdopen(fd, "wb"))) {
                if (fd >= 0)
                    close(fd);
                return fail(o, e, strerror(errno));
            }
            return o;
        }
        if (!secret) {
            mode = st.st_mode & 0777;
            keep_mode = 1;
        }
    } else if (errno != ENOENT) {
        return fail(o, e, strerror(errno));
    }
    int fd = create_tmp(o, mode);
    if (fd < 0)
        return fail(o, e, strerror(errno));
    /* a report replacing a file keeps its mode; a new one gets the umask's */
    if (keep_mode)
        (void)fchmod(fd, mode); /* on failure the file is written all the same */
    if (!(o->f = fdopen(fd, "wb"))) {
        close(fd);
        return fail(o, e, strerror(errno));
    }
    return o;
}

FILE *outfile_stream(out_file *f)
{
    return f->f;
}

const char *outfile_path(const out_file *f)
{
    return f->path;
}

amt_rc outfile_commit(out_file *o, amt_err *e)
{
    int bad = fflush(o->f) != 0 || ferror(o->f);
    int err = bad ? errno : 0;
    if (fclose(o->f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    o->f = NULL;
    if (!bad && o->tmp && rename(o->tmp, o->target) != 0) {
        bad = 1;
        err = errno;
    }
    amt_rc rc = AMT_OK;
    if (bad)
        rc = amt_fail(e, AMT_E_OUTPUT, "%s: writing failed: %s", o->path,
                      err ? strerror(err) : "I/O error");
    else
        g_clear_pointer(&o->tmp, g_free); /* renamed: it is the target now */
    discard(o);
    return rc;
}

void outfile_abort(out_file *o)
{
    if (o != NULL)
        discard(o);
}
