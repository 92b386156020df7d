#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The distribution on a machine with only Wine (the debian12-wineonly root: wine, wine64,
# wine32:i386 and what they pull in; no libmnl, no SQLite, no compiler). On the host: the tarball
# of this build (scripts/make-dist.sh, as ./iphlp dist makes it) is made; inside the root it is
# unpacked and installed by its setup.sh into a fresh prefix with --wine: into a Wine
# installation of the test's own (make_fake_wine: the root's Wine, both bitnesses, under /tmp),
# as --system does into the machine's, so no WINEDLLPATH is needed and the cached root is never
# written. Then, for both bitnesses: the Unix side loads (no library missing, none blamed on
# WINEDLLPATH), each bitness's GetTcpTable2 lists the other's listener with its Windows PID,
# and a reservation made by one is found, consumed through the ws2_32 companion (a port of the
# block) and deleted by the other. With the bundled libmnl.so.0 taken away, programs of both
# bitnesses still run with Wine's own answers and stderr names that library. After uninstall,
# Wine's own ws2_32.dll is back in both.
# Usage: run-dist-wine-only.sh            (on the host, from CTest)
#        run-dist-wine-only.sh --inside TARBALL   (inside the root)
. "$(dirname "$0")/lib.sh"
platform=debian12-wineonly
if [ "${1:-}" != --inside ]; then
    work=$IPHLP_BUILD/dist-wine-only
    rm -rf "$work"
    mkdir -p "$work"
    tarball=$("$IPHLP_SRC/scripts/make-dist.sh" "$IPHLP_BUILD" "$work") || { echo "FAILED: make-dist.sh"; exit 1; }
    case $tarball in *-x86_64+i386.tar.gz) ;; *) echo "skipped: no i386 Unix side in this build ($tarball)"; exit 77 ;; esac
    IPHLP_PLATFORM=$platform "$IPHLP_SRC/platforms/in-root.sh" "$platform" "$IPHLP_SRC" -- \
        "$IPHLP_SRC/tests/run-dist-wine-only.sh" --inside "$tarball"
    rc=$?
    rm -rf "$work"
    exit "$rc"
fi
tarball=$2
unset WINEPREFIX WINEDLLPATH WINEDLLOVERRIDES
export WINEDEBUG=-all
scratch=$(mktemp -d)
trap 'WINEPREFIX=$scratch/prefix timeout 30 wineserver -k 2>/dev/null; rm -rf "$scratch"' EXIT

for lib in libmnl.so.0 libsqlite3.so.0; do
    for dir in /usr/lib/x86_64-linux-gnu /usr/lib/i386-linux-gnu; do
        check "the machine has no $dir/$lib (as a machine with only Wine)" test ! -e "$dir/$lib"
    done
done
check "the machine has no compiler" bash -c '! command -v cc && ! command -v gcc && ! command -v cmake' >/dev/null
tar -C "$scratch" -xzf "$tarball"
dist=$(echo "$scratch"/iphlp-*/)
dist=${dist%/}
for arch in x86_64 i386; do
    for so in iphlpbridge.so iphlp-unix.so; do
        missing=$(LD_LIBRARY_PATH=$WINE_LIBDIR_x86_64/x86_64-unix:$WINE_LIBDIR_i386/i386-unix ldd "$dist/$arch-unix/$so" 2>&1 | grep 'not found')
        check "the $arch $so finds every library it needs ($missing)" test -z "$missing"
    done
done
prefix=$scratch/prefix
fake=$scratch/wine
make_fake_wine "$fake" || { echo "FAILED: no Debian-layout Wine to copy"; exit 1; }
check "the test's Wine has both bitnesses" test -d "$fake/lib/i386-linux-gnu/wine/i386-unix"
out=$("$dist/setup.sh" install --winsock --wine "$fake" "$prefix" 2>&1)
check "setup.sh install --wine succeeds ($out)" test $? = 0
check "... and says both bitnesses are fully served" grep -q 'fully served: x86_64 i386 programs' <<<"$out"
check "... the i386 Unix side went into that Wine, with its libraries" \
    test -f "$fake/lib/i386-linux-gnu/wine/i386-unix/iphlpbridge.so" -a -f "$fake/lib/i386-linux-gnu/wine/i386-unix/iphlp-unix.so" \
    -a -f "$fake/lib/i386-linux-gnu/wine/i386-unix/iphlp-libs/libmnl.so.0"
export PATH=$fake/bin:$PATH WINEPREFIX=$prefix
unset WINEDLLPATH WINEDLLOVERRIDES # as a user's shell after install --system: the registry has the overrides

other() { [ "$1" = x86_64 ] && echo i686 || echo x86_64; }
out=$scratch/started
for owner in x86_64 i686; do
    viewer=$(other $owner)
    rm -f "$out" "$out.err" # the last child's line must not be taken for this one's
    wine "$(pe_exe $owner conformance/conformance.exe)" child tcp-sockets >"$out" 2>"$out.err" &
    child=$!
    for ((i = 0; i < 600; i++)); do [ "$(cat "$out" 2>/dev/null | wc -l)" -ge 1 ] && break; sleep 0.1; done
    read -r _ port _ _ _ pid <<<"$(head -n1 "$out" | tr -d '\r')"
    check "$owner listener started (port $port, PID $pid; $(head -c 300 "$out" "$out.err"))" test -n "$port" -a -n "$pid"
    iphlp_run_bounded 120 wine "$(pe_exe "$viewer" tests/examples/tcp_table2_list.exe)" >"$scratch/table" 2>"$scratch/table.err"
    check "$viewer GetTcpTable2 lists the $owner listener on port $port with PID $pid" \
        grep -Eq "state=2 local=127\.0\.0\.1:$port remote=0\.0\.0\.0:0 pid=$pid"$'\r?$' "$scratch/table"
    check "... and no line says the Unix side is missing ($(cat "$scratch/table.err"))" bash -c '! grep -q iphlpbridge "$0"' "$scratch/table.err"
    kill "$child" 2>/dev/null
    wait "$child" 2>/dev/null
