# Tests that run Windows programs under Wine 8.0 with this project's iphlpapi.dll. They use the
# PE build of the nested `pe` project and the shared scratch prefix of `./iphlp run`.
set(PE_BUILD ${CMAKE_BINARY_DIR}/pe)
add_executable(native_listener native_listener.cpp)

add_test(NAME exports COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check-exports.sh
         ${PE_BUILD}/dll/iphlpapi.dll ${WINE_IPHLPAPI_DLL})
add_test(NAME conformance COMMAND ${CMAKE_COMMAND} -E env IPHLP_EXPECT_SOURCE=netlink
         ${CMAKE_CURRENT_SOURCE_DIR}/run-conformance.sh $<TARGET_FILE:native_listener>
         ${PE_BUILD}/conformance/conformance.exe)
add_test(NAME reservation_persistence COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-persistence.sh
         ${PE_BUILD}/conformance/conformance.exe)
set_tests_properties(exports conformance reservation_persistence PROPERTIES LABELS wine)
# The persistence check restarts the shared wineserver: never beside another Wine test.
set_tests_properties(reservation_persistence PROPERTIES RUN_SERIAL ON)
add_test(NAME excludedports COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-excludedports.sh
         ${PE_BUILD}/tools/excludedports.exe)
set_tests_properties(excludedports PROPERTIES LABELS wine)

# The table tests again with the /proc/net fallback forced (the path sandboxes that refuse
# netlink take); the switch reaches the Unix side through the environment.
add_test(NAME conformance_procfs COMMAND ${CMAKE_COMMAND} -E env IPHLP_FORCE_PROCFS=1 IPHLP_EXPECT_SOURCE=procfs
         ${CMAKE_CURRENT_SOURCE_DIR}/run-conformance.sh $<TARGET_FILE:native_listener>
         ${PE_BUILD}/conformance/conformance.exe
         tcp_table2_parameters tcp_table2_own_sockets tcp_table2_sort_order tcp6_table2 tcp_table2_other_process
         tcp_table2_native_owner extended_tcp_parameters extended_tcp_listener_connections basic_tcp_tables
         udp_tables ipv6_scope_ids extended_tcp_other_process reservation_port_in_use)
add_test(NAME install COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-install.sh ${PE_BUILD}/tools/iphlpstat.exe)
add_test(NAME concurrent_runs COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-concurrent.sh ${PE_BUILD}/tools/iphlpstat.exe)
set_tests_properties(conformance_procfs install concurrent_runs PROPERTIES LABELS wine)

# The test drivers call ./iphlp, which must use this build tree, not the default one.
get_property(wine_tests DIRECTORY PROPERTY TESTS)
foreach(t ${wine_tests})
    get_test_property(${t} LABELS labels)
    if(labels STREQUAL "wine")
        set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT IPHLP_BUILD_DIR=${CMAKE_BINARY_DIR})
    endif()
endforeach()
