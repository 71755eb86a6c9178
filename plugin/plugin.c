/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The four symbols Wireshark 4.0's plugin loader looks up, and the
 * registration of the plugin's protocols: iamt (ports, banner, login, EOI)
 * and wsman (the SOAP bodies). */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/proto.h>
#include <epan/tap.h>

#include "packet-iamt.h"
#include "packet-wsman.h"
#include "iamt-stat.h"

#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "0.0.0"
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
    static proto_plugin iamt = {proto_register_iamt, proto_reg_handoff_iamt};
    static proto_plugin wsman = {proto_register_wsman, proto_reg_handoff_wsman};
    proto_register_plugin(&iamt);
    proto_register_plugin(&wsman);
    static tap_plugin stat = {iamt_stat_register};
    tap_register_plugin(&stat);
}
