/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals shared by the diagnosis rule files (diag_*.c): the run's
 * context and the helpers that add findings. Not installed, not used
 * outside lib/. */
#ifndef AMTDIAG_DIAG_INT_H
#define AMTDIAG_DIAG_INT_H

#include "amtdiag/diag.h"

/* diag_cert_read without its cache: decodes the DER every time
 * (diag_cert_cache.c keeps the results). */
int diag_cert_parse(const uint8_t *der, size_t len, diag_cert_info *out);

/* TLS numbers the rules use. */
enum {
    DIAG_HS_CLIENT_HELLO = 1,
    DIAG_HS_SERVER_HELLO = 2,
    DIAG_HS_CERTIFICATE = 11,
    DIAG_HS_SERVER_KEY_EXCHANGE = 12,
    DIAG_HS_CERTIFICATE_REQUEST = 13,
    DIAG_HS_SERVER_HELLO_DONE = 14,
    DIAG_HS_CERTIFICATE_VERIFY = 15,
    DIAG_HS_CLIENT_KEY_EXCHANGE = 16,
    DIAG_HS_FINISHED = 20,
};
enum {
    DIAG_ALERT_CLOSE_NOTIFY = 0,
    DIAG_ALERT_HANDSHAKE_FAILURE = 40,
    DIAG_ALERT_BAD_CERTIFICATE = 42,
    DIAG_ALERT_UNSUPPORTED_CERTIFICATE = 43,
    DIAG_ALERT_CERTIFICATE_REVOKED = 44,
    DIAG_ALERT_CERTIFICATE_EXPIRED = 45,
    DIAG_ALERT_CERTIFICATE_UNKNOWN = 46,
    DIAG_ALERT_UNKNOWN_CA = 48,
    DIAG_ALERT_ACCESS_DENIED = 49,
    DIAG_ALERT_DECRYPT_ERROR = 51,
    DIAG_ALERT_PROTOCOL_VERSION = 70,
    DIAG_ALERT_INSUFFICIENT_SECURITY = 71,
    DIAG_ALERT_CERTIFICATE_REQUIRED = 116,
};

/* The best estimate of one AMT's clock so far: its rank says how good the
 * source is (3 time-synchronization answer, 2 HTTP Date, 1 ServerHello). */
typedef struct clock_acc {
    diag_clock clock;
    int rank;
    int64_t gmt_offset; /* a first plausible ServerHello time, awaiting a second */
    uint64_t gmt_frame;
} clock_acc;

/* What is known of one AMT across its connections (diag_know.c). */
typedef struct know_server {
    int connected; /* a connection to it was learned */
    clock_acc clock;
    int tls_ok;            /* its TLS service accepted a connection */
    int redir_tls_ok;      /* ... and its redirection TLS service (16995) */
    GPtrArray *trusted_cn; /* TrustedCN values its answers carried, or NULL */
    int credentials_sent;  /* a request to it carried credentials */
    int has_last_challenge;
    unsigned last_challenge_id; /* the last connection challenged without credentials */
    uint64_t last_challenge_frame;
    struct login_state *login; /* diag_login.c's, for the connections judged so far */
    GPtrArray *names;          /* the Host names its requests used (name keys, bounded) */
} know_server;

struct diag_know {
    const diag_inputs *in;
    GHashTable *servers;     /* server address → know_server */
    GQueue dns;              /* DNS responses kept, oldest first (owned) */
    GHashTable *by_name;     /* name key → GQueue of the A/AAAA answers for it */
    GHashTable *by_addr;     /* address → GQueue of the A/AAAA answers holding it */
    GHashTable *ptr_by_addr; /* address → GQueue of the PTR answers for it */
    GHashTable *by_client;   /* asker's address → GQueue of its A/AAAA answers */
    GPtrArray *unreported;   /* NXDOMAIN answers not yet reported */
    struct diag_krb *krb;    /* the KDC messages decoded (diag_kerberos.c), on first use */
};

/* One run of the rules over some connections, with what is known. */
typedef struct diag_ctx {
    const diag_conn_facts *conns;
    size_t n_conns;
    const diag_inputs *in;
    diag_result *r;
    diag_know *k;
} diag_ctx;

/* A hash key naming connection c's server address (family and bytes). */
GBytes *diag_server_key(const diag_conn_facts *c);

/* The result of connection i (index into the facts). */
diag_conn_result *diag_cr(diag_ctx *x, size_t i);

/* Adds a finding of this cause (certain) to connection i, or to the global
 * list when i is (size_t)-1. */
