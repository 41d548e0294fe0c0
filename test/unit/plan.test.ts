import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditLines } from '../../src/core/act/audit-log.js';
import { buildExecutionReport, executionExitCode } from '../../src/core/act/execution-report.js';
import { classify } from '../../src/core/decide/classify.js';
import { UsageError } from '../../src/core/errors.js';
import { guardContext } from '../../src/core/decide/guard.js';
import { checkPlanSize, parseSweepTargets, planGroups, planSweep, planTargets, toSignal } from '../../src/core/decide/plan.js';
import { BUILTIN_SIGNATURES, matchProcess } from '../../src/core/decide/signatures.js';
import { parseSignal } from '../../src/core/act/terminate.js';
import { palette } from '../../src/render/palette.js';
import { renderPlan, renderReport } from '../../src/render/plan.js';
import { proc, snap } from '../helpers/snapshot.js';

const loop = (cam: string): string[] => ['sh', '-c', `while true; do ffmpeg -i rtsp://${cam}/main -f null -; sleep 2; done`];
const ff = (cam: string): string[] => ['ffmpeg', '-i', `rtsp://${cam}/main`, '-f', 'null', '-'];

// A host after a supervisor crash: see each process's comment.
const world = snap([
  proc(1, 0, ['/sbin/init'], { comm: 'systemd' }),
  proc(300, 1, ['sshd: admin'], { sid: 300, pgid: 300 }),
  proc(400, 300, ['-bash'], { sid: 300, pgid: 400 }),
  proc(500, 400, ['node', 'procsweep', 'sweep'], { sid: 300, pgid: 500 }), // procsweep
  proc(1000, 1, loop('cam3'), { sid: 990, pgid: 1000 }), // orphaned restart loop
  proc(1001, 1000, ff('cam3'), { sid: 990, pgid: 1000 }),
  proc(1002, 1000, [], { comm: 'ffmpeg', state: 'Z', sid: 990, pgid: 1000 }), // exited child, not yet reaped
  proc(1100, 1, ff('cam4'), { sid: 1090, pgid: 1100 }), // orphaned ffmpeg with a grandchild
  proc(1101, 1100, ['sh', '-c', 'sleep 300'], { sid: 1090, pgid: 1100 }),
  proc(1102, 1101, ['sleep', '300'], { sid: 1090, pgid: 1100 }),
  proc(1200, 1, ['srt-live-transmit', 'udp://:4000', 'srt://:4001'], { sid: 1200, pgid: 1200 }), // detached daemon
  proc(1300, 1, ff('cam5'), { sid: 1290, pgid: 1300, ageMs: 30_000 }), // a young orphan
  proc(1500, 1, ff('cam6'), { sid: 300, pgid: 1500 }), // an orphan in procsweep's own session
  proc(2000, 1, ['node', 'supervisor.js'], { sid: 2000, pgid: 2000 }), // live supervisor
  proc(2001, 2000, loop('cam1'), { sid: 2000, pgid: 2000, ageMs: 7_200_000 }), // leaked older copy
  proc(2002, 2001, ff('cam1'), { sid: 2000, pgid: 2000, ageMs: 7_200_000 }),
  proc(2003, 2000, loop('cam1'), { sid: 2000, pgid: 2000, ageMs: 60_000 }), // current copy
  proc(2004, 2003, ff('cam1'), { sid: 2000, pgid: 2000, ageMs: 60_000 }),
  proc(2005, 2002, ['sh', '-c', 'exec logger'], { sid: 2005, pgid: 2005 }), // setsid'd helper of 2002
  proc(3000, 2000, [], { comm: 'ffmpeg', state: 'Z', sid: 2000, pgid: 2000 }), // zombie the supervisor never reaped
], 500);
const findings = classify(world, { signatures: BUILTIN_SIGNATURES, maxAgeMs: 3_600_000 });
const root = { ...guardContext(world, 0) };
const pids = (xs: { pid: number }[]): number[] => xs.map((x) => x.pid);

