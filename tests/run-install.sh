#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# setup.sh (what ./iphlp install and the distribution run) against fresh prefixes and a Wine
# installation of the test's own (make_fake_wine: Debian's Wine under a scratch root, so the
# machine's /usr/lib/*/wine is never written):
#  - install --wine DIR: the Unix side lands in that Wine's library directory, and without
#    WINEDLLPATH the GetTcpTable2 documentation example shows another Wine process's PID;
#  - without --winsock the ws2_32 companion stays out (Wine's own ws2_32, no override); with it,
#    without WINEDLLPATH: a program consumes a reservation (SIO_ASSOCIATE_
#    PORT_RESERVATION, bind) and gets a port of the block, plain Winsock works (Wine's netstat and
#    ipconfig, a connect); ws2wine.dll/.so beside the bridge are links to the Wine's ws2_32, and
#    after a Wine upgrade the next program maps the new Wine's ws2_32.dll and ws2_32.so;
#  - iphlpwine.dll follows the Wine: a changed iphlpapi.dll in the Wine is what the prefix uses;
#  - a Unix side of another build is named on stderr and not used (Wine's tables answer);
#  - with the Unix side removed, Wine's own netstat -an shows the same rows as stock Wine, and
#    the example answers (Wine's tables) instead of error 50;
#  - a Wine without ws2_32.so gets no companion (one put in before is taken out), Wine's own stays;
#  - an install stopped after each of its steps is undone by uninstall (Wine's own iphlpapi.dll,
#    netstat.exe, ws2_32.dll and overrides back, byte-identical), also after a second, complete install; an install whose
#    record was lost never keeps this project's DLL as the original;
#  - bad input: wine missing, a prefix whose parent does not exist, a prefix Wine refuses (its
#    own reason shown); the WINEDLLPATH hint is quoted for a path with a space;
#  - WINEDLLPATH mode: the ws2_32 override is in the printed line, not in the registry (a program
#    started without WINEDLLPATH gets Wine's own ws2_32; with the override but no WINEDLLPATH no
#    program would start, which is why), and with the line a program consumes a reservation;
#  - uninstall keeps the reservation store and says so; --purge deletes it and its kernel blocks.
# Usage: run-install.sh
. "$(dirname "$0")/lib.sh"
unset WINEPREFIX WINEDLLPATH WINEDLLOVERRIDES # set up the way a user's shell is
export WINEDEBUG=-all
setup=$IPHLP_SRC/scripts/setup.sh
scratch=$(mktemp -d)
cleanup() {
    local p
    for p in "$scratch"/p* "$scratch"/*prefix*; do
        [ -d "$p" ] && WINEPREFIX=$p timeout 30 wineserver -k 2>/dev/null
    done
    rm -rf "$scratch"
}
trap cleanup EXIT

# The distribution of this build, unpacked: setup.sh runs from it as users run it.
tarball=$("$IPHLP_SRC/scripts/make-dist.sh" "$IPHLP_BUILD" "$scratch/dist") || { echo "FAILED: make-dist.sh"; exit 1; }
tar -C "$scratch" -xzf "$tarball"
dist=$(echo "$scratch"/iphlp-*/)
dist=${dist%/}
setup=$dist/setup.sh

fake=$scratch/wine
make_fake_wine "$fake" || { echo "skipped: no Debian-layout Wine (/usr/lib/wine/wine64) to copy"; exit 77; }
fakelib=$fake/lib/x86_64-linux-gnu/wine
wine_=$fake/bin/wine
# The bitnesses an install serves: i386 too where this Wine has wine32 (Debian 13's root, a
# Debian 12 host with wine32:i386) and the distribution carries the i386 Unix side.
served=x86_64
[ -d "$fake/lib/i386-linux-gnu/wine/i386-unix" ] && [ -f "$dist/i386-unix/iphlpbridge.so" ] && served="x86_64 i386"

