import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineOps, LiveStat, ThawGuard } from '../../src/core/read/backend/ops.js';
import type { GuardContext } from '../../src/core/decide/guard.js';
import { terminate, type TargetResult } from '../../src/core/act/terminate.js';
import type { Backend } from '../../src/core/read/backend/index.js';
import type { ProcessInfo, Snapshot } from '../../src/core/types.js';
import { proc, snap } from '../helpers/snapshot.js';
import { EnvironmentError } from '../../src/core/errors.js';

// The whole escalation against a fake process table and a fake clock: no real process, no real
// time. Each fake process behaves like the kernel would for its kind (see FakeProc).

interface FakeProc {
  info: ProcessInfo;
  /** What SIGTERM does: exit (after `exitMs`), or nothing. */
  onTerm: 'exit' | 'ignore';
  /** Uninterruptible sleep: not stopped by SIGSTOP, not killed by SIGKILL. */
  stuck?: boolean;
  /** The kernel refuses every signal (another user's setuid program). */
  eperm?: boolean;
  /** Replaced by another process (same pid, new start) just before the engine's first read. */
  reusedOnFirstRead?: boolean;
  /**
   * Between two checks: after the engine's Nth read of it, it is gone and a newcomer (new start
   * time, other argv, ignores TERM) holds its pid. Whatever reaches the pid after that is logged
   * as reaching the newcomer.
   */
  reusedAfterReads?: number;
  /** Set once the pid holds the newcomer. */
  replaced?: boolean;
  exitMs?: number;
  stopped?: boolean;
  pendingTerm?: boolean;
  diesAt?: number;
}

class FakeTable implements EngineOps {
  clock = 0;
  readonly sleeps: [at: number, ms: number][] = [];
  readonly log: string[] = [];
  readonly procs = new Map<number, FakeProc>();
  refreshes = 0;
  treeKills: number[] = [];
  /** Every kill the engine attempted, refused or not: `clock pid SIG`. */
  readonly attempts: string[] = [];
  private read = new Set<number>();
  private reads = new Map<number, number>();

  constructor(
    list: FakeProc[],
    private readonly batched = false,
  ) {
    for (const p of list) this.procs.set(p.info.pid, p);
  }
  /** The ops as a procfs-like backend (live reads) or a portable-like one (refresh + killTree). */
  ops(): EngineOps {
    if (!this.batched) return { ...this.bound(), refresh: undefined, killTree: undefined };
    return {
      ...this.bound(),
      refresh: async () => void this.refreshes++,
      killTree: async (pid, sig) => {
        this.treeKills.push(pid);
        const walk = (p: number): void => {
          this.kill(p, sig);
          for (const c of this.procs.values()) if (c.info.ppid === p) walk(c.info.pid);
        };
        walk(pid);
      },
    };
  }
  private bound(): EngineOps {
    return { stat: (p) => this.stat(p), open: () => null, statFd: () => null, close: () => {}, info: (p) => this.info(p), pids: () => this.pids(), kill: (p, s) => this.kill(p, s), now: () => this.now(), sleep: (n) => this.sleep(n) };
  }
  stat(pid: number): LiveStat | null {
    const p = this.procs.get(pid);
    if (!p) return null;
    if (p.reusedOnFirstRead && !this.read.has(pid)) p.info = { ...p.info, startTicks: (p.info.startTicks ?? 0) + 7, argv: ['bash'] };
    this.read.add(pid);
    const n = (this.reads.get(pid) ?? 0) + 1;
    this.reads.set(pid, n);
    if (p.reusedAfterReads !== undefined && n === p.reusedAfterReads + 1 && !p.replaced) {
      // The planned process died between the engine's last check and this one; a newcomer took its pid.
      p.info = { ...p.info, startTicks: (p.info.startTicks ?? 0) + 9, argv: ['postgres'] };
      Object.assign(p, { replaced: true, stopped: false, pendingTerm: false, diesAt: undefined, onTerm: 'ignore' });
    }
    const state = p.stuck ? 'D' : p.stopped ? 'T' : 'S';
    return { ppid: p.info.ppid, state, startTicks: p.info.startTicks!, ...(this.batched ? { args: p.info.argv.join(' ') } : {}) };
  }
  open(): number | null {
    return null;
  }
  statFd(): LiveStat | null {
    return null;
  }
  close(): void {}
  info(pid: number): ProcessInfo | null {
    return this.procs.get(pid)?.info ?? null;
  }
  pids(): number[] {
    return [...this.procs.keys()];
  }
  kill(pid: number, sig: NodeJS.Signals): void {
    const p = this.procs.get(pid);
    if (!p) throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
    this.attempts.push(`${this.clock} ${pid}${p.replaced ? ' (newcomer)' : ''} ${sig}`);
    if (p.eperm) throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
    this.log.push(`${this.clock} ${pid} ${sig}`);
    if (sig === 'SIGSTOP' && !p.stuck) p.stopped = true;
    if (sig === 'SIGTERM' && p.onTerm === 'exit') {
      if (p.stopped) p.pendingTerm = true;
      else p.diesAt = this.clock + (p.exitMs ?? 1);
    }
    if (sig === 'SIGCONT') {
      p.stopped = false;
      if (p.pendingTerm) p.diesAt = this.clock + (p.exitMs ?? 1);
    }
    if (sig === 'SIGKILL' && !p.stuck) p.diesAt = this.clock + 1;
  }
  now(): number {
    return this.clock;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push([this.clock, ms]);
    this.clock += ms;
    for (const [pid, p] of this.procs) if (p.diesAt !== undefined && p.diesAt <= this.clock) this.procs.delete(pid);
  }
}

