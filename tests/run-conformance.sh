#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs the conformance suite of one bitness under Wine with this project's iphlpapi.dll, beside
# a listener owned by a plain Linux process (its row must report PID 0). With
# IPHLP_EXPECT_SOURCE (netlink or procfs), also checks through IPHLP_DEBUG's trace that every
# table came from that reader.
# With IPHLP_EXPECT_BUILTIN=1 the suite checks Wine's own iphlpapi.dll instead, expecting its
# known failures ("--expect builtin"): the comparison in the README is this run's output.
# Usage: run-conformance.sh x86_64|i686 [TEST...]
. "$(dirname "$0")/lib.sh"
arch=$1
shift
require_arch "$arch"
expect=()
if [ "${IPHLP_EXPECT_BUILTIN:-}" = 1 ]; then
    # Stock Wine: its own iphlpapi and ws2_32.
    export WINEDLLOVERRIDES="iphlpapi=b;ws2_32=b"
    expect=(--expect builtin)
fi
start_native_listener || { echo "FAILED: the native listener did not start"; exit 1; }
export IPHLP_TEST_NATIVE_PORT=$native_port IPHLP_DEBUG=1
trace=$(mktemp)
status=0
win 900 "$(pe_exe "$arch" conformance/conformance.exe)" "${expect[@]}" "$@" 2>"$trace" || status=$?
stop_native_listener
grep -v '^iphlp: [a-z0-9]* table: \|^iphlp: owners: ' "$trace" >&2 || true
# Owners must come from wineserver's fd table, not from probing every socket (correct but
# slow: a Wine 10.0 change once hid the server from the old way of finding it).
if [ -z "${IPHLP_EXPECT_BUILTIN:-}" ]; then
    owner_calls=$(grep -c '^iphlp: owners: ' "$trace" || true)
    unreadable=$(grep -c '^iphlp: owners: .*wineserver fds unreadable' "$trace" || true)
    echo "owner check: $owner_calls owner lookups, $unreadable without wineserver's fd table"
    if [ "$owner_calls" = 0 ] || [ "$unreadable" != 0 ]; then status=1; fi
fi
if [ -n "${IPHLP_EXPECT_SOURCE:-}" ]; then
    tables=$(grep -c '^iphlp: [a-z0-9]* table: ' "$trace" || true)
    others=$(grep '^iphlp: [a-z0-9]* table: ' "$trace" | grep -vc "rows from $IPHLP_EXPECT_SOURCE\$" || true)
    echo "reader check: $tables table calls, $others not from $IPHLP_EXPECT_SOURCE"
    if [ "$tables" = 0 ] || [ "$others" != 0 ]; then status=1; fi
fi
rm -f "$trace"
exit $status
