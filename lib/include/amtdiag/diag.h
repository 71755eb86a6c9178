/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The diagnosis: facts about each console→AMT connection attempt in, and
 * per connection the stage reached, the outcome, the findings (cause
 * tokens with evidence) and AMT's mutual-authentication checklist out.
 *
 * The facts are plain structures the analyzer fills from its pipeline and
 * the Wireshark plugin from its dissection, so both tools run the very same
 * rules. Every string and array in the facts is borrowed: it only has to
 * live until diag_run returns; results own their text. */
#ifndef AMTDIAG_DIAG_H
#define AMTDIAG_DIAG_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "amtdiag/amt_ports.h"
#include "amtdiag/diag_cert.h"
#include "amtdiag/diag_words.h"
#include "amtdiag/http_auth.h"

/* ---- facts ------------------------------------------------------------- */

/* Sides of a connection: the console opened it, AMT accepted it. */
#define DIAG_CONSOLE 0
#define DIAG_AMT 1

typedef struct diag_alert {
    int from;        /* DIAG_CONSOLE or DIAG_AMT */
    int level, desc; /* -1 when not readable (encrypted, no keys) */
    uint64_t frame;
    int after_from;      /* the handshake message before it: sender, -1 none */
    int after_type;      /* ... and its TLS handshake type, -1 none */
    int after_handshake; /* sent after the handshake had completed */
} diag_alert;

/* A TLS handshake message, as the capture shows it (encrypted ones too,
 * when decrypted or inferred from their place). */
typedef struct diag_hs_msg {
    int from; /* DIAG_CONSOLE or DIAG_AMT */
    int type; /* TLS handshake type */
    uint64_t frame;
} diag_hs_msg;

/* A hole in the capture: bytes one side sent that the capture lacks. */
typedef struct diag_gap {
    int from;              /* the side whose bytes are missing */
    uint64_t frame_before; /* that side's last frame before the hole, 0 none */
    uint64_t frame_after;  /* its first frame after it, 0 none */
    int reordered;         /* the bytes came later in the capture, out of order,
                              and the dissector did not put them back in place */
} diag_gap;

/* Whether a Certificate message came from a side (TLS layer's view). */
typedef enum {
    DIAG_CERT_ABSENT = 0, /* no Certificate message */
    DIAG_CERT_EMPTY,      /* a Certificate message with no certificate */
    DIAG_CERT_SENT,       /* at least one certificate */
    DIAG_CERT_HIDDEN      /* maybe sent, encrypted and not decrypted (TLS 1.3) */
} diag_cert_presence;

typedef struct diag_tls_facts {
    int client_hello; /* seen */
    uint64_t client_hello_frame;
    uint16_t offered_min, offered_max; /* TLS versions the console offered */
    const uint16_t *offered_suites;    /* cipher suites offered, SCSVs included */
    size_t n_offered_suites;
    const char *sni;   /* server_name, NULL when absent */
    int console_reneg; /* renegotiation_info or its SCSV offered */
    int server_hello;  /* seen */
    uint64_t server_hello_frame;
    uint16_t version;       /* negotiated, 0 when unknown */
    const char *suite_name; /* negotiated suite, NULL when unknown */
    int amt_reneg;          /* ServerHello had renegotiation_info */
    uint32_t gmt_unix_time; /* ServerHello random's first 4 bytes */
    int resumed;
    const diag_blob *server_certs; /* DER, leaf first */
    size_t n_server_certs;
    uint64_t server_cert_frame;
    diag_cert_presence server_cert;
    int cert_request; /* AMT sent a CertificateRequest */
    uint64_t cert_request_frame;
    int cert_request_hidden;   /* TLS 1.3, handshake not decrypted */
    const diag_blob *ca_names; /* its certificate_authorities (DER DNs) */
    size_t n_ca_names;
    diag_cert_presence client_cert;
    const diag_blob *client_certs; /* DER, leaf first */
    size_t n_client_certs;
    uint64_t client_cert_frame;
    int handshake_complete;
    uint64_t handshake_done_frame; /* the last Finished */
    const diag_alert *alerts;
    size_t n_alerts;
    const diag_hs_msg *hs; /* every handshake message, in capture order */
    size_t n_hs;
    uint64_t app_first_frame[2]; /* first application data record, per side; 0 none */
    int decrypted;               /* application data was readable */
    const char *key_status;      /* one line: decrypted with …, or why not */
    const char *key_status_name; /* "no-keys", "no-client-hello", … (docs/json-schema.md) */
    uint64_t app_records[2];     /* application data records, per side */
} diag_tls_facts;

