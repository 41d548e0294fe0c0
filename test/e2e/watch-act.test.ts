import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { alive, cli, ffmpegArgs, Scope, waitFor } from '../helpers/procs.js';
import { WatchRun } from '../helpers/watch.js';
import { needs } from '../helpers/needs.js';

const startTicks = (pid: number): number => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[19]);
};

describe('watch --sweep terminates orphans, scoped by --args and a private lock', { skip: needs('ffmpeg') }, () => {
  const scope = new Scope();
  const mark = scope.mark();
  const dir = mkdtempSync(join(tmpdir(), 'psw-wsweep-'));
  const lock = join(dir, 'sweep.lock');
  let run: WatchRun | undefined;
  after(() => {
    run?.child.kill('SIGKILL');
    scope.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an orphan is swept (swept event, gone, no exited event); a supervised worker is left; a held lock waits', async () => {
    // A supervised worker (its parent shell is alive) must survive every tick.
    const sup = scope.spawn('sh', ['-c', `ffmpeg ${ffmpegArgs(`${mark}-kept`).map((a) => `'${a}'`).join(' ')}; true`], { detached: true });
    // Another sweep holds the lock: a live process of ours, named in the lock file.
    const holder = scope.spawn('sleep', ['60'], { detached: true });
    await waitFor(() => alive(holder.pid!));
    writeFileSync(lock, `${JSON.stringify({ pid: holder.pid, startTicks: startTicks(holder.pid!), since: new Date().toISOString() })}\n`);

    run = new WatchRun(['watch', '--json', '--interval', '200ms', '--args', mark, '--sweep', '--yes', '--grace', '1s', '--lock-file', lock]);
    const w = run;
    await w.waitFor((l) => l.type === 'tick', 'the first tick');
    const orphan = await scope.orphan('ffmpeg', ffmpegArgs(`${mark}-orphan`));
    await w.waitFor((l) => l.event === 'orphaned' && l.pid === orphan, 'the orphan seen');
    const held = await w.waitFor((l) => l.type === 'tick' && l.warnings?.some((m: string) => /another sweep holds the lock/.test(m)), 'the held lock reported');
    assert.match(held.warnings[0], new RegExp(`another sweep holds the lock ${lock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*${holder.pid}`));
    assert.ok(alive(orphan), 'nothing signalled while the lock is held');

    // The holder goes away: the next tick takes the (now stale) lock and sweeps.
    process.kill(holder.pid!, 'SIGKILL');
    const swept = await w.waitFor((l) => l.event === 'swept' && l.pid === orphan, 'the orphan swept');
    assert.equal(swept.outcome, 'terminated', swept.reason);
    assert.equal(swept.signature, 'ffmpeg');
    assert.deepEqual(swept.signals.slice(0, 2), ['SIGSTOP', 'SIGTERM']);
    assert.ok(await waitFor(() => !alive(orphan)), 'the orphan is gone');
    await w.waitFor((l) => l.type === 'tick' && l.tick > swept.tick + 2, 'a few more ticks');
    assert.ok(!w.events().some((e) => e.pid === orphan && (e.event === 'exited' || e.event === 'reaped')), 'its end is not reported twice');
    assert.ok(alive(sup.pid!), 'the supervised worker and its shell are untouched');
    assert.equal(w.events().filter((e) => e.event === 'swept').length, 1);
    assert.ok(!existsSync(lock), 'the lock is released');
    assert.equal(await w.stop('SIGTERM'), 0);
  });

  test('an orphan the guard protects (procsweep\'s own session) is reported once as swept/skipped, never signalled', async () => {
    const m = scope.mark('wguard');
    const lock2 = join(dir, 'sweep2.lock');
    const w = new WatchRun(['watch', '--json', '--interval', '200ms', '--args', m, '--sweep', '--yes', '--grace', '1s', '--lock-file', lock2]);
    try {
      await w.waitFor((l) => l.type === 'tick', 'the first tick');
      // Not detached: the shell exits at once and ffmpeg is an orphan in this session, which
      // is also the session of the watch this test started.
      const sh = scope.spawn('sh', ['-c', `ffmpeg ${ffmpegArgs(m).map((a) => `'${a}'`).join(' ')} </dev/null >/dev/null 2>&1 &`]);
      await new Promise((r) => sh.on('exit', r));
      const skipped = await w.waitFor((l) => l.event === 'swept' && l.outcome === 'skipped', 'the guarded orphan reported');
      assert.match(skipped.reason, /procsweep's own (session|process group)/);
      assert.deepEqual(skipped.signals, []);
      assert.ok(alive(skipped.pid), 'never signalled');
      await w.waitFor((l) => l.type === 'tick' && l.tick > skipped.tick + 3, 'a few more ticks');
      assert.equal(w.events().filter((e) => e.event === 'swept').length, 1, 'reported once while it lives');
      process.kill(skipped.pid, 'SIGKILL'); // ours: it carries this test's marker
    } finally {
      await w.stop('SIGTERM');
    }
  });

  test('--sweep needs --yes; --older-than needs --sweep; --clean-pidfiles needs records', () => {
    for (const [args, re] of [
      [['watch', '--sweep', '--args', mark], /watch --sweep terminates orphans on every scan without asking: add --yes/],
      [['watch', '--older-than', '5m'], /--older-than only applies with --sweep/],
      [['watch', '--clean-pidfiles'], /--clean-pidfiles needs records to watch: give --pid-dir/],
      [['pidfiles', 'watch'], /pidfiles watch needs records to watch/],
    ] as Array<[string[], RegExp]>) {
      const r = cli(args, { env: { XDG_CONFIG_HOME: dir } });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  });
});

describe('watch --clean-pidfiles and pidfiles watch drop stale records, never live ones', { skip: needs('ffmpeg') }, () => {
  const scope = new Scope();
  const mark = scope.mark();
  const dir = mkdtempSync(join(tmpdir(), 'psw-wclean-'));
  after(() => {
    scope.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a dead pidfile and a dead registry entry are removed; the live ones stay', async () => {
    const pids = join(dir, 'pids');
    mkdirSync(pids);
    const live = scope.spawn('ffmpeg', ffmpegArgs(mark), { detached: true });
    await waitFor(() => alive(live.pid!));
    const gone = scope.spawn('sleep', ['60'], { detached: true });
    const gonePid = gone.pid!;
    gone.kill('SIGKILL');
    await new Promise((r) => gone.on('exit', r));
    const now = Date.now();
    writeFileSync(join(pids, 'cam1_ffmpeg.pid'), `${live.pid}\n${now}\n`);
    writeFileSync(join(pids, 'cam2_ffmpeg.pid'), `${gonePid}\n${now - 60_000}\n`);
    const registry = join(dir, 'registry.json');
    writeFileSync(registry, JSON.stringify([
      { task_id: 'live-task', process_id: live.pid, start_time: new Date(now).toISOString(), extra: 1 },
      { task_id: 'dead-task', process_id: gonePid, start_time: new Date(now - 60_000).toISOString() },
    ]));

    const w = new WatchRun(['watch', '--json', '--interval', '200ms', '--args', mark, '--clean-pidfiles', '--pid-dir', pids, '--registry', registry]);
    try {
      const removed = new Set<string>();
      await w.waitFor((l) => {
        if (l.event === 'pidfile-removed') removed.add(l.path);
        return removed.size >= 2;
      }, 'both stale records removed');
      assert.deepEqual([...removed].sort(), [join(pids, 'cam2_ffmpeg.pid'), `${registry}#dead-task`].sort());
      const ev = w.events().find((e) => e.event === 'pidfile-removed' && e.path.endsWith('cam2_ffmpeg.pid'));
      assert.equal(ev.status, 'dead');
      assert.equal(ev.pid, gonePid);
      assert.match(ev.reason, /no process \d+: it exited/);
      assert.ok(existsSync(join(pids, 'cam1_ffmpeg.pid')), 'the live pidfile stays');
      const left = JSON.parse(readFileSync(registry, 'utf8'));
      assert.deepEqual(left, [{ task_id: 'live-task', process_id: live.pid, start_time: new Date(now).toISOString(), extra: 1 }]);
      const tick = await w.waitFor((l) => l.type === 'tick' && l.pidfiles?.live === 2 && l.pidfiles.dead === 0, 'a tick with only live records');
      assert.equal(tick.pidfiles.reused, 0);
      // The live worker is tracked by its records, not untracked or orphaned.
      assert.ok(!w.events().some((e) => e.event === 'orphaned'));
      assert.equal(await w.stop('SIGTERM'), 0);
    } finally {
      w.child.kill('SIGKILL');
    }
  });

  test('pidfiles watch: JSON ticks with statuses, removals as they go stale, --dry-run removes nothing', async () => {
    const pids = join(dir, 'pids2');
    mkdirSync(pids);
    const worker = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-pw`), { detached: true });
    await waitFor(() => alive(worker.pid!));
    const file = join(pids, 'cam3_ffmpeg.pid');
    writeFileSync(file, `${worker.pid}\n${Date.now()}\n`);

    const dry = cli(['pidfiles', 'watch', '--json', '--count', '2', '--interval', '50ms', '--dry-run', '--pid-dir', pids]);
    assert.equal(dry.code, 0, dry.stderr);
    const lines = dry.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(Object.keys(lines[0]), ['type', 'tick', 'at', 'scanMs', 'scanned', 'pidfiles']);
    assert.equal(lines[0].pidfiles.live, 1);

    const w = new WatchRun(['pidfiles', 'watch', '--json', '--interval', '200ms', '--pid-dir', pids]);
    try {
      await w.waitFor((l) => l.type === 'tick' && l.pidfiles.live === 1, 'the live record');
      worker.kill('SIGKILL');
      const ev = await w.waitFor((l) => l.event === 'pidfile-removed', 'the record removed once its process died');
      assert.equal(ev.path, file);
      assert.ok(!existsSync(file));
      assert.ok(!w.events().some((e) => e.event !== 'pidfile-removed'), 'no process events in pidfiles watch');
      assert.equal(await w.stop('SIGINT'), 0);
    } finally {
      w.child.kill('SIGKILL');
      if (existsSync(file)) unlinkSync(file);
    }
  });
});
