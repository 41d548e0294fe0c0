// The one executor (core/act/execute.ts) over a fake process table and a fake clock: the plan's
// targets go to the engine, its skipped entries are spared, the records of the processes that
// ended are removed (never a survivor's), the audit log gets one line per target, and a failed
// audit write is returned while the report stands. No real process, no real time.
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openAuditLog } from '../../src/core/act/audit-log.js';
import type { EngineOps, LiveStat } from '../../src/core/read/backend/ops.js';
import type { Backend } from '../../src/core/read/backend/index.js';
import { executePlan, executeTargets } from '../../src/core/act/execute.js';
import type { GuardContext } from '../../src/core/decide/guard.js';
import { planGroups, planTargets, type Plan } from '../../src/core/decide/plan.js';
import { readPidfiles } from '../../src/core/pidfiles/index.js';
import type { Phase } from '../../src/core/act/terminate.js';
import type { Finding, ProcessInfo, Snapshot } from '../../src/core/types.js';
import { fakeContext, proc, snapshotOf, tempDir } from '../helpers/pidfiles.js';

/** A process table where `ignores` outlive SIGTERM (SIGKILL ends them) and the rest exit 10 ms after it. */
class Table {
  clock = 0;
  readonly sent: string[] = [];
  private readonly alive = new Map<number, { p: ProcessInfo; stopped: boolean; term: boolean; diesAt: number | null }>();
  constructor(procs: ProcessInfo[], private readonly ignores: ReadonlySet<number> = new Set()) {
    for (const p of procs) this.alive.set(p.pid, { p, stopped: false, term: false, diesAt: null });
  }
  has(pid: number): boolean {
    return this.alive.has(pid);
  }
  ops(): EngineOps {
    const stat = (pid: number): LiveStat | null => {
      const a = this.alive.get(pid);
      return a ? { ppid: a.p.ppid, state: a.stopped ? 'T' : 'S', startTicks: a.p.startTicks! } : null;
    };
    return {
      stat,
      open: () => null,
      statFd: () => null,
      close: () => {},
      info: (pid) => this.alive.get(pid)?.p ?? null,
      pids: () => [...this.alive.keys()],
      kill: (pid, sig) => {
        const a = this.alive.get(pid);
        if (!a) throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
        this.sent.push(`${pid} ${sig}`);
        if (sig === 'SIGSTOP') a.stopped = true;
        if (sig === 'SIGCONT') a.stopped = false;
        if (sig === 'SIGTERM' && !this.ignores.has(pid)) a.term = true;
        if (sig === 'SIGKILL') a.diesAt = this.clock + 1;
        if (a.term && !a.stopped && a.diesAt === null) a.diesAt = this.clock + 10;
      },
      now: () => this.clock,
      sleep: async (ms) => {
        this.clock += ms;
        for (const [pid, a] of this.alive) {
          if (a.term && !a.stopped && a.diesAt === null) a.diesAt = this.clock + 10;
          if (a.diesAt !== null && a.diesAt <= this.clock) this.alive.delete(pid);
        }
      },
    };
  }
}

const guard: GuardContext = { selfPid: 999_999, lineage: new Set([999_999]), pgid: null, sid: null, uid: 0 };
const backendOf = (snap: Snapshot, table: Table): Backend => ({ ...fakeContext([]).backend, snapshot: async () => snap, signalOps: () => table.ops() });
const finding = (p: ProcessInfo, flags: Finding['flags'] = []): Finding => ({ proc: p, signature: 'ffmpeg', role: 'process', flags, reasons: flags.includes('kept') ? { kept: 'matches --keep' } : {}, pidfile: null });

/** Three trees: 100 exits on TERM, 200 needs KILL, 300 holds a kept child 301 (spared). */
function world(): { snap: Snapshot; plan: Plan; table: Table } {
  const procs = [proc(100), proc(200), proc(300), proc(301, { ppid: 300 })];
  const snap = snapshotOf(procs);
  const findings = procs.map((p) => finding(p, p.pid === 301 ? ['kept'] : ['orphan']));
  const plan = planGroups(snap, findings, [100, 200, 300], { treeOnly: true, guard });
  return { snap, plan, table: new Table(procs, new Set([200])) };
}

