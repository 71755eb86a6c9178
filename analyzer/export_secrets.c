/* SPDX-License-Identifier: GPL-2.0-or-later */
/* export_secrets: --export-keylog and --inject-secrets. A support engineer
 * can hand Wireshark a key log — or a capture that carries its own keys —
 * instead of AMT's private key: only the secrets of the sessions in this
 * capture leave, never the key. */
#include "export_secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "pcapng_out.h"

int export_keylog_text(const analysis *a, GString *out)
{
    int sessions = 0;
    GHashTable *seen =
        g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, NULL);
    for (guint i = 0; i < a->conns->len; i++) {
        const conn_rec *c = g_ptr_array_index(a->conns, i);
        if (!c->tls)
            continue;
        const tls_summary *s = tls_conn_summary(c->tls);
        /* decrypted, at least in part */
        if (!s->ch.seen || !s->key_source[0])
            continue;
        GBytes *cr = g_bytes_new(s->ch.random, 32);
        if (g_hash_table_contains(seen, cr)) {
            g_bytes_unref(cr);
            continue;
        }
        g_hash_table_add(seen, cr);
        if (tls_keys_export_session(a->keys, s->ch.random, out) > 0)
            sessions++;
    }
    g_hash_table_destroy(seen);
    return sessions;
}

/* Wipes and frees a key log held in a GString. */
static void wipe(GString *s)
{
    OPENSSL_cleanse(s->str, s->allocated_len);
    g_string_free(s, TRUE);
}

int export_keylog_file(const analysis *a, const char *path)
{
    GString *text = g_string_new(NULL);
    int n = export_keylog_text(a, text);
    /* Secrets: readable by the owner only, from the moment the file exists. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int rc = -1;
    if (fd < 0) {
        fprintf(stderr, "amtdiag: --export-keylog %s: %s\n", path, strerror(errno));
    } else {
        rc = write(fd, text->str, text->len) == (ssize_t)text->len ? 0 : -1;
        if (close(fd) != 0 || rc != 0) {
            fprintf(stderr, "amtdiag: --export-keylog %s: write failed\n", path);
            rc = -1;
        }
    }
    if (rc == 0)
        fprintf(stderr, "amtdiag: %s: secrets of %d TLS session%s\n", path, n, n == 1 ? "" : "s");
    wipe(text);
    return rc;
}

/* ---- --inject-secrets ----------------------------------------------------- */

static uint32_t swap32(uint32_t v)
{
    return __builtin_bswap32(v);
}

/* Copies a pcapng block by block, writing the secrets block right after
 * the first section header and leaving out the secrets blocks the input
 * had (their sessions' secrets are in ours when they were used). */
static int copy_pcapng(FILE *in, FILE *out, const char *path, const GString *keys, char *err,
                       size_t errlen)
{
    uint8_t *buf = NULL;
    size_t cap = 0;
    int swapped = 0, first = 1;
    long off = 0;
    for (;;) {
        uint32_t hdr[2];
        size_t got = fread(hdr, 1, 8, in);
        if (got == 0)
            break;
        if (got < 8) {
            snprintf(err, errlen, "%s: truncated block header at offset %ld", path, off);
            break;
        }
        uint32_t type = hdr[0];
        if (type == PCAPNG_BT_SHB) {
            uint32_t magic;
            if (fread(&magic, 4, 1, in) != 1) {
                snprintf(err, errlen, "%s: truncated section header at offset %ld", path, off);
                break;
            }
            swapped = magic == 0x4D3C2B1Au;
            if (!swapped && magic != 0x1A2B3C4Du) {
                snprintf(err, errlen, "%s: bad byte-order magic at offset %ld", path, off);
                break;
            }
            if (fseek(in, -4, SEEK_CUR) != 0)
                break;
        }
        uint32_t len = swapped ? swap32(hdr[1]) : hdr[1];
        if (len < 12 || len % 4 || len > 256u * 1024 * 1024) {
            snprintf(err, errlen, "%s: block at offset %ld has an impossible length %u", path, off,
                     len);
            break;
        }
        if (len - 8 > cap) {
            cap = len - 8;
            buf = g_realloc(buf, cap);
        }
        if (fread(buf, 1, len - 8, in) != len - 8) {
            snprintf(err, errlen, "%s: truncated block at offset %ld", path, off);
            break;
        }
        off += (long)len;
        if (type == (swapped ? swap32(PCAPNG_BT_DSB) : PCAPNG_BT_DSB))
            continue;
        if (fwrite(hdr, 1, 8, out) != 8 || fwrite(buf, 1, len - 8, out) != len - 8) {
            snprintf(err, errlen, "write failed");
            break;
        }
        if (type == PCAPNG_BT_SHB && first) {
            first = 0;
            if (swapped) {
                snprintf(err, errlen,
                         "%s: a pcapng of the other byte order: convert it first "
                         "(editcap -F pcapng)",
                         path);
                break;
            }
            if (pcapng_write_dsb(out, keys->str, keys->len) != 0) {
                snprintf(err, errlen, "write failed");
                break;
            }
        }
    }
    g_free(buf);
    return err[0] ? -1 : 0;
}

/* A classic pcap becomes a pcapng: header, interface, secrets, packets. */
static int convert_pcap(const char *path, FILE *out, const GString *keys, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!p) {
        snprintf(err, errlen, "%s: %s", path, perr);
        return -1;
    }
    int rc = pcapng_write_shb(out, "amtdiag --inject-secrets") ||
             pcapng_write_idb(out, (uint16_t)pcap_datalink(p), (uint32_t)pcap_snapshot(p), 9) ||
             pcapng_write_dsb(out, keys->str, keys->len);
    struct pcap_pkthdr *h;
    const u_char *data;
    int r;
    while (!rc && (r = pcap_next_ex(p, &h, &data)) == 1) {
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
        rc = pcapng_write_epb(out, 0, ts, data, h->caplen, h->len);
    }
    pcap_close(p);
    if (rc)
        snprintf(err, errlen, "write failed");
    return rc ? -1 : 0;
}

int export_inject_secrets(const analysis *a, const char *in_path, const char *out_path)
{
    char err[512] = "";
    GString *keys = g_string_new(NULL);
    int n = export_keylog_text(a, keys);
    FILE *in = fopen(in_path, "rb");
    int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    uint32_t magic = 0;
    if (!in || !out) {
        snprintf(err, sizeof err, "%s: %s", !in ? in_path : out_path, strerror(errno));
    } else if (fread(&magic, 4, 1, in) != 1 || fseek(in, 0, SEEK_SET) != 0) {
        snprintf(err, sizeof err, "%s: not a capture", in_path);
    } else if (magic == PCAPNG_BT_SHB) {
        copy_pcapng(in, out, in_path, keys, err, sizeof err);
    } else {
        convert_pcap(in_path, out, keys, err, sizeof err);
    }
    if (in)
        fclose(in);
    if (out && fclose(out) != 0 && !err[0])
        snprintf(err, sizeof err, "%s: %s", out_path, strerror(errno));
    if (!out && fd >= 0)
        close(fd);
    wipe(keys);
    if (err[0]) {
        fprintf(stderr, "amtdiag: --inject-secrets: %s\n", err);
        unlink(out_path);
        return -1;
    }
    fprintf(stderr, "amtdiag: %s: the capture with the secrets of %d TLS session%s\n", out_path, n,
            n == 1 ? "" : "s");
    return 0;
}
