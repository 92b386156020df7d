#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The export list committed for this Wine (def/wine-exports/wine-VERSION.txt) is the one its
# iphlpapi.dll has, for both architectures: the inputs of def/gen-def.sh are current.
# Runs where that Wine is installed (a platform root).
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/scripts/wine-paths.sh"
passed=0 failed=0
version=$(wine --version | sed -n 's/^wine-\([0-9]*\.[0-9]*\).*/\1/p')
list=$src/def/wine-exports/wine-$version.txt
for dir in "$WINE_LIBDIR_x86_64/x86_64-windows" "$WINE_LIBDIR_i386/i386-windows"; do
    if [ -f "$list" ] && cmp -s <("$src/def/list-exports.sh" "$dir/iphlpapi.dll") "$list"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $dir/iphlpapi.dll exports differ from $list:"
        diff <("$src/def/list-exports.sh" "$dir/iphlpapi.dll") "$list"
    fi
done
echo "wine-exports: $passed passed, $failed failed"
[ "$failed" = 0 ]
