/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture: opens capture files (capfile, reading each input once) and live
 * interfaces (libpcap), and runs the read-decode-deliver loop. Both read
 * one record at a time, so a capture of any size is streamed, never loaded
 * whole. libpcap's error strings are turned into messages that name the
 * interface and say what to do. */
#include "capture/capture.h"

#include <inttypes.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capfile.h"
#include "capture/decompress.h"

/* Large enough for any frame a NIC with offloads hands the kernel; the
 * same value tcpdump and dumpcap use. */
#define CAP_SNAPLEN 262144
/* Live captures wake up this often without traffic, so a stop request is
 * seen promptly. */
#define CAP_LIVE_TIMEOUT_MS 250

struct cap_source {
    pcap_t *pc;  /* a live capture */
    capfile *cf; /* or a file */
    char *name;  /* path, "stdin" or interface: used in every message */
    int live;
    int linktype;
    int linktype_checked; /* a pcapng's first interface was checked */
    uint64_t frame;       /* records read so far; frame numbers continue across cap_run calls */
    uint64_t secrets;     /* key log bytes handed out */
    int secrets_capped;   /* ... and the limit was reached */
    cap_stop_cb stop;
    cap_secrets_cb on_secrets;
    cap_tap_cb tap;
    void *tap_ctx;
    uint64_t limit; /* stop after this many frames, 0: never */
    amt_err err;
};

static cap_source *source_new(const char *name, int live, int linktype)
{
    cap_source *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->name = strdup(name);
    if (s->name == NULL) {
        free(s);
        return NULL;
    }
    s->live = live;
    s->linktype = linktype;
    return s;
}

/* The link type must be one pkt_decode knows; otherwise every frame would
 * be skipped and the report would silently be empty. Linktype values of
 * files and DLT values agree for every type pkt_decode supports. */
static amt_rc check_linktype(int lt, const char *name, amt_err *e)
{
    if (pkt_linktype_supported(lt))
        return AMT_OK;
    const char *ltname = pcap_datalink_val_to_name(lt);
    return amt_fail(e, AMT_E_FORMAT,
                    "%s: link type %s (%d) is not supported (Ethernet, Linux cooked, BSD loopback "
                    "and raw IP are)",
                    name, ltname != NULL ? ltname : "unknown", lt);
}

cap_source *cap_open_file(const char *path, amt_err *e)
{
    amt_err_clear(e);
    byte_src *src = bsrc_open_capture(path, e);
    if (src == NULL)
        return NULL;
    capfile *cf = capfile_open(src, e);
    if (cf == NULL)
        return NULL;
    const char *name = capfile_name(cf);
    int lt = capfile_linktype(cf);
    if (!capfile_is_pcapng(cf) && check_linktype(lt, name, e) != AMT_OK) {
        capfile_close(cf);
        return NULL;
    }
    cap_source *s = source_new(name, 0, lt);
    if (s == NULL) {
        amt_fail(e, AMT_E_MEMORY, "%s: out of memory", name);
        capfile_close(cf);
        return NULL;
    }
    s->cf = cf;
    s->linktype_checked = !capfile_is_pcapng(cf);
    return s;
}

