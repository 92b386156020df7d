#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs COMMAND in a network namespace of its own, so that the tests' port reservations land in
# that namespace's ip_local_reserved_ports and never in the machine's. The namespace has the
# loopback interface up and a veth pair (the dummy driver is not always there) whose first end
# has an IPv6 link-local address (fe80::1), for the scope-id checks. Everything in it ends with the command (./iphlp test ends the test
# prefixes' wineservers too, so none is left serving sockets of a namespace that is gone).
# Usage: private-network.sh COMMAND [ARGS...]
set -euo pipefail
if [ "${1:-}" != --inside ]; then
    exec unshare --net -- "$0" --inside "$@"
fi
shift
ip link set lo up
ip link add iphlp0 type veth peer name iphlp1
# No automatic link-local addresses: they would sit in duplicate detection (unbindable) for a
# second or two.
ip link set iphlp0 addrgenmode none
ip link set iphlp1 addrgenmode none
ip link set iphlp0 up
ip link set iphlp1 up
ip -6 addr add fe80::1/64 dev iphlp0 nodad
ip addr add 192.0.2.1/24 dev iphlp0
exec "$@"