# One fresh prefix, made once and copied for every scenario (wineboot takes ~10 s). The user's
# own override value iphlpapi=builtin must come back after uninstall.
template=$scratch/template-prefix
WINEPREFIX=$template WINEDLLOVERRIDES="mscoree,mshtml=" "$wine_" wineboot -i >/dev/null 2>&1
WINEPREFIX=$template "$wine_" reg add 'HKCU\Software\Wine\DllOverrides' /v iphlpapi /d builtin /f >/dev/null 2>&1
WINEPREFIX=$template "$fake/bin/wineserver" -w
orig_dll=$(sha256sum <"$template/drive_c/windows/system32/iphlpapi.dll")
orig_netstat=$(sha256sum <"$template/drive_c/windows/system32/netstat.exe")
orig_ws2=$(sha256sum <"$template/drive_c/windows/system32/ws2_32.dll")
n=0
# Linked copies (link_prefix in lib.sh; measured: a hard-linked user.reg carried one prefix's
# overrides into every other).
fresh_prefix() {
    n=$((n + 1))
    prefix=$scratch/p$n
    link_prefix "$template" "$prefix"
    sys32=$prefix/drive_c/windows/system32
}
override() { # NAME: the prefix's DllOverrides value, or nothing
    WINEPREFIX=$prefix "$wine_" reg query 'HKCU\Software\Wine\DllOverrides' /v "$1" 2>/dev/null | tr -d '\r' |
        awk -v n="$1" 'tolower($1) == tolower(n) { print $3 }'
}
is_restored() { # WHAT: the prefix is as stock Wine left it
    check "$1: Wine's own iphlpapi.dll is back" test "$(sha256sum <"$sys32/iphlpapi.dll")" = "$orig_dll"
    check "$1: Wine's own netstat.exe is back" test "$(sha256sum <"$sys32/netstat.exe")" = "$orig_netstat"
    check "$1: Wine's own ws2_32.dll is back" test "$(sha256sum <"$sys32/ws2_32.dll")" = "$orig_ws2"
    check "$1: no iphlpwine.dll, no iphlpbridge.dll, no ws2wine.dll" test ! -e "$sys32/iphlpwine.dll" -a ! -L "$sys32/iphlpwine.dll" -a ! -e "$sys32/iphlpbridge.dll" -a ! -e "$sys32/ws2wine.dll"
    check "$1: no override ws2_32 ($(override ws2_32))" test -z "$(override ws2_32)"
    check "$1: the override iphlpapi is the user's again ($(override iphlpapi))" test "$(override iphlpapi)" = builtin
    check "$1: no override netstat.exe ($(override netstat.exe))" test -z "$(override netstat.exe)"
    check "$1: no install record left" test ! -e "$prefix/iphlp"
}
# Output through a file, not a pipe: Wine's system processes inherit stderr and outlive the
# command by seconds, and a pipe's reader would wait for them (3 s per command).
run_in() { WINEPREFIX=$prefix timeout 120 "$wine_" "$@" >"$scratch/run.out" 2>&1; tr -d '\r' <"$scratch/run.out"; }

# ---- without --winsock the companion stays out: Wine's own ws2_32 answers ----
fresh_prefix
out=$("$setup" install --wine "$fake" "$prefix" 2>&1)
check "install --wine without --winsock succeeds ($out)" test $? = 0
check "... system32/ws2_32.dll is still Wine's own, byte-identical" test "$(sha256sum <"$sys32/ws2_32.dll")" = "$orig_ws2"
check "... no ws2wine.dll, no override ws2_32 ($(override ws2_32))" test ! -e "$sys32/ws2wine.dll" -a -z "$(override ws2_32)"
check "... and iphlpapi.dll is this build's" cmp -s "$dist/x86_64-windows/iphlpapi.dll" "$sys32/iphlpapi.dll"
"$setup" uninstall "$prefix" >/dev/null 2>&1
is_restored "an install without --winsock, then uninstall"

