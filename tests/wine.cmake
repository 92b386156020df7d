# Tests that run Windows programs under Wine 8.0 with this project's iphlpapi.dll. They use the
# PE build of the nested `pe` project and the shared scratch prefix of `./iphlp run`.
set(PE_BUILD ${CMAKE_BINARY_DIR}/pe)
add_executable(native_listener native_listener.cpp)

add_test(NAME exports COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check-exports.sh
         ${PE_BUILD}/dll/iphlpapi.dll ${WINE_IPHLPAPI_DLL})
add_test(NAME conformance COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-conformance.sh
         $<TARGET_FILE:native_listener> ${PE_BUILD}/conformance/conformance.exe)
add_test(NAME reservation_persistence COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-persistence.sh
         ${PE_BUILD}/conformance/conformance.exe)
set_tests_properties(exports conformance reservation_persistence PROPERTIES LABELS wine)
# The persistence check restarts the shared wineserver: never beside another Wine test.
set_tests_properties(reservation_persistence PROPERTIES RUN_SERIAL ON)
add_test(NAME excludedports COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-excludedports.sh
         ${PE_BUILD}/tools/excludedports.exe)
set_tests_properties(excludedports PROPERTIES LABELS wine)
