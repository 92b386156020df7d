// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs under the official Windows build of Node.js (node.exe) inside Wine: the unmodified npm
// packages pid-port, find-process (its port finder), node-netstat and kill-port look up ports
// this node.exe holds, exactly as on Windows (they spawn `netstat -ano` through cmd.exe, which
// finds C:\windows\system32\netstat.exe). Writes what each found as JSON to RESULT_FILE; the
// checks are in run-netstat-node-win.sh. (Writes to a file: Node under Wine cannot open a Unix
// pipe as its stdout, EBADF.)
//
// Usage: node.exe netstat-node-win.mjs MODULES_DIR RESULT_FILE SCRATCH_FILE   (Windows paths)
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import net from 'node:net';

const [modules, resultFile, scratch] = process.argv.slice(2);
const require = createRequire(`${modules}\\node_modules\\noop.js`);
const result = { platform: process.platform, pid: process.pid };
const settle = promise => promise.then(v => v, e => `error: ${e && e.message}`);

const server = net.createServer().listen(0, '127.0.0.1');
await new Promise(resolve => server.once('listening', resolve));
result.port = server.address().port;

const pidPort = await import(pathToFileURL(require.resolve('pid-port')).href);
result.pidPort = await settle(pidPort.portToPid(result.port));
const findPid = require(`${modules}\\node_modules\\find-process\\dist\\cjs\\find_pid.js`).default;
result.findProcess = await settle(findPid(result.port));
const rows = [];
try {
    require('node-netstat')({ sync: true }, row => { rows.push(row); });
} catch (e) {
    result.nodeNetstatError = e.message;
}
result.nodeNetstat = rows.filter(r => r.local.port === result.port).map(r => ({ state: r.state, pid: r.pid }));

// kill-port kills whatever holds a port: a child node.exe holds one, and must be killed.
rmSync(scratch, { force: true });
const child = spawn(process.execPath, ['-e',
    "require('net').createServer().listen(0, '127.0.0.1', function () {" +
    " require('fs').writeFileSync(process.argv[1], this.address().port + ' ' + process.pid); })", scratch],
    { stdio: 'ignore' });
const exited = new Promise(resolve => child.once('exit', () => resolve(true)));
for (let i = 0; i < 300 && !existsSync(scratch); i++) await new Promise(r => setTimeout(r, 200));
await new Promise(r => setTimeout(r, 300));
const [childPort, childPid] = readFileSync(scratch, 'utf8').split(' ').map(Number);
result.child = { port: childPort, pid: childPid };
result.killPort = await settle(require('kill-port')(childPort));
result.childKilled = await Promise.race([exited, new Promise(r => setTimeout(() => r(false), 10000))]);
if (!result.childKilled) child.kill();

writeFileSync(resultFile, JSON.stringify(result));
server.close();
process.exit(0);