# ---- install --winsock --wine DIR, then programs without WINEDLLPATH ----
fresh_prefix
out=$("$setup" install --winsock --wine "$fake" "$prefix" 2>&1)
check "install --wine succeeds ($out)" test $? = 0
check "install says which bitnesses are served ($out)" grep -q "fully served: $served programs" <<<"$out"
check "system32/iphlpapi.dll is this build's" cmp -s "$dist/x86_64-windows/iphlpapi.dll" "$sys32/iphlpapi.dll"
check "system32/netstat.exe is this project's" cmp -s "$dist/x86_64-windows/netstat.exe" "$sys32/netstat.exe"
check "system32/iphlpwine.dll is the Wine's own iphlpapi.dll" cmp -s "$fakelib/x86_64-windows/iphlpapi.dll" "$sys32/iphlpwine.dll"
check "the bridge is in the Wine's x86_64-windows" cmp -s "$dist/x86_64-windows/iphlpbridge.dll" "$fakelib/x86_64-windows/iphlpbridge.dll"
check "the Unix side is in the Wine's x86_64-unix" cmp -s "$dist/x86_64-unix/iphlpbridge.so" "$fakelib/x86_64-unix/iphlpbridge.so"
check "nothing under PREFIX/iphlp needs WINEDLLPATH" test ! -e "$prefix/iphlp/x86_64-unix"
check "override iphlpapi=native,builtin ($(override iphlpapi))" test "$(override iphlpapi)" = native,builtin
check "override netstat.exe=native,builtin ($(override netstat.exe))" test "$(override netstat.exe)" = native,builtin
check "system32/ws2_32.dll is this build's companion" cmp -s "$dist/x86_64-windows/ws2_32.dll" "$sys32/ws2_32.dll"
check "system32/ws2wine.dll is the Wine's own ws2_32.dll" cmp -s "$fakelib/x86_64-windows/ws2_32.dll" "$sys32/ws2wine.dll"
check "the Wine's x86_64-windows/ws2wine.dll links to its ws2_32.dll" test "$(readlink "$fakelib/x86_64-windows/ws2wine.dll")" = ws2_32.dll
check "the Wine's x86_64-unix/ws2wine.so links to its ws2_32.so" test "$(readlink "$fakelib/x86_64-unix/ws2wine.so")" = ws2_32.so
check "override ws2_32=native,builtin, last ($(override ws2_32))" test "$(override ws2_32)" = native,builtin

# A reservation consumed through the companion, as the documentation's example does, without
# WINEDLLPATH: stock Wine's ws2_32 answers the association with 10045 and never gets here.
rstart=$((45000 + $$ % 200 * 8))
# A block made, consumed by the documentation's example and deleted, each program run by RUNNER.
reservation_consumed() { # WHAT RUNNER
    local out port
    out=$("$2" "$(pe_exe x86_64 tests/examples/tcp_reservation.exe)" create $rstart 4)
    check "$1: a reservation is created ($out)" grep -Eq '^token 0x' <<<"$out"
    out=$("$2" "$(pe_exe x86_64 tests/examples/tcp_reservation_consume.exe)" $rstart 4)
    port=$(sed -n 's/^Port number allocated = \([0-9]*\)$/\1/p' <<<"$out")
    check "$1: the consumer gets port ${port:-none} of $rstart+4 ($out)" \
        test -n "$port" -a "${port:-0}" -ge $rstart -a "${port:-0}" -lt $((rstart + 4))
    out=$("$2" "$(pe_exe x86_64 tests/examples/tcp_reservation.exe)" delete $rstart 4)
    check "$1: the reservation is deleted ($out)" test "$out" = deleted
}
reservation_consumed "the companion, no WINEDLLPATH" run_in

# A Wine upgrade replaces its ws2_32.dll (here: with bytes appended, by rename): the next program
# loads the new file through the link, never the prefix's older system32 copy.
wine_ws2=$fakelib/x86_64-windows/ws2_32.dll
cp "$wine_ws2" "$scratch/ws2-upgraded.dll"
printf 'upgraded Wine %s' "$$" >>"$scratch/ws2-upgraded.dll"
mv -f "$scratch/ws2-upgraded.dll" "$wine_ws2"