const guard: GuardContext = { selfPid: 99_999, lineage: new Set([99_999]), pgid: null, sid: null, uid: 0 };
const fake = (pid: number, ppid: number, over: Partial<FakeProc> = {}): FakeProc => ({ info: proc(pid, ppid, ['ffmpeg', '-i', `cam${pid}`]), onTerm: 'exit', ...over });
/** A backend over a fixed snapshot whose engine ops are the given fake table's. */
const fakeBackend = (name: 'procfs' | 'portable', s: Snapshot, ops: EngineOps): Backend => ({ name, snapshot: async () => s, probe: async () => null, fdCount: () => null, exe: () => null, signalOps: () => ops, exactUid: () => null, check: () => {} });
const byPid = (rs: TargetResult[]): Map<number, TargetResult> => new Map(rs.map((r) => [r.pid, r]));
const run = async (table: FakeTable, pids: number[], graceMs = 3000) => {
  const s = snap([...table.procs.values()].map((p) => p.info));
  const backend = fakeBackend('procfs', s, table.ops());
  return terminate(pids.map((pid) => ({ pid, startTicks: s.processes.get(pid)!.startTicks })), { backend, ops: table.ops(), snapshot: s, guard, graceMs });
};

test('the escalation, end to end on a fake table: each kind of process gets its honest outcome', async () => {
  const table = new FakeTable([
    fake(100, 1, { exitMs: 30 }), // exits on TERM
    fake(200, 1, { onTerm: 'ignore' }), // needs KILL
    fake(300, 1, { reusedOnFirstRead: true }), // its pid now belongs to another process
    fake(400, 1, { onTerm: 'ignore', stuck: true }), // in D state
    fake(500, 1, { eperm: true }), // not ours to signal
  ]);
  const report = await run(table, [100, 200, 300, 400, 500]);
  const r = byPid(report.results);
  assert.equal(r.get(100)!.outcome, 'terminated');
  assert.deepEqual(r.get(100)!.signals, ['SIGSTOP', 'SIGTERM', 'SIGCONT']);
  assert.match(r.get(100)!.reason, /exited \d+ms after SIGTERM/);
  assert.equal(r.get(200)!.outcome, 'killed');
  assert.deepEqual(r.get(200)!.signals, ['SIGSTOP', 'SIGTERM', 'SIGCONT', 'SIGSTOP', 'SIGKILL']);
  assert.match(r.get(200)!.reason, /outlived SIGTERM for 3\.0s; SIGKILL ended it/);
  assert.equal(r.get(300)!.outcome, 'reused');
  assert.deepEqual(r.get(300)!.signals, [], 'a reused pid is never signalled');
  assert.ok(!table.log.some((l) => l.split(' ')[1] === '300'));
  assert.equal(r.get(400)!.outcome, 'survived');
  assert.match(r.get(400)!.reason, /uninterruptible sleep \(state D\)/);
  assert.equal(r.get(500)!.outcome, 'failed');
  assert.match(r.get(500)!.reason, /EPERM/);
  // Freeze and TERM before any CONT; KILL only after the grace; the grace runs from the CONT pass.
  const at = (pid: number, sig: string): number => Number(table.log.find((l) => l.endsWith(` ${pid} ${sig}`))!.split(' ')[0]);
  assert.ok(at(200, 'SIGCONT') >= at(100, 'SIGTERM'));
  assert.ok(at(200, 'SIGKILL') - at(200, 'SIGCONT') >= 3000, 'KILL waits for the whole grace');
  // Backoff while waiting out the grace: 5ms doubling to 200ms, never a busy loop.
  const waits = table.sleeps.filter(([t]) => t >= at(200, 'SIGCONT') && t < at(200, 'SIGKILL')).map(([, n]) => n);
  assert.deepEqual(waits.slice(0, 7), [5, 10, 20, 40, 80, 160, 200]);
  assert.ok(table.sleeps.length < 100, `${table.sleeps.length} sleeps`);
  assert.equal(report.durationMs, table.clock);
});

