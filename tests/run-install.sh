#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ./iphlp install / uninstall against a fresh prefix: the files land where the README says, the
# override is set, a program gets correct PIDs through the installed copy, installing twice
# changes nothing, and uninstall restores the prefix's own iphlpapi.dll and override.
# Usage: run-install.sh IPHLPSTAT_EXE
. "$(dirname "$0")/lib.sh"
unset WINEDLLPATH WINEDLLOVERRIDES # this test sets up its own prefix the way a user would
root=$IPHLP_SRC
exe=$1
prefix=$(mktemp -d)/prefix
reg_override() { grep -A30 '^\[Software\\\\Wine\\\\DllOverrides\]' "$prefix/user.reg" | grep -m1 '^"iphlpapi"=' || true; }
sys32=$prefix/drive_c/windows/system32
build=$IPHLP_BUILD

WINEPREFIX=$prefix WINEDLLOVERRIDES="mscoree,mshtml=" WINEDEBUG=-all wine wineboot -i >/dev/null 2>&1
WINEPREFIX=$prefix WINEDEBUG=-all wine reg add 'HKCU\Software\Wine\DllOverrides' /v iphlpapi /d builtin /f >/dev/null 2>&1
WINEPREFIX=$prefix wineserver -w
original=$(sha256sum <"$sys32/iphlpapi.dll")

"$root/iphlp" install "$prefix" 2>/dev/null
check "system32/iphlpapi.dll is ours" cmp -s "$build/pe/dll/iphlpapi.dll" "$sys32/iphlpapi.dll"
check "system32/iphlpwine.dll is Wine's iphlpapi" cmp -s "$(iphlp_wine_libdir x86_64)/x86_64-windows/iphlpapi.dll" "$sys32/iphlpwine.dll"
check "system32/iphlpbridge.dll is the bridge" cmp -s "$build/pe/dll/iphlpbridge.dll" "$sys32/iphlpbridge.dll"
check "the bridge's .so under PREFIX/iphlp" cmp -s "$build/unix/iphlpbridge.so" "$prefix/iphlp/x86_64-unix/iphlpbridge.so"
check "override iphlpapi=native ($(reg_override))" test "$(reg_override)" = '"iphlpapi"="native"'
"$root/iphlp" install "$prefix" 2>/dev/null
check "installing twice is harmless" cmp -s "$build/pe/dll/iphlpapi.dll" "$sys32/iphlpapi.dll"

out=$(WINEPREFIX=$prefix WINEDLLPATH=$prefix/iphlp WINEDEBUG=-all wine "$exe" --demo 2>&1 | tr -d '\r')
check "iphlpstat through the installed DLL shows its own PID" grep -q '<- this process' <<<"$out"
out=$(WINEPREFIX=$prefix WINEDEBUG=-all wine "$exe" --demo 2>&1 | tr -d '\r')
check "without WINEDLLPATH: a clear message, not a crash" grep -q 'iphlpbridge.so not found' <<<"$out"
out=$(WINEPREFIX=$prefix WINEDEBUG=-all wine "$exe" 2>&1); rc=$? # no pipe: rc is wine's
check "iphlpstat without --demo points to netstat.exe, exit 2 ($rc)" bash -c '[ "$0" = 2 ] && grep -q "use netstat.exe" <<<"$1"' "$rc" "$out"

"$root/iphlp" uninstall "$prefix" 2>/dev/null
check "uninstall restores the prefix's iphlpapi.dll" test "$(sha256sum <"$sys32/iphlpapi.dll")" = "$original"
check "uninstall removes iphlpwine.dll and iphlpbridge.dll" test ! -e "$sys32/iphlpwine.dll" -a ! -e "$sys32/iphlpbridge.dll"
check "uninstall restores the override ($(reg_override))" test "$(reg_override)" = '"iphlpapi"="builtin"'
check "uninstall removes the bridge directory" test ! -e "$prefix/iphlp/x86_64-unix"
"$root/iphlp" uninstall "$prefix" 2>/dev/null
check "uninstalling twice is harmless" test "$(sha256sum <"$sys32/iphlpapi.dll")" = "$original"

WINEPREFIX=$prefix wineserver -k 2>/dev/null
rm -rf "$(dirname "$prefix")"
finish install