describe('planSweep', () => {
  test('orphans (default): each candidate with its tree, parents first; zombie children left out', () => {
    const plan = planSweep(world, findings, { targets: ['orphan'], guard: root });
    assert.deepEqual(pids(toSignal(plan)), [1000, 1001, 1100, 1101, 1102, 1300]);
    assert.deepEqual(plan.candidates, [1000, 1100, 1300]);
    const gc = plan.entries.find((e) => e.pid === 1102)!;
    assert.equal(gc.depth, 2);
    assert.equal(gc.candidate, 1100);
    assert.match(gc.reason, /child of 1101 \(sh\)/);
    assert.match(plan.entries.find((e) => e.pid === 1000)!.reason, /^orphan: parent is PID 1/);
  });

  test('the guard skips an orphan in procsweep\'s own session, with its reason', () => {
    const plan = planSweep(world, findings, { targets: ['orphan'], guard: root });
    const e = plan.entries.find((x) => x.pid === 1500)!;
    assert.equal(e.action, 'skip');
    assert.match(e.reason, /own session 300/);
    assert.ok(!plan.candidates.includes(1500));
  });

  test('matched zombies are reported, never signalled, naming the parent that must reap them', () => {
    const plan = planSweep(world, findings, { targets: ['orphan'], guard: root });
    const z = plan.entries.find((x) => x.pid === 3000)!;
    assert.equal(z.action, 'skip');
    assert.match(z.reason, /parent 2000 \(node\) has not called wait\(\)/);
    assert.ok(!plan.entries.some((x) => x.pid === 1002), 'a zombie child inside a tree is left to its reaper');
  });

  test('--older-than leaves younger candidates alone', () => {
    const plan = planSweep(world, findings, { targets: ['orphan'], olderThanMs: 120_000, guard: root });
    assert.ok(!plan.entries.some((e) => e.pid === 1300));
    assert.ok(plan.candidates.includes(1000));
  });

  test('duplicates: the older worker goes with its restart-loop wrapper, the newest copy stays', () => {
    const plan = planSweep(world, findings, { targets: parseSweepTargets(['duplicates']), guard: root });
    assert.deepEqual(pids(toSignal(plan)), [2001, 2002, 2005]);
    assert.deepEqual(plan.candidates, [2001]);
    assert.match(plan.entries[0].reason, /^duplicate: same command line/);
  });

  test('a worker under a wrapper brings the wrapper even when only the worker is flagged', () => {
    const onlyWorker = findings.map((f) => (f.proc.pid === 2001 ? { ...f, flags: [], reasons: {} } : f));
    const plan = planSweep(world, onlyWorker, { targets: ['duplicate'], guard: root });
    assert.deepEqual(plan.candidates, [2001]);
    assert.match(plan.entries[0].reason, /restart-loop wrapper of 2002 \(duplicate:/);
  });

  test('--args leaving the wrapper out: the wrapper still comes along, unless it also runs a worker the filter leaves out', () => {
    const narrowed = (args: RegExp, w = world) => classify(w, { signatures: BUILTIN_SIGNATURES, args, maxAgeMs: 300_000 });
    const unfiltered = (p: Parameters<typeof matchProcess>[1]) => matchProcess(BUILTIN_SIGNATURES, p);
    // The loop's script names the camera through a variable: only the worker holds 'cam3'.
    const hidden = snap([...world.processes.values()].map((p) => (p.pid === 1000 ? { ...p, argv: ['sh', '-c', 'while true; do ffmpeg -i "$URL" -f null -; sleep 2; done'] } : p.pid === 1001 ? { ...p, argv: ['ffmpeg', '-i', 'rtsp://cam3/main', '-f', 'null', '-'] } : p)), 500);
    // The worker is long-lived (10 minutes, over --max-age 5m); its wrapper matches no --args.
    const without = planSweep(hidden, narrowed(/cam3/, hidden), { targets: ['long-lived'], guard: root });
    assert.deepEqual(without.candidates, [1001], 'without the unfiltered matcher only the worker is planned');
    const plan = planSweep(hidden, narrowed(/cam3/, hidden), { targets: ['long-lived'], guard: root, unfiltered });
    assert.deepEqual(plan.candidates, [1000]);
    assert.deepEqual(pids(toSignal(plan)), [1000, 1001]);
    assert.match(plan.entries[0].reason, /restart-loop wrapper of 1001 \(long-lived:/);
    // The same loop also running a cam4 worker that --args leaves out: the wrapper stays, only cam3 goes.
    const shared = snap([...hidden.processes.values(), proc(1003, 1000, ff('cam4'), { sid: 990, pgid: 1000 })], 500);
    const kept = planSweep(shared, narrowed(/cam3/, shared), { targets: ['long-lived'], guard: root, unfiltered });
    assert.deepEqual(kept.candidates, [1001]);
    assert.deepEqual(pids(toSignal(kept)), [1001]);
    // A wrapper of another owner (root's loop running a worker as a media user) is not pulled in.
    const owned = snap([...hidden.processes.values()].map((p) => (p.pid === 1001 ? { ...p, uid: 1000 } : p)), 500);
    assert.deepEqual(planSweep(owned, narrowed(/cam3/, owned), { targets: ['long-lived'], guard: root, unfiltered }).candidates, [1001]);
  });

  test('all = every target; detached is never swept unless asked', () => {
    assert.deepEqual(parseSweepTargets(['all']).sort(), ['abandoned', 'detached', 'duplicate', 'long-lived', 'orphan', 'untracked']);
    assert.ok(!planSweep(world, findings, { targets: ['orphan'], guard: root }).entries.some((e) => e.pid === 1200));
    assert.ok(planSweep(world, findings, { targets: ['detached'], guard: root }).candidates.includes(1200));
    assert.throws(() => parseSweepTargets(['orphans', 'bogus']), (e: unknown) => e instanceof UsageError && /unknown target 'bogus'/.test(e.message));
  });

  test('only: the candidates left checked keep their trees, the rest go', () => {
    const plan = planSweep(world, findings, { targets: ['orphan'], guard: root, only: new Set([1100]) });
    assert.deepEqual(pids(toSignal(plan)), [1100, 1101, 1102]);
  });

  test('not root: other users\' processes are skipped', () => {
    const mine = snap([...world.processes.values()].map((p) => (p.pid === 1100 || p.pid === 1101 || p.pid === 1102 || p.pid === 500 || p.pid === 400 ? { ...p, uid: 1000 } : p)), 500);
    const plan = planSweep(mine, classify(mine, { signatures: BUILTIN_SIGNATURES }), { targets: ['orphan'], guard: guardContext(mine, 1000) });
    assert.deepEqual(pids(toSignal(plan)), [1100, 1101, 1102]);
    assert.match(plan.entries.find((e) => e.pid === 1000)!.reason, /belongs to uid 0, not to you/);
  });

  test('planTargets carries identities; --max refuses bigger plans', () => {
    const plan = planSweep(world, findings, { targets: ['orphan'], guard: root });
    assert.deepEqual(planTargets(plan)[0], { pid: 1000, startTicks: 2000 });
    assert.doesNotThrow(() => checkPlanSize(plan, 6));
    assert.throws(() => checkPlanSize(plan, 5), /would signal 6 processes, more than --max 5/);
  });
});

describe('planGroups', () => {
  test('the group of a PID plus every member\'s tree, including members that left the group', () => {
    const plan = planGroups(world, findings, [2002], { guard: root });
    assert.deepEqual(pids(toSignal(plan)), [2000, 2001, 2002, 2005, 2003, 2004]);
    assert.equal(plan.entries[0].reason, 'in process group 2000 of PID 2002');
    assert.match(plan.entries.find((e) => e.pid === 2005)!.reason, /child of 2002/);
  });

  test('--pgid reads the arguments as groups', () => {
    assert.deepEqual(pids(toSignal(planGroups(world, findings, [1100], { byPgid: true, guard: root }))), [1100, 1101, 1102]);
    assert.throws(() => planGroups(world, findings, [4242], { byPgid: true, guard: root }), /no process is in process group 4242/);
    assert.throws(() => planGroups(world, findings, [500], { byPgid: true, guard: root }), /procsweep's own group/);
    assert.throws(() => planGroups(world, findings, [1], { byPgid: true, guard: root }), /refusing process group 1/);
  });

  test('a PID that is not running or is protected is refused: nothing is planned', () => {
    const refused = (id: number, re: RegExp): void => {
      assert.throws(() => planGroups(world, findings, [1100, id], { guard: root }), (e: unknown) => e instanceof UsageError && re.test(e.message) && /Nothing was signalled/.test(e.message));
    };
    refused(4242, /no process 4242 is running/);
    refused(1, /PID 1 is the init/);
    refused(500, /procsweep itself/);
    refused(400, /ancestor of procsweep/);
    refused(1500, /own session/);
    // --pgid: a group whose every member is protected is refused the same way.
    assert.throws(() => planGroups(world, findings, [1100, 400], { byPgid: true, guard: root }), (e: unknown) => e instanceof UsageError && /refusing process group 400: every member is protected \(400: .*ancestor of procsweep/.test(e.message));
    assert.doesNotThrow(() => planGroups(world, findings, [1100], { byPgid: true, guard: root }));
  });
});

describe('reports', () => {
  const plan = planSweep(world, findings, { targets: ['orphan'], guard: root });

  test('a dry run reports planned and skipped entries, with the reasons', () => {
    const r = buildExecutionReport(plan, null);
    assert.equal(r.dryRun, true);
    assert.equal(r.summary.planned, 6);
    assert.equal(r.summary.skipped, 2);
    assert.deepEqual(Object.keys(r.targets[0]).slice(0, 8), ['pid', 'ppid', 'argv', 'signature', 'flags', 'outcome', 'reason', 'signals']);
    assert.equal(executionExitCode(r), 0);
  });

  test('results map onto the plan; late children join their candidate; survivors make exit 1', () => {
    const results = toSignal(plan).map((e) => ({ pid: e.pid, ppid: e.ppid, argv: e.argv, startTicks: e.startTicks, outcome: 'terminated' as const, reason: 'exited', signals: ['SIGSTOP', 'SIGTERM', 'SIGCONT'] }));
    results.push({ pid: 1103, ppid: 1101, argv: ['sleep', '1'], startTicks: 5, outcome: 'terminated', reason: 'late', signals: [] });
    const ok = buildExecutionReport(plan, { results, durationMs: 12 });
    assert.equal(ok.summary.terminated, 7);
    assert.equal(ok.targets.find((t) => t.pid === 1103)!.candidate, 1100);
    // The guard skipped 1500 (procsweep's own session): it still runs, so the run left something
    // (#14 reporting rule); the zombie note is not running and does not count.
    assert.equal(ok.summary.leftRunning, 1);
    assert.equal(executionExitCode(ok), 1);
    const noSkips = { ...plan, entries: plan.entries.filter((e) => e.action === 'signal' || e.state === 'Z') };
    assert.equal(executionExitCode(buildExecutionReport(noSkips, { results, durationMs: 12 })), 0);
    results[0] = { ...results[0], outcome: 'survived' as never };
    assert.equal(executionExitCode(buildExecutionReport(plan, { results, durationMs: 12 })), 1);
    const lines = auditLines(ok, 'sweep').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, ok.targets.length);
    assert.equal(lines[0].command, 'sweep');
    assert.match(lines[0].reasons.orphan, /parent is PID 1/);
  });

  test('rendered plan: trees, reasons, skips and the dry-run line', () => {
    const text = renderPlan(plan, null, palette(0), { dryRun: true, signal: 'SIGTERM', graceMs: 3000 });
    assert.match(text, /^1100 ffmpeg -i rtsp:\/\/cam4\/main -f null - \[orphan\]$/m);
    assert.match(text, /^└─ 1101 sh -c sleep 300$/m);
    assert.match(text, /^   └─ 1102 sleep 300$/m);
    assert.match(text, /skip 1500: .*own session/);
    assert.match(text, /Dry run: would signal 6 processes in 3 trees \(SIGSTOP, SIGTERM, SIGCONT; SIGKILL after 3s if still alive\)/);
    const report = renderReport(buildExecutionReport(plan, null), null, palette(0));
    assert.match(report, /^\s*PID\s+OUTCOME\s+SIGNALS\s+COMMAND/m);
    assert.match(report, /zombies cannot be killed/);
  });
});

test('parseSignal accepts names and numbers, refuses signals that do not end a process', () => {
  assert.equal(parseSignal('TERM'), 'SIGTERM');
  assert.equal(parseSignal('sigint'), 'SIGINT');
  assert.equal(parseSignal('9'), 'SIGKILL');
  assert.throws(() => parseSignal('STOP'), /does not end a process/);
  assert.throws(() => parseSignal('FOO'), /not a signal/);
});

test('without start times (portable backend) the plan signals nothing, as -y would not', () => {
  const portable = { ...snap([...world.processes.values()].map((p) => ({ ...p, startTicks: null })), 500), backend: 'portable' as const };
  const plan = planSweep(portable, classify(portable, { signatures: BUILTIN_SIGNATURES }), { targets: ['orphan'], guard: root });
  assert.equal(toSignal(plan).length, 0);
  assert.match(plan.entries[0].reason, /start time is unknown/);
});

test('parseStatIdentity reads state, ppid and start time like parseStat, whatever the comm holds', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { parseStat } = await import('../../src/core/read/procfs/parse.js');
  const { parseStatIdentity } = await import('../../src/core/read/backend/procfs-ops.js');
  const lines = ['4242 (a) b (c) S 17 4242 4242 0 -1 4194560 1 0 0 0 3 4 0 0 20 0 1 0 987654 1000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0'];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      lines.push(readFileSync(`/proc/${d}/stat`, 'latin1'));
    } catch {
      /* gone */
    }
  }
  for (const line of lines) {
    const want = parseStat(line)!;
    const buf = Buffer.from(line, 'latin1');
    assert.deepEqual(parseStatIdentity(buf, buf.length), { state: want.state, ppid: want.ppid, startTicks: want.startTicks }, line);
  }
  assert.equal(parseStatIdentity(Buffer.from('12 (x'), 5), null);
});