test('a restart loop is frozen before its child is touched, and a child it spawned meanwhile is adopted and killed', async () => {
  const table = new FakeTable([fake(100, 1, { onTerm: 'ignore', info: proc(100, 1, ['sh', '-c', 'while :; do ffmpeg; done']) }), fake(101, 100, { onTerm: 'ignore' })]);
  const s = snap([...table.procs.values()].map((p) => p.info));
  table.procs.set(102, fake(102, 100, { onTerm: 'ignore', info: proc(102, 100, ['ffmpeg', 'new']) })); // not in the plan's snapshot
  const backend = fakeBackend('procfs', s, table.ops());
  const report = await terminate([{ pid: 100, startTicks: s.processes.get(100)!.startTicks }], { backend, ops: table.ops(), snapshot: s, guard, graceMs: 500 });
  const r = byPid(report.results);
  assert.deepEqual([...r.values()].map((x) => x.outcome), ['killed', 'killed', 'killed']);
  assert.match(r.get(102)!.reason, /started by PID 100 after the plan was made/);
  assert.ok(table.log.indexOf('0 100 SIGSTOP') < table.log.findIndex((l) => / 101 /.test(l)), 'parent stopped first');
});

test('a backend that reads in one go (portable) re-reads before every pass and kills a frozen tree in one call', async () => {
  const table = new FakeTable([fake(100, 1, { onTerm: 'ignore' }), fake(101, 100, { onTerm: 'ignore' }), fake(102, 101, { onTerm: 'ignore' }), fake(200, 1, { onTerm: 'ignore' })], true);
  const report = await run(table, [100, 200], 400);
  const r = byPid(report.results);
  assert.deepEqual([100, 101, 102, 200].map((p) => r.get(p)!.outcome), ['killed', 'killed', 'killed', 'killed']);
  assert.deepEqual(table.treeKills, [100], 'the three-process tree went through killTree; the lone process did not');
  assert.ok(table.refreshes >= 5, `${table.refreshes} refreshes`);
  for (const p of [100, 101, 102]) assert.deepEqual(r.get(p)!.signals.slice(-2), ['SIGSTOP', 'SIGKILL']);
});

test('portable identity includes the command line: same pid and start second, other argv, is reused', async () => {
  const table = new FakeTable([fake(100, 1)], true);
  const s = snap([proc(100, 1, ['ffmpeg', '-i', 'cam-old'])]);
  const backend = fakeBackend('portable', s, table.ops());
  const [r] = (await terminate([{ pid: 100, startTicks: s.processes.get(100)!.startTicks }], { backend, ops: table.ops(), snapshot: s, guard, graceMs: 100 })).results;
  assert.equal(r.outcome, 'reused');
  assert.match(r.reason, /same start second, but its command line is now 'ffmpeg -i cam100'/);
  assert.equal(table.log.length, 0);
});