cap_source *cap_open_live(const char *iface, const char *bpf, amt_err *e)
{
    amt_err_clear(e);
    const char *name = iface != NULL && iface[0] != '\0' ? iface : "any";
    const char *filter = bpf != NULL && bpf[0] != '\0' ? bpf : CAP_DEFAULT_BPF;

    char eb[PCAP_ERRBUF_SIZE];
    eb[0] = '\0';
    pcap_t *pc = pcap_create(name, eb);
    if (pc == NULL) {
        amt_fail(e, AMT_E_INPUT, "%s: %s", name, eb);
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
        amt_fail(e, AMT_E_INPUT, "%s: cannot set up the capture: %s", name, pcap_statustostr(rc));
        pcap_close(pc);
        return NULL;
    }
    rc = pcap_activate(pc);
    if (rc < 0) {
        const char *detail = pcap_geterr(pc);
        switch (rc) {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            amt_fail(e, AMT_E_INPUT, "%s: no such interface (%s)", name, detail);
            break;
        case PCAP_ERROR_PERM_DENIED:
            amt_fail(e, AMT_E_INPUT,
                     "%s: permission denied: live capture needs root or CAP_NET_RAW (%s)", name,
                     detail);
            break;
        case PCAP_ERROR_IFACE_NOT_UP:
            amt_fail(e, AMT_E_INPUT, "%s: the interface is down", name);
            break;
        default:
            amt_fail(e, AMT_E_INPUT, "%s: cannot capture: %s (%s)", name, pcap_statustostr(rc),
                     detail);
            break;
        }
        pcap_close(pc);
        return NULL;
    }
    /* rc > 0 is a warning (e.g. promiscuous mode unsupported): the capture
     * still works. */

    struct bpf_program prog;
    if (pcap_compile(pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        amt_fail(e, AMT_E_USAGE, "%s: bad capture filter \"%s\": %s", name, filter,
                 pcap_geterr(pc));
        pcap_close(pc);
        return NULL;
    }
    rc = pcap_setfilter(pc, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        amt_fail(e, AMT_E_INPUT, "%s: cannot set the capture filter: %s", name, pcap_geterr(pc));
        pcap_close(pc);
        return NULL;
    }
    if (check_linktype(pcap_datalink(pc), name, e) != AMT_OK) {
        pcap_close(pc);
        return NULL;
    }
    cap_source *s = source_new(name, 1, pcap_datalink(pc));
    if (s == NULL) {
        pcap_close(pc);
        amt_fail(e, AMT_E_MEMORY, "%s: out of memory", name);
        return NULL;
    }
    s->pc = pc;
    /* pcap_next_ex returns at once when nothing is there: run_live waits
     * with poll, so stop() is asked on time */
    pcap_setnonblock(pc, 1, eb);
    return s;
}

void cap_set_stop(cap_source *s, cap_stop_cb stop)
{
    if (s != NULL)
        s->stop = stop;
}

void cap_set_limit(cap_source *s, uint64_t max)
{
    if (s != NULL)
        s->limit = max;
}

/* Whether cap_run should return: the caller asks, or the limit is reached. */
static int stop_now(cap_source *s, void *ctx)
{
    return (s->limit && s->frame >= s->limit) || (s->stop != NULL && s->stop(ctx));
}

void cap_set_tap(cap_source *s, cap_tap_cb tap, void *tap_ctx)
{
    if (s != NULL) {
        s->tap = tap;
        s->tap_ctx = tap_ctx;
    }
}

void cap_set_secrets(cap_source *s, cap_secrets_cb secrets)
{
    if (s != NULL)
        s->on_secrets = secrets;
}

/* Decodes one frame and hands it on; counts it in st. */
static void deliver(cap_source *s, pkt_decoder *d, int linktype, const uint8_t *data, size_t caplen,
                    int64_t ts, cap_packet_cb cb, cap_warn_cb warn, void *ctx, cap_stats *st)
{
    s->frame++;
    st->frames++;
    pkt p;
    const char *why = NULL;
    switch (pkt_decode(d, linktype, data, caplen, s->frame, ts, &p, &why)) {
    case PKT_OK:
        st->decoded++;
        p.file = s->name;
        if (cb != NULL)
            cb(ctx, &p);
        break;
    case PKT_SKIP:
        st->skipped++;
        break;
    case PKT_MALFORMED:
        st->malformed++;
        if (warn != NULL)
            warn(ctx, s->name, s->frame, why != NULL ? why : "malformed");
        break;
    }
}

/* A key log from the file: handed on while the limit allows. */
static void secrets(cap_source *s, const cap_record *r, cap_warn_cb warn, void *ctx)
{
    if (r->secrets_type != CAPFILE_SECRETS_TLS || s->on_secrets == NULL)
        return; /* secrets of other protocols (SSH, WireGuard) are not ours */
    if (s->secrets_capped || s->secrets + r->secrets_len > CAP_SECRETS_MAX) {
        if (!s->secrets_capped && warn != NULL) {
            char msg[200];
            snprintf(msg, sizeof msg,
                     "more than %u MiB of TLS secrets embedded: the decryption secrets block at "
                     "byte offset %" PRIu64 " and those after it are ignored",
                     CAP_SECRETS_MAX >> 20, r->offset);
            warn(ctx, s->name, s->frame, msg);
        }
        s->secrets_capped = 1;
        return;
    }
    s->secrets += r->secrets_len;
    s->on_secrets(ctx, s->name, s->frame, (const char *)r->secrets, r->secrets_len);
}

/* A pcapng interface: the first must have a link type we decode (else the
 * report would silently be empty); a later one that does not is skipped. */
static int interface(cap_source *s, const cap_record *r, cap_warn_cb warn, void *ctx)
{
    if (!s->linktype_checked) {
        s->linktype_checked = 1;
        s->linktype = r->linktype;
        if (check_linktype(r->linktype, s->name, &s->err) != AMT_OK)
            return -1;
        return 0;
    }
    if (!pkt_linktype_supported(r->linktype) && warn != NULL) {
        char msg[200];
        const char *ltname = pcap_datalink_val_to_name(r->linktype);
        snprintf(msg, sizeof msg,
                 "interface %" PRIu32 " has link type %s (%d), which is not supported: its "
                 "packets are skipped",
                 r->iface, ltname != NULL ? ltname : "unknown", r->linktype);
        warn(ctx, s->name, s->frame, msg);
    }
    return 0;
}

static int run_file(cap_source *s, pkt_decoder *d, cap_packet_cb cb, cap_warn_cb warn, void *ctx,
                    cap_stats *st)
{
    for (;;) {
        cap_record r;
        switch (capfile_next(s->cf, &r, &s->err)) {
        case CAPREC_PACKET:
            deliver(s, d, r.linktype, r.data, r.caplen, r.ts_us, cb, warn, ctx, st);
            if (stop_now(s, ctx))
                return 0;
            break;
        case CAPREC_SECRETS:
            secrets(s, &r, warn, ctx);
            break;
        case CAPREC_INTERFACE:
            if (interface(s, &r, warn, ctx) != 0)
                return -1;
            break;
        case CAPREC_NOTE:
            if (warn != NULL)
                warn(ctx, s->name, s->frame, r.note);
            break;
        case CAPREC_BLOCK:
            break;
        case CAPREC_END:
            return 0;
        case CAPREC_TRUNCATED:
            /* the capture was cut off, typically killed mid-write or copied
             * while running: what came before is good */
            if (warn != NULL)
                warn(ctx, s->name, s->frame, s->err.msg);
            return 1;
        case CAPREC_ERROR:
            return -1;
        }
    }
}

/* Waits up to CAP_LIVE_TIMEOUT_MS for the capture to have a packet. In
 * immediate mode libpcap ignores its own timeout on Linux, and a signal
 * restarts the wait: without this, a quiet interface would keep -a
 * duration and Ctrl-C from being seen until a packet came. */
static void wait_live(cap_source *s)
{
    int fd = pcap_get_selectable_fd(s->pc);
    if (fd < 0)
        return; /* pcap_next_ex's own timeout then */
    struct pollfd p = {.fd = fd, .events = POLLIN};
    (void)poll(&p, 1, CAP_LIVE_TIMEOUT_MS);
}

static int run_live(cap_source *s, pkt_decoder *d, cap_packet_cb cb, cap_warn_cb warn, void *ctx,
                    cap_stats *st)
{
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(s->pc, &h, &data);
        if (rc == 0)
            wait_live(s);
        if (rc == 1) {
            int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
            if (s->tap != NULL)
                s->tap(s->tap_ctx, s->linktype, data, h->caplen, h->len, ts);
            deliver(s, d, s->linktype, data, h->caplen, ts, cb, warn, ctx, st);
            if (stop_now(s, ctx))
                return 0;
            continue;
        }
        if (rc == 0) {
            /* the timeout passed without a packet */
            if (s->stop != NULL && s->stop(ctx))
                return 0;
            continue;
        }
        if (rc == PCAP_ERROR_BREAK)
            return 0;
        amt_fail(&s->err, AMT_E_INPUT, "%s: read error after frame %" PRIu64 ": %s", s->name,
                 s->frame, pcap_geterr(s->pc));
        return -1;
    }
}

int cap_run(cap_source *s, pkt_decoder *d, cap_packet_cb cb, cap_warn_cb warn, void *ctx,
            cap_stats *stats)
{
    cap_stats st = {0, 0, 0, 0};
    amt_err_clear(&s->err);
    int ret = s->live ? run_live(s, d, cb, warn, ctx, &st) : run_file(s, d, cb, warn, ctx, &st);
    if (stats != NULL)
        *stats = st;
    return ret;
}

const char *cap_error(const cap_source *s)
{
    return s != NULL ? s->err.msg : "";
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
    if (s->pc)
        pcap_close(s->pc);
    capfile_close(s->cf); /* standard input's descriptor stays open */
    free(s->name);
    free(s);
}
