/**
 * Stand-in for the termination engine (`src/core/terminate.ts`, design.md section 5) until it
 * lands on main: the same contract, a minimal body (identity check, first signal, poll, SIGKILL,
 * verify). The supervisor imports `terminate` from here only; swapping in the engine is that one
 * import.
 */
import type { Backend } from '../backend/index.js';
import type { ProcessInfo, Snapshot } from '../types.js';

/** How one target ended. */
export type Outcome = 'terminated' | 'killed' | 'already-gone' | 'reused' | 'skipped' | 'survived' | 'failed';
/** A process to terminate, by identity; null start = unknown. */
export interface TerminateTarget { pid: number; startTicks: number | null; }
/** What happened to one target. */
export interface TargetResult { pid: number; ppid: number | null; argv: string[]; startTicks: number | null; outcome: Outcome; reason: string; signals: string[]; }
/** Options of one termination. */
export interface TerminateOptions { backend: Backend; graceMs?: number; signal?: NodeJS.Signals; tree?: boolean; onProgress?: (r: TargetResult) => void; snapshot?: Snapshot; }
/** Every target's result. */
export interface TerminateReport { results: TargetResult[]; durationMs: number; }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function descendants(snap: Snapshot, roots: Set<number>): Set<number> {
  const out = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of snap.processes.values()) {
      if (!out.has(p.pid) && out.has(p.ppid)) {
        out.add(p.pid);
        grew = true;
      }
    }
  }
  return out;
}

/** Sends `signal` (default SIGTERM) to each target and its descendants, waits `graceMs`, SIGKILLs survivors. */
export async function terminate(targets: TerminateTarget[], opts: TerminateOptions): Promise<TerminateReport> {
  const started = Date.now();
  const snap = opts.snapshot ?? (await opts.backend.snapshot());
  const want = new Map(targets.map((t) => [t.pid, t.startTicks] as const));
  const pids = opts.tree === false ? new Set(want.keys()) : descendants(snap, new Set(want.keys()));
  const same = (p: ProcessInfo | null, ticks: number | null | undefined): boolean =>
    p !== null && p.state !== 'Z' && (ticks === undefined || ticks === null || p.startTicks === ticks);
  const results: TargetResult[] = [];
  const live: Array<{ r: TargetResult; ticks: number | null }> = [];
  for (const pid of pids) {
    const known = snap.processes.get(pid);
    const ticks = want.has(pid) ? want.get(pid)! : (known?.startTicks ?? null);
    const r: TargetResult = { pid, ppid: known?.ppid ?? null, argv: known?.argv ?? [], startTicks: ticks, outcome: 'already-gone', reason: 'gone before the first signal', signals: [] };
    const now = await opts.backend.probe(pid);
    if (!same(now, ticks)) {
      if (now && now.state !== 'Z') Object.assign(r, { outcome: 'reused', reason: 'the pid now belongs to another process' });
      results.push(r);
      opts.onProgress?.(r);
      continue;
    }
    try {
      process.kill(pid, opts.signal ?? 'SIGTERM');
      r.signals.push(opts.signal ?? 'SIGTERM');
      live.push({ r, ticks });
    } catch (err) {
      Object.assign(r, (err as NodeJS.ErrnoException).code === 'ESRCH' ? {} : { outcome: 'failed', reason: String((err as Error).message) });
      results.push(r);
      opts.onProgress?.(r);
    }
  }
  const gone = async (x: { ticks: number | null; r: TargetResult }): Promise<boolean> => !same(await opts.backend.probe(x.r.pid), x.ticks);
  let step = 5;
  const deadline = Date.now() + (opts.graceMs ?? 3000);
  let pending = live;
  while (pending.length > 0 && Date.now() < deadline) {
    await sleep(Math.min(step, Math.max(1, deadline - Date.now())));
    step = Math.min(step * 2, 200);
    const still: typeof pending = [];
    for (const x of pending) {
      if (await gone(x)) {
        Object.assign(x.r, { outcome: 'terminated', reason: `exited after ${x.r.signals[0]}` });
        results.push(x.r);
        opts.onProgress?.(x.r);
      } else still.push(x);
    }
    pending = still;
  }
  for (const x of pending) {
    try {
      process.kill(x.r.pid, 'SIGKILL');
      x.r.signals.push('SIGKILL');
    } catch {
      /* exited meanwhile */
    }
  }
  for (const x of pending) {
    let dead = false;
    for (let i = 0; i < 50 && !dead; i++) {
      dead = await gone(x);
      if (!dead) await sleep(20);
    }
    Object.assign(x.r, dead ? { outcome: 'killed', reason: 'needed SIGKILL after the grace period' } : { outcome: 'survived', reason: 'still alive after SIGKILL' });
    results.push(x.r);
    opts.onProgress?.(x.r);
  }
  return { results, durationMs: Date.now() - started };
}
