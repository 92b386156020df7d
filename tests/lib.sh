# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the Wine test drivers (tests/run-*.sh). CTest runs them on the host, or inside a
# platform's root through platforms/in-root.sh (IPHLP_PLATFORM names it); either way each
# platform and bitness has its own scratch prefix under the build tree, and $WINEPREFIX is never used: a
# test must not touch a prefix the user did not hand it.
set -uo pipefail
IPHLP_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IPHLP_BUILD=${IPHLP_BUILD_DIR:?IPHLP_BUILD_DIR is set by CTest}
# shellcheck source=scripts/wine.sh
. "$IPHLP_SRC/scripts/wine.sh"
IPHLP_PLATFORM=${IPHLP_PLATFORM:-host}
# One scratch prefix per platform and bitness (CTest's IPHLP_TEST_PREFIX), so that tests of
# different prefixes can run side by side; each prefix's tests hold its CTest lock.
TEST_PREFIX=$IPHLP_BUILD/prefixes/${IPHLP_TEST_PREFIX:-$IPHLP_PLATFORM}
unset WINEPREFIX WINEDLLPATH
iphlp_wine_env "$TEST_PREFIX" "$IPHLP_BUILD/winedllpath"

# A copy of a scratch prefix that shares its files by hard links (cp -al): each prefix is 1.3-1.4
# GB (Wine with 32-bit support fills system32 and syswow64), a linked copy about 1 MB. Everything
# is shared but the registry files (*.reg), which are copied: wineserver writes a registry file
# that has more than one link in place (truncate, then write; server/registry.c, save_branch), so
# a linked one would carry one prefix's registry into the others, and a prefix starting while
# another's server saves would read a truncated file (seen: "system.reg is not a valid registry
# file", then "could not load kernel32.dll"). Every other file is replaced by rename, never
# rewritten: scripts/wine.sh stages by rename (iphlp_put), and so does setup.sh.
link_prefix() { # SOURCE_DIR DEST_DIR
    cp -al "$1" "$2" || return
    local reg
    for reg in "$1"/*.reg; do
        [ -f "$reg" ] || continue
        cp --remove-destination "$reg" "$2/${reg##*/}" || return
    done
}

# The same, once: when DEST has no prefix yet and SOURCE has one, under SOURCE's lock (the one
# iphlp_ensure_prefix holds while it creates or stages the prefix).
clone_prefix() { # SOURCE_DIR DEST_DIR
    [ -f "$2/system.reg" ] || [ ! -f "$1/system.reg" ] && return 0
    (
        flock 9
        [ -f "$2/system.reg" ] && exit 0
        rm -rf "$2.tmp"
        link_prefix "$1" "$2.tmp" && mv -T "$2.tmp" "$2"
    ) 9>"$1.lock"
}

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

# A Wine installation of its own, for install tests that must not write the machine's Wine
# (/usr/lib/*/wine): DIR/bin/wine and DIR/lib/x86_64-linux-gnu/wine, Debian's layout under
# another root, each file a symbolic link to Debian's except those Wine resolves its own
# directories from (the loader and ntdll.so, copied: Wine takes its library directory from
# ntdll.so's real path) and iphlpapi.dll (the file a Wine upgrade replaces). A builtin put into DIR/lib/x86_64-linux-gnu/wine is found by this Wine
# only, as one put into /usr/lib/x86_64-linux-gnu/wine would be by the system's.
make_fake_wine() { # DIR
    local dir=$1 src sub f arch arches
    src=$(iphlp_wine_libdir x86_64)
    [ -x /usr/lib/wine/wine64 ] && [ -f "$src/x86_64-unix/ntdll.so" ] || return 1
    mkdir -p "$dir/bin" "$dir/lib/wine" "$dir/share"
    cp /usr/lib/wine/wine64 "$dir/lib/wine/wine64"
    # The i386 part too where this Wine has it (wine32): the 32-bit loader beside wine64, where
    # Wine looks for it, and the i386 library directory laid out as the x86_64 one.
    arches=(x86_64)
    if [ -x /usr/lib/wine/wine ] && [ -f "$(iphlp_wine_libdir i386)/i386-unix/ntdll.so" ]; then
        cp /usr/lib/wine/wine "$dir/lib/wine/wine"
        arches+=(i386)
    fi
    for arch in "${arches[@]}"; do
        src=$(iphlp_wine_libdir "$arch")
        for sub in $arch-unix $arch-windows; do
            mkdir -p "$dir/lib/$arch-linux-gnu/wine/$sub"
            for f in "$src/$sub"/*; do ln -s "$f" "$dir/lib/$arch-linux-gnu/wine/$sub/"; done
        done
        rm "$dir/lib/$arch-linux-gnu/wine/$arch-unix/ntdll.so" "$dir/lib/$arch-linux-gnu/wine/$arch-windows/iphlpapi.dll"
        cp "$src/$arch-unix/ntdll.so" "$dir/lib/$arch-linux-gnu/wine/$arch-unix/ntdll.so"
        # A real file, as in every Wine package: what an upgrade replaces.
        cp "$src/$arch-windows/iphlpapi.dll" "$dir/lib/$arch-linux-gnu/wine/$arch-windows/iphlpapi.dll"
    done
    ln -s /usr/share/wine "$dir/share/wine"
    ln -s "$(readlink -f "$(command -v wineserver)")" "$dir/bin/wineserver"
    cat >"$dir/bin/wine" <<'SH'
#!/bin/sh
here=$(dirname "$(readlink -f "$0")")
export WINELOADER="${WINELOADER:-$here/../lib/wine/wine64}"
exec "$here/../lib/wine/wine64" "$@"
SH
    chmod +x "$dir/bin/wine"
}

# A directory for PATH holding only the named programs (symbolic links), e.g. everything setup.sh
# needs without wine, or without any compiler.
minimal_path() { # DIR PROGRAM...
    local dir=$1 p
    shift
    mkdir -p "$dir"
    for p in "$@"; do
        command -v "$p" >/dev/null || { echo "minimal_path: $p not found" >&2; return 1; }
        ln -sf "$(command -v "$p")" "$dir/$p"
    done
}
# What setup.sh runs (besides Wine).
SETUP_TOOLS=(bash sh env dirname basename cat tr grep sed awk cp mv mkdir rm rmdir ln readlink cmp date
             timeout wc printf sleep flock id ls head tail sort mktemp)
