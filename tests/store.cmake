# store_sqlite.c: one cmocka program, each test on a fresh database in a
# temporary directory.
add_executable(test_store test_store.c)
target_link_libraries(test_store PRIVATE backtalk_daemon backtalk_testutil
                      PkgConfig::CMOCKA)
add_test(NAME store COMMAND test_store)
set_tests_properties(store PROPERTIES LABELS unit)
