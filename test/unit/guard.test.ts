import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guardContext, guardReason, type GuardContext, type Guarded } from '../../src/core/decide/guard.js';
import { snap, proc } from '../helpers/snapshot.js';

const g: GuardContext = { selfPid: 500, lineage: new Set([500, 400, 300]), pgid: 500, sid: 300, uid: 1000 };
const worker = (over: Partial<Guarded> = {}): Guarded => ({ pid: 900, ppid: 1, pgid: 900, sid: 899, uid: 1000, kernelThread: false, comm: 'ffmpeg', argv: ['ffmpeg'], ...over });

test('a worker of the same user in its own group and session may be signalled', () => {
  assert.equal(guardReason(worker(), g), null);
});

test('PID 0 and 1 and kernel threads (PF_KTHREAD, whatever their PID) are never signalled', () => {
  assert.match(guardReason(worker({ pid: 0 }), g)!, /not a process/);
  assert.match(guardReason(worker({ pid: -5 }), g)!, /not a process/);
  assert.match(guardReason(worker({ pid: 1 }), g)!, /PID 1 is the init/);
  assert.match(guardReason(worker({ pid: 2, kernelThread: true }), g)!, /kernel thread/);
  assert.equal(guardReason(worker({ pid: 2 }), g), null, "a PID namespace's PID 2 without PF_KTHREAD is an ordinary process");
  assert.match(guardReason(worker({ pid: 77, kernelThread: true }), g)!, /kernel thread/);
});

test('procsweep itself, its ancestors, its group and its session are refused, each with its reason', () => {
  assert.match(guardReason(worker({ pid: 500 }), g)!, /procsweep itself/);
  assert.match(guardReason(worker({ pid: 400, comm: 'bash', argv: ['-bash'] }), g)!, /ancestor of procsweep/);
  assert.match(guardReason(worker({ pgid: 500 }), g)!, /own process group 500/);
  assert.match(guardReason(worker({ sid: 300 }), g)!, /own session 300/);
});

test('other users are refused unless procsweep is root; an unknown owner only root may signal', () => {
  assert.match(guardReason(worker({ uid: 0 }), g)!, /belongs to uid 0, not to you/);
  assert.match(guardReason(worker({ uid: null }), g)!, /owner of PID 900 is unknown/);
  assert.equal(guardReason(worker({ uid: 0 }), { ...g, uid: 0 }), null);
  assert.equal(guardReason(worker({ uid: null }), { ...g, uid: 0 }), null);
  assert.match(guardReason(worker(), { ...g, uid: null })!, /not to you/);
});

test('guardContext derives lineage, group and session from the snapshot', () => {
  const s = snap([
    proc(1, 0, ['init']),
    proc(300, 1, ['sshd'], { sid: 300, pgid: 300 }),
    proc(400, 300, ['-bash'], { sid: 300, pgid: 400 }),
    proc(500, 400, ['node', 'procsweep'], { sid: 300, pgid: 500 }),
    proc(900, 1, ['ffmpeg']),
  ], 500);
  const c = guardContext(s, 1000);
  assert.deepEqual([...c.lineage].sort(), [1, 300, 400, 500]);
  assert.equal(c.pgid, 500);
  assert.equal(c.sid, 300);
  assert.equal(c.uid, 1000);
});

test('a group or session that reads 0 (outside this PID namespace) is never "procsweep\'s own": two unknowns are not equal', () => {
  const inNs: GuardContext = { ...g, pgid: 0, sid: 0, uid: 0 };
  assert.equal(guardReason(worker({ pgid: 0, sid: 0 }), inNs), null);
  assert.equal(guardReason(worker({ pgid: 4, sid: 0 }), inNs), null);
  // A real (non-zero) shared session is still refused.
  assert.match(guardReason(worker({ sid: 7 }), { ...inNs, sid: 7 })!, /own session 7/);
});
