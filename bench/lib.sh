# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the benchmark scripts (bench/*.sh): a scratch prefix of the benchmark's own, never
# the user's $WINEPREFIX, and holders of native loopback connections.

# bench_prefix BUILD_DIR NAME: sources scripts/wine.sh and makes BUILD_DIR/prefixes/NAME the
# prefix of every `wine` that follows, staged with this build.
bench_prefix() {
    local build=$1 name=$2
    IPHLP_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) IPHLP_BUILD=$build
    # shellcheck source=scripts/wine.sh
    . "$IPHLP_SRC/scripts/wine.sh"
    unset WINEPREFIX WINEDLLPATH
    iphlp_wine_env "$build/prefixes/$name" "$build/winedllpath"
    iphlp_ensure_prefix "$WINEPREFIX" "$build/winedllpath"
}

# hold_native N: N loopback connections of plain Linux processes (bench/hold_connections), as
# many holders as the per-process fd limit needs; returns once all are connected. Needs $build.
holders=()
hold_native() {
    local left=$1 per=$((($(ulimit -Hn) - 64) / 2)) n ready i=0
    ready=$(mktemp -d)
    while [ "$left" -gt 0 ]; do
        n=$((left < per ? left : per))
        "$build/bench/hold_connections" "$n" </dev/null >"$ready/$i" &
        holders+=($!)
        left=$((left - n)) i=$((i + 1))
    done
    while [ "$(cat "$ready"/* 2>/dev/null | grep -c ready)" -lt "${#holders[@]}" ]; do sleep 0.2; done
    rm -rf "$ready"
}
# The holders reset their connections on SIGTERM: no TIME_WAIT is left behind.
release_native() {
    [ ${#holders[@]} = 0 ] && return 0
    kill -TERM "${holders[@]}" 2>/dev/null
    wait "${holders[@]}" 2>/dev/null || true
    holders=()
}
