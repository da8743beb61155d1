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
