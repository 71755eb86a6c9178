/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TLS layer of the analyzer: the public API.
 *
 * One tls_conn follows one TCP connection. The caller feeds each direction's
 * reassembled, in-order payload bytes (in capture order across directions,
 * as far as it can), and the layer parses records and handshake messages,
 * derives keys from the secrets held by a tls_keys, decrypts, and reports
 * what it saw through callbacks and a summary of facts. Nothing here prints;
 * no key material ever leaves the layer except as decrypted plaintext. */
#ifndef AMTDIAG_TLS_H
#define AMTDIAG_TLS_H

#include <glib.h>

#include "amtdiag/result.h"
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

/* Protocol numbers used in the structures below. */
enum {
    TLS_CT_CHANGE_CIPHER_SPEC = 20,
    TLS_CT_ALERT = 21,
    TLS_CT_HANDSHAKE = 22,
    TLS_CT_APPLICATION_DATA = 23,
    TLS_CT_HEARTBEAT = 24,
};

enum {
    TLS_HS_HELLO_REQUEST = 0,
    TLS_HS_CLIENT_HELLO = 1,
    TLS_HS_SERVER_HELLO = 2,
    TLS_HS_NEW_SESSION_TICKET = 4,
    TLS_HS_END_OF_EARLY_DATA = 5,
    TLS_HS_ENCRYPTED_EXTENSIONS = 8,
    TLS_HS_CERTIFICATE = 11,
    TLS_HS_SERVER_KEY_EXCHANGE = 12,
    TLS_HS_CERTIFICATE_REQUEST = 13,
    TLS_HS_SERVER_HELLO_DONE = 14,
    TLS_HS_CERTIFICATE_VERIFY = 15,
    TLS_HS_CLIENT_KEY_EXCHANGE = 16,
    TLS_HS_FINISHED = 20,
    TLS_HS_CERTIFICATE_STATUS = 22,
    TLS_HS_KEY_UPDATE = 24,
    TLS_HS_COMPRESSED_CERTIFICATE = 25, /* RFC 8879 */
    TLS_HS_MESSAGE_HASH = 254,
};

#define TLS_VERSION_SSL3 0x0300
#define TLS_VERSION_1_0 0x0301
#define TLS_VERSION_1_1 0x0302
#define TLS_VERSION_1_2 0x0303
#define TLS_VERSION_1_3 0x0304

/* Directions: the client is the side that opened the TCP connection. */
#define TLS_DIR_CLIENT 0 /* client → server */
#define TLS_DIR_SERVER 1 /* server → client */

/* ---- key material ------------------------------------------------------ */

typedef struct tls_keys tls_keys; /* key material for a whole run */

tls_keys *tls_keys_new(void);

/* Threads that may look secrets up at once (the reader and -j's workers). */
#define TLS_KEYS_THREADS 17

/* The calling thread is number i (0 the reader, 1.. the workers): secrets
 * read back from an indexed key log go to a ring of its own, so that one
 * thread's lookups never wipe what another is using. */
void tls_keys_set_thread(unsigned i);
/* Wipes every secret (OPENSSL_cleanse) and frees. Every tls_conn made
 * with these keys must be freed first. */
void tls_keys_free(tls_keys *k);

/* Keep the master secrets derived from RSA keys, pre-master secrets and
 * resumption, for tls_keys_export_session (off by default: a fleet's
 * sessions would grow the store for no use). */
void tls_keys_keep_derived(tls_keys *k, int keep);

/* Adds an NSS key log (CLIENT_RANDOM, RSA, PMS_CLIENT_RANDOM,
 * CLIENT/SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT/SERVER_TRAFFIC_SECRET_0,
 * EXPORTER_SECRET, EARLY_EXPORTER_SECRET, CLIENT_EARLY_TRAFFIC_SECRET).
 * Blank lines and # comments are fine; well-formed lines with other labels
 * are ignored; anything else is a bad line: counted in *bad_lines, the
 * first one's number (1-based) in *first_bad (0 when none), and skipped,
 * never fatal. source names where the keys came from ("keylog.txt",
 * "pcapng DSB") for the key status. Returns the number of secrets added,
 * or -1 when k or text is NULL. bad_lines and first_bad may be NULL. */
int tls_keys_add_keylog(tls_keys *k, const char *text, size_t len, const char *source,
                        unsigned *bad_lines, unsigned *first_bad);

/* The same from an open file, read a block at a time (bad lines numbered
 * from the file's start). Returns the secrets added, or -1 when reading
 * failed. */
int tls_keys_add_keylog_file(tls_keys *k, FILE *f, const char *source, unsigned *bad_lines,
                             unsigned *first_bad);

