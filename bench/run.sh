#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ./iphlp bench: GetTcpTable2 and GetExtendedTcpTable(TCP_TABLE_OWNER_PID_ALL) through this
# project's iphlpapi.dll and through the same Wine's builtin, beside the raw netlink dump of the
# same sockets, in one run; then the persistent reservation latencies. Medians; ratios at the end.
#
# Usage: bench/run.sh BUILD_DIR [--quick|--owners]
#   --quick:  Wine's builtin only at 1,000 connections (Wine 8.0's needs about 0.3 ms per row,
#             i.e. seconds per call at 30,000 connections)
#   --owners: only the rows of sockets held by another Wine process (bench/owners.sh: first call
#             of a fresh process, call after a new connection, wineserver CPU, netstat -ano)
# Runs on the host, or inside a platform root (./iphlp bench does both); its scratch prefix is
# BUILD_DIR/prefixes/bench-PLATFORM, never the user's.
set -euo pipefail
build=$1
quick=${2:-}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_prefix "$build" "bench-${IPHLP_PLATFORM:-host}"
bench_exe=$build/pe/bench/pe/tablebench.exe
# 10,000 Wine-held connections are 20,000 sockets in wineserver and in the holder: raise the
# limit (root may), else take the hard limit as it is.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
ulimit -n "$(ulimit -Hn)"
# wineserver holds every Wine socket: restart it under this fd limit.
wineserver -k 2>/dev/null || true
wineserver -w 2>/dev/null || true

ours() { WINEDLLOVERRIDES=iphlpapi=n wine "$bench_exe" "$@"; }
builtin() { WINEDLLOVERRIDES=iphlpapi=b wine "$bench_exe" "$@"; }

echo "$(wine --version), kernel $(uname -r), $(nproc) cores"
[ "$quick" = --owners ] ||
    printf '%-38s %7s %9s %9s %9s %10s %9s %9s\n' "scenario / function" rows "floor ms" "ours ms" "wine ms" "wine rows" "ours/flr" "wine/ours"
measure() { # LABEL BUILTIN_RUNS (0 = skip)
    local label=$1 builtin_runs=$2 floor before after ours_out wine_out=""
    # The floor is taken before and after our calls and averaged: this machine's load drifts.
    before=$("$build/bench/netlink_floor" 21 | awk '{print $2}')
    ours_out=$(ours tables 11)
    after=$("$build/bench/netlink_floor" 21 | awk '{print $2}')
    floor=$(( (before + after) / 2 ))
    [ "$builtin_runs" -gt 0 ] && wine_out=$(builtin tables "$builtin_runs")
    awk -v label="$label" -v floor="$floor" -v wine="$wine_out" '
        BEGIN { n = split(wine, lines, "\n"); for (i = 1; i <= n; i++) { split(lines[i], f, " "); w[f[1]] = f[5]; wn[f[1]] = f[3] } }
        { ws = ($1 in w) ? sprintf("%.1f", w[$1] / 1000) : "-"; wr = ($1 in w) ? sprintf("%.0fx", w[$1] / $5) : "-"
          printf "%-38s %7s %9.2f %9.2f %9s %10s %9.2f %9s\n", label " " $1, $3, floor / 1000, $5 / 1000, ws, ($1 in wn) ? wn[$1] : "-", $5 / floor, wr }
    ' <<<"$ours_out"
}


for n in 1000 10000 30000; do
    [ "$quick" = --owners ] && break
    hold_native "$n"
    runs=1
    [ "$n" = 1000 ] && runs=3
    [ -n "$quick" ] && [ "$n" != 1000 ] && runs=0
    measure "$n native conns" "$runs"
    release_native
done

# Connections held by a Wine process: owners must be resolved for every row. The holder runs
# until its stdin (a FIFO held open here) closes.
hold_wine() {
    local n=$1 i
    wdir=$(mktemp -d)
    mkfifo "$wdir/in"
    WINEDLLOVERRIDES=iphlpapi=n wine "$bench_exe" hold "$n" <"$wdir/in" >"$wdir/out" 2>&1 &
    wholder=$!
    exec {wine_in}>"$wdir/in"
    for ((i = 0; i < 6000; i++)); do
        grep -q '^ready' "$wdir/out" 2>/dev/null && return 0
        kill -0 "$wholder" 2>/dev/null || break
        sleep 0.1
    done
    echo "the Wine holder of $n connections did not get ready:" >&2
    cat "$wdir/out" >&2
    return 1
}
release_wine() {
    exec {wine_in}>&-
    wait "$wholder" || true
    rm -rf "$wdir"
}
# wineserver holds every Wine socket, so it needs two fds per Wine-held connection: where the
# hard limit is below 20,000 + what wineserver needs besides (here: 20,000 and no
# CAP_SYS_RESOURCE to raise it), the large scenario holds as many as fit.
wine_max=$(( ($(ulimit -Hn) - 400) / 2 ))
# shellcheck source=bench/owners.sh
. "$IPHLP_SRC/bench/owners.sh"
if [ "$quick" = --owners ]; then
    owner_rows
    exit 0
fi
# The same rounds as for native connections above, deliberately spelled out again: the holder
# differs (a Wine process), and so do the counts wineserver's fd limit allows.
for n in 1000 $((wine_max < 10000 ? wine_max : 10000)); do
    hold_wine "$n"
    runs=1
    [ "$n" = 1000 ] && runs=3
    [ -n "$quick" ] && [ "$n" != 1000 ] && runs=0
    measure "$n Wine conns" "$runs"
    release_wine
done

owner_rows

echo
echo "Persistent reservations through the API (median of 201 rounds):"
ours reservations 201
echo "(single = one call into a large enough buffer; ours/flr uses it. pair = size probe + fill.)"

echo
echo "The ws2_32 companion's cost per call outside reserved blocks (docs/winsock.md):"
wineserver -k 2>/dev/null || true
"$IPHLP_SRC/bench/ws2-bench.sh" "$build" 5 2000 x86_64
if iphlp_arch_available i686; then "$IPHLP_SRC/bench/ws2-bench.sh" "$build" 5 2000 i686; fi
