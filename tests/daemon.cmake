# The daemon's poller, sender and decision (daemon/daemon/poller.c,
# sender.c, daemon/common/decide.c): cmocka programs on a real state
# database in a temporary directory, with a scripted gateway and a clock
# the test drives (daemontest.c).
add_library(backtalk_daemontest STATIC daemontest.c)
target_link_libraries(backtalk_daemontest PUBLIC backtalk_daemon
                      backtalk_testutil PkgConfig::CMOCKA)
foreach(module poller sender decide)
  add_executable(test_${module} test_${module}.c)
  target_link_libraries(test_${module} PRIVATE backtalk_daemontest)
  add_test(NAME ${module} COMMAND test_${module})
  set_tests_properties(${module} PROPERTIES LABELS unit)
endforeach()

# One configuration of the daemon (daemon/daemon/dconf.c), built whole or
# not at all, from real files in a temporary directory.
add_executable(test_dconf test_dconf.c)
target_link_libraries(test_dconf PRIVATE backtalk_daemon backtalk_testutil
                      PkgConfig::CMOCKA)
add_test(NAME dconf COMMAND test_dconf)
set_tests_properties(dconf PROPERTIES LABELS unit)
# The same under valgrind memcheck: a configuration that fails leaves
# nothing allocated, dconf_free frees all.  Not beside the sanitizers.
find_program(BACKTALK_DCONF_VALGRIND valgrind)
if(BACKTALK_DCONF_VALGRIND AND NOT BACKTALK_SANITIZE)
  add_test(NAME dconf_valgrind
           COMMAND ${BACKTALK_DCONF_VALGRIND} --quiet --error-exitcode=99
                   --leak-check=full --errors-for-leak-kinds=definite,indirect
                   --show-leak-kinds=definite,indirect
                   $<TARGET_FILE:test_dconf>)
  set_tests_properties(dconf_valgrind PROPERTIES LABELS leak
                       TIMEOUT 300)
endif()
