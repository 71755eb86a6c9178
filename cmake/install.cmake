# What cmake --install writes is recorded with its SHA-256 in
# <build>/install_record.txt, and the uninstall target removes exactly the
# files recorded there whose content is still what was installed: never a
# file amtdiag did not install, nor one changed or replaced since (it says
# which it kept). One record for every component, whatever --component
# or --prefix each install used. An install with DESTDIR set is a staging
# (a package build): it is not recorded.

# amtdiag_record_install(COMPONENT PATH...): PATHs as given to install(),
# relative to the install prefix or absolute.
function(amtdiag_record_install component)
  foreach(path ${ARGN})
    install(CODE "
      set(p \"${path}\")
      if(NOT IS_ABSOLUTE \"\${p}\")
        set(p \"\${CMAKE_INSTALL_PREFIX}/\${p}\")
      endif()
      if(\"\$ENV{DESTDIR}\" STREQUAL \"\")
        execute_process(COMMAND \"${CMAKE_COMMAND}\" -DRECORD=${CMAKE_BINARY_DIR}/install_record.txt
                        -DADD=\${p} -P ${CMAKE_SOURCE_DIR}/cmake/install_record.cmake
                        RESULT_VARIABLE rc)
        if(NOT rc EQUAL 0)
          message(FATAL_ERROR \"recording \${p} failed\")
        endif()
      endif()" COMPONENT ${component})
  endforeach()
endfunction()

add_custom_target(uninstall
  COMMAND ${CMAKE_COMMAND} -DRECORD=${CMAKE_BINARY_DIR}/install_record.txt
          -P ${CMAKE_SOURCE_DIR}/cmake/install_record.cmake
  COMMENT "Removing what cmake --install wrote (install_record.txt)")
