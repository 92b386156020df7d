#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Prints the exported names of a PE DLL, one per line, sorted.
# Usage: def/list-exports.sh path/to/iphlpapi.dll > def/wine-exports/wine-VERSION.txt
set -eu
# The rows of the name table are "\t[ N] Name" (binutils 2.40) or "\t[ N] +base[ M]  HINT Name"
# (2.44, which also prints a column header): the name is the last field of a numbered row.
objdump -p "$1" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' | awk '/^\t\[ *[0-9]+\]/ {print $NF}' | sort -u