/** Runs the engine with extra ops (a thaw guard, a hurry) over a fake table. */
const runWith = (table: FakeTable, pids: number[], graceMs: number, extra: Partial<EngineOps>, hurry?: AbortSignal) => {
  const s = snap([...table.procs.values()].map((p) => p.info));
  const ops = { ...table.ops(), ...extra };
  const backend = fakeBackend('procfs', s, ops);
  return terminate(pids.map((pid) => ({ pid, startTicks: s.processes.get(pid)!.startTicks })), { backend, ops, snapshot: s, guard, graceMs, hurry });
};

/** A thaw guard that writes what it is told into the table's signal log, in order. */
const loggingGuard = (table: FakeTable): ThawGuard => ({
  record: async (batch) => {
    table.log.push(`record ${batch.map((t) => t.pid).join(',')}`);
    return true;
  },
  clear: async () => void table.log.push('clear'),
  close: () => void table.log.push('close'),
});

test('a hurry cuts a long grace short: SIGKILL at once, verified, and the reason says so', async () => {
  const table = new FakeTable([fake(100, 1, { onTerm: 'ignore' }), fake(200, 1, { exitMs: 50 })]);
  const hurry = new AbortController();
  const sleep = async (ms: number): Promise<void> => {
    await table.sleep(ms);
    if (table.clock >= 700) hurry.abort(); // the second Ctrl-C, 0.7s into a 120s grace
  };
  const report = await runWith(table, [100, 200], 120_000, { sleep }, hurry.signal);
  const r = byPid(report.results);
  assert.equal(r.get(100)!.outcome, 'killed');
  assert.match(r.get(100)!.reason, /outlived SIGTERM for 7\d\dms of the 120\.0s grace, cut short on request; SIGKILL ended it/);
  assert.equal(r.get(200)!.outcome, 'terminated');
  assert.ok(table.clock < 3000, `the engine waited ${table.clock}ms`);
});

test('the thaw guard hears of every process before its SIGSTOP, and is cleared only once each is resumed or killed', async () => {
  const table = new FakeTable([fake(100, 1, { onTerm: 'ignore' }), fake(101, 100, { onTerm: 'ignore' }), fake(200, 1, { exitMs: 20 })]);
  await runWith(table, [100, 200], 300, { thawGuard: () => loggingGuard(table) });
  const recorded = new Set<number>();
  const stopped = new Set<number>();
  for (const line of table.log) {
    const [at, pid, sig] = line.split(' ');
    if (at === 'record') pid.split(',').forEach((p) => recorded.add(Number(p)));
    else if (at === 'clear') {
      assert.deepEqual([...stopped], [], `cleared while ${[...stopped].join(', ')} were stopped`);
      recorded.clear();
    } else if (sig === 'SIGSTOP') {
      assert.ok(recorded.has(Number(pid)), `${pid} stopped before the guard heard of it:\n${table.log.join('\n')}`);
      stopped.add(Number(pid));
    } else if (sig === 'SIGCONT' || sig === 'SIGKILL') stopped.delete(Number(pid));
  }
  assert.deepEqual(table.log.filter((l) => l === 'clear' || l === 'close'), ['clear', 'clear', 'close'], 'one clear per freeze, then close');
  assert.equal(table.log.at(-1), 'close');
});

test('a throw mid-freeze closes the thaw guard without clearing it (so it resumes what was stopped)', async () => {
  const table = new FakeTable([fake(100, 1, { onTerm: 'ignore' })]);
  const pids = (): number[] => {
    throw new Error('the process table went away');
  };
  // After its SIGSTOP the run is reported, not thrown (the next test); the guard is closed all the same.
  const report = await runWith(table, [100], 300, { thawGuard: () => loggingGuard(table), pids });
  assert.match(report.error ?? '', /went away/);
  assert.deepEqual(table.log.filter((l) => !l.includes('SIG')), ['record 100', 'close']);
  assert.ok(table.log.includes('0 100 SIGSTOP'));
});

