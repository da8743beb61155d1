# Conformance: backtalkd's requests checked by Prism against Twilio's OpenAPI
# description (tests/prism/conformance.sh).  Always registered; it fails,
# never skips, when tests/prism/node_modules has no Prism (scripts/deps.sh
# installs it with npm ci).
if(TARGET backtalkd)
  add_test(NAME prism_conformance
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/prism/conformance.sh
                   ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR})
  set_tests_properties(prism_conformance PROPERTIES
                       LABELS conformance
                       TIMEOUT 90)
endif()
