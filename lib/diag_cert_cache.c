/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_cert_read, with the certificates read last kept by their DER.
 * Reading one decodes the DER and turns names and extensions into text,
 * and the rules read the same few again and again: a console's
 * certificate for each of its connections, an AMT's for each connection
 * to it, each time a connection is judged. What is read depends on the
 * bytes alone (validity is compared later, at AMT's clock), so a kept
 * result is exactly what reading again would give. */
#include "diag_int.h"

#include <glib.h>
#include <string.h>

#define SLOTS 32             /* a power of two */
#define DER_MAX (16u * 1024) /* larger ones are read every time */

typedef struct slot {
    uint8_t *der; /* NULL: empty */
    size_t len;
    int rc;
    diag_cert_info info;
} slot;

/* Shared by the analyzer's worker threads, hence the lock: taking it
 * costs far less than the read it saves. */
static GMutex lock;
static slot slots[SLOTS];

/* FNV-1a over the length and the DER's last 64 bytes: the signature,
 * where two certificates surely differ. */
static unsigned slot_of(const uint8_t *der, size_t len)
{
    uint32_t h = 2166136261u ^ (uint32_t)len;
    for (size_t i = len > 64 ? len - 64 : 0; i < len; i++)
        h = (h ^ der[i]) * 16777619u;
    return h & (SLOTS - 1);
}

int diag_cert_read(const uint8_t *der, size_t len, diag_cert_info *out)
{
    if (out == NULL)
        return -1;
    if (der == NULL || len == 0 || len > DER_MAX)
        return diag_cert_parse(der, len, out);
    slot *s = &slots[slot_of(der, len)];
    g_mutex_lock(&lock);
    if (s->der && s->len == len && memcmp(s->der, der, len) == 0) {
        *out = s->info;
        int rc = s->rc;
        g_mutex_unlock(&lock);
        return rc;
    }
    g_mutex_unlock(&lock);
    int rc = diag_cert_parse(der, len, out);
    g_mutex_lock(&lock);
    g_free(s->der);
    s->der = g_memdup2(der, len);
    s->len = len;
    s->rc = rc;
    s->info = *out;
    g_mutex_unlock(&lock);
    return rc;
}
