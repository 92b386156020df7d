#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# setup.sh: put iphlp into a Wine prefix (and, optionally, its Unix side into a Wine
# installation), or take it out again. The one installer: the distribution ships this file at its
# top, and ./iphlp install/uninstall run it from the distribution they lay out under build/, so
# what is tested is what users run. Needs only bash, coreutils, grep, sed and Wine. The usage is
# help_text below; docs/install.md says what goes where, and why.
set -euo pipefail

say() { printf 'iphlp setup: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
q() { printf '%q' "$1"; } # a path as the user can paste it into a shell

help_text() {
    cat <<'EOF'
setup.sh: put iphlp into a Wine prefix (and, optionally, its Unix side into a Wine
installation), or take it out again. Needs only bash, coreutils, grep, sed and Wine.

usage:
  setup.sh install [--system | --wine DIR] [--winsock] PREFIX
  setup.sh install --system | --wine DIR       the Unix side into that Wine only
  setup.sh uninstall [--purge] PREFIX          PREFIX back to Wine's own files and overrides
  setup.sh uninstall --system | --wine DIR     take the Unix side out of that Wine
  setup.sh uninstall [--purge] --system | --wine DIR PREFIX
                                               both at once
  setup.sh --help                              this text

options:
  --system      the Wine found on PATH: its library directory gets iphlpbridge.dll and the
                Unix side, so every prefix that Wine runs finds them (no WINEDLLPATH)
  --wine DIR    another Wine installation: /usr (Debian), /opt/wine-stable (WineHQ), a Proton
                directory (.../Proton 8.0 or its files/), or a library directory itself
  (neither)     the Unix side goes into PREFIX/iphlp; run Wine with WINEDLLPATH set to it, and
                WINEDLLOVERRIDES as printed (the ws2_32 companion's override)
  --winsock     also the ws2_32 companion, for programs that use port reservation tokens
                (SIO_ASSOCIATE_PORT_RESERVATION): Winsock programs of the prefix then need this
                Wine (or WINEDLLPATH as printed); without it, Wine's own ws2_32 stays
  --purge       also delete the prefix's port reservation store and take its blocks out of
                /proc/sys/net/ipv4/ip_local_reserved_ports (works after a plain uninstall too)
  -h, --help    this text

PREFIX is always named on the command line: $WINEPREFIX is never used, so that no prefix is
changed that you did not name. A path with a newline or another control character is refused.
README.md, beside this script, says what goes where, and why.
EOF
}

usage_error() { # MESSAGE
    say "$1"
    say "usage: setup.sh install [--system | --wine DIR] [--winsock] PREFIX, or uninstall [--purge] [--system | --wine DIR] PREFIX; setup.sh --help says more"
    exit 2
}

# Paths are taken exactly. One with a newline or another control character is refused, never
# shortened: command substitution drops trailing newlines, so "PFX<newline>" would act on PFX.
# For the same reason no path in this script goes through $(...).
refuse_control_chars() { # WHAT PATH
    case $2 in
        *[[:cntrl:]]*) die "refusing $1 $(q "$2"): it contains a newline or another control character" ;;
    esac
    return 0
}

# DIR's physical path (links resolved) into the variable VAR, exactly.
physical_dir() { # VAR DIR (locals are _-named: VAR is the caller's)
    local _old=$PWD
    cd -P -- "$2" 2>/dev/null || return 1
    printf -v "$1" '%s' "$PWD"
    cd -- "$_old"
}

# FILE's real path (every link resolved) into the variable VAR, exactly (readlink -z ends it
# with a NUL, not a newline).
real_path() { # VAR FILE (locals are _-named: VAR is the caller's)
    local _real
    IFS= read -r -d '' _real < <(readlink -zf -- "$2") || return 1
    printf -v "$1" '%s' "$_real"
}

# The program NAME on PATH into the variable VAR (type -P would print it, and printing loses
# trailing newlines).
find_on_path() { # VAR NAME
    local dir dirs
    IFS=: read -r -a dirs <<<"$PATH"
    for dir in "${dirs[@]}"; do
        [ -n "$dir" ] && [ -x "$dir/$2" ] && [ ! -d "$dir/$2" ] && { printf -v "$1" '%s' "$dir/$2"; return 0; }
    done
    return 1
}

case ${BASH_SOURCE[0]} in
    */*) here=${BASH_SOURCE[0]%/*} ;;
    *) here=. ;;
esac
physical_dir HERE "${here:-/}" || die "cannot enter the directory of $(q "${BASH_SOURCE[0]}")"
OVERRIDES_KEY='HKCU\Software\Wine\DllOverrides'
STORE_NAME=iphlp-reservations.sqlite3

# What goes into a prefix, for each bitness: one line per file that programs load, in install
# order. A companion DLL is one more line here; install, uninstall and the record follow it.
#   FILE          OVERRIDE      WINE_COPY      WINE_UNIX_LIB
# OVERRIDE is the DllOverrides name, set to OVERRIDE_VALUE. WINE_COPY, when not "-", is the
# prefix's copy of the Wine's own FILE under another name, the target of the forwarded exports.
# WINE_UNIX_LIB, when not "-", is the Unix library of the Wine's own FILE: Wine starts the copy
# only with it, which it finds as WINE_COPY's name with .so beside the WINE_COPY it finds in its
# DLL directory or WINEDLLPATH (docs/winsock.md). Such a product goes in for a bitness only where
# the Wine has FILE and WINE_UNIX_LIB, both are linked there beside the bridge (wine_lib_links),
# and its override goes into the registry only when Wine finds them without WINEDLLPATH
# (--system/--wine): in WINEDLLPATH mode it is printed with WINEDLLPATH (docs/install.md).
PRODUCTS=(
    "iphlpapi.dll iphlpapi      iphlpwine.dll  -"
    "netstat.exe  netstat.exe   -              -"
    "ws2_32.dll   ws2_32        ws2wine.dll    ws2_32.so"
)
# native,builtin: ours first, and Wine's builtin when ours is not there. A plain "native" would
# refuse Wine's own builtin-marked file wherever ours is missing (measured: every 32-bit program
# failed with "iphlpapi.dll not found" in syswow64), so a bitness without our files keeps
# working as stock Wine.
OVERRIDE_VALUE=native,builtin
# Shared by every product: the module Wine attaches the Unix side's loader (iphlpbridge.so) to;
# the loader dlopen()s the Unix side proper (UNIX_SIDE) beside it, so that a library missing on
# this machine is named at run time (docs/design.md, "The loader").
BRIDGE=iphlpbridge.dll
LOADER=iphlpbridge.so
UNIX_SIDE=iphlp-unix.so

product_files() { local line; for line in "${PRODUCTS[@]}"; do set -- $line; echo "$1"; done; }
# "FILE WINE_COPY WINE_UNIX_LIB" of the products that have column N (3: a Wine copy, 4: a Unix
# library for it).
products_with() { # N
    local n=$1 line
    for line in "${PRODUCTS[@]}"; do
        set -- $line
        [ "${!n}" = - ] || echo "$1 $3 $4"
    done
}

# Does the product FILE go in for UNIX_ARCH? Every one the distribution must carry, except one
# whose Wine copy needs a Unix library (the ws2_32 companion): that one only with --winsock, and
# where the distribution has it and the Wine has both its FILE and that library. Anywhere else
# Wine's own keeps answering, as stock.
product_goes_in() { # UNIX_ARCH FILE
    local arch=$1 file=$2 line
    for line in "${PRODUCTS[@]}"; do
        set -- $line
        [ "$1" = "$file" ] || continue
        [ "$4" = - ] && return 0
        # Only when asked for (--winsock): see WINSOCK.
        [ "$WINSOCK" = 1 ] && [ -f "$HERE/$arch-windows/$1" ] && [ -f "${LIBDIR[$arch]}/$arch-windows/$1" ] &&
            [ -f "${LIBDIR[$arch]}/$arch-unix/$4" ]
        return
    done
    return 1
}

# Test hook: IPHLP_SETUP_FAIL_AT=STEP makes install stop right after STEP, as a crash or a full
# disk would (tests/run-install.sh interrupts every step and checks that uninstall undoes it).
step_done() {
    [ "${IPHLP_SETUP_FAIL_AT:-}" = "$1" ] || return 0
    say "stopping after step '$1' (IPHLP_SETUP_FAIL_AT)"
    exit 3
}

# A count with its noun: "1 reservation", "2 reservations".
plural() { # N NOUN
    if [ "$1" = 1 ]; then printf '1 %s' "$2"; else printf '%s %ss' "$1" "$2"; fi
}

# ---- the command line, parsed once for both commands ----

# Sets MODE (path, system or wine), WINE_DIR, PURGE (0/1), WINSOCK (0/1) and PREFIX_ARG ("" when
# none named).
#
# WINSOCK: the ws2_32 companion goes into the prefix only when asked for. Its override makes
# every Windows program of the prefix load it, and it can start only under a Wine that has its
# ws2wine pair (the links install puts beside the bridge): measured on Wine 8.0, a
# ws2_32=native,builtin override whose ws2wine.dll cannot start keeps every program that imports
# ws2_32 from starting (c0000142). A prefix installed with --wine for one Proton or Lutris runner
# and later run by another would be worse than stock Wine; so the default leaves Wine's ws2_32 in
# place, and --winsock (for programs that use reservation tokens) says the user keeps the prefix
# with this Wine (docs/install.md).
parse_options() { # COMMAND ARGS...
    local command=$1
    shift
    MODE=path WINE_DIR= PURGE=0 PREFIX_ARG= WINSOCK=0
    while [ $# -gt 0 ]; do
        case $1 in
            --system) MODE=system ;;
            --wine)
                [ $# -ge 2 ] || usage_error "--wine needs the directory of a Wine installation"
                MODE=wine WINE_DIR=$2
                refuse_control_chars "Wine directory" "$WINE_DIR"
                shift
                ;;
            --purge)
                [ "$command" = uninstall ] || usage_error "--purge is an option of uninstall"
                PURGE=1
                ;;
            --winsock)
                [ "$command" = install ] || usage_error "--winsock is an option of install"
                WINSOCK=1
                ;;
            -h | --help) help_text; exit 0 ;;
            --) shift; break ;;
            -*) usage_error "unknown option $1" ;;
            *) break ;;
        esac
        shift
    done
    [ $# -le 1 ] || usage_error "one prefix at a time"
    if [ $# = 1 ]; then
        [ -n "$1" ] || usage_error "empty prefix path"
        refuse_control_chars "prefix path" "$1"
        PREFIX_ARG=$1
    elif [ "$MODE" = path ]; then
        usage_error "name the prefix: setup.sh $command [--system | --wine DIR] PREFIX"
    elif [ "$PURGE" = 1 ]; then
        usage_error "--purge needs the PREFIX whose reservations to delete"
    fi
    return 0
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
    [ -f "$HERE/$1-unix/$LOADER" ] && [ -f "$HERE/$1-unix/$UNIX_SIDE" ] && [ -f "$d/$BRIDGE" ] || return 1
    for f in $(product_files); do
        [ -f "$d/$f" ] || return 1
    done
    for f in $(product_files); do
        has_text "$d/$f" "(build $BUILD_ID)" ||
            die "$d/$f is not of build $BUILD_ID (VERSION): the distribution is mixed; unpack it again"
    done
    for f in $LOADER $UNIX_SIDE; do
        grep -aqF "iphlp build $BUILD_ID" "$HERE/$1-unix/$f" ||
            die "$HERE/$1-unix/$f is not of build $BUILD_ID (VERSION): the distribution is mixed; unpack it again"
    done
}

# The Unix side must load on this machine: a library it needs and the machine lacks is named
# here, before any change (at run time the loader names it too, but only after the install).
check_unix_side_loads() { # UNIX_ARCH
    local so=$HERE/$1-unix/$UNIX_SIDE missing
    command -v ldd >/dev/null || return 0
    # ntdll.so is the one Wine has loaded when it loads ours: resolved from this Wine's directory.
    missing=$(LD_LIBRARY_PATH=${LIBDIR[$1]}/$1-unix ldd "$so" 2>/dev/null | awk '/=> not found/ { printf "%s%s", sep, $1; sep = ", " }') || true
    [ -z "$missing" ] ||
        die "the $1 Unix side ($(q "$so")) needs libraries this machine lacks: $missing (install them, e.g. Debian's packages for $1)"
}

# ---- finding Wine ----

# A Wine library directory holds ARCH-windows/ and ARCH-unix/ntdll.so (Wine 8 and later).
is_libdir() { [ -f "$1/$2-unix/ntdll.so" ] && [ -d "$1/$2-windows" ]; }

# The library directory of one Unix architecture in a Wine installation DIR, by the layouts
# Debian (/usr/lib/<triplet>/wine), WineHQ (/opt/wine-*/lib{64,}/wine) and Proton
# (files/lib{64,}/wine) use, into LIBDIR[UNIX_ARCH] ("" when there is none).
find_libdir() { # DIR UNIX_ARCH
    local dir=$1 arch=$2 triplet c
    LIBDIR[$arch]=
    case $arch in x86_64) triplet=x86_64-linux-gnu ;; i386) triplet=i386-linux-gnu ;; esac
    for c in "$dir" "$dir/lib/$triplet/wine" "$dir/lib64/wine" "$dir/lib/wine" "$dir/files/lib64/wine" \
        "$dir/files/lib/wine" "$dir/dist/lib64/wine" "$dir/dist/lib/wine"; do
        if is_libdir "$c" "$arch"; then
            physical_dir "LIBDIR[$arch]" "$c"
            return 0
        fi
    done
}

