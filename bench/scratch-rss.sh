#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The memory a large table call leaves in the calling thread: with N native loopback connections
# held (default 30,000, i.e. 60,000 TCP rows), bench/pe/rssbench.exe makes one GetTcpTable2 of
# the whole machine and then 100 small calls on the same thread, and prints its resident set
# before, after the large call and after the small ones. Median of RUNS (default 5) processes.
#
# Usage: bench/scratch-rss.sh BUILD_DIR [CONNECTIONS] [RUNS]   (scratch prefix BUILD_DIR/prefixes/bench-rss)
set -euo pipefail
build=$(cd "$1" && pwd) conns=${2:-30000} runs=${3:-5}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_prefix "$build" bench-rss
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
trap release_native EXIT
hold_native "$conns"

for ((r = 0; r < runs; r++)); do
    WINEDLLOVERRIDES=iphlpapi=n wine "$build/pe/bench/pe/rssbench.exe" | tr -d '\r'
done | awk '
    { rows = $2; b[NR] = $4; l[NR] = $6; s[NR] = $8 }
    function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } return a[int((n + 1) / 2)] }
    END { bm = med(b, NR); lm = med(l, NR); sm = med(s, NR)
          printf "%s rows, median of %d processes: RSS %d KiB after one small call, %d KiB after the large call (+%d), %d KiB after 100 small calls (+%d over the first)\n", rows, NR, bm, lm, lm - bm, sm, sm - bm }'
