# SPDX-License-Identifier: LGPL-2.1-or-later
# The build id: one string shared by iphlpapi.dll, iphlpbridge.dll and iphlpbridge.so of one build
# (both bitnesses), so that iphlpapi.dll can tell at its first call whether the Unix side it
# reached is its own (a system-wide iphlpbridge.so of another build may have another ABI).
# The native configuration makes it; the PE and i386 configurations are handed it
# (-DIPHLP_BUILD_ID=...). It names the version, the commit, a hash of the ABI header (so an ABI
# change always changes it) and a random part kept per build tree (so two trees never collide).
if(NOT IPHLP_BUILD_ID)
    if(NOT IPHLP_BUILD_NONCE)
        string(RANDOM LENGTH 6 ALPHABET 0123456789abcdef nonce)
        set(IPHLP_BUILD_NONCE ${nonce} CACHE INTERNAL "random part of the build id")
    endif()
    execute_process(COMMAND git -C ${PROJECT_SOURCE_DIR} rev-parse --short=10 HEAD
                    OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE git_rc)
    if(NOT git_rc EQUAL 0 OR NOT commit)
        set(commit nogit)
    endif()
    file(SHA256 ${PROJECT_SOURCE_DIR}/include/unixlib.h abi)
    string(SUBSTRING ${abi} 0 8 abi)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/unixlib.h)
    set(IPHLP_BUILD_ID "${PROJECT_VERSION}-${commit}-abi${abi}-${IPHLP_BUILD_NONCE}")
    file(WRITE ${CMAKE_BINARY_DIR}/build-id.txt "${IPHLP_BUILD_ID}\n")
endif()
string(LENGTH "${IPHLP_BUILD_ID}" id_length)
if(id_length GREATER 63)
    message(FATAL_ERROR "IPHLP_BUILD_ID '${IPHLP_BUILD_ID}' is longer than the 63 characters the unix call carries")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/iphlp_build_id.h.in ${CMAKE_BINARY_DIR}/generated/iphlp_build_id.h @ONLY)
include_directories(${CMAKE_BINARY_DIR}/generated)