/* Adds the server's RSA private key from a file: PEM or DER (PKCS#1 or
 * PKCS#8, encrypted PKCS#8 with password), or PKCS#12 with password
 * (password may be NULL). Returns AMT_OK, or the error with a message in
 * e (may be NULL) naming the file and saying what is wrong; messages never
 * hold key material or the password. */
amt_rc tls_keys_add_rsa_file(tls_keys *k, const char *path, const char *password, amt_err *e);

/* Adds a TLS pre-shared key (TLS 1.2 PSK suites, TLS 1.3 external PSK
 * without (EC)DHE). identity NULL or "" matches any identity the client
 * sends; several keys without identity are told apart by which one opens
 * the first encrypted record. The key is copied (wiped on free). Returns
 * 0, or -1 on bad arguments (empty key, over 512 bytes). */
int tls_keys_add_psk(tls_keys *k, const char *identity, const uint8_t *key, size_t len);

/* Number of secrets loaded from key logs, of RSA keys, of PSKs. */
size_t tls_keys_keylog_count(const tls_keys *k);
size_t tls_keys_rsa_count(const tls_keys *k);
size_t tls_keys_psk_count(const tls_keys *k);

/* Appends NSS key log lines for the session with client random cr to out:
 * CLIENT_RANDOM with its master secret — from a key log, or derived by the
 * layer (RSA key, PMS line, resumption) — and the TLS 1.3 secrets known
 * for it. Returns the number of lines. The caller must wipe out after use
 * (OPENSSL_cleanse on out->str). */
int tls_keys_export_session(const tls_keys *k, const uint8_t cr[32], GString *out);

/* ---- what the callbacks report ----------------------------------------- */

typedef struct tls_record_info {
    uint8_t type;         /* content type in the record header */
    uint16_t version;     /* version in the record header */
    uint16_t length;      /* fragment length */
    uint64_t index;       /* record number in this direction, from 0 */
    uint64_t first_frame; /* frame holding its first byte */
    uint64_t last_frame;  /* frame holding its last byte */
    int encrypted;        /* protected by the record layer */
    int decrypted;        /* encrypted and decrypted (MAC/tag verified) */
    uint8_t inner_type;   /* content type of the plaintext (TLS 1.3 inner type) */
    size_t plain_len;     /* plaintext length when readable, else 0 */
} tls_record_info;

typedef struct tls_hs_info {
    int type;            /* TLS_HS_* */
    uint32_t length;     /* body length */
    const uint8_t *body; /* the body, valid during the callback; NULL when inferred */
    uint64_t first_frame;
    uint64_t last_frame;
    int encrypted; /* carried in encrypted records (and decrypted unless inferred) */
    int inferred;  /* not decrypted: the type is inferred from its place
                      (the encrypted record after ChangeCipherSpec is Finished) */
} tls_hs_info;

typedef struct tls_alert_info {
    int dir;   /* TLS_DIR_* of the sender */
    int level; /* 1 warning, 2 fatal; -1 when not readable */
    int desc;  /* AlertDescription; -1 when not readable */
    uint64_t frame;
    int encrypted;     /* sent inside an encrypted record */
    int decrypted;     /* ... and decrypted, so level/desc are known */
    int guessed;       /* TLS 1.3, not decryptable: a record whose size fits an alert */
    int after_hs_dir;  /* the handshake message before it: sender, -1 if none */
    int after_hs_type; /* ... and its type, -1 if none */
} tls_alert_info;

typedef struct tls_callbacks {
    /* every record */
    void (*on_record)(void *ctx, int dir, const tls_record_info *r);
    /* every handshake message, the decrypted ones included */
    void (*on_handshake)(void *ctx, int dir, const tls_hs_info *h);
    /* every alert (also kept in the summary) */
    void (*on_alert)(void *ctx, int dir, const tls_alert_info *a);
    /* decrypted application data, in order, per direction (plaintext
     * application data records are only noted: TLS never sends them) */
    void (*on_app_data)(void *ctx, int dir, const uint8_t *plain, size_t len, uint64_t first_frame,
                        uint64_t last_frame);
} tls_callbacks;

/* ---- the summary ------------------------------------------------------- */

typedef struct tls_u16_list {
    uint16_t *v;
    size_t n;
} tls_u16_list;

typedef struct tls_blob {
    uint8_t *data;
    size_t len;
} tls_blob;

typedef struct tls_blob_list {
    tls_blob *v;
    size_t n;
} tls_blob_list;

