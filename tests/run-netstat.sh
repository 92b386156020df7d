#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netstat.exe under Wine with this project's iphlpapi.dll, while netstat_holder.exe (another Wine
# process) holds sockets of known ports: the rows must be Windows' layout byte for byte (CRLF,
# column positions, LISTENING, *:*, bracketed IPv6 with %scope) and carry the holder's Windows
# PID; options filter as Windows' do; bad command lines are refused. The captured `-ano` output
# is then handed to tests/netstat-parsers.mjs (the parsing rules of the npm libraries).
# Usage: run-netstat.sh NETSTAT_EXE NETSTAT_HOLDER_EXE
. "$(dirname "$0")/lib.sh"
root=$IPHLP_SRC
exe=$1 holder=$2
dir=$(mktemp -d)
# netstat ARGS... > $dir/out, stderr > $dir/err, exit code in $rc. Lines from ./iphlp itself
# (prefix creation) are not netstat's and are dropped from stderr.
ns() {
    "$root/iphlp" run "$exe" "$@" >"$dir/out" 2>"$dir/err.raw"; rc=$?
    grep -v '^iphlp: ' "$dir/err.raw" >"$dir/err" || true
}
has_line() { grep -Fxq -- "$1" "$dir/out"; }          # exact line, \r included
no_line_matching() { ! grep -Eq -- "$1" "$dir/out"; }
row() { printf '  %-5s  %-21s  %-21s  %-12s    %s\r' "$@"; }   # a row with -o (Windows' layout)
row_no_pid() { printf '  %-5s  %-21s  %-21s  %s\r' "$@"; }     # a row without -o
crlf_only() { # every line ends with CRLF, and there is no CR anywhere else
    [ -s "$1" ] && [ "$(grep -c $'\r$' "$1")" = "$(wc -l <"$1")" ] && [ "$(tr -cd '\r' <"$1" | wc -c)" = "$(wc -l <"$1")" ] &&
        [ "$(tail -c 2 "$1" | od -An -c | tr -d ' ')" = '\r\n' ]
}

# The holder's stdout only: its first line is pid=...; Wine's own messages go to stderr (Wine
# 10.0 prints "error: XDG_RUNTIME_DIR is invalid or not set" where that is unset, as in a root
# shell on a fresh Debian 13), and so do the holder's failures, shown when it does not start.
coproc HOLDER { exec "$root/iphlp" run "$holder" 2>"$dir/holder.err"; }
# Bash unsets a coproc's variables once it has reaped it: keep copies.
holder_pid=$HOLDER_PID holder_in=${HOLDER[1]} holder_out=${HOLDER[0]}
stop_holder() { exec {holder_in}>&-; wait "$holder_pid" 2>/dev/null; }
trap 'stop_holder; rm -rf "$dir"' EXIT
if ! read -r -t 120 info <&"$holder_out" || [[ $info != pid=* ]]; then
    echo "FAILED: netstat_holder did not start: ${info:-no output}; stderr: $(grep -v '^iphlp: ' "$dir/holder.err" | head -n3)"
    exit 1
