#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The unmodified npm packages pid-port 2.1.2, find-process 2.1.1, node-netstat 1.9.0 and
# kill-port 2.0.1 find the PID of a Wine process's ports through this project's netstat.exe:
# they shell out to `netstat -ano` (or -a -n -o / -nao), which fake commands on PATH turn into
# `./iphlp run netstat.exe ARGS`, live, while netstat_holder.exe holds the ports. Exits 77 (a
# CTest skip) only when the packages cannot be installed (no npm, or no registry).
# Usage: run-netstat-npm.sh NETSTAT_EXE NETSTAT_HOLDER_EXE
. "$(dirname "$0")/lib.sh"
root=$IPHLP_SRC
exe=$1 holder=$2
. "$root/tests/npm-packages.sh"
modules=$IPHLP_BUILD/netstat-npm
if [ "$(cat "$modules/installed" 2>/dev/null)" != "${npm_packages[*]}" ]; then
    echo "SKIPPED: the npm packages are not fetched (tests/fetch-npm.sh $IPHLP_BUILD needs the registry)"
    exit 77
fi

dir=$(mktemp -d)
bin=$dir/bin
mkdir -p "$bin"
# netstat / netstat.exe: this project's netstat.exe under Wine; each call's arguments are logged.
cat >"$bin/netstat" <<EOF
#!/usr/bin/env bash
printf '%s\n' "\$*" >>"$dir/netstat.calls"
"$root/iphlp" run "$exe" "\$@" 2>"$dir/netstat.err.\$\$"; rc=\$?
grep -v '^iphlp: ' "$dir/netstat.err.\$\$" >&2; rm -f "$dir/netstat.err.\$\$"
exit \$rc
EOF
cp "$bin/netstat" "$bin/netstat.exe"
# cmd / cmd.exe: Node's Windows shell, "cmd /d /s /c \"LINE\"" or "cmd /C LINE": LINE runs in sh.
cat >"$bin/cmd" <<'EOF'
#!/usr/bin/env bash
line=${!#}
line=${line#\"}; line=${line%\"}
exec sh -c "$line"
EOF
cp "$bin/cmd" "$bin/cmd.exe"
printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s"\n' "$dir/taskkill.log" >"$bin/TaskKill"
chmod +x "$bin"/*

# The holder's stdout only: its first line is pid=...; Wine's own messages go to stderr (Wine
# 10.0 prints "error: XDG_RUNTIME_DIR is invalid or not set" where that is unset, as in a root
# shell on a fresh Debian 13), and so do the holder's failures, shown when it does not start.
coproc HOLDER { exec "$root/iphlp" run "$holder" 2>"$dir/holder.err"; }
holder_pid=$HOLDER_PID holder_in=${HOLDER[1]} holder_out=${HOLDER[0]}
trap 'exec {holder_in}>&-; wait "$holder_pid" 2>/dev/null; rm -rf "$dir"' EXIT
if ! read -r -t 120 info <&"$holder_out" || [[ $info != pid=* ]]; then
    echo "FAILED: netstat_holder did not start: ${info:-no output}; stderr: $(grep -v '^iphlp: ' "$dir/holder.err" | head -n3)"
    exit 1
fi
info=${info%$'\r'}
echo "holder: $info"
declare -A h
for kv in $info; do h[${kv%%=*}]=${kv#*=}; done

PATH=$bin:$PATH ComSpec=$bin/cmd.exe node "$root/tests/netstat-npm.mjs" "$modules" "$dir/taskkill.log" \
    "${h[pid]}" "${h[tcp4_listen]}" "${h[udp4]}" "${h[tcp6_listen]}"
status=$?
echo "netstat.exe was run as:"; sed 's/^/  netstat /' "$dir/netstat.calls" 2>/dev/null | sort | uniq -c
grep -qx -- '-ano' "$dir/netstat.calls" 2>/dev/null || { echo "FAILED: no package ran netstat -ano"; status=1; }
exit $status
