/* SPDX-License-Identifier: GPL-2.0-or-later */
/* krb_marks: Kerberos names marked for redaction where they are recorded. */
#include "krb_marks.h"

#include <string.h>
#include <sys/socket.h>

#include "amtdiag/krb_login.h"

void mark_krb_principal(id_marks *m, const krb_principal *p, const char *realm)
{
    if (!m)
        return;
    if (realm && *realm)
        idm_mark_host(m, realm);
    if (!p || !p->present || !*p->text)
        return;
    char host[KRB_STR_MAX];
    unsigned port;
    krb_principal_host(p, host, sizeof host, &port);
    if (p->n_parts >= 2 && !krb_principal_is_tgs(p)) {
        /* a service: HTTP/host[:port]; the host names the site */
        idm_mark_host(m, host);
        return;
    }
    if (krb_principal_is_tgs(p))
        return; /* krbtgt/REALM: the realm is marked */
    idm_mark_str(m, ID_USER, p->text);
    if (realm && *realm) {
        char *full = g_strdup_printf("%s@%s", p->text, realm);
        idm_mark_str(m, ID_USER, full);
        g_free(full);
    }
}

static void mark_msg(id_marks *m, const krb_msg *k)
{
    mark_krb_principal(m, &k->cname, k->crealm);
    mark_krb_principal(m, &k->sname, k->realm);
    mark_krb_principal(m, &k->ticket.sname, k->ticket.realm);
    idm_mark_str(m, ID_TOKEN, k->salt);
    if (k->has_e_text)
        idm_mark_str(m, ID_TOKEN, k->e_text);
}

void mark_krb_msg(id_marks *m, const krb_rec *r)
{
    if (!m || r->decoded < 0)
        return; /* not Kerberos, or a refused connection: its addresses are marked as TCP's */
    idm_mark_addr(m, r->client.family == AF_INET6 ? 6 : 4, r->client.addr);
    idm_mark_addr(m, r->kdc.family == AF_INET6 ? 6 : 4, r->kdc.addr);
    krb_msg *k = g_new(krb_msg, 1);
    krb_rec_decode(r, k);
    mark_msg(m, k);
    g_free(k);
}

void mark_krb_login(id_marks *m, const char *authorization, const char *www_authenticate,
                    const krb_keyring *keys)
{
    if (!m || (!authorization && !www_authenticate))
        return;
    krb_login l;
    krb_login_read(authorization, www_authenticate, keys, &l);
    if (l.has_ap_req)
        mark_msg(m, &l.ap_req);
    if (l.ticket.status == KRB_OPEN_OK) {
        mark_krb_principal(m, &l.ticket.cname, l.ticket.crealm);
        mark_krb_principal(m, &l.ticket.auth_cname, l.ticket.crealm);
    }
    if (l.reply_type)
        mark_msg(m, &l.reply_msg);
    krb_login_clear(&l);
}

void mark_krb_principal_text(id_marks *m, const char *principal)
{
    if (!m || !principal)
        return;
    krb_principal p = {.present = 1};
    const char *at = strrchr(principal, '@');
    size_t n = at ? (size_t)(at - principal) : strlen(principal);
    g_strlcpy(p.text, principal, MIN(n + 1, sizeof p.text));
    for (const char *c = p.text; *c; c++)
        p.n_parts += *c == '/';
    p.n_parts++;
    mark_krb_principal(m, &p, at ? at + 1 : NULL);
}
