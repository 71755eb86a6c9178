/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A DER (ITU-T X.690) reader over the bounds-checked cursor, for the
 * Kerberos (RFC 4120) and SPNEGO (RFC 4178) messages a capture holds.
 *
 * Why our own: MIT krb5 decodes these messages internally but exports no
 * decoder (its asn1 routines are private to libkrb5), and the messages come
 * from the capture, so they are read like every other untrusted input:
 * through amt_cur, whose sticky error makes every read past the end a
 * checked failure. Only definite lengths (DER and BER's definite form) are
 * taken; an indefinite length, a length past the enclosing element or a
 * tag number above 2^28 is an error. Nothing here recurses on the input:
 * callers walk the fixed shapes of the messages they know. */
#ifndef AMTDIAG_DER_H
#define AMTDIAG_DER_H

#include <stddef.h>
#include <stdint.h>

#include "amtdiag/cursor.h"

/* Tag classes. */
enum { DER_UNIVERSAL = 0, DER_APPLICATION = 1, DER_CONTEXT = 2, DER_PRIVATE = 3 };

/* Universal tag numbers the readers use. */
enum {
    DER_BOOLEAN = 1,
    DER_INTEGER = 2,
    DER_BIT_STRING = 3,
    DER_OCTET_STRING = 4,
    DER_OID = 6,
    DER_ENUMERATED = 10,
    DER_UTF8_STRING = 12,
    DER_SEQUENCE = 16,
    DER_IA5_STRING = 22,
    DER_GENERALIZED_TIME = 24,
    DER_GENERAL_STRING = 27
};

/* One element: its tag and its contents as a cursor of their own. */
typedef struct der_tlv {
    unsigned cls;    /* DER_UNIVERSAL … DER_PRIVATE */
    int constructed; /* the contents are elements */
    uint32_t tag;    /* the tag number */
    amt_cur val;     /* the contents (len bytes) */
    size_t start;    /* offset of the element's first byte in the cursor read */
    size_t end;      /* offset just past it */
} der_tlv;

/* Reads the next element of c into t and moves past it. Returns 0, or -1
 * with c's error set (truncated, indefinite or oversized length). */
int der_next(amt_cur *c, der_tlv *t);

/* Like der_next without moving: 0 when an element can be read. */
int der_peek(const amt_cur *c, der_tlv *t);

/* Reads the next element, which must have class cls and tag number tag;
 * its contents go to *val. Returns 0, or -1 (and c's error) otherwise. */
int der_expect(amt_cur *c, unsigned cls, uint32_t tag, amt_cur *val);

/* An optional EXPLICIT context-tagged field of a SEQUENCE ([n] Type):
 * when the next element of seq is [n], moves past it and puts its
 * contents (the inner element) in *inner and returns 1; else returns 0 and
 * leaves seq alone (an absent OPTIONAL field). -1 on a malformed element. */
int der_field(amt_cur *seq, uint32_t n, amt_cur *inner);

/* The next element as an INTEGER (or ENUMERATED) of at most 8 bytes,
 * sign-extended. Returns 0 or -1. */
int der_int(amt_cur *c, int64_t *out);

/* The next element as an OCTET STRING: its bytes as a cursor. */
int der_octets(amt_cur *c, amt_cur *out);

/* The next element as a character string (GeneralString, UTF8String,
 * IA5String, …) copied into buf (len > 0), NUL-terminated; bytes past
 * len - 1 are cut and a NUL byte in the value ends it. Returns 0, 1 when
 * cut, -1 when not a string. */
int der_string(amt_cur *c, char *buf, size_t len);

/* The next element as a GeneralizedTime "YYYYMMDDHHMMSS[.fff]Z", in Unix
 * seconds. Returns 0 or -1. */
int der_time(amt_cur *c, int64_t *unix_s);

/* The next element as a BIT STRING: its first 32 bits, bit 0 the most
 * significant (KerberosFlags numbering). Returns 0 or -1. */
int der_bits(amt_cur *c, uint32_t *out);

/* The next element as an OBJECT IDENTIFIER in dotted form into buf.
 * Returns 0, or -1 (malformed, or buf too small). */
int der_oid(amt_cur *c, char *buf, size_t len);

/* Dotted form of the contents of an OBJECT IDENTIFIER (val). */
int der_oid_text(amt_cur val, char *buf, size_t len);

#endif