typedef enum tls_key_status {
    TLS_KEY_NOTHING_ENCRYPTED = 0, /* no encrypted record was seen */
    TLS_KEY_DECRYPTED,             /* every encrypted record seen was decrypted */
    TLS_KEY_NO_KEYS,               /* no keys supplied at all */
    TLS_KEY_NO_KEYLOG_ENTRY,       /* no key log entry for this client random */
    TLS_KEY_RSA_BUT_DHE,           /* RSA key given but the server chose (EC)DHE */
    TLS_KEY_RSA_MISMATCH,          /* the RSA key does not match the server certificate */
    TLS_KEY_RESUMED_UNKNOWN,       /* resumed session whose full handshake is not in the capture */
    TLS_KEY_TLS13_NO_HS_SECRETS,   /* TLS 1.3 without handshake secrets */
    TLS_KEY_UNSUPPORTED,           /* unsupported suite, SSL 3.0, renegotiation */
    TLS_KEY_NO_CLIENT_HELLO,       /* capture started after the handshake */
    TLS_KEY_NO_SERVER_HELLO,       /* encrypted records but no ServerHello in the capture */
    TLS_KEY_MAC_FAILURE,           /* MAC or AEAD tag failure: wrong keys or corruption */
    TLS_KEY_GAP,                   /* bytes missing from the capture */
    TLS_KEY_MALFORMED,             /* the record stream is not well-formed TLS */
} tls_key_status;

typedef enum tls_cert_presence {
    TLS_CERT_ABSENT = 0, /* no Certificate message from that side */
    TLS_CERT_EMPTY,      /* a Certificate message with no certificate */
    TLS_CERT_SENT,       /* a Certificate message with at least one certificate */
    TLS_CERT_UNKNOWN,    /* it may have been sent, encrypted, and could not be decrypted */
} tls_cert_presence;

typedef struct tls_client_hello {
    int seen;
    unsigned count; /* 2 after a HelloRetryRequest */
    uint64_t frame;
    uint16_t legacy_version;
    uint8_t random[32];
    uint8_t session_id[32];
    size_t session_id_len;
    tls_u16_list versions;   /* supported_versions, empty when absent */
    tls_u16_list suites;     /* cipher suites, SCSVs included */
    tls_u16_list extensions; /* extension types, in order */
    tls_u16_list groups;     /* supported_groups */
    tls_u16_list key_share_groups;
    tls_u16_list sig_algs; /* signature_algorithms */
    char *sni;             /* host_name, NULL when absent */
    char **alpn;           /* ALPN protocols, NULL-terminated, NULL when absent */
    int reneg_info;        /* renegotiation_info extension */
    int reneg_scsv;        /* TLS_EMPTY_RENEGOTIATION_INFO_SCSV */
    int fallback_scsv;     /* TLS_FALLBACK_SCSV */
    int ems, etm;          /* extended_master_secret, encrypt_then_mac */
    int session_ticket;    /* session_ticket extension */
    size_t ticket_len;     /* length of the ticket it offers (resumption) */
    int psk, early_data;   /* pre_shared_key, early_data (TLS 1.3) */
} tls_client_hello;

typedef struct tls_server_hello {
    int seen;
    uint64_t frame;
    uint16_t legacy_version;
    uint8_t random[32];
    uint32_t gmt_unix_time; /* first 4 bytes of random, big-endian */
    uint8_t session_id[32];
    size_t session_id_len;
    uint16_t suite;
    uint8_t compression;
    tls_u16_list extensions;   /* extension types, in order */
    uint16_t selected_version; /* supported_versions, 0 when absent */
    uint16_t key_share_group;
    int reneg_info, ems, etm, session_ticket, psk;
    char *alpn; /* selected protocol, NULL when none */
} tls_server_hello;

typedef struct tls_cert_request {
    int seen;
    uint64_t frame;
    tls_blob cert_types; /* ClientCertificateType bytes (TLS <= 1.2) */
    tls_u16_list sig_algs;
    tls_blob_list authorities; /* DER DistinguishedNames */
} tls_cert_request;

/* A renegotiation: a new handshake after the first one completed. Its
 * keys are derived as the first one's (key log line for its client
 * random, the RSA key for its pre-master secret). */
typedef struct tls_reneg {
    uint64_t frame; /* its ClientHello */
    int encrypted;  /* sent inside the previous keys' records (and decrypted) */
    uint8_t client_random[32];
    uint16_t version, suite; /* from its ServerHello; 0 until then */
    int resumed;             /* abbreviated */
    int cert_request;        /* the server asked for a client certificate in it */
    tls_cert_presence client_cert;
    int complete; /* Finished seen both ways */
} tls_reneg;

#define TLS_MAX_RENEGS 8

