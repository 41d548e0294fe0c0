// Issue 2 figures: with 2,000 extra sleeping processes, `procsweep list --json` against
// `ps -eo pid,ppid,pgid,stat,lstart,args`; the in-process procfs scan against the portable
// (ps) backend; and `procsweep --version` against `node -e 0`. Next to them, the floor: Node
// starting and reading every process's stat and cmdline once (floor/list.mjs), with no parsing,
// matching or output. No Node program can answer `list` faster than that on this machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PortableBackend } from '../../src/core/read/backend/portable.js';
import { ProcReader } from '../../src/core/read/procfs/reader.js';
import { BIN, pidsWith } from '../helpers/procs.js';
import { median, medianOf, printRows, timeCommand } from './lib.js';

const EXTRA = Number(process.env.BENCH_EXTRA ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const FLOOR = join(import.meta.dirname, 'floor', 'list.mjs');

/** Starts `n` sleeping processes whose argv carries a unique duration; returns that marker. */
export function startSleepers(n: number): string {
  const mark = `86${String(process.pid).padStart(5, '0')}.${Math.floor(Math.random() * 1e6)}`;
  spawnSync('sh', ['-c', `i=0; while [ $i -lt ${n} ]; do sleep ${mark} </dev/null >/dev/null 2>&1 & i=$((i+1)); done`], { stdio: 'ignore' });
  return mark;
}

/**
 * SIGKILLs the sleepers carrying `mark` (only those: they are ours), then waits (at most 20 s)
 * until their /proc entries are gone: they are zombies until PID 1 reaps them, and a next
 * benchmark started before that would scan 2,000 extra entries.
 */
export function stopSleepers(mark: string): void {
  const pids = pidsWith(mark);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  const until = Date.now() + 20_000;
  let left = pids;
  while (left.length > 0 && Date.now() < until) {
    spawnSync('sleep', ['0.1']);
    left = left.filter((pid) => existsSync(`/proc/${pid}`));
  }
  if (left.length > 0) console.log(`(${left.length} sleepers not yet reaped by PID 1 after 20 s; the next figures scan them too)`);
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
    const floors: number[] = [];
    const noops: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      lists.push(timeCommand(node, [BIN, 'list', '--json']));
      pss.push(timeCommand('ps', ['-eo', 'pid,ppid,pgid,stat,lstart,args']));
      alls.push(timeCommand(node, [BIN, 'list', '--all', '--json']));
      floors.push(timeCommand(node, [FLOOR]));
      noops.push(timeCommand(node, ['-e', '0']));
    }
    const [list, ps, listAll, floor, noop] = [lists, pss, alls, floors, noops].map((xs) => median(xs.slice(1))); // the first round warms caches

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

    printRows('issue 2: scan and list', [
      { what: 'list --json (whole command)', ours: list, baseline: ps, baselineName: 'ps -eo pid,ppid,pgid,stat,lstart,args', kind: 'max', target: 1.0 },
      { what: 'list --all --json (whole command)', ours: listAll, baseline: ps, baselineName: 'ps -eo ...', kind: 'max', target: 1.3 },
      { what: 'in-process scan', ours: median(inproc), baseline: median(portable), baselineName: 'ps (portable backend)', kind: 'min', target: 2.5 },
      { what: '--version', ours: version, baseline: noop, baselineName: 'node -e 0', kind: 'max', target: 1.5 },
    ]);
    printRows('issue 18: the floor under list --json', [
      { what: 'node start + one read of each stat and cmdline', oursName: 'floor/list.mjs', ours: floor, baseline: ps, baselineName: 'ps -eo ...', kind: 'max', target: 1.0 },
      { what: 'node start alone', oursName: 'node -e 0', ours: noop, baseline: ps, baselineName: 'ps -eo ...', kind: 'max', target: 1.0 },
    ]);
    console.log(`list --json above the floor: ${(list - floor).toFixed(1)} ms (parsing, signatures, classification, owners, JSON); the floor above node -e 0: ${(floor - noop).toFixed(1)} ms`);
  } finally {
    stopSleepers(mark);
  }
}
