// Termination speed (issue 3). Two comparisons, each on processes this benchmark starts itself,
// every one marked by a unique directory name in its argv[0]:
//  1. 1,000 orphaned processes that ignore SIGTERM: `procsweep sweep -y --grace 1s --max 2000`
//     (whole-command wall time) vs `kill -TERM <pids>; sleep 1; kill -KILL <pids>` on an identical
//     set. Target: at most 1.2x (issue 18), zero survivors.
//  2. A 300-process tree: `procsweep kill-group -y` vs tree-kill's treeKill(pid), each timed until
//     every process of the tree is dead. Target: at least 15x faster.
// Each also runs floor/kill.mjs on an identical set: Node starting, then SIGSTOP, the first
// signal, SIGCONT (and SIGKILL after the grace), polling until all are dead, with no scan,
// identity check, plan or report. It is the best any Node implementation can do here.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import treeKill from 'tree-kill';
import { alive, BIN, LOCK_ARGS, marker, pidsWith, waitFor } from '../helpers/procs.js';
import { markedSleep } from '../helpers/workers.js';
import { median, printRows } from './lib.js';

const ORPHANS = 1000;
const FLOOR = join(import.meta.dirname, 'floor', 'kill.mjs');
const TREE_SHELLS = 13;
const TREE_LEAVES = 22; // 1 root + 13 shells + 13 * 22 sleeps = 300

function killAllMarked(mark: string): void {
  for (const pid of pidsWith(mark)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Starts `n` orphans (reparented to init, not session leaders) that ignore SIGTERM; resolves with their pids. */
async function startOrphans(sleepPath: string, mark: string, n: number): Promise<number[]> {
  const script = `trap "" TERM; i=0; while [ $i -lt ${n} ]; do "$0" 1000 </dev/null >/dev/null 2>&1 & i=$((i+1)); done`;
  const sh = spawn('sh', ['-c', script, sleepPath], { detached: true, stdio: 'ignore' });
  await new Promise((r) => sh.on('close', r));
  if (!(await waitFor(() => pidsWith(mark).length >= n, 60_000, 100))) throw new Error(`only ${pidsWith(mark).length} of ${n} orphans started`);
  return pidsWith(mark);
}

function wall(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function orphansRound(dir: string): Promise<{ ours: number; base: number; floor: number; oursLeft: number; baseLeft: number }> {
  const m1 = marker('bench');
  const s1 = markedSleep(dir, m1);
  await startOrphans(s1, m1, ORPHANS);
  const lock = join(dir, `${m1}.lock`);
  const args = [BIN, 'sweep', '-y', '--grace', '1s', '--max', '2000', '--signature', `bench=${m1}`, '--args', m1, '--lock-file', lock, '--no-color'];
  let code = -1;
  const ours = wall(() => {
    code = spawnSync(process.execPath, args, { stdio: 'ignore' }).status ?? -1;
  });
  const oursLeft = pidsWith(m1).length;
  if (code !== 0) console.log(`  (sweep exited ${code})`);
  killAllMarked(m1);

  const m2 = marker('bench');
  const s2 = markedSleep(dir, m2);
  const pids = await startOrphans(s2, m2, ORPHANS);
  const base = wall(() => {
    spawnSync('sh', ['-c', 'kill -TERM $PIDS; sleep 1; kill -KILL $PIDS'], { stdio: 'ignore', env: { ...process.env, PIDS: pids.join(' ') } });
  });
  await waitFor(() => pidsWith(m2).length === 0, 2000);
  const baseLeft = pidsWith(m2).length;
  killAllMarked(m2);

  const m3 = marker('bench');
  const fpids = await startOrphans(markedSleep(dir, m3), m3, ORPHANS);
  const floor = wall(() => {
    spawnSync(process.execPath, [FLOOR, '--grace', '1000', ...fpids.map(String)], { stdio: 'ignore' });
  });
  killAllMarked(m3);
  await waitFor(() => pidsWith(m1).length + pidsWith(m2).length + pidsWith(m3).length === 0, 5000);
  return { ours, base, floor, oursLeft, baseLeft };
}

/** A 300-process tree in its own session and group: root sh -> 13 sh -> 22 sleeps each. Resolves with root pid and all pids. */
async function startTree(sleepPath: string, mark: string): Promise<{ root: number; pids: number[] }> {
  const inner = `i=0; while [ $i -lt ${TREE_LEAVES} ]; do "$0" 1000 & i=$((i+1)); done; wait`;
  const outer = `i=0; while [ $i -lt ${TREE_SHELLS} ]; do sh -c '${inner}' "$0" & i=$((i+1)); done; wait`;
  const root = spawn('sh', ['-c', outer, sleepPath], { detached: true, stdio: 'ignore' });
  const total = 1 + TREE_SHELLS + TREE_SHELLS * TREE_LEAVES;
  if (!(await waitFor(() => pidsWith(mark).length >= total, 60_000, 50))) throw new Error(`tree: only ${pidsWith(mark).length} of ${total} started`);
  return { root: root.pid!, pids: pidsWith(mark) };
}

async function untilDead(pids: number[]): Promise<void> {
  await waitFor(() => pids.every((p) => !alive(p)), 60_000, 1);
}

async function treeRound(dir: string): Promise<{ ours: number; base: number; floor: number; n: number }> {
  const m1 = marker('btree');
  const t1 = await startTree(markedSleep(dir, m1), m1);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, 'kill-group', '-y', '--no-color', ...LOCK_ARGS, String(t1.root)], { stdio: 'ignore' });
  await untilDead(t1.pids);
  const ours = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) console.log(`  (kill-group exited ${r.status})`);
  killAllMarked(m1);

  const m2 = marker('btree');
  const t2 = await startTree(markedSleep(dir, m2), m2);
  const t1b = process.hrtime.bigint();
  await new Promise<void>((resolve) => treeKill(t2.root, 'SIGTERM', () => resolve()));
  await untilDead(t2.pids);
  const base = Number(process.hrtime.bigint() - t1b) / 1e6;
  killAllMarked(m2);

  const m3 = marker('btree');
  const t3 = await startTree(markedSleep(dir, m3), m3);
  const t3b = process.hrtime.bigint();
  spawnSync(process.execPath, [FLOOR, ...t3.pids.map(String)], { stdio: 'ignore' });
  await untilDead(t3.pids);
  const floor = Number(process.hrtime.bigint() - t3b) / 1e6;
  killAllMarked(m3);
  return { ours, base, floor, n: t1.pids.length };
}

