/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal interfaces of the TLS layer, shared by its files: the suite
 * table, key derivation, record ciphers, the key store, and the state of a
 * connection. Not for use outside analyzer/tls (the unit tests excepted). */
#ifndef AMTDIAG_TLS_INT_H
#define AMTDIAG_TLS_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "tls/tls.h"
#include "amtdiag/cursor.h"

/* Big-endian writes of TLS wire integers (reads go through amtdiag/cursor.h). */
static inline void tls_put_u16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void tls_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

#define TLS_MAX_RECORD (16384 + 2048) /* TLSCiphertext limit, RFC 5246 6.2.3 */
#define TLS_MAX_HS_MSG (256 * 1024)   /* bound for one reassembled handshake message */
#define TLS_MAX_STALL (8u << 20)      /* bytes held back waiting for the other direction */
#define TLS_MAX_NOTES 64
#define TLS_MAX_ALERTS 256
#define TLS_MAX_CERTS 32
#define TLS_MAX_LIST 1024 /* entries kept per list in the summary */

/* ---- suites (tls_suites.c) --------------------------------------------- */

typedef enum {
    TLS_KX_RSA,
    TLS_KX_DHE,
    TLS_KX_ECDHE,
    TLS_KX_ECDH, /* static ECDH: needs a key log */
    TLS_KX_PSK,
    TLS_KX_DHE_PSK,
    TLS_KX_ECDHE_PSK,
    TLS_KX_RSA_PSK,
    TLS_KX_DH_ANON,
    TLS_KX_TLS13,
} tls_kx;

typedef enum {
    TLS_CIPHER_NULL,
    TLS_CIPHER_RC4_128,
    TLS_CIPHER_3DES_EDE_CBC,
    TLS_CIPHER_AES_128_CBC,
    TLS_CIPHER_AES_256_CBC,
    TLS_CIPHER_AES_128_GCM,
    TLS_CIPHER_AES_256_GCM,
    TLS_CIPHER_AES_128_CCM,
    TLS_CIPHER_AES_256_CCM,
    TLS_CIPHER_AES_128_CCM_8,
    TLS_CIPHER_AES_256_CCM_8,
    TLS_CIPHER_CHACHA20_POLY1305,
    TLS_CIPHER_UNSUPPORTED, /* named for display only (Camellia, ARIA, SEED, DES) */
} tls_cipher_alg;

typedef enum {
    TLS_MODE_STREAM,
    TLS_MODE_CBC,
    TLS_MODE_GCM,
    TLS_MODE_CCM,
    TLS_MODE_CHACHA
} tls_mode;

typedef enum {
    TLS_MAC_AEAD,
    TLS_MAC_MD5,
    TLS_MAC_SHA1,
    TLS_MAC_SHA256,
    TLS_MAC_SHA384
} tls_mac_alg;

typedef struct tls_suite {
    uint16_t id;
    const char *iana;
    const char *openssl;
    tls_kx kx;
    tls_cipher_alg cipher;
    tls_mac_alg mac;
    uint8_t sha384; /* PRF / HKDF hash is SHA-384 (else SHA-256) in TLS 1.2 and 1.3 */
} tls_suite;

typedef struct tls_cipher_info {
    tls_cipher_alg alg;
    const char *evp_name; /* NULL for the NULL cipher */
    tls_mode mode;
    uint8_t key_len;
    uint8_t block_len;    /* CBC block size, else 1 */
    uint8_t fixed_iv_len; /* IV bytes in the TLS 1.2 key block (CBC: for TLS 1.0) */
    uint8_t explicit_len; /* TLS 1.2 per-record explicit nonce (GCM, CCM) */
    uint8_t tag_len;      /* AEAD tag */
    uint8_t legacy;       /* needs OpenSSL's legacy provider */
} tls_cipher_info;

