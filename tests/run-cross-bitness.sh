#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# 32-bit and 64-bit programs of one prefix see each other: each bitness's GetTcpTable2 lists the
# other bitness's listener with that process's Windows PID, and a reservation created by one
# bitness is found by the other with the same token (one store per prefix). Wine's netstat -ano and
# ipconfig work in both bitnesses. Then the same prefix without the i386 Unix side (as after a
# build that could not make it): 32-bit programs still start, with stock Wine's answers, and
# 64-bit ones still see the 32-bit listener with its PID.
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
# Both bitnesses of Wine's own tools, by the path of their executables (the wine launcher would
# pick one bitness for both).
windows=$TEST_PREFIX/drive_c/windows
win_start 120 "$out" "$(pe_exe i686 conformance/conformance.exe)" child tcp-sockets || failed=$((failed + 1))
read -r _ port _ _ _ pid <<<"$started_line"
for dir in system32 syswow64; do
    # Wine's own netstat (no PID column; Wine 8's lists no listeners): it must load and answer.
    table=$(win 120 "$windows/$dir/netstat.exe" -ano | tr -d '\r')
    check "$dir netstat -ano loads and answers ($table)" grep -q 'Active Connections' <<<"$table"
    addresses=$(win 120 "$windows/$dir/ipconfig.exe" | tr -d '\r')
    check "$dir ipconfig lists the loopback adapter" grep -q 'adapter lo' <<<"$addresses"
done

# ---- without the i386 Unix side ----
nodll=$(mktemp -d)
cp -a "$IPHLP_BUILD/winedllpath/." "$nodll/"
rm -f "$nodll/i386-unix/iphlpbridge.so"
without() { WINEDLLPATH=$nodll iphlp_run_bounded 120 wine "$@" 2>"$out.err" | tr -d '\r'; }
stock() { WINEDLLOVERRIDES=iphlpapi=b iphlp_run_bounded 120 wine "$@" 2>/dev/null | tr -d '\r'; }
rows() { grep -o "local=[^ ]* remote=[^ ]*" | grep -E ":$port( |\$)" | sort; }
table=$(without "$(pe_exe i686 tests/examples/tcp_table2_list.exe)")
check "without the i386 Unix side, the i686 example starts and answers ($table)" grep -q '^Number of entries' <<<"$table"
check "... with stock Wine's rows for the listener" test "$(rows <<<"$table")" = "$(stock "$(pe_exe i686 tests/examples/tcp_table2_list.exe)" | rows)"
check "... and one line on stderr saying why" grep -q 'iphlpbridge.so' "$out.err"
table=$(without "$windows/syswow64/netstat.exe" -ano)
check "without the i386 Unix side, syswow64 netstat -ano works ($table)" grep -q 'Active Connections' <<<"$table"
addresses=$(without "$windows/syswow64/ipconfig.exe")
check "without the i386 Unix side, syswow64 ipconfig works" grep -q 'adapter lo' <<<"$addresses"
table=$(without "$(pe_exe x86_64 tests/examples/tcp_table2_list.exe)")
check "without the i386 Unix side, x86_64 still lists the i686 listener on $port with PID $pid" \
    grep -Eq "state=2 local=127\.0\.0\.1:$port remote=0\.0\.0\.0:0 pid=$pid\$" <<<"$table"
kill "$started_pid" 2>/dev/null
wait "$started_pid" 2>/dev/null
rm -rf "$nodll"
rm -f "$out" "$out.err"
finish cross-bitness
