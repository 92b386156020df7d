#!/usr/bin/env bash
# Runs the conformance suite under Wine with this project's iphlpapi.dll, beside a listener
# owned by a non-Wine Linux process (its row must report PID 0). With IPHLP_EXPECT_SOURCE
# (netlink or procfs), also checks through IPHLP_DEBUG's trace that every table came from that
# reader.
# Usage: run-conformance.sh NATIVE_LISTENER CONFORMANCE_EXE [TEST...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
listener=$1 exe=$2
shift 2
coproc NATIVE { exec "$listener"; }
# Bash unsets a coproc's variables once it has reaped it: keep copies.
listener_pid=$NATIVE_PID listener_in=${NATIVE[1]}
read -r port <&"${NATIVE[0]}"
export IPHLP_TEST_NATIVE_PORT=$port IPHLP_DEBUG=1
trace=$(mktemp)
status=0
"$root/iphlp" run "$exe" "$@" 2>"$trace" || status=$?
exec {listener_in}>&-
wait "$listener_pid" || true
grep -v '^iphlp: [a-z0-9]* table: ' "$trace" >&2 || true
if [ -n "${IPHLP_EXPECT_SOURCE:-}" ]; then
    tables=$(grep -c '^iphlp: [a-z0-9]* table: ' "$trace" || true)
    others=$(grep '^iphlp: [a-z0-9]* table: ' "$trace" | grep -vc "rows from $IPHLP_EXPECT_SOURCE\$" || true)
    echo "reader check: $tables table calls, $others not from $IPHLP_EXPECT_SOURCE"
    if [ "$tables" = 0 ] || [ "$others" != 0 ]; then status=1; fi
fi
rm -f "$trace"
exit $status
