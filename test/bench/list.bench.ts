// Issue 2 figures: with 2,000 extra sleeping processes, `procsweep list --json` against
// `ps -eo pid,ppid,pgid,stat,lstart,args`; the in-process procfs scan against the portable
// (ps) backend; and `procsweep --version` against `node -e 0`.
import { spawnSync } from 'node:child_process';
import { PortableBackend } from '../../src/core/read/backend/portable.js';
import { ProcReader } from '../../src/core/read/procfs/reader.js';
import { BIN, pidsWith } from '../helpers/procs.js';
import { median, medianOf, printRows, timeCommand } from './lib.js';

const EXTRA = Number(process.env.BENCH_EXTRA ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

/** Starts `n` sleeping processes whose argv carries a unique duration; returns that marker. */
export function startSleepers(n: number): string {
  const mark = `86${String(process.pid).padStart(5, '0')}.${Math.floor(Math.random() * 1e6)}`;
  spawnSync('sh', ['-c', `i=0; while [ $i -lt ${n} ]; do sleep ${mark} </dev/null >/dev/null 2>&1 & i=$((i+1)); done`], { stdio: 'ignore' });
  return mark;
}

/** SIGKILLs the sleepers carrying `mark` (only those: they are ours). */
export function stopSleepers(mark: string): void {
  for (const pid of pidsWith(mark)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export default async function bench(): Promise<void> {
  const mark = startSleepers(EXTRA);
  try {
    const total = spawnSync('sh', ['-c', 'ls -d /proc/[0-9]* | wc -l'], { maxBuffer: Infinity, encoding: 'utf8' }).stdout.trim();
    console.log(`list bench: ${EXTRA} extra sleepers started (${total} processes on the machine), ${RUNS} runs each, medians`);
    const node = process.execPath;
    // Alternating within each round, so a busy moment of a shared machine hits every side alike.
    const lists: number[] = [];
    const pss: number[] = [];
    const alls: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      lists.push(timeCommand(node, [BIN, 'list', '--json']));
      pss.push(timeCommand('ps', ['-eo', 'pid,ppid,pgid,stat,lstart,args']));
      alls.push(timeCommand(node, [BIN, 'list', '--all', '--json']));
    }
    const [list, ps, listAll] = [lists, pss, alls].map((xs) => median(xs.slice(1))); // the first round warms caches

    const reader = new ProcReader('/proc');
    const portableBackend = new PortableBackend();
    const inproc: number[] = [];
    const portable: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      let t = performance.now();
      reader.snapshot(process.pid, false);
      inproc.push(performance.now() - t);
      t = performance.now();
      await portableBackend.snapshot();
      portable.push(performance.now() - t);
    }
    inproc.shift();
    portable.shift();

    const version = medianOf(RUNS, () => timeCommand(node, [BIN, '--version']));
    const nodeNoop = medianOf(RUNS, () => timeCommand(node, ['-e', '0']));

    printRows('issue 2: scan and list', [
      { what: 'list --json (whole command)', ours: list, baseline: ps, baselineName: 'ps -eo pid,ppid,pgid,stat,lstart,args', kind: 'max', target: 1.0 },
      { what: 'list --all --json (whole command)', ours: listAll, baseline: ps, baselineName: 'ps -eo ...', kind: 'max', target: 1.3 },
      { what: 'in-process scan', ours: median(inproc), baseline: median(portable), baselineName: 'ps (portable backend)', kind: 'min', target: 2.5 },
      { what: '--version', ours: version, baseline: nodeNoop, baselineName: 'node -e 0', kind: 'max', target: 1.5 },
    ]);
  } finally {
    stopSleepers(mark);
  }
}
