# Conformance: backtalkd's requests checked by Prism against Twilio's OpenAPI
# description (tests/prism/conformance.sh).  Always registered; the script
# exits 77, and ctest shows it skipped, when tests/prism/node_modules has no
# Prism (scripts/deps.sh installs it with npm ci).
if(TARGET backtalkd)
  add_test(NAME prism_conformance
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/prism/conformance.sh
                   ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR})
  set_tests_properties(prism_conformance PROPERTIES
                       LABELS conformance
                       SKIP_RETURN_CODE 77
                       TIMEOUT 90)
endif()