holder_out=$scratch/holder.out
# The holder runs until its stdin ends: a FIFO this shell keeps open, closed when the holder is
# no longer needed. (A `sleep 300 |` feeding it outlived the holder, and the `wait` below then
# waited out the sleep: 5 of the test's 8 minutes.)
mkfifo "$scratch/holder.in"
exec {holder_in}<>"$scratch/holder.in"
WINEPREFIX=$prefix "$wine_" "$(pe_exe x86_64 tools/netstat/netstat_holder.exe)" <"$scratch/holder.in" >"$holder_out" 2>&1 &
holder=$!
for ((i = 0; i < 300; i++)); do grep -q '^pid=' "$holder_out" 2>/dev/null && break; sleep 0.1; done
line=$(head -n1 "$holder_out" | tr -d '\r')
hpid=$(sed -n 's/^pid=\([0-9]*\).*/\1/p' <<<"$line")
hport=$(sed -n 's/.* tcp4_listen=\([0-9]*\).*/\1/p' <<<"$line")
check "the holder started ($line)" test -n "$hpid" -a -n "$hport"
# The Unix process of the holder (wine execs the loader, so it is the started one).
maps=$(cat "/proc/$holder/maps" 2>/dev/null | awk '{ print $6 }' | sort -u)
check "the holder runs the companion (system32/ws2_32.dll mapped)" grep -qxF "$sys32/ws2_32.dll" <<<"$maps"
check "... its forwards reach the upgraded Wine's ws2_32.dll, not the older system32 copy" \
    bash -c 'grep -qxF "$1" <<<"$0" && ! grep -qxF "$2" <<<"$0"' "$maps" "$wine_ws2" "$sys32/ws2wine.dll"
check "... with the Wine's own ws2_32.so" grep -qxF "$(readlink -f "$fakelib/x86_64-unix/ws2_32.so")" <<<"$maps"
out=$(run_in "$(pe_exe x86_64 tests/examples/tcp_table2_list.exe)")
check "GetTcpTable2 example, no WINEDLLPATH: the holder's listener carries its PID $hpid" \
    grep -Eq "state=2 local=0\.0\.0\.0:$hport remote=0\.0\.0\.0:0 pid=$hpid\$" <<<"$out"
check "no 'Unix side unavailable' line" bash -c "! grep -q 'iphlpbridge.so' <<<\"\$0\"" "$out"
out=$(run_in cmd /c netstat -ano)
check "netstat (this project's, via the override) shows the holder's PID" grep -Eq "TCP +0\.0\.0\.0:$hport .*LISTENING +$hpid\$" <<<"$out"
check "a connect through the companion: the holder's connection to its listener is established" \
    grep -Eq "TCP +127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:$hport +ESTABLISHED +$hpid\$" <<<"$out"
out=$(run_in ipconfig)
check "a forwarded function works (ipconfig: GetAdaptersAddresses)" grep -q 'Ethernet adapter lo' <<<"$out"
out=$("$setup" install --winsock --wine "$fake" "$prefix" 2>&1)
check "installing twice succeeds and changes nothing" cmp -s "$dist/x86_64-windows/iphlpapi.dll" "$sys32/iphlpapi.dll"

# iphlpwine.dll follows the Wine: an upgraded iphlpapi.dll (here: Wine's file with bytes
# appended, which a PE loader ignores) is what the prefix's forwards reach, without reinstalling.
wine_iphlpapi=$fakelib/x86_64-windows/iphlpapi.dll
cp "$wine_iphlpapi" "$scratch/upgraded.dll"
printf 'upgraded Wine %s' "$$" >>"$scratch/upgraded.dll"
mv -f "$scratch/upgraded.dll" "$wine_iphlpapi" # by rename, as dpkg does
check "before any program ran, iphlpwine.dll is still the old Wine's" bash -c "! cmp -s \"\$0\" \"\$1\"" "$wine_iphlpapi" "$sys32/iphlpwine.dll"
out=$(run_in "$(pe_exe x86_64 tests/examples/tcp_table2_list.exe)")
check "after a Wine upgrade, the next program's start makes system32/iphlpwine.dll the new Wine's file" cmp -s "$wine_iphlpapi" "$sys32/iphlpwine.dll"
out=$(run_in ipconfig)
check "forwarded functions work after the upgrade" grep -q 'Ethernet adapter lo' <<<"$out"

# A Unix side of another build (its build id changed in place, same length): the DLL says so and
# answers with Wine's tables instead of calling a Unix side whose layouts may differ.
so=$fakelib/x86_64-unix/iphlpbridge.so
id=$(cat "$dist/VERSION")
other=${id%?}$([ "${id: -1}" = x ] && echo y || echo x)
cp "$so" "$scratch/iphlpbridge.so.good"
sed "s/iphlp build $id/iphlp build $other/" "$scratch/iphlpbridge.so.good" >"$scratch/other.so"
mv -f "$scratch/other.so" "$so"
check "the patched Unix side carries another build id" grep -aqF "iphlp build $other" "$so"
out=$(run_in "$(pe_exe x86_64 tests/examples/tcp_table2_list.exe)")
check "another build's Unix side: the mismatch is named ($out)" grep -qF "iphlpbridge.so is build '$other', this iphlpapi.dll is build '$id': install both from one build" <<<"$out"
check "... and Wine's table answers" grep -Eq "local=127\.0\.0\.1:[0-9]+ remote=127\.0\.0\.1:$hport" <<<"$out"
mv -f "$scratch/iphlpbridge.so.good" "$so"

