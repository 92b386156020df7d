#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# setup.sh: put iphlp into a Wine prefix (and, optionally, its Unix side into a Wine
# installation), or take it out again. The one installer: the distribution ships this file at its
# top, and ./iphlp install/uninstall run it from the distribution they lay out under build/, so
# what is tested is what users run. Needs only bash, coreutils, grep, sed and Wine.
#
#   setup.sh install [--system | --wine DIR] PREFIX
#   setup.sh install --system | --wine DIR          the Unix side into that Wine only
#   setup.sh uninstall [--purge] PREFIX
#   setup.sh uninstall --system | --wine DIR        take the Unix side out of that Wine
#
# --system      the Wine found on PATH: its library directory gets iphlpbridge.dll and
#               iphlpbridge.so, so every prefix that Wine runs finds them (no WINEDLLPATH)
# --wine DIR    another Wine installation: /usr (Debian), /opt/wine-stable (WineHQ), a Proton
#               directory (…/Proton 8.0 or its files/), or a library directory itself
# (neither)     the Unix side goes into PREFIX/iphlp; run Wine with WINEDLLPATH set to it
# --purge       also delete the prefix's port reservation store and take its blocks out of
#               /proc/sys/net/ipv4/ip_local_reserved_ports
#
# PREFIX is always named on the command line: $WINEPREFIX is never used, so that no prefix is
# changed that the user did not name. docs/install.md says what goes where, and why.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OVERRIDES_KEY='HKCU\Software\Wine\DllOverrides'
STORE_NAME=iphlp-reservations.sqlite3

say() { printf 'iphlp setup: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
q() { printf '%q' "$1"; } # a path as the user can paste it into a shell

usage() {
    sed -n '6,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
    exit 2
}

# Test hook: IPHLP_SETUP_FAIL_AT=STEP makes install stop right after STEP, as a crash or a full
# disk would (tests/run-install.sh interrupts every step and checks that uninstall undoes it).
step_done() {
    [ "${IPHLP_SETUP_FAIL_AT:-}" = "$1" ] || return 0
    say "stopping after step '$1' (IPHLP_SETUP_FAIL_AT)"
    exit 3
}

# ---- what this distribution holds ----

# This project's own files carry ProductName "iphlp" in their version resource
# (resources/version.rc); Wine's say "Wine". The resource is UTF-16: dropping the NUL bytes makes
# its ASCII text greppable without Windows tools.
# (grep reads to the end, without -q: an early exit would fail the pipe under pipefail.)
has_text() { tr -d '\0' <"$1" | grep -aF -- "$2" >/dev/null; } # FILE TEXT
is_ours() { [ -f "$1" ] && has_text "$1" ProductNameiphlp; }

BUILD_ID=$(cat "$HERE/VERSION" 2>/dev/null) || die "$HERE/VERSION is missing: this is not a complete iphlp distribution"

# Both halves of one bitness must be of this distribution's build: iphlpapi.dll refuses a Unix
# side of another build anyway, but a mixed distribution should fail here, before any change.
dist_arch_complete() { # UNIX_ARCH
    local d=$HERE/$1-windows f
    for f in "$d/iphlpapi.dll" "$d/iphlpbridge.dll" "$d/netstat.exe" "$HERE/$1-unix/iphlpbridge.so"; do
        [ -f "$f" ] || return 1
    done
    has_text "$d/iphlpapi.dll" "(build $BUILD_ID)" ||
        die "$d/iphlpapi.dll is not of build $BUILD_ID (VERSION): the distribution is mixed; unpack it again"
    grep -aqF "iphlp build $BUILD_ID" "$HERE/$1-unix/iphlpbridge.so" ||
        die "$HERE/$1-unix/iphlpbridge.so is not of build $BUILD_ID (VERSION): the distribution is mixed; unpack it again"
}

# ---- finding Wine ----

# A Wine library directory holds ARCH-windows/ and ARCH-unix/ntdll.so (Wine 8 and later).
is_libdir() { [ -f "$1/$2-unix/ntdll.so" ] && [ -d "$1/$2-windows" ]; }

# The library directory of one Unix architecture in a Wine installation DIR, by the layouts
# Debian (/usr/lib/<triplet>/wine), WineHQ (/opt/wine-*/lib{64,}/wine) and Proton
# (files/lib{64,}/wine) use.
find_libdir() { # DIR UNIX_ARCH
    local dir=$1 arch=$2 triplet c
    case $arch in x86_64) triplet=x86_64-linux-gnu ;; i386) triplet=i386-linux-gnu ;; esac
    for c in "$dir" "$dir/lib/$triplet/wine" "$dir/lib64/wine" "$dir/lib/wine" "$dir/files/lib64/wine" \
        "$dir/files/lib/wine" "$dir/dist/lib64/wine" "$dir/dist/lib/wine"; do
        if is_libdir "$c" "$arch"; then
            (cd "$c" && pwd -P)
            return 0
        fi
    done
    return 1
}

