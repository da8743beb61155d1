# Fault injection: the real backtalkd killed with SIGKILL at random points
# (crash.py) and run while the gateway fails and is down (gwdown.py), both
# against tests/fakegw on 127.0.0.1; see tests/README.md.
find_program(BACKTALK_PYTHON3 python3)
if(TARGET fakegw AND TARGET backtalkd AND TARGET backtalk AND BACKTALK_PYTHON3)
  set(faultlab_args ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR})
  add_test(NAME crash
           COMMAND ${BACKTALK_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/crash.py
                   ${faultlab_args})
  set_tests_properties(crash PROPERTIES LABELS crash TIMEOUT 240)
  add_test(NAME gwdown
           COMMAND ${BACKTALK_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/gwdown.py
                   ${faultlab_args} down)
  set_tests_properties(gwdown PROPERTIES LABELS "crash;gwdown" TIMEOUT 240)

  # The state database failing under the daemon: tests/faultfs.c, an
  # LD_PRELOAD library, fails its writes on command (built without the
  # sanitizers: it only wraps libc calls).
  add_library(faultfs SHARED faultfs.c)
  target_link_libraries(faultfs PRIVATE ${CMAKE_DL_LIBS})
  target_compile_options(faultfs PRIVATE -fno-sanitize=all)
  target_link_options(faultfs PRIVATE -fno-sanitize=all)
  add_dependencies(backtalkd faultfs)
  add_test(NAME storefault
           COMMAND ${BACKTALK_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/storefault.py
                   ${faultlab_args})
  set_tests_properties(storefault PROPERTIES LABELS crash TIMEOUT 240)

  # systemd's watchdog fed while the loop waits on a silent gateway.
  add_test(NAME watchdog
           COMMAND ${BACKTALK_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/watchdog.py
                   ${faultlab_args})
  set_tests_properties(watchdog PROPERTIES LABELS crash TIMEOUT 240)

  # 300 SIGHUP reloads (one in ten with a broken rule file): resident
  # memory flat after a warm-up of 100, every message answered, a clean
  # exit.
  add_test(NAME reloadleak
           COMMAND ${BACKTALK_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reloadleak.py
                   ${faultlab_args})
  set_tests_properties(reloadleak PROPERTIES LABELS "crash;leak" TIMEOUT 600)
  # Under the sanitizers, half the reloads: ASan's quarantine keeps freed
  # memory resident for a while, so resident memory says less there, and
  # LeakSanitizer checks every allocation at exit anyway.
  if(BACKTALK_SANITIZE)
    set_tests_properties(reloadleak PROPERTIES ENVIRONMENT
      "RELOADS=150;WARMUP=75")
  endif()

  # The same under valgrind memcheck (fewer reloads: it runs the daemon
  # some 30 times slower): no invalid access, no definite leak.  Not with
  # the sanitizers, which valgrind cannot run beside.
  find_program(BACKTALK_VALGRIND valgrind)
  if(BACKTALK_VALGRIND AND NOT BACKTALK_SANITIZE)
    add_test(NAME valgrind_reload
             COMMAND ${BACKTALK_PYTHON3}
                     ${CMAKE_CURRENT_SOURCE_DIR}/reloadleak.py
                     ${faultlab_args})
    set_tests_properties(valgrind_reload PROPERTIES LABELS "crash;leak"
      TIMEOUT 400 ENVIRONMENT
      "RELOADS=20;WARMUP=10;FAULTLAB_WRAPPER=${BACKTALK_VALGRIND} --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --suppressions=${CMAKE_SOURCE_DIR}/scripts/valgrind.supp")
  endif()

  # These once showed daemon bugs (tests/README.md, "Fixed bugs") and now
  # guard their fixes.
  add_test(NAME crash_fast_restart
           COMMAND ${BACKTALK_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/crash.py
                   ${faultlab_args})
  set_tests_properties(crash_fast_restart PROPERTIES LABELS crash TIMEOUT 240
    ENVIRONMENT "CRASH_RESTART_MS=0;CRASH_MAX_SEND_DELAY_MS=1000")
  # With them: Twilio as it behaves (a queued message has no date_sent;
  # lists show a new message late), a rotated token, and the delay of
  # replies under random 500s and 429s.
  foreach(case same_reply_retry lookup_fails queued_lookup list_lag
          auth_rotation fault_delay)
    add_test(NAME gwdown_${case}
             COMMAND ${BACKTALK_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/gwdown.py
                     ${faultlab_args} ${case})
    set_tests_properties(gwdown_${case} PROPERTIES LABELS "crash;gwdown"
      TIMEOUT 240)
  endforeach()

  # libcurl sent a POST again by itself when a reused connection closed
  # before any answer (tests/README.md, "Fixed bugs").
  add_test(NAME gwdown_drop_after_accept
           COMMAND ${BACKTALK_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/gwdown.py
                   ${faultlab_args} drop_after_accept)
  set_tests_properties(gwdown_drop_after_accept PROPERTIES
    LABELS "crash;gwdown" TIMEOUT 240)
endif()
