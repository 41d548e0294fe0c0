import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { devicesOf } from '../../src/core/read/held/fds.js';
import { portsText, readHeld } from '../../src/core/read/held/held.js';
import { parseHexAddress, parseIpTable, parseUnixTable, socketState } from '../../src/core/read/held/net.js';
import { findHolders, parsePortSpec, portLabel } from '../../src/core/read/held/select.js';
import { spareUnmatchedHolders } from '../../src/core/read/held/spare.js';
import { killRefusal } from '../../src/core/pidfiles/clean.js';
import { BUILTIN_SIGNATURES } from '../../src/core/decide/signatures.js';
import { UsageError } from '../../src/core/errors.js';
import type { Plan, PlanEntry } from '../../src/core/decide/plan.js';
import { renderTable } from '../../src/render/table.js';
import { writeTree } from '../fixtures/make-proc.js';

const HEAD_V4 = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const HEAD_V6 = '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n';
const row = (sl: number, local: string, remote: string, st: string, inode: number): string =>
  `  ${sl}: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

test('hex addresses: IPv4 little-endian words, IPv6 compressed, v4-mapped', () => {
  assert.deepEqual(parseHexAddress('0100007F:216A'), { address: '127.0.0.1', port: 8554 });
  assert.deepEqual(parseHexAddress('00000000:1770'), { address: '0.0.0.0', port: 6000 });
  assert.deepEqual(parseHexAddress('00000000000000000000000001000000:1F90'), { address: '::1', port: 8080 });
  assert.deepEqual(parseHexAddress('00000000000000000000000000000000:0050'), { address: '::', port: 80 });
  assert.deepEqual(parseHexAddress('000080FE00000000FF005450563412FE:14E9'), { address: 'fe80::5054:ff:fe12:3456', port: 5353 });
  assert.deepEqual(parseHexAddress('0000000000000000FFFF00000100007F:1770'), { address: '::ffff:127.0.0.1', port: 6000 });
  assert.equal(parseHexAddress('0100007F'), null);
  assert.equal(parseHexAddress('0100ZZ7F:0050'), null);
  assert.equal(parseHexAddress('0100007F0:0050'), null);
});

test('socket states: TCP LISTEN is listening, ESTABLISHED connected; UDP is bound unless connected', () => {
  assert.equal(socketState('tcp', 0x0a), 'listening');
  assert.equal(socketState('tcp', 0x01), 'connected');
  assert.equal(socketState('tcp', 0x06), 'time-wait');
  assert.equal(socketState('tcp', 0x08), 'close-wait');
  assert.equal(socketState('udp', 0x07), 'bound');
  assert.equal(socketState('udp', 0x01), 'connected');
});

test('IP tables: rows by inode, owner-less (inode 0) rows dropped, a filter keeps only wanted rows', () => {
  const tcp = HEAD_V4 + row(0, '0100007F:216A', '00000000:0000', '0A', 5001) + row(1, '0100007F:9C40', '0100007F:216A', '01', 5002) + row(2, '0100007F:9C41', '0100007F:216A', '06', 0);
  const all = parseIpTable(tcp, 'tcp');
  assert.deepEqual(all, [
    { inode: 5001, proto: 'tcp', address: '127.0.0.1', port: 8554, state: 'listening' },
    { inode: 5002, proto: 'tcp', address: '127.0.0.1', port: 40000, state: 'connected' },
  ]);
  assert.deepEqual(parseIpTable(tcp, 'tcp', (i) => i === 5002).map((e) => e.inode), [5002]);
  assert.deepEqual(parseIpTable(tcp, 'tcp', (_i, port) => port === 8554).map((e) => e.inode), [5001]);
  const udp6 = HEAD_V6 + row(0, '00000000000000000000000000000000:1770', '00000000000000000000000000000000:0000', '07', 6001);
  assert.deepEqual(parseIpTable(udp6, 'udp'), [{ inode: 6001, proto: 'udp', address: '::', port: 6000, state: 'bound' }]);
  assert.deepEqual(parseIpTable('garbage\nnot a row\n', 'udp'), []);
});

test('unix table: only sockets bound to a path, listening from the accept flag, paths with spaces kept', () => {
  const text = 'Num       RefCount Protocol Flags    Type St Inode Path\n'
    + '0000000000000000: 00000002 00000000 00010000 0001 01 7001 /run/mediamtx.sock\n'
    + '0000000000000000: 00000003 00000000 00000000 0001 03 7002\n'
    + '0000000000000000: 00000003 00000000 00000000 0001 03 7003 /tmp/a b.sock\n'
    + '0000000000000000: 00000002 00000000 00000000 0002 01 7004 @abstract\n';
  assert.deepEqual(parseUnixTable(text), [
    { inode: 7001, proto: 'unix', address: '/run/mediamtx.sock', port: null, state: 'listening' },
    { inode: 7003, proto: 'unix', address: '/tmp/a b.sock', port: null, state: 'connected' },
    { inode: 7004, proto: 'unix', address: '@abstract', port: null, state: 'bound' },
  ]);
});

test('--port specs: N, udp:N, tcp:N; anything else is a usage error', () => {
  assert.deepEqual(parsePortSpec('6000'), { proto: null, port: 6000 });
  assert.deepEqual(parsePortSpec('UDP:6000'), { proto: 'udp', port: 6000 });
  assert.equal(portLabel(parsePortSpec('tcp:8554')), 'tcp:8554');
  assert.equal(portLabel(parsePortSpec('6000')), 'port 6000');
  for (const bad of ['0', '65536', 'sctp:5000', 'udp:', 'udp:x', '', '60 00', '-1']) assert.throws(() => parsePortSpec(bad), UsageError, bad);
});

test('devices: media and other character devices, not the pseudo devices every process has', () => {
  const isChar = (p: string): boolean => p === '/dev/ttyUSB0';
  assert.deepEqual(devicesOf(['/dev/null', '/dev/pts/3', '/dev/urandom', '/dev/video0', '/dev/dri/renderD128', '/dev/snd/pcmC0D0p', '/dev/video0', '/dev/ttyUSB0', '/dev/sda1', '/tmp/x'], isChar),
    ['/dev/dri/renderD128', '/dev/snd/pcmC0D0p', '/dev/ttyUSB0', '/dev/video0']);
});

test('ports text: bound and listening ports, * for listening, +N connected, ? unreadable', () => {
  assert.equal(portsText(null), '?');
  assert.equal(portsText([]), '');
  assert.equal(portsText([
    { proto: 'udp', address: '0.0.0.0', port: 6000, state: 'bound' },
    { proto: 'udp', address: '::', port: 6000, state: 'bound' },
    { proto: 'tcp', address: '127.0.0.1', port: 8554, state: 'listening' },
    { proto: 'tcp', address: '127.0.0.1', port: 40000, state: 'connected' },
    { proto: 'unix', address: '/run/x.sock', port: null, state: 'listening' },
  ]), 'udp:6000 tcp:8554* +1');
});

// A fixture proc tree: 101 ffmpeg holds a TCP listener, a UDP socket, a camera and a file;
// 102 (not a worker) holds UDP 6000 too; 103's fd directory is missing (it exited).
const dir = mkdtempSync(join(tmpdir(), 'psw-held-'));
after(() => rmSync(dir, { recursive: true, force: true }));
function heldTree(): string {
  const root = join(dir, 'proc');
  writeTree(root, [
    { pid: 1, comm: 'systemd', argv: ['/sbin/init'], ppid: 0, sid: 1 },
    { pid: 101, comm: 'ffmpeg', argv: ['ffmpeg', '-i', 'x'], ppid: 1, pgid: 50, sid: 50 },
    { pid: 102, comm: 'nginx', argv: ['nginx'], ppid: 1 },
    { pid: 103, comm: 'ffmpeg', argv: ['ffmpeg'], ppid: 1 },
  ]);
  mkdirSync(join(root, 'net'));
  writeFileSync(join(root, 'net', 'tcp'), HEAD_V4 + row(0, '0100007F:216A', '00000000:0000', '0A', 9001));
  writeFileSync(join(root, 'net', 'udp'), HEAD_V4 + row(0, '00000000:1770', '00000000:0000', '07', 9002) + row(1, '00000000:1770', '00000000:0000', '07', 9003));
  writeFileSync(join(root, 'net', 'unix'), 'Num       RefCount Protocol Flags    Type St Inode Path\n');
  const fifo = join(dir, 'route.fifo');
  writeFileSync(fifo, '');
  const fds: Record<number, string[]> = {
    101: ['/dev/null', 'socket:[9001]', 'socket:[9002]', '/dev/video0', fifo, 'pipe:[77]', 'anon_inode:[eventfd]'],
    102: ['/dev/null', 'socket:[9003]'],
  };
  for (const [pid, links] of Object.entries(fds)) {
    mkdirSync(join(root, pid, 'fd'));
    links.forEach((l, i) => symlinkSync(l, join(root, pid, 'fd', String(i))));
    writeFileSync(join(root, pid, 'limits'), 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 4096                 files\n');
  }
  return root;
}

test('readHeld: sockets from the net tables by inode, devices, fd count, own limit; a vanished fd dir is null with a note', () => {
  const root = heldTree();
  const held = readHeld(root, [101, 103]);
  const h = held.get(101)!;
  assert.equal(h.fds, 7);
  assert.equal(h.fdLimit, 1024);
  assert.deepEqual(h.sockets, [
    { proto: 'udp', address: '0.0.0.0', port: 6000, state: 'bound' },
    { proto: 'tcp', address: '127.0.0.1', port: 8554, state: 'listening' },
  ]);
  assert.deepEqual(h.devices, ['/dev/video0']);
  assert.equal(h.note, null);
  const gone = held.get(103)!;
  assert.equal(gone.sockets, null);
  assert.equal(gone.devices, null);
  assert.equal(gone.fds, null);
  assert.match(gone.note!, /exited/);
  assert.equal(portsText(h.sockets), 'udp:6000 tcp:8554*');
});

test('findHolders: a port maps to inodes, then to every pid holding one; protocols and paths narrow; nothing read for a free port', () => {
  const root = heldTree();
  const pids = [1, 101, 102, 103];
  let idx = findHolders(root, { ports: [parsePortSpec('udp:6000')], holds: [] }, pids);
  assert.deepEqual(idx.resources, [{ resource: 'udp:6000', kind: 'port', pids: [101, 102] }]);
  assert.deepEqual([...idx.selected].sort(), [101, 102]);
  idx = findHolders(root, { ports: [parsePortSpec('tcp:6000')], holds: [] }, pids);
  assert.deepEqual(idx.resources[0].pids, []);
  idx = findHolders(root, { ports: [parsePortSpec('8554')], holds: [] }, pids);
  assert.deepEqual(idx.resources[0].pids, [101]);
  // --port and --holds together: both must be held.
  idx = findHolders(root, { ports: [parsePortSpec('udp:6000')], holds: [join(dir, 'route.fifo')] }, pids);
  assert.deepEqual([...idx.selected], [101]);
  assert.deepEqual(idx.resources[1], { resource: join(dir, 'route.fifo'), kind: 'path', pids: [101] });
  idx = findHolders(root, { ports: [], holds: ['/dev/video0'] }, pids);
  assert.deepEqual([...idx.selected], [101]);
});

test('spareUnmatchedHolders: an unmatched holder inside a planned tree or group is skipped, never signalled', () => {
  const e = (pid: number, candidate: number): PlanEntry => ({
    pid, ppid: 1, startTicks: 1, startedAt: 0, uid: 0, state: 'S', comm: 'x', argv: ['x'], signature: null, role: 'process', flags: [], reasons: {}, candidate, depth: 0, action: 'signal', reason: 'in process group 50',
  });
  const plan: Plan = { entries: [e(101, 101), e(102, 101), e(200, 200)], candidates: [101, 200], scannedAt: 0 };
  const index = { resources: [{ resource: 'udp:6000', kind: 'port' as const, pids: [101, 102] }], selected: new Set([101, 102]), unreadable: 0 };
  const proc = { pid: 101 } as never;
  const spared = spareUnmatchedHolders(plan, index, [{ proc, signature: 'ffmpeg', role: 'process', flags: [], reasons: {}, pidfile: null }]);
  assert.deepEqual(spared.entries.map((x) => x.action), ['signal', 'skip', 'signal']);
  assert.match(spared.entries[1].reason, /holds udp:6000 but matches no signature/);
  assert.deepEqual(spared.candidates, [101, 200]);
  assert.equal(spareUnmatchedHolders(plan, undefined, []), plan);
});

test('a yielding column is cut before the command is', () => {
  const cols = [{ header: 'PID' }, { header: 'PORTS', yields: true }, { header: 'COMMAND', flex: true }];
  const rows = [['1', 'udp:6000 udp:6001 tcp:8554*', 'ffmpeg -i rtsp://cam/main']];
  const wide = renderTable(cols, rows, 200);
  assert.match(wide, /udp:6000 udp:6001 tcp:8554\*\s+ffmpeg -i rtsp:\/\/cam\/main$/m);
  const narrow = renderTable(cols, rows, 45);
  const line = narrow.split('\n')[1];
  assert.ok(line.length <= 45, line);
  assert.match(line, /ffmpeg -i rtsp:\/\/cam\/main$/, 'the command is whole');
  assert.match(line, /…/, 'the ports were cut');
});

test('pidfiles clean --kill with --port: a live record whose process does not hold the port is kept', () => {
  const proc = { pid: 101, ppid: 1, pgid: 101, sid: 101, uid: 0, state: 'S', comm: 'ffmpeg', argv: ['ffmpeg', '-i', 'x'], startTicks: 5, startedAt: 0, cpuTicks: 0, threads: 1, rssBytes: 0, kernelThread: false };
  const snap = { scannedAt: 0, backend: 'procfs' as const, processes: new Map([[101, proc]]), clockTicks: 100, bootTime: 0, selfPid: 0 };
  const entry = { pid: 101, startTicks: 5 } as never;
  assert.equal(killRefusal(entry, snap, { signatures: BUILTIN_SIGNATURES, holders: new Set([101]) }), null);
  assert.match(killRefusal(entry, snap, { signatures: BUILTIN_SIGNATURES, holders: new Set([7]) })!, /does not hold the --port/);
});
