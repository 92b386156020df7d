# Socket readers (unix/sockets.cmake): unit tests on fixtures recorded from a real kernel, a live
# test against the running kernel, and libFuzzer targets.
set(SOCKET_FIXTURES ${CMAKE_CURRENT_SOURCE_DIR}/fixtures)

iphlp_unit_test(test_inet_diag test_inet_diag.cpp)
iphlp_unit_test(test_proc_net test_proc_net.cpp)
iphlp_unit_test(test_read_sockets test_read_sockets.cpp) # live: opens loopback sockets
# One connection (ESTATS, SetTcpEntry) on hand-built replies and live; first-seen socket times.
iphlp_unit_test(test_tcp_connection test_tcp_connection.cpp)
foreach(test test_inet_diag test_proc_net)
    target_compile_definitions(${test} PRIVATE FIXTURE_DIR="${SOCKET_FIXTURES}")
    target_include_directories(${test} PRIVATE ${SOCKET_FIXTURES})
endforeach()

# How the fixtures were made (see the top of the file); not built by default:
#   cmake --build . --target record_inet_diag && tests/record_inet_diag <source>/tests/fixtures
pkg_check_modules(SOCKETS_MNL REQUIRED IMPORTED_TARGET libmnl)
add_executable(record_inet_diag EXCLUDE_FROM_ALL tools/record_inet_diag.cpp)
target_link_libraries(record_inet_diag PRIVATE PkgConfig::SOCKETS_MNL)

# ---- fuzz targets ----
# libFuzzer needs clang; the rest of the build uses g++, so clang++ is invoked directly on the
# parsers' sources. A missing clang or libFuzzer runtime is a configure error, not a silent skip.
find_program(IPHLP_CLANGXX NAMES clang++-14 clang++)
if(NOT IPHLP_CLANGXX)
    message(FATAL_ERROR "clang++ not found. The socket-reader fuzz targets need clang++ with "
                        "libFuzzer (Debian packages: clang-14 libclang-rt-14-dev).")
endif()
set(SOCKET_FUZZ_FLAGS -std=c++17 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
if(NOT IPHLP_LIBFUZZER_LINKS)
    set(probe ${CMAKE_CURRENT_BINARY_DIR}/libfuzzer_probe.cpp)
    file(WRITE ${probe} "#include <stddef.h>\n#include <stdint.h>\n"
                        "extern \"C\" int LLVMFuzzerTestOneInput(const uint8_t *, size_t) { return 0; }\n")
    execute_process(COMMAND ${IPHLP_CLANGXX} ${SOCKET_FUZZ_FLAGS} ${probe} -o ${probe}.bin
                    RESULT_VARIABLE probe_result ERROR_VARIABLE probe_error OUTPUT_QUIET)
    if(NOT probe_result EQUAL 0)
        message(FATAL_ERROR "${IPHLP_CLANGXX} cannot link a libFuzzer target "
                            "(-fsanitize=fuzzer,address,undefined): install libclang-rt-14-dev.\n${probe_error}")
    endif()
    set(IPHLP_LIBFUZZER_LINKS ON CACHE INTERNAL "clang++ links libFuzzer targets")
endif()

set(SOCKET_PARSER_SOURCES
    ${PROJECT_SOURCE_DIR}/unix/tcp_state.cpp
    ${PROJECT_SOURCE_DIR}/unix/inet_diag.cpp
    ${PROJECT_SOURCE_DIR}/unix/proc_net.cpp
    ${PROJECT_SOURCE_DIR}/unix/ipv6_scope.cpp)
set(SOCKET_PARSER_HEADERS
    ${PROJECT_SOURCE_DIR}/include/unixlib.h
    ${PROJECT_SOURCE_DIR}/unix/socket_source.h
    ${PROJECT_SOURCE_DIR}/unix/ipv6_scope.h
    ${PROJECT_SOURCE_DIR}/unix/proc_text.h)
set(fuzzers)
foreach(parser inet_diag proc_net)
    set(fuzzer ${CMAKE_CURRENT_BINARY_DIR}/fuzz_${parser})
    add_custom_command(OUTPUT ${fuzzer}
        COMMAND ${IPHLP_CLANGXX} ${SOCKET_FUZZ_FLAGS} ${SOCKETS_MNL_CFLAGS}
                -I${PROJECT_SOURCE_DIR}/include -I${PROJECT_SOURCE_DIR}/unix
                ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_${parser}.cpp ${SOCKET_PARSER_SOURCES}
                ${SOCKETS_MNL_LDFLAGS} -o ${fuzzer}
        DEPENDS fuzz/fuzz_${parser}.cpp ${SOCKET_PARSER_SOURCES} ${SOCKET_PARSER_HEADERS}
        COMMENT "Building fuzz_${parser} with clang++ (libFuzzer)"
        VERBATIM)
    list(APPEND fuzzers ${fuzzer})

    # Bounded run seeded with the fixtures. New corpus entries go to the build tree (the first
    # directory), never into the source tree; a crash writes its input to fuzz_artifacts/ and
    # fails the test.
    set(corpus ${CMAKE_CURRENT_BINARY_DIR}/fuzz_corpus/${parser})
    file(MAKE_DIRECTORY ${corpus} ${CMAKE_CURRENT_BINARY_DIR}/fuzz_artifacts)
    add_test(NAME fuzz_${parser}
        COMMAND ${fuzzer} -max_total_time=15 -runs=20000000 -timeout=10 -rss_limit_mb=2048
                -artifact_prefix=${CMAKE_CURRENT_BINARY_DIR}/fuzz_artifacts/fuzz_${parser}-
                ${corpus} ${SOCKET_FIXTURES}/${parser})
    set_tests_properties(fuzz_${parser} PROPERTIES LABELS fuzz TIMEOUT 120)
endforeach()
add_custom_target(socket_fuzzers ALL DEPENDS ${fuzzers})
