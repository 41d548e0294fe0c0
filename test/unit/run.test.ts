import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { classify } from '../../src/core/decide/classify.js';
import { ProcsweepError, UsageError } from '../../src/core/errors.js';
import { deathLink, resolveCommand } from '../../src/core/run/launch.js';
import { checkNamePart, pidfilePath, removeOwnPidfile, writePidfile } from '../../src/core/run/pidfile.js';
import { exitStatus, restartDecision } from '../../src/core/run/policy.js';
import { BUILTIN_SIGNATURES } from '../../src/core/decide/signatures.js';
import { procsweepRunLabel, supervisorIndex } from '../../src/core/run/detect.js';
import type { ProcessInfo, Snapshot } from '../../src/core/types.js';
import { renderRunEvent } from '../../src/render/run.js';

test('restart policy: never, on-failure, always, the limit, and stopping', () => {
  assert.equal(restartDecision('never', 1, 0, null, false), 'done');
  assert.equal(restartDecision('on-failure', 0, 0, null, false), 'done');
  assert.equal(restartDecision('on-failure', 1, 0, null, false), 'restart');
  assert.equal(restartDecision('on-failure', 143, 5, null, false), 'restart');
  assert.equal(restartDecision('always', 0, 0, null, false), 'restart');
  assert.equal(restartDecision('always', 0, 2, 3, false), 'restart');
  assert.equal(restartDecision('always', 0, 3, 3, false), 'give-up');
  assert.equal(restartDecision('on-failure', 1, 0, 0, false), 'give-up');
  assert.equal(restartDecision('on-failure', 0, 3, 3, false), 'done', 'a clean exit is not a failure to give up on');
  assert.equal(restartDecision('always', 1, 0, null, true), 'done', 'a stopping run never restarts');
});

test('exit status as shells report it: the code, or 128 + the signal number', () => {
  assert.equal(exitStatus({ code: 0, signal: null }), 0);
  assert.equal(exitStatus({ code: 7, signal: null }), 7);
  assert.equal(exitStatus({ code: null, signal: 'SIGKILL' }), 137);
  assert.equal(exitStatus({ code: null, signal: 'SIGTERM' }), 143);
  assert.equal(exitStatus({ code: null, signal: 'SIGINT' }), 130);
});

test('procsweep run is recognised by its command line, with its pidfile as label', () => {
  assert.equal(procsweepRunLabel(['node', '/usr/bin/procsweep', 'run', '--id', 'cam1', '--pid-dir', '/run/p', '--', 'ffmpeg', '-i', 'x']), 'cam1_ffmpeg');
  assert.equal(procsweepRunLabel(['/usr/bin/node', '/srv/procsweep/bin/procsweep.js', 'run', '--restart', 'always', 'ffmpeg', '--id', 'no']), 'no pidfile');
  assert.equal(procsweepRunLabel(['node', '--import', 'tsx', 'src/cli/main.ts', 'run', '--type=srtOut:6000', '--id=route_1', '--', '/usr/bin/srt-live-transmit']), 'route_1_srtOut:6000');
  assert.equal(procsweepRunLabel(['node', '/x/dist/cli/main.js', 'run', '--pid-dir', '/p', '--id', 'r', '/usr/bin/ffmpeg']), 'r_ffmpeg');
  assert.equal(procsweepRunLabel(['procsweep', 'run', '--', 'ffmpeg']), 'no pidfile', 'a single-file build runs as argv[0]');
  assert.equal(procsweepRunLabel(['node', '/usr/bin/procsweep', 'list', 'run']), null);
  assert.equal(procsweepRunLabel(['vim', 'procsweep.js', 'run']), null);
  assert.equal(procsweepRunLabel(['node', 'server.js', 'run']), null);
  assert.equal(procsweepRunLabel(['ffmpeg', '-i', 'procsweep', 'run']), null);
});

function proc(pid: number, ppid: number, argv: string[], extra: Partial<ProcessInfo> = {}): ProcessInfo {
  return { pid, ppid, pgid: pid, sid: pid, uid: 0, state: 'S', comm: argv[0].slice(-15), argv, startTicks: pid * 10, startedAt: null, cpuTicks: 0, threads: 1, rssBytes: 0, kernelThread: false, ...extra };
}

function snapshot(list: ProcessInfo[]): Snapshot {
  return { scannedAt: 0, backend: 'procfs', processes: new Map(list.map((p) => [p.pid, p])), clockTicks: 100, bootTime: 0, selfPid: 99_999 };
}

test('workers of a live procsweep run are supervised, never orphans; once run is gone they are leaked', () => {
  const init = proc(1, 0, ['/sbin/init']);
  const run = proc(500, 400, ['node', '/usr/bin/procsweep', 'run', '--id', 'cam1', '--pid-dir', '/p', '--', 'sh', '-c', 'ffmpeg -i x -f null -']);
  const wrapper = proc(501, 500, ['sh', '-c', 'ffmpeg -i x -f null -']);
  const worker = proc(502, 501, ['ffmpeg', '-i', 'x', '-f', 'null', '-'], { pgid: 501, sid: 501 });
  const live = snapshot([init, run, wrapper, worker]);
  const f = new Map(classify(live, { signatures: BUILTIN_SIGNATURES, supervisors: supervisorIndex(live) }).map((x) => [x.proc.pid, x]));
  assert.deepEqual(f.get(502)!.flags, ['supervised']);
  assert.equal(f.get(502)!.reasons.supervised, 'started by procsweep run 500 (cam1_sh), which is alive');
  assert.deepEqual(f.get(501)!.flags, ['supervised']);

  // run SIGKILLed: the kernel killed the wrapper (parent-death signal); the worker it forked was reparented.
  const gone = snapshot([init, { ...worker, ppid: 1 }]);
  const g = classify(gone, { signatures: BUILTIN_SIGNATURES, supervisors: supervisorIndex(gone) });
  assert.deepEqual(g[0].flags, ['orphan']);

  // A recycled pid is not the same run: the start time must match.
  const index = supervisorIndex(live);
  index.set(500, { startTicks: 1, label: 'old' });
  const h = classify(live, { signatures: BUILTIN_SIGNATURES, supervisors: index });
  assert.deepEqual(h.find((x) => x.proc.pid === 502)!.flags, []);
});

