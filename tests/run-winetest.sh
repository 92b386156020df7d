#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Wine's own ws2_32 tests (dlls/ws2_32/tests of this platform's Wine, built by
# tests/winetest/build.sh) through the ws2_32 companion and through the Wine's own ws2_32: the
# lists of failing checks (file:line, each counted) must be the same, and each run must end the
# same way (its summary line, or the same crash), apart from the checks
# tests/winetest/flaky-VERSION.txt names (shown to fail now and then on both sides).
# Usage: run-winetest.sh ARCH FILE...   (FILE: afd, protocol, sock)
. "$(dirname "$0")/lib.sh"
arch=$1
shift
require_arch "$arch"
version=$(wine --version | sed -n 's/^wine-\([0-9]*\.[0-9]*\).*/\1/p')
exe=$IPHLP_BUILD/winetest/wine-$version-$arch/ws2_32_test.exe
if [ ! -f "$exe" ]; then
    echo "skipped: $exe is not built (./iphlp test fetches and builds it; tests/winetest/)"
    exit 77
fi
flaky=$IPHLP_SRC/tests/winetest/flaky-$version.txt
failures() { # OUTPUT: "file.c:LINE" of every failed check, minus the known flaky ones, counted
    grep -ao '^[a-z0-9_]*\.c:[0-9]*: Test failed' "$1" | sed 's/: Test failed$//' |
        grep -vxF -f <(grep -v '^#' "$flaky" 2>/dev/null | awk 'NF {print $1}'; echo '#none#') | sort | uniq -c
}
out=$(mktemp -d)
companion_overrides=$WINEDLLOVERRIDES
for file in "$@"; do
    for side in companion stock; do
        export WINEDLLOVERRIDES=$companion_overrides
        [ "$side" = stock ] && export WINEDLLOVERRIDES="$companion_overrides;ws2_32=b"
        start=$(date +%s)
        win 600 "$exe" "$file" >"$out/$side.txt" 2>&1
        summary=$(grep -a "$file: .* tests executed" "$out/$side.txt" | tail -n1 | tr -d '\r')
        echo "$side $file: $(($(date +%s) - start)) s; ${summary:-no summary line}"
        failures "$out/$side.txt" >"$out/$side.list"
        # Kept for reading: the last run of each file, side, Wine and bitness.
        mkdir -p "$IPHLP_BUILD/winetest/logs"
        cp "$out/$side.txt" "$IPHLP_BUILD/winetest/logs/$version-$arch-$side-$file.txt"
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
export WINEDLLOVERRIDES=$companion_overrides
finish "winetest $version $arch"