const tls_suite *tls_suite_find(uint16_t id);
const tls_cipher_info *tls_cipher_info_get(tls_cipher_alg alg);
size_t tls_mac_len(tls_mac_alg mac);
const char *tls_mac_digest(tls_mac_alg mac); /* OpenSSL digest name, NULL for AEAD */
const char *tls_kx_name(tls_kx kx);
/* Whether the key exchange is static RSA (the server's RSA key decrypts it). */
int tls_kx_is_rsa(tls_kx kx);
/* Whether it is one of the PSK key exchanges (PSK, RSA_PSK, DHE_PSK, ECDHE_PSK). */
int tls_kx_is_psk(tls_kx kx);
/* "SHA256" or "SHA384": the suite's PRF / HKDF hash. */
const char *tls_suite_md(const tls_suite *s);

/* ---- key derivation (tls_prf.c) ---------------------------------------- */

/* OpenSSL algorithms by name, fetched once per library context and run
 * (tls_fetch.c); the caller owns the reference returned (free as usual).
 * NULL when the context has no provider for it. */
EVP_CIPHER *tls_fetch_cipher(OSSL_LIB_CTX *lib, const char *name);
EVP_MD *tls_fetch_md(OSSL_LIB_CTX *lib, const char *name);
EVP_MAC *tls_fetch_mac(OSSL_LIB_CTX *lib, const char *name);
EVP_KDF *tls_fetch_kdf(OSSL_LIB_CTX *lib, const char *name);
/* Releases what was fetched for lib (and its HMAC contexts), before lib
 * is freed. */
void tls_fetch_forget(OSSL_LIB_CTX *lib);
/* An HMAC context of lib with digest set (tls_hmac.c), from a pool kept for
 * the run, for one derivation: key it with EVP_MAC_init, give it back with
 * tls_hmac_give (same lib and digest). NULL when lib lacks the digest. */
EVP_MAC_CTX *tls_hmac_take(OSSL_LIB_CTX *lib, const char *digest);
void tls_hmac_give(OSSL_LIB_CTX *lib, const char *digest, EVP_MAC_CTX *ctx);
/* Frees lib's pools (tls_fetch_forget calls it). */
void tls_hmac_forget(OSSL_LIB_CTX *lib);

/* TLS PRF (RFC 5246 5, RFC 2246 5) on HMAC: TLS 1.0/1.1 P_MD5 XOR P_SHA1
 * (digest ignored), TLS 1.2 the suite's hash (digest "SHA256" or
 * "SHA384"). seed = label || s1 || s2 (s2 may be NULL). Returns 0 or -1. */
int tls_prf(OSSL_LIB_CTX *lib, uint16_t version, const char *digest, const uint8_t *secret,
            size_t secret_len, const char *label, const uint8_t *s1, size_t n1, const uint8_t *s2,
            size_t n2, uint8_t *out, size_t outlen);
/* SSL 3.0's key derivation: master secret (secret = pre-master, s1 =
 * client random, s2 = server random) and key block (secret = master, s1 =
 * server random, s2 = client random). outlen at most 416. */
int tls_ssl3_prf(OSSL_LIB_CTX *lib, const uint8_t *secret, size_t secret_len, const uint8_t s1[32],
                 const uint8_t s2[32], uint8_t *out, size_t outlen);
/* HKDF (RFC 5869) extract and expand on HMAC, for TLS 1.3. Extract's
 * outlen is the digest's size; an absent salt (salt_len 0) is that many
 * zeros. Expand gives at most 255 times the digest's size. 0 or -1. */
int tls_hkdf_extract(OSSL_LIB_CTX *lib, const char *digest, const uint8_t *salt, size_t salt_len,
                     const uint8_t *ikm, size_t ikm_len, uint8_t *out, size_t outlen);
int tls_hkdf_expand(OSSL_LIB_CTX *lib, const char *digest, const uint8_t *prk, size_t prk_len,
                    const uint8_t *info, size_t info_len, uint8_t *out, size_t outlen);
/* TLS 1.3 HKDF-Expand-Label (RFC 8446 7.1): label without the "tls13 " prefix. */
int tls13_expand_label(OSSL_LIB_CTX *lib, const char *digest, const uint8_t *secret,
                       size_t secret_len, const char *label, const uint8_t *context,
                       size_t context_len, uint8_t *out, size_t outlen);
/* The hash of a handshake transcript for extended_master_secret: the
 * suite's hash in TLS 1.2, MD5 || SHA-1 before. Returns its length or 0. */