/* One HTTP request and its response. */
typedef struct diag_exchange {
    uint64_t req_frame, resp_frame; /* resp_frame 0: no response */
    int64_t resp_ts_us;             /* capture time of the response */
    const char *method, *uri, *host;
    const char *authorization;    /* raw header value, NULL when absent */
    int status;                   /* 0: no response */
    const char *www_authenticate; /* raw header value of the response */
    const char *date;             /* the response's Date header */
    const char *action_name;      /* WS-Man action short name ("Get") */
    const char *class_name;       /* "AMT_GeneralSettings" */
    const char *resp_action_name; /* of the response ("Fault", "PullResponse") */
    int is_fault;
    const char *fault_subcode; /* local name: "AccessDenied" */
    const char *fault_subcode_ns;
    const char *fault_reason;
    int has_return_value;
    uint32_t return_value;
    const char *return_value_name; /* "PT_STATUS_INVALID_CERT" */
    const char *eoi_service, *eoi_method;
    int has_status_code;
    uint32_t status_code;
    const char *status_name;
    int has_amt_time;       /* a time-synchronization answer told AMT's clock */
    int64_t amt_time;       /* ... Unix seconds */
    const char *trusted_cn; /* AMT_TLSSettingData TrustedCN values, "a, b" */
} diag_exchange;

struct diag_redir_facts; /* amtdiag/diag_redir.h */
struct diag_redir_chans; /* amtdiag/diag_redir.h */
struct diag_cira_facts;  /* amtdiag/diag_cira.h */

typedef struct diag_conn_facts {
    unsigned id;
    const char *client, *server; /* "192.0.2.10:50113" */
    int family;                  /* 4 or 6 */
    uint8_t client_addr[16], server_addr[16];
    uint16_t client_port, server_port;
    amt_service service; /* what AMT serves there; UNKNOWN: by the well-known port */
    int64_t first_ts_us, last_ts_us;
    uint64_t first_frame, last_frame;
    unsigned syns; /* SYNs the console sent */
    uint64_t syn_frame;
    int synack;
    uint64_t synack_frame;
    int rst_from; /* -1, DIAG_CONSOLE or DIAG_AMT */
    uint64_t rst_frame;
    int first_fin_from; /* who closed first: -1 none */
    uint64_t first_fin_frame;
    int midstream;        /* the capture started inside it */
    int gap;              /* bytes missing from the capture */
    const diag_gap *gaps; /* where, as far as known */
    size_t n_gaps;
    uint64_t bytes[2];           /* payload bytes per side */
    const uint8_t *console_head; /* the console's first payload bytes (up to 16) */
    size_t n_console_head;
    uint64_t console_head_frame;
    int is_tls;
    diag_tls_facts tls;
    int is_http; /* HTTP was readable (plain or decrypted) */
    const diag_exchange *ex;
    size_t n_ex;
    const struct diag_redir_facts *redir; /* the redirection session, NULL: none */
    /* a CIRA tunnel's redirection sessions, one per channel, NULL: none */
    const struct diag_redir_chans *redir_chans;
    const struct diag_cira_facts *cira; /* the CIRA tunnel (APF), NULL: none */
} diag_conn_facts;

