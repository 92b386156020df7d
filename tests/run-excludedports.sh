#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# excludedports.exe end to end under Wine: add a block, see it in "show" (and, where this
# process may write it, in Linux's ip_local_reserved_ports), delete it, see it gone.
# Usage: run-excludedports.sh x86_64|i686
. "$(dirname "$0")/lib.sh"
arch=$1
require_arch "$arch"
exe=$(pe_exe "$arch" tools/excludedports.exe)
kernel=/proc/sys/net/ipv4/ip_local_reserved_ports
start=$((43000 + $$ % 500 * 4)) count=3 end=$((start + 2))
run() { win 120 "$exe" "$@" 2>&1 | tr -d '\r'; }
kernel_ports_listed() { # how many ports of the block the kernel file lists
    local list p n=0
    list=$(tr ',' '\n' <"$kernel")
    for ((p = start; p <= end; p++)); do
        awk -F- -v p=$p '($2 == "" && $1 == p) || ($1 <= p && p <= $2) {found=1} END {exit !found}' <<<"$list" && n=$((n + 1))
    done
    echo $n
}
writable=false
[ -w "$kernel" ] && writable=true

run delete excludedportrange protocol=tcp startport=$start numberofports=$count >/dev/null
out=$(run int ipv4 add excludedportrange protocol=tcp startport=$start numberofports=$count)
check "add answers Ok. ($out)" grep -q '^Ok\.' <<<"$out"
out=$(run show excludedportrange protocol=tcp)
check "show lists $start-$end" grep -Eq "^ *$start +$end +\*" <<<"$out"
if $writable; then
    check "show marks the block as mirrored into Linux" grep -Eq "^ *$start +$end +\* +\+" <<<"$out"
    check "Linux's ip_local_reserved_ports holds $start-$end" test "$(kernel_ports_listed)" = $count
else
    check "not mirrored where the kernel file is read-only" bash -c "! grep -Eq '^ *$start +$end +\* +\+' <<<\"\$0\"" "$out"
fi
out=$(run add excludedportrange protocol=tcp startport=$start numberofports=1)
check "overlapping add fails with error 32 ($out)" grep -q '(error 32)' <<<"$out"
out=$(run show excludedportrange protocol=udp)
check "the udp store does not hold the tcp block" bash -c "! grep -Eq '^ *$start ' <<<\"\$0\"" "$out"
out=$(run delete excludedportrange protocol=tcp startport=$start numberofports=$count)
check "delete answers Ok. ($out)" grep -q '^Ok\.' <<<"$out"
out=$(run show excludedportrange protocol=tcp)
check "show no longer lists the block" bash -c "! grep -Eq '^ *$start ' <<<\"\$0\"" "$out"
$writable && check "Linux's ip_local_reserved_ports holds none of the block" test "$(kernel_ports_listed)" = 0
out=$(run delete excludedportrange protocol=tcp startport=$start numberofports=$count)
check "second delete fails with error 1168 ($out)" grep -q '(error 1168)' <<<"$out"
out=$(win 120 "$exe" add excludedportrange protocol=sctp startport=1 numberofports=1 2>&1); rc=$?
check "bad arguments are refused with exit code 2 and the usage ($rc: $out)" bash -c '[ "$0" = 2 ] && grep -q "^usage: excludedports" <<<"$1"' "$rc" "$out"
finish excludedports