# The wine program of a Wine installation DIR, into WINE.
find_wine_program() { # DIR
    local c
    for c in "$1/bin/wine" "$1/files/bin/wine" "$1/dist/bin/wine" "$1/bin/wine64" "$1/files/bin/wine64" \
        "$1/../../bin/wine" "$1/../../../bin/wine"; do
        [ -x "$c" ] && { WINE=$c; return 0; }
    done
    return 1
}

# Sets WINE (the program), WINESERVER, WINE_TOP (the installation) and LIBDIR[x86_64] /
# LIBDIR[i386] (empty when that architecture is missing), from MODE and WINE_DIR.
declare -A LIBDIR=([x86_64]= [i386]=)
resolve_wine() {
    local real out
    if [ "$MODE" = wine ]; then
        [ -d "$WINE_DIR" ] || die "--wine $(q "$WINE_DIR"): no such directory"
        physical_dir WINE_TOP "$WINE_DIR" || die "--wine $(q "$WINE_DIR"): cannot enter it"
        find_wine_program "$WINE_TOP" ||
            die "--wine $(q "$WINE_DIR"): no bin/wine (or files/bin/wine) in it; name the directory that holds bin/wine"
    else
        find_on_path WINE wine ||
            die "wine is not on PATH: install Wine (Debian: apt-get install wine wine64), or name one with --wine DIR"
        real_path real "$WINE" || die "cannot resolve $(q "$WINE")"
        WINE_TOP=${real%/*}
        WINE_TOP=${WINE_TOP%/*}
        # Debian's /usr/bin/wine is a script; the installation is /usr either way.
        [ "${WINE%/*}" = /usr/bin ] && WINE_TOP=/usr
    fi
    refuse_control_chars "Wine installation" "$WINE_TOP"
    find_libdir "$WINE_TOP" x86_64
    find_libdir "$WINE_TOP" i386
    [ -n "${LIBDIR[x86_64]}${LIBDIR[i386]}" ] ||
        die "no Wine library directory (ARCH-unix/ntdll.so, Wine 8 or later) under $(q "$WINE_TOP") (wine is $(q "$WINE"))"
    WINESERVER=${WINE%/*}/wineserver
    [ -x "$WINESERVER" ] || find_on_path WINESERVER wineserver || true
    out=$("$WINE" --version 2>&1) || die "$(q "$WINE") --version failed: $out"
    WINE_VERSION=$out
}

# setup.sh runs several short Wine commands in a row: one wineserver for all of them (it stays
# 5 s after the last), not one started and stopped per command.
keep_server() { WINEPREFIX=$PREFIX "$WINESERVER" -p5 >/dev/null 2>&1 || true; }

# Wine's output is collected in a file, never a pipe: the system processes a Wine command starts
# (services.exe, explorer.exe, ...) inherit its stderr and outlive it by seconds, and a command
# substitution waits for every holder of its pipe (measured: 3 s per Wine command, instead of
# 0.2 s).
WINE_OUT=
capture() { # VAR COMMAND...: COMMAND's stdout and stderr (CRs dropped) into VAR; its exit status
    local _rc=0
    if [ -z "$WINE_OUT" ]; then
        WINE_OUT=$(mktemp "${TMPDIR:-/tmp}/iphlp-setup.XXXXXX") || die "cannot create a temporary file"
    fi
    "${@:2}" >"$WINE_OUT" 2>&1 || _rc=$?
    printf -v "$1" '%s' "$(tr -d '\r' <"$WINE_OUT")"
    return "$_rc"
}

# What runs at exit: the purge's temporary install is undone (purge_uninstalled), and the
# capture file removed.
UNDO_AT_EXIT=
at_exit() {
    [ -z "$UNDO_AT_EXIT" ] || { UNDO_AT_EXIT= && uninstall_prefix; }
    [ -z "$WINE_OUT" ] || rm -f -- "$WINE_OUT"
}
trap at_exit EXIT

wine_in() { # PREFIX COMMAND...: Wine's own messages are kept for the error report
    local prefix=$1
    shift
    WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLPATH= WINEDLLOVERRIDES= "$WINE" "$@"
}

# ---- the prefix ----

# An absolute path whose parent exists, into PREFIX (the parent's links resolved).
check_prefix_path() { # PREFIX
    local p=$1 parent name
    refuse_control_chars "prefix path" "$p"
    case $p in /*) ;; *) p=$PWD/$p ;; esac
    while [ "${p%/}" != "$p" ] && [ "$p" != / ]; do p=${p%/}; done
    [ "$p" != / ] || die "cannot use / as a prefix"
    parent=${p%/*} name=${p##*/}
    [ -n "$parent" ] || parent=/
    [ -d "$parent" ] || die "cannot use prefix $(q "$p"): its parent directory $(q "$parent") does not exist"
    [ ! -e "$p" ] || [ -d "$p" ] || die "cannot use prefix $(q "$p"): it exists and is not a directory"
    physical_dir parent "$parent" || die "cannot use prefix $(q "$p"): cannot enter its parent directory"
    refuse_control_chars "prefix path" "$parent"
    PREFIX=${parent%/}/$name
    STATE=$PREFIX/iphlp
}