fi
info=${info%$'\r'} # the holder writes CRLF, as every Windows program does in text mode
# -b needs an elevated token. Wine 8.0 starts programs with the elevated token, Wine 10.0 with
# the limited one, as Windows does without UAC elevation (measured: there `netstat -b` answers
# "The requested operation requires elevation."). The other token is the linked one, which
# the holder hands to netstat (`netstat_holder.exe limited …`: CreateProcessAsUser with
# TokenLinkedToken): so each check runs netstat with the token it needs, on both Wines.
wine_major=$(wine --version 2>/dev/null | sed -n 's/^wine-\([0-9]*\).*/\1/p')
starts_elevated=true
[ "${wine_major:-0}" -ge 10 ] && starts_elevated=false
win_exe="Z:$(cd "$(dirname "$exe")" && pwd | tr / '\\')\\$(basename "$exe")"
ns_as() { # elevated|limited ARGS...: ns with that token
    local want=$1 direct=false
    shift
    case $want in
        elevated) $starts_elevated && direct=true ;;
        limited) $starts_elevated || direct=true ;;
    esac
    if $direct; then
        ns "$@"
        return
    fi
    "$root/iphlp" run "$holder" limited "$win_exe" "$@" >"$dir/out" 2>"$dir/err.raw"; rc=$?
    grep -v '^iphlp: ' "$dir/err.raw" >"$dir/err" || true
}
echo "holder: $info"
declare -A h
for kv in $info; do h[${kv%%=*}]=${kv#*=}; done
pid=${h[pid]}

# ---- -ano: the layout parsers depend on ----
ns -ano
cp "$dir/out" "$dir/ano.txt"
check "-ano exits 0 ($rc) with nothing on stderr ($(cat "$dir/err"))" test "$rc" = 0 -a ! -s "$dir/err"
check "-ano ends every line with CRLF" crlf_only "$dir/out"
check "-ano starts with a blank line, 'Active Connections', a blank line and the header" \
    test "$(head -n 4 "$dir/out" | od -An -c | tr -s ' \n' ' ')" = "$(printf '\r\nActive Connections\r\n\r\n  Proto  Local Address          Foreign Address        State           PID\r\n' | od -An -c | tr -s ' \n' ' ')"
check "the IPv4 listener with the holder's PID" has_line "$(row TCP "0.0.0.0:${h[tcp4_listen]}" 0.0.0.0:0 LISTENING "$pid")"
check "the IPv4 connection, client end" has_line "$(row TCP "127.0.0.1:${h[tcp4_client]}" "127.0.0.1:${h[tcp4_listen]}" ESTABLISHED "$pid")"
check "the IPv4 connection, accepted end" has_line "$(row TCP "127.0.0.1:${h[tcp4_listen]}" "127.0.0.1:${h[tcp4_client]}" ESTABLISHED "$pid")"
check "the IPv6 listener, bracketed, foreign [::]:0" has_line "$(row TCP "[::]:${h[tcp6_listen]}" "[::]:0" LISTENING "$pid")"
check "the IPv6 loopback listener" has_line "$(row TCP "[::1]:${h[tcp6_loop]}" "[::]:0" LISTENING "$pid")"
check "the IPv6 connection, both ends bracketed" has_line "$(row TCP "[::1]:${h[tcp6_client]}" "[::1]:${h[tcp6_loop]}" ESTABLISHED "$pid")"
check "the UDP socket: *:* and an empty state column" has_line "$(row UDP "0.0.0.0:${h[udp4]}" '*:*' '' "$pid")"
check "the UDP socket over IPv6" has_line "$(row UDP "[::]:${h[udp6]}" '*:*' '' "$pid")"
if [ "${h[ll_port]}" != 0 ]; then
    # The local address is longer than its column: Windows pushes the rest right by its length.
    check "the link-local listener as [fe80::…%scope]:port" \
        has_line "$(row TCP "[${h[ll_addr]}%${h[ll_scope]}]:${h[ll_port]}" "[::]:0" LISTENING "$pid")"
else
    echo "note: no IPv6 link-local address here, the %scope row is not checked"
fi
v4_last=$(grep -n '^  TCP    [0-9]' "$dir/out" | tail -1 | cut -d: -f1)
v6_first=$(grep -n '^  TCP    \[' "$dir/out" | head -1 | cut -d: -f1)
udp_first=$(grep -n '^  UDP ' "$dir/out" | head -1 | cut -d: -f1)
check "Windows' order: TCP/IPv4, then TCP/IPv6, then UDP" test "${v4_last:-0}" -lt "${v6_first:-0}" -a "${v6_first:-0}" -lt "${udp_first:-0}"
check "every row has the holder's PID or another number in the PID column" \
    test "$(grep -cE '^  (TCP|UDP)  ' "$dir/out")" = "$(grep -cE $'^  (TCP  |UDP  )  [^ ]+ +[^ ]+ +([A-Z_12]+ +)?[0-9]+\r$' "$dir/out")"

# ---- without -a: connections only ----
ns -no
check "-no shows the connection" has_line "$(row TCP "127.0.0.1:${h[tcp4_client]}" "127.0.0.1:${h[tcp4_listen]}" ESTABLISHED "$pid")"
check "-no shows no LISTENING row" no_line_matching 'LISTENING'
check "-no shows no UDP row" no_line_matching '^  UDP '

# ---- without -o: no PID column ----
ns -an
check "-an: header without PID" has_line $'  Proto  Local Address          Foreign Address        State\r'
check "-an: the listener without a PID" has_line "$(row_no_pid TCP "0.0.0.0:${h[tcp4_listen]}" 0.0.0.0:0 LISTENING)"
check "-an: UDP row padded as Windows pads it" has_line "$(row_no_pid UDP "0.0.0.0:${h[udp4]}" '*:*' '')"

# ---- -p filters ----
ns -ano -p tcp
check "-p tcp: the IPv4 listener" has_line "$(row TCP "0.0.0.0:${h[tcp4_listen]}" 0.0.0.0:0 LISTENING "$pid")"
check "-p tcp: no IPv6 row" no_line_matching '^  TCP    \['
check "-p tcp: no UDP row" no_line_matching '^  UDP '
ns -anop TCPv6
check "-anop TCPv6 (p inside a group, protocol any case): the IPv6 listener" has_line "$(row TCP "[::]:${h[tcp6_listen]}" "[::]:0" LISTENING "$pid")"
check "-anop TCPv6: no IPv4 row" no_line_matching '^  TCP    [0-9]'
check "-anop TCPv6: no UDP row" no_line_matching '^  UDP '
ns /a /n /o /p udp
check "/a /n /o /p udp: the UDP socket" has_line "$(row UDP "0.0.0.0:${h[udp4]}" '*:*' '' "$pid")"
check "/p udp: no TCP row, no IPv6 row" no_line_matching '^  TCP |\['

# ---- project extensions: --pid, --port, --state, --json (docs/netstat.md) ----
rows_total() { grep -cE '^  (TCP|UDP)  ' "$dir/out"; }
ns -ano --pid "$pid"
check "--pid: exit 0 ($rc) and the holder's listener" \
    bash -c '[ "$0" = 0 ] && grep -Fxq -- "$1" "$2"' "$rc" "$(row TCP "0.0.0.0:${h[tcp4_listen]}" 0.0.0.0:0 LISTENING "$pid")" "$dir/out"
check "--pid: every row ($(rows_total)) ends with the holder's PID" \
    test "$(rows_total)" -gt 0 -a "$(rows_total)" = "$(grep -cE "^  (TCP|UDP)  .* $pid"$'\r$' "$dir/out")"
check "--pid: the holder's UDP socket too" has_line "$(row UDP "0.0.0.0:${h[udp4]}" '*:*' '' "$pid")"
ns -ano --port "${h[tcp4_listen]}"
check "--port: the listener and both ends of its connection" \
    bash -c 'grep -Fxq -- "$0" "$3" && grep -Fxq -- "$1" "$3" && grep -Fxq -- "$2" "$3"' \
    "$(row TCP "0.0.0.0:${h[tcp4_listen]}" 0.0.0.0:0 LISTENING "$pid")" \
    "$(row TCP "127.0.0.1:${h[tcp4_client]}" "127.0.0.1:${h[tcp4_listen]}" ESTABLISHED "$pid")" \
    "$(row TCP "127.0.0.1:${h[tcp4_listen]}" "127.0.0.1:${h[tcp4_client]}" ESTABLISHED "$pid")" "$dir/out"
check "--port: no row without that port on either side" \
    test "$(grep -E '^  (TCP|UDP)  ' "$dir/out" | grep -cvE ":${h[tcp4_listen]} ")" = 0
ns -no --state LISTENING
check "--state LISTENING without -a: the listeners ($rc)" \
    bash -c '[ "$0" = 0 ] && grep -Fxq -- "$1" "$2"' "$rc" "$(row TCP "[::]:${h[tcp6_listen]}" "[::]:0" LISTENING "$pid")" "$dir/out"
check "--state LISTENING: only LISTENING rows, no UDP" \
    test "$(rows_total)" -gt 0 -a "$(rows_total)" = "$(grep -cE '^  TCP  .* LISTENING ' "$dir/out")"
ns -no --state=listening --state ESTABLISHED,TIME_WAIT
check "--state, repeated and comma-separated, any case: listener and connection" \
    bash -c 'grep -Fxq -- "$0" "$2" && grep -Fxq -- "$1" "$2"' \
    "$(row TCP "0.0.0.0:${h[tcp4_listen]}" 0.0.0.0:0 LISTENING "$pid")" \
    "$(row TCP "127.0.0.1:${h[tcp4_client]}" "127.0.0.1:${h[tcp4_listen]}" ESTABLISHED "$pid")" "$dir/out"
check "--state: no other state" no_line_matching '^  (UDP|TCP .* (CLOSE_WAIT|SYN_SENT|SYN_RECEIVED|FIN_WAIT_[12]|LAST_ACK|CLOSING|CLOSED) )'
ns -an --json --pid "$pid"
cp "$dir/out" "$dir/json.txt"
check "--json: exit 0 ($rc), nothing on stderr, LF line ends (no CR)" \
    bash -c '[ "$0" = 0 ] && [ ! -s "$1/err" ] && [ -s "$1/out" ] && ! grep -q $'"'"'\r'"'"' "$1/out"' "$rc" "$dir"
json_check() { # json_check FILE JS-EXPRESSION-ON-rows: true when it holds
    node -e 'const rows = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
             const [pid, l4, c4, u4, l6] = process.argv.slice(2).map(Number);
             process.exit(Array.isArray(rows) && ('"$2"') ? 0 : 1)' \
        "$1" "$pid" "${h[tcp4_listen]}" "${h[tcp4_client]}" "${h[udp4]}" "${h[tcp6_listen]}"
}
if command -v node >/dev/null; then
    check "--json parses, and has the holder's listener with its PID" json_check "$dir/json.txt" \
        'rows.some(r => r.proto === "TCP" && r.local_address === "0.0.0.0" && r.local_port === l4 &&
                        r.foreign_address === "0.0.0.0" && r.foreign_port === 0 && r.state === "LISTENING" && r.pid === pid)'
    check "--json: the connection's client end, the IPv6 listener and the UDP socket (null state and foreign side)" json_check "$dir/json.txt" \
        'rows.some(r => r.proto === "TCP" && r.local_port === c4 && r.foreign_address === "127.0.0.1" && r.foreign_port === l4 && r.state === "ESTABLISHED") &&
         rows.some(r => r.proto === "TCPv6" && r.local_address === "::" && r.local_port === l6 && r.state === "LISTENING") &&
         rows.some(r => r.proto === "UDP" && r.local_port === u4 && r.state === null && r.foreign_address === null && r.foreign_port === null)'
    check "--json --pid: every row is the holder's, no image without -b" json_check "$dir/json.txt" \
        'rows.length > 0 && rows.every(r => r.pid === pid && !("image" in r))'
    ns_as elevated -anb --json --port "${h[tcp4_listen]}"
    cp "$dir/out" "$dir/json.txt"
    check "--json -b: the listener's image is netstat_holder.exe ($rc)" json_check "$dir/json.txt" \
        'rows.some(r => r.local_port === l4 && r.state === "LISTENING" && r.image === "netstat_holder.exe") &&
         rows.every(r => r.local_port === l4 || r.foreign_port === l4)'
    ns -an --json --port 0 --state CLOSING,LAST_ACK,CLOSED -p tcp
    cp "$dir/out" "$dir/json.txt"
    check "--json with no matching row is an empty array ($rc: $(head -c 40 "$dir/out"))" json_check "$dir/json.txt" 'rows.length === 0'
