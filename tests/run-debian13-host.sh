#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian 13 as a host, inside the debian13-wine10 root: the native side (Unix side, unit tests,
# fuzz targets) configured and built with Debian 13's own cmake, gcc and clang
# (-DIPHLP_NO_PE=ON: MinGW is not needed for it), then its unit tests run. The format check is
# left out: it is pinned to clang-format 14 and gives the host's verdict (tests/check-format.sh);
# the Wine-version-dependent tests run as platform tests, the netstat test as
# debian13-wine10/netstat. Its build tree is BUILD_DIR/debian13-host, kept between runs.
# Usage: run-debian13-host.sh   (from CTest, through platforms/in-root.sh)
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${IPHLP_BUILD_DIR:?IPHLP_BUILD_DIR is set by CTest}/debian13-host
echo "host tools: $(cmake --version | head -n1), $(g++ --version | head -n1), $(clang --version | head -n1)"
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIPHLP_NO_PE=ON >/dev/null ||
    { echo "FAILED: configure with Debian 13's cmake"; exit 1; }
cmake --build "$build" >"$build.log" 2>&1 || { tail -40 "$build.log"; echo "FAILED: build with Debian 13's compilers"; exit 1; }
# The unit tests of that tree, but not the format check (above), the cli test (it reads the
# scripts, nothing built), nor test_reservation_paths: its full-disk case makes "/" private in a
# new mount namespace, which fails in a chroot whose "/" is not a mount point (measured: EINVAL);
# it runs on the host.
ctest --test-dir "$build" -L unit -E '^(format|cli|test_reservation_paths)$' --output-on-failure --timeout 300 ||
    { echo "FAILED: unit tests"; exit 1; }
echo "debian13-host: 1 passed, 0 failed"