typedef struct tls_summary {
    tls_client_hello ch;
    tls_server_hello sh;
    int hello_retry_request;
    tls_u16_list ee_extensions; /* TLS 1.3 EncryptedExtensions (when decrypted) */

    uint16_t version;       /* negotiated version, 0 when unknown */
    uint16_t suite;         /* negotiated suite (valid when sh.seen) */
    const char *suite_name; /* IANA name, or "unknown" */

    tls_blob_list server_certs; /* DER, leaf first */
    tls_blob_list client_certs;
    tls_cert_presence server_cert;
    tls_cert_presence client_cert;
    uint64_t server_cert_frame; /* where the recorded Certificate of each side is */
    uint64_t client_cert_frame;
    tls_cert_request cert_request;
    int server_key_exchange; /* seen: the key exchange is (EC)DHE, not static RSA */
    uint16_t ske_group;      /* named group of an ECDHE ServerKeyExchange, 0 otherwise */
    int cert_verify[2];      /* CertificateVerify seen, per direction */
    int finished[2];         /* Finished seen (or inferred), per direction */
    unsigned new_session_tickets;
    int ccs_seen[2];
    uint64_t ccs_frame[2];            /* first ChangeCipherSpec, per direction */
    int handshake_complete;           /* Finished in both directions */
    int resumed;                      /* abbreviated handshake (session id, ticket, or PSK) */
    unsigned renegotiations;          /* handshakes started after the first one completed */
    tls_reneg renegs[TLS_MAX_RENEGS]; /* the first TLS_MAX_RENEGS of them */
    char *psk_identity;           /* TLS-PSK: the identity the client used (printable), else NULL */
    uint16_t compressed_cert_alg; /* RFC 8879: algorithm of a CompressedCertificate, 0 none */
    int handshake_hidden[2];      /* TLS 1.3: encrypted handshake records of this
                                     direction could not be decrypted */

    tls_alert_info *alerts;
    size_t n_alerts;

    uint64_t records[2];
    uint64_t app_bytes[2]; /* decrypted application data bytes */
    uint64_t app_records_undecrypted[2];

    tls_key_status key_status;
    char key_status_text[512]; /* one line: how it was decrypted, or exactly why not */
    char key_source[160];      /* "keylog.txt", "RSA key amt-key.pem", "pcapng DSB",
                                  "resumed from connection 3"; empty when not decrypted */
    char *dir_error[2];        /* why a direction stopped (malformed, gap), NULL if not */
    char **notes;              /* other observations, NULL-terminated (may be NULL) */
    size_t n_notes;
} tls_summary;

/* ---- connections ------------------------------------------------------- */

typedef struct tls_conn tls_conn; /* one TCP connection */

/* keys must outlive the connection; cb may be NULL, as may each callback.
 * Connections are numbered in creation order per tls_keys (for the
 * "resumed from connection N" key source); tls_conn_set_id overrides. */
tls_conn *tls_conn_new(tls_keys *k, const tls_callbacks *cb, void *ctx);
void tls_conn_set_id(tls_conn *c, unsigned id);
unsigned tls_conn_id(const tls_conn *c);

/* Bytes of one direction, in order. frames are those of the first and last
 * bytes. Records needing keys that depend on the other direction (its
 * Hello, its key exchange) are held back until that direction has been fed
 * or tls_conn_end is called. */
void tls_conn_feed(tls_conn *c, int dir, const uint8_t *data, size_t len, uint64_t first_frame,
                   uint64_t last_frame);
/* Bytes are missing in dir: resync is impossible, so that direction stops
 * (decryption included) with a reason. */
void tls_conn_gap(tls_conn *c, int dir);
/* Both directions ended: processes what was held back and notes a
 * truncated last record. Further feeds are ignored. */
void tls_conn_end(tls_conn *c);
/* The facts so far; owned by the connection. */
const tls_summary *tls_conn_summary(const tls_conn *c);
void tls_conn_free(tls_conn *c);

/* Whether a stream start looks like TLS (record header of a known type and
 * version, sane length, a handshake record starting with ClientHello or
 * ServerHello), or an SSLv2-compatible ClientHello. Returns 1 yes, 0 no,
 * -1 too few bytes to tell (fewer than 5). */
int tls_looks_like(const uint8_t *data, size_t len);

/* ---- names ------------------------------------------------------------- */

const char *tls_version_name(uint16_t v);        /* "TLSv1.2", "SSLv3", "unknown" */
const char *tls_suite_name(uint16_t id);         /* IANA name or NULL */
const char *tls_suite_openssl_name(uint16_t id); /* OpenSSL name or NULL */
const char *tls_suite_kx(uint16_t id); /* key exchange: "RSA", "ECDHE", "PSK", "RSA_PSK"..., NULL */
const char *tls_alert_name(int desc);  /* "handshake_failure" or "unknown" */
const char *tls_hs_name(int type);     /* "ClientHello" or "unknown" */
const char *tls_ext_name(uint16_t type);           /* "server_name" or "unknown" */
const char *tls_group_name(uint16_t group);        /* "x25519" or "unknown" */
const char *tls_content_type_name(int type);       /* "handshake" or "unknown" */
const char *tls_key_status_name(tls_key_status s); /* "decrypted", "no-keylog-entry" */

#endif