test('pidfile: timestamped format, written atomically, removed only while it names our pid', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'psw-run-unit-'));
  try {
    const path = await writePidfile(dir, 'route_1761154355576', 'srtOut:6000', 4242, 1761210663315.4);
    assert.equal(path, pidfilePath(dir, 'route_1761154355576', 'srtOut:6000'));
    assert.equal(readFileSync(path, 'utf8'), '4242\n1761210663315\n');
    assert.deepEqual(readdirSync(dir), ['route_1761154355576_srtOut:6000.pid'], 'no temporary file is left');
    assert.equal(await removeOwnPidfile(path, 4243), false, 'another pid: left alone');
    assert.equal(await removeOwnPidfile(path, 4242), true);
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(await removeOwnPidfile(path, 4242), false, 'already gone is fine');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pidfile name parts may not leave the directory or hide the file', () => {
  assert.equal(checkNamePart('--id', 'route_1'), 'route_1');
  assert.equal(checkNamePart('--type', 'srtOut:6000'), 'srtOut:6000');
  for (const bad of ['', '../x', 'a/b', '.hidden', 'a\nb']) assert.throws(() => checkNamePart('--id', bad), UsageError);
});

test('CMD is checked before anything starts: 127 not found, 126 not executable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psw-run-unit-'));
  try {
    const script = join(dir, 'script.sh');
    writeFileSync(script, '#!/bin/sh\n');
    chmodSync(script, 0o644);
    const code = (fn: () => unknown): number => {
      try {
        fn();
        return 0;
      } catch (err) {
        return (err as ProcsweepError).exitCode;
      }
    };
    assert.equal(code(() => resolveCommand('no-such-command-psw', { PATH: dir })), 127);
    assert.equal(code(() => resolveCommand(join(dir, 'missing'), {})), 127);
    assert.equal(code(() => resolveCommand(script, {})), 126);
    assert.equal(code(() => resolveCommand(dir, {})), 126);
    chmodSync(script, 0o755);
    assert.equal(resolveCommand('script.sh', { PATH: `/nonexistent:${dir}` }), script);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parent-death link: setpriv when present, a clear warning otherwise', () => {
  assert.match(deathLink({ PATH: '/usr/bin' }, 'darwin').warning!, /Linux-only.*outlive run/);
  assert.match(deathLink({ PATH: '/usr/bin', PROCSWEEP_SETPRIV: '' }, 'linux').warning!, /PROCSWEEP_SETPRIV is empty/);
  assert.match(deathLink({ PATH: '/nonexistent' }, 'linux').warning!, /setpriv was not found on PATH \(install util-linux\)/);
  assert.match(deathLink({ PROCSWEEP_SETPRIV: '/bin/true' }, 'linux').warning!, /has no --pdeathsig/);
  const real = deathLink(process.env, 'linux');
  if (real.tool) assert.deepEqual(real.prefix, [real.tool, '--pdeathsig', 'KILL', '--']);
});

test('run events read as one line each for the log', () => {
  const child = { pid: 42, startTicks: 1, start: 2, pidfile: '/p/cam1_ffmpeg.pid' };
  const ctx = { name: 'ffmpeg', graceMs: 3000 };
  assert.deepEqual(renderRunEvent({ type: 'started', child }, ctx), ['started ffmpeg again (start 2) as pid 42, pidfile /p/cam1_ffmpeg.pid']);
  assert.deepEqual(renderRunEvent({ type: 'exited', child, exit: { code: null, signal: 'SIGSEGV' }, status: 139, uptimeMs: 65_000 }, ctx), ['ffmpeg (pid 42) was killed by SIGSEGV (status 139) after 1m05s']);
  assert.deepEqual(renderRunEvent({ type: 'restarting', delayMs: 500, restart: 1, maxRestarts: 3 }, ctx), ['restarting ffmpeg in 500ms (restart 1 of 3)']);
  assert.deepEqual(renderRunEvent({ type: 'restarting', delayMs: 2000, restart: 4, maxRestarts: null }, ctx), ['restarting ffmpeg in 2s (restart 4, no limit)']);
  assert.deepEqual(renderRunEvent({ type: 'gave-up', restarts: 3, status: 1, maxRestarts: 3 }, ctx), ['giving up: ffmpeg exited with status 1 after 3 restarts (--max-restarts 3); exiting with status 1']);
  const report = { durationMs: 3100, results: [
    { pid: 42, ppid: 1, argv: [], startTicks: 1, outcome: 'killed' as const, reason: '', signals: ['SIGTERM', 'SIGKILL'] },
    { pid: 43, ppid: 42, argv: [], startTicks: 2, outcome: 'survived' as const, reason: 'in D state (uninterruptible I/O)', signals: ['SIGTERM', 'SIGKILL'] },
  ] };
  assert.deepEqual(renderRunEvent({ type: 'stopped', child, report }, ctx), ['stopped ffmpeg (pid 42): 1 killed after the 3s grace, 1 survived', 'pid 43 survived: in D state (uninterruptible I/O)']);
});
