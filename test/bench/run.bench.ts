// Issue 8 figures for `procsweep run`: what the setpriv parent-death link costs per start, how
// fast a worker dies after its run is SIGKILLed, how long a graceful stop takes through run
// compared with signalling ffmpeg directly, and the MediaMTX leak count against the shell loop.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { deathLink } from '../../src/core/run/launch.js';
import { alive, BIN, ffmpegArgs, pidsWith, Scope, waitFor } from '../helpers/procs.js';
import { median, medianOf, printRows, timeCommand } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);

function ffmpegOf(mark: string): number | null {
  for (const pid of pidsWith(mark)) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('ffmpeg\0')) return pid;
    } catch {
      /* gone */
    }
  }
  return null;
}

/** Polls every millisecond; returns ms until `cond` held (or the timeout). */
async function msUntil(cond: () => boolean, timeoutMs = 10_000): Promise<number> {
  const t0 = performance.now();
  await waitFor(cond, timeoutMs, 1);
  return performance.now() - t0;
}

async function startedRun(scope: Scope, args: string[], mark: string): Promise<{ run: number; worker: number; exited: Promise<unknown> }> {
  const run = scope.spawn(process.execPath, [BIN, 'run', ...args, '--', 'ffmpeg', ...ffmpegArgs(mark)], { detached: true, stdio: 'ignore' });
  const exited = new Promise((r) => run.on('close', r));
  await waitFor(() => ffmpegOf(mark) !== null, 10_000);
  // Let ffmpeg install its signal handlers, as a long-running worker has.
  await new Promise((r) => setTimeout(r, 700));
  return { run: run.pid!, worker: ffmpegOf(mark)!, exited };
}

export default async function bench(): Promise<void> {
  const link = deathLink(process.env);
  if (link.warning) {
    console.log(`run bench skipped: ${link.warning}`);
    return;
  }
  const scope = new Scope();
  try {
    console.log(`run bench: ${RUNS} runs each, medians`);
    const plain = medianOf(RUNS * 3, () => timeCommand('true', []));
    const linked = medianOf(RUNS * 3, () => timeCommand(link.prefix[0], [...link.prefix.slice(1), 'true']));
    const runTrue = medianOf(RUNS, () => timeCommand(process.execPath, [BIN, 'run', '--', 'true']));
    const nodeNoop = medianOf(RUNS, () => timeCommand(process.execPath, ['-e', '0']));

    const deaths: number[] = [];
    const stops: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const m1 = scope.mark();
      const a = await startedRun(scope, [], m1);
      process.kill(a.run, 'SIGKILL');
      deaths.push(await msUntil(() => !alive(a.worker)));

      const m2 = scope.mark();
      const b = await startedRun(scope, ['--grace', '10s'], m2);
      let t = performance.now();
      process.kill(b.run, 'SIGTERM');
      await b.exited;
      stops.push(performance.now() - t);

      const m3 = scope.mark();
      const c = scope.spawn('ffmpeg', ffmpegArgs(m3), { detached: true, stdio: 'ignore' });
      const cExit = new Promise((r) => c.on('close', r));
      await waitFor(() => ffmpegOf(m3) !== null, 10_000);
      await new Promise((r) => setTimeout(r, 700));
      t = performance.now();
      c.kill('SIGTERM');
      await cExit;
      direct.push(performance.now() - t);
      scope.cleanup();
    }

    // MediaMTX: the parent SIGKILLs the PID it started; count what is left a second later.
    const loopMark = scope.mark('loop');
    const loop = spawn('sh', ['-c', `while true; do ffmpeg ${ffmpegArgs(loopMark).map((x) => `'${x}'`).join(' ')}; sleep 0.2; done`], { detached: true, stdio: 'ignore' });
    await waitFor(() => ffmpegOf(loopMark) !== null, 10_000);
    process.kill(loop.pid!, 'SIGKILL');
    const runMark = scope.mark('run');
    const r = await startedRun(scope, ['--restart', 'always'], runMark);
    process.kill(r.run, 'SIGKILL');
    await new Promise((res) => setTimeout(res, 1000));
    const leftLoop = pidsWith(loopMark).length;
    const leftRun = pidsWith(runMark).length;

    printRows('issue 8: procsweep run', [
      { what: 'start cost of the parent-death link (setpriv --pdeathsig KILL -- true)', ours: linked, baseline: plain, baselineName: 'true spawned directly', kind: 'max', target: 3 },
      { what: 'procsweep run -- true (whole command)', ours: runTrue, baseline: nodeNoop, baselineName: 'node -e 0', kind: 'max', target: 2 },
      { what: 'SIGKILL run -> worker ffmpeg gone', ours: median(deaths), baseline: 1000, baselineName: 'the 1s the issue allows', kind: 'max', target: 1 },
      { what: 'SIGTERM run -> run exited, ffmpeg stopped gracefully', ours: median(stops), baseline: median(direct), baselineName: 'SIGTERM to ffmpeg directly', kind: 'max', target: 1.5 },
    ]);
    console.log(`processes left 1s after the parent SIGKILLed the PID it started: sh -c 'while true; do ffmpeg ...; done' ${leftLoop}, procsweep run --restart always -- ffmpeg ${leftRun}`);
    console.log(`setpriv adds ${(linked - plain).toFixed(2)}ms per start (${spawnSync(link.prefix[0], ['--version'], { maxBuffer: Infinity, encoding: 'utf8' }).stdout.trim()})`);
  } finally {
    scope.cleanup();
  }
}
