# SPDX-License-Identifier: LGPL-2.1-or-later
# Cross-compile the PE side with Debian's MinGW-w64 (win32 thread model: the PE side needs no
# std::thread, and the win32 variant needs no libwinpthread-1.dll in the prefix).
# Deliberately a twin of the other mingw-w64-*.cmake: a toolchain file is read before any project
# code, so each architecture gets its own whole file, as CMake toolchains usually are.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_C_COMPILER   i686-w64-mingw32-gcc)
set(CMAKE_CXX_COMPILER i686-w64-mingw32-g++)
set(CMAKE_RC_COMPILER  i686-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/i686-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# Static libgcc/libstdc++: nothing but the DLLs themselves has to be copied into a prefix.
set(CMAKE_EXE_LINKER_FLAGS_INIT    "-static -static-libgcc -static-libstdc++")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
