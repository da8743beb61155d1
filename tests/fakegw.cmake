# fakegw: the fake Twilio and Infobip gateway the end-to-end tests and the
# benchmarks run backtalkd against (see fakegw.h).
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
find_package(Threads REQUIRED)

add_executable(fakegw fakegw.c)
target_link_libraries(fakegw PRIVATE PkgConfig::MHD PkgConfig::JANSSON
                      Threads::Threads)

