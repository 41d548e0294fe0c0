import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { classify, type ClassifyOptions } from '../../src/core/decide/classify.js';
import { ProcReader } from '../../src/core/read/procfs/reader.js';
import { BUILTIN_SIGNATURES } from '../../src/core/decide/signatures.js';
import type { Finding, Snapshot } from '../../src/core/types.js';
import { BTIME } from '../fixtures/make-proc.js';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'proc-basic');
// A fixed "now": 2 hours after boot, so ages are stable. procsweep itself is not in the tree.
const NOW = BTIME * 1000 + 2 * 3600 * 1000;

function snap(): Snapshot {
  const s = new ProcReader(ROOT).snapshot(999_999);
  return { ...s, scannedAt: NOW };
}

function run(opts: Partial<ClassifyOptions> = {}): Map<number, Finding> {
  const findings = classify(snap(), { signatures: BUILTIN_SIGNATURES, ...opts });
  return new Map(findings.map((f) => [f.proc.pid, f]));
}

test('the fixture tree reads like /proc: vanished and malformed entries are skipped', () => {
  const s = snap();
  assert.equal(s.bootTime, BTIME * 1000);
  assert.ok(!s.processes.has(900), 'vanished pid (no stat) is skipped');
  assert.ok(!s.processes.has(902), 'malformed stat is skipped');
  assert.equal(s.processes.get(901)!.comm, 'ffmpeg (x) y');
  assert.equal(s.processes.get(800)!.comm, 'srt-live-transm');
  assert.deepEqual(s.processes.get(800)!.argv[0], '/usr/bin/srt-live-transmit');
  assert.equal(s.processes.get(2)!.kernelThread, true);
  assert.equal(s.processes.get(101)!.startedAt, BTIME * 1000 + 6000);
  assert.equal(s.processes.get(101)!.rssBytes, 4800 * 1024);
});

test('crashed-supervisor children are orphans, with the session leader in the reason', () => {
  const f = run();
  assert.deepEqual(f.get(200)!.flags, ['orphan']);
  assert.equal(f.get(200)!.reasons.orphan, 'parent is PID 1 (init); session leader 150 is gone');
  assert.deepEqual(f.get(201)!.flags, ['orphan']);
  assert.match(f.get(201)!.reasons.orphan!, /session leader 100 \(node\) is still alive/);
  assert.deepEqual(f.get(800)!.flags, ['orphan']);
  assert.equal(f.get(800)!.signature, 'srt-live-transmit');
});

test('a session leader that is a zombie (crashed, not yet reaped) counts as gone', () => {
  const s = snap();
  s.processes.set(100, { ...s.processes.get(100)!, state: 'Z', argv: [] });
  const f = new Map(classify(s, { signatures: BUILTIN_SIGNATURES }).map((x) => [x.proc.pid, x]));
  assert.equal(f.get(201)!.reasons.orphan, 'parent is PID 1 (init); session leader 100 is gone');
});

test('a child of a known reaper (containerd-shim*) is an orphan', () => {
  const f = run();
  assert.deepEqual(f.get(1001)!.flags, ['orphan']);
  assert.match(f.get(1001)!.reasons.orphan!, /reaper 1000 \(containerd-shim-runc-v2\)/);
});

test('a systemd-started ffmpeg leading its own session is detached, not orphan', () => {
  const f = run();
  assert.deepEqual(f.get(300)!.flags, ['detached']);
  assert.match(f.get(300)!.reasons.detached!, /leads its own session/);
});

test('a zombie names the parent that has not reaped it', () => {
  const f = run();
  assert.deepEqual(f.get(401)!.flags, ['zombie']);
  assert.match(f.get(401)!.reasons.zombie!, /parent 400 \(python3\) has not called wait/);
});

test('a restart-loop wrapper is an orphan wrapper; its child is part of its tree, unflagged', () => {
  const f = run();
  assert.equal(f.get(500)!.role, 'wrapper');
  assert.equal(f.get(500)!.signature, 'ffmpeg');
  assert.deepEqual(f.get(500)!.flags, ['orphan']);
  assert.equal(f.get(501)!.role, 'process');
  assert.deepEqual(f.get(501)!.flags, []);
});

