#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Wine's own ws2_32 tests (dlls/ws2_32/tests of this platform's Wine, built by
# tests/winetest/build.sh) through the ws2_32 companion and through the Wine's own ws2_32: the
# lists of failing checks (file:line, each counted) must be the same, and each run must end the
# same way (its summary line, or the same crash), apart from the checks
# tests/winetest/flaky-VERSION.txt names (shown to fail now and then on both sides).
# The two sides of a file run at the same time, each in a scratch prefix (so a wineserver) and a
# network namespace of its own: sock.c spends most of its 50-55 s waiting on timeouts, and
# binds fixed ports, so side by side halves the time without the sides seeing each other.
# Usage: run-winetest.sh ARCH FILE...   (FILE: afd, protocol, sock)
#        run-winetest.sh --side SIDE ARCH FILE OUTPUT   (one side's run, made by the above)
caller_overrides=${WINEDLLOVERRIDES-}
side=
if [ "${1:-}" = --side ]; then
    side=$2
    shift 2
fi
. "$(dirname "$0")/lib.sh"
arch=$1
shift
require_arch "$arch"
# The Debian version of this root's Wine (tests/winetest/prepare.sh builds the tests under it).
debian_version=$(dpkg-query -W -f '${source:Version}' wine 2>/dev/null)
exe=$IPHLP_BUILD/winetest/wine-$debian_version-$arch/ws2_32_test.exe
if [ -n "$side" ]; then
    file=$1 output=$2
    [ "$side" = stock ] && export WINEDLLOVERRIDES="$WINEDLLOVERRIDES;ws2_32=b"
    start=$(date +%s)
    rc=0
    win 900 "$exe" "$file" >"$output" 2>&1 || rc=$?
    echo "$side $file: $(($(date +%s) - start)) s" >"$output.time"
    echo "$rc" >"$output.rc"
    # Nothing of this side outlives its network namespace.
    timeout 30 wineserver -k 2>/dev/null
    exit 0
fi
if [ -z "$debian_version" ] || [ ! -f "$exe" ]; then
    echo "skipped: $exe is not built (./iphlp test fetches and builds it for the root's Wine; tests/winetest/)"
    exit 77
fi
version=$(wine --version | sed -n 's/^wine-\([0-9]*\.[0-9]*\).*/\1/p')
flaky=$IPHLP_SRC/tests/winetest/flaky-$version.txt
# The two winetest prefixes are hard-linked copies of this platform and bitness's own scratch
# prefix where it exists (else of a new one): see clone_prefix in lib.sh.
clone_prefix "$IPHLP_BUILD/prefixes/${IPHLP_TEST_PREFIX%-winetest}" "$TEST_PREFIX"
iphlp_ensure_prefix "$TEST_PREFIX" "$IPHLP_BUILD/winedllpath" || exit 1
clone_prefix "$TEST_PREFIX" "$TEST_PREFIX-stock"
failures() { # OUTPUT: "file.c:LINE" of every failed check, minus the known flaky ones, counted
    grep -ao '^[a-z0-9_]*\.c:[0-9]*: Test failed' "$1" | sed 's/: Test failed$//' |
        grep -vxF -f <(grep -v '^#' "$flaky" 2>/dev/null | awk 'NF {print $1}'; echo '#none#') | sort | uniq -c
}
out=$(mktemp -d)
for file in "$@"; do
    for s in companion stock; do
        prefix=$IPHLP_TEST_PREFIX
        [ "$s" = stock ] && prefix=$IPHLP_TEST_PREFIX-stock
        env WINEDLLOVERRIDES="$caller_overrides" IPHLP_TEST_PREFIX="$prefix" \
            "$IPHLP_SRC/tests/private-network.sh" "$0" --side "$s" "$arch" "$file" "$out/$s.txt" &
    done
    wait
    for s in companion stock; do
        check "$file.c, $s: the run ended within its time limit" test "$(cat "$out/$s.txt.rc" 2>/dev/null)" != 124
        summary=$(grep -a "$file: .* tests executed" "$out/$s.txt" | tail -n1 | tr -d '\r')
        echo "$(cat "$out/$s.txt.time" 2>/dev/null || echo "$s $file: did not run"); ${summary:-no summary line}"
        failures "$out/$s.txt" >"$out/$s.list"
        # Kept for reading: the last run of each file, side, Wine and bitness.
        mkdir -p "$IPHLP_BUILD/winetest/logs"
        cp "$out/$s.txt" "$IPHLP_BUILD/winetest/logs/$version-$arch-$s-$file.txt"
    done
    # Without DNS (the tests' private network) protocol.c dereferences a NULL result of its own
    # and crashes, on both sides alike: what must agree is how each run ended.
    ending() {
        grep -aq "$file: .* tests executed" "$1" && { echo completed; return; }
        grep -aom1 'Unhandled [a-z ]* at address [0-9A-Fa-fx]*' "$1" || echo "no summary, no crash"
    }
    check "$file.c: both runs end the same way ($(ending "$out/stock.txt"))" \
        test "$(ending "$out/companion.txt")" = "$(ending "$out/stock.txt")"
    check "$file.c: the same failures with and without the companion ($(wc -l <"$out/stock.list") failing checks)" \
        cmp -s "$out/companion.list" "$out/stock.list"
    if ! cmp -s "$out/companion.list" "$out/stock.list"; then
        diff "$out/companion.list" "$out/stock.list" | sed 's/^</companion:/; s/^>/stock:    /'
        # The messages of the checks that differ, from both sides.
        diff "$out/companion.list" "$out/stock.list" | awk '/^[<>]/ {print $3 ": "}' | sort -u |
            grep -ahF -f - "$out/companion.txt" "$out/stock.txt" | head -n 40
    fi
done
rm -rf "$out"
finish "winetest $version $arch"
