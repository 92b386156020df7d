// SPDX-License-Identifier: LGPL-2.1-or-later
// Applies the parsing rules of the npm libraries that map a port to a process on Windows (all of
// them run `netstat -ano` or `netstat -a -n -o` and parse its text) to netstat.exe's captured
// output, and checks that each finds the holder's PID. The rules are restated here in this
// project's own code from reading the published packages (versions named below); nothing is
// copied. tests/run-netstat-npm.sh runs the unmodified packages themselves.
//
// Usage: node netstat-parsers.mjs OUTPUT_FILE PID TCP4_LISTEN_PORT UDP4_PORT TCP6_LISTEN_PORT UDP6_PORT
import { readFileSync } from 'node:fs';
import { check, finish } from './check.mjs';

const [file, pidText, tcpText, udpText, tcp6Text, udp6Text] = process.argv.slice(2);
if (!file || !udp6Text) {
    console.error('usage: node netstat-parsers.mjs OUTPUT_FILE PID TCP4_LISTEN_PORT UDP4_PORT TCP6_LISTEN_PORT UDP6_PORT');
    process.exit(2);
}
const output = readFileSync(file, 'latin1');
const pid = Number(pidText), tcpPort = Number(tcpText), udpPort = Number(udpText);
const tcp6Port = Number(tcp6Text), udp6Port = Number(udp6Text);


// ---- find-process 2.1.1 (win32 finder) ----
// Drops the first four "\n"-terminated lines (blank, title, blank, column header), splits the
// rest at any line break, splits each trimmed line at whitespace into at most five columns, and
// takes the first row whose second column ends in ":PORT"; the PID is the fifth column, or the
// fourth when there is no fifth (UDP rows have no state).
function findProcessPid(text, port) {
    let start = 0;
    for (let i = 0; i < 4; i++) {
        const n = text.indexOf('\n', start);
        if (n >= 0) start = n + 1;
    }
    for (const line of text.slice(start).split(/\r\n|\n|\r/)) {
        const cols = line.trim().split(/\s+/);
        if (cols.length > 5) cols[4] = cols.slice(4).join(' ');
        const m = /:(\d+)$/.exec(cols[1] || '');
        if (!m || m[1] !== String(port)) continue;
        const value = parseInt((cols[4] || '') !== '' ? cols[4] : cols[3] || '', 10);
        return value > 0 ? value : undefined;
    }
    return undefined;
}
check('find-process: TCP listener port', findProcessPid(output, tcpPort), pid);
check('find-process: UDP port', findProcessPid(output, udpPort), pid);
check('find-process: IPv6 listener port', findProcessPid(output, tcp6Port), pid);
check('find-process: the four skipped lines are the title block, not a row',
    output.split('\n').slice(0, 4).map(l => l.trim().split(/\s+/)[0]), ['', 'Active', '', 'Proto']);

// ---- pid-port 2.1.2 (windows implementation) ----
// Keeps lines that start with TCP or UDP, splits them at whitespace; the address is column 1
// (host and port split at the last ':' or '.', brackets removed, "::" meaning any), the PID is
// the first all-digit column from column 3 on. Without a host, only 127.0.0.1 and ::1 rows
// count; with host '*', every row; 127.0.0.1 sorts before ::1, otherwise alphabetically.
function pidPortRows(text) {
    return text.split('\n').filter(l => /^\s*(tcp|udp)/i.test(l)).map(l => l.match(/\S+/g) || []);
}
function pidPortAddress(address) {
    const m = /^(?<host>.+?)[.:](?<port>\d+)$/.exec(address);
    let host = m ? m.groups.host : address;
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    if (host === '::') host = '*';
    return { host, port: m ? Number(m.groups.port) : undefined };
}
function pidPortPid(port, host) {
    let rows = pidPortRows(output).filter(r => pidPortAddress(r[1]).port === port);
    if (host === undefined) rows = rows.filter(r => ['127.0.0.1', '::1'].includes(pidPortAddress(r[1]).host));
    rows.sort((a, b) => {
        if (a[1].startsWith('127.0.0.1') && b[1].startsWith('::1')) return -1;
        if (a[1].startsWith('::1') && b[1].startsWith('127.0.0.1')) return 1;
        return a[1].localeCompare(b[1]);
    });
    if (!rows.length) return undefined;
    const column = rows[0].slice(3).find(c => /^\d+$/.test(c));
    const value = column === undefined ? undefined : parseInt(column, 10);
    return value > 0 ? value : undefined;
}
check('pid-port: listener port on localhost (the accepted connection row)', pidPortPid(tcpPort), pid);
check('pid-port: listener port, any host', pidPortPid(tcpPort, '*'), pid);
check('pid-port: UDP port, any host', pidPortPid(udpPort, '*'), pid);
check('pid-port: IPv6 listener port, any host', pidPortPid(tcp6Port, '*'), pid);
check('pid-port: IPv6 UDP port, any host', pidPortPid(udp6Port, '*'), pid);

