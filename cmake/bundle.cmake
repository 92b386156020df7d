# SPDX-License-Identifier: LGPL-2.1-or-later
# iphlpbridge.so must load on a machine that has only Wine. Wine brings libc, libunwind and the
# rest of ntdll.so's needs, but not libmnl or SQLite, and its i386 packages do not promise the
# C++ runtime: so the C++ runtime is linked in statically, and libmnl and SQLite are copied
# beside the .so (scripts/bundle-libs.sh, into iphlp-libs/), where its RUNPATH finds them. The
# host's own copies are used when the directory is absent (a build tree's staged copy).
target_link_options(iphlpbridge PRIVATE -static-libstdc++ -static-libgcc -Wl,--enable-new-dtags)
set_target_properties(iphlpbridge PROPERTIES BUILD_RPATH "\$ORIGIN/iphlp-libs" INSTALL_RPATH "\$ORIGIN/iphlp-libs")
add_custom_target(iphlpbridge_libs ALL
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/bundle-libs.sh $<TARGET_FILE:iphlpbridge> $<TARGET_FILE_DIR:iphlpbridge>/iphlp-libs
    DEPENDS iphlpbridge VERBATIM)
