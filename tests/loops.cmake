# Reply loops: peers that text back every reply, answer STOP or HELP to
# everything, or repeat a red flag every second, for 60 s against the real
# backtalkd and tests/fakegw on 127.0.0.1 (tests/echopeer.py); each peer's
# count of messages received must equal its documented bound.
find_program(BACKTALK_LOOPS_PYTHON3 python3)
if(TARGET fakegw AND TARGET backtalkd AND BACKTALK_LOOPS_PYTHON3)
  add_test(NAME echopeer
           COMMAND ${BACKTALK_LOOPS_PYTHON3}
                   ${CMAKE_CURRENT_SOURCE_DIR}/echopeer.py ${CMAKE_BINARY_DIR}
                   ${CMAKE_SOURCE_DIR})
  set_tests_properties(echopeer PROPERTIES LABELS "e2e;loops" TIMEOUT 180)
  # Under the sanitizers the peers play for 30 s, not 60: a loop shows
  # within seconds (the guard allows 5 replies a sender an hour), and the
  # Release build's run keeps the full minute.
  if(BACKTALK_SANITIZE)
    set_tests_properties(echopeer PROPERTIES ENVIRONMENT "ECHOPEER_SECONDS=30")
  endif()
endif()