# ---- the Unix side removed: never worse than stock Wine ----
out=$("$setup" uninstall --wine "$fake" 2>&1)
check "uninstall --wine removes the Unix side from that Wine ($out)" test ! -e "$fakelib/x86_64-unix/iphlpbridge.so" -a ! -e "$fakelib/x86_64-windows/iphlpbridge.dll"
check "... keeps the ws2wine links, which the installed prefix's Winsock needs, and says so" \
    bash -c 'test -L "$1/x86_64-windows/ws2wine.dll" -a -L "$1/x86_64-unix/ws2wine.so" && grep -q "kept .*ws2wine.dll" <<<"$0"' "$out" "$fakelib"
check "... and leaves the prefix installed" cmp -s "$dist/x86_64-windows/iphlpapi.dll" "$sys32/iphlpapi.dll"
# Every row but TIME_WAIT ones (they come and go); Wine 8's own netstat lists no listeners.
rows() { grep -E '^ *(TCP|UDP) ' | grep -v TIME_WAIT | awk '{print $1, $2, $3, $4}' | sort; }
stock=$(WINEPREFIX=$prefix WINEDLLOVERRIDES="iphlpapi=b;netstat.exe=b" timeout 120 "$wine_" netstat -an 2>/dev/null | tr -d '\r' | rows)
ours=$(WINEPREFIX=$prefix WINEDLLOVERRIDES="netstat.exe=b" timeout 120 "$wine_" netstat -an 2>"$scratch/err" | tr -d '\r' | rows)
check "stock Wine's netstat -an lists the holder's connection ($stock)" grep -q "127.0.0.1:$hport" <<<"$stock"
check "without the Unix side, Wine's netstat -an lists the same rows as stock Wine ($ours)" test "$ours" = "$stock"
check "one line on stderr says why and how to fix it" grep -q 'iphlpbridge.so could not be loaded.*Fix: install' "$scratch/err"
check "... once per process" test "$(grep -c iphlpapi: "$scratch/err")" = 1
out=$(run_in "$(pe_exe x86_64 tests/examples/tcp_table2_list.exe)")
check "the GetTcpTable2 example answers with Wine's table (not error 50)" grep -Eq "local=0\.0\.0\.0:$hport remote=0\.0\.0\.0:0" <<<"$out"
out=$(run_in "$(pe_exe x86_64 tools/iphlpstat.exe)" --demo)
check "iphlpstat prints a table, not error 50" bash -c "grep -q ':$hport' <<<\"\$0\" && ! grep -q 'error 50' <<<\"\$0\"" "$out"
out=$(run_in "$dist/tools/excludedports.exe" add excludedportrange protocol=tcp startport=47000 numberofports=2)
check "reservations still answer ERROR_NOT_SUPPORTED ($out)" grep -q '(error 50)' <<<"$out"
WINEPREFIX=$prefix timeout 30 wineserver -k 2>/dev/null
exec {holder_in}>&-
wait "$holder"
# The store of the reservation consumed above (deleted, so empty): data, which uninstall keeps
# with its record; keeping and purging are checked in the WINEDLLPATH part below.
rm -f -- "$prefix"/iphlp-reservations.sqlite3*
out=$("$setup" uninstall "$prefix" 2>&1)
is_restored "uninstall"
out=$("$setup" uninstall "$prefix" 2>&1)
check "uninstalling twice is harmless ($out)" test "$(sha256sum <"$sys32/iphlpapi.dll")" = "$orig_dll"

