import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { alive, BIN, cli, cliAsync, ffmpegArgs, pidsWith, privateWorld, waitFor } from '../helpers/procs.js';
import { descendants, markedSleep, sleeperOrphan } from '../helpers/workers.js';
import { needs } from '../helpers/needs.js';

// Every sweep here is scoped by a marker (--args, and --signature for the marked sleeps) and a
// private --lock-file; every worker is one this file started, in a session of its own.
const { dir, scope, lockFile } = privateWorld('sweep');
/** A fresh marker with a marked sleep, and the options that scope a sweep to it. */
const sleepers = (): { mark: string; path: string; scoped: string[] } => {
  const mark = scope.mark('swp');
  return { mark, path: markedSleep(dir, mark), scoped: ['--signature', `stub=${mark}`, '--args', mark, '--lock-file', lockFile()] };
};
const q = (args: string[]): string => args.map((a) => `'${a}'`).join(' ');

describe('sweep -y', () => {
  test('a process that ignores SIGTERM is killed after the grace; the JSON report says so', async () => {
    const s = sleepers();
    const pid = await sleeperOrphan(scope, s.path, { ignoreTerm: true });
    const r = cli(['sweep', '-y', '--json', '--grace', '300ms', ...s.scoped]);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    assert.equal(doc.dryRun, false);
    assert.equal(doc.targets.length, 1);
    const t = doc.targets[0];
    assert.equal(t.pid, pid);
    assert.equal(t.outcome, 'killed');
    assert.deepEqual(t.signals, ['SIGSTOP', 'SIGTERM', 'SIGCONT', 'SIGSTOP', 'SIGKILL']);
    assert.deepEqual(t.flags, ['orphan']);
    assert.equal(t.signature, 'stub');
    assert.deepEqual(doc.pidfilesRemoved, []);
    assert.equal(doc.summary.killed, 1);
    assert.equal(typeof doc.durationMs, 'number');
    assert.ok(!alive(pid));
  });

  test('a sh -c restart loop: nothing of it is alive afterwards, and nothing respawns within 3 s', { skip: needs('ffmpeg') }, async () => {
    const mark = scope.mark('loop');
    const wrapper = await scope.orphan('sh', ['-c', `while true; do ffmpeg ${q(ffmpegArgs(mark))}; sleep 0.2; done`]);
    assert.ok(await waitFor(() => descendants(wrapper).length > 0));
    const r = cli(['sweep', '-y', '--json', '--args', mark, '--lock-file', lockFile()]);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    assert.equal(doc.targets[0].pid, wrapper);
    assert.ok(doc.targets.length >= 2, 'the wrapper and its ffmpeg');
    for (const t of doc.targets) assert.match(t.outcome, /^(terminated|killed)$/, `${t.pid}: ${t.reason}`);
    const end = Date.now() + 3000;
    while (Date.now() < end) {
      assert.deepEqual(pidsWith(mark), [], 'something of the loop is alive');
      await new Promise((res) => setTimeout(res, 100));
    }
  });

  test('a kept worker under a planned restart loop: the loop goes, the kept ffmpeg is never signalled and is reported left running', { skip: needs('ffmpeg') }, async () => {
    const mark = scope.mark('keptloop');
    // PROCSWEEP_KEEP=1 is in the ffmpeg's environment only: the wrapper is an orphan candidate, its worker is kept.
    const wrapper = await scope.orphan('sh', ['-c', `while true; do PROCSWEEP_KEEP=1 ffmpeg ${q(ffmpegArgs(mark))}; sleep 0.2; done`]);
    assert.ok(await waitFor(() => descendants(wrapper).length > 0));
    const ffmpeg = descendants(wrapper)[0];
    try {
      const r = cli(['sweep', '-y', '--json', '--args', mark, '--lock-file', lockFile()]);
      assert.equal(r.code, 1, 'something is left running: ' + r.stderr);
      const doc = r.json();
      const w = doc.targets.find((t: any) => t.pid === wrapper);
      const k = doc.targets.find((t: any) => t.pid === ffmpeg);
      assert.match(w.outcome, /^(terminated|killed)$/, w.reason);
      assert.equal(k.outcome, 'skipped');
      assert.deepEqual(k.signals, [], 'the kept ffmpeg was signalled');
      assert.match(k.reason, /kept: its environment has PROCSWEEP_KEEP=1/);
      assert.equal(doc.summary.leftRunning, 1);
      assert.ok(await waitFor(() => !alive(wrapper)), 'the wrapper is gone');
      assert.ok(alive(ffmpeg), 'the kept ffmpeg still runs');
      assert.deepEqual(pidsWith(mark), [ffmpeg], 'nothing respawned, nothing else of the loop is left');
    } finally {
      try {
        process.kill(ffmpeg, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });

  test('grandchildren go with their tree', { skip: needs('ffmpeg') }, async () => {
    const mark = scope.mark('tree');
    const root = await scope.orphan('sh', ['-c', `sh -c "sleep 300; true" & ffmpeg ${q(ffmpegArgs(mark))} & wait`]);
    assert.ok(await waitFor(() => descendants(root).length >= 3));
    const tree = [root, ...descendants(root)];
    const r = cli(['sweep', '-y', '--json', '--args', mark, '--lock-file', lockFile()]);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    const got = doc.targets.map((t: any) => t.pid);
    for (const pid of tree) assert.ok(got.includes(pid), `${pid} missing from ${got}`);
    for (const t of doc.targets) assert.equal(t.candidate, root);
    for (const pid of tree) assert.ok(!alive(pid), `${pid} alive`);
  });

  test('--dry-run renders the plan -y executes, and signals nothing', async () => {
    const s = sleepers();
    const pids = [await sleeperOrphan(scope, s.path), await sleeperOrphan(scope, s.path)];
    const dry = cli(['sweep', '-n', '--json', ...s.scoped]);
    assert.equal(dry.code, 0, dry.stderr);
    const planned = dry.json().targets.map((t: any) => [t.pid, t.outcome]);
    assert.deepEqual(planned.sort(), pids.map((p) => [p, 'planned']).sort());
    for (const p of pids) assert.ok(alive(p));
    const human = cli(['sweep', '-n', ...s.scoped]);
    assert.match(human.stdout, /Dry run: would signal 2 processes in 2 trees/);
    assert.match(human.stdout, /why +\d+: orphan: parent is PID 1/);
    const acted = cli(['sweep', '-y', '--json', ...s.scoped]).json().targets.map((t: any) => t.pid);
    assert.deepEqual(acted.sort(), pids.sort());
  });

  test('--max refuses a bigger plan with exit 2; -n still shows the whole plan and names the --max -y needs', async () => {
    const s = sleepers();
    const pids = [await sleeperOrphan(scope, s.path), await sleeperOrphan(scope, s.path)];
    const r = cli(['sweep', '-y', '--max', '1', ...s.scoped]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /would signal 2 processes, more than --max 1: .*--max 2 takes all of it/);
    const dry = cli(['sweep', '-n', '--max', '1', ...s.scoped]);
    assert.equal(dry.code, 0, dry.stderr);
    const planned = [...dry.stdout.matchAll(/^\s+why\s+(\d+):/gm)].map((m) => Number(m[1])).sort();
    assert.deepEqual(planned, [...pids].sort());
    assert.match(dry.stdout, /Dry run: would signal 2 processes in 2 trees/);
    assert.match(dry.stdout, /^-y would refuse this plan: it signals 2 processes, more than --max 1\. To act on all of it, add --max 2;/m);
    const json = cli(['sweep', '-n', '--json', '--max', '1', ...s.scoped]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.json().targets.length, 2, 'the JSON preview is whole too');
    assert.match(json.stderr, /^procsweep: warning: -y would refuse this plan: .*add --max 2;/);
    const enough = cli(['sweep', '-n', '--max', '2', ...s.scoped]);
    assert.doesNotMatch(enough.stdout, /would refuse/);
    for (const p of pids) assert.ok(alive(p));
  });

  test('--log appends one JSON line per target; the human report ends with a summary', async () => {
    const s = sleepers();
    const pids = [await sleeperOrphan(scope, s.path), await sleeperOrphan(scope, s.path, { ignoreTerm: true })];
    const log = join(dir, `${s.mark}.jsonl`);
    const r = cli(['sweep', '-y', '--grace', '200ms', '--log', log, ...s.scoped]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\s*PID\s+OUTCOME\s+SIGNALS\s+COMMAND/m);
    assert.match(r.stdout, /Done in \d+(ms|\.\ds): 1 terminated, 1 killed \(needed SIGKILL\); nothing left running\./);
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.pid).sort(), pids.sort());
    for (const l of lines) {
      assert.equal(l.command, 'sweep');
      assert.ok(!Number.isNaN(Date.parse(l.time)));
      assert.match(l.argv[0], new RegExp(s.mark));
      assert.match(l.reasons.orphan, /parent is PID 1/);
      assert.match(l.outcome, /^(terminated|killed)$/);
    }
    const bad = cli(['sweep', '-y', '--log', join(dir, 'no', 'such', 'dir.jsonl'), ...s.scoped]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /cannot open the audit log/);
  });

  test('--older-than leaves younger candidates alone; nothing to do exits 0', async () => {
    const s = sleepers();
    const pid = await sleeperOrphan(scope, s.path);
    const r = cli(['sweep', '-y', '--older-than', '1h', ...s.scoped]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Nothing to sweep: the 1 matched process is not orphan or abandoned older than 1h/);
    assert.ok(alive(pid));
    assert.equal(cli(['sweep', '-y', '--target', 'long-lived', ...s.scoped]).code, 2);
  });
});

describe('consent', () => {
  test('stdin from /dev/null: refused at once with exit 2 naming --yes; nothing is killed', async () => {
    const s = sleepers();
    const pid = await sleeperOrphan(scope, s.path);
    for (const args of [['sweep', ...s.scoped], ['kill-group', String(pid)]]) {
      const r = cli(args, { stdin: 'ignore' });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /stdin is not a terminal.*--yes/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.equal(r.stdout, '');
    }
    assert.ok(alive(pid));
  });

  test('stdin from an idle pipe: refused at once, never waits on the pipe; nothing is killed', async () => {
    const s = sleepers();
    const pid = await sleeperOrphan(scope, s.path);
    const child = spawn(process.execPath, [BIN, 'sweep', ...s.scoped], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 15_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    child.stdin.destroy(); // only now: the pipe stayed open and silent while it ran
    if (code === null) child.kill('SIGKILL');
    assert.equal(code, 2, 'exited on its own, without waiting for the pipe');
    assert.match(stderr, /--yes/);
    assert.ok(alive(pid));
  });
});

describe('lock', () => {
  test('two concurrent sweeps: exactly one acts, the other exits 3 naming the holder', async () => {
    const s = sleepers();
    const pids = [await sleeperOrphan(scope, s.path, { ignoreTerm: true }), await sleeperOrphan(scope, s.path, { ignoreTerm: true })];
    const args = ['sweep', '-y', '--json', '--grace', '1500ms', ...s.scoped];
    const [a, b] = await Promise.all([cliAsync(args), cliAsync(args)]);
    const runs = [a, b];
    const acted = runs.filter((r) => r.code === 0 && r.json().targets.some((t: any) => t.signals.length > 0));
    assert.equal(acted.length, 1, runs.map((r) => `${r.code}: ${r.stderr}`).join(' | '));
    const other = runs.find((r) => r !== acted[0])!;
    assert.equal(other.code, 3, other.stderr);
    assert.match(other.stderr, /another sweep holds the lock .*: PID \d+ \(.*sweep/);
    assert.equal(other.stdout, '');
    assert.deepEqual(acted[0].json().targets.map((t: any) => t.pid).sort(), pids.sort());
    for (const p of pids) assert.ok(!alive(p));
  });

  test('--wait-lock waits for the running sweep, then finds nothing left to do', async () => {
    const s = sleepers();
    const pid = await sleeperOrphan(scope, s.path, { ignoreTerm: true });
    // A TERM-ignoring target holds the first sweep for its whole grace: long enough that the second
    // sweep (a new node process, slow to start on a loaded host) still finds the lock held.
    const first = cliAsync(['sweep', '-y', '--json', '--grace', '4s', ...s.scoped]);
    const lock = s.scoped[s.scoped.indexOf('--lock-file') + 1];
    assert.ok(await waitFor(() => {
      try {
        return JSON.parse(readFileSync(lock, 'utf8')).pid > 0;
      } catch {
        return false;
      }
    }));
    const second = await cliAsync(['sweep', '-y', '--json', '--wait-lock', ...s.scoped]);
    const firstRun = await first;
    assert.equal(firstRun.code, 0, firstRun.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /waiting for the sweep lock/);
    assert.deepEqual(second.json().targets, []);
    assert.ok(!alive(pid));
  });
});

describe('zombies', () => {
  test('a matched zombie is reported, not signalled, naming the parent to fix', { skip: needs('ffmpeg') }, async () => {
    // sh starts ffmpeg -version in the background and execs into sleep, which never reaps it.
    const parent = scope.spawn('sh', ['-c', 'ffmpeg -hide_banner -version >/dev/null & exec sleep 300'], { detached: true }).pid!;
    let zombie = 0;
    assert.ok(await waitFor(() => {
      zombie = descendants(parent).find((c) => !alive(c)) ?? 0;
      return zombie > 0;
    }));
    // A zombie has no argv left: it is matched by comm, so this dry run is scoped by that pid's parent below.
    const r = cli(['sweep', '-n', '--json', '--match', 'ffmpeg', '--args', '^ffmpeg$']);
    assert.equal(r.code, 0, r.stderr);
    const z = r.json().targets.find((t: any) => t.pid === zombie);
    assert.ok(z, r.stdout);
    assert.equal(z.outcome, 'skipped');
    assert.match(z.reason, new RegExp(`parent ${parent} \\(sleep\\) has not called wait\\(\\)`));
    assert.deepEqual(z.signals, []);
  });
});
