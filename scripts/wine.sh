# SPDX-License-Identifier: LGPL-2.1-or-later
# How this project lays its files into a Wine prefix and runs Windows programs there; sourced by
# ./iphlp, the Wine tests (tests/lib.sh) and the benchmark. Needs IPHLP_SRC (the source tree)
# and IPHLP_BUILD (the build tree) set by the caller.
#
# One prefix serves both bitnesses: 64-bit files go to system32, 32-bit ones to syswow64, and the
# bridge's builtin DLL and Unix library of each go under one WINEDLLPATH directory
# ($IPHLP_BUILD/winedllpath/{x86_64,i386}-{windows,unix}), where Wine's loader looks for them.

# shellcheck source=scripts/wine-paths.sh
. "$IPHLP_SRC/scripts/wine-paths.sh"

# The Windows bitnesses: "WINDOWS_ARCH PE_BUILD_DIR PREFIX_DIR UNIX_ARCH UNIX_SO".
iphlp_arches() {
    echo "x86_64 pe system32 x86_64 $IPHLP_BUILD/unix/iphlpbridge.so"
    echo "i686 pe32 syswow64 i386 $IPHLP_BUILD/unix-i386/unix/iphlpbridge.so"
}

iphlp_wine_libdir() { # UNIX_ARCH
    local var=WINE_LIBDIR_$1
    printf '%s' "${!var}"
}

# Can this machine run programs of that Windows bitness with this project's DLL? (The Wine of
# that architecture and both halves of our build are there.)
iphlp_arch_available() { # WINDOWS_ARCH
    local arch pe dir unix so
    while read -r arch pe dir unix so; do
        [ "$arch" = "$1" ] || continue
        [ -f "$(iphlp_wine_libdir "$unix")/$unix-windows/iphlpapi.dll" ] && [ -f "$IPHLP_BUILD/$pe/dll/iphlpapi.dll" ] &&
            [ -f "$so" ] && [ -f "${so%/*}/iphlp-unix.so" ]
        return
    done < <(iphlp_arches)
    return 1
}

# Copy only when the content changed, and by rename: a running Wine process maps these files,
# so they must never be rewritten in place.
iphlp_put() { # SRC DST
    cmp -s "$1" "$2" 2>/dev/null && return 0
    mkdir -p "$(dirname "$2")"
    cp "$1" "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"
}

# Lay out every bitness the Wine has: our iphlpapi.dll, the Wine's own iphlpapi.dll renamed to
# iphlpwine.dll (target of the forwarded exports, taken from the Wine that runs the prefix) and
# the bridge's placeholder in the prefix; the bridge's builtin DLL and .so under DLLPATH. The PE
# side is staged even when that bitness's .so was not built: without its Unix side our DLL answers
# with Wine's own implementation, as stock Wine would, so a bitness is never left without an
# iphlpapi.dll that loads.
iphlp_stage() { # WINDOWS_DIR DLLPATH
    local windows=$1 dllpath=$2 arch pe dir unix so wines file
    while read -r arch pe dir unix so; do
        wines=$(iphlp_wine_libdir "$unix")/$unix-windows/iphlpapi.dll
        [ -f "$wines" ] && [ -f "$IPHLP_BUILD/$pe/dll/iphlpapi.dll" ] && [ -d "$windows/$dir" ] || continue
        iphlp_put "$IPHLP_BUILD/$pe/dll/iphlpapi.dll" "$windows/$dir/iphlpapi.dll"
        iphlp_put "$IPHLP_BUILD/$pe/dll/iphlpbridge.dll" "$windows/$dir/iphlpbridge.dll"
        iphlp_put "$wines" "$windows/$dir/iphlpwine.dll"
        iphlp_put "$IPHLP_BUILD/$pe/dll/iphlpbridge.dll" "$dllpath/$unix-windows/iphlpbridge.dll"
        # The Unix side proper first, then the loader Wine attaches, which loads it (docs/design.md);
        # each only when built (a file of an older build must not stay), and the loader says what
        # is missing.
        for file in "${so%/*}/iphlp-unix.so" "$so"; do
            if [ -f "$file" ]; then
                iphlp_put "$file" "$dllpath/$unix-unix/${file##*/}"
            else
                rm -f "$dllpath/$unix-unix/${file##*/}"
            fi
        done
        iphlp_stage_ws2 "$windows/$dir" "$dllpath" "$pe" "$unix"
    done < <(iphlp_arches)
}

# The ws2_32 companion (docs/winsock.md): our ws2_32.dll, and the Wine's own ws2_32.dll renamed to
# ws2wine.dll, which its forwards reach. Wine starts that copy only with its Unix library, which
# it looks for as ws2wine.so beside the ws2wine.dll it finds in WINEDLLPATH, and it loads the
# builtin from there (the system32 copy only makes it found): both are links to the Wine's
# ws2_32.dll and ws2_32.so, so the pair always is the running Wine's, in each platform root too
# (the links' absolute paths resolve to that root's Wine), as scripts/setup.sh installs them.
iphlp_stage_ws2() { # PREFIX_DIR DLLPATH PE_BUILD_DIR UNIX_ARCH
    local dir=$1 dllpath=$2 pe=$3 unix=$4 wine
    wine=$(iphlp_wine_libdir "$unix")
    [ -f "$IPHLP_BUILD/$pe/ws2/ws2_32.dll" ] && [ -f "$wine/$unix-unix/ws2_32.so" ] || return 0
    iphlp_put "$IPHLP_BUILD/$pe/ws2/ws2_32.dll" "$dir/ws2_32.dll"
    iphlp_put "$wine/$unix-windows/ws2_32.dll" "$dir/ws2wine.dll"
    iphlp_link "$wine/$unix-windows/ws2_32.dll" "$dllpath/$unix-windows/ws2wine.dll"
    iphlp_link "$wine/$unix-unix/ws2_32.so" "$dllpath/$unix-unix/ws2wine.so"
}

