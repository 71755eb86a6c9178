/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cirasim: an AMT calling out to a Management Presence Server (CIRA) and
 * the MPS, both ours, over real TCP on 127.0.0.1:4433 with real OpenSSL
 * TLS, one scenario per way a tunnel fails and one that carries a WS-Man
 * Get. The two sides' shared settings and a scenario's knobs. */
#ifndef CIRASIM_H
#define CIRASIM_H

#include <glib.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <string.h>

#define CIRA_PORT 4433
#define CIRA_FILLER_PORT 4999 /* the connection that fills the accept queue */
#define CIRA_MPS_NAME "mps.example.com"
#define CIRA_AMT_NAME "amt7.example.com"
#define CIRA_USER "cira-amt7"
#define CIRA_PASSWORD "Cira-P4ss!"
#define CIRA_ADMIN "admin"
#define CIRA_ADMIN_PASSWORD "P@ssw0rd"
#define CIRA_WRONG_PASSWORD "Adm1n-0ld!"
#define CIRA_REDIR_USER "sol-user"
#define CIRA_REDIR_PASSWORD "S0l-P4ss!"
#define CIRA_CHANNELS_MAX 4
#define CIRA_REALM "Digest:7C2D0000000000000000000000000000"

typedef struct cira_scen {
    const char *name;
    const char *summary;
    /* the MPS */
    int no_listener;       /* nothing listens: the SYN gets a reset */
    int unanswered;        /* the SYNs are dropped (a full accept queue) */
    int cert_other_root;   /* its certificate is not from AMT's trusted root */
    const char *cert_name; /* the name its certificate holds (default CIRA_MPS_NAME) */
    int tls13_only;        /* refuses TLS 1.2 */
    const char *ciphers;   /* its TLS 1.2 cipher list (default: OpenSSL's) */
    const char *password;  /* the password it accepts (default CIRA_PASSWORD) */
    int no_keepalive_reply;
    int wants_amt_cert;      /* it asks for AMT's certificate and checks it against the root */
    int amt_cert_other_root; /* ... against another root than the one AMT's is from */
    uint32_t channel_port;   /* the port it opens a channel to (0: none) */
    /* or channels its consoles open at once, each a kind: "wsman" (a Get
     * with a Digest login), "wsman-wrong" (the same, a wrong password),
     * "wsman-nocred" (the Get, and no answer to AMT's 401),
     * "wsman-tls" (the Get over TLS to 16993), "wsman-tls-nocert" (the
     * same from a console that has no certificate to show), "redir" (a SOL
     * session's start and login on 16994), "redir-ider-wrong" (an IDE-R
     * session's, with a wrong password), "redir-tls" (the SOL session over
     * TLS to 16995); NULL ends */
    const char *channels[CIRA_CHANNELS_MAX + 1];
    /* the AMT */
    const char *amt_ciphers; /* its cipher list (default AMT 16's) */
    int amt_redir;           /* it forwards and serves 16994 too */
    int amt_redir_tls;       /* ... and 16995 (TLS inside the channel; with amt_tls) */
    int amt_tls;             /* it serves 16993 (TLS inside the channel) */
    int amt_tls_mutual;      /* ... and asks the console for a certificate from its root */
    int amt_tls13;           /* ... and allows TLS 1.3 there, as newer firmware does */
    int amt_no_cert;         /* it has no certificate to show an MPS that asks */
    /* what the sample must show */
    const char *stage, *outcome;
    const char *causes[3];
} cira_scen;

/* Whether a console of that kind speaks TLS to AMT ("-tls" in its name). */
static inline int cira_kind_tls(const char *kind)
{
    return strstr(kind, "-tls") != NULL;
}

/* What one side saw, for expected.json. */
typedef struct cira_log {
    GPtrArray *amt_msgs; /* APF type names AMT sent, in order (char *) */
    GPtrArray *mps_msgs; /* ... and the MPS */
    GPtrArray *http;     /* HTTP statuses AMT answered in channels (char *) */
    GPtrArray *https;    /* ... in channels to 16993, inside their TLS */
    GPtrArray *redir;    /* redirection logins AMT answered: "accepted", "rejected" */
    int alert_from_amt;  /* the TLS alert AMT sent, -1 none */
    int alert_from_mps;
    char client[64]; /* AMT's address:port */
} cira_log;

/* The MPS: serves one connection on the listening socket lfd with
 * certificate cert (chain of n) and key. Runs in its own thread. */
typedef struct mps_args {
    const cira_scen *sc;
    int lfd;
    X509 *chain[2];
    EVP_PKEY *key;
    X509 *amt_root;     /* the root the MPS checks AMT's certificate against (wants_amt_cert) */
    X509 *console_cert; /* its consoles' certificate for AMT's 16993 (NULL: none) */
    EVP_PKEY *console_key;
    cira_log *log;
} mps_args;
gpointer cira_mps_run(gpointer args);

/* The AMT: connects, checks the MPS against root and CIRA_MPS_NAME, and
 * holds the tunnel as sc says; cert and key are its own, shown to an MPS
 * that asks for them and served on 16993 through the tunnel (sc->amt_tls). keylog: the NSS key log
 * file to append to. Returns 0 when it ran (whatever the outcome), -1 on a local error. */
int cira_amt_run(const cira_scen *sc, X509 *root, X509 *cert, EVP_PKEY *key, const char *keylog,
                 cira_log *log);

/* Records the TLS alerts a context's connections write. */
void cira_set_info_callback(SSL_CTX *ctx);

/* The APF name of a type (as lib's, written here again). */
const char *cira_type_name(uint8_t t);

#endif
