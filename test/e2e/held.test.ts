import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { alive, badInputTests, cli, LOCK_ARGS, privateWorld, waitFor } from '../helpers/procs.js';
import { markedSleep } from '../helpers/workers.js';
import { needs } from '../helpers/needs.js';

// Issue 16: who holds a port, a device, a file. Every worker is this file's own, on 127.0.0.1,
// on ports picked free at run time; every sweep is scoped by --args MARK and a private lock.
const { dir, scope, lockFile } = privateWorld('held');
chmodSync(dir, 0o755);

/** A port free right now: bind port 0 on 127.0.0.1, read it, close. */
async function freePort(proto: 'udp' | 'tcp'): Promise<number> {
  if (proto === 'udp') {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Whether this process can bind the UDP port on 127.0.0.1 now. */
async function canBindUdp(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  try {
    await new Promise<void>((res, rej) => {
      s.once('error', rej);
      s.bind(port, '127.0.0.1', () => res());
    });
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
}

/** Sockets of one pid as list --json reports them. */
const socketsOf = (doc: { processes: Array<{ pid: number; sockets: unknown }> }, pid: number): Array<{ proto: string; address: string; port: number; state: string }> =>
  (doc.processes.find((p) => p.pid === pid)?.sockets ?? []) as Array<{ proto: string; address: string; port: number; state: string }>;

/** Whether /proc/net shows a socket on this local port (the worker is up and bound). */
function bound(file: 'udp' | 'tcp', port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  const text = spawnSync('cat', [`/proc/net/${file}`], { encoding: 'utf8', maxBuffer: Infinity }).stdout;
  return text.split('\n').some((l) => l.trim().split(/\s+/)[1]?.endsWith(hex.trim()));
}

describe('ports held by real srt-live-transmit and ffmpeg workers', { skip: needs('srt-live-transmit', 'ffmpeg') }, () => {
  test('list --json shows both sockets; --port selects exactly the holder; sweep --port frees it for a new listener', async () => {
    const mark = scope.mark('port');
    const [p1, p2, p3] = [await freePort('udp'), await freePort('udp'), await freePort('tcp')];
    const srt = await scope.orphan('srt-live-transmit', [`udp://127.0.0.1:${p1}?${mark}=1`, `srt://127.0.0.1:${p2}?mode=listener`]);
    const ff = await scope.orphan('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-listen', '1', '-f', 'mpegts', '-i', `tcp://127.0.0.1:${p3}`, '-metadata', `comment=${mark}`, '-f', 'null', '-']);
    assert.ok(await waitFor(() => bound('udp', p1) && bound('udp', p2) && bound('tcp', p3), 10_000), 'the workers bound their ports');

    const doc = cli(['list', '--json', '--args', mark]).json();
    assert.deepEqual(doc.processes.map((p: { pid: number }) => p.pid).sort(), [srt, ff].sort());
    const srtSockets = socketsOf(doc, srt);
    assert.ok(srtSockets.some((s) => s.proto === 'udp' && s.address === '127.0.0.1' && s.port === p1 && s.state === 'bound'), JSON.stringify(srtSockets));
    assert.ok(srtSockets.some((s) => s.proto === 'udp' && s.address === '127.0.0.1' && s.port === p2 && s.state === 'bound'), JSON.stringify(srtSockets));
    assert.deepEqual(socketsOf(doc, ff).filter((s) => s.proto === 'tcp'), [{ proto: 'tcp', address: '127.0.0.1', port: p3, state: 'listening' }]);
    for (const p of doc.processes) {
      assert.ok(Number.isInteger(p.fdLimit) && p.fdLimit > 0, `fdLimit ${p.fdLimit}`);
      assert.deepEqual(p.devices, []);
      assert.equal(p.heldNote, null);
    }

    // No --args: the port alone picks the one process on the machine that holds it.
    const one = cli(['list', '--json', '--port', `udp:${p2}`]).json();
    assert.deepEqual(one.processes.map((p: { pid: number }) => p.pid), [srt]);
    assert.deepEqual(cli(['list', '--json', '--port', `tcp:${p2}`]).json().processes, [], 'the protocol narrows');
    const human = cli(['list', '--port', String(p3)], { env: { NO_COLOR: '1' } });
    assert.match(human.stdout, new RegExp(`\\btcp:${p3}\\*\\s+ffmpeg `), human.stdout);
    assert.match(human.stdout, new RegExp(`Port ${p3} is held by ffmpeg \\(PID ${ff}, ffmpeg\\)`));
    const tree = cli(['list', '--tree', '--port', `udp:${p2}`]);
    const both = `(udp:${p1} udp:${p2}|udp:${p2} udp:${p1})`; // sorted by port number
    assert.match(tree.stdout, new RegExp(`${srt} srt-live-transmit .*\\[orphan\\] ${both}$`, 'm'), tree.stdout);

    const dry = cli(['sweep', '-n', '--port', `udp:${p2}`, '--args', mark]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`${srt} srt-live-transmit .* ${both}$`, 'm'), dry.stdout);
    assert.doesNotMatch(dry.stdout, new RegExp(`${ff} ffmpeg`), 'the ffmpeg does not hold the port');

    const r = cli(['sweep', '-y', '--port', `udp:${p2}`, '--args', mark, '--lock-file', lockFile()]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^udp:${p2} is free$`, 'm'), r.stdout);
    assert.ok(!alive(srt));
    assert.ok(await canBindUdp(p2), 'a new listener binds the port at once');
    assert.ok(alive(ff), 'the worker holding another port is left alone');

    // kill-group by port: the JSON says who held it and that nobody does now.
    const kg = cli(['kill-group', '-y', '--json', ...LOCK_ARGS, '--port', `tcp:${p3}`, '--args', mark]);
    assert.equal(kg.code, 0, kg.stderr);
    const report = kg.json();
    assert.deepEqual(report.targets.map((t: { pid: number }) => t.pid), [ff]);
    assert.deepEqual(report.resources, [{ resource: `tcp:${p3}`, kind: 'port', heldBy: [{ pid: ff, name: 'ffmpeg', signature: 'ffmpeg', touched: true, why: null }], after: [] }]);
    assert.ok(!alive(ff));
  });
});

describe('a holder that matches no signature', { skip: needs('python3', 'ffmpeg') }, () => {
  test('list --port names it unmatched; sweep and kill-group --port never signal it, even in a planned group', async () => {
    const mark = scope.mark('stranger');
    const web = join(dir, mark);
    mkdirSync(web);
    const [tcp, udp] = [await freePort('tcp'), await freePort('udp')];
    // One throwaway session starts both, so they share a process group, then exits: a leaked
    // ffmpeg on UDP and a web server (no signature) on TCP, both orphans of one group.
    const ffArgs = `-nostdin -hide_banner -loglevel error -f mpegts -i 'udp://127.0.0.1:${udp}' -metadata comment=${mark} -f null -`;
    const sh = spawn('sh', ['-c', `ffmpeg ${ffArgs} </dev/null >/dev/null 2>&1 & python3 -m http.server ${tcp} --bind 127.0.0.1 --directory '${web}' </dev/null >/dev/null 2>&1 & echo $!`], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    sh.stdout!.on('data', (d) => (out += d));
    await new Promise((r) => sh.on('close', r));
    const py = Number(out.trim());
    assert.ok(await waitFor(() => bound('tcp', tcp) && bound('udp', udp), 10_000), 'both bound');

    const listed = cli(['list', '--json', '--port', `tcp:${tcp}`]).json();
    assert.equal(listed.processes.length, 1);
    assert.equal(listed.processes[0].pid, py);
    assert.equal(listed.processes[0].signature, null);
    assert.ok(socketsOf(listed, py).some((s) => s.port === tcp && s.state === 'listening'));
    assert.equal(listed.summary.matched, 0, 'an unmatched holder is not counted as matched');
    assert.deepEqual(cli(['list', '--json', '--port', `tcp:${tcp}`, '--args', `not-${mark}`]).json().processes, [], '--args narrows unmatched holders too');
    const human = cli(['list', '--port', `tcp:${tcp}`], { env: { NO_COLOR: '1' } });
    assert.match(human.stdout, new RegExp(`^\\s*${py}\\s.*\\bunmatched\\s+tcp:${tcp}\\*`, 'm'), human.stdout);
    assert.match(human.stdout, new RegExp(`TCP ${tcp} is held by python3 \\(PID ${py}, matches no signature\\)`));

    const sw = cli(['sweep', '-y', '--port', `tcp:${tcp}`, '--args', mark, '--lock-file', lockFile()], { env: { NO_COLOR: '1' } });
    assert.equal(sw.code, 1, 'the port is still held: exit 1');
    assert.match(sw.stdout, new RegExp(`TCP ${tcp} is held by python3 \\(PID ${py}\\), which matches no signature: not touched`), sw.stdout);
    assert.match(sw.stdout, new RegExp(`tcp:${tcp} is still held by python3 \\(PID ${py}\\)`));
    assert.ok(alive(py));

    // kill-group takes the ffmpeg's whole group, which holds the web server too: it is skipped.
    const kg = cli(['kill-group', '-y', '--json', ...LOCK_ARGS, '--port', `udp:${udp}`, '--port', `tcp:${tcp}`, '--args', mark]);
    const report = kg.json();
    const spared = report.targets.find((t: { pid: number }) => t.pid === py);
    assert.equal(spared.outcome, 'skipped');
    assert.match(spared.reason, /matches no signature/);
    assert.deepEqual(spared.signals, []);
    assert.ok(report.targets.some((t: { signature: string; outcome: string }) => t.signature === 'ffmpeg' && /terminated|killed/.test(t.outcome)));
    assert.ok(alive(py), 'never signalled');
    const tcpRes = report.resources.find((x: { resource: string }) => x.resource === `tcp:${tcp}`);
    assert.deepEqual(tcpRes.after.map((h: { pid: number }) => h.pid), [py]);
    assert.deepEqual(report.resources.find((x: { resource: string }) => x.resource === `udp:${udp}`).after, []);
    assert.equal(kg.code, 1, 'a selected port is still held');
    process.kill(py, 'SIGKILL');
  });
});

describe('--holds PATH', () => {
  test('selects the worker holding a FIFO or a file open, and only it', async () => {
    const mark = scope.mark('holds');
    const sleep = markedSleep(dir, mark);
    const fifo = join(dir, `${mark}.fifo`);
    const file = join(dir, `${mark}.ts`);
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    writeFileSync(file, 'segment');
    // O_RDWR on a FIFO does not block: the worker holds it open like a reader would.
    const onFifo = await scope.orphan('sh', ['-c', `exec "$0" 300 3<>'${fifo}'`, sleep]);
    const onFile = await scope.orphan('sh', ['-c', `exec "$0" 300 4<'${file}'`, sleep]);
    const neither = await scope.orphan('sh', ['-c', 'exec "$0" 300', sleep]);
    const sig = ['--signature', `stub=${mark}`, '--args', mark];
    assert.ok(await waitFor(() => cli(['list', '--json', ...sig]).json().processes.length === 3));
    const pids = (args: string[]): number[] => cli(['list', '--json', ...sig, ...args]).json().processes.map((p: { pid: number }) => p.pid);
    assert.deepEqual(pids(['--holds', fifo]), [onFifo]);
    assert.deepEqual(pids(['--holds', file]), [onFile]);
    assert.deepEqual(pids(['--holds', fifo, '--holds', file]).sort(), [onFifo, onFile].sort());
    const r = cli(['sweep', '-y', '--json', ...sig, '--holds', fifo, '--lock-file', lockFile()]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().targets.map((t: { pid: number }) => t.pid), [onFifo]);
    assert.deepEqual(r.json().resources[0].after, []);
    assert.ok(!alive(onFifo));
    assert.ok(alive(onFile) && alive(neither));
  });
});

describe('descriptors another user cannot read', { skip: needs('root', 'setpriv', 'useradd') }, () => {
  test('a non-root user sees null sockets and devices with a note, never a crash', async () => {
    const USER = 'procsweep-test';
    if (spawnSync('id', ['-u', USER]).status !== 0) {
      assert.equal(spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]).status, 0);
    }
    const uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout);
    const gid = Number(spawnSync('id', ['-g', USER], { encoding: 'utf8' }).stdout);
    const mark = scope.mark('eacces');
    const sleep = markedSleep(dir, mark);
    const pid = await scope.orphan('sh', ['-c', 'exec "$0" 300', sleep]);
    const port = await freePort('udp');
    const as = (args: string[]): ReturnType<typeof spawnSync> =>
      spawnSync('setpriv', ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', process.execPath, join(import.meta.dirname, '..', '..', 'bin', 'procsweep.js'), ...args], { encoding: 'utf8', maxBuffer: Infinity, env: { ...process.env, NO_COLOR: '1', HOME: dir } });
    assert.ok(await waitFor(() => alive(pid)));
    const r = as(['list', '--json', '--signature', `stub=${mark}`, '--args', mark]);
    assert.equal(r.status, 0, String(r.stderr));
    const p = JSON.parse(String(r.stdout)).processes.find((x: { pid: number }) => x.pid === pid);
    assert.equal(p.sockets, null);
    assert.equal(p.devices, null);
    assert.equal(p.fds, null);
    assert.ok(Number.isInteger(p.fdLimit), 'limits are world-readable');
    assert.match(p.heldNote, /another user's process/);
    const nobody = join(dir, `${mark}.unheld`);
    writeFileSync(nobody, '');
    const human = as(['list', '--signature', `stub=${mark}`, '--args', mark, '--holds', nobody]);
    assert.equal(human.status, 0, String(human.stderr));
    assert.match(String(human.stdout), /no process holds it that procsweep could see \(\d+ processes' descriptors were unreadable: run as root\)/);
    const byPort = as(['list', '--port', `udp:${port}`]);
    assert.equal(byPort.status, 0, String(byPort.stderr));
    assert.match(String(byPort.stdout), new RegExp(`UDP ${port}: no process holds it\\.`), 'a free port reads no descriptors at all');
  });
});

describe('--port and --holds refuse bad input, exit 2', () => {
  badInputTests([
    [['list', '--port', '70000'], 2, /--port '70000': give a port number 1-65535/],
    [['list', '--port', 'sctp:5000'], 2, /optionally with udp: or tcp:/],
    [['sweep', '-n', '--port', 'udp:'], 2, /--port 'udp:'/],
    [['list', '--holds', ''], 2, /--holds needs a path/],
    [['list', '--backend', 'portable', '--port', '6000'], 2, /need the procfs backend/],
    [['kill-group', '-n'], 2, /give the PID of a worker .* or select workers with --port or --holds/],
    [['kill-group', '-n', '--port', '6000', '4224'], 2, /give PIDs or --port\/--holds, not both/],
  ]);
});
