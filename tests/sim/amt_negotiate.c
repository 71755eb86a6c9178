/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amt_negotiate: one gss_accept_sec_context per Negotiate token (a
 * Kerberos AP-REQ, optionally inside SPNEGO, completes in one round).
 * MIT's acceptor writes a KRB-ERROR token when it refuses an AP-REQ it
 * could read: the fake AMT can send it back in its 401, as IIS does. */
#include "amt_negotiate.h"

#include <glib.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <string.h>

int amt_negotiate_init(const char *keytab, char *err, size_t len)
{
    if (!g_file_test(keytab, G_FILE_TEST_IS_REGULAR)) {
        g_snprintf(err, len, "%s: no such keytab", keytab);
        return -1;
    }
    if (gsskrb5_register_acceptor_identity(keytab) != GSS_S_COMPLETE) {
        g_snprintf(err, len, "%s: the GSS-API acceptor does not take this keytab", keytab);
        return -1;
    }
    return 0;
}

/* MIT's words for a failure (major and minor status). */
static void status_text(OM_uint32 major, OM_uint32 minor, char *buf, size_t len)
{
    OM_uint32 m, ctx = 0;
    gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;
    GString *s = g_string_new(NULL);
    gss_display_status(&m, major, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx, &msg);
    g_string_append_len(s, msg.value, (gssize)msg.length);
    gss_release_buffer(&m, &msg);
    ctx = 0;
    gss_display_status(&m, minor, GSS_C_MECH_CODE, GSS_C_NO_OID, &ctx, &msg);
    g_string_append(s, ": ");
    g_string_append_len(s, msg.value, (gssize)msg.length);
    gss_release_buffer(&m, &msg);
    g_strlcpy(buf, s->str, len);
    g_string_free(s, TRUE);
}

void amt_negotiate_accept(const char *authorization, amt_negotiate_result *r)
{
    memset(r, 0, sizeof *r);
    const char *b64 = authorization + strlen("Negotiate");
    while (*b64 == ' ')
        b64++;
    gsize len = 0;
    guchar *tok = *b64 ? g_base64_decode(b64, &len) : NULL;
    if (!tok || !len) {
        g_strlcpy(r->why, "no token", sizeof r->why);
        g_free(tok);
        return;
    }
    OM_uint32 major, minor, m;
    gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
    gss_buffer_desc in = {len, tok}, out = GSS_C_EMPTY_BUFFER;
    gss_name_t src = GSS_C_NO_NAME;
    major = gss_accept_sec_context(&minor, &ctx, GSS_C_NO_CREDENTIAL, &in,
                                   GSS_C_NO_CHANNEL_BINDINGS, &src, NULL, &out, NULL, NULL, NULL);
    if (out.length)
        r->reply = g_base64_encode(out.value, out.length);
    gss_release_buffer(&m, &out);
    if (major == GSS_S_COMPLETE) {
        gss_buffer_desc name = GSS_C_EMPTY_BUFFER;
        if (gss_display_name(&m, src, &name, NULL) == GSS_S_COMPLETE) {
            r->client = g_strndup(name.value, name.length);
            r->accepted = 1;
        }
        gss_release_buffer(&m, &name);
    } else {
        status_text(major, minor, r->why, sizeof r->why);
    }
    gss_release_name(&m, &src);
    if (ctx != GSS_C_NO_CONTEXT)
        gss_delete_sec_context(&m, &ctx, GSS_C_NO_BUFFER);
    g_free(tok);
}

void amt_negotiate_result_clear(amt_negotiate_result *r)
{
    g_free(r->client);
    g_free(r->reply);
    memset(r, 0, sizeof *r);
}
