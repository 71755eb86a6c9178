/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The differences between the Wireshark versions the plugin builds for
 * (4.0, 4.4, 4.6), in one place, so that the dissectors read as plain
 * Wireshark code. Each entry names the version that changed it. */
#ifndef WS_COMPAT_H
#define WS_COMPAT_H

#include <ws_version.h>
#include <epan/proto.h>

#define IAMT_WS_AT_LEAST(major, minor)                                                             \
    (WIRESHARK_VERSION_MAJOR > (major) ||                                                          \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

/* 4.2: field_info holds a pointer to its value. */
#if IAMT_WS_AT_LEAST(4, 2)
#define IAMT_FVALUE(fi) ((fi)->value)
#else
#define IAMT_FVALUE(fi) (&(fi)->value)
#endif

/* 4.2: Wireshark's callbacks and boolean preferences take C's bool;
 * 4.0's take gboolean (an int), and GCC 14 refuses the mismatch. */
#if IAMT_WS_AT_LEAST(4, 2)
#include <stdbool.h>
typedef bool ws_bool;
#else
typedef gboolean ws_bool;
#endif

/* 4.2: what HTTP hands a media-type dissector is media_content_info_t
 * (4.0: http_message_info_t); both public, and both start with the type
 * of the message. */
#if IAMT_WS_AT_LEAST(4, 2)
#include <epan/dissectors/packet-media-type.h>
typedef media_content_info_t iamt_media_info;
#define IAMT_MEDIA_HTTP_REQUEST MEDIA_CONTAINER_HTTP_REQUEST
#else
#include <epan/dissectors/packet-http.h>
typedef http_message_info_t iamt_media_info;
#define IAMT_MEDIA_HTTP_REQUEST HTTP_REQUEST
#endif

/* 4.4: tvb_get_guint8 and the other g*int accessors are deprecated. */
#if !IAMT_WS_AT_LEAST(4, 4)
#define tvb_get_uint8 tvb_get_guint8
#endif

/* 4.6: a stat-tap UI's init callback returns whether it started (4.0,
 * 4.4: nothing). */
#if IAMT_WS_AT_LEAST(4, 6)
typedef bool iamt_stat_init_ret;
#define IAMT_STAT_INIT_RETURN(ok) return (ok)
#else
typedef void iamt_stat_init_ret;
#define IAMT_STAT_INIT_RETURN(ok) return
#endif

/* Every version: TLS carried inside another protocol names the dissector
 * of its application data so (exported by libwireshark, same signature in
 * 4.0, 4.4 and 4.6). Its header, epan/dissectors/packet-tls-utils.h, also
 * needs libgcrypt's headers, which the plugin has no other use for. */
#include <epan/packet.h>
WS_DLL_PUBLIC void tls_set_appdata_dissector(dissector_handle_t tls_handle, packet_info *pinfo,
                                             dissector_handle_t app_handle);

#endif
