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