diag_finding *diag_add(diag_ctx *x, size_t i, diag_cause_id cause, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* Adds a frame number to a finding's evidence (0 and repeats ignored). */
void diag_frame(diag_finding *f, uint64_t frame);

/* Whether connection result cr holds a finding of this cause. */
int diag_has(const diag_conn_result *cr, diag_cause_id cause);

/* Whether it holds a finding of severity error. */
int diag_has_error(const diag_conn_result *cr);

/* The first alert in c sent by side from that is not close_notify, or NULL. */
const diag_alert *diag_first_alert(const diag_conn_facts *c, int from);

/* Whether AMT answered the console over this connection after TLS (an
 * HTTP response, or application data when it could not be decrypted). */
int diag_amt_answered(const diag_conn_facts *c);

/* An alert's name ("bad_certificate"), "an encrypted alert" for -1. */
const char *diag_alert_text(int desc);

/* An address as text. */
const char *diag_addr_text(int family, const uint8_t *addr, char *buf, size_t len);

/* AMT's clock for connection c, from the inputs or the capture. */
void diag_clock_for(diag_ctx *x, const diag_conn_facts *c, diag_clock *out);

/* Parses an HTTP date (RFC 7231 IMF-fixdate, RFC 850, asctime). Returns 0. */
int diag_parse_http_date(const char *s, int64_t *out);

/* Who ended connection c, how, and after which step. */
void diag_end_of(const diag_conn_facts *c, diag_end *e);

/* Where a hole in the capture is, as words: "at frames 7–9", "before
 * frame 9"; returns what g_snprintf returns. */
int diag_gap_text(const diag_gap *g, char *buf, size_t len);

/* Whether the console's first bytes on c are an HTTP request line. */
int diag_console_spoke_http(const diag_conn_facts *c);

/* The service AMT offers on connection c: the facts' word, else its
 * well-known port. */
amt_service diag_service(const diag_conn_facts *c);

/* What is known of the AMT at this address (created empty). */
know_server *diag_know_server(diag_know *k, int family, const uint8_t *addr);

/* Whether a connection to this address was learned (nothing is created). */
int diag_know_connected(diag_know *k, int family, const uint8_t *addr);

/* A host name as a lookup key: lower case, no port, no final dot; NULL
 * for none. Free with g_free. */
char *diag_name_key(const char *name);

/* The newest A/AAAA answer at or before capture time t: for a name, or
 * holding an address; NULL when none is known. */
const diag_dns_facts *diag_know_answer_for_name(diag_know *k, const char *name, int64_t t);
const diag_dns_facts *diag_know_answer_holding(diag_know *k, int family, const uint8_t *addr,
                                               int64_t t);

/* The newest A/AAAA answer (with addresses) sent to the client at family /
 * addr between capture times from and to, or NULL. */
const diag_dns_facts *diag_know_answer_to(diag_know *k, int family, const uint8_t *addr,
                                          int64_t from, int64_t to);

/* The A/AAAA answers holding an address, oldest first (as data: const
 * diag_dns_facts *), or NULL. */
const GQueue *diag_know_answers_holding(diag_know *k, int family, const uint8_t *addr);

/* The PTR answers for an address, oldest first (know_dns's facts as
 * data: const diag_dns_facts *), or NULL. */
const GQueue *diag_know_ptr_answers(diag_know *k, int family, const uint8_t *addr);

/* The NXDOMAIN answers learned and not reported yet, by index (NULL past
 * the last); diag_know_reported marks them all reported. */
const diag_dns_facts *diag_know_unreported(diag_know *k, size_t i);
void diag_know_reported(diag_know *k);

/* Adds what connection c tells of its AMT's clock to acc. */
void diag_clock_learn(clock_acc *acc, const diag_conn_facts *c);

/* Frees diag_login.c's state of one AMT (NULL is fine). */
void diag_login_state_free(struct login_state *s);

/* Kerberos (diag_kerberos.c): why AMT refused the Negotiate login of
 * exchange e on connection i (a 401, a 400/413/431, or a close without
 * answer), offered saying whether AMT had offered Negotiate. */
void diag_krb_refused(diag_ctx *x, size_t i, const diag_exchange *e, int offered);

/* A console AMT challenged with Negotiate (on connection i, frame) that
 * never sent credentials: when its KDC traffic says why, adds that
 * finding and returns 1; else 0. */
int diag_krb_no_token(diag_ctx *x, size_t i, uint64_t frame);

/* Frees what diag_kerberos built of k's KDC messages. */
void diag_krb_free(diag_know *k);

/* The rule families, run in this order by diag_run. */
void diag_rules_net(diag_ctx *x);   /* TCP and DNS */
void diag_rules_tls(diag_ctx *x);   /* TLS negotiation and the console's refusals */
void diag_rules_mtls(diag_ctx *x);  /* AMT's checks of the console certificate */
void diag_rules_login(diag_ctx *x); /* Digest and Negotiate, across connections */
void diag_rules_wsman(diag_ctx *x); /* WS-Man faults, ReturnValues, EOI status */
void diag_rules_redir(diag_ctx *x); /* redirection: session start and login */
void diag_rules_cira(diag_ctx *x);  /* CIRA: AMT's tunnel to its MPS */

/* Whether c is a CIRA tunnel (AMT the client, the MPS the server): the
 * other rule families leave it to diag_cira.c. */
int diag_is_cira(const diag_conn_facts *c);

/* diag_cira: the stage and outcome of a CIRA tunnel that carried APF;
 * returns 0 when c is none or carried none, for the general decision. */
int diag_cira_decide(const diag_conn_facts *c, diag_conn_result *cr);

/* diag_redir: a reset to a SYN on a redirection port (listener closed, or
 * TLS only): adds the finding and returns 1; 0 when c is no redirection
 * connection. */
int diag_redir_refused(diag_ctx *x, size_t i, const char *addr);

/* diag_redir: the stage and outcome of a redirection connection; returns
 * 0 when c is none (or carried no data), for the general decision. */
int diag_redir_decide(const diag_conn_facts *c, diag_conn_result *cr);

#endif
