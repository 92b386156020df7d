# SPDX-License-Identifier: LGPL-2.1-or-later
# Where Debian's Wine keeps what the Unix side links against and what the PE side marks (the
# same layout in Wine 8.0 and 10.0). The i386 toolchain file sets the i386 directory.
if(CMAKE_SIZEOF_VOID_P EQUAL 4)
    set(WINE_ARCH i386)
else()
    set(WINE_ARCH x86_64)
endif()
file(STRINGS ${CMAKE_CURRENT_LIST_DIR}/../scripts/wine-paths.sh wine_libdir REGEX "^WINE_LIBDIR_${WINE_ARCH}=")
string(REGEX REPLACE "^[^=]*=" "" wine_libdir "${wine_libdir}")
set(WINE_LIBDIR "${wine_libdir}" CACHE PATH "Wine's library directory")
set(WINE_UNIX_DIR "${WINE_LIBDIR}/${WINE_ARCH}-unix")
set(WINE_PE_DIR "${WINE_LIBDIR}/${WINE_ARCH}-windows")
find_file(WINE_NTDLL_SO ntdll.so PATHS ${WINE_UNIX_DIR} NO_DEFAULT_PATH REQUIRED)
if(NOT IPHLP_UNIX_ONLY)
    find_program(WINEBUILD winebuild PATHS /usr/lib/wine REQUIRED)
    find_file(WINE_IPHLPAPI_DLL iphlpapi.dll PATHS ${WINE_PE_DIR} NO_DEFAULT_PATH REQUIRED)
    find_program(WINE_PROGRAM wine REQUIRED)
endif()
