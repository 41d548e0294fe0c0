import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { alive, cli, pidsWith, privateWorld, waitFor } from '../helpers/procs.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';
import { WatchRun } from '../helpers/watch.js';
import { RunStoppedError, sweep } from '../../src/index.js';

// A run that stops on an error mid-way loses no record of what was done (the real portable
// backend, real processes). The one stub is at a boundary: `ps` on the CLI's PATH is a wrapper
// around the real one that fails (as a fork failing with EAGAIN would) once it sees one of this
// test's marked workers stopped, i.e. on the engine's first re-read after its SIGSTOPs. Scoped by
// a unique marker (--args, --signature), a private --lock-file; only workers this file started.
const { dir, scope, lockFile } = privateWorld('stop');

/** State letter of a live process, from /proc (null once gone). */
function state(pid: number): string | null {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/** A directory holding a `ps` that runs the real one and fails while a process carrying `mark` is stopped (stat T). */
function failingPs(mark: string): string {
  const real = spawnSync('sh', ['-c', 'command -v ps'], { encoding: 'utf8' }).stdout.trim();
  assert.ok(real, 'ps is on PATH');
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  // The ps columns are pid ppid pgid sess uid stat lstart args: the state is the 6th field.
  writeFileSync(join(bin, 'ps'), `#!/bin/sh
out=$('${real}' "$@") || exit $?
if printf '%s\\n' "$out" | grep -F '${mark}' | awk '{ print $6 }' | grep -q '^T'; then
  echo 'ps: fork: Resource temporarily unavailable' >&2
  exit 1
fi
printf '%s\\n' "$out"
`);
  chmodSync(join(bin, 'ps'), 0o755);
  return bin;
}

test('sweep --backend portable: ps failing after the SIGSTOPs still prints the JSON report (with error), writes every --log record, leaves nothing stopped, exits 3', async () => {
  const mark = scope.mark('stop');
  const path = markedSleep(dir, mark);
  const calm = await sleeperOrphan(scope, path);
  const deaf = await sleeperOrphan(scope, path, { ignoreTerm: true });
  assert.ok(await waitFor(() => pidsWith(mark).length === 2));
  const log = join(dir, 'audit.jsonl');
  const env = { PATH: `${failingPs(mark)}:${process.env.PATH}` };
  const r = cli(['sweep', '-y', '--json', '--grace', '300ms', '--backend', 'portable', '--signature', `stub=${mark}`, '--args', mark, '--lock-file', lockFile(), '--log', log], { env });
  assert.equal(r.code, 3, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines.at(-1)!, /^procsweep: cannot read the process table with ps \(1\)/, 'the error line comes last');
  const doc = r.json(); // the whole document, never a half line
  assert.match(doc.error, /^cannot read the process table with ps \(1\)/);
  assert.deepEqual(doc.targets.map((t: any) => t.pid).sort(), [calm, deaf].sort());
  const byPid = new Map(doc.targets.map((t: any) => [t.pid, t]));
  const d: any = byPid.get(deaf);
  assert.equal(d.outcome, 'failed', d.reason);
  assert.deepEqual(d.signals, ['SIGSTOP', 'SIGTERM', 'SIGCONT'], 'resumed, and the thaw is on the record');
  assert.match(d.reason, /^not finished: the run stopped \(cannot read the process table with ps \(1\).*\); signals sent: SIGSTOP, SIGTERM, SIGCONT$/);
  // The calm one has no TERM handler: it dies of the queued SIGTERM even while stopped. If its
  // parent (PID 1 here) has reaped it by the thaw, the thaw's SIGCONT finds no such process
  // (ESRCH), which is its honest outcome; if it is still a zombie, the SIGCONT lands and the
  // portable table (as old as the failed read) leaves it `failed`.
  const c: any = byPid.get(calm);
  if (c.outcome === 'terminated') assert.deepEqual(c.signals, ['SIGSTOP', 'SIGTERM'], c.reason);
  else {
    assert.equal(c.outcome, 'failed', c.reason);
    assert.deepEqual(c.signals, ['SIGSTOP', 'SIGTERM', 'SIGCONT']);
    assert.match(c.reason, /^not finished: the run stopped \(cannot read the process table with ps \(1\)/);
  }
  assert.equal(doc.summary.failed, c.outcome === 'failed' ? 2 : 1);
  const audit = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(audit.map((a) => [a.pid, a.command, a.outcome]).sort(), doc.targets.map((t: any) => [t.pid, 'sweep', t.outcome]).sort(), 'one --log record per target');
  // Nothing is left stopped: the calm one died of its SIGTERM; the deaf one was resumed and runs on.
  assert.ok(await waitFor(() => !alive(calm)), 'the calm worker died of its SIGTERM');
  assert.equal(state(deaf) === 'T' || state(deaf) === 't', false, `the deaf worker is ${state(deaf)}`);
  assert.ok(alive(deaf));
});

test('kill-tree --backend portable, human output: the report table and its summary say the run was stopped, then the error line, exit 3', async () => {
  const mark = scope.mark('stoptree');
  const deaf = await sleeperOrphan(scope, markedSleep(dir, mark), { ignoreTerm: true });
  assert.ok(await waitFor(() => pidsWith(mark).length === 1));
  const env = { PATH: `${failingPs(mark)}:${process.env.PATH}` };
  const r = cli(['kill-tree', '-y', '--grace', '300ms', '--backend', 'portable', '--lock-file', lockFile(), String(deaf)], { env });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, new RegExp(`${deaf}\\s+failed`));
  assert.match(r.stdout, /not finished: the run stopped \(cannot read the process table with ps \(1\)/);
  assert.match(r.stdout, /^Stopped by an error after \S+: 1 failed; 1 left running/m);
  assert.match(r.stderr.trim().split('\n').at(-1)!, /^procsweep: cannot read the process table with ps \(1\)/);
  assert.ok(alive(deaf) && state(deaf) !== 'T', 'resumed, not left stopped');
});

test('watch --sweep, portable, ps failing after every SIGSTOP: the stopped runs are reported and retried, then given up after 3; the worker is never left stopped', async () => {
  const mark = scope.mark('stopwatch');
  const deaf = await sleeperOrphan(scope, markedSleep(dir, mark), { ignoreTerm: true });
  assert.ok(await waitFor(() => pidsWith(mark).length === 1));
  const env = { PATH: `${failingPs(mark)}:${process.env.PATH}` };
  const w = new WatchRun(['watch', '--json', '--interval', '200ms', '--backend', 'portable', '--signature', `stub=${mark}`, '--args', mark, '--sweep', '--yes', '--grace', '300ms', '--lock-file', lockFile()], env);
  try {
    const third = await w.waitFor((l) => l.type === 'tick' && w.events().filter((e) => e.event === 'swept' && e.pid === deaf).length >= 3, 'three stopped runs');
    await w.waitFor((l) => l.type === 'tick' && l.tick > third.tick + 4, 'a few more ticks');
    const swept = w.events().filter((e) => e.event === 'swept' && e.pid === deaf);
    assert.equal(swept.length, 3, `given up after 3 stopped runs, not signalled every tick: ${JSON.stringify(swept.map((e) => [e.tick, e.outcome, e.startTicks, e.argv, e.reason]))}`);
    for (const e of swept) {
      assert.equal(e.outcome, 'failed', e.reason);
      assert.deepEqual(e.signals, ['SIGSTOP', 'SIGTERM', 'SIGCONT']);
    }
    assert.ok(alive(deaf) && state(deaf) !== 'T' && state(deaf) !== 't', 'resumed, not left stopped');
  } finally {
    await w.stop('SIGTERM');
  }
});

test('library sweep(), portable, ps failing after the SIGSTOPs: rejects with RunStoppedError carrying the report, the --log records written first', async () => {
  const mark = scope.mark('stoplib');
  const deaf = await sleeperOrphan(scope, markedSleep(dir, mark), { ignoreTerm: true });
  assert.ok(await waitFor(() => pidsWith(mark).length === 1));
  const log = join(dir, 'lib-audit.jsonl');
  // The library runs ps in this process: the failing wrapper goes first on this process's PATH, for this call only.
  const path = process.env.PATH;
  process.env.PATH = `${failingPs(mark)}:${path}`;
  let err: unknown;
  try {
    await sweep({ backend: 'portable', signatures: [`stub=${mark}`], args: mark, lockFile: lockFile(), graceMs: 300, log });
  } catch (e) {
    err = e;
  } finally {
    process.env.PATH = path;
  }
  assert.ok(err instanceof RunStoppedError, String(err));
  const e = err as RunStoppedError;
  assert.match(e.message, /^cannot read the process table with ps \(1\)/);
  assert.equal(e.exitCode, 3);
  assert.equal(e.report.error, e.message);
  assert.deepEqual(e.report.targets.map((t) => [t.pid, t.outcome, t.signals]), [[deaf, 'failed', ['SIGSTOP', 'SIGTERM', 'SIGCONT']]]);
  assert.equal(e.auditFailed, null);
  const audit = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(audit.map((a) => [a.pid, a.command, a.outcome]), [[deaf, 'sweep', 'failed']]);
  assert.ok(alive(deaf) && state(deaf) !== 'T' && state(deaf) !== 't', 'resumed, not left stopped');
});