make_prefix_if_needed() {
    local log created=0
    [ -f "$PREFIX/system.reg" ] && return 0
    [ -e "$PREFIX" ] || created=1
    say "creating Wine prefix $(q "$PREFIX") with $WINE_VERSION"
    if ! capture log env WINEPREFIX="$PREFIX" WINEDLLOVERRIDES="mscoree,mshtml=" WINEDEBUG=-all timeout 300 "$WINE" wineboot -i; then
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

is_win32_prefix() { grep -q '^#arch=win32' "$PREFIX/system.reg" 2>/dev/null; }

# Which prefix directory receives which Unix architecture: a 64-bit prefix takes x86_64 files in
# system32 and i386 ones in syswow64; a 32-bit prefix (#arch=win32) i386 ones in system32.
prefix_targets() { # prints "UNIX_ARCH WINDOWS_DIR_NAME"
    if is_win32_prefix; then
        echo "i386 system32"
    else
        echo "x86_64 system32"
        [ -d "$PREFIX/drive_c/windows/syswow64" ] && echo "i386 syswow64"
    fi
    return 0
}

# A 64-bit prefix made while the Wine had no 32-bit support has no 32-bit system files (Wine 8.0
# leaves syswow64 empty; measured); once wine32 is
# installed, Wine cannot start programs in it at all (c0000135 for kernel32.dll). That is Wine's
# behaviour, not ours, but the user should hear what happened and what to do: install stops
# there, before any change.
refuse_wine32_trap() {
    [ -n "${LIBDIR[i386]}" ] || return 0
    [ -f "$PREFIX/system.reg" ] && ! is_win32_prefix && [ -d "$PREFIX/drive_c/windows/system32" ] || return 0
    [ -f "$PREFIX/drive_c/windows/syswow64/kernel32.dll" ] && return 0
    say "$(q "$PREFIX") was made by a Wine without 32-bit support (no 32-bit system files), and this"
    say "Wine has it now: Wine cannot start programs there (could not load kernel32.dll, status c0000135)."
    die "Make a new prefix, or remove the 32-bit Wine (Debian: wine32:i386); nothing was changed"
}

# The DllOverrides value NAME into OVERRIDE ("" when absent). Fails, with Wine's words in
# OVERRIDE_ERROR, when the registry cannot be read: "cannot read" is never taken for "absent".
read_override() { # NAME
    local out name=$1
    OVERRIDE= OVERRIDE_ERROR=
    if capture out wine_in "$PREFIX" reg query "$OVERRIDES_KEY"; then
        OVERRIDE=$(awk -v name="$name" 'tolower($1) == tolower(name) && $2 ~ /^REG_/ { $1 = $2 = ""; sub(/^ +/, ""); print; exit }' <<<"$out")
        return 0
    fi
    # The key itself may be absent (no override at all): taken so only when the registry reads.
    capture ignored wine_in "$PREFIX" reg query HKCU && return 0
    OVERRIDE_ERROR=$out
    return 1
}

set_override() { # NAME VALUE (empty VALUE: delete)
    local out
    read_override "$1" || die "could not read the DLL override $1 in $(q "$PREFIX"): $OVERRIDE_ERROR"
    [ "$OVERRIDE" = "$2" ] && return 0
    if [ -n "$2" ]; then
        capture out wine_in "$PREFIX" reg add "$OVERRIDES_KEY" /v "$1" /d "$2" /f ||
            die "could not set the DLL override $1=$2 in $(q "$PREFIX"): $out"
    else
        capture out wine_in "$PREFIX" reg delete "$OVERRIDES_KEY" /v "$1" /f ||
            die "could not delete the DLL override $1 in $(q "$PREFIX"): $out"
    fi
    # Read back: a change is claimed only once the registry shows it.
    read_override "$1" || die "could not read back the DLL override $1 in $(q "$PREFIX"): $OVERRIDE_ERROR"
    [ "$OVERRIDE" = "$2" ] ||
        die "the DLL override $1 in $(q "$PREFIX") is '$OVERRIDE' after setting it to '$2'"
}

# A symbolic link LINK to TARGET, made by rename (a program starting at that moment finds the old
# link or the new one, never none), only when it is not that link already.
link() { # TARGET LINK
    local cur=
    [ -L "$2" ] && IFS= read -r -d '' cur < <(readlink -z -- "$2") && [ "$cur" = "$1" ] && return 0
    mkdir -p -- "${2%/*}"
    ln -sfn -- "$1" "$2.iphlp-tmp.$$" && mv -fT -- "$2.iphlp-tmp.$$" "$2"
}

# Copy by rename, only when the content differs: running Wine programs map these files, which must
# never be rewritten in place, and a half-written file must never carry the final name.
put() { # SRC DST
    cmp -s "$1" "$2" 2>/dev/null && [ ! -L "$2" ] && return 0
    mkdir -p -- "${2%/*}"
    cp -- "$1" "$2.iphlp-tmp.$$" && mv -f -- "$2.iphlp-tmp.$$" "$2"
}

# ---- install ----

# What a prefix holds before this project's first install, kept in PREFIX/iphlp/original/ for
# uninstall. Recorded once, before anything changes, and never replaced: a second install (also
# after a failed one) keeps the first record. A file that is this project's own (left by an
# install whose record was lost) is never recorded as the original: Wine's own copy is.
record_original_file() { # WINDOWS_DIR_NAME FILE UNIX_ARCH
    local dir=$1 file=$2 arch=$3 src=$PREFIX/drive_c/windows/$1/$2 rec=$STATE/original/$1
    local wines=${LIBDIR[$arch]}/$arch-windows/$file
    [ -e "$rec/$file" ] || [ -e "$rec/$file.absent" ] && return 0
    mkdir -p -- "$rec"
    if [ -f "$src" ] && ! is_ours "$src"; then
        cp -p -- "$src" "$rec/$file.tmp" && mv -f -- "$rec/$file.tmp" "$rec/$file"
    elif [ -f "$src" ] || [ -f "$wines" ]; then
        # Ours, or missing while Wine has one: what wineboot puts there is Wine's own file.
        cp -p -- "$wines" "$rec/$file.tmp" && mv -f -- "$rec/$file.tmp" "$rec/$file"
    else
        : >"$rec/$file.absent"
    fi
}

record_original_override() { # NAME FILE
    local rec=$STATE/original/override.$1 value
    [ -e "$rec" ] && return 0
    read_override "$1" || die "could not read the DLL override $1 in $(q "$PREFIX"): $OVERRIDE_ERROR"
    value=$OVERRIDE
    # Our value left by an install whose record was lost is ours, not the user's ("native" is what
    # earlier versions set).
    if { [ "$value" = "$OVERRIDE_VALUE" ] || [ "$value" = native ]; } && is_ours "$PREFIX/drive_c/windows/system32/$2"; then
        value=
    fi
    printf '%s\n' "$value" >"$rec.tmp" && mv -f -- "$rec.tmp" "$rec"
}

# The libraries a machine with only Wine lacks travel beside the .so, in iphlp-libs/, where its
# RUNPATH finds them (cmake/bundle.cmake). Each file goes in before what loads it: the libraries,
# the Unix side, the bridge, its loader; out in the reverse order.
install_unix_side() { # UNIX_ARCH DEST_LIBDIR
    local lib
    for lib in "$HERE/$1-unix/iphlp-libs"/*; do
        [ -f "$lib" ] && put "$lib" "$2/$1-unix/iphlp-libs/${lib##*/}"
    done
    put "$HERE/$1-unix/$UNIX_SIDE" "$2/$1-unix/$UNIX_SIDE"
    put "$HERE/$1-windows/$BRIDGE" "$2/$1-windows/$BRIDGE"
    put "$HERE/$1-unix/$LOADER" "$2/$1-unix/$LOADER"
}

