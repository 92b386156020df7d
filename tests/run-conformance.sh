#!/usr/bin/env bash
# Runs the conformance suite under Wine with this project's iphlpapi.dll, beside a listener
# owned by a non-Wine Linux process (its row must report PID 0).
# Usage: run-conformance.sh NATIVE_LISTENER CONFORMANCE_EXE [TEST...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
listener=$1 exe=$2
shift 2
coproc NATIVE { exec "$listener"; }
read -r port <&"${NATIVE[0]}"
export IPHLP_TEST_NATIVE_PORT=$port
status=0
"$root/iphlp" run "$exe" "$@" || status=$?
exec {NATIVE[1]}>&-
wait "$NATIVE_PID" || true
exit $status
