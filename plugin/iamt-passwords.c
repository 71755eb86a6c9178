/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iamt-passwords: the user/password UAT behind iamt.passwords. lib's
 * login rules recompute the Digest response with these; the plugin only
 * hands them over. */
#include "iamt-passwords.h"

#include "ws-compat.h"

#include <epan/uat.h>
#include <string.h>

typedef struct password_rec {
    char *user;
    char *password;
} password_rec;

static password_rec *recs;
static guint n_recs;

UAT_CSTRING_CB_DEF(iamt_pw, user, password_rec)
UAT_CSTRING_CB_DEF(iamt_pw, password, password_rec)

static void *rec_copy(void *dest, const void *src, size_t len)
{
    (void)len;
    password_rec *d = dest;
    const password_rec *s = src;
    d->user = g_strdup(s->user);
    d->password = g_strdup(s->password);
    return d;
}

static ws_bool rec_update(void *r, char **err)
{
    const password_rec *rec = r;
    if (!rec->user || !*rec->user) {
        *err = g_strdup("The user name must not be empty");
        return FALSE;
    }
    return TRUE;
}

static void rec_free(void *r)
{
    password_rec *rec = r;
    g_free(rec->user);
    /* Wipe the password before giving the memory back. */
    if (rec->password)
        memset(rec->password, 0, strlen(rec->password));
    g_free(rec->password);
}

void iamt_passwords_register(module_t *m)
{
    static uat_field_t fields[] = {
        UAT_FLD_CSTRING(iamt_pw, user, "User", "AMT account name (e.g. admin)"),
        UAT_FLD_CSTRING(iamt_pw, password, "Password", "Its password"), UAT_END_FIELDS};
    uat_t *uat = uat_new("AMT account passwords", sizeof(password_rec), "iamt_passwords", TRUE,
                         &recs, &n_recs, UAT_AFFECTS_DISSECTION, NULL, rec_copy, rec_update,
                         rec_free, NULL, NULL, fields);
    prefs_register_uat_preference(
        m, "passwords", "AMT account passwords",
        "User names and passwords to check rejected Digest logins against "
        "(digest-wrong-password, digest-unknown-user, digest-correct-password-rejected)",
        uat);
}

const diag_account *iamt_passwords_accounts(wmem_allocator_t *scope, size_t *n)
{
    *n = 0;
    if (!n_recs)
        return NULL;
    diag_account *acc = wmem_alloc0_array(scope, diag_account, n_recs);
    for (guint i = 0; i < n_recs; i++) {
        if (!recs[i].user)
            continue;
        acc[*n].user = recs[i].user;
        acc[*n].password = recs[i].password ? recs[i].password : "";
        (*n)++;
    }
    return acc;
}
