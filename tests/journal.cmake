# The journal's records: the real backtalkd with JOURNAL_STREAM naming its
# stderr, in a mount namespace whose /run/systemd/journal/socket is the
# test's own (tests/journal.py).  Skipped (77) where no mount namespace can
# be made.
find_program(BACKTALK_PYTHON3 python3)
if(TARGET fakegw AND TARGET backtalkd AND TARGET backtalk AND BACKTALK_PYTHON3)
  add_test(NAME journal
           COMMAND ${BACKTALK_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/journal.py
                   ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR})
  set_tests_properties(journal PROPERTIES LABELS e2e TIMEOUT 240
                       SKIP_RETURN_CODE 77)
endif()
