#!/usr/bin/env bash
# Every function Wine 8.0's iphlpapi.dll exports, plus the six persistent-reservation functions,
# must be exported by ours: a missing one would abort a program that imports it.
# Usage: check-exports.sh OUR_DLL WINE_DLL
set -euo pipefail
exports() { objdump -p "$1" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' | awk 'NR>1 && NF>=2 {print $NF}' | sort -u; }
want=$( { exports "$2"; printf '%s\n' CreatePersistentTcpPortReservation CreatePersistentUdpPortReservation \
    DeletePersistentTcpPortReservation DeletePersistentUdpPortReservation \
    LookupPersistentTcpPortReservation LookupPersistentUdpPortReservation; } | sort -u)
missing=$(comm -23 <(echo "$want") <(exports "$1"))
if [ -n "$missing" ]; then echo "missing exports:"; echo "$missing"; echo "0 passed, 1 failed"; exit 1; fi
echo "all $(echo "$want" | wc -l) exports present"
echo "1 passed, 0 failed"
