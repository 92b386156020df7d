#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# 32-bit and 64-bit programs of one prefix see each other: each bitness's GetTcpTable2 lists the
# other bitness's listener with that process's Windows PID, and a reservation created by one
# bitness is found by the other with the same token (one store per prefix).
# Usage: run-cross-bitness.sh
. "$(dirname "$0")/lib.sh"
require_arch x86_64
require_arch i686
out=$(mktemp)
other() { [ "$1" = x86_64 ] && echo i686 || echo x86_64; }

for owner in x86_64 i686; do
    viewer=$(other $owner)
    win_start 120 "$out" "$(pe_exe $owner conformance/conformance.exe)" child tcp-sockets || { failed=$((failed + 1)); continue; }
    read -r _ port _ _ _ pid <<<"$started_line"
    table=$(win 120 "$(pe_exe "$viewer" tests/examples/tcp_table2_list.exe)" | tr -d '\r')
    check "$viewer GetTcpTable2 lists the $owner listener on port $port with PID $pid" \
        grep -Eq "state=2 local=127\.0\.0\.1:$port remote=0\.0\.0\.0:0 pid=$pid\$" <<<"$table"
    kill "$started_pid" 2>/dev/null
    wait "$started_pid" 2>/dev/null
done

start=$((47000 + $$ % 400 * 5)) count=4
reservation() { # ARCH create|lookup|delete
    win 120 "$(pe_exe "$1" tests/examples/tcp_reservation.exe)" "$2" $start $count | tr -d '\r'
}
for creator in x86_64 i686; do
    finder=$(other $creator)
    reservation $creator delete >/dev/null # a leftover of an interrupted run
    created=$(reservation $creator create)
    found=$(reservation "$finder" lookup)
    check "$creator creates $start+$count ($created)" grep -Eq '^token 0x[0-9a-f]{16}$' <<<"$created"
    check "$finder finds it with the same token ($found)" test "$found" = "$created"
    deleted=$(reservation "$finder" delete)
    check "$finder deletes it ($deleted)" test "$deleted" = deleted
    gone=$(reservation $creator lookup)
    check "$creator no longer finds it ($gone)" test "$gone" = "error 1168"
done
rm -f "$out" "$out.err"
finish cross-bitness
