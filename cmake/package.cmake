# Debian packages, per Wireshark version: cpack -G DEB in the build folder
# makes amtdiag (the analyzer and its man page) and
# amtdiag-wireshark-plugin, which depends on the libwireshark ABI it was
# built against (libwireshark16 for 4.0, 18 for 4.4, 19 for 4.6) and on that
# Wireshark major.minor, since Wireshark loads a plugin only into the
# version it was built for. Installed below /usr, where Debian's Wireshark
# reads its plugins.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME amtdiag)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "amtdiag maintainers")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_RESOURCE_FILE_LICENSE "${CMAKE_SOURCE_DIR}/LICENSE")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_COMPONENTS_ALL "")

if(TARGET amtdiag_cli)
  list(APPEND CPACK_COMPONENTS_ALL amtdiag)
  set(CPACK_DEBIAN_AMTDIAG_PACKAGE_NAME amtdiag)
  set(CPACK_COMPONENT_AMTDIAG_DESCRIPTION
      "Why an Intel AMT management console cannot connect or log in
 amtdiag reads a capture, decrypts TLS with the keys given and names the
 cause of every rejected connection or login, with the evidence.")
endif()

if(TARGET amtdiag_plugin)
  list(APPEND CPACK_COMPONENTS_ALL plugin)
  set(CPACK_DEBIAN_PLUGIN_PACKAGE_NAME amtdiag-wireshark-plugin)
  # libwireshark's package is named after its soname: libwireshark.so.16 is
  # libwireshark16.
  get_filename_component(ws_real "${WS_LIBRARY}" REALPATH)
  get_filename_component(ws_name "${ws_real}" NAME)
  string(REGEX MATCH "^libwireshark\\.so\\.([0-9]+)" ws_so "${ws_name}")
  if(NOT ws_so)
    message(FATAL_ERROR "cannot tell libwireshark's soname from ${ws_real}")
  endif()
  set(ws_pkg "libwireshark${CMAKE_MATCH_1}")
  string(REGEX MATCH "^([0-9]+)\\.([0-9]+)" ws_mm "${WIRESHARK_VERSION}")
  math(EXPR ws_next "${CMAKE_MATCH_2} + 1")
  set(CPACK_DEBIAN_PLUGIN_PACKAGE_DEPENDS
      "${ws_pkg} (>= ${CMAKE_MATCH_1}.${CMAKE_MATCH_2}), ${ws_pkg} (<< ${CMAKE_MATCH_1}.${ws_next}~)")
  execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE arch
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  set(CPACK_DEBIAN_PLUGIN_FILE_NAME
      "amtdiag-wireshark-plugin_${PROJECT_VERSION}+wireshark${WS_MAJOR_MINOR}_${arch}.deb")
  set(CPACK_COMPONENT_PLUGIN_DESCRIPTION
      "Intel AMT dissector and diagnosis for Wireshark ${WS_MAJOR_MINOR}
 Decodes AMT's WS-Management and EOI SOAP, the Digest login and its outcome,
 the redirection protocol, and names AMT-specific TLS and login failures as
 expert information (iamt.*, wsman.*).")
endif()

include(CPack)