typedef struct diag_dns_facts {
    uint64_t frame;
    int64_t ts_us;
    int is_response;
    const char *qname;
    uint16_t qtype; /* 1 A, 12 PTR, 28 AAAA */
    int rcode;
    int ptr_family;       /* PTR: the address the query name stands for */
    uint8_t ptr_addr[16]; /* (family 4 or 6; 0 when not a reverse name) */
    /* answers: addresses of A/AAAA (family 4/6), names of PTR */
    size_t n_addrs;
    const int *addr_family;
    const uint8_t (*addrs)[16];
    const char *const *ptr_names;
    size_t n_ptr_names;
    /* who asked: the response's destination (family 4 or 6; 0 unknown) */
    int client_family;
    uint8_t client_addr[16];
} diag_dns_facts;

/* A Kerberos message to or from a KDC (UDP or TCP port 88). */
typedef struct diag_kdc_msg {
    uint64_t frame;
    int64_t ts_us;
    int family;              /* 4 or 6 */
    uint8_t client_addr[16]; /* the side that is not the KDC */
    uint16_t client_port;
    uint8_t kdc_addr[16];
    uint16_t kdc_port;
    int from_kdc;        /* the KDC sent it */
    int tcp;             /* over TCP, else UDP */
    const uint8_t *data; /* the message (a TCP record mark is allowed) */
    size_t len;
    int refused; /* no message: the console's TCP connection to the KDC was
                    reset or never answered (frame: the RST or the SYN) */
} diag_kdc_msg;

/* ---- inputs the user supplies ------------------------------------------ */

typedef struct diag_account {
    const char *user, *password;
} diag_account;

typedef struct diag_host {
    int family;
    uint8_t addr[16];
    const char *name;
} diag_host;

typedef struct diag_inputs {
    const diag_account *accounts; /* --password USER:PASS */
    size_t n_accounts;
    const diag_host *hosts; /* --hosts FILE */
    size_t n_hosts;
    const char *const *trusted_fqdn; /* --trusted-fqdn SUFFIX */
    size_t n_trusted_fqdn;
    const diag_blob *trusted_roots; /* --trusted-root PEM */
    size_t n_trusted_roots;
    const diag_blob *console_roots; /* --ca PEM: the roots the console trusts */
    size_t n_console_roots;
    int has_clock_offset;         /* --amt-clock-offset */
    int64_t clock_offset_s;       /* AMT's clock minus true time */
    int in_progress;              /* the capture goes on (live, streaming): rules about
                                     what never happened until its end are skipped,
                                     and connections still open are not concluded */
    const diag_vocabulary *words; /* how hints name these inputs; NULL: amtdiag's */
    /* Kerberos: the capture's KDC messages, and AMT's keys (--keytab,
     * --krb-password: a krb_keyring of krb_keys.h; NULL: none) */
    const diag_kdc_msg *kdc;
    size_t n_kdc;
    const struct krb_keyring *krb_keys;
    /* Whether a connection to this AMT address was learned, when the
     * connections are learned in several pieces of knowledge (amtdiag -j:
     * one per worker, each knowing its own AMTs); NULL: the knowledge's own
     * record. family 4 or 6. */
    int (*connected)(void *ctx, int family, const uint8_t *addr);
    void *connected_ctx;
} diag_inputs;

/* ---- results ----------------------------------------------------------- */

typedef enum { DIAG_INFO, DIAG_WARNING, DIAG_ERROR } diag_severity;

/* The stages of a console's way into AMT, in order. */
typedef enum {
    DIAG_STAGE_DNS,
    DIAG_STAGE_TCP,
    DIAG_STAGE_TLS,
    DIAG_STAGE_HTTP_AUTH,
    DIAG_STAGE_WSMAN,
    DIAG_STAGE_REDIR, /* a redirection session (SOL, IDE-R, KVM): its start and login */
    DIAG_STAGE_CIRA,  /* AMT's tunnel to its MPS: APF login, forwards, channels, keep-alive */
    DIAG_N_STAGES
} diag_stage;

/* How a connection ended for the console. */
typedef enum {
    DIAG_OUTCOME_OK,        /* AMT answered the calls */
    DIAG_OUTCOME_CHALLENGE, /* the normal first 401 of a login: no credentials yet */
    DIAG_OUTCOME_REJECTED,  /* AMT or the console refused something */
    DIAG_OUTCOME_FAILED,    /* TCP never carried data */
    DIAG_OUTCOME_UNKNOWN,   /* the capture does not show */
    DIAG_N_OUTCOMES
} diag_outcome;

