/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_causes: every cause token the diagnosis can report, with its
 * meaning and remedy. docs/causes.md documents the same list; a test
 * checks that the two agree. Tokens are stable: scripts match on them. */
#include "amtdiag/diag.h"

#include <string.h>

#define E DIAG_ERROR
#define W DIAG_WARNING
#define I DIAG_INFO

static const diag_cause causes[] = {
    /* ---- naming and TCP ---- */
    {"dns-name-unresolved", E, "dns", "The AMT's host name did not resolve (NXDOMAIN).",
     "Register the AMT's FQDN in DNS (dynamic DNS from AMT or the DHCP server), or connect by a "
     "name that resolves."},
    {"dns-points-elsewhere", E, "dns",
     "DNS answered with an address other than the one the console then connected to.",
     "Fix the stale DNS record or the console's cached address so both name the same AMT."},
    {"no-answer", E, "tcp", "The console's SYNs were never answered.",
     "Check that the device is powered and on the network, that AMT is provisioned with network "
     "access, and that no firewall drops the AMT ports."},
    {"port-closed", E, "tcp", "AMT (or something in between) answered the SYN with a reset.",
     "The port is not open: AMT is not provisioned, the interface (TLS or plain) is disabled, or "
     "a firewall rejects it. Check AMT's network settings in MEBx."},
    {"plain-http-refused-tls-only", E, "tcp",
     "Plain HTTP on 16992 was refused while TLS on 16993 works: AMT is configured TLS-only.",
     "Configure the console to use TLS (port 16993)."},
    {"plain-http-to-tls-port", E, "tls", "The console spoke plain HTTP to AMT's TLS port 16993.",
     "Enable TLS in the console's connection settings for this device, or use port 16992 if AMT "
     "allows plain HTTP."},
    {"amt-closed-without-answer", E, "tls",
     "AMT closed the connection without answering the console's request.",
     "See the other findings of this connection; with mutual authentication this is how some "
     "firmware rejects a console certificate."},
    /* ---- TLS negotiation, and the console's view of AMT ---- */
    {"tls-version-mismatch", E, "tls", "The console and AMT share no TLS version.",
     "Allow the versions AMT supports in the console (old AMT: TLS 1.0/1.1), or update AMT's "
     "firmware."},
    {"no-shared-cipher", E, "tls", "The console offered no cipher suite AMT accepts.",
     "Enable a suite AMT supports in the console (old AMT: AES-CBC with SHA-1, static RSA), or "
     "update AMT's firmware."},
    {"legacy-renegotiation-refused", E, "tls",
     "AMT's ServerHello had no renegotiation_info (RFC 5746) and the console refused to go on.",
     "Update AMT's firmware; or allow unsafe legacy renegotiation in the console (OpenSSL: "
     "Options = UnsafeLegacyServerConnect)."},
    {"server-name-mismatch", E, "tls",
     "The console connected by a name or address that AMT's certificate does not carry.",
     "Connect by the FQDN in AMT's certificate, or issue AMT a certificate that names the "
     "address the console uses."},
    {"amt-cert-untrusted-by-console", E, "tls", "The console rejected AMT's TLS certificate.",
     "Install the root that issued AMT's certificate in the console's trust store, or replace "
     "an expired or self-signed AMT certificate."},
    {"tls-handshake-failed", E, "tls",
     "The TLS handshake failed for a reason the capture does not settle.",
     "See the evidence for what each side sent last; supply the missing inputs it names."},
    /* ---- mutual authentication: AMT's checks of the console certificate ---- */
    {"client-cert-missing", E, "tls",
     "AMT asked for a console certificate and the console sent none.",
     "Configure the console with a client certificate (with the AMT console EKU) issued under a "
     "root AMT trusts."},
    {"client-cert-missing-client-auth-eku", E, "tls",
     "The console certificate lacks the TLS client authentication EKU (1.3.6.1.5.5.7.3.2).",
     "Reissue the console certificate with extendedKeyUsage clientAuth and "
     "2.16.840.1.113741.1.2.1."},
    {"client-cert-missing-amt-console-oid", E, "tls",
     "The console certificate lacks the Intel AMT console EKU (2.16.840.1.113741.1.2.1).",
     "Reissue the console certificate with extendedKeyUsage clientAuth and "
     "2.16.840.1.113741.1.2.1."},
    {"client-cert-expired-at-amt-clock", E, "tls",
     "The console certificate is expired at AMT's clock.",
     "Renew the certificate, or set AMT's clock right if the certificate is still valid."},
    {"client-cert-not-yet-valid-at-amt-clock", E, "tls",
     "The console certificate is not yet valid at AMT's clock.",
     "Set AMT's clock right (AMT_TimeSynchronizationService, or MEBx), or use a certificate "
     "valid at AMT's time."},
    {"amt-clock-wrong", E, "tls", "AMT's clock is off, and the certificate verdict depends on it.",
     "Synchronise AMT's clock (AMT_TimeSynchronizationService.SetHighAccuracyTimeSynch, or "
     "MEBx) and retry."},
    {"client-cert-name-not-reverse-dns", E, "tls",
     "The console certificate's name differs from the reverse DNS name of the console's "
     "address.",
     "Fix the PTR record of the console's address, or issue the certificate to that name."},
    {"client-cert-untrusted-root", E, "tls",
     "The console certificate does not chain to a root AMT trusts.",
     "Add the issuing root to AMT (AMT_PublicKeyManagementService.AddTrustedRootCertificate), "
     "or use a certificate from a root AMT lists."},
    {"client-cert-fqdn-not-trusted", E, "tls",
     "The console certificate's name is outside AMT's trusted FQDN list.",
     "Add the console's domain to AMT's trusted FQDNs (AMT_TLSSettingData.TrustedCN), or issue "
     "the certificate under a trusted domain."},
    {"client-cert-rejected", E, "tls",
     "AMT rejected the console certificate and no rule fails on the evidence in the capture.",
     "Supply the inputs named for the UNKNOWN rules; the candidates are listed most likely "
     "first."},
    /* ---- login ---- */
    {"digest-wrong-password", E, "http-auth",
     "The Digest response was computed with a password other than the one supplied.",
     "Enter the right password for this user in the console."},
    {"digest-unknown-user", E, "http-auth",
     "The login used a user name that is not among the AMT accounts supplied.",
     "Use an account AMT has (the built-in one is 'admin'), or create the user in AMT."},
    {"digest-correct-password-rejected", E, "http-auth",
     "The password supplied matches the response, yet AMT refused the login.",
     "Check the account: disabled, locked out after failed logins, or without access to this "
     "interface (realm rights)."},
    {"digest-login-rejected", E, "http-auth",
     "AMT refused the Digest login; without the password the capture cannot say why.",
     "Run again with --password USER:PASS to tell a wrong password from an account problem."},
    {"digest-stale-nonce", E, "http-auth",
     "The console answered with a nonce AMT had replaced (stale=true).",
     "A console bug, not a wrong password: it must retry with the new nonce. Update the "
     "console or its WS-Man library."},
    {"digest-realm-mismatch", E, "http-auth",
     "The console's Digest realm differs from the one AMT challenged with.",
     "The console cached the realm of an earlier AMT or session; clear it and retry."},
    {"digest-uri-mismatch", E, "http-auth",
     "The Digest uri parameter differs from the request line's target.",
     "A console or proxy bug: the uri must equal the request target."},
    {"digest-parameter-error", E, "http-auth",
     "The Digest response lacks or garbles parameters the challenge requires (qop, nc, "
     "cnonce).",
     "A console bug: update the console or its HTTP library."},
    {"possible-lockout", W, "http-auth",
     "Repeated failed logins for one user in a short time: AMT may lock the account.",
     "Wait for AMT's lock-out period to end, then log in with the right password."},
    {"no-credentials-sent", E, "http-auth",
     "AMT asked for a login and the console never sent credentials.",
     "Configure the AMT user and password in the console."},
    {"empty-digest-response", W, "http-auth",
     "A Digest response was empty (the CVE-2017-5689 probe).",
     "If AMT accepted it, the firmware is vulnerable (INTEL-SA-00075): update it. Find out who "
     "sent the probe."},
    {"negotiate-rejected", E, "http-auth", "AMT refused the Kerberos (Negotiate) login.",
     "Check the AMT's SPN and Kerberos settings, the clock of AMT and the KDC, and the user's "
     "AMT rights."},
    {"negotiate-not-offered", E, "http-auth",
     "The console sent a Negotiate (Kerberos) login and AMT offered only Digest.",
     "Configure Kerberos in AMT (AMT_KerberosSettingData), or log in with Digest."},
    /* ---- WS-Man and EOI ---- */
    {"wsman-access-denied", E, "wsman",
     "AMT answered wsman:AccessDenied: the user lacks the realm for this call.",
     "Grant the user the needed realm (AMT_AuthorizationService.AddUserAclEntryEx) or log in as "
     "admin."},
    {"wsman-destination-unreachable", E, "wsman",
     "AMT answered wsa:DestinationUnreachable: the class is unknown to this firmware.",
     "Use a class this AMT version supports, or update the firmware."},
    {"wsman-fault", E, "wsman", "AMT answered a WS-Man call with a SOAP fault.",
     "See the fault's subcode and reason."},
    {"wsman-return-value-error", E, "wsman", "A method answered with a non-zero ReturnValue.",
     "See the PT_STATUS name; it says what AMT refused."},
    {"eoi-status-error", E, "wsman", "An EOI call answered with a non-zero StatusCode.",
     "See the PT_STATUS name; it says what AMT refused."},
    {"http-error", E, "wsman", "AMT answered with an HTTP error status.",
     "See the status; 404 means a wrong URL, 5xx a firmware problem."},
    /* ---- what the capture could not show ---- */
    {"tls-not-decrypted", I, "tls",
     "The TLS session could not be decrypted, so what it carried is not visible.",
     "Supply the console's key log (SSLKEYLOGFILE), or the AMT's RSA key for static-RSA "
     "suites."},
    {"capture-gap", I, "tcp", "Bytes of this connection are missing from the capture.",
     "Capture closer to the console or AMT, with a larger buffer; verdicts after the gap may "
     "be incomplete."},
};

#undef E
#undef W
#undef I

const diag_cause *diag_causes(size_t *n)
{
    if (n)
        *n = sizeof causes / sizeof causes[0];
    return causes;
}

const diag_cause *diag_cause_find(const char *token)
{
    for (size_t i = 0; token && i < sizeof causes / sizeof causes[0]; i++)
        if (strcmp(causes[i].token, token) == 0)
            return &causes[i];
    return NULL;
}

const char *diag_severity_name(diag_severity s)
{
    return s == DIAG_ERROR ? "error" : s == DIAG_WARNING ? "warning" : "info";
}

const char *diag_status_name(diag_status s)
{
    return s == DIAG_PASS ? "pass" : s == DIAG_FAIL ? "fail" : "unknown";
}