test('a spared process (kept) inside a target tree is never signalled, nor its subtree, even one that shows up during the freeze', async () => {
  const wrapper = fake(100, 1, { onTerm: 'ignore', info: proc(100, 1, ['sh', '-c', 'while :; do ffmpeg; done']) });
  const table = new FakeTable([wrapper, fake(101, 100), fake(103, 101), fake(102, 1), fake(104, 102)]);
  const s = snap([...table.procs.values()].map((p) => p.info));
  // 102 sat under init when the plan was made; by the freeze it is a child of the wrapper (with 104 under it).
  table.procs.get(102)!.info = { ...table.procs.get(102)!.info, ppid: 100 };
  const backend = fakeBackend('procfs', s, table.ops());
  const spare = [101, 102].map((pid) => ({ pid, startTicks: s.processes.get(pid)!.startTicks, reason: 'kept: --keep cam' }));
  const report = await terminate([{ pid: 100, startTicks: s.processes.get(100)!.startTicks }], { backend, ops: table.ops(), snapshot: s, guard, graceMs: 200, spare });
  const r = byPid(report.results);
  assert.equal(r.get(100)!.outcome, 'killed');
  assert.deepEqual(table.log.filter((l) => !/ 100 /.test(l)), [], 'only the wrapper was signalled');
  for (const pid of [101, 102]) {
    assert.equal(r.get(pid)!.outcome, 'skipped');
    assert.deepEqual(r.get(pid)!.signals, []);
    assert.match(r.get(pid)!.reason, /left running: kept: --keep cam/);
  }
  assert.ok(!r.has(103) && !r.has(104), 'the spared subtrees are not in play');
  for (const pid of [101, 102, 103, 104]) assert.ok(table.procs.has(pid), `${pid} still runs`);
  // A spare entry for another start time (the pid was reused) spares nothing.
  const t2 = new FakeTable([fake(200, 1), fake(201, 200)]);
  const s2 = snap([...t2.procs.values()].map((p) => p.info));
  const b2 = { ...backend, snapshot: async () => s2, signalOps: () => t2.ops() };
  const rep2 = await terminate([{ pid: 200, startTicks: s2.processes.get(200)!.startTicks }], { backend: b2, ops: t2.ops(), snapshot: s2, guard, spare: [{ pid: 201, startTicks: 12345, reason: 'kept' }] });
  assert.equal(byPid(rep2.results).get(201)!.outcome, 'terminated');
});

test('a throw after the SIGSTOPs (portable ps fails with EAGAIN) still resumes every process the engine stopped', async () => {
  const table = new FakeTable([fake(100, 1, { onTerm: 'ignore' }), fake(101, 100, { onTerm: 'ignore' })], true);
  const s = snap([...table.procs.values()].map((p) => p.info));
  const ops = { ...table.ops(), refresh: async () => {
    if ([...table.procs.values()].some((p) => p.stopped)) throw Object.assign(new Error('spawn ps EAGAIN'), { code: 'EAGAIN' });
  } };
  const backend = fakeBackend('portable', s, ops);
  const progress: TargetResult[] = [];
  const report = await terminate([{ pid: 100, startTicks: s.processes.get(100)!.startTicks }], { backend, ops, snapshot: s, guard, graceMs: 200, onProgress: (r) => progress.push(r) });
  for (const pid of [100, 101]) {
    assert.equal(table.procs.get(pid)!.stopped, false, `${pid} left stopped`);
    assert.equal(table.log.filter((l) => l.endsWith(` ${pid} SIGCONT`)).length, 1, `${pid} resumed once`);
  }
  // A report of what was done is never lost: the error rides on it, and each process says what it got.
  assert.equal(report.error, 'spawn ps EAGAIN');
  for (const r of report.results) {
    assert.equal(r.outcome, 'failed');
    assert.deepEqual(r.signals, ['SIGSTOP', 'SIGTERM', 'SIGCONT'], 'the thaw is on the record');
    assert.equal(r.reason, 'not finished: the run stopped (spawn ps EAGAIN); signals sent: SIGSTOP, SIGTERM, SIGCONT');
  }
  assert.deepEqual(progress.map((r) => [r.pid, r.outcome]).sort(), [[100, 'failed'], [101, 'failed']], 'told once each');
});

