#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The export table of iphlpapi.dll, both bitnesses, against the one list of what this project
# implements (def/implemented.txt) and the export lists of the supported Wines
# (def/wine-exports/): every name any supported Wine exports is exported (a missing one would
# stop a program that imports it from loading); every implemented name is our code, not a
# forward to Wine's copy; every other name is forwarded to iphlpwine.dll; and the committed .def
# files are what def/gen-def.sh makes of those lists.
# Usage: check-exports.sh BUILD_DIR
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$1
passed=0 failed=0
check() {
    local what=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what"; fi
}
implemented=$(grep -v '^#' "$src/def/implemented.txt" | awk 'NF {print $1}' | sort -u)
wine_names=$(cat "$src"/def/wine-exports/wine-*.txt | sort -u)
# "NAME TARGET" per export; TARGET is "-" for our own code, the forward's target otherwise.
export_table() { "$(dirname "$0")/export-table.sh" "$1" | awk '{print $2, $3}' | sort; }
for pe in pe pe32; do
    dll=$build/$pe/dll/iphlpapi.dll
    [ -f "$dll" ] || { check "$pe/dll/iphlpapi.dll is built" false; continue; }
    table=$(export_table "$dll")
    missing=$(comm -23 <(echo "$wine_names") <(awk '{print $1}' <<<"$table"))
    check "$pe: every supported Wine's export is exported${missing:+ (missing: $(echo $missing))}" test -z "$missing"
    ours=$(awk '$2 == "-" {print $1}' <<<"$table")
    check "$pe: exactly the implemented names are our code" test "$ours" = "$implemented"
    stray=$(awk '$2 != "-" && $2 != "iphlpwine." $1 {print $1 " -> " $2}' <<<"$table")
    check "$pe: every other name forwards to iphlpwine.dll${stray:+ ($stray)}" test -z "$stray"
done
tmp=$(mktemp -d)
"$src/def/gen-def.sh" "$tmp"
check "def/iphlpapi.def is what gen-def.sh makes" cmp -s "$tmp/iphlpapi.def" "$src/def/iphlpapi.def"
check "def/iphlpapi-i686.def is what gen-def.sh makes" cmp -s "$tmp/iphlpapi-i686.def" "$src/def/iphlpapi-i686.def"
rm -rf "$tmp"
echo "exports: $passed passed, $failed failed"
[ "$failed" = 0 ]
