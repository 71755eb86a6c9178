/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fleet_main: amtsim --fleet. Worker threads run sessions (each its own
 * simulation); the main thread admits them to the writer in order, a
 * bounded number ahead, until the capture has the size asked for. */
#include "fleet.h"
#include "certgen.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many finished sessions may wait for the writer: bounds memory. */
#define LOOKAHEAD 64

typedef struct pool {
    fleet_state *st;
    GMutex mu;
    GCond cond;
    uint64_t next_idx; /* the next session a worker takes */
    uint64_t admitted; /* sessions the writer has taken */
    fleet_session *slot[LOOKAHEAD];
    int ready[LOOKAHEAD];
    int stop, error;
} pool;

static gpointer worker(gpointer arg)
{
    pool *p = arg;
    g_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->next_idx >= p->admitted + LOOKAHEAD)
            g_cond_wait(&p->cond, &p->mu);
        if (p->stop)
            break;
        uint64_t idx = p->next_idx++;
        g_mutex_unlock(&p->mu);
        fleet_session *s = fleet_session_run(p->st, idx);
        g_mutex_lock(&p->mu);
        if (!s) {
            fprintf(stderr, "amtsim: fleet session %" G_GUINT64_FORMAT " failed\n", idx);
            p->error = p->stop = 1;
        }
        p->slot[idx % LOOKAHEAD] = s;
        p->ready[idx % LOOKAHEAD] = 1;
        g_cond_broadcast(&p->cond);
    }
    g_mutex_unlock(&p->mu);
    return NULL;
}

int fleet_parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return -1;
    uint64_t mul = 1;
    if (*end == 'K' || *end == 'k')
        mul = 1ull << 10;
    else if (*end == 'M' || *end == 'm')
        mul = 1ull << 20;
    else if (*end == 'G' || *end == 'g')
        mul = 1ull << 30;
    else if (*end)
        return -1;
    if (mul > 1 && end[1])
        return -1;
    if (v == 0 || v > (1ull << 44) / mul)
        return -1;
    *out = v * mul;
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: amtsim --fleet DIR [--size N[K|M|G]] [--seed N] [--amts N] [--consoles N]\n"
               "                          [--failures PERCENT] [-j N]\n"
               "Writes DIR/capture.pcapng: a management server's traffic to a fleet of AMTs,\n"
               "every session a real TLS handshake and Digest login on the simulator (TLS 1.2\n"
               "ECDHE, TLS 1.3, static RSA on TLS 1.0/1.2, plain HTTP, and a share of every\n"
               "failure of the scenario catalog), sessions overlapping in time. Also\n"
               "keylog.txt (every session but the static-RSA ones), amt-rsa-key.pem (the key\n"
               "that decrypts those), root-ca.pem (the console's trust store), labels.tsv\n"
               "(per connection: the profile, kind, outcome and causes) and fleet.json\n"
               "(counts, and the decryption work by cipher and record size).\n"
               "  --size      capture size (default 100M; K, M, G are powers of 1024)\n"
               "  --seed      the same seed gives the same files, byte for byte (default 1)\n"
               "  --amts      distinct AMTs (default 4000), --consoles console hosts (24)\n"
               "  --failures  percentage of AMTs with a failure (default 10)\n"
               "  -j          worker threads (default: the number of cores)\n");
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max)
        return -1;
    *out = v;
    return 0;
}

static int write_side_files(fleet_state *st, const char *dir)
{
    char *key = g_build_filename(dir, "amt-rsa-key.pem", NULL);
    char *ca = g_build_filename(dir, "root-ca.pem", NULL);
    int rc = certgen_write_key(key, st->amt_keys[0]) | certgen_write_cert(ca, &st->w.root, 1);
    g_free(key);
    g_free(ca);
    return rc ? -1 : 0;
}