# The wine program of a Wine installation DIR.
find_wine_program() { # DIR
    local c
    for c in "$1/bin/wine" "$1/files/bin/wine" "$1/dist/bin/wine" "$1/bin/wine64" "$1/files/bin/wine64" \
        "$1/../../bin/wine" "$1/../../../bin/wine"; do
        [ -x "$c" ] && { printf '%s' "$c"; return 0; }
    done
    return 1
}

# Sets WINE (the program), WINESERVER, WINE_TOP (the installation) and LIBDIR_x86_64 /
# LIBDIR_i386 (empty when that architecture is missing). MODE is system, wine or path.
resolve_wine() { # MODE [DIR]
    local mode=$1 dir=${2:-} real
    if [ "$mode" = wine ]; then
        [ -d "$dir" ] || die "--wine $(q "$dir"): no such directory"
        WINE_TOP=$(cd "$dir" && pwd -P)
        WINE=$(find_wine_program "$WINE_TOP") ||
            die "--wine $(q "$dir"): no bin/wine (or files/bin/wine) in it; name the directory that holds bin/wine"
    else
        WINE=$(command -v wine) ||
            die "wine is not on PATH: install Wine (Debian: apt-get install wine wine64), or name one with --wine DIR"
        real=$(readlink -f "$WINE")
        WINE_TOP=$(dirname "$(dirname "$real")")
        # Debian's /usr/bin/wine is a script; the installation is /usr either way.
        [ "$(dirname "$WINE")" = /usr/bin ] && WINE_TOP=/usr
    fi
    LIBDIR_x86_64=$(find_libdir "$WINE_TOP" x86_64 || true)
    LIBDIR_i386=$(find_libdir "$WINE_TOP" i386 || true)
    [ -n "$LIBDIR_x86_64$LIBDIR_i386" ] ||
        die "no Wine library directory (ARCH-unix/ntdll.so, Wine 8 or later) under $(q "$WINE_TOP") (wine is $(q "$WINE"))"
    WINESERVER=$(dirname "$WINE")/wineserver
    [ -x "$WINESERVER" ] || WINESERVER=$(command -v wineserver || true)
    local out
    out=$("$WINE" --version 2>&1) || die "$(q "$WINE") --version failed: $out"
    WINE_VERSION=$out
}

libdir_of() { local v=LIBDIR_$1; printf '%s' "${!v}"; }

# setup.sh runs several short Wine commands in a row: one wineserver for all of them (it stays
# 5 s after the last), not one started and stopped per command.
keep_server() { WINEPREFIX=$PREFIX "$WINESERVER" -p5 >/dev/null 2>&1 || true; }

wine_in() { # PREFIX COMMAND...: Wine's own messages are kept for the error report
    local prefix=$1
    shift
    WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLPATH= WINEDLLOVERRIDES= "$WINE" "$@"
}

# ---- the prefix ----