test('a throw during the grace keeps the outcomes already known and fails only the processes still in play, none left stopped', async () => {
  const table = new FakeTable([fake(100, 1, { exitMs: 5 }), fake(200, 1, { onTerm: 'ignore' })], true);
  const s = snap([...table.procs.values()].map((p) => p.info));
  let settled = false;
  const ops = { ...table.ops(), refresh: async () => {
    if (settled) throw new EnvironmentError('cannot read the process table with ps (EAGAIN)');
  } };
  const backend = fakeBackend('portable', s, ops);
  const targets = [100, 200].map((pid) => ({ pid, startTicks: s.processes.get(pid)!.startTicks }));
  const report = await terminate(targets, { backend, ops, snapshot: s, guard, graceMs: 3000, onProgress: (r) => void (settled ||= r.pid === 100) });
  const r = byPid(report.results);
  assert.equal(report.error, 'cannot read the process table with ps (EAGAIN)');
  assert.equal(r.get(100)!.outcome, 'terminated', 'an outcome already known is kept');
  assert.equal(r.get(200)!.outcome, 'failed');
  assert.equal(r.get(200)!.reason, 'not finished: the run stopped (cannot read the process table with ps (EAGAIN)); signals sent: SIGSTOP, SIGTERM, SIGCONT');
  assert.equal(table.procs.get(200)!.stopped, false, 'not left stopped');
  assert.ok(!table.log.some((l) => l.endsWith('SIGKILL')), 'nothing more was sent after the error');
  assert.ok(table.clock < 3000, 'the run stopped at the error, not after the grace');
});

test('a throw mid-run: a process that ended meanwhile gets its honest outcome, not failed (live reads are looked at once more)', async () => {
  // 100 dies 30 ms after its SIGCONT; the read at 35 ms throws once (it found 100 gone and the engine never learnt it).
  const table = new FakeTable([fake(100, 1, { exitMs: 30 }), fake(200, 1, { onTerm: 'ignore' })]);
  const s = snap([...table.procs.values()].map((p) => p.info));
  let thrown = false;
  const live = table.ops();
  const ops: EngineOps = { ...live, stat: (pid) => {
    if (!thrown && table.clock >= 35) {
      thrown = true;
      throw Object.assign(new Error('read /proc EIO'), { code: 'EIO' });
    }
    return live.stat(pid);
  } };
  const backend = fakeBackend('procfs', s, ops);
  const targets = [100, 200].map((pid) => ({ pid, startTicks: s.processes.get(pid)!.startTicks }));
  const report = await terminate(targets, { backend, ops, snapshot: s, guard, graceMs: 3000 });
  const r = byPid(report.results);
  assert.equal(report.error, 'read /proc EIO');
  assert.ok(!table.procs.has(100));
  assert.equal(r.get(100)!.outcome, 'terminated', r.get(100)!.reason);
  assert.match(r.get(100)!.reason, /^exited .* after SIGTERM$/);
  assert.equal(r.get(200)!.outcome, 'failed');
  assert.equal(table.procs.get(200)!.stopped, false);
});

test('a progress callback that throws while the stopped run is written up does not keep the stat files and the thaw guard open', async () => {
  const table = new FakeTable([fake(100, 1, { onTerm: 'ignore' }), fake(101, 1, { onTerm: 'ignore' })], true);
  const s = snap([...table.procs.values()].map((p) => p.info));
  const open = new Set<number>();
  let guardClosed = false;
  const ops: EngineOps = {
    ...table.ops(),
    open: (pid) => (open.add(pid), pid),
    statFd: (fd) => table.stat(fd),
    close: (fd) => void open.delete(fd),
    thawGuard: () => ({ record: async () => true, clear: async () => {}, close: () => void (guardClosed = true) }),
    refresh: async () => {
      if ([...table.procs.values()].some((p) => p.stopped)) throw new Error('spawn ps EAGAIN');
    },
  };
  const backend = fakeBackend('portable', s, ops);
  const targets = [100, 101].map((pid) => ({ pid, startTicks: s.processes.get(pid)!.startTicks }));
  await assert.rejects(terminate(targets, { backend, ops, snapshot: s, guard, onProgress: () => {
    throw new Error('callback broke');
  } }), /callback broke/);
  assert.deepEqual([...open], [], 'every stat file was closed');
  assert.ok(guardClosed, 'the thaw guard was closed');
  for (const pid of [100, 101]) assert.equal(table.procs.get(pid)!.stopped, false, `${pid} resumed`);
});

