/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/'s AMT tables: PT_STATUS names and WS-Man URIs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "amtdiag/amt_status.h"
#include "amtdiag/wsman_uri.h"

static void status_names(void **state)
{
    (void)state;
    assert_string_equal(amt_status_name(0), "SUCCESS");
    assert_string_equal(amt_status_name(1), "INTERNAL_ERROR");
    assert_string_equal(amt_status_name(16), "NOT_PERMITTED");
    assert_string_equal(amt_status_name(49), "CERTIFICATE_NOT_READY");
    assert_string_equal(amt_status_name(2054), "INVALID_PASSWORD");
    assert_string_equal(amt_status_name(2063), "INVALID_CERT");
    assert_string_equal(amt_status_name(2081), "USER_CONSENT_REQUIRED");
    assert_string_equal(amt_status_name(4106), "URL_REQUIRED");
    /* gaps in the numbering are not names */
    assert_null(amt_status_name(50));
    assert_null(amt_status_name(2071));
    assert_null(amt_status_name(4107));
    assert_null(amt_status_name(UINT32_MAX));
}

static void uri_classes(void **state)
{
    (void)state;
    char cls[64];
    assert_int_equal(
        wsman_uri_class("http://intel.com/wbem/wscim/1/amt-schema/1/AMT_GeneralSettings", cls,
                        sizeof cls),
        WSMAN_SCHEMA_AMT);
    assert_string_equal(cls, "AMT_GeneralSettings");
    assert_int_equal(wsman_uri_class("http://intel.com/wbem/wscim/1/amt-schema/1/"
                                     "AMT_SetupAndConfigurationService/CommitChanges",
                                     cls, sizeof cls),
                     WSMAN_SCHEMA_AMT);
    assert_string_equal(cls, "AMT_SetupAndConfigurationService");
    assert_int_equal(wsman_uri_class("http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"
                                     "CIM_SoftwareIdentity",
                                     cls, sizeof cls),
                     WSMAN_SCHEMA_CIM);
    assert_int_equal(wsman_uri_class("http://intel.com/wbem/wscim/1/ips-schema/1/"
                                     "IPS_OptInService",
                                     cls, sizeof cls),
                     WSMAN_SCHEMA_IPS);
    assert_string_equal(cls, "IPS_OptInService");
    assert_int_equal(
        wsman_uri_class("http://schemas.xmlsoap.org/ws/2004/09/transfer/Get", cls, sizeof cls),
        WSMAN_SCHEMA_UNKNOWN);
    assert_string_equal(cls, "");
    /* a class name longer than the buffer is refused, not truncated */
    assert_int_equal(wsman_uri_class("http://intel.com/wbem/wscim/1/amt-schema/1/"
                                     "AMT_GeneralSettings",
                                     cls, 8),
                     WSMAN_SCHEMA_UNKNOWN);
    assert_int_equal(wsman_uri_class(NULL, cls, sizeof cls), WSMAN_SCHEMA_UNKNOWN);
    assert_string_equal(wsman_schema_prefix(WSMAN_SCHEMA_CIM),
                        "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/");
    assert_null(wsman_schema_prefix(WSMAN_SCHEMA_UNKNOWN));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_names),
        cmocka_unit_test(uri_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
