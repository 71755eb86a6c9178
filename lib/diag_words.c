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
    .rewordings = NULL, /* the cause table speaks amtdiag's options */
};

/* The cause table's phrases that name an option, in the plugin's words;
 * what is left of an option's name is then replaced by the preference's
 * (unit test: no text the plugin shows names an option). */
static const diag_rewording wireshark_rewordings[] = {
    {"Run again with --password USER:PASS to",
     "Add the user and its password to the iamt.passwords table (Edit › Preferences › "
     "Protocols › iAMT) to"},
    {"AMT's keytab (--keytab) or its account's password (--krb-password)",
     "AMT's keytab (iamt.keytab)"},
    {"the roots given with --trusted-root", "the roots given in iamt.trusted_root"},
    {"the roots given with --ca", "the roots given in iamt.console_ca"},
    {NULL, NULL},
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
    .rewordings = wireshark_rewordings,
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

/* text in vocabulary v: its phrases reworded, then every option name left
 * ("--trusted-root", not followed by more of a name) replaced by v's. */
static char *reword(const char *text, const diag_vocabulary *v)
{
    GString *s = g_string_new(text);
    for (const diag_rewording *r = v->rewordings; r && r->amtdiag; r++)
        g_string_replace(s, r->amtdiag, r->tool, 0);
    for (int k = 0; k < DIAG_N_INPUTS; k++) {
        const char *opt = diag_words_amtdiag.input[k].name;
        size_t n = strlen(opt);
        for (char *p = strstr(s->str, opt); p; p = strstr(s->str + (p - s->str) + 1, opt)) {
            if (g_ascii_isalnum(p[n]) || p[n] == '-')
                continue;
            gssize at = p - s->str;
            g_string_erase(s, at, (gssize)n);
            g_string_insert(s, at, v->input[k].name);
            p = s->str + at;
        }
    }
    return g_string_free(s, FALSE);
}

/* The reworded texts, made on first use: [vocabulary][cause][0 explanation,
 * 1 remedy]. Two vocabularies exist; a third gets the table's own texts. */
static const diag_vocabulary *worded_for[2];
static const char *worded[2][DIAG_N_CAUSES][2];
static GMutex worded_lock;

static const char *cause_text(const diag_cause *c, const diag_inputs *in, int which)
{
    const diag_vocabulary *v = vocabulary(in);
    const char *text = which ? c->remedy : c->explanation;
    if (!v->rewordings || !text || c->id >= DIAG_N_CAUSES)
        return text;
    g_mutex_lock(&worded_lock);
    const char *out = NULL;
    for (int i = 0; i < 2 && !out; i++) {
        if (!worded_for[i])
            worded_for[i] = v;
        if (worded_for[i] != v)
            continue;
        if (!worded[i][c->id][which])
            worded[i][c->id][which] = reword(text, v);
        out = worded[i][c->id][which];
    }
    g_mutex_unlock(&worded_lock);
    return out ? out : text;
}

const char *diag_cause_remedy(const diag_cause *c, const diag_inputs *in)
{
    return cause_text(c, in, 1);
}

const char *diag_cause_explanation(const diag_cause *c, const diag_inputs *in)
{
    return cause_text(c, in, 0);
}
