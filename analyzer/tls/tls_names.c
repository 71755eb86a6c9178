/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names of protocol numbers (versions, alerts, handshake messages,
 * extensions, groups, content types) and of key statuses, for reports. */
#include "amtdiag/tls_alerts.h"
#include "tls/tls_int.h"

typedef struct {
    int v;
    const char *name;
} num_name;

static const char *lookup(const num_name *t, size_t n, int v)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].v == v)
            return t[i].name;
    return "unknown";
}

const char *tls_version_name(uint16_t v)
{
    static const num_name t[] = {
        {0x0002, "SSLv2"},
        {0x0300, "SSLv3"},
        {0x0301, "TLSv1"},
        {0x0302, "TLSv1.1"},
        {0x0303, "TLSv1.2"},
        {0x0304, "TLSv1.3"},
        {0xfb17, "TLSv1.3 (Facebook draft 23)"},
        {0xfb1a, "TLSv1.3 (Facebook draft 26)"},
    };
    static const char *const drafts[] = {
        "TLSv1.3 draft 14", "TLSv1.3 draft 15", "TLSv1.3 draft 16", "TLSv1.3 draft 17",
        "TLSv1.3 draft 18", "TLSv1.3 draft 19", "TLSv1.3 draft 20", "TLSv1.3 draft 21",
        "TLSv1.3 draft 22", "TLSv1.3 draft 23", "TLSv1.3 draft 24", "TLSv1.3 draft 25",
        "TLSv1.3 draft 26", "TLSv1.3 draft 27", "TLSv1.3 draft 28",
    };
    if ((v >> 8) == 0x7f)
        return (v & 0xff) >= 14 && (v & 0xff) <= 28 ? drafts[(v & 0xff) - 14] : "TLSv1.3 draft";
    return lookup(t, G_N_ELEMENTS(t), v);
}

const char *tls_alert_name(int desc)
{
    return amt_tls_alert_name(desc); /* lib/ holds the registry the diagnosis shares */
}

const char *tls_hs_name(int type)
{
    return amt_tls_hs_name(type); /* one registry, in lib/, with the diagnosis */
}

const char *tls_ext_name(uint16_t type)
{
    static const num_name t[] = {
        {0, "server_name"},
        {1, "max_fragment_length"},
        {5, "status_request"},
        {10, "supported_groups"},
        {11, "ec_point_formats"},
        {13, "signature_algorithms"},
        {14, "use_srtp"},
        {15, "heartbeat"},
        {16, "application_layer_protocol_negotiation"},
        {18, "signed_certificate_timestamp"},
        {21, "padding"},
        {22, "encrypt_then_mac"},
        {23, "extended_master_secret"},
        {27, "compress_certificate"},
        {28, "record_size_limit"},
        {35, "session_ticket"},
        {41, "pre_shared_key"},
        {42, "early_data"},
        {43, "supported_versions"},
        {44, "cookie"},
        {45, "psk_key_exchange_modes"},
        {47, "certificate_authorities"},
        {48, "oid_filters"},
        {49, "post_handshake_auth"},
        {50, "signature_algorithms_cert"},
        {51, "key_share"},
        {0xff01, "renegotiation_info"},
    };
    return lookup(t, G_N_ELEMENTS(t), type);
}

const char *tls_group_name(uint16_t group)
{
    static const num_name t[] = {
        {23, "secp256r1"},  {24, "secp384r1"},  {25, "secp521r1"},  {29, "x25519"},
        {30, "x448"},       {256, "ffdhe2048"}, {257, "ffdhe3072"}, {258, "ffdhe4096"},
        {259, "ffdhe6144"}, {260, "ffdhe8192"},
    };
    return lookup(t, G_N_ELEMENTS(t), group);
}

const char *tls_content_type_name(int type)
{
    static const num_name t[] = {
        {20, "change_cipher_spec"}, {21, "alert"},     {22, "handshake"},
        {23, "application_data"},   {24, "heartbeat"},
    };
    return lookup(t, G_N_ELEMENTS(t), type);
}

const char *tls_key_status_name(tls_key_status s)
{
    static const num_name t[] = {
        {TLS_KEY_NOTHING_ENCRYPTED, "nothing-encrypted"},
        {TLS_KEY_DECRYPTED, "decrypted"},
        {TLS_KEY_NO_KEYS, "no-keys"},
        {TLS_KEY_NO_KEYLOG_ENTRY, "no-keylog-entry"},
        {TLS_KEY_RSA_BUT_DHE, "rsa-key-but-dhe"},
        {TLS_KEY_RSA_MISMATCH, "rsa-key-mismatch"},
        {TLS_KEY_RESUMED_UNKNOWN, "resumed-session-unknown"},
        {TLS_KEY_TLS13_NO_HS_SECRETS, "tls13-no-handshake-secrets"},
        {TLS_KEY_UNSUPPORTED, "unsupported"},
        {TLS_KEY_NO_CLIENT_HELLO, "no-client-hello"},
        {TLS_KEY_NO_SERVER_HELLO, "no-server-hello"},
        {TLS_KEY_MAC_FAILURE, "mac-failure"},
        {TLS_KEY_GAP, "capture-gap"},
        {TLS_KEY_MALFORMED, "malformed"},
    };
    return lookup(t, G_N_ELEMENTS(t), (int)s);
}

const char *tls_dir_name(int dir)
{
    return dir == TLS_DIR_CLIENT ? "client→server" : "server→client";
}
