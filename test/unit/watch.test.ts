import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify } from '../../src/core/decide/classify.js';
import { parseFileNr, parseNofileLimit } from '../../src/core/read/procfs/limits.js';
import { Ring, SlotSeries } from '../../src/core/watch/ring.js';
import { BUILTIN_SIGNATURES } from '../../src/core/decide/signatures.js';
import type { ProcessInfo, Snapshot } from '../../src/core/types.js';
import { defaultRules, type AlarmRules } from '../../src/core/watch/alarms.js';
import type { UnstampedEvent } from '../../src/core/watch/events.js';
import { Watcher, type Observation } from '../../src/core/watch/watcher.js';

const T0 = 1_800_000_000_000;
const SELF = 999_999;

/** A process with sensible defaults; `start` is its identity's start time. */
function proc(pid: number, ppid: number, argv: string[], over: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    pid, ppid, pgid: over.sid ?? pid, sid: pid, uid: 0, state: 'S', comm: (argv[0] ?? '').split('/').pop()!.slice(0, 15), argv,
    startTicks: pid * 10, startedAt: T0 - 60_000, cpuTicks: 0, threads: 1, rssBytes: 10 << 20, kernelThread: false, ...over,
  };
}

const INIT = proc(1, 0, ['/sbin/init'], { comm: 'systemd' });
const SUP = proc(100, 1, ['node', 'server.js']);
const ff = (pid: number, ppid: number, over: Partial<ProcessInfo> = {}): ProcessInfo =>
  proc(pid, ppid, ['ffmpeg', '-i', `rtsp://cam${pid}/main`, '-f', 'null', '-'], { sid: 100, ...over });

function observation(at: number, procs: ProcessInfo[], extra: Partial<Observation> = {}): Observation {
  const snapshot: Snapshot = { scannedAt: at, backend: 'procfs', processes: new Map(procs.map((p) => [p.pid, p])), clockTicks: 100, bootTime: T0 - 3_600_000, selfPid: SELF };
  return { at, snapshot, findings: classify(snapshot, { signatures: BUILTIN_SIGNATURES }), ...extra };
}

/** Drives a watcher tick by tick. */
class Driver {
  readonly w: Watcher;
  at = T0;
  constructor(rules: Partial<AlarmRules> = {}, readonly interval = 1000) {
    this.w = new Watcher(defaultRules(interval, rules), ['ffmpeg', 'srt-live-transmit']);
  }
  step(procs: ProcessInfo[], extra: Partial<Observation> = {}): UnstampedEvent[] {
    this.w.begin();
    const evs = this.w.observe(observation(this.at, procs, extra));
    this.at += this.interval;
    return evs;
  }
}

const names = (evs: UnstampedEvent[]): string[] => evs.map((e) => (e.event === 'alarm' ? `alarm:${e.state}:${e.alarm.kind}` : `${e.event}:${'pid' in e ? e.pid : ''}`));

test('ring keeps the last N values in order; slot series judges steady rises', () => {
  const r = new Ring(3);
  for (const v of [1, 2, 3, 4, 5]) r.push(v);
  assert.deepEqual(r.values(), [3, 4, 5]);
  assert.equal(r.last(), 5);

  const s = new SlotSeries(4, 1000);
  for (let i = 0; i < 4; i++) s.push(i * 1000, 10 + i);
  let v = s.verdict(3500);
  assert.deepEqual([v.covered, v.fell, v.rise, v.risingSlots], [true, false, 3, 3]);
  s.push(3600, 12); // a dip inside the newest slot
  v = s.verdict(3700);
  assert.equal(v.fell, true);
  // Older slots roll out: after four more rising slots the dip is forgotten.
  for (let i = 4; i < 8; i++) s.push(i * 1000, 20 + i);
  v = s.verdict(7500);
  assert.deepEqual([v.covered, v.fell], [true, false]);
  // A long gap means the window is not covered.
  assert.equal(s.verdict(60_000).covered, false);
});

test('/proc/sys/fs/file-nr and /proc/PID/limits parse', () => {
  assert.deepEqual(parseFileNr('9344\t0\t2466170\n'), { open: 9344, max: 2466170 });
  assert.equal(parseFileNr('garbage'), null);
  const limits = 'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 524288               files     \n';
  assert.equal(parseNofileLimit(limits), 1024);
  assert.equal(parseNofileLimit(limits.replace('1024 ', 'unlimited')), Infinity);
  assert.equal(parseNofileLimit('Max cpu time unlimited unlimited seconds\n'), null);
});

