#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Prints "ORDINAL NAME" for every export that each given Wine ws2_32.spec numbers explicitly,
# with the same ordinal and name in all of them. The spec's other entries ("@") get their
# ordinal from winebuild, by position, so they move when Wine adds a name (Wine 10.0 added
# WSCGetApplicationCategory and moved 118-131 by one). The explicit ones are the Windows
# Sockets 1.1 table (1-23, 51-57, 101-116, 151, and WEP at 500) that programs import by ordinal.
# tests/winetest/fetch.sh fetches the specs (BUILD/winetest/wine-VERSION/dlls/ws2_32/ws2_32.spec).
# Usage: def/ws2_32/spec-ordinals.sh SPEC... > def/ws2_32/spec-ordinals.txt
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: spec-ordinals.sh SPEC..." >&2; exit 2; }
for spec in "$@"; do
    # "ORDINAL TYPE [-FLAGS...] NAME[(ARGS)] [IMPLEMENTATION]"; comments start with "#".
    awk '$1 ~ /^[0-9]+$/ { i = 3; while ($i ~ /^-/) i++; name = $i; sub(/\(.*/, "", name); print $1, name }' \
        "$spec" | sort -u
done | sort | uniq -c | awk -v n=$# '$1 == n { print $2, $3 }' | sort -n
