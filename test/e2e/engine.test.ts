import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { openBackend, ProcfsBackend } from '../../src/core/read/backend/index.js';
import { ProcReader } from '../../src/core/read/procfs/reader.js';
import { terminate, type TargetResult } from '../../src/core/act/terminate.js';
import { alive, Scope, waitFor } from '../helpers/procs.js';

// The engine's library API against real processes this file starts, each in its own session.
const reader = new ProcReader();
const backend = new ProcfsBackend();
const start = (pid: number): number => reader.readStat(pid)!.startTicks;
const childrenOf = (pid: number): number[] => reader.listPids().filter((p) => reader.readStat(p)?.ppid === pid);

describe('terminate()', () => {
  const scope = new Scope();
  after(() => scope.cleanup());
  /** Starts `sh -c SCRIPT MARK` in its own session; waits until it runs (a script that execs: until the exec is done). */
  const spawnSh = async (script: string): Promise<number> => {
    const mark = scope.mark('eng');
    const c = scope.spawn('sh', ['-c', script, mark], { detached: true });
    const execs = /(^|[;&]\s*)exec /.test(script); // a top-level exec replaces sh and its argv (the mark goes with it)
    assert.ok(await waitFor(() => {
      const argv = reader.readArgv(c.pid!);
      return argv !== null && (execs ? argv[0] !== 'sh' : argv.includes(mark));
    }), `sh -c '${script}' did not start`);
    return c.pid!;
  };

  test('a recorded start time that no longer matches is reused and never signalled', async () => {
    const pid = await spawnSh('exec sleep 300');
    const report = await terminate([{ pid, startTicks: start(pid) + 1 }], { backend, graceMs: 200 });
    assert.equal(report.results.length, 1);
    assert.equal(report.results[0].outcome, 'reused');
    assert.deepEqual(report.results[0].signals, []);
    assert.match(report.results[0].reason, /belongs to another process/);
    assert.ok(alive(pid), 'the process holding the pid was left alone');
  });

  test('a process that ends on SIGTERM is terminated: STOP, TERM (then CONT if still there)', async () => {
    const pid = await spawnSh('exec sleep 300');
    const [r] = (await terminate([{ pid, startTicks: start(pid) }], { backend, graceMs: 2000 })).results;
    assert.equal(r.outcome, 'terminated');
    // A stopped process with the default action dies on SIGTERM at once; SIGCONT only goes to those still there.
    assert.deepEqual(r.signals.slice(0, 2), ['SIGSTOP', 'SIGTERM']);
    assert.ok(!r.signals.includes('SIGKILL'));
    assert.ok(await waitFor(() => !alive(pid)));
  });

  test('a process that ignores SIGTERM needs SIGKILL after the grace', async () => {
    const pid = await spawnSh('trap "" TERM; exec sleep 300');
    const [r] = (await terminate([{ pid, startTicks: null }], { backend, graceMs: 300 })).results;
    assert.equal(r.outcome, 'killed');
    assert.deepEqual(r.signals, ['SIGSTOP', 'SIGTERM', 'SIGCONT', 'SIGSTOP', 'SIGKILL']);
    assert.match(r.reason, /outlived SIGTERM for 300ms; SIGKILL ended it/);
    assert.ok(!alive(pid));
  });

  test('the whole tree goes, parents first, grandchildren included', async () => {
    const pid = await spawnSh('sh -c "sleep 300 & sleep 300; true" & sleep 300 & wait');
    await waitFor(() => childrenOf(pid).length === 2 && childrenOf(pid).some((c) => childrenOf(c).length === 2));
    const kids = childrenOf(pid);
    const grandkids = kids.flatMap(childrenOf);
    const report = await terminate([{ pid, startTicks: start(pid) }], { backend, graceMs: 2000 });
    const got = report.results.map((r) => r.pid);
    assert.equal(got[0], pid);
    assert.deepEqual([...got].sort(), [pid, ...kids, ...grandkids].sort());
    for (const r of report.results) assert.equal(r.outcome, 'terminated', `${r.pid}: ${r.reason}`);
    for (const p of got) assert.ok(!alive(p));
  });

  test('a TERM-ignoring restart loop cannot respawn: children it starts during the grace are stopped and killed', async () => {
    const pid = await spawnSh('trap : TERM; while :; do sleep 300; done'); // the trap outlives TERM and restarts the child
    assert.ok(await waitFor(() => childrenOf(pid).length > 0), 'the loop has set its trap and started a child');
    const seen: TargetResult[] = [];
    const report = await terminate([{ pid, startTicks: start(pid) }], { backend, graceMs: 400, onProgress: (r) => seen.push(r) });
    assert.equal(seen.length, report.results.length, 'onProgress fires once per process');
    const late = report.results.filter((r) => /started by PID/.test(r.reason));
    assert.ok(late.length >= 1, JSON.stringify(report.results));
    for (const r of report.results) {
      assert.ok(r.outcome === 'terminated' || r.outcome === 'killed', `${r.pid} ${r.outcome}: ${r.reason}`);
      assert.ok(!alive(r.pid));
    }
    assert.ok(!alive(pid));
  });

  test('an already-exited zombie is already gone, named with its parent; a vanished pid is already gone', async () => {
    // The child outlives the exec by a wide margin (a slow shell could reap a child that exits
    // before it execs), then is never reaped by sleep.
    const parent = await spawnSh('sleep 0.5 & exec sleep 300');
    let zombie = 0;
    assert.ok(await waitFor(() => {
      zombie = childrenOf(parent).find((c) => reader.readStat(c)?.state === 'Z') ?? 0;
      return zombie > 0;
    }), 'a zombie child appeared');
    const exited = scope.spawn('true', [], { detached: true });
    await new Promise((r) => exited.on('exit', r));
    const done = exited.pid!;
    const report = await terminate([{ pid: zombie, startTicks: null }, { pid: done, startTicks: 123 }], { backend, tree: false });
    assert.equal(report.results[0].outcome, 'already-gone');
    assert.match(report.results[0].reason, new RegExp(`zombie.*parent ${parent} \\(sleep\\)`));
    assert.equal(report.results[1].outcome, 'already-gone');
    assert.ok(alive(parent), 'the zombie\'s parent is not a target');
  });

  test('procsweep itself and its ancestors are skipped by the guard', async () => {
    const report = await terminate([{ pid: process.pid, startTicks: null }, { pid: process.ppid, startTicks: null }], { backend, tree: false });
    const self = report.results.find((r) => r.pid === process.pid)!;
    const parent = report.results.find((r) => r.pid === process.ppid)!;
    assert.equal(self.outcome, 'skipped');
    assert.match(self.reason, /procsweep itself/);
    assert.equal(parent.outcome, 'skipped');
    assert.match(parent.reason, /ancestor of procsweep/);
    assert.deepEqual([...self.signals, ...parent.signals], []);
  });

  test('not root: owners a fast snapshot left unknown are read before the guard judges them', async () => {
    const pid = await spawnSh('exec sleep 300');
    const fast = await backend.snapshot(() => false); // no status file read: every uid null
    assert.equal(fast.processes.get(pid)!.uid, null);
    const self = fast.processes.get(process.pid)!;
    const asUser = { selfPid: process.pid, lineage: new Set([process.pid]), pgid: self.pgid, sid: self.sid, uid: 4242 };
    const [r] = (await terminate([{ pid, startTicks: start(pid) }], { backend, snapshot: fast, guard: asUser, tree: false })).results;
    assert.equal(r.outcome, 'skipped');
    assert.match(r.reason, /belongs to uid 0, not to you/);
    assert.ok(alive(pid));
  });

  test('many targets run together: each gets its own outcome', async () => {
    const pids = await Promise.all(Array.from({ length: 8 }, (_, i) => spawnSh(i % 2 ? 'trap "" TERM; exec sleep 300' : 'exec sleep 300')));
    const report = await terminate(pids.map((pid) => ({ pid, startTicks: start(pid) })), { backend, graceMs: 300 });
    const byPid = new Map(report.results.map((r) => [r.pid, r.outcome]));
    pids.forEach((pid, i) => assert.equal(byPid.get(pid), i % 2 ? 'killed' : 'terminated'));
  });

  test('a proc tree that is not the live /proc is refused before anything is signalled', async () => {
    await assert.rejects(terminate([{ pid: 12345, startTicks: 1 }], { backend: new ProcfsBackend('/nonexistent/proc'), snapshot: { scannedAt: 0, backend: 'procfs', processes: new Map(), clockTicks: 100, bootTime: null, selfPid: process.pid } }), /not this system's live process table/);
  });

  test('the portable backend (ps + tree-kill) verifies and signals: TERM-able, TERM-ignoring trees, reused', async () => {
    const portable = await openBackend({ backend: 'portable' });
    const calm = await spawnSh('exec sleep 300');
    const deaf = await spawnSh('trap "" TERM; sh -c "trap \\"\\" TERM; sleep 300; true" & sleep 300; wait');
    assert.ok(await waitFor(() => childrenOf(deaf).length === 2 && childrenOf(deaf).some((c) => childrenOf(c).length === 1)));
    const kids = childrenOf(deaf);
    const other = await spawnSh('exec sleep 300');
    const snap = await portable.snapshot();
    const secs = snap.processes.get(other)!.startTicks!;
    const report = await terminate([{ pid: calm, startTicks: null }, { pid: deaf, startTicks: null }, { pid: other, startTicks: secs - 5 }], { backend: portable, graceMs: 300 });
    const by = new Map(report.results.map((r) => [r.pid, r]));
    assert.equal(by.get(calm)!.outcome, 'terminated');
    for (const pid of [deaf, ...kids]) assert.ok(by.has(pid));
    const tree = report.results.filter((r) => r.pid !== calm && r.pid !== other);
    assert.equal(tree.length, 4, JSON.stringify(tree));
    for (const r of tree) {
      assert.equal(r.outcome, 'killed', `${r.pid} ${r.argv.join(' ')}: ${r.reason}`);
      assert.deepEqual(r.signals.slice(-2), ['SIGSTOP', 'SIGKILL']);
    }
    assert.equal(by.get(other)!.outcome, 'reused');
    assert.deepEqual(by.get(other)!.signals, []);
    assert.ok(alive(other), 'the process whose start time did not match was left alone');
    assert.ok(!alive(calm) && !alive(deaf));
  });
});
