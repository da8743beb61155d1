# Tests for the gateway drivers and what they are built on (http.c,
# twilio_json.c, infobip_json.c, gateway_twilio.c, gateway_infobip.c),
# included by tests/CMakeLists.txt.  test_http runs a libmicrohttpd server
# inside the test on 127.0.0.1; nothing here reaches a real gateway.
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
find_package(Threads REQUIRED)

# The parsers' tests link the parsers only (backtalk_gateway_parse: no
# driver, no HTTP client); test_http links the drivers.
foreach(module twilio_json infobip_json http)
  add_executable(test_${module} test_${module}.c)
  add_test(NAME ${module} COMMAND test_${module})
  set_tests_properties(${module} PROPERTIES LABELS unit TIMEOUT 120)
endforeach()
target_link_libraries(test_twilio_json PRIVATE backtalk_gateway_parse
                      PkgConfig::CMOCKA)
target_link_libraries(test_infobip_json PRIVATE backtalk_gateway_parse
                      PkgConfig::CMOCKA)
target_link_libraries(test_http PRIVATE backtalk_daemon PkgConfig::CMOCKA
                      PkgConfig::MHD Threads::Threads)
target_link_libraries(test_twilio_json PRIVATE backtalk_testutil)
target_link_libraries(test_infobip_json PRIVATE backtalk_testutil)
