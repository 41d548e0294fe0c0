import type { ProcessInfo, Snapshot } from '../../src/core/types.js';

/** Scan time of hand-built snapshots: start times are relative to it. */
export const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A process for hand-built snapshots; started 10 minutes before NOW unless `ageMs` says otherwise. */
export function proc(pid: number, ppid: number, argv: string[], over: Partial<ProcessInfo> & { ageMs?: number } = {}): ProcessInfo {
  const { ageMs = 600_000, ...rest } = over;
  const comm = (argv[0] ?? '').split('/').pop()!.slice(0, 15);
  return {
    pid, ppid, pgid: pid, sid: pid, uid: 0, state: 'S', comm, argv,
    startTicks: 1000 + pid, startedAt: NOW - ageMs, cpuTicks: 0, threads: 1, rssBytes: 1 << 20, kernelThread: false,
    ...rest,
  };
}

/** A snapshot of the given processes, procsweep being `selfPid`. */
export function snap(procs: ProcessInfo[], selfPid = 99_999): Snapshot {
  return { scannedAt: NOW, backend: 'procfs', processes: new Map(procs.map((p) => [p.pid, p])), clockTicks: 100, bootTime: NOW - 86_400_000, selfPid };
}
