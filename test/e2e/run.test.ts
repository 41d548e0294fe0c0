import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { deathLink } from '../../src/core/run/launch.js';
import { alive, BIN, cli, ffmpegArgs, LOCK_ARGS, pidsWith, Scope, waitFor } from '../helpers/procs.js';
import { needs } from '../helpers/needs.js';

const LINK = deathLink(process.env);
/** The skip option of a test that needs the parent-death link: the rule of needs(), for setpriv's --pdeathsig. */
const linkSkip = (): false | string => (LINK.warning ? needs('setpriv') || (process.env.CI ? (() => { throw new Error(`CI runs every run test, but ${LINK.warning}`); })() : `skipped: ${LINK.warning}`) : false);

/** A `procsweep run` the test started, in its own session, with its output collected. */
interface Run {
  proc: ChildProcess;
  pid: number;
  out: () => string;
  err: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startRun(scope: Scope, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const proc = scope.spawn(process.execPath, [BIN, 'run', ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { proc, pid: proc.pid!, out: () => out, err: () => err, done };
}

/** The status run logged for the last exit of CMD: what run must exit with. */
function loggedStatus(err: string): number {
  const all = [...err.matchAll(/(?:exited with status|\(status) (\d+)/g)];
  return Number(all[all.length - 1]?.[1]);
}

/** Reads `PID\nMS\n`; null while the file is absent or half-written. */
function readPidfile(path: string): { pid: number; ms: number } | null {
  try {
    const [pid, ms] = readFileSync(path, 'utf8').split('\n');
    return pid && ms ? { pid: Number(pid), ms: Number(ms) } : null;
  } catch {
    return null;
  }
}

function ppidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** The marked ffmpeg of a scope (not run itself, whose argv carries the marker too). */
function ffmpegPids(mark: string): number[] {
  return pidsWith(mark).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('ffmpeg\0');
    } catch {
      return false;
    }
  });
}

const tmpDirs: string[] = [];
function pidDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'psw-run-e2e-'));
  tmpDirs.push(d);
  return d;
}
after(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

describe('procsweep run: exit status, restarts, options passed through', () => {
  const scope = new Scope();
  after(() => scope.cleanup());

  test("the child's exit code is propagated; a signal death is 128 + signo", async () => {
    const mark = scope.mark();
    assert.equal((await startRun(scope, ['--', 'sh', '-c', 'exit 7', mark]).done).code, 7);
    assert.equal((await startRun(scope, ['--', 'sh', '-c', 'kill -KILL $$', mark]).done).code, 137);
    assert.equal((await startRun(scope, ['--', 'sh', '-c', 'kill -SEGV $$', mark]).done).code, 139);
    const ok = startRun(scope, ['--restart', 'on-failure', '--', 'sh', '-c', 'exit 0', mark]);
    assert.equal((await ok.done).code, 0);
    assert.equal(ok.err().match(/started sh/g)?.length, 1, 'on-failure does not restart a clean exit');
  });

  test('a crashing worker is restarted after the delay and given up on after N restarts', async () => {
    const mark = scope.mark();
    const log = join(pidDir(), 'starts');
    const r = startRun(scope, ['--restart', 'on-failure', '--restart-delay', '300ms', '--max-restarts', '2', '--', 'sh', '-c', `date +%s%N >> ${log}; exit 3`, mark]);
    const { code } = await r.done;
    assert.equal(code, 3, r.err());
    const starts = readFileSync(log, 'utf8').trim().split('\n').map((l) => BigInt(l));
    assert.equal(starts.length, 3, 'first start + 2 restarts');
    for (let i = 1; i < starts.length; i++) {
      assert.ok((starts[i] - starts[i - 1]) / 1_000_000n >= 300n, `restart ${i} waited for --restart-delay`);
    }
    assert.match(r.err(), /restarting sh in 300ms \(restart 1 of 2\)/);
    assert.match(r.err(), /giving up: sh exited with status 3 after 2 restarts \(--max-restarts 2\); exiting with status 3/);
  });

  test('everything after -- (or after CMD) reaches CMD untouched', async () => {
    const mark = scope.mark();
    const r = startRun(scope, ['--restart', 'never', '--', 'sh', '-c', 'printf "%s|" "$@"', mark, '--restart', 'always', '--help', '--', '-y']);
    assert.equal((await r.done).code, 0, r.err());
    assert.equal(r.out(), '--restart|always|--help|--|-y|');
    const bare = startRun(scope, ['sh', '-c', 'printf "%s|" "$@"', mark, '--max-restarts', '-x']);
    assert.equal((await bare.done).code, 0, bare.err());
    assert.equal(bare.out(), '--max-restarts|-x|');
  });

  test('bad input fails before anything starts: 2 for options, 127/126 for CMD', () => {
    const dir = pidDir();
    let r = cli(['run', '--id', 'cam1', '--', 'true']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--id and --type name a pidfile: give --pid-dir DIR too/);
    r = cli(['run', '--pid-dir', dir, '--', 'true']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--pid-dir needs --id/);
    r = cli(['run', '--pid-dir', dir, '--id', '../escape', '--', 'true']);
    assert.equal(r.code, 2);
    r = cli(['run', '--restart', 'sometimes', '--', 'true']);
    assert.equal(r.code, 2);
    r = cli(['run', '--grace', 'soon', '--', 'true']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    r = cli(['run']);
    assert.equal(r.code, 2);
    r = cli(['run', '--', 'no-such-command-psw']);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /^procsweep: command not found: no-such-command-psw/);
    r = cli(['run', '--', dir]);
    assert.equal(r.code, 126);
    assert.match(r.stderr, /not an executable file/);
  });

  test('a closed stderr (the supervisor stopped reading) does not crash run', async () => {
    const mark = scope.mark();
    const proc = scope.spawn(process.execPath, [BIN, 'run', '--restart', 'always', '--restart-delay', '100ms', '--max-restarts', '2', '--', 'sh', '-c', 'sleep 0.2; exit 1', mark], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.destroy();
    const code = await new Promise((res) => proc.on('close', res));
    assert.equal(code, 1, 'it restarted, gave up and exited with the last status');
  });

  test('what CMD leaves in its process group is terminated when it exits', async () => {
    const mark = scope.mark();
    const r = startRun(scope, ['--grace', '5s', '--', 'sh', '-c', `sleep 300 & exit 0`, mark]);
    assert.equal((await r.done).code, 0, r.err());
    assert.match(r.err(), /sh \(pid \d+\) left 1 process in its process group \(\d+\): 1 terminated/);
    const sleeper = Number(/in its process group \((\d+)\)/.exec(r.err())![1]);
    assert.ok(await waitFor(() => !alive(sleeper)));
  });
});

/** Starts `run --pid-dir TMP --id ID [extra] -- ffmpeg <marked>` and waits for its pidfile and worker. */
async function runFfmpeg(scope: Scope, id: string, extra: string[] = [], type = 'ffmpeg'): Promise<{ r: Run; mark: string; pidfile: string }> {
  const mark = scope.mark();
  const dir = pidDir();
  const pidfile = join(dir, `${id}_${type}.pid`);
  const typeArgs = type === 'ffmpeg' ? [] : ['--type', type];
  const r = startRun(scope, ['--pid-dir', dir, '--id', id, ...typeArgs, ...extra, '--', 'ffmpeg', ...ffmpegArgs(mark)]);
  assert.ok(await waitFor(() => readPidfile(pidfile) !== null && ffmpegPids(mark).length === 1), r.err());
  return { r, mark, pidfile };
}

describe('procsweep run with real ffmpeg workers', { skip: needs('ffmpeg') }, () => {
  const scope = new Scope();
  after(() => scope.cleanup());

  test('list marks the worker supervised while run lives; SIGKILL run => the worker is gone within a second, its pidfile left dead', { skip: linkSkip() }, async () => {
    const { r, mark, pidfile } = await runFfmpeg(scope, 'cam1');
    const { pid: worker, ms } = readPidfile(pidfile)!;
    assert.deepEqual(ffmpegPids(mark), [worker], 'the pidfile names the worker itself (setpriv execs in place)');
    assert.equal(ppidOf(worker), r.pid);
    assert.ok(Math.abs(ms - Date.now()) < 60_000, 'second line: start time in epoch ms');

    const doc = cli(['list', '--json', '--args', mark]).json();
    const rec = doc.processes.find((p: any) => p.pid === worker);
    assert.deepEqual(rec.flags, ['supervised']);
    assert.equal(rec.reasons.supervised, `started by procsweep run ${r.pid} (cam1_ffmpeg), which is alive`);
    assert.equal(rec.sid, worker, 'CMD leads its own session and process group');
    assert.equal(rec.pgid, worker);

    process.kill(r.pid, 'SIGKILL');
    assert.ok(await waitFor(() => !alive(worker), 1000), 'the kernel killed the worker with run');
    assert.equal(readPidfile(pidfile)?.pid, worker, 'a SIGKILLed run cannot remove its pidfile...');
    assert.equal(alive(worker), false, '...which now names a dead pid, for pidfiles clean');
    assert.deepEqual(pidsWith(mark), []);
    // Some container inits (this machine's PID 1) reap orphans a moment late: a zombie record is kept.
    assert.ok(await waitFor(() => !existsSync(`/proc/${worker}`), 10_000), 'PID 1 reaped the worker');
    const clean = cli(['pidfiles', 'clean', '--json', ...LOCK_ARGS, '--pid-dir', dirname(pidfile)]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.deepEqual(clean.json().pidfiles.map((p: any) => [p.path, p.status, p.action]), [[pidfile, 'dead', 'removed']]);
    assert.equal(existsSync(pidfile), false, 'the next pidfiles clean removes it');
  });

  test('a CMD no signature matches: its record is live while run supervises it (not reused), and clean --kill ends it', async () => {
    const mark = scope.mark();
    const dir = pidDir();
    const pidfile = join(dir, 'job7_encode.pid');
    const r = startRun(scope, ['--pid-dir', dir, '--id', 'job7', '--type', 'encode', '--restart', 'never', '--', 'sh', '-c', 'sleep 300; :', mark]);
    assert.ok(await waitFor(() => readPidfile(pidfile) !== null && readPidfile(pidfile)!.pid !== r.pid && alive(readPidfile(pidfile)!.pid)), r.err());
    const worker = readPidfile(pidfile)!.pid;
    const list = cli(['pidfiles', 'list', '--json', '--pid-dir', dir]).json();
    assert.equal(list.pidfiles[0].status, 'live', list.pidfiles[0].reason);
    assert.match(list.pidfiles[0].reason, new RegExp(`is the worker of procsweep run ${r.pid} \\(job7_encode\\)`));
    const clean = cli(['pidfiles', 'clean', '--kill', '-y', '--json', ...LOCK_ARGS, '--grace', '2s', '--pid-dir', dir]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.ok(await waitFor(() => !alive(worker)), 'the recorded worker was ended');
    const end = await Promise.race([r.done, new Promise<null>((res) => setTimeout(() => res(null), 5000))]);
    assert.ok(end, 'run, with --restart never, ends with its worker');
  });

  test('SIGTERM run => graceful stop within the grace period, no orphans, pidfile removed', async () => {
    const { r, mark, pidfile } = await runFfmpeg(scope, 'cam2', ['--grace', '10s'], 'encoder');
    process.kill(r.pid, 'SIGTERM');
    const { code } = await r.done;
    // ffmpeg exits 255 once its handler is installed; a signal that lands earlier kills it (143).
    assert.ok(code === 255 || code === 143, r.err());
    assert.equal(code, loggedStatus(r.err()), "ffmpeg's own status is passed through");
    assert.match(r.err(), /received SIGTERM: stopping ffmpeg \(pid \d+\) and its process group with SIGTERM, SIGKILL after 10s; not restarting/);
    assert.match(r.err(), /stopped ffmpeg \(pid \d+\): 1 terminated$/m, 'it ended on SIGTERM, inside the grace period');
    assert.equal(existsSync(pidfile), false);
    assert.deepEqual(pidsWith(mark), []);
  });

  test('--restart always replaces a dead worker and rewrites the pidfile; SIGINT stops it', async () => {
    const { r, mark, pidfile } = await runFfmpeg(scope, 'cam3', ['--restart', 'always', '--restart-delay', '200ms']);
    const first = readPidfile(pidfile)!.pid;
    process.kill(first, 'SIGKILL');
    assert.ok(await waitFor(() => { const p = readPidfile(pidfile)?.pid; return p !== undefined && p !== first && alive(p); }), r.err());
    assert.match(r.err(), /ffmpeg \(pid \d+\) was killed by SIGKILL \(status 137\)/);
    assert.match(r.err(), /started ffmpeg again \(start 2\)/);
    process.kill(r.pid, 'SIGINT');
    const { code } = await r.done;
    assert.ok(code === 255 || code === 130, r.err());
    assert.equal(code, loggedStatus(r.err()));
    assert.equal(existsSync(pidfile), false);
    assert.deepEqual(pidsWith(mark), []);
  });

  test('the MediaMTX pattern side by side: the parent SIGKILLs only the PID it started', { skip: linkSkip() }, async () => {
    // 1. The seed's shell loop: MediaMTX kills the shell, the ffmpeg it was running lives on.
    const loopMark = scope.mark('loop');
    const script = `while true; do ffmpeg ${ffmpegArgs(loopMark).map((a) => `'${a}'`).join(' ')}; sleep 0.2; done`;
    const loop = scope.spawn('sh', ['-c', script], { detached: true });
    assert.ok(await waitFor(() => ffmpegPids(loopMark).length === 1));
    const [leaked] = ffmpegPids(loopMark);
    process.kill(loop.pid!, 'SIGKILL');
    assert.ok(await waitFor(() => !alive(loop.pid!)));
    assert.ok(await waitFor(() => ppidOf(leaked) !== loop.pid));
    assert.equal(alive(leaked), true, 'the shell loop leaked its ffmpeg');
    const doc = cli(['list', '--json', '--args', loopMark]).json();
    assert.deepEqual(doc.processes.map((p: any) => [p.pid, p.flags]), [[leaked, ['orphan']]]);

    // 2. procsweep run: MediaMTX kills run, nothing is left.
    const runMark = scope.mark('run');
    const r = startRun(scope, ['--restart', 'always', '--', 'ffmpeg', ...ffmpegArgs(runMark)]);
    assert.ok(await waitFor(() => ffmpegPids(runMark).length === 1), r.err());
    process.kill(r.pid, 'SIGKILL');
    assert.ok(await waitFor(() => pidsWith(runMark).length === 0, 1000), 'zero processes left');
    scope.cleanup(); // the leaked loop ffmpeg of part 1
  });

  test('a shell CMD: its ffmpeg is supervised while run lives and shows as leaked (orphan) once run is SIGKILLed', { skip: linkSkip() }, async () => {
    const mark = scope.mark();
    const r = startRun(scope, ['--', 'sh', '-c', `ffmpeg ${ffmpegArgs(mark).map((a) => `'${a}'`).join(' ')}; true`]);
    assert.ok(await waitFor(() => ffmpegPids(mark).length === 1), r.err());
    const [worker] = ffmpegPids(mark);
    let doc = cli(['list', '--json', '--args', mark]).json();
    assert.deepEqual(doc.processes.map((p: any) => [p.role, p.flags]).sort(), [['process', ['supervised']], ['wrapper', ['supervised']]]);
    process.kill(r.pid, 'SIGKILL');
    // The parent-death signal reaches CMD (the shell) only; the ffmpeg it forked is reparented.
    assert.ok(await waitFor(() => cli(['list', '--json', '--args', mark]).json().processes.some((p: any) => p.pid === worker && p.flags.includes('orphan'))));
    doc = cli(['list', '--json', '--args', mark]).json();
    assert.deepEqual(doc.processes.map((p: any) => p.pid), [worker], 'the shell died with run');
    scope.cleanup();
  });

  test('a CMD that ignores SIGTERM is SIGKILLed after --grace; a second signal kills at once', async () => {
    const mark = scope.mark();
    const stubborn = ['sh', '-c', "trap '' TERM INT HUP; while :; do sleep 0.1; done", mark];
    const r = startRun(scope, ['--grace', '500ms', '--', ...stubborn]);
    assert.ok(await waitFor(() => r.err().includes('started sh')), r.err());
    process.kill(r.pid, 'SIGTERM');
    assert.equal((await r.done).code, 137, r.err());
    assert.match(r.err(), /killed after the 500ms grace/);

    const r2 = startRun(scope, ['--grace', '1h', '--', ...stubborn]);
    assert.ok(await waitFor(() => r2.err().includes('started sh')), r2.err());
    process.kill(r2.pid, 'SIGINT');
    assert.ok(await waitFor(() => r2.err().includes('received SIGINT')), r2.err());
    process.kill(r2.pid, 'SIGINT');
    assert.equal((await r2.done).code, 137, r2.err());
    assert.match(r2.err(), /second stop signal: SIGKILL to sh's process group/);
    assert.ok(await waitFor(() => pidsWith(mark).length === 0));
  });

  test('SIGHUP is passed to CMD\'s group and run goes on supervising (reload); SIGTERM then stops it', async () => {
    const mark = scope.mark();
    const seen = join(pidDir(), 'hups');
    // 'ready' once the trap is set: a HUP before that would end the shell, not test run.
    const reloader = ['sh', '-c', `trap 'echo hup >> "$1"' HUP; echo ready >> "$1"; while :; do sleep 0.1; done`, mark, seen];
    const r = startRun(scope, ['--grace', '2s', '--', ...reloader]);
    assert.ok(await waitFor(() => existsSync(seen) && readFileSync(seen, 'utf8') === 'ready\n' && /started sh as pid \d+/.test(r.err())), r.err());
    const cmd = Number(/started sh as pid (\d+)/.exec(r.err())![1]);
    process.kill(r.pid, 'SIGHUP');
    assert.ok(await waitFor(() => readFileSync(seen, 'utf8') === 'ready\nhup\n'), `CMD got the HUP: ${r.err()}`);
    // run says so after it signalled, so its line may reach the pipe after CMD's trap has run: wait for it.
    const forwarded = new RegExp(`received SIGHUP: passed to sh's process group \\(pid ${cmd}\\); still supervising`);
    assert.ok(await waitFor(() => forwarded.test(r.err())), r.err());
    assert.ok(alive(cmd) && alive(r.pid), 'both go on');
    assert.doesNotMatch(r.err(), /stopping|not restarting/);
    process.kill(r.pid, 'SIGTERM');
    assert.equal((await r.done).code, 143, r.err());
    assert.ok(!alive(cmd));
  });

  test('when the process that started run dies, run stops its worker (unless --survive-parent)', async () => {
    const mark = scope.mark();
    const quoted = [process.execPath, BIN, 'run', '--', 'ffmpeg', ...ffmpegArgs(mark)].map((a) => `'${a}'`).join(' ');
    const parent = scope.spawn('sh', ['-c', `${quoted} & wait`], { detached: true });
    assert.ok(await waitFor(() => ffmpegPids(mark).length === 1));
    process.kill(parent.pid!, 'SIGKILL');
    assert.ok(await waitFor(() => pidsWith(mark).length === 0, 10_000), 'run noticed it was orphaned and stopped ffmpeg');

    const keep = scope.mark();
    const quotedKeep = [process.execPath, BIN, 'run', '--survive-parent', '--', 'ffmpeg', ...ffmpegArgs(keep)].map((a) => `'${a}'`).join(' ');
    const parent2 = scope.spawn('sh', ['-c', `${quotedKeep} & wait`], { detached: true });
    assert.ok(await waitFor(() => ffmpegPids(keep).length === 1));
    const [worker] = ffmpegPids(keep);
    process.kill(parent2.pid!, 'SIGKILL');
    assert.ok(await waitFor(() => !alive(parent2.pid!)));
    await new Promise((res) => setTimeout(res, 1000));
    assert.equal(alive(worker), true, '--survive-parent keeps the worker');
    scope.cleanup();
  });

  test('without setpriv run warns, and a SIGKILLed run leaves its worker (detached: it leads its session)', async () => {
    const mark = scope.mark();
    const r = startRun(scope, ['--', 'ffmpeg', ...ffmpegArgs(mark)], { PROCSWEEP_SETPRIV: '' });
    assert.ok(await waitFor(() => ffmpegPids(mark).length === 1), r.err());
    assert.match(r.err(), /warning: PROCSWEEP_SETPRIV is empty, so no parent-death signal: CMD will outlive run if run is SIGKILLed/);
    const [worker] = ffmpegPids(mark);
    process.kill(r.pid, 'SIGKILL');
    assert.ok(await waitFor(() => ppidOf(worker) !== r.pid));
    const doc = cli(['list', '--json', '--args', mark]).json();
    assert.deepEqual(doc.processes.find((p: any) => p.pid === worker).flags, ['detached']);
    scope.cleanup();
  });
});

describe('the parent-death signal follows the thread that forked', { skip: linkSkip() }, () => {
  const spawned: number[] = [];
  after(() => {
    for (const pid of spawned) {
      try {
        process.kill(pid, 'SIGKILL'); // our own children: unreaped, so the pid is still theirs
      } catch {
        /* gone */
      }
    }
  });

  test('a child spawned from a worker thread dies with that thread; one spawned from the main thread (as run does) does not', async () => {
    const prefix = JSON.stringify(LINK.prefix);
    const worker = new Worker(
      `const { spawn } = require('node:child_process');
       const c = spawn(${prefix}[0], [...${prefix}.slice(1), 'sleep', '300'], { stdio: 'ignore', detached: true });
       require('node:worker_threads').parentPort.postMessage(c.pid);`,
      { eval: true },
    );
    const fromWorker = await new Promise<number>((res) => worker.once('message', res));
    const fromMain = spawn(LINK.prefix[0], [...LINK.prefix.slice(1), 'sleep', '300'], { stdio: 'ignore', detached: true });
    fromMain.on('error', () => {});
    spawned.push(fromWorker, fromMain.pid!);
    // setpriv arms the parent-death signal and then execs sleep: only once both run `sleep` is the
    // signal armed. A thread that exits before that (a loaded host) would prove nothing.
    const execed = (pid: number): boolean => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8') === 'sleep\n';
      } catch {
        return false;
      }
    };
    assert.ok(await waitFor(() => execed(fromWorker) && execed(fromMain.pid!)));
    await worker.terminate();
    assert.ok(await waitFor(() => !alive(fromWorker)), 'the worker thread exited: its child got the parent-death signal');
    assert.equal(alive(fromMain.pid!), true, 'the main thread lives: its child lives');
  });
});