test('duplicates: every copy but the newest is flagged', () => {
  const f = run();
  assert.deepEqual(f.get(600)!.flags, ['duplicate']);
  assert.match(f.get(600)!.reasons.duplicate!, /PID 601, the newest of 2/);
  assert.deepEqual(f.get(601)!.flags, []);
});

test('healthy children of a live supervisor carry no flags', () => {
  const f = run();
  assert.deepEqual(f.get(101)!.flags, []);
  assert.deepEqual(f.get(901)!.flags, []);
});

test('lookalikes, kernel threads and the supervisor are not matched', () => {
  const f = run();
  for (const pid of [1, 2, 3, 100, 400, 700, 701, 702, 703, 704, 705, 1000]) assert.ok(!f.has(pid), `pid ${pid} matched`);
});

test('--all lists every process but flags only matched ones; kernel threads are never candidates', () => {
  const f = run({ all: true });
  assert.equal(f.get(3)!.signature, null);
  assert.deepEqual(f.get(3)!.flags, []);
  assert.equal(f.get(700)!.signature, null);
  assert.equal(f.size, snap().processes.size);
});

test('procsweep itself and its ancestors are never candidates', () => {
  const s = { ...snap(), selfPid: 501 };
  const f = new Map(classify(s, { signatures: BUILTIN_SIGNATURES }).map((x) => [x.proc.pid, x]));
  assert.ok(!f.has(501) && !f.has(500));
});

test('--args, --user and long-lived', () => {
  assert.deepEqual([...run({ args: /pipe:1|mjpeg/ }).keys()], [200]);
  assert.deepEqual([...run({ uid: 1000 }).keys()], [1100]);
  const f = run({ maxAgeMs: (2 * 3600 - 30) * 1000 }); // 1h59m30s: only processes started in the first 30 s after boot
  assert.ok(f.get(101)!.flags.includes('long-lived'));
  assert.match(f.get(101)!.reasons['long-lived']!, /running for 1h59m, longer than --max-age 1h59m/);
  assert.ok(!f.get(501)!.flags.includes('long-lived'));
});

test('tracked / untracked from a tracking index (it or an ancestor is a live entry)', () => {
  const s = snap();
  const tracking = { entries: new Map([[500, { startTicks: 1000, source: '/run/r/cam5_ffmpeg.pid' }], [200, { startTicks: 12345, source: '/run/r/stale.pid' }]]), sources: ['/run/r'] };
  const f = new Map(classify(s, { signatures: BUILTIN_SIGNATURES, tracking }).map((x) => [x.proc.pid, x]));
  assert.ok(f.get(500)!.flags.includes('tracked'));
  assert.equal(f.get(500)!.pidfile, '/run/r/cam5_ffmpeg.pid');
  assert.ok(f.get(501)!.flags.includes('tracked'));
  assert.match(f.get(501)!.reasons.tracked!, /ancestor 500/);
  assert.ok(f.get(200)!.flags.includes('untracked'), 'a start-time mismatch does not track');
  assert.match(f.get(200)!.reasons.untracked!, /searched \/run\/r/);
});

test('extra reapers from config', () => {
  const s = snap();
  const f = new Map(classify(s, { signatures: BUILTIN_SIGNATURES, reapers: ['python3'] }).map((x) => [x.proc.pid, x]));
  assert.deepEqual(f.get(401)!.flags, ['zombie'], 'a zombie stays a zombie');
});

test('procsweep is itself only in the live /proc: in another tree, whatever holds its pid number is just a process', () => {
  assert.equal(new ProcReader(ROOT).ownPid(), 0);
  assert.equal(new ProcReader(ROOT).snapshot().selfPid, 0);
  assert.equal(new ProcReader('/proc').ownPid(), process.pid);
});
