import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ThawWatchdog } from '../../src/core/act/thaw-watchdog.js';
import { alive, BIN, pidsWith, Scope, waitFor } from '../helpers/procs.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';

// Issue 12, item 2: nothing procsweep stopped may stay stopped if procsweep dies at any instant.
// A watchdog that outlives procsweep resumes, by identity, what it had stopped and not yet
// resumed or killed. Real processes, marked; procsweep is SIGKILLed mid-run.

/** The state letter and start time of a process, or null once it is gone. */
function stat(pid: number): { state: string; start: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], start: Number(f[19]) };
  } catch {
    return null;
  }
}

const stopped = (pids: readonly number[]): number[] => pids.filter((p) => /^[Tt]$/.test(stat(p)?.state ?? ''));

/** Starts `n` orphans (reparented to init, not session leaders) that ignore SIGTERM; resolves with their pids. */
async function startOrphans(sleepPath: string, mark: string, n: number): Promise<number[]> {
  const script = `trap "" TERM; i=0; while [ $i -lt ${n} ]; do "$0" 300 </dev/null >/dev/null 2>&1 & i=$((i+1)); done`;
  const sh = spawn('sh', ['-c', script, sleepPath], { detached: true, stdio: 'ignore' });
  await new Promise((r) => sh.on('close', r));
  assert.ok(await waitFor(() => pidsWith(mark).length >= n, 20_000), `only ${pidsWith(mark).length} of ${n} orphans started`);
  return pidsWith(mark);
}

/** Live watchdogs started by a procsweep that ran with PSW_TEST_MARK=mark in its environment. */
function watchdogs(mark: string): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('procsweep-thaw') && readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`PSW_TEST_MARK=${mark}`);
    } catch {
      return false;
    }
  });
}

/** Runs `procsweep sweep -y` scoped to `mark`, with the mark in its environment (to find its watchdog). */
function sweepOf(dir: string, mark: string, grace: string) {
  return spawn(process.execPath, [BIN, 'sweep', '-y', '--json', '--grace', grace, '--signature', `stub=${mark}`, '--args', mark, '--lock-file', join(dir, `${mark}.lock`)], {
    stdio: 'ignore',
    env: { ...process.env, PSW_TEST_MARK: mark },
  });
}

/** A pause of a given length: the random kill point is the test's input, not a wait for a state. */
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function killAll(pids: readonly number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

describe('SIGKILL of procsweep mid-run leaves nothing stopped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psw-thaw-'));
  const scope = new Scope();
  after(() => {
    scope.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('20 sweeps of 40 TERM-ignoring orphans, each SIGKILLed at a random point: 0 processes left in state T', async (t) => {
    const N = 40;
    let hit = 0;
    const log: string[] = [];
    for (let round = 0; round < 20; round++) {
      const mark = scope.mark('thaw');
      const pids = await startOrphans(markedSleep(dir, mark), mark, N);
      const sweep = sweepOf(dir, mark, '300ms');
      const exited = new Promise((r) => sweep.on('exit', r));
      // Where to kill: during the first freeze, during the freeze before SIGKILL, or anywhere.
      const how = round % 3;
      if (how === 2) {
        await pause(Math.random() * 1200);
      } else {
        assert.ok(await waitFor(() => stopped(pids).length > 0, 20_000, 1), `round ${round}: no target was ever stopped`);
        if (how === 1) {
          // The first freeze ends with SIGCONT; the grace runs; survivors are stopped again before SIGKILL.
          await waitFor(() => stopped(pids).length === 0, 20_000, 1);
          await waitFor(() => stopped(pids).length > 0, 20_000, 1);
        }
        // The stopped window of 40 targets lasts a few ms (less as the engine gets faster): kill
        // inside it, at a random point of its first 2 ms.
        await pause(Math.random() * 2);
      }
      sweep.kill('SIGKILL');
      await exited;
      const atKill = stopped(pids).length;
      if (atKill > 0) hit++;
      const thawed = await waitFor(() => stopped(pids).length === 0, 15_000, 20);
      log.push(`round ${round} (${['first freeze', 'kill freeze', 'random'][how]}): ${atKill} stopped at the kill, ${stopped(pids).length} after`);
      assert.ok(thawed, `round ${round}: ${stopped(pids).length} of ${N} left stopped:\n${log.join('\n')}`);
      assert.ok(await waitFor(() => watchdogs(mark).length === 0, 10_000), `round ${round}: the watchdog did not exit`);
      // Only what is still ours: the sweep may have ended some targets before it was killed.
      killAll(pids.filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(mark);
        } catch {
          return false;
        }
      }));
    }
    for (const line of log) t.diagnostic(line);
    // The test means something only if kills landed while targets were stopped.
    assert.ok(hit >= 8, `only ${hit} of 20 kills landed while targets were stopped:\n${log.join('\n')}`);
  });

  test('the watchdog resumes only the process it was told about, by identity; a clear means nothing to resume', async () => {
    const mark = scope.mark('thawid');
    const sleep = markedSleep(dir, mark);
    const pid = await sleeperOrphan(scope, sleep);
    assert.ok(await waitFor(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(mark)));
    const start = stat(pid)!.start;
    const run = async (startTicks: number, clear: boolean): Promise<void> => {
      const wd = ThawWatchdog.start('/proc');
      assert.ok(wd);
      assert.ok(await wd.record([{ pid, startTicks }]));
      if (clear) await wd.clear();
      wd.close();
      assert.ok(await waitFor(() => !alive(wd.pid), 10_000), 'the watchdog did not exit at end of input');
    };
    process.kill(pid, 'SIGSTOP');
    assert.ok(await waitFor(() => stat(pid)?.state === 'T'));

    await run(start + 1, false); // another process's identity (a reused PID): never resumed
    assert.equal(stat(pid)?.state, 'T', 'a PID with another start time was resumed');
    await run(start, true); // recorded, then cleared (procsweep resumed or killed it): left alone
    assert.equal(stat(pid)?.state, 'T', 'a cleared record was resumed');
    await run(start, false); // recorded and procsweep gone: resumed
    assert.ok(await waitFor(() => stat(pid)?.state === 'S'), `still ${stat(pid)?.state}`);
  });

  test('no watchdog outlives a normal sweep', async () => {
    const mark = scope.mark('thawok');
    const pids = await startOrphans(markedSleep(dir, mark), mark, 5);
    const sweep = sweepOf(dir, mark, '200ms');
    const code = await new Promise((r) => sweep.on('exit', r));
    assert.equal(code, 0);
    assert.ok(pids.every((p) => !alive(p)));
    assert.ok(await waitFor(() => watchdogs(mark).length === 0, 5000), `watchdogs left: ${watchdogs(mark).join(', ')}`);
  });
});