test('executePlan: the plan\'s targets are ended, its skipped entries spared, the report has every outcome', async () => {
  const { snap, plan, table } = world();
  const phases: Phase[] = [];
  const progress: number[] = [];
  const { report, run, auditFailed } = await executePlan(plan, {
    backend: backendOf(snap, table), ops: table.ops(), snapshot: snap, guard, graceMs: 1000,
    onPhase: (p) => phases.push(p),
    onProgress: (r) => progress.push(r.pid),
  });
  const outcome = new Map(report.targets.map((t) => [t.pid, t.outcome]));
  assert.deepEqual(Object.fromEntries(outcome), { 100: 'terminated', 200: 'killed', 300: 'terminated', 301: 'skipped' });
  assert.ok(table.has(301), 'the kept child under a target is left running');
  assert.ok(!table.sent.some((s) => s.startsWith('301 ')), 'and never signalled');
  assert.deepEqual(phases, ['freeze', 'terminate', 'wait', 'kill', 'verify']);
  assert.deepEqual(progress.sort(), [100, 200, 300, 301]);
  assert.equal(report.summary.killed, 1);
  assert.equal(report.summary.leftRunning, 1, 'the kept process is left running, and said so');
  assert.equal(report.dryRun, false);
  assert.equal(auditFailed, null);
  assert.equal(run.durationMs, table.clock);
  assert.ok(table.clock >= 1000 && table.clock < 2000, `one grace period on the fake clock (${table.clock} ms)`);
});

test('executePlan: `only` leaves a target out; the engine never touches it', async () => {
  const { snap, plan, table } = world();
  const { report } = await executePlan(plan, { backend: backendOf(snap, table), ops: table.ops(), snapshot: snap, guard, graceMs: 100, only: (t) => t.pid !== 200 });
  assert.ok(table.has(200));
  assert.ok(!table.sent.some((s) => s.startsWith('200 ')));
  assert.equal(report.targets.find((t) => t.pid === 200)!.outcome, 'failed', 'a planned target the engine did not run is reported, never silently dropped');
});

test('the records of the processes that ended are removed; one left running keeps its record', async () => {
  const tmp = tempDir();
  try {
    const { snap, plan, table } = world();
    writeFileSync(join(tmp.dir, 'a_ffmpeg.pid'), '100\n');
    writeFileSync(join(tmp.dir, 'b_ffmpeg.pid'), '200\n');
    const entries = await readPidfiles(fakeContext([tmp.dir]), snap, { pidMax: 32768 });
    assert.deepEqual(entries.map((e) => e.status), ['live', 'live']);
    // 200 is asked to be left out: it lives on, so its record stays.
    const { report } = await executePlan(plan, { backend: backendOf(snap, table), ops: table.ops(), snapshot: snap, guard, graceMs: 100, records: entries, only: (t) => t.pid !== 200 });
    assert.deepEqual(report.pidfilesRemoved, [join(tmp.dir, 'a_ffmpeg.pid')]);
    assert.equal(existsSync(join(tmp.dir, 'a_ffmpeg.pid')), false);
    assert.equal(existsSync(join(tmp.dir, 'b_ffmpeg.pid')), true);
  } finally {
    tmp.done();
  }
});

test('executeTargets (pidfiles clean --kill): spare is honoured, records of ended processes go', async () => {
  const tmp = tempDir();
  try {
    const { snap, table } = world();
    writeFileSync(join(tmp.dir, 'c_ffmpeg.pid'), '300\n');
    const entries = await readPidfiles(fakeContext([tmp.dir]), snap, { pidMax: 32768 });
    const { run, removed } = await executeTargets([{ pid: 300, startTicks: snap.processes.get(300)!.startTicks }], [{ pid: 301, startTicks: null, reason: 'kept: matches --keep' }], {
      backend: backendOf(snap, table), ops: table.ops(), snapshot: snap, guard, graceMs: 100, records: entries,
    });
    assert.deepEqual(run.results.map((r) => [r.pid, r.outcome]), [[300, 'terminated'], [301, 'skipped']]);
    assert.ok(table.has(301));
    assert.deepEqual(removed, [join(tmp.dir, 'c_ffmpeg.pid')]);
  } finally {
    tmp.done();
  }
});

test('the audit log gets one record per target; a failed write is returned and the report stands', async () => {
  const tmp = tempDir();
  try {
    const { snap, plan, table } = world();
    const path = join(tmp.dir, 'audit.jsonl');
    const log = openAuditLog(path);
    const done = await executePlan(plan, { backend: backendOf(snap, table), ops: table.ops(), snapshot: snap, guard, graceMs: 100, audit: { log, command: 'sweep' } });
    assert.equal(done.auditFailed, null);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { pid: number; command: string; outcome: string });
    assert.deepEqual(lines.map((l) => [l.pid, l.command, l.outcome]), done.report.targets.map((t) => [t.pid, 'sweep', t.outcome]));

    // A log that cannot be written (here a read-only descriptor, as a full disk fails a write).
    const again = world();
    const fd = openSync(path, 'r');
    const broken = { path, fd, failed: null };
    const failed = await executePlan(again.plan, { backend: backendOf(again.snap, again.table), ops: again.table.ops(), snapshot: again.snap, guard, graceMs: 100, audit: { log: broken, command: 'kill-tree' } });
    assert.equal(failed.auditFailed, 'EBADF');
    assert.equal(broken.failed, 'EBADF', 'the log carries its failure, for the exit code');
    assert.equal(failed.report.targets.length, 4, 'what was done is reported all the same');
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, lines.length, 'no partial line was left');
    assert.throws(() => closeSync(fd), /EBADF/, 'the log was closed after the attempt');
  } finally {
    tmp.done();
  }
});

