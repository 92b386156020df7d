#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fetches (fetch.sh) and builds (build.sh) Wine's ws2_32 tests of every Wine the platform roots
# run, for both bitnesses, into BUILD_DIR/winetest/wine-VERSION-ARCH/ (VERSION: the Debian
# version, e.g. 8.0~repack-4). The version is the one installed in each root (dpkg-query on the
# root's own package database) and the suite the root's os-release names, so a Debian point
# release, or a later Wine in a new platform, gets its own tests without editing this file.
# Only roots that exist are read: ./iphlp test builds them (platforms/root.sh) before this runs;
# a root built later gets its tests at the next run. Wine-only roots ("role: wine-only") run no
# winetest. Run by ./iphlp test before the tests (which have no network).
# Usage: tests/winetest/prepare.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
out=$1/winetest
cache=${IPHLP_ROOT_CACHE:-/var/cache/iphlp/roots}
mkdir -p "$out"
wines=()
for list in "$src"/platforms/*.packages; do
    platform=$(basename "$list" .packages)
    grep -q '^# role: wine-only' "$list" && continue
    root=$cache/$platform
    if [ ! -f "$root/.iphlp-stamp" ]; then
        echo "winetest: the root of $platform is not built ($root); its Wine's tests are not fetched" >&2
        continue
    fi
    suite=$(. "$root/etc/os-release" && echo "${VERSION_CODENAME:-}")
    version=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${source:Version}' wine 2>/dev/null || true)
    if [ -z "$suite" ] || [ -z "$version" ]; then
        echo "winetest: no Wine (or no release name) in the root of $platform; nothing fetched for it" >&2
        continue
    fi
    wines+=("$suite $version")
done
status=0
while read -r suite version; do
    [ -n "$version" ] || continue
    if ! "$here/fetch.sh" "$out" "$suite" "$version"; then
        echo "winetest: Wine $version's source ($suite) could not be fetched" >&2
        status=1
        continue
    fi
    for arch in x86_64 i686; do
        [ -f "$out/wine-$version-$arch/ws2_32_test.exe" ] && continue
        "$here/build.sh" "$out/wine-$version" "$arch" "$out/wine-$version-$arch" >/dev/null
    done
done < <(printf '%s\n' "${wines[@]}" | sort -u)
exit "$status"
