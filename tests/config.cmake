# Tests for the daemon's configuration, logging, secrets, flood guard,
# metrics, send queue, sender ids and clock watch (config.c, log.c,
# secret.c, guard.c, metrics.c, sendq.c, senderid.c, clockwatch.c),
# included by tests/CMakeLists.txt.
foreach(module config log secret guard metrics sendq senderid clockwatch)
  add_executable(test_${module} test_${module}.c)
  target_link_libraries(test_${module} PRIVATE backtalk_testutil
                        backtalk_daemon PkgConfig::CMOCKA)
  add_test(NAME ${module} COMMAND test_${module})
  set_tests_properties(${module} PROPERTIES LABELS unit)
endforeach()

# The shipped examples must load cleanly.
target_compile_definitions(test_config PRIVATE
  EXAMPLE_CONFIG_DIR="${CMAKE_SOURCE_DIR}/config")

# Golden files: config/NAME.conf must make config_print print exactly
# config/NAME.out (the diagnostics and the exit status).  Regenerate with
#   UPDATE_GOLDEN=1 ctest -R config_golden_
# and read every changed .out before committing it.
add_executable(config_print config/config_print.c)
target_link_libraries(config_print PRIVATE backtalk_daemon)
file(GLOB config_golden_inputs CONFIGURE_DEPENDS
     RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}/config
     ${CMAKE_CURRENT_SOURCE_DIR}/config/*.conf)
foreach(input ${config_golden_inputs})
  string(REGEX REPLACE "\\.conf$" "" name ${input})
  add_test(NAME config_golden_${name}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/config/run-golden.sh
                   $<TARGET_FILE:config_print> ${input})
  set_tests_properties(config_golden_${name} PROPERTIES LABELS golden)
endforeach()

# Numbers an operator types, to E.164 (phone.c).
add_executable(test_phone test_phone.c)
target_link_libraries(test_phone PRIVATE backtalk_testutil backtalk_daemon
                      PkgConfig::CMOCKA)
add_test(NAME phone COMMAND test_phone)
set_tests_properties(phone PROPERTIES LABELS unit)
