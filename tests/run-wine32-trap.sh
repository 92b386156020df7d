#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The wine32 trap: a 64-bit prefix without 32-bit system files (made before wine32:i386 was installed) meets
# a Wine with 32-bit support, which cannot start programs in it. This project's own scratch
# prefix is recreated with one line saying so; a user's prefix is left alone, and ./iphlp run
# and setup.sh install say what happened and what to do, and stop. The trapped prefix is made the way
# Wine 8.0 makes it without wine32: a real prefix whose syswow64 is empty.
# Usage: run-wine32-trap.sh
. "$(dirname "$0")/lib.sh"
require_arch i686
unset WINEPREFIX WINEDLLPATH WINEDLLOVERRIDES
export WINEDEBUG=-all
scratch=$(mktemp -d)
trap 'WINEPREFIX=$scratch/pfx timeout 30 wineserver -k 2>/dev/null; rm -rf "$scratch"' EXIT
trapped() { # PREFIX: a copy of the platform's prefix, as made without wine32
    iphlp_ensure_prefix "$TEST_PREFIX" "$IPHLP_BUILD/winedllpath" || return 1
    rm -rf "$1"
    cp -a "$TEST_PREFIX" "$1"
    # As Wine 8.0 without wine32 leaves it (measured): syswow64 there, but empty.
    rm -rf "$1/drive_c/windows/syswow64"
    mkdir "$1/drive_c/windows/syswow64"
}

# A scratch prefix of this project: recreated, with one line.
trapped "$scratch/pfx"
out=$(iphlp_ensure_prefix "$scratch/pfx" "$scratch/dllpath" scratch 2>&1)
check "the scratch prefix is recreated, with one line ($out)" grep -q "recreating $scratch/pfx: it was made by a Wine without 32-bit support" <<<"$out"
check "... and has its 32-bit system files again" test -f "$scratch/pfx/drive_c/windows/syswow64/kernel32.dll"
WINEPREFIX=$scratch/pfx timeout 30 wineserver -k 2>/dev/null

# A user's prefix: never recreated; ./iphlp run says what happened.
trapped "$scratch/pfx"
marker=$scratch/pfx/drive_c/users-file
echo mine >"$marker"
out=$(WINEPREFIX=$scratch/pfx timeout 120 "$IPHLP_SRC/iphlp" run cmd /c ver 2>&1)
check "./iphlp run on a user's trapped prefix says so ($out)" grep -q 'made by a Wine without 32-bit support' <<<"$out"
check "... and what to do" grep -q 'Use a new prefix, or remove wine32' <<<"$out"
check "... without starting the program (exit 1)" bash -c '! grep -q "Microsoft Windows" <<<"$0"' "$out"
check "... and leaves the prefix alone" test "$(cat "$marker")" = mine -a ! -e "$scratch/pfx/drive_c/windows/syswow64/kernel32.dll"
WINEPREFIX=$scratch/pfx timeout 30 wineserver -k 2>/dev/null

# setup.sh install says it too.
tarball=$("$IPHLP_SRC/scripts/make-dist.sh" "$IPHLP_BUILD" "$scratch/made") && tar -C "$scratch" -xzf "$tarball"
out=$("$scratch"/iphlp-*/setup.sh install "$scratch/pfx" 2>&1)
check "setup.sh install on a trapped prefix refuses ($out)" grep -q 'was made by a Wine without 32-bit support' <<<"$out"
check "... with what to do" grep -q 'Make a new prefix, or remove the 32-bit Wine' <<<"$out"
check "... and changes nothing" test ! -e "$scratch/pfx/iphlp" -a "$(cat "$marker")" = mine
finish wine32-trap
