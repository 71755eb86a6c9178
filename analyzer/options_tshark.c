/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options_tshark: the habits of tshark users, and --psk. tshark's -o
 * sets a preference; the ones that give keys are aliases here
 * (tls.keylog_file is --keylog, uat:rsa_keys and tls.keys_list are --key,
 * tls.psk is --psk); any other preference is refused rather than taken
 * for the name of the report file. -a duration:S and packets:N stop a
 * live capture. */
#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* The decoded bytes of hex (even length, hex digits only), or -1. */
static long unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);
    if (n == 0 || n % 2 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int hi = g_ascii_xdigit_value(hex[i]), lo = g_ascii_xdigit_value(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(n / 2);
}

int options_psk_parse(const char *arg, char **identity, uint8_t *key, size_t cap, size_t *len)
{
    const char *colon = strrchr(arg, ':');
    const char *hex = colon ? colon + 1 : arg;
    long n = unhex(hex, key, cap);
    if (n < 0)
        return -1;
    *len = (size_t)n;
    *identity = colon ? g_strndup(arg, (gsize)(colon - arg)) : NULL;
    return 0;
}

int options_add_psk(amtdiag_options *o, const char *arg, const char *opt, amt_err *e)
{
    char *id = NULL;
    uint8_t key[512];
    size_t len = 0;
    int r = options_psk_parse(arg, &id, key, sizeof(key), &len);
    OPENSSL_cleanse(key, sizeof(key));
    g_free(id);
    if (r < 0) {
        amt_fail(e, AMT_E_USAGE,
                 "%s needs [IDENTITY:]HEX: the pre-shared key in hex (at most 512 bytes), after "
                 "the identity and a colon when the key is for one identity",
                 opt);
        return -1;
    }
    g_ptr_array_add(o->psks, g_strdup(arg));
    return 0;
}

/* One field of a UAT record: "quoted" with \xNN escapes (tshark writes a
 * backslash as \x5c), or bare up to the next comma. *p moves past it and
 * its comma. */
static char *uat_field(const char **p)
{
    GString *s = g_string_new(NULL);
    const char *c = *p;
    while (*c == ' ')
        c++;
    if (*c == '"') {
        for (c++; *c && *c != '"'; c++) {
            int hi, lo;
            if (c[0] == '\\' && c[1] == 'x' && (hi = g_ascii_xdigit_value(c[2])) >= 0 &&
                (lo = g_ascii_xdigit_value(c[3])) >= 0) {
                g_string_append_c(s, (char)(hi << 4 | lo));
                c += 3;
            } else {
                g_string_append_c(s, *c);
            }
        }
        if (*c == '"')
            c++;
    } else {
        while (*c && *c != ',')
            g_string_append_c(s, *c++);
    }
    while (*c == ' ')
        c++;
    if (*c == ',')
        c++;
    *p = c;
    return g_string_free(s, FALSE);
}

static void add_key(amtdiag_options *o, char *path, char *password)
{
    rsa_key_opt k = {path, password && *password ? password : NULL};
    if (!k.password && password)
        g_free(password);
    g_array_append_val(o->keys, k);
}

/* uat:rsa_keys:"FILE","PASSWORD" */
static int rsa_keys_uat(amtdiag_options *o, const char *v)
{
    const char *p = v;
    char *file = uat_field(&p);
    char *pw = *p ? uat_field(&p) : NULL;
    if (!*file) {
        g_free(file);
        if (pw)
            OPENSSL_cleanse(pw, strlen(pw));
        g_free(pw);
        return -1;
    }
    add_key(o, file, pw);
    return 0;
}

/* tls.keys_list: IP,PORT,PROTOCOL,FILE[,PASSWORD] entries separated by
 * ';' (Wireshark before 3.0). Address, port and protocol are not needed:
 * a key is matched to a session by the server's certificate. */
static int keys_list(amtdiag_options *o, const char *v)
{
    char **entries = g_strsplit(v, ";", -1);
    int rc = 0, n = 0;
    for (char **en = entries; *en && rc == 0; en++) {
        if (!*g_strstrip(*en))
            continue;
        char **f = g_strsplit(*en, ",", 5);
        guint nf = g_strv_length(f);
        if (nf < 4 || !*g_strstrip(f[3])) {
            rc = -1;
        } else {
            add_key(o, g_strdup(f[3]), nf == 5 ? g_strdup(f[4]) : NULL);
            n++;
        }
        if (nf == 5)
            OPENSSL_cleanse(f[4], strlen(f[4]));
        g_strfreev(f);
    }
    g_strfreev(entries);
    return rc == 0 && n ? 0 : -1;
}

/* NAME:VALUE with NAME a dotted preference name, or uat:TABLE:... */
static int looks_like_pref(const char *arg, const char **value, char *name, size_t namelen)
{
    const char *colon = strchr(arg, ':');
    if (!colon || colon == arg)
        return 0;
    size_t n = (size_t)(colon - arg);
    int dot = 0;
    for (size_t i = 0; i < n; i++) {
        char c = arg[i];
        if (c == '.')
            dot = 1;
        else if (!g_ascii_isalnum(c) && c != '_' && c != '-')
            return 0;
    }
    if (n == 3 && !strncmp(arg, "uat", 3)) {
        const char *c2 = strchr(colon + 1, ':');
        if (!c2)
            return 0;
        n = (size_t)(c2 - arg);
        colon = c2;
    } else if (!dot) {
        return 0;
    }
    g_strlcpy(name, arg, n + 1 < namelen ? n + 1 : namelen);
    *value = colon + 1;
    while (**value == ' ')
        (*value)++;
    return 1;
}

int options_tshark_pref(amtdiag_options *o, const char *arg, amt_err *e)
{
    char name[128];
    const char *v = NULL;
    if (!looks_like_pref(arg, &v, name, sizeof name))
        return 0;
    int rc = 1;
    if (!strcmp(name, "tls.keylog_file") || !strcmp(name, "ssl.keylog_file")) {
        if (*v)
            g_ptr_array_add(o->keylogs, g_strdup(v));
        else
            rc = -1;
    } else if (!strcmp(name, "uat:rsa_keys")) {
        rc = rsa_keys_uat(o, v) == 0 ? 1 : -1;
    } else if (!strcmp(name, "tls.keys_list") || !strcmp(name, "ssl.keys_list")) {
        rc = keys_list(o, v) == 0 ? 1 : -1;
    } else if (!strcmp(name, "tls.psk") || !strcmp(name, "ssl.psk")) {
        rc = options_add_psk(o, v, "-o tls.psk", e) == 0 ? 1 : -2;
    } else {
        amt_fail(e, AMT_E_USAGE,
                 "-o %s: amtdiag takes no tshark preference but tls.keylog_file (--keylog), "
                 "uat:rsa_keys and tls.keys_list (--key) and tls.psk (--psk); AMT's ports are "
                 "known and TLS is found by content. To write the report to a file named so, "
                 "use --output FILE",
                 name);
        return -1;
    }
    if (rc == -1)
        amt_fail(e, AMT_E_USAGE,
                 "-o %s: no value amtdiag can use (tls.keylog_file:FILE, "
                 "uat:rsa_keys:\"FILE\",\"PASSWORD\", tls.keys_list:IP,PORT,PROTO,FILE[,PASSWORD], "
                 "tls.psk:HEX)",
                 name);
    return rc < 0 ? -1 : 1;
}

/* A whole number, or -1. */
static long long count(const char *s)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    return s[0] && end && !*end && !errno && v >= 0 ? v : -1;
}

int options_count(amtdiag_options *o, const char *arg, amt_err *e)
{
    long long n = count(arg);
    if (n <= 0) {
        amt_fail(e, AMT_E_USAGE, "-c %s: give the number of packets to read, 1 or more", arg);
        return -1;
    }
    o->max_packets = (uint64_t)n;
    return 0;
}

int options_autostop(amtdiag_options *o, const char *arg, amt_err *e)
{
    const char *colon = strchr(arg, ':');
    long long n = colon ? count(colon + 1) : -1;
    if (colon && n > 0 && !strncmp(arg, "duration", (size_t)(colon - arg)) && colon - arg == 8) {
        o->duration_s = n;
        return 0;
    }
    if (colon && n > 0 && !strncmp(arg, "packets", (size_t)(colon - arg)) && colon - arg == 7) {
        o->max_packets = (uint64_t)n;
        return 0;
    }
    amt_fail(e, AMT_E_USAGE,
             "-a %s: amtdiag stops a live capture after duration:SECONDS or packets:N", arg);
    return -1;
}
