#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Two `./iphlp run`s at once share one prefix and one wineserver, and both get their answers
# and their exit codes (iphlpstat exits 0; a missing program gives wine's non-zero code). They
# run in the test prefix (lib.sh sets WINEPREFIX, which `./iphlp run` honours).
# Usage: run-concurrent.sh IPHLPSTAT_EXE
. "$(dirname "$0")/lib.sh"
root=$IPHLP_SRC
exe=$1
dir=$(mktemp -d)
iphlp_run_bounded 300 "$root/iphlp" run "$exe" --demo >"$dir/a" 2>&1 & a=$!
iphlp_run_bounded 300 "$root/iphlp" run "$exe" --demo >"$dir/b" 2>&1 & b=$!
wait $a; ra=$?
wait $b; rb=$?
iphlp_run_bounded 120 "$root/iphlp" run "$dir/no-such-program.exe" >/dev/null 2>&1; rc=$?
for r in a b; do
    if grep -q '<- this process' "$dir/$r"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: run $r"; cat "$dir/$r"; fi
done
[ "$ra" = 0 ] && [ "$rb" = 0 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAILED: exit codes $ra $rb"; }
[ "$rc" != 0 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAILED: a missing program exited 0"; }
rm -rf "$dir"
finish concurrent