/* How sure a finding is. */
typedef enum {
    DIAG_CERTAIN,        /* the capture shows it */
    DIAG_LIKELY,         /* the evidence fits it best; the settling input is named */
    DIAG_BY_ELIMINATION, /* every other candidate was ruled out */
    DIAG_N_CONFIDENCES
} diag_confidence;

/* Every cause the rules can report. The order is the table's (diag_causes)
 * and the documentation's; tokens are stable, ids are not. */
typedef enum {
    DIAG_C_DNS_NAME_UNRESOLVED,
    DIAG_C_DNS_POINTS_ELSEWHERE,
    DIAG_C_NO_ANSWER,
    DIAG_C_PORT_CLOSED,
    DIAG_C_PLAIN_HTTP_REFUSED_TLS_ONLY,
    DIAG_C_PLAIN_HTTP_TO_TLS_PORT,
    DIAG_C_AMT_CLOSED_WITHOUT_ANSWER,
    DIAG_C_TLS_VERSION_MISMATCH,
    DIAG_C_NO_SHARED_CIPHER,
    DIAG_C_LEGACY_RENEGOTIATION_REFUSED,
    DIAG_C_SERVER_NAME_MISMATCH,
    DIAG_C_SERVER_CERT_UNTRUSTED,
    DIAG_C_SERVER_CERT_EXPIRED,
    DIAG_C_TLS_HANDSHAKE_FAILED,
    DIAG_C_CLIENT_CERT_MISSING,
    DIAG_C_CLIENT_CERT_MISSING_CLIENT_AUTH_EKU,
    DIAG_C_CLIENT_CERT_MISSING_AMT_CONSOLE_OID,
    DIAG_C_CLIENT_CERT_EXPIRED_AT_AMT_CLOCK,
    DIAG_C_CLIENT_CERT_NOT_YET_VALID_AT_AMT_CLOCK,
    DIAG_C_AMT_CLOCK_WRONG,
    DIAG_C_CLIENT_CERT_NAME_NOT_REVERSE_DNS,
    DIAG_C_CLIENT_CERT_UNTRUSTED_ROOT,
    DIAG_C_CLIENT_CERT_FQDN_NOT_TRUSTED,
    DIAG_C_CLIENT_CERT_REJECTED,
    DIAG_C_DIGEST_WRONG_PASSWORD,
    DIAG_C_DIGEST_UNKNOWN_USER,
    DIAG_C_DIGEST_CORRECT_PASSWORD_REJECTED,
    DIAG_C_DIGEST_LOGIN_REJECTED,
    DIAG_C_DIGEST_STALE_NONCE,
    DIAG_C_DIGEST_REALM_MISMATCH,
    DIAG_C_DIGEST_URI_MISMATCH,
    DIAG_C_DIGEST_PARAMETER_ERROR,
    DIAG_C_POSSIBLE_LOCKOUT,
    DIAG_C_NO_CREDENTIALS_SENT,
    DIAG_C_EMPTY_DIGEST_RESPONSE,
    DIAG_C_NEGOTIATE_REJECTED,
    DIAG_C_NEGOTIATE_NOT_OFFERED,
    DIAG_C_KERBEROS_SPN_UNKNOWN,
    DIAG_C_KERBEROS_AP_ERR_MODIFIED,
    DIAG_C_KERBEROS_KVNO_MISMATCH,
    DIAG_C_KERBEROS_CLOCK_SKEW,
    DIAG_C_KERBEROS_TICKET_EXPIRED,
    DIAG_C_KERBEROS_ETYPE_MISMATCH,
    DIAG_C_KERBEROS_TOKEN_TOO_LARGE,
    DIAG_C_KERBEROS_NO_TICKET,
    DIAG_C_KERBEROS_USER_NOT_IN_ACL,
    DIAG_C_WSMAN_ACCESS_DENIED,
    DIAG_C_WSMAN_DESTINATION_UNREACHABLE,
    DIAG_C_WSMAN_FAULT,
    DIAG_C_WSMAN_RETURN_VALUE_ERROR,
    DIAG_C_EOI_STATUS_ERROR,
    DIAG_C_HTTP_ERROR,
    DIAG_C_REDIR_LISTENER_DISABLED,
    DIAG_C_REDIR_PLAIN_REFUSED_TLS_ONLY,
    DIAG_C_REDIR_SESSION_BUSY,
    DIAG_C_REDIR_SESSION_REFUSED,
    DIAG_C_REDIR_METHOD_NOT_SUPPORTED,
    DIAG_C_REDIR_LOGIN_REJECTED,
    DIAG_C_REDIR_PASSWORD_IN_CLEAR,
    DIAG_C_CIRA_TCP_REFUSED,
    DIAG_C_CIRA_TCP_UNANSWERED,
    DIAG_C_CIRA_TLS_VERSION_REFUSED,
    DIAG_C_CIRA_TLS_CIPHER_REFUSED,
    DIAG_C_CIRA_MPS_CERT_UNTRUSTED,
    DIAG_C_CIRA_MPS_NAME_MISMATCH,
    DIAG_C_CIRA_MPS_CERT_REJECTED,
    DIAG_C_CIRA_AMT_CERT_MISSING,
    DIAG_C_CIRA_AMT_CERT_UNTRUSTED,
    DIAG_C_CIRA_AMT_CERT_REJECTED,
    DIAG_C_CIRA_LOGIN_REJECTED,
    DIAG_C_CIRA_CHANNEL_OPEN_REFUSED,
    DIAG_C_CIRA_CHANNEL_TLS_REFUSED,
    DIAG_C_CIRA_KEEPALIVE_TIMEOUT,
    DIAG_C_UNDIAGNOSED,
    DIAG_C_TLS_NOT_DECRYPTED,
    DIAG_C_CAPTURE_GAP,
    DIAG_N_CAUSES
} diag_cause_id;

