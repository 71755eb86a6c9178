/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_causes: every cause token the diagnosis can report, with its
 * meaning and remedy. docs/causes.md documents the same list; a test
 * checks that the two agree. Tokens are stable: scripts match on them. */
#include "amtdiag/diag.h"

#include <glib.h>

#include <string.h>

#define E DIAG_ERROR
#define W DIAG_WARNING
#define I DIAG_INFO

static const diag_cause causes[] = {
    /* ---- naming and TCP ---- */
    [DIAG_C_DNS_NAME_UNRESOLVED] = {DIAG_C_DNS_NAME_UNRESOLVED, "dns-name-unresolved", E,
                                    DIAG_STAGE_DNS,
                                    "The AMT's host name did not resolve (NXDOMAIN).",
                                    "Register the AMT's FQDN in DNS (dynamic DNS from AMT or the "
                                    "DHCP server), or connect by a "
                                    "name that resolves."},
    [DIAG_C_DNS_POINTS_ELSEWHERE] =
        {DIAG_C_DNS_POINTS_ELSEWHERE, "dns-points-elsewhere", E, DIAG_STAGE_DNS,
         "DNS answered with an address other than the one the console then connected to.",
         "Fix the stale DNS record or the console's cached address so both name the same AMT."},
    [DIAG_C_NO_ANSWER] = {DIAG_C_NO_ANSWER, "no-answer", E, DIAG_STAGE_TCP,
                          "The console's SYNs were never answered.",
                          "Check that the device is powered and on the network, that AMT is "
                          "provisioned with network "
                          "access, and that no firewall drops the AMT ports."},
    [DIAG_C_PORT_CLOSED] = {DIAG_C_PORT_CLOSED, "port-closed", E, DIAG_STAGE_TCP,
                            "AMT (or something in between) answered the SYN with a reset.",
                            "The port is not open: AMT is not provisioned, the interface (TLS or "
                            "plain) is disabled, or "
                            "a firewall rejects it. Check AMT's network settings in MEBx."},
    [DIAG_C_PLAIN_HTTP_REFUSED_TLS_ONLY] =
        {DIAG_C_PLAIN_HTTP_REFUSED_TLS_ONLY, "plain-http-refused-tls-only", E, DIAG_STAGE_TCP,
         "Plain HTTP on 16992 was refused while TLS on 16993 works: AMT is configured TLS-only.",
         "Configure the console to use TLS (port 16993)."},
    [DIAG_C_PLAIN_HTTP_TO_TLS_PORT] = {DIAG_C_PLAIN_HTTP_TO_TLS_PORT, "plain-http-to-tls-port", E,
                                       DIAG_STAGE_TLS,
                                       "The console spoke plain HTTP to AMT's TLS port 16993.",
                                       "Enable TLS in the console's connection settings for this "
                                       "device, or use port 16992 if AMT "
                                       "allows plain HTTP."},
    [DIAG_C_AMT_CLOSED_WITHOUT_ANSWER] =
        {DIAG_C_AMT_CLOSED_WITHOUT_ANSWER, "amt-closed-without-answer", E, DIAG_STAGE_TLS,
         "AMT closed the connection without answering the console's request.",
         "See the other findings of this connection; with mutual authentication this is how some "
         "firmware rejects a console certificate."},
    /* ---- TLS negotiation, and the console's view of AMT ---- */
    [DIAG_C_TLS_VERSION_MISMATCH] =
        {DIAG_C_TLS_VERSION_MISMATCH, "tls-version-mismatch", E, DIAG_STAGE_TLS,
         "The console and AMT share no TLS version.",
         "Allow the versions AMT supports in the console (old AMT: TLS 1.0/1.1), or update AMT's "
         "firmware."},
    [DIAG_C_NO_SHARED_CIPHER] =
        {DIAG_C_NO_SHARED_CIPHER, "no-shared-cipher", E, DIAG_STAGE_TLS,
         "The console offered no cipher suite AMT accepts.",
         "Enable a suite AMT supports in the console (old AMT: AES-CBC with SHA-1, static RSA), or "
         "update AMT's firmware."},
    [DIAG_C_LEGACY_RENEGOTIATION_REFUSED] =
        {DIAG_C_LEGACY_RENEGOTIATION_REFUSED, "legacy-renegotiation-refused", E, DIAG_STAGE_TLS,
         "AMT's ServerHello had no renegotiation_info (RFC 5746) and the console refused to go on.",
         "Update AMT's firmware; or allow unsafe legacy renegotiation in the console (OpenSSL: "
         "Options = UnsafeLegacyServerConnect)."},
    [DIAG_C_SERVER_NAME_MISMATCH] =
        {DIAG_C_SERVER_NAME_MISMATCH, "server-name-mismatch", E, DIAG_STAGE_TLS,
         "The console connected by a name or address that AMT's certificate does not carry.",
         "Connect by the FQDN in AMT's certificate, or issue AMT a certificate that names the "
         "address the console uses."},
    [DIAG_C_SERVER_CERT_UNTRUSTED] =
        {DIAG_C_SERVER_CERT_UNTRUSTED, "server-cert-untrusted", E, DIAG_STAGE_TLS,
         "The console does not trust AMT's TLS certificate (its issuer is not in the console's "
         "trust store).",
         "Install the root that issued AMT's certificate in the console's trust store, or give AMT "
         "a certificate from a root the console trusts."},
    [DIAG_C_SERVER_CERT_EXPIRED] =
        {DIAG_C_SERVER_CERT_EXPIRED, "server-cert-expired", E, DIAG_STAGE_TLS,
         "AMT's TLS certificate is outside its validity period at the console's clock.",
         "Renew AMT's TLS certificate (AMT_PublicKeyManagementService, or the provisioning "
         "server), or set the console's clock right if the certificate is still valid."},
    [DIAG_C_TLS_HANDSHAKE_FAILED] =
        {DIAG_C_TLS_HANDSHAKE_FAILED, "tls-handshake-failed", E, DIAG_STAGE_TLS,
         "The TLS handshake failed for a reason the capture does not settle.",
         "See the evidence for what each side sent last; supply the missing inputs it names."},
    /* ---- mutual authentication: AMT's checks of the console certificate ---- */
    [DIAG_C_CLIENT_CERT_MISSING] =
        {DIAG_C_CLIENT_CERT_MISSING, "client-cert-missing", E, DIAG_STAGE_TLS,
         "AMT asked for a console certificate and the console sent none.",
         "Configure the console with a client certificate (with the AMT console EKU) issued under "
         "a "
         "root AMT trusts."},
    [DIAG_C_CLIENT_CERT_MISSING_CLIENT_AUTH_EKU] =
        {DIAG_C_CLIENT_CERT_MISSING_CLIENT_AUTH_EKU, "client-cert-missing-client-auth-eku", E,
         DIAG_STAGE_TLS,
         "The console certificate lacks the TLS client authentication EKU (1.3.6.1.5.5.7.3.2).",
         "Reissue the console certificate with extendedKeyUsage clientAuth and "
         "2.16.840.1.113741.1.2.1."},
    [DIAG_C_CLIENT_CERT_MISSING_AMT_CONSOLE_OID] =
        {DIAG_C_CLIENT_CERT_MISSING_AMT_CONSOLE_OID, "client-cert-missing-amt-console-oid", E,
         DIAG_STAGE_TLS,
         "The console certificate lacks the Intel AMT console EKU (2.16.840.1.113741.1.2.1).",
         "Reissue the console certificate with extendedKeyUsage clientAuth and "
         "2.16.840.1.113741.1.2.1."},
    [DIAG_C_CLIENT_CERT_EXPIRED_AT_AMT_CLOCK] =
        {DIAG_C_CLIENT_CERT_EXPIRED_AT_AMT_CLOCK, "client-cert-expired-at-amt-clock", E,
         DIAG_STAGE_TLS, "The console certificate is expired at AMT's clock.",
         "Renew the certificate, or set AMT's clock right if the certificate is still valid."},
    [DIAG_C_CLIENT_CERT_NOT_YET_VALID_AT_AMT_CLOCK] =
        {DIAG_C_CLIENT_CERT_NOT_YET_VALID_AT_AMT_CLOCK, "client-cert-not-yet-valid-at-amt-clock", E,
         DIAG_STAGE_TLS, "The console certificate is not yet valid at AMT's clock.",
         "Set AMT's clock right (AMT_TimeSynchronizationService, or MEBx), or use a certificate "
         "valid at AMT's time."},
    [DIAG_C_AMT_CLOCK_WRONG] =
        {DIAG_C_AMT_CLOCK_WRONG, "amt-clock-wrong", E, DIAG_STAGE_TLS,
         "AMT's clock is off, and the certificate verdict depends on it.",
         "Synchronise AMT's clock (AMT_TimeSynchronizationService.SetHighAccuracyTimeSynch, or "
         "MEBx) and retry."},
    [DIAG_C_CLIENT_CERT_NAME_NOT_REVERSE_DNS] =
        {DIAG_C_CLIENT_CERT_NAME_NOT_REVERSE_DNS, "client-cert-name-not-reverse-dns", E,
         DIAG_STAGE_TLS,
         "The console certificate's name differs from the reverse DNS name of the console's "
         "address.",
         "Fix the PTR record of the console's address, or issue the certificate to that name."},
    [DIAG_C_CLIENT_CERT_UNTRUSTED_ROOT] =
        {DIAG_C_CLIENT_CERT_UNTRUSTED_ROOT, "client-cert-untrusted-root", E, DIAG_STAGE_TLS,
         "The console certificate does not chain to a root AMT trusts.",
         "Add the issuing root to AMT (AMT_PublicKeyManagementService.AddTrustedRootCertificate), "
         "or use a certificate from a root AMT lists."},
    [DIAG_C_CLIENT_CERT_FQDN_NOT_TRUSTED] =
        {DIAG_C_CLIENT_CERT_FQDN_NOT_TRUSTED, "client-cert-fqdn-not-trusted", E, DIAG_STAGE_TLS,
         "The console certificate's name is outside AMT's trusted FQDN list.",
         "Add the console's domain to AMT's trusted FQDNs (AMT_TLSSettingData.TrustedCN), or issue "
         "the certificate under a trusted domain."},
    [DIAG_C_CLIENT_CERT_REJECTED] =
        {DIAG_C_CLIENT_CERT_REJECTED, "client-cert-rejected", E, DIAG_STAGE_TLS,
         "AMT rejected the console certificate and no rule fails on the evidence in the capture.",
         "Supply the inputs named for the UNKNOWN rules; the candidates are listed most likely "
         "first."},
    /* ---- login ---- */
    [DIAG_C_DIGEST_WRONG_PASSWORD] =
        {DIAG_C_DIGEST_WRONG_PASSWORD, "digest-wrong-password", E, DIAG_STAGE_HTTP_AUTH,
         "The Digest response was computed with a password other than the one supplied.",
         "Enter the right password for this user in the console."},
    [DIAG_C_DIGEST_UNKNOWN_USER] =
        {DIAG_C_DIGEST_UNKNOWN_USER, "digest-unknown-user", E, DIAG_STAGE_HTTP_AUTH,
         "The login used a user name that is not among the AMT accounts supplied.",
         "Use an account AMT has (the built-in one is 'admin'), or create the user in AMT."},
    [DIAG_C_DIGEST_CORRECT_PASSWORD_REJECTED] =
        {DIAG_C_DIGEST_CORRECT_PASSWORD_REJECTED, "digest-correct-password-rejected", E,
         DIAG_STAGE_HTTP_AUTH,
         "The password supplied matches the response, yet AMT refused the login.",
         "Check the account: disabled, locked out after failed logins, or without access to this "
         "interface (realm rights)."},
    [DIAG_C_DIGEST_LOGIN_REJECTED] =
        {DIAG_C_DIGEST_LOGIN_REJECTED, "digest-login-rejected", E, DIAG_STAGE_HTTP_AUTH,
         "AMT refused the Digest login; without the password the capture cannot say why.",
         "Run again with --password USER:PASS to tell a wrong password from an account problem."},
    [DIAG_C_DIGEST_STALE_NONCE] =
        {DIAG_C_DIGEST_STALE_NONCE, "digest-stale-nonce", E, DIAG_STAGE_HTTP_AUTH,
         "The console answered with a nonce AMT had replaced (stale=true).",
         "A console bug, not a wrong password: it must retry with the new nonce. Update the "
         "console or its WS-Man library."},
    [DIAG_C_DIGEST_REALM_MISMATCH] =
        {DIAG_C_DIGEST_REALM_MISMATCH, "digest-realm-mismatch", E, DIAG_STAGE_HTTP_AUTH,
         "The console's Digest realm differs from the one AMT challenged with.",
         "The console cached the realm of an earlier AMT or session; clear it and retry."},
    [DIAG_C_DIGEST_URI_MISMATCH] =
        {DIAG_C_DIGEST_URI_MISMATCH, "digest-uri-mismatch", E, DIAG_STAGE_HTTP_AUTH,
         "The Digest uri parameter differs from the request line's target.",
         "A console or proxy bug: the uri must equal the request target."},
    [DIAG_C_DIGEST_PARAMETER_ERROR] =
        {DIAG_C_DIGEST_PARAMETER_ERROR, "digest-parameter-error", E, DIAG_STAGE_HTTP_AUTH,
         "The Digest response lacks or garbles parameters the challenge requires (qop, nc, "
         "cnonce).",
         "A console bug: update the console or its HTTP library."},
    [DIAG_C_POSSIBLE_LOCKOUT] =
        {DIAG_C_POSSIBLE_LOCKOUT, "possible-lockout", W, DIAG_STAGE_HTTP_AUTH,
         "Repeated failed logins for one user in a short time: AMT may lock the account.",
         "Wait for AMT's lock-out period to end, then log in with the right password."},
    [DIAG_C_NO_CREDENTIALS_SENT] = {DIAG_C_NO_CREDENTIALS_SENT, "no-credentials-sent", E,
                                    DIAG_STAGE_HTTP_AUTH,
                                    "AMT asked for a login and the console never sent credentials.",
                                    "Configure the AMT user and password in the console."},
    [DIAG_C_EMPTY_DIGEST_RESPONSE] =
        {DIAG_C_EMPTY_DIGEST_RESPONSE, "empty-digest-response", W, DIAG_STAGE_HTTP_AUTH,
         "A Digest response was empty (the CVE-2017-5689 probe).",
         "If AMT accepted it, the firmware is vulnerable (INTEL-SA-00075): update it. Find out who "
         "sent the probe."},
    [DIAG_C_NEGOTIATE_REJECTED] =
        {DIAG_C_NEGOTIATE_REJECTED, "negotiate-rejected", E, DIAG_STAGE_HTTP_AUTH,
         "AMT refused the Kerberos (Negotiate) login, and the capture does not say why.",
         "AMT's keytab (--keytab) or its account's password (--krb-password) tells a stale key "
         "from a user AMT's ACL lacks; check AMT's SPN, its clock and the user's AMT rights."},
    [DIAG_C_NEGOTIATE_NOT_OFFERED] =
        {DIAG_C_NEGOTIATE_NOT_OFFERED, "negotiate-not-offered", E, DIAG_STAGE_HTTP_AUTH,
         "The console sent a Negotiate (Kerberos) login and AMT offered only Digest.",
         "Configure Kerberos in AMT (AMT_KerberosSettingData), or log in with Digest."},
    [DIAG_C_KERBEROS_SPN_UNKNOWN] =
        {DIAG_C_KERBEROS_SPN_UNKNOWN, "kerberos-spn-unknown", E, DIAG_STAGE_HTTP_AUTH,
         "The KDC does not know the service principal name (SPN) the console asked for AMT.",
         "Have the console ask for an SPN AMT registers, with the FQDN AMT was provisioned with: "
         "HTTP/<fqdn>:16992, HTTP/<fqdn>:16993 or HTTP/<fqdn> (not HTTPS/, not a short name or an "
         "address); or register that SPN on AMT's account (setspn -S)."},
    [DIAG_C_KERBEROS_AP_ERR_MODIFIED] =
        {DIAG_C_KERBEROS_AP_ERR_MODIFIED, "kerberos-ap-err-modified", E, DIAG_STAGE_HTTP_AUTH,
         "AMT's key differs from the key the KDC encrypted the ticket with.",
         "AMT's account password or key changed at the KDC and AMT was not told: set AMT's "
         "Kerberos key again (AMT_KerberosSettingData, from the provisioning server), or give the "
         "account back the password AMT has."},
    [DIAG_C_KERBEROS_KVNO_MISMATCH] =
        {DIAG_C_KERBEROS_KVNO_MISMATCH, "kerberos-kvno-mismatch", E, DIAG_STAGE_HTTP_AUTH,
         "The ticket is encrypted with a version of AMT's key that AMT does not have.",
         "The account's key was renewed at the KDC after AMT got its key: give AMT the current "
         "key (provision Kerberos again in AMT_KerberosSettingData)."},
    [DIAG_C_KERBEROS_CLOCK_SKEW] =
        {DIAG_C_KERBEROS_CLOCK_SKEW, "kerberos-clock-skew", E, DIAG_STAGE_HTTP_AUTH,
         "AMT's clock and the console's differ by more than Kerberos tolerates (5 minutes).",
         "Synchronise AMT's clock (AMT_TimeSynchronizationService, or MEBx) and the console's "
         "with the domain's time source."},
    [DIAG_C_KERBEROS_TICKET_EXPIRED] =
        {DIAG_C_KERBEROS_TICKET_EXPIRED, "kerberos-ticket-expired", E, DIAG_STAGE_HTTP_AUTH,
         "The console's service ticket had expired at AMT's clock.",
         "Renew the console's tickets (log on again, kinit); when AMT's clock is ahead (the "
         "evidence gives its offset), set AMT's clock right."},
    [DIAG_C_KERBEROS_ETYPE_MISMATCH] =
        {DIAG_C_KERBEROS_ETYPE_MISMATCH, "kerberos-etype-mismatch", E, DIAG_STAGE_HTTP_AUTH,
         "The console, the KDC and AMT's account share no Kerberos encryption type.",
         "Older AMT firmware takes RC4-HMAC only, newer firmware AES: allow a common type on "
         "both sides (the account's supported encryption types, the console's policy), or "
         "update AMT's firmware and give it AES keys."},
    [DIAG_C_KERBEROS_TOKEN_TOO_LARGE] =
        {DIAG_C_KERBEROS_TOKEN_TOO_LARGE, "kerberos-token-too-large", E, DIAG_STAGE_HTTP_AUTH,
         "The console's Kerberos token made the request header larger than AMT accepts.",
         "Make the token smaller: fewer group memberships of the user (they fill the ticket's "
         "PAC), no delegated credentials; or log in with Digest."},
    [DIAG_C_KERBEROS_NO_TICKET] =
        {DIAG_C_KERBEROS_NO_TICKET, "kerberos-no-ticket", E, DIAG_STAGE_HTTP_AUTH,
         "The console never obtained a Kerberos ticket for AMT: it had no ticket-granting "
         "ticket, or the KDC refused it or did not answer.",
         "Log the user on to the domain again (kinit, klist); check that the console reaches the "
         "KDC on port 88 (UDP and TCP) and that the user's account and password are valid."},
    [DIAG_C_KERBEROS_USER_NOT_IN_ACL] =
        {DIAG_C_KERBEROS_USER_NOT_IN_ACL, "kerberos-user-not-in-acl", E, DIAG_STAGE_HTTP_AUTH,
         "Kerberos accepted the console's ticket, and AMT still refused the user: the user is "
         "not in AMT's access control list.",
         "Add the user, or a group of theirs, to AMT's ACL (AMT_AuthorizationService."
         "AddUserAclEntryEx with the user's SID), or log in as a user who is in it."},
    /* ---- WS-Man and EOI ---- */
    [DIAG_C_WSMAN_ACCESS_DENIED] =
        {DIAG_C_WSMAN_ACCESS_DENIED, "wsman-access-denied", E, DIAG_STAGE_WSMAN,
         "AMT answered wsman:AccessDenied: the user lacks the realm for this call.",
         "Grant the user the needed realm (AMT_AuthorizationService.AddUserAclEntryEx) or log in "
         "as "
         "admin."},
    [DIAG_C_WSMAN_DESTINATION_UNREACHABLE] =
        {DIAG_C_WSMAN_DESTINATION_UNREACHABLE, "wsman-destination-unreachable", E, DIAG_STAGE_WSMAN,
         "AMT answered wsa:DestinationUnreachable: the class is unknown to this firmware.",
         "Use a class this AMT version supports, or update the firmware."},
    [DIAG_C_WSMAN_FAULT] = {DIAG_C_WSMAN_FAULT, "wsman-fault", E, DIAG_STAGE_WSMAN,
                            "AMT answered a WS-Man call with a SOAP fault.",
                            "See the fault's subcode and reason."},
    [DIAG_C_WSMAN_RETURN_VALUE_ERROR] = {DIAG_C_WSMAN_RETURN_VALUE_ERROR,
                                         "wsman-return-value-error", E, DIAG_STAGE_WSMAN,
                                         "A method answered with a non-zero ReturnValue.",
                                         "See the PT_STATUS name; it says what AMT refused."},
    [DIAG_C_EOI_STATUS_ERROR] = {DIAG_C_EOI_STATUS_ERROR, "eoi-status-error", E, DIAG_STAGE_WSMAN,
                                 "An EOI call answered with a non-zero StatusCode.",
                                 "See the PT_STATUS name; it says what AMT refused."},
    [DIAG_C_HTTP_ERROR] = {DIAG_C_HTTP_ERROR, "http-error", E, DIAG_STAGE_WSMAN,
                           "AMT answered with an HTTP error status.",
                           "See the status; 404 means a wrong URL, 5xx a firmware problem."},
    /* ---- redirection: SOL, IDE-R and KVM on 16994 and 16995 ---- */
    [DIAG_C_REDIR_LISTENER_DISABLED] =
        {DIAG_C_REDIR_LISTENER_DISABLED, "redir-listener-disabled", E, DIAG_STAGE_TCP,
         "AMT answered the SYN to its redirection port with a reset: the redirection listener "
         "is not open.",
         "Open the listener before the session and close it after, as consoles for AMT 6 and "
         "later do (AMT_RedirectionService: ListenerEnabled true, then RequestStateChange); or "
         "enable Legacy Redirection Mode in MEBx for an older console. SOL and IDE-R must be "
         "enabled in MEBx."},
    [DIAG_C_REDIR_PLAIN_REFUSED_TLS_ONLY] =
        {DIAG_C_REDIR_PLAIN_REFUSED_TLS_ONLY, "redir-plain-refused-tls-only", E, DIAG_STAGE_TCP,
         "AMT refused redirection in clear (16994) and accepted it over TLS (16995).",
         "Use TLS on 16995: an AMT configured for TLS, and every AMT from CSME 16.1 on, refuses "
         "remote redirection in clear."},
    [DIAG_C_REDIR_SESSION_BUSY] =
        {DIAG_C_REDIR_SESSION_BUSY, "redir-session-busy", E, DIAG_STAGE_REDIR,
         "AMT answered the session start with BUSY: another console holds a redirection session "
         "of this kind.",
         "Close the other session (another console's SOL, IDE-R or KVM window) or wait for it to "
         "end: AMT runs one session of each kind at a time."},
    [DIAG_C_REDIR_SESSION_REFUSED] =
        {DIAG_C_REDIR_SESSION_REFUSED, "redir-session-refused", E, DIAG_STAGE_REDIR,
         "AMT refused the redirection session with a status other than BUSY.",
         "Enable the feature: SOL and IDE-R in MEBx and AMT_RedirectionService.EnabledState, "
         "KVM in MEBx and CIM_KVMRedirectionSAP (RequestStateChange 2), with user consent where "
         "required. TYPE_UNKNOWN means the console asked for a session this AMT does not know."},
    [DIAG_C_REDIR_METHOD_NOT_SUPPORTED] =
        {DIAG_C_REDIR_METHOD_NOT_SUPPORTED, "redir-method-not-supported", E, DIAG_STAGE_REDIR,
         "The redirection login used a method AMT does not take there (it answered "
         "NOT_SUPPORTED, or did not offer it), or the console takes none AMT offered.",
         "Log in with a method AMT offers (Digest). User and password in clear needs MEBx's "
         "'username and password' option, deprecated since AMT 7."},
    [DIAG_C_REDIR_LOGIN_REJECTED] =
        {DIAG_C_REDIR_LOGIN_REJECTED, "redir-login-rejected", E, DIAG_STAGE_REDIR,
         "AMT refused a redirection login that was not Digest (user and password) or a Digest "
         "start.",
         "Run again with --password USER:PASS to tell a wrong password from an account problem; "
         "prefer Digest."},
    [DIAG_C_REDIR_PASSWORD_IN_CLEAR] =
        {DIAG_C_REDIR_PASSWORD_IN_CLEAR, "redir-password-in-clear", W, DIAG_STAGE_REDIR,
         "The console sent an AMT password in clear (the user/password login on 16994, "
         "without TLS).",
         "Change that password: anyone on the path could read it. Log in with Digest, or over "
         "TLS on 16995."},
    /* ---- CIRA: AMT's tunnel to its Management Presence Server (4433) ---- */
    [DIAG_C_CIRA_TCP_REFUSED] =
        {DIAG_C_CIRA_TCP_REFUSED, "cira-tcp-refused", E, DIAG_STAGE_TCP,
         "AMT called its MPS and the SYN was answered with a reset: nothing listens on the MPS "
         "port at that address.",
         "Start the MPS, or correct the MPS address and port in AMT's remote access "
         "configuration (AMT_ManagementPresenceRemoteSAP); check that a firewall does not "
         "reject 4433."},
    [DIAG_C_CIRA_TCP_UNANSWERED] =
        {DIAG_C_CIRA_TCP_UNANSWERED, "cira-tcp-unanswered", E, DIAG_STAGE_TCP,
         "AMT called its MPS and its SYNs got no answer.",
         "Check the route from AMT's network to the MPS and the firewalls on the way (4433 "
         "outbound, inbound at the MPS); check that the MPS accepts connections."},
    [DIAG_C_CIRA_TLS_VERSION_REFUSED] =
        {DIAG_C_CIRA_TLS_VERSION_REFUSED, "cira-tls-version-refused", E, DIAG_STAGE_TLS,
         "The MPS refused the TLS versions AMT offered (protocol_version).",
         "Allow on the MPS the TLS versions this AMT offers (AMT 11 and older: TLS 1.0/1.1; "
         "AMT 12 to 19: up to TLS 1.2), or update AMT's firmware."},
    [DIAG_C_CIRA_TLS_CIPHER_REFUSED] =
        {DIAG_C_CIRA_TLS_CIPHER_REFUSED, "cira-tls-cipher-refused", E, DIAG_STAGE_TLS,
         "The MPS refused AMT's ClientHello with handshake_failure or insufficient_security "
         "before a ServerHello: it shares no cipher suite with AMT.",
         "Enable on the MPS one of the cipher suites AMT offered (listed in the evidence)."},
    [DIAG_C_CIRA_MPS_CERT_UNTRUSTED] =
        {DIAG_C_CIRA_MPS_CERT_UNTRUSTED, "cira-mps-cert-untrusted", E, DIAG_STAGE_TLS,
         "AMT refused the MPS certificate, and its chain does not lead to a root AMT trusts "
         "(the roots given with --trusted-root).",
         "Add the MPS's root certificate to AMT's trusted roots (AMT_PublicKeyManagementService "
         "AddTrustedRootCertificate), or give the MPS a certificate from a root AMT has."},
    [DIAG_C_CIRA_MPS_NAME_MISMATCH] =
        {DIAG_C_CIRA_MPS_NAME_MISMATCH, "cira-mps-name-mismatch", E, DIAG_STAGE_TLS,
         "AMT refused the MPS certificate, which is not issued to the name AMT called the MPS "
         "by (the server_name of AMT's ClientHello).",
         "Make AMT's MPS name (AMT_ManagementPresenceRemoteSAP AccessInfo) one the MPS "
         "certificate holds in its subjectAltName or CN, or reissue the certificate for it."},
    [DIAG_C_CIRA_MPS_CERT_REJECTED] =
        {DIAG_C_CIRA_MPS_CERT_REJECTED, "cira-mps-cert-rejected", E, DIAG_STAGE_TLS,
         "AMT refused the MPS certificate, and the capture does not show why.",
         "Run again with AMT's trusted roots (--trusted-root) to check the chain; check the "
         "certificate's validity at AMT's clock and its extensions (AMT 12 wanted nsCertType)."},
    [DIAG_C_CIRA_AMT_CERT_MISSING] =
        {DIAG_C_CIRA_AMT_CERT_MISSING, "cira-amt-cert-missing", E, DIAG_STAGE_TLS,
         "The MPS asked for AMT's certificate and AMT had none to show: the MPS ended the "
         "handshake.",
         "Give AMT a certificate for CIRA (in its remote access configuration, from a root the "
         "MPS trusts), or stop requiring client certificates on the MPS."},
    [DIAG_C_CIRA_AMT_CERT_UNTRUSTED] =
        {DIAG_C_CIRA_AMT_CERT_UNTRUSTED, "cira-amt-cert-untrusted", E, DIAG_STAGE_TLS,
         "The MPS refused AMT's certificate, and its chain does not lead to a root the MPS "
         "trusts (the roots given with --ca).",
         "Add the root of AMT's certificate to the MPS's trusted client roots, or give AMT a "
         "certificate from a root the MPS trusts."},
    [DIAG_C_CIRA_AMT_CERT_REJECTED] =
        {DIAG_C_CIRA_AMT_CERT_REJECTED, "cira-amt-cert-rejected", E, DIAG_STAGE_TLS,
         "The MPS refused AMT's certificate, and the capture does not show why.",
         "Run again with the roots the MPS trusts for AMT's certificate (--ca) to check the "
         "chain; see the MPS's log for the reason it gives."},
    [DIAG_C_CIRA_LOGIN_REJECTED] =
        {DIAG_C_CIRA_LOGIN_REJECTED, "cira-login-rejected", E, DIAG_STAGE_CIRA,
         "The MPS refused AMT's login (UserAuthFailure): the MPS user name or password AMT "
         "holds is not one the MPS accepts.",
         "Set the same MPS user name and password in AMT (its remote access configuration) and "
         "in the MPS (its CIRA credentials for this device or profile)."},
    [DIAG_C_CIRA_CHANNEL_OPEN_REFUSED] =
        {DIAG_C_CIRA_CHANNEL_OPEN_REFUSED, "cira-channel-open-refused", E, DIAG_STAGE_CIRA,
         "A channel through the tunnel was refused (ChannelOpenFailure): the console behind "
         "the MPS could not reach that AMT port.",
         "See the port and reason: CONNECT_FAILED means nothing serves it in AMT (redirection "
         "listener closed, KVM or SOL disabled); open a port AMT forwarded (its tcpip-forward "
         "requests)."},
    [DIAG_C_CIRA_CHANNEL_TLS_REFUSED] =
        {DIAG_C_CIRA_CHANNEL_TLS_REFUSED, "cira-channel-tls-refused", E, DIAG_STAGE_CIRA,
         "A console's TLS session with AMT inside the tunnel (a channel to 16993 or 16995) "
         "ended in its handshake with an alert: AMT refused the console, or the console "
         "refused AMT's certificate.",
         "See the evidence for the side and the alert: when AMT asks for a certificate (TLS "
         "mutual authentication), give the console one from a root AMT trusts; make the "
         "console trust AMT's certificate; align the console's TLS versions and cipher suites "
         "with AMT's."},
    [DIAG_C_CIRA_KEEPALIVE_TIMEOUT] =
        {DIAG_C_CIRA_KEEPALIVE_TIMEOUT, "cira-keepalive-timeout", E, DIAG_STAGE_CIRA,
         "AMT's keep-alive requests went unanswered and the tunnel was dropped.",
         "Check the MPS (overloaded, or a proxy in between that holds the TLS connection but "
         "not the MPS behind it) and the keep-alive interval and timeout it asks for."},
    [DIAG_C_UNDIAGNOSED] =
        {DIAG_C_UNDIAGNOSED, "undiagnosed", E, DIAG_STAGE_TCP,
         "The connection did not work and no rule explains it on the evidence in the capture.",
         "See the evidence for what was seen and which input would settle it."},
    /* ---- what the capture could not show ---- */
    [DIAG_C_TLS_NOT_DECRYPTED] =
        {DIAG_C_TLS_NOT_DECRYPTED, "tls-not-decrypted", I, DIAG_STAGE_TLS,
         "The TLS session could not be decrypted, so what it carried is not visible.",
         "Supply the console's key log (SSLKEYLOGFILE), or the AMT's RSA key for static-RSA "
         "suites."},
    [DIAG_C_CAPTURE_GAP] =
        {DIAG_C_CAPTURE_GAP, "capture-gap", I, DIAG_STAGE_TCP,
         "Bytes of this connection are missing from the capture.",
         "Capture closer to the console or AMT, with a larger buffer; verdicts after the gap may "
         "be incomplete."},
};