size_t tls_session_hash(OSSL_LIB_CTX *lib, uint16_t version, const char *digest,
                        const uint8_t *data, size_t len, uint8_t out[64]);

/* ---- record protection (tls_cipher.c) ---------------------------------- */

typedef struct tls_cipher_state tls_cipher_state;

enum { TLS_DEC_OK = 0, TLS_DEC_BAD_MAC = -1, TLS_DEC_MALFORMED = -2 };

/* Read state for one direction. TLS <= 1.2: key, iv (fixed part or the
 * TLS 1.0 CBC IV) and mac_key from the key block. TLS 1.3: key and iv from
 * a traffic secret, mac_key NULL. Returns NULL with a reason in err (e.g.
 * the legacy provider is missing). The inputs are copied. */
tls_cipher_state *tls_cipher_new(OSSL_LIB_CTX *lib, const tls_suite *s, uint16_t version, int etm,
                                 const uint8_t *key, const uint8_t *iv, const uint8_t *mac_key,
                                 char *err, size_t errlen);
/* Decrypts one record fragment of the given header into out (capacity at
 * least len). Sets *out_len and *inner_type (the record type, or the TLS 1.3
 * inner type). The sequence number advances on success. Returns TLS_DEC_*. */
int tls_cipher_decrypt(tls_cipher_state *cs, uint8_t type, uint16_t version, const uint8_t *in,
                       size_t len, uint8_t *out, size_t *out_len, uint8_t *inner_type);
/* TLS 1.3: the AEAD tag length (to recognise alert-sized records). */
size_t tls_cipher_tag_len(const tls_cipher_state *cs);
void tls_cipher_free(tls_cipher_state *cs);

/* TLS 1.3 traffic keys from a traffic secret (key, iv per RFC 8446 7.3). */
tls_cipher_state *tls13_cipher_from_secret(OSSL_LIB_CTX *lib, const tls_suite *s,
                                           const uint8_t *secret, size_t len, char *err,
                                           size_t errlen);
/* application_traffic_secret_N+1 from _N (KeyUpdate), in place. */
int tls13_update_secret(OSSL_LIB_CTX *lib, const tls_suite *s, uint8_t *secret, size_t len);

/* ---- key store (tls_keys.c, tls_keylog.c, tls_rsa.c) ------------------ */

typedef enum {
    TLS_SECRET_MASTER,         /* CLIENT_RANDOM: client random -> master secret */
    TLS_SECRET_RSA_PMS,        /* RSA: first 8 bytes of encrypted PMS -> PMS */
    TLS_SECRET_PMS,            /* PMS_CLIENT_RANDOM: client random -> PMS */
    TLS_SECRET_CLIENT_HS,      /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    TLS_SECRET_SERVER_HS,      /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
    TLS_SECRET_CLIENT_AP0,     /* CLIENT_TRAFFIC_SECRET_0 */
    TLS_SECRET_SERVER_AP0,     /* SERVER_TRAFFIC_SECRET_0 */
    TLS_SECRET_EXPORTER,       /* EXPORTER_SECRET */
    TLS_SECRET_EARLY_EXPORTER, /* EARLY_EXPORTER_SECRET */
    TLS_SECRET_CLIENT_EARLY,   /* CLIENT_EARLY_TRAFFIC_SECRET */
    TLS_SECRET_KINDS
} tls_secret_kind;

typedef struct tls_secret {
    uint8_t *v;
    size_t len;
    const char *source; /* interned in the key store */
} tls_secret;

typedef struct tls_rsa_key {
    EVP_PKEY *pkey;
    char *name;          /* base name of the file, for messages */
    GHashTable *matches; /* SHA-256 of a certificate's DER -> whether the key is
                            its (tls_rsa_matches_cert), so a server's certificate
                            is decoded once, not at every connection */
} tls_rsa_key;

/* A pre-shared key given with --psk: identity NULL matches any. */
typedef struct tls_psk {
    char *identity;
    uint8_t *key;
    size_t len;
    char *source; /* "--psk Client_identity", for the key status */
} tls_psk;

