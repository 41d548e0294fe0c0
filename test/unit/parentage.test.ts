import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify } from '../../src/core/decide/classify.js';
import { BUILTIN_SIGNATURES } from '../../src/core/decide/signatures.js';
import type { Finding, ProcessInfo } from '../../src/core/types.js';
import { proc, snap } from '../helpers/snapshot.js';

const FF = ['/usr/bin/ffmpeg', '-i', 'rtsp://cam/1', '-f', 'null', '-'];
const run = (procs: ProcessInfo[]): Map<number, Finding> => new Map(classify(snap(procs), { signatures: BUILTIN_SIGNATURES }).map((f) => [f.proc.pid, f]));

test('a child of tini that leads its own session (setsid -f tini -- ffmpeg) is not an orphan', () => {
  const f = run([proc(1, 0, ['init']), proc(500, 1, ['tini', '-s', '--', 'ffmpeg'], { sid: 500, pgid: 500 }), proc(501, 500, FF, { sid: 500, pgid: 501 })]);
  assert.deepEqual(f.get(501)!.flags, []);
});

test('a child of docker-init in its session and of a PID-1 supervisor (node) that leads its session is not an orphan', () => {
  const d = run([proc(1, 0, ['init']), proc(600, 1, ['/sbin/docker-init', '--', 'ffmpeg'], { sid: 600, pgid: 600 }), proc(601, 600, FF, { sid: 600, pgid: 600 })]);
  assert.deepEqual(d.get(601)!.flags, []);
  const n = run([proc(1, 0, ['node', 'supervisor.js'], { sid: 1, pgid: 1 }), proc(7, 1, FF, { sid: 1, pgid: 1 }), proc(8, 1, [...FF, '2'], { sid: 1, pgid: 1 })]);
  assert.deepEqual(n.get(7)!.flags, []);
  assert.deepEqual(n.get(8)!.flags, []);
});

test('in a PID namespace entered from outside (session 0): tini\'s own command is not an orphan, the leaked workers are', () => {
  // As `unshare --pid --fork --mount-proc tini -s -- sh -c "sh -c 'ffmpeg & ffmpeg &'; exec ffmpeg"` reads inside.
  const procs = [
    proc(1, 0, ['tini', '-s', '--', 'sh'], { sid: 0, pgid: 0 }),
    proc(2, 1, [...FF, 'ok'], { sid: 0, pgid: 2 }),
    proc(4, 1, FF, { sid: 0, pgid: 2 }),
    proc(5, 1, [...FF, 'x'], { sid: 0, pgid: 2 }),
  ];
  const f = run(procs);
  assert.deepEqual(f.get(2)!.flags, []);
  assert.deepEqual(f.get(4)!.flags, ['orphan']);
  assert.match(f.get(4)!.reasons.orphan!, /session began outside this PID namespace/);
  assert.doesNotMatch(f.get(4)!.reasons.orphan!, /is gone/);
});

test('a lost worker is still an orphan: its session leader gone, or alive but not its parent', () => {
  const f = run([
    proc(1, 0, ['systemd'], { sid: 1, pgid: 1 }),
    proc(100, 1, ['node', 'router.js'], { sid: 100, pgid: 100 }),
    proc(200, 1, FF, { sid: 150, pgid: 200 }), // nohup ffmpeg & from a shell that logged out
    proc(201, 1, [...FF, 'b'], { sid: 100, pgid: 100 }),
    proc(700, 1, ['tini', '--', 'sh'], { sid: 700, pgid: 700 }),
    proc(701, 700, [...FF, 'c'], { sid: 700, pgid: 701, state: 'S' }),
  ]);
  assert.deepEqual(f.get(200)!.flags, ['orphan']);
  assert.match(f.get(200)!.reasons.orphan!, /session leader 150 is gone/);
  assert.deepEqual(f.get(201)!.flags, ['orphan']);
  assert.match(f.get(201)!.reasons.orphan!, /session leader 100 \(node\) is still alive/);
  assert.deepEqual(f.get(701)!.flags, []);
});

test('the same child is an orphan once its tini is a zombie', () => {
  const f = run([proc(1, 0, ['init']), proc(500, 1, ['tini', '--', 'ffmpeg'], { sid: 500, pgid: 500, state: 'Z' }), proc(501, 500, FF, { sid: 500, pgid: 501 })]);
  assert.deepEqual(f.get(501)!.flags, ['orphan']);
});
