/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Resource URI prefixes of AMT's WS-Man classes (DSP0226 as AMT uses it). */
#include "amtdiag/wsman_uri.h"

#include <string.h>

static const struct {
    wsman_schema schema;
    const char *prefix;
} prefixes[] = {
    {WSMAN_SCHEMA_AMT, "http://intel.com/wbem/wscim/1/amt-schema/1/"},
    {WSMAN_SCHEMA_CIM, "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"},
    {WSMAN_SCHEMA_IPS, "http://intel.com/wbem/wscim/1/ips-schema/1/"},
};

const char *wsman_schema_prefix(wsman_schema s)
{
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (prefixes[i].schema == s)
            return prefixes[i].prefix;
    return NULL;
}

wsman_schema wsman_uri_class(const char *uri, char *cls, size_t cls_len)
{
    if (cls_len)
        cls[0] = '\0';
    for (size_t i = 0; uri && i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i].prefix);
        if (strncmp(uri, prefixes[i].prefix, n) != 0)
            continue;
        const char *name = uri + n;
        /* The class ends at the method of an action URI, or a query. */
        size_t len = strcspn(name, "/?#");
        if (len == 0 || len >= cls_len)
            return WSMAN_SCHEMA_UNKNOWN;
        memcpy(cls, name, len);
        cls[len] = '\0';
        return prefixes[i].schema;
    }
    return WSMAN_SCHEMA_UNKNOWN;
}