#undef E
#undef W
#undef I

/* A forgotten entry would leave a hole of zeros in the table. */
G_STATIC_ASSERT(G_N_ELEMENTS(causes) == DIAG_N_CAUSES);

const diag_cause *diag_causes(size_t *n)
{
    if (n)
        *n = DIAG_N_CAUSES;
    return causes;
}

const diag_cause *diag_cause_get(diag_cause_id id)
{
    return (unsigned)id < DIAG_N_CAUSES ? &causes[id] : NULL;
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

const char *diag_stage_name(diag_stage s)
{
    static const char *const names[DIAG_N_STAGES] = {"dns",   "tcp",         "tls", "http-auth",
                                                     "wsman", "redirection", "cira"};
    return (unsigned)s < DIAG_N_STAGES ? names[s] : "?";
}

const char *diag_outcome_name(diag_outcome o)
{
    static const char *const names[DIAG_N_OUTCOMES] = {"ok", "challenge", "rejected", "failed",
                                                       "unknown"};
    return (unsigned)o < DIAG_N_OUTCOMES ? names[o] : "?";
}

const char *diag_confidence_name(diag_confidence c)
{
    static const char *const names[DIAG_N_CONFIDENCES] = {"certain", "likely", "by-elimination"};
    return (unsigned)c < DIAG_N_CONFIDENCES ? names[c] : "?";
}

int diag_outcome_is_failure(diag_outcome o)
{
    return o == DIAG_OUTCOME_REJECTED || o == DIAG_OUTCOME_FAILED;
}
