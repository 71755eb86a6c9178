/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scenario: one labelled situation between a console and an AMT, run on
 * the simulator and written out as a sample folder. */
#ifndef AMTSIM_SCENARIO_H
#define AMTSIM_SCENARIO_H

#include "amt_device.h"
#include "console.h"
#include "console_redir.h"
#include "netsim.h"

/* Keys and certificates shared by all scenarios of one run. */
typedef struct world {
    EVP_PKEY *root_key, *other_root_key, *amt_key, *console_key;
    X509 *root, *other_root, *amt_cert;
    X509 *con_good, *con_no_oid, *con_no_client_auth, *con_other_root, *con_other_fqdn, *con_new;
} world;

#define SCEN_MAX_REQS 8
#define SCEN_MAX_DNS 4
#define SCEN_MAX_PATH 6

typedef struct scen_dns {
    const char *name;
    int qtype, rcode;
    const char *cause; /* NULL when the lookup is fine */
} scen_dns;

/* Where a scenario takes place: the AMT's address, names and certificate,
 * the console's address and the DNS server. The sample catalog uses one
 * site (scenario_site_default); the fleet generator gives every AMT its own. */
typedef struct scen_site {
    const char *amt_addr;
    const char *amt_host;   /* "amt-pc17" */
    const char *amt_domain; /* "vpro.example.com" */
    const char *amt_fqdn;   /* amt_host.amt_domain */
    X509 *amt_cert;
    EVP_PKEY *amt_key;
    const char *console_addr;
    const char *dns_addr;
} scen_site;

typedef struct scen_ctx {
    world *w;
    const char *dns_addr; /* the site's DNS server */
    char ptr_qname[80];   /* the PTR name a setup looks up */
    netsim *net;
    amt_device dev;
    console con;
    uint16_t port;
    console_req reqs[SCEN_MAX_REQS];
    int nreqs;
    pcapw_format fmt;
    int embed_secrets;
    netsim_pathology path[SCEN_MAX_PATH];
    int npath;
    int64_t capture_start; /* set by the sequence: 0 none */
    int static_rsa;        /* the AMT's RSA key decrypts the sample */
    scen_dns dns[SCEN_MAX_DNS];
    int ndns;
    /* cause tokens for the generic labelling (see scenario.c) */
    const char *tls_cause[3];
    const char *auth_cause;
    const char *refused_cause;
    const char *wsman_cause;
    const char *ok_cause;
    const char *redir_cause[2]; /* of every redirection connection */
    const char *redir_tag;      /* the default redirection sequence: session, */
    redir_login redir_how;      /* ... login */
    const char *synthetic_only; /* why the scenario cannot be recorded live, or NULL */
    const char *expect_verdict; /* the AMT rule the sample must trip, self-checked */
    void (*sequence)(struct scen_ctx *s);
} scen_ctx;

typedef struct scenario {
    const char *name;
    const char *summary;
    void (*setup)(scen_ctx *s);
} scenario;

/* The catalog's site: AMT 192.0.2.20 amt-pc17.vpro.example.com with the
 * world's AMT certificate, console 192.0.2.10, DNS 192.0.2.53. */
scen_site scenario_site_default(world *w);

/* Fills s with the default world at site (an AMT 12 on TLS 1.2, an admin
 * console), clock at start; s->net must be set. seed makes nonces and
 * cnonces reproducible. */
void scenario_defaults(scen_ctx *s, world *w, const scen_site *site, uint32_t seed);

/* The default sequence: the console runs s->reqs against port s->port. */
void scenario_default_sequence(scen_ctx *s);

/* Gives every connection of s->net that the sequence did not label itself
 * its stage, outcome and cause tokens from what it did. */
void scenario_label(scen_ctx *s);

/* Sets the console's usual calls after logging in: Get AMT_GeneralSettings,
 * Enumerate and Pull AMT_TLSSettingData, GetLowAccuracyTimeSynch. */
void scen_default_requests(scen_ctx *s);

extern const scenario scenarios[];
extern const unsigned n_scenarios;

const scenario *scenario_find(const char *name);

/* Creates the shared keys and certificates; returns 0 or -1. */
int world_init(world *w);
void world_free(world *w);

/* Runs one scenario and writes its folder dir/name; causes receives the
 * per-connection cause tokens for the samples table. live: real TCP on
 * 127.0.0.1 for dumpcap to record, and no synthesized capture; scenarios
 * that need DNS, an unreachable host or capture effects are refused.
 * Returns 0, or -1 with a message on stderr. */
int scenario_generate(const scenario *sc, world *w, const char *dir, char *causes,
                      size_t causes_len, int live);

#endif
