/* SPDX-License-Identifier: GPL-2.0-or-later */
/* krb_login: the two Negotiate headers of one login, decoded. */
#include "amtdiag/krb_login.h"

#include <glib.h>
#include <string.h>

int krb_login_read(const char *authorization, const char *www_authenticate, const krb_keyring *keys,
                   krb_login *out)
{
    memset(out, 0, sizeof *out);
    size_t len = 0;
    out->buf_req = gss_negotiate_token(authorization, &len);
    if (out->buf_req) {
        out->has_token = 1;
        out->header_len = strlen(authorization);
        out->token_len = len;
        out->token_rc = gss_token_parse(out->buf_req, len, &out->tok);
        if (out->tok.krb && krb_msg_parse(out->tok.krb, out->tok.krb_len, &out->ap_req) >= 0 &&
            out->ap_req.type == KRB_AP_REQ) {
            out->has_ap_req = 1;
            krb_open_ticket(keys, &out->ap_req, &out->ticket);
        }
    }
    out->buf_resp = gss_negotiate_token(www_authenticate, &len);
    if (out->buf_resp && gss_token_parse(out->buf_resp, len, &out->reply) >= 0) {
        out->has_reply = 1;
        if (out->reply.krb &&
            krb_msg_parse(out->reply.krb, out->reply.krb_len, &out->reply_msg) >= 0)
            out->reply_type = out->reply_msg.type;
    }
    return out->has_token;
}

void krb_login_clear(krb_login *l)
{
    g_free(l->buf_req);
    g_free(l->buf_resp);
    memset(l, 0, sizeof *l);
}

const char *krb_login_client(const krb_login *l, char *buf, size_t len)
{
    buf[0] = '\0';
    if (l->ticket.status == KRB_OPEN_OK)
        g_snprintf(buf, len, "%s@%s", l->ticket.cname.text, l->ticket.crealm);
    return buf;
}

int krb_same_ticket(const krb_ticket *a, const krb_ticket *b)
{
    return a->present && b->present && a->enc.cipher_len &&
           a->enc.cipher_len == b->enc.cipher_len &&
           memcmp(a->enc.cipher, b->enc.cipher, a->enc.cipher_len) == 0;
}

const char *krb_etype_text(int32_t etype, char *buf, size_t len)
{
    const char *name = krb_etype_name(etype);
    if (name)
        g_strlcpy(buf, name, len);
    else
        g_snprintf(buf, len, "etype %d", etype);
    return buf;
}

const char *krb_etypes_text(const int32_t *etypes, size_t n, char *buf, size_t len)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < n; i++) {
        char one[32];
        g_string_append_printf(s, "%s%s", i ? ", " : "",
                               krb_etype_text(etypes[i], one, sizeof one));
    }
    g_strlcpy(buf, s->len ? s->str : "none", len);
    g_string_free(s, TRUE);
    return buf;
}
