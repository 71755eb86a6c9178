/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ident: the identifying values of a run — addresses, host and domain
 * names, user names, realms, nonces, cnonces, responses, opaque values and
 * tokens, certificate serials and names, file paths, SOAP values that name
 * the site — marked where the analysis records them, with a placeholder
 * each (ip-1, host-2, user-1, file-1, [nonce]). Every report writer prints
 * text through out_val (out.h), which with --redact replaces any marked
 * value, wherever it stands in the text, before the text is escaped for
 * its format: no escaping can hide a value from redaction, and no format
 * has its own list of what to hide. */
#ifndef AMTDIAG_IDENT_H
#define AMTDIAG_IDENT_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    ID_ADDRESS, /* ip-N */
    ID_HOST,    /* host-N: host and domain names */
    ID_USER,    /* user-N */
    ID_PATH,    /* file-N: paths and file names the user gave */
    ID_REALM,   /* [realm] */
    ID_NONCE,   /* [nonce] */
    ID_CNONCE,  /* [cnonce] */
    ID_RESPONSE,
    ID_OPAQUE,
    ID_TOKEN,  /* Negotiate tokens, cookies, other credentials */
    ID_SERIAL, /* certificate serial numbers */
    ID_SITE,   /* SOAP values and certificate names that name the site */
    ID_N_KINDS
} id_kind;

/* Values shorter than this are not marked: a one-letter value would take
 * every such letter out of the report and identifies nothing. */
#define ID_MIN_LEN 2

/* A text that starts like a marked value for at least this many bytes is
 * taken for it cut short (a parser keeps the first 255 bytes of a nonce). */
#define ID_PREFIX_MIN 24

typedef struct id_marks id_marks;

id_marks *idm_new(void);
void idm_free(id_marks *m);

/* Marks len bytes at value as identifying, of kind k. A value marked twice
 * keeps its first kind and placeholder. */
void idm_mark(id_marks *m, id_kind k, const char *value, size_t len);

/* idm_mark of a NUL-terminated string; NULL is allowed. */
void idm_mark_str(id_marks *m, id_kind k, const char *value);

/* An address of family 4 or 6 (16 bytes, IPv4 in the first 4). */
void idm_mark_addr(id_marks *m, int family, const uint8_t *addr);

/* A host name or an address literal as headers and certificates write it
 * ("amt.example.com.", "192.0.2.20:16992", "[2001:db8::20]:16993"). */
void idm_mark_host(id_marks *m, const char *name);

/* The host of a URL ("http://amt.example.com:16992/wsman"). */
void idm_mark_url(id_marks *m, const char *url);

/* A file path the user gave: the path and its last component. */
void idm_mark_path(id_marks *m, const char *path);

/* Every value of an Authorization or WWW-Authenticate style header (len
 * bytes): each auth-param value, as written (escapes and all) and
 * unescaped, whatever its length, and token68 credentials; the scheme and
 * parameters that identify nothing (algorithm, qop, nc, stale) are left. */
void idm_mark_auth(id_marks *m, const char *header, size_t len);

/* A certificate's names and serial as lib's diag_cert_read writes them
 * (subject and issuer with each of their attribute values, CN, subject
 * alternative names). */
void idm_mark_dn(id_marks *m, const char *dn);

/* Number of values marked. */
size_t idm_count(const id_marks *m);

/* Appends text (len bytes) to out with every marked value replaced by its
 * placeholder. A value counts where it stands alone: not inside a longer
 * word, name or address ("admin" leaves "administrator" alone); case is
 * ignored. Runs in time linear in the text (times the longest value
 * matching at one place). */
void idm_redact(const id_marks *m, const char *text, size_t len, GString *out);

#endif
