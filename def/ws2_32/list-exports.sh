#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Prints the exports of a PE DLL as "ORDINAL NAME", one per line, by ordinal. ws2_32 needs the
# ordinals, not only the names: programs import it by ordinal (MinGW's and the SDK's import
# libraries do for the classic Winsock functions).
# Usage: def/ws2_32/list-exports.sh path/to/ws2_32.dll > def/ws2_32/wine-exports/wine-VERSION.txt
set -eu
# The name table's rows are "\t[ N] Name" (binutils 2.40: N is the ordinal minus the base) or
# "\t[ N] +base[ M]  HINT Name" (2.44: M is the ordinal).
objdump -p "$1" | awk '
    /^Ordinal Base/ && base == "" { base = $3 }
    /\[Ordinal\/Name Pointer\] Table/ { names = 1; next }
    names && /^$/ { names = 0 }
    names && /^\t\[ *[0-9]+\]/ {
        if ($0 ~ /\+base\[/) { match($0, /\+base\[ *[0-9]+\]/); s = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", s); ord = s + 0 }
        else { s = $0; sub(/^\t\[ */, "", s); sub(/\].*/, "", s); ord = s + base }
        print ord, $NF
    }' | sort -n
