# SPDX-License-Identifier: LGPL-2.1-or-later
# Tests that run Windows programs under Wine with this project's iphlpapi.dll: on the host, and
# on every platform of platforms/ (a Debian root with its own Wine, entered through
# platforms/in-root.sh), each for x86_64 and i686 programs. Every test has a time limit, and the
# drivers end a hung program's wineserver themselves before it (tests/lib.sh).
set(PE_BUILD ${CMAKE_BINARY_DIR}/pe)
add_executable(native_listener native_listener.cpp)

# The exports of both bitnesses against the supported Wines' lists and def/implemented.txt.
add_test(NAME exports COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check-exports.sh ${CMAKE_BINARY_DIR})
set_tests_properties(exports PROPERTIES LABELS "wine" TIMEOUT 60)
# The same for the ws2_32 companion (def/ws2_32/).
add_test(NAME ws2_exports COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check-ws2-exports.sh ${CMAKE_BINARY_DIR})
set_tests_properties(ws2_exports PROPERTIES LABELS "wine" TIMEOUT 60)

# iphlp_wine_test(PLATFORM PREFIX NAME TIMEOUT COMMAND...): one driver on one platform ("host" or a
# platforms/ root), in the scratch prefix build/prefixes/PREFIX. Drivers get the build tree, the
# platform and the prefix from the environment. Tests of one prefix run one at a time (its lock);
# tests of different prefixes run side by side (ctest -j). A platform test runs in a network
# namespace of its own (tests/private-network.sh inside the one ./iphlp test made): its sockets
# and its ip_local_reserved_ports are its own, so a test that compares the machine's connections
# or the kernel's list before and after never sees another test's. That is safe because
# in-root.sh gives every run a fresh /tmp, hence a wineserver of its own, ended with the run.
function(iphlp_wine_test platform prefix name timeout)
    if(platform STREQUAL "host")
        set(test_name ${name})
        set(command ${ARGN})
        set(labels wine)
    else()
        set(test_name ${platform}/${name})
        set(command ${CMAKE_CURRENT_SOURCE_DIR}/private-network.sh
            ${PROJECT_SOURCE_DIR}/platforms/in-root.sh ${platform} ${PROJECT_SOURCE_DIR} -- ${ARGN})
        set(labels "platform;${platform}")
    endif()
    add_test(NAME ${test_name} COMMAND ${command})
    set_tests_properties(${test_name} PROPERTIES LABELS "${labels}" TIMEOUT ${timeout} SKIP_RETURN_CODE 77
        RESOURCE_LOCK prefix-${prefix}
        ENVIRONMENT "IPHLP_BUILD_DIR=${CMAKE_BINARY_DIR};IPHLP_PLATFORM=${platform};IPHLP_TEST_PREFIX=${prefix}")
    if(NOT platform STREQUAL "host")
        set_tests_properties(${test_name} PROPERTIES FIXTURES_REQUIRED "root-${platform};unix-i386")
    endif()
endfunction()

# The conformance suite and the drivers around it, per platform and bitness.
set(procfs_tests tcp_table2_parameters tcp_table2_own_sockets tcp_table2_sort_order tcp6_table2
    tcp_table2_other_process tcp_table2_native_owner extended_tcp_parameters extended_tcp_listener_connections
    basic_tcp_tables udp_tables ipv6_scope_ids extended_tcp_other_process reservation_port_in_use)
set(winetest_files afd protocol sock)
function(iphlp_platform_tests platform)
    set(d ${CMAKE_CURRENT_SOURCE_DIR})
    foreach(arch x86_64 i686)
        if(platform STREQUAL "host" AND arch STREQUAL "i686")
            continue() # the host's Debian cannot install wine32:i386 (see platforms/README.md)
        endif()
        set(t ${arch}/)
        set(prefix ${platform}-${arch})
        if(platform STREQUAL "host")
            set(t "")
            set(prefix host)
        endif()
        iphlp_wine_test(${platform} ${prefix} ${t}conformance 1000
            env IPHLP_EXPECT_SOURCE=netlink ${d}/run-conformance.sh ${arch})
        # The table tests again with the /proc/net fallback forced (the path sandboxes that
        # refuse netlink take); the switch reaches the Unix side through the environment.
        iphlp_wine_test(${platform} ${prefix} ${t}conformance_procfs 600
            env IPHLP_FORCE_PROCFS=1 IPHLP_EXPECT_SOURCE=procfs ${d}/run-conformance.sh ${arch} ${procfs_tests})
        # The same suite against the Wine's own iphlpapi.dll, its known failures expected.
        iphlp_wine_test(${platform} ${prefix} ${t}conformance_builtin 1000
            env IPHLP_EXPECT_BUILTIN=1 ${d}/run-conformance.sh ${arch})
        # The owner map shared between processes: corrupt, stale, foreign (tests/owners/).
        iphlp_wine_test(${platform} ${prefix} ${t}owners_shared 600 ${d}/owners/run-owners-shared.sh ${arch})
        iphlp_wine_test(${platform} ${prefix} ${t}reservation_persistence 600 ${d}/run-persistence.sh ${arch})
        iphlp_wine_test(${platform} ${prefix} ${t}excludedports 600 ${d}/run-excludedports.sh ${arch})
        # Wine's own ws2_32 tests with and without the companion (tests/winetest/; docs/winsock.md
        # has the files and their times). Prefixes of their own (PREFIX-winetest and, for the
        # stock side, PREFIX-winetest-stock): sock.c's minute does not hold the lock that the
        # other tests of this platform and bitness wait on. 1200 s: a side may take 900 s (Wine
        # 10.0's i686 sock.c, CPU-bound, took 300-380 s per side at load average 9-16 and passed
        # 600 s at 19 on the 2-core machine).
        if(NOT platform STREQUAL "host")
            iphlp_wine_test(${platform} ${prefix}-winetest ${t}winetest 1200 ${d}/run-winetest.sh ${arch} ${winetest_files})
        endif()
    endforeach()
    # Reservations consumed through the ws2_32 companion, across bitnesses, and runtime blocks
    # reclaimed after kill -9.
    iphlp_wine_test(${platform} ${platform} winsock_reservations 600 ${d}/run-winsock.sh)
    if(NOT platform STREQUAL "host")
        iphlp_wine_test(${platform} ${platform}-exports ws2_wine_export_list 60 ${d}/check-ws2-exports.sh --wine)
        iphlp_wine_test(${platform} ${platform} cross_bitness 600 ${d}/run-cross-bitness.sh)
        iphlp_wine_test(${platform} ${platform}-x86_64 wine32_trap 300 ${d}/run-wine32-trap.sh)
        # The committed export lists (def/wine-exports/) are those of this platform's Wine.
        iphlp_wine_test(${platform} ${platform}-exports wine_export_list 60 ${d}/check-wine-exports.sh)
    endif()