else
    check "node is installed (the --json checks need it)" false
fi
ns --json -s
check "--json with -s is refused: exit 1, nothing on stdout ($rc)" \
    bash -c '[ "$0" = 1 ] && [ ! -s "$1/out" ] && grep -q "^netstat: --json" "$1/err"' "$rc" "$dir"
ns -ano --bogus
check "an unknown long option is refused: exit 1, the reason and the usage on stderr ($rc)" \
    bash -c '[ "$0" = 1 ] && [ ! -s "$1/out" ] && grep -q "unknown option .--bogus." "$1/err" && grep -q "^NETSTAT \[-a\]" "$1/err"' "$rc" "$dir"
ns -ano --state LISTEN
check "--state with a name Windows does not print is refused ($rc)" \
    bash -c '[ "$0" = 1 ] && [ ! -s "$1/out" ] && grep -q "unknown state .LISTEN." "$1/err"' "$rc" "$dir"
ns -ano --port 65536
check "--port out of range is refused ($rc)" bash -c '[ "$0" = 1 ] && [ ! -s "$1/out" ] && grep -q "^netstat: --port" "$1/err"' "$rc" "$dir"
ns -ano --pid
check "--pid without a value is refused ($rc)" bash -c '[ "$0" = 1 ] && [ ! -s "$1/out" ] && grep -q "^netstat: --pid needs" "$1/err"' "$rc" "$dir"

