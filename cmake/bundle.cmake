# SPDX-License-Identifier: LGPL-2.1-or-later
# The Unix side must load on a machine that has only Wine. Wine brings libc, libunwind and the
# rest of ntdll.so's needs, but not libmnl or SQLite, and its i386 packages do not promise the
# C++ runtime: so the C++ runtime is linked into iphlp-unix.so statically, and libmnl and SQLite
# are copied beside it (scripts/bundle-libs.sh, into iphlp-libs/), where its RUNPATH finds them.
# The host's own copies are used when the directory is absent (a build tree's staged copy).
# iphlpbridge.so, the loader, needs libc only (tests/check-bridge-symbols.sh checks it).
target_link_options(iphlp_unix PRIVATE -static-libstdc++ -static-libgcc -Wl,--enable-new-dtags)
set_target_properties(iphlp_unix PROPERTIES BUILD_RPATH "\$ORIGIN/iphlp-libs" INSTALL_RPATH "\$ORIGIN/iphlp-libs")
target_link_options(iphlpbridge PRIVATE -static-libgcc)
add_custom_target(iphlpbridge_libs ALL
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/bundle-libs.sh $<TARGET_FILE:iphlp_unix> $<TARGET_FILE_DIR:iphlp_unix>/iphlp-libs
    DEPENDS iphlp_unix VERBATIM)