/* A cause: the stable token and what it means. */
typedef struct diag_cause {
    diag_cause_id id;
    const char *token; /* "client-cert-missing-amt-console-oid" */
    diag_severity severity;
    diag_stage stage;
    const char *explanation; /* one sentence */
    const char *remedy;      /* what to do */
} diag_cause;

#define DIAG_FRAMES_MAX 6

typedef struct diag_finding {
    const diag_cause *cause;
    diag_confidence confidence;
    int conn_id; /* -1 for findings about no single connection (DNS) */
    uint64_t frames[DIAG_FRAMES_MAX];
    size_t n_frames;
    char *evidence; /* the decisive values, one or two sentences */
} diag_finding;

/* The six rules AMT applies to a console certificate. */
typedef enum {
    DIAG_RULE_PRESENTED,
    DIAG_RULE_EKU,
    DIAG_RULE_VALIDITY,
    DIAG_RULE_REVERSE_DNS,
    DIAG_RULE_CHAIN,
    DIAG_RULE_FQDN,
    DIAG_N_RULES
} diag_rule;

typedef enum { DIAG_PASS, DIAG_FAIL, DIAG_UNKNOWN } diag_status;

typedef struct diag_check {
    diag_rule rule;
    const char *name;  /* "console-cert-presented", "console-cert-eku", … */
    const char *title; /* "The console presented a certificate" */
    diag_status status;
    char *evidence; /* what decided it */
    char *settle;   /* for UNKNOWN: the input that would settle it */
} diag_check;

/* Steps of a connection besides the TLS handshake messages (0-255). */
enum {
    DIAG_STEP_NONE = -1,
    DIAG_STEP_SYN = 0x100,   /* the console's SYN */
    DIAG_STEP_SYNACK,        /* AMT's SYN-ACK */
    DIAG_STEP_CONSOLE_BYTES, /* the console's first bytes, not TLS */
    DIAG_STEP_APP_DATA,      /* encrypted application data */
    DIAG_STEP_REQUEST,       /* an HTTP request */
    DIAG_STEP_RESPONSE,      /* an HTTP response */
    DIAG_STEP_REDIR = 0x200, /* + its type: a redirection message */
};

