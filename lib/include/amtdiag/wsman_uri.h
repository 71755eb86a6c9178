/* SPDX-License-Identifier: GPL-2.0-or-later */
/* WS-Management resource URIs as AMT uses them: the schema prefixes of
 * the AMT_, CIM_ and IPS_ classes. */
#ifndef AMTDIAG_WSMAN_URI_H
#define AMTDIAG_WSMAN_URI_H

#include <stddef.h>

typedef enum {
    WSMAN_SCHEMA_UNKNOWN,
    WSMAN_SCHEMA_AMT,
    WSMAN_SCHEMA_CIM,
    WSMAN_SCHEMA_IPS
} wsman_schema;

/* Splits a resource URI (or an action URI built on one, such as
 * ".../AMT_SetupAndConfigurationService/CommitChanges") into its schema and
 * class name. On success copies the class name into cls and returns the
 * schema; returns WSMAN_SCHEMA_UNKNOWN (cls empty) for other URIs. */
wsman_schema wsman_uri_class(const char *uri, char *cls, size_t cls_len);

/* The resource URI prefix of a schema, ending in '/'; NULL for unknown. */
const char *wsman_schema_prefix(wsman_schema s);

#endif
