#!/usr/bin/env bash
# A reservation survives the wineserver being shut down: create it, `wineserver -k`, then look it
# up from a fresh process and delete it (both halves check the token).
# Usage: run-persistence.sh CONFORMANCE_EXE
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exe=$1
out1=$("$root/iphlp" run "$exe" reservation_persist_create) || { echo "$out1"; exit 1; }
echo "$out1"
WINEPREFIX=${WINEPREFIX:-${IPHLP_BUILD_DIR:-$root/build}/wineprefix} wineserver -k || true
WINEPREFIX=${WINEPREFIX:-${IPHLP_BUILD_DIR:-$root/build}/wineprefix} wineserver -w || true
"$root/iphlp" run "$exe" reservation_persist_check