// ---- node-netstat 1.9.0 (win32 parser, run as `netstat.exe -a -n -o`) ----
// Splits the output at "\n", each line at single whitespace characters dropping empty pieces,
// and keeps lines of exactly four or five pieces: protocol, local, remote, [state,] pid. A
// numeric fourth piece means "no state". Addresses: "[v6]:port", "v4:port".
function nodeNetstatItems(text) {
    const items = [];
    for (const line of text.split('\n')) {
        const parts = line.split(/\s/).filter(String);
        if (parts.length !== 4 && parts.length !== 5) continue;
        const address = raw => {
            if (raw[0] === '[') return { address: raw.substring(1, raw.indexOf(']')), port: parseInt(raw.substring(raw.lastIndexOf(':') + 1)) };
            const i = raw.lastIndexOf(':');
            return i < 0 ? { address: null, port: null } : { address: raw.substring(0, i), port: parseInt(raw.substring(i + 1)) };
        };
        items.push({
            protocol: parts[0].toLowerCase(),
            local: address(parts[1]),
            state: Number(parts[3]) ? null : parts[3],
            pid: parseInt(parts[parts.length - 1]),
        });
    }
    return items;
}
const items = nodeNetstatItems(output);
check('node-netstat: every parsed line is a row with a numeric PID',
    items.filter(i => !['tcp', 'udp'].includes(i.protocol) || !Number.isFinite(i.pid)), []);
check('node-netstat: the IPv4 listener',
    items.filter(i => i.protocol === 'tcp' && i.local.port === tcpPort && i.local.address === '0.0.0.0').map(i => [i.state, i.pid]),
    [['LISTENING', pid]]);
check('node-netstat: the UDP socket, no state',
    items.filter(i => i.protocol === 'udp' && i.local.port === udpPort).map(i => [i.state, i.pid]), [[null, pid]]);
check('node-netstat: the IPv6 listener',
    items.filter(i => i.protocol === 'tcp' && i.local.port === tcp6Port && i.local.address === '::').map(i => [i.state, i.pid]),
    [['LISTENING', pid]]);

// ---- kill-port 2.0.1 (win32, `netstat -nao`, method 'tcp') ----
// Splits at "\n", keeps lines matching /^ *TCP *[^ ]*:PORT/ (the local column), and takes from
// each the first run of digits that ends a line (/(\d*)\w*(\n|$)/gm), deduplicated: the PIDs it
// then passes to TaskKill.
function killPortPids(text, port, method = 'tcp') {
    const local = new RegExp(`^ *${method.toUpperCase()} *[^ ]*:${port}`, 'gm');
    const pids = [];
    for (const line of text.split('\n').filter(l => l.match(local))) {
        const m = line.match(/(\d*)\w*(\n|$)/gm);
        if (m && m[0] && !pids.includes(m[0])) pids.push(m[0]);
    }
    return pids;
}
check('kill-port: TCP listener port', killPortPids(output, tcpPort), [String(pid)]);
check('kill-port: UDP port', killPortPids(output, udpPort, 'udp'), [String(pid)]);

finish('netstat-parsers');