/* How a connection ended. */
typedef enum {
    DIAG_END_OPEN,         /* still open when the capture ended */
    DIAG_END_ALERT,        /* a TLS alert other than close_notify (or unreadable) */
    DIAG_END_CLOSE_NOTIFY, /* a TLS close_notify */
    DIAG_END_FIN,
    DIAG_END_RST
} diag_end_how;

/* Who ended a connection, how, and after which step. */
typedef struct diag_end {
    int by; /* DIAG_CONSOLE, DIAG_AMT; -1 when it did not end */
    diag_end_how how;
    uint64_t frame;
    int after_from; /* the last step before it: sender, -1 none */
    int after_step; /* a TLS handshake type or DIAG_STEP_* */
    uint64_t after_frame;
    int cira; /* a CIRA tunnel: the client side is AMT, the server side its MPS */
} diag_end;

typedef struct diag_conn_result {
    unsigned conn_id;
    diag_stage stage; /* the last stage reached (never DIAG_STAGE_DNS) */
    diag_outcome outcome;
    diag_end end;
    GPtrArray *findings; /* diag_finding*, errors first */
    int has_checklist;   /* AMT asked for a console certificate */
    diag_check checklist[DIAG_N_RULES];
    char *candidates; /* when rejected and no rule fails: the ranked candidates */
    char *visibility; /* what the capture could not show and which key would */
} diag_conn_result;

/* AMT's clock, as far as the capture and the inputs tell. */
typedef struct diag_clock {
    int known;
    int64_t offset_s; /* AMT's clock minus the capture's clock */
    char source[160]; /* "HTTP Date header, frame 12", "--amt-clock-offset" */
} diag_clock;

typedef struct diag_result {
    GPtrArray *conns;  /* diag_conn_result*, in the order of the facts */
    GPtrArray *global; /* diag_finding* about no single connection */
    diag_clock clock;
    unsigned n_rejected; /* connections whose outcome is rejected or failed */
    unsigned n_not_ok;   /* connections not shown to work: outcome other than ok or challenge */
    unsigned n_errors;   /* findings of severity error, global ones included */
} diag_result;

/* Runs every rule over the connections and DNS messages of one capture
 * (or several, in one timeline). Never fails: missing facts give UNKNOWN
 * checks and findings that say what could not be seen. */
diag_result *diag_run(const diag_conn_facts *conns, size_t n_conns, const diag_dns_facts *dns,
                      size_t n_dns, const diag_inputs *in);

/* What the diagnosis knows across connections, for judging a capture as it
 * goes: learn every DNS message and every connection once (in capture
 * order), judge connections when wanted (diag_judge), forget old DNS
 * answers to keep memory bounded. diag_run does all of it for a whole
 * capture at once. */
typedef struct diag_know diag_know;

/* Empty knowledge; in is borrowed for its life. */
diag_know *diag_know_new(const diag_inputs *in);

/* Learns a DNS message (copied). */
void diag_know_dns(diag_know *k, const diag_dns_facts *d);

/* Learns what a connection tells of its AMT — its clock, its TLS service,
 * its TrustedCN list, the logins to it (nothing of c is kept). Learn a
 * connection before judging it; connections learned later than one judged
 * still count for it (a look ahead as long as the caller waits). */
void diag_know_conn(diag_know *k, const diag_conn_facts *c);

/* Runs every rule over conns[0..n) with what k knows, in order (the login
 * rules follow AMT's challenges across the connections judged, call after
 * call). The result's global findings are the NXDOMAIN answers learned
 * since the last call. */
diag_result *diag_judge(diag_know *k, const diag_conn_facts *conns, size_t n);

/* Forgets DNS answers older than capture time before_us. */
void diag_know_forget(diag_know *k, int64_t before_us);

/* Names that did not resolve (NXDOMAIN) learned and not yet reported: the
 * next judgement reports them as findings about no single connection. */
size_t diag_know_unresolved(const diag_know *k);