uninstall_unix_side() { # UNIX_ARCH LIBDIR
    local lib
    rm -f -- "$2/$1-unix/$LOADER" "$2/$1-windows/$BRIDGE" "$2/$1-unix/$UNIX_SIDE" || return 1
    for lib in "$HERE/$1-unix/iphlp-libs"/*; do
        [ -f "$lib" ] && { rm -f -- "$2/$1-unix/iphlp-libs/${lib##*/}" || return 1; }
    done
    [ ! -d "$2/$1-unix/iphlp-libs" ] || rmdir -- "$2/$1-unix/iphlp-libs" 2>/dev/null || true
}

# The links wine_lib_links made stay in the Wine when its Unix side goes: a prefix that still has
# the ws2_32 companion and its override in the registry needs them, or no program of it that
# imports ws2_32 starts (the companion's ws2wine.dll cannot start without its .so, and Wine does
# not fall back to its builtin). They are Wine's own files under another name; say where they are.
report_kept_links() { # UNIX_ARCH LIBDIR
    local file copy lib
    while read -r file copy lib; do
        [ -L "$2/$1-windows/$copy" ] || [ -L "$2/$1-unix/${copy%.dll}.so" ] || continue
        say "kept $(q "$2/$1-windows/$copy") and $(q "$2/$1-unix/${copy%.dll}.so"), links to this Wine's own"
        say "$file and $lib: prefixes that still have iphlp need them for Winsock; once none has (setup.sh"
        say "uninstall PREFIX), remove them: rm -f $(q "$2/$1-windows/$copy") $(q "$2/$1-unix/${copy%.dll}.so")"
    done < <(products_with 4)
}

