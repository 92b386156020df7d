#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The owner map shared between processes (unix/owners/owner_file.cpp) under Wine: the
# conformance suite's owner tests pass with the map written and read by fresh processes, and
# still pass when the map is corrupt, from a wineserver that was restarted, or in a directory or
# file that is not this user's alone (then it is neither read nor written).
# Usage: run-owners-shared.sh x86_64|i686
. "$(dirname "$0")/../lib.sh"
arch=$1
require_arch "$arch"
scratch=$(mktemp -d)
trap 'chown -R "$(id -u)" "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
export IPHLP_OWNER_DIR=$scratch/owners IPHLP_DEBUG=1
exe=$(pe_exe "$arch" conformance/conformance.exe)
owner_tests=(tcp_table2_own_sockets tcp_table2_other_process tcp_table2_native_owner extended_tcp_other_process)

suite() { # the owner tests; IPHLP_DEBUG's trace in $scratch/trace
    local status=0
    start_native_listener || return 1
    IPHLP_TEST_NATIVE_PORT=$native_port win 300 "$exe" "${owner_tests[@]}" >"$scratch/out" 2>"$scratch/trace" ||
        status=$?
    stop_native_listener
    [ "$status" = 0 ] || cat "$scratch/out" "$scratch/trace"
    return $status
}
map_file() { ls "$IPHLP_OWNER_DIR"/owners-* 2>/dev/null | grep -v '\.tmp\|\.checks$' | head -n1; }
read_map() { grep -q '^iphlp: owners: .*shared map read' "$scratch/trace"; }

check "owner tests pass, the map is written" suite
map=$(map_file)
check "the map is a private file" test -n "$map" -a "$(stat -c %a "$IPHLP_OWNER_DIR" 2>/dev/null)" = 700
check "owner tests pass with the map shared" suite
check "fresh processes read the map" read_map
# A fresh process whose map accounts for every socket confirms the map's processes one by one
# (open, creation and exit time) instead of listing every process: netstat.exe, twice, beside a
# Wine process holding sockets; the second run must name the holder's listener from the map.
confirmed_by_map() {
    local holder netstat info pid port status=0 i
    holder=$(pe_exe "$arch" tools/netstat/netstat_holder.exe)
    netstat=$(pe_exe "$arch" tools/netstat/netstat.exe)
    coproc HOLDER { win 120 "$holder" 2>/dev/null; }
    local holder_in=${HOLDER[1]} holder_out=${HOLDER[0]} holder_job=$HOLDER_PID
    if read -r -t 120 info <&"$holder_out" && [[ $info == pid=* ]]; then
        info=${info%$'\r'}
        pid=${info#pid=} pid=${pid%% *}
        port=${info#*tcp4_listen=} port=${port%% *}
        for i in 1 2; do
            win 120 "$netstat" -ano -p tcp >"$scratch/out" 2>"$scratch/trace" || status=1
        done
        grep -Eq "TCP +0\.0\.0\.0:$port +0\.0\.0\.0:0 +LISTENING +$pid\b" "$scratch/out" || status=1
        grep -q '^iphlp: owners: .*its processes confirmed' "$scratch/trace" || status=1
        ! grep -q '^iphlp: owners: .*processes listed' "$scratch/trace" || status=1
        [ "$status" = 0 ] || cat "$scratch/out" "$scratch/trace"
    else
        echo "netstat_holder did not start: ${info:-no output}"
        status=1
    fi
    exec {holder_in}>&-
    wait "$holder_job" 2>/dev/null
    return $status
}
check "a fresh process confirms the map's processes instead of listing them" confirmed_by_map

# A corrupt map: every 97th byte flipped.
size=$(stat -c %s "$map")
for ((at = 80; at < size; at += 97)); do
    printf '\xff' | dd of="$map" bs=1 seek="$at" conv=notrunc status=none
done
check "owner tests pass with a corrupt map" suite

# The map of a wineserver that has been restarted since.
cp "$map" "$scratch/old-map"
wineserver -k 2>/dev/null
wineserver -w 2>/dev/null
cp "$scratch/old-map" "$map"
check "owner tests pass after a wineserver restart" suite

# A map that is group-writable is not read, and the next save replaces it.
map=$(map_file)
chmod 620 "$map"
old_inode=$(stat -c %i "$map")
check "owner tests pass with a group-writable map" suite
check "... which is replaced by a private one" test "$(stat -c %a "$(map_file)")" = 600 -a \
    "$(stat -c %i "$(map_file)")" != "$old_inode"

# A directory of another user: neither read nor written.
if [ "$(id -u)" = 0 ]; then
    rm -f "$IPHLP_OWNER_DIR"/*
    chown 65534 "$IPHLP_OWNER_DIR"
    check "owner tests pass with another user's directory" suite
    check "... which is neither read nor written" test -z "$(map_file)"
fi
finish "owners_shared ($arch)"
