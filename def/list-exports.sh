#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Prints the exported names of a PE DLL, one per line, sorted.
# Usage: def/list-exports.sh path/to/iphlpapi.dll > def/wine-exports/wine-VERSION.txt
set -eu
objdump -p "$1" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' | awk 'NR>1 && NF>=2 {print $NF}' | sort -u
