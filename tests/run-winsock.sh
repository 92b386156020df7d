#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Reservations that programs use, end to end through the ws2_32 companion, on one platform:
#  - a persistent TCP block created by one bitness is consumed by a program of each bitness the
#    way the LookupPersistentTcpPortReservation documentation shows (tcp_reservation_consume:
#    SIO_ASSOCIATE_PORT_RESERVATION, bind to port 0), which prints a port inside the block;
#  - a runtime block (SIO_ACQUIRE_PORT_RESERVATION) held by a process of one bitness refuses an
#    unassociated bind from the other with WSAEACCES and is in ip_local_reserved_ports; after a
#    kill -9 of its owner, the next call of any process reclaims it: the bind succeeds and the
#    kernel list no longer holds it;
#  - without the Unix side the control codes answer as Wine's own ws2_32.
# Usage: run-winsock.sh
. "$(dirname "$0")/lib.sh"
arches=()
for a in x86_64 i686; do iphlp_arch_available "$a" && arches+=("$a"); done
[ "${#arches[@]}" -gt 0 ] || { echo "skipped: no Wine or build here"; exit 77; }
start=$((43000 + $$ % 300 * 8)) count=4
out=$(mktemp)
in_list() { # PORT: is PORT inside a range of ip_local_reserved_ports?
    tr ',' '\n' </proc/sys/net/ipv4/ip_local_reserved_ports | awk -F- -v p="$1" \
        'NF { lo = $1; hi = NF > 1 ? $2 : $1; if (p >= lo && p <= hi) found = 1 } END { exit !found }'
}
not_in_list() { ! in_list "$1"; }

for creator in "${arches[@]}"; do
    win 120 "$(pe_exe "$creator" tests/examples/tcp_reservation.exe)" delete $start $count >/dev/null
    created=$(win 120 "$(pe_exe "$creator" tests/examples/tcp_reservation.exe)" create $start $count | tr -d '\r')
    check "$creator creates the block $start+$count ($created)" grep -Eq '^token 0x' <<<"$created"
    for consumer in "${arches[@]}"; do
        text=$(win 120 "$(pe_exe "$consumer" tests/examples/tcp_reservation_consume.exe)" $start $count | tr -d '\r')
        port=$(sed -n 's/^Port number allocated = \([0-9]*\)$/\1/p' <<<"$text")
        check "$consumer consumes $creator's block: port ${port:-none} in $start+$count" \
            test -n "$port" -a "${port:-0}" -ge $start -a "${port:-0}" -lt $((start + count))
        [ -n "$port" ] || echo "$text"
    done
    win 120 "$(pe_exe "$creator" tests/examples/tcp_reservation.exe)" delete $start $count >/dev/null
done

other() { [ "${#arches[@]}" = 2 ] && { [ "$1" = x86_64 ] && echo i686 || echo x86_64; } || echo "$1"; }
for owner in "${arches[@]}"; do
    prober=$(other "$owner")
    conf() { pe_exe "$1" conformance/conformance.exe; }
    win_start 120 "$out" "$(conf "$owner")" child runtime-hold || { failed=$((failed + 1)); continue; }
    read -r word rstart _ <<<"$started_line"
    check "$owner acquires a runtime block ($started_line)" test "$word" = acquired
    [ "$word" = acquired ] || { kill -9 "$started_pid"; continue; }
    answer=$(win 120 "$(conf "$prober")" child runtime-hold bind $((rstart + 1)) | tr -d '\r')
    check "$prober: an unassociated bind into $owner's runtime block gets WSAEACCES ($answer)" test "$answer" = "bind 10013"
    check "the runtime block is in ip_local_reserved_ports" in_list $((rstart + 1))
    # The Windows process may be a child of the started launcher (it is in the platform roots,
    # where it then stays a zombie: their init does not reap): kill -9 every process of this run that holds the block, found by its command line.
    holders=$(for p in /proc/[0-9]*; do
        tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q "conformance.exe child runtime-hold *$" && echo "${p#/proc/}"
    done)
    kill -9 $holders "$started_pid" 2>/dev/null
    wait "$started_pid" 2>/dev/null
    answer=$(win 120 "$(conf "$prober")" child runtime-hold bind $((rstart + 1)) | tr -d '\r')
    check "$prober: after kill -9 of the owner the port binds ($answer)" test "$answer" = "bind 0"
    check "and the block left ip_local_reserved_ports" not_in_list $((rstart + 1))
done
# Without the Unix side (a WINEDLLPATH with Wine's ws2_32 pair but no bridge) the companion
# still loads and forwards, and the three control codes answer as Wine's own ws2_32 does: the
# conformance suite's Winsock tests with stock Wine's failures expected.
nobridge=$(mktemp -d)
for arch in "${arches[@]}"; do
    unix=x86_64
    [ "$arch" = i686 ] && unix=i386
    mkdir -p "$nobridge/$unix-windows" "$nobridge/$unix-unix"
    cp "$IPHLP_BUILD/winedllpath/$unix-windows/ws2wine.dll" "$nobridge/$unix-windows/"
    cp -P "$IPHLP_BUILD/winedllpath/$unix-unix/ws2wine.so" "$nobridge/$unix-unix/"
    text=$(WINEDLLPATH=$nobridge win 300 "$(pe_exe "$arch" conformance/conformance.exe)" --expect builtin \
        winsock_associate_codes winsock_runtime_codes 2>/dev/null | tr -d '\r')
    check "$arch without the Unix side: the control codes answer as Wine's own ($(tail -n1 <<<"$text"))" \
        grep -Eq '^conformance: [1-9][0-9]* passed, 0 failed$' <<<"$text"
done
rm -rf "$out" "$out.err" "$nobridge"
finish winsock
