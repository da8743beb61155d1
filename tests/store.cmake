# store_sqlite.c: one cmocka program, each test on a fresh database in a
# temporary directory.
add_executable(test_store test_store.c)
target_link_libraries(test_store PRIVATE backtalk_daemon backtalk_testutil
                      PkgConfig::CMOCKA)
add_test(NAME store COMMAND test_store)
set_tests_properties(store PROPERTIES LABELS unit)

# The operator's admin commands: the store's side (test_store_admin) on the
# records of admin_data.c, which admin_mkstate also writes for the
# command-line tests in tests/admin/.
add_library(backtalk_admin_data STATIC admin_data.c)
target_link_libraries(backtalk_admin_data PUBLIC backtalk_daemon)
add_executable(test_store_admin test_store_admin.c)
target_link_libraries(test_store_admin PRIVATE backtalk_admin_data
                      backtalk_testutil PkgConfig::CMOCKA)
add_test(NAME store_admin COMMAND test_store_admin)
set_tests_properties(store_admin PROPERTIES LABELS unit)
add_executable(admin_mkstate admin_mkstate.c)
target_link_libraries(admin_mkstate PRIVATE backtalk_admin_data)

# The admin commands on that database: admin/NAME.t must print exactly
# admin/NAME.out (UPDATE_GOLDEN=1 ctest -R admin_ rewrites them).
file(GLOB admin_cases CONFIGURE_DEPENDS RELATIVE
     ${CMAKE_CURRENT_SOURCE_DIR}/admin ${CMAKE_CURRENT_SOURCE_DIR}/admin/*.t)
foreach(case ${admin_cases})
  string(REGEX REPLACE "\\.t$" "" name ${case})
  add_test(NAME admin_${name}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/admin/run-golden.sh
                   $<TARGET_FILE:backtalk> $<TARGET_FILE:admin_mkstate>
                   ${name})
  set_tests_properties(admin_${name} PROPERTIES LABELS golden)
endforeach()

# Who may use a state database: owners, modes and the daemon's lock, on
# real files.
add_executable(test_store_owner test_store_owner.c)
target_link_libraries(test_store_owner PRIVATE backtalk_daemon
                      backtalk_testutil PkgConfig::CMOCKA)
add_test(NAME store_owner COMMAND test_store_owner)
set_tests_properties(store_owner PROPERTIES LABELS unit)

# Conversation states and scheduled check-ins (store_sqlite_convo.c).
add_executable(test_store_convo test_store_convo.c)
target_link_libraries(test_store_convo PRIVATE backtalk_daemon
                      backtalk_testutil PkgConfig::CMOCKA)
add_test(NAME store_convo COMMAND test_store_convo)
set_tests_properties(store_convo PROPERTIES LABELS unit)
