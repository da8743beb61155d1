# End-to-end tests: the real backtalkd against tests/fakegw on 127.0.0.1.
if(TARGET fakegw AND TARGET backtalkd)
  # The daemon's wall clock set apart from the host's, for the clock
  # cases: tests/faketime.c, an LD_PRELOAD library (built without the
  # sanitizers: it only wraps libc calls).
  add_library(faketime SHARED faketime.c)
  target_link_libraries(faketime PRIVATE ${CMAKE_DL_LIBS})
  target_compile_options(faketime PRIVATE -fno-sanitize=all)
  target_link_options(faketime PRIVATE -fno-sanitize=all)
  add_dependencies(backtalkd faketime)

  foreach(case twilio_basic optout admin outbox two_numbers restart kill9
               faults reload
               infobip
               infobip_kill9 infobip_optout metrics paging_loop sender_ids
               metrics_slow second_daemon state_perms priority clock_back
               clock_ahead message_date model_net)
    add_test(NAME e2e_${case}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e.sh ${CMAKE_BINARY_DIR}
                     ${CMAKE_SOURCE_DIR} ${case})
    set_tests_properties(e2e_${case} PROPERTIES LABELS e2e TIMEOUT 180)
  endforeach()

  # One bad message must not stop the others, Infobip's answers kept on
  # disk before they are parsed, and no message body in the log whatever
  # goes wrong (docs/reliability.md).
  foreach(case poison_twilio poison_infobip spool_infobip privacy)
    add_test(NAME e2e_${case}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e.sh ${CMAKE_BINARY_DIR}
                     ${CMAKE_SOURCE_DIR} ${case})
    set_tests_properties(e2e_${case} PROPERTIES LABELS e2e TIMEOUT 180)
  endforeach()

  # Conversations played by the daemon (issue 15).
  foreach(case conv_screening conv_redflag conv_stop conv_expired
               conv_checkin conv_checkin_stale conv_quiet
               conv_checkin_reload conv_outcomes conv_yes)
    add_test(NAME e2e_${case}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e.sh ${CMAKE_BINARY_DIR}
                     ${CMAKE_SOURCE_DIR} ${case})
    set_tests_properties(e2e_${case} PROPERTIES LABELS e2e TIMEOUT 180)
  endforeach()

  # The cases that stop the daemon with SIGTERM, under valgrind memcheck:
  # no invalid access, no definite leak.  Not beside the sanitizers.
  find_program(BACKTALK_E2E_VALGRIND valgrind)
  if(BACKTALK_E2E_VALGRIND AND NOT BACKTALK_SANITIZE)
    add_test(NAME e2e_valgrind
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e.sh ${CMAKE_BINARY_DIR}
                     ${CMAKE_SOURCE_DIR} twilio_basic optout reload infobip)
    set_tests_properties(e2e_valgrind PROPERTIES LABELS "e2e;leak"
                         TIMEOUT 400 ENVIRONMENT E2E_VALGRIND=1)
  endif()
endif()