# The arches this install covers, into ARCHES: the Wine has them and the distribution carries
# them completely. What each bitness gets is said in the normal output.
choose_arches() {
    local arch
    ARCHES=() SERVED=() NOT_SERVED=()
    for arch in x86_64 i386; do
        if [ -z "${LIBDIR[$arch]}" ]; then
            NOT_SERVED+=("$arch (this Wine has no $arch part)")
        elif dist_arch_complete "$arch"; then
            check_unix_side_loads "$arch"
            ARCHES+=("$arch")
            SERVED+=("$arch")
        else
            NOT_SERVED+=("$arch (this distribution has no complete $arch build: those programs keep Wine's own iphlpapi.dll)")
        fi
    done
}

arch_chosen() { local a; for a in "${ARCHES[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }

# The prefix's target directories of the chosen arches: "UNIX_ARCH WINDOWS_DIR_PATH".
chosen_targets() {
    local arch dir
    while read -r arch dir; do
        arch_chosen "$arch" && echo "$arch $PREFIX/drive_c/windows/$dir"
    done < <(prefix_targets)
    return 0
}

# The Wine copies that need their Unix library (WINE_UNIX_LIB in PRODUCTS), beside the bridge's
# builtin in DEST_LIBDIR (the Wine's own library directory, or PREFIX/iphlp for WINEDLLPATH):
# ARCH-windows/WINE_COPY and ARCH-unix/WINE_COPY.so, symbolic links to that Wine's own FILE and
# WINE_UNIX_LIB. Wine loads the builtin from here, not from the prefix's copy in system32, which
# only makes it found (measured: with system32/ws2wine.dll altered, /proc/PID/maps shows the
# Wine's ws2_32.dll and ws2_32.so mapped, the altered copy not). So the pair that runs is always
# one Wine's, after an upgrade the new one's, with no refresh (iphlpwine.dll needs one: it is
# a system32 copy that Wine runs itself). In the Wine's own directory the links are relative, so
# a Wine that moves (a Proton directory) keeps them right.
wine_lib_links() { # UNIX_ARCH DEST_LIBDIR
    local arch=$1 dest=$2 file copy lib to_dll to_so
    while read -r file copy lib; do
        product_goes_in "$arch" "$file" || continue
        if [ "$dest" = "${LIBDIR[$arch]}" ]; then
            to_dll=$file to_so=$lib
        else
            to_dll=${LIBDIR[$arch]}/$arch-windows/$file to_so=${LIBDIR[$arch]}/$arch-unix/$lib
        fi
        link "$to_dll" "$dest/$arch-windows/$copy"
        link "$to_so" "$dest/$arch-unix/${copy%.dll}.so"
    done < <(products_with 4)
}

# Step "checks": nothing is changed until all of them pass.
install_checks() {
    local arch dir probe
    resolve_wine
    choose_arches
    [ ${#ARCHES[@]} -gt 0 ] || die "nothing to install: this distribution has no build for the architectures of $(q "$WINE_TOP")"
    if [ "$MODE" != path ]; then
        for arch in "${ARCHES[@]}"; do
            for dir in "${LIBDIR[$arch]}/$arch-windows" "${LIBDIR[$arch]}/$arch-unix"; do
                [ -w "$dir" ] || die "cannot write $(q "$dir"): run this as root (sudo), or install without --system/--wine (then WINEDLLPATH is needed)"
            done
        done
    fi
    [ -n "$PREFIX_ARG" ] || return 0
    check_prefix_path "$PREFIX_ARG"
    refuse_wine32_trap
    make_prefix_if_needed
    [ -d "$PREFIX/drive_c/windows/system32" ] || die "$(q "$PREFIX") is not a Wine prefix (no drive_c/windows/system32)"
    [ -w "$PREFIX/drive_c/windows/system32" ] || die "cannot write $(q "$PREFIX/drive_c/windows/system32")"
    keep_server
    # The registry is changed through Wine: a wineserver of another Wine version already
    # serving the prefix would refuse, so find out now.
    capture probe wine_in "$PREFIX" reg query HKCU ||
        die "the Wine at $(q "$WINE") cannot work with $(q "$PREFIX"): $probe"
}

# The Wine installation (shared by every prefix it runs).
install_wine_side() {
    local arch dirs=()
    [ "$MODE" != path ] || return 0
    for arch in "${ARCHES[@]}"; do
        install_unix_side "$arch" "${LIBDIR[$arch]}"
        wine_lib_links "$arch" "${LIBDIR[$arch]}"
        dirs+=("$(q "${LIBDIR[$arch]}")")
    done
    say "installed the Unix side into $(q "$WINE_TOP") (${dirs[*]})"
}

# Step "record".
install_record() {
    local arch dir file name
    mkdir -p -- "$STATE/original"
    : >"$STATE/installing"
    while read -r arch dir; do
        arch_chosen "$arch" || continue
        for file in $(product_files); do record_original_file "$dir" "$file" "$arch"; done
    done < <(prefix_targets)
    while read -r name file; do
        record_original_override "$name" "$file"
    done < <(for line in "${PRODUCTS[@]}"; do set -- $line; echo "$2 $1"; done)
    # Where the Unix side finds the store (the DLL's default for this prefix): a purge after a
    # plain uninstall reaches it through this record.
    printf '%s\n' "$PREFIX/$STORE_NAME" >"$STATE/store.tmp" && mv -f -- "$STATE/store.tmp" "$STATE/store"
}

# Step "unix".
install_unix_record() {
    local arch
    if [ "$MODE" = path ]; then
        for arch in "${ARCHES[@]}"; do
            install_unix_side "$arch" "$STATE"
            wine_lib_links "$arch" "$STATE"
        done
        printf '%s\n' "$STATE" >"$STATE/unix-side"
    else
        printf '%s\n' "$WINE_TOP" >"$STATE/unix-side"
    fi
}

# Step "bridge": the bridge and the copies of the Wine's own files, before the products. A copy,
# not a link: Wine refuses a system32 file linking into its own library directory (measured:
# c0000135). The Unix side refreshes iphlpwine.dll when Wine's own changes (a Wine upgrade), at
# the first program start after it; ws2wine.dll only makes Wine find its builtin (wine_lib_links).
install_bridge() {
    local arch dir file copy wines
    while read -r arch dir; do
        put "$HERE/$arch-windows/$BRIDGE" "$dir/$BRIDGE"
        while read -r file copy _; do
            product_goes_in "$arch" "$file" || continue
            real_path wines "${LIBDIR[$arch]}/$arch-windows/$file" || die "the Wine has no $arch $file"
            put "$wines" "$dir/$copy"
        done < <(products_with 3)
    done < <(chosen_targets)
}

# Step "files": the products go in last among the files, and the overrides after them: until
# then Wine keeps loading its builtins, so every intermediate state works as stock Wine does.
install_files() {
    local arch dir file f copy
    while read -r arch dir; do
        for file in $(product_files); do
            if product_goes_in "$arch" "$file"; then
                put "$HERE/$arch-windows/$file" "$dir/$file"
            else
                # One an earlier install put in, for a Wine that had what it needs: Wine's own
                # back, then its copy out (never the product without its copy).
                restore_file "${dir##*/}" "$file"
                while read -r f copy _; do
                    if [ "$f" = "$file" ]; then rm -f -- "$dir/$copy"; fi
                done < <(products_with 3)
            fi
        done
    done < <(chosen_targets)
}

# Steps "override_NAME" (NAME without .exe/.dll), one per product.
#
# A product whose Wine copy needs its Unix library (WINE_UNIX_LIB) gets its override in the
# registry only when it went in for some bitness and Wine finds that library without WINEDLLPATH
# (--system/--wine). Otherwise the prefix keeps its own value (the recorded original), and in
# WINEDLLPATH mode the override goes into the printed environment line beside WINEDLLPATH
# (ENV_OVERRIDES): measured on Wine 8.0, a ws2_32=native,builtin override whose ws2wine.dll
# cannot start makes every program that imports ws2_32 fail to start (c0000142, exit 66) and
# LoadLibrary fail; Wine does not fall back to its builtin. So a program started without
# WINEDLLPATH must not get the override at all (docs/install.md).
ENV_OVERRIDES=
install_overrides() {
    local line value
    for line in "${PRODUCTS[@]}"; do
        set -- $line
        value=$OVERRIDE_VALUE
        if [ "$4" != - ]; then
            if [ "$MODE" = path ] || ! in_prefix "$1"; then
                IFS= read -r value <"$STATE/original/override.$2" || value=
            fi
            [ "$MODE" = path ] && in_prefix "$1" && ENV_OVERRIDES+="${ENV_OVERRIDES:+;}$2=$OVERRIDE_VALUE"
        fi
        set_override "$2" "$value"
        step_done "override_${2%.*}"
    done
}

# Did the product FILE go into the prefix for some bitness?
in_prefix() { # FILE
    local arch dir
    while read -r arch dir; do
        product_goes_in "$arch" "$1" && return 0
    done < <(chosen_targets)
    return 1
}

install_finish() {
    printf 'build %s\ninstalled %s\nwine %s\n' "$BUILD_ID" "$(date -u +%FT%TZ)" "$WINE_TOP" >"$STATE/installed.tmp"
    mv -f -- "$STATE/installed.tmp" "$STATE/installed"
    rm -f -- "$STATE/installing"
    [ -z "${INSTALL_QUIET:-}" ] || return 0
    say "installed into $(q "$PREFIX") (build $BUILD_ID, $WINE_VERSION)"
    say "programs already running in it keep the DLLs they loaded until they restart"
    if [ "$MODE" = path ]; then
        if [ -n "$ENV_OVERRIDES" ]; then
            say "run Wine with:  export WINEDLLPATH=$(q "$STATE")\${WINEDLLPATH:+:\$WINEDLLPATH} WINEDLLOVERRIDES=\"\${WINEDLLOVERRIDES:+\$WINEDLLOVERRIDES;}$ENV_OVERRIDES\""
            say "(without WINEDLLPATH the socket tables come from Wine's own iphlpapi; the ws2_32 companion"
            say "needs it, so its override is in this line, not in the prefix: without the line, Wine's own"
            say "ws2_32 answers; install --system needs neither)"
        else
            say "run Wine with:  export WINEDLLPATH=$(q "$STATE")\${WINEDLLPATH:+:\$WINEDLLPATH}"
            say "(without it, the socket tables come from Wine's own iphlpapi; install --system needs none)"
        fi
    fi
}

# Which bitnesses are fully served, in the normal output.
report_bitnesses() {
    local line
    say "fully served: ${SERVED[*]} programs"
    for line in "${NOT_SERVED[@]}"; do say "not served: $line"; done
}

# The prefix, in an order any step of which uninstall can undo.
install_prefix() {
    install_record
    step_done record
    install_unix_record
    step_done unix
    install_bridge
    step_done bridge
    install_files
    step_done files
    install_overrides
    install_finish
}

cmd_install() {
    parse_options install "$@"
    install_checks
    step_done checks
    install_wine_side
    [ -z "$PREFIX_ARG" ] || install_prefix
    report_bitnesses
}

# ---- uninstall ----

# Wine's own ws2_32 for it: the reservations need only iphlpapi.dll, and an uninstall must work
# also where the companion cannot start (the prefix run by another Wine than it was installed for).
excludedports() { # ARGS...: the distribution's excludedports.exe through the prefix's installed DLL
    local where= dllpath=
    [ -f "$STATE/unix-side" ] && IFS= read -r where <"$STATE/unix-side"
    [ "$where" = "$STATE" ] && dllpath=$STATE # WINEDLLPATH mode
    WINEDLLPATH=$dllpath WINEPREFIX=$PREFIX WINEDEBUG=-all WINEDLLOVERRIDES="iphlpapi=n;ws2_32=b" \
        timeout 120 "$WINE" "$HERE/tools/excludedports.exe" "$@"
}

# The reservations of the prefix, through its own installed DLL: "START END" per block.
list_reservations() { # PROTO
    local out
    capture out excludedports show excludedportrange protocol="$1" || {
        printf '%s\n' "$out" >&2
        return 1
    }
    grep -q "Port Exclusion Ranges" <<<"$out" || { printf '%s\n' "$out" >&2; return 1; }
    awk '$3 == "*" { print $1, $2 }' <<<"$out"
}

store_path() { # the store of the prefix: recorded at install, else the DLL's default
    STORE=$PREFIX/$STORE_NAME
    [ -f "$STATE/store" ] && IFS= read -r STORE <"$STATE/store"
    return 0
}

# --purge: every reservation deleted through the DLL (which takes exactly this store's blocks out
# of ip_local_reserved_ports, never an administrator's), then the store itself.
purge_reservations() {
    local proto start end left
    store_path
    [ -e "$STORE" ] || { say "no port reservation store in $(q "$PREFIX")"; return 0; }
    for proto in tcp udp; do
        left=$(list_reservations "$proto") ||
            die "--purge: cannot read the reservations of $(q "$PREFIX") (is the Unix side installed? see above); nothing was removed"
        while read -r start end; do
            [ -n "$start" ] || continue
            capture ignored excludedports delete excludedportrange protocol="$proto" startport="$start" \
                numberofports=$((end - start + 1)) ||
                die "--purge: could not delete the $proto reservation $start-$end; nothing else was removed"
        done <<<"$left"
        left=$(list_reservations "$proto") || die "--purge: cannot read the reservations again"
        [ -z "$left" ] || die "--purge: $proto reservations remain after deleting them: $left"
    done
    rm -f -- "$STORE" "$STORE-wal" "$STORE-shm" "$STORE-journal"
    say "deleted the port reservation store $(q "$STORE") and its blocks in ip_local_reserved_ports"
}

# Without --purge the store stays (no data is ever lost): say what remains and how to remove it.
report_reservations() {
    local n=0 proto list count
    store_path
    [ -e "$STORE" ] || return 0
    for proto in tcp udp; do
        # On failure list_reservations shows excludedports' own words on stderr: why the count
        # is unknown.
        list=$(list_reservations "$proto") || { n=unknown; break; }
        [ -n "$list" ] && n=$((n + $(wc -l <<<"$list")))
    done
    if [ "$n" = unknown ]; then count="an unknown number of reservations"; else count=$(plural "$n" reservation); fi
    say "kept the port reservation store $(q "$STORE") ($count): they hold again if you reinstall, and"
    say "those the kernel list received stay in /proc/sys/net/ipv4/ip_local_reserved_ports until reboot;"
    say "to delete both: $(q "$HERE/setup.sh") uninstall --purge $(q "$PREFIX")"
}

restore_file() { # WINDOWS_DIR_NAME FILE
    local dst=$PREFIX/drive_c/windows/$1/$2 rec=$STATE/original/$1/$2
    if [ -f "$rec" ]; then
        put "$rec" "$dst"
    elif [ -e "$rec.absent" ]; then
        if is_ours "$dst"; then rm -f -- "$dst"; fi
    fi
    return 0
}

restore_override() { # NAME
    local rec=$STATE/original/override.$1 value
    [ -e "$rec" ] || return 0
    IFS= read -r value <"$rec" || value=
    set_override "$1" "$value"
}

# The prefix back as it was: overrides first (so Wine loads its builtins again), then files from
# the record, then the bridge and forward copies. A failure stops with a non-zero exit and
# claims nothing.
uninstall_prefix() {
    local arch dir name file copy
    local i
    for ((i = ${#PRODUCTS[@]} - 1; i >= 0; i--)); do
        set -- ${PRODUCTS[i]}
        restore_override "$2"
    done
    while read -r arch dir; do
        for file in $(product_files); do restore_file "$dir" "$file"; done
        rm -f -- "$PREFIX/drive_c/windows/$dir/$BRIDGE"
        while read -r file copy _; do rm -f -- "$PREFIX/drive_c/windows/$dir/$copy"; done < <(products_with 3)
    done < <(prefix_targets)
    rm -rf -- "$STATE"/{x86_64,i386}-{windows,unix} "$STATE/unix-side" "$STATE/installed" "$STATE/installing" \
        "$STATE/original"
    # The store's record stays while the store does, for a later --purge.
    store_path
    [ -e "$STORE" ] || rm -f -- "$STATE/store"
    rmdir -- "$STATE" 2>/dev/null || true
}

# --purge after a plain uninstall: the store is reached through this distribution's DLL, put in
# for the purge and taken out again (the prefix ends as it began, without iphlp).
purge_uninstalled() {
    local mode=$MODE
    store_path
    if [ ! -e "$STORE" ]; then
        say "iphlp is not installed in $(q "$PREFIX"), and it has no port reservation store: nothing to purge"
        return 0
    fi
    say "iphlp is not installed in $(q "$PREFIX"): installing it for the purge of $(q "$STORE"), then uninstalling"
    MODE=path
    choose_arches
    [ ${#ARCHES[@]} -gt 0 ] || die "--purge: this distribution has no build for $(q "$WINE_TOP")"
    keep_server
    # Whatever happens during the purge, the prefix ends without iphlp, as it began.
    UNDO_AT_EXIT=1
    INSTALL_QUIET=1 install_prefix
    purge_reservations
    UNDO_AT_EXIT=
    uninstall_prefix
    MODE=$mode
    say "uninstalled from $(q "$PREFIX") again"
}

cmd_uninstall() {
    local arch dir
    parse_options uninstall "$@"
    resolve_wine

    if [ -n "$PREFIX_ARG" ]; then
        check_prefix_path "$PREFIX_ARG"
        [ -f "$PREFIX/system.reg" ] && keep_server
        if [ -d "$STATE/original" ]; then
            if [ "$PURGE" = 1 ]; then purge_reservations; else report_reservations; fi
            uninstall_prefix
            say "uninstalled from $(q "$PREFIX"): Wine's own iphlpapi.dll, netstat.exe and ws2_32.dll are back"
        elif [ "$PURGE" = 1 ]; then
            purge_uninstalled
        else
            say "iphlp is not installed in $(q "$PREFIX")"
        fi
    fi

    [ "$MODE" != path ] || return 0
    for arch in x86_64 i386; do
        dir=${LIBDIR[$arch]}
        [ -n "$dir" ] || continue
        [ -e "$dir/$arch-unix/$LOADER" ] || [ -e "$dir/$arch-unix/$UNIX_SIDE" ] || [ -e "$dir/$arch-windows/$BRIDGE" ] ||
            continue
        uninstall_unix_side "$arch" "$dir" ||
            die "cannot remove the Unix side from $(q "$dir") (run as root?)"
        say "removed the Unix side from $(q "$dir"): prefixes with iphlp installed now get Wine's own socket tables"
        report_kept_links "$arch" "$dir"
    done
}

case "${1:-}" in
    install) shift; cmd_install "$@" ;;
    uninstall) shift; cmd_uninstall "$@" ;;
    -h | --help) help_text ;;
    *) help_text >&2; exit 2 ;;
esac