# ---- names (no -n): this machine by name, local side numeric ----
ns -ao -p tcp
name=$(grep -F "0.0.0.0:${h[tcp4_listen]} " "$dir/out" | awk '{print $3}')
check "without -n the listener's foreign address is this machine's name ($name)" \
    test "${name,,}" = "$(hostname | cut -d. -f1 | tr 'A-Z' 'a-z'):0"

# ---- -b: the owner's image on the next line ----
ns_as elevated -anob -p tcp
line=$(grep -n -F "$(row TCP "0.0.0.0:${h[tcp4_listen]}" 0.0.0.0:0 LISTENING "$pid")" "$dir/out" | cut -d: -f1)
check "-b: [netstat_holder.exe] under the holder's listener" test "$(sed -n "$((${line:-0} + 1))p" "$dir/out")" = $' [netstat_holder.exe]\r'
if grep -q 'TIME_WAIT' "$dir/out"; then
    tw=$(grep -n 'TIME_WAIT' "$dir/out" | head -1 | cut -d: -f1)
    check "-b: no owner line under a TIME_WAIT row" bash -c '! sed -n "$(($1 + 1))p" "$2" | grep -q "^ \(\[\|Can not\)"' _ "$tw" "$dir/out"
fi

# -b without elevation, as a non-elevated Windows caller runs it.
ns_as limited -anob -p tcp
check "-b without elevation: Windows' message on stdout, exit 1 ($rc: $(head -c 80 "$dir/out"))" \
    test "$rc" = 1 -a "$(cat "$dir/out")" = $'The requested operation requires elevation.\r'
