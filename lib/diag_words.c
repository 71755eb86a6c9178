/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_words: the two vocabularies of the inputs that settle a finding.
 * amtdiag's are its options (docs/amtdiag.1); the plugin's its
 * preferences and tables (Edit › Preferences › Protocols › iAMT, and
 * Wireshark's own tls.keylog_file and RSA keys table). */
#include "amtdiag/diag.h"

#include <string.h>

const diag_vocabulary diag_words_amtdiag = {
    .input =
        {
            [DIAG_IN_KEYLOG] = {"--keylog", "--keylog FILE"},
            [DIAG_IN_RSA_KEY] = {"--key", "--key PEM"},
            [DIAG_IN_PASSWORD] = {"--password", "--password USER:PASSWORD"},
            [DIAG_IN_HOSTS] = {"--hosts", "--hosts FILE"},
            [DIAG_IN_TRUSTED_ROOT] = {"--trusted-root", "--trusted-root PEM"},
            [DIAG_IN_TRUSTED_FQDN] = {"--trusted-fqdn", "--trusted-fqdn SUFFIX"},
            [DIAG_IN_CLOCK_OFFSET] = {"--amt-clock-offset", "--amt-clock-offset"},
            [DIAG_IN_CONSOLE_CA] = {"--ca", "--ca PEM"},
        },
    .password_remedy = NULL, /* the cause table's: "Run again with --password ..." */
};

const diag_vocabulary diag_words_wireshark = {
    .input =
        {
            [DIAG_IN_KEYLOG] = {"tls.keylog_file", "tls.keylog_file"},
            [DIAG_IN_RSA_KEY] = {"the RSA keys table, uat:rsa_keys",
                                 "the RSA keys table (uat:rsa_keys)"},
            [DIAG_IN_PASSWORD] = {"iamt.passwords",
                                  "an entry for USER in the iamt.passwords table"},
            [DIAG_IN_HOSTS] = {"iamt.hosts_file", "iamt.hosts_file (/etc/hosts syntax)"},
            [DIAG_IN_TRUSTED_ROOT] = {"iamt.trusted_root", "iamt.trusted_root"},
            [DIAG_IN_TRUSTED_FQDN] = {"iamt.trusted_fqdn", "iamt.trusted_fqdn"},
            [DIAG_IN_CLOCK_OFFSET] = {"iamt.amt_clock_offset", "iamt.amt_clock_offset"},
            [DIAG_IN_CONSOLE_CA] = {"iamt.console_ca", "iamt.console_ca"},
        },
    .password_remedy = "Add the user and its password to the iamt.passwords table (Edit › "
                       "Preferences › Protocols › iAMT) to tell a wrong password from an "
                       "account problem.",
};

static const diag_vocabulary *vocabulary(const diag_inputs *in)
{
    return in && in->words ? in->words : &diag_words_amtdiag;
}

const char *diag_word_name(const diag_inputs *in, diag_input which)
{
    return vocabulary(in)->input[which].name;
}

const char *diag_word_usage(const diag_inputs *in, diag_input which)
{
    return vocabulary(in)->input[which].usage;
}

void diag_word_usage_for(GString *s, const diag_inputs *in, diag_input which, const char *user)
{
    const char *u = diag_word_usage(in, which);
    const char *at = user ? strstr(u, "USER") : NULL;
    if (!at) {
        g_string_append(s, u);
        return;
    }
    g_string_append_len(s, u, at - u);
    g_string_append(s, user);
    g_string_append(s, at + 4);
}

const char *diag_cause_remedy(const diag_cause *c, const diag_inputs *in)
{
    const diag_vocabulary *v = vocabulary(in);
    if (c->id == DIAG_C_DIGEST_LOGIN_REJECTED && v->password_remedy)
        return v->password_remedy;
    return c->remedy;
}