# ---- an install stopped after each step, undone by uninstall ----
for step in checks record unix bridge files override_iphlpapi override_netstat override_ws2_32; do
    fresh_prefix
    IPHLP_SETUP_FAIL_AT=$step "$setup" install --winsock --wine "$fake" "$prefix" >/dev/null 2>&1
    check "install stopped after '$step' fails" test $? = 3
    "$setup" uninstall "$prefix" >/dev/null 2>&1
    is_restored "stopped after $step, then uninstall"
    fresh_prefix
    IPHLP_SETUP_FAIL_AT=$step "$setup" install --winsock --wine "$fake" "$prefix" >/dev/null 2>&1
    "$setup" install --winsock --wine "$fake" "$prefix" >/dev/null 2>&1
    check "stopped after '$step', installed again: this project's DLL is in place" cmp -s "$dist/x86_64-windows/iphlpapi.dll" "$sys32/iphlpapi.dll"
    "$setup" uninstall "$prefix" >/dev/null 2>&1
    is_restored "stopped after $step, installed again, then uninstall"
done
# A record lost (deleted by hand): the next install must not keep our DLL as "the original".
fresh_prefix
"$setup" install --winsock --wine "$fake" "$prefix" >/dev/null 2>&1
rm -rf "$prefix/iphlp"
"$setup" install --winsock --wine "$fake" "$prefix" >/dev/null 2>&1
check "record lost: the recorded original is not this project's DLL" \
    bash -c "! tr -d '\\0' <\"\$0\" | grep -a ProductNameiphlp >/dev/null" "$prefix/iphlp/original/system32/iphlpapi.dll"
WINEPREFIX=$prefix "$wine_" reg add 'HKCU\Software\Wine\DllOverrides' /v iphlpapi /d builtin /f >/dev/null 2>&1
printf 'builtin\n' >"$prefix/iphlp/original/override.iphlpapi" # the user's value was lost with the record
"$setup" uninstall "$prefix" >/dev/null 2>&1
check "record lost: uninstall puts the Wine's own iphlpapi.dll back" cmp -s "$wine_iphlpapi" "$sys32/iphlpapi.dll"

# ---- a Wine without ws2_32.so: the companion stays out (also one an earlier install put in) ----
fresh_prefix
"$setup" install --winsock --wine "$fake" "$prefix" >/dev/null 2>&1
# Every bitness's ws2_32.so away: with wine32, an i386 one left in place keeps the companion for
# 32-bit programs, and with it the override (measured on Wine 10.0: ws2_32=native,builtin).
for a in $served; do mv "$fake/lib/$a-linux-gnu/wine/$a-unix/ws2_32.so" "$scratch/ws2_32.so.$a"; done
out=$("$setup" install --winsock --wine "$fake" "$prefix" 2>&1)
rc=$?
for a in $served; do mv "$scratch/ws2_32.so.$a" "$fake/lib/$a-linux-gnu/wine/$a-unix/ws2_32.so"; done
check "a Wine without ws2_32.so: install succeeds ($rc: $out)" test "$rc" = 0
check "... with this project's iphlpapi.dll" cmp -s "$dist/x86_64-windows/iphlpapi.dll" "$sys32/iphlpapi.dll"
check "... Wine's own ws2_32.dll back in system32, byte-identical" test "$(sha256sum <"$sys32/ws2_32.dll")" = "$orig_ws2"
check "... no ws2wine.dll" test ! -e "$sys32/ws2wine.dll"
check "... no override ws2_32 ($(override ws2_32))" test -z "$(override ws2_32)"
"$setup" uninstall "$prefix" >/dev/null 2>&1
is_restored "a Wine without ws2_32.so, then uninstall"

