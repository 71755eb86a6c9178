/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fleet: one capture of a management server's traffic to a whole fleet of
 * AMTs, for the benchmarks in bench/. Every session is a real handshake
 * and login run on the simulator; sessions overlap in time, and the capture
 * is written as it is made, so memory stays flat whatever its size. */
#ifndef AMTSIM_FLEET_H
#define AMTSIM_FLEET_H

#include "scenario.h"
#include "wire.h"

#include <glib.h>
#include <stdint.h>

/* What one AMT of the fleet is like: every session to it behaves alike. */
typedef struct fleet_profile {
    const char *name;     /* its label in labels.tsv */
    const char *scenario; /* the catalog setup it applies, or NULL */
    /* the fleet's own setup after that (variety, fleet-only failures), or NULL */
    void (*setup)(scen_ctx *s, uint64_t r);
    unsigned weight; /* successes: per mille of all AMTs; failures share the rest */
    int failure;
    int cert_kind; /* the AMT's own certificate: FLEET_CERT_* */
    /* a console host of its own (its PTR name is part of the failure), or
     * NULL: one of the management server's console hosts */
    const char *console_addr;
} fleet_profile;

enum { FLEET_CERT_OK, FLEET_CERT_EXPIRED, FLEET_CERT_OTHER_ROOT };

extern const fleet_profile fleet_profiles[];
extern const unsigned fleet_n_profiles;

typedef struct fleet_cfg {
    uint64_t size; /* target capture size in bytes */
    uint64_t seed;
    unsigned n_amts;      /* distinct AMTs */
    unsigned n_consoles;  /* distinct console hosts */
    unsigned fail_permil; /* share of AMTs with a failure profile */
    unsigned jobs;        /* worker threads */
    int64_t start_us;     /* the capture's first session */
    int64_t gap_us;       /* mean time between session starts */
} fleet_cfg;

/* What the workers share: the keys and certificates, and each AMT's
 * profile and (made on first use) certificate. */
typedef struct fleet_state {
    const fleet_cfg *cfg;
    world w;
    EVP_PKEY *amt_keys[4]; /* [0] for static-RSA AMTs: the one key file written */
    /* The same keys as DER, and the console's: each session decodes its own
     * copy, so that RSA blinding, which draws random bytes now and then,
     * keeps no state from one session to another. */
    GBytes *amt_key_der[4], *console_key_der;
    uint16_t *amt_profile; /* per AMT: index into fleet_profiles */
    GBytes **amt_cert_der; /* per AMT, made on first use */
    GMutex lock;
} fleet_state;

/* Assigns every AMT its profile; returns 0 or -1. */
int fleet_state_init(fleet_state *st, const fleet_cfg *cfg);
/* A private key as DER (test keys: not wiped); NULL on failure. */
GBytes *fleet_key_der(EVP_PKEY *k);
/* A fresh copy of a private key kept as DER; NULL on failure. */
EVP_PKEY *fleet_key_copy(GBytes *der);
void fleet_state_free(fleet_state *st);

/* One connection of a session as the labels file states it. */
typedef struct fleet_conn {
    sim_endpoint cli, srv; /* the client port is set when the session is written */
    int tcp;               /* EV_TCP_OPEN, EV_TCP_REFUSED, EV_TCP_UNANSWERED */
    int tls, handshake_done, rsa_kex;
    char version[16], cipher[64];
    char stage[16], outcome[16];
    char causes[200];
    char statuses[64];
    uint16_t local_port; /* the port the simulation gave the client */
    wire_tcp *flow;
    uint32_t isn_c, isn_s;
    int cipher_class; /* index into the writer's decryption counters, -1 none */
    /* TLS record parsing per direction, for the bytes a decoder decrypts */
    struct {
        uint8_t hdr[5];
        uint8_t hdr_len;
        uint32_t left;
        int counted; /* the current record is application data */
    } rec[2];
} fleet_conn;

/* A DNS lookup the diagnosis must name. */
typedef struct fleet_dns {
    char name[96];
    char cause[48];
} fleet_dns;

/* One finished session: its recording and labels, to be merged into the
 * capture by the writer. */
typedef struct fleet_session {
    uint64_t idx;
    int64_t start_us;
    unsigned amt, console;
    const char *profile;
    int failure;
    int verdict_mismatch; /* the AMT rejected for another rule than the scenario's */
    sim_event *ev;
    size_t nev, next;
    fleet_conn *conns;
    size_t nconns;
    fleet_dns dns[SCEN_MAX_DNS];
    int ndns;
    GString *keylog; /* only sessions a key log can decrypt: static RSA needs the key */
    size_t pending;  /* bytes of events not yet written */
} fleet_session;

/* Runs session idx of the fleet on the simulator; NULL on failure. */
fleet_session *fleet_session_run(fleet_state *st, uint64_t idx);
/* The AMT session idx goes to: the management server polls every AMT once
 * per round, in an order shuffled anew each round. */
unsigned fleet_amt_of(const fleet_cfg *cfg, uint64_t idx);
void fleet_session_free(fleet_session *s);

/* The writer: merges sessions, admitted in order of their start, into one
 * capture in time order, with the key log, labels and statistics. */
typedef struct fleet_writer fleet_writer;
fleet_writer *fleet_writer_open(const char *dir, const fleet_cfg *cfg);
/* Takes s; returns 0 or -1 (a write failed). */
int fleet_writer_admit(fleet_writer *fw, fleet_session *s);
/* The capture's size so far, counting what is admitted but not written. */
uint64_t fleet_writer_size(fleet_writer *fw);
/* Writes what is left, fleet.json and closes; returns 0 or -1. */
int fleet_writer_close(fleet_writer *fw, double gen_seconds);

/* A 64-bit mix (splitmix64's finalizer): reproducible randomness from the
 * seed and an index. */
static inline uint64_t fleet_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Replaces OpenSSL's random bytes by a stream per thread, seeded with
 * fleet_rand_seed(a, b) (see fleet_rand.c). Returns 0 or -1. */
int fleet_rand_install(void);
void fleet_rand_seed(uint64_t a, uint64_t b);

/* amtsim --fleet and amtsim --bulk. */
int fleet_main(int argc, char **argv);
int fleet_bulk_main(int argc, char **argv);

/* Parses "100M", "1G", "2000000"; returns 0 or -1. */
int fleet_parse_size(const char *s, uint64_t *out);

#endif