test('the first tick is a baseline; then start, orphaning, exit are events by identity', () => {
  const d = new Driver();
  assert.deepEqual(d.step([INIT, SUP, ff(101, 100)]), []);
  assert.deepEqual(d.w.counts().ffmpeg.total, 1);
  assert.deepEqual(names(d.step([INIT, SUP, ff(101, 100), ff(102, 100)])), ['started:102']);
  // The supervisor dies: both workers are reparented to PID 1 (session leader 100 gone).
  const evs = d.step([INIT, ff(101, 1), ff(102, 1)]);
  assert.deepEqual(names(evs), ['orphaned:101', 'orphaned:102']);
  assert.match((evs[0] as { reason: string }).reason, /parent is PID 1.*session leader 100 is gone/);
  assert.equal(d.w.counts().ffmpeg.orphan, 2);
  // 101 exits; 102's pid is reused by another ffmpeg (new start time): exit + start.
  const reused = ff(102, 1, { startTicks: 99_999 });
  assert.deepEqual(names(d.step([INIT, reused])), ['started:102', 'orphaned:102', 'exited:101', 'exited:102']);
  assert.equal(d.w.totals.events.exited, 2);
});

test('zombie then reaped; a zombie keeps its signature and argv even when the scan stops matching it', () => {
  const d = new Driver({ zombieTicks: 2 });
  const parent = proc(300, 100, ['sleep', '60'], { sid: 100 });
  d.step([INIT, SUP, parent, ff(301, 300)]);
  const z = ff(301, 300, { state: 'Z', argv: [], comm: 'ffmpeg' });
  const evs = d.step([INIT, SUP, parent, z]);
  assert.deepEqual(names(evs), ['zombie:301']);
  const ze = evs[0] as { argv: string[]; reason: string; signature: string };
  assert.deepEqual(ze.argv.slice(0, 3), ['ffmpeg', '-i', 'rtsp://cam301/main'], 'last known argv is kept');
  assert.match(ze.reason, /parent 300 \(sleep\) has not called wait\(\)/);
  // With a filter that no longer matches the zombie (e.g. --args over an empty cmdline), it is still followed.
  const filtered = (): UnstampedEvent[] => {
    d.w.begin();
    const obs = observation(d.at, [INIT, SUP, parent, z]);
    d.at += 1000;
    return d.w.observe({ ...obs, findings: obs.findings.filter((f) => f.proc.pid !== 301) });
  };
  assert.deepEqual(names(filtered()), []);
  assert.equal(d.w.counts().ffmpeg.zombie, 1);
  assert.deepEqual(names(filtered()), ['alarm:raised:zombie']);
  const alarm = d.w.alarms()[0];
  assert.equal(alarm.id, 'zombie:300');
  assert.match(alarm.reason, /1 ffmpeg zombie unreaped for 2s \(over 2 intervals\): parent PID 300 does not wait\(\)/);
  // The parent dies, init reaps the zombie.
  assert.deepEqual(names(d.step([INIT, SUP])), ['reaped:301', 'alarm:cleared:zombie']);
});

test('a process that execs something else no longer matches: exited with the new command', () => {
  const d = new Driver();
  d.step([INIT, SUP]);
  const w = proc(400, 100, ['sh', '-c', 'ffmpeg -i x -f null - & exec sleep 60'], { sid: 100 });
  assert.deepEqual(names(d.step([INIT, SUP, w])), ['started:400']);
  const evs = d.step([INIT, SUP, { ...w, argv: ['sleep', '60'], comm: 'sleep' }]);
  assert.deepEqual(names(evs), ['exited:400']);
  assert.match((evs[0] as { reason: string }).reason, /no longer matches a signature: it now runs sleep 60/);
});

test('--expect alarms above the count and clears at or below it', () => {
  const d = new Driver({ expect: new Map([['ffmpeg', 2]]) });
  d.step([INIT, SUP, ff(101, 100), ff(102, 100)]);
  const evs = d.step([INIT, SUP, ff(101, 100), ff(102, 100), ff(103, 100)]);
  assert.deepEqual(names(evs), ['started:103', 'alarm:raised:expect']);
  const a = d.w.alarms()[0];
  assert.equal(a.severity, 'critical');
  assert.match(a.reason, /ffmpeg: 3 processes running, 1 more than the 2 expected \(--expect ffmpeg=2\)/);
  assert.deepEqual(names(d.step([INIT, SUP, ff(101, 100), ff(102, 100)])), ['exited:103', 'alarm:cleared:expect']);
});