test('a run that stops on an error mid-way is still reported and audited: one record per target, the error carried', async () => {
  const tmp = tempDir();
  try {
    const { snap, plan, table } = world();
    const path = join(tmp.dir, 'audit.jsonl');
    const log = openAuditLog(path);
    // A portable-like backend whose ps fails (EAGAIN) once the SIGCONTs are out, i.e. during the grace.
    const ops: EngineOps = { ...table.ops(), refresh: async () => {
      if (table.sent.some((x) => x.endsWith('SIGCONT'))) throw new Error('cannot read the process table with ps (EAGAIN)');
    } };
    const done = await executePlan(plan, { backend: backendOf(snap, table), ops, snapshot: snap, guard, graceMs: 100, audit: { log, command: 'sweep' } });
    assert.equal(done.auditFailed, null);
    assert.equal(done.report.error, 'cannot read the process table with ps (EAGAIN)');
    assert.equal(done.run.error, done.report.error);
    assert.equal(JSON.parse(JSON.stringify(done.report)).error, done.report.error, 'in the JSON report');
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { pid: number; outcome: string; reason: string; signals: string[] });
    assert.deepEqual(lines.map((l) => l.pid).sort(), [100, 200, 300, 301], 'one record per target');
    for (const l of lines.filter((x) => x.pid !== 301)) {
      assert.equal(l.outcome, 'failed');
      assert.deepEqual(l.signals, ['SIGSTOP', 'SIGTERM', 'SIGCONT']);
      assert.match(l.reason, /^not finished: the run stopped \(cannot read the process table with ps \(EAGAIN\)\); signals sent: SIGSTOP, SIGTERM, SIGCONT$/);
    }
    assert.equal(lines.find((l) => l.pid === 301)!.outcome, 'skipped', 'the kept child keeps its own outcome');
    assert.ok(!table.sent.some((x) => x.startsWith('301 ')), 'the kept child was never signalled');
    assert.equal(done.report.summary.failed, 3);
  } finally {
    tmp.done();
  }
});

test('library sweep(): an engine that throws (fixture /proc cannot be signalled) leaves no audit-log descriptor open', async () => {
  const { sweep } = await import('../../src/core/act/sweep.js');
  const { mkdtempSync, readdirSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'psw-auditfd-'));
  const procRoot = join(import.meta.dirname, '..', 'fixtures', 'proc-basic');
  try {
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (let i = 0; i < 3; i++) {
      await assert.rejects(sweep({ procRoot, targets: ['all'], log: join(dir, 'audit.log'), lockFile: join(dir, 'sweep.lock'), graceMs: 10 }));
    }
    assert.equal(fds(), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('executePlan: a target `only` leaves out is not taken back in as a member of another target\'s tree', async () => {
  // watch --sweep gave up on 501 (EPERM, say); its wrapper 500 is a target again on a later tick.
  const procs = [proc(500), proc(501, { ppid: 500 }), proc(502, { ppid: 501 })];
  const snap = snapshotOf(procs);
  const plan = planGroups(snap, procs.map((p) => finding(p, ['orphan'])), [500], { treeOnly: true, guard });
  assert.deepEqual(planTargets(plan).map((t) => t.pid).sort(), [500, 501, 502]);
  const table = new Table(procs);
  const { run } = await executePlan(plan, { backend: backendOf(snap, table), ops: table.ops(), snapshot: snap, guard, graceMs: 100, only: (t) => t.pid !== 501 });
  assert.ok(!table.sent.some((s) => s.startsWith('501 ')), `given-up 501 untouched: ${table.sent.join(', ')}`);
  assert.ok(table.has(501) && !table.has(500) && !table.has(502), 'the targets not given up (502 is one in its own right) are ended');
  assert.equal(run.results.find((r) => r.pid === 501)?.outcome ?? 'skipped', 'skipped');
});

test('a library Backend written before exactUid() and check() existed still type-checks and reads owners as unknown', async () => {
  const { withExactUids } = await import('../../src/core/read/exact-uids.js');
  const snap = snapshotOf([proc(700, { uid: null })]);
  const table = new Table([]);
  // No exactUid, no check: the members this round added are optional.
  const legacy: Backend = { name: 'procfs', snapshot: async () => snap, probe: async () => null, fdCount: () => null, exe: () => null, signalOps: () => table.ops() };
  assert.equal(withExactUids(legacy, snap, [700]).processes.get(700)!.uid, null);
});