/** Runs both comparisons and prints medians and ratios. */
export default async function bench(): Promise<void> {
  // ulimit -u, from /proc/self/limits ("Max processes  <soft>  <hard>  processes").
  const limit = /^Max processes\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 'unknown';
  if (limit !== 'unlimited' && !(Number(limit) >= ORPHANS * 2 + 500)) {
    console.log(`terminate bench skipped: ulimit -u is ${limit}, need about ${ORPHANS * 2 + 500}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'psw-bench-'));
  try {
    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    const orphan = [];
    for (let i = 0; i < rounds; i++) orphan.push(await orphansRound(dir));
    const tree = [];
    for (let i = 0; i < rounds; i++) tree.push(await treeRound(dir));
    console.log(`\n${ORPHANS} TERM-ignoring orphans, ${rounds} rounds: procsweep ${orphan.map((r) => r.ours.toFixed(0)).join('/')}ms, baseline ${orphan.map((r) => r.base.toFixed(0)).join('/')}ms; survivors after procsweep ${orphan.map((r) => r.oursLeft).join('/')}, after baseline ${orphan.map((r) => r.baseLeft).join('/')}`);
    console.log(`${tree[0].n}-process tree, ${rounds} rounds: kill-group ${tree.map((r) => r.ours.toFixed(0)).join('/')}ms, treeKill ${tree.map((r) => r.base.toFixed(0)).join('/')}ms`);
    printRows('terminate', [
      { what: `sweep -y --grace 1s, ${ORPHANS} TERM-ignoring orphans (median)`, ours: median(orphan.map((r) => r.ours)), baseline: median(orphan.map((r) => r.base)), baselineName: 'kill -TERM; sleep 1; kill -KILL', kind: 'max', target: 1.2 },
      { what: `kill-group, ${tree[0].n}-process tree until all dead (median)`, ours: median(tree.map((r) => r.ours)), baseline: median(tree.map((r) => r.base)), baselineName: 'treeKill(pid)', kind: 'min', target: 15 },
    ]);
    printRows('issue 18: the floor under sweep and kill-group', [
      { what: `${ORPHANS} TERM-ignoring orphans, grace 1s (median)`, oursName: 'floor/kill.mjs', ours: median(orphan.map((r) => r.floor)), baseline: median(orphan.map((r) => r.base)), baselineName: 'kill -TERM; sleep 1; kill -KILL', kind: 'max', target: 1.2 },
      { what: `${tree[0].n}-process tree until all dead (median)`, oursName: 'floor/kill.mjs', ours: median(tree.map((r) => r.floor)), baseline: median(tree.map((r) => r.base)), baselineName: 'treeKill(pid)', kind: 'min', target: 15 },
    ]);
    console.log(`above the floor: sweep ${(median(orphan.map((r) => r.ours)) - median(orphan.map((r) => r.floor))).toFixed(0)} ms, kill-group ${(median(tree.map((r) => r.ours)) - median(tree.map((r) => r.floor))).toFixed(0)} ms (scan, plan, owners, identity checks, thaw watchdog, report)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