int fleet_main(int argc, char **argv)
{
    const char *dir = NULL;
    fleet_cfg cfg = {.size = 100ull << 20,
                     .seed = 1,
                     .n_amts = 4000,
                     .n_consoles = 24,
                     .fail_permil = 100,
                     .jobs = g_get_num_processors(),
                     .start_us = certgen_time("2026-03-02T09:14:07") * G_USEC_PER_SEC,
                     .gap_us = 40000};
    for (int i = 1; i < argc; i++) {
        unsigned long long v = 0;
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--fleet") == 0 && val) {
            dir = argv[++i];
        } else if (strcmp(a, "--size") == 0 && val) {
            bad = fleet_parse_size(argv[++i], &cfg.size);
        } else if (strcmp(a, "--seed") == 0 && val) {
            bad = parse_uint(argv[++i], UINT64_MAX, &v);
            cfg.seed = v;
        } else if (strcmp(a, "--amts") == 0 && val) {
            bad = parse_uint(argv[++i], 120000, &v) || v < 1;
            cfg.n_amts = (unsigned)v;
        } else if (strcmp(a, "--consoles") == 0 && val) {
            bad = parse_uint(argv[++i], 200, &v) || v < 1;
            cfg.n_consoles = (unsigned)v;
        } else if (strcmp(a, "--failures") == 0 && val) {
            bad = parse_uint(argv[++i], 100, &v);
            cfg.fail_permil = (unsigned)v * 10;
        } else if (strcmp(a, "-j") == 0 && val) {
            bad = parse_uint(argv[++i], 256, &v) || v < 1;
            cfg.jobs = (unsigned)v;
        } else {
            fprintf(stderr, "amtsim: --fleet: unknown option or missing value: %s\n", a);
            usage(stderr);
            return 2;
        }
        if (bad) {
            fprintf(stderr, "amtsim: --fleet: bad value for %s: %s\n", a, argv[i]);
            return 2;
        }
    }
    if (!dir) {
        usage(stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        fprintf(stderr, "amtsim: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    gint64 t0 = g_get_monotonic_time();
    if (fleet_rand_install() != 0) {
        fprintf(stderr, "amtsim: cannot install the fleet's random streams\n");
        return 1;
    }
    fleet_rand_seed(cfg.seed, 0); /* the keys and certificates */
    fleet_state st;
    if (fleet_state_init(&st, &cfg) != 0 || write_side_files(&st, dir) != 0) {
        fprintf(stderr, "amtsim: cannot set up the fleet\n");
        fleet_state_free(&st);
        return 1;
    }
    fleet_writer *fw = fleet_writer_open(dir, &cfg);
    if (!fw) {
        fleet_state_free(&st);
        return 1;
    }
    pool p = {.st = &st};
    g_mutex_init(&p.mu);
    g_cond_init(&p.cond);
    GThread **th = g_new0(GThread *, cfg.jobs);
    for (unsigned i = 0; i < cfg.jobs; i++)
        th[i] = g_thread_new("fleet", worker, &p);
    int rc = 0;
    uint64_t tenth = cfg.size / 10, next_report = tenth;
    for (uint64_t i = 0;; i++) {
        g_mutex_lock(&p.mu);
        while (!p.ready[i % LOOKAHEAD] && !p.error)
            g_cond_wait(&p.cond, &p.mu);
        fleet_session *s = p.error ? NULL : p.slot[i % LOOKAHEAD];
        p.slot[i % LOOKAHEAD] = NULL;
        p.ready[i % LOOKAHEAD] = 0;
        p.admitted = i + 1;
        g_cond_broadcast(&p.cond);
        g_mutex_unlock(&p.mu);
        if (!s || fleet_writer_admit(fw, s) != 0) {
            rc = 1;
            break;
        }
        uint64_t size = fleet_writer_size(fw);
        if (size >= next_report && size < cfg.size) {
            while (next_report <= size)
                next_report += tenth;
            fprintf(stderr,
                    "amtsim: fleet: %" G_GUINT64_FORMAT " MiB, %" G_GUINT64_FORMAT
                    " sessions, %.0f s\n",
                    size >> 20, i + 1, (double)(g_get_monotonic_time() - t0) / 1e6);
        }
        if (size >= cfg.size)
            break;
    }
    g_mutex_lock(&p.mu);
    p.stop = 1;
    g_cond_broadcast(&p.cond);
    g_mutex_unlock(&p.mu);
    for (unsigned i = 0; i < cfg.jobs; i++)
        g_thread_join(th[i]);
    g_free(th);
    for (unsigned i = 0; i < LOOKAHEAD; i++)
        fleet_session_free(p.slot[i]);
    double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    if (fleet_writer_close(fw, secs) != 0)
        rc = 1;
    g_mutex_clear(&p.mu);
    g_cond_clear(&p.cond);
    fleet_state_free(&st);
    if (rc == 0)
        fprintf(stderr, "amtsim: fleet written to %s in %.1f s\n", dir, secs);
    return rc;
}
