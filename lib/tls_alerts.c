/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls_alerts: the TLS AlertDescription and HandshakeType registries. */
#include "amtdiag/tls_alerts.h"

#include <stddef.h>

static const struct {
    int desc;
    const char *name;
} alerts[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {120, "no_application_protocol"},
};

const char *amt_tls_alert_name(int desc)
{
    for (size_t i = 0; i < sizeof alerts / sizeof alerts[0]; i++)
        if (alerts[i].desc == desc)
            return alerts[i].name;
    return "unknown";
}

const char *amt_tls_hs_name(int type)
{
    static const struct {
        int type;
        const char *name;
    } t[] = {
        {0, "HelloRequest"},           {1, "ClientHello"},       {2, "ServerHello"},
        {3, "HelloVerifyRequest"},     {4, "NewSessionTicket"},  {5, "EndOfEarlyData"},
        {8, "EncryptedExtensions"},    {11, "Certificate"},      {12, "ServerKeyExchange"},
        {13, "CertificateRequest"},    {14, "ServerHelloDone"},  {15, "CertificateVerify"},
        {16, "ClientKeyExchange"},     {20, "Finished"},         {21, "CertificateURL"},
        {22, "CertificateStatus"},     {23, "SupplementalData"}, {24, "KeyUpdate"},
        {25, "CompressedCertificate"}, {254, "MessageHash"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].type == type)
            return t[i].name;
    return "unknown";
}
