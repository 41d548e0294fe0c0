import { classify } from '../../src/core/decide/classify.js';
import { BUILTIN_SIGNATURES } from '../../src/core/decide/signatures.js';
import type { ProcessInfo, Snapshot } from '../../src/core/types.js';
import type { WatchTick } from '../../src/core/watch/loop.js';
import { defaultThresholds } from '../../src/core/watch/alarms.js';
import { Watcher } from '../../src/core/watch/watcher.js';

/** A process with defaults for metric and dashboard tests. */
export function proc(pid: number, ppid: number, argv: string[], over: Partial<ProcessInfo> = {}): ProcessInfo {
  return { pid, ppid, pgid: pid, sid: 100, uid: 0, state: 'S', comm: argv[0]?.slice(0, 15) ?? '', argv, startTicks: pid, startedAt: 1_800_000_000_000 - pid * 1000, cpuTicks: 0, threads: 1, rssBytes: 1 << 20, kernelThread: false, ...over };
}

/** A tick after one scan of a small table: one orphan, one zombie, one supervised worker (or of `workers` beside init and a supervisor). */
export function sampleTick(workers?: ProcessInfo[]): WatchTick {
  const w = new Watcher(defaultThresholds(1000, { expect: new Map([['ffmpeg', 1]]) }), ['ffmpeg', 'srt-live-transmit']);
  const procs = [
    proc(1, 0, ['/sbin/init'], { comm: 'systemd', sid: 1 }),
    proc(100, 1, ['node', 'server.js'], { sid: 100 }),
    ...(workers ?? [
      proc(101, 100, ['ffmpeg', '-i', 'a', '-f', 'null', '-']),
      proc(102, 1, ['ffmpeg', '-i', 'b', '-f', 'null', '-']),
      proc(103, 100, [], { comm: 'ffmpeg', state: 'Z' }),
    ]),
  ];
  const snapshot: Snapshot = { scannedAt: 1_800_000_000_000, backend: 'procfs', processes: new Map(procs.map((p) => [p.pid, p])), clockTicks: 100, bootTime: 0, selfPid: 9999 };
  w.begin();
  const events = w.observe({ at: snapshot.scannedAt, snapshot, findings: classify(snapshot, { signatures: BUILTIN_SIGNATURES }), files: { open: 500, max: 100000 } });
  w.record([{ event: 'swept', pid: 102, startTicks: 102, ppid: 1, argv: [], signature: 'ffmpeg', outcome: 'killed', reason: 'needed SIGKILL', signals: ['SIGTERM', 'SIGKILL'] }]);
  const signatures = w.counts();
  return {
    tick: 1, at: snapshot.scannedAt, scanMs: 3.4, error: null, warnings: [], scanned: procs.length,
    counts: { matched: 3, orphan: 1, zombie: 1, duplicate: 0, detached: 0, wrappers: 0 }, signatures, files: w.systemFiles,
    events: events.map((e) => ({ ...e, tick: 1, at: snapshot.scannedAt })), alarms: w.alarms(), totals: structuredClone(w.totals), result: null, records: null, pidfiles: null,
    processes: () => w.processes(), history: () => w.history(),
  };
}

