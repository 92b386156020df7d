#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The distribution on a machine with only Wine: the tarball (scripts/make-dist.sh, what
# ./iphlp dist makes) is copied to a scratch directory and unpacked there; its setup.sh runs with
# a PATH that holds Wine and the basic tools but no compiler, cmake or source tree, from a
# working directory outside the source tree, installing into a fresh prefix with --wine (a Wine
# installation of the test's own, make_fake_wine) so that no WINEDLLPATH is needed. The
# distribution's own iphlpstat.exe --demo then shows its own PID, a program consumes a port
# reservation through the distribution's ws2_32 companion, and uninstall restores Wine's
# iphlpapi.dll and ws2_32.dll.
# Usage: run-dist.sh
. "$(dirname "$0")/lib.sh"
unset WINEPREFIX WINEDLLPATH WINEDLLOVERRIDES
export WINEDEBUG=-all
scratch=$(mktemp -d)
trap 'WINEPREFIX=$scratch/prefix timeout 30 wineserver -k 2>/dev/null; rm -rf "$scratch"' EXIT

tarball=$("$IPHLP_SRC/scripts/make-dist.sh" "$IPHLP_BUILD" "$scratch/made") || { echo "FAILED: make-dist.sh"; exit 1; }
mkdir "$scratch/machine"
cp "$tarball" "$scratch/machine/"
rm -rf "$scratch/made"
fake=$scratch/machine/opt-wine
make_fake_wine "$fake" || { echo "skipped: no Debian-layout Wine (/usr/lib/wine/wine64) to copy"; exit 77; }

# The machine's PATH: Wine, the shell tools setup.sh uses, tar to unpack. No compiler, no cmake.
bin=$scratch/machine/bin
minimal_path "$bin" "${SETUP_TOOLS[@]}" tar gzip sha256sum
ln -s "$fake/bin/wine" "$bin/wine"
ln -s "$fake/bin/wineserver" "$bin/wineserver"
on_machine() { (cd "$scratch/machine" && env -i HOME="$scratch/machine" PATH="$bin" WINEDEBUG=-all "$@"); }
for tool in cc gcc g++ cmake ninja x86_64-w64-mingw32-g++ winebuild; do
    check "no $tool on the machine's PATH" on_machine bash -c "! command -v $tool"
done

on_machine tar -xzf "$(basename "$tarball")"
dist=$(echo "$scratch"/machine/iphlp-*/)
dist=${dist%/}
check "the tarball unpacks to iphlp-BUILDID with setup.sh" test -x "$dist/setup.sh"
check "its VERSION is this build's" test "$(cat "$dist/VERSION")" = "$(cat "$IPHLP_BUILD/build-id.txt")"
# Every DLL and tool says what it is (GetFileVersionInfo reads this resource; UTF-16, so the NUL
# bytes are dropped to read its text), and the Unix side names the same build.
id=$(cat "$dist/VERSION")
has_version() { # PE VERSION ID: the resource's text, greppable once the NUL bytes are gone
    local text=$scratch/version.txt
    tr -d '\0' <"$1" >"$text"
    grep -aq "ProductNameiphlp" "$text" && grep -aq "FileDescription.\{0,2\}[a-z]" "$text" &&
        grep -aqF "ProductVersion$2 (build $3)" "$text"
}
for pe in "$dist"/*-windows/*.dll "$dist"/*-windows/*.exe "$dist"/tools/*.exe; do
    check "$(basename "$(dirname "$pe")")/$(basename "$pe") has a version resource of this build" \
        has_version "$pe" "${id%%-*}" "$id"
done
for so in "$dist"/*-unix/iphlpbridge.so "$dist"/*-unix/iphlp-unix.so; do
    check "$(basename "$(dirname "$so")")/$(basename "$so") names this build" grep -aqF "iphlp build $id" "$so"
done
for arch in x86_64 i386; do
    check "it carries the $arch ws2_32 companion" test -f "$dist/$arch-windows/ws2_32.dll"
done
check "it refers to no file of the source or build tree" bash -c "! grep -rlaF -e \"$IPHLP_SRC/scripts\" -e \"$IPHLP_BUILD/dist\" \"\$0\"" "$dist"

prefix=$scratch/machine/prefix
out=$(on_machine "$dist/setup.sh" install --winsock --wine "$fake" "$prefix" 2>&1)
check "setup.sh install --wine into a fresh prefix ($out)" test $? = 0
out=$(on_machine env WINEPREFIX="$prefix" timeout 120 wine "$dist/tools/iphlpstat.exe" --demo 2>&1 | tr -d '\r')
check "the distribution's iphlpstat --demo shows its own PID, no WINEDLLPATH ($out)" grep -q '<- this process' <<<"$out"
check "... with no 'Unix side unavailable' line" bash -c "! grep -q 'iphlpbridge.so' <<<\"\$0\"" "$out"
out=$(on_machine env WINEPREFIX="$prefix" timeout 120 wine cmd /c netstat -ano 2>&1 | tr -d '\r')
check "netstat -ano (the distribution's netstat.exe) prints the PID column" grep -Eq 'State +PID' <<<"$out"
sys32=$prefix/drive_c/windows/system32
check "system32/ws2_32.dll is the distribution's companion" cmp -s "$dist/x86_64-windows/ws2_32.dll" "$sys32/ws2_32.dll"
rstart=$((45000 + $$ % 200 * 8))
winrun() { on_machine env WINEPREFIX="$prefix" timeout 120 wine "$@" 2>&1 | tr -d '\r'; }
out=$(winrun "$(pe_exe x86_64 tests/examples/tcp_reservation.exe)" create $rstart 4)
check "a reservation is created ($out)" grep -Eq '^token 0x' <<<"$out"
out=$(winrun "$(pe_exe x86_64 tests/examples/tcp_reservation_consume.exe)" $rstart 4)
port=$(sed -n 's/^Port number allocated = \([0-9]*\)$/\1/p' <<<"$out")
check "through the companion, no WINEDLLPATH: the consumer gets port ${port:-none} of $rstart+4 ($out)" \
    test -n "$port" -a "${port:-0}" -ge $rstart -a "${port:-0}" -lt $((rstart + 4))
check "... and the reservation is deleted" test "$(winrun "$(pe_exe x86_64 tests/examples/tcp_reservation.exe)" delete $rstart 4)" = deleted
WINEPREFIX=$prefix timeout 30 wineserver -k 2>/dev/null
out=$(on_machine "$dist/setup.sh" uninstall "$prefix" 2>&1)
check "setup.sh uninstall puts Wine's iphlpapi.dll back ($out)" \
    cmp -s "$fake/lib/x86_64-linux-gnu/wine/x86_64-windows/iphlpapi.dll" "$prefix/drive_c/windows/system32/iphlpapi.dll"
check "... and Wine's ws2_32.dll" cmp -s "$fake/lib/x86_64-linux-gnu/wine/x86_64-windows/ws2_32.dll" "$sys32/ws2_32.dll"
out=$(on_machine "$dist/setup.sh" uninstall --wine "$fake" 2>&1)
check "setup.sh uninstall --wine takes the Unix side out of that Wine ($out)" \
    test ! -e "$fake/lib/x86_64-linux-gnu/wine/x86_64-unix/iphlpbridge.so" -a ! -e "$fake/lib/x86_64-linux-gnu/wine/x86_64-unix/iphlp-unix.so"
finish dist