typedef struct tls_cached_session {
    uint8_t ms[48];
    unsigned conn_id;
} tls_cached_session;

OSSL_LIB_CTX *tls_keys_libctx(const tls_keys *k);
/* Stores a copy of the secret (replacing an earlier one for the same id).
 * Returns 1 for a new secret, 0 for a replaced one, -1 on bad arguments. */
int tls_keys_put(tls_keys *k, tls_secret_kind kind, const uint8_t *id, size_t idlen,
                 const uint8_t *v, size_t len, const char *source);
/* The secret of (kind, id), or NULL. What it returns stays valid until the
 * store is changed or 64 more secrets are read back from indexed files:
 * use it at once. */
const tls_secret *tls_keys_find(const tls_keys *k, tls_secret_kind kind, const uint8_t *id,
                                size_t idlen);

/* Key log files indexed rather than stored: a fleet's key log is tens of
 * megabytes, read again a line at a time when a session needs its secret.
 * tls_keys_ref_file keeps fd (a regular file; duplicated) and returns its
 * number, or -1 when it cannot be indexed (a pipe: store it instead);
 * tls_keys_ref_add notes where a valid line for (kind, id) is (1, or -1);
 * tls_keys_ref_done sorts the index when the file is read, and returns
 * how many (kind, id) it knows that it did not before. */
int tls_keys_ref_file(tls_keys *k, int fd, const char *source);
int tls_keys_ref_add(tls_keys *k, int file, tls_secret_kind kind, const uint8_t *id, size_t idlen,
                     uint64_t off, size_t len);
int tls_keys_ref_done(tls_keys *k);

/* A key log line: 1 with its kind, id and secret (wipe it after use), 0
 * for a comment, a blank line or a label this program does not use, -1
 * for damage. */
int tls_keylog_parse(const char *s, size_t n, tls_secret_kind *kind, uint8_t id[32], size_t *idlen,
                     uint8_t secret[512], size_t *len);
/* Whether no secret and no RSA key at all was supplied. */
int tls_keys_empty(const tls_keys *k);
size_t tls_keys_rsa_n(const tls_keys *k);
const tls_rsa_key *tls_keys_rsa_at(const tls_keys *k, size_t i);
int tls_keys_add_rsa_pkey(tls_keys *k, EVP_PKEY *pkey, const char *name);
/* Session cache for TLS <= 1.2 resumption: by session id or by ticket; the
 * oldest forgotten past TLS_SESSION_CACHE_MAX (OpenSSL's default server
 * cache size: a resumption after that many newer sessions is rare). */
#define TLS_SESSION_CACHE_MAX 20480
void tls_keys_cache_put(tls_keys *k, int ticket, const uint8_t *id, size_t idlen,
                        const uint8_t ms[48], unsigned conn_id);
/* Remembers a master secret the layer derived for a client random, for
 * tls_keys_export_session (wiped with the store). */
void tls_keys_put_derived(tls_keys *k, const uint8_t cr[32], const uint8_t ms[48]);
/* Copies the cached session into out and returns 1, or returns 0. */
int tls_keys_cache_get(const tls_keys *k, int ticket, const uint8_t *id, size_t idlen,
                       tls_cached_session *out);
unsigned tls_keys_next_conn_id(tls_keys *k);
size_t tls_keys_psk_n(const tls_keys *k);
const tls_psk *tls_keys_psk_at(const tls_keys *k, size_t i);

/* RSA helpers (tls_rsa.c). */
/* 1 when the key is the certificate's public key, 0 when not, -1 when the
 * certificate cannot be read. */
int tls_rsa_matches_cert(const tls_rsa_key *rk, OSSL_LIB_CTX *lib, const uint8_t *der, size_t len);
/* "2048 bits, c3a18f20…": the size and first bytes of a key's public
 * part (public, safe to print). NULL-safe; "unreadable" on failure. */
const char *tls_pkey_brief(const EVP_PKEY *k, char *buf, size_t len);
/* The certificate's subject CN and its key, briefly, for messages:
 * "CN=amt.example.com: 2048 bits, 9b02e1d4…". */