# An absolute path whose parent exists; Wine's own reason when wineboot cannot make a prefix.
check_prefix_path() { # PREFIX
    local p=$1 parent
    [ -n "$p" ] || die "empty prefix path"
    case $p in /*) ;; *) p=$PWD/$p ;; esac
    parent=$(dirname "$p")
    [ -d "$parent" ] || die "cannot use prefix $(q "$p"): its parent directory $(q "$parent") does not exist"
    [ ! -e "$p" ] || [ -d "$p" ] || die "cannot use prefix $(q "$p"): it exists and is not a directory"
    PREFIX=$(cd "$parent" && pwd -P)/$(basename "$p")
}

make_prefix_if_needed() {
    local log created=0
    [ -f "$PREFIX/system.reg" ] && return 0
    [ -e "$PREFIX" ] || created=1
    say "creating Wine prefix $(q "$PREFIX") with $WINE_VERSION"
    if ! log=$(WINEPREFIX=$PREFIX WINEDLLOVERRIDES="mscoree,mshtml=" WINEDEBUG=-all timeout 300 "$WINE" wineboot -i 2>&1); then
        # Wine's own words: why it could not (not owned by you, read-only, …).
        say "wineboot could not create $(q "$PREFIX"):"
        printf '%s\n' "$log" | sed 's/^/    /' >&2
        [ "$created" = 1 ] && rm -rf -- "$PREFIX"
        exit 1
    fi
    # The new prefix's registry is written when its wineserver exits, just after wineboot's
    # programs: nothing else runs in a prefix this old, so this wait is short.
    WINEPREFIX=$PREFIX timeout 60 "$WINESERVER" -w || true
    [ -f "$PREFIX/system.reg" ] || die "wineboot made no system.reg in $(q "$PREFIX"): $log"
}

# Which prefix directory receives which Unix architecture: a 64-bit prefix takes x86_64 files in
# system32 and i386 ones in syswow64; a 32-bit prefix (#arch=win32) i386 ones in system32.
prefix_targets() { # prints "UNIX_ARCH WINDOWS_DIR_NAME"
    local windows=$PREFIX/drive_c/windows
    if grep -q '^#arch=win32' "$PREFIX/system.reg" 2>/dev/null; then
        echo "i386 system32"
    else
        echo "x86_64 system32"
        [ -d "$windows/syswow64" ] && echo "i386 syswow64"
    fi
    return 0
}

# The registry value NAME under DllOverrides, or nothing when it is absent.
read_override() { # NAME
    local out
    out=$(wine_in "$PREFIX" reg query "$OVERRIDES_KEY" /v "$1" 2>/dev/null | tr -d '\r') || return 0
    awk -v name="$1" 'tolower($1) == tolower(name) && $2 ~ /^REG_/ { $1 = $2 = ""; sub(/^ +/, ""); print; exit }' <<<"$out"
}

set_override() { # NAME VALUE (empty VALUE: delete)
    local out
    if [ -n "$2" ]; then
        out=$(wine_in "$PREFIX" reg add "$OVERRIDES_KEY" /v "$1" /d "$2" /f 2>&1) ||
            die "could not set the DLL override $1=$2 in $(q "$PREFIX"): $out"
    elif [ -n "$(read_override "$1")" ]; then
        out=$(wine_in "$PREFIX" reg delete "$OVERRIDES_KEY" /v "$1" /f 2>&1) ||
            die "could not delete the DLL override $1 in $(q "$PREFIX"): $out"
    fi
    return 0
}

# Copy by rename, only when the content differs: running Wine programs map these files, which must
# never be rewritten in place, and a half-written file must never carry the final name.
put() { # SRC DST
    cmp -s "$1" "$2" 2>/dev/null && [ ! -L "$2" ] && return 0
    mkdir -p "$(dirname "$2")"
    cp "$1" "$2.iphlp-tmp.$$" && mv -f "$2.iphlp-tmp.$$" "$2"
}

# ---- install ----

# What a prefix holds before this project's first install, kept in PREFIX/iphlp/original/ for
# uninstall. Recorded once, before anything changes, and never replaced: a second install (also
# after a failed one) keeps the first record. A file that is this project's own (left by an
# install whose record was lost) is never recorded as the original: Wine's own copy is.
record_original_file() { # WINDOWS_DIR_NAME FILE UNIX_ARCH
    local dir=$1 file=$2 arch=$3 src=$PREFIX/drive_c/windows/$1/$2 rec=$STATE/original/$1
    [ -e "$rec/$file" ] || [ -e "$rec/$file.absent" ] && return 0
    mkdir -p "$rec"
    if [ -f "$src" ] && ! is_ours "$src"; then
        cp -p "$src" "$rec/$file.tmp" && mv -f "$rec/$file.tmp" "$rec/$file"
    elif [ -f "$src" ] || [ -f "$(libdir_of "$arch")/$arch-windows/$file" ]; then
        # Ours, or missing while Wine has one: what wineboot puts there is Wine's own file.
        cp -p "$(libdir_of "$arch")/$arch-windows/$file" "$rec/$file.tmp" && mv -f "$rec/$file.tmp" "$rec/$file"
    else
        : >"$rec/$file.absent"
    fi
}

record_original_override() { # NAME
    local rec=$STATE/original/override.$1 value
    [ -e "$rec" ] && return 0
    value=$(read_override "$1")
    # "native" left by an install whose record was lost is ours, not the user's.
    if [ "$1" = iphlpapi ] && [ "$value" = native ] && is_ours "$PREFIX/drive_c/windows/system32/iphlpapi.dll"; then
        value=
    fi
    printf '%s\n' "$value" >"$rec.tmp" && mv -f "$rec.tmp" "$rec"
}

install_unix_side() { # UNIX_ARCH DEST_LIBDIR
    put "$HERE/$1-windows/iphlpbridge.dll" "$2/$1-windows/iphlpbridge.dll"
    put "$HERE/$1-unix/iphlpbridge.so" "$2/$1-unix/iphlpbridge.so"
}

# The arches this install covers: the Wine has them and the distribution carries them.
install_arches() {
    local arch
    for arch in x86_64 i386; do
        [ -n "$(libdir_of "$arch")" ] || continue
        if dist_arch_complete "$arch"; then
            echo "$arch"
        elif [ "$arch" = x86_64 ] || [ -n "${IPHLP_SETUP_VERBOSE:-}" ]; then
            say "this distribution has no $arch build: $arch programs keep Wine's own iphlpapi"
        fi
    done
}

cmd_install() {
    local mode=path wine_dir= arch dir libdir windows arches
    while [ $# -gt 0 ]; do
        case $1 in
            --system) mode=system ;;
            --wine) [ $# -ge 2 ] || usage; mode=wine; wine_dir=$2; shift ;;
            -h | --help) usage ;;
            -*) say "unknown option $1"; usage ;;
            *) break ;;
        esac
        shift
    done
    [ $# -le 1 ] || usage
    [ $# = 1 ] || [ "$mode" != path ] || { say "name the prefix: setup.sh install [--system | --wine DIR] PREFIX"; usage; }

    # ---- checks: nothing is changed until all of them pass ----
    resolve_wine "$mode" "$wine_dir"
    arches=$(install_arches)
    [ -n "$arches" ] || die "nothing to install: this distribution has no build for the architectures of $(q "$WINE_TOP")"
    if [ "$mode" != path ]; then
        for arch in $arches; do
            libdir=$(libdir_of "$arch")
            for dir in "$libdir/$arch-windows" "$libdir/$arch-unix"; do
                [ -w "$dir" ] || die "cannot write $(q "$dir"): run this as root (sudo), or install without --system/--wine (then WINEDLLPATH is needed)"
            done
        done
    fi
    if [ $# = 1 ]; then
        check_prefix_path "$1"
        make_prefix_if_needed
        windows=$PREFIX/drive_c/windows
        [ -d "$windows/system32" ] || die "$(q "$PREFIX") is not a Wine prefix (no drive_c/windows/system32)"
        [ -w "$windows/system32" ] || die "cannot write $(q "$windows/system32")"
        keep_server
        # The registry is changed through Wine: a wineserver of another Wine version already
        # serving the prefix would refuse, so find out now.
        local probe
        probe=$(wine_in "$PREFIX" reg query HKCU 2>&1) ||
            die "the Wine at $(q "$WINE") cannot work with $(q "$PREFIX"): $probe"
    fi
    step_done checks

    # ---- the Wine installation (shared by every prefix it runs) ----
    if [ "$mode" != path ]; then
        for arch in $arches; do install_unix_side "$arch" "$(libdir_of "$arch")"; done
        say "installed the Unix side into $(q "$WINE_TOP") ($(for a in $arches; do printf '%s ' "$(libdir_of "$a")"; done| sed 's/ $//'))"
    fi
    [ $# = 1 ] || return 0

    # ---- the prefix, in an order any step of which uninstall can undo ----
    STATE=$PREFIX/iphlp
    mkdir -p "$STATE/original"
    : >"$STATE/installing"
    while read -r arch dir; do
        grep -qx "$arch" <<<"$arches" || continue
        record_original_file "$dir" iphlpapi.dll "$arch"
        record_original_file "$dir" netstat.exe "$arch"
    done < <(prefix_targets)
    record_original_override iphlpapi
    record_original_override netstat.exe
    step_done record

    if [ "$mode" = path ]; then
        for arch in $arches; do install_unix_side "$arch" "$STATE"; done
        printf '%s\n' "$STATE" >"$STATE/unix-side"
    else
        printf '%s\n' "$WINE_TOP" >"$STATE/unix-side"
    fi
    step_done unix

    # Our iphlpapi.dll goes in last among the files, and the override after it: until then Wine
    # keeps loading its builtin, so every intermediate state works as stock Wine does.
    while read -r arch dir; do
        grep -qx "$arch" <<<"$arches" || continue
        put "$HERE/$arch-windows/iphlpbridge.dll" "$windows/$dir/iphlpbridge.dll"
        # A copy, not a link: Wine refuses a system32 file linking into its own library directory
        # (measured: c0000135). iphlpbridge.so refreshes it when Wine's own changes (a Wine
        # upgrade), at the first program start after it.
        put "$(readlink -f "$(libdir_of "$arch")/$arch-windows/iphlpapi.dll")" "$windows/$dir/iphlpwine.dll"
    done < <(prefix_targets)
    step_done bridge
    while read -r arch dir; do
        grep -qx "$arch" <<<"$arches" || continue
        put "$HERE/$arch-windows/iphlpapi.dll" "$windows/$dir/iphlpapi.dll"
        put "$HERE/$arch-windows/netstat.exe" "$windows/$dir/netstat.exe"
    done < <(prefix_targets)
    step_done files
    set_override iphlpapi native
    step_done override_iphlpapi
    # native,builtin: a prefix whose netstat.exe is put back by hand still has a working netstat.
    set_override netstat.exe native,builtin
    step_done override_netstat

    printf 'build %s\ninstalled %s\nwine %s\n' "$BUILD_ID" "$(date -u +%FT%TZ)" "$WINE_TOP" >"$STATE/installed.tmp"
    mv -f "$STATE/installed.tmp" "$STATE/installed"
    rm -f "$STATE/installing"
    say "installed into $(q "$PREFIX") (build $BUILD_ID, $WINE_VERSION)"
    say "programs already running in it keep the iphlpapi.dll they loaded until they restart"
    if [ "$mode" = path ]; then
        say "run Wine with:  export WINEDLLPATH=$(q "$STATE")\${WINEDLLPATH:+:\$WINEDLLPATH}"
        say "(without it, the socket tables come from Wine's own iphlpapi; install --system needs none)"
    fi
}

# ---- uninstall ----

# The reservations of the prefix, through its own installed DLL: "START END" per block.
list_reservations() { # PROTO
    local exe=$HERE/tools/excludedports.exe out
    out=$(WINEDLLPATH=$(reservation_dllpath) WINEPREFIX=$PREFIX WINEDEBUG=-all WINEDLLOVERRIDES=iphlpapi=n \
        timeout 120 "$WINE" "$exe" show excludedportrange protocol="$1" 2>&1 | tr -d '\r') || {
        printf '%s\n' "$out" >&2
        return 1
    }
    grep -q "Port Exclusion Ranges" <<<"$out" || { printf '%s\n' "$out" >&2; return 1; }
    awk '$3 == "*" { print $1, $2 }' <<<"$out"
}

reservation_dllpath() {
    local where
    where=$(cat "$STATE/unix-side" 2>/dev/null || true)
    [ "$where" = "$STATE" ] && printf '%s' "$STATE"
    return 0
}

# --purge: every reservation deleted through the DLL (which takes exactly this store's blocks out
# of ip_local_reserved_ports, never an administrator's), then the store itself.
purge_reservations() {
    local store=$PREFIX/$STORE_NAME proto start end left
    [ -e "$store" ] || { say "no port reservation store in $(q "$PREFIX")"; return 0; }
    for proto in tcp udp; do
        left=$(list_reservations "$proto") ||
            die "--purge: cannot read the reservations of $(q "$PREFIX") (is the Unix side installed? see above); nothing was removed"
        while read -r start end; do
            [ -n "$start" ] || continue
            WINEDLLPATH=$(reservation_dllpath) WINEPREFIX=$PREFIX WINEDEBUG=-all WINEDLLOVERRIDES=iphlpapi=n \
                timeout 120 "$WINE" "$HERE/tools/excludedports.exe" delete excludedportrange protocol="$proto" \
                startport="$start" numberofports=$((end - start + 1)) >/dev/null 2>&1 ||
                die "--purge: could not delete the $proto reservation $start-$end; nothing else was removed"
        done <<<"$left"
        left=$(list_reservations "$proto") || die "--purge: cannot read the reservations again"
        [ -z "$left" ] || die "--purge: $proto reservations remain after deleting them: $left"
    done
    rm -f -- "$store" "$store-wal" "$store-shm" "$store-journal"
    say "deleted the port reservation store $(q "$store") and its blocks in ip_local_reserved_ports"
}

# Without --purge the store stays (no data is ever lost): say what remains and how to remove it.
report_reservations() {
    local store=$PREFIX/$STORE_NAME n=0 proto list
    [ -e "$store" ] || return 0
    for proto in tcp udp; do
        list=$(list_reservations "$proto" 2>/dev/null) || { n=unknown; break; }
        [ -n "$list" ] && n=$((n + $(wc -l <<<"$list")))
    done
    say "kept the port reservation store $(q "$store") ($n reservations): they hold again if you reinstall, and"
    say "those the kernel list received stay in /proc/sys/net/ipv4/ip_local_reserved_ports until reboot;"
    say "to delete both: $(q "$HERE/setup.sh") uninstall --purge $(q "$PREFIX")"
}

restore_file() { # WINDOWS_DIR_NAME FILE
    local dst=$PREFIX/drive_c/windows/$1/$2 rec=$STATE/original/$1/$2
    if [ -f "$rec" ]; then
        put "$rec" "$dst"
    elif [ -e "$rec.absent" ]; then
        is_ours "$dst" && rm -f -- "$dst"
    fi
    return 0
}

restore_override() { # NAME
    local rec=$STATE/original/override.$1
    [ -e "$rec" ] || return 0
    set_override "$1" "$(cat "$rec")"
}

cmd_uninstall() {
    local mode=path wine_dir= purge=0 arch dir
    while [ $# -gt 0 ]; do
        case $1 in
            --purge) purge=1 ;;
            --system) mode=system ;;
            --wine) [ $# -ge 2 ] || usage; mode=wine; wine_dir=$2; shift ;;
            -h | --help) usage ;;
            -*) say "unknown option $1"; usage ;;
            *) break ;;
        esac
        shift
    done
    [ $# -le 1 ] || usage
    [ $# = 1 ] || [ "$mode" != path ] || { say "name the prefix: setup.sh uninstall [--purge] PREFIX"; usage; }
    resolve_wine "$mode" "$wine_dir"

    if [ $# = 1 ]; then
        check_prefix_path "$1"
        STATE=$PREFIX/iphlp
        [ -f "$PREFIX/system.reg" ] && keep_server
        if [ ! -d "$STATE/original" ]; then
            say "iphlp is not installed in $(q "$PREFIX")"
            [ "$purge" = 0 ] || say "--purge: nothing to purge through (install first to reach the store)"
        else
            [ "$purge" = 1 ] && purge_reservations
            [ "$purge" = 1 ] || report_reservations
            restore_override netstat.exe
            restore_override iphlpapi
            while read -r arch dir; do
                restore_file "$dir" iphlpapi.dll
                restore_file "$dir" netstat.exe
                rm -f -- "$PREFIX/drive_c/windows/$dir/iphlpwine.dll" "$PREFIX/drive_c/windows/$dir/iphlpbridge.dll"
            done < <(prefix_targets)
            rm -rf -- "$STATE"/{x86_64,i386}-{windows,unix} "$STATE/unix-side" "$STATE/installed" "$STATE/installing"
            rm -rf -- "$STATE/original"
            rmdir -- "$STATE" 2>/dev/null || true
            say "uninstalled from $(q "$PREFIX"): Wine's own iphlpapi.dll and netstat.exe are back"
        fi
    fi

    if [ "$mode" != path ]; then
        for arch in x86_64 i386; do
            dir=$(libdir_of "$arch")
            [ -n "$dir" ] || continue
            [ -e "$dir/$arch-unix/iphlpbridge.so" ] || [ -e "$dir/$arch-windows/iphlpbridge.dll" ] || continue
            rm -f -- "$dir/$arch-unix/iphlpbridge.so" "$dir/$arch-windows/iphlpbridge.dll" ||
                die "cannot remove the Unix side from $(q "$dir") (run as root?)"
            say "removed the Unix side from $(q "$dir"): prefixes with iphlp installed now get Wine's own socket tables"
        done
    elif [ $# = 1 ]; then
        :
    fi
}

case "${1:-}" in
    install) shift; cmd_install "$@" ;;
    uninstall) shift; cmd_uninstall "$@" ;;
    *) usage ;;
esac
