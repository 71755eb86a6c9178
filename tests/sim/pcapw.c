/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapw: a minimal pcapng / classic pcap writer for the simulator. Blocks
 * are written in host byte order; readers detect it from the magic. */
#include "pcapw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define PCAPW_SNAPLEN 262144u
#define PCAPW_LINKTYPE_ETHERNET 1u

/* pcapng block types and option codes (draft-ietf-opsawg-pcapng). */
#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_DSB 0x0000000Au
#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define PCAPNG_OPT_ENDOFOPT 0
#define PCAPNG_OPT_SHB_USERAPPL 4
#define PCAPNG_OPT_IF_TSRESOL 9
#define PCAPNG_SECRETS_TLS_KEYLOG 0x544c534bu

/* A key log for a few hundred sessions is well under this; the cap keeps
 * the 32-bit block length far from overflowing. */
#define PCAPW_MAX_SECRETS (16u * 1024u * 1024u)

struct pcapw {
    FILE *f;
    pcapw_format fmt;
    int failed; /* sticky: any short write makes close report failure */
};

static const uint8_t zero_pad[4];

static size_t pad4(size_t n)
{
    return (n + 3u) & ~(size_t)3u;
}

static void put_bytes(pcapw *w, const void *p, size_t n)
{
    if (w->failed || n == 0)
        return;
    if (fwrite(p, 1, n, w->f) != n)
        w->failed = 1;
}

static void put_u16(pcapw *w, uint16_t v)
{
    put_bytes(w, &v, sizeof v);
}

static void put_u32(pcapw *w, uint32_t v)
{
    put_bytes(w, &v, sizeof v);
}

static void put_padded(pcapw *w, const void *p, size_t n)
{
    put_bytes(w, p, n);
    put_bytes(w, zero_pad, pad4(n) - n);
}

static void write_pcapng_header(pcapw *w)
{
    static const char userappl[] = "amtdiag simulator";
    const size_t appl_len = sizeof userappl - 1;

    /* SHB: type, length, BOM, version 1.0, section length unknown (-1),
     * options (shb_userappl, end), length again. */
    uint32_t shb_len = (uint32_t)(4 + 4 + 4 + 2 + 2 + 8 + 4 + pad4(appl_len) + 4 + 4);
    put_u32(w, PCAPNG_SHB);
    put_u32(w, shb_len);
    put_u32(w, PCAPNG_BYTE_ORDER_MAGIC);
    put_u16(w, 1);
    put_u16(w, 0);
    put_u32(w, 0xFFFFFFFFu);
    put_u32(w, 0xFFFFFFFFu);
    put_u16(w, PCAPNG_OPT_SHB_USERAPPL);
    put_u16(w, (uint16_t)appl_len);
    put_padded(w, userappl, appl_len);
    put_u16(w, PCAPNG_OPT_ENDOFOPT);
    put_u16(w, 0);
    put_u32(w, shb_len);

    /* IDB: Ethernet; if_tsresol 6 (microseconds) is the default but is
     * stated explicitly so no reader has to assume it. */
    const uint8_t tsresol = 6;
    uint32_t idb_len = 4 + 4 + 2 + 2 + 4 + 4 + 4 + 4 + 4;
    put_u32(w, PCAPNG_IDB);
    put_u32(w, idb_len);
    put_u16(w, PCAPW_LINKTYPE_ETHERNET);
    put_u16(w, 0);
    put_u32(w, PCAPW_SNAPLEN);
    put_u16(w, PCAPNG_OPT_IF_TSRESOL);
    put_u16(w, 1);
    put_padded(w, &tsresol, 1);
    put_u16(w, PCAPNG_OPT_ENDOFOPT);
    put_u16(w, 0);
    put_u32(w, idb_len);
}

static void write_pcap_header(pcapw *w)
{
    put_u32(w, 0xa1b2c3d4u); /* microsecond timestamps */
    put_u16(w, 2);
    put_u16(w, 4);
    put_u32(w, 0); /* thiszone */
    put_u32(w, 0); /* sigfigs */
    put_u32(w, PCAPW_SNAPLEN);
    put_u32(w, PCAPW_LINKTYPE_ETHERNET);
}

pcapw *pcapw_open(const char *path, pcapw_format fmt, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (path == NULL || (fmt != PCAPW_PCAPNG && fmt != PCAPW_PCAP)) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s: invalid arguments", path != NULL ? path : "(null)");
        return NULL;
    }

    pcapw *w = calloc(1, sizeof *w);
    if (w == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    w->fmt = fmt;
    w->f = fopen(path, "wb");
    if (w->f == NULL) {
        int e = errno;
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s: cannot create: %s", path, strerror(e));
        free(w);
        return NULL;
    }

    /* Fleet captures run to gigabytes: write in large blocks. */
    setvbuf(w->f, NULL, _IOFBF, 1u << 20);
    if (fmt == PCAPW_PCAPNG)
        write_pcapng_header(w);
    else
        write_pcap_header(w);
    if (w->failed) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s: cannot write the file header", path);
        fclose(w->f);
        free(w);
        return NULL;
    }
    return w;
}

int pcapw_add_tls_secrets(pcapw *w, const char *keylog, size_t len)
{
    /* An empty key log (a capture without TLS) still gets its block, so
     * callers need not special-case it; readers accept a zero length. */
    if (w == NULL || w->fmt != PCAPW_PCAPNG || (keylog == NULL && len > 0) ||
        len > PCAPW_MAX_SECRETS)
        return -1;

    uint32_t total = (uint32_t)(4 + 4 + 4 + 4 + pad4(len) + 4);
    put_u32(w, PCAPNG_DSB);
    put_u32(w, total);
    put_u32(w, PCAPNG_SECRETS_TLS_KEYLOG);
    put_u32(w, (uint32_t)len);
    put_padded(w, keylog, len);
    put_u32(w, total);
    return w->failed ? -1 : 0;
}

int pcapw_write_frame(pcapw *w, int64_t ts_us, const uint8_t *frame, size_t len)
{
    if (w == NULL || ts_us < 0 || (frame == NULL && len > 0) || len > PCAPW_SNAPLEN)
        return -1;

    if (w->fmt == PCAPW_PCAPNG) {
        uint64_t ts = (uint64_t)ts_us;
        uint32_t total = (uint32_t)(4 + 4 + 4 + 4 + 4 + 4 + 4 + pad4(len) + 4);
        put_u32(w, PCAPNG_EPB);
        put_u32(w, total);
        put_u32(w, 0); /* interface 0: the only IDB */
        put_u32(w, (uint32_t)(ts >> 32));
        put_u32(w, (uint32_t)ts);
        put_u32(w, (uint32_t)len);
        put_u32(w, (uint32_t)len);
        put_padded(w, frame, len);
        put_u32(w, total);
    } else {
        int64_t sec = ts_us / 1000000;
        if (sec > (int64_t)UINT32_MAX)
            return -1; /* the classic format ends in 2106 */
        put_u32(w, (uint32_t)sec);
        put_u32(w, (uint32_t)(ts_us % 1000000));
        put_u32(w, (uint32_t)len);
        put_u32(w, (uint32_t)len);
        put_bytes(w, frame, len);
    }
    return w->failed ? -1 : 0;
}

uint64_t pcapw_bytes(pcapw *w)
{
    off_t at = w != NULL ? ftello(w->f) : -1;
    return at > 0 ? (uint64_t)at : 0;
}

int pcapw_close(pcapw *w)
{
    if (w == NULL)
        return 0;
    int rc = w->failed ? -1 : 0;
    if (fclose(w->f) != 0)
        rc = -1;
    free(w);
    return rc;
}
