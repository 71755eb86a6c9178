/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture: opens capture files and live interfaces through libpcap and
 * runs the read-decode-deliver loop. libpcap reads one record at a time,
 * so a capture of any size is streamed, never loaded whole. Its error
 * strings are turned into messages that name the file and say what to do. */
#include "capture/capture.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Large enough for any frame a NIC with offloads hands the kernel; the
 * same value tcpdump and dumpcap use. */
#define CAP_SNAPLEN 262144
/* Live captures wake up this often without traffic, so a stop request is
 * seen promptly. */
#define CAP_LIVE_TIMEOUT_MS 250

struct cap_source {
    pcap_t *pc;
    char *name; /* path, "stdin" or interface: used in every message */
    int live;
    int linktype;
    uint64_t frame; /* records read so far; frame numbers continue across cap_run calls */
    cap_stop_cb stop;
    char err[PCAP_ERRBUF_SIZE + 512];
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static cap_source *source_new(pcap_t *pc, const char *name, int live)
{
    cap_source *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->name = strdup(name);
    if (s->name == NULL) {
        free(s);
        return NULL;
    }
    s->pc = pc;
    s->live = live;
    s->linktype = pcap_datalink(pc);
    return s;
}

/* The link type must be one pkt_decode knows; otherwise every frame would
 * be skipped and the report would silently be empty. */
static int check_linktype(pcap_t *pc, const char *name, char *err, size_t errlen)
{
    int lt = pcap_datalink(pc);
    if (pkt_linktype_supported(lt))
        return 0;
    const char *ltname = pcap_datalink_val_to_name(lt);
    set_err(err, errlen,
            "%s: link type %s (%d) is not supported (Ethernet, Linux cooked, BSD loopback and "
            "raw IP are)",
            name, ltname != NULL ? ltname : "unknown", lt);
    return -1;
}

/* libpcap 1.10 refuses a pcapng whose interfaces have different link types
 * with this text; it is matched so the user learns what to do about it. */
static int is_mixed_linktypes(const char *msg)
{
    return strstr(msg, "different from the type of the first interface") != NULL;
}

static void mixed_linktypes_msg(char *err, size_t errlen, const char *name, const char *msg)
{
    set_err(err, errlen,
            "%s: the pcapng file has interfaces with different link types (%s); split it per "
            "interface first, e.g. tshark -r IN -Y frame.interface_id==0 -w OUT",
            name, msg);
}

cap_source *cap_open_file(const char *path, char *err, size_t errlen)
{
    set_err(err, errlen, "%s", "");
    if (path == NULL || path[0] == '\0') {
        set_err(err, errlen, "no capture file given");
        return NULL;
    }
    int is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "stdin" : path;

    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        set_err(err, errlen, "%s: cannot open: %s", name, strerror(errno));
        return NULL;
    }
    /* libpcap's messages for these ("truncated dump file; tried to read 4
     * file header bytes, only got 0") do not say what is wrong. */
    struct stat st;
    if (fstat(fileno(f), &st) == 0) {
        const char *why = NULL;
        if (S_ISDIR(st.st_mode))
            why = "is a directory, not a capture file";
        else if (S_ISREG(st.st_mode) && st.st_size == 0)
            why = "empty file, not a pcap or pcapng file";
        if (why != NULL) {
            set_err(err, errlen, "%s: %s", name, why);
            if (!is_stdin)
                fclose(f);
            return NULL;
        }
    }

    char eb[PCAP_ERRBUF_SIZE];
    eb[0] = '\0';
    /* Microseconds: pkt carries them, and libpcap scales nanosecond pcapng
     * timestamps down for us. */
    pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, eb);
    if (pc == NULL) {
        /* on failure libpcap leaves the FILE to us */
        if (!is_stdin)
            fclose(f);
        if (strstr(eb, "unknown file format") != NULL)
            set_err(err, errlen, "%s: not a pcap or pcapng file", name);
        else if (strstr(eb, "only got 0") != NULL && strstr(eb, "file header") != NULL)
            set_err(err, errlen, "%s: empty input, not a pcap or pcapng file", name);
        else if (strstr(eb, "truncated") != NULL)
            set_err(err, errlen, "%s: the file ends inside its header (%s)", name, eb);
        else if (is_mixed_linktypes(eb))
            mixed_linktypes_msg(err, errlen, name, eb);
        else
            set_err(err, errlen, "%s: %s", name, eb);
        return NULL;
    }
    if (check_linktype(pc, name, err, errlen) != 0) {
        pcap_close(pc);
        return NULL;
    }
    cap_source *s = source_new(pc, name, 0);
    if (s == NULL) {
        pcap_close(pc);
        set_err(err, errlen, "%s: out of memory", name);
    }
    return s;
}

