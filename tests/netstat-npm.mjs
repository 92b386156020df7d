// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs the unmodified npm packages that map a port to a process on Windows against netstat.exe
// under Wine. run-netstat-npm.sh installs them into MODULES_DIR and puts fake `netstat`,
// `netstat.exe`, `cmd`, `cmd.exe` and `TaskKill` first on PATH: the netstat scripts run this
// project's netstat.exe with `./iphlp run`, cmd runs its command line with sh, TaskKill only
// records its arguments. Each package believes it is on Windows through process.platform (the
// only change to their world; their code is loaded as published).
//
// Usage: node netstat-npm.mjs MODULES_DIR TASKKILL_LOG PID TCP4_LISTEN_PORT UDP4_PORT TCP6_LISTEN_PORT
import { createRequire } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, attempt, finish } from './check.mjs';

const [modules, taskkillLog, pidText, tcpText, udpText, tcp6Text] = process.argv.slice(2);
if (!tcp6Text) {
    console.error('usage: node netstat-npm.mjs MODULES_DIR TASKKILL_LOG PID TCP4_LISTEN_PORT UDP4_PORT TCP6_LISTEN_PORT');
    process.exit(2);
}
const pid = Number(pidText), tcpPort = Number(tcpText), udpPort = Number(udpText), tcp6Port = Number(tcp6Text);
const require = createRequire(join(modules, 'node_modules', 'noop.js'));
const realPlatform = process.platform;
const setPlatform = value => Object.defineProperty(process, 'platform', { value, configurable: true, writable: true });

// node-netstat 1.9.0: takes the platform as an option and runs `netstat.exe -a -n -o`.
{
    const netstat = require('node-netstat');
    const rows = [];
    await attempt('node-netstat', () => netstat({ platform: 'win32', sync: true, done: err => { if (err) throw err; } },
                                                item => { rows.push(item); }));
    check('node-netstat: the IPv4 listener and its PID',
        rows.filter(r => r.protocol === 'tcp' && r.local.port === tcpPort && r.state === 'LISTENING').map(r => r.pid), [pid]);
    check('node-netstat: the UDP socket and its PID',
        rows.filter(r => r.protocol === 'udp' && r.local.port === udpPort).map(r => r.pid), [pid]);
    check('node-netstat: the IPv6 listener and its PID',
        rows.filter(r => r.local.port === tcp6Port && r.state === 'LISTENING').map(r => r.pid), [pid]);
    check('node-netstat: no row without a numeric PID', rows.filter(r => !Number.isInteger(r.pid)).length, 0);
}

// find-process 2.1.1: its port-to-PID finder (dist/cjs/find_pid.js, loaded by path: the package's
// public find() goes on to list processes through PowerShell, which Wine does not have).
{
    const findPid = require(join(modules, 'node_modules', 'find-process', 'dist', 'cjs', 'find_pid.js')).default;
    setPlatform('win32');
    try {
        check('find-process: the TCP listener port', await attempt('find-process tcp', () => findPid(tcpPort)), pid);
        check('find-process: the UDP port', await attempt('find-process udp', () => findPid(udpPort)), pid);
        check('find-process: the IPv6 listener port', await attempt('find-process tcp6', () => findPid(tcp6Port)), pid);
    } finally {
        setPlatform(realPlatform);
    }
}

// pid-port 2.1.2: chooses its implementation when loaded, so it is loaded as if on Windows; its
// dependency execa is loaded first, as on Linux, so that it spawns programs the Linux way.
{
    const pidPortMain = require.resolve('pid-port');
    await import(pathToFileURL(require.resolve('execa', { paths: [join(modules, 'node_modules', 'pid-port')] })).href);
    setPlatform('win32');
    let pidPort;
    try {
        pidPort = await import(pathToFileURL(pidPortMain).href);
    } finally {
        setPlatform(realPlatform);
    }
    check('pid-port: portToPid(listener port) through the localhost row',
        await attempt('pid-port portToPid', () => pidPort.portToPid(tcpPort)), pid);
    check('pid-port: portToPid({port, host: "*"})',
        await attempt('pid-port any host', () => pidPort.portToPid({ port: tcpPort, host: '*' })), pid);
    check('pid-port: portToPid({UDP port, host: "*"})',
        await attempt('pid-port udp', () => pidPort.portToPid({ port: udpPort, host: '*' })), pid);
    const ports = await attempt('pid-port pidToPorts', () => pidPort.pidToPorts(pid));
    check('pid-port: pidToPorts(pid) holds the listener, UDP and IPv6 ports',
        ports ? [tcpPort, udpPort, tcp6Port].map(p => ports.has(p)) : null, [true, true, true]);
}

// kill-port 2.0.1: runs `netstat -nao` through cmd, then `TaskKill /F /PID ...` through cmd.
{
    const killPort = require('kill-port');
    setPlatform('win32');
    let result;
    try {
        result = await attempt('kill-port', () => killPort(tcpPort));
    } finally {
        setPlatform(realPlatform);
    }
    const log = existsSync(taskkillLog) ? readFileSync(taskkillLog, 'utf8').trim() : '';
    check('kill-port: TaskKill is asked to kill the holder', log, `/F /PID ${pid}`);
    check('kill-port: the command line it ran', result && result.cmd, `TaskKill /F /PID ${pid}`);
}

finish('netstat-npm');
