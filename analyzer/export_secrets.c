/* SPDX-License-Identifier: GPL-2.0-or-later */
/* export_secrets: --export-keylog and --inject-secrets. A support engineer
 * can hand Wireshark a key log — or a capture that carries its own keys —
 * instead of AMT's private key: only the secrets of the sessions in this
 * capture leave, never the key. */
#include "export_secrets.h"

#include <string.h>

#include <openssl/crypto.h>

#include "capture/capfile.h"
#include "capture/decompress.h"
#include "outfile.h"
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

amt_rc export_keylog_file(const analysis *a, const char *path, int *sessions, amt_err *e)
{
    GString *text = g_string_new(NULL);
    *sessions = export_keylog_text(a, text);
    out_file *o = outfile_open(path, OUTFILE_SECRET, e);
    amt_rc rc = AMT_E_OUTPUT;
    if (o) {
        fwrite(text->str, 1, text->len, outfile_stream(o));
        rc = outfile_commit(o, e);
    }
    wipe(text);
    return rc;
}

/* ---- --inject-secrets ----------------------------------------------------- */

/* Copies a pcapng block by block, writing the secrets block right after
 * the first section header (in that section's byte order) and leaving out
 * the secrets blocks the input had: their sessions' secrets are in ours
 * when they were used. */
static amt_rc copy_pcapng(capfile *in, FILE *out, const GString *keys, amt_err *e)
{
    int first = 1;
    for (;;) {
        cap_record r;
        switch (capfile_next(in, &r, e)) {
        case CAPREC_END:
            return AMT_OK;
        case CAPREC_TRUNCATED:
        case CAPREC_ERROR:
            return e->rc;
        case CAPREC_NOTE:
            continue; /* an oversized secrets block, skipped */
        default:
            break;
        }
        if (r.block == NULL || r.kind == CAPREC_SECRETS)
            continue;
        if (fwrite(r.block, 1, r.block_len, out) != r.block_len)
            return amt_fail(e, AMT_E_OUTPUT, "write failed");
        if (first && r.block_type == PCAPNG_BT_SHB) {
            first = 0;
            if (pcapng_write_dsb(out, keys->str, keys->len, r.big_endian) != 0)
                return amt_fail(e, AMT_E_OUTPUT, "write failed");
        }
    }
}

/* A classic pcap becomes a pcapng: header, interface, secrets, packets. */
static amt_rc convert_pcap(capfile *in, FILE *out, const GString *keys, amt_err *e)
{
    int ns = capfile_nanoseconds(in);
    int big = G_BYTE_ORDER == G_BIG_ENDIAN;
    if (pcapng_write_shb(out, "amtdiag --inject-secrets") ||
        pcapng_write_idb(out, (uint16_t)capfile_linktype(in), capfile_snaplen(in), ns ? 9 : 6) ||
        pcapng_write_dsb(out, keys->str, keys->len, big))
        return amt_fail(e, AMT_E_OUTPUT, "write failed");
    for (;;) {
        cap_record r;
        switch (capfile_next(in, &r, e)) {
        case CAPREC_END:
            return AMT_OK;
        case CAPREC_PACKET: {
            uint64_t ts = (uint64_t)(ns ? r.ts_ns : r.ts_us);
            if (pcapng_write_epb(out, 0, ts, r.data, r.caplen, r.origlen) != 0)
                return amt_fail(e, AMT_E_OUTPUT, "write failed");
            break;
        }
        case CAPREC_TRUNCATED:
        case CAPREC_ERROR:
            return e->rc;
        default:
            break;
        }
    }
}

amt_rc export_inject_secrets(const analysis *a, const char *in_path, const char *out_path,
                             int *sessions, amt_err *e)
{
    byte_src *src = bsrc_open_capture(in_path, e);
    capfile *in = src ? capfile_open(src, e) : NULL;
    if (!in)
        return e->rc;
    if (!capfile_is_regular(in)) {
        capfile_close(in);
        return amt_fail(e, AMT_E_USAGE,
                        "%s: --inject-secrets copies the capture after reading it, so it must be a "
                        "regular file (save the stream to a file first)",
                        in_path);
    }
    capfile_all_blocks(in, 1);
    out_file *o = outfile_open(out_path, OUTFILE_SECRET, e);
    if (!o) {
        capfile_close(in);
        return e->rc;
    }
    GString *keys = g_string_new(NULL);
    *sessions = export_keylog_text(a, keys);
    amt_rc rc = capfile_is_pcapng(in) ? copy_pcapng(in, outfile_stream(o), keys, e)
                                      : convert_pcap(in, outfile_stream(o), keys, e);
    wipe(keys);
    capfile_close(in);
    if (rc != AMT_OK) {
        outfile_abort(o);
        return rc;
    }
    return outfile_commit(o, e);
}
