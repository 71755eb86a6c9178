/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AMT PT_STATUS names. Sources: Intel's DMT go-wsman-messages
 * (ReturnValuesToString), MeshCommander's AmtStatusCodes and amttool's
 * pt_status list, which agree on every code below. */
#include "amtdiag/amt_status.h"

#include <stddef.h>

typedef struct {
    uint32_t code;
    const char *name;
} status_name;

/* Sorted by code: looked up by binary search. */
static const status_name names[] = {
    {0, "SUCCESS"},
    {1, "INTERNAL_ERROR"},
    {2, "NOT_READY"},
    {3, "INVALID_PT_MODE"},
    {4, "INVALID_MESSAGE_LENGTH"},
    {5, "TABLE_FINGERPRINT_NOT_AVAILABLE"},
    {6, "INTEGRITY_CHECK_FAILED"},
    {7, "UNSUPPORTED_ISVS_VERSION"},
    {8, "APPLICATION_NOT_REGISTERED"},
    {9, "INVALID_REGISTRATION_DATA"},
    {10, "APPLICATION_DOES_NOT_EXIST"},
    {11, "NOT_ENOUGH_STORAGE"},
    {12, "INVALID_NAME"},
    {13, "BLOCK_DOES_NOT_EXIST"},
    {14, "INVALID_BYTE_OFFSET"},
    {15, "INVALID_BYTE_COUNT"},
    {16, "NOT_PERMITTED"},
    {17, "NOT_OWNER"},
    {18, "BLOCK_LOCKED_BY_OTHER"},
    {19, "BLOCK_NOT_LOCKED"},
    {20, "INVALID_GROUP_PERMISSIONS"},
    {21, "GROUP_DOES_NOT_EXIST"},
    {22, "INVALID_MEMBER_COUNT"},
    {23, "MAX_LIMIT_REACHED"},
    {24, "INVALID_AUTH_TYPE"},
    {25, "AUTHENTICATION_FAILED"},
    {26, "INVALID_DHCP_MODE"},
    {27, "INVALID_IP_ADDRESS"},
    {28, "INVALID_DOMAIN_NAME"},
    {29, "UNSUPPORTED_VERSION"},
    {30, "REQUEST_UNEXPECTED"},
    {31, "INVALID_TABLE_TYPE"},
    {32, "INVALID_PROVISIONING_STATE"},
    {33, "UNSUPPORTED_OBJECT"},
    {34, "INVALID_TIME"},
    {35, "INVALID_INDEX"},
    {36, "INVALID_PARAMETER"},
    {37, "INVALID_NETMASK"},
    {38, "FLASH_WRITE_LIMIT_EXCEEDED"},
    {39, "INVALID_IMAGE_LENGTH"},
    {40, "INVALID_IMAGE_SIGNATURE"},
    {41, "PROPOSE_ANOTHER_VERSION"},
    {42, "INVALID_PID_FORMAT"},
    {43, "INVALID_PPS_FORMAT"},
    {44, "BIST_COMMAND_BLOCKED"},
    {45, "CONNECTION_FAILED"},
    {46, "CONNECTION_TOO_MANY"},
    {47, "RNG_GENERATION_IN_PROGRESS"},
    {48, "RNG_NOT_READY"},
    {49, "CERTIFICATE_NOT_READY"},
    {1024, "DISABLED_BY_POLICY"},
    {2048, "NETWORK_IF_ERROR_BASE"},
    {2049, "UNSUPPORTED_OEM_NUMBER"},
    {2050, "UNSUPPORTED_BOOT_OPTION"},
    {2051, "INVALID_COMMAND"},
    {2052, "INVALID_SPECIAL_COMMAND"},
    {2053, "INVALID_HANDLE"},
    {2054, "INVALID_PASSWORD"},
    {2055, "INVALID_REALM"},
    {2056, "STORAGE_ACL_ENTRY_IN_USE"},
    {2057, "DATA_MISSING"},
    {2058, "DUPLICATE"},
    {2059, "EVENTLOG_FROZEN"},
    {2060, "PKI_MISSING_KEYS"},
    {2061, "PKI_GENERATING_KEYS"},
    {2062, "INVALID_KEY"},
    {2063, "INVALID_CERT"},
    {2064, "CERT_KEY_NOT_MATCH"},
    {2065, "MAX_KERB_DOMAIN_REACHED"},
    {2066, "UNSUPPORTED"},
    {2067, "INVALID_PRIORITY"},
    {2068, "NOT_FOUND"},
    {2069, "INVALID_CREDENTIALS"},
    {2070, "INVALID_PASSPHRASE"},
    {2072, "NO_ASSOCIATION"},
    {2075, "AUDIT_FAIL"},
    {2076, "BLOCKING_COMPONENT"},
    {2081, "USER_CONSENT_REQUIRED"},
    {2082, "OPERATION_IN_PROGRESS"},
    {4096, "APP_INTERNAL_ERROR"},
    {4097, "NOT_INITIALIZED"},
    {4098, "LIB_VERSION_UNSUPPORTED"},
    {4099, "INVALID_PARAM"},
    {4100, "RESOURCES"},
    {4101, "HARDWARE_ACCESS_ERROR"},
    {4102, "REQUESTOR_NOT_REGISTERED"},
    {4103, "NETWORK_ERROR"},
    {4104, "PARAM_BUFFER_TOO_SHORT"},
    {4105, "COM_NOT_INITIALIZED_IN_THREAD"},
    {4106, "URL_REQUIRED"},
};

const char *amt_status_name(uint32_t code)
{
    size_t lo = 0, hi = sizeof names / sizeof names[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (names[mid].code == code)
            return names[mid].name;
        if (names[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