done
start=$((47000 + $$ % 400 * 5)) count=4
reservation() { iphlp_run_bounded 120 wine "$(pe_exe "$1" tests/examples/tcp_reservation.exe)" "$2" $start $count 2>/dev/null | tr -d '\r'; }
for creator in x86_64 i686; do
    finder=$(other $creator)
    created=$(reservation $creator create)
    check "$creator creates a reservation ($created)" grep -Eq '^token 0x[0-9a-f]{16}$' <<<"$created"
    check "$finder finds it with the same token" test "$(reservation "$finder" lookup)" = "$created"
    text=$(iphlp_run_bounded 120 wine "$(pe_exe "$finder" tests/examples/tcp_reservation_consume.exe)" $start $count 2>&1 | tr -d '\r')
    port=$(sed -n 's/^Port number allocated = \([0-9]*\)$/\1/p' <<<"$text")
    check "$finder consumes it through the companion: port ${port:-none} of $start+$count ($text)" \
        test -n "$port" -a "${port:-0}" -ge $start -a "${port:-0}" -lt $((start + count))
    check "$finder deletes it" test "$(reservation "$finder" delete)" = deleted
done

# One bundled library gone (as a user who deleted it, or a copy that missed it): each bitness's
# program still runs, with Wine's own answers, and the one line on stderr names the library,
# not WINEDLLPATH. The listener runs without it too (its ws2_32 companion forwards to Wine's).
wineserver -k 2>/dev/null
for arch in x86_64 i386; do
    mv "$fake/lib/$arch-linux-gnu/wine/$arch-unix/iphlp-libs/libmnl.so.0" "$scratch/libmnl.so.0.$arch"
done
for owner in x86_64 i686; do
    viewer=$(other $owner)
    rm -f "$out" "$out.err"
    wine "$(pe_exe $owner conformance/conformance.exe)" child tcp-sockets >"$out" 2>"$out.err" &
    child=$!
    for ((i = 0; i < 600; i++)); do [ "$(cat "$out" 2>/dev/null | wc -l)" -ge 1 ] && break; sleep 0.1; done
    read -r _ port _ _ _ pid <<<"$(head -n1 "$out" | tr -d '\r')"
    check "without libmnl.so.0: the $owner listener starts (port $port; $(head -c 300 "$out" "$out.err"))" test -n "$port"
    rc=0
    iphlp_run_bounded 120 wine "$(pe_exe "$viewer" tests/examples/tcp_table2_list.exe)" >"$scratch/table" 2>"$scratch/table.err" || rc=$?
    check "... $viewer GetTcpTable2 runs (exit $rc)" test $rc = 0
    check "... and answers with Wine's own table, which lists the listener on port $port" \
        grep -Eq "local=127\.0\.0\.1:$port remote=0\.0\.0\.0:0" "$scratch/table"
    check "... one line on stderr names the missing library ($(cat "$scratch/table.err"))" \
        bash -c '[ "$(grep -c "^iphlpapi: the Unix side did not load: .*libmnl\.so\.0: cannot open shared object file" "$0")" = 1 ]' \
        "$scratch/table.err"
    check "... and blames neither WINEDLLPATH nor the bridge's place" bash -c '! grep -qi "WINEDLLPATH\|not where Wine looks" "$0"' "$scratch/table.err"
    check "... once per process" test "$(grep -c iphlpapi: "$scratch/table.err")" = 1
    kill "$child" 2>/dev/null
    wait "$child" 2>/dev/null
done
wineserver -k 2>/dev/null
for arch in x86_64 i386; do
    mv "$scratch/libmnl.so.0.$arch" "$fake/lib/$arch-linux-gnu/wine/$arch-unix/iphlp-libs/libmnl.so.0"
done
out=$("$dist/setup.sh" uninstall --purge --wine "$fake" "$prefix" 2>&1)
check "setup.sh uninstall --purge --wine ($out)" test $? = 0
for dir in system32:x86_64 syswow64:i386; do
    check "${dir%:*}/ws2_32.dll is Wine's own again" \
        cmp -s "$fake/lib/${dir#*:}-linux-gnu/wine/${dir#*:}-windows/ws2_32.dll" "$prefix/drive_c/windows/${dir%:*}/ws2_32.dll"
done
check "... takes both Unix sides and their libraries out of that Wine" bash -c '! ls "$0"/lib/*-linux-gnu/wine/*-unix/iphlpbridge.so "$0"/lib/*-linux-gnu/wine/*-unix/iphlp-unix.so "$0"/lib/*-linux-gnu/wine/*-unix/iphlp-libs 2>/dev/null' "$fake"
finish dist-wine-only