# ---- bad input: clear errors, nothing changed ----
fresh_prefix
nowine=$scratch/nowine-bin
minimal_path "$nowine" "${SETUP_TOOLS[@]}"
out=$(PATH=$nowine "$setup" install "$prefix" 2>&1)
rc=$?
check "wine missing from PATH: exit 1 with a message ($rc: $out)" bash -c "[ $rc = 1 ] && grep -q 'wine is not on PATH' <<<\"\$0\"" "$out"
check "wine missing from PATH: the prefix is untouched" test "$(sha256sum <"$sys32/iphlpapi.dll")" = "$orig_dll" -a ! -e "$prefix/iphlp"
out=$(cd "$scratch" && "$setup" install --winsock --wine "$fake" no/such/parent/prefix 2>&1)
check "relative path with a missing parent: says so ($out)" grep -q "parent directory $scratch/no/such/parent does not exist" <<<"$out"
mkdir "$scratch/not-mine"
chown 65534 "$scratch/not-mine"
out=$("$setup" install --winsock --wine "$fake" "$scratch/not-mine" 2>&1)
check "a prefix Wine refuses: Wine's own reason is shown ($out)" grep -q 'not owned by you' <<<"$out"
out=$("$setup" install --wine "$scratch/nowhere" "$prefix" 2>&1)
check "--wine with a missing directory: says so ($out)" grep -q 'no such directory' <<<"$out"
out=$("$setup" install 2>&1)
check "no prefix named: usage, not ~/.wine ($out)" grep -q 'name the prefix' <<<"$out"

# ---- WINEDLLPATH mode, a path with a space, reservations kept and purged ----
prefix="$scratch/my prefix"
cp -a "$template" "$prefix"
sys32=$prefix/drive_c/windows/system32
out=$("$setup" install --winsock "$prefix" 2>&1)
hint=$(grep -o 'export WINEDLLPATH=.*' <<<"$out")
check "the WINEDLLPATH hint is printed ($out)" test -n "$hint"
got=$(WINEDLLPATH= bash -c "$hint; printf '%s' \"\$WINEDLLPATH\"")
check "the hint, pasted into a shell, gives the right path ($got)" test "$got" = "$prefix/iphlp"
got_o=$(WINEDLLOVERRIDES= bash -c "$hint; printf '%s' \"\$WINEDLLOVERRIDES\"")
check "the hint sets the ws2_32 override ($got_o)" test "$got_o" = ws2_32=native,builtin
got_o=$(WINEDLLOVERRIDES='mshtml=' bash -c "$hint; printf '%s' \"\$WINEDLLOVERRIDES\"")
check "... after the user's own overrides ($got_o)" test "$got_o" = 'mshtml=;ws2_32=native,builtin'
check "WINEDLLPATH mode: no ws2_32 override in the registry ($(override ws2_32))" test -z "$(override ws2_32)"
syslib=$(iphlp_wine_libdir x86_64)
check "PREFIX/iphlp/x86_64-windows/ws2wine.dll links to the Wine's ws2_32.dll" \
    test "$(readlink "$prefix/iphlp/x86_64-windows/ws2wine.dll")" = "$syslib/x86_64-windows/ws2_32.dll"
check "PREFIX/iphlp/x86_64-unix/ws2wine.so links to the Wine's ws2_32.so" \
    test "$(readlink "$prefix/iphlp/x86_64-unix/ws2wine.so")" = "$syslib/x86_64-unix/ws2_32.so"
# With the Wine that installed (the one on PATH, whose own directory has no ws2wine.dll).
run_sys() { WINEPREFIX=$prefix timeout 120 wine "$@" >"$scratch/run.out" 2>&1; local rc=$?; tr -d '\r' <"$scratch/run.out"; return $rc; }
out=$(run_sys ipconfig)
check "a program started without the line gets Wine's own ws2_32 and runs (ipconfig)" grep -q 'Ethernet adapter lo' <<<"$out"
out=$(WINEDLLOVERRIDES=ws2_32=native,builtin run_sys ipconfig)
rc=$?
check "why: the override without WINEDLLPATH, Wine does not fall back to its builtin: no program starts ($rc)" \
    bash -c '[ "$0" != 0 ] && grep -q "ws2wine.dll, Wine.s own ws2_32, cannot start" <<<"$1" && ! grep -q "Ethernet adapter" <<<"$1"' "$rc" "$out"
