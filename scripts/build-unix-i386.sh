#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds the i386 Unix side (iphlpbridge.so for 32-bit Windows programs) into BUILD_DIR, on a
# machine with the i386 -dev packages (gcc-multilib, g++-multilib, libmnl-dev:i386,
# libsqlite3-dev:i386): the host when they install there, else a platform root (./iphlp build
# chooses, and the platform tests' fixture runs it in the oldest root).
# Usage: build-unix-i386.sh BUILD_DIR
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$1
# The same build id as the rest of the build (cmake/build_id.cmake), so that the 32-bit
# iphlpapi.dll accepts this iphlpbridge.so: configured every time, in case the id changed.
id=$(cat "$(dirname "$build")/build-id.txt")
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIPHLP_UNIX_ONLY=ON \
    -DCMAKE_TOOLCHAIN_FILE="$src/cmake/linux-i386.cmake" -DIPHLP_BUILD_ID="$id" >/dev/null
cmake --build "$build"
echo "unix-i386: 1 passed, 0 failed"
