# Finds the Wireshark to build the plugin against. A Wireshark built from
# source installs WiresharkConfig.cmake (target epan,
# Wireshark_PLUGIN_INSTALL_DIR relative to its prefix); Debian's packages
# (4.0, 4.4, 4.6) ship only wireshark.pc, the fallback. Sets:
#   WIRESHARK_FOUND, WIRESHARK_VERSION, WS_MAJOR_MINOR ("4.0")
#   WS_TARGET          the target to link (epan, or PkgConfig::WIRESHARK)
#   WS_PLUGIN_RELDIR   the plugin folder below the install prefix, without
#                      /epan ("lib/x86_64-linux-gnu/wireshark/plugins/4.0")
#   WS_LIBRARY         libwireshark's file, for the package's dependency
find_package(Wireshark CONFIG QUIET)
if(Wireshark_FOUND)
  set(WIRESHARK_FOUND TRUE)
  set(WIRESHARK_VERSION "${Wireshark_VERSION}")
  set(WS_TARGET epan)
  set(WS_PLUGIN_RELDIR "${Wireshark_PLUGIN_INSTALL_DIR}")
  if(IS_ABSOLUTE "${WS_PLUGIN_RELDIR}")
    file(RELATIVE_PATH WS_PLUGIN_RELDIR "${Wireshark_INSTALL_PREFIX}" "${WS_PLUGIN_RELDIR}")
  endif()
  get_target_property(WS_LIBRARY epan LOCATION)
  message(STATUS "Wireshark ${WIRESHARK_VERSION} (WiresharkConfig.cmake, ${Wireshark_DIR})")
else()
  # Query wireshark alone: with several modules in one call CMake names the
  # version variable per module.
  pkg_check_modules(WIRESHARK IMPORTED_TARGET wireshark>=4.0)
  if(WIRESHARK_FOUND)
    set(WS_TARGET PkgConfig::WIRESHARK)
    pkg_get_variable(WS_PC_PLUGINDIR wireshark plugindir)
    pkg_get_variable(WS_PC_PREFIX wireshark prefix)
    # plugindir below Wireshark's own prefix, so that --prefix and DESTDIR
    # move the plugin as they move everything else.
    file(RELATIVE_PATH WS_PLUGIN_RELDIR "${WS_PC_PREFIX}" "${WS_PC_PLUGINDIR}")
    if(WS_PLUGIN_RELDIR MATCHES "^\\.\\.")
      message(FATAL_ERROR "wireshark.pc: plugindir ${WS_PC_PLUGINDIR} is not below its "
                          "prefix ${WS_PC_PREFIX}; set AMTDIAG_PLUGIN_INSTALL_DIR")
    endif()
    find_library(WS_LIBRARY wireshark HINTS ${WIRESHARK_LIBRARY_DIRS} NO_CACHE)
    message(STATUS "Wireshark ${WIRESHARK_VERSION} (pkg-config)")
  else()
    message(WARNING "libwireshark not found: the Wireshark plugin will not be built. "
                    "Install it with: apt-get install libwireshark-dev")
  endif()
endif()
if(WIRESHARK_FOUND)
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" WS_MAJOR_MINOR "${WIRESHARK_VERSION}")
endif()