test('a throw before the first signal is thrown as it came: nothing was done, nothing to report', async () => {
  const table = new FakeTable([fake(100, 1)], true);
  const s = snap([...table.procs.values()].map((p) => p.info));
  const ops = { ...table.ops(), refresh: async () => {
    throw new EnvironmentError('cannot read the process table with ps (EAGAIN)');
  } };
  const backend = fakeBackend('portable', s, ops);
  await assert.rejects(terminate([{ pid: 100, startTicks: s.processes.get(100)!.startTicks }], { backend, ops, snapshot: s, guard }), (e: unknown) => e instanceof EnvironmentError && /EAGAIN/.test(e.message));
  assert.deepEqual(table.log, []);
});

test('a member a tree-kill missed is sent SIGKILL on its own, not left stopped and reported survived', async () => {
  const table = new FakeTable([fake(100, 1, { onTerm: 'ignore' }), fake(101, 100, { onTerm: 'ignore' })], true);
  const s = snap([...table.procs.values()].map((p) => p.info));
  const ops = { ...table.ops(), killTree: async (pid: number, sig: NodeJS.Signals) => table.kill(pid, sig) }; // reaches the root only
  const backend = fakeBackend('portable', s, ops);
  const report = await terminate([{ pid: 100, startTicks: s.processes.get(100)!.startTicks }], { backend, ops, snapshot: s, guard, graceMs: 200 });
  const r = byPid(report.results);
  assert.equal(r.get(100)!.outcome, 'killed');
  assert.equal(r.get(101)!.outcome, 'killed', r.get(101)!.reason);
  assert.ok(!table.procs.has(101));
});

// One process per case, through the whole escalation (freeze, TERM, CONT, backoff, KILL, verify):
// each case asserts the honest outcome, the signals in order and the phases the engine went through.
const START = 50_000;
const oneCase = async (over: Partial<FakeProc>, graceMs = 1000) => {
  const table = new FakeTable([fake(100, 1, over)]);
  table.clock = START; // a monotonic clock is not zero when the engine starts
  const s = snap([...table.procs.values()].map((p) => p.info));
  const phases: string[] = [];
  const progress: string[] = [];
  const report = await terminate([{ pid: 100, startTicks: s.processes.get(100)!.startTicks }], {
    backend: fakeBackend('procfs', s, table.ops()), ops: table.ops(), snapshot: s, guard, graceMs,
    onPhase: (p) => phases.push(p), onProgress: (r) => progress.push(r.outcome),
  });
  assert.equal(report.results.length, 1);
  const [r] = report.results;
  assert.deepEqual(progress, [r.outcome], 'the outcome is reported once, when final');
  return { r, table, phases, sent: table.log.map((l) => l.split(' ').slice(1).join(' ')) };
};

test('case: exits on TERM (freeze, TERM queued, CONT, gone within the grace; no KILL)', async () => {
  const { r, table, phases, sent } = await oneCase({ exitMs: 40 });
  assert.equal(r.outcome, 'terminated');
  assert.deepEqual(r.signals, ['SIGSTOP', 'SIGTERM', 'SIGCONT']);
  assert.deepEqual(sent, ['100 SIGSTOP', '100 SIGTERM', '100 SIGCONT']);
  assert.match(r.reason, /^exited \d+ms after SIGTERM$/);
  assert.deepEqual(phases, ['freeze', 'terminate', 'wait']);
  assert.ok(table.clock - START < 1000, `done ${table.clock - START}ms in, long before the grace ends`);
});