export WINEDLLPATH=$got
WINEDLLOVERRIDES=$got_o reservation_consumed "WINEDLLPATH mode, with the line" run_sys
start=$((47100 + $$ % 200 * 2))
out=$(run_in "$dist/tools/excludedports.exe" add excludedportrange protocol=udp startport=$start numberofports=2)
check "a reservation through the installed DLL ($out)" grep -q '^Ok\.' <<<"$out"
kernel=/proc/sys/net/ipv4/ip_local_reserved_ports
mirrored=false
grep -Eq "(^|,)$start-$((start + 1))(,|$)" "$kernel" && mirrored=true
unset WINEDLLPATH
WINEPREFIX=$prefix timeout 30 wineserver -k 2>/dev/null
out=$("$setup" uninstall "$prefix" 2>&1)
check "uninstall says the store is kept, with its count ($out)" grep -q 'kept the port reservation store .*(1 reservation)' <<<"$out"
check "uninstall offers --purge" grep -q 'uninstall --purge' <<<"$out"
check "the store survives uninstall" test -f "$prefix/iphlp-reservations.sqlite3"
check "uninstall restored the prefix" test "$(sha256sum <"$sys32/iphlpapi.dll")" = "$orig_dll"
# --purge after that plain uninstall: the store is reached through the record the prefix kept.
out=$("$setup" uninstall --purge "$prefix" 2>&1)
check "uninstall --purge after a plain uninstall deletes the store ($out)" test ! -e "$prefix/iphlp-reservations.sqlite3"
if $mirrored; then
    check "uninstall --purge takes the block out of ip_local_reserved_ports" \
        bash -c "! grep -Eq '(^|,)$start-$((start + 1))(,|\$)' $kernel"
fi
check "uninstall --purge restored the prefix" test "$(sha256sum <"$sys32/iphlpapi.dll")" = "$orig_dll"
check "... and left no record behind" test ! -e "$prefix/iphlp"
out=$("$setup" uninstall --purge "$prefix" 2>&1)
check "uninstall --purge with nothing left says so ($out)" grep -q 'nothing to purge' <<<"$out"

# ---- paths are taken exactly: PFX<newline> must not act on PFX ----
fresh_prefix
nl=$'\n'
out=$("$setup" install --winsock --wine "$fake" "$prefix$nl" 2>&1)
check "install PFX<newline>: refused, exit 1 ($out)" bash -c '[ "$0" = 1 ] && grep -q "newline or another control character" <<<"$1"' "$?" "$out"
out=$("$setup" install --winsock --wine "$fake" "${prefix%/*}$nl/${prefix##*/}" 2>&1)
check "install PARENT<newline>/pfx: refused ($out)" grep -q 'newline or another control character' <<<"$out"
check "... and PFX is untouched" test "$(sha256sum <"$sys32/iphlpapi.dll")" = "$orig_dll" -a ! -e "$prefix/iphlp"
"$setup" install --winsock --wine "$fake" "$prefix" >/dev/null 2>&1
out=$("$setup" uninstall "$prefix$nl" 2>&1)
check "uninstall PFX<newline>: refused ($out)" grep -q 'newline or another control character' <<<"$out"
out=$("$setup" uninstall --purge "${prefix%/*}$nl/${prefix##*/}" 2>&1)
check "uninstall --purge PARENT<newline>/pfx: refused ($out)" grep -q 'newline or another control character' <<<"$out"
check "... and the installed PFX is untouched" cmp -s "$dist/x86_64-windows/iphlpapi.dll" "$sys32/iphlpapi.dll"
check "... its override too ($(override iphlpapi))" test "$(override iphlpapi)" = native,builtin

# ---- uninstall tells the truth: a registry it cannot read fails it ----
# A wine whose `reg` fails (as one of another Wine version than the prefix's server does).
broken=$scratch/broken-wine
mkdir -p "$broken/bin"
printf '#!/bin/sh\n[ "$1" = reg ] && { echo "wine: the registry cannot be reached" >&2; exit 1; }\nexec %q "$@"\n' "$wine_" >"$broken/bin/wine"
chmod +x "$broken/bin/wine"
ln -s "$fake/bin/wineserver" "$broken/bin/wineserver"
ln -s "$fake/lib" "$broken/lib"
out=$("$setup" uninstall --wine "$broken" "$prefix" 2>&1)
rc=$?
check "uninstall with an unreadable registry fails ($rc: $out)" test "$rc" = 1
check "... says why" grep -q 'could not read the DLL override' <<<"$out"
check "... claims no uninstall" bash -c '! grep -q "uninstalled from" <<<"$0"' "$out"
check "... and leaves the install as it was (override $(override iphlpapi))" test "$(override iphlpapi)" = native,builtin
"$setup" uninstall "$prefix" >/dev/null 2>&1
is_restored "uninstall after the registry is readable again"

finish install
