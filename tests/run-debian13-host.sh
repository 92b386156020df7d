#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian 13 as a host, inside the debian13-wine10 root, in a build tree of its own
# (BUILD_DIR/debian13-host, kept between runs):
#   build   configure and build the whole tree with Debian 13's own cmake, gcc, MinGW and clang
#           (Unix side, unit tests, fuzzers, both PE sides), then the i386 Unix side natively,
#           as ./iphlp build does on a Debian 13 host;
#   unit    that tree's unit tests (the format verdict here is clang-format 19's) and fuzzers;
#   wine    that tree's host Wine tests under the root's Wine 10.0, but for the ones the
#           debian13-wine10 platform tests already run with the same driver, the same Wine and
#           the same root (docs/testing.md has the mapping).
# The compilers go through ccache when the root has it (platforms/in-root.sh keeps its cache
# beside the root): objects are rebuilt only when the compiler or the preprocessed input changed.
# Usage: run-debian13-host.sh build|unit|wine   (from CTest, through platforms/in-root.sh)
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
outer=${IPHLP_BUILD_DIR:?IPHLP_BUILD_DIR is set by CTest}
build=$outer/debian13-host

# The host tests the debian13-wine10 platform tests cover: tests/wine.cmake runs these drivers
# there too, with the same arguments, for x86_64 (and i686) programs.
covered='^(conformance|conformance_procfs|conformance_builtin|owners_shared|reservation_persistence|excludedports|winsock_reservations)$'

do_build() {
    local t0=$SECONDS
    echo "host tools: $(cmake --version | head -n1), $(g++ --version | head -n1), $(x86_64-w64-mingw32-g++ --version | head -n1), $(clang --version | head -n1)"
    if command -v ccache >/dev/null; then
        # The tree's path is no part of the key (a CI clone lands in a new directory each time):
        # paths under the source tree are hashed relative to it.
        export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR=$src CCACHE_NOHASHDIR=1
        ccache --zero-stats >/dev/null
    fi
    if [ ! -f "$build/build.ninja" ]; then
        cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.log" 2>&1 ||
            { tail -40 "$build.log"; echo "FAILED: configure with Debian 13's cmake"; return 1; }
    fi
    cmake --build "$build" >"$build.log" 2>&1 ||
        { tail -40 "$build.log"; echo "FAILED: build with Debian 13's compilers"; return 1; }
    "$src/scripts/build-unix-i386.sh" "$build/unix-i386" >>"$build.log" 2>&1 ||
        { tail -40 "$build.log"; echo "FAILED: the i386 Unix side with Debian 13's gcc -m32"; return 1; }
    if command -v ccache >/dev/null; then
        echo "ccache: $(ccache --print-stats | awk -F'\t' '$1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { h += $2 }
            $1 == "cache_miss" { m = $2 } END { printf "%d hits, %d misses", h, m }')"
    fi
    echo "built in $((SECONDS - t0)) s"
}

run_ctest() { # CTEST_ARGS...
    local rc=0
    # ctest prints each test's time: the CI log shows where this test's time goes.
    ctest --test-dir "$build" --output-on-failure --timeout 900 "$@" || rc=$?
    [ "$rc" = 0 ] || echo "FAILED: ctest $* in the Debian 13 tree"
    return "$rc"
}

case "${1:-}" in
    build) do_build || exit 1 ;;
    unit)
        # Two at a time: the fuzzers are CPU-bound for 15 s each, the unit tests mostly short.
        run_ctest -j 2 -L '^(unit|fuzz)$' || exit 1 ;;
    wine)
        # The npm packages were fetched into the outer tree (tests/fetch-npm.sh, before the
        # tests; the tests have no network): the Debian 13 tree uses them where they are.
        for d in netstat-npm netstat-node-win; do
            [ -e "$build/$d" ] || [ ! -d "$outer/$d" ] || ln -s "../$d" "$build/$d"
        done
        ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
        rc=0
        run_ctest -j 2 -L '^wine$' -E "$covered" || rc=1
        WINEPREFIX=$build/prefixes/host timeout 60 wineserver -k 2>/dev/null
        exit "$rc" ;;
    *) echo "usage: run-debian13-host.sh build|unit|wine" >&2; exit 2 ;;
esac
echo "debian13-host $1: 1 passed, 0 failed"