endfunction()

iphlp_platform_tests(host)
# setup.sh end to end, in prefixes and a Wine installation of their own (never the machine's
# Wine), each in a network namespace of its own: the install test compares Wine's netstat -an
# with and without the Unix side, which another test's connections must not change in between.
add_test(NAME install COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/private-network.sh ${CMAKE_CURRENT_SOURCE_DIR}/run-install.sh)
add_test(NAME dist COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/private-network.sh ${CMAKE_CURRENT_SOURCE_DIR}/run-dist.sh)
set_tests_properties(install dist PROPERTIES LABELS wine SKIP_RETURN_CODE 77
    ENVIRONMENT "IPHLP_BUILD_DIR=${CMAKE_BINARY_DIR};IPHLP_PLATFORM=host;IPHLP_TEST_PREFIX=host-setup")
set_tests_properties(install PROPERTIES TIMEOUT 1200)
set_tests_properties(dist PROPERTIES TIMEOUT 600)
iphlp_wine_test(host host concurrent_runs 600 ${CMAKE_CURRENT_SOURCE_DIR}/run-concurrent.sh ${PE_BUILD}/tools/iphlpstat.exe)
# reservation_persistence and owners_shared restart their prefix's wineserver: the prefix's lock
# (RESOURCE_LOCK above) keeps every other test of that prefix out meanwhile.

# The platforms: their roots (built or refreshed by platforms/root.sh, cached outside the build
# tree) and the i386 Unix side, built inside the oldest root so that it runs on every platform.
# The platform tests need the build tree inside the source tree (one directory is shared with
# the root); ./iphlp's default build/ is.
file(GLOB platform_lists CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/platforms/*.packages)
string(FIND "${CMAKE_BINARY_DIR}/" "${PROJECT_SOURCE_DIR}/" inside)
if(platform_lists AND inside EQUAL 0)
    set(platforms "")
    set(wine_only "")
    foreach(list ${platform_lists})
        get_filename_component(platform ${list} NAME_WE)
        # A "role: wine-only" root is a user's machine with only Wine: the distribution's test
        # runs there, not the platform tests (it cannot build anything).
        file(STRINGS ${list} role REGEX "^# role: wine-only")
        if(role)
            list(APPEND wine_only ${platform})
        else()
            list(APPEND platforms ${platform})
        endif()
        add_test(NAME ${platform}/root COMMAND ${PROJECT_SOURCE_DIR}/platforms/root.sh ${platform})
        set_tests_properties(${platform}/root PROPERTIES LABELS "platform;${platform}" TIMEOUT 1800
            FIXTURES_SETUP root-${platform})
    endforeach()
    foreach(platform ${wine_only})
        add_test(NAME ${platform}/dist COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-dist-wine-only.sh)
        set_tests_properties(${platform}/dist PROPERTIES LABELS "platform;${platform}" TIMEOUT 600
            SKIP_RETURN_CODE 77 FIXTURES_REQUIRED "root-${platform};unix-i386"
            ENVIRONMENT "IPHLP_BUILD_DIR=${CMAKE_BINARY_DIR};IPHLP_PLATFORM=${platform}")
    endforeach()
    list(SORT platforms)
    list(GET platforms 0 oldest)
    add_test(NAME unix-i386/build COMMAND ${PROJECT_SOURCE_DIR}/platforms/in-root.sh ${oldest} ${PROJECT_SOURCE_DIR}
        -- ${PROJECT_SOURCE_DIR}/scripts/build-unix-i386.sh ${CMAKE_BINARY_DIR}/unix-i386)
    set_tests_properties(unix-i386/build PROPERTIES LABELS platform TIMEOUT 900 FIXTURES_SETUP unix-i386
        FIXTURES_REQUIRED root-${oldest})
    foreach(platform ${platforms})
        iphlp_platform_tests(${platform})
    endforeach()
elseif(platform_lists)
    message(STATUS "platform tests left out: the build tree is not inside the source tree")
endif()