const char *tls_cert_brief(OSSL_LIB_CTX *lib, const uint8_t *der, size_t len, char *buf,
                           size_t buflen);
/* Decrypts an encrypted pre-master secret (PKCS#1 v1.5) and checks it:
 * 48 bytes whose first two are client_version (or alt_version, as some
 * clients send the negotiated one). Returns 0 and fills pms, or -1. */
int tls_rsa_decrypt_pms(const tls_rsa_key *rk, OSSL_LIB_CTX *lib, const uint8_t *enc, size_t len,
                        uint16_t client_version, uint16_t alt_version, uint8_t pms[48]);

/* ---- key files (tls_keyfile.c, tls_pkcs12.c) ------------------------- */

typedef enum {
    TLS_KF_OK,            /* pkey holds the key */
    TLS_KF_NO_KEY,        /* a readable file without a private key */
    TLS_KF_NEED_PASSWORD, /* encrypted, and no password was given */
    TLS_KF_BAD_PASSWORD,  /* the password does not decrypt it */
    TLS_KF_DAMAGED,       /* the structure is broken, or decrypts to no valid key */
    TLS_KF_UNSUPPORTED,   /* encrypted with an algorithm this OpenSSL cannot run */
    TLS_KF_NOT_A_KEY,     /* neither PEM, nor DER key, nor PKCS#12 */
} tls_kf_result;

/* A decoded key file, or why not. detail and algorithm never hold key
 * material or the password. */
typedef struct tls_kf {
    EVP_PKEY *pkey;
    char form[48];      /* "PKCS#12", "encrypted PKCS#8 (PEM)", "PEM", "DER" */
    char algorithm[96]; /* the encryption, when there is one */
    char detail[256];   /* what is wrong, one clause */
} tls_kf;

/* Decodes a key file's bytes with lib (default and legacy providers):
 * PEM, DER, encrypted PKCS#8, PKCS#12. password may be NULL. */
tls_kf_result tls_keyfile_decode(OSSL_LIB_CTX *lib, const uint8_t *data, size_t len,
                                 const char *password, tls_kf *kf);
/* PKCS#12 only: TLS_KF_NOT_A_KEY when the bytes are not PKCS#12. */
tls_kf_result tls_pkcs12_decode(OSSL_LIB_CTX *lib, const uint8_t *data, size_t len,
                                const char *password, tls_kf *kf);
/* Encrypted PKCS#8 (EncryptedPrivateKeyInfo) to a key in kf->pkey. */
tls_kf_result tls_pkcs8_decrypt(OSSL_LIB_CTX *lib, const X509_SIG *sig, const char *pass,
                                tls_kf *kf);
/* Decrypts PBE-encrypted bytes (PKCS#5 v1/v2, PKCS#12 PBE) in lib into
 * *out (free with OPENSSL_clear_free). BAD_PASSWORD when the padding does
 * not check, UNSUPPORTED when the cipher is missing; kf->algorithm names
 * the algorithm in every case. */
tls_kf_result tls_pbe_decrypt(OSSL_LIB_CTX *lib, const X509_ALGOR *alg, const char *pass,
                              const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen,
                              tls_kf *kf);
