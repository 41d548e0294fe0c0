import type { ProcessIdentity, ProcessInfo } from '../types.js';

/** What a CPU sample reads: one process's counters (null when gone), a monotonic clock, a sleep. */
export interface SamplePorts {
  read(pid: number): Promise<Pick<ProcessInfo, 'startTicks' | 'cpuTicks'> | null>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * Recent CPU use of each target, in percent of one CPU (like `top`; `ps -o pcpu` is the lifetime
 * average): its user+system clock ticks read twice, `intervalMs` apart, over the time between the
 * two reads of that process. Null where it cannot be told: gone or replaced meanwhile, or counters
 * unknown (the portable backend). Only the targets are read, never the whole table; each by
 * identity: a reused pid (another start time) is never measured.
 */
export async function sampleCpu(targets: readonly ProcessIdentity[], intervalMs: number, clockTicks: number, ports: SamplePorts): Promise<Map<number, number | null>> {
  if (targets.length === 0) return new Map();
  const first = new Map<number, { at: number; ticks: number | null }>();
  for (const t of targets) {
    const p = await ports.read(t.pid);
    first.set(t.pid, { at: ports.now(), ticks: p && same(p.startTicks, t.startTicks) ? p.cpuTicks : null });
  }
  await ports.sleep(intervalMs);
  const out = new Map<number, number | null>();
  for (const t of targets) {
    const a = first.get(t.pid)!;
    const p = await ports.read(t.pid);
    const at = ports.now();
    if (a.ticks === null || !p || !same(p.startTicks, t.startTicks) || p.cpuTicks === null || at <= a.at) {
      out.set(t.pid, null);
      continue;
    }
    const cpuMs = ((p.cpuTicks - a.ticks) / clockTicks) * 1000;
    out.set(t.pid, Math.max(0, Math.round((cpuMs / (at - a.at)) * 1000) / 10));
  }
  return out;
}

/** The same process: known start times that agree (unknown is never "same"). */
function same(a: number | null, b: number | null): boolean {
  return a !== null && b !== null && a === b;
}