test('a count rising steadily over the window alarms; one that falls back does not', () => {
  const rising = new Driver({ windowMs: 10_000 });
  const procs = [INIT, SUP];
  let raised: UnstampedEvent | undefined;
  for (let i = 0; i < 14 && !raised; i++) {
    procs.push(ff(200 + i, 100));
    raised = rising.step([...procs]).find((e) => e.event === 'alarm');
  }
  assert.ok(raised, 'rising count alarms');
  assert.match((raised as { alarm: { reason: string } }).alarm.reason, /ffmpeg: count rose from \d+ to \d+ over 10s and never fell back/);

  const flapping = new Driver({ windowMs: 10_000 });
  for (let i = 0; i < 30; i++) {
    // A restart loop: the count goes up and drops back.
    const n = 2 + (i % 3);
    const evs = flapping.step([INIT, SUP, ...Array.from({ length: n }, (_, k) => ff(300 + k, 100))]);
    assert.ok(!evs.some((e) => e.event === 'alarm'), `tick ${i}: no alarm while the count falls back`);
  }
  const flat = new Driver({ windowMs: 10_000 });
  for (let i = 0; i < 30; i++) assert.ok(!flat.step([INIT, SUP, ff(101, 100)]).some((e) => e.event === 'alarm'));
});

test('a rise, once raised, is not cleared while it holds: only when the count (or the leak) falls back', () => {
  // A burst of leaked workers, then they stay. The window slides past the burst, so judged by the
  // window alone the alarm cleared while all of them still ran (#15 item 10).
  const d = new Driver({ windowMs: 10_000 });
  const procs = [INIT, SUP];
  const alarms: string[] = [];
  for (let i = 0; i < 60; i++) {
    if (i < 8) procs.push(ff(200 + i, 100));
    for (const e of d.step([...procs])) if (e.event === 'alarm') alarms.push(`${i}:${e.state}`);
  }
  assert.equal(alarms.length, 1, alarms.join());
  assert.match(alarms[0], /:raised$/);
  const held = d.w.alarms().find((a) => a.kind === 'rising')!;
  assert.match(held.reason, /^ffmpeg: count rose from \d+ to 8 and has not fallen back: workers are started without the old ones exiting$/);
  // Some exit, but the excess is still there: held. Back to where it began: cleared.
  assert.ok(!d.step(procs.slice(0, -2)).some((e) => e.event === 'alarm'));
  assert.deepEqual(names(d.step([INIT, SUP])), [...procs.slice(2).map((p) => `exited:${p.pid}`).slice(0, 6), 'alarm:cleared:rising']);

  // The same for a leak: fds that grew, then hold, keep their alarm until they are closed.
  const f = new Driver({ windowMs: 10_000 });
  const fds = (i: number): Map<number, number> => new Map([[101, 10 + Math.min(i, 15)]]);
  const seen: string[] = [];
  for (let i = 0; i < 60; i++) for (const e of f.step([INIT, SUP, ff(101, 100)], { fds: fds(i) })) if (e.event === 'alarm') seen.push(`${i}:${e.state}:${e.alarm.kind}`);
  assert.equal(seen.length, 1, seen.join());
  assert.match(f.w.alarms()[0].reason, /^PID 101 \(ffmpeg\): open fds grew from \d+ to 25 and have not fallen back: a descriptor leak$/);
  assert.deepEqual(names(f.step([INIT, SUP, ff(101, 100)], { fds: new Map([[101, 11]]) })), ['alarm:cleared:growth']);
});

test('a process whose threads keep growing (seed 002) alarms; steady ones do not', () => {
  const d = new Driver({ windowMs: 10_000 });
  let alarm: UnstampedEvent | undefined;
  for (let i = 0; i < 20 && !alarm; i++) {
    alarm = d.step([INIT, SUP, ff(101, 100, { threads: 4 + i }), ff(102, 100, { threads: 8 })]).find((e) => e.event === 'alarm');
  }
  assert.ok(alarm && alarm.event === 'alarm');
  assert.equal(alarm.alarm.kind, 'growth');
  assert.equal(alarm.alarm.pid, 101);
  assert.match(alarm.alarm.reason, /PID 101 \(ffmpeg\): threads grew from \d+ to \d+ over 10s and never fell: a thread leak/);
});

test('fd growth, fd limit and system file handles alarm', () => {
  const d = new Driver({ windowMs: 5000 });
  const seen = new Set<string>();
  for (let i = 0; i < 12; i++) {
    const evs = d.step([INIT, SUP, ff(101, 100)], {
      fds: new Map([[101, 10 + i * 2]]),
      fdLimits: new Map([[101, 40]]),
      files: { open: 900 + i * 10, max: 1000 },
    });
    for (const e of evs) if (e.event === 'alarm' && e.state === 'raised') seen.add(e.alarm.id);
  }
  assert.ok(seen.has('growth:101@1010:fds'), [...seen].join());
  assert.ok(seen.has('fd-limit:101@1010'));
  assert.ok(seen.has('system-fds'));
  const fdLimit = d.w.alarms().find((a) => a.kind === 'fd-limit')!;
  assert.match(fdLimit.reason, /PID 101 \(ffmpeg\): 32 open fds of its limit 40 \(RLIMIT_NOFILE, 80%\)/);
  assert.match(d.w.alarms().find((a) => a.kind === 'system-fds')!.reason, /system file handles: 1010 of fs.file-max 1000/);
});

