# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by bench/run.sh: the rows where another Wine process holds the connections, so every
# row's owner must be found (docs/performance.md). For N = 2,000 and 8,000 connections, side by
# side in one run: the raw netlink dump ("dump"), this DLL ("ours") and the same Wine's builtin:
#  - first call: the first GetTcpTable2(Order=TRUE) of a fresh process (median of 9 processes,
#    each beside a dump taken just before it; the ratio is the median of those pairs' ratios);
#    "cold" = the first process after the holder started, before anything was learned;
#  - after new conn: a call right after the caller opened one new connection (median of 11);
#  - steady: repeated calls with nothing new (median of 11); both against the dump taken just
#    before and just after that process (averaged);
#  - wineserver CPU per call: wineserver's CPU time (/proc/PID/schedstat) across 20 more rounds of
#    "open a connection, call, call", divided by 40 calls (process start cancels out: the
#    difference of two runs);
#  - netstat -ano: wall time of this project's netstat.exe with this DLL, process start included,
#    beside the same command with N connections held by plain Linux processes (median of 7; a
#    Wine process holding one connection keeps wineserver up there too).
# Needs from run.sh: build, bench_exe, ours, builtin, hold_wine/release_wine,
# hold_native/release_native. IPHLP_OWNER_COUNTS="500 1000" measures other counts.

median() { sort -n | awk '{a[NR] = $1} END {print (NR ? a[int((NR + 1) / 2)] : "-")}'; }

# The wineserver of the bench prefix: the one working in its server-DEV-INO directory.
bench_server_pid() {
    local want p cwd
    want="server-$(stat -c %D "$WINEPREFIX")-$(printf '%x' "$(stat -c %i "$WINEPREFIX")")"
    for p in $(pgrep '^wineserver'); do
        cwd=$(readlink "/proc/$p/cwd" 2>/dev/null) || continue
        [ "${cwd##*/}" = "$want" ] && echo "$p" && return 0
    done
    return 1
}
server_cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }

# The first call of RUNS fresh processes, each beside a dump taken just before it (median of 5):
# this machine's speed drifts from one moment to the next (the dump alone ranges 2.7-4.3 ms at
# 4,000 sockets within minutes), so each call is compared with a dump of its own moment.
first_us() { # ORDER RUNS -> "CALL_US DUMP_US RATIO": the medians of the calls, dumps and ratios
    local i f
    for ((i = 0; i < $2; i++)); do
        f=$("$build/bench/netlink_floor" 5 | awk '{print $2}')
        WINEDLLOVERRIDES=iphlpapi=$1 wine "$bench_exe" first | awk -v f="$f" '/^first/ {print $5, f, $5 / f}'
    done >"$wdir/pairs"
    echo "$(cut -d' ' -f1 "$wdir/pairs" | median) $(cut -d' ' -f2 "$wdir/pairs" | median)" \
        "$(cut -d' ' -f3 "$wdir/pairs" | median)"
}
churn() { # ORDER RUNS -> "steady_us after_new_us"
    WINEDLLOVERRIDES=iphlpapi=$1 wine "$bench_exe" churn "$2" | awk '/^churn/ {print $5, $7}'
}
server_cpu_per_call_us() { # ORDER: wineserver CPU of 40 more calls (20 rounds), per call
    local pid a b c d
    pid=$(bench_server_pid) || { echo "-"; return; }
    a=$(server_cpu_ns "$pid"); churn "$1" 5 >/dev/null; b=$(server_cpu_ns "$pid")
    c=$(server_cpu_ns "$pid"); churn "$1" 25 >/dev/null; d=$(server_cpu_ns "$pid")
    awk -v short=$((b - a)) -v long=$((d - c)) 'BEGIN {printf "%.0f", (long - short) / 40 / 1000}'
}
netstat_ms() { # RUNS -> "NETSTAT_MS START_MS": median wall ms of netstat.exe -ano with this DLL,
    # and of a Wine process that only starts and exits (tablebench without arguments), taken in
    # turn: what process start alone costs in the same conditions
    local i t0 t1 t2 ns="" start=""
    for ((i = 0; i < $1; i++)); do
        t0=$(date +%s%N)
        WINEDLLOVERRIDES=iphlpapi=n wine "$build/pe/tools/netstat/netstat.exe" -ano >/dev/null 2>&1
        t1=$(date +%s%N)
        WINEDLLOVERRIDES=iphlpapi=n wine "$bench_exe" >/dev/null 2>&1
        t2=$(date +%s%N)
        ns+="$(((t1 - t0) / 1000000))"$'\n' start+="$(((t2 - t1) / 1000000))"$'\n'
    done
    echo "$(printf '%s' "$ns" | median) $(printf '%s' "$start" | median)"
}