test('untracked needs records, all of them readable; all without records selects nothing', async () => {
  const { checkUntrackedTarget } = await import('../../src/core/decide/sweep-targets.js');
  const { EnvironmentError } = await import('../../src/core/errors.js');
  const clean = { entries: new Map(), sources: ['/run/r'], gaps: [] };
  const gappy = { entries: new Map(), sources: ['/run/r', '/run/reg.json'], gaps: ['/run/reg.json is invalid: registry does not parse as JSON'] };
  assert.doesNotThrow(() => checkUntrackedTarget(['orphan'], false, gappy), 'other targets do not care');
  assert.doesNotThrow(() => checkUntrackedTarget(['untracked'], true, clean));
  assert.doesNotThrow(() => checkUntrackedTarget(['orphan', 'untracked'], false, undefined), '--target all without records');
  assert.throws(() => checkUntrackedTarget(['untracked'], true, undefined), (e) => e instanceof UsageError && /--pid-dir DIR or --registry FILE/.test(e.message));
  assert.throws(() => checkUntrackedTarget(['orphan', 'untracked'], false, gappy), (e) => e instanceof EnvironmentError && /1 record could not be read.*reg\.json is invalid/.test(e.message));
});

test('on a terminal the dry-run line wraps at words within the width; in a pipe it stays one line', async () => {
  const { renderPlan } = await import('../../src/render/plan.js');
  const { planGroups } = await import('../../src/core/decide/plan.js');
  const { palette } = await import('../../src/render/palette.js');
  const procs = [{ pid: 4000, ppid: 1, pgid: 4000, sid: 4000, uid: 0, state: 'S', comm: 'ffmpeg', argv: ['ffmpeg', '-i', 'x', '-f', 'null', '-'], startTicks: 1, startedAt: 0, cpuTicks: 0, threads: 1, rssBytes: 1, kernelThread: false }];
  const snap = { scannedAt: 0, backend: 'procfs' as const, processes: new Map(procs.map((p) => [p.pid, p])), clockTicks: 100, bootTime: 0, selfPid: 999_999 };
  const guard = { selfPid: 999_999, lineage: new Set([999_999]), pgid: null, sid: null, uid: 0 };
  const plan = planGroups(snap, procs.map((p) => ({ proc: p, signature: 'ffmpeg', role: 'process' as const, flags: ['orphan' as const], reasons: {}, pidfile: null })), [4000], { treeOnly: true, guard });
  const piped = renderPlan(plan, null, palette(0), { dryRun: true, signal: 'SIGTERM', graceMs: 3000 }).split('\n');
  assert.ok(piped.some((l) => /^Dry run: would signal .*run again with -y to act\.$/.test(l)));
  const tty = renderPlan(plan, 60, palette(0), { dryRun: true, signal: 'SIGTERM', graceMs: 3000 }).split('\n');
  assert.ok(tty.every((l) => l.length <= 60), tty.join('\n'));
  assert.match(tty.join(' '), /Dry run: would signal 1 process in 1 tree \(SIGSTOP, SIGTERM, SIGCONT; SIGKILL after 3s if still alive\)\. Nothing was signalled; run again with -y to act\./);
});
