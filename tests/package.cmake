# The Debian package (scripts/package-test.sh): cpack -G DEB into a scratch
# directory, its metadata, control files and contents, Debian policy's
# files (copyright, changelog, compressed man pages), its man pages through
# mandoc, the packaged backtalkd checking the packaged config and rules,
# the maintainer scripts run by dpkg through install, upgrade, remove and
# purge in a scratch root, and lintian.  Without lintian the test runs the
# rest and is reported skipped (exit 77), saying so.
# Included by tests/CMakeLists.txt.
find_program(DPKG_DEB_EXECUTABLE dpkg-deb)
find_program(DPKG_SHLIBDEPS_EXECUTABLE dpkg-shlibdeps)
find_program(MANDOC_EXECUTABLE mandoc)
if(TARGET backtalkd AND TARGET backtalk AND DPKG_DEB_EXECUTABLE
   AND DPKG_SHLIBDEPS_EXECUTABLE AND MANDOC_EXECUTABLE)
  add_test(NAME package
           COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/package-test.sh
                   ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR} ${CMAKE_CPACK_COMMAND})
  # About 20 s on an idle machine (cpack most of it, lintian alongside);
  # 50 to 90 s while the whole suite runs with -j2 on a loaded machine.
  set_tests_properties(package PROPERTIES LABELS package TIMEOUT 240
                                          SKIP_RETURN_CODE 77)
else()
  message(STATUS "dpkg-deb, dpkg-shlibdeps or mandoc not found: the package "
                 "test is left out (apt-get install dpkg-dev mandoc)")
endif()