ns_as limited -ano -p tcp
check "without -b the limited token is enough: the listener and its PID ($rc)" \
    bash -c '[ "$0" = 0 ] && grep -Fxq -- "$1" "$2"' "$rc" "$(row TCP "0.0.0.0:${h[tcp4_listen]}" 0.0.0.0:0 LISTENING "$pid")" "$dir/out"

# ---- -t and -y ----
ns -anot -p tcp
check "-t: the offload header and an empty line" \
    test "$(sed -n '4,5p' "$dir/out")" = $'  Proto  Local Address          Foreign Address        State           PID      Offload State\r\n\r'
check "-ot: PID, a tab, then InHost" has_line "$(printf '  %-5s  %-21s  %-21s  %-12s    %s\t%-12s\r' TCP "0.0.0.0:${h[tcp4_listen]}" 0.0.0.0:0 LISTENING "$pid" InHost)"
ns -y -a
check "-y with another option is refused with exit code 1 ($rc)" test "$rc" = 1 -a ! -s "$dir/out"

# ---- /? and bad command lines ----
ns '/?' # quoted: an unquoted /? is a glob that matches one-letter directories in /
check "/? prints the usage on stderr and exits 0 ($rc)" \
    bash -c '[ "$0" = 0 ] && [ ! -s "$1/out" ] && grep -Fq "NETSTAT [-a] [-b] [-e] [-f] [-n] [-o] [-p proto] [-q] [-r] [-s] [-t] [-x] [-y] [interval]" "$1/err"' "$rc" "$dir"
check "the usage ends its lines with CRLF" crlf_only "$dir/err"
ns -ano -z
check "-z is refused: exit 1, the reason and the usage on stderr, nothing on stdout ($rc)" \
    bash -c '[ "$0" = 1 ] && [ ! -s "$1/out" ] && grep -q "unknown option .z." "$1/err" && grep -q "^NETSTAT \[-a\]" "$1/err"' "$rc" "$dir"
ns -p sctp
check "-p sctp is refused with exit code 1 ($rc)" bash -c '[ "$0" = 1 ] && grep -q "unknown protocol .sctp." "$1/err"' "$rc" "$dir"
ns -an -p
check "-p without a protocol is refused with exit code 1 ($rc)" test "$rc" = 1 -a ! -s "$dir/out"
ns -an five
check "a non-numeric argument is refused with exit code 1 ($rc)" test "$rc" = 1 -a ! -s "$dir/out"

# ---- the DLL cannot reach its Unix side (WINEDLLPATH unset): Wine's own tables, as stock Wine ----
# The test's own prefix, staged (build/wineprefix exists only after a ./iphlp run without
# WINEPREFIX, so it cannot be relied on).
iphlp_ensure_prefix "$TEST_PREFIX" "$IPHLP_BUILD/winedllpath"
env -u WINEDLLPATH WINEPREFIX="$TEST_PREFIX" WINEDEBUG=-all WINEDLLOVERRIDES=iphlpapi=n \
    wine "$exe" -ano >"$dir/out" 2>"$dir/err"; rc=$?