# A symbolic link, made by rename (a program starting meanwhile finds the old one or the new one),
# only when it is not that link already.
iphlp_link() { # TARGET LINK
    [ -L "$2" ] && [ "$(readlink "$2")" = "$1" ] && return 0
    mkdir -p "$(dirname "$2")"
    ln -sfn "$1" "$2.tmp.$$" && mv -fT "$2.tmp.$$" "$2"
}

# native,builtin: ours where it is staged, Wine's builtin elsewhere. A plain "native" refuses the
# builtin-marked file Wine keeps in syswow64 (measured: every 32-bit program failed to load with
# "iphlpapi.dll not found", exit 53), so a bitness we did not stage would be worse than stock.
IPHLP_OVERRIDE="iphlpapi=native,builtin"

iphlp_wine_env() { # PREFIX DLLPATH
    export WINEPREFIX=$1
    export WINEDLLPATH=$2${WINEDLLPATH:+:$WINEDLLPATH}
    # IPHLP_WS2=0: Wine's own ws2_32 instead of the companion (the staged copy is then unused).
    local ws2="ws2_32=native,builtin;"
    [ "${IPHLP_WS2:-1}" = 0 ] && ws2="ws2_32=builtin;"
    export WINEDLLOVERRIDES="${ws2}$IPHLP_OVERRIDE${WINEDLLOVERRIDES:+;$WINEDLLOVERRIDES}"
    export WINEDEBUG=${WINEDEBUG:--all}
}

# The wine32 trap: a 64-bit prefix made while the Wine had no 32-bit part has no 32-bit system
# files (Wine 8.0 leaves syswow64 empty; measured), and once wine32 is installed Wine cannot
# start any program in it (could not load kernel32.dll, c0000135). True when PREFIX is such a
# prefix and this Wine now has its i386 part.
iphlp_wine32_trap() { # PREFIX
    [ -f "$1/system.reg" ] && [ -d "$1/drive_c/windows/system32" ] && [ ! -f "$1/drive_c/windows/syswow64/kernel32.dll" ] &&
        ! grep -q '^#arch=win32' "$1/system.reg" && [ -f "$WINE_LIBDIR_i386/i386-unix/ntdll.so" ]
}

# Create the prefix once (no Mono/Gecko prompts) and keep the staged files current. Locked, so
# concurrent runs share one prefix and one wineserver without racing the set-up. Wine's own
# error output is shown when wineboot fails. OWNER "scratch" (this project's own prefix) is
# recreated when it fell into the wine32 trap; a user's prefix never is: the user is told.
iphlp_ensure_prefix() { # PREFIX DLLPATH [OWNER]
    local prefix=$1 dllpath=$2 owner=${3:-scratch} log
    mkdir -p "$(dirname "$prefix")"
    (
        flock 9
        if iphlp_wine32_trap "$prefix"; then
            if [ "$owner" = scratch ]; then
                printf 'iphlp: recreating %s: it was made by a Wine without 32-bit support (no 32-bit system files), which this Wine now has\n' "$prefix" >&2
                WINEPREFIX=$prefix timeout 30 wineserver -k 2>/dev/null
                rm -rf "$prefix"
            else
                printf 'iphlp: %s was made by a Wine without 32-bit support (no 32-bit system files), and this Wine now has it:\n' "$prefix" >&2
                printf 'iphlp: Wine cannot start programs there (could not load kernel32.dll, c0000135). Use a new prefix, or remove wine32.\n' >&2
                exit 1
            fi
        fi
        if [ ! -f "$prefix/system.reg" ]; then
            printf 'iphlp: creating Wine prefix %s\n' "$prefix" >&2
            log=$(WINEPREFIX=$prefix WINEDLLOVERRIDES="mscoree,mshtml=" WINEDEBUG=-all \
                timeout 300 wine wineboot -i 2>&1 >/dev/null) || {
                printf 'iphlp: wineboot failed for %s:\n%s\n' "$prefix" "$log" >&2
                exit 1
            }
            WINEPREFIX=$prefix timeout 60 wineserver -w || true
        fi
        iphlp_stage "$prefix/drive_c/windows" "$dllpath"
    ) 9>"$prefix.lock"
}

# Run a command with a time limit. On expiry the command is killed, and so is the prefix's
# wineserver (with every Windows program of that prefix): a hung Wine program must fail one test,
# not leave a server behind that stalls the next. Exit code 124 then.
iphlp_run_bounded() { # SECONDS COMMAND...
    local limit=$1 rc=0
    shift
    timeout --kill-after=10 "$limit" "$@" || rc=$?
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        printf 'iphlp: %s did not finish within %s s; ending the wineserver of %s\n' "$*" "$limit" "$WINEPREFIX" >&2
        timeout 30 wineserver -k 2>/dev/null || true
        return 124
    fi
    return "$rc"
}
