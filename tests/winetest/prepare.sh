#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fetches (fetch.sh) and builds (build.sh) Wine's ws2_32 tests of every supported Wine, for both
# bitnesses, into BUILD_DIR/winetest/wine-VERSION-ARCH/. The Debian source versions are those of
# the platform roots (platforms/*.packages install those suites' Wine); a later Wine needs one
# more line here. Run by ./iphlp test before the tests (which have no network).
# Usage: tests/winetest/prepare.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1/winetest
mkdir -p "$out"
while read -r suite version; do
    short=${version%%~*}
    "$here/fetch.sh" "$out" "$suite" "$version"
    for arch in x86_64 i686; do
        [ -f "$out/wine-$short-$arch/ws2_32_test.exe" ] && continue
        "$here/build.sh" "$out/wine-$short" "$arch" "$out/wine-$short-$arch" >/dev/null
    done
done <<'LIST'
bookworm 8.0~repack-4
trixie 10.0~repack-6
LIST