/* Keeps only the last n of them (the others were reported elsewhere: by
 * another piece of knowledge that learned the same DNS messages). */
void diag_know_unresolved_keep(diag_know *k, size_t n);

/* Frees k. */
void diag_know_free(diag_know *k);

/* Frees a result and everything it owns. */
void diag_result_free(diag_result *r);

/* The result for connection id, or NULL. */
const diag_conn_result *diag_result_conn(const diag_result *r, unsigned conn_id);

/* Every cause the rules can report, in a stable order; *n receives the
 * count. The table is static. */
const diag_cause *diag_causes(size_t *n);

/* The cause with this token, or NULL. */
const diag_cause *diag_cause_find(const char *token);

/* The cause with this id (id < DIAG_N_CAUSES). */
const diag_cause *diag_cause_get(diag_cause_id id);

/* The causes a TLS alert most often stands for on a connection to AMT,
 * for when no rule named one: from is DIAG_AMT or DIAG_CONSOLE, desc the
 * alert number. Fills out[0..2) and returns how many (1 or 2). A hint for
 * a reader of the alert, never a finding: which alert answers which check
 * differs by firmware and TLS library. */
size_t diag_alert_likely_causes(int from, int desc, diag_cause_id out[2]);

/* "dns", "tcp", "tls", "http-auth", "wsman", "redirection". */
const char *diag_stage_name(diag_stage s);

/* "ok", "challenge", "rejected", "failed", "unknown". */
const char *diag_outcome_name(diag_outcome o);

/* "ClientHello", "Finished", … for handshake types; "SYN", "request", …
 * for DIAG_STEP_*; "none" for DIAG_STEP_NONE. */
const char *diag_step_name(int step);

/* One sentence on how a connection ended: "the console ended it with a FIN
 * (frame 11) after AMT's Finished (frame 10)". Returns what g_snprintf
 * returns. */
int diag_end_text(const diag_end *e, char *buf, size_t len);

/* "open", "alert", "close_notify", "fin", "rst". */
const char *diag_end_how_name(diag_end_how how);

/* "certain", "likely", "by-elimination". */
const char *diag_confidence_name(diag_confidence c);

/* Whether an outcome means the connection did not work (rejected or failed). */
int diag_outcome_is_failure(diag_outcome o);

/* "error", "warning", "info". */
const char *diag_severity_name(diag_severity s);

/* "pass", "fail", "unknown". */
const char *diag_status_name(diag_status s);

/* The challenge a Digest response answered, as far as it is known. */
typedef struct diag_digest_challenge {
    int stale;         /* AMT's answer said stale="true" */
    int replaced;      /* AMT had sent a newer nonce since */
    const char *realm; /* NULL or "" when not known */
    const char *qop;   /* the qop offered; NULL or "" when none or not known */
    uint64_t frame;    /* where it was sent */
} diag_digest_challenge;

/* Why AMT refused a Digest response cr (HTTP, or the redirection
 * protocol's login): a stale nonce, a realm or uri other than the
 * challenge's, missing qop parameters, then — with the user's password
 * among accounts — a wrong password or a right one refused, else an
 * unknown user, else no way to tell. ch may be NULL; uri NULL skips the
 * uri check (the redirection login has no request line); method is the
 * Digest method (NULL: POST). Appends the evidence to why and returns the
 * cause. */
diag_cause_id diag_digest_verdict(const http_auth *cr, const diag_digest_challenge *ch,
                                  const char *method, const char *uri, const diag_account *accounts,
                                  size_t n_accounts, GString *why);

/* The same with the accounts of in, its evidence naming the inputs in
 * in's words (diag_inputs.words). */
diag_cause_id diag_digest_verdict_in(const http_auth *cr, const diag_digest_challenge *ch,
                                     const char *method, const char *uri, const diag_inputs *in,
                                     GString *why);

/* Parses an --amt-clock-offset value: seconds with an optional sign and
 * unit suffix s, m, h or d ("+460d", "-3600", "90m"). Returns 0, or -1. */
int diag_parse_offset(const char *text, int64_t *out_s);

#endif
