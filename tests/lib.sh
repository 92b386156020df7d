# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the Wine test drivers (tests/run-*.sh). CTest runs them on the host, or inside a
# platform's root through platforms/in-root.sh (IPHLP_PLATFORM names it); either way each
# platform has its own scratch prefix under the build tree, and $WINEPREFIX is never used: a
# test must not touch a prefix the user did not hand it.
set -uo pipefail
IPHLP_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IPHLP_BUILD=${IPHLP_BUILD_DIR:?IPHLP_BUILD_DIR is set by CTest}
# shellcheck source=scripts/wine.sh
. "$IPHLP_SRC/scripts/wine.sh"
IPHLP_PLATFORM=${IPHLP_PLATFORM:-host}
TEST_PREFIX=$IPHLP_BUILD/prefixes/$IPHLP_PLATFORM
unset WINEPREFIX WINEDLLPATH
iphlp_wine_env "$TEST_PREFIX" "$IPHLP_BUILD/winedllpath"

passed=0 failed=0
check() { # DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what"; fi
}
finish() { # NAME: prints the closing line and exits with the verdict
    echo "$1: $passed passed, $failed failed"
    [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
    exit
}

# A program of the PE build for one bitness: pe_exe i686 conformance/conformance.exe
pe_exe() {
    case $1 in
        x86_64) printf '%s' "$IPHLP_BUILD/pe/$2" ;;
        i686) printf '%s' "$IPHLP_BUILD/pe32/$2" ;;
        *) echo "unknown Windows architecture '$1'" >&2; return 2 ;;
    esac
}

# Skip the whole test (CTest's SKIP_RETURN_CODE 77) when a bitness cannot run here.
require_arch() {
    iphlp_arch_available "$1" && return 0
    echo "skipped: no $1 Wine or build here"
    exit 77
}

# Run a Windows program under Wine with this project's DLL, within SECONDS.
win() { # SECONDS EXE [ARGS...]
    local limit=$1
    shift
    iphlp_ensure_prefix "$TEST_PREFIX" "$IPHLP_BUILD/winedllpath" || return 1
    iphlp_run_bounded "$limit" wine "$@"
}

# Start a Windows program in the background, waiting (within SECONDS) for its first line of
# output, which is returned in $started_line; its Unix PID is $started_pid. Its stderr (Wine's
# own messages among it) goes to OUTFILE.err.
win_start() { # SECONDS OUTFILE EXE [ARGS...]
    local limit=$1 out=$2 i
    shift 2
    iphlp_ensure_prefix "$TEST_PREFIX" "$IPHLP_BUILD/winedllpath" || return 1
    wine "$@" >"$out" 2>"$out.err" &
    started_pid=$!
    for ((i = 0; i < limit * 10; i++)); do
        started_line=$(head -n1 "$out" | tr -d '\r')
        [ -n "$started_line" ] && [ "$(wc -l <"$out")" -ge 1 ] && return 0
        kill -0 "$started_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "FAILED: $* printed nothing within $limit s:"
    cat "$out" "$out.err"
    return 1
}

# A plain Linux listener (not a Wine process): its port in $native_port.
start_native_listener() {
    local file i
    file=$(mktemp)
    rm -f "$file"
    "$IPHLP_BUILD/tests/native_listener" "$file" &
    native_pid=$!
    for ((i = 0; i < 100; i++)); do
        [ -s "$file" ] && break
        sleep 0.05
    done
    native_port=$(cat "$file" 2>/dev/null)
    rm -f "$file"
    [ -n "$native_port" ]
}
stop_native_listener() { kill "$native_pid" 2>/dev/null; wait "$native_pid" 2>/dev/null || true; }
