#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a user-supplied copy of a program that consumes a persistent TCP reservation the way the
# LookupPersistentTcpPortReservation documentation example does (arguments START COUNT; prints
# "Port number allocated = N"): the example itself, which this repository cannot hold (it holds
# no third-party code). The copy is built with MinGW for both bitnesses, as a user would build it
# (-liphlpapi -lws2_32, -municode for a wmain), and run on every platform root (Wine 8.0 and 10.0)
# through the ws2_32 companion: on each, a block made by each bitness (tests/examples/
# tcp_reservation.exe) is consumed by the copy of each bitness, so a 64-bit program's block is
# consumed by the 32-bit build and the other way round. Each run must print "Port number
# allocated = N" with N inside the block. docs/testing.md has the steps.
# Usage: tests/examples/run-external-example.sh FILE.c [BUILD_DIR]   (BUILD_DIR: build, by ./iphlp build)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
if [ "${1:-}" = --inside ]; then
    # Inside a platform root, in a network namespace of its own: the runs themselves.
    dir=$2
    . "$src/tests/lib.sh"
    # A linked copy of the platform's own scratch prefix (lib.sh), if the tests made one.
    clone_prefix "$IPHLP_BUILD/prefixes/$IPHLP_PLATFORM" "$TEST_PREFIX"
    arches=()
    for a in x86_64 i686; do iphlp_arch_available "$a" && arches+=("$a"); done
    start=$((45000 + $$ % 300 * 20)) count=20
    for creator in "${arches[@]}"; do
        tool=$(pe_exe "$creator" tests/examples/tcp_reservation.exe)
        win 120 "$tool" delete $start $count >/dev/null
        created=$(win 120 "$tool" create $start $count | tr -d '\r')
        check "$IPHLP_PLATFORM: a $creator program creates the block $start+$count ($created)" grep -Eq '^token 0x' <<<"$created"
        for consumer in "${arches[@]}"; do
            text=$(win 120 "$dir/example-$consumer.exe" $start $count 2>&1 | tr -d '\r')
            echo "--- $IPHLP_PLATFORM, block of the $creator program, $consumer example:"
            echo "$text"
            port=$(sed -n 's/^Port number allocated = \([0-9]*\)$/\1/p' <<<"$text")
            check "$IPHLP_PLATFORM: the $consumer example consumes the $creator program's block: port ${port:-none} in $start..$((start + count - 1))" \
                test -n "$port" -a "${port:-0}" -ge $start -a "${port:-0}" -lt $((start + count))
        done
        win 120 "$tool" delete $start $count >/dev/null
    done
    [ "${#arches[@]}" = 2 ] || check "$IPHLP_PLATFORM: both bitnesses can run here" false
    finish "external example, $IPHLP_PLATFORM"
fi
[ $# -ge 1 ] && [ -f "$1" ] || { echo "usage: run-external-example.sh FILE.c [BUILD_DIR]" >&2; exit 2; }
file=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
build=$(cd "${2:-$src/build}" && pwd) || exit 2
case "$build/" in
    "$src"/*) ;;
    *) echo "run-external-example.sh: the build tree must lie inside $src (the platform roots see only it)" >&2; exit 2 ;;
esac
for pe in pe pe32; do
    [ -f "$build/$pe/tests/examples/tcp_reservation.exe" ] || { echo "run-external-example.sh: $build is not built (./iphlp build)" >&2; exit 2; }
done
dir=$build/external-example
mkdir -p "$dir"
flags=()
grep -q '\bwmain\b' "$file" && flags+=(-municode)
for arch in x86_64 i686; do
    if ! "$arch-w64-mingw32-gcc" "${flags[@]}" "$file" -o "$dir/example-$arch.exe" -liphlpapi -lws2_32 2>"$dir/cc-$arch.log"; then
        # The documentation's samples are written for Visual C++, which compiles some of them
        # as C++ only (a struct's tag used as a type name): say so, and build it as C++.
        echo "note: $file is not valid C for MinGW ($arch); building it as C++:"
        sed 's/^/    /' "$dir/cc-$arch.log" | head -n 5
        "$arch-w64-mingw32-g++" -x c++ "${flags[@]}" "$file" -x none -o "$dir/example-$arch.exe" \
            -static-libgcc -static-libstdc++ -liphlpapi -lws2_32 || { echo "FAILED: cannot build $file for $arch"; exit 1; }
    fi
done
echo "built $dir/example-x86_64.exe and example-i686.exe from $file"
status=0
platforms=0
for list in "$src"/platforms/*.packages; do
    grep -q '^# role: wine-only' "$list" && continue
    platform=$(basename "$list" .packages)
    platforms=$((platforms + 1))
    IPHLP_BUILD_DIR=$build IPHLP_PLATFORM=$platform IPHLP_TEST_PREFIX=$platform-external \
        "$src/tests/private-network.sh" "$src/platforms/in-root.sh" "$platform" "$src" -- \
        "$here/run-external-example.sh" --inside "$dir" || status=1
done
[ "$platforms" -gt 0 ] || { echo "FAILED: no platform root to run on (platforms/*.packages)"; exit 1; }
[ "$status" = 0 ] && echo "external example: passed on $platforms platforms, both bitnesses" || echo "external example: FAILED"
exit "$status"