owner_row() { # LABEL ROWS DUMP_US OURS_US WINE_US [UNIT]
    awk -v l="$1" -v r="$2" -v f="$3" -v o="$4" -v w="$5" -v u="${6:-ms}" 'BEGIN {
        ratio = (f > 0 && o != "-") ? sprintf("%.2f", o / f) : "-"
        wratio = (f > 0 && w != "-") ? sprintf("%.2f", w / f) : "-"
        printf "%-44s %7s %9.2f %9s %9s %9s %9s\n", l, r, f / 1000,
            (o == "-") ? "-" : sprintf("%.2f", o / 1000), (w == "-") ? "-" : sprintf("%.2f", w / 1000), ratio, wratio }'
}

# LABEL ROWS "CALL_US DUMP_US RATIO" (ours) "..." (the builtin's): first_us's paired medians.
paired_row() {
    awk -v l="$1" -v r="$2" -v o="$3" -v w="$4" 'BEGIN {
        split(o, a, " "); n = split(w, b, " ")
        printf "%-44s %7s %9.2f %9.2f %9s %9.2f %9s\n", l, r, a[2] / 1000, a[1] / 1000,
            (n == 3) ? sprintf("%.2f", b[1] / 1000) : "-", a[3], (n == 3) ? sprintf("%.2f", b[3]) : "-" }'
}

owner_rows() {
    local n wine_counts=(${IPHLP_OWNER_COUNTS:-2000 8000}) dump cold ours_first wine_first ours_churn wine_churn rows
    local ours_cpu wine_cpu wine_runs ns_wine ns_native churn_dump
    echo
    echo "Owners of Wine-held sockets ($(wine --version)); ms, medians; ratios to the dump"
    printf '%-44s %7s %9s %9s %9s %9s %9s\n' "scenario" rows "dump ms" "ours ms" "wine ms" "ours/dmp" "wine/dmp"
    for n in "${wine_counts[@]}"; do
        [ "$n" -le "$wine_max" ] || { echo "$n Wine conns: over the fd limit, skipped"; continue; }
        hold_wine "$n"
        # Wine 8.0's builtin takes about 0.3 ms per row: fewer of its runs at 8,000.
        wine_runs=5
        [ "$n" -gt 2000 ] && wine_runs=3
        dump=$("$build/bench/netlink_floor" 21 | awk '{print $2}')
        rows=$("$build/bench/netlink_floor" 1 | awk '{print $4}')
        cold=$(first_us n 1)
        ours_first=$(first_us n 9)
        wine_first=$(first_us b "$wine_runs")
        # The dump of the churn rows is taken just before and just after our churn process.
        churn_dump=$("$build/bench/netlink_floor" 11 | awk '{print $2}')
        ours_churn=$(churn n 11)
        churn_dump=$(( (churn_dump + $("$build/bench/netlink_floor" 11 | awk '{print $2}')) / 2 ))
        wine_churn=$(churn b "$wine_runs")
        ours_cpu=$(server_cpu_per_call_us n)
        wine_cpu="-"
        [ "$n" -le 2000 ] && wine_cpu=$(server_cpu_per_call_us b)
        dump=$(( (dump + $("$build/bench/netlink_floor" 21 | awk '{print $2}')) / 2 ))
        ns_wine=$(netstat_ms 7)
        release_wine
        paired_row "$n Wine conns: first call, cold" "$rows" "$cold" "-"
        paired_row "$n Wine conns: first call, fresh process" "$rows" "$ours_first" "$wine_first"
        owner_row "$n Wine conns: after a new connection" "$rows" "$churn_dump" "${ours_churn#* }" "${wine_churn#* }"
        owner_row "$n Wine conns: steady" "$rows" "$churn_dump" "${ours_churn% *}" "${wine_churn% *}"
        owner_row "$n Wine conns: wineserver CPU per call" "$rows" "$dump" "$ours_cpu" "$wine_cpu"
        # A Wine process holding one connection keeps wineserver running, as the holder did
        # (else every netstat would start a new wineserver, the map starting over with it).
        hold_native "$n"
        hold_wine 1
        ns_native=$(netstat_ms 7)
        release_wine
        release_native
        printf '%-44s %7s %9s %9s   native: %s ms, difference %+d ms\n' "$n conns: netstat -ano wall, Wine-held" "" "" \
            "${ns_wine% *}" "${ns_native% *}" $((${ns_wine% *} - ${ns_native% *}))
        printf '%-44s %7s %9s %9s   native: %s ms (process start alone, in turn with netstat)\n' \
            "$n conns: start of a Wine process, Wine-held" "" "" "${ns_wine#* }" "${ns_native#* }"
    done
}
