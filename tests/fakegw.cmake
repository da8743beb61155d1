# fakegw: the fake Twilio and Infobip gateway the end-to-end tests and the
# benchmarks run backtalkd against (see fakegw.h), and its self-test.
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
find_package(Threads REQUIRED)

add_executable(fakegw fakegw.c)
target_link_libraries(fakegw PRIVATE PkgConfig::MHD PkgConfig::JANSSON
                      Threads::Threads)

add_executable(fakegw_selftest fakegw_selftest.c)
target_link_libraries(fakegw_selftest PRIVATE PkgConfig::CURL
                      PkgConfig::JANSSON)
add_test(NAME fakegw_selftest
         COMMAND fakegw_selftest $<TARGET_FILE:fakegw>)
set_tests_properties(fakegw_selftest PROPERTIES LABELS fakegw TIMEOUT 180)
