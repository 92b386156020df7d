#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The two Unix libraries export one symbol each (unix/iphlpbridge.map, unix/iphlp-unix.map):
# the loader Wine attaches, iphlpbridge.so, the unix-call table ntdll looks for; the Unix side,
# iphlp-unix.so, the table the loader looks for. And the loader needs libc only, so that Wine can
# always load it and it can name what the Unix side lacks (unix/bridge_loader.c).
# Usage: check-bridge-symbols.sh IPHLPBRIDGE_SO IPHLP_UNIX_SO
set -uo pipefail
passed=0 failed=0
exports() { # SO EXPECTED
    local symbols
    symbols=$(nm -D --defined-only "$1" | awk '{print $3}')
    if [ "$symbols" = "$2" ]; then
        passed=$((passed + 1))
    else
        echo "FAILED: $1 exports:" $symbols "(expected $2)"
        failed=$((failed + 1))
    fi
}
exports "$1" __wine_unix_call_funcs
exports "$2" iphlp_unix_funcs
needed=$(readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
if [ "$needed" = "libc.so.6 " ]; then
    passed=$((passed + 1))
else
    echo "FAILED: $1 needs $needed(expected libc.so.6 only)"
    failed=$((failed + 1))
fi
echo "bridge-symbols: $passed passed, $failed failed"
[ "$failed" = 0 ]
