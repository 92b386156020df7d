#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Wall time of `netstat -ano` under Wine, as a script calling it sees it (process start included):
# this project's netstat.exe with this project's iphlpapi.dll and with Wine's builtin one, and
# Wine's own netstat.exe with both, at several connection counts. Median of RUNS runs; "rows"
# is the number of table rows printed (Wine's netstat prints no listeners, no UDP, no PIDs).
#
# Usage: bench/netstat-bench.sh [BUILD_DIR] [RUNS]     (run ./iphlp build first)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
runs=${2:-3}
ours_exe=$build/pe/tools/netstat/netstat.exe
# A scratch prefix of its own, never the user's $WINEPREFIX (./iphlp run honours the variable).
export WINEPREFIX=$build/prefixes/bench-netstat
"$root/iphlp" run "$ours_exe" '/?' 2>/dev/null || true # creates and stages the prefix
export WINEDLLPATH=$build/winedllpath WINEDEBUG=-all
ulimit -n "$(ulimit -Hn)"
dir=$(mktemp -d)
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
cleanup() { release_native; rm -rf "$dir"; }
trap cleanup EXIT

# median wall ms and printed rows of: DLL_ORDER PROGRAM ARGS...
measure() {
    local order=$1 t0 t1 times=() rows
    shift
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s%N)
        WINEDLLOVERRIDES=iphlpapi=$order wine "$@" >"$dir/out" 2>/dev/null
        t1=$(date +%s%N)
        times+=($(((t1 - t0) / 1000000)))
    done
    rows=$(grep -cE '^  (TCP|UDP) ' "$dir/out" || true)
    printf '%s %s' "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$rows"
}

row() { # LABEL
    local a b c d s
    s=$(measure n "$ours_exe" '/?')
    a=$(measure n "$ours_exe" -ano); b=$(measure b "$ours_exe" -ano)
    c=$(measure b netstat -ano); d=$(measure n netstat -ano)
    printf '%-22s %9s | %9s %6s | %9s %6s | %9s %6s | %9s %6s\n' "$1" "${s% *}" ${a} ${b} ${c} ${d}
}


echo "median of $runs runs, wall ms (rows printed); 'start' = netstat.exe /? (process start, no table)"
printf '%-22s %9s | %16s | %16s | %16s | %16s\n' "" "start" "ours + our DLL" "ours + builtin" "Wine's + builtin" "Wine's + our DLL"
row "idle machine"
for n in ${NETSTAT_BENCH_COUNTS:-1000 10000}; do
    hold_native "$n"
    row "$n native conns"
    release_native
done
coproc WHOLD { WINEDLLOVERRIDES=iphlpapi=n exec wine "$build/pe/bench/pe/tablebench.exe" hold 1000; }
whold_pid=$WHOLD_PID whold_in=${WHOLD[1]}
read -r _ <&"${WHOLD[0]}"
row "1000 Wine conns"
exec {whold_in}>&-
wait "$whold_pid" || true
