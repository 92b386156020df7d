# SPDX-License-Identifier: LGPL-2.1-or-later
# The Unix side for 32-bit Windows programs: Debian's Wine runs them with the i386 loader and
# i386 Unix libraries, so iphlpbridge.so is built a second time for i386 (in a root that has
# the i386 -dev packages; see platforms/). Configure with -DIPHLP_UNIX_ONLY=ON.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_C_FLAGS_INIT "-m32")
set(CMAKE_CXX_FLAGS_INIT "-m32")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-m32")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-m32")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-m32")
set(CMAKE_LIBRARY_ARCHITECTURE i386-linux-gnu)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/i386-linux-gnu/pkgconfig:/usr/share/pkgconfig")