check "without the bridge: exit 0 and the holder's connection from Wine's own table ($rc: $(tail -1 "$dir/err"))" \
    bash -c '[ "$0" = 0 ] && grep -Fq "127.0.0.1:$1 " "$2"' "$rc" "${h[tcp4_client]}" "$dir/out"
check "without the bridge: one line on stderr says why and how to fix it" \
    bash -c '[ "$(grep -c "^iphlpapi: iphlpbridge.so could not be loaded.*Fix: install" "$0")" = 1 ]' "$dir/err"

# ---- -s, -e, -r ----
ns -s -p tcp
check "-s -p tcp: TCP statistics, then the TCP connections (no listener without -a)" \
    bash -c 'grep -q "^TCP Statistics for IPv4" "$0" && grep -Eq "^  Active Opens {24}= [0-9]+.$" "$0" &&
             grep -Fq "  TCP    127.0.0.1:$1 " "$0" && ! grep -q LISTENING "$0" && ! grep -q "^UDP Statistics" "$0"' "$dir/out" "${h[tcp4_listen]}"
ns -s
check "-s: all eight sections ($rc)" test "$rc" = 0 -a "$(grep -cE '^(IPv4|IPv6|ICMPv4|ICMPv6) Statistics|^(TCP|UDP) Statistics for IPv[46]' "$dir/out")" = 8
ns -e
check "-e: interface statistics ($rc)" bash -c '[ "$0" = 0 ] && grep -Eq "^Bytes {5,}[0-9]+ +[0-9]+.$" "$1/out"' "$rc" "$dir"
ns -r
check "-r: the route tables ($rc)" bash -c '[ "$0" = 0 ] && grep -q "^IPv4 Route Table" "$1/out" && grep -q "^IPv6 Route Table" "$1/out"' "$rc" "$dir"

# ---- an interval: the header once, the rows again every second ----
timeout 5 "$root/iphlp" run "$exe" -ano -p tcp 1 >"$dir/out" 2>/dev/null
check "interval 1: one header, the listener at least twice" \
    test "$(grep -c 'Active Connections' "$dir/out")" = 1 -a "$(grep -cF "0.0.0.0:${h[tcp4_listen]} " "$dir/out")" -ge 2

# ---- write errors: stop at once, exit 1; a reader that goes away ends an interval ----
"$root/iphlp" run "$exe" -ano >/dev/full 2>"$dir/err.raw"; rc=$?
check "-ano to /dev/full exits 1 ($rc) and says why" \
    bash -c '[ "$0" = 1 ] && grep -q "^netstat: cannot write the output: .*(error 112)" "$1"' "$rc" "$dir/err.raw"
"$root/iphlp" run "$exe" --json >/dev/full 2>"$dir/err.raw"; rc=$?
check "--json to /dev/full exits 1 ($rc)" test "$rc" = 1
"$root/iphlp" run "$exe" -ano >&- 2>"$dir/err.raw"; rc=$?
check "-ano with stdout closed exits 1 ($rc)" test "$rc" = 1
# Timed from the moment head has its two lines and goes away (Wine's start-up before the first
# line is not what is measured, and varies with the machine's load): netstat's next write, due
# within the 1 s interval, must find the pipe closed and end the program.
timeout 30 "$root/iphlp" run "$exe" -an 1 2>"$dir/err.raw" | { head -2 >"$dir/out"; date +%s%N >"$dir/head_done"; }
rcs=("${PIPESTATUS[@]}")
took=$((($(date +%s%N) - $(cat "$dir/head_done")) / 1000000))
echo "netstat -an 1 | head -2: netstat ended ${took} ms after head did, exit ${rcs[0]}"
check "netstat -an 1 | head -2: netstat ends within 2 s of head (${took} ms), exit 1, nothing on stderr" \
    bash -c '[ "$0" -lt 2000 ] && [ "$1" = 1 ] && ! grep -v "^iphlp: " "$2" | grep -q .' "$took" "${rcs[0]}" "$dir/err.raw"

# ---- the npm libraries' parsing rules on the captured -ano output ----
if command -v node >/dev/null; then
    node "$root/tests/netstat-parsers.mjs" "$dir/ano.txt" "$pid" "${h[tcp4_listen]}" "${h[udp4]}" "${h[tcp6_listen]}" "${h[udp6]}"
    check "the npm libraries' parsing rules find the holder's PID (netstat-parsers.mjs)" test $? = 0
else
    check "node is installed (the parser checks need it)" false
fi

echo "netstat: $passed passed, $failed failed"
[ "$failed" = 0 ]
