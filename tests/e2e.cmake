# End-to-end tests: the real backtalkd against tests/fakegw on 127.0.0.1.
if(TARGET fakegw AND TARGET backtalkd)
  foreach(case twilio_basic optout admin restart kill9 faults reload infobip
               infobip_kill9 metrics)
    add_test(NAME e2e_${case}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e.sh ${CMAKE_BINARY_DIR}
                     ${CMAKE_SOURCE_DIR} ${case})
    set_tests_properties(e2e_${case} PROPERTIES LABELS e2e TIMEOUT 180)
  endforeach()
endif()