cap_source *cap_open_live(const char *iface, const char *bpf, char *err, size_t errlen)
{
    set_err(err, errlen, "%s", "");
    const char *name = iface != NULL && iface[0] != '\0' ? iface : "any";
    const char *filter = bpf != NULL && bpf[0] != '\0' ? bpf : CAP_DEFAULT_BPF;

    char eb[PCAP_ERRBUF_SIZE];
    eb[0] = '\0';
    pcap_t *pc = pcap_create(name, eb);
    if (pc == NULL) {
        set_err(err, errlen, "%s: %s", name, eb);
        return NULL;
    }
    /* Promiscuous, as tcpdump: the console and the AMT are usually other
     * hosts on a mirrored port. Immediate mode: a live diagnosis should
     * not wait for a buffer to fill. */
    /* (These fail only on an already activated handle: said all the same,
     * and libpcap 1.11 insists on the results being read.) */
    int rc = pcap_set_snaplen(pc, CAP_SNAPLEN);
    if (rc == 0)
        rc = pcap_set_promisc(pc, 1);
    if (rc == 0)
        rc = pcap_set_immediate_mode(pc, 1);
    if (rc == 0)
        rc = pcap_set_timeout(pc, CAP_LIVE_TIMEOUT_MS);
    if (rc != 0) {
        set_err(err, errlen, "%s: cannot set up the capture: %s", name, pcap_statustostr(rc));
        pcap_close(pc);
        return NULL;
    }
    rc = pcap_activate(pc);
    if (rc < 0) {
        const char *detail = pcap_geterr(pc);
        switch (rc) {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            set_err(err, errlen, "%s: no such interface (%s)", name, detail);
            break;
        case PCAP_ERROR_PERM_DENIED:
            set_err(err, errlen,
                    "%s: permission denied: live capture needs root or CAP_NET_RAW (%s)", name,
                    detail);
            break;
        case PCAP_ERROR_IFACE_NOT_UP:
            set_err(err, errlen, "%s: the interface is down", name);
            break;
        default:
            set_err(err, errlen, "%s: cannot capture: %s (%s)", name, pcap_statustostr(rc), detail);
            break;
        }
        pcap_close(pc);
        return NULL;
    }
    /* rc > 0 is a warning (e.g. promiscuous mode unsupported): the capture
     * still works. */

    struct bpf_program prog;
    if (pcap_compile(pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        set_err(err, errlen, "%s: bad capture filter \"%s\": %s", name, filter, pcap_geterr(pc));
        pcap_close(pc);
        return NULL;
    }
    rc = pcap_setfilter(pc, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        set_err(err, errlen, "%s: cannot set the capture filter: %s", name, pcap_geterr(pc));
        pcap_close(pc);
        return NULL;
    }
    if (check_linktype(pc, name, err, errlen) != 0) {
        pcap_close(pc);
        return NULL;
    }
    cap_source *s = source_new(pc, name, 1);
    if (s == NULL) {
        pcap_close(pc);
        set_err(err, errlen, "%s: out of memory", name);
    }
    return s;
}

/* A corrupt pcapng can carry a 64-bit timestamp that overflows
 * microseconds; it is clamped rather than left to wrap. */
static int64_t ts_to_us(int64_t sec, int64_t usec)
{
    const int64_t max_sec = INT64_MAX / 1000000 - 1;
    if (sec > max_sec)
        sec = max_sec;
    else if (sec < -max_sec)
        sec = -max_sec;
    return sec * 1000000 + usec;
}

void cap_set_stop(cap_source *s, cap_stop_cb stop)
{
    if (s != NULL)
        s->stop = stop;
}

int cap_run(cap_source *s, pkt_decoder *d, cap_packet_cb cb, cap_warn_cb warn, void *ctx,
            cap_stats *stats)
{
    cap_stats st = {0, 0, 0, 0};
    int ret;
    s->err[0] = '\0';

    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(s->pc, &h, &data);
        if (rc == 1) {
            s->frame++;
            st.frames++;
            int64_t ts = ts_to_us(h->ts.tv_sec, h->ts.tv_usec);
            pkt p;
            const char *why = NULL;
            switch (pkt_decode(d, s->linktype, data, h->caplen, s->frame, ts, &p, &why)) {
            case PKT_OK:
                st.decoded++;
                p.file = s->name;
                if (cb != NULL)
                    cb(ctx, &p);
                break;
            case PKT_SKIP:
                st.skipped++;
                break;
            case PKT_MALFORMED:
                st.malformed++;
                if (warn != NULL)
                    warn(ctx, s->name, s->frame, why != NULL ? why : "malformed");
                break;
            }
            if (s->stop != NULL && s->stop(ctx)) {
                ret = 0;
                break;
            }
            continue;
        }
        if (rc == 0) {
            /* live capture: the timeout passed without a packet */
            if (s->stop != NULL && s->stop(ctx)) {
                ret = 0;
                break;
            }
            continue;
        }
        if (rc == PCAP_ERROR_BREAK) {
            ret = 0; /* end of file */
            break;
        }

        const char *pe = pcap_geterr(s->pc);
        if (!s->live && strstr(pe, "truncated") != NULL) {
            /* libpcap 1.10: "truncated dump file; tried to read 74 captured
             * bytes, only got 54" (pcap) or "truncated pcapng dump file;
             * ..." — the capture was cut off, typically a capture killed
             * mid-write or copied while running. What came before is good. */
            snprintf(s->err, sizeof s->err,
                     "%s: the file ends in the middle of the record after frame %" PRIu64
                     " (truncated capture: %s)",
                     s->name, s->frame, pe);
            if (warn != NULL)
                warn(ctx, s->name, s->frame, s->err);
            ret = 1;
        } else if (is_mixed_linktypes(pe)) {
            mixed_linktypes_msg(s->err, sizeof s->err, s->name, pe);
            ret = -1;
        } else {
            snprintf(s->err, sizeof s->err, "%s: read error after frame %" PRIu64 ": %s", s->name,
                     s->frame, pe);
            ret = -1;
        }
        break;
    }
    if (stats != NULL)
        *stats = st;
    return ret;
}

const char *cap_error(const cap_source *s)
{
    return s != NULL ? s->err : "";
}

const char *cap_name(const cap_source *s)
{
    return s != NULL ? s->name : "";
}

int cap_linktype(const cap_source *s)
{
    return s != NULL ? s->linktype : -1;
}

void cap_close(cap_source *s)
{
    if (s == NULL)
        return;
    /* for stdin libpcap leaves the stream open, which is what we want */
    pcap_close(s->pc);
    free(s->name);
    free(s);
}
