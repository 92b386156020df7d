#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The export table of the ws2_32 companion, both bitnesses, against def/ws2_32/: every name a
# supported Wine exports is exported; every ordinal the Wines agree on is that name's ordinal
# (programs import the classic Winsock functions by ordinal); exactly the implemented names are
# our code; every other name forwards to ws2wine.NAME; the committed .def files are what
# def/ws2_32/gen-def.sh makes; every ordinal that both Wines' ws2_32.spec number explicitly
# (def/ws2_32/spec-ordinals.txt, re-derived from the specs where tests/winetest/fetch.sh fetched
# them) is kept. With --wine, instead: the committed list of the Wine installed
# here (a platform root) is that Wine's ws2_32.dll, both architectures.
# Usage: check-ws2-exports.sh BUILD_DIR | --wine
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
defs=$src/def/ws2_32
passed=0 failed=0
check() {
    local what=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what"; fi
}
if [ "$1" = --wine ]; then
    . "$src/scripts/wine-paths.sh"
    version=$(wine --version | sed -n 's/^wine-\([0-9]*\.[0-9]*\).*/\1/p')
    list=$defs/wine-exports/wine-$version.txt
    for dir in "$WINE_LIBDIR_x86_64/x86_64-windows" "$WINE_LIBDIR_i386/i386-windows"; do
        check "$dir/ws2_32.dll exports are $list" cmp -s <("$defs/list-exports.sh" "$dir/ws2_32.dll") "$list"
    done
    echo "ws2-wine-exports: $passed passed, $failed failed"
    [ "$failed" = 0 ]
    exit
fi
build=$1
implemented=$(grep -v '^#' "$defs/implemented.txt" | awk 'NF {print $1}' | sort -u)
# "ORDINAL NAME" pairs the Wines agree on (an ordinal with one name, a name with one ordinal).
agreed=$(cat "$defs"/wine-exports/wine-*.txt | sort -u | awk '{ n[$1]++; o[$2]++; l[NR] = $0 }
    END { for (i in l) { split(l[i], f, " "); if (n[f[1]] == 1 && o[f[2]] == 1) print l[i] } }' | sort)
wine_names=$(cat "$defs"/wine-exports/wine-*.txt | awk '{print $2}' | sort -u)
explicit=$(grep -v '^#' "$defs/spec-ordinals.txt" | sort)
# "ORDINAL NAME TARGET" per export; TARGET is "-" for our own code.
export_table() { "$(dirname "$0")/export-table.sh" "$1" | sort; }
for pe in pe pe32; do
    dll=$build/$pe/ws2/ws2_32.dll
    # Alike check-exports.sh's loop by design (both read tests/export-table.sh); this one also
    # holds the companion to the ordinals the supported Wines agree on.
    [ -f "$dll" ] || { check "$pe/ws2/ws2_32.dll is built" false; continue; }
    table=$(export_table "$dll")
    missing=$(comm -23 <(echo "$wine_names") <(awk '{print $2}' <<<"$table" | sort))
    check "$pe: every supported Wine's export is exported${missing:+ (missing: $(echo $missing))}" test -z "$missing"
    moved=$(comm -23 <(echo "$agreed") <(awk '{print $1, $2}' <<<"$table" | sort))
    check "$pe: every agreed ordinal is kept${moved:+ (not: $(echo $moved))}" test -z "$moved"
    moved=$(comm -23 <(echo "$explicit") <(awk '{print $1, $2}' <<<"$table" | sort))
    check "$pe: every ordinal explicit in the Wines' specs is kept${moved:+ (not: $(echo $moved))}" test -z "$moved"
    ours=$(awk '$3 == "-" {print $2}' <<<"$table" | sort)
    check "$pe: exactly the implemented names are our code" test "$ours" = "$implemented"
    stray=$(awk '$3 != "-" && $3 != "ws2wine." $2 {print $2 " -> " $3}' <<<"$table")
    check "$pe: every other name forwards to ws2wine.dll${stray:+ ($stray)}" test -z "$stray"
done
# The committed list against the specs themselves, where fetched (./iphlp test fetches them).
specs=("$build"/winetest/wine-*/dlls/ws2_32/ws2_32.spec)
if [ -f "${specs[0]}" ]; then
    check "def/ws2_32/spec-ordinals.txt is what the fetched specs number explicitly (${#specs[@]} specs)" \
        cmp -s <("$defs/spec-ordinals.sh" "${specs[@]}") <(grep -v '^#' "$defs/spec-ordinals.txt")
else
    echo "note: no fetched ws2_32.spec under $build/winetest: spec-ordinals.txt not re-derived"
fi
tmp=$(mktemp -d)
"$defs/gen-def.sh" "$tmp"
for f in ws2_32.def ws2_32-i686.def; do
    check "def/ws2_32/$f is what gen-def.sh makes" cmp -s "$tmp/$f" "$defs/$f"
done
rm -rf "$tmp"
echo "ws2-exports: $passed passed, $failed failed"
[ "$failed" = 0 ]
