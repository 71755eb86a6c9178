/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small, strict XML tokenizer for SOAP bodies (lib-internal): elements,
 * attributes, the five predefined entities and character references,
 * CDATA, comments and processing instructions (skipped). A document type
 * declaration is refused, so no entity can be defined or expanded. It
 * reads a whole document held in memory and calls back for each start
 * tag, end tag and piece of text; names and values are handed over as
 * (pointer, length) without copies wherever the document's own bytes say
 * it all. The input must be valid UTF-8 without NUL bytes (the caller
 * checks, see xml_utf8_prefix). */
#ifndef AMTDIAG_XML_SCAN_H
#define AMTDIAG_XML_SCAN_H

#include <stddef.h>

#define XML_SCAN_MAX_DEPTH 256  /* open elements (callers usually stop sooner) */
#define XML_SCAN_MAX_ATTRS 1000 /* attributes of one element */

/* A run of bytes; not NUL-terminated. */
typedef struct xml_str {
    const char *s;
    size_t n;
} xml_str;

typedef struct xml_attr {
    xml_str name;
    xml_str value; /* entities expanded; inside the document unless it had to be rewritten */
} xml_attr;

/* Callbacks return 0 to go on, or nonzero to stop the scan (the callback
 * keeps its own account of why). Strings are valid only during the call.
 * pos is the offset of the construct's '<' in the document. */
typedef struct xml_scan_cb {
    int (*start)(void *user, xml_str name, const xml_attr *attrs, size_t n_attrs, size_t pos);
    int (*end)(void *user);
    int (*text)(void *user, const char *s, size_t n); /* may come in several pieces */
} xml_scan_cb;

typedef enum {
    XML_SCAN_OK,      /* the document is well formed (or the prefix so far, see xml_scan) */
    XML_SCAN_STOPPED, /* a callback asked to stop */
    XML_SCAN_SYNTAX,  /* malformed: err says what, *err_pos where */
    XML_SCAN_DOCTYPE  /* a document type declaration at *err_pos */
} xml_scan_result;

/* Scans doc[0..len). With is_prefix set the document is known to go on
 * beyond len (it was cut), so ending inside a construct is not an error.
 * On XML_SCAN_SYNTAX err (if not NULL) holds a message without position
 * and *err_pos the offset it concerns. */
xml_scan_result xml_scan(const char *doc, size_t len, int is_prefix, const xml_scan_cb *cb,
                         void *user, char *err, size_t errlen, size_t *err_pos);

/* The 1-based line of offset pos in doc. */
int xml_line(const char *doc, size_t pos);

/* The length of the longest prefix of s[0..len) that is valid UTF-8 and
 * holds no NUL byte (len when all of it is). */
size_t xml_utf8_prefix(const char *s, size_t len);

#endif
