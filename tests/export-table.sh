#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The export table of a PE file, one export a line: "ORDINAL NAME TARGET", sorted by name;
# TARGET is "-" for the file's own code, the forward's target otherwise. Read with objdump -p:
# the name table gives each name's ordinal index, the address table what is behind it.
# Usage: export-table.sh DLL      (used by check-exports.sh and check-ws2-exports.sh)
set -euo pipefail
objdump -p "$1" | awk '
    /^Export Address Table -- Ordinal Base/ { base = $NF; eat = 1; next }
    /^\[Ordinal\/Name Pointer\] Table/ { eat = 0; names = 1; next }
    eat && /^\t\[/ { i = $2; sub(/\]/, "", i); gsub(/[\[\] ]/, "", i); target[i + 0] = /Forwarder RVA/ ? $NF : "-" }
    names && NF == 0 { names = 0 }
    names && /^\t\[ *[0-9]+\]/ { o = $0; sub(/^\t\[ */, "", o); sub(/\].*/, "", o); print o + base, $NF, target[o + 0] }
' | sort -k2
