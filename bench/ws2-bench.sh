#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The ws2_32 companion's added cost per bind / connect / closesocket outside reserved blocks:
# ws2bench.exe through the companion (ws2_32=n,b) and through the same Wine's own ws2_32
# (ws2_32=b), alternating ROUNDS times in one run; the medians of the per-round medians, side by
# side, and the difference. TCP connect includes the loopback handshake, so its difference is
# the noisiest.
# Usage: bench/ws2-bench.sh BUILD_DIR [ROUNDS] [ITERATIONS] [x86_64|i686]
set -euo pipefail
build=$(cd "$1" && pwd) rounds=${2:-5} iterations=${3:-2000} arch=${4:-x86_64}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_prefix "$build" "bench-${IPHLP_PLATFORM:-host}"
exe=$build/pe/bench/pe/ws2bench.exe
[ "$arch" = i686 ] && exe=$build/pe32/bench/pe/ws2bench.exe
out=$(mktemp -d)
for ((r = 0; r < rounds; r++)); do
    WINEDLLOVERRIDES="ws2_32=n,b;iphlpapi=n" wine "$exe" "$iterations" | tr -d '\r' >>"$out/companion"
    WINEDLLOVERRIDES="ws2_32=b;iphlpapi=n" wine "$exe" "$iterations" | tr -d '\r' >>"$out/stock"
done
echo "$(wine --version) $arch, $rounds rounds of $iterations calls each; medians in microseconds"
printf '%-18s %10s %10s %10s\n' operation companion stock added
awk 'FNR == 1 { side = FILENAME ~ /companion$/ ? "c" : "s" }
     { v[side, $1] = v[side, $1] " " $2; ops[$1] = 1 }
     function median(list,   a, n, i, j, t) { n = split(list, a, " ")
         for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
         return a[int((n + 1) / 2)] }
     END { for (op in ops) { c = median(v["c", op]) / 1000; s = median(v["s", op]) / 1000
           printf "%-18s %10.2f %10.2f %10.2f\n", op, c, s, c - s } }' "$out/companion" "$out/stock" | sort
rm -rf "$out"