void tls_kf_say(tls_kf *kf, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* ---- connection state (tls_conn.c and friends) ------------------------- */

/* Where the bytes of a direction's buffer came from: a frame range ends at
 * an absolute stream offset. */
typedef struct tls_mark {
    uint64_t end;
    uint64_t first_frame;
    uint64_t last_frame;
} tls_mark;

/* A TLS <= 1.2 handshake's key inputs: the first handshake's, then each
 * renegotiation's (gen 1, 2, ...). The summary keeps the first hellos for
 * the report; this is what the key schedule of the current handshake
 * needs. Wiped when replaced and at the end. */
typedef struct tls_hs {
    unsigned gen;
    int ch_seen, sh_seen;
    uint64_t ch_frame;
    uint16_t client_version; /* ClientHello.legacy_version: starts an RSA pre-master secret */
    uint16_t version;        /* negotiated */
    uint8_t cr[32], sr[32];
    uint8_t ch_sid[32], sh_sid[32];
    size_t ch_sid_len, sh_sid_len;
    int ch_ems, ch_etm;
    int ems, etm; /* negotiated: offered and accepted */
    const tls_suite *suite;
    GBytes *ch_ticket;   /* ticket offered in the ClientHello */
    GBytes *nst_ticket;  /* ticket issued by NewSessionTicket */
    GByteArray *cke;     /* ClientKeyExchange body */
    GBytes *server_leaf; /* the server certificate of this handshake */
    uint64_t server_leaf_frame;
    int server_shd; /* ServerHelloDone seen */
    int ccs[2];     /* ChangeCipherSpec of this handshake, per direction */
    int finished[2];
    int ms_state; /* 0 not tried, 1 ready, -1 failed */
    uint8_t ms[48];
    tls_cipher_state *pending[2];
} tls_hs;

typedef enum { TLS13_PHASE_NONE, TLS13_PHASE_EARLY, TLS13_PHASE_HS, TLS13_PHASE_APP } tls13_phase;

typedef enum { TLS_SETUP_READY, TLS_SETUP_WAIT, TLS_SETUP_FAIL } tls_setup_result;

typedef struct tls_dir {
    GByteArray *buf; /* bytes not yet consumed as records, from buf_pos */
    size_t buf_pos;
    uint64_t base; /* absolute stream offset of buf->data[0] */
    /* While a feed is read in place (tls_conn_feed, buf empty): its bytes,
     * which stand for buf's (buf_pos and base count in them) */
    const uint8_t *feed;
    size_t feed_len;
    GArray *marks; /* tls_mark, in stream order */
    int stopped;   /* nothing more is parsed in this direction */
    int stalled;   /* waiting for the other direction before decrypting */
    uint64_t nrec;
    uint64_t ignored; /* bytes fed after it stopped */

    int ccs;                    /* TLS <= 1.2: ChangeCipherSpec seen, records are encrypted */
    unsigned keys_gen;          /* the handshake (tls_hs.gen) whose keys it reads with */
    tls_cipher_state *cs;       /* active read state */
    int dec_done;               /* key setup was tried; when cs is NULL it failed */
    int dec_ok_any;             /* some record was decrypted */
    int trial;                  /* failures before the first success are not MAC failures */
    int encrypted_hs_after_ccs; /* TLS <= 1.2: records of type 22 after CCS */
    int early_skipped;          /* TLS 1.3 early data records that could not be opened */

    tls13_phase phase;
    uint8_t secret[64]; /* TLS 1.3 current traffic secret (for KeyUpdate) */
    size_t secret_len;

    GByteArray *hs; /* handshake reassembly */
    uint64_t hs_first_frame;
    int hs_broken;

    /* Plaintext handshake bytes for extended_master_secret: the client's
     * up to ClientKeyExchange, the server's up to ServerHelloDone. */
    GByteArray *transcript;
    size_t ch_end; /* client: end of ClientHello in transcript */
    int transcript_closed;
} tls_dir;

struct tls_conn {
    tls_keys *keys;
    tls_callbacks cb;
    void *ctx;
    unsigned id;
    tls_summary sum;
    tls_dir d[2];
    int ended;
    int released;  /* working state and secrets freed at the end; only the summary is left */
    int midstream; /* neither hello seen at the start: capture began after the handshake */
    int in_pump;

    const tls_suite *suite; /* of the current handshake */
    int tls13;
    int tls13_draft;     /* a draft TLS 1.3 (0x7fxx): records as TLS 1.3, no decryption */
    int version_unknown; /* a version this program does not know: records and hellos only */

    tls_hs hs; /* TLS <= 1.2: the handshake whose keys come next */

    /* The record being set up for (tls_dir_process), so that a choice
     * between keys (several PSKs) can be tried on it. */
    struct {
        int valid;
        uint8_t type;
        uint16_t version;
        const uint8_t *body;
        size_t len;
    } probe;

    /* TLS 1.3 with an external PSK: the handshake messages for the key
     * schedule, the identities offered and the one chosen. Collected
     * only when PSKs were given. */
    GByteArray *t13;      /* ClientHello(s), HelloRetryRequest, ServerHello, server's flight */
    size_t t13_ch1_end;   /* end of the first ClientHello (HelloRetryRequest hashing) */
    int t13_hrr;          /* a HelloRetryRequest is in t13 */
    int t13_closed;       /* the server's Finished is in */
    GPtrArray *psk_ids;   /* GBytes: identities of the ClientHello's pre_shared_key */
    int psk_ke_offered;   /* psk_key_exchange_modes holds psk_ke (no (EC)DHE) */
    int psk_selected;     /* ServerHello's selected_identity, -1 none */
    const tls_psk *psk13; /* the external PSK in use */
    uint8_t psk13_hs[64]; /* its handshake secret, for the master secret */

    int first_hs_done; /* the first handshake completed (renegotiation after) */
    int last_hs_dir, last_hs_type;
    int status_locked;         /* a failure status is set: later ones do not replace it */
    unsigned noted_source_gen; /* the renegotiation whose other key source was noted */
    char dec_source[2][160];   /* where each direction's keys came from */
    int owns_keys;
    uint8_t *scratch; /* TLS_MAX_RECORD bytes for decryption */
};

/* tls_summary.c: summary bookkeeping. */
void tls_sum_init(tls_summary *s);
void tls_sum_clear(tls_summary *s);
void tls_note(tls_conn *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void tls_u16_push(tls_u16_list *l, uint16_t v);
void tls_blob_set(tls_blob *b, const uint8_t *p, size_t n);
void tls_blob_push(tls_blob_list *l, const uint8_t *p, size_t n);
void tls_blob_list_clear(tls_blob_list *l);
void tls_alert_push(tls_conn *c, const tls_alert_info *a);
/* Key status: a failure is kept once set (the first reason is the real
 * one); "decrypted" only replaces "nothing encrypted". */
void tls_status_fail(tls_conn *c, tls_key_status st, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void tls_status_decrypted(tls_conn *c, const char *source);
void tls_dir_stop(tls_conn *c, int dir, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
const char *tls_dir_name(int dir); /* "client→server" */

/* tls_record.c: the record layer of one direction. Returns 1 when it
 * consumed something. */
int tls_dir_process(tls_conn *c, int dir);

/* tls_handshake.c: handshake messages. */
void tls_hs_feed(tls_conn *c, int dir, const uint8_t *p, size_t n, uint64_t first_frame,
                 uint64_t last_frame, int encrypted);
/* tls_hello.c, tls_certs.c: message parsers filling the summary. They
 * return 0, or -1 when the message is malformed (a note says how). */
int tls_parse_client_hello(tls_conn *c, const uint8_t *p, size_t n, uint64_t frame, int enc);
/* An SSLv2-format ClientHello's body (after its 2-byte length). */
int tls_parse_sslv2_hello(tls_conn *c, const uint8_t *p, size_t n, uint64_t frame);
/* A ClientHello parsed (ch is consumed): the summary's when it is the
 * first, the key schedule's (tls_hs.c) for a renegotiation. */
void tls_client_hello_done(tls_conn *c, tls_client_hello *ch, GBytes *ticket, int enc);
void tls_ch_add_suite(tls_client_hello *ch, uint16_t id);
/* Whether a ServerHello body is a HelloRetryRequest. */
int tls_is_hrr(const uint8_t *body, size_t n);
/* Whether a version is a draft of TLS 1.3 (0x7fxx, Facebook's 0xfbxx). */
int tls_version_is_draft(uint16_t v);
/* RFC 8879 CompressedCertificate: decompressed, then parsed as Certificate. */
int tls_parse_compressed_certificate(tls_conn *c, int dir, const uint8_t *p, size_t n,
                                     uint64_t frame);
int tls_parse_server_hello(tls_conn *c, const uint8_t *p, size_t n, uint64_t frame);
int tls_parse_encrypted_extensions(tls_conn *c, const uint8_t *p, size_t n);
int tls_parse_certificate(tls_conn *c, int dir, const uint8_t *p, size_t n, uint64_t frame);
int tls_parse_certificate_request(tls_conn *c, const uint8_t *p, size_t n, uint64_t frame);
int tls_parse_server_key_exchange(tls_conn *c, const uint8_t *p, size_t n);
int tls_parse_client_key_exchange(tls_conn *c, const uint8_t *p, size_t n);
int tls_parse_new_session_ticket(tls_conn *c, const uint8_t *p, size_t n);

/* tls_handshake.c: a Finished (seen or inferred) of dir: handshake
 * completion, TLS 1.3 application keys. */
void tls_hs_finished(tls_conn *c, int dir);

/* tls_hs.c: the current handshake's key inputs. */
void tls_hs_clear(tls_hs *h);
void tls_hs_client_hello(tls_conn *c, const tls_client_hello *ch, GBytes *ticket, int encrypted);
void tls_hs_server_hello(tls_conn *c, const tls_server_hello *sh, uint16_t version);
/* The renegotiation being followed, NULL for the first handshake. */
tls_reneg *tls_hs_reneg(tls_conn *c);
/* Whether the server echoed the client's session id (resumption). */
int tls_hs_resumed_by_id(const tls_hs *h);

/* tls_keysetup.c: decryption keys for a direction, when its first
 * encrypted record arrives. WAIT means information from the other
 * direction is missing and may still come. */
tls_setup_result tls_setup_dir(tls_conn *c, int dir, int may_wait);
/* Key status helpers: the first bytes of the client random in hex (to
 * name a missing key log line), and "no keys" or "no key log entry". */
const char *tls_cr_hex(const tls_conn *c, char buf[40]);
void tls_fail_no_key(tls_conn *c, const char *what);

/* tls_keysetup12.c: SSL 3.0 to TLS 1.2. */
tls_setup_result tls_setup12(tls_conn *c, int dir, int may_wait);
/* The master secret of the current handshake from a pre-master secret
 * (into c->hs.ms). 0 or -1. */
int tls12_ms_from_pms(tls_conn *c, const uint8_t *pms, size_t pms_len);
/* Both directions' read states from master secret ms. 0, or -1 with err. */
int tls12_key_block(tls_conn *c, const uint8_t ms[48], tls_cipher_state *out[2], char *err,
                    size_t errlen);
/* The RSA-encrypted pre-master secret, from an RSA key log line or key. */
tls_setup_result tls12_rsa_pms(tls_conn *c, uint8_t pms[48], char *source, size_t srclen,
                               int *tried);

/* tls_psk.c: pre-shared keys. */
void tls12_psk_client_key_exchange(tls_conn *c);
/* The master secret of a PSK or RSA_PSK handshake into c->hs.ms; several
 * candidate PSKs are tried on the record being set up for. */
tls_setup_result tls12_psk_ms(tls_conn *c, int dir, char *source, size_t srclen, int *tried);
/* The key status of a PSK suite that could not be decrypted. */
void tls12_psk_explain(tls_conn *c);
/* TLS 1.3: the handshake messages the PSK key schedule hashes. */
void tls13_psk_keep(tls_conn *c, int dir, int type, const uint8_t *msg, size_t n, int enc);
/* TLS 1.3: handshake traffic secrets from an external PSK, into the key
 * store. 1 done, 0 not a PSK session (or none given), -1 failed (status
 * set). */
int tls13_psk_setup(tls_conn *c, int dir);
/* TLS 1.3: the application traffic secrets, once the server's Finished is in. */
void tls13_psk_app_secrets(tls_conn *c);
/* The pre_shared_key extension of a ClientHello; ServerHello's choice. */
void tls13_psk_identities(tls_conn *c, amt_cur ext);
void tls13_psk_selected(tls_conn *c, int index);
/* TLS 1.3: switch a direction to application keys (after its Finished),
 * or to the next generation (KeyUpdate), or from early to handshake keys. */
void tls13_to_app(tls_conn *c, int dir);
void tls13_key_update(tls_conn *c, int dir);
void tls13_to_handshake(tls_conn *c, int dir);
/* TLS <= 1.2: a full handshake's master secret is known: put it in the
 * session cache under the session id and ticket. */
void tls12_cache_session(tls_conn *c);

#endif