test('descriptor alarms name the worker\'s ports, read only for the alarmed worker', () => {
  const d = new Driver({ windowMs: 5000 });
  const asked = new Set<number>();
  const portsOf = (pid: number): string | null => {
    asked.add(pid);
    return pid === 101 ? 'udp:6000 tcp:8554*' : null;
  };
  for (let i = 0; i < 12; i++) {
    d.step([INIT, SUP, ff(101, 100), ff(102, 100)], { fds: new Map([[101, 10 + i * 2], [102, 5]]), fdLimits: new Map([[101, 40], [102, 40]]), portsOf });
  }
  const growth = d.w.alarms().find((a) => a.kind === 'growth' && a.pid === 101)!;
  assert.match(growth.reason, /^PID 101 \(ffmpeg\), holding udp:6000 tcp:8554\*: open fds grew from \d+ to \d+/);
  assert.match(d.w.alarms().find((a) => a.kind === 'fd-limit')!.reason, /^PID 101 \(ffmpeg\), holding udp:6000 tcp:8554\*: \d+ open fds of its limit 40/);
  assert.deepEqual([...asked], [101], 'the steady worker is never read');
});

test('swept processes are not reported again when they vanish; kills are counted by outcome', () => {
  const d = new Driver();
  d.step([INIT, ff(101, 1), ff(102, 1)]);
  d.w.record([
    { event: 'swept', pid: 101, startTicks: 1010, ppid: 1, argv: [], signature: 'ffmpeg', outcome: 'terminated', reason: 'died on SIGTERM', signals: ['SIGTERM'] },
    { event: 'swept', pid: 102, startTicks: 1020, ppid: 1, argv: [], signature: 'ffmpeg', outcome: 'survived', reason: 'D state', signals: ['SIGTERM', 'SIGKILL'] },
  ]);
  assert.deepEqual(names(d.step([INIT])), ['exited:102']);
  assert.equal(d.w.totals.kills.terminated, 1);
  assert.equal(d.w.totals.kills.survived, 1);
  assert.equal(d.w.totals.events.swept, 2);
});

test('memory is bounded: history rings stay at their size and exited processes are forgotten', () => {
  const d = new Driver({ historySize: 10 });
  for (let i = 0; i < 500; i++) d.step([INIT, SUP, ff(1000 + i, 100, { startTicks: i })]);
  assert.equal(d.w.history().get('ffmpeg')!.total.length, 10);
  assert.equal(d.w.processes().length, 1);
});

test('classification sees only what it needs: candidates, followed pids, their ancestors and session leaders', async () => {
  const { relevantSubset } = await import('../../src/core/watch/loop.js');
  const shell = proc(50, 1, ['bash'], { sid: 50 });
  const self = proc(SELF, 50, ['node', 'procsweep', 'watch'], { sid: 50 });
  const idle = proc(70, 1, ['sleep', '600'], { sid: 70 });
  const leader = proc(90, 1, ['tmux'], { sid: 90 });
  const worker = ff(101, 100, { sid: 90 });
  const followed = proc(300, 1, ['sleep', '60'], { sid: 300 });
  const snap = observation(T0, [INIT, SUP, shell, self, idle, leader, worker, followed]).snapshot;
  const isCandidate = (p: ProcessInfo): boolean => p.argv[0] === 'ffmpeg';
  const sub = relevantSubset(snap, isCandidate, new Set([300]));
  assert.deepEqual([...sub.processes.keys()].sort((a, b) => a - b), [1, 50, 90, 100, 101, 300, SELF]);
  assert.equal(sub.processes.get(101), worker, 'the same objects, not copies');
});

test('alarms are a table: every kind has a rule, every rule a known kind, and the man page names each kind', async () => {
  const { ALARM_RULES } = await import('../../src/core/watch/alarm-rules.js');
  const { ALARM_KINDS } = await import('../../src/core/watch/alarms.js');
  const { readFileSync } = await import('node:fs');
  assert.deepEqual([...new Set(ALARM_RULES.map((r) => r.kind))].sort(), [...ALARM_KINDS].sort());
  const man = readFileSync(new URL('../../man/procsweep.1', import.meta.url), 'utf8').replace(/\\-/g, '-');
  for (const k of ALARM_KINDS) assert.ok(man.includes(`"${k}"`), `the man page's alarm JSON lists "${k}"`);
  for (const r of ALARM_RULES) assert.ok(r.severity === 'warning' || r.severity === 'critical');
});