test('case: needs KILL (TERM ignored for the whole grace with backoff, frozen again, KILL, verified gone)', async () => {
  const { r, table, phases, sent } = await oneCase({ onTerm: 'ignore' }, 2000);
  assert.equal(r.outcome, 'killed');
  assert.deepEqual(r.signals, ['SIGSTOP', 'SIGTERM', 'SIGCONT', 'SIGSTOP', 'SIGKILL']);
  assert.deepEqual(sent, ['100 SIGSTOP', '100 SIGTERM', '100 SIGCONT', '100 SIGSTOP', '100 SIGKILL']);
  assert.match(r.reason, /^outlived SIGTERM for 2\.0s; SIGKILL ended it$/);
  assert.deepEqual(phases, ['freeze', 'terminate', 'wait', 'kill', 'verify']);
  const at = (sig: string): number => Number(table.log.find((l) => l.endsWith(` ${sig}`) && l.includes(' 100 '))!.split(' ')[0]);
  assert.ok(table.log.filter((l) => l.endsWith('SIGKILL')).every((l) => Number(l.split(' ')[0]) - at('SIGCONT') >= 2000), 'KILL only once the grace is over');
  const waits = table.sleeps.filter(([t]) => t >= at('SIGCONT') && t < at('SIGKILL')).map(([, n]) => n);
  assert.deepEqual(waits.slice(0, 7), [5, 10, 20, 40, 80, 160, 200], 'backoff: 5ms doubling to 200ms');
  assert.ok(waits.slice(7).every((n) => n <= 200));
});

test('case: reused between two checks (signalled, then its pid names a newcomer: the newcomer gets nothing)', async () => {
  // Read once by the freeze's SIGSTOP check and once by its SIGTERM check; by the next check
  // (waiting for the stop) the planned process is gone and a newcomer holds the pid.
  const { r, table, sent } = await oneCase({ onTerm: 'ignore', reusedAfterReads: 2 });
  assert.equal(table.procs.get(100)!.replaced, true, 'the fake did reuse the pid');
  assert.deepEqual(r.signals, ['SIGSTOP', 'SIGTERM'], 'nothing after the pid changed hands');
  assert.deepEqual(sent, ['100 SIGSTOP', '100 SIGTERM']);
  assert.ok(!table.attempts.some((a) => a.includes('(newcomer)')), `a signal reached the newcomer:\n${table.attempts.join('\n')}`);
  assert.equal(r.outcome, 'terminated', 'the planned process ended after the signals it was sent');
  assert.match(r.reason, /^exited \dms after SIGTERM$/, 'counted from its SIGTERM, not from procsweep\'s start');
  assert.equal(table.procs.get(100)!.stopped, false, 'the newcomer is not left stopped');
});

test('case: reused between the plan and the first check (never signalled, reported reused)', async () => {
  const { r, table } = await oneCase({ reusedOnFirstRead: true });
  assert.equal(r.outcome, 'reused');
  assert.deepEqual(r.signals, []);
  assert.deepEqual(table.attempts, [], 'not even attempted');
  assert.match(r.reason, /^PID 100 now belongs to another process \(start time \d+, expected \d+\): not signalled$/);
});

test('case: stuck in D state (SIGSTOP and SIGKILL do not take; reported survived, with why)', async () => {
  const { r, table, phases, sent } = await oneCase({ onTerm: 'ignore', stuck: true }, 500);
  assert.equal(r.outcome, 'survived');
  assert.deepEqual(r.signals, ['SIGSTOP', 'SIGTERM', 'SIGCONT', 'SIGSTOP', 'SIGKILL']);
  assert.deepEqual(sent, ['100 SIGSTOP', '100 SIGTERM', '100 SIGCONT', '100 SIGSTOP', '100 SIGKILL']);
  assert.match(r.reason, /^still alive 1\.0s after SIGKILL: in uninterruptible sleep \(state D\)/);
  assert.deepEqual(phases, ['freeze', 'terminate', 'wait', 'kill', 'verify']);
  assert.ok(table.procs.has(100), 'still there: nothing pretends it died');
});

test('case: returns EPERM (the first signal is refused: failed, nothing more is tried)', async () => {
  const { r, table, phases } = await oneCase({ eperm: true });
  assert.equal(r.outcome, 'failed');
  assert.deepEqual(r.signals, [], 'no signal was delivered');
  assert.deepEqual(table.attempts.map((a) => a.split(' ').slice(1).join(' ')), ['100 SIGSTOP'], 'one attempt, then the engine stops trying');
  assert.match(r.reason, /^the kernel refused SIGSTOP \(EPERM\)/);
  assert.deepEqual(phases, ['freeze', 'terminate', 'wait'], 'no KILL step: nothing is left in play');
});
