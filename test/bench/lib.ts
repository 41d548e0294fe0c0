import { spawnSync } from 'node:child_process';

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall time of one synchronous command in ms. */
export function timeCommand(cmd: string, args: string[], env?: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore', env: env ?? process.env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return ms;
}

/** Median wall time over `runs` runs after one warm-up. */
export function medianOf(runs: number, fn: () => number): number {
  fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(fn());
  return median(xs);
}

/** One comparison row: ours vs the baseline, with the target ratio and whether it is met. */
export interface Row {
  what: string;
  ours: number;
  baseline: number;
  baselineName: string;
  /** 'max': ours/baseline must be <= target; 'min': baseline/ours must be >= target. */
  kind: 'max' | 'min';
  target: number;
  unit?: string;
  /** Who `ours` is, when it is not procsweep (a floor: the least any Node program must do). */
  oursName?: string;
}

/** Prints rows side by side with ratios. */
export function printRows(title: string, rows: Row[]): void {
  console.log(`\n== ${title}`);
  for (const r of rows) {
    const unit = r.unit ?? 'ms';
    const ratio = r.kind === 'max' ? r.ours / r.baseline : r.baseline / r.ours;
    const rel = r.kind === 'max' ? `ours/baseline ${ratio.toFixed(2)}x (target <= ${r.target}x)` : `speed-up ${ratio.toFixed(2)}x (target >= ${r.target}x)`;
    const ok = r.kind === 'max' ? ratio <= r.target : ratio >= r.target;
    console.log(`${r.what}: ${r.oursName ?? 'procsweep'} ${r.ours.toFixed(1)}${unit} | ${r.baselineName} ${r.baseline.toFixed(1)}${unit} | ${rel} ${ok ? 'MET' : 'NOT MET'}`);
  }
}
