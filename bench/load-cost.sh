#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What reaching the Unix side costs a fresh process: the first GetTcpTable2(NULL, &size) size
# probe of a new process (tablebench probe: loading iphlpbridge.dll, Wine's dlopen() of
# iphlpbridge.so, the loader's dlopen() of iphlp-unix.so, the build check, the forward-copy check,
# one count), beside the second probe of the same process (the count alone). Several build trees
# (this one and, say, one of an older commit) are measured in turns in one run, each in a scratch
# prefix of its own, so that the machine's drift hits all alike; Wine's builtin is the baseline.
# Then the loading alone, outside Wine (bench/dlopen_cost). Medians of RUNS processes.
# Usage: bench/load-cost.sh RUNS BUILD_DIR [BUILD_DIR...]   (the first tree's tablebench.exe is used)
set -euo pipefail
runs=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/wine-paths.sh
. "$here/../scripts/wine-paths.sh"
bench_exe=$1/pe/bench/pe/tablebench.exe
median() { sort -n | awk '{a[NR] = $1} END {print (NR ? a[int((NR + 1) / 2)] : "-")}'; }

# Each tree's environment (WINEPREFIX, WINEDLLPATH, WINEDLLOVERRIDES), set up once.
envs=()
for build in "$@"; do
    envs+=("$(
        # shellcheck source=bench/lib.sh
        . "$here/lib.sh"
        bench_prefix "$(cd "$build" && pwd)" load-cost >/dev/null
        printf 'WINEPREFIX=%q WINEDLLPATH=%q WINEDLLOVERRIDES=%q WINEDEBUG=-all' "$WINEPREFIX" "$WINEDLLPATH" "$WINEDLLOVERRIDES"
    )")
done
builtin_env="${envs[0]} WINEDLLOVERRIDES=iphlpapi=b"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
probe() { # INDEX ENV
    eval "env $2 wine \"\$bench_exe\" probe" 2>>"$out/$1.err" | tr -d '\r' | awk '/^probe/ {print $5, $7}' >>"$out/$1"
}
for ((i = 0; i < runs; i++)); do
    for ((b = 0; b < ${#envs[@]}; b++)); do probe "$b" "${envs[$b]}"; done
    probe builtin "$builtin_env"
done

echo "$(wine --version), $(nproc) cores, $runs fresh processes each"
printf '%-50s %12s %12s %10s\n' "iphlpapi.dll" "first us" "second us" "first/1st"
base=$(awk '{print $1}' "$out/0" | median)
row() { # LABEL FILE
    local first second
    first=$(awk '{print $1}' "$2" | median)
    second=$(awk '{print $2}' "$2" | median)
    printf '%-50s %12s %12s %10s\n' "$1" "$first" "$second" "$(awk -v a="$first" -v b="$base" 'BEGIN {printf "%.2f", a / b}')"
}
b=0
for build in "$@"; do
    row "ours: $build ($(cat "$build/build-id.txt"))" "$out/$b"
    if [ -s "$out/$b.err" ]; then sed 's/^/    stderr: /' "$out/$b.err" | sort | uniq -c | head -n 3; fi
    b=$((b + 1))
done
row "Wine's builtin" "$out/builtin"

# The loading alone, in fresh Linux processes (bench/dlopen_cost): dlopen() of the library Wine
# attaches and, for a loader, its first load_status (which loads iphlp-unix.so); ntdll.so is
# loaded before the clock starts, as it is under Wine. Five times as many runs: it is quick.
dlopen_cost=$1/bench/dlopen_cost
export LD_LIBRARY_PATH=$WINE_LIBDIR_x86_64/x86_64-unix
for ((i = 0; i < runs * 5; i++)); do
    b=0
    for build in "$@"; do
        if [ -f "$build/unix/iphlp-unix.so" ]; then
            "$dlopen_cost" "$build/unix/iphlpbridge.so" --loader
        else
            "$dlopen_cost" "$build/unix/iphlpbridge.so"
        fi >>"$out/dl$b"
        b=$((b + 1))
    done
done
# CPU time is the steadier figure on a busy machine: it leaves out the waits for a core.
printf '%-50s %12s %12s %10s\n' "Unix side, dlopen() in a fresh process" "wall us" "CPU us" "CPU/1st"
base=$(awk '{print $4}' "$out/dl0" | median)
b=0
for build in "$@"; do
    wall=$(awk '{print $2}' "$out/dl$b" | median)
    cpu=$(awk '{print $4}' "$out/dl$b" | median)
    printf '%-50s %12s %12s %10s\n' "$build" "$wall" "$cpu" "$(awk -v a="$cpu" -v b="$base" 'BEGIN {printf "%.2f", a / b}')"
    b=$((b + 1))
done
