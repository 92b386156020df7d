#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# iphlpbridge.so exports exactly one symbol, the unix-call table (unix/iphlpbridge.map).
# Usage: check-bridge-symbols.sh IPHLPBRIDGE_SO
set -uo pipefail
symbols=$(nm -D --defined-only "$1" | awk '{print $3}')
if [ "$symbols" = __wine_unix_call_funcs ]; then
    echo "bridge-symbols: 1 passed, 0 failed"
else
    echo "FAILED: $1 exports:" $symbols
    echo "bridge-symbols: 0 passed, 1 failed"
    exit 1
fi
