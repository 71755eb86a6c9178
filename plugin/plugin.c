/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The symbols Wireshark's plugin loader looks up (4.0: version, wanted
 * major and minor, register; from 4.4 on also plugin_describe), and the
 * registration of the plugin's protocols: iamt (ports, banner, login, EOI)
 * and wsman (the SOAP bodies), and its statistics. */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/proto.h>
#include <epan/tap.h>

#include "packet-iamt.h"
#include "packet-wsman.h"
#include "iamt-stat.h"
#include "ws-compat.h"
#if IAMT_WS_AT_LEAST(4, 4)
#include <wsutil/plugins.h>
#endif

#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "0.0.0"
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

#if IAMT_WS_AT_LEAST(4, 4)
/* What the plugin adds, so that Wireshark lists it as a dissector (and
 * loads it as one) instead of "unknown". */
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER;
}
#endif

void plugin_register(void)
{
    static proto_plugin iamt = {proto_register_iamt, proto_reg_handoff_iamt};
    static proto_plugin wsman = {proto_register_wsman, proto_reg_handoff_wsman};
    proto_register_plugin(&iamt);
    proto_register_plugin(&wsman);
    static tap_plugin stat = {iamt_stat_register};
    tap_register_plugin(&stat);
}
